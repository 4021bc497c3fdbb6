//! CloudFormation events as CloudFormation sends them: ServiceToken inside the properties,
//! and (with [`stringify`]) every scalar turned into a string.

use serde_json::{json, Map, Value};

use super::sink::Sink;

pub const STACK_ID: &str =
    "arn:aws:cloudformation:us-east-1:123456789012:stack/contact-centre/2b1c6a40-8f7e-11ef-9d4a-0a1b2c3d4e5f";
pub const SERVICE_TOKEN: &str =
    "arn:aws:lambda:us-east-1:123456789012:function:connect-user-resource";

/// Turns every scalar into a string, recursively, the way CloudFormation does.
pub fn stringify(value: Value) -> Value {
    match value {
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Number(n) => Value::String(n.to_string()),
        Value::Array(items) => Value::Array(items.into_iter().map(stringify).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, stringify(v))).collect())
        }
        other => other,
    }
}

fn with_token(properties: &Value) -> Value {
    let mut map: Map<String, Value> = properties.as_object().cloned().unwrap_or_default();
    map.insert("ServiceToken".into(), json!(SERVICE_TOKEN));
    Value::Object(map)
}

fn base(kind: &str, sink: &Sink, request_id: &str, logical_id: &str, properties: &Value) -> Value {
    json!({
        "RequestType": kind,
        "ServiceToken": SERVICE_TOKEN,
        "ResponseURL": sink.url(request_id),
        "StackId": STACK_ID,
        "RequestId": request_id,
        "LogicalResourceId": logical_id,
        "ResourceType": "Custom::ConnectUser",
        "ResourceProperties": with_token(properties),
    })
}

pub fn create(sink: &Sink, request_id: &str, logical_id: &str, properties: &Value) -> Value {
    base("Create", sink, request_id, logical_id, properties)
}

pub fn update(
    sink: &Sink,
    request_id: &str,
    logical_id: &str,
    physical_id: &str,
    new: &Value,
    old: &Value,
) -> Value {
    let mut event = base("Update", sink, request_id, logical_id, new);
    event["PhysicalResourceId"] = json!(physical_id);
    event["OldResourceProperties"] = with_token(old);
    event
}

pub fn delete(
    sink: &Sink,
    request_id: &str,
    logical_id: &str,
    physical_id: &str,
    properties: &Value,
) -> Value {
    let mut event = base("Delete", sink, request_id, logical_id, properties);
    event["PhysicalResourceId"] = json!(physical_id);
    event
}
