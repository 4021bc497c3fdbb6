//! The answer body, kept within CloudFormation's limits.
//!
//! CloudFormation rejects a body over 4096 bytes ("Response object is too long") and the stack
//! then waits for an answer that never comes, so [`Answer::to_body`] guarantees the limit on
//! every input: it cuts the `Reason` first, then drops `Data`, and as a last resort shortens
//! the echoed ids. Control characters are stripped from the reason, since they make the stack
//! events unreadable.

use std::collections::BTreeMap;

use aws_lambda_events::cloudformation::{
    CloudFormationCustomResourceResponse, CloudFormationCustomResourceResponseStatus,
};

use super::event::Envelope;
use super::physical_id::MAX_PHYSICAL_ID_BYTES;

/// CloudFormation's limit on the whole response body.
pub const MAX_BODY_BYTES: usize = 4096;

const ELLIPSIS: &str = "…";

/// SUCCESS or FAILED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success,
    Failed,
}

/// One answer to CloudFormation, before it is cut to size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: Status,
    pub reason: Option<String>,
    pub physical_resource_id: String,
    pub stack_id: String,
    pub request_id: String,
    pub logical_resource_id: String,
    pub no_echo: bool,
    pub data: BTreeMap<String, String>,
}

impl Answer {
    /// A SUCCESS answer echoing the envelope's ids.
    pub fn success(
        envelope: &Envelope,
        physical_id: String,
        data: BTreeMap<String, String>,
    ) -> Self {
        Self::new(envelope, Status::Success, None, physical_id, data)
    }

    /// A FAILED answer echoing the envelope's ids.
    pub fn failed(envelope: &Envelope, physical_id: String, reason: impl Into<String>) -> Self {
        Self::new(
            envelope,
            Status::Failed,
            Some(reason.into()),
            physical_id,
            BTreeMap::new(),
        )
    }

    fn new(
        envelope: &Envelope,
        status: Status,
        reason: Option<String>,
        physical_resource_id: String,
        data: BTreeMap<String, String>,
    ) -> Self {
        Self {
            status,
            reason,
            physical_resource_id,
            stack_id: envelope.stack_id.clone(),
            request_id: envelope.request_id.clone(),
            logical_resource_id: envelope.logical_resource_id.clone(),
            no_echo: false,
            data,
        }
    }

    /// The JSON body, at most [`MAX_BODY_BYTES`] long whatever the answer holds: the body of
    /// [`Answer::fitted`].
    pub fn to_body(&self) -> Vec<u8> {
        self.fitted().serialize()
    }

    /// The answer as it will be sent: cut to fit [`MAX_BODY_BYTES`], which may turn a SUCCESS
    /// whose `Data` cannot fit into a FAILED. A FAILED answer always has a non-empty reason
    /// (CloudFormation requires one).
    pub fn fitted(&self) -> Answer {
        let mut answer = self.clone();
        let reason = match answer.reason.take().map(|r| clean_reason(&r)) {
            Some(reason) if !reason.is_empty() => Some(reason),
            _ if answer.status == Status::Failed => Some(NO_REASON.to_owned()),
            _ => None,
        };
        answer.reason = reason.clone();
        answer.physical_resource_id =
            cut_to_bytes(&answer.physical_resource_id, MAX_PHYSICAL_ID_BYTES);
        if answer.serialize().len() <= MAX_BODY_BYTES {
            return answer;
        }
        // 1. Cut the reason to what is left once everything else is in.
        if let Some(reason) = answer.reason.take() {
            let without_reason = answer.serialize().len() + r#""Reason":"","#.len();
            let room = MAX_BODY_BYTES.saturating_sub(without_reason);
            answer.reason = Some(fit_json_string(&reason, room)).filter(|r| !r.is_empty());
            if answer.reason.is_some() && answer.serialize().len() <= MAX_BODY_BYTES {
                return answer;
            }
        }
        // 2. Data cannot make it: CloudFormation would reject the body, so fail instead.
        let mut reason = reason;
        if !answer.data.is_empty() {
            answer.data.clear();
            answer.status = Status::Failed;
            reason = Some(DATA_TOO_LARGE.to_owned());
            answer.reason = reason.clone();
            if answer.serialize().len() <= MAX_BODY_BYTES {
                return answer;
            }
        }
        // 3. Only a hostile event gets here: its echoed ids alone are too long.
        for field in [
            &mut answer.stack_id,
            &mut answer.request_id,
            &mut answer.logical_resource_id,
            &mut answer.physical_resource_id,
        ] {
            *field = cut_to_bytes(field, 512);
        }
        answer.reason = reason.map(|r| fit_json_string(&r, 512));
        answer
    }

    pub fn serialize(&self) -> Vec<u8> {
        let mut response = CloudFormationCustomResourceResponse::default();
        response.status = match self.status {
            Status::Success => CloudFormationCustomResourceResponseStatus::Success,
            Status::Failed => CloudFormationCustomResourceResponseStatus::Failed,
        };
        response.reason = self.reason.clone();
        response.physical_resource_id = self.physical_resource_id.clone();
        response.stack_id = self.stack_id.clone();
        response.request_id = self.request_id.clone();
        response.logical_resource_id = self.logical_resource_id.clone();
        response.no_echo = self.no_echo;
        response.data = self.data.clone().into_iter().collect();
        // Serializing plain strings, bools and a string map cannot fail.
        serde_json::to_vec(&response).unwrap_or_default()
    }
}

/// Replaces line breaks and tabs with spaces and drops every other control character.
pub fn clean_reason(reason: &str) -> String {
    reason
        .chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// The longest prefix of `text` at a character boundary that is at most `max` bytes.
pub fn cut_to_bytes(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// `text`, cut at a character boundary and marked with an ellipsis, so that its JSON-escaped
/// form (without quotes) takes at most `room` bytes.
fn fit_json_string(text: &str, room: usize) -> String {
    let escaped_len = |s: &str| {
        serde_json::to_string(s)
            .map(|j| j.len() - 2)
            .unwrap_or(usize::MAX)
    };
    if escaped_len(text) <= room {
        return text.to_owned();
    }
    let mut used = ELLIPSIS.len();
    let mut out = String::new();
    for c in text.chars() {
        let mut buffer = [0u8; 4];
        let width = escaped_len(c.encode_utf8(&mut buffer));
        if used + width > room {
            break;
        }
        used += width;
        out.push(c);
    }
    if used <= room {
        out.push_str(ELLIPSIS);
    }
    out
}

/// The reason of a FAILED answer that was given none.
const NO_REASON: &str = "the operation failed without giving a reason";
/// The reason of a SUCCESS whose `Data` cannot fit.
const DATA_TOO_LARGE: &str = "the response Data is larger than CloudFormation's 4096-byte limit";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn envelope() -> Envelope {
        Envelope {
            response_url: Some("https://example.s3.amazonaws.com/x".into()),
            stack_id: "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1".into(),
            request_id: "req-1".into(),
            logical_resource_id: "Agent".into(),
            physical_resource_id: None,
            request_type: "Create".into(),
            service_token: None,
        }
    }

    fn parse(body: &[u8]) -> Value {
        serde_json::from_slice(body).unwrap()
    }

    #[test]
    fn success_body_has_every_field() {
        let data = BTreeMap::from([("Arn".to_string(), "arn:x".to_string())]);
        let body = parse(&Answer::success(&envelope(), "i:u".into(), data).to_body());
        assert_eq!(body["Status"], "SUCCESS");
        assert_eq!(body["PhysicalResourceId"], "i:u");
        assert_eq!(body["StackId"], envelope().stack_id);
        assert_eq!(body["RequestId"], "req-1");
        assert_eq!(body["LogicalResourceId"], "Agent");
        assert_eq!(body["NoEcho"], false);
        assert_eq!(body["Data"]["Arn"], "arn:x");
    }

    #[test]
    fn a_failed_answer_keeps_a_reason_even_when_hostile_ids_leave_no_room() {
        let mut hostile = envelope();
        hostile.stack_id = "s".repeat(3000);
        hostile.request_id = "r".repeat(3000);
        for answer in [
            Answer::failed(&hostile, "p".repeat(3000), "why it failed"),
            Answer::failed(&hostile, "p".into(), ""),
            Answer::success(
                &hostile,
                "p".repeat(3000),
                BTreeMap::from([("Arn".to_owned(), "a".repeat(3000))]),
            ),
        ] {
            let fitted = answer.fitted();
            let body = answer.to_body();
            assert!(body.len() <= MAX_BODY_BYTES, "{} bytes", body.len());
            let parsed = parse(&body);
            assert_eq!(parsed["Status"], "FAILED");
            let reason = parsed["Reason"].as_str().unwrap_or_default();
            assert!(!reason.is_empty(), "{parsed}");
            assert_eq!(fitted.status, Status::Failed, "fitted() says what is sent");
            assert_eq!(fitted.serialize(), body);
        }
    }

    #[test]
    fn an_empty_reason_is_never_sent() {
        let body = parse(&Answer::failed(&envelope(), "p".into(), "\u{7}").to_body());
        assert_eq!(body["Reason"], NO_REASON);
    }

    #[test]
    fn failed_body_carries_a_clean_reason() {
        let body =
            parse(&Answer::failed(&envelope(), "p".into(), "bad\nthing\u{7}\there").to_body());
        assert_eq!(body["Status"], "FAILED");
        assert_eq!(body["Reason"], "bad thing here");
    }

    #[test]
    fn huge_reason_is_cut_to_the_limit() {
        for filler in ["x", "é", "😀", "\"", "\\", "\u{1}"] {
            let reason = filler.repeat(20_000);
            let body = Answer::failed(&envelope(), "p".into(), reason).to_body();
            assert!(body.len() <= MAX_BODY_BYTES, "{filler}: {}", body.len());
            assert!(
                body.len() > MAX_BODY_BYTES - 64 || filler == "\u{1}",
                "{filler}: {}",
                body.len()
            );
            let reason = parse(&body)["Reason"].as_str().unwrap().to_owned();
            if filler != "\u{1}" {
                assert!(reason.ends_with(ELLIPSIS));
            }
        }
    }

    #[test]
    fn huge_data_turns_into_failed() {
        let data = BTreeMap::from([("Big".to_string(), "v".repeat(5000))]);
        let body = Answer::success(&envelope(), "i:u".into(), data).to_body();
        assert!(body.len() <= MAX_BODY_BYTES);
        let body = parse(&body);
        assert_eq!(body["Status"], "FAILED");
        assert!(body["Data"].as_object().unwrap().is_empty());
    }

    #[test]
    fn hostile_ids_still_fit() {
        let mut envelope = envelope();
        envelope.stack_id = "s".repeat(5000);
        envelope.request_id = "r".repeat(5000);
        envelope.logical_resource_id = "l".repeat(5000);
        let body = Answer::failed(&envelope, "p".repeat(5000), "why".repeat(5000)).to_body();
        assert!(body.len() <= MAX_BODY_BYTES, "{}", body.len());
        assert_eq!(parse(&body)["Status"], "FAILED");
    }

    #[test]
    fn physical_id_is_at_most_one_kilobyte() {
        let body = Answer::success(&envelope(), "é".repeat(1000), BTreeMap::new()).to_body();
        let id = parse(&body)["PhysicalResourceId"].as_str().unwrap().len();
        assert!((MAX_PHYSICAL_ID_BYTES - 1..=MAX_PHYSICAL_ID_BYTES).contains(&id));
    }

    #[test]
    fn cut_respects_char_boundaries() {
        assert_eq!(cut_to_bytes("héllo", 2), "h");
        assert_eq!(cut_to_bytes("héllo", 3), "hé");
        assert_eq!(cut_to_bytes("abc", 10), "abc");
    }
}
