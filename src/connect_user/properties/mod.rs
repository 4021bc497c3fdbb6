//! `ResourceProperties` → [`UserSpec`], validated before any API call.
//!
//! CloudFormation stringifies every scalar (`"0"`, `"false"`), so scalars are accepted both as
//! strings and in their JSON form. Every problem is collected, not just the first, and each is
//! reported with its property path (`PhoneConfig.DeskPhoneNumber`), so one failed deployment
//! shows everything to fix. A reason never echoes a secret value.
//!
//! The plumbing (paths, stringified scalars, unknown keys) is the [`reader`]'s; each property
//! group reads as its rules in a file of its own: [`identity`] (`Name`, `IdentityInfo`),
//! [`password`], [`profiles`] (instance, routing and security profiles, hierarchy group),
//! [`phone`] (`PhoneConfig`), [`channels`] (the per-channel lists), [`settings`] (the two
//! checked against each other), [`proficiencies`] and [`tags`]. The value rules are AWS's and
//! live in [`crate::connect_user::model::rules`], shared with the rest of the resource.

mod channels;
mod identity;
mod password;
mod phone;
mod proficiencies;
mod profiles;
mod reader;
mod settings;
mod tags;

use std::fmt;

use serde_json::{Map, Value};

use super::model::rules::is_email_username;
use super::model::UserSpec;
pub use password::DEFAULT_PASSWORD_SECRET_KEY;
pub use reader::suggest;
use reader::{scalar_text, Errors, Reader};

/// One problem with one property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyError {
    pub path: String,
    pub message: String,
}

/// Every problem found in the properties. The `Display` text is the FAILED reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InvalidProperties(pub Vec<PropertyError>);

impl fmt::Display for InvalidProperties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid properties: ")?;
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{} {}", error.path, error.message)?;
        }
        Ok(())
    }
}

/// Every property a `Custom::ConnectUser` accepts, at the top level.
pub const TOP_LEVEL: &[&str] = &[
    "InstanceId",
    "Name",
    "Password",
    "PasswordSecretArn",
    "PasswordSecretKey",
    "DirectoryUserId",
    "HierarchyGroupId",
    "IdentityInfo",
    "PhoneConfig",
    "AutoAcceptConfigs",
    "AfterContactWorkConfigs",
    "PhoneNumberConfigs",
    "PersistentConnectionConfigs",
    "VoiceEnhancementConfigs",
    "UserProficiencies",
    "RoutingProfileId",
    "SecurityProfileIds",
    "Tags",
    "ServiceToken",
    "ServiceTimeout",
];

/// The properties of a Create: [`parse`], and the rule for a new name ([`check_new_name`]).
pub fn for_create(properties: &Map<String, Value>) -> Result<UserSpec, InvalidProperties> {
    let spec = parse(properties)?;
    check_new_name(&spec.name)?;
    Ok(spec)
}

/// The properties of an Update: [`parse`] of the new ones, and the rule for a new name when
/// `Name` changes from the old ones (a name already in use keeps being accepted, so that an
/// Update, Delete or rollback accepts what an earlier release accepted).
pub fn for_update(
    new: &Map<String, Value>,
    old: &Map<String, Value>,
) -> Result<UserSpec, InvalidProperties> {
    let spec = parse(new)?;
    if name_changed(new, old) {
        check_new_name(&spec.name)?;
    }
    Ok(spec)
}

/// Parses and validates the properties of a `Custom::ConnectUser`. The groups are read in a
/// fixed order, which is the order of the problems in a reason.
pub fn parse(properties: &Map<String, Value>) -> Result<UserSpec, InvalidProperties> {
    let errors = Errors::default();
    let top = Reader::new(properties, &errors);
    top.check_unknown(TOP_LEVEL);

    let instance_id = profiles::instance_id(&top);
    let name = identity::name(&top);
    let password = password::password_source(&top);
    let directory_user_id = top.field("DirectoryUserId").text();
    let instance = instance_id.clone().unwrap_or_default();
    let hierarchy_group_id = profiles::hierarchy_group_id(&top, &instance);
    let routing_profile_id = profiles::routing_profile_id(&top, &instance);
    let security_profile_ids = profiles::security_profile_ids(&top, &instance);
    let identity_info = identity::identity_info(&top);
    let channels = settings::channel_settings(&top);
    let proficiencies = proficiencies::proficiencies(&top);
    let tags = tags::tags(&top);

    let errors = errors.into_vec();
    if !errors.is_empty() {
        return Err(InvalidProperties(errors));
    }
    let (
        Some(instance_id),
        Some(name),
        Some((phone_config, channels)),
        Some(routing_profile_id),
        Some(security_profile_ids),
    ) = (
        instance_id,
        name,
        channels,
        routing_profile_id,
        security_profile_ids,
    )
    else {
        // Each None above reported an error, so this is unreachable in practice; answer anyway.
        return Err(InvalidProperties(vec![PropertyError {
            path: "ResourceProperties".into(),
            message: "are incomplete".into(),
        }]));
    };
    Ok(UserSpec {
        instance_id,
        name,
        password,
        directory_user_id,
        hierarchy_group_id,
        identity_info,
        phone_config,
        channels,
        proficiencies,
        routing_profile_id,
        security_profile_ids,
        tags,
    })
}

/// The rule for a name a user is about to be created with, on top of [`parse`]'s: Connect
/// allows `@` in a username only in an email format (see
/// [`is_email_username`](crate::connect_user::model::rules::is_email_username)). Checked on
/// Create and when an Update changes `Name` ([`for_create`], [`for_update`]), never for a
/// `Name` already in use, so that an Update, Delete or rollback keeps accepting what an
/// earlier release accepted.
pub fn check_new_name(name: &str) -> Result<(), InvalidProperties> {
    if !name.contains('@') || is_email_username(name) {
        return Ok(());
    }
    Err(InvalidProperties(vec![PropertyError {
        path: "Name".into(),
        message: "may contain @ only in an email format such as agent@example.com (one @, a domain with at least one dot)".into(),
    }]))
}

/// Whether an Update changes `Name` (the new name must then pass [`check_new_name`]).
pub fn name_changed(new: &Map<String, Value>, old: &Map<String, Value>) -> bool {
    let name = |map: &Map<String, Value>| scalar_text(map.get("Name")).ok().flatten();
    name(new) != name(old)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::connect_user::model::channels::{Channel, ChannelConfigs, VoiceEnhancement};
    use crate::connect_user::model::{PasswordSource, PhoneType};
    use serde_json::json;

    const INSTANCE: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    fn basic() -> Value {
        json!({
            "ServiceToken": "arn:aws:lambda:us-east-1:1:function:f",
            "ServiceTimeout": "300",
            "InstanceId": INSTANCE,
            "Name": "agent.one",
            "Password": "Password123",
            "RoutingProfileId": "rp-1",
            "SecurityProfileIds": ["sp-1"],
            "PhoneConfig": {"PhoneType": "SOFT_PHONE"}
        })
    }

    fn parse_value(value: &Value) -> Result<UserSpec, InvalidProperties> {
        parse(value.as_object().unwrap())
    }

    fn reason(value: &Value) -> String {
        parse_value(value).unwrap_err().to_string()
    }

    #[test]
    fn minimal_properties_get_defaults() {
        let spec = parse_value(&basic()).unwrap();
        assert_eq!(spec.instance_id, INSTANCE);
        assert_eq!(spec.name, "agent.one");
        let phone = spec.phone_config.clone().unwrap();
        assert_eq!(phone.phone_type, PhoneType::SoftPhone);
        assert!(!phone.auto_accept);
        assert_eq!(phone.after_contact_work_time_limit, 0);
        assert!(!phone.persistent_connection);
        assert_eq!(spec.channels, ChannelConfigs::default());
        assert_eq!(spec.proficiencies, None);
        assert_eq!(spec.identity_info, None, "left out: not managed");
        assert!(spec.tags.is_empty());
        assert_eq!(spec.hierarchy_group_id, None);
    }

    #[test]
    fn stringified_and_native_scalars_mean_the_same() {
        let mut native = basic();
        native["PhoneConfig"] = json!({"PhoneType": "SOFT_PHONE", "AutoAccept": true, "AfterContactWorkTimeLimit": 30, "PersistentConnection": false});
        let mut strings = basic();
        strings["PhoneConfig"] = json!({"PhoneType": "SOFT_PHONE", "AutoAccept": "true", "AfterContactWorkTimeLimit": "30", "PersistentConnection": "False"});
        assert_eq!(
            parse_value(&native).unwrap(),
            parse_value(&strings).unwrap()
        );
        assert!(
            parse_value(&strings)
                .unwrap()
                .phone_config
                .unwrap()
                .auto_accept
        );
    }

    #[test]
    fn tags_as_list_or_map_mean_the_same() {
        let mut list = basic();
        list["Tags"] = json!([{"Key": "team", "Value": "blue"}, {"Key": "n", "Value": 1}]);
        let mut map = basic();
        map["Tags"] = json!({"team": "blue", "n": "1"});
        let spec = parse_value(&list).unwrap();
        assert_eq!(spec, parse_value(&map).unwrap());
        assert_eq!(spec.tags["n"], "1");
    }

    #[test]
    fn arns_become_ids() {
        let mut value = basic();
        value["InstanceId"] = json!(format!("arn:aws:connect:eu-west-2:1:instance/{INSTANCE}"));
        value["RoutingProfileId"] = json!(format!(
            "arn:aws:connect:eu-west-2:1:instance/{INSTANCE}/routing-profile/rp-9"
        ));
        value["SecurityProfileIds"] = json!([
            format!("arn:aws:connect:eu-west-2:1:instance/{INSTANCE}/security-profile/sp-2"),
            "sp-1",
            "sp-1"
        ]);
        value["HierarchyGroupId"] = json!(format!(
            "arn:aws:connect:eu-west-2:1:instance/{INSTANCE}/agent-group/g-1"
        ));
        let spec = parse_value(&value).unwrap();
        assert_eq!(spec.instance_id, INSTANCE);
        assert_eq!(spec.routing_profile_id, "rp-9");
        assert_eq!(
            spec.security_profile_ids,
            BTreeSet::from(["sp-1".to_string(), "sp-2".to_string()])
        );
        assert_eq!(spec.hierarchy_group_id.as_deref(), Some("g-1"));
    }

    #[test]
    fn an_at_sign_in_a_new_name_only_in_an_email_format() {
        for good in [
            "testuser",
            "testuser@example.com",
            "a.b-c_d@x.example.co",
            "a@b.c",
        ] {
            assert_eq!(check_new_name(good), Ok(()), "{good}");
        }
        for bad in [
            "testuser@example",
            "testuser@",
            "@example.com",
            "a@b@c.com",
            "a@.example.com",
            "a@example..com",
            "a@example.com.",
        ] {
            let error = check_new_name(bad).expect_err(bad);
            assert_eq!(error.0[0].path, "Name", "{bad}");
        }
    }

    #[test]
    fn a_name_change_is_seen_whatever_its_json_form() {
        let old = json!({"Name": "agent"});
        let same = json!({"Name": "agent"});
        let renamed = json!({"Name": "agent2"});
        let map = |v: &Value| v.as_object().cloned().unwrap();
        assert!(!name_changed(&map(&same), &map(&old)));
        assert!(name_changed(&map(&renamed), &map(&old)));
        assert!(name_changed(&map(&renamed), &Map::new()));
    }

    #[test]
    fn empty_optional_strings_count_as_absent() {
        let mut value = basic();
        value["HierarchyGroupId"] = json!("");
        value["IdentityInfo"] = json!({"FirstName": "", "Email": "a@b.co"});
        let spec = parse_value(&value).unwrap();
        assert_eq!(spec.hierarchy_group_id, None);
        let identity = spec.identity_info.expect("given, so managed");
        assert_eq!(identity.first_name, None);
        assert_eq!(identity.email.as_deref(), Some("a@b.co"));
    }

    #[test]
    fn secrets_stay_out_of_debug_and_reasons() {
        let spec = parse_value(&basic()).unwrap();
        assert!(!format!("{spec:?}").contains("Password123"));
        let mut weak = basic();
        weak["Password"] = json!("weakpassword");
        let text = reason(&weak);
        assert!(
            text.contains("Password must be") && !text.contains("weakpassword"),
            "{text}"
        );
    }

    #[test]
    fn every_problem_is_listed_with_its_path() {
        let text = reason(
            &json!({"InstanceId": INSTANCE, "Nmae": "x", "PhoneConfig": {"PhoneType": "DESK_PHONE"}}),
        );
        for part in [
            "Nmae is not a known property; did you mean Name?",
            "Name is required",
            "PhoneConfig.DeskPhoneNumber is required when PhoneType is DESK_PHONE",
            "RoutingProfileId is required",
            "SecurityProfileIds is required",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }

    #[test]
    fn suggestions_catch_case_aliases_and_typos() {
        assert_eq!(suggest("instanceId", TOP_LEVEL), Some("InstanceId"));
        assert_eq!(suggest("Username", TOP_LEVEL), Some("Name"));
        assert_eq!(
            suggest("SecurityProfileId", TOP_LEVEL),
            Some("SecurityProfileIds")
        );
        assert_eq!(
            suggest("RoutingProfileArn", TOP_LEVEL),
            Some("RoutingProfileId")
        );
        assert_eq!(suggest("Colour", TOP_LEVEL), None);
    }

    #[test]
    fn too_many_tags_or_profiles_are_refused() {
        let mut value = basic();
        let tags: serde_json::Map<String, Value> =
            (0..50).map(|i| (format!("k{i}"), json!("v"))).collect();
        value["Tags"] = Value::Object(tags);
        assert!(reason(&value).contains("Tags may hold at most 49 tags"));
        let mut value = basic();
        value["SecurityProfileIds"] = json!((0..11).map(|i| format!("sp-{i}")).collect::<Vec<_>>());
        assert!(reason(&value).contains("SecurityProfileIds must hold 1 to 10"));
    }

    #[test]
    fn per_channel_lists_replace_phone_config() {
        let mut value = basic();
        value.as_object_mut().unwrap().remove("PhoneConfig");
        value["PhoneNumberConfigs"] =
            json!([{"Channel": "VOICE", "PhoneType": "DESK_PHONE", "PhoneNumber": "+14255550100"}]);
        value["AutoAcceptConfigs"] = json!([{"Channel": "CHAT", "AutoAccept": "true"}, {"Channel": "VOICE", "AutoAccept": false, "AgentFirstCallbackAutoAccept": true}]);
        value["AfterContactWorkConfigs"] = json!([{"Channel": "TASK", "AfterContactWorkConfig": {"AfterContactWorkTimeLimit": "120"}}]);
        value["PersistentConnectionConfigs"] =
            json!([{"Channel": "VOICE", "PersistentConnection": true}]);
        value["VoiceEnhancementConfigs"] =
            json!([{"Channel": "VOICE", "VoiceEnhancementMode": "NOISE_SUPPRESSION"}]);
        let spec = parse_value(&value).unwrap();
        assert_eq!(spec.phone_config, None);
        let channels = &spec.channels;
        assert_eq!(
            channels.phone_number[&Channel::Voice].phone_type,
            PhoneType::DeskPhone
        );
        assert!(channels.auto_accept[&Channel::Chat].auto_accept);
        assert!(channels.auto_accept[&Channel::Voice].agent_first_callback);
        assert_eq!(channels.after_contact_work[&Channel::Task].time_limit, 120);
        assert!(channels.persistent_connection[&Channel::Voice]);
        assert_eq!(
            channels.voice_enhancement[&Channel::Voice],
            VoiceEnhancement::NoiseSuppression
        );
    }

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

    #[test]
    fn per_channel_mistakes_are_named_by_path() {
        let mut value = basic();
        value.as_object_mut().unwrap().remove("PhoneConfig");
        value["AutoAcceptConfigs"] = json!([{"Channel": "FAX", "AutoAccept": true}, {"Channel": "CHAT"}, {"Channel": "TASK", "AutoAccept": true, "AgentFirstCallbackAutoAccept": true}, {"Channel": "TASK", "AutoAccept": false}]);
        value["AfterContactWorkConfigs"] = json!([{"Channel": "VOICE", "AfterContactWorkConfig": {"AfterContactWorkTimeLimit": 2000001}}]);
        value["VoiceEnhancementConfigs"] =
            json!([{"Channel": "VOICE", "VoiceEnhancementMode": "LOUD", "Mode": 1}]);
        let text = reason(&value);
        for part in [
            "PhoneConfig is required (or give PhoneNumberConfigs)",
            "AutoAcceptConfigs[0].Channel must be VOICE, CHAT, TASK or EMAIL",
            "AutoAcceptConfigs[1].AutoAccept is required",
            "AutoAcceptConfigs[3].Channel TASK appears more than once",
            "AutoAcceptConfigs[2].AgentFirstCallbackAutoAccept exists on the VOICE channel only",
            "AfterContactWorkConfigs[0].AfterContactWorkConfig.AfterContactWorkTimeLimit must be between 0 and 2000000",
            "VoiceEnhancementConfigs[0].VoiceEnhancementMode must be VOICE_ISOLATION",
            "VoiceEnhancementConfigs[0].Mode is not a known property",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }

    #[test]
    fn password_sources() {
        const ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:agents-AbCdEf";
        let mut value = basic();
        value.as_object_mut().unwrap().remove("Password");
        value["PasswordSecretArn"] = json!(ARN);
        assert_eq!(
            parse_value(&value).unwrap().password,
            Some(PasswordSource::SecretsManager {
                arn: ARN.into(),
                key: "password".into()
            })
        );
        value["PasswordSecretKey"] = json!("agent");
        assert!(matches!(
            parse_value(&value).unwrap().password,
            Some(PasswordSource::SecretsManager { key, .. }) if key == "agent"
        ));
        value["Password"] = json!("Password123");
        assert!(reason(&value).contains("Password and PasswordSecretArn are mutually exclusive"));
        let mut value = basic();
        value["PasswordSecretKey"] = json!("k");
        assert!(reason(&value).contains("PasswordSecretKey is only used with PasswordSecretArn"));
        let mut value = basic();
        value.as_object_mut().unwrap().remove("Password");
        value["PasswordSecretArn"] = json!("agents-password");
        assert!(reason(&value).contains("PasswordSecretArn must be a Secrets Manager secret ARN"));
    }

    #[test]
    fn proficiencies_are_checked() {
        let mut value = basic();
        value["UserProficiencies"] = json!([
            {"AttributeName": "Language", "AttributeValue": "English", "Level": 5},
            {"AttributeName": "Language", "AttributeValue": "Spanish", "Level": "3"}
        ]);
        let spec = parse_value(&value).unwrap();
        let levels = spec.proficiencies.unwrap();
        assert_eq!(levels[&("Language".to_string(), "Spanish".to_string())], 3);
        value["UserProficiencies"] = json!([
            {"AttributeName": "Language", "AttributeValue": "English", "Level": 6},
            {"AttributeName": "Language", "AttributeValue": "English", "Level": 2.5},
            {"AttributeName": "", "AttributeValue": "x", "Level": 1},
            {"AttributeName": "Language", "AttributeValue": "English", "Level": 1},
            {"AttributeName": "Language", "AttributeValue": "English", "Level": 2}
        ]);
        let text = reason(&value);
        for part in [
            "UserProficiencies[0].Level must be a whole number from 1 to 5",
            "UserProficiencies[1].Level must be a whole number from 1 to 5",
            "UserProficiencies[2].AttributeName is required",
            "UserProficiencies[4] repeats an AttributeName and AttributeValue pair",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }

    #[test]
    fn voice_only_settings_refuse_other_channels() {
        let mut value = basic();
        value.as_object_mut().unwrap().remove("PhoneConfig");
        value["PhoneNumberConfigs"] = json!([{"Channel": "VOICE", "PhoneType": "SOFT_PHONE"}, {"Channel": "CHAT", "PhoneType": "SOFT_PHONE"}]);
        value["PersistentConnectionConfigs"] =
            json!([{"Channel": "TASK", "PersistentConnection": true}]);
        value["VoiceEnhancementConfigs"] =
            json!([{"Channel": "EMAIL", "VoiceEnhancementMode": "NONE"}]);
        let text = reason(&value);
        for part in [
            "PhoneNumberConfigs[1].Channel must be VOICE: Connect supports phones on the VOICE channel only",
            "PersistentConnectionConfigs[0].Channel must be VOICE",
            "VoiceEnhancementConfigs[0].Channel must be VOICE: Connect supports voice enhancement",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }
}
