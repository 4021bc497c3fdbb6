//! Issue 13 end to end: `AdoptExistingUser` (bringing a user made outside CloudFormation under a
//! stack, and releasing it again) and `DEFAULT_TAGS` (the function's tags beneath every
//! user's own), through the compiled function against the Connect emulator, whose users made
//! "in the console" carry no tag of ours (`testkit::connect_emulator::console`).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Map, Value};
use testkit::answers::{failed, ok, physical_id};
use testkit::connect_emulator::console::CONSOLE_TAGS;
use testkit::connect_emulator::{seed, Fault, UsernameMatch};
use testkit::events::{self, stringify};
use testkit::examples::basic;
use testkit::stack::{LocalStack, OtherFunction};
use testkit::OWNERSHIP_TAG;

const INSTANCE: &str = seed::INSTANCE_MANAGED;
/// The reserved tag: who manages a user.
/// The stack name in `testkit::events::STACK_ID`.
const STACK: &str = "contact-centre";
const OTHER_STACK_ID: &str =
    "arn:aws:cloudformation:us-east-1:123456789012:stack/other-stack/9f8e7d6c-8f7e-11ef-9d4a-0a1b2c3d4e5f";

/// The basic example called `name`, adopting.
fn adopting(name: &str) -> Value {
    let mut properties = basic();
    properties["Name"] = json!(name);
    properties["AdoptExistingUser"] = json!(true);
    stringify(properties)
}

/// A Create event of this stack's `logical_id`, with RequestId `request`.
fn create_event(stack: &LocalStack, request: &str, logical_id: &str, properties: &Value) -> Value {
    events::create(&stack.sink, request, logical_id, properties)
}

fn user_id(answer: &Value) -> String {
    physical_id(answer).split_once(':').unwrap().1.to_owned()
}

fn tags(user: &Value) -> BTreeMap<String, String> {
    user["Tags"]
        .as_object()
        .map(|tags| {
            tags.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The reserved tag's value on the user `id`, if the user is there and carries it.
fn manager(stack: &LocalStack, id: &str) -> Option<String> {
    tags(&stack.connect.user(INSTANCE, id)?).remove(OWNERSHIP_TAG)
}

/// Asserts a SUCCESS for the user `id`, with `instanceId:userId` and the usual Data.
#[track_caller]
fn answered_user(stack: &LocalStack, answer: &Value, id: &str) {
    ok(answer);
    assert_eq!(physical_id(answer), format!("{INSTANCE}:{id}"));
    assert_eq!(answer["Data"]["UserId"], id);
    let user = stack.connect.user(INSTANCE, id).expect("the user is there");
    assert_eq!(answer["Data"]["Arn"], user["Arn"]);
}

// ---------------------------------------------------------------------------------------
// AdoptExistingUser
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_console_user_is_adopted_and_converged_without_a_create_user() {
    let mut stack = LocalStack::start().await;
    let id = stack.connect.console_user(INSTANCE, "example");
    let answer = stack
        .play(create_event(
            &stack,
            "adopt-1",
            "Agent",
            &adopting("example"),
        ))
        .await;
    answered_user(&stack, &answer, &id);
    assert_eq!(stack.connect.calls_of("CreateUser"), 0, "no second user");
    assert_eq!(stack.connect.calls_of("SearchUsers"), 1);
    assert_eq!(stack.connect.user_count(INSTANCE), 1);
    // Converged as an Update would: the template's settings, its tags only.
    let user = stack.connect.user(INSTANCE, &id).unwrap();
    assert_eq!(
        tags(&user),
        BTreeMap::from([(
            OWNERSHIP_TAG.to_owned(),
            format!("adopted/{STACK}/Agent/adopt-1")
        )])
    );
    assert_eq!(user["RoutingProfileId"], seed::ROUTING_PROFILES[0]);
    assert_eq!(
        user["SecurityProfileIds"],
        json!([seed::SECURITY_PROFILES[0]])
    );
    assert!(user.get("HierarchyGroupId").is_none(), "{user}");
    assert_eq!(
        user["PhoneConfig"],
        json!({"PhoneType": "SOFT_PHONE", "AutoAccept": false, "AfterContactWorkTimeLimit": 0, "PersistentConnection": false})
    );
    assert_eq!(
        user["IdentityInfo"],
        json!({"FirstName": "example", "LastName": "example2"})
    );
    // The log lists the console tags it removed.
    let output = stack.function.stop().await;
    let removed = output
        .lines()
        .find(|l| l.contains("CostCenter"))
        .unwrap_or_else(|| panic!("the removed tags are logged:\n{output}"));
    for (key, _) in CONSOLE_TAGS {
        assert!(removed.contains(key), "{removed}");
    }
}

#[tokio::test]
async fn adoption_with_no_such_user_creates_it() {
    let stack = LocalStack::start().await;
    let answer = stack
        .play(create_event(
            &stack,
            "adopt-new",
            "Agent",
            &adopting("example"),
        ))
        .await;
    let id = user_id(ok(&answer));
    answered_user(&stack, &answer, &id);
    assert_eq!(
        stack.connect.served(),
        ["SearchUsers", "CreateUser"],
        "one lookup, then the user made as usual"
    );
    assert_eq!(
        manager(&stack, &id).as_deref(),
        Some(format!("created/{STACK}/Agent/adopt-new").as_str())
    );
    // Made, not adopted: its Delete deletes it.
    ok(&stack
        .delete("Agent", &physical_id(&answer), &adopting("example"))
        .await);
    assert_eq!(stack.connect.user(INSTANCE, &id), None);
}

#[tokio::test]
async fn a_user_another_resource_manages_is_refused_untouched_and_left_by_the_rollback() {
    let stack = LocalStack::start().await;
    // (name, its tag, what the reason must name as the manager)
    let cases = [
        (
            "managed-a",
            "created/other-stack/OtherAgent/req-9".to_owned(),
            vec!["other-stack", "OtherAgent"],
        ),
        (
            "managed-b",
            format!("adopted/{STACK}/OtherAgent/req-8"),
            vec![STACK, "OtherAgent"],
        ),
        // A tag of before this change: a bare RequestId of another request.
        ("managed-c", "another-request".to_owned(), vec![]),
    ];
    for (name, tag, named) in cases {
        let id = stack.connect.console_user_with(INSTANCE, name, |b| {
            b["Tags"][OWNERSHIP_TAG] = json!(tag);
        });
        let before = stack.connect.user(INSTANCE, &id).unwrap();
        stack.connect.clear_calls();
        let answer = stack.create("Agent", &adopting(name)).await;
        let reason = failed(&answer);
        for word in [name, id.as_str()].into_iter().chain(named) {
            assert!(reason.contains(word), "{name}: {word} not in {reason}");
        }
        let marker = physical_id(&answer);
        assert!(marker.starts_with("failed-create."), "{name}: {marker}");
        assert_eq!(stack.connect.mutations(), Vec::<String>::new(), "{name}");
        // CloudFormation's rollback Delete of the failed Create.
        ok(&stack.delete("Agent", &marker, &adopting(name)).await);
        assert_eq!(stack.connect.mutations(), Vec::<String>::new(), "{name}");
        assert_eq!(stack.connect.user(INSTANCE, &id), Some(before), "{name}");
    }
}

/// The RequestId in a reserved tag's value.
fn request_of(tag: &str) -> &str {
    tag.rsplit('/').next().unwrap()
}

/// Plays `event` to this stack's function, or to `other` for an event of the other stack.
async fn play_as_its_stack(stack: &LocalStack, other: &OtherFunction, event: Value) -> Value {
    if event["StackId"] == OTHER_STACK_ID {
        stack.play_on(other, event).await
    } else {
        stack.play(event).await
    }
}

/// `event` (made for this stack) as the other stack's.
fn of_other_stack(mut event: Value) -> Value {
    event["StackId"] = json!(OTHER_STACK_ID);
    event
}

/// How the two adoptions of [`two_adoptions_of_one_user_at_once_leave_exactly_one_manager`]
/// interleave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Interleaving {
    /// As they happen to.
    Free,
    /// The first claim is held back: the other claims, confirms and converges first, then the
    /// late claim takes the tag. Both confirm their own claim and answer SUCCESS.
    BothConfirm,
    /// The other stack describes the user first, but its claim is held back; ours claims, and
    /// its read-back is held until the other claim has landed: ours sees it and fails.
    OursLost,
}

async fn calls_served(stack: &LocalStack, operation: &str, count: usize) {
    while stack
        .connect
        .calls()
        .iter()
        .filter(|c| c.operation == operation && c.status == 200)
        .count()
        < count
    {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test]
async fn two_adoptions_of_one_user_at_once_leave_exactly_one_manager() {
    // Two stacks, each with its function, adopt one user at the same moment. Connect has no
    // conditional write; whatever the interleaving, afterwards the tag names exactly one of
    // them, the other's Update fails and its Delete leaves the user.
    for interleaving in [
        Interleaving::Free,
        Interleaving::BothConfirm,
        Interleaving::OursLost,
    ] {
        let stack = LocalStack::start().await;
        let other = stack.another_function(&[]).await;
        let id = stack.connect.console_user(INSTANCE, "example");
        let properties = adopting("example");
        let ours = create_event(&stack, "adopt-ours", "Agent", &properties);
        let theirs = of_other_stack(create_event(&stack, "adopt-theirs", "Agent", &properties));
        let held = Duration::from_millis(300);
        let (ours_answer, theirs_answer) = match interleaving {
            Interleaving::Free | Interleaving::BothConfirm => {
                if interleaving == Interleaving::BothConfirm {
                    stack.connect.inject("TagResource", Fault::Delay(held), 1);
                }
                tokio::join!(
                    stack.play(ours.clone()),
                    stack.play_on(&other, theirs.clone())
                )
            }
            Interleaving::OursLost => {
                // DescribeUser calls in order: theirs, ours, our read-back (held), theirs.
                stack.connect.inject("TagResource", Fault::Delay(held), 1);
                stack
                    .connect
                    .inject("DescribeUser", Fault::Delay(Duration::ZERO), 2);
                stack
                    .connect
                    .inject("DescribeUser", Fault::Delay(held * 2), 1);
                let (theirs_answer, ours_answer) =
                    tokio::join!(stack.play_on(&other, theirs.clone()), async {
                        calls_served(&stack, "DescribeUser", 1).await;
                        stack.play(ours.clone()).await
                    });
                (ours_answer, theirs_answer)
            }
        };
        assert_eq!(stack.connect.user_count(INSTANCE), 1, "{interleaving:?}");
        let tag = manager(&stack, &id).expect("a manager");
        let ((won, won_event), (lost, lost_event)) = match request_of(&tag) {
            "adopt-ours" => ((ours_answer, ours), (theirs_answer, theirs)),
            "adopt-theirs" => ((theirs_answer, theirs), (ours_answer, ours)),
            other => panic!("{interleaving:?}: the tag names neither: {other}"),
        };
        answered_user(&stack, &won, &id);
        match interleaving {
            Interleaving::Free => {}
            Interleaving::BothConfirm => {
                ok(&lost);
            }
            Interleaving::OursLost => {
                // Meant to be ours that loses; on a loaded machine the delays may let the
                // other lose instead. Either way the loser fails, naming the winner's stack.
                let winner = if won_event["StackId"] == OTHER_STACK_ID {
                    "other-stack"
                } else {
                    STACK
                };
                let reason = failed(&lost);
                assert!(reason.contains("claimed by"), "{reason}");
                assert!(reason.contains(winner), "names the winner: {reason}");
            }
        }
        let mut changed = properties.clone();
        changed["PhoneConfig"]["AfterContactWorkTimeLimit"] = json!("30");
        // An event of the same stack as `like`.
        let same_stack = |mut event: Value, like: &Value| {
            event["StackId"] = like["StackId"].clone();
            event
        };
        if lost["Status"] == "SUCCESS" {
            // It saw its own claim and converged before the other claim took the tag: its
            // Update fails naming the user, and changes nothing.
            answered_user(&stack, &lost, &id);
            let update = events::update(
                &stack.sink,
                "lost-update",
                "Agent",
                &physical_id(&lost),
                &changed,
                &properties,
            );
            stack.connect.clear_calls();
            let answer = play_as_its_stack(&stack, &other, same_stack(update, &lost_event)).await;
            let reason = failed(&answer);
            assert!(reason.contains(&id), "{interleaving:?}: {reason}");
            assert_eq!(
                stack.connect.mutations(),
                Vec::<String>::new(),
                "{interleaving:?}"
            );
        } else {
            let reason = failed(&lost);
            assert!(reason.contains(&id), "{interleaving:?}: {reason}");
            assert!(
                physical_id(&lost).starts_with("failed-create."),
                "{interleaving:?}"
            );
        }
        // The loser's Delete (of its user, or of its failed-Create marker) leaves the user.
        let delete = events::delete(
            &stack.sink,
            "lost-delete",
            "Agent",
            &physical_id(&lost),
            &properties,
        );
        stack.connect.clear_calls();
        ok(&play_as_its_stack(&stack, &other, same_stack(delete, &lost_event)).await);
        assert_eq!(
            stack.connect.mutations(),
            Vec::<String>::new(),
            "{interleaving:?}"
        );
        assert_eq!(manager(&stack, &id), Some(tag.clone()), "{interleaving:?}");
        // The winner manages it: its Update converges.
        let update = events::update(
            &stack.sink,
            "won-update",
            "Agent",
            &physical_id(&won),
            &changed,
            &properties,
        );
        ok(&play_as_its_stack(&stack, &other, same_stack(update, &won_event)).await);
        let user = stack.connect.user(INSTANCE, &id).unwrap();
        assert_eq!(
            user["PhoneConfig"]["AfterContactWorkTimeLimit"], 30,
            "{interleaving:?}"
        );
    }
}

#[tokio::test]
async fn a_redelivered_adopting_create_answers_the_same_id() {
    let stack = LocalStack::start().await;
    let id = stack.connect.console_user(INSTANCE, "example");
    let event = create_event(&stack, "adopt-twice", "Agent", &adopting("example"));
    let first = stack.play(event.clone()).await;
    answered_user(&stack, &first, &id);
    stack.connect.clear_calls();
    let second = stack.play(event).await;
    assert_eq!(second, first);
    assert_eq!(
        stack.connect.mutations(),
        Vec::<String>::new(),
        "converged already"
    );
    assert_eq!(stack.connect.calls_of("CreateUser"), 0);
    assert_eq!(stack.connect.user_count(INSTANCE), 1);
}

#[tokio::test]
async fn a_delete_releases_an_adopted_user_and_deletes_it_once_adoption_is_turned_off() {
    let stack = LocalStack::start().await;
    // Adopted, then deleted: released, the user stays.
    let id = stack.connect.console_user(INSTANCE, "example");
    let properties = adopting("example");
    let answer = stack.create("Agent", &properties).await;
    answered_user(&stack, &answer, &id);
    stack.connect.clear_calls();
    ok(&stack
        .delete("Agent", &physical_id(&answer), &properties)
        .await);
    assert_eq!(stack.connect.mutations(), ["UntagResource"]);
    let user = stack.connect.user(INSTANCE, &id).expect("left in place");
    assert!(!tags(&user).contains_key(OWNERSHIP_TAG), "{user}");

    // Adopted again, then AdoptExistingUser turned off: owned, so the Delete deletes it.
    let event = create_event(&stack, "adopt-again", "Agent", &properties);
    let answer = stack.play(event).await;
    answered_user(&stack, &answer, &id);
    let mut owned = properties.clone();
    owned["AdoptExistingUser"] = json!("false");
    ok(&stack
        .update("Agent", &physical_id(&answer), &owned, &properties)
        .await);
    assert_eq!(
        manager(&stack, &id).as_deref(),
        Some(format!("created/{STACK}/Agent/adopt-again").as_str()),
        "owned, under the request that adopted it"
    );
    ok(&stack.delete("Agent", &physical_id(&answer), &owned).await);
    assert_eq!(stack.connect.user(INSTANCE, &id), None);
}

#[tokio::test]
async fn an_invalid_adopt_existing_user_is_named_and_nothing_is_called() {
    let stack = LocalStack::start().await;
    stack.connect.console_user(INSTANCE, "example");
    let mut properties = adopting("example");
    properties["AdoptExistingUser"] = json!("yes");
    let reason = failed(&stack.create("Agent", &properties).await);
    assert!(reason.contains("AdoptExistingUser"), "{reason}");
    assert!(
        stack.connect.calls().is_empty(),
        "{:?}",
        stack.connect.calls()
    );
    // Only "true" and "false" are read: another case is another spelling, refused too.
    properties["AdoptExistingUser"] = json!("TRUE");
    let reason = failed(&stack.create("Agent", &properties).await);
    assert!(
        reason.contains("AdoptExistingUser must be \"true\" or \"false\""),
        "{reason}"
    );
    assert!(stack.connect.calls().is_empty());
    properties["AdoptExistingUser"] = json!("true");
    ok(&stack.create("Agent", &properties).await);
}

#[tokio::test]
async fn adoption_among_thousands_of_users_takes_one_lookup_call() {
    let stack = LocalStack::start().await;
    let ids = stack.connect.seed_console_users(INSTANCE, "staff", 3000);
    let answer = stack.create("Agent", &adopting("staff2999")).await;
    answered_user(&stack, &answer, &ids[2999]);
    assert_eq!(stack.connect.calls_of("SearchUsers"), 1);
    assert_eq!(stack.connect.calls_of("ListUsers"), 0);
    assert_eq!(stack.connect.calls_of("CreateUser"), 0);
    assert_eq!(stack.connect.user_count(INSTANCE), 3000);
}

#[tokio::test]
async fn a_user_the_search_does_not_show_yet_is_found_by_paging() {
    let stack = LocalStack::start().await;
    stack.connect.seed_console_users(INSTANCE, "staff", 1500);
    stack.connect.pause_search_index();
    let id = stack.connect.console_user(INSTANCE, "example");
    let answer = stack.create("Agent", &adopting("example")).await;
    answered_user(&stack, &answer, &id);
    let lookups: Vec<(String, u16)> = stack
        .connect
        .calls()
        .into_iter()
        .filter(|c| ["SearchUsers", "CreateUser", "ListUsers"].contains(&c.operation.as_str()))
        .map(|c| (c.operation, c.status))
        .collect();
    assert_eq!(
        lookups,
        [
            ("SearchUsers".to_owned(), 200),
            ("CreateUser".to_owned(), 409),
            ("ListUsers".to_owned(), 200),
            ("ListUsers".to_owned(), 200),
        ],
        "nothing found, the name taken, then 1,501 users paged 1,000 at a time"
    );
    assert_eq!(stack.connect.user_count(INSTANCE), 1501);
    assert_eq!(
        manager(&stack, &id).as_deref(),
        Some(
            format!(
                "adopted/{STACK}/Agent/{}",
                answer["RequestId"].as_str().unwrap()
            )
            .as_str()
        )
    );
}

#[tokio::test]
async fn a_name_in_another_case_is_adopted_whether_the_search_ignores_case_or_not() {
    for mode in [UsernameMatch::IgnoreCase, UsernameMatch::CaseSensitive] {
        let stack = LocalStack::start().await;
        stack.connect.set_username_match(mode);
        let id = stack.connect.console_user(INSTANCE, "Example");
        let answer = stack.create("Agent", &adopting("example")).await;
        answered_user(&stack, &answer, &id);
        assert_eq!(stack.connect.user_count(INSTANCE), 1, "{mode:?}");
        let fell_back = mode == UsernameMatch::CaseSensitive;
        assert_eq!(stack.connect.calls_of("SearchUsers"), 1, "{mode:?}");
        assert_eq!(
            stack.connect.calls_of("CreateUser"),
            usize::from(fell_back),
            "{mode:?}"
        );
        assert_eq!(
            stack.connect.calls_of("ListUsers"),
            usize::from(fell_back),
            "{mode:?}"
        );
    }
}

#[tokio::test]
async fn a_password_is_never_applied_to_an_adopted_user_nor_logged_nor_read() {
    let mut stack = LocalStack::start().await;
    let id = stack.connect.console_user(INSTANCE, "example");
    let mut properties = adopting("example");
    properties["Password"] = json!("Adopt3dSecretValue");
    answered_user(&stack, &stack.create("Agent", &properties).await, &id);
    // From a secret: not read at all.
    let arn = stack
        .secrets
        .put_string("agent-password", "Stor3dSecretValue");
    let other = stack.connect.console_user(INSTANCE, "other");
    let mut from_secret = adopting("other");
    from_secret.as_object_mut().unwrap().remove("Password");
    from_secret["PasswordSecretArn"] = json!(arn);
    answered_user(&stack, &stack.create("Other", &from_secret).await, &other);
    assert_eq!(stack.secrets.reads(), 0);
    let kept = |id: &str| {
        stack
            .connect
            .with_world(|w| w.instances[INSTANCE].users[id].password.clone())
    };
    assert_eq!(kept(&id).as_deref(), Some("Console-Passw0rd"));
    assert_eq!(kept(&other).as_deref(), Some("Console-Passw0rd"));
    let output = stack.function.stop().await;
    let warnings = output
        .lines()
        .filter(|l| l.contains("WARN") && l.to_lowercase().contains("password"))
        .count();
    assert!(warnings >= 2, "a warning for each:\n{output}");
    for secret in ["Adopt3dSecretValue", "Stor3dSecretValue"] {
        assert!(!output.contains(secret), "{output}");
    }
}

// ---------------------------------------------------------------------------------------
// DEFAULT_TAGS
// ---------------------------------------------------------------------------------------

fn string_map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `count` tags `tag-00`, `tag-01`, ... as a resource's `Tags`.
fn resource_tags(count: usize) -> Value {
    Value::Object(
        (0..count)
            .map(|i| (format!("tag-{i:02}"), json!("r")))
            .collect::<Map<_, _>>(),
    )
}

/// The user's tags without the reserved one.
fn own_tags(stack: &LocalStack, id: &str) -> BTreeMap<String, String> {
    let mut tags = tags(&stack.connect.user(INSTANCE, id).unwrap());
    assert!(tags.remove(OWNERSHIP_TAG).is_some());
    tags
}

#[tokio::test]
async fn default_tags_lie_beneath_the_resources_tags_and_converge_on_update() {
    let defaults = r#"{"CostCenter": "cc-1", "Owner": "platform", "Extra": "e"}"#;
    let mut stack = LocalStack::start_with(&[("DEFAULT_TAGS", defaults)]).await;
    let mut properties = basic();
    properties["Tags"] = json!({"Owner": "team-a", "App": "x"});
    let answer = stack.create("Agent", &properties).await;
    let id = user_id(ok(&answer));
    assert_eq!(
        own_tags(&stack, &id),
        string_map(&[
            ("App", "x"),
            ("CostCenter", "cc-1"),
            ("Extra", "e"),
            ("Owner", "team-a")
        ]),
        "the resource wins on Owner"
    );
    // DEFAULT_TAGS changed: a value changed, a key removed. The next Update converges.
    stack
        .restart_with(&[(
            "DEFAULT_TAGS",
            r#"{"CostCenter": "cc-2", "Owner": "platform"}"#,
        )])
        .await;
    stack.connect.clear_calls();
    ok(&stack
        .update("Agent", &physical_id(&answer), &properties, &properties)
        .await);
    assert_eq!(
        own_tags(&stack, &id),
        string_map(&[("App", "x"), ("CostCenter", "cc-2"), ("Owner", "team-a")])
    );
    let mut mutations = stack.connect.mutations();
    mutations.sort();
    assert_eq!(mutations, ["TagResource", "UntagResource"]);
    // A default the resource sets is never removed with the default: Owner stays the
    // resource's when DEFAULT_TAGS drops it.
    stack.restart_with(&[("DEFAULT_TAGS", "")]).await;
    ok(&stack
        .update("Agent", &physical_id(&answer), &properties, &properties)
        .await);
    assert_eq!(
        own_tags(&stack, &id),
        string_map(&[("App", "x"), ("Owner", "team-a")])
    );
}

#[tokio::test]
async fn defaults_that_do_not_fit_are_left_off_with_a_warning() {
    let defaults = r#"{"default-a": "1", "default-b": "2"}"#;
    let mut stack = LocalStack::start_with(&[("DEFAULT_TAGS", defaults)]).await;
    for (logical_id, count, kept) in [("Full", 49, vec![]), ("OneFree", 48, vec!["default-a"])] {
        let mut properties = basic();
        properties["Name"] = json!(logical_id.to_lowercase());
        properties["Tags"] = resource_tags(count);
        let id = user_id(ok(&stack.create(logical_id, &properties).await));
        let tags = own_tags(&stack, &id);
        assert_eq!(tags.len(), 49, "{logical_id}");
        let defaults: Vec<&str> = tags
            .keys()
            .map(String::as_str)
            .filter(|k| k.starts_with("default-"))
            .collect();
        assert_eq!(defaults, kept, "{logical_id}: the first in key order fit");
    }
    let output = stack.function.stop().await;
    let warnings: Vec<&str> = output
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("default-b"))
        .collect();
    assert_eq!(
        warnings.len(),
        2,
        "one warning per user, naming what was left off:\n{output}"
    );
    assert!(
        warnings[0].contains("default-a") && !warnings[1].contains("default-a"),
        "{warnings:?}"
    );
}

#[tokio::test]
async fn a_broken_default_tags_fails_creates_and_updates_before_any_call_but_not_deletes() {
    let mut stack = LocalStack::start().await;
    let properties = basic();
    let answer = stack.create("Agent", &properties).await;
    let id = user_id(ok(&answer));
    let too_long = format!(r#"{{"CostCenter": "{}"}}"#, "v".repeat(257));
    let broken = [
        ("not json", "{\"CostCenter\": "),
        ("not an object", r#"["CostCenter"]"#),
        ("a value not a string", r#"{"CostCenter": 7}"#),
        ("an aws: key", r#"{"AWS:owner": "x"}"#),
        (
            "the reserved key",
            &format!(r#"{{"{OWNERSHIP_TAG}": "x"}}"#),
        ),
        ("a value too long", too_long.as_str()),
    ];
    for (what, value) in broken {
        stack.restart_with(&[("DEFAULT_TAGS", value)]).await;
        stack.connect.clear_calls();
        let reason = failed(&stack.create("Other", &properties).await);
        assert!(reason.starts_with("DEFAULT_TAGS "), "{what}: {reason}");
        let reason = failed(
            &stack
                .update("Agent", &physical_id(&answer), &properties, &properties)
                .await,
        );
        assert!(reason.starts_with("DEFAULT_TAGS "), "{what}: {reason}");
        assert!(
            stack.connect.calls().is_empty(),
            "{what}: {:?}",
            stack.connect.calls()
        );
    }
    // The same process still serves a Delete.
    let pid = stack.function.pid();
    ok(&stack
        .delete("Agent", &physical_id(&answer), &properties)
        .await);
    assert_eq!(stack.connect.user(INSTANCE, &id), None);
    assert!(stack.function.is_running());
    assert_eq!(stack.function.pid(), pid);
}

#[tokio::test]
async fn a_user_that_cannot_be_claimed_is_refused_before_any_change() {
    let stack = LocalStack::start().await;
    // A DirectoryUserId that is not the user's (the console gave it `dir-<name>`).
    let directory = seed::INSTANCE_DIRECTORY;
    let id = stack.connect.console_user(directory, "dir-agent");
    let before = stack.connect.user(directory, &id).unwrap();
    let mut properties = adopting("dir-agent");
    properties.as_object_mut().unwrap().remove("Password");
    properties.as_object_mut().unwrap().remove("IdentityInfo");
    properties["InstanceId"] = json!(directory);
    properties["DirectoryUserId"] = json!("someone-else");
    stack.connect.clear_calls();
    let answer = stack.create("Agent", &properties).await;
    let reason = failed(&answer);
    assert!(reason.contains("DirectoryUserId someone-else"), "{reason}");
    assert!(reason.contains("dir-dir-agent"), "{reason}");
    assert!(physical_id(&answer).starts_with("failed-create."));
    assert_eq!(stack.connect.mutations(), Vec::<String>::new());
    assert_eq!(stack.connect.user(directory, &id), Some(before));
    // The right one adopts it.
    properties["DirectoryUserId"] = json!("dir-dir-agent");
    let answer = stack.create("Agent", &properties).await;
    assert_eq!(user_id(ok(&answer)), id);

    // A user with Connect's 50 tags: no room for the claim, so nothing is changed.
    let full = stack
        .connect
        .console_user_with(INSTANCE, "full-agent", |body| {
            for n in 0..48 {
                body["Tags"][format!("console-{n:02}")] = json!("x");
            }
        });
    assert_eq!(
        tags(&stack.connect.user(INSTANCE, &full).unwrap()).len(),
        50
    );
    let before = stack.connect.user(INSTANCE, &full).unwrap();
    stack.connect.clear_calls();
    let answer = stack.create("Full", &adopting("full-agent")).await;
    let reason = failed(&answer);
    assert!(reason.contains("already carries 50 tags"), "{reason}");
    assert_eq!(stack.connect.mutations(), Vec::<String>::new());
    assert_eq!(stack.connect.user(INSTANCE, &full), Some(before));
}
