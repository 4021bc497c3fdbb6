//! What the property groups' unit tests share: a minimal valid template, and parse helpers.

use serde_json::{json, Value};

use super::{parse, InvalidProperties};
use crate::connect_user::model::UserSpec;

pub const INSTANCE: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

/// The smallest properties that parse, as CloudFormation sends them.
pub fn basic() -> Value {
    json!({
        "ServiceToken": "arn:aws:lambda:us-east-1:1:function:f",
        "ServiceTimeout": "300",
        "InstanceId": INSTANCE,
        "Name": "agent.one",
        "Password": "Password123",
        "RoutingProfileId": "rp-1",
        "SecurityProfileIds": ["sp-1"],
        "PhoneConfig": {"PhoneType": "SOFT_PHONE"}
    })
}

pub fn parse_value(value: &Value) -> Result<UserSpec, InvalidProperties> {
    parse(value.as_object().unwrap())
}

/// The FAILED reason for properties that must not parse.
pub fn reason(value: &Value) -> String {
    parse_value(value).unwrap_err().to_string()
}
