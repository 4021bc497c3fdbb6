//! Work that outlasts one invocation (issue 20), end to end: the compiled function under a
//! short Lambda deadline and a throttled Connect emulator hands the request to a further
//! invocation of itself through the emulated Lambda Invoke API, which delivers it back
//! through the Runtime API; the request is answered once, with the same answer however often
//! a continuation is delivered, and FAILED at once, saying why, when it cannot go on.

use std::time::Duration;

use serde_json::{json, Value};
use testkit::answers::{failed, ok, physical_id};
use testkit::connect_emulator::{seed, Fault};
use testkit::events;
use testkit::examples::basic;
use testkit::lambda_api::InvokeFault;
use testkit::runtime_api::Invocation;
use testkit::sink::Sink;
use testkit::stack::LocalStack;
use testkit::OWNERSHIP_TAG;

/// Each invocation's Lambda timeout: about 3 s of work before the clean-up reserve.
const SHORT: Duration = Duration::from_secs(6);
/// How long a test waits for the answer of a whole chain.
const CHAIN: Duration = Duration::from_secs(60);
/// Calls throttled in a row: with pauses of up to 1 s, more than one invocation can wait.
const THROTTLES: usize = 16;

/// A stack whose function keeps 1 s for answering and retries with pauses of at most 1 s.
async fn short_stack(extra: &[(&str, &str)]) -> LocalStack {
    let mut env = vec![("RESPONSE_MARGIN_MS", "1000"), ("RETRY_CAP_MS", "1000")];
    env.extend_from_slice(extra);
    let stack = LocalStack::start_with(&env).await;
    // Continuations get the same short timeout as the first invocation.
    stack.lambda.deliver_to(stack.runtime.enqueuer(), SHORT);
    stack
}

/// A Create of `properties` whose `CreateUser` is throttled `throttles` times first; returns
/// its RequestId and the event.
fn throttled_create(stack: &LocalStack, throttles: usize, properties: &Value) -> (String, Value) {
    stack
        .connect
        .inject("CreateUser", Fault::throttle(), throttles);
    let key = stack.request_id("create");
    let event = events::create(&stack.sink, &key, "Agent", properties);
    (key, event)
}

fn continuations(stack: &LocalStack) -> Vec<Value> {
    stack
        .lambda
        .invocations()
        .into_iter()
        .filter(|i| i.status == 202)
        .filter_map(|i| i.payload)
        .collect()
}

/// The ResponseURL's signature never reaches the log, in any invocation.
async fn nothing_leaked(stack: &mut LocalStack, key: &str) {
    let output = stack.function.stop().await;
    assert!(
        !output.contains(&Sink::signature(key)),
        "ResponseURL logged"
    );
    assert!(!output.contains("Password123"), "password logged");
}

#[tokio::test]
async fn a_create_that_cannot_finish_in_one_invocation_finishes_in_the_next_answered_once() {
    // At DEBUG, so that the SDK's own lines about the Invoke are in the log too.
    let mut stack = short_stack(&[("RUST_LOG", "debug")]).await;
    let (key, event) = throttled_create(&stack, THROTTLES, &basic());
    let (answer, accepted) = stack.play_through(event, SHORT, CHAIN).await;
    ok(&answer);
    assert_eq!(accepted.len(), 1, "answered more than once: {accepted:?}");
    let chain = continuations(&stack);
    assert!(
        !chain.is_empty(),
        "the work never went on in another invocation"
    );
    for (n, payload) in chain.iter().enumerate() {
        assert_eq!(payload["CustomResourceContinuation"]["Invocation"], n + 2);
        assert_eq!(payload["Event"]["RequestId"], key.as_str());
    }
    for invoked in stack.lambda.invocations() {
        assert_eq!(invoked.invocation_type.as_deref(), Some("Event"));
        assert_eq!(
            invoked.function_name,
            events::SERVICE_TOKEN,
            "invoked another function"
        );
    }
    assert_eq!(stack.connect.user_count(seed::INSTANCE_MANAGED), 1);
    let made = stack.connect.calls();
    let created = made
        .iter()
        .filter(|c| c.operation == "CreateUser" && c.status == 200)
        .count();
    assert_eq!(created, 1, "CreateUser served more than once");
    nothing_leaked(&mut stack, &key).await;
}

#[tokio::test]
async fn an_update_goes_on_in_the_next_invocation_and_converges() {
    let stack = short_stack(&[]).await;
    let old = basic();
    let id = physical_id(ok(&stack.create("Agent", &old).await));
    let mut new = old.clone();
    new["RoutingProfileId"] = json!(seed::ROUTING_PROFILES[1]);
    stack
        .connect
        .inject("DescribeUser", Fault::throttle(), THROTTLES);
    let key = stack.request_id("update");
    let event = events::update(&stack.sink, &key, "Agent", &id, &new, &old);
    let (answer, accepted) = stack.play_through(event, SHORT, CHAIN).await;
    assert_eq!(physical_id(ok(&answer)), id);
    assert_eq!(accepted.len(), 1);
    assert!(!continuations(&stack).is_empty());
    let user = stack.connect.user_at(&id).unwrap();
    assert_eq!(user["RoutingProfileId"], seed::ROUTING_PROFILES[1]);
}

#[tokio::test]
async fn a_continuation_delivered_twice_redoes_nothing_and_answers_the_same() {
    let stack = short_stack(&[]).await;
    stack.lambda.fail_next(InvokeFault::Duplicate, 1);
    let (key, event) = throttled_create(&stack, THROTTLES, &basic());
    let (answer, _) = stack.play_through(event, SHORT, CHAIN).await;
    ok(&answer);
    // Both deliveries run to their end: wait for every answer, then compare them all.
    tokio::time::sleep(SHORT * 2).await;
    let answers: Vec<Value> = stack
        .sink
        .attempts(&key)
        .iter()
        .filter(|r| r.status == 200)
        .map(|r| r.json())
        .collect();
    assert!(answers.iter().all(|a| *a == answer), "{answers:?}");
    assert_eq!(stack.connect.user_count(seed::INSTANCE_MANAGED), 1);
}

#[tokio::test]
async fn a_continuation_that_cannot_be_started_is_answered_failed_at_once() {
    for fault in [InvokeFault::Denied, InvokeFault::Throttle] {
        let stack = short_stack(&[]).await;
        stack.lambda.fail_next(fault.clone(), 1);
        let (_, event) = throttled_create(&stack, 1000, &basic());
        let (answer, accepted) = stack.play_through(event, SHORT, SHORT * 2).await;
        let reason = failed(&answer);
        assert!(
            reason.contains("could not go on in another invocation"),
            "{reason}"
        );
        let code = match fault {
            InvokeFault::Denied => "AccessDeniedException",
            _ => "TooManyRequestsException",
        };
        assert!(reason.contains(code), "{reason}");
        assert_eq!(accepted.len(), 1);
        assert_eq!(stack.lambda.accepted(), 0);
        assert_eq!(stack.connect.user_count(seed::INSTANCE_MANAGED), 0);
    }
}

#[tokio::test]
async fn a_chain_stops_after_five_invocations_answered_failed_with_the_reason() {
    let stack = short_stack(&[]).await;
    let (_, event) = throttled_create(&stack, 100_000, &basic());
    let (answer, accepted) = stack.play_through(event, SHORT, CHAIN).await;
    let reason = failed(&answer);
    assert!(reason.contains("already had 5 invocations"), "{reason}");
    assert_eq!(accepted.len(), 1);
    assert_eq!(stack.lambda.accepted(), 4);
    assert_eq!(stack.connect.user_count(seed::INSTANCE_MANAGED), 0);
}

#[tokio::test]
async fn no_continuation_starts_when_cloudformation_stops_waiting_soon() {
    let stack = short_stack(&[]).await;
    let mut properties = basic();
    properties["ServiceTimeout"] = json!("30");
    let (_, event) = throttled_create(&stack, 100_000, &properties);
    let (answer, _) = stack.play_through(event, SHORT, SHORT * 2).await;
    let reason = failed(&answer);
    assert!(
        reason.contains("CloudFormation stops waiting for this resource"),
        "{reason}"
    );
    assert_eq!(stack.lambda.accepted(), 0);
}

#[tokio::test]
async fn return_mode_does_all_its_work_in_one_invocation_and_says_so() {
    let stack = short_stack(&[("RESPONSE_MODE", "return")]).await;
    let (_, mut event) = throttled_create(&stack, 100_000, &basic());
    let framework =
        "arn:aws:lambda:us-east-1:123456789012:function:Stack-ProviderframeworkonEvent-1";
    event["ServiceToken"] = json!(framework);
    event["ResourceProperties"]["ServiceToken"] = json!(framework);
    let message = match stack.runtime.invoke(event, SHORT).await {
        Some(Invocation::Error(error)) => error["errorMessage"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        other => panic!("expected an error, got {other:?}"),
    };
    assert!(
        message.contains("RESPONSE_MODE=return does all of an event's work in one invocation"),
        "{message}"
    );
    assert!(
        stack.lambda.invocations().is_empty(),
        "return mode invoked itself"
    );
    assert!(stack.sink.all().is_empty(), "return mode PUT something");
}

#[tokio::test]
async fn under_a_local_runtime_api_nothing_is_invoked_and_the_answer_says_why() {
    // cargo-lambda's Runtime API sends a deadline that is not a time: no Lambda service is
    // there to take a continuation, so none is tried.
    let stack = short_stack(&[("UNKNOWN_DEADLINE_BUDGET_MS", "6000")]).await;
    let (key, event) = throttled_create(&stack, 100_000, &basic());
    let deadline = testkit::runtime_api::CARGO_LAMBDA_DEADLINE_MS;
    let _ = stack
        .runtime
        .invoke_with_deadline_ms(event, deadline, SHORT * 2)
        .await;
    let answer = stack
        .sink
        .answer(&key, SHORT)
        .await
        .expect("an answer")
        .json();
    let reason = failed(&answer);
    assert!(reason.contains("local Runtime API"), "{reason}");
    assert!(
        stack.lambda.invocations().is_empty(),
        "a local run invoked Lambda"
    );
}

#[tokio::test]
async fn an_invoke_without_a_clear_answer_is_tried_again_rather_than_answered_failed() {
    // A 5xx may come after Lambda queued the invocation: answering FAILED then could make a
    // second, different answer. The Invoke is sent again (a duplicate is safe).
    let stack = short_stack(&[]).await;
    stack.lambda.fail_next(InvokeFault::ServiceError, 1);
    let (_, event) = throttled_create(&stack, THROTTLES, &basic());
    let (answer, accepted) = stack.play_through(event, SHORT, CHAIN).await;
    ok(&answer);
    assert_eq!(accepted.len(), 1);
    let statuses: Vec<u16> = stack
        .lambda
        .invocations()
        .iter()
        .map(|i| i.status)
        .collect();
    assert_eq!(statuses.first(), Some(&500), "{statuses:?}");
    assert!(statuses.contains(&202), "{statuses:?}");
    assert_eq!(stack.connect.user_count(seed::INSTANCE_MANAGED), 1);
}

#[tokio::test]
async fn a_create_user_whose_answer_never_comes_goes_on_and_answers_that_user() {
    // CreateUser made the user, but its answer is lost past the time kept for cleaning up:
    // the next invocation finds the user by its reserved tag and answers it, once.
    let stack = LocalStack::start_with(&[("RESPONSE_MARGIN_MS", "2000")]).await;
    stack
        .connect
        .inject("CreateUser", Fault::Late(Duration::from_secs(60)), 1);
    let key = stack.request_id("create");
    let event = events::create(&stack.sink, &key, "Agent", &basic());
    let (answer, accepted) = stack
        .play_through(event, Duration::from_secs(12), CHAIN)
        .await;
    let id = physical_id(ok(&answer));
    assert_eq!(accepted.len(), 1);
    assert!(stack.connect.user_at(&id).is_some());
    assert_eq!(
        stack.connect.user_count(seed::INSTANCE_MANAGED),
        1,
        "duplicated"
    );
    assert_eq!(stack.lambda.accepted(), 1);
}

/// The basic example adopting the console user `name`.
fn adopting(name: &str) -> Value {
    let mut properties = basic();
    properties["Name"] = json!(name);
    properties["AdoptExistingUser"] = json!("true");
    properties
}

/// Served calls of `operation`.
fn served(stack: &LocalStack, operation: &str) -> usize {
    let served = stack.connect.served();
    served.iter().filter(|o| *o == operation).count()
}

/// The `Stage` of each continuation's checkpoint, in order.
fn checkpoint_stages(stack: &LocalStack) -> Vec<String> {
    continuations(stack)
        .iter()
        .map(|p| {
            let stage = &p["CustomResourceContinuation"]["Checkpoint"]["Stage"];
            stage.as_str().unwrap_or("none").to_owned()
        })
        .collect()
}

/// Adopts the console user "console-agent" with `throttles` throttles injected on `operation`
/// first, answered once; returns the user's id and the request's.
async fn throttled_adoption(stack: &LocalStack, operation: &str) -> (String, String) {
    let id = stack
        .connect
        .console_user(seed::INSTANCE_MANAGED, "console-agent");
    stack
        .connect
        .inject(operation, Fault::throttle(), THROTTLES);
    let key = stack.request_id("adopt");
    let event = events::create(&stack.sink, &key, "Agent", &adopting("console-agent"));
    let (answer, accepted) = stack.play_through(event, SHORT, CHAIN).await;
    assert_eq!(
        physical_id(ok(&answer)),
        format!("{}:{id}", seed::INSTANCE_MANAGED)
    );
    assert_eq!(accepted.len(), 1, "answered more than once");
    (id, key)
}

#[tokio::test]
async fn an_adoption_cut_while_converging_goes_on_with_its_changes_without_reading_again() {
    let mut stack = short_stack(&[]).await;
    let (id, key) = throttled_adoption(&stack, "UpdateUserRoutingProfile").await;
    let stages = checkpoint_stages(&stack);
    assert!(!stages.is_empty(), "the work never went on");
    assert!(
        stages.iter().all(|s| s == "Converging"),
        "cut while converging: {stages:?}"
    );
    // One read of each kind, however many invocations: the continuations only wrote.
    assert_eq!(served(&stack, "SearchUsers"), 1);
    assert_eq!(
        served(&stack, "DescribeUser"),
        2,
        "the find and the claim's read-back"
    );
    assert_eq!(
        served(&stack, "ListUserProficiencies"),
        0,
        "the basic example does not manage proficiencies"
    );
    assert_eq!(served(&stack, "UpdateUserRoutingProfile"), 1);
    let user = stack.connect.user(seed::INSTANCE_MANAGED, &id).unwrap();
    assert_eq!(user["RoutingProfileId"], basic()["RoutingProfileId"]);
    assert!(user["Tags"][OWNERSHIP_TAG]
        .as_str()
        .is_some_and(|t| t.starts_with("adopted/")));
    nothing_leaked(&mut stack, &key).await;
}

#[tokio::test]
async fn an_adoption_cut_before_its_claim_describes_the_user_found_instead_of_searching_again() {
    let stack = short_stack(&[]).await;
    // The claim is the first TagResource.
    throttled_adoption(&stack, "TagResource").await;
    let stages = checkpoint_stages(&stack);
    assert!(
        stages.first().is_some_and(|s| s == "Found"),
        "cut before the claim: {stages:?}"
    );
    assert_eq!(served(&stack, "SearchUsers"), 1, "searched again");
    // The find, one fresh read per continuation begun before the claim, and the read-back.
    let described = served(&stack, "DescribeUser");
    let before_claim = stages.iter().filter(|s| *s == "Found").count();
    assert_eq!(described, 2 + before_claim, "{stages:?}");
}

#[tokio::test]
async fn a_continuation_going_on_with_its_changes_does_not_resolve_the_names_again() {
    let stack = short_stack(&[]).await;
    let id = stack
        .connect
        .console_user(seed::INSTANCE_MANAGED, "console-agent");
    stack
        .connect
        .inject("UpdateUserRoutingProfile", Fault::throttle(), THROTTLES);
    let properties = testkit::examples::by_names(adopting("console-agent"));
    let key = stack.request_id("adopt");
    let event = events::create(&stack.sink, &key, "Agent", &properties);
    let (answer, accepted) = stack.play_through(event, SHORT, CHAIN).await;
    assert_eq!(
        physical_id(ok(&answer)),
        format!("{}:{id}", seed::INSTANCE_MANAGED)
    );
    assert_eq!(accepted.len(), 1);
    let stages = checkpoint_stages(&stack);
    assert!(
        !stages.is_empty() && stages.iter().all(|s| s == "Converging"),
        "{stages:?}"
    );
    // The names were resolved once, by the first invocation; the changes carry the ids.
    assert_eq!(served(&stack, "ListRoutingProfiles"), 1);
    assert_eq!(served(&stack, "ListSecurityProfiles"), 1);
    let user = stack.connect.user(seed::INSTANCE_MANAGED, &id).unwrap();
    assert_eq!(user["RoutingProfileId"], seed::ROUTING_PROFILES[0]);
}
