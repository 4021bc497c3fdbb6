//! `PhoneConfig` and the per-channel lists checked against each other. Connect's `CreateUser`
//! takes either (model doc, `CreateUserRequest.PhoneConfig`: "This parameter is optional. If
//! not provided, the user can be configured using channel-specific parameters such as
//! AutoAcceptConfigs, ..."), so a template gives a complete `PhoneConfig`, or per-channel lists
//! with `PhoneConfig` filling in what no list sets; setting one thing both ways is refused.

use super::channels::{channel_lists, ChannelLists};
use super::phone::{phone_config_fields, PhoneConfigFields};
use super::reader::Reader;
use crate::connect_user::model::channels::{AfterContactWork, AutoAccept, Channel, PhoneNumber};
use crate::connect_user::model::{ChannelConfigs, PhoneConfig};

/// The complete `PhoneConfig` to send when no per-channel list is given, and every channel's
/// settings. `None` when something required is missing (an error was reported).
pub(super) fn channel_settings(top: &Reader) -> Option<(Option<PhoneConfig>, ChannelConfigs)> {
    let fields = phone_config_fields(top);
    let lists = channel_lists(top);
    if lists.phone_number.is_none() {
        if !top.has("PhoneConfig") {
            top.field("PhoneConfig")
                .error("is required (or give PhoneNumberConfigs)");
            return None;
        }
        let errors = top.errors();
        if fields.as_ref().is_some_and(|f| f.phone_type.is_none())
            && !errors.reported("PhoneConfig.PhoneType")
        {
            errors.push(
                "PhoneConfig.PhoneType",
                "is required (or give PhoneNumberConfigs)",
            );
        }
    }
    let fields = fields.unwrap_or_default();
    check_overlaps(top, &fields, &lists);
    if !lists.any() {
        let config = PhoneConfig {
            phone_type: fields.phone_type?,
            auto_accept: fields.auto_accept.unwrap_or(false),
            after_contact_work_time_limit: fields.after_contact_work_time_limit.unwrap_or(0),
            desk_phone_number: fields.desk_phone_number,
            persistent_connection: fields.persistent_connection.unwrap_or(false),
        };
        let channels = ChannelConfigs::default().with_phone_config(&config);
        return Some((Some(config), channels));
    }
    Some((None, fold(fields, lists)))
}

/// Reports every setting that `PhoneConfig` and a per-channel list both make.
fn check_overlaps(top: &Reader, fields: &PhoneConfigFields, lists: &ChannelLists) {
    let overlaps: [(bool, &str, bool, &str, &str); 5] = [
        (
            fields.auto_accept.is_some(),
            "AutoAccept",
            lists.auto_accept.is_some(),
            "AutoAcceptConfigs",
            "auto-accept",
        ),
        (
            fields.after_contact_work_time_limit.is_some(),
            "AfterContactWorkTimeLimit",
            lists.after_contact_work.is_some(),
            "AfterContactWorkConfigs",
            "the after-contact-work limit",
        ),
        (
            fields.phone_type.is_some(),
            "PhoneType",
            lists.phone_number.is_some(),
            "PhoneNumberConfigs",
            "the phone type",
        ),
        (
            fields.desk_phone_number.is_some(),
            "DeskPhoneNumber",
            lists.phone_number.is_some(),
            "PhoneNumberConfigs",
            "the phone number",
        ),
        (
            fields.persistent_connection.is_some(),
            "PersistentConnection",
            lists.persistent_connection.is_some(),
            "PersistentConnectionConfigs",
            "the persistent connection",
        ),
    ];
    for (field_given, field, list_given, list, what) in overlaps {
        if field_given && list_given {
            top.errors().push(
                format!("PhoneConfig.{field}"),
                format!("and {list} both set {what}; give only one of them ({list} sets it per channel)"),
            );
        }
    }
}

/// Per-channel settings: the lists, with what `PhoneConfig` gives folded in (its settings are
/// the VOICE channel's; its after-contact-work limit covers every channel).
fn fold(fields: PhoneConfigFields, lists: ChannelLists) -> ChannelConfigs {
    let voice = Channel::Voice;
    let mut channels = lists.into_configs();
    if let Some(auto_accept) = fields.auto_accept {
        channels.auto_accept.insert(
            voice,
            AutoAccept {
                auto_accept,
                agent_first_callback: false,
            },
        );
    }
    if let Some(limit) = fields.after_contact_work_time_limit {
        for channel in Channel::ALL {
            channels.after_contact_work.insert(
                channel,
                AfterContactWork {
                    time_limit: limit,
                    agent_first_callback: None,
                },
            );
        }
    }
    if let Some(phone_type) = fields.phone_type {
        channels.phone_number.insert(
            voice,
            PhoneNumber {
                phone_type,
                number: fields.desk_phone_number,
            },
        );
    }
    if let Some(persistent) = fields.persistent_connection {
        channels.persistent_connection.insert(voice, persistent);
    }
    channels.normalised()
}

#[cfg(test)]
mod tests {
    use crate::connect_user::model::channels::Channel;
    use crate::connect_user::properties::test_support::{basic, parse_value, reason};
    use serde_json::json;

    #[test]
    fn phone_config_fields_fold_into_per_channel_settings() {
        let mut value = basic();
        value["PhoneConfig"] =
            json!({"PhoneType": "SOFT_PHONE", "AutoAccept": true, "AfterContactWorkTimeLimit": 30});
        value["VoiceEnhancementConfigs"] =
            json!([{"Channel": "VOICE", "VoiceEnhancementMode": "VOICE_ISOLATION"}]);
        let spec = parse_value(&value).unwrap();
        assert_eq!(
            spec.phone_config, None,
            "per-channel settings go through UpdateUserConfig"
        );
        assert!(spec.channels.auto_accept[&Channel::Voice].auto_accept);
        assert_eq!(
            spec.channels.after_contact_work.len(),
            4,
            "the PhoneConfig limit covers every channel"
        );
    }

    #[test]
    fn overlapping_settings_fail_naming_both() {
        let mut value = basic();
        value["PhoneConfig"] = json!({"PhoneType": "SOFT_PHONE", "AutoAccept": true, "AfterContactWorkTimeLimit": 0, "PersistentConnection": false});
        value["AutoAcceptConfigs"] = json!([{"Channel": "CHAT", "AutoAccept": true}]);
        value["AfterContactWorkConfigs"] =
            json!([{"Channel": "VOICE", "AfterContactWorkConfig": {}}]);
        value["PhoneNumberConfigs"] = json!([{"Channel": "VOICE", "PhoneType": "SOFT_PHONE"}]);
        value["PersistentConnectionConfigs"] =
            json!([{"Channel": "VOICE", "PersistentConnection": true}]);
        let text = reason(&value);
        for part in [
            "PhoneConfig.AutoAccept and AutoAcceptConfigs both set auto-accept",
            "PhoneConfig.AfterContactWorkTimeLimit and AfterContactWorkConfigs",
            "PhoneConfig.PhoneType and PhoneNumberConfigs",
            "PhoneConfig.PersistentConnection and PersistentConnectionConfigs",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }
}
