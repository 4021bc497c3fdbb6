//! `RESPONSE_MODE` end to end: the compiled function, driven through the emulated Runtime
//! API, against the local Connect emulator, with a real ResponseURL (the sink) in every event.
//! In `return` mode the sink must receive nothing: the answer is the invocation's result or
//! error, as the CDK Provider framework reads it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use connect_user_resource::protocol::event::Properties;
use connect_user_resource::protocol::handler::{self, Handler};
use connect_user_resource::protocol::mode::ResponseMode;
use connect_user_resource::protocol::resource::{Context, Outcome, Resource, ResourceError};
use connect_user_resource::protocol::response_url::UrlPolicy;
use serde_json::{json, Value};
use testkit::answers::{failed, ok};
use testkit::connect_emulator::{seed, Fault};
use testkit::events;
use testkit::examples::seed_examples;
use testkit::runtime_api::Invocation;
use testkit::sink::Sink;
use testkit::stack::LocalStack;

const INSTANCE: &str = seed::INSTANCE_MANAGED;
const TIMEOUT: Duration = Duration::from_secs(30);
/// A ServiceToken as the CDK Provider framework's onEvent function has it: another function.
const FRAMEWORK_TOKEN: &str =
    "arn:aws:lambda:us-east-1:123456789012:function:ContactCentre-ProviderframeworkonEvent-Ab12Cd34";

async fn returning() -> LocalStack {
    LocalStack::start_with(&[("RESPONSE_MODE", "return")]).await
}

fn basic() -> Value {
    seed_examples()[0].1.clone()
}

/// The result of a successful invocation; panics (with the function's output) otherwise.
fn result(stack: &LocalStack, invocation: Option<Invocation>) -> Value {
    match invocation {
        Some(Invocation::Response(value)) => value,
        other => panic!(
            "expected a result, got {other:?}\n{}",
            stack.function.output()
        ),
    }
}

/// The `errorMessage` of a failed invocation, after checking its `errorType`.
fn error_message(stack: &LocalStack, invocation: Option<Invocation>) -> String {
    match invocation {
        Some(Invocation::Error(error)) => {
            assert_eq!(error["errorType"], "CustomResourceFailed", "{error}");
            error["errorMessage"].as_str().unwrap().to_owned()
        }
        other => panic!(
            "expected an error, got {other:?}\n{}",
            stack.function.output()
        ),
    }
}

fn user_id(physical_id: &str) -> &str {
    physical_id.split_once(':').unwrap().1
}

fn with_token(mut event: Value, token: &str) -> Value {
    event["ServiceToken"] = json!(token);
    event["ResourceProperties"]["ServiceToken"] = json!(token);
    event
}

/// A Create refused after `CreateUser` (a proficiency Connect does not know).
fn refused_after_create() -> Value {
    let mut properties = basic();
    properties["UserProficiencies"] =
        json!([{"AttributeName": "Language", "AttributeValue": "Klingon", "Level": 3}]);
    properties
}

/// Plays a Create refused after `CreateUser`, with the first `refused_deletes` DeleteUser
/// calls refused too; returns its RequestId and the invocation's error message.
async fn refused_create(stack: &LocalStack, refused_deletes: usize) -> (String, String) {
    if refused_deletes > 0 {
        let refused = Fault::Error {
            status: 400,
            code: "InvalidRequestException",
        };
        stack.connect.inject("DeleteUser", refused, refused_deletes);
    }
    let key = stack.request_id("create");
    let event = events::create(&stack.sink, &key, "Agent", &refused_after_create());
    let message = error_message(stack, stack.runtime.invoke(event, TIMEOUT).await);
    (key, message)
}

/// Asserts that nothing was PUT and no secret reached the logs.
async fn nothing_put_nothing_leaked(stack: &mut LocalStack, keys: &[String]) {
    assert!(
        stack.sink.all().is_empty(),
        "return mode PUT something: {:?}",
        stack.sink.all()
    );
    let output = stack.function.stop().await;
    for key in keys {
        assert!(
            !output.contains(&Sink::signature(key)),
            "ResponseURL logged"
        );
    }
    assert!(!output.contains("Password123"), "password logged");
}

#[tokio::test]
async fn return_mode_create_update_delete_return_their_results_and_put_nothing() {
    let mut stack = returning().await;
    let properties = basic();
    let create_id = stack.request_id("create");
    let event = with_token(
        events::create(&stack.sink, &create_id, "Agent", &properties),
        FRAMEWORK_TOKEN,
    );
    let created = result(&stack, stack.runtime.invoke(event, TIMEOUT).await);

    let physical_id = created["PhysicalResourceId"].as_str().unwrap().to_owned();
    let id = user_id(&physical_id);
    assert_eq!(physical_id, format!("{INSTANCE}:{id}"));
    let user = stack.connect.user(INSTANCE, id).expect("the user exists");
    assert_eq!(
        created,
        json!({"PhysicalResourceId": physical_id, "Data": {"Arn": user["Arn"], "UserId": id}}),
        "only the id and Data: the framework merges the result into its answer"
    );

    let mut new = properties.clone();
    new["IdentityInfo"]["Email"] = json!("agent@example.com");
    let update_id = stack.request_id("update");
    let event = events::update(
        &stack.sink,
        &update_id,
        "Agent",
        &physical_id,
        &new,
        &properties,
    );
    let updated = result(&stack, stack.runtime.invoke(event, TIMEOUT).await);
    assert_eq!(updated["PhysicalResourceId"], physical_id.as_str());
    assert_eq!(updated["Data"]["UserId"], id);
    let user = stack.connect.user(INSTANCE, id).unwrap();
    assert_eq!(user["IdentityInfo"]["Email"], "agent@example.com");

    let delete_id = stack.request_id("delete");
    let event = events::delete(&stack.sink, &delete_id, "Agent", &physical_id, &new);
    let deleted = result(&stack, stack.runtime.invoke(event, TIMEOUT).await);
    assert_eq!(deleted["PhysicalResourceId"], physical_id.as_str());
    assert!(stack.connect.user(INSTANCE, id).is_none(), "deleted");
    assert_eq!(
        stack.connect.mutations(),
        vec!["CreateUser", "UpdateUserIdentityInfo", "DeleteUser"]
    );

    nothing_put_nothing_leaked(&mut stack, &[create_id, update_id, delete_id]).await;
}

#[tokio::test]
async fn return_mode_needs_no_response_url_and_flags_a_direct_invocation() {
    let mut stack = returning().await;
    let mut event = with_token(
        events::create(&stack.sink, "no-url", "Agent", &basic()),
        FRAMEWORK_TOKEN,
    );
    event.as_object_mut().unwrap().remove("ResponseURL");
    let created = result(&stack, stack.runtime.invoke(event, TIMEOUT).await);
    let physical_id = created["PhysicalResourceId"].as_str().unwrap();
    assert!(stack.connect.user(INSTANCE, user_id(physical_id)).is_some());

    // CloudFormation invoking the function directly (its own ARN as ServiceToken) waits for
    // a PUT that return mode never makes: said in the logs.
    let event = events::delete(&stack.sink, "direct", "Agent", physical_id, &basic());
    result(&stack, stack.runtime.invoke(event, TIMEOUT).await);
    let output = stack.function.stop().await;
    let errors: Vec<&str> = output
        .lines()
        .filter(|line| line.contains("set RESPONSE_MODE=put"))
        .collect();
    assert_eq!(errors.len(), 1, "{output}");
    assert!(errors[0].contains("request_id=direct "), "{}", errors[0]);
    assert!(stack.sink.all().is_empty());
}

#[tokio::test]
async fn return_mode_bad_properties_are_an_invocation_error_naming_them() {
    let mut stack = returning().await;
    let mut properties = basic();
    properties
        .as_object_mut()
        .unwrap()
        .remove("RoutingProfileId");
    properties["Name"] = json!("has space");
    let key = stack.request_id("create");
    let event = events::create(&stack.sink, &key, "Agent", &properties);
    let message = error_message(&stack, stack.runtime.invoke(event, TIMEOUT).await);
    assert!(
        message.contains("RoutingProfileId is required"),
        "{message}"
    );
    assert!(message.contains("Name may contain only"), "{message}");
    assert!(stack.connect.calls().is_empty(), "validation comes first");
    assert_eq!(stack.connect.user_count(INSTANCE), 0);
    nothing_put_nothing_leaked(&mut stack, &[key]).await;
}

#[tokio::test]
async fn return_mode_a_create_refused_after_making_its_user_leaves_no_user() {
    let mut stack = returning().await;
    let (key, message) = refused_create(&stack, 0).await;
    assert!(
        message.starts_with("AssociateUserProficiencies: ResourceNotFoundException"),
        "{message}"
    );
    assert!(message.contains("the user was deleted again"), "{message}");
    assert_eq!(stack.connect.user_count(INSTANCE), 0);
    assert_eq!(stack.connect.mutations(), vec!["CreateUser", "DeleteUser"]);
    nothing_put_nothing_leaked(&mut stack, &[key]).await;
}

#[tokio::test]
async fn return_mode_deletes_the_user_when_the_resource_could_not() {
    let mut stack = returning().await;
    // The resource's own clean-up is refused once; the protocol's clean-up then succeeds.
    let (key, message) = refused_create(&stack, 1).await;
    assert!(
        message.contains("deleting the user again failed too"),
        "{message}"
    );
    assert!(
        message.contains("RESPONSE_MODE=return: this function deleted what the Create had made"),
        "{message}"
    );
    // No rollback Delete follows a failed Create under the framework: the reason must not
    // promise one.
    assert!(
        message.contains("is left to the clean-up this function makes before it fails")
            && !message.contains("rollback Delete"),
        "{message}"
    );
    assert_eq!(stack.connect.user_count(INSTANCE), 0, "no user is left");
    let deletes: Vec<u16> = stack
        .connect
        .calls()
        .into_iter()
        .filter(|call| call.operation == "DeleteUser")
        .map(|call| call.status)
        .collect();
    assert_eq!(
        deletes,
        vec![400, 200],
        "the resource's, then the protocol's"
    );
    nothing_put_nothing_leaked(&mut stack, &[key]).await;
}

#[tokio::test]
async fn return_mode_names_the_user_it_could_not_delete() {
    let stack = returning().await;
    let (_, message) = refused_create(&stack, 2).await;
    assert_eq!(stack.connect.user_count(INSTANCE), 1);
    let id = stack.connect.with_world(|world| {
        world.instances[INSTANCE]
            .users
            .keys()
            .next()
            .unwrap()
            .clone()
    });
    assert!(
        message.ends_with(&format!("remove {INSTANCE}:{id} by hand")),
        "{message}"
    );
    assert!(stack.sink.all().is_empty());
}

#[tokio::test]
async fn an_invalid_response_mode_fails_every_event_both_ways_and_keeps_serving() {
    let stack = LocalStack::start_with(&[("RESPONSE_MODE", "Return")]).await;
    for (n, event) in [
        events::create(&stack.sink, "invalid-0", "Agent", &basic()),
        events::delete(&stack.sink, "invalid-1", "Agent", "i:u", &basic()),
    ]
    .into_iter()
    .enumerate()
    {
        let message = error_message(&stack, stack.runtime.invoke(event, TIMEOUT).await);
        assert!(message.contains("RESPONSE_MODE is \"Return\""), "{message}");
        let key = format!("invalid-{n}");
        let answer = stack
            .sink
            .answer(&key, Duration::from_secs(5))
            .await
            .expect("a FAILED answer PUT all the same")
            .json();
        assert_eq!(failed(&answer), message);
    }
    assert!(stack.connect.calls().is_empty(), "nothing was done");
}

#[tokio::test]
async fn put_mode_warns_when_the_service_token_names_another_function() {
    let mut stack = LocalStack::start().await;
    // A version or alias on the token is still this function: no warning for it.
    let mut other = basic();
    other["Name"] = json!("direct-agent");
    let direct = with_token(
        events::create(&stack.sink, "direct", "Direct", &other),
        &format!("{}:live", events::SERVICE_TOKEN),
    );
    let framework = with_token(
        events::create(&stack.sink, "via-framework", "Agent", &basic()),
        FRAMEWORK_TOKEN,
    );
    ok(&stack.play(direct).await);
    ok(&stack.play(framework).await);

    let output = stack.function.stop().await;
    let warnings: Vec<&str> = output
        .lines()
        .filter(|line| line.contains("set RESPONSE_MODE=return"))
        .collect();
    assert_eq!(
        warnings.len(),
        1,
        "one warning, for the framework's event:\n{output}"
    );
    assert!(warnings[0].contains(FRAMEWORK_TOKEN), "{}", warnings[0]);
    assert!(warnings[0].contains("via-framework"), "{}", warnings[0]);
    for key in ["via-framework", "direct"] {
        assert!(
            !output.contains(&Sink::signature(key)),
            "ResponseURL logged"
        );
    }
}

/// In process: a resource whose Create makes "made-1" and then hangs, and whose Delete records
/// what it is asked to delete, hanging too when told to.
#[derive(Clone, Default)]
struct MadeThenStuck {
    delete_hangs: bool,
    deleted: Arc<Mutex<Vec<String>>>,
}

impl Resource for MadeThenStuck {
    async fn create(&self, context: Context, _: Properties) -> Result<Outcome, ResourceError> {
        context.progress.record("made-1".into());
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Err(ResourceError::new("never gets here"))
    }
    async fn update(
        &self,
        _: Context,
        _: String,
        _: Properties,
        _: Properties,
    ) -> Result<Outcome, ResourceError> {
        Err(ResourceError::new("not used"))
    }
    async fn delete(&self, _: Context, id: String, _: Properties) -> Result<(), ResourceError> {
        self.deleted.lock().unwrap().push(id);
        if self.delete_hangs {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Ok(())
    }
}

#[tokio::test]
async fn return_mode_cleans_up_a_cut_off_create_within_the_answer_deadline() {
    let sink = Sink::start().await;
    let lambda_timeout = Duration::from_secs(3);
    for delete_hangs in [false, true] {
        let resource = MadeThenStuck {
            delete_hangs,
            ..Default::default()
        };
        let deleted = Arc::clone(&resource.deleted);
        // 3 s: 2.75 s to the answer deadline (less the return reserve), of which the last
        // second (the margin, unused for a PUT in return mode) is the clean-up's.
        let handler = Handler::new(resource, UrlPolicy::new([], true), Duration::from_secs(1))
            .with_mode(ResponseMode::Return);
        let event = events::create(&sink, "stuck", "Agent", &json!({}));
        let deadline_ms =
            (SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + lambda_timeout).as_millis();
        let invocation = handler::Invocation {
            deadline_ms: deadline_ms as u64,
            function_arn: events::SERVICE_TOKEN.into(),
        };
        let started = tokio::time::Instant::now();
        let error = handler.invoke(event, invocation).await.unwrap_err();
        let elapsed = started.elapsed();
        let message = error.to_string();

        assert!(
            elapsed < lambda_timeout - Duration::from_millis(150),
            "{elapsed:?}"
        );
        assert!(message.starts_with("timed out"), "{message}");
        assert_eq!(*deleted.lock().unwrap(), vec!["made-1".to_owned()]);
        if delete_hangs {
            assert!(elapsed >= Duration::from_millis(2_600), "{elapsed:?}");
            assert!(message.contains("no time was left"), "{message}");
            assert!(message.ends_with("remove made-1 by hand"), "{message}");
        } else {
            assert!(elapsed < Duration::from_millis(2_500), "{elapsed:?}");
            assert!(
                message.contains("this function deleted what the Create had made (made-1)"),
                "{message}"
            );
        }
    }
    assert!(sink.all().is_empty(), "return mode never PUTs");
}
