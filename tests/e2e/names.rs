//! Issue 21 end to end: routing profile, security profiles and hierarchy group by name
//! (`RoutingProfileName`, `SecurityProfileNames`, `HierarchyGroupName`), resolved through the
//! List operations of the Connect emulator, whose profiles and groups carry Connect's names;
//! and Connect's own username rules (the email format and 20 characters only with a password).

use serde_json::{json, Value};
use testkit::answers::{failed, ok, physical_id};
use testkit::connect_emulator::{seed, Fault};
use testkit::examples::basic;
use testkit::stack::LocalStack;

const INSTANCE: &str = seed::INSTANCE_MANAGED;
const LOOKUPS: [&str; 3] = [
    "ListRoutingProfiles",
    "ListSecurityProfiles",
    "ListUserHierarchyGroups",
];
/// Every call that changes Connect.
const WRITES: [&str; 13] = [
    "CreateUser",
    "DeleteUser",
    "UpdateUserIdentityInfo",
    "UpdateUserPhoneConfig",
    "UpdateUserConfig",
    "UpdateUserRoutingProfile",
    "UpdateUserSecurityProfiles",
    "UpdateUserHierarchy",
    "AssociateUserProficiencies",
    "DisassociateUserProficiencies",
    "UpdateUserProficiencies",
    "TagResource",
    "UntagResource",
];

/// The basic example by names: Connect's default routing profile and the Agent profile.
fn by_names() -> Value {
    testkit::examples::by_names(basic())
}

/// The operations Connect served that change something.
fn writes(stack: &LocalStack) -> Vec<String> {
    let mut served = stack.connect.served();
    served.retain(|operation| WRITES.contains(&operation.as_str()));
    served
}

#[tokio::test]
async fn profiles_and_a_group_by_name_create_the_user_with_their_ids() {
    let stack = LocalStack::start().await;
    let mut properties = by_names();
    properties["SecurityProfileNames"] = json!(seed::SECURITY_PROFILE_NAMES[..2]);
    properties["HierarchyGroupName"] = json!(seed::HIERARCHY_GROUP_NAMES[1]);
    let answer = stack.create("Agent", &properties).await;
    let user = stack.connect.user_at(&physical_id(ok(&answer))).unwrap();
    assert_eq!(user["RoutingProfileId"], seed::ROUTING_PROFILES[0]);
    let mut profiles: Vec<String> = user["SecurityProfileIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    profiles.sort();
    let mut wanted = vec![
        seed::SECURITY_PROFILES[0].to_owned(),
        seed::SECURITY_PROFILES[1].to_owned(),
    ];
    wanted.sort();
    assert_eq!(profiles, wanted);
    assert_eq!(user["HierarchyGroupId"], seed::HIERARCHY_GROUPS[1]);
    for lookup in LOOKUPS {
        assert_eq!(stack.connect.calls_of(lookup), 1, "{lookup}");
    }
}

#[tokio::test]
async fn a_template_by_ids_makes_no_lookup() {
    let stack = LocalStack::start().await;
    ok(&stack.create("Agent", &basic()).await);
    for lookup in LOOKUPS {
        assert_eq!(stack.connect.calls_of(lookup), 0, "{lookup}");
    }
}

#[tokio::test]
async fn an_unknown_name_fails_naming_the_property_and_makes_no_user() {
    let stack = LocalStack::start().await;
    let mut properties = by_names();
    properties["RoutingProfileName"] = json!("Night Shift");
    let reason = failed(&stack.create("Agent", &properties).await);
    assert!(
        reason.starts_with("RoutingProfileName \"Night Shift\" matches no routing profile"),
        "{reason}"
    );
    assert!(!reason.contains("did you mean"), "{reason}");
    assert!(
        reason.ends_with("no change was made after the names were looked up"),
        "{reason}"
    );
    assert_eq!(stack.connect.user_count(INSTANCE), 0);
    assert!(writes(&stack).is_empty(), "{:?}", writes(&stack));
}

#[tokio::test]
async fn a_name_differing_only_in_case_or_spaces_is_refused_with_the_name_meant() {
    let stack = LocalStack::start().await;
    let mut properties = by_names();
    properties["RoutingProfileName"] = json!("basic routing profile");
    properties["SecurityProfileNames"] = json!(["agent", "Call Center Manager"]);
    let reason = failed(&stack.create("Agent", &properties).await);
    for part in [
        "RoutingProfileName \"basic routing profile\" matches no routing profile",
        "did you mean \"Basic Routing Profile\"?",
        "SecurityProfileNames \"agent\" matches no security profile",
        "did you mean \"Agent\"?",
        "SecurityProfileNames \"Call Center Manager\" matches no security profile",
        "did you mean \"CallCenterManager\"?",
    ] {
        assert!(reason.contains(part), "{part} missing from {reason}");
    }
    assert_eq!(stack.connect.user_count(INSTANCE), 0);
    // The suggestion came from the pages already read: one call per kind.
    assert_eq!(stack.connect.calls_of("ListRoutingProfiles"), 1);
    assert_eq!(stack.connect.calls_of("ListSecurityProfiles"), 1);
}

#[tokio::test]
async fn a_group_name_held_on_two_levels_fails_naming_each_id_and_level() {
    let stack = LocalStack::start().await;
    let level_one = stack.connect.put_hierarchy_group(INSTANCE, "Support", 1);
    let level_two = stack.connect.put_hierarchy_group(INSTANCE, "Support", 2);
    let mut properties = by_names();
    properties["HierarchyGroupName"] = json!("Support");
    let reason = failed(&stack.create("Agent", &properties).await);
    assert!(
        reason.starts_with("HierarchyGroupName \"Support\" matches 2 hierarchy groups: "),
        "{reason}"
    );
    for id in [&level_one, &level_two] {
        assert!(reason.contains(id.as_str()), "{id} missing from {reason}");
    }
    assert!(reason.contains("(level "), "{reason}");
    assert!(reason.contains("give HierarchyGroupId instead"), "{reason}");
    assert_eq!(stack.connect.calls_of("DescribeUserHierarchyGroup"), 2);
    assert_eq!(stack.connect.user_count(INSTANCE), 0);
}

#[tokio::test]
async fn an_id_and_a_name_for_one_property_fail_naming_both_before_any_call() {
    let stack = LocalStack::start().await;
    for (id_key, name_key, name) in [
        (
            "RoutingProfileId",
            "RoutingProfileName",
            json!("Basic Routing Profile"),
        ),
        (
            "SecurityProfileIds",
            "SecurityProfileNames",
            json!(["Agent"]),
        ),
        ("HierarchyGroupId", "HierarchyGroupName", json!("East")),
    ] {
        let mut properties = basic();
        properties[name_key] = name;
        if id_key == "HierarchyGroupId" {
            properties[id_key] = json!(seed::HIERARCHY_GROUPS[0]);
        }
        let reason = failed(&stack.create("Agent", &properties).await);
        assert!(
            reason.contains(name_key) && reason.contains(id_key),
            "{reason}"
        );
        assert!(reason.contains("give one of them"), "{reason}");
    }
    assert!(stack.connect.calls().is_empty(), "a call was made");
}

#[tokio::test]
async fn an_update_by_names_moves_the_routing_profile_and_clears_the_group() {
    let stack = LocalStack::start().await;
    let mut old = by_names();
    old["HierarchyGroupName"] = json!(seed::HIERARCHY_GROUP_NAMES[0]);
    let id = physical_id(ok(&stack.create("Agent", &old).await));
    let mut new = by_names();
    new["RoutingProfileName"] = json!(seed::ROUTING_PROFILE_NAMES[1]);
    new["HierarchyGroupName"] = json!("");
    assert_eq!(
        physical_id(ok(&stack.update("Agent", &id, &new, &old).await)),
        id
    );
    let user = stack.connect.user_at(&id).unwrap();
    assert_eq!(user["RoutingProfileId"], seed::ROUTING_PROFILES[1]);
    assert!(
        user.get("HierarchyGroupId").is_none_or(Value::is_null),
        "{user}"
    );
}

#[tokio::test]
async fn a_no_op_update_by_names_reads_and_looks_up_and_writes_nothing() {
    let stack = LocalStack::start().await;
    let properties = by_names();
    let id = physical_id(ok(&stack.create("Agent", &properties).await));
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &properties, &properties).await);
    assert!(writes(&stack).is_empty(), "{:?}", writes(&stack));
    assert_eq!(stack.connect.calls_of("ListRoutingProfiles"), 1);
    assert_eq!(stack.connect.calls_of("ListSecurityProfiles"), 1);
    assert_eq!(stack.connect.calls_of("DescribeUser"), 1);
}

#[tokio::test]
async fn ids_replaced_by_the_same_profiles_names_change_nothing() {
    let stack = LocalStack::start().await;
    let old = basic();
    let id = physical_id(ok(&stack.create("Agent", &old).await));
    stack.connect.clear_calls();
    ok(&stack.update("Agent", &id, &by_names(), &old).await);
    assert!(writes(&stack).is_empty(), "{:?}", writes(&stack));
}

#[tokio::test]
async fn a_name_on_a_late_page_of_2700_profiles_resolves_in_three_calls() {
    let stack = LocalStack::start().await;
    stack
        .connect
        .seed_routing_profiles(INSTANCE, "queue", 2_700);
    let late = stack.connect.put_routing_profile(INSTANCE, "Late Shift");
    let mut properties = by_names();
    properties["RoutingProfileName"] = json!("Late Shift");
    let answer = stack.create("Agent", &properties).await;
    let user = stack.connect.user_at(&physical_id(ok(&answer))).unwrap();
    assert_eq!(user["RoutingProfileId"], late.as_str());
    // 2,700 seeded, the seeds and the late one: three pages of 1,000.
    assert_eq!(stack.connect.calls_of("ListRoutingProfiles"), 3);
}

#[tokio::test]
async fn throttled_lookups_are_retried() {
    let stack = LocalStack::start().await;
    stack
        .connect
        .inject("ListRoutingProfiles", Fault::throttle(), 2);
    stack
        .connect
        .inject("ListSecurityProfiles", Fault::throttle(), 1);
    ok(&stack.create("Agent", &by_names()).await);
    assert_eq!(stack.connect.calls_of("ListRoutingProfiles"), 3);
    assert_eq!(stack.connect.calls_of("ListSecurityProfiles"), 2);
}

#[tokio::test]
async fn a_name_renamed_away_in_the_console_fails_the_update_with_nothing_changed() {
    let stack = LocalStack::start().await;
    let shift = stack.connect.put_routing_profile(INSTANCE, "Day Shift");
    let mut properties = by_names();
    properties["RoutingProfileName"] = json!("Day Shift");
    let id = physical_id(ok(&stack.create("Agent", &properties).await));
    stack
        .connect
        .rename_routing_profile(INSTANCE, &shift, "Early Shift");
    let mut new = properties.clone();
    new["IdentityInfo"]["FirstName"] = json!("renamed");
    stack.connect.clear_calls();
    let reason = failed(&stack.update("Agent", &id, &new, &properties).await);
    assert!(
        reason.starts_with("RoutingProfileName \"Day Shift\" matches no routing profile"),
        "{reason}"
    );
    assert!(writes(&stack).is_empty(), "{:?}", writes(&stack));
    let user = stack.connect.user_at(&id).unwrap();
    assert_eq!(user["IdentityInfo"]["FirstName"], "example");
    assert_eq!(user["RoutingProfileId"], shift.as_str());
}

#[tokio::test]
async fn a_saml_agent_named_userid_at_orgid_is_created() {
    let stack = LocalStack::start().await;
    let mut saml = by_names();
    saml["InstanceId"] = json!(seed::INSTANCE_SAML);
    saml["Name"] = json!("005Hs00000AbCdEIAZ@00DHs0000012345");
    saml.as_object_mut().unwrap().remove("Password");
    let answer = stack.create("Agent", &saml).await;
    let user = stack.connect.user_at(&physical_id(ok(&answer))).unwrap();
    assert_eq!(user["Username"], "005Hs00000AbCdEIAZ@00DHs0000012345");
}

#[tokio::test]
async fn a_connect_managed_name_not_in_email_format_is_refused_before_any_call() {
    let stack = LocalStack::start().await;
    let mut managed = basic();
    managed["Name"] = json!("testuser@example");
    let reason = failed(&stack.create("Agent", &managed).await);
    assert!(
        reason.contains("Name may contain @ only in an email format"),
        "{reason}"
    );
    managed["Name"] = json!("a-name-of-twenty-one1");
    let reason = failed(&stack.create("Agent", &managed).await);
    assert!(
        reason.contains("Name must be at most 20 characters"),
        "{reason}"
    );
    assert!(stack.connect.calls().is_empty(), "a call was made");
}

#[tokio::test]
async fn without_a_password_connect_decides_the_name_and_its_refusal_is_named() {
    let stack = LocalStack::start().await;
    let mut directory = by_names();
    directory["InstanceId"] = json!(seed::INSTANCE_DIRECTORY);
    directory["Name"] = json!("testuser@example");
    directory["DirectoryUserId"] = json!("dir-testuser");
    let map = directory.as_object_mut().unwrap();
    map.remove("Password");
    map.remove("IdentityInfo");
    let reason = failed(&stack.create("Agent", &directory).await);
    assert!(
        reason.contains("CreateUser: InvalidParameterException: Username can include @ only if used in an email format"),
        "{reason}"
    );
    assert_eq!(stack.connect.user_count(seed::INSTANCE_DIRECTORY), 0);
}
