//! Reading the answers CloudFormation received, with a failure message that shows the answer.

use serde_json::Value;

/// Asserts a SUCCESS answer and hands it back.
pub fn ok(answer: &Value) -> &Value {
    assert_eq!(answer["Status"], "SUCCESS", "answer: {answer}");
    answer
}

/// Asserts a FAILED answer and returns its reason.
pub fn failed(answer: &Value) -> String {
    assert_eq!(answer["Status"], "FAILED", "answer: {answer}");
    answer["Reason"].as_str().unwrap_or_default().to_owned()
}

pub fn physical_id(answer: &Value) -> String {
    answer["PhysicalResourceId"].as_str().unwrap().to_owned()
}

/// The entry for `channel` in one of a user's per-channel lists (`AutoAcceptConfigs`, say),
/// as `DescribeUser` shows the user.
pub fn entry(user: &Value, list: &str, channel: &str) -> Value {
    user[list]
        .as_array()
        .and_then(|entries| entries.iter().find(|e| e["Channel"] == channel))
        .cloned()
        .unwrap_or_else(|| panic!("{list} has no {channel}: {user}"))
}
