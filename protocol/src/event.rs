//! Raw CloudFormation event → typed [`Request`].
//!
//! The event arrives as raw JSON on purpose: if lambda_runtime had to deserialize a typed event
//! and failed, our handler would never run and the stack would wait an hour. So parsing happens
//! here, in two steps. [`Envelope::read`] takes the fields needed to *answer* (ResponseURL and the
//! ids to echo) and never fails; [`Request::parse`] then checks the rest and reports what is wrong
//! in words meant for the person reading the stack events.

use serde_json::{Map, Value};
use thiserror::Error;

/// The resource properties, as CloudFormation sent them (scalars are usually strings).
pub type Properties = Map<String, Value>;

/// What is needed to answer an event, read leniently: a missing or mistyped field is `None` or
/// empty rather than an error, so that even a broken event can be answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// The presigned URL to PUT the answer to. A credential: never log it.
    pub response_url: Option<String>,
    pub stack_id: String,
    pub request_id: String,
    pub logical_resource_id: String,
    pub physical_resource_id: Option<String>,
    /// The raw RequestType, for the log span, even when it is not one we know.
    pub request_type: String,
    /// Who CloudFormation was asked to invoke: a Lambda function ARN (or an SNS topic ARN),
    /// compared with the function's own ARN to catch a response mode that does not fit.
    pub service_token: Option<String>,
}

/// The identity of one request, handed to resources: the same Create delivered twice carries
/// the same three values, which is how a resource recognises a redelivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestIdentity {
    pub stack_id: String,
    pub request_id: String,
    pub logical_resource_id: String,
}

impl RequestIdentity {
    /// The stack's name, from its StackId
    /// (`arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/GUID`, CloudFormation User Guide,
    /// custom resource request objects: "StackId: The Amazon Resource Name (ARN) that
    /// identifies the stack"); the whole StackId when it is not such an ARN. A stack deleted and
    /// created again under the same name has a new StackId but the same name.
    pub fn stack_name(&self) -> &str {
        self.stack_id
            .split_once(":stack/")
            .and_then(|(_, rest)| rest.split('/').next())
            .filter(|name| !name.is_empty())
            .unwrap_or(&self.stack_id)
    }
}

/// What CloudFormation asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    Create,
    Update {
        physical_id: String,
        old_properties: Properties,
    },
    Delete {
        physical_id: String,
    },
}

/// A fully parsed event.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub identity: RequestIdentity,
    pub operation: Operation,
    pub resource_type: String,
    pub properties: Properties,
}

/// Why an event could not be understood. The `Display` text is the FAILED reason.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EventError {
    #[error("the event is not a JSON object")]
    NotAnObject,
    #[error("the event has no {0}")]
    MissingField(&'static str),
    #[error("the event's {0} is not a string")]
    NotAString(&'static str),
    #[error("the event's {0} is not a JSON object")]
    NotAJsonObject(&'static str),
    #[error("unknown RequestType {0:?}: expected Create, Update or Delete")]
    UnknownRequestType(String),
}

impl Envelope {
    /// Reads the answer-related fields; never fails.
    pub fn read(raw: &Value) -> Self {
        let text = |key: &str| raw.get(key).and_then(Value::as_str).map(str::to_owned);
        Self {
            response_url: text("ResponseURL").filter(|u| !u.trim().is_empty()),
            stack_id: text("StackId").unwrap_or_default(),
            request_id: text("RequestId").unwrap_or_default(),
            logical_resource_id: text("LogicalResourceId").unwrap_or_default(),
            physical_resource_id: text("PhysicalResourceId").filter(|id| !id.is_empty()),
            request_type: text("RequestType").unwrap_or_default(),
            service_token: text("ServiceToken").filter(|t| !t.is_empty()),
        }
    }
}

impl Request {
    /// Parses the whole event strictly, ResponseURL included (`put` mode answers there).
    pub fn parse(raw: &Value) -> Result<Self, EventError> {
        Self::parse_with(raw, true)
    }

    /// Parses the whole event strictly except for the ResponseURL, which `return` mode never
    /// uses: the CDK Provider framework passes it along, but a caller that leaves it out is
    /// answered all the same.
    pub fn parse_without_response_url(raw: &Value) -> Result<Self, EventError> {
        Self::parse_with(raw, false)
    }

    fn parse_with(raw: &Value, needs_response_url: bool) -> Result<Self, EventError> {
        let object = raw.as_object().ok_or(EventError::NotAnObject)?;
        let request_type = required_str(object, "RequestType")?;
        let identity = RequestIdentity {
            stack_id: required_str(object, "StackId")?.to_owned(),
            request_id: required_str(object, "RequestId")?.to_owned(),
            logical_resource_id: required_str(object, "LogicalResourceId")?.to_owned(),
        };
        if needs_response_url {
            required_str(object, "ResponseURL")?;
        }
        let resource_type = optional_str(object, "ResourceType")?.unwrap_or_default();
        let properties = required_object(object, "ResourceProperties")?;
        let operation = match request_type {
            "Create" => Operation::Create,
            "Update" => Operation::Update {
                physical_id: required_str(object, "PhysicalResourceId")?.to_owned(),
                old_properties: required_object(object, "OldResourceProperties")?,
            },
            "Delete" => Operation::Delete {
                physical_id: required_str(object, "PhysicalResourceId")?.to_owned(),
            },
            other => return Err(EventError::UnknownRequestType(truncate_chars(other, 64))),
        };
        Ok(Self {
            identity,
            operation,
            resource_type: resource_type.to_owned(),
            properties,
        })
    }
}

fn optional_str<'a>(
    object: &'a Map<String, Value>,
    key: &'static str,
) -> Result<Option<&'a str>, EventError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(EventError::NotAString(key)),
    }
}

fn required_str<'a>(
    object: &'a Map<String, Value>,
    key: &'static str,
) -> Result<&'a str, EventError> {
    match optional_str(object, key)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(EventError::MissingField(key)),
    }
}

fn required_object(
    object: &Map<String, Value>,
    key: &'static str,
) -> Result<Properties, EventError> {
    match object.get(key) {
        None | Some(Value::Null) => Err(EventError::MissingField(key)),
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(_) => Err(EventError::NotAJsonObject(key)),
    }
}

fn truncate_chars(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create_event() -> Value {
        json!({
            "RequestType": "Create",
            "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "ResponseURL": "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?X-Amz-Signature=abc",
            "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
            "RequestId": "req-1",
            "ResourceType": "Custom::ConnectUser",
            "LogicalResourceId": "Agent",
            "ResourceProperties": {"ServiceToken": "arn", "Name": "a"}
        })
    }

    #[test]
    fn parses_a_create() {
        let request = Request::parse(&create_event()).unwrap();
        assert_eq!(request.operation, Operation::Create);
        assert_eq!(request.identity.request_id, "req-1");
        assert_eq!(request.identity.logical_resource_id, "Agent");
        assert_eq!(request.resource_type, "Custom::ConnectUser");
        assert_eq!(request.properties["Name"], "a");
    }

    #[test]
    fn parses_update_and_delete() {
        let mut event = create_event();
        event["RequestType"] = json!("Update");
        event["PhysicalResourceId"] = json!("i:u");
        event["OldResourceProperties"] = json!({"Name": "b"});
        let request = Request::parse(&event).unwrap();
        let Operation::Update {
            physical_id,
            old_properties,
        } = request.operation
        else {
            panic!("not an update");
        };
        assert_eq!(physical_id, "i:u");
        assert_eq!(old_properties["Name"], "b");

        event["RequestType"] = json!("Delete");
        let request = Request::parse(&event).unwrap();
        assert_eq!(
            request.operation,
            Operation::Delete {
                physical_id: "i:u".into()
            }
        );
    }

    #[test]
    fn reports_what_is_wrong() {
        type Mutation = fn(&mut Value);
        let cases: Vec<(Mutation, EventError)> = vec![
            (
                |e| e["RequestType"] = json!("Upsert"),
                EventError::UnknownRequestType("Upsert".into()),
            ),
            (
                |e| {
                    e.as_object_mut().unwrap().remove("RequestType");
                },
                EventError::MissingField("RequestType"),
            ),
            (
                |e| {
                    e.as_object_mut().unwrap().remove("StackId");
                },
                EventError::MissingField("StackId"),
            ),
            (
                |e| e["RequestId"] = json!(7),
                EventError::NotAString("RequestId"),
            ),
            (
                |e| e["ResourceProperties"] = json!([1]),
                EventError::NotAJsonObject("ResourceProperties"),
            ),
            (
                |e| {
                    e.as_object_mut().unwrap().remove("ResourceProperties");
                },
                EventError::MissingField("ResourceProperties"),
            ),
            (
                |e| e["RequestType"] = json!("Update"),
                EventError::MissingField("PhysicalResourceId"),
            ),
            (
                |e| e["RequestType"] = json!("Delete"),
                EventError::MissingField("PhysicalResourceId"),
            ),
        ];
        for (mutate, expected) in cases {
            let mut event = create_event();
            mutate(&mut event);
            assert_eq!(Request::parse(&event).unwrap_err(), expected);
        }
        assert_eq!(
            Request::parse(&json!("x")).unwrap_err(),
            EventError::NotAnObject
        );
    }

    #[test]
    fn only_put_mode_needs_a_response_url() {
        let mut event = create_event();
        event.as_object_mut().unwrap().remove("ResponseURL");
        assert_eq!(
            Request::parse(&event).unwrap_err(),
            EventError::MissingField("ResponseURL")
        );
        let request = Request::parse_without_response_url(&event).unwrap();
        assert_eq!(request, Request::parse(&create_event()).unwrap());
        event.as_object_mut().unwrap().remove("StackId");
        assert_eq!(
            Request::parse_without_response_url(&event).unwrap_err(),
            EventError::MissingField("StackId")
        );
    }

    #[test]
    fn update_needs_old_properties() {
        let mut event = create_event();
        event["RequestType"] = json!("Update");
        event["PhysicalResourceId"] = json!("i:u");
        assert_eq!(
            Request::parse(&event).unwrap_err(),
            EventError::MissingField("OldResourceProperties")
        );
    }

    #[test]
    fn envelope_is_lenient() {
        let envelope = Envelope::read(&json!({"ResponseURL": "", "StackId": 5, "RequestId": "r"}));
        assert_eq!(envelope.response_url, None);
        assert_eq!(envelope.stack_id, "");
        assert_eq!(envelope.request_id, "r");
        assert_eq!(envelope.service_token, None);
        assert_eq!(
            Envelope::read(&create_event()).service_token.as_deref(),
            Some("arn:aws:lambda:us-east-1:123456789012:function:f")
        );
        assert_eq!(Envelope::read(&json!(null)), Envelope::default());
    }

    #[test]
    fn unknown_request_type_is_cut_short_in_the_reason() {
        let mut event = create_event();
        event["RequestType"] = json!("x".repeat(10_000));
        let reason = Request::parse(&event).unwrap_err().to_string();
        assert!(reason.len() < 200, "{}", reason.len());
    }

    #[test]
    fn the_stack_name_comes_from_the_stack_id() {
        let identity = |stack_id: &str| RequestIdentity {
            stack_id: stack_id.into(),
            request_id: "r".into(),
            logical_resource_id: "L".into(),
        };
        let arn = "arn:aws:cloudformation:us-east-1:123456789012:stack/contact-centre/5b1c-9d";
        assert_eq!(identity(arn).stack_name(), "contact-centre");
        assert_eq!(identity("not-an-arn").stack_name(), "not-an-arn");
        assert_eq!(
            identity("arn:aws:x:stack//guid").stack_name(),
            "arn:aws:x:stack//guid"
        );
    }
}
