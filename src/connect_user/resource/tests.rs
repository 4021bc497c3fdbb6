//! The resource's branches in-process, against the in-memory Connect (the testkit's emulator
//! through the real SDK adapter) with tokio's clock paused: each test runs in milliseconds,
//! however long the retries and deadlines it exercises. The end-to-end tests keep the wiring,
//! faults on the wire and throttling across processes.

use std::time::Duration;

use serde_json::{json, Value};
use testkit::connect_emulator::{ConnectEmulator, Fault};
use tokio::time::Instant;

use super::ConnectUserResource;
use crate::connect_user::connect::memory::sdk_connect;
use crate::connect_user::connect::sdk::SdkConnect;
use crate::connect_user::model::Secret;
use crate::connect_user::secrets::{SecretError, SecretStore, SecretValue};
use crate::protocol::event::{Properties, RequestIdentity};
use crate::protocol::resource::{Context, FailedCreateCleanup, Progress, Resource};

const INSTANCE: &str = "10000000-0000-4000-8000-000000000001";

/// The templates here give `Password` literally; a secret read would be a bug.
struct NoSecrets;

impl SecretStore for NoSecrets {
    async fn secret_value(&self, _arn: &str) -> Result<SecretValue, SecretError> {
        Ok(SecretValue::Text(Secret::new("unused".into())))
    }
}

fn resource(connect: &ConnectEmulator) -> ConnectUserResource<SdkConnect, NoSecrets> {
    ConnectUserResource::new(sdk_connect(connect), NoSecrets)
}

fn context(request_id: &str) -> Context {
    context_for(request_id, Duration::from_secs(60))
}

/// A context whose work deadline is `left` from now.
fn context_for(request_id: &str, left: Duration) -> Context {
    Context {
        identity: RequestIdentity {
            stack_id: "arn:aws:cloudformation:us-east-1:123456789012:stack/agents/1".into(),
            request_id: request_id.into(),
            logical_resource_id: "Agent".into(),
        },
        work_deadline: Instant::now() + left,
        progress: Progress::default(),
        failed_create_cleanup: FailedCreateCleanup::RollbackDeletes,
        pace: Default::default(),
    }
}

fn agent(name: &str) -> Properties {
    let Value::Object(map) = json!({
        "InstanceId": INSTANCE,
        "Name": name,
        "Password": "Password123",
        "RoutingProfileId": "rp-basic-0000-4000-8000-000000000001",
        "SecurityProfileIds": ["sp-agent-0000-4000-8000-000000000001"],
        "IdentityInfo": {"FirstName": "Ada", "LastName": "Lovelace"},
        "PhoneConfig": {"PhoneType": "SOFT_PHONE", "AfterContactWorkTimeLimit": "0"},
    }) else {
        unreachable!()
    };
    map
}

fn with(mut properties: Properties, key: &str, value: Value) -> Properties {
    properties.insert(key.into(), value);
    properties
}

fn operations(connect: &ConnectEmulator) -> Vec<String> {
    connect.calls().into_iter().map(|c| c.operation).collect()
}

#[tokio::test(start_paused = true)]
async fn a_redelivered_create_answers_the_user_it_made() {
    let connect = ConnectEmulator::in_memory();
    let resource = resource(&connect);
    let first = resource
        .create(context("req-1"), agent("ada"))
        .await
        .unwrap();
    let again = resource
        .create(context("req-1"), agent("ada"))
        .await
        .unwrap();
    assert_eq!(again.physical_id, first.physical_id);
    assert_eq!(connect.user_count(INSTANCE), 1);
    let ops = operations(&connect);
    assert_eq!(
        ops.iter().filter(|op| *op == "CreateUser").count(),
        2,
        "{ops:?}"
    );
    assert!(ops.contains(&"ListUsers".to_string()), "{ops:?}");
}

#[tokio::test(start_paused = true)]
async fn a_same_name_user_of_another_request_is_left_untouched() {
    let connect = ConnectEmulator::in_memory();
    let resource = resource(&connect);
    resource
        .create(context("req-1"), agent("ada"))
        .await
        .unwrap();
    connect.clear_calls();
    let renamed = with(
        agent("ada"),
        "RoutingProfileId",
        json!("rp-sales-0000-4000-8000-000000000002"),
    );
    let refused = resource
        .create(context("req-2"), renamed)
        .await
        .unwrap_err();
    assert!(
        refused.reason.contains("already exists") && refused.reason.contains("left untouched"),
        "{}",
        refused.reason
    );
    assert_eq!(connect.user_count(INSTANCE), 1);
    let ops = operations(&connect);
    assert!(
        !ops.iter().any(|op| op.starts_with("Update")),
        "changed it: {ops:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_refused_association_deletes_the_user_again() {
    let connect = ConnectEmulator::in_memory();
    let resource = resource(&connect);
    let properties = with(
        agent("ada"),
        "UserProficiencies",
        json!([{"AttributeName": "Language", "AttributeValue": "Klingon", "Level": "3"}]),
    );
    let context = context("req-1");
    let failed = resource
        .create(context.clone(), properties)
        .await
        .unwrap_err();
    assert!(
        failed
            .reason
            .contains("the user was deleted again, so nothing is left behind"),
        "{}",
        failed.reason
    );
    assert_eq!(connect.user_count(INSTANCE), 0);
    assert_eq!(context.progress.recorded(), None);
}

#[tokio::test(start_paused = true)]
async fn a_create_whose_answer_is_lost_adopts_its_own_user_on_retry() {
    let connect = ConnectEmulator::in_memory();
    let resource = resource(&connect);
    // Served at once; the answer never comes within the SDK's per-attempt timeout, so the
    // retry meets the name taken, by this very request.
    connect.inject("CreateUser", Fault::Late(Duration::from_secs(120)), 1);
    let created = resource
        .create(context("req-1"), agent("ada"))
        .await
        .unwrap();
    assert_eq!(connect.user_count(INSTANCE), 1);
    let made = connect.user_named(INSTANCE, "ada").unwrap();
    assert!(created.physical_id.ends_with(made["Id"].as_str().unwrap()));
}

#[tokio::test(start_paused = true)]
async fn a_cut_off_create_that_made_the_user_names_it_for_the_rollback() {
    let connect = ConnectEmulator::in_memory();
    let resource = resource(&connect);
    // 8 s of work: CreateUser must answer by 8 s less the clean-up reserve (a third: 2.7 s),
    // before the SDK's 10 s attempt timeout; it is served at once and answered far later.
    connect.inject("CreateUser", Fault::Late(Duration::from_secs(120)), 1);
    let context = context_for("req-1", Duration::from_secs(8));
    let started = Instant::now();
    let failed = resource
        .create(context.clone(), agent("ada"))
        .await
        .unwrap_err();
    let made = connect
        .user_named(INSTANCE, "ada")
        .expect("CreateUser was served");
    let user_id = made["Id"].as_str().unwrap().to_owned();
    let physical_id = format!("{INSTANCE}:{user_id}");
    assert!(
        failed
            .reason
            .contains("the call made the user all the same")
            && failed.reason.contains(&physical_id),
        "{}",
        failed.reason
    );
    assert_eq!(context.progress.recorded(), Some(physical_id));
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "ran past the work deadline"
    );
}

#[tokio::test(start_paused = true)]
async fn an_association_whose_answer_was_lost_is_recognised() {
    let connect = ConnectEmulator::in_memory();
    let resource = resource(&connect);
    let created = resource
        .create(context("req-1"), agent("ada"))
        .await
        .unwrap();
    let properties = with(
        agent("ada"),
        "UserProficiencies",
        json!([{"AttributeName": "Language", "AttributeValue": "English", "Level": "4"}]),
    );
    // Served, then the connection closes: the retry finds it "already associated".
    connect.inject("AssociateUserProficiencies", Fault::Dropped, 1);
    let updated = resource
        .update(
            context("req-2"),
            created.physical_id.clone(),
            properties,
            agent("ada"),
        )
        .await
        .unwrap();
    assert_eq!(updated.physical_id, created.physical_id);
    let ops = operations(&connect);
    let associations = ops
        .iter()
        .filter(|op| *op == "AssociateUserProficiencies")
        .count();
    assert_eq!(associations, 2, "{ops:?}");
}

#[tokio::test(start_paused = true)]
async fn a_rename_replaces_the_user_and_leaves_the_old_for_the_cleanup_delete() {
    let connect = ConnectEmulator::in_memory();
    let resource = resource(&connect);
    let old = resource
        .create(context("req-1"), agent("ada"))
        .await
        .unwrap();
    let new = resource
        .update(
            context("req-2"),
            old.physical_id.clone(),
            agent("grace"),
            agent("ada"),
        )
        .await
        .unwrap();
    assert_ne!(new.physical_id, old.physical_id);
    assert_eq!(connect.user_count(INSTANCE), 2, "an Update never deletes");
    resource
        .delete(context("req-3"), old.physical_id.clone(), agent("ada"))
        .await
        .unwrap();
    // The user is gone already: still a success.
    resource
        .delete(context("req-4"), old.physical_id, agent("ada"))
        .await
        .unwrap();
    assert_eq!(connect.user_count(INSTANCE), 1);
}

#[tokio::test(start_paused = true)]
async fn throttled_calls_retry_within_the_deadline_in_no_real_time() {
    let connect = ConnectEmulator::in_memory();
    let resource = resource(&connect);
    connect.inject("CreateUser", Fault::throttle(), 6);
    let real = std::time::Instant::now();
    // Six pauses of the herd's backoff (2 s, then ×4, capped at 36 s) fit in ten minutes.
    resource
        .create(context_for("req-1", Duration::from_secs(600)), agent("ada"))
        .await
        .unwrap();
    let creates = operations(&connect)
        .iter()
        .filter(|op| *op == "CreateUser")
        .count();
    assert_eq!(creates, 7);
    assert!(
        real.elapsed() < Duration::from_secs(5),
        "the clock did not advance by itself"
    );
}

const RESERVED: &str = crate::connect_user::model::OWNERSHIP_TAG;

/// The reserved tag of the emulator's user `id`, if any.
fn reserved_tag(connect: &ConnectEmulator, id: &str) -> Option<String> {
    let user = connect.user(INSTANCE, id)?;
    user["Tags"][RESERVED].as_str().map(str::to_owned)
}

#[tokio::test(start_paused = true)]
async fn an_adoption_that_fails_after_its_claim_withdraws_it_and_names_no_user() {
    let connect = ConnectEmulator::in_memory();
    let console_id = connect.console_user(INSTANCE, "ada");
    let resource = resource(&connect);
    let refusal = Fault::Error {
        status: 400,
        code: "InvalidRequestException",
    };
    connect.inject("UpdateUserRoutingProfile", refusal, 1);
    let context = context("req-adopt");
    let adopting = with(agent("ada"), "AdoptExistingUser", json!("true"));
    let reason = resource
        .create(context.clone(), adopting.clone())
        .await
        .unwrap_err()
        .reason;
    assert!(reason.contains("UpdateUserRoutingProfile"), "{reason}");
    assert!(reason.contains("the claim was withdrawn"), "{reason}");
    assert_eq!(
        context.progress.recorded(),
        None,
        "the failed-Create marker"
    );
    assert_eq!(reserved_tag(&connect, &console_id), None, "claim withdrawn");
    let ops = operations(&connect);
    assert_eq!(
        ops.iter().filter(|op| *op == "SearchUsers").count(),
        1,
        "{ops:?}"
    );
    assert!(!ops.contains(&"CreateUser".to_string()), "{ops:?}");
    // Retried, it adopts: the user is as free as it was.
    let outcome = resource.create(context, adopting).await.unwrap();
    assert_eq!(outcome.physical_id, format!("{INSTANCE}:{console_id}"));
    let claim = reserved_tag(&connect, &console_id).unwrap_or_default();
    assert_eq!(claim, "adopted/agents/Agent/req-adopt");
}

#[tokio::test(start_paused = true)]
async fn a_user_the_search_does_not_show_yet_is_found_by_paging_after_create_user() {
    let connect = ConnectEmulator::in_memory();
    connect.pause_search_index();
    let console_id = connect.console_user(INSTANCE, "ada");
    let resource = resource(&connect);
    let adopting = with(agent("ada"), "AdoptExistingUser", json!("true"));
    let outcome = resource.create(context("req-1"), adopting).await.unwrap();
    assert_eq!(outcome.physical_id, format!("{INSTANCE}:{console_id}"));
    assert_eq!(connect.user_count(INSTANCE), 1);
    let ops = operations(&connect);
    let position = |name: &str| ops.iter().position(|op| op == name);
    assert!(position("SearchUsers") < position("CreateUser"), "{ops:?}");
    assert!(position("CreateUser") < position("ListUsers"), "{ops:?}");
    let claim = reserved_tag(&connect, &console_id).unwrap_or_default();
    assert!(claim.starts_with("adopted/"), "{claim}");
}

#[tokio::test(start_paused = true)]
async fn a_broken_default_tags_fails_create_and_update_before_any_call_but_not_delete() {
    let connect = ConnectEmulator::in_memory();
    let made = resource(&connect)
        .create(context("req-1"), agent("ada"))
        .await
        .unwrap();
    connect.clear_calls();
    let defaults = crate::connect_user::model::DefaultTags::parse(Some("{\"team\": 1}"));
    let resource = resource(&connect).with_default_tags(defaults);
    let reason = resource
        .create(context("req-2"), agent("bob"))
        .await
        .unwrap_err()
        .reason;
    assert!(reason.starts_with("DEFAULT_TAGS "), "{reason}");
    assert!(
        reason.contains("tag team: value must be a string"),
        "{reason}"
    );
    let update = resource.update(
        context("req-3"),
        made.physical_id.clone(),
        agent("ada"),
        agent("ada"),
    );
    assert!(update
        .await
        .unwrap_err()
        .reason
        .starts_with("DEFAULT_TAGS "));
    assert!(
        operations(&connect).is_empty(),
        "{:?}",
        operations(&connect)
    );
    resource
        .delete(context("req-4"), made.physical_id, agent("ada"))
        .await
        .unwrap();
    assert_eq!(connect.user_count(INSTANCE), 0);
}
