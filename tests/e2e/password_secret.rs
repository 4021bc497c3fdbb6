//! `PasswordSecretArn` end to end: the compiled function reads the password from the local
//! Secrets Manager (through `AWS_ENDPOINT_URL_SECRETS_MANAGER` and the real SDK) and creates
//! the user with it; every way the secret can be wrong fails with a reason that names the
//! secret but never holds its value, before any Connect call.

use serde_json::{json, Value};
use testkit::answers::{failed, ok, physical_id};
use testkit::connect_emulator::seed;
use testkit::examples::{seed_examples, with_password_secret};
use testkit::stack::LocalStack;

const INSTANCE: &str = seed::INSTANCE_MANAGED;

/// The basic example with its password taken from `arn` (and `key`, if given).
fn from_secret(arn: &str, key: Option<&str>) -> Value {
    let mut properties = with_password_secret(seed_examples()[0].1.clone(), arn);
    if let Some(key) = key {
        properties["PasswordSecretKey"] = json!(key);
    }
    properties
}

/// The password the emulator's user was created with.
fn password_of(stack: &LocalStack, answer: &Value) -> Option<String> {
    let id = physical_id(answer).split_once(':').unwrap().1.to_owned();
    stack
        .connect
        .with_world(|w| w.instances[INSTANCE].users[&id].password.clone())
}

#[tokio::test]
async fn the_password_is_read_from_a_plain_or_json_secret() {
    let mut stack = LocalStack::start().await;
    let plain = stack.secrets.put_string("agents/plain", "Plain5ecretPw");
    let answer = stack.create("Plain", &from_secret(&plain, None)).await;
    assert_eq!(
        password_of(&stack, ok(&answer)).as_deref(),
        Some("Plain5ecretPw")
    );

    let json_secret = stack.secrets.put_string(
        "agents/json",
        r#"{"username":"ignored","password":"Js0nSecretPw"}"#,
    );
    let mut properties = from_secret(&json_secret, None);
    properties["Name"] = json!("json-agent");
    let answer = stack.create("Json", &properties).await;
    assert_eq!(
        password_of(&stack, ok(&answer)).as_deref(),
        Some("Js0nSecretPw")
    );

    let custom = stack
        .secrets
        .put_string("agents/custom", r#"{"agentPassword":"Cust0mSecretPw"}"#);
    let mut properties = from_secret(&custom, Some("agentPassword"));
    properties["Name"] = json!("custom-agent");
    let answer = stack.create("Custom", &properties).await;
    assert_eq!(
        password_of(&stack, ok(&answer)).as_deref(),
        Some("Cust0mSecretPw")
    );
    assert_eq!(stack.secrets.reads(), 3);

    let output = stack.function.stop().await;
    assert!(
        output.contains("user created"),
        "the log is there:\n{output}"
    );
    for secret in ["Plain5ecretPw", "Js0nSecretPw", "Cust0mSecretPw"] {
        assert!(!output.contains(secret), "{secret} leaked:\n{output}");
    }
}

#[tokio::test]
async fn every_bad_secret_fails_before_any_connect_call_without_showing_its_value() {
    let mut stack = LocalStack::start().await;
    let missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:agents/nowhere-AbCdEf";
    let no_key = stack
        .secrets
        .put_string("agents/nokey", r#"{"pw":"N0keySecretPw"}"#);
    let weak = stack.secrets.put_string("agents/weak", "weaksecretvalue");
    let weak_json = stack
        .secrets
        .put_string("agents/weakjson", r#"{"password":"weakjsonvalue"}"#);
    let binary = stack.secrets.put_binary("agents/binary", b"Bin4rySecretPw");
    let denied = stack.secrets.put_string("agents/denied", "Den1edSecretPw");
    stack.secrets.deny("agents/denied");
    let deleted = stack
        .secrets
        .put_string("agents/deleted", "De1etedSecretPw");
    stack.secrets.schedule_deletion("agents/deleted");

    let cases: Vec<(&str, String, &str)> = vec![
        (
            "Missing",
            missing.to_owned(),
            "GetSecretValue: ResourceNotFoundException",
        ),
        ("NoKey", no_key.clone(), "is JSON without the key password"),
        (
            "Weak",
            weak.clone(),
            "the password must be 8 to 64 characters",
        ),
        (
            "WeakJson",
            weak_json.clone(),
            "the password must be 8 to 64 characters",
        ),
        ("Binary", binary.clone(), "holds a binary secret"),
        (
            "Denied",
            denied.clone(),
            "GetSecretValue: AccessDeniedException",
        ),
        (
            "Deleted",
            deleted.clone(),
            "GetSecretValue: InvalidRequestException",
        ),
    ];
    for (logical_id, arn, expected) in &cases {
        let answer = stack.create(logical_id, &from_secret(arn, None)).await;
        let reason = failed(&answer);
        assert!(
            reason.starts_with(&format!("PasswordSecretArn {arn}")) && reason.contains(expected),
            "{logical_id}: {reason}"
        );
        assert!(physical_id(&answer).starts_with("failed-create."));
    }
    assert!(
        stack.connect.calls().is_empty(),
        "no Connect call: {:?}",
        stack.connect.calls()
    );
    let output = stack.function.stop().await;
    assert!(!output.is_empty(), "the log is there");
    let answers: Vec<String> = stack
        .sink
        .all()
        .iter()
        .map(|a| String::from_utf8_lossy(&a.body).into_owned())
        .collect();
    for secret in [
        "N0keySecretPw",
        "weaksecretvalue",
        "weakjsonvalue",
        "Bin4rySecretPw",
        "Den1edSecretPw",
        "De1etedSecretPw",
    ] {
        assert!(
            !output.contains(secret),
            "{secret} leaked into the log:\n{output}"
        );
        assert!(
            answers.iter().all(|body| !body.contains(secret)),
            "{secret} leaked into an answer"
        );
    }
}

#[tokio::test]
async fn password_and_secret_together_or_a_bad_arn_fail_before_any_read() {
    let stack = LocalStack::start().await;
    let arn = stack.secrets.put_string("agents/both", "B0thSecretPw");
    let mut both = from_secret(&arn, None);
    both["Password"] = json!("Password123");
    let reason = failed(&stack.create("Both", &both).await);
    assert!(
        reason.contains("Password and PasswordSecretArn are mutually exclusive"),
        "{reason}"
    );
    let reason = failed(
        &stack
            .create("Name", &from_secret("agents/both", None))
            .await,
    );
    assert!(
        reason.contains("PasswordSecretArn must be a Secrets Manager secret ARN"),
        "{reason}"
    );
    let mut stray_key = seed_examples()[0].1.clone();
    stray_key["PasswordSecretKey"] = json!("password");
    let reason = failed(&stack.create("Stray", &stray_key).await);
    assert!(
        reason.contains("PasswordSecretKey is only used with PasswordSecretArn"),
        "{reason}"
    );
    assert!(stack.secrets.calls().is_empty());
    assert!(stack.connect.calls().is_empty());
}

#[tokio::test]
async fn an_update_never_reads_the_secret_and_warns_that_a_new_one_is_not_applied() {
    let mut stack = LocalStack::start().await;
    let first = stack.secrets.put_string("agents/first", "F1rstSecretPw");
    let second = stack.secrets.put_string("agents/second", "Sec0ndSecretPw");
    let old = from_secret(&first, None);
    let id = physical_id(ok(&stack.create("Agent", &old).await));
    assert_eq!(stack.secrets.reads(), 1);
    stack.connect.clear_calls();
    ok(&stack
        .update("Agent", &id, &from_secret(&second, None), &old)
        .await);
    assert_eq!(stack.secrets.reads(), 1, "no read on update");
    assert!(stack.connect.mutations().is_empty());
    let output = stack.function.output();
    assert!(
        output.contains("Password changed in the template"),
        "{output}"
    );

    // A replacement is a create: it reads the (new) secret.
    let mut renamed = from_secret(&second, None);
    renamed["Name"] = json!("renamed-agent");
    let answer = stack.update("Agent", &id, &renamed, &old).await;
    assert_eq!(
        password_of(&stack, ok(&answer)).as_deref(),
        Some("Sec0ndSecretPw")
    );
    assert_eq!(stack.secrets.reads(), 2);
    let output = stack.function.stop().await;
    assert!(
        output.contains("user created"),
        "the log is there:\n{output}"
    );
    assert!(!output.contains("F1rstSecretPw") && !output.contains("Sec0ndSecretPw"));
}
