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
