//! The fault matrix, end to end through the binary: every Connect call the function can make
//! (all sixteen actions of the IAM source of truth), each on the flow that makes it, ×
//! {429, 500, a delay past the deadline, a connection reset}, and every call that changes
//! something also × {served but its answer lost with the connection, served but its answer held
//! past the deadline} — the cases the ownership tag and the lost-answer checks exist for; and
//! the ResponseURL sink × {500, 503, slow, refused-then-ok}. Every cell asserts that an answer
//! arrives before the Lambda deadline the test set, that no user is lost or duplicated, and,
//! where an Update failed part-way, that the swapped-property rollback converges. The matrix
//! is generated from the tables below and runs a bounded number of cells at a time, so that a
//! 2-core machine is not asked to run a hundred function processes at once.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use testkit::connect_emulator::{seed, Fault};
use testkit::events;
use testkit::examples::seed_examples;
use testkit::lambda_api::InvokeFault;
use testkit::sink::Behaviour;
use testkit::stack::LocalStack;
use testkit::OWNERSHIP_TAG;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const INSTANCE: &str = seed::INSTANCE_MANAGED;
/// The Lambda timeout of each faulted event; the guard stops work 2 s before it. Retries of
/// the recoverable faults need under 4 s even at their unluckiest.
const TIMEOUT: Duration = Duration::from_secs(12);
const MARGIN_MS: &str = "2000";
/// Cells running at once.
const CONCURRENT_CELLS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Flow {
    Create,
    /// A Create delivered again after its first delivery made the user and lost the answer:
    /// the user is found by name (`ListUsers`) and adopted.
    RedeliveredCreate,
    /// An in-place Update that changes everything `PhoneConfig` users can change.
    Update,
    /// The same Update with a per-channel setting added, so it goes through `UpdateUserConfig`.
    UpdateChannels,
    Delete,
    /// A Create with `AdoptExistingUser` that finds a console-made user in one `SearchUsers`.
    Adopt,
    /// A Create that names its routing profile, security profiles and hierarchy group.
    ByNames,
    /// A Create naming a hierarchy group two groups share: refused, naming each group's level.
    AmbiguousGroup,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ConnectFault {
    Throttle,
    ServerError,
    DelayPastDeadline,
    Reset,
    /// Served, then the connection closes before the answer: a retry meets the work done.
    LostAnswer,
    /// Served, then the answer is held past the deadline.
    LateAnswer,
}

impl ConnectFault {
    const READS: [ConnectFault; 4] = [
        Self::Throttle,
        Self::ServerError,
        Self::DelayPastDeadline,
        Self::Reset,
    ];
    const WRITES: [ConnectFault; 6] = [
        Self::Throttle,
        Self::ServerError,
        Self::DelayPastDeadline,
        Self::Reset,
        Self::LostAnswer,
        Self::LateAnswer,
    ];

    fn fault(self) -> (Fault, usize) {
        match self {
            Self::Throttle => (Fault::throttle(), 3),
            Self::ServerError => (Fault::internal(), 2),
            Self::DelayPastDeadline => (Fault::Delay(Duration::from_secs(60)), 1),
            Self::Reset => (Fault::Reset, 2),
            Self::LostAnswer => (Fault::Dropped, 1),
            Self::LateAnswer => (Fault::Late(Duration::from_secs(60)), 1),
        }
    }

    /// Whether a retry inside the deadline can get past it.
    fn recoverable(self) -> bool {
        !matches!(self, Self::DelayPastDeadline | Self::LateAnswer)
    }
}

/// The Connect calls each flow makes (each call once, on the flow that first makes it), and
/// whether the call changes something.
const FLOWS: [(Flow, &[(&str, bool)]); 8] = [
    (
        Flow::Create,
        &[("CreateUser", true), ("AssociateUserProficiencies", true)],
    ),
    (Flow::RedeliveredCreate, &[("ListUsers", false)]),
    (
        Flow::Update,
        &[
            ("DescribeUser", false),
            ("ListUserProficiencies", false),
            ("UpdateUserIdentityInfo", true),
            ("UpdateUserPhoneConfig", true),
            ("UpdateUserRoutingProfile", true),
            ("UpdateUserSecurityProfiles", true),
            ("UpdateUserHierarchy", true),
            ("DisassociateUserProficiencies", true),
            ("UpdateUserProficiencies", true),
            ("AssociateUserProficiencies", true),
            ("UntagResource", true),
            ("TagResource", true),
        ],
    ),
    (Flow::UpdateChannels, &[("UpdateUserConfig", true)]),
    (Flow::Delete, &[("DeleteUser", true)]),
    (Flow::Adopt, &[("SearchUsers", false)]),
    (
        Flow::ByNames,
        &[
            ("ListRoutingProfiles", false),
            ("ListSecurityProfiles", false),
            ("ListUserHierarchyGroups", false),
        ],
    ),
    (
        Flow::AmbiguousGroup,
        &[("DescribeUserHierarchyGroup", false)],
    ),
];

fn properties() -> Value {
    let mut properties = seed_examples()[0].1.clone();
    properties["UserProficiencies"] = json!([
        {"AttributeName": "Language", "AttributeValue": "English", "Level": 3},
        {"AttributeName": "Language", "AttributeValue": "Spanish", "Level": 2}
    ]);
    properties["Tags"] = json!({"team": "blue", "old": "x"});
    properties
}

/// Every kind of in-place change at once: one call of each update operation.
fn changed(flow: Flow) -> Value {
    let mut new = properties();
    new["IdentityInfo"]["LastName"] = json!("changed");
    new["PhoneConfig"]["AfterContactWorkTimeLimit"] = json!(45);
    new["RoutingProfileId"] = json!(seed::ROUTING_PROFILES[1]);
    new["SecurityProfileIds"] = json!([seed::SECURITY_PROFILES[0], seed::SECURITY_PROFILES[1]]);
    new["HierarchyGroupId"] = json!(seed::HIERARCHY_GROUPS[0]);
    // English updated, Spanish disassociated, French associated.
    new["UserProficiencies"] = json!([
        {"AttributeName": "Language", "AttributeValue": "English", "Level": 5},
        {"AttributeName": "Language", "AttributeValue": "French", "Level": 1}
    ]);
    // `old` untagged, `team` and `new` tagged.
    new["Tags"] = json!({"team": "green", "new": "y"});
    if flow == Flow::UpdateChannels {
        new["VoiceEnhancementConfigs"] =
            json!([{"Channel": "VOICE", "VoiceEnhancementMode": "VOICE_ISOLATION"}]);
    }
    new
}

/// The user's proficiencies in the emulator, as `value → level`.
fn levels(stack: &LocalStack, user_id: &str) -> Vec<(String, f64)> {
    stack.connect.with_world(|w| {
        w.instances[INSTANCE].users[user_id]
            .proficiencies
            .iter()
            .map(|((_, value), level)| (value.clone(), *level))
            .collect()
    })
}

/// The user as `DescribeUser` shows it, for comparing states: without its timestamp, and with
/// an `AgentFirstCallbackAutoAccept: false` dropped, since it means what its absence means (a
/// converging update writes it out to reset it).
fn comparable(mut user: Value) -> Value {
    user.as_object_mut().unwrap().remove("LastModifiedTime");
    for entry in user["AutoAcceptConfigs"].as_array_mut().unwrap() {
        if entry["AgentFirstCallbackAutoAccept"] == json!(false) {
            entry
                .as_object_mut()
                .unwrap()
                .remove("AgentFirstCallbackAutoAccept");
        }
    }
    user
}

/// Plays `event` with the short timeout and checks the answer beat the deadline it set.
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

async fn assert_no_secret(stack: &mut LocalStack, cell: &str) {
    let output = stack.function.stop().await;
    assert!(!output.is_empty(), "{cell}: the log is there");
    for secret in ["Password123", "SIGNATURE-SECRET", "X-Amz-Signature"] {
        assert!(
            !output.contains(secret),
            "{cell}: {secret} leaked into the log"
        );
    }
}

/// What a recoverable Update must have made, in full.
fn assert_updated(stack: &LocalStack, user_id: &str, cell: &str) {
    let user = stack.connect.user_view(INSTANCE, user_id).unwrap();
    assert_eq!(
        user.identity_info.last_name.as_deref(),
        Some("changed"),
        "{cell}"
    );
    assert_eq!(
        user.phone_config.after_contact_work_time_limit,
        Some(45),
        "{cell}"
    );
    assert_eq!(user.routing_profile_id, seed::ROUTING_PROFILES[1], "{cell}");
    assert_eq!(
        user.security_profiles(),
        BTreeSet::from([seed::SECURITY_PROFILES[0], seed::SECURITY_PROFILES[1]]),
        "{cell}"
    );
    assert_eq!(
        user.hierarchy_group_id.as_deref(),
        Some(seed::HIERARCHY_GROUPS[0]),
        "{cell}"
    );
    assert_eq!(
        levels(stack, user_id),
        vec![("English".into(), 5.0), ("French".into(), 1.0)],
        "{cell}"
    );
    assert_eq!(
        user.tags.get("team").map(String::as_str),
        Some("green"),
        "{cell}"
    );
    assert_eq!(
        user.tags.get("new").map(String::as_str),
        Some("y"),
        "{cell}"
    );
    assert!(!user.tags.contains_key("old"), "{cell}");
}

async fn create_cell(stack: &LocalStack, operation: &str, fault: ConnectFault, cell: &str) {
    let (injected, times) = fault.fault();
    stack.connect.inject(operation, injected, times);
    let id = stack.request_id("create");
    let answer = play_in_time(
        stack,
        events::create(&stack.sink, &id, "Agent", &properties()),
        cell,
    )
    .await;
    if fault.recoverable() {
        assert_eq!(answer["Status"], "SUCCESS", "{cell}: {answer}");
        let user = answer["Data"]["UserId"].as_str().unwrap();
        assert!(
            stack.connect.user(INSTANCE, user).is_some(),
            "{cell}: the answer names the user"
        );
        assert_eq!(
            levels(stack, user),
            vec![("English".into(), 3.0), ("Spanish".into(), 2.0)],
            "{cell}"
        );
        assert_eq!(stack.connect.user_count(INSTANCE), 1, "{cell}: duplicated");
        return;
    }
    // A call cut off while time remains to clean up: a hung CreateUser made nothing, or made
    // the user and the answer names it; after a hung association the user is deleted again.
    // Either way CloudFormation's rollback Delete of the answer's id leaves nothing.
    assert_eq!(answer["Status"], "FAILED", "{cell}: {answer}");
    let reason = answer["Reason"].as_str().unwrap();
    let id = answer["PhysicalResourceId"].as_str().unwrap().to_owned();
    match (operation, fault) {
        ("CreateUser", ConnectFault::DelayPastDeadline) => {
            assert!(reason.contains("CreateUser: Timeout"), "{cell}: {reason}");
            assert!(id.starts_with("failed-create."), "{cell}: {id}");
            assert_eq!(stack.connect.user_count(INSTANCE), 0, "{cell}");
        }
        ("CreateUser", _) => {
            assert!(
                reason.contains("made the user all the same"),
                "{cell}: {reason}"
            );
            assert!(id.starts_with(&format!("{INSTANCE}:")), "{cell}: {id}");
            assert_eq!(stack.connect.user_count(INSTANCE), 1, "{cell}");
        }
        _ => {
            assert!(
                reason.contains("nothing is left behind"),
                "{cell}: {reason}"
            );
            assert!(id.starts_with("failed-create."), "{cell}: {id}");
            assert_eq!(stack.connect.user_count(INSTANCE), 0, "{cell}");
        }
    }
    let rollback = stack.delete("Agent", &id, &properties()).await;
    assert_eq!(rollback["Status"], "SUCCESS", "{cell}: {rollback}");
    assert_eq!(
        stack.connect.user_count(INSTANCE),
        0,
        "{cell}: a cut-off Create left a user behind"
    );
}

async fn redelivered_create_cell(
    stack: &LocalStack,
    operation: &str,
    fault: ConnectFault,
    cell: &str,
) {
    // The first delivery made the user (with its ownership tag) and lost its answer.
    let request = stack.request_id("create");
    let mut made = properties();
    made["Username"] = made["Name"].clone();
    made["Tags"] = json!({OWNERSHIP_TAG: request});
    let made_id = stack
        .connect
        .with_world(|w| w.create_user(INSTANCE, &made))
        .unwrap()["UserId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (injected, times) = fault.fault();
    stack.connect.inject(operation, injected, times);
    let answer = play_in_time(
        stack,
        events::create(&stack.sink, &request, "Agent", &properties()),
        cell,
    )
    .await;
    if fault.recoverable() {
        assert_eq!(answer["Status"], "SUCCESS", "{cell}: {answer}");
        assert_eq!(
            answer["Data"]["UserId"],
            made_id.as_str(),
            "{cell}: adopted"
        );
        assert_eq!(
            levels(stack, &made_id),
            vec![("English".into(), 3.0), ("Spanish".into(), 2.0)],
            "{cell}: converged"
        );
    } else {
        assert_eq!(answer["Status"], "FAILED", "{cell}: {answer}");
    }
    assert_eq!(
        stack.connect.user_count(INSTANCE),
        1,
        "{cell}: lost or duplicated"
    );
}

async fn update_cell(
    stack: &LocalStack,
    flow: Flow,
    operation: &str,
    fault: ConnectFault,
    cell: &str,
) {
    let created = stack.create("Agent", &properties()).await;
    let id = created["PhysicalResourceId"].as_str().unwrap().to_owned();
    let user_id = created["Data"]["UserId"].as_str().unwrap().to_owned();
    let before = comparable(stack.connect.user(INSTANCE, &user_id).unwrap());
    let levels_before = levels(stack, &user_id);
    let (injected, times) = fault.fault();
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
    let answer = play_in_time(stack, event, cell).await;
    assert_eq!(
        answer["PhysicalResourceId"],
        id.as_str(),
        "{cell}: updated in place or echoed"
    );
    if fault.recoverable() {
        assert_eq!(answer["Status"], "SUCCESS", "{cell}: {answer}");
        assert_updated(stack, &user_id, cell);
    } else {
        assert_eq!(answer["Status"], "FAILED", "{cell}: {answer}");
        let rollback = stack
            .update("Agent", &id, &properties(), &changed(flow))
            .await;
        assert_eq!(rollback["Status"], "SUCCESS", "{cell}: rollback {rollback}");
        let after = comparable(stack.connect.user(INSTANCE, &user_id).unwrap());
        assert_eq!(after, before, "{cell}: the rollback converged back");
        assert_eq!(levels(stack, &user_id), levels_before, "{cell}");
    }
    assert_eq!(
        stack.connect.user_count(INSTANCE),
        1,
        "{cell}: lost or duplicated"
    );
}

async fn delete_cell(stack: &LocalStack, operation: &str, fault: ConnectFault, cell: &str) {
    let created = stack.create("Agent", &properties()).await;
    let id = created["PhysicalResourceId"].as_str().unwrap().to_owned();
    let (injected, times) = fault.fault();
    stack.connect.inject(operation, injected, times);
    let request = stack.request_id("delete");
    let answer = play_in_time(
        stack,
        events::delete(&stack.sink, &request, "Agent", &id, &properties()),
        cell,
    )
    .await;
    assert_eq!(answer["PhysicalResourceId"], id.as_str(), "{cell}");
    if fault.recoverable() {
        assert_eq!(answer["Status"], "SUCCESS", "{cell}: {answer}");
    } else {
        assert_eq!(answer["Status"], "FAILED", "{cell}: {answer}");
        // A delayed call never ran; a late one did, though its answer never came.
        let left = usize::from(fault == ConnectFault::DelayPastDeadline);
        assert_eq!(stack.connect.user_count(INSTANCE), left, "{cell}");
        assert_eq!(
            stack.delete("Agent", &id, &properties()).await["Status"],
            "SUCCESS",
            "{cell}: retried"
        );
    }
    assert_eq!(stack.connect.user_count(INSTANCE), 0, "{cell}");
}

async fn adopt_cell(stack: &LocalStack, operation: &str, fault: ConnectFault, cell: &str) {
    let mut adopting = properties();
    adopting["AdoptExistingUser"] = json!("true");
    let name = adopting["Name"].as_str().unwrap().to_owned();
    let console_id = stack.connect.console_user(INSTANCE, &name);
    let before = comparable(stack.connect.user(INSTANCE, &console_id).unwrap());
    let (injected, times) = fault.fault();
    stack.connect.inject(operation, injected, times);
    let request = stack.request_id("adopt");
    let event = events::create(&stack.sink, &request, "Agent", &adopting);
    let answer = play_in_time(stack, event, cell).await;
    let id = answer["PhysicalResourceId"].as_str().unwrap().to_owned();
    if fault.recoverable() {
        assert_eq!(answer["Status"], "SUCCESS", "{cell}: {answer}");
        assert_eq!(answer["Data"]["UserId"], console_id.as_str(), "{cell}");
        let tags = &stack.connect.user(INSTANCE, &console_id).unwrap()["Tags"];
        let claim = tags[OWNERSHIP_TAG].as_str();
        assert!(
            claim.is_some_and(|c| c.starts_with("adopted/")),
            "{cell}: {tags}"
        );
    } else {
        // Cut off before the lookup answered: nothing claimed, nothing changed, and the
        // answer never names the console user.
        assert_eq!(answer["Status"], "FAILED", "{cell}: {answer}");
        assert!(id.starts_with("failed-create."), "{cell}: {id}");
        let after = comparable(stack.connect.user(INSTANCE, &console_id).unwrap());
        assert_eq!(after, before, "{cell}: untouched");
    }
    // The rollback (or the stack's) Delete releases, or finds nothing to do: never deletes.
    let delete = stack.delete("Agent", &id, &adopting).await;
    assert_eq!(delete["Status"], "SUCCESS", "{cell}: {delete}");
    assert!(
        stack.connect.user(INSTANCE, &console_id).is_some(),
        "{cell}: lost"
    );
    assert_eq!(stack.connect.user_count(INSTANCE), 1, "{cell}: duplicated");
}

/// A Create by names whose lookup meets `fault`: a recoverable fault is retried (the user is
/// made with the ids the names stand for, or an ambiguous group name is refused naming each
/// level); one that outlasts the deadline fails with the failed-Create marker, no user made.
async fn by_names_cell(
    stack: &LocalStack,
    flow: Flow,
    operation: &str,
    fault: ConnectFault,
    cell: &str,
) {
    let mut by_names = testkit::examples::by_names(properties());
    by_names["RoutingProfileName"] = json!(seed::ROUTING_PROFILE_NAMES[1]);
    by_names["HierarchyGroupName"] = json!(seed::HIERARCHY_GROUP_NAMES[1]);
    if flow == Flow::AmbiguousGroup {
        stack.connect.put_hierarchy_group(INSTANCE, "Shared", 1);
        stack.connect.put_hierarchy_group(INSTANCE, "Shared", 2);
        by_names["HierarchyGroupName"] = json!("Shared");
    }
    let (injected, times) = fault.fault();
    stack.connect.inject(operation, injected, times);
    let request = stack.request_id("create");
    let event = events::create(&stack.sink, &request, "Agent", &by_names);
    let answer = play_in_time(stack, event, cell).await;
    match (flow, fault.recoverable()) {
        (Flow::ByNames, true) => {
            assert_eq!(answer["Status"], "SUCCESS", "{cell}: {answer}");
            let user = stack
                .connect
                .user_at(answer["PhysicalResourceId"].as_str().unwrap())
                .unwrap();
            assert_eq!(
                user["RoutingProfileId"],
                seed::ROUTING_PROFILES[1],
                "{cell}"
            );
            assert_eq!(
                user["HierarchyGroupId"],
                seed::HIERARCHY_GROUPS[1],
                "{cell}"
            );
        }
        (_, true) => {
            assert_eq!(answer["Status"], "FAILED", "{cell}: {answer}");
            let reason = answer["Reason"].as_str().unwrap();
            assert!(
                reason.contains("(level 1)") && reason.contains("(level 2)"),
                "{cell}: {reason}"
            );
        }
        (_, false) => {
            assert_eq!(answer["Status"], "FAILED", "{cell}: {answer}");
            let id = answer["PhysicalResourceId"].as_str().unwrap();
            assert!(id.starts_with("failed-create."), "{cell}: {id}");
        }
    }
    if flow == Flow::AmbiguousGroup || !fault.recoverable() {
        assert_eq!(
            stack.connect.user_count(INSTANCE),
            0,
            "{cell}: a user was made"
        );
    }
}

async fn run_connect_cell(
    flow: Flow,
    operation: &'static str,
    fault: ConnectFault,
    slots: Arc<Semaphore>,
) -> String {
    let _slot = slots
        .acquire_owned()
        .await
        .expect("the semaphore stays open");
    let cell = format!("{flow:?} × {operation} × {fault:?}");
    let mut stack = LocalStack::start_with(&[("RESPONSE_MARGIN_MS", MARGIN_MS)]).await;
    // Each cell checks what one invocation answers when a fault outlasts it: Lambda refuses
    // every continuation here (tests/e2e/continuation.rs plays those that go through).
    stack.lambda.fail_next(InvokeFault::Denied, 10_000);
    match flow {
        Flow::Create => create_cell(&stack, operation, fault, &cell).await,
        Flow::RedeliveredCreate => redelivered_create_cell(&stack, operation, fault, &cell).await,
        Flow::Update | Flow::UpdateChannels => {
            update_cell(&stack, flow, operation, fault, &cell).await
        }
        Flow::Delete => delete_cell(&stack, operation, fault, &cell).await,
        Flow::Adopt => adopt_cell(&stack, operation, fault, &cell).await,
        Flow::ByNames | Flow::AmbiguousGroup => {
            by_names_cell(&stack, flow, operation, fault, &cell).await
        }
    }
    assert_no_secret(&mut stack, &cell).await;
    cell
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_connect_call_under_every_fault() {
    let slots = Arc::new(Semaphore::new(CONCURRENT_CELLS));
    let mut cells = JoinSet::new();
    let mut expected = 0;
    let mut operations = BTreeSet::new();
    for (flow, calls) in FLOWS {
        for &(operation, writes) in calls {
            operations.insert(format!("connect:{operation}"));
            let faults: &[ConnectFault] = if writes {
                &ConnectFault::WRITES
            } else {
                &ConnectFault::READS
            };
            for &fault in faults {
                expected += 1;
                cells.spawn(run_connect_cell(flow, operation, fault, slots.clone()));
            }
        }
    }
    // Every Connect action the function may call is in the matrix.
    let granted: BTreeSet<String> = testkit::iam::granted_actions()
        .iter()
        .filter(|a| a.starts_with("connect:"))
        .cloned()
        .collect();
    assert_eq!(
        operations, granted,
        "the matrix covers every granted action"
    );
    let mut passed = Vec::new();
    while let Some(result) = cells.join_next().await {
        match result {
            Ok(cell) => passed.push(cell),
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }
    assert_eq!(passed.len(), expected, "{passed:?}");
}

#[derive(Debug, Clone, Copy)]
enum SinkFault {
    Errors(u16),
    Slow,
    RefusedThenOk,
}

async fn run_sink_cell(fault: SinkFault) -> String {
    let cell = format!("sink × {fault:?}");
    let mut stack = LocalStack::start_with(&[("RESPONSE_MARGIN_MS", MARGIN_MS)]).await;
    let request = stack.request_id("create");
    match fault {
        SinkFault::Errors(status) => stack
            .sink
            .script(&[Behaviour::Status(status), Behaviour::Status(status)]),
        SinkFault::Slow => stack
            .sink
            .script(&[Behaviour::Delay(Duration::from_secs(2))]),
        // The first two connections are dropped unanswered, as by a sink not up yet.
        SinkFault::RefusedThenOk => stack.sink.refuse_connections(2),
    }
    let answer = play_in_time(
        &stack,
        events::create(&stack.sink, &request, "Agent", &properties()),
        &cell,
    )
    .await;
    assert_eq!(answer["Status"], "SUCCESS", "{cell}: {answer}");
    let attempts = stack.sink.attempts(&request);
    let statuses: Vec<u16> = attempts.iter().map(|a| a.status).collect();
    match fault {
        SinkFault::Errors(status) => {
            assert_eq!(statuses, vec![status, status, 200], "{cell}")
        }
        SinkFault::Slow => assert!(statuses.iter().all(|s| *s == 200), "{cell}: {statuses:?}"),
        SinkFault::RefusedThenOk => {
            assert_eq!(stack.sink.refused(), 2, "{cell}: the refusals happened");
            assert_eq!(statuses, vec![200], "{cell}: then one answer");
        }
    }
    assert_eq!(
        stack.connect.user_count(INSTANCE),
        1,
        "{cell}: lost or duplicated"
    );
    assert_no_secret(&mut stack, &cell).await;
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
