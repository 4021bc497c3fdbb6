//! The rules the CDK construct checks at synth (cdk/src/validation.ts) are the function's: the
//! cases in cdk/test/rule-cases.json, which cdk/test/rules.test.ts runs through `ConnectUser`,
//! run here through the function's own parser, and both must agree with each case.

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

/// A valid user, as the construct's base in rules.test.ts.
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
        }
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

#[test]
fn the_base_user_is_valid() {
    assert!(properties::parse(&base()).is_ok());
}

#[test]
fn the_function_agrees_with_every_case_the_construct_checks() {
    let cases = cases();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    for rule in [
        "name",
        "securityProfileIds",
        "deskPhone",
        "tag",
        "tagCount",
        "adoptExistingUser",
    ] {
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
        let result = properties::parse(&properties_of(case));
        let path = case["wirePath"].as_str().unwrap();
        if case["valid"].as_bool().unwrap() {
            assert!(result.is_ok(), "{case}: {:?}", result.err());
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
            assert!(result.is_ok(), "{case}: {:?}", result.err());
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
