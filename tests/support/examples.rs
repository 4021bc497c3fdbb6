//! The five documented examples of Terraform's `aws_connect_user`, written as
//! `Custom::ConnectUser` properties against the emulator's seeded instance.
//!
//! The instance is Connect-managed, where Connect requires `IdentityInfo.FirstName` and
//! `LastName` (model doc, `UserIdentityInfo`): every example carries the names the Terraform
//! page's own examples use, "example" and "example2"; the identity example keeps its email.

use serde_json::{json, Value};

use super::connect_emulator::seed;

/// `(LogicalResourceId, properties)` for each example.
pub fn seed_examples() -> Vec<(&'static str, Value)> {
    let base = |name: &str| {
        json!({
            "InstanceId": seed::INSTANCE_MANAGED,
            "Name": name,
            "Password": "Password123",
            "RoutingProfileId": seed::ROUTING_PROFILES[0],
            "SecurityProfileIds": [seed::SECURITY_PROFILES[0]],
            "IdentityInfo": { "FirstName": "example", "LastName": "example2" },
            "PhoneConfig": { "AfterContactWorkTimeLimit": 0, "PhoneType": "SOFT_PHONE" }
        })
    };
    let mut hierarchy = base("example-hierarchy");
    hierarchy["HierarchyGroupId"] = json!(seed::HIERARCHY_GROUPS[0]);
    let mut identity = base("example-identity");
    identity["IdentityInfo"] =
        json!({ "Email": "example@example.com", "FirstName": "example", "LastName": "example2" });
    let mut soft_phone = base("example-softphone");
    soft_phone["PhoneConfig"] =
        json!({ "AfterContactWorkTimeLimit": 0, "AutoAccept": true, "PhoneType": "SOFT_PHONE" });
    let mut desk_phone = base("example-deskphone");
    desk_phone["SecurityProfileIds"] =
        json!([seed::SECURITY_PROFILES[0], seed::SECURITY_PROFILES[1]]);
    desk_phone["PhoneConfig"] = json!({
        "AfterContactWorkTimeLimit": 0,
        "PhoneType": "DESK_PHONE",
        "DeskPhoneNumber": "+112345678912"
    });
    vec![
        ("BasicUser", base("example")),
        ("HierarchyUser", hierarchy),
        ("IdentityUser", identity),
        ("SoftPhoneUser", soft_phone),
        ("DeskPhoneUser", desk_phone),
    ]
}

/// `properties` with the password taken from the secret `arn` instead of `Password`.
pub fn with_password_secret(mut properties: Value, arn: &str) -> Value {
    if let Some(map) = properties.as_object_mut() {
        map.remove("Password");
    }
    properties["PasswordSecretArn"] = json!(arn);
    properties
}
