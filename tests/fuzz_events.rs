//! Property-based fuzzing of everything an event passes through: raw JSON → envelope and
//! request parsing → property parsing and validation → the update plan → the answer body.
//!
//! proptest rather than cargo-fuzz: cargo-fuzz needs a nightly toolchain (for
//! `-Zsanitizer`), and this machine has only stable Rust. The corpus is seeded from the
//! committed `events/` files, which every case starts from and then mutates.
//!
//! `make test` runs a bounded number of cases; `make fuzz` runs a million
//! (`FUZZ_CASES=1000000`).

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use connect_user_resource::connect_user::api::ObservedUser;
use connect_user_resource::connect_user::plan;
use connect_user_resource::connect_user::properties;
use connect_user_resource::protocol::event::{Envelope, Operation, Properties, Request};
use connect_user_resource::protocol::handler::Handler;
use connect_user_resource::protocol::physical_id::failed_create_marker;
use connect_user_resource::protocol::resource::{Context, Outcome, Resource, ResourceError};
use connect_user_resource::protocol::response::{Answer, MAX_BODY_BYTES};
use connect_user_resource::protocol::response_url::UrlPolicy;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use support::sink::Sink;

fn seeds() -> &'static Vec<Value> {
    static SEEDS: OnceLock<Vec<Value>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("events");
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    })
}

fn cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::String),
        "[a-zA-Z0-9_.@:/+-]{0,30}".prop_map(Value::String),
        (1usize..6000).prop_map(|n| Value::String("é\u{1}\"".repeat(n / 3))),
        prop_oneof![
            Just("true"),
            Just("false"),
            Just("0"),
            Just("-1"),
            Just("30"),
            Just(""),
            Just("DESK_PHONE"),
            Just("+14255550100"),
            Just("arn:aws:connect:us-east-1:1:instance/x")
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..12).prop_map(Value::Array),
            prop::collection::btree_map("[A-Za-z]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(Vec<usize>, Value),
    Remove(Vec<usize>),
    Insert(Vec<usize>, String, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let path = prop::collection::vec(any::<usize>(), 0..4);
    prop_oneof![
        (path.clone(), any_json()).prop_map(|(p, v)| Mutation::Set(p, v)),
        path.clone().prop_map(Mutation::Remove),
        (path, "[A-Za-z]{1,16}", any_json()).prop_map(|(p, k, v)| Mutation::Insert(p, k, v)),
    ]
}

/// Walks `path` (each step picks a child by index modulo the count) and returns the node.
fn walk<'a>(value: &'a mut Value, path: &[usize]) -> &'a mut Value {
    let Some((step, rest)) = path.split_first() else {
        return value;
    };
    let len = match value {
        Value::Object(m) => m.len(),
        Value::Array(a) => a.len(),
        _ => 0,
    };
    if len == 0 {
        return value;
    }
    let next = match value {
        Value::Object(m) => m.values_mut().nth(step % len),
        Value::Array(a) => a.get_mut(step % len),
        _ => None,
    };
    match next {
        Some(child) => walk(child, rest),
        None => unreachable!("len > 0"),
    }
}

fn apply(mut event: Value, mutations: &[Mutation]) -> Value {
    for m in mutations {
        match m {
            Mutation::Set(path, v) => *walk(&mut event, path) = v.clone(),
            Mutation::Remove(path) => {
                if let Value::Object(map) = walk(&mut event, path) {
                    if let Some(key) = map.keys().next().cloned() {
                        map.remove(&key);
                    }
                }
            }
            Mutation::Insert(path, key, v) => {
                if let Value::Object(map) = walk(&mut event, path) {
                    map.insert(key.clone(), v.clone());
                }
            }
        }
    }
    event
}

fn event() -> impl Strategy<Value = Value> {
    prop_oneof![
        9 => (0..seeds().len(), prop::collection::vec(mutation(), 0..6)).prop_map(|(i, m)| apply(seeds()[i].clone(), &m)),
        1 => any_json(),
    ]
}

/// A user as Connect might describe it: the spec with its routing profile, channels, tags and
/// proficiencies drifted.
fn observed_from(spec: &connect_user_resource::connect_user::spec::UserSpec) -> ObservedUser {
    ObservedUser {
        id: "u-1".into(),
        arn: "arn:aws:connect:us-east-1:1:instance/i/agent/u-1".into(),
        username: spec.name.clone(),
        identity_info: Default::default(),
        phone_config: spec.phone_config.clone(),
        channels: Default::default(),
        listed_channels: Default::default(),
        directory_user_id: spec.directory_user_id.clone(),
        hierarchy_group_id: None,
        routing_profile_id: "rp-drifted".into(),
        security_profile_ids: spec.security_profile_ids.clone(),
        tags: BTreeMap::from([("stale".to_string(), "x".to_string())]),
        proficiencies: Some(BTreeMap::from([(
            ("Language".to_string(), "French".to_string()),
            2.0,
        )])),
    }
}

/// The whole pure pipeline; returns the answer body that would be PUT, if any.
fn pipeline(raw: &Value) -> Option<Vec<u8>> {
    let envelope = Envelope::read(raw);
    envelope.response_url.as_ref()?;
    let answer = match Request::parse(raw) {
        Err(error) => Answer::failed(
            &envelope,
            failed_create_marker(&envelope.request_id),
            error.to_string(),
        ),
        Ok(request) => {
            // The old properties go through the same parser (a rollback Update uses them).
            if let Operation::Update { old_properties, .. } = &request.operation {
                let _ = properties::parse(old_properties);
            }
            match properties::parse(&request.properties) {
                Err(error) => Answer::failed(
                    &envelope,
                    failed_create_marker(&envelope.request_id),
                    error.to_string(),
                ),
                Ok(spec) => {
                    let user = observed_from(&spec);
                    let planned = plan::plan_update(&spec, Some(&user));
                    let again = plan::plan_update(&spec, Some(&user));
                    assert_eq!(planned, again, "the plan is deterministic");
                    let data = BTreeMap::from([("UserId".to_string(), user.id.clone())]);
                    Answer::success(&envelope, format!("{}:{}", spec.instance_id, user.id), data)
                }
            }
        }
    };
    Some(answer.to_body())
}

#[test]
fn the_pure_pipeline_never_panics_and_answers_within_4096_bytes() {
    let total = cases(3000);
    let mut runner = TestRunner::new(Config {
        cases: total,
        failure_persistence: None,
        ..Config::default()
    });
    // Behavioural coverage: the distinct outcomes reached (SUCCESS, or each kind of FAILED
    // reason item by property path, with digits and quoted values folded away).
    let outcomes = std::sync::Mutex::new(std::collections::BTreeSet::new());
    let outcome = runner.run(&event(), |raw| {
        if let Some(body) = pipeline(&raw) {
            prop_assert!(body.len() <= MAX_BODY_BYTES, "{} bytes", body.len());
            let parsed: Value = serde_json::from_slice(&body).expect("the body is JSON");
            prop_assert!(parsed["Status"] == "SUCCESS" || parsed["Status"] == "FAILED");
            prop_assert!(!parsed["PhysicalResourceId"]
                .as_str()
                .unwrap_or_default()
                .is_empty());
            let reason = parsed["Reason"].as_str().unwrap_or("SUCCESS");
            let mut seen = outcomes.lock().unwrap();
            for item in reason
                .trim_start_matches("invalid properties: ")
                .split("; ")
            {
                seen.insert(outcome_kind(item));
            }
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    let seen = outcomes.into_inner().unwrap();
    println!(
        "fuzz: {total} cases, {} distinct outcomes reached",
        seen.len()
    );
}

/// The kind of one reason item: its property path (unknown keys, list indices and tag keys
/// folded away) and the first words of its message, letters only.
fn outcome_kind(item: &str) -> String {
    let first = item.split(' ').next().unwrap_or_default();
    let top = first.split(['.', '[']).next().unwrap_or_default();
    let unknown = item.contains("is not a known property");
    let path = match top {
        "IdentityInfo" | "PhoneConfig" if unknown => format!("{top}.<unknown>"),
        "IdentityInfo" | "PhoneConfig" => first.to_owned(),
        top if properties::TOP_LEVEL.contains(&top) => top.to_owned(),
        _ if unknown => "<unknown property>".to_owned(),
        _ => "<event>".to_owned(),
    };
    let words: Vec<&str> = item.split(' ').skip(1).take(4).collect();
    let shape: String = words
        .join(" ")
        .chars()
        .filter(|c| c.is_ascii_alphabetic() || *c == ' ')
        .collect();
    format!("{path}: {shape}")
}

/// A resource that does the real parsing and planning, without Connect.
struct DryRun;

impl DryRun {
    fn outcome(properties: &Properties) -> Result<Outcome, ResourceError> {
        let spec = properties::parse(properties)?;
        let user = observed_from(&spec);
        plan::plan_update(&spec, Some(&user)).map_err(|e| ResourceError::new(e.to_string()))?;
        Ok(Outcome {
            physical_id: format!("{}:{}", spec.instance_id, user.id),
            data: BTreeMap::new(),
        })
    }
}

impl Resource for DryRun {
    async fn create(&self, _: Context, properties: Properties) -> Result<Outcome, ResourceError> {
        Self::outcome(&properties)
    }
    async fn update(
        &self,
        _: Context,
        _: String,
        new: Properties,
        _: Properties,
    ) -> Result<Outcome, ResourceError> {
        Self::outcome(&new)
    }
    async fn delete(
        &self,
        _: Context,
        _: String,
        properties: Properties,
    ) -> Result<(), ResourceError> {
        Self::outcome(&properties).map(drop)
    }
}

#[test]
fn every_event_with_a_response_url_gets_exactly_one_answer() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let sink = runtime.block_on(Sink::start());
    let handler = Handler::new(DryRun, UrlPolicy::new([], true), Duration::from_secs(1));
    let mut runner = TestRunner::new(Config {
        cases: cases(300).min(5000),
        failure_persistence: None,
        ..Config::default()
    });
    let counter = std::sync::atomic::AtomicU64::new(0);
    let outcome = runner.run(&event(), |mut raw| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let key = format!("case-{n}");
        let has_url = raw.get("ResponseURL").is_some_and(Value::is_string);
        if has_url {
            raw["ResponseURL"] = json!(sink.url(&key));
        }
        let deadline = (SystemTime::now().duration_since(UNIX_EPOCH).unwrap()
            + Duration::from_secs(5))
        .as_millis() as u64;
        let summary = runtime.block_on(handler.handle(raw, deadline));
        prop_assert!(summary.is_ok(), "{summary:?}");
        let attempts = sink.attempts(&key);
        if has_url {
            prop_assert_eq!(attempts.len(), 1, "exactly one answer");
            prop_assert!(attempts[0].body.len() <= MAX_BODY_BYTES);
            let body: Value = serde_json::from_slice(&attempts[0].body).expect("JSON");
            prop_assert!(body["Status"] == "SUCCESS" || body["Status"] == "FAILED");
        } else {
            prop_assert!(attempts.is_empty());
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}
