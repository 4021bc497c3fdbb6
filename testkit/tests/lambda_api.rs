//! The Lambda Invoke API emulator ([`LambdaApi`]) over plain HTTP/1.1: what it answers, what
//! it records, and what it delivers to a [`RuntimeApi`], read back as the function would, from
//! `GET /2018-06-01/runtime/invocation/next`. A raw client over a tokio `TcpStream`, so the
//! kit needs no HTTP client. Payloads here hold no ResponseURL and are never printed anyway.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use connect_user_testkit::lambda_api::{InvokeFault, LambdaApi, ASYNC_PAYLOAD_LIMIT};
use connect_user_testkit::runtime_api::RuntimeApi;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A SigV4 `Authorization` header as aws-sdk-lambda sends it (the emulator checks its scheme only).
const SIGNED: (&str, &str) = (
    "Authorization",
    "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=0",
);
const EVENT: (&str, &str) = ("X-Amz-Invocation-Type", "Event");
const NAME: &str = "connect-user-resource";
/// The Lambda timeout the emulator gives deliveries in these tests.
const TIMEOUT: Duration = Duration::from_secs(30);
/// How long a test waits for a delivery that must come.
const WAIT: Duration = Duration::from_secs(5);

struct Answer {
    status: u16,
    /// Lower-cased names.
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// One HTTP/1.1 request on its own connection (`Connection: close`).
async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("write head");
    stream.write_all(body).await.expect("write body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read answer");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of the head");
    let head = String::from_utf8(raw[..split].to_vec()).expect("ASCII head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if let Some(length) = headers.get("content-length") {
        body.truncate(length.parse().expect("content-length"));
    }
    Answer {
        status,
        headers,
        body,
    }
}

fn path(function: &str) -> String {
    format!("/2015-03-31/functions/{function}/invocations")
}

async fn invoke(lambda: &LambdaApi, headers: &[(&str, &str)], payload: &[u8]) -> Answer {
    request(lambda.addr, "POST", &path(NAME), headers, payload).await
}

async fn invoke_event(lambda: &LambdaApi, payload: &Value) -> Answer {
    invoke(lambda, &[SIGNED, EVENT], payload.to_string().as_bytes()).await
}

/// The next event the Runtime API hands the function, with its deadline (Unix ms); `None`
/// when none comes within `wait`.
async fn next(runtime: &RuntimeApi, wait: Duration) -> Option<(Value, u64)> {
    let call = request(
        runtime.addr,
        "GET",
        "/2018-06-01/runtime/invocation/next",
        &[],
        b"",
    );
    let answer = tokio::time::timeout(wait, call).await.ok()?;
    assert_eq!(answer.status, 200);
    let deadline = answer
        .header("lambda-runtime-deadline-ms")
        .and_then(|d| d.parse().ok())
        .expect("a deadline");
    Some((answer.json(), deadline))
}

async fn next_payload(runtime: &RuntimeApi) -> Value {
    next(runtime, WAIT).await.expect("a delivery").0
}

/// An emulator delivering to a fresh Runtime API.
async fn wired() -> (LambdaApi, RuntimeApi) {
    let lambda = LambdaApi::start().await;
    let runtime = RuntimeApi::start().await;
    lambda.deliver_to(runtime.enqueuer(), TIMEOUT);
    (lambda, runtime)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// The error as aws-sdk-lambda reads it (rest-json1): the code from `x-amzn-ErrorType`, the
/// message from `message`.
fn error_of(answer: &Answer) -> (String, String) {
    let code = answer
        .header("x-amzn-errortype")
        .expect("x-amzn-ErrorType")
        .to_owned();
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let message = answer.json()["message"]
        .as_str()
        .expect("a message")
        .to_owned();
    (code, message)
}

#[tokio::test]
async fn an_event_invoke_is_answered_202_and_delivered_with_a_deadline_timeout_from_delivery() {
    let (lambda, runtime) = wired().await;
    assert_eq!(lambda.endpoint(), format!("http://{}", lambda.addr));
    let payload =
        json!({"CustomResourceContinuation": {"Invocation": 2}, "Event": {"RequestId": "r-1"}});
    let before = now_ms();
    let answer = invoke_event(&lambda, &payload).await;
    assert_eq!(answer.status, 202);
    assert!(answer.body.is_empty(), "202 with a body");
    let (delivered, deadline) = next(&runtime, WAIT).await.expect("a delivery");
    assert_eq!(delivered, payload);
    let timeout = TIMEOUT.as_millis() as u64;
    assert!(
        deadline >= before + timeout && deadline <= now_ms() + timeout,
        "deadline {deadline} not {timeout} ms after delivery (at {before})"
    );
    let invoked = lambda.invocations();
    assert_eq!(invoked.len(), 1);
    assert_eq!(invoked[0].function_name, NAME);
    assert_eq!(invoked[0].invocation_type.as_deref(), Some("Event"));
    assert_eq!(invoked[0].payload.as_ref(), Some(&payload));
    assert_eq!(invoked[0].status, 202);
    assert_eq!(lambda.accepted(), 1);
}

#[tokio::test]
async fn a_qualified_arn_in_the_path_is_recorded_decoded() {
    let (lambda, runtime) = wired().await;
    let arn = "arn:aws:lambda:us-east-1:123456789012:function:connect-user-resource:live";
    // As aws-sdk-lambda encodes the label (`:` percent-encoded).
    let encoded = arn.replace(':', "%3A");
    let answer = request(
        lambda.addr,
        "POST",
        &path(&encoded),
        &[SIGNED, EVENT],
        b"{}",
    )
    .await;
    assert_eq!(answer.status, 202);
    assert_eq!(next_payload(&runtime).await, json!({}));
    assert_eq!(lambda.invocations()[0].function_name, arn);
}

#[tokio::test]
async fn an_unsigned_invoke_is_refused_403_and_not_delivered() {
    let (lambda, runtime) = wired().await;
    for auth in [None, Some(("Authorization", "Bearer token"))] {
        let mut headers = vec![EVENT];
        headers.extend(auth);
        let answer = invoke(&lambda, &headers, b"{\"n\":0}").await;
        assert_eq!(answer.status, 403);
        let (code, message) = error_of(&answer);
        assert_eq!(code, "AccessDeniedException");
        assert!(!message.is_empty());
    }
    assert_eq!(lambda.accepted(), 0);
    assert_eq!(lambda.invocations().len(), 2);
    // The next delivery is the first accepted invocation's: nothing refused went through.
    invoke_event(&lambda, &json!({"n": 1})).await;
    assert_eq!(next_payload(&runtime).await, json!({"n": 1}));
}

#[tokio::test]
async fn only_event_invocations_are_served() {
    let (lambda, runtime) = wired().await;
    for kind in [Some("RequestResponse"), Some("DryRun"), None] {
        let mut headers = vec![SIGNED];
        headers.extend(kind.map(|k| ("X-Amz-Invocation-Type", k)));
        let answer = invoke(&lambda, &headers, b"{\"n\":0}").await;
        assert_eq!(answer.status, 400, "{kind:?}");
        let (code, message) = error_of(&answer);
        assert_eq!(code, "InvalidRequestContentException");
        assert!(message.contains("Event"), "{message}");
    }
    let kinds: Vec<Option<String>> = lambda
        .invocations()
        .into_iter()
        .map(|i| i.invocation_type)
        .collect();
    assert_eq!(
        kinds,
        [Some("RequestResponse".into()), Some("DryRun".into()), None]
    );
    assert_eq!(lambda.accepted(), 0);
    invoke_event(&lambda, &json!({"n": 1})).await;
    assert_eq!(next_payload(&runtime).await, json!({"n": 1}));
}

/// A JSON string payload of exactly `size` bytes.
fn payload_of(size: usize) -> Vec<u8> {
    format!("\"{}\"", "x".repeat(size - 2)).into_bytes()
}

#[tokio::test]
async fn a_payload_over_256_kb_is_refused_413_and_one_at_the_limit_accepted() {
    let (lambda, runtime) = wired().await;
    assert_eq!(ASYNC_PAYLOAD_LIMIT, 262_144);
    let answer = invoke(
        &lambda,
        &[SIGNED, EVENT],
        &payload_of(ASYNC_PAYLOAD_LIMIT + 1),
    )
    .await;
    assert_eq!(answer.status, 413);
    assert_eq!(error_of(&answer).0, "RequestTooLargeException");
    let at_limit = payload_of(ASYNC_PAYLOAD_LIMIT);
    let answer = invoke(&lambda, &[SIGNED, EVENT], &at_limit).await;
    assert_eq!(answer.status, 202);
    let delivered = next_payload(&runtime).await;
    assert_eq!(delivered.to_string().len(), ASYNC_PAYLOAD_LIMIT);
    assert_eq!(lambda.accepted(), 1);
}

#[tokio::test]
async fn a_payload_that_is_not_json_is_refused_400_and_recorded_without_one() {
    let (lambda, _runtime) = wired().await;
    let answer = invoke(&lambda, &[SIGNED, EVENT], b"not json").await;
    assert_eq!(answer.status, 400);
    assert_eq!(error_of(&answer).0, "InvalidRequestContentException");
    let invoked = lambda.invocations();
    assert_eq!(invoked[0].payload, None);
    assert_eq!(invoked[0].status, 400);
}

#[tokio::test]
async fn a_throttle_is_429_with_lambdas_reason_once_then_invokes_are_accepted() {
    let (lambda, runtime) = wired().await;
    lambda.fail_next(InvokeFault::Throttle, 1);
    let answer = invoke_event(&lambda, &json!({"n": 0})).await;
    assert_eq!(answer.status, 429);
    let (code, _) = error_of(&answer);
    assert_eq!(code, "TooManyRequestsException");
    assert_eq!(
        answer.json()["Reason"],
        "ReservedFunctionConcurrentInvocationLimitExceeded"
    );
    assert_eq!(invoke_event(&lambda, &json!({"n": 1})).await.status, 202);
    assert_eq!(next_payload(&runtime).await, json!({"n": 1}));
    let statuses: Vec<u16> = lambda.invocations().iter().map(|i| i.status).collect();
    assert_eq!(statuses, [429, 202]);
}

#[tokio::test]
async fn denied_and_service_errors_are_refusals_with_their_codes() {
    let (lambda, runtime) = wired().await;
    lambda.fail_next(InvokeFault::Denied, 1);
    lambda.fail_next(InvokeFault::ServiceError, 1);
    let denied = invoke_event(&lambda, &json!({"n": 0})).await;
    assert_eq!(denied.status, 403);
    assert_eq!(error_of(&denied).0, "AccessDeniedException");
    let failed = invoke_event(&lambda, &json!({"n": 0})).await;
    assert_eq!(failed.status, 500);
    assert_eq!(error_of(&failed).0, "ServiceException");
    assert_eq!(lambda.accepted(), 0);
    invoke_event(&lambda, &json!({"n": 1})).await;
    assert_eq!(next_payload(&runtime).await, json!({"n": 1}));
}

#[tokio::test]
async fn a_duplicate_is_delivered_twice() {
    let (lambda, runtime) = wired().await;
    lambda.fail_next(InvokeFault::Duplicate, 1);
    assert_eq!(invoke_event(&lambda, &json!({"n": 0})).await.status, 202);
    assert_eq!(invoke_event(&lambda, &json!({"n": 1})).await.status, 202);
    assert_eq!(next_payload(&runtime).await, json!({"n": 0}));
    assert_eq!(next_payload(&runtime).await, json!({"n": 0}));
    assert_eq!(next_payload(&runtime).await, json!({"n": 1}));
    assert_eq!(lambda.accepted(), 2);
    assert!(next(&runtime, Duration::from_millis(300)).await.is_none());
}

#[tokio::test]
async fn a_lost_invocation_is_answered_202_and_never_delivered() {
    let (lambda, runtime) = wired().await;
    lambda.fail_next(InvokeFault::Lost, 1);
    assert_eq!(invoke_event(&lambda, &json!({"n": 0})).await.status, 202);
    assert_eq!(invoke_event(&lambda, &json!({"n": 1})).await.status, 202);
    assert_eq!(lambda.accepted(), 2);
    // Deliveries are queued before the 202: the first one out is the second invocation's.
    assert_eq!(next_payload(&runtime).await, json!({"n": 1}));
    assert!(next(&runtime, Duration::from_millis(300)).await.is_none());
}

#[tokio::test]
async fn a_delayed_invocation_is_answered_at_once_and_delivered_after_the_delay() {
    let (lambda, runtime) = wired().await;
    let delay = Duration::from_millis(400);
    lambda.fail_next(InvokeFault::Delayed(delay), 1);
    let start = Instant::now();
    assert_eq!(invoke_event(&lambda, &json!({"n": 0})).await.status, 202);
    assert!(start.elapsed() < delay, "the 202 waited for the delivery");
    assert_eq!(next_payload(&runtime).await, json!({"n": 0}));
    assert!(start.elapsed() >= delay, "delivered before the delay");
}

#[tokio::test]
async fn without_a_target_an_accepted_invocation_is_recorded_only() {
    let lambda = LambdaApi::start().await;
    assert_eq!(invoke_event(&lambda, &json!({"n": 0})).await.status, 202);
    assert_eq!(lambda.accepted(), 1);
}
