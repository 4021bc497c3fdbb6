//! `make demo`: the whole CloudFormation lifecycle of the five `aws_connect_user` examples,
//! and of a sixth that sets everything per channel, with proficiencies and a password from
//! Secrets Manager, played locally against the real function binary, with no AWS account.
//!
//! It reuses the test machinery in `testkit/`: the local Connect emulator, the emulated
//! Lambda Runtime API and the ResponseURL sink. For each example it plays what CloudFormation
//! would: Create; an in-place Update; a rename (a replacement); the cleanup Delete of the old
//! user; and the final Delete. Then an adoption: a user made in the console is brought under a
//! resource with `AdoptExistingUser` (claimed, then converged to the template), and the
//! resource's Delete releases it (the user stays, without the ownership tag). Each step is
//! checked, and the exit code says whether all passed.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

use connect_user_resource::connect_user::model::OWNERSHIP_TAG;
use serde_json::{json, Value};
use testkit::connect_emulator::{console, seed};
use testkit::events::{self, stringify, STACK_ID};
use testkit::examples::template_examples;
use testkit::stack::LocalStack;

const INSTANCE: &str = seed::INSTANCE_MANAGED;

/// The five Terraform examples as `template.yaml` declares them (by names, but for the one by
/// ids), and `ChannelUser` as in `template.yaml` (the testkit's fixture), its password in a secret of the local Secrets Manager. The demo shows it with
/// no VOICE after-contact work, so that the in-place update it plays raises it, and with a
/// tag.
fn examples(password_secret_arn: &str) -> Vec<(&'static str, Value)> {
    let mut examples = template_examples();
    let mut channels = testkit::examples::channel_user("example-channels", password_secret_arn);
    channels["AfterContactWorkConfigs"][0] = json!(
        {"Channel": "VOICE", "AfterContactWorkConfig": {"AfterContactWorkTimeLimit": 0}}
    );
    channels["Tags"] = json!({"team": "support"});
    examples.push(("ChannelUser", channels));
    for (_, properties) in examples.iter_mut() {
        properties["IdentityInfo"] = identity(properties["Name"].as_str().unwrap_or_default());
    }
    examples
}

/// Each example user's identity, as `template.yaml` and `events/` give it: Connect requires
/// FirstName and LastName on a Connect-managed instance (and CreateUser's documentation lists
/// Email with them, so each has one too).
fn identity(name: &str) -> Value {
    let email = match name {
        "example-identity" => "example@example.com".to_owned(),
        other => format!("{other}@example.com"),
    };
    json!({ "FirstName": "example", "LastName": "example2", "Email": email })
}

/// The in-place update played for an example: its properties with a longer VOICE
/// after-contact work, and the one call that should make it.
fn longer_after_contact_work(properties: &Value) -> (Value, &'static str) {
    let mut updated = properties.clone();
    if properties.get("AfterContactWorkConfigs").is_some() {
        updated["AfterContactWorkConfigs"][0]["AfterContactWorkConfig"]
            ["AfterContactWorkTimeLimit"] = json!("30");
        (updated, "UpdateUserConfig")
    } else {
        updated["PhoneConfig"]["AfterContactWorkTimeLimit"] = json!("30");
        (updated, "UpdateUserPhoneConfig")
    }
}

/// One played step and whether it did what it should.
struct Step {
    example: &'static str,
    name: &'static str,
    passed: bool,
}

/// A summary cell: whether the step `name` of `example` passed.
fn outcome(steps: &[Step], example: &str, name: &str) -> &'static str {
    if steps
        .iter()
        .any(|s| s.example == example && s.name == name && s.passed)
    {
        "ok"
    } else {
        "FAIL"
    }
}

fn short_id(id: &str) -> String {
    match id.split_once(':') {
        Some((instance, user)) => format!(
            "{}…:{}…",
            &instance[..8.min(instance.len())],
            &user[..8.min(user.len())]
        ),
        None => id.to_owned(),
    }
}

fn describe(user: Option<&Value>) -> String {
    let Some(user) = user else {
        return "(no such user)".into();
    };
    let phone = &user["PhoneConfig"];
    let tags = user["Tags"].as_object().map_or(0, |t| t.len());
    format!(
        "{} · {} (ACW {} s{}{}) · routing {} · {} security profile(s){} · {} tag(s)",
        user["Username"].as_str().unwrap_or("?"),
        phone["PhoneType"].as_str().unwrap_or("?"),
        phone["AfterContactWorkTimeLimit"],
        if phone["AutoAccept"] == json!(true) {
            ", auto-accept"
        } else {
            ""
        },
        phone["DeskPhoneNumber"]
            .as_str()
            .map(|n| format!(", desk {n}"))
            .unwrap_or_default(),
        user["RoutingProfileId"]
            .as_str()
            .unwrap_or("?")
            .split('-')
            .take(2)
            .collect::<Vec<_>>()
            .join("-"),
        user["SecurityProfileIds"].as_array().map_or(0, |s| s.len()),
        user["HierarchyGroupId"]
            .as_str()
            .map(|g| format!(
                " · hierarchy {}",
                g.split('-').take(2).collect::<Vec<_>>().join("-")
            ))
            .unwrap_or_default(),
        tags,
    )
}

/// A user's tags as `DescribeUser` shows them.
fn tags_of(user: Option<&Value>) -> BTreeMap<String, String> {
    user.and_then(|u| u["Tags"].as_object())
        .map(|tags| {
            tags.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The tags, the ownership tag's value shown whole.
fn show_tags(tags: &BTreeMap<String, String>) -> String {
    if tags.is_empty() {
        return "none".into();
    }
    tags.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How many proficiencies the emulator holds for the user.
fn proficiency_count(stack: &LocalStack, user_id: &str) -> usize {
    stack.connect.with_world(|w| {
        w.instances
            .get(INSTANCE)
            .and_then(|i| i.users.get(user_id))
            .map_or(0, |u| u.proficiencies.len())
    })
}

/// The adoption: a user made in the console (desk phone, another routing profile, the
/// supervisor security profile, a hierarchy group, a proficiency and two of the organisation's
/// tags) adopted by a Create with `AdoptExistingUser`, converged to the template, then released
/// by the resource's Delete. Returns the adopted user's id, which must stay in the emulator.
async fn adoption(stack: &LocalStack, steps: &mut Vec<Step>) -> String {
    const LOGICAL_ID: &str = "AdoptedUser";
    const NAME: &str = "example-console";
    println!("▶ {LOGICAL_ID} ({NAME}): a user made in the console, adopted and released");
    let user_id = stack.connect.console_user(INSTANCE, NAME);
    let before = stack.connect.user(INSTANCE, &user_id);
    println!("  {:<15} made by hand, before any stack", "Console");
    println!(
        "  {:<15}   Connect holds: {}",
        "",
        describe(before.as_ref())
    );
    println!(
        "  {:<15}   tags: {} · {} proficiency",
        "",
        show_tags(&tags_of(before.as_ref())),
        proficiency_count(stack, &user_id)
    );
    let users_before = stack.connect.user_count(INSTANCE);

    // The template states no IdentityInfo and no UserProficiencies: those stay as they are.
    let properties = stringify(json!({
        "InstanceId": INSTANCE,
        "Name": NAME,
        "AdoptExistingUser": true,
        "RoutingProfileId": seed::ROUTING_PROFILES[0],
        "SecurityProfileIds": [seed::SECURITY_PROFILES[0]],
        "PhoneConfig": {"AfterContactWorkTimeLimit": 0, "PhoneType": "SOFT_PHONE"},
        "Tags": {"team": "support"}
    }));

    // 1. Create with AdoptExistingUser: the user is found, claimed and converged.
    stack.connect.clear_calls();
    let request_id = stack.request_id("adopt");
    let started = Instant::now();
    let adopted = stack
        .play(events::create(
            &stack.sink,
            &request_id,
            LOGICAL_ID,
            &properties,
        ))
        .await;
    let user = stack.connect.user(INSTANCE, &user_id);
    let served = stack.connect.served();
    report(
        "Adopt",
        "AdoptExistingUser=true, the name taken in the console",
        &adopted,
        &served,
        describe(user.as_ref()),
        started.elapsed().as_millis(),
    );
    let tags = tags_of(user.as_ref());
    println!("  {:<15}   tags: {}", "", show_tags(&tags));
    // The function's log names the console tags it removed.
    let log = stack.function.output();
    let removal = log
        .lines()
        .find(|line| line.contains("removing the tags the template does not state"))
        .unwrap_or_default();
    let named_removed = console::CONSOLE_TAGS
        .iter()
        .all(|(key, _)| removal.contains(key));
    let message = removal
        .find("adopting:")
        .map_or(removal, |at| &removal[at..]);
    println!("  {:<15}   the log: {}", "", message.trim());
    let stack_name = STACK_ID.split('/').nth(1).unwrap_or_default();
    let claim = format!("adopted/{stack_name}/{LOGICAL_ID}/{request_id}");
    let expected_tags = BTreeMap::from([
        ("team".to_owned(), "support".to_owned()),
        (OWNERSHIP_TAG.to_owned(), claim),
    ]);
    let count = |op: &str| served.iter().filter(|s| *s == op).count();
    let passed = adopted["Status"] == "SUCCESS"
        && adopted["PhysicalResourceId"] == format!("{INSTANCE}:{user_id}").as_str()
        && adopted["Data"]["UserId"] == user_id.as_str()
        && count("SearchUsers") == 1
        && count("CreateUser") == 0
        && named_removed
        && stack.connect.user_count(INSTANCE) == users_before
        && tags == expected_tags
        && user.as_ref().is_some_and(|u| {
            u["PhoneConfig"]["PhoneType"] == "SOFT_PHONE"
                && u["PhoneConfig"]["AfterContactWorkTimeLimit"] == json!(0)
                && u["RoutingProfileId"] == seed::ROUTING_PROFILES[0]
                && u["SecurityProfileIds"] == json!([seed::SECURITY_PROFILES[0]])
                && u.get("HierarchyGroupId").is_none()
                && before
                    .as_ref()
                    .is_some_and(|b| b["IdentityInfo"] == u["IdentityInfo"])
        })
        && proficiency_count(stack, &user_id) == 1;
    steps.push(Step {
        example: LOGICAL_ID,
        name: "adopt",
        passed,
    });

    // 2. The stack's Delete releases the adopted user: only the ownership tag goes.
    stack.connect.clear_calls();
    let started = Instant::now();
    let released = stack
        .delete(
            LOGICAL_ID,
            adopted["PhysicalResourceId"].as_str().unwrap_or_default(),
            &properties,
        )
        .await;
    let user = stack.connect.user(INSTANCE, &user_id);
    report(
        "Delete",
        "releases the adopted user (it stays)",
        &released,
        &stack.connect.served(),
        describe(user.as_ref()),
        started.elapsed().as_millis(),
    );
    let tags = tags_of(user.as_ref());
    println!("  {:<15}   tags: {}", "", show_tags(&tags));
    let passed = released["Status"] == "SUCCESS"
        && user.is_some()
        && tags == BTreeMap::from([("team".to_owned(), "support".to_owned())])
        && stack.connect.mutations() == ["UntagResource"];
    steps.push(Step {
        example: LOGICAL_ID,
        name: "release",
        passed,
    });
    println!();
    user_id
}

/// The name of the user `user_id`, for the summary.
fn console_name(stack: &LocalStack, user_id: &str) -> String {
    stack
        .connect
        .user(INSTANCE, user_id)
        .and_then(|u| u["Username"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "user is gone".into())
}

fn show(answer: &Value) -> String {
    match answer["Status"].as_str() {
        Some("SUCCESS") => format!(
            "SUCCESS  id {}",
            short_id(answer["PhysicalResourceId"].as_str().unwrap_or(""))
        ),
        _ => format!("FAILED   {}", answer["Reason"].as_str().unwrap_or("")),
    }
}

fn report(
    label: &str,
    detail: &str,
    answer: &Value,
    calls: &[String],
    holds: String,
    millis: u128,
) {
    println!("  {label:<15} {detail}");
    println!(
        "  {:<15} → {}   [{millis} ms; Connect calls: {}]",
        "",
        show(answer),
        if calls.is_empty() {
            "none".to_string()
        } else {
            calls.join(", ")
        }
    );
    println!("  {:<15}   Connect holds: {holds}", "");
}

#[tokio::main]
async fn main() -> ExitCode {
    println!("connect-user-resource — local demo");
    println!(
        "Starting the local Amazon Connect emulator, the Lambda Runtime API and the function…"
    );
    let stack = LocalStack::start().await;
    println!(
        "  Connect emulator {} · Secrets Manager {} · Runtime API {} · function pid {}\n",
        stack.connect.endpoint(),
        stack.secrets.endpoint(),
        stack.runtime.endpoint(),
        stack.function.pid().unwrap_or(0)
    );
    let secret = stack.secrets.put_string(
        "connect-agents/example",
        r#"{"username":"example","password":"Gener4tedSecretPw"}"#,
    );
    let examples = examples(&secret);

    let mut steps: Vec<Step> = Vec::new();
    for (logical_id, properties) in examples.iter().cloned() {
        let properties = stringify(properties);
        let name = properties["Name"].as_str().unwrap_or_default().to_owned();
        println!("▶ {logical_id} ({name})");

        // 1. Create
        stack.connect.clear_calls();
        let started = Instant::now();
        let created = stack.create(logical_id, &properties).await;
        let first_id = created["PhysicalResourceId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let user_id = first_id
            .split_once(':')
            .map(|(_, u)| u.to_owned())
            .unwrap_or_default();
        let user = stack.connect.user(INSTANCE, &user_id);
        report(
            "Create",
            &format!("Name={name}"),
            &created,
            &stack.connect.served(),
            describe(user.as_ref()),
            started.elapsed().as_millis(),
        );
        let expected: &[&str] = if properties.get("UserProficiencies").is_some() {
            &["CreateUser", "AssociateUserProficiencies"]
        } else {
            &["CreateUser"]
        };
        let passed = created["Status"] == "SUCCESS"
            && user.is_some()
            && stack.connect.mutations() == expected;
        steps.push(Step {
            example: logical_id,
            name: "create",
            passed,
        });

        // 2. In-place update: a longer after-contact-work time.
        let (updated_properties, expected_call) = longer_after_contact_work(&properties);
        stack.connect.clear_calls();
        let started = Instant::now();
        let updated = stack
            .update(logical_id, &first_id, &updated_properties, &properties)
            .await;
        let user = stack.connect.user(INSTANCE, &user_id);
        report(
            "Update",
            "AfterContactWorkTimeLimit 0 → 30 (in place)",
            &updated,
            &stack.connect.served(),
            describe(user.as_ref()),
            started.elapsed().as_millis(),
        );
        let passed = updated["Status"] == "SUCCESS"
            && updated["PhysicalResourceId"] == first_id.as_str()
            && stack.connect.mutations() == [expected_call]
            && user
                .as_ref()
                .is_some_and(|u| u["PhoneConfig"]["AfterContactWorkTimeLimit"] == json!(30));
        steps.push(Step {
            example: logical_id,
            name: "update",
            passed,
        });

        // 3. Rename: Connect cannot rename, so CloudFormation gets a new user (a replacement).
        let new_name = format!("{}-v2", name.chars().take(17).collect::<String>());
        let mut renamed_properties = updated_properties.clone();
        renamed_properties["Name"] = json!(new_name);
        stack.connect.clear_calls();
        let started = Instant::now();
        let renamed = stack
            .update(
                logical_id,
                &first_id,
                &renamed_properties,
                &updated_properties,
            )
            .await;
        let second_id = renamed["PhysicalResourceId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let new_user = stack.connect.user_named(INSTANCE, &new_name);
        report(
            "Rename",
            &format!("Name {name} → {new_name} (replacement)"),
            &renamed,
            &stack.connect.served(),
            describe(new_user.as_ref()),
            started.elapsed().as_millis(),
        );
        let passed = renamed["Status"] == "SUCCESS"
            && second_id != first_id
            && new_user.is_some()
            && stack.connect.user(INSTANCE, &user_id).is_some();
        steps.push(Step {
            example: logical_id,
            name: "rename",
            passed,
        });

        // 4. CloudFormation's cleanup Delete of the replaced user.
        stack.connect.clear_calls();
        let started = Instant::now();
        let cleaned = stack
            .delete(logical_id, &first_id, &updated_properties)
            .await;
        report(
            "Cleanup Delete",
            &format!("the old user {}", short_id(&first_id)),
            &cleaned,
            &stack.connect.served(),
            describe(stack.connect.user(INSTANCE, &user_id).as_ref()),
            started.elapsed().as_millis(),
        );
        let passed = cleaned["Status"] == "SUCCESS"
            && stack.connect.user(INSTANCE, &user_id).is_none()
            && stack.connect.user_named(INSTANCE, &new_name).is_some();
        steps.push(Step {
            example: logical_id,
            name: "cleanup",
            passed,
        });

        // 5. Stack deletion.
        stack.connect.clear_calls();
        let started = Instant::now();
        let deleted = stack
            .delete(logical_id, &second_id, &renamed_properties)
            .await;
        let remaining = stack.connect.user_named(INSTANCE, &new_name);
        report(
            "Delete",
            &format!("the user {}", short_id(&second_id)),
            &deleted,
            &stack.connect.served(),
            describe(remaining.as_ref()),
            started.elapsed().as_millis(),
        );
        steps.push(Step {
            example: logical_id,
            name: "delete",
            passed: deleted["Status"] == "SUCCESS" && remaining.is_none(),
        });
        println!();
    }
    let adopted_id = adoption(&stack, &mut steps).await;

    println!("Summary");
    println!("| example         | create | update | rename | cleanup | delete |");
    println!("|-----------------|--------|--------|--------|---------|--------|");
    for (logical_id, _) in &examples {
        let cell = |name: &str| outcome(&steps, logical_id, name);
        println!(
            "| {logical_id:<15} | {:<6} | {:<6} | {:<6} | {:<7} | {:<6} |",
            cell("create"),
            cell("update"),
            cell("rename"),
            cell("cleanup"),
            cell("delete")
        );
    }
    let cell = |name: &str| outcome(&steps, "AdoptedUser", name);
    println!("\n| console user    | adopt  | release (user kept) |");
    println!("|-----------------|--------|---------------------|");
    println!(
        "| {:<15} | {:<6} | {:<19} |",
        "AdoptedUser",
        cell("adopt"),
        cell("release")
    );
    let failures = steps.iter().filter(|s| !s.passed).count();
    // Every example's users are deleted; the released console user alone stays.
    let left = stack.connect.user_count(INSTANCE);
    let only_the_released_user = left == 1 && stack.connect.user(INSTANCE, &adopted_id).is_some();
    println!(
        "\n{} steps, {} passed, {} failed; users left in the emulator: {left} (the released {})",
        steps.len(),
        steps.len() - failures,
        failures,
        console_name(&stack, &adopted_id)
    );
    if failures == 0 && only_the_released_user {
        ExitCode::SUCCESS
    } else {
        println!("\nThe function's log:\n{}", stack.function.output());
        ExitCode::FAILURE
    }
}
