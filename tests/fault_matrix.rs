//! The fault matrix, end to end through the binary: every Connect call each flow makes on its
//! way to success ×
//! {429, 500, a delay past the deadline, a connection reset}, and the ResponseURL sink ×
//! {500, 503, slow, refused-then-ok}. Every cell asserts that an answer arrives before the
//! Lambda deadline, that no user is lost or duplicated, and, where an Update failed part-way,
//! that the swapped-property rollback converges. The matrix is generated from the tables below.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::connect_emulator::{seed, Fault};
use support::events;
use support::examples::seed_examples;
use support::sink::{Behaviour, Sink};
use support::stack::LocalStack;
use tokio::task::JoinSet;

const INSTANCE: &str = seed::INSTANCE_MANAGED;
/// The Lambda timeout of each faulted event; the guard stops work 2 s before it. Retries of
/// the recoverable faults need under 4 s even at their unluckiest, so loaded machines pass.
const TIMEOUT: Duration = Duration::from_secs(12);
const MARGIN_MS: &str = "2000";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Flow {
    Create,
    /// An in-place Update through `PhoneConfig`, a routing profile and a proficiency level.
    Update,
    /// The same Update with a per-channel setting added, so it goes through `UpdateUserConfig`.
    UpdateChannels,
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ConnectFault {
    Throttle,
    ServerError,
    DelayPastDeadline,
    Reset,
}

impl ConnectFault {
    const ALL: [ConnectFault; 4] = [
        Self::Throttle,
        Self::ServerError,
        Self::DelayPastDeadline,
        Self::Reset,
    ];

    fn fault(self) -> (Fault, usize) {
        match self {
            Self::Throttle => (Fault::throttle(), 3),
            Self::ServerError => (Fault::internal(), 2),
            Self::DelayPastDeadline => (Fault::Delay(Duration::from_secs(60)), 1),
            Self::Reset => (Fault::Reset, 2),
        }
    }

    /// Whether a retry inside the deadline can get past it.
    fn recoverable(self) -> bool {
        self != Self::DelayPastDeadline
    }
}

/// The Connect calls each flow makes (the new calls of the update flows only, once).
const FLOWS: [(Flow, &[&str]); 4] = [
    (Flow::Create, &["CreateUser", "AssociateUserProficiencies"]),
    (
        Flow::Update,
        &[
            "DescribeUser",
            "ListUserProficiencies",
            "UpdateUserPhoneConfig",
            "UpdateUserRoutingProfile",
            "UpdateUserProficiencies",
        ],
    ),
    (Flow::UpdateChannels, &["UpdateUserConfig"]),
    (Flow::Delete, &["DeleteUser"]),
];

/// How many cells the Connect matrix has.
const CONNECT_CELLS: usize = 9 * 4;

fn properties() -> Value {
    let mut properties = seed_examples()[0].1.clone();
    properties["UserProficiencies"] =
        json!([{"AttributeName": "Language", "AttributeValue": "English", "Level": 3}]);
    properties
}

fn changed(flow: Flow) -> Value {
    let mut new = properties();
    new["PhoneConfig"]["AfterContactWorkTimeLimit"] = json!(45);
    new["RoutingProfileId"] = json!(seed::ROUTING_PROFILES[1]);
    new["UserProficiencies"][0]["Level"] = json!(5);
    if flow == Flow::UpdateChannels {
        new["VoiceEnhancementConfigs"] =
            json!([{"Channel": "VOICE", "VoiceEnhancementMode": "VOICE_ISOLATION"}]);
    }
    new
}

/// The user's proficiency levels in the emulator.
fn levels(stack: &LocalStack, user_id: &str) -> Vec<f64> {
    stack.connect.with_world(|w| {
        w.instances[INSTANCE].users[user_id]
            .proficiencies
            .values()
            .copied()
            .collect()
    })
}

fn without_timestamp(mut user: Value) -> Value {
    user.as_object_mut().unwrap().remove("LastModifiedTime");
    user
}

/// Plays `event` with the short timeout and checks the answer beat the deadline.
async fn play_in_time(stack: &LocalStack, event: Value, cell: &str) -> Value {
    let started = Instant::now();
    let answer = stack.play_within(event, TIMEOUT).await;
    let elapsed = started.elapsed();
    assert!(
        elapsed < TIMEOUT,
        "{cell}: answered after {elapsed:?}, past the {TIMEOUT:?} deadline"
    );
    answer
}

fn assert_no_secret(stack: &LocalStack, cell: &str) {
    let output = stack.function.output();
    for secret in ["Password123", "SIGNATURE-SECRET", "X-Amz-Signature"] {
        assert!(
            !output.contains(secret),
            "{cell}: {secret} leaked into the log"
        );
    }
}

async fn run_connect_cell(flow: Flow, operation: &'static str, fault: ConnectFault) -> String {
    let cell = format!("{flow:?} × {operation} × {fault:?}");
    let stack = LocalStack::start_with(&[("RESPONSE_MARGIN_MS", MARGIN_MS)]).await;
    let (injected, times) = fault.fault();
    match flow {
        Flow::Create => {
            stack.connect.inject(operation, injected, times);
            let id = stack.request_id("create");
            let answer = play_in_time(
                &stack,
                events::create(&stack.sink, &id, "Agent", &properties()),
                &cell,
            )
            .await;
            if fault.recoverable() {
                assert_eq!(answer["Status"], "SUCCESS", "{cell}: {answer}");
                let user = answer["Data"]["UserId"].as_str().unwrap();
                assert!(
                    stack.connect.user(INSTANCE, user).is_some(),
                    "{cell}: the answer names the user"
                );
                assert_eq!(levels(&stack, user), vec![3.0], "{cell}");
            } else {
                // A hung call is cut off while time remains to clean up: a hung CreateUser made
                // nothing; after a hung association the user is deleted again. Either way the
                // answer carries the marker and nothing is left, before any rollback Delete.
                assert_eq!(answer["Status"], "FAILED", "{cell}: {answer}");
                let reason = answer["Reason"].as_str().unwrap();
                let expected = match operation {
                    "CreateUser" => "CreateUser: Timeout: no answer in the time kept free",
                    _ => "the user was deleted again, so nothing is left behind",
                };
                assert!(reason.contains(expected), "{cell}: {answer}");
                let id = answer["PhysicalResourceId"].as_str().unwrap().to_owned();
                assert!(id.starts_with("failed-create."), "{cell}: {id}");
                assert_eq!(stack.connect.user_count(INSTANCE), 0, "{cell}: {answer}");
                assert_eq!(
                    stack.delete("Agent", &id, &properties()).await["Status"],
                    "SUCCESS"
                );
                assert_eq!(
                    stack.connect.user_count(INSTANCE),
                    0,
                    "{cell}: a cut-off Create left a user behind"
                );
            }
            assert!(
                stack.connect.user_count(INSTANCE) <= 1,
                "{cell}: duplicated"
            );
        }
        Flow::Update | Flow::UpdateChannels => {
            let created = stack.create("Agent", &properties()).await;
            let id = created["PhysicalResourceId"].as_str().unwrap().to_owned();
            let user_id = created["Data"]["UserId"].as_str().unwrap().to_owned();
            let before = without_timestamp(stack.connect.user(INSTANCE, &user_id).unwrap());
            stack.connect.inject(operation, injected, times);
            let request = stack.request_id("update");
            let event = events::update(
                &stack.sink,
                &request,
                "Agent",
                &id,
                &changed(flow),
                &properties(),
            );
            let answer = play_in_time(&stack, event, &cell).await;
            assert_eq!(
                answer["PhysicalResourceId"],
                id.as_str(),
                "{cell}: updated in place or echoed"
            );
            if fault.recoverable() {
                assert_eq!(answer["Status"], "SUCCESS", "{cell}: {answer}");
                let user = stack.connect.user(INSTANCE, &user_id).unwrap();
                assert_eq!(
                    user["RoutingProfileId"],
                    seed::ROUTING_PROFILES[1],
                    "{cell}"
                );
                assert_eq!(
                    user["PhoneConfig"]["AfterContactWorkTimeLimit"], 45,
                    "{cell}"
                );
                assert_eq!(levels(&stack, &user_id), vec![5.0], "{cell}");
            } else {
                assert_eq!(answer["Status"], "FAILED", "{cell}: {answer}");
                let rollback = stack
                    .update("Agent", &id, &properties(), &changed(flow))
                    .await;
                assert_eq!(rollback["Status"], "SUCCESS", "{cell}: rollback {rollback}");
                let after = without_timestamp(stack.connect.user(INSTANCE, &user_id).unwrap());
                assert_eq!(after, before, "{cell}: the rollback converged back");
                assert_eq!(levels(&stack, &user_id), vec![3.0], "{cell}");
            }
            assert_eq!(
                stack.connect.user_count(INSTANCE),
                1,
                "{cell}: lost or duplicated"
            );
        }
        Flow::Delete => {
            let created = stack.create("Agent", &properties()).await;
            let id = created["PhysicalResourceId"].as_str().unwrap().to_owned();
            stack.connect.inject(operation, injected, times);
            let request = stack.request_id("delete");
            let answer = play_in_time(
                &stack,
                events::delete(&stack.sink, &request, "Agent", &id, &properties()),
                &cell,
            )
            .await;
            assert_eq!(answer["PhysicalResourceId"], id.as_str(), "{cell}");
            if fault.recoverable() {
                assert_eq!(answer["Status"], "SUCCESS", "{cell}: {answer}");
            } else {
                assert_eq!(answer["Status"], "FAILED", "{cell}: {answer}");
                assert_eq!(
                    stack.connect.user_count(INSTANCE),
                    1,
                    "{cell}: a failed Delete keeps the user"
                );
                assert_eq!(
                    stack.delete("Agent", &id, &properties()).await["Status"],
                    "SUCCESS",
                    "{cell}: retried"
                );
            }
            assert_eq!(stack.connect.user_count(INSTANCE), 0, "{cell}");
        }
    }
    assert_no_secret(&stack, &cell);
    cell
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_connect_call_under_every_fault() {
    let mut cells = JoinSet::new();
    for (flow, operations) in FLOWS {
        for operation in operations {
            for fault in ConnectFault::ALL {
                cells.spawn(run_connect_cell(flow, operation, fault));
            }
        }
    }
    let mut passed = Vec::new();
    while let Some(result) = cells.join_next().await {
        match result {
            Ok(cell) => passed.push(cell),
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }
    assert_eq!(passed.len(), CONNECT_CELLS, "{passed:?}");
}

#[derive(Debug, Clone, Copy)]
enum SinkFault {
    Errors(u16),
    Slow,
    RefusedThenOk,
}

async fn run_sink_cell(fault: SinkFault) -> String {
    let cell = format!("sink × {fault:?}");
    let stack = LocalStack::start_with(&[("RESPONSE_MARGIN_MS", MARGIN_MS)]).await;
    let request = stack.request_id("create");
    let answer = match fault {
        SinkFault::Errors(status) => {
            stack
                .sink
                .script(&[Behaviour::Status(status), Behaviour::Status(status)]);
            play_in_time(
                &stack,
                events::create(&stack.sink, &request, "Agent", &properties()),
                &cell,
            )
            .await
        }
        SinkFault::Slow => {
            stack
                .sink
                .script(&[Behaviour::Delay(Duration::from_secs(2))]);
            play_in_time(
                &stack,
                events::create(&stack.sink, &request, "Agent", &properties()),
                &cell,
            )
            .await
        }
        SinkFault::RefusedThenOk => {
            // Nothing listens on the ResponseURL's port at first; a sink comes up 800 ms later.
            // The port comes from below Linux's ephemeral range (32768+), so that no outgoing
            // connection of this or another test can take it in the meantime.
            let addr = (20_000 + std::process::id() as u16 % 5_000..32_000)
                .find_map(|port| std::net::TcpListener::bind(("127.0.0.1", port)).ok())
                .and_then(|probe| probe.local_addr().ok())
                .expect("a free port below the ephemeral range");
            let mut event = events::create(&stack.sink, &request, "Agent", &properties());
            event["ResponseURL"] = json!(Sink::url_at(addr, &request));
            let started = Instant::now();
            let id = stack.runtime.enqueue(event, TIMEOUT);
            tokio::time::sleep(Duration::from_millis(800)).await;
            let late = Sink::start_on(&addr.to_string()).await;
            let received = late
                .answer(&request, TIMEOUT)
                .await
                .unwrap_or_else(|| panic!("{cell}: no answer"));
            assert!(started.elapsed() < TIMEOUT, "{cell}: past the deadline");
            stack
                .runtime
                .result(&id, TIMEOUT)
                .await
                .expect("answered Lambda");
            received.json()
        }
    };
    assert_eq!(answer["Status"], "SUCCESS", "{cell}: {answer}");
    assert_eq!(
        stack.connect.user_count(INSTANCE),
        1,
        "{cell}: lost or duplicated"
    );
    assert_no_secret(&stack, &cell);
    cell
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_sink_fault() {
    let mut cells = JoinSet::new();
    for fault in [
        SinkFault::Errors(500),
        SinkFault::Errors(503),
        SinkFault::Slow,
        SinkFault::RefusedThenOk,
    ] {
        cells.spawn(run_sink_cell(fault));
    }
    let mut passed = 0;
    while let Some(result) = cells.join_next().await {
        if let Err(error) = result {
            std::panic::resume_unwind(error.into_panic());
        }
        passed += 1;
    }
    assert_eq!(passed, 4);
}
