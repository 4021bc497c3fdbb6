//! [`ConnectApi`] over aws-sdk-connect: the only file that knows the SDK's types.
//!
//! The client is built on the first event, not at cold start, and reused by warm invocations,
//! from the shared configuration in [`super::aws`] (SDK retry off, endpoint override honoured).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_connect::config::http::HttpResponse;
use aws_sdk_connect::error::{BuildError, ProvideErrorMetadata, SdkError};
use aws_sdk_connect::types::{self as sdk, UserIdentityInfo, UserPhoneConfig};
use aws_sdk_connect::Client;
use tokio::sync::OnceCell;

use super::api::{ApiError, ConnectApi, ErrorKind};
use super::model::channels::{
    AfterContactWork, AutoAccept, Channel, ChannelConfigs, ListedChannels, PhoneNumber,
    VoiceEnhancement,
};
use super::model::{
    IdentityInfo, ObservedProficiencies, ObservedUser, PhoneConfig, PhoneType, Proficiencies,
    Secret, UserRef, UserSpec,
};
use super::plan::Change;

/// The Connect client, built lazily.
#[derive(Debug, Default)]
pub struct SdkConnect {
    client: OnceCell<Client>,
}

impl SdkConnect {
    pub fn new() -> Self {
        Self::default()
    }

    async fn client(&self) -> &Client {
        self.client
            .get_or_init(|| async { Client::new(super::aws::config().await) })
            .await
    }
}

/// Turns an SDK error into an [`ApiError`] with Connect's error code and message.
fn api_error<E>(operation: &'static str, error: SdkError<E, HttpResponse>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let failure = super::aws::failure(error);
    let kind = match failure.code.as_str() {
        "ResourceNotFoundException" => ErrorKind::NotFound,
        "DuplicateResourceException" => ErrorKind::Duplicate,
        _ if failure.is_transient() => ErrorKind::Retryable,
        _ => ErrorKind::Other,
    };
    ApiError {
        operation,
        code: failure.code,
        message: failure.message,
        kind,
    }
}

fn to_sdk_identity(info: &IdentityInfo) -> UserIdentityInfo {
    UserIdentityInfo::builder()
        .set_first_name(info.first_name.clone())
        .set_last_name(info.last_name.clone())
        .set_email(info.email.clone())
        .set_secondary_email(info.secondary_email.clone())
        .set_mobile(info.mobile.clone())
        .build()
}

fn to_sdk_phone(config: &PhoneConfig) -> UserPhoneConfig {
    UserPhoneConfig::builder()
        .phone_type(sdk::PhoneType::from(config.phone_type.as_str()))
        .auto_accept(config.auto_accept)
        .after_contact_work_time_limit(config.after_contact_work_time_limit)
        .set_desk_phone_number(config.desk_phone_number.clone())
        .persistent_connection(config.persistent_connection)
        .build()
}

fn non_empty(text: Option<&str>) -> Option<String> {
    text.filter(|t| !t.is_empty()).map(str::to_owned)
}

fn from_sdk_user(user: &sdk::User) -> ObservedUser {
    let identity_info = user
        .identity_info()
        .map(|info| IdentityInfo {
            first_name: non_empty(info.first_name()),
            last_name: non_empty(info.last_name()),
            email: non_empty(info.email()),
            secondary_email: non_empty(info.secondary_email()),
            mobile: non_empty(info.mobile()),
        })
        .unwrap_or_default();
    let phone_config = user.phone_config().and_then(|config| {
        Some(PhoneConfig {
            phone_type: PhoneType::parse(config.phone_type().as_str())?,
            auto_accept: config.auto_accept(),
            after_contact_work_time_limit: config.after_contact_work_time_limit(),
            desk_phone_number: non_empty(config.desk_phone_number()),
            persistent_connection: config.persistent_connection().unwrap_or(false),
        })
    });
    let channels = from_sdk_channels(user, phone_config.as_ref());
    let listed_channels = listed_channels(user);
    ObservedUser {
        id: user.id().unwrap_or_default().to_owned(),
        arn: user.arn().unwrap_or_default().to_owned(),
        username: user.username().unwrap_or_default().to_owned(),
        identity_info,
        phone_config,
        channels,
        listed_channels,
        directory_user_id: non_empty(user.directory_user_id()),
        hierarchy_group_id: non_empty(user.hierarchy_group_id()),
        routing_profile_id: user.routing_profile_id().unwrap_or_default().to_owned(),
        security_profile_ids: user.security_profile_ids().iter().cloned().collect(),
        tags: user
            .tags()
            .map(|tags| tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        proficiencies: None,
    }
}

/// The per-channel settings `DescribeUser` reports. A list it leaves out (a Region without
/// per-channel settings) is taken from `PhoneConfig`; settings that exist on VOICE only are
/// read from VOICE only.
fn from_sdk_channels(user: &sdk::User, phone_config: Option<&PhoneConfig>) -> ChannelConfigs {
    let channel = |c: &sdk::Channel| Channel::parse(c.as_str());
    let voice = |c: &sdk::Channel| channel(c).filter(|c| *c == Channel::Voice);
    let limit =
        |c: Option<&sdk::AfterContactWorkConfig>| c.map(|c| c.after_contact_work_time_limit());
    let legacy = phone_config
        .map(|config| ChannelConfigs::default().with_phone_config(config))
        .unwrap_or_default();
    /// The reported list, or what `PhoneConfig` implies when none is reported.
    fn or_legacy<T: Clone>(
        reported: BTreeMap<Channel, T>,
        listed: bool,
        legacy: &BTreeMap<Channel, T>,
    ) -> BTreeMap<Channel, T> {
        if listed {
            reported
        } else {
            legacy.clone()
        }
    }
    let configs = ChannelConfigs {
        auto_accept: or_legacy(
            user.auto_accept_configs()
                .iter()
                .filter_map(|c| {
                    let value = AutoAccept {
                        auto_accept: c.auto_accept(),
                        agent_first_callback: c.agent_first_callback_auto_accept().unwrap_or(false),
                    };
                    Some((channel(c.channel())?, value))
                })
                .collect(),
            !user.auto_accept_configs().is_empty(),
            &legacy.auto_accept,
        ),
        after_contact_work: or_legacy(
            user.after_contact_work_configs()
                .iter()
                .filter_map(|c| {
                    let value = AfterContactWork {
                        time_limit: limit(c.after_contact_work_config()).unwrap_or(0),
                        agent_first_callback: limit(
                            c.agent_first_callback_after_contact_work_config(),
                        ),
                    };
                    Some((channel(c.channel())?, value))
                })
                .collect(),
            !user.after_contact_work_configs().is_empty(),
            &legacy.after_contact_work,
        ),
        phone_number: or_legacy(
            user.phone_number_configs()
                .iter()
                .filter_map(|c| {
                    let value = PhoneNumber {
                        phone_type: PhoneType::parse(c.phone_type().as_str())?,
                        number: non_empty(c.phone_number()),
                    };
                    Some((voice(c.channel())?, value))
                })
                .collect(),
            !user.phone_number_configs().is_empty(),
            &legacy.phone_number,
        ),
        persistent_connection: or_legacy(
            user.persistent_connection_configs()
                .iter()
                .filter_map(|c| Some((voice(c.channel())?, c.persistent_connection())))
                .collect(),
            !user.persistent_connection_configs().is_empty(),
            &legacy.persistent_connection,
        ),
        voice_enhancement: user
            .voice_enhancement_configs()
            .iter()
            .filter_map(|c| {
                let mode = VoiceEnhancement::parse(c.voice_enhancement_mode().as_str())?;
                Some((voice(c.channel())?, mode))
            })
            .collect(),
    };
    configs.normalised()
}

/// The channels each per-channel list of `DescribeUser` names.
fn listed_channels(user: &sdk::User) -> ListedChannels {
    fn channels<'a>(listed: impl Iterator<Item = &'a sdk::Channel>) -> BTreeSet<Channel> {
        listed.filter_map(|c| Channel::parse(c.as_str())).collect()
    }
    ListedChannels {
        auto_accept: channels(user.auto_accept_configs().iter().map(|c| c.channel())),
        after_contact_work: channels(
            user.after_contact_work_configs()
                .iter()
                .map(|c| c.channel()),
        ),
        phone_number: channels(user.phone_number_configs().iter().map(|c| c.channel())),
        persistent_connection: channels(
            user.persistent_connection_configs()
                .iter()
                .map(|c| c.channel()),
        ),
        voice_enhancement: channels(user.voice_enhancement_configs().iter().map(|c| c.channel())),
    }
}

/// The SDK's per-channel lists for `configs`, in the order the API takes them.
struct SdkChannelLists {
    auto_accept: Vec<sdk::AutoAcceptConfig>,
    after_contact_work: Vec<sdk::AfterContactWorkConfigPerChannel>,
    phone_number: Vec<sdk::PhoneNumberConfig>,
    persistent_connection: Vec<sdk::PersistentConnectionConfig>,
    voice_enhancement: Vec<sdk::VoiceEnhancementConfig>,
}

fn to_sdk_channels(configs: &ChannelConfigs) -> Result<SdkChannelLists, BuildError> {
    let channel = |c: &Channel| sdk::Channel::from(c.as_str());
    let work = |limit: i32| {
        sdk::AfterContactWorkConfig::builder()
            .after_contact_work_time_limit(limit)
            .build()
    };
    Ok(SdkChannelLists {
        auto_accept: configs
            .auto_accept
            .iter()
            .map(|(c, v)| {
                sdk::AutoAcceptConfig::builder()
                    .channel(channel(c))
                    .auto_accept(v.auto_accept)
                    // Written out on VOICE, where it exists, so that `false` resets it.
                    .set_agent_first_callback_auto_accept(
                        (*c == Channel::Voice).then_some(v.agent_first_callback),
                    )
                    .build()
            })
            .collect::<Result<_, _>>()?,
        after_contact_work: configs
            .after_contact_work
            .iter()
            .map(|(c, v)| {
                sdk::AfterContactWorkConfigPerChannel::builder()
                    .channel(channel(c))
                    .after_contact_work_config(work(v.time_limit))
                    .set_agent_first_callback_after_contact_work_config(
                        v.agent_first_callback.map(work),
                    )
                    .build()
            })
            .collect::<Result<_, _>>()?,
        phone_number: configs
            .phone_number
            .iter()
            .map(|(c, v)| {
                sdk::PhoneNumberConfig::builder()
                    .channel(channel(c))
                    .phone_type(sdk::PhoneType::from(v.phone_type.as_str()))
                    .set_phone_number(v.number.clone())
                    .build()
            })
            .collect::<Result<_, _>>()?,
        persistent_connection: configs
            .persistent_connection
            .iter()
            .map(|(c, v)| {
                sdk::PersistentConnectionConfig::builder()
                    .channel(channel(c))
                    .persistent_connection(*v)
                    .build()
            })
            .collect::<Result<_, _>>()?,
        voice_enhancement: configs
            .voice_enhancement
            .iter()
            .map(|(c, v)| {
                sdk::VoiceEnhancementConfig::builder()
                    .channel(channel(c))
                    .voice_enhancement_mode(sdk::VoiceEnhancementMode::from(v.as_str()))
                    .build()
            })
            .collect::<Result<_, _>>()?,
    })
}

fn to_sdk_proficiencies(
    proficiencies: &Proficiencies,
) -> Result<Vec<sdk::UserProficiency>, BuildError> {
    proficiencies
        .iter()
        .map(|((name, value), level)| {
            sdk::UserProficiency::builder()
                .attribute_name(name)
                .attribute_value(value)
                .level(f32::from(*level))
                .build()
        })
        .collect()
}

/// A request the SDK refused to build: a bug here, not a problem with the template.
fn build_error(operation: &'static str, error: BuildError) -> ApiError {
    ApiError {
        operation,
        code: "ClientError".into(),
        message: error.to_string(),
        kind: ErrorKind::Other,
    }
}

/// `None` for an empty list, so that the SDK leaves it off the wire.
fn some_if_any<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

impl ConnectApi for SdkConnect {
    async fn create_user(
        &self,
        spec: &UserSpec,
        password: Option<&Secret>,
        extra_tags: &BTreeMap<String, String>,
    ) -> Result<UserRef, ApiError> {
        let mut tags: HashMap<String, String> = spec.tags.clone().into_iter().collect();
        tags.extend(extra_tags.clone());
        let identity = spec
            .identity_info
            .as_ref()
            .filter(|info| **info != IdentityInfo::default())
            .map(to_sdk_identity);
        // PhoneConfig alone as before; otherwise every setting per channel and no PhoneConfig.
        let lists = match &spec.phone_config {
            Some(_) => ChannelConfigs::default(),
            None => spec.channels.for_create(),
        };
        let lists = to_sdk_channels(&lists).map_err(|e| build_error("CreateUser", e))?;
        let output = self
            .client()
            .await
            .create_user()
            .instance_id(&spec.instance_id)
            .username(&spec.name)
            .set_password(password.map(|p| p.expose().to_owned()))
            .set_identity_info(identity)
            .set_phone_config(spec.phone_config.as_ref().map(to_sdk_phone))
            .set_auto_accept_configs(some_if_any(lists.auto_accept))
            .set_after_contact_work_configs(some_if_any(lists.after_contact_work))
            .set_phone_number_configs(some_if_any(lists.phone_number))
            .set_persistent_connection_configs(some_if_any(lists.persistent_connection))
            .set_voice_enhancement_configs(some_if_any(lists.voice_enhancement))
            .set_directory_user_id(spec.directory_user_id.clone())
            .set_security_profile_ids(Some(spec.security_profile_ids.iter().cloned().collect()))
            .routing_profile_id(&spec.routing_profile_id)
            .set_hierarchy_group_id(spec.hierarchy_group_id.clone())
            .set_tags((!tags.is_empty()).then_some(tags))
            .send()
            .await
            .map_err(|e| api_error("CreateUser", e))?;
        Ok(UserRef {
            id: output.user_id().unwrap_or_default().to_owned(),
            arn: output.user_arn().unwrap_or_default().to_owned(),
        })
    }

    async fn describe_user(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> Result<ObservedUser, ApiError> {
        let output = self
            .client()
            .await
            .describe_user()
            .instance_id(instance_id)
            .user_id(user_id)
            .send()
            .await
            .map_err(|e| api_error("DescribeUser", e))?;
        output.user().map(from_sdk_user).ok_or_else(|| ApiError {
            operation: "DescribeUser",
            code: "InvalidResponse".into(),
            message: "the answer holds no user".into(),
            kind: ErrorKind::Other,
        })
    }

    async fn find_user_id(
        &self,
        instance_id: &str,
        username: &str,
    ) -> Result<Option<String>, ApiError> {
        let client = self.client().await;
        let mut next_token = None;
        loop {
            let page = client
                .list_users()
                .instance_id(instance_id)
                .max_results(1000)
                .set_next_token(next_token)
                .send()
                .await
                .map_err(|e| api_error("ListUsers", e))?;
            if let Some(found) = page.user_summary_list().iter().find(|summary| {
                summary
                    .username()
                    .is_some_and(|name| name.eq_ignore_ascii_case(username))
            }) {
                return Ok(found.id().map(str::to_owned));
            }
            match page.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                _ => return Ok(None),
            }
        }
    }

    async fn list_proficiencies(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> Result<ObservedProficiencies, ApiError> {
        let client = self.client().await;
        let mut listed = ObservedProficiencies::new();
        let mut next_token = None;
        loop {
            let page = client
                .list_user_proficiencies()
                .instance_id(instance_id)
                .user_id(user_id)
                .max_results(100)
                .set_next_token(next_token)
                .send()
                .await
                .map_err(|e| api_error("ListUserProficiencies", e))?;
            for proficiency in page.user_proficiency_list() {
                let key = (
                    proficiency.attribute_name().to_owned(),
                    proficiency.attribute_value().to_owned(),
                );
                listed.insert(key, proficiency.level());
            }
            match page.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                _ => return Ok(listed),
            }
        }
    }

    async fn delete_user(&self, instance_id: &str, user_id: &str) -> Result<(), ApiError> {
        self.client()
            .await
            .delete_user()
            .instance_id(instance_id)
            .user_id(user_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| api_error("DeleteUser", e))
    }

    async fn apply(
        &self,
        instance_id: &str,
        user: &UserRef,
        change: &Change,
    ) -> Result<(), ApiError> {
        /// Sends a fluent request whose output carries nothing we need.
        macro_rules! send {
            ($request:expr) => {
                $request
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| api_error(change.operation(), e))
            };
        }
        let client = self.client().await;
        let user_id = user.id.as_str();
        match change {
            Change::IdentityInfo(info) => send!(client
                .update_user_identity_info()
                .instance_id(instance_id)
                .user_id(user_id)
                .identity_info(to_sdk_identity(info))),
            Change::PhoneConfig(config) => send!(client
                .update_user_phone_config()
                .instance_id(instance_id)
                .user_id(user_id)
                .phone_config(to_sdk_phone(config))),
            Change::UserConfig(configs) => {
                let lists =
                    to_sdk_channels(configs).map_err(|e| build_error(change.operation(), e))?;
                send!(client
                    .update_user_config()
                    .instance_id(instance_id)
                    .user_id(user_id)
                    .set_auto_accept_configs(some_if_any(lists.auto_accept))
                    .set_after_contact_work_configs(some_if_any(lists.after_contact_work))
                    .set_phone_number_configs(some_if_any(lists.phone_number))
                    .set_persistent_connection_configs(some_if_any(lists.persistent_connection))
                    .set_voice_enhancement_configs(some_if_any(lists.voice_enhancement)))
            }
            Change::RoutingProfile(id) => send!(client
                .update_user_routing_profile()
                .instance_id(instance_id)
                .user_id(user_id)
                .routing_profile_id(id)),
            Change::SecurityProfiles(ids) => send!(client
                .update_user_security_profiles()
                .instance_id(instance_id)
                .user_id(user_id)
                .set_security_profile_ids(Some(ids.iter().cloned().collect()))),
            Change::Hierarchy(group) => send!(client
                .update_user_hierarchy()
                .instance_id(instance_id)
                .user_id(user_id)
                .set_hierarchy_group_id(group.clone())),
            Change::DisassociateProficiencies(keys) => {
                let keys = keys
                    .iter()
                    .map(|(name, value)| {
                        sdk::UserProficiencyDisassociate::builder()
                            .attribute_name(name)
                            .attribute_value(value)
                            .build()
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| build_error(change.operation(), e))?;
                send!(client
                    .disassociate_user_proficiencies()
                    .instance_id(instance_id)
                    .user_id(user_id)
                    .set_user_proficiencies(Some(keys)))
            }
            Change::UpdateProficiencies(levels) => {
                let levels =
                    to_sdk_proficiencies(levels).map_err(|e| build_error(change.operation(), e))?;
                send!(client
                    .update_user_proficiencies()
                    .instance_id(instance_id)
                    .user_id(user_id)
                    .set_user_proficiencies(Some(levels)))
            }
            Change::AssociateProficiencies(levels) => {
                let levels =
                    to_sdk_proficiencies(levels).map_err(|e| build_error(change.operation(), e))?;
                send!(client
                    .associate_user_proficiencies()
                    .instance_id(instance_id)
                    .user_id(user_id)
                    .set_user_proficiencies(Some(levels)))
            }
            Change::Tag(tags) => send!(client
                .tag_resource()
                .resource_arn(&user.arn)
                .set_tags(Some(tags.clone().into_iter().collect()))),
            Change::Untag(keys) => send!(client
                .untag_resource()
                .resource_arn(&user.arn)
                .set_tag_keys(Some(keys.iter().cloned().collect()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legacy_phone() -> UserPhoneConfig {
        UserPhoneConfig::builder()
            .phone_type(sdk::PhoneType::DeskPhone)
            .desk_phone_number("+14255550100")
            .auto_accept(true)
            .after_contact_work_time_limit(30)
            .build()
    }

    #[test]
    fn a_list_the_answer_lacks_is_read_from_phone_config() {
        // Only auto-accept is reported per channel: the rest comes from PhoneConfig.
        let chat = sdk::AutoAcceptConfig::builder()
            .channel(sdk::Channel::Chat)
            .auto_accept(true)
            .build()
            .unwrap();
        let user = sdk::User::builder()
            .phone_config(legacy_phone())
            .auto_accept_configs(chat)
            .build();
        let observed = from_sdk_user(&user);
        let channels = observed.channels;
        assert_eq!(
            channels.auto_accept.keys().collect::<Vec<_>>(),
            vec![&Channel::Chat],
            "the reported list wins, VOICE off in it"
        );
        assert_eq!(
            channels.after_contact_work.len(),
            4,
            "PhoneConfig's limit, every channel"
        );
        assert_eq!(
            channels.phone_number.get(&Channel::Voice),
            Some(&PhoneNumber {
                phone_type: PhoneType::DeskPhone,
                number: Some("+14255550100".into())
            })
        );
    }

    #[test]
    fn voice_only_settings_reported_on_other_channels_are_ignored() {
        let chat = sdk::VoiceEnhancementConfig::builder()
            .channel(sdk::Channel::Chat)
            .voice_enhancement_mode(sdk::VoiceEnhancementMode::NoiseSuppression)
            .build()
            .unwrap();
        let user = sdk::User::builder()
            .phone_config(legacy_phone())
            .voice_enhancement_configs(chat)
            .build();
        assert!(from_sdk_user(&user).channels.voice_enhancement.is_empty());
    }
}
