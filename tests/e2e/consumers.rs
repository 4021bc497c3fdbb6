//! The consumer examples (`examples/nested-application.yaml`, `examples/sam-consumer.yaml`)
//! declare users that the real function creates and deletes: cfn-lint (`make release-lint`)
//! checks their template form, this checks what they say to the function.
//!
//! Each `Custom::ConnectUser` of an example is played as CloudFormation would send it: its
//! `Ref`s resolved (the instance parameter to the emulator's instance, the password's secret
//! to a secret in the local Secrets Manager), `ServiceToken` (a `!GetAtt` of the nested
//! application's output, or an `!ImportValue`) to the function's ARN, and every scalar a string
//! (CloudFormation User Guide, "Custom resource request objects", ResourceProperties: "The
//! property values [...] are converted to strings"). Any other intrinsic function fails the
//! test: it would need resolving here first.

use serde_json::{json, Map, Value};
use testkit::answers::{ok, physical_id};
use testkit::connect_emulator::seed;
use testkit::events;
use testkit::stack::LocalStack;

use crate::docs::canonical;

const EXAMPLES: [&str; 2] = [
    "examples/nested-application.yaml",
    "examples/sam-consumer.yaml",
];

/// The parameters and resources an example's users `Ref`, and what CloudFormation resolves
/// each to here.
fn resolved(reference: &str, secret_arn: &str) -> Option<Value> {
    match reference {
        "InstanceId" => Some(json!(seed::INSTANCE_MANAGED)),
        // The example's own secret (nested-application) or the secret's parameter (sam-consumer).
        "AgentPassword" | "PasswordSecretArn" => Some(json!(secret_arn)),
        _ => None,
    }
}

/// `properties` as the function receives them, or what could not be resolved.
fn as_sent(properties: &Map<String, Value>, secret_arn: &str) -> Result<Value, String> {
    let mut sent = Map::new();
    for (key, value) in properties {
        if key == "ServiceToken" {
            continue; // events::create adds the function's ARN.
        }
        let value = match value.as_object().and_then(|m| m.get("Ref")) {
            Some(Value::String(name)) => {
                resolved(name, secret_arn).ok_or(format!("{key}: Ref {name} is not resolved"))?
            }
            _ if value.to_string().contains("\"Fn::") || value.to_string().contains("\"Ref\"") => {
                return Err(format!(
                    "{key}: an intrinsic function to resolve first: {value}"
                ));
            }
            _ => value.clone(),
        };
        sent.insert(key.clone(), value);
    }
    Ok(Value::Object(sent))
}

/// Each `Custom::ConnectUser` of an example: logical id and properties, in canonical form.
fn users(path: &str) -> Vec<(String, Map<String, Value>)> {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let yaml: serde_norway::Value =
        serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let template = canonical(&yaml).unwrap_or_else(|e| panic!("{path}: {e}"));
    let resources = template["Resources"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    resources
        .into_iter()
        .filter(|(_, r)| r["Type"] == "Custom::ConnectUser")
        .map(|(id, r)| (id, r["Properties"].as_object().cloned().unwrap_or_default()))
        .collect()
}

#[tokio::test]
async fn the_consumer_examples_users_are_created_and_deleted_by_the_function() {
    let stack = LocalStack::start().await;
    let secret_arn = stack
        .secrets
        .put_string("agent-password", r#"{"password":"Consumer-Passw0rd1"}"#);
    let mut played = 0;
    for path in EXAMPLES {
        let users = users(path);
        assert!(!users.is_empty(), "{path}: no Custom::ConnectUser");
        for (logical, properties) in users {
            let sent = as_sent(&properties, &secret_arn)
                .unwrap_or_else(|e| panic!("{path}: {logical}: {e}"));
            let name = sent["Name"].as_str().expect("a Name").to_owned();
            let event = events::create(&stack.sink, &stack.request_id(&logical), &logical, &sent);
            let answer = stack.play(event).await;
            ok(&answer);
            let physical = physical_id(&answer);
            let (instance, id) = physical.split_once(':').expect("instanceId:userId");
            assert_eq!(instance, seed::INSTANCE_MANAGED, "{path}: {logical}");
            let user = stack.connect.user(instance, id).expect("created");
            assert_eq!(user["Username"], name.as_str(), "{path}: {logical}");
            assert_eq!(
                user["IdentityInfo"]["Email"], sent["IdentityInfo"]["Email"],
                "{path}: {logical}"
            );
            let event = events::delete(
                &stack.sink,
                &stack.request_id(&format!("{logical}-delete")),
                &logical,
                &physical,
                &sent,
            );
            ok(&stack.play(event).await);
            assert_eq!(
                stack.connect.user(instance, id),
                None,
                "{path}: {logical}: deleted"
            );
            played += 1;
        }
    }
    // nested-application's Alice and Bob, sam-consumer's Carol.
    assert_eq!(played, 3);
    assert!(
        stack.secrets.reads() >= 3,
        "each Create read the password's secret"
    );
}

#[test]
fn an_unresolved_reference_or_function_is_refused_not_sent() {
    let properties = |value: Value| {
        let mut map = Map::new();
        map.insert("InstanceId".into(), value);
        map
    };
    assert!(as_sent(&properties(json!({"Ref": "Other"})), "arn").is_err());
    assert!(as_sent(&properties(json!({"Fn::Sub": "${AWS::Region}"})), "arn").is_err());
    assert_eq!(
        as_sent(&properties(json!({"Ref": "InstanceId"})), "arn").ok(),
        Some(json!({"InstanceId": seed::INSTANCE_MANAGED}))
    );
}
