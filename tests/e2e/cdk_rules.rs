//! The rules the CDK construct checks at synth (cdk/src/validation.ts) are the function's: the
//! cases in cdk/test/rule-cases.json, which cdk/test/rules.test.ts runs through `ConnectUser`,
//! run here through the function's own parser as a Create reads the properties
//! ([`properties::for_create`]: `parse`, and the rules of a name a user is created with, which
//! depend on whether it has a password), and both must agree with each case.

use std::path::Path;

use connect_user_resource::connect_user::model::DefaultTags;
use connect_user_resource::connect_user::properties::{self, InvalidProperties};
use serde_json::{json, Map, Value};

fn cases() -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("cdk/test/rule-cases.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

/// Every rule the cases may have, each covered by valid and invalid cases.
const RULES: &[&str] = &[
    "name",
    "securityProfileIds",
    "routingProfile",
    "securityProfiles",
    "hierarchyGroup",
    "deskPhone",
    "tag",
    "tagCount",
    "adoptExistingUser",
];

/// The secret a case's user with a password names (rules.test.ts imports the same ARN).
const PASSWORD_SECRET_ARN: &str =
    "arn:aws:secretsmanager:eu-west-1:111122223333:secret:agent-password-AbCdEf";

/// A valid user, as the construct's base in rules.test.ts (no password).
fn base() -> Map<String, Value> {
    json!({
        "InstanceId": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "Name": "agent.one",
        "RoutingProfileId": "rp-1",
        "SecurityProfileIds": ["sp-0"],
        "PhoneConfig": {"PhoneType": "SOFT_PHONE"}
    })
    .as_object()
    .unwrap()
    .clone()
}

/// The wire properties of one case: the base with the one change the case makes.
fn properties_of(case: &Value) -> Map<String, Value> {
    let mut properties = base();
    match case["rule"].as_str().unwrap() {
        "name" => {
            properties.insert("Name".into(), case["name"].clone());
            if case["password"] == true {
                properties.insert("PasswordSecretArn".into(), json!(PASSWORD_SECRET_ARN));
            }
        }
        "routingProfile" => alternatives(
            &mut properties,
            case,
            "RoutingProfileId",
            "RoutingProfileName",
        ),
        "securityProfiles" => alternatives(
            &mut properties,
            case,
            "SecurityProfileIds",
            "SecurityProfileNames",
        ),
        "hierarchyGroup" => alternatives(
            &mut properties,
            case,
            "HierarchyGroupId",
            "HierarchyGroupName",
        ),
        "securityProfileIds" => {
            let count = case["count"].as_u64().unwrap();
            let ids: Vec<Value> = (0..count).map(|i| json!(format!("sp-{i}"))).collect();
            properties.insert("SecurityProfileIds".into(), Value::Array(ids));
        }
        "deskPhone" => {
            let mut phone = Map::new();
            let (type_key, number_key) = match case["in"].as_str().unwrap() {
                "phoneConfig" => ("PhoneType", "DeskPhoneNumber"),
                "phoneNumberConfigs" => {
                    phone.insert("Channel".into(), json!("VOICE"));
                    ("PhoneType", "PhoneNumber")
                }
                other => panic!("unknown place {other}"),
            };
            phone.insert(type_key.into(), case["phoneType"].clone());
            if let Some(number) = case.get("number") {
                phone.insert(number_key.into(), number.clone());
            }
            if case["in"] == "phoneConfig" {
                properties.insert("PhoneConfig".into(), Value::Object(phone));
            } else {
                properties.remove("PhoneConfig");
                properties.insert(
                    "PhoneNumberConfigs".into(),
                    Value::Array(vec![Value::Object(phone)]),
                );
            }
        }
        "tag" => {
            let mut tags = Map::new();
            tags.insert(case["key"].as_str().unwrap().into(), case["value"].clone());
            properties.insert("Tags".into(), Value::Object(tags));
        }
        "tagCount" => {
            let count = case["count"].as_u64().unwrap();
            let tags: Map<String, Value> = (0..count)
                .map(|i| (format!("tag-{i}"), json!("x")))
                .collect();
            properties.insert("Tags".into(), Value::Object(tags));
        }
        "adoptExistingUser" => {
            properties.insert("AdoptExistingUser".into(), case["value"].clone());
        }
        other => panic!("unknown rule {other}"),
    }
    properties
}

/// One id-or-name pair exactly as the case gives it: the base's id property removed, then the
/// case's `id` as the id property and its `byName` as the name property, each only if given.
fn alternatives(properties: &mut Map<String, Value>, case: &Value, id_key: &str, name_key: &str) {
    properties.remove(id_key);
    properties.remove(name_key);
    if let Some(id) = case.get("id") {
        properties.insert(id_key.into(), id.clone());
    }
    if let Some(name) = case.get("byName") {
        properties.insert(name_key.into(), name.clone());
    }
}

#[test]
fn the_base_user_is_valid() {
    assert!(properties::for_create(&base()).is_ok());
    assert!(!base().contains_key("PasswordSecretArn") && !base().contains_key("Password"));
}

/// The name rules are run both ways: for a user with a password (held to a Connect-managed
/// instance's rules) and without (SAML, directory: Connect decides), each valid and invalid.
#[test]
fn the_name_cases_cover_users_with_and_without_a_password() {
    let cases = cases();
    for password in [true, false] {
        for valid in [true, false] {
            assert!(
                cases.iter().any(|c| c["rule"] == "name"
                    && (c["password"] == true) == password
                    && c["valid"] == valid),
                "no name case with password {password}, valid {valid}"
            );
        }
    }
}

#[test]
fn the_function_agrees_with_every_case_the_construct_checks() {
    let cases = cases();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    for case in &cases {
        let rule = case["rule"].as_str().unwrap();
        assert!(RULES.contains(&rule), "unknown rule {rule}");
    }
    for &rule in RULES {
        for valid in [true, false] {
            assert!(
                cases
                    .iter()
                    .any(|c| c["rule"] == rule && c["valid"] == valid),
                "no {} case for {rule}",
                if valid { "valid" } else { "invalid" }
            );
        }
    }
    for case in &cases {
        let result = properties::for_create(&properties_of(case));
        let path = case["wirePath"].as_str().unwrap();
        if case["valid"].as_bool().unwrap() {
            assert!(
                result.is_ok(),
                "{case}: {:?} {:?}",
                result.err(),
                properties_of(case)
            );
        } else {
            let Err(InvalidProperties(errors)) = result else {
                panic!("{case}: the function accepts it");
            };
            assert!(
                errors.iter().any(|e| e.path == path),
                "{case}: no error at {path}: {errors:?}"
            );
        }
    }
}

/// Each tag case again, as the one tag of `DEFAULT_TAGS`, which the construct's `defaultTags`
/// checks by the same rules (rules.test.ts runs them through `ConnectUserFunction`).
#[test]
fn the_default_tags_parser_agrees_with_every_tag_case() {
    let cases: Vec<Value> = cases().into_iter().filter(|c| c["rule"] == "tag").collect();
    assert!(cases.iter().any(|c| c["valid"] == true));
    assert!(cases.iter().any(|c| c["valid"] == false));
    for case in &cases {
        let key = case["key"].as_str().unwrap();
        let text = json!({ key: case["value"] }).to_string();
        let result = DefaultTags::parse(Some(&text));
        if case["valid"].as_bool().unwrap() {
            assert!(
                result.is_ok(),
                "{case}: {:?} {:?}",
                result.err(),
                properties_of(case)
            );
        } else {
            let reason = result.expect_err("the function accepts it").to_string();
            let shown: String = key.chars().take(64).collect();
            assert!(
                reason.starts_with("DEFAULT_TAGS ") && reason.contains(&format!("tag {shown}:")),
                "{case}: {reason}"
            );
        }
    }
}
