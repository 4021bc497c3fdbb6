//! What `CreateUser` carries: the whole user in one call, so that a user never exists half
//! made (proficiencies excepted: `CreateUser` cannot take them).

use std::collections::{BTreeMap, BTreeSet};

use crate::connect_user::model::{ChannelConfigs, IdentityInfo, PhoneConfig, Secret, UserSpec};

/// One `CreateUser` request, in domain types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub instance_id: String,
    pub username: String,
    pub password: Option<Secret>,
    /// Left off when the template gives none, or gives only empty fields.
    pub identity_info: Option<IdentityInfo>,
    pub phone_config: Option<PhoneConfig>,
    /// The per-channel lists to send; empty when `PhoneConfig` is sent instead.
    pub channels: ChannelConfigs,
    pub directory_user_id: Option<String>,
    pub hierarchy_group_id: Option<String>,
    pub routing_profile_id: String,
    pub security_profile_ids: BTreeSet<String>,
    /// The template's tags and the reserved ones (ownership).
    pub tags: BTreeMap<String, String>,
}

/// The `CreateUser` request for `spec`, with its `password` and the `reserved_tags`.
///
/// A template that sets its channels through `PhoneConfig` alone sends `PhoneConfig` as it
/// always did; otherwise every setting goes per channel and `PhoneConfig` is left off (Connect
/// takes one or the other: see [`ChannelConfigs::for_create`]).
pub fn new_user(
    spec: &UserSpec,
    password: Option<Secret>,
    reserved_tags: &BTreeMap<String, String>,
) -> NewUser {
    let mut tags = spec.tags.clone();
    tags.extend(reserved_tags.clone());
    let channels = match &spec.phone_config {
        Some(_) => ChannelConfigs::default(),
        None => spec.channels.for_create(),
    };
    NewUser {
        instance_id: spec.instance_id.clone(),
        username: spec.name.clone(),
        password,
        identity_info: spec
            .identity_info
            .clone()
            .filter(|info| *info != IdentityInfo::default()),
        phone_config: spec.phone_config.clone(),
        channels,
        directory_user_id: spec.directory_user_id.clone(),
        hierarchy_group_id: spec.hierarchy_group_id.clone(),
        routing_profile_id: spec.routing_profile_id.clone(),
        security_profile_ids: spec.security_profile_ids.clone(),
        tags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect_user::model::{AutoAccept, Channel, PhoneType, OWNERSHIP_TAG};

    fn spec(phone_config: Option<PhoneConfig>) -> UserSpec {
        let voice = PhoneConfig {
            phone_type: PhoneType::SoftPhone,
            auto_accept: true,
            after_contact_work_time_limit: 30,
            desk_phone_number: None,
            persistent_connection: false,
        };
        let mut channels = ChannelConfigs::default().with_phone_config(&voice);
        channels.auto_accept.insert(
            Channel::Chat,
            AutoAccept {
                auto_accept: true,
                agent_first_callback: false,
            },
        );
        UserSpec {
            instance_id: "i-1".into(),
            name: "agent".into(),
            password: None,
            directory_user_id: None,
            hierarchy_group_id: None,
            identity_info: Some(IdentityInfo::default()),
            channels,
            phone_config,
            proficiencies: None,
            routing_profile_id: "rp-1".into(),
            security_profile_ids: BTreeSet::from(["sp-1".to_string()]),
            names: Default::default(),
            tags: BTreeMap::from([("team".to_string(), "blue".to_string())]),
            adopt_existing: false,
        }
    }

    fn ownership() -> BTreeMap<String, String> {
        BTreeMap::from([(OWNERSHIP_TAG.to_string(), "req-1".to_string())])
    }

    #[test]
    fn phone_config_alone_sends_no_per_channel_list() {
        let legacy = PhoneConfig {
            phone_type: PhoneType::DeskPhone,
            auto_accept: false,
            after_contact_work_time_limit: 0,
            desk_phone_number: Some("+15555550100".into()),
            persistent_connection: false,
        };
        let request = new_user(&spec(Some(legacy.clone())), None, &ownership());
        assert_eq!(request.phone_config, Some(legacy));
        assert_eq!(request.channels, ChannelConfigs::default());
    }

    #[test]
    fn per_channel_settings_go_as_lists_without_phone_config() {
        let desired = spec(None);
        let request = new_user(&desired, None, &ownership());
        assert_eq!(request.phone_config, None);
        assert_eq!(request.channels, desired.channels.for_create());
        assert!(request.channels.auto_accept.contains_key(&Channel::Chat));
    }

    #[test]
    fn tags_carry_the_ownership_tag_and_empty_identity_is_left_off() {
        let request = new_user(&spec(None), None, &ownership());
        assert_eq!(request.tags.get("team").map(String::as_str), Some("blue"));
        assert_eq!(
            request.tags.get(OWNERSHIP_TAG).map(String::as_str),
            Some("req-1")
        );
        assert_eq!(request.identity_info, None);
    }
}
