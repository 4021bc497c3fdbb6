//! `Custom::ConnectUser` end to end: the compiled function, driven through the emulated
//! Runtime API, against the local Connect emulator, answering to a ResponseURL sink.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use testkit::answers::{failed, ok, physical_id};
use testkit::connect_emulator::{seed, Fault};
use testkit::events::stringify;
use testkit::examples::{basic, seed_examples};
use testkit::stack::LocalStack;
use testkit::user_view::UserView;
use testkit::OWNERSHIP_TAG;

const INSTANCE: &str = seed::INSTANCE_MANAGED;

fn user_id(answer: &Value) -> String {
    physical_id(answer).split_once(':').unwrap().1.to_owned()
}

#[tokio::test]
async fn the_five_seed_examples_create_exactly_the_right_users() {
    let stack = LocalStack::start().await;
    for (logical_id, properties) in seed_examples() {
        stack.connect.clear_calls();
        let answer = stack
            .create(logical_id, &stringify(properties.clone()))
            .await;
        ok(&answer);
        assert_eq!(
            stack.connect.mutations(),
            vec!["CreateUser"],
            "{logical_id}: one call"
        );

        let id = user_id(&answer);
        assert_eq!(physical_id(&answer), format!("{INSTANCE}:{id}"));
        let user = stack.connect.user(INSTANCE, &id).expect("the user exists");
        assert_eq!(answer["Data"]["UserId"], id.as_str());
        assert_eq!(answer["Data"]["Arn"], user["Arn"]);
        assert_eq!(user["Username"], properties["Name"]);
        assert_eq!(user["RoutingProfileId"], properties["RoutingProfileId"]);
        assert_eq!(
            security_profiles(&user),
            security_profiles(&properties),
            "{logical_id}"
        );
        let phone = &properties["PhoneConfig"];
        let view = UserView::of(&user);
        assert_eq!(view.phone_config.phone_type, phone["PhoneType"]);
        assert_eq!(
            json!(view.phone_config.auto_accept),
            phone.get("AutoAccept").cloned().unwrap_or(json!(false))
        );
        assert_eq!(
            user["PhoneConfig"].get("DeskPhoneNumber"),
            phone.get("DeskPhoneNumber")
        );
        assert_eq!(
            user.get("HierarchyGroupId"),
            properties.get("HierarchyGroupId")
        );
        assert_eq!(
            user["IdentityInfo"],
            properties.get("IdentityInfo").cloned().unwrap_or(json!({}))
        );
        let tags = UserView::of(&user).tags;
        assert_eq!(tags.len(), 1, "only the ownership tag: {tags:?}");
        assert!(tags.contains_key(OWNERSHIP_TAG));
    }
    assert_eq!(stack.connect.user_count(INSTANCE), 5);
}

/// The user's security profiles, as a set.
fn security_profiles(user: &Value) -> BTreeSet<String> {
    user["SecurityProfileIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

#[tokio::test]
async fn each_in_place_update_makes_exactly_its_call() {
    type Edit = fn(&mut Value);
    /// What the user must look like afterwards, given how it looked before.
    type Check = fn(&Value, &Value);
    let cases: Vec<(&str, Edit, Vec<&str>, Check)> = vec![
        (
            "no change",
            |_| {},
            vec![],
            |before, after| assert_eq!(before, after),
        ),
        (
            "identity",
            |p| {
                p["IdentityInfo"] =
                    json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"})
            },
            vec!["UpdateUserIdentityInfo"],
            |_, after| {
                assert_eq!(
                    after["IdentityInfo"],
                    json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"})
                )
            },
        ),
        (
            "phone",
            |p| p["PhoneConfig"]["AfterContactWorkTimeLimit"] = json!(30),
            vec!["UpdateUserPhoneConfig"],
            |_, after| assert_eq!(after["PhoneConfig"]["AfterContactWorkTimeLimit"], 30),
        ),
        (
            "auto accept",
            |p| p["PhoneConfig"]["AutoAccept"] = json!(true),
            vec!["UpdateUserPhoneConfig"],
            |_, after| assert_eq!(after["PhoneConfig"]["AutoAccept"], true),
        ),
        (
            "routing",
            |p| p["RoutingProfileId"] = json!(seed::ROUTING_PROFILES[1]),
            vec!["UpdateUserRoutingProfile"],
            |_, after| assert_eq!(after["RoutingProfileId"], seed::ROUTING_PROFILES[1]),
        ),
        (
            "security",
            |p| {
                p["SecurityProfileIds"] =
                    json!([seed::SECURITY_PROFILES[2], seed::SECURITY_PROFILES[0]])
            },
            vec!["UpdateUserSecurityProfiles"],
            |_, after| {
                assert_eq!(
                    security_profiles(after),
                    set(&[seed::SECURITY_PROFILES[0], seed::SECURITY_PROFILES[2]])
                )
            },
        ),
        (
            "hierarchy add",
            |p| p["HierarchyGroupId"] = json!(seed::HIERARCHY_GROUPS[1]),
            vec!["UpdateUserHierarchy"],
            |_, after| assert_eq!(after["HierarchyGroupId"], seed::HIERARCHY_GROUPS[1]),
        ),
        (
            "tags add",
            |p| p["Tags"] = json!([{"Key": "team", "Value": "blue"}]),
            vec!["TagResource"],
            |_, after| assert_eq!(after["Tags"]["team"], "blue"),
        ),
        (
            "password",
            |p| p["Password"] = json!("Another456x"),
            vec![],
            |before, after| assert_eq!(before, after),
        ),
        (
            "order only",
            |p| p["SecurityProfileIds"] = json!([seed::SECURITY_PROFILES[0]]),
            vec![],
            |before, after| assert_eq!(before, after),
        ),
        (
            "arn form",
            |p| {
                p["RoutingProfileId"] = json!(format!(
                    "arn:aws:connect:us-east-1:123456789012:instance/{}/routing-profile/{}",
                    seed::INSTANCE_MANAGED,
                    seed::ROUTING_PROFILES[0]
                ))
            },
            vec![],
            |before, after| assert_eq!(before, after),
        ),
    ];
    let stack = LocalStack::start().await;
    let view = |user_id: &str| {
        let mut user = stack.connect.user(INSTANCE, user_id).unwrap();
        user.as_object_mut().unwrap().remove("LastModifiedTime");
        user
    };
    for (label, edit, expected, check) in cases {
        let old = basic();
        let created = stack.create("Agent", &old).await;
        let id = physical_id(ok(&created));
        let before = view(&user_id(&created));
        let mut new = old.clone();
        edit(&mut new);
        stack.connect.clear_calls();
        let answer = stack
            .update(
                "Agent",
                &id,
                &stringify(new.clone()),
                &stringify(old.clone()),
            )
            .await;
        ok(&answer);
        assert_eq!(physical_id(&answer), id, "{label}: updated in place");
        assert_eq!(stack.connect.mutations(), expected, "{label}");
        assert_eq!(
            stack
                .connect
                .served()
                .iter()
                .filter(|op| *op == "DescribeUser")
                .count(),
            1,
            "{label}: one read"
        );
        check(&before, &view(&user_id(&answer)));
        let password = stack.connect.with_world(|w| {
            w.instances[INSTANCE].users[&user_id(&answer)]
                .password
                .clone()
        });
        assert_eq!(
            password.as_deref(),
            Some("Password123"),
            "{label}: never changed"
        );
        // Clean up so the next case can reuse the name.
        ok(&stack.delete("Agent", &id, &new).await);
    }
}

#[tokio::test]
async fn removing_hierarchy_and_tags_converges_them_away() {
    let stack = LocalStack::start().await;
    let mut old = basic();
    old["HierarchyGroupId"] = json!(seed::HIERARCHY_GROUPS[0]);
    old["Tags"] = json!({"team": "blue", "site": "leeds"});
    let id = physical_id(ok(&stack.create("Agent", &old).await));
    let mut new = basic();
    new["Tags"] = json!([{"Key": "team", "Value": "green"}]);
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &new, &old).await);
    assert_eq!(
        stack.connect.mutations(),
        vec!["UpdateUserHierarchy", "UntagResource", "TagResource"]
    );
    let user = UserView::of(&stack.connect.user_at(&id).unwrap());
    assert_eq!(user.hierarchy_group_id, None);
    assert_eq!(user.tags.get("team").map(String::as_str), Some("green"));
    assert!(!user.tags.contains_key("site"));
    assert!(user.tags.contains_key(OWNERSHIP_TAG), "ownership tag kept");
}

#[tokio::test]
async fn a_rename_replaces_the_user_and_leaves_the_old_one_for_cleanup() {
    let stack = LocalStack::start().await;
    let old = basic();
    let first = stack.create("Agent", &old).await;
    let old_id = physical_id(ok(&first));
    let mut new = old.clone();
    new["Name"] = json!("renamed");
    stack.connect.clear_calls();
    let answer = stack
        .update(
            "Agent",
            &old_id,
            &stringify(new.clone()),
            &stringify(old.clone()),
        )
        .await;
    let new_id = physical_id(ok(&answer));
    assert_ne!(new_id, old_id);
    assert!(
        !stack
            .connect
            .mutations()
            .contains(&"DeleteUser".to_string()),
        "never delete in an Update"
    );
    assert!(
        stack.connect.user_named(INSTANCE, "example").is_some(),
        "old user kept for the cleanup Delete"
    );
    assert!(stack.connect.user_named(INSTANCE, "renamed").is_some());

    ok(&stack.delete("Agent", &old_id, &old).await);
    assert!(stack.connect.user_named(INSTANCE, "example").is_none());
    assert!(stack.connect.user_named(INSTANCE, "renamed").is_some());
}

#[tokio::test]
async fn an_instance_change_replaces_the_user() {
    let stack = LocalStack::start().await;
    let mut old = basic();
    old["Name"] = json!("mover");
    let old_id = physical_id(ok(&stack.create("Agent", &old).await));
    let mut new = old.clone();
    new["InstanceId"] = json!(format!(
        "arn:aws:connect:us-east-1:123456789012:instance/{}",
        seed::INSTANCE_SAML
    ));
    new.as_object_mut().unwrap().remove("Password");
    let answer = stack.update("Agent", &old_id, &new, &old).await;
    let new_id = physical_id(ok(&answer));
    assert!(
        new_id.starts_with(&format!("{}:", seed::INSTANCE_SAML)),
        "bare instance id: {new_id}"
    );
    assert!(stack.connect.user_named(INSTANCE, "mover").is_some());
    assert!(stack
        .connect
        .user_named(seed::INSTANCE_SAML, "mover")
        .is_some());
}

#[tokio::test]
async fn drift_made_in_the_console_is_repaired() {
    let stack = LocalStack::start().await;
    let mut properties = basic();
    properties["Tags"] = json!({"team": "blue"});
    let id = physical_id(ok(&stack.create("Agent", &properties).await));
    let user_id = id.split_once(':').unwrap().1.to_owned();
    stack.connect.with_world(|world| {
        let user = world
            .instances
            .get_mut(INSTANCE)
            .unwrap()
            .users
            .get_mut(&user_id)
            .unwrap();
        user.routing_profile_id = seed::ROUTING_PROFILES[1].into();
        user.security_profile_ids = vec![seed::SECURITY_PROFILES[3].into()];
        user.tags.insert("team".into(), "red".into());
        user.tags.insert("console".into(), "x".into());
    });
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &properties, &properties).await);
    assert_eq!(
        stack.connect.mutations(),
        vec![
            "UpdateUserRoutingProfile",
            "UpdateUserSecurityProfiles",
            "UntagResource",
            "TagResource"
        ]
    );
    let user = stack.connect.user_view(INSTANCE, &user_id).unwrap();
    assert_eq!(user.routing_profile_id, seed::ROUTING_PROFILES[0]);
    assert_eq!(user.security_profile_ids, vec![seed::SECURITY_PROFILES[0]]);
    assert_eq!(user.tags.get("team").map(String::as_str), Some("blue"));
    assert!(!user.tags.contains_key("console"));
}

#[tokio::test]
async fn a_failed_update_then_the_swapped_rollback_ends_where_it_started() {
    let stack = LocalStack::start().await;
    let old = basic();
    let id = physical_id(ok(&stack.create("Agent", &old).await));
    let user_id = id.split_once(':').unwrap().1.to_owned();
    let before = stack.connect.user(INSTANCE, &user_id).unwrap();

    let mut new = old.clone();
    new["RoutingProfileId"] = json!(seed::ROUTING_PROFILES[1]);
    new["PhoneConfig"]["AfterContactWorkTimeLimit"] = json!(45);
    new["HierarchyGroupId"] = json!("hg-that-does-not-exist");
    let reason = failed(&stack.update("Agent", &id, &new, &old).await);
    assert!(reason.contains("UpdateUserHierarchy: ResourceNotFoundException: hierarchy group hg-that-does-not-exist not found"), "{reason}");
    assert!(reason.contains("2 of 3 changes were made"), "{reason}");
    let midway = stack.connect.user(INSTANCE, &user_id).unwrap();
    assert_eq!(
        midway["RoutingProfileId"],
        seed::ROUTING_PROFILES[1],
        "the update got part-way"
    );

    let rollback = stack.update("Agent", &id, &old, &new).await;
    assert_eq!(physical_id(ok(&rollback)), id);
    let after = stack.connect.user(INSTANCE, &user_id).unwrap();
    let strip = |mut v: Value| {
        v.as_object_mut().unwrap().remove("LastModifiedTime");
        v
    };
    assert_eq!(strip(after), strip(before));
}

#[tokio::test]
async fn delete_twice_succeeds_both_times() {
    let stack = LocalStack::start().await;
    let id = physical_id(ok(&stack.create("Agent", &basic()).await));
    ok(&stack.delete("Agent", &id, &basic()).await);
    assert_eq!(stack.connect.user_count(INSTANCE), 0);
    stack.connect.clear_calls();
    ok(&stack.delete("Agent", &id, &basic()).await);
    let calls = stack.connect.calls();
    // The Delete describes the user first (its reserved tag says delete, release or leave):
    // a user already gone ends it there.
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (calls[0].operation.as_str(), calls[0].status),
        ("DescribeUser", 404)
    );
}

#[tokio::test]
async fn a_failed_create_then_its_delete_touches_nothing() {
    let stack = LocalStack::start().await;
    let mut properties = basic();
    properties["RoutingProfileId"] = json!("rp-missing");
    let answer = stack.create("Agent", &properties).await;
    let reason = failed(&answer);
    assert_eq!(reason, "CreateUser: ResourceNotFoundException: routing profile rp-missing not found in instance 10000000-0000-4000-8000-000000000001");
    let marker = physical_id(&answer);
    assert!(marker.starts_with("failed-create."));
    stack.connect.clear_calls();
    ok(&stack.delete("Agent", &marker, &properties).await);
    assert!(stack.connect.calls().is_empty());
}

#[tokio::test]
async fn a_user_with_the_same_name_is_never_hijacked() {
    let stack = LocalStack::start().await;
    let mut foreign = basic();
    foreign["Username"] = foreign["Name"].clone();
    foreign["SecurityProfileIds"] = json!([seed::SECURITY_PROFILES[1]]);
    stack
        .connect
        .with_world(|w| w.create_user(INSTANCE, &foreign))
        .expect("seed a foreign user");
    let before = stack.connect.user_named(INSTANCE, "example").unwrap();

    let answer = stack.create("Agent", &basic()).await;
    let reason = failed(&answer);
    assert!(
        reason.contains("a user named example already exists"),
        "{reason}"
    );
    let marker = physical_id(&answer);
    assert!(
        marker.starts_with("failed-create."),
        "must not point at the foreign user: {marker}"
    );
    assert!(
        !stack
            .connect
            .mutations()
            .iter()
            .any(|op| op != "CreateUser"),
        "no change to the foreign user"
    );

    ok(&stack.delete("Agent", &marker, &basic()).await);
    assert_eq!(
        stack.connect.user_named(INSTANCE, "example"),
        Some(before),
        "left untouched"
    );
}

#[tokio::test]
async fn a_redelivered_create_adopts_its_own_user() {
    let stack = LocalStack::start().await;
    let event = testkit::events::create(&stack.sink, "redelivered", "Agent", &stringify(basic()));
    // Each play returns the answer of its own delivery.
    let first = stack.play(event.clone()).await;
    let second = stack.play(event).await;
    let deliveries: Vec<Value> = stack
        .sink
        .attempts("redelivered")
        .iter()
        .filter(|r| r.status == 200)
        .map(|r| r.json())
        .collect();
    assert_eq!(
        deliveries,
        vec![first.clone(), second.clone()],
        "two answers, one per delivery"
    );
    assert_eq!(physical_id(ok(&first)), physical_id(ok(&second)));
    assert_eq!(first["Data"], second["Data"]);
    assert!(first["Data"]["UserId"]
        .as_str()
        .is_some_and(|id| !id.is_empty()));
    assert_eq!(stack.connect.user_count(INSTANCE), 1);
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_adopted_on_retry() {
    let stack = LocalStack::start().await;
    // The first CreateUser succeeds, but its answer is lost (a 500 after the fact is modelled
    // as: the user exists with this request's ownership tag when the retry arrives).
    let event = testkit::events::create(&stack.sink, "lost-answer", "Agent", &basic());
    let mut owned = basic();
    owned["Username"] = owned["Name"].clone();
    owned["Tags"] = json!({OWNERSHIP_TAG: "lost-answer"});
    stack
        .connect
        .with_world(|w| w.create_user(INSTANCE, &owned))
        .unwrap();
    let answer = stack.play(event).await;
    ok(&answer);
    assert_eq!(stack.connect.user_count(INSTANCE), 1);
    assert_eq!(stack.connect.served(), vec!["ListUsers", "DescribeUser"]);
}

#[tokio::test]
async fn a_user_deleted_by_hand_is_created_again_on_update() {
    let stack = LocalStack::start().await;
    let old_id = physical_id(ok(&stack.create("Agent", &basic()).await));
    let (instance, user) = old_id.split_once(':').unwrap();
    stack
        .connect
        .with_world(|w| w.delete_user(instance, user))
        .unwrap();
    let answer = stack.update("Agent", &old_id, &basic(), &basic()).await;
    let new_id = physical_id(ok(&answer));
    assert_ne!(new_id, old_id);
    assert!(stack.connect.user_named(INSTANCE, "example").is_some());
}

#[tokio::test]
async fn directory_user_id_cannot_change_in_place() {
    let stack = LocalStack::start().await;
    let mut old = basic();
    old["InstanceId"] = json!(seed::INSTANCE_DIRECTORY);
    old.as_object_mut().unwrap().remove("Password");
    old["DirectoryUserId"] = json!("dir-1");
    let id = physical_id(ok(&stack.create("Agent", &old).await));
    let mut new = old.clone();
    new["DirectoryUserId"] = json!("dir-2");
    let reason = failed(&stack.update("Agent", &id, &new, &old).await);
    assert!(
        reason.contains("DirectoryUserId cannot change in place")
            && reason.contains("change Name too"),
        "{reason}"
    );
    // The rollback (swapped) converges: nothing to do.
    ok(&stack.update("Agent", &id, &old, &new).await);
}

#[tokio::test]
async fn every_validation_rule_fails_before_any_call_and_names_the_property() {
    type Edit = fn(&mut Value);
    let cases: Vec<(Edit, &str)> = vec![
        (
            |p| {
                p.as_object_mut().unwrap().remove("InstanceId");
            },
            "InstanceId is required",
        ),
        (
            |p| p["InstanceId"] = json!("arn:aws:s3:::bucket"),
            "InstanceId is not an Amazon Connect instance ARN",
        ),
        (
            |p| {
                p.as_object_mut().unwrap().remove("Name");
            },
            "Name is required",
        ),
        (|p| p["Name"] = json!("has space"), "Name may contain only"),
        (
            |p| p["Name"] = json!("x".repeat(65)),
            "Name must be 1 to 64 characters long",
        ),
        (
            |p| p["Password"] = json!("short"),
            "Password must be 8 to 64 characters",
        ),
        (
            |p| {
                p.as_object_mut().unwrap().remove("PhoneConfig");
            },
            "PhoneConfig is required",
        ),
        (
            |p| p["PhoneConfig"]["PhoneType"] = json!("CELL_PHONE"),
            "PhoneConfig.PhoneType must be SOFT_PHONE or DESK_PHONE",
        ),
        (
            |p| p["PhoneConfig"]["PhoneType"] = json!("DESK_PHONE"),
            "PhoneConfig.DeskPhoneNumber is required when PhoneType is DESK_PHONE",
        ),
        (
            |p| p["PhoneConfig"]["DeskPhoneNumber"] = json!("555-1234"),
            "PhoneConfig.DeskPhoneNumber must be an E.164",
        ),
        (
            |p| p["PhoneConfig"]["AfterContactWorkTimeLimit"] = json!("-1"),
            "PhoneConfig.AfterContactWorkTimeLimit must be between 0",
        ),
        (
            |p| p["PhoneConfig"]["AutoAccept"] = json!("yes"),
            "PhoneConfig.AutoAccept must be true or false",
        ),
        (
            |p| p["PhoneConfig"]["Extension"] = json!("1"),
            "PhoneConfig.Extension is not a known property",
        ),
        (
            |p| {
                p.as_object_mut().unwrap().remove("RoutingProfileId");
            },
            "RoutingProfileId is required",
        ),
        (
            |p| p["SecurityProfileIds"] = json!([]),
            "SecurityProfileIds must hold 1 to 10",
        ),
        (
            |p| {
                p["SecurityProfileIds"] =
                    json!(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"])
            },
            "SecurityProfileIds must hold 1 to 10",
        ),
        (
            |p| p["SecurityProfileIds"] = json!("sp"),
            "SecurityProfileIds must be a list",
        ),
        (
            |p| {
                p["SecurityProfileIds"] =
                    json!(["arn:aws:connect:us-east-1:1:instance/other/security-profile/sp"])
            },
            "SecurityProfileIds[0] is an ARN in instance other",
        ),
        (
            |p| p["IdentityInfo"] = json!({"Email": "not-an-email"}),
            "IdentityInfo.Email must be an email address",
        ),
        (
            |p| p["IdentityInfo"] = json!({"Mobile": "0123"}),
            "IdentityInfo.Mobile must be an E.164",
        ),
        (
            |p| p["IdentityInfo"] = json!({"FirstName": "x".repeat(256)}),
            "IdentityInfo.FirstName must be at most 255",
        ),
        (
            |p| p["Tags"] = json!([{"Key": "aws:cloudformation:stack", "Value": "x"}]),
            "Tags[0] key may not start with aws:",
        ),
        (
            |p| p["Tags"] = json!({OWNERSHIP_TAG: "x"}),
            "is reserved by this resource",
        ),
        (|p| p["Tags"] = json!("team=blue"), "Tags must be a list"),
        (
            |p| p["instanceId"] = json!("x"),
            "instanceId is not a known property; did you mean InstanceId?",
        ),
        (
            |p| p["Username"] = json!("x"),
            "Username is not a known property; did you mean Name?",
        ),
        (
            |p| p["RoutingProfile"] = json!("x"),
            "did you mean RoutingProfileId?",
        ),
    ];
    let stack = LocalStack::start().await;
    for (edit, expected) in cases {
        let mut properties = basic();
        edit(&mut properties);
        stack.connect.clear_calls();
        let answer = stack.create("Agent", &stringify(properties)).await;
        let reason = failed(&answer);
        assert!(
            reason.contains(expected),
            "expected {expected:?} in {reason:?}"
        );
        assert!(
            !reason.contains("Password123"),
            "the password leaked into {reason:?}"
        );
        assert!(
            stack.connect.calls().is_empty(),
            "{expected}: no API call may be made"
        );
    }
    assert_eq!(stack.connect.user_count(INSTANCE), 0);
}

#[tokio::test]
async fn every_problem_is_reported_at_once() {
    let stack = LocalStack::start().await;
    let properties =
        json!({"InstanceId": INSTANCE, "Name": "a b", "PhoneConfig": {"PhoneType": "X"}});
    let reason = failed(&stack.create("Agent", &properties).await);
    for expected in [
        "Name may contain only",
        "PhoneConfig.PhoneType",
        "RoutingProfileId is required",
        "SecurityProfileIds is required",
    ] {
        assert!(
            reason.contains(expected),
            "{expected} missing from {reason}"
        );
    }
}

#[tokio::test]
async fn connect_rules_are_surfaced_with_code_and_message() {
    let stack = LocalStack::start().await;
    let mut saml = basic();
    saml["InstanceId"] = json!(seed::INSTANCE_SAML);
    let reason = failed(&stack.create("Agent", &saml).await);
    assert!(
        reason.starts_with("CreateUser: InvalidParameterException: Password is not allowed"),
        "{reason}"
    );

    let mut managed = basic();
    managed.as_object_mut().unwrap().remove("Password");
    let reason = failed(&stack.create("Agent", &managed).await);
    assert!(
        reason.contains("InvalidParameterException: Password is required"),
        "{reason}"
    );

    let mut long = basic();
    long["Name"] = json!("a-very-long-agent-name-1");
    let reason = failed(&stack.create("Agent", &long).await);
    assert!(reason.contains("at most 20 characters"), "{reason}");
    assert_eq!(stack.connect.user_count(INSTANCE), 0);
}

#[tokio::test]
async fn throttling_and_server_errors_are_retried() {
    let stack = LocalStack::start().await;
    stack.connect.inject("CreateUser", Fault::throttle(), 3);
    stack.connect.inject("CreateUser", Fault::internal(), 2);
    let answer = stack.create("Agent", &basic()).await;
    ok(&answer);
    let statuses: Vec<u16> = stack.connect.calls().iter().map(|c| c.status).collect();
    assert_eq!(statuses, vec![429, 429, 429, 500, 500, 200]);
    assert_eq!(stack.connect.user_count(INSTANCE), 1);

    stack.connect.clear_calls();
    stack.connect.inject("DeleteUser", Fault::throttle(), 2);
    ok(&stack.delete("Agent", &physical_id(&answer), &basic()).await);
    assert_eq!(stack.connect.user_count(INSTANCE), 0);
}

#[tokio::test]
async fn a_password_change_is_not_applied_and_is_logged_without_the_value() {
    let mut stack = LocalStack::start().await;
    let old = basic();
    let id = physical_id(ok(&stack.create("Agent", &old).await));
    let mut new = old.clone();
    new["Password"] = json!("Changed999Secret");
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &new, &old).await);
    assert!(stack.connect.mutations().is_empty());
    let output = stack.function.stop().await;
    assert!(
        output.contains("Password changed in the template"),
        "{output}"
    );
    assert!(
        !output.contains("Changed999Secret") && !output.contains("Password123"),
        "{output}"
    );
}

#[tokio::test]
async fn nothing_secret_is_logged_at_any_level() {
    let levels = ["error", "warn", "info", "debug", "trace"];
    for (level, format) in levels.iter().flat_map(|l| [(*l, "Text"), (*l, "JSON")]) {
        let mut stack = LocalStack::start_with(&[
            ("RUST_LOG", level),
            ("AWS_LAMBDA_LOG_LEVEL", &level.to_ascii_uppercase()),
            ("AWS_LAMBDA_LOG_FORMAT", format),
        ])
        .await;
        let mut properties = basic();
        properties["Password"] = json!("Sup3rSecretPw");
        let created = stack.create("Agent", &properties).await;
        let id = physical_id(ok(&created));
        let mut changed = properties.clone();
        changed["Password"] = json!("An0therSecretPw");
        changed["RoutingProfileId"] = json!("rp-missing");
        failed(&stack.update("Agent", &id, &changed, &properties).await);
        let mut weak = properties.clone();
        weak["Password"] = json!("weaksecretpw");
        failed(&stack.create("Other", &weak).await);
        ok(&stack.delete("Agent", &id, &properties).await);
        // Passwords from Secrets Manager: a good one, a weak one, one under the wrong key.
        let from_secret = |arn: &str, name: &str| {
            let mut properties = testkit::examples::with_password_secret(basic(), arn);
            properties["Name"] = json!(name);
            properties
        };
        let good = stack
            .secrets
            .put_string("leak/good", r#"{"password":"Vau1tSecretPw"}"#);
        let weak_secret = stack.secrets.put_string("leak/weak", "weakvaultpw");
        let wrong_key = stack
            .secrets
            .put_string("leak/key", r#"{"pass":"Wr0ngKeySecretPw"}"#);
        ok(&stack.create("Vault", &from_secret(&good, "vault")).await);
        failed(
            &stack
                .create("Weak", &from_secret(&weak_secret, "weak"))
                .await,
        );
        failed(&stack.create("Key", &from_secret(&wrong_key, "key")).await);
        let broken = stack
            .secrets
            .put_string("leak/broken", r#"{"password":"Br0kenSecretPw""#);
        failed(
            &stack
                .create("Broken", &from_secret(&broken, "broken"))
                .await,
        );

        // To the end of the output: a leak still in the pipe would otherwise go unseen.
        let output = stack.function.stop().await;
        if std::env::var_os("SHOW_LOGS").is_some() {
            eprintln!("{output}");
        }
        if ["info", "debug", "trace"].contains(&level) {
            assert!(
                output.contains("user created"),
                "{level} {format}: the log is there:\n{output}"
            );
        }
        if format == "JSON" && level != "error" && level != "warn" {
            let json_lines: Vec<&str> = output.lines().filter(|l| l.starts_with('{')).collect();
            assert!(
                !json_lines.is_empty(),
                "{level}: JSON lines are logged:\n{output}"
            );
            assert!(json_lines
                .iter()
                .all(|l| serde_json::from_str::<Value>(l).is_ok()));
            assert!(
                output.contains("\"request_id\""),
                "the span fields are logged"
            );
        }
        let secrets = [
            "Sup3rSecretPw",
            "An0therSecretPw",
            "weaksecretpw",
            "Vau1tSecretPw",
            "weakvaultpw",
            "Wr0ngKeySecretPw",
            "Br0kenSecretPw",
            // Fragments: no part of a password may show either.
            "SecretPw",
            "vaultpw",
            "SIGNATURE-SECRET",
            "X-Amz-Signature",
        ];
        for secret in secrets {
            assert!(
                !output.contains(secret),
                "{level} {format}: {secret} leaked into the log:\n{output}"
            );
        }
        for answer in stack.sink.all() {
            let body = String::from_utf8_lossy(&answer.body);
            assert!(!secrets.iter().any(|s| body.contains(s)), "{body}");
        }
    }
}

#[tokio::test]
async fn an_identity_left_out_of_the_template_is_left_as_connect_holds_it() {
    let stack = LocalStack::start().await;
    let mut old = basic();
    old["IdentityInfo"] =
        json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"});
    let id = physical_id(ok(&stack.create("Agent", &old).await));
    let mut new = old.clone();
    new.as_object_mut().unwrap().remove("IdentityInfo");
    new["RoutingProfileId"] = json!(seed::ROUTING_PROFILES[1]);
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &new, &old).await);
    assert_eq!(stack.connect.mutations(), vec!["UpdateUserRoutingProfile"]);
    let user = stack.connect.user_at(&id).unwrap();
    assert_eq!(
        user["IdentityInfo"],
        json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"}),
        "the identity Connect holds is kept"
    );
    // Given again, it is managed whole: the email the template drops is removed.
    let mut managed = new.clone();
    managed["IdentityInfo"] = json!({"FirstName": "Ada", "LastName": "Byron"});
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &managed, &new).await);
    assert_eq!(stack.connect.mutations(), vec!["UpdateUserIdentityInfo"]);
    let user = stack.connect.user_at(&id).unwrap();
    assert_eq!(
        user["IdentityInfo"],
        json!({"FirstName": "Ada", "LastName": "Byron"})
    );
}

#[tokio::test]
async fn renaming_a_tag_key_on_a_user_at_the_tag_limit_succeeds() {
    let stack = LocalStack::start().await;
    // 49 tags of the template's own, plus the ownership tag: Connect's 50.
    let tags = |renamed: &str| {
        let mut tags: serde_json::Map<String, Value> = (0..48)
            .map(|i| (format!("key-{i:02}"), json!("v")))
            .collect();
        tags.insert(renamed.to_owned(), json!("v"));
        Value::Object(tags)
    };
    let mut old = basic();
    old["Tags"] = tags("before");
    let id = physical_id(ok(&stack.create("Agent", &old).await));
    let user = UserView::of(&stack.connect.user_at(&id).unwrap());
    assert_eq!(user.tags.len(), 50, "at the limit");
    let mut new = old.clone();
    new["Tags"] = tags("after");
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &new, &old).await);
    assert_eq!(
        stack.connect.mutations(),
        vec!["UntagResource", "TagResource"]
    );
    let user = UserView::of(&stack.connect.user_at(&id).unwrap());
    assert_eq!(user.tags.get("after").map(String::as_str), Some("v"));
    assert!(!user.tags.contains_key("before"));
    assert_eq!(user.tags.len(), 50);
}

#[tokio::test]
async fn an_at_sign_in_a_new_name_must_be_an_email_format() {
    let stack = LocalStack::start().await;
    let mut bad = basic();
    bad["Name"] = json!("agent@example");
    let reason = failed(&stack.create("Agent", &bad).await);
    assert!(reason.contains("Name"), "{reason}");
    assert!(stack.connect.calls().is_empty(), "refused before any call");

    let mut good = basic();
    good["Name"] = json!("agent@example.com");
    let id = physical_id(ok(&stack.create("Agent", &good).await));
    // An Update that renames to a name Connect would refuse fails before any call ...
    stack.connect.clear_calls();
    let reason = failed(&stack.update("Agent", &id, &bad, &good).await);
    assert!(reason.contains("Name"), "{reason}");
    assert!(stack.connect.calls().is_empty());
    // ... but a name already in use is never re-judged (a user an older release created,
    // before Connect's rule was checked here, updated or rolled back).
    let mut old_user = bad.clone();
    old_user["Username"] = old_user["Name"].clone();
    // As an older release tagged it: the bare RequestId of its Create.
    old_user["Tags"] = json!({ (OWNERSHIP_TAG): "req-older-release" });
    let old_id = stack
        .connect
        .with_world(|w| w.insert_unchecked(INSTANCE, &old_user))
        .unwrap();
    let old_physical_id = format!("{INSTANCE}:{old_id}");
    let mut kept = bad.clone();
    kept["RoutingProfileId"] = json!(seed::ROUTING_PROFILES[1]);
    stack.connect.clear_calls();
    let answer = stack.update("Agent", &old_physical_id, &kept, &bad).await;
    assert_eq!(physical_id(ok(&answer)), old_physical_id);
    // The older release's bare RequestId is rewritten in the form that names the resource.
    assert_eq!(
        stack.connect.mutations(),
        vec!["TagResource", "UpdateUserRoutingProfile"]
    );
    let tags = &stack.connect.user(INSTANCE, &old_id).unwrap()["Tags"];
    assert!(
        tags[OWNERSHIP_TAG]
            .as_str()
            .is_some_and(|v| v.starts_with("created/") && v.ends_with("/Agent/req-older-release")),
        "{tags}"
    );
}

#[tokio::test]
async fn a_service_unavailable_without_exception_is_retried() {
    let stack = LocalStack::start().await;
    stack.connect.inject(
        "CreateUser",
        Fault::Error {
            status: 503,
            code: "ServiceUnavailable",
        },
        1,
    );
    stack.connect.inject(
        "CreateUser",
        Fault::Error {
            status: 400,
            code: "RequestTimeout",
        },
        1,
    );
    ok(&stack.create("Agent", &basic()).await);
    let creates: Vec<u16> = stack
        .connect
        .calls()
        .into_iter()
        .filter(|c| c.operation == "CreateUser")
        .map(|c| c.status)
        .collect();
    assert_eq!(creates, vec![503, 400, 200]);
}

#[tokio::test]
async fn a_quota_on_create_user_is_final() {
    let stack = LocalStack::start().await;
    stack.connect.inject(
        "CreateUser",
        Fault::Error {
            status: 429,
            code: "LimitExceededException",
        },
        3,
    );
    let reason = failed(&stack.create("Agent", &basic()).await);
    assert!(reason.contains("LimitExceededException"), "{reason}");
    let creates = stack
        .connect
        .calls()
        .iter()
        .filter(|c| c.operation == "CreateUser")
        .count();
    assert_eq!(creates, 1, "never retried");
    assert_eq!(stack.connect.user_count(INSTANCE), 0);
}

#[tokio::test]
async fn a_create_without_the_names_an_instance_needs_is_refused_naming_the_rule() {
    let stack = LocalStack::start().await;
    let mut nameless = basic();
    nameless.as_object_mut().unwrap().remove("IdentityInfo");
    let reason = failed(&stack.create("Agent", &nameless).await);
    assert!(
        reason.starts_with("CreateUser: "),
        "Connect's refusal: {reason}"
    );
    assert!(
        reason.contains("IdentityInfo.FirstName and IdentityInfo.LastName"),
        "{reason}"
    );
    assert_eq!(stack.connect.user_count(INSTANCE), 0);

    // SAML: names needed, Email refused.
    let mut saml = basic();
    saml.as_object_mut().unwrap().remove("Password");
    saml["InstanceId"] = json!(seed::INSTANCE_SAML);
    saml["IdentityInfo"] =
        json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"});
    let reason = failed(&stack.create("Agent", &saml).await);
    assert!(
        reason.contains("with SAML, IdentityInfo.Email is refused"),
        "{reason}"
    );
    assert_eq!(stack.connect.user_count(seed::INSTANCE_SAML), 0);
    saml["IdentityInfo"] = json!({"FirstName": "Ada", "LastName": "Lovelace"});
    ok(&stack.create("Agent", &saml).await);
}

#[tokio::test]
async fn a_directory_managed_identity_is_left_alone_unless_the_template_changes_it() {
    let stack = LocalStack::start().await;
    let directory = seed::INSTANCE_DIRECTORY;
    let mut old = basic();
    old.as_object_mut().unwrap().remove("Password");
    old["InstanceId"] = json!(directory);
    old["IdentityInfo"] = json!({"FirstName": "Ada", "LastName": "Lovelace"});
    let id = physical_id(ok(&stack.create("Agent", &old).await));
    // Left out: not sent, so nothing the directory manages is touched.
    let mut left_out = old.clone();
    left_out.as_object_mut().unwrap().remove("IdentityInfo");
    left_out["RoutingProfileId"] = json!(seed::ROUTING_PROFILES[1]);
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &left_out, &old).await);
    assert_eq!(stack.connect.mutations(), vec!["UpdateUserRoutingProfile"]);
    // Changed: Connect refuses, and the reason says which rule applies.
    let mut renamed = left_out.clone();
    renamed["IdentityInfo"] = json!({"FirstName": "Augusta", "LastName": "Lovelace"});
    let reason = failed(&stack.update("Agent", &id, &renamed, &left_out).await);
    assert!(reason.starts_with("UpdateUserIdentityInfo: "), "{reason}");
    assert!(reason.contains("existing directory"), "{reason}");
    assert!(reason.contains("leave IdentityInfo out"), "{reason}");
    assert_eq!(
        stack.connect.user_at(&id).unwrap()["IdentityInfo"]["FirstName"],
        "Ada"
    );
}

#[tokio::test]
async fn a_gateways_bare_5xx_without_an_error_type_is_retried() {
    let stack = LocalStack::start().await;
    for status in [502, 503, 504] {
        stack.connect.inject("CreateUser", Fault::Bare(status), 1);
    }
    let id = physical_id(ok(&stack.create("Agent", &basic()).await));
    let creates: Vec<u16> = stack
        .connect
        .calls()
        .into_iter()
        .filter(|c| c.operation == "CreateUser")
        .map(|c| c.status)
        .collect();
    assert_eq!(creates, vec![502, 503, 504, 200]);
    assert_eq!(stack.connect.user_count(INSTANCE), 1);

    let mut new = basic();
    new["RoutingProfileId"] = json!(seed::ROUTING_PROFILES[1]);
    stack.connect.inject("DescribeUser", Fault::Bare(502), 1);
    stack
        .connect
        .inject("UpdateUserRoutingProfile", Fault::Bare(503), 1);
    ok(&stack.update("Agent", &id, &new, &basic()).await);
    let user = UserView::of(&stack.connect.user_at(&id).unwrap());
    assert_eq!(user.routing_profile_id, seed::ROUTING_PROFILES[1]);
}

#[tokio::test]
async fn non_default_phone_settings_are_created_as_given() {
    let stack = LocalStack::start().await;
    let mut properties = basic();
    properties["PhoneConfig"] = json!({
        "PhoneType": "SOFT_PHONE",
        "AutoAccept": true,
        "AfterContactWorkTimeLimit": 45,
        "PersistentConnection": true
    });
    let answer = stack.create("Agent", &stringify(properties)).await;
    let user = stack.connect.user(INSTANCE, &user_id(ok(&answer))).unwrap();
    assert_eq!(
        user["PhoneConfig"],
        json!({"PhoneType": "SOFT_PHONE", "AutoAccept": true, "AfterContactWorkTimeLimit": 45, "PersistentConnection": true})
    );
}

#[tokio::test]
async fn lookups_read_every_page_connect_answers() {
    let stack = LocalStack::start().await;
    // Connect may answer short pages with a NextToken, whatever MaxResults asks.
    stack.connect.set_page_cap(2);
    for n in 0..5 {
        let mut other = basic();
        other["Username"] = json!(format!("other-{n}"));
        stack
            .connect
            .with_world(|w| w.insert_unchecked(INSTANCE, &other))
            .unwrap();
    }
    // A redelivered Create looks its user up by name: the user is on the third page.
    let event = testkit::events::create(&stack.sink, "paged", "Agent", &basic());
    let mut made = basic();
    made["Username"] = made["Name"].clone();
    made["Tags"] = json!({OWNERSHIP_TAG: "paged"});
    let made_id = stack
        .connect
        .with_world(|w| w.insert_unchecked(INSTANCE, &made))
        .unwrap();
    stack.connect.clear_calls();
    let answer = stack.play(event).await;
    assert_eq!(user_id(ok(&answer)), made_id, "found past the first page");
    let list_users = stack
        .connect
        .served()
        .iter()
        .filter(|op| *op == "ListUsers")
        .count();
    assert_eq!(list_users, 3, "6 users, 2 a page");

    // Proficiencies over three pages: a no-op Update must read them all, or it would try to
    // associate what is already there.
    let mut old = basic();
    old["UserProficiencies"] = json!([
        {"AttributeName": "Language", "AttributeValue": "English", "Level": 1},
        {"AttributeName": "Language", "AttributeValue": "Spanish", "Level": 2},
        {"AttributeName": "Language", "AttributeValue": "French", "Level": 3},
        {"AttributeName": "Skill", "AttributeValue": "Billing", "Level": 4},
        {"AttributeName": "Skill", "AttributeValue": "Sales", "Level": 5}
    ]);
    let id = physical_id(&answer);
    ok(&stack.update("Agent", &id, &old, &basic()).await);
    stack.connect.clear_calls();
    let mut new = old.clone();
    new["UserProficiencies"][4]["Level"] = json!(1);
    ok(&stack.update("Agent", &id, &new, &old).await);
    let served = stack.connect.served();
    assert_eq!(
        served
            .iter()
            .filter(|op| *op == "ListUserProficiencies")
            .count(),
        3
    );
    assert_eq!(stack.connect.mutations(), vec!["UpdateUserProficiencies"]);
}

#[tokio::test]
async fn a_region_without_per_channel_lists_is_served_through_phone_config() {
    let stack = LocalStack::start().await;
    stack.connect.describe_without_channel_lists();
    let old = basic();
    let id = physical_id(ok(&stack.create("Agent", &old).await));
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &old, &old).await);
    assert!(
        stack.connect.mutations().is_empty(),
        "a no-op stays one read"
    );
    let mut new = old.clone();
    new["PhoneConfig"]["AfterContactWorkTimeLimit"] = json!(60);
    new["PhoneConfig"]["AutoAccept"] = json!(true);
    ok(&stack.update("Agent", &id, &new, &old).await);
    assert_eq!(stack.connect.mutations(), vec!["UpdateUserPhoneConfig"]);
    let user = UserView::of(&stack.connect.user_at(&id).unwrap());
    assert_eq!(user.phone_config.after_contact_work_time_limit, Some(60));
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &new, &new).await);
    assert!(stack.connect.mutations().is_empty(), "converged");
}

/// Every action the IAM source of truth grants is one the function calls: the emulators deny
/// any other (so each test binary checks that what it served is granted), and this test
/// drives every call so that none is granted without need.
#[tokio::test]
async fn every_granted_action_is_needed() {
    let stack = LocalStack::start().await;
    let secret = stack.secrets.put_string("agents/all", "Sec0ndSecretPw");
    let mut old = testkit::examples::with_password_secret(basic(), &secret);
    old["UserProficiencies"] = json!([
        {"AttributeName": "Language", "AttributeValue": "English", "Level": 1},
        {"AttributeName": "Language", "AttributeValue": "Spanish", "Level": 2}
    ]);
    old["Tags"] = json!({"old": "x"});
    let event = testkit::events::create(&stack.sink, "all", "Agent", &old);
    let id = physical_id(ok(&stack.play(event.clone()).await));
    // Redelivered: found by name (ListUsers) and adopted.
    assert_eq!(physical_id(ok(&stack.play(event).await)), id);
    let mut new = old.clone();
    new["IdentityInfo"]["LastName"] = json!("changed");
    new["PhoneConfig"]["AfterContactWorkTimeLimit"] = json!(30);
    new["RoutingProfileId"] = json!(seed::ROUTING_PROFILES[1]);
    new["SecurityProfileIds"] = json!([seed::SECURITY_PROFILES[1]]);
    new["HierarchyGroupId"] = json!(seed::HIERARCHY_GROUPS[0]);
    new["UserProficiencies"] = json!([
        {"AttributeName": "Language", "AttributeValue": "English", "Level": 5},
        {"AttributeName": "Language", "AttributeValue": "French", "Level": 1}
    ]);
    new["Tags"] = json!({"new": "y"});
    ok(&stack.update("Agent", &id, &new, &old).await);
    let mut channels = new.clone();
    channels["VoiceEnhancementConfigs"] =
        json!([{"Channel": "VOICE", "VoiceEnhancementMode": "NOISE_SUPPRESSION"}]);
    ok(&stack.update("Agent", &id, &channels, &new).await);
    ok(&stack.delete("Agent", &id, &channels).await);
    // A console-made user adopted (SearchUsers) and released.
    let console_id = stack.connect.console_user(INSTANCE, "console-agent");
    let mut adopting = basic();
    adopting["Name"] = json!("console-agent");
    adopting["AdoptExistingUser"] = json!("true");
    let adopted = physical_id(ok(&stack.create("Adopted", &adopting).await));
    assert_eq!(adopted, format!("{INSTANCE}:{console_id}"));
    ok(&stack.delete("Adopted", &adopted, &adopting).await);
    // Profiles and a group by name (the List operations), the group's name shared on two
    // levels (DescribeUserHierarchyGroup, for the levels the reason names).
    stack.connect.put_hierarchy_group(INSTANCE, "Shared", 1);
    stack.connect.put_hierarchy_group(INSTANCE, "Shared", 2);
    let mut by_names = testkit::examples::by_names(basic());
    by_names["Name"] = json!("by-names");
    by_names["HierarchyGroupName"] = json!("Shared");
    let reason = failed(&stack.create("ByNames", &by_names).await);
    assert!(reason.contains("give HierarchyGroupId instead"), "{reason}");

    let mut called: BTreeSet<String> = stack
        .connect
        .calls()
        .iter()
        .map(|c| format!("connect:{}", c.operation))
        .collect();
    called.extend(
        stack
            .secrets
            .calls()
            .iter()
            .map(|c| format!("secretsmanager:{}", c.operation)),
    );
    assert_eq!(&called, testkit::iam::granted_actions());
}
