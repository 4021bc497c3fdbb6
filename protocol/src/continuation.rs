//! Work that outlasts one invocation: the same request goes on in the next one.
//!
//! CloudFormation waits for a custom resource up to its `ServiceTimeout` (1 to 3,600 s, 3,600
//! by default: CloudFormation User Guide, `AWS::CloudFormation::CustomResource`,
//! `ServiceTimeout`), while one Lambda invocation ends after 900 s at most (Lambda Developer
//! Guide, "Lambda quotas", function timeout). A request whose work cannot finish before its
//! invocation's deadline (500 users of one stack sharing Connect's 2 requests/second, say) is
//! handed to a new invocation of this very function: an asynchronous `Invoke`
//! (`InvocationType: Event`, Lambda API Reference, "Invoke") whose payload is the original
//! event wrapped with a [`Continuation`]: how many invocations the request has had, when
//! CloudFormation stops waiting, and what a Create has made so far. Lambda's own queue
//! delivers it; there is no scheduler of ours.
//!
//! The rules that keep it safe:
//! - Resources are idempotent per request (the same RequestId): a continuation delivered
//!   twice, or retried by Lambda (asynchronous delivery is at least once), redoes nothing
//!   harmful and answers the same.
//! - A continuation that cannot be started (throttled, denied, too large) is answered FAILED
//!   at once, in the invocation that tried, with the reason.
//! - A request has at most [`MAX_INVOCATIONS`] invocations, and none starts with less than
//!   [`MIN_TIME_TO_CONTINUE`] before CloudFormation stops waiting: then it is answered FAILED,
//!   saying so. Lambda's recursive loop detection stops a chain of Lambda functions at about
//!   16 invocations (Lambda Developer Guide, "Use Lambda recursive loop detection to prevent
//!   infinite loops"): 5 invocations, each retried by Lambda at most once
//!   (`MaximumRetryAttempts: 1` in the templates; Lambda's default is 2), stay well under it.
//! - The payload holds the ResponseURL, a credential: it travels only inside Lambda, from the
//!   function to itself, and is never logged. Asynchronous payloads are limited to
//!   [`ASYNC_PAYLOAD_LIMIT`]: the Lambda quotas page gave 256 KB for asynchronous
//!   invocations, and the Invoke API reference now says "For asynchronous invocations, the
//!   maximum payload size is 1 MB"; the smaller holds under both.
//!
//! How long CloudFormation waits: AWS does not document that `ServiceTimeout` reaches the
//! function (the request object's `ResourceProperties` "contains the contents of the
//! Properties object sent by the template developer", CloudFormation User Guide, "Custom
//! resource request objects", and `ServiceToken` is among them; `ServiceTimeout` is not named),
//! so it is read from the properties when there, and 3,600 s is assumed otherwise. AWS states no
//! validity for the presigned ResponseURL either (real ones carry `X-Amz-Expires=7200`): it is
//! read from the URL when there. It counts from the
//! request, which the ResponseURL's presigned `X-Amz-Date` dates; the URL's own validity
//! (`X-Amz-Expires`) bounds it too. Without either, the first invocation's start is taken.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The key under which a continuation's payload carries its [`Continuation`]; the event is
/// under [`EVENT_KEY`].
pub const CONTINUATION_KEY: &str = "CustomResourceContinuation";
/// The key of the original CloudFormation event in a continuation's payload.
pub const EVENT_KEY: &str = "Event";
/// The most invocations one request gets: the first and four continuations. At 900 s each
/// they outlast CloudFormation's longest wait (3,600 s).
pub const MAX_INVOCATIONS: u32 = 5;
/// A continuation is not started with less time than this before CloudFormation stops
/// waiting: it could do little, and the answer would come too late.
pub const MIN_TIME_TO_CONTINUE: Duration = Duration::from_secs(60);
/// CloudFormation's wait when the event does not say (`ServiceTimeout`'s default and maximum).
pub const DEFAULT_SERVICE_TIMEOUT: Duration = Duration::from_secs(3600);
/// The largest asynchronous payload sent: Lambda's limit was 256 KB and is 1 MB now (Lambda
/// API Reference, "Invoke"); a CloudFormation event is a few KB.
pub const ASYNC_PAYLOAD_LIMIT: usize = 256 * 1024;

/// Where a request stands in its chain of invocations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Continuation {
    /// This invocation's number in the request's chain: 1 for CloudFormation's own.
    pub invocation: u32,
    /// When CloudFormation stops waiting for the answer, in epoch milliseconds.
    pub wait_ends_ms: u64,
    /// What the earlier invocations handed on (on the wire, its fields sit beside these).
    #[serde(flatten)]
    pub carried: Carried,
}

/// What one invocation hands to the next, besides the event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Carried {
    /// The physical id of what a Create has made so far, if anything.
    #[serde(rename = "Progress", default, skip_serializing_if = "Option::is_none")]
    pub made: Option<String>,
    /// Where the resource's work stood, in its own terms
    /// ([`Progress`](super::resource::Progress)'s checkpoint): the protocol only carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Value>,
    /// How far the request had backed off: retries made, and calls made under contention
    /// ([`crate::retry::Pace`]), so that a continuation stays in the herd's rhythm.
    #[serde(default)]
    pub backoff: (u32, u32),
}

impl Continuation {
    /// The first invocation of `event`, seen at `now`.
    pub fn first(event: &Value, now: SystemTime) -> Self {
        Self {
            invocation: 1,
            wait_ends_ms: epoch_millis(wait_end(event, now)),
            carried: Carried::default(),
        }
    }

    /// When CloudFormation stops waiting.
    pub fn wait_ends(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.wait_ends_ms)
    }

    /// The next invocation's continuation, carrying `carried`; `Err` says why there is none.
    pub fn next(&self, carried: Carried, now: SystemTime) -> Result<Self, Stop> {
        if self.invocation >= MAX_INVOCATIONS {
            return Err(Stop::TooManyInvocations);
        }
        let left = self.wait_ends().duration_since(now).unwrap_or_default();
        if left < MIN_TIME_TO_CONTINUE {
            return Err(Stop::WaitEnding(left));
        }
        Ok(Self {
            invocation: self.invocation + 1,
            wait_ends_ms: self.wait_ends_ms,
            carried,
        })
    }

    /// The payload of the invocation that goes on with `event`.
    pub fn wrap(&self, event: &Value) -> Value {
        serde_json::json!({ CONTINUATION_KEY: self, EVENT_KEY: event })
    }
}

/// Why a request gets no further invocation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Stop {
    #[error("the request already had {MAX_INVOCATIONS} invocations, the most it is given")]
    TooManyInvocations,
    #[error("CloudFormation stops waiting for this resource in {} s (its ServiceTimeout, or the ResponseURL's validity), too soon for another invocation", .0.as_secs())]
    WaitEnding(Duration),
    #[error("the function's own ARN is unknown, or it runs under a local Runtime API (its deadline is not a time), so it cannot invoke itself")]
    NoFunctionArn,
    #[error("continuations are off in this mode: the work must finish in one invocation")]
    Off,
    #[error("its payload would be {0} bytes, over Lambda's {ASYNC_PAYLOAD_LIMIT}-byte limit for asynchronous invocations")]
    TooLarge(usize),
    #[error("the asynchronous Invoke of this function failed: {0}")]
    InvokeFailed(String),
    /// The Invoke got no clear answer (no response, a timeout, a 5xx): Lambda may have
    /// queued it all the same, so this invocation must not answer FAILED.
    #[error("the asynchronous Invoke of this function got no clear answer: {0}")]
    Unsure(String),
}

/// Why an Invoke did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvokeError {
    pub message: String,
    /// Lambda refused it for certain (a 4xx: denied, throttled, too large); otherwise it may
    /// have been queued all the same.
    pub definite: bool,
}

/// The raw payload of an invocation, split into the CloudFormation event and, for a
/// continuation, where its request stands. A payload that is not a continuation is the event.
pub fn split(raw: Value) -> (Value, Option<Continuation>) {
    let Value::Object(mut map) = raw else {
        return (raw, None);
    };
    if !map.contains_key(CONTINUATION_KEY) {
        return (Value::Object(map), None);
    }
    let continuation = map
        .remove(CONTINUATION_KEY)
        .and_then(|v| serde_json::from_value::<Continuation>(v).ok());
    match (continuation, map.remove(EVENT_KEY)) {
        (Some(continuation), Some(event)) => (event, Some(continuation)),
        // A continuation this version cannot read (another release's, say): the event is
        // still answered, as a request's first invocation.
        (None, Some(event)) => (event, None),
        // Not ours after all: taken as the event, which then fails to parse and says why.
        (_, None) => (Value::Object(map), None),
    }
}

/// The asynchronous `Invoke` of this very function: the seam to Lambda.
pub trait SelfInvoke: Send + Sync + 'static {
    /// Invokes `function` (this function's ARN, as it was invoked) with `payload`,
    /// asynchronously.
    fn invoke_async<'a>(
        &'a self,
        function: &'a str,
        payload: Vec<u8>,
    ) -> Pin<Box<dyn Future<Output = Result<(), InvokeError>> + Send + 'a>>;
}

/// When CloudFormation stops waiting for `event`'s answer, seen at `now` (see the module doc).
pub fn wait_end(event: &Value, now: SystemTime) -> SystemTime {
    let url = event.get("ResponseURL").and_then(Value::as_str);
    let query = url.and_then(|u| u.split_once('?')).map(|(_, q)| q);
    let param = |name: &str| {
        query.and_then(|q| {
            q.split('&').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                key.eq_ignore_ascii_case(name).then_some(value)
            })
        })
    };
    let timeout = service_timeout(event).unwrap_or(DEFAULT_SERVICE_TIMEOUT);
    // A request whose wait would be over before its first invocation began is a replayed
    // sample event (`cargo lambda invoke`, events/), or a clock far off: counted from now.
    let signed = param("X-Amz-Date")
        .and_then(parse_amz_date)
        .filter(|at| *at <= now + Duration::from_secs(300) && *at + timeout > now);
    let base = signed.unwrap_or(now);
    let mut end = base + timeout;
    if let (Some(signed), Some(expires)) = (signed, param("X-Amz-Expires")) {
        if let Ok(seconds) = expires.parse::<u64>() {
            let expiry = signed + Duration::from_secs(seconds);
            if expiry > now {
                end = end.min(expiry);
            }
        }
    }
    end
}

/// The resource's `ServiceTimeout` (1 to 3,600 s), as CloudFormation would pass it (a string)
/// or as a number; `None` when absent or not such a number.
pub fn service_timeout(event: &Value) -> Option<Duration> {
    let value = event.get("ResourceProperties")?.get("ServiceTimeout")?;
    let seconds = match value {
        Value::String(text) => text.trim().parse::<u64>().ok()?,
        Value::Number(n) => n.as_u64()?,
        _ => return None,
    };
    (1..=3600)
        .contains(&seconds)
        .then(|| Duration::from_secs(seconds))
}

/// A SigV4 `X-Amz-Date` (`YYYYMMDD'T'HHMMSS'Z'`, UTC: AWS General Reference, "Elements of an
/// AWS API request signature").
fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let digits = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    if text.len() != 16 || text.as_bytes()[8] != b'T' || !text.ends_with('Z') {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (hour, minute, second) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second.min(60);
    u64::try_from(seconds)
        .ok()
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn epoch_millis(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(text: &str) -> SystemTime {
        parse_amz_date(text).unwrap()
    }

    #[test]
    fn amz_dates_are_read_as_utc() {
        assert_eq!(at("19700101T000000Z"), UNIX_EPOCH);
        assert_eq!(
            at("20261203T061500Z"),
            UNIX_EPOCH + Duration::from_secs(1_796_278_500)
        );
        assert_eq!(
            at("20240229T235959Z"),
            UNIX_EPOCH + Duration::from_secs(1_709_251_199)
        );
        assert_eq!(parse_amz_date("2026-12-03T06:15:00Z"), None);
        assert_eq!(parse_amz_date("20261303T061500Z"), None);
    }

    fn event(url: &str, timeout: Option<Value>) -> Value {
        let mut props = json!({"ServiceToken": "arn"});
        if let Some(t) = timeout {
            props["ServiceTimeout"] = t;
        }
        json!({"ResponseURL": url, "ResourceProperties": props})
    }

    #[test]
    fn the_wait_counts_from_the_signature_and_ends_with_the_url() {
        let signed = at("20261203T061500Z");
        let now = signed + Duration::from_secs(10);
        let url = "https://b.s3.amazonaws.com/k?X-Amz-Date=20261203T061500Z&X-Amz-Expires=7200&X-Amz-Signature=s";
        assert_eq!(
            wait_end(&event(url, None), now),
            signed + DEFAULT_SERVICE_TIMEOUT
        );
        assert_eq!(
            wait_end(&event(url, Some(json!("900"))), now),
            signed + Duration::from_secs(900)
        );
        assert_eq!(
            wait_end(&event(url, Some(json!(1200))), now),
            signed + Duration::from_secs(1200)
        );
        let short = "https://b/k?X-Amz-Date=20261203T061500Z&X-Amz-Expires=600";
        assert_eq!(
            wait_end(&event(short, None), now),
            signed + Duration::from_secs(600)
        );
    }

    #[test]
    fn a_replayed_event_whose_wait_is_long_over_counts_from_now() {
        let signed = at("20241015T120000Z");
        let now = signed + Duration::from_secs(86_400 * 400);
        let url = "https://b.s3.amazonaws.com/k?X-Amz-Date=20241015T120000Z&X-Amz-Expires=7200";
        assert_eq!(
            wait_end(&event(url, None), now),
            now + DEFAULT_SERVICE_TIMEOUT
        );
    }

    #[test]
    fn without_a_signature_date_the_wait_counts_from_now() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let e = event("http://127.0.0.1:9/answer?sig=x", Some(json!("abc")));
        assert_eq!(wait_end(&e, now), now + DEFAULT_SERVICE_TIMEOUT);
        assert_eq!(service_timeout(&event("u", Some(json!("0")))), None);
        assert_eq!(service_timeout(&event("u", Some(json!("3601")))), None);
    }

    #[test]
    fn a_continuation_wraps_and_splits_back() {
        let e = json!({"RequestType": "Create", "RequestId": "r"});
        let c = Continuation {
            invocation: 2,
            wait_ends_ms: 5,
            carried: Carried {
                made: Some("i:u".into()),
                backoff: (3, 1),
                checkpoint: Some(json!({"Stage": "Found", "UserId": "u"})),
            },
        };
        let wrapped = c.wrap(&e);
        // The wire form: what is carried sits beside the chain's own fields.
        assert_eq!(
            wrapped[CONTINUATION_KEY],
            json!({"Invocation": 2, "WaitEndsMs": 5, "Progress": "i:u", "Backoff": [3, 1],
                   "Checkpoint": {"Stage": "Found", "UserId": "u"}})
        );
        let (event, back) = split(wrapped);
        assert_eq!(event, e);
        assert_eq!(back, Some(c));
        let (plain, none) = split(e.clone());
        assert_eq!((plain, none), (e.clone(), None));
        let unreadable = json!({CONTINUATION_KEY: {"Invocation": "two"}, EVENT_KEY: e});
        assert_eq!(split(unreadable), (e, None), "the event is still answered");
    }

    #[test]
    fn a_chain_stops_at_its_length_and_before_the_wait_ends() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut c = Continuation {
            invocation: 1,
            wait_ends_ms: epoch_millis(now + Duration::from_secs(3000)),
            carried: Carried::default(),
        };
        for n in 2..=MAX_INVOCATIONS {
            let carried = Carried {
                made: Some(format!("i:u{n}")),
                checkpoint: Some(json!(n)),
                backoff: (n, 1),
            };
            c = c.next(carried, now).unwrap();
            assert_eq!(c.invocation, n);
            assert_eq!(c.carried.made, Some(format!("i:u{n}")));
            assert_eq!(
                (c.carried.checkpoint.clone(), c.carried.backoff),
                (Some(json!(n)), (n, 1))
            );
        }
        assert_eq!(
            c.next(Carried::default(), now),
            Err(Stop::TooManyInvocations)
        );
        let late = now + Duration::from_secs(2950);
        let first = Continuation { invocation: 1, ..c };
        assert!(matches!(
            first.next(Carried::default(), late),
            Err(Stop::WaitEnding(_))
        ));
    }
}
