//! Per-channel settings and proficiencies end to end: the compiled function against the
//! Connect emulator, on create, on update (removal included) and in drift repair.

use serde_json::{json, Value};
use testkit::answers::{entry, failed, ok, physical_id};
use testkit::connect_emulator::{seed, Fault, UserConfigMode};
use testkit::events::stringify;
use testkit::examples::basic;
use testkit::stack::LocalStack;
use testkit::user_view::UserView;
use testkit::OWNERSHIP_TAG;

const INSTANCE: &str = seed::INSTANCE_MANAGED;

fn user_id(physical_id: &str) -> String {
    physical_id.split_once(':').unwrap().1.to_owned()
}

/// Runs each per-channel test twice: with the emulator merging what an `UpdateUserConfig`
/// leaves out, and with it replacing each list sent and resetting the lists not sent. AWS does
/// not document which Connect does, so the function must be right under both.
macro_rules! under_both_user_config_modes {
    ($($test:ident),* $(,)?) => {
        $(
            mod $test {
                use super::UserConfigMode;

                #[tokio::test]
                async fn merging() {
                    super::$test(UserConfigMode::Merge).await
                }

                #[tokio::test]
                async fn replacing() {
                    super::$test(UserConfigMode::Replace).await
                }
            }
        )*
    };
}

under_both_user_config_modes!(
    per_channel_settings_are_set_by_the_one_create_call,
    per_channel_changes_and_removals_make_one_update_user_config_call,
    per_channel_drift_is_repaired_and_phone_config_users_are_repaired_too,
    an_agent_first_callback_limit_left_out_of_the_template_is_left_alone,
);

/// A user set entirely per channel: no `PhoneConfig`.
fn per_channel() -> Value {
    let mut properties = basic();
    properties.as_object_mut().unwrap().remove("PhoneConfig");
    properties["PhoneNumberConfigs"] = json!([
        {"Channel": "VOICE", "PhoneType": "DESK_PHONE", "PhoneNumber": "+14255550100"}
    ]);
    properties["AutoAcceptConfigs"] = json!([
        {"Channel": "VOICE", "AutoAccept": true, "AgentFirstCallbackAutoAccept": true},
        {"Channel": "CHAT", "AutoAccept": true}
    ]);
    properties["AfterContactWorkConfigs"] = json!([
        {"Channel": "VOICE", "AfterContactWorkConfig": {"AfterContactWorkTimeLimit": 30},
         "AgentFirstCallbackAfterContactWorkConfig": {"AfterContactWorkTimeLimit": 10}},
        {"Channel": "TASK", "AfterContactWorkConfig": {"AfterContactWorkTimeLimit": 600}}
    ]);
    properties["PersistentConnectionConfigs"] = json!([
        {"Channel": "VOICE", "PersistentConnection": true}
    ]);
    properties["VoiceEnhancementConfigs"] = json!([
        {"Channel": "VOICE", "VoiceEnhancementMode": "NOISE_SUPPRESSION"}
    ]);
    properties
}

/// The `list` entry for `channel` in the user as `DescribeUser` shows it.
fn user(stack: &LocalStack, physical_id: &str) -> Value {
    stack.connect.user_at(physical_id).expect("the user exists")
}

/// Changes the emulator's user directly, as someone in the console would.
fn drift(
    stack: &LocalStack,
    physical_id: &str,
    change: impl FnOnce(&mut testkit::connect_emulator::model::User),
) {
    let id = user_id(physical_id);
    stack.connect.with_world(|world| {
        let instance = world.instances.get_mut(INSTANCE).unwrap();
        change(instance.users.get_mut(&id).unwrap());
    });
}

async fn per_channel_settings_are_set_by_the_one_create_call(mode: UserConfigMode) {
    let stack = LocalStack::start().await;
    stack.connect.set_user_config_mode(mode);
    let answer = stack.create("Agent", &stringify(per_channel())).await;
    let id = physical_id(ok(&answer));
    assert_eq!(stack.connect.mutations(), vec!["CreateUser"]);
    let user = user(&stack, &id);
    assert_eq!(
        entry(&user, "PhoneNumberConfigs", "VOICE"),
        json!({"Channel": "VOICE", "PhoneType": "DESK_PHONE", "PhoneNumber": "+14255550100"})
    );
    assert_eq!(
        entry(&user, "AutoAcceptConfigs", "VOICE"),
        json!({"Channel": "VOICE", "AutoAccept": true, "AgentFirstCallbackAutoAccept": true})
    );
    assert_eq!(
        entry(&user, "AutoAcceptConfigs", "CHAT")["AutoAccept"],
        true
    );
    assert_eq!(
        entry(&user, "AutoAcceptConfigs", "TASK")["AutoAccept"],
        false
    );
    let voice_work = entry(&user, "AfterContactWorkConfigs", "VOICE");
    assert_eq!(
        voice_work["AfterContactWorkConfig"]["AfterContactWorkTimeLimit"],
        30
    );
    assert_eq!(
        voice_work["AgentFirstCallbackAfterContactWorkConfig"]["AfterContactWorkTimeLimit"],
        10
    );
    assert_eq!(
        entry(&user, "AfterContactWorkConfigs", "TASK")["AfterContactWorkConfig"]
            ["AfterContactWorkTimeLimit"],
        600
    );
    assert_eq!(
        entry(&user, "PersistentConnectionConfigs", "VOICE")["PersistentConnection"],
        true
    );
    assert_eq!(
        entry(&user, "VoiceEnhancementConfigs", "VOICE")["VoiceEnhancementMode"],
        "NOISE_SUPPRESSION"
    );
    // The older view agrees: PhoneConfig shows the VOICE channel.
    let phone = UserView::of(&user).phone_config;
    assert_eq!(phone.phone_type, "DESK_PHONE");
    assert_eq!(phone.auto_accept, Some(true));

    stack.connect.clear_calls();
    ok(&stack
        .update("Agent", &id, &per_channel(), &per_channel())
        .await);
    assert_eq!(
        stack.connect.served(),
        vec!["DescribeUser"],
        "already converged"
    );
}

async fn per_channel_changes_and_removals_make_one_update_user_config_call(mode: UserConfigMode) {
    let stack = LocalStack::start().await;
    stack.connect.set_user_config_mode(mode);
    let old = per_channel();
    let id = physical_id(ok(&stack.create("Agent", &old).await));

    // Change one channel, drop the voice enhancement list altogether.
    let mut new = old.clone();
    new["AutoAcceptConfigs"] =
        json!([{"Channel": "CHAT", "AutoAccept": false}, {"Channel": "EMAIL", "AutoAccept": true}]);
    new.as_object_mut()
        .unwrap()
        .remove("VoiceEnhancementConfigs");
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &new, &old).await);
    assert_eq!(stack.connect.mutations(), vec!["UpdateUserConfig"]);
    let user = user(&stack, &id);
    assert_eq!(
        entry(&user, "AutoAcceptConfigs", "VOICE"),
        json!({"Channel": "VOICE", "AutoAccept": false, "AgentFirstCallbackAutoAccept": false}),
        "VOICE left the list: back to the default"
    );
    assert_eq!(
        entry(&user, "AutoAcceptConfigs", "CHAT")["AutoAccept"],
        false
    );
    assert_eq!(
        entry(&user, "AutoAcceptConfigs", "EMAIL")["AutoAccept"],
        true
    );
    assert_eq!(
        entry(&user, "VoiceEnhancementConfigs", "VOICE")["VoiceEnhancementMode"],
        "NONE"
    );

    // Back to PhoneConfig alone: everything per channel returns to what PhoneConfig implies.
    let legacy = basic();
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &legacy, &new).await);
    assert_eq!(
        stack.connect.mutations(),
        vec!["UpdateUserPhoneConfig", "UpdateUserConfig"]
    );
    let user = self::user(&stack, &id);
    for channel in ["VOICE", "CHAT", "TASK", "EMAIL"] {
        assert_eq!(
            entry(&user, "AutoAcceptConfigs", channel)["AutoAccept"],
            false
        );
        assert_eq!(
            entry(&user, "AfterContactWorkConfigs", channel)["AfterContactWorkConfig"],
            json!({"AfterContactWorkTimeLimit": 0})
        );
    }
    assert_eq!(
        entry(&user, "PersistentConnectionConfigs", "VOICE")["PersistentConnection"],
        false
    );
    assert_eq!(UserView::of(&user).phone_config.phone_type, "SOFT_PHONE");
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &legacy, &legacy).await);
    assert!(
        stack.connect.mutations().is_empty(),
        "converged: {:?}",
        stack.connect.mutations()
    );
}

async fn per_channel_drift_is_repaired_and_phone_config_users_are_repaired_too(
    mode: UserConfigMode,
) {
    let stack = LocalStack::start().await;
    stack.connect.set_user_config_mode(mode);
    let properties = per_channel();
    let id = physical_id(ok(&stack.create("Agent", &properties).await));
    let before = user(&stack, &id);
    drift(&stack, &id, |user| {
        user.channels.get_mut("CHAT").unwrap().auto_accept = false;
        user.channels
            .get_mut("EMAIL")
            .unwrap()
            .after_contact_work_time_limit = 90;
        let voice = user.channels.get_mut("VOICE").unwrap();
        voice.phone_type = "SOFT_PHONE".into();
        voice.phone_number = None;
        voice.voice_enhancement_mode = "VOICE_ISOLATION".into();
    });
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &properties, &properties).await);
    assert_eq!(stack.connect.mutations(), vec!["UpdateUserConfig"]);
    let repaired = user(&stack, &id);
    for list in [
        "AutoAcceptConfigs",
        "AfterContactWorkConfigs",
        "PhoneNumberConfigs",
        "PersistentConnectionConfigs",
        "VoiceEnhancementConfigs",
    ] {
        assert_eq!(repaired[list], before[list], "{list} is back as created");
    }
    assert_eq!(
        entry(&repaired, "PhoneNumberConfigs", "VOICE")["PhoneType"],
        "DESK_PHONE"
    );

    // A user set through PhoneConfig alone: a console change to another channel is undone.
    let mut other = basic();
    other["Name"] = json!("legacy-agent");
    let legacy_id = physical_id(ok(&stack.create("Legacy", &other).await));
    drift(&stack, &legacy_id, |user| {
        user.channels.get_mut("CHAT").unwrap().auto_accept = true;
    });
    stack.connect.clear_calls();
    ok(&stack.update("Legacy", &legacy_id, &other, &other).await);
    assert_eq!(stack.connect.mutations(), vec!["UpdateUserConfig"]);
    let repaired = user(&stack, &legacy_id);
    assert_eq!(
        entry(&repaired, "AutoAcceptConfigs", "CHAT")["AutoAccept"],
        false
    );
    stack.connect.clear_calls();
    ok(&stack.update("Legacy", &legacy_id, &other, &other).await);
    assert!(stack.connect.mutations().is_empty(), "converged");
}

async fn an_agent_first_callback_limit_left_out_of_the_template_is_left_alone(
    mode: UserConfigMode,
) {
    let stack = LocalStack::start().await;
    stack.connect.set_user_config_mode(mode);
    let old = per_channel();
    let id = physical_id(ok(&stack.create("Agent", &old).await));
    let mut new = old.clone();
    new["AfterContactWorkConfigs"][0]
        .as_object_mut()
        .unwrap()
        .remove("AgentFirstCallbackAfterContactWorkConfig");
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &new, &old).await);
    assert!(
        stack.connect.mutations().is_empty(),
        "nothing to change: {:?}",
        stack.connect.mutations()
    );
    let voice_work = entry(&user(&stack, &id), "AfterContactWorkConfigs", "VOICE");
    assert_eq!(
        voice_work["AgentFirstCallbackAfterContactWorkConfig"]["AfterContactWorkTimeLimit"],
        10
    );
    // A new value is set, and the VOICE limit itself still converges.
    new["AfterContactWorkConfigs"][0]["AgentFirstCallbackAfterContactWorkConfig"] =
        json!({"AfterContactWorkTimeLimit": 20});
    new["AfterContactWorkConfigs"][0]["AfterContactWorkConfig"] =
        json!({"AfterContactWorkTimeLimit": 45});
    ok(&stack.update("Agent", &id, &new, &old).await);
    let voice_work = entry(&user(&stack, &id), "AfterContactWorkConfigs", "VOICE");
    assert_eq!(
        voice_work,
        json!({"Channel": "VOICE",
               "AfterContactWorkConfig": {"AfterContactWorkTimeLimit": 45},
               "AgentFirstCallbackAfterContactWorkConfig": {"AfterContactWorkTimeLimit": 20}})
    );
}

#[tokio::test]
async fn overlapping_or_missing_phone_settings_fail_before_any_call() {
    let stack = LocalStack::start().await;
    let mut both = basic();
    both["PhoneConfig"]["AutoAccept"] = json!(true);
    both["AutoAcceptConfigs"] = json!([{"Channel": "VOICE", "AutoAccept": false}]);
    let reason = failed(&stack.create("Agent", &both).await);
    assert!(
        reason.contains("PhoneConfig.AutoAccept and AutoAcceptConfigs both set auto-accept"),
        "{reason}"
    );
    let mut neither = basic();
    neither.as_object_mut().unwrap().remove("PhoneConfig");
    neither["AutoAcceptConfigs"] = json!([{"Channel": "CHAT", "AutoAccept": true}]);
    let reason = failed(&stack.create("Agent", &neither).await);
    assert!(
        reason.contains("PhoneConfig is required (or give PhoneNumberConfigs)"),
        "{reason}"
    );
    let mut desk = per_channel();
    desk["PhoneNumberConfigs"] = json!([{"Channel": "VOICE", "PhoneType": "DESK_PHONE"}]);
    let reason = failed(&stack.create("Agent", &desk).await);
    assert!(
        reason
            .contains("PhoneNumberConfigs[0].PhoneNumber is required when PhoneType is DESK_PHONE"),
        "{reason}"
    );
    assert!(
        stack.connect.calls().is_empty(),
        "{:?}",
        stack.connect.calls()
    );
}

fn with_proficiencies(levels: &[(&str, &str, u8)]) -> Value {
    let mut properties = basic();
    properties["UserProficiencies"] = levels
        .iter()
        .map(|(name, value, level)| json!({"AttributeName": name, "AttributeValue": value, "Level": level}))
        .collect();
    properties
}

/// The user's proficiencies in the emulator, as `(name, value, level)`.
fn proficiencies(stack: &LocalStack, physical_id: &str) -> Vec<(String, String, f64)> {
    let id = user_id(physical_id);
    stack.connect.with_world(|world| {
        world.instances[INSTANCE].users[&id]
            .proficiencies
            .iter()
            .map(|((name, value), level)| (name.clone(), value.clone(), *level))
            .collect()
    })
}

fn levels(list: &[(&str, &str, f64)]) -> Vec<(String, String, f64)> {
    list.iter()
        .map(|(n, v, l)| (n.to_string(), v.to_string(), *l))
        .collect()
}

#[tokio::test]
async fn proficiencies_are_associated_right_after_create() {
    let stack = LocalStack::start().await;
    let properties = stringify(with_proficiencies(&[
        ("Language", "English", 5),
        ("Skill", "Billing", 2),
    ]));
    let id = physical_id(ok(&stack.create("Agent", &properties).await));
    assert_eq!(
        stack.connect.mutations(),
        vec!["CreateUser", "AssociateUserProficiencies"]
    );
    assert_eq!(
        proficiencies(&stack, &id),
        levels(&[("Language", "English", 5.0), ("Skill", "Billing", 2.0)])
    );
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &properties, &properties).await);
    assert_eq!(
        stack.connect.served(),
        vec!["DescribeUser", "ListUserProficiencies"]
    );
}

#[tokio::test]
async fn a_refused_proficiency_fails_the_create_and_leaves_no_user() {
    let stack = LocalStack::start().await;
    let properties = with_proficiencies(&[("Language", "Klingon", 3)]);
    let answer = stack.create("Agent", &properties).await;
    let reason = failed(&answer);
    assert!(
        reason.starts_with("AssociateUserProficiencies: ResourceNotFoundException: predefined attribute Language with value Klingon not found"),
        "{reason}"
    );
    assert!(
        reason.contains("the user was deleted again, so nothing is left behind"),
        "{reason}"
    );
    assert_eq!(stack.connect.user_count(INSTANCE), 0);
    assert_eq!(stack.connect.mutations(), vec!["CreateUser", "DeleteUser"]);
    let marker = physical_id(&answer);
    assert!(marker.starts_with("failed-create."), "{marker}");
    stack.connect.clear_calls();
    ok(&stack.delete("Agent", &marker, &properties).await);
    assert!(stack.connect.calls().is_empty());
}

#[tokio::test]
async fn when_the_cleanup_fails_too_the_rollback_delete_removes_the_user() {
    let stack = LocalStack::start().await;
    let properties = with_proficiencies(&[("Language", "Klingon", 3)]);
    stack.connect.inject(
        "DeleteUser",
        Fault::Error {
            status: 400,
            code: "InvalidRequestException",
        },
        1,
    );
    let answer = stack.create("Agent", &properties).await;
    let reason = failed(&answer);
    assert!(
        reason.contains("deleting the user again failed too"),
        "{reason}"
    );
    assert_eq!(stack.connect.user_count(INSTANCE), 1);
    the_rollback_delete_removes_the_user_it_names(&stack, &answer, &properties).await;
}

/// A failed Create's answer names the one user it left, and the Delete CloudFormation sends
/// next (with that id) removes it.
async fn the_rollback_delete_removes_the_user_it_names(
    stack: &LocalStack,
    answer: &Value,
    properties: &Value,
) {
    let id = physical_id(answer);
    assert!(
        id.starts_with(&format!("{INSTANCE}:")),
        "names the user: {id}"
    );
    assert_eq!(stack.connect.user_count(INSTANCE), 1);
    ok(&stack.delete("Agent", &id, properties).await);
    assert_eq!(stack.connect.user_count(INSTANCE), 0);
}

#[tokio::test]
async fn proficiencies_converge_on_update_including_removal_and_drift() {
    let stack = LocalStack::start().await;
    let old = with_proficiencies(&[
        ("Language", "English", 5),
        ("Language", "French", 1),
        ("Skill", "Billing", 2),
    ]);
    let id = physical_id(ok(&stack.create("Agent", &old).await));

    let new = with_proficiencies(&[
        ("Language", "English", 5),
        ("Skill", "Billing", 4),
        ("Skill", "Sales", 1),
    ]);
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &new, &old).await);
    assert_eq!(
        stack.connect.mutations(),
        vec![
            "DisassociateUserProficiencies",
            "UpdateUserProficiencies",
            "AssociateUserProficiencies"
        ]
    );
    assert_eq!(
        proficiencies(&stack, &id),
        levels(&[
            ("Language", "English", 5.0),
            ("Skill", "Billing", 4.0),
            ("Skill", "Sales", 1.0)
        ])
    );

    // Drift: a level changed and a proficiency added in the console.
    drift(&stack, &id, |user| {
        user.proficiencies
            .insert(("Language".into(), "English".into()), 2.5);
        user.proficiencies
            .insert(("Language".into(), "German".into()), 3.0);
    });
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &new, &new).await);
    assert_eq!(
        stack.connect.mutations(),
        vec!["DisassociateUserProficiencies", "UpdateUserProficiencies"]
    );
    assert_eq!(
        proficiencies(&stack, &id),
        levels(&[
            ("Language", "English", 5.0),
            ("Skill", "Billing", 4.0),
            ("Skill", "Sales", 1.0)
        ])
    );

    // Removal: the property leaves the template; the proficiencies leave the user.
    let removed = basic();
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &removed, &new).await);
    assert_eq!(
        stack.connect.mutations(),
        vec!["DisassociateUserProficiencies"]
    );
    assert!(proficiencies(&stack, &id).is_empty());

    // A template that never lists proficiencies leaves them alone, and costs no extra call.
    drift(&stack, &id, |user| {
        user.proficiencies
            .insert(("Language".into(), "German".into()), 3.0);
    });
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &removed, &removed).await);
    assert_eq!(stack.connect.served(), vec!["DescribeUser"]);
    assert_eq!(proficiencies(&stack, &id).len(), 1);
}

#[tokio::test]
async fn a_redelivered_create_finishes_the_proficiencies_its_first_delivery_missed() {
    let stack = LocalStack::start().await;
    let properties = with_proficiencies(&[("Skill", "Technical", 4)]);
    // The first delivery made the user, then the function was cut off before associating.
    let mut owned = properties.clone();
    owned["Username"] = owned["Name"].clone();
    owned["Tags"] = json!({OWNERSHIP_TAG: "cut-off"});
    stack
        .connect
        .with_world(|w| w.create_user(INSTANCE, &owned))
        .unwrap();
    let event = testkit::events::create(&stack.sink, "cut-off", "Agent", &properties);
    let id = physical_id(ok(&stack.play(event).await));
    assert_eq!(stack.connect.user_count(INSTANCE), 1);
    assert_eq!(
        proficiencies(&stack, &id),
        levels(&[("Skill", "Technical", 4.0)])
    );
    assert!(stack
        .connect
        .mutations()
        .contains(&"AssociateUserProficiencies".to_string()));
}

#[tokio::test]
async fn a_redelivered_create_that_cannot_finish_names_its_user_for_the_rollback() {
    let stack = LocalStack::start().await;
    let properties = with_proficiencies(&[("Language", "Klingon", 3)]);
    let mut owned = basic();
    owned["Username"] = owned["Name"].clone();
    owned["Tags"] = json!({OWNERSHIP_TAG: "cut-off-again"});
    stack
        .connect
        .with_world(|w| w.create_user(INSTANCE, &owned))
        .unwrap();
    let event = testkit::events::create(&stack.sink, "cut-off-again", "Agent", &properties);
    let answer = stack.play(event).await;
    let reason = failed(&answer);
    assert!(reason.contains("AssociateUserProficiencies"), "{reason}");
    the_rollback_delete_removes_the_user_it_names(&stack, &answer, &properties).await;
}

#[tokio::test]
async fn a_create_user_whose_answer_never_comes_names_the_user_it_made() {
    let stack = LocalStack::start_with(&[("RESPONSE_MARGIN_MS", "2000")]).await;
    // The work cannot go on in another invocation here (Lambda refuses it): the answer must
    // name the user (tests/e2e/continuation.rs plays the continuation that goes through).
    stack
        .lambda
        .fail_next(testkit::lambda_api::InvokeFault::Denied, 10);
    stack.connect.inject(
        "CreateUser",
        Fault::Late(std::time::Duration::from_secs(60)),
        1,
    );
    let event = testkit::events::create(&stack.sink, "answer-lost", "Agent", &basic());
    let answer = stack
        .play_within(event, std::time::Duration::from_secs(12))
        .await;
    let reason = failed(&answer);
    assert!(
        reason.contains("the call made the user all the same"),
        "{reason}"
    );
    the_rollback_delete_removes_the_user_it_names(&stack, &answer, &basic()).await;
}

#[tokio::test]
async fn an_association_whose_answer_was_lost_is_recognised_on_retry() {
    let stack = LocalStack::start().await;
    let properties = with_proficiencies(&[("Skill", "Sales", 2)]);
    // Served, but the answer comes only after the SDK's 10 s attempt timeout: the retry then
    // finds the proficiency already there.
    stack.connect.inject(
        "AssociateUserProficiencies",
        Fault::Late(std::time::Duration::from_secs(60)),
        1,
    );
    let id = physical_id(ok(&stack.create("Agent", &properties).await));
    assert_eq!(
        proficiencies(&stack, &id),
        levels(&[("Skill", "Sales", 2.0)])
    );
    assert_eq!(stack.connect.user_count(INSTANCE), 1);
}

#[tokio::test]
async fn new_calls_are_retried_when_throttled() {
    let stack = LocalStack::start().await;
    let properties = with_proficiencies(&[("Language", "Spanish", 3)]);
    stack
        .connect
        .inject("AssociateUserProficiencies", Fault::throttle(), 2);
    let id = physical_id(ok(&stack.create("Agent", &properties).await));
    assert_eq!(proficiencies(&stack, &id).len(), 1);
    let mut new = per_channel();
    new["UserProficiencies"] = properties["UserProficiencies"].clone();
    stack
        .connect
        .inject("UpdateUserConfig", Fault::throttle(), 2);
    stack
        .connect
        .inject("ListUserProficiencies", Fault::throttle(), 1);
    ok(&stack.update("Agent", &id, &new, &properties).await);
    let statuses: Vec<u16> = stack
        .connect
        .calls()
        .iter()
        .filter(|c| c.operation == "UpdateUserConfig")
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, vec![429, 429, 200]);
}
