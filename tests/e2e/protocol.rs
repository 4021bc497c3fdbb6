//! The custom-resource protocol layer, with real HTTP on loopback: in-process through the
//! handler with a test resource, and through the compiled binary for what needs no resource.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use connect_user_resource::protocol::event::Properties;
use connect_user_resource::protocol::handler::Handler;
use connect_user_resource::protocol::resource::{Context, Outcome, Resource, ResourceError};
use connect_user_resource::protocol::response_url::UrlPolicy;
use serde_json::{json, Value};
use testkit::events;
use testkit::function::Function;
use testkit::runtime_api::{Invocation, RuntimeApi};
use testkit::sink::{Behaviour, Sink};

/// What the test resource does when called.
#[derive(Clone)]
enum Act {
    Succeed,
    Fail(String),
    Sleep(Duration),
    Panic,
}

#[derive(Clone)]
struct TestResource {
    act: Act,
    calls: Arc<AtomicUsize>,
    /// Record "made-1" as made before acting, as a resource does once it exists.
    records_progress: bool,
}

impl TestResource {
    fn new(act: Act) -> Self {
        Self {
            act,
            calls: Arc::new(AtomicUsize::new(0)),
            records_progress: false,
        }
    }

    fn recording(act: Act) -> Self {
        Self {
            records_progress: true,
            ..Self::new(act)
        }
    }

    async fn run(&self, id: String) -> Result<Outcome, ResourceError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        match &self.act {
            Act::Succeed => Ok(Outcome {
                physical_id: id,
                data: [("Arn".to_string(), "arn:test".to_string())].into(),
            }),
            Act::Fail(reason) => Err(ResourceError::new(reason.clone())),
            Act::Sleep(pause) => {
                tokio::time::sleep(*pause).await;
                Ok(Outcome {
                    physical_id: id,
                    data: Default::default(),
                })
            }
            Act::Panic => panic!("resource exploded"),
        }
    }
}

impl Resource for TestResource {
    async fn create(&self, context: Context, _: Properties) -> Result<Outcome, ResourceError> {
        if self.records_progress {
            context.progress.record("made-1".into());
        }
        self.run("made-1".into()).await
    }
    async fn update(
        &self,
        context: Context,
        id: String,
        _: Properties,
        _: Properties,
    ) -> Result<Outcome, ResourceError> {
        if self.records_progress {
            context.progress.record("made-2".into());
        }
        self.run(id).await
    }
    async fn delete(&self, _: Context, id: String, _: Properties) -> Result<(), ResourceError> {
        self.run(id).await.map(|_| ())
    }
}

/// The invocation Lambda makes of a function whose timeout is `timeout`, for the handler's one
/// entry point ([`Handler::invoke`]).
fn invocation_in(timeout: Duration) -> connect_user_resource::protocol::handler::Invocation {
    connect_user_resource::protocol::handler::Invocation {
        deadline_ms: (SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + timeout).as_millis()
            as u64,
        ..Default::default()
    }
}

fn handler(resource: TestResource) -> Handler<TestResource> {
    Handler::new(resource, UrlPolicy::new([], true), Duration::from_secs(2))
}

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_create_that_made_something_before_failing_names_it_for_the_rollback_delete() {
    let sink = Sink::start().await;
    let cases = [
        ("failed", Act::Fail("refused after creating".into()), WAIT),
        (
            "cut-off",
            Act::Sleep(Duration::from_secs(30)),
            Duration::from_secs(4),
        ),
        ("panicked", Act::Panic, WAIT),
    ];
    for (label, act, timeout) in cases {
        let request = format!("req-progress-{label}");
        let event = events::create(&sink, &request, "Thing", &json!({}));
        handler(TestResource::recording(act.clone()))
            .invoke(event, invocation_in(timeout))
            .await
            .unwrap();
        let body = sink.answer(&request, WAIT).await.expect("an answer").json();
        assert_eq!(body["Status"], "FAILED", "{label}: {body}");
        assert_eq!(body["PhysicalResourceId"], "made-1", "{label}: {body}");

        // An Update cannot name anything new: it echoes the id it was given.
        let request = format!("req-progress-update-{label}");
        let event = events::update(&sink, &request, "Thing", "old-1", &json!({}), &json!({}));
        handler(TestResource::recording(act))
            .invoke(event, invocation_in(timeout))
            .await
            .unwrap();
        let body = sink.answer(&request, WAIT).await.expect("an answer").json();
        assert_eq!(body["PhysicalResourceId"], "old-1", "{label}: {body}");
    }
}

#[tokio::test]
async fn success_answer_has_empty_content_type_and_exact_length() {
    let sink = Sink::start().await;
    let resource = TestResource::new(Act::Succeed);
    let event = events::create(&sink, "req-ok", "Thing", &json!({"A": "1"}));
    let summary = handler(resource.clone())
        .invoke(event, invocation_in(WAIT))
        .await
        .unwrap();
    assert_eq!(summary["Delivered"], true);

    let answer = sink.answer("req-ok", WAIT).await.expect("an answer");
    assert_eq!(answer.content_type.as_deref(), Some(""));
    assert_eq!(answer.content_length, Some(answer.body.len().to_string()));
    assert_eq!(answer.transfer_encoding, None);
    let body = answer.json();
    assert_eq!(body["Status"], "SUCCESS");
    assert_eq!(body["PhysicalResourceId"], "made-1");
    assert_eq!(body["RequestId"], "req-ok");
    assert_eq!(body["LogicalResourceId"], "Thing");
    assert_eq!(body["StackId"], events::STACK_ID);
    assert_eq!(body["Data"]["Arn"], "arn:test");
    assert!(
        answer.query.contains(&Sink::signature("req-ok")),
        "the presigned query is sent as given"
    );
}

#[tokio::test]
async fn a_slow_resource_is_cut_off_and_failed_arrives_before_the_deadline() {
    let sink = Sink::start().await;
    let resource = TestResource::new(Act::Sleep(Duration::from_secs(60)));
    let timeout = Duration::from_secs(4);
    let started = std::time::Instant::now();
    let event = events::update(
        &sink,
        "req-slow",
        "Thing",
        "thing-1",
        &json!({}),
        &json!({}),
    );
    handler(resource)
        .invoke(event, invocation_in(timeout))
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed < timeout,
        "answered after {elapsed:?}, past the {timeout:?} deadline"
    );

    let body = sink
        .answer("req-slow", WAIT)
        .await
        .expect("an answer")
        .json();
    assert_eq!(body["Status"], "FAILED");
    assert!(
        body["Reason"].as_str().unwrap().starts_with("timed out"),
        "{}",
        body["Reason"]
    );
    assert_eq!(
        body["PhysicalResourceId"], "thing-1",
        "a failed Update echoes its id"
    );
}

#[tokio::test]
async fn a_sink_that_fails_twice_still_gets_the_answer() {
    let sink = Sink::start().await;
    sink.script(&[Behaviour::Status(500), Behaviour::Status(503)]);
    let event = events::create(&sink, "req-retry", "Thing", &json!({}));
    let summary = handler(TestResource::new(Act::Succeed))
        .invoke(event, invocation_in(WAIT))
        .await
        .unwrap();
    assert_eq!(summary["Delivered"], true);
    let statuses: Vec<u16> = sink
        .attempts("req-retry")
        .iter()
        .map(|a| a.status)
        .collect();
    assert_eq!(statuses, vec![500, 503, 200]);
    let bodies: Vec<Vec<u8>> = sink
        .attempts("req-retry")
        .into_iter()
        .map(|a| a.body)
        .collect();
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "every attempt carries the same answer"
    );
}

#[tokio::test]
async fn a_sink_that_refuses_is_not_retried() {
    let sink = Sink::start().await;
    sink.script(&[Behaviour::Status(403)]);
    let event = events::create(&sink, "req-403", "Thing", &json!({}));
    let summary = handler(TestResource::new(Act::Succeed))
        .invoke(event, invocation_in(WAIT))
        .await
        .unwrap();
    assert_eq!(summary["Delivered"], false);
    assert_eq!(sink.attempts("req-403").len(), 1);
}

#[tokio::test]
async fn a_sink_that_never_accepts_asks_lambda_to_redeliver() {
    let sink = Sink::start().await;
    sink.script(&[Behaviour::Status(500); 200]);
    let timeout = Duration::from_secs(3);
    let event = events::create(&sink, "req-500", "Thing", &json!({}));
    let started = std::time::Instant::now();
    let result = handler(TestResource::new(Act::Succeed))
        .invoke(event, invocation_in(timeout))
        .await;
    assert!(
        result.is_err(),
        "Lambda must redeliver when CloudFormation has no answer"
    );
    assert!(started.elapsed() < timeout);
    assert!(sink.attempts("req-500").len() > 2);
}

#[tokio::test]
async fn a_huge_reason_still_fits_in_4096_bytes() {
    let sink = Sink::start().await;
    let reason = "line\nbreak ".repeat(2000) + &"é".repeat(5000);
    let event = events::create(&sink, "req-huge", "Thing", &json!({}));
    handler(TestResource::new(Act::Fail(reason)))
        .invoke(event, invocation_in(WAIT))
        .await
        .unwrap();
    let answer = sink.answer("req-huge", WAIT).await.expect("an answer");
    // CloudFormation's documented limit ("The total size of the response body cannot exceed
    // 4096 bytes", User Guide, custom resource response objects), not the code's own constant.
    assert!(answer.body.len() <= 4096, "{} bytes", answer.body.len());
    let body = answer.json();
    assert_eq!(body["Status"], "FAILED");
    let reason = body["Reason"].as_str().unwrap();
    assert!(reason.starts_with("line break line"));
    assert!(!reason.contains('\n'));
}

#[tokio::test]
async fn a_panic_becomes_failed() {
    let sink = Sink::start().await;
    let event = events::create(&sink, "req-panic", "Thing", &json!({}));
    let summary = handler(TestResource::new(Act::Panic))
        .invoke(event, invocation_in(WAIT))
        .await
        .unwrap();
    assert_eq!(summary["Status"], "FAILED");
    let body = sink
        .answer("req-panic", WAIT)
        .await
        .expect("an answer")
        .json();
    assert_eq!(body["Status"], "FAILED");
    assert!(
        body["Reason"]
            .as_str()
            .unwrap()
            .contains("panicked: resource exploded"),
        "{}",
        body["Reason"]
    );
    assert!(body["PhysicalResourceId"]
        .as_str()
        .unwrap()
        .starts_with("failed-create."));
}

#[tokio::test]
async fn a_failed_create_and_its_delete_make_no_resource_call_on_delete() {
    let sink = Sink::start().await;
    let resource = TestResource::new(Act::Fail("no good".into()));
    let handler = handler(resource.clone());
    handler
        .invoke(
            events::create(&sink, "req-fc", "Thing", &json!({})),
            invocation_in(WAIT),
        )
        .await
        .unwrap();
    let failed = sink.answer("req-fc", WAIT).await.expect("an answer").json();
    assert_eq!(failed["Status"], "FAILED");
    assert_eq!(failed["Reason"], "no good");
    let marker = failed["PhysicalResourceId"].as_str().unwrap().to_owned();
    assert_eq!(resource.calls.load(Ordering::SeqCst), 1);

    handler
        .invoke(
            events::delete(&sink, "req-fc-del", "Thing", &marker, &json!({})),
            invocation_in(WAIT),
        )
        .await
        .unwrap();
    let deleted = sink
        .answer("req-fc-del", WAIT)
        .await
        .expect("an answer")
        .json();
    assert_eq!(deleted["Status"], "SUCCESS");
    assert_eq!(deleted["PhysicalResourceId"], marker.as_str());
    assert_eq!(
        resource.calls.load(Ordering::SeqCst),
        1,
        "the Delete of a marker calls nothing"
    );
}

#[tokio::test]
async fn bad_events_get_failed_naming_the_problem_and_call_nothing() {
    let sink = Sink::start().await;
    let resource = TestResource::new(Act::Succeed);
    let handler = handler(resource.clone());
    type Edit = fn(&mut Value);
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "bad-type",
            |e| e["RequestType"] = json!("Upsert"),
            "unknown RequestType \"Upsert\": expected Create, Update or Delete",
        ),
        (
            "no-type",
            |e| {
                e.as_object_mut().unwrap().remove("RequestType");
            },
            "the event has no RequestType",
        ),
        (
            "no-stack",
            |e| {
                e.as_object_mut().unwrap().remove("StackId");
            },
            "the event has no StackId",
        ),
        (
            "props",
            |e| e["ResourceProperties"] = json!("x"),
            "the event's ResourceProperties is not a JSON object",
        ),
    ];
    for (key, mutate, reason) in cases {
        let mut event = events::create(&sink, key, "Thing", &json!({}));
        mutate(&mut event);
        handler.invoke(event, invocation_in(WAIT)).await.unwrap();
        let body = sink.answer(key, WAIT).await.expect("an answer").json();
        assert_eq!(body["Status"], "FAILED", "{key}");
        assert_eq!(body["Reason"], reason, "{key}");
    }
    assert_eq!(resource.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_response_url_outside_aws_is_refused_and_nothing_is_done() {
    let sink = Sink::start().await;
    let resource = TestResource::new(Act::Succeed);
    let strict = Handler::new(
        resource.clone(),
        UrlPolicy::new([], false),
        Duration::from_secs(2),
    );
    let event = events::create(&sink, "req-strict", "Thing", &json!({}));
    let summary = strict.invoke(event, invocation_in(WAIT)).await.unwrap();
    assert_eq!(summary["Delivered"], false);
    assert!(summary["Reason"]
        .as_str()
        .unwrap()
        .contains("not an AWS host"));
    assert!(sink.all().is_empty());
    assert_eq!(resource.calls.load(Ordering::SeqCst), 0);
}

// Through the compiled binary: no Connect is needed for these events.

#[tokio::test]
async fn the_binary_answers_a_malformed_event_then_serves_the_next() {
    let runtime = RuntimeApi::start().await;
    let sink = Sink::start().await;
    let mut function = Function::start(&runtime, None, &[]);

    let mut bad = events::create(&sink, "bin-bad", "Agent", &json!({}));
    bad["RequestType"] = json!("Replace");
    let result = runtime
        .invoke(bad, WAIT)
        .await
        .expect("the function answered Lambda");
    assert!(matches!(result, Invocation::Response(_)), "{result:?}");
    let body = sink
        .answer("bin-bad", WAIT)
        .await
        .expect("an answer")
        .json();
    assert_eq!(body["Status"], "FAILED");
    assert!(body["Reason"]
        .as_str()
        .unwrap()
        .contains("unknown RequestType"));

    let delete = events::delete(
        &sink,
        "bin-next",
        "Agent",
        "failed-create.bin-bad",
        &json!({}),
    );
    runtime
        .invoke(delete, WAIT)
        .await
        .expect("the same process serves the next event");
    let body = sink
        .answer("bin-next", WAIT)
        .await
        .expect("an answer")
        .json();
    assert_eq!(body["Status"], "SUCCESS");
    let output = function.stop().await;
    assert!(!output.is_empty(), "the log is there");
    assert!(
        !output.contains(&Sink::signature("bin-bad")),
        "the ResponseURL's query leaked:\n{output}"
    );
}

#[tokio::test]
async fn the_binary_answers_an_event_without_response_url_to_lambda_only() {
    let runtime = RuntimeApi::start().await;
    let _function = Function::start(&runtime, None, &[]);
    for event in [
        json!({"RequestType": "Create", "RequestId": "r"}),
        json!("not an object"),
        json!([1, 2]),
    ] {
        match runtime
            .invoke(event, WAIT)
            .await
            .expect("the function answered Lambda")
        {
            Invocation::Response(body) => {
                assert_eq!(body["Status"], "FAILED");
                assert_eq!(body["Delivered"], false);
            }
            other => panic!("expected a response, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_binary_refuses_a_non_aws_response_url_without_the_loopback_switch() {
    let runtime = RuntimeApi::start().await;
    let sink = Sink::start().await;
    let _function = Function::start(&runtime, None, &[("ALLOW_LOOPBACK_RESPONSE_URL", "false")]);
    let event = events::delete(&sink, "bin-strict", "Agent", "failed-create.x", &json!({}));
    let Invocation::Response(body) = runtime.invoke(event, WAIT).await.expect("answered") else {
        panic!("error")
    };
    assert_eq!(body["Delivered"], false);
    assert!(sink.all().is_empty());
}

/// The JSON log lines of a function started with `AWS_LAMBDA_LOG_FORMAT=JSON`.
fn json_lines(output: &str) -> Vec<Value> {
    output
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .collect()
}

/// cargo-lambda's Runtime API (`cargo lambda watch`) sends `Lambda-Runtime-Deadline-Ms:
/// 600000` with every event: a fixed number, ten minutes after 1970, not a time. The function
/// must take it for an unknown deadline (not one long past), do the work within its budget,
/// and say so once per process, not once per event.
#[tokio::test]
async fn the_binary_works_under_cargo_lambdas_fixed_deadline_and_warns_once() {
    use testkit::connect_emulator::{seed, ConnectEmulator};
    use testkit::runtime_api::CARGO_LAMBDA_DEADLINE_MS;

    let connect = ConnectEmulator::start().await;
    let runtime = RuntimeApi::start().await;
    let sink = Sink::start().await;
    let mut function = Function::start(
        &runtime,
        Some(&connect.endpoint()),
        &[("AWS_LAMBDA_LOG_FORMAT", "JSON")],
    );
    let (logical_id, properties) = testkit::examples::seed_examples().remove(0);
    let properties = events::stringify(properties);
    let name = properties["Name"].as_str().unwrap().to_owned();
    let play = |event: Value| async {
        let request_id = event["RequestId"].as_str().unwrap().to_owned();
        let result = runtime
            .invoke_with_deadline_ms(event, CARGO_LAMBDA_DEADLINE_MS, WAIT)
            .await;
        assert!(
            matches!(result, Some(Invocation::Response(_))),
            "{result:?}\n{}",
            function.output()
        );
        let answer = sink
            .answer(&request_id, WAIT)
            .await
            .unwrap_or_else(|| panic!("no answer for {request_id}\n{}", function.output()))
            .json();
        assert_eq!(
            sink.attempts(&request_id).len(),
            1,
            "one answer per delivery"
        );
        answer
    };

    let created = play(events::create(
        &sink,
        "fixed-create",
        logical_id,
        &properties,
    ))
    .await;
    assert_eq!(created["Status"], "SUCCESS", "{created}");
    assert!(
        connect.user_named(seed::INSTANCE_MANAGED, &name).is_some(),
        "the Create made the user"
    );
    let physical_id = created["PhysicalResourceId"].as_str().unwrap().to_owned();
    let delete = events::delete(&sink, "fixed-delete", logical_id, &physical_id, &properties);
    let deleted = play(delete).await;
    assert_eq!(deleted["Status"], "SUCCESS", "{deleted}");
    assert!(
        connect.user_named(seed::INSTANCE_MANAGED, &name).is_none(),
        "the Delete removed the user"
    );

    // To the end of the output: a second warning printed late must be seen too.
    let output = function.stop().await;
    let lines = json_lines(&output);
    assert!(
        lines
            .iter()
            .any(|line| line["span"]["request_id"] == "fixed-delete"),
        "the second event's lines are there:\n{output}"
    );
    let warnings: Vec<Value> = lines
        .into_iter()
        .filter(|line| line["fields"]["deadline_ms"] == json!(CARGO_LAMBDA_DEADLINE_MS))
        .collect();
    assert_eq!(warnings.len(), 1, "warned once per process: {warnings:?}");
    assert_eq!(warnings[0]["level"], "WARN", "{warnings:?}");
    // The documented default budget: 300 s, the template's function timeout.
    assert_eq!(
        warnings[0]["fields"]["budget_ms"],
        json!(300_000),
        "{warnings:?}"
    );
}
