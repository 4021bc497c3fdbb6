//! Conversions between aws-sdk-connect's types and the model: identity, `PhoneConfig`, the
//! described user, proficiencies. The per-channel lists are in [`super::channels`].

use aws_sdk_connect::config::http::HttpResponse;
use aws_sdk_connect::error::{BuildError, ProvideErrorMetadata, SdkError};
use aws_sdk_connect::types::{self as sdk, UserIdentityInfo, UserPhoneConfig};

use super::channels::{from_sdk_channels, listed_channels, non_empty};
use super::{ApiError, ErrorKind};
use crate::connect_user::aws;
use crate::connect_user::model::{
    IdentityInfo, ObservedUser, PhoneConfig, PhoneType, Proficiencies,
};

pub fn to_sdk_identity(info: &IdentityInfo) -> UserIdentityInfo {
    UserIdentityInfo::builder()
        .set_first_name(info.first_name.clone())
        .set_last_name(info.last_name.clone())
        .set_email(info.email.clone())
        .set_secondary_email(info.secondary_email.clone())
        .set_mobile(info.mobile.clone())
        .build()
}

pub fn to_sdk_phone(config: &PhoneConfig) -> UserPhoneConfig {
    UserPhoneConfig::builder()
        .phone_type(sdk::PhoneType::from(config.phone_type.as_str()))
        .auto_accept(config.auto_accept)
        .after_contact_work_time_limit(config.after_contact_work_time_limit)
        .set_desk_phone_number(config.desk_phone_number.clone())
        .persistent_connection(config.persistent_connection)
        .build()
}

pub fn from_sdk_user(user: &sdk::User) -> ObservedUser {
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

pub fn to_sdk_proficiencies(
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

/// Turns an SDK error into an [`ApiError`] with Connect's error code and message.
pub fn api_error<E>(operation: &'static str, error: SdkError<E, HttpResponse>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let failure = aws::sdk_failure(error);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect_user::model::{Channel, PhoneNumber};

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
