//! The five documented examples of Terraform's `aws_connect_user`, written as
//! `Custom::ConnectUser` properties against the emulator's seeded instance.
//!
//! The instance is Connect-managed, where Connect requires `IdentityInfo.FirstName` and
//! `LastName` (model doc, `UserIdentityInfo`): every example carries the names the Terraform
//! page's own examples use, "example" and "example2"; the identity example keeps its email.

use serde_json::{json, Value};

use super::connect_emulator::seed;

/// `(LogicalResourceId, properties)` for each example.
pub fn seed_examples() -> Vec<(&'static str, Value)> {
    let base = |name: &str| {
        json!({
            "InstanceId": seed::INSTANCE_MANAGED,
            "Name": name,
            "Password": "Password123",
            "RoutingProfileId": seed::ROUTING_PROFILES[0],
            "SecurityProfileIds": [seed::SECURITY_PROFILES[0]],
            "IdentityInfo": { "FirstName": "example", "LastName": "example2" },
            "PhoneConfig": { "AfterContactWorkTimeLimit": 0, "PhoneType": "SOFT_PHONE" }
        })
    };
    let mut hierarchy = base("example-hierarchy");
    hierarchy["HierarchyGroupId"] = json!(seed::HIERARCHY_GROUPS[0]);
    let mut identity = base("example-identity");
    identity["IdentityInfo"] =
        json!({ "Email": "example@example.com", "FirstName": "example", "LastName": "example2" });
    let mut soft_phone = base("example-softphone");
    soft_phone["PhoneConfig"] =
        json!({ "AfterContactWorkTimeLimit": 0, "AutoAccept": true, "PhoneType": "SOFT_PHONE" });
    let mut desk_phone = base("example-deskphone");
    desk_phone["SecurityProfileIds"] =
        json!([seed::SECURITY_PROFILES[0], seed::SECURITY_PROFILES[1]]);
    desk_phone["PhoneConfig"] = json!({
        "AfterContactWorkTimeLimit": 0,
        "PhoneType": "DESK_PHONE",
        "DeskPhoneNumber": "+112345678912"
    });
    vec![
        ("BasicUser", base("example")),
        ("HierarchyUser", hierarchy),
        ("IdentityUser", identity),
        ("SoftPhoneUser", soft_phone),
        ("DeskPhoneUser", desk_phone),
    ]
}

/// The five examples as `template.yaml` declares them: by names (`RoutingProfileName`,
/// `SecurityProfileNames`, `HierarchyGroupName`, Connect's names of the seeded profiles and
/// group), but for `DeskPhoneUser`, the template's one example by ids.
pub fn template_examples() -> Vec<(&'static str, Value)> {
    let mut examples = seed_examples();
    for (logical_id, properties) in examples.iter_mut() {
        if *logical_id != "DeskPhoneUser" {
            *properties = by_names(properties.clone());
        }
    }
    examples
}

/// `properties` with each seeded profile and group id replaced by its name property.
pub fn by_names(mut properties: Value) -> Value {
    let name_of = |ids: &[&str], names: &[&str], id: &Value| {
        let at = ids.iter().position(|known| Some(*known) == id.as_str());
        json!(at.map(|i| names[i]).unwrap_or_default())
    };
    let Some(map) = properties.as_object_mut() else {
        return properties;
    };
    if let Some(id) = map.remove("RoutingProfileId") {
        let name = name_of(&seed::ROUTING_PROFILES, &seed::ROUTING_PROFILE_NAMES, &id);
        map.insert("RoutingProfileName".into(), name);
    }
    if let Some(Value::Array(ids)) = map.remove("SecurityProfileIds") {
        let names: Vec<Value> = ids
            .iter()
            .map(|id| name_of(&seed::SECURITY_PROFILES, &seed::SECURITY_PROFILE_NAMES, id))
            .collect();
        map.insert("SecurityProfileNames".into(), Value::Array(names));
    }
    if let Some(id) = map.remove("HierarchyGroupId") {
        let name = name_of(&seed::HIERARCHY_GROUPS, &seed::HIERARCHY_GROUP_NAMES, &id);
        map.insert("HierarchyGroupName".into(), name);
    }
    properties
}

/// The basic example (`BasicUser`).
pub fn basic() -> Value {
    seed_examples().remove(0).1
}

/// `properties` with the password taken from the secret `arn` instead of `Password`.
pub fn with_password_secret(mut properties: Value, arn: &str) -> Value {
    if let Some(map) = properties.as_object_mut() {
        map.remove("Password");
    }
    properties["PasswordSecretArn"] = json!(arn);
    properties
}

/// `ChannelUser` as the shipped `template.yaml` declares it, with the README's
/// `UserProficiencies`: named `name`, its password in the secret `password_secret_arn`,
/// identity, every setting per channel, and a proficiency. Unstringified (see
/// [`crate::events::stringify`]). The demo and the bench play it; the demo overrides what it
/// shows differently.
pub fn channel_user(name: &str, password_secret_arn: &str) -> Value {
    json!({
        "InstanceId": seed::INSTANCE_MANAGED,
        "Name": name,
        "PasswordSecretArn": password_secret_arn,
        "IdentityInfo": {
            "FirstName": "example",
            "LastName": "example2",
            "Email": format!("{name}@example.com"),
        },
        "RoutingProfileName": seed::ROUTING_PROFILE_NAMES[0],
        "SecurityProfileNames": [seed::SECURITY_PROFILE_NAMES[0]],
        "PhoneNumberConfigs": [{"Channel": "VOICE", "PhoneType": "SOFT_PHONE"}],
        "AutoAcceptConfigs": [
            {"Channel": "VOICE", "AutoAccept": true},
            {"Channel": "CHAT", "AutoAccept": true}
        ],
        "AfterContactWorkConfigs": [
            {"Channel": "VOICE", "AfterContactWorkConfig": {"AfterContactWorkTimeLimit": 30}},
            {"Channel": "CHAT", "AfterContactWorkConfig": {"AfterContactWorkTimeLimit": 120}}
        ],
        "VoiceEnhancementConfigs": [{"Channel": "VOICE", "VoiceEnhancementMode": "NOISE_SUPPRESSION"}],
        "UserProficiencies": [{"AttributeName": "Language", "AttributeValue": "English", "Level": 5}]
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The keys of `ChannelUser`'s `Properties:` block in template.yaml (indented six spaces).
    fn template_channel_user_keys() -> BTreeSet<String> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
        let text = std::fs::read_to_string(path).unwrap();
        let mut lines = text
            .lines()
            .skip_while(|l| l.trim_end() != "  ChannelUser:");
        assert!(lines.next().is_some(), "template.yaml has no ChannelUser");
        let mut keys = BTreeSet::new();
        let mut in_properties = false;
        for line in lines.filter(|l| !l.trim().is_empty()) {
            let indent = line.len() - line.trim_start().len();
            if indent <= 2 {
                break;
            }
            if indent == 4 {
                in_properties = line.trim() == "Properties:";
            } else if in_properties && indent == 6 {
                if let Some((key, _)) = line.trim().split_once(':') {
                    keys.insert(key.to_owned());
                }
            }
        }
        keys
    }

    #[test]
    fn channel_user_sets_what_the_template_sets_and_a_proficiency() {
        let mut expected = template_channel_user_keys();
        // CloudFormation's own properties, not the resource's.
        assert!(expected.remove("ServiceToken"));
        expected.remove("ServiceTimeout");
        // The README's ChannelUser adds a proficiency to the template's.
        expected.insert("UserProficiencies".to_owned());
        let ours: BTreeSet<String> = channel_user("x", "arn")
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(ours, expected);
    }

    #[test]
    fn the_template_values_of_channel_user() {
        let user = channel_user("example-channels", "arn");
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml"))
                .unwrap();
        let block: String = text
            .lines()
            .skip_while(|l| l.trim_end() != "  ChannelUser:")
            .take_while(|l| !l.starts_with("Outputs:"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(block.contains(&format!("Name: {}", user["Name"].as_str().unwrap())));
        assert!(block.contains(&format!(
            "Email: {}",
            user["IdentityInfo"]["Email"].as_str().unwrap()
        )));
        let acw = &user["AfterContactWorkConfigs"];
        for (i, channel) in ["VOICE", "CHAT"].into_iter().enumerate() {
            assert_eq!(acw[i]["Channel"], channel);
            assert!(block.contains(&format!(
                "AfterContactWorkTimeLimit: {}",
                acw[i]["AfterContactWorkConfig"]["AfterContactWorkTimeLimit"]
            )));
        }
    }
}
