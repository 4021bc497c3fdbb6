//! The emulator without a server: [`ConnectEmulator::handle`] and
//! [`ConnectEmulator::respond`] give the server's answers, and faults, throttling and the call
//! record behave as over HTTP (tests/emulator.rs drives the same through the server).

use std::time::Duration;

use serde_json::{json, Value};

use super::{seed, ConnectEmulator, Fault, Handling, HttpAnswer};

const MANAGED: &str = seed::INSTANCE_MANAGED;
/// The signature header the emulator looks for (it checks its form only).
const SIGNED: (&str, &str) = (
    "Authorization",
    "AWS4-HMAC-SHA256 Credential=AKIDLOCALEMULATOR/20260101/us-east-1/connect/aws4_request, SignedHeaders=host, Signature=0",
);

fn create_body(name: &str) -> Vec<u8> {
    json!({
        "Username": name,
        "Password": "Password123",
        "IdentityInfo": {"FirstName": "Ada", "LastName": "Lovelace"},
        "PhoneConfig": {"PhoneType": "SOFT_PHONE", "AfterContactWorkTimeLimit": 0},
        "SecurityProfileIds": [seed::SECURITY_PROFILES[0]],
        "RoutingProfileId": seed::ROUTING_PROFILES[0],
    })
    .to_string()
    .into_bytes()
}

fn answered(handling: Handling) -> HttpAnswer {
    match handling {
        Handling::Answer(answer) => answer,
        Handling::Wait { .. } => panic!("held, not answered"),
        Handling::Closed => panic!("closed, not answered"),
    }
}

fn json_of(answer: &HttpAnswer) -> Value {
    serde_json::from_slice(&answer.body).unwrap()
}

fn create(emulator: &ConnectEmulator, name: &str) -> Handling {
    emulator.handle(
        "PUT",
        &format!("/users/{MANAGED}"),
        &[SIGNED],
        &create_body(name),
    )
}

fn statuses(emulator: &ConnectEmulator) -> Vec<(String, u16)> {
    emulator
        .calls()
        .into_iter()
        .map(|c| (c.operation, c.status))
        .collect()
}

#[test]
fn a_request_is_served_without_a_socket() {
    let emulator = ConnectEmulator::in_memory();
    let created = answered(create(&emulator, "agent"));
    assert_eq!(created.status, 200, "{:?}", json_of(&created));
    assert_eq!(created.header("Content-Type"), Some("application/json"));
    let id = json_of(&created)["UserId"].as_str().unwrap().to_owned();
    // Labels from the path, the query string, and the world the tests inspect.
    let described =
        answered(emulator.handle("GET", &format!("/users/{MANAGED}/{id}"), &[SIGNED], b""));
    assert_eq!(json_of(&described)["User"]["Username"], "agent");
    answered(create(&emulator, "second"));
    let page = answered(emulator.handle(
        "GET",
        &format!("/users-summary/{MANAGED}?maxResults=1"),
        &[SIGNED],
        b"",
    ));
    assert_eq!(
        json_of(&page)["UserSummaryList"].as_array().unwrap().len(),
        1
    );
    assert_eq!(emulator.user_count(MANAGED), 2);
    assert_eq!(
        emulator.served(),
        ["CreateUser", "DescribeUser", "CreateUser", "ListUsers"]
    );
}

#[test]
fn refusals_answer_as_connect_does() {
    let emulator = ConnectEmulator::in_memory();
    let unsigned = answered(emulator.handle(
        "PUT",
        &format!("/users/{MANAGED}"),
        &[],
        &create_body("agent"),
    ));
    assert_eq!(
        (unsigned.status, unsigned.header("x-amzn-ErrorType")),
        (403, Some("MissingAuthenticationTokenException"))
    );
    let unknown = answered(emulator.handle("GET", "/no-such-thing", &[SIGNED], b""));
    assert_eq!(
        (unknown.status, unknown.header("x-amzn-errortype")),
        (404, Some("UnknownOperationException"))
    );
    let not_json =
        answered(emulator.handle("PUT", &format!("/users/{MANAGED}"), &[SIGNED], b"[1]"));
    assert_eq!(
        (not_json.status, not_json.header("x-amzn-ErrorType")),
        (400, Some("SerializationException"))
    );
    assert_eq!(emulator.user_count(MANAGED), 0);
    // An unknown route is not a call; the other two are recorded.
    assert_eq!(
        statuses(&emulator),
        [("CreateUser".into(), 403), ("CreateUser".into(), 400)]
    );
}

#[test]
fn injected_errors_and_bare_statuses_then_service_again() {
    let emulator = ConnectEmulator::in_memory();
    emulator.inject("CreateUser", Fault::internal(), 1);
    emulator.inject("CreateUser", Fault::Bare(503), 1);
    let error = answered(create(&emulator, "agent"));
    assert_eq!(
        (error.status, error.header("x-amzn-ErrorType")),
        (500, Some("InternalServiceException"))
    );
    let bare = answered(create(&emulator, "agent"));
    assert_eq!((bare.status, bare.header("x-amzn-ErrorType")), (503, None));
    assert_eq!(bare.header("content-type"), Some("text/html"));
    assert_eq!(emulator.user_count(MANAGED), 0);
    assert_eq!(answered(create(&emulator, "agent")).status, 200);
    assert_eq!(
        statuses(&emulator),
        [
            ("CreateUser".into(), 500),
            ("CreateUser".into(), 503),
            ("CreateUser".into(), 200)
        ]
    );
}

#[test]
fn the_throttle_answers_429_once_the_burst_is_spent() {
    let emulator = ConnectEmulator::in_memory();
    // One token, refilled once in a thousand seconds: the second call finds none.
    emulator.rate_limit_operation("CreateUser", 0.001, 1);
    assert_eq!(answered(create(&emulator, "first")).status, 200);
    let throttled = answered(create(&emulator, "second"));
    assert_eq!(
        (throttled.status, throttled.header("x-amzn-ErrorType")),
        (429, Some("ThrottlingException"))
    );
    assert_eq!(json_of(&throttled)["Message"], "Rate exceeded");
    // Another operation has its own bucket (none here).
    let page =
        answered(emulator.handle("GET", &format!("/users-summary/{MANAGED}"), &[SIGNED], b""));
    assert_eq!(page.status, 200);
    assert_eq!(emulator.user_count(MANAGED), 1);
}

#[test]
fn a_delayed_call_is_served_only_when_finished_and_never_if_abandoned() {
    let emulator = ConnectEmulator::in_memory();
    emulator.inject("CreateUser", Fault::Delay(Duration::from_secs(3)), 2);
    let Handling::Wait { pause, then } = create(&emulator, "agent") else {
        panic!("a delayed call is held");
    };
    assert_eq!(pause, Duration::from_secs(3));
    assert_eq!(emulator.user_count(MANAGED), 0, "not served while held");
    assert!(emulator.calls().is_empty(), "not recorded while held");
    assert_eq!(then.finish().status, 200);
    assert_eq!(emulator.user_count(MANAGED), 1);
    // A caller that gives up drops it: never served, never recorded.
    let Handling::Wait { then, .. } = create(&emulator, "other") else {
        panic!("a delayed call is held");
    };
    drop(then);
    assert_eq!(emulator.user_count(MANAGED), 1);
    assert_eq!(statuses(&emulator), [("CreateUser".into(), 200)]);
}

#[test]
fn a_late_answer_comes_after_the_work_is_done() {
    let emulator = ConnectEmulator::in_memory();
    emulator.inject("CreateUser", Fault::Late(Duration::from_secs(2)), 1);
    let Handling::Wait { pause, then } = create(&emulator, "agent") else {
        panic!("a late answer is held");
    };
    assert_eq!(pause, Duration::from_secs(2));
    assert_eq!(emulator.user_count(MANAGED), 1, "served before the answer");
    assert!(emulator.calls().is_empty(), "recorded when answered");
    let answer = then.finish();
    assert_eq!(answer.status, 200);
    assert!(json_of(&answer)["UserId"].is_string());
    assert_eq!(statuses(&emulator), [("CreateUser".into(), 200)]);
}

#[test]
fn reset_and_dropped_close_without_an_answer() {
    let emulator = ConnectEmulator::in_memory();
    emulator.inject("CreateUser", Fault::Reset, 1);
    emulator.inject("CreateUser", Fault::Dropped, 1);
    assert!(matches!(create(&emulator, "agent"), Handling::Closed));
    assert_eq!(emulator.user_count(MANAGED), 0, "a reset serves nothing");
    assert!(matches!(create(&emulator, "agent"), Handling::Closed));
    assert_eq!(
        emulator.user_count(MANAGED),
        1,
        "a dropped answer's work is done"
    );
    assert_eq!(
        statuses(&emulator),
        [("CreateUser".into(), 0), ("CreateUser".into(), 0)]
    );
}

#[tokio::test]
async fn respond_waits_out_a_held_answer_and_a_caller_can_give_up() {
    let emulator = ConnectEmulator::in_memory();
    let path = format!("/users/{MANAGED}");
    emulator.inject("CreateUser", Fault::Delay(Duration::from_millis(20)), 1);
    let answer = emulator
        .respond("PUT", &path, &[SIGNED], &create_body("agent"))
        .await;
    assert_eq!(answer.map(|a| a.status), Some(200));
    // Given up before the delay ends: the future is dropped and the call never served.
    emulator.inject("CreateUser", Fault::Delay(Duration::from_secs(60)), 1);
    let body = create_body("other");
    let gave_up = tokio::time::timeout(
        Duration::from_millis(20),
        emulator.respond("PUT", &path, &[SIGNED], &body),
    )
    .await;
    assert!(gave_up.is_err());
    assert_eq!(emulator.user_count(MANAGED), 1);
    emulator.inject("CreateUser", Fault::Reset, 1);
    let closed = emulator
        .respond("PUT", &path, &[SIGNED], &create_body("third"))
        .await;
    assert_eq!(closed, None);
}

#[test]
#[should_panic(expected = "no endpoint")]
fn an_in_memory_emulator_has_no_endpoint() {
    ConnectEmulator::in_memory().endpoint();
}
