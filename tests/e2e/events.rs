//! Every sample event in `events/` is shaped as CloudFormation sends it, parses, validates,
//! and plays through the real function against the emulator: none of them can rot. Their
//! copies in `events-local/` (for `make local` and `cargo lambda invoke`) stay the same events.

use std::collections::BTreeMap;
use std::path::PathBuf;

use connect_user_resource::connect_user::properties;
use connect_user_resource::protocol::event::{Operation, Request};
use connect_user_resource::protocol::response_url::UrlPolicy;
use serde_json::Value;
use testkit::stack::LocalStack;

fn event_files() -> Vec<(String, Value)> {
    event_files_in("events")
}

fn event_files_in(dir: &str) -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
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
            .user_count(testkit::connect_emulator::seed::INSTANCE_MANAGED),
        0
    );
}

/// Where `make local` (`examples/local.rs`) listens as the ResponseURL, and what the sample
/// events' ResponseURLs point at instead of S3.
const LOCAL_SINK: &str = "127.0.0.1:9012";
const S3_ORIGIN: &str = "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/";

/// An `events-local/` file as generated from its `events/` file's text: the same bytes but for
/// the ResponseURL's origin (the local sink instead of S3) and the PhysicalResourceId.
fn local_text(name: &str, text: &str, sample: &Value, physical_id: &str) -> String {
    let mut local = text.replacen(
        &format!("\"ResponseURL\": \"{S3_ORIGIN}"),
        &format!("\"ResponseURL\": \"http://{LOCAL_SINK}/"),
        1,
    );
    if let Some(old) = sample.get("PhysicalResourceId").and_then(Value::as_str) {
        local = local.replacen(
            &format!("\"PhysicalResourceId\": \"{old}\""),
            &format!("\"PhysicalResourceId\": \"{physical_id}\""),
            1,
        );
    }
    assert_ne!(local, text, "{name}: nothing to change");
    local
}

/// `events-local/` is generated from `events/` (`make events-local`, which runs this test with
/// `WRITE_EVENTS_LOCAL=1`), with two changes only, so that the two cannot drift: the
/// ResponseURL points at `make local`'s sink (same path and query), and an Update's or Delete's
/// PhysicalResourceId names the first user a fresh Connect emulator makes (`make local` starts
/// over whenever no user is left, so each example's Create makes that user). Without the
/// variable the test fails when a file differs from what generating it would write.
#[test]
fn local_events_are_the_sample_events_answering_the_local_sink() {
    use testkit::connect_emulator::{seed, World};

    let first_user = World::default()
        .insert_unchecked(
            seed::INSTANCE_MANAGED,
            &serde_json::json!({"Username": "first"}),
        )
        .expect("the seeded instance");
    let first_physical_id = format!("{}:{first_user}", seed::INSTANCE_MANAGED);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let samples = event_files();
    for (name, sample) in &samples {
        let text = std::fs::read_to_string(root.join("events").join(name)).expect("readable event");
        let generated = local_text(name, &text, sample, &first_physical_id);
        let path = root.join("events-local").join(name);
        if std::env::var_os("WRITE_EVENTS_LOCAL").is_some() {
            std::fs::write(&path, &generated).expect("events-local/ is writable");
        }
        let local = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            local == generated,
            "events-local/{name} is not what `make events-local` generates from events/{name}"
        );
    }
    let local: BTreeMap<String, Value> = event_files_in("events-local").into_iter().collect();
    assert_eq!(
        local.keys().collect::<Vec<_>>(),
        samples.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "events-local/ has a copy of every file in events/, and nothing else"
    );
    let loopback = UrlPolicy::new([], true);
    let strict = UrlPolicy::new([], false);
    for (name, sample) in &samples {
        let mut expected = sample.clone();
        let url = sample["ResponseURL"].as_str().unwrap();
        let rest = url
            .strip_prefix(S3_ORIGIN)
            .unwrap_or_else(|| panic!("{name}: an S3 ResponseURL"));
        expected["ResponseURL"] = Value::String(format!("http://{LOCAL_SINK}/{rest}"));
        if expected.get("PhysicalResourceId").is_some() {
            assert_eq!(
                expected["ResourceProperties"]["InstanceId"],
                seed::INSTANCE_MANAGED,
                "{name}"
            );
            expected["PhysicalResourceId"] = Value::String(first_physical_id.clone());
        }
        assert!(
            local[name] == expected,
            "events-local/{name} is not events/{name} with the local ResponseURL and first \
             user id; it should read:\n{}",
            serde_json::to_string_pretty(&expected).unwrap()
        );
        let local_url = local[name]["ResponseURL"].as_str().unwrap();
        assert!(loopback.check(local_url).is_ok(), "{name}");
        assert!(
            strict.check(local_url).is_err(),
            "{name}: only with ALLOW_LOOPBACK_RESPONSE_URL"
        );
    }
    assert!(
        include_str!("../../examples/local.rs").contains(&format!("\"{LOCAL_SINK}\"")),
        "examples/local.rs binds its sink to {LOCAL_SINK}"
    );
}
