//! Every sample event in `events/` is shaped as CloudFormation sends it, parses, validates,
//! and plays through the real function against the emulator: none of them can rot.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use connect_user_resource::connect_user::properties;
use connect_user_resource::protocol::event::{Operation, Request};
use connect_user_resource::protocol::response_url::UrlPolicy;
use serde_json::Value;
use support::stack::LocalStack;

fn event_files() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("events");
    let mut files: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .expect("events/ exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable event");
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, value)
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

fn all_scalars_are_strings(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.values().all(all_scalars_are_strings),
        Value::Array(items) => items.iter().all(all_scalars_are_strings),
        Value::String(_) => true,
        _ => false,
    }
}

#[test]
fn every_event_file_is_a_well_formed_cloudformation_event() {
    let files = event_files();
    assert_eq!(
        files.len(),
        18,
        "Create, Update and Delete for each of the six examples"
    );
    let policy = UrlPolicy::new([], false);
    for (name, event) in &files {
        let request = Request::parse(event).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(request.resource_type, "Custom::ConnectUser", "{name}");
        let kind = name.split('.').nth(1).unwrap();
        assert_eq!(
            event["RequestType"].as_str().unwrap().to_ascii_lowercase(),
            kind,
            "{name}"
        );
        assert!(
            policy.check(event["ResponseURL"].as_str().unwrap()).is_ok(),
            "{name}: an S3 ResponseURL"
        );
        assert_eq!(
            request.properties["ServiceToken"], event["ServiceToken"],
            "{name}: ServiceToken inside the properties"
        );
        assert!(
            all_scalars_are_strings(&event["ResourceProperties"]),
            "{name}: stringified as CloudFormation does"
        );
        properties::parse(&request.properties).unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Operation::Update { old_properties, .. } = &request.operation {
            properties::parse(old_properties).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

#[tokio::test]
async fn every_event_file_plays_against_the_emulator() {
    let stack = LocalStack::start().await;
    // The channel example reads its password from this secret (named by a partial ARN).
    stack.secrets.put_string(
        "connect-agents/example",
        r#"{"password":"Ex4mpleSecretPw"}"#,
    );
    let files = event_files();
    let mut physical_ids: BTreeMap<String, String> = BTreeMap::new();
    for phase in ["create", "update", "delete"] {
        for (name, event) in files
            .iter()
            .filter(|(n, _)| n.split('.').nth(1) == Some(phase))
        {
            let example = name.split('.').next().unwrap().to_owned();
            let mut event = event.clone();
            let request_id = event["RequestId"].as_str().unwrap().to_owned();
            event["ResponseURL"] = Value::String(stack.sink.url(&request_id));
            if let Some(id) = physical_ids.get(&example) {
                event["PhysicalResourceId"] = Value::String(id.clone());
            }
            let answer = stack.play(event).await;
            assert_eq!(answer["Status"], "SUCCESS", "{name}: {answer}");
            physical_ids.insert(
                example,
                answer["PhysicalResourceId"].as_str().unwrap().to_owned(),
            );
        }
    }
    assert_eq!(
        stack
            .connect
            .user_count(support::connect_emulator::seed::INSTANCE_MANAGED),
        0
    );
}
