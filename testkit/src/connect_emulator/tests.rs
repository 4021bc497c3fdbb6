//! The emulator without a server: [`ConnectEmulator::handle`] and
//! [`ConnectEmulator::respond`] give the server's answers, and faults, throttling and the call
//! record behave as over HTTP (tests/e2e/emulator.rs drives the same through the server).

use std::time::Duration;

use serde_json::{json, Value};

use super::{seed, ConnectEmulator, Fault, Handling, HttpAnswer};

const MANAGED: &str = seed::INSTANCE_MANAGED;
/// The signature header the emulator looks for (it checks its form only).
const SIGNED: (&str, &str) = (
    "Authorization",
    "AWS4-HMAC-SHA256 Credential=AKIDLOCALEMULATOR/20260101/us-east-1/connect/aws4_request, SignedHeaders=host, Signature=0",
);

fn create_body(name: &str) -> Vec<u8> {
    json!({
        "Username": name,
        "Password": "Password123",
        "IdentityInfo": {"FirstName": "Ada", "LastName": "Lovelace"},
        "PhoneConfig": {"PhoneType": "SOFT_PHONE", "AfterContactWorkTimeLimit": 0},
        "SecurityProfileIds": [seed::SECURITY_PROFILES[0]],
        "RoutingProfileId": seed::ROUTING_PROFILES[0],
    })
    .to_string()
    .into_bytes()
}

fn answered(handling: Handling) -> HttpAnswer {
    match handling {
        Handling::Answer(answer) => answer,
        Handling::Wait { .. } => panic!("held, not answered"),
        Handling::Closed => panic!("closed, not answered"),
    }
}

fn json_of(answer: &HttpAnswer) -> Value {
    serde_json::from_slice(&answer.body).unwrap()
}

fn create(emulator: &ConnectEmulator, name: &str) -> Handling {
    emulator.handle(
        "PUT",
        &format!("/users/{MANAGED}"),
        &[SIGNED],
        &create_body(name),
    )
}

fn statuses(emulator: &ConnectEmulator) -> Vec<(String, u16)> {
    emulator
        .calls()
        .into_iter()
        .map(|c| (c.operation, c.status))
        .collect()
}

#[test]
fn a_request_is_served_without_a_socket() {
    let emulator = ConnectEmulator::in_memory();
    let created = answered(create(&emulator, "agent"));
    assert_eq!(created.status, 200, "{:?}", json_of(&created));
    assert_eq!(created.header("Content-Type"), Some("application/json"));
    let id = json_of(&created)["UserId"].as_str().unwrap().to_owned();
    // Labels from the path, the query string, and the world the tests inspect.
    let described =
        answered(emulator.handle("GET", &format!("/users/{MANAGED}/{id}"), &[SIGNED], b""));
    assert_eq!(json_of(&described)["User"]["Username"], "agent");
    answered(create(&emulator, "second"));
    let page = answered(emulator.handle(
        "GET",
        &format!("/users-summary/{MANAGED}?maxResults=1"),
        &[SIGNED],
        b"",
    ));
    assert_eq!(
        json_of(&page)["UserSummaryList"].as_array().unwrap().len(),
        1
    );
    assert_eq!(emulator.user_count(MANAGED), 2);
    assert_eq!(
        emulator.served(),
        ["CreateUser", "DescribeUser", "CreateUser", "ListUsers"]
    );
}

#[test]
fn refusals_answer_as_connect_does() {
    let emulator = ConnectEmulator::in_memory();
    let unsigned = answered(emulator.handle(
        "PUT",
        &format!("/users/{MANAGED}"),
        &[],
        &create_body("agent"),
    ));
    assert_eq!(
        (unsigned.status, unsigned.header("x-amzn-ErrorType")),
        (403, Some("MissingAuthenticationTokenException"))
    );
    let unknown = answered(emulator.handle("GET", "/no-such-thing", &[SIGNED], b""));
    assert_eq!(
        (unknown.status, unknown.header("x-amzn-errortype")),
        (404, Some("UnknownOperationException"))
    );
    let not_json =
        answered(emulator.handle("PUT", &format!("/users/{MANAGED}"), &[SIGNED], b"[1]"));
    assert_eq!(
        (not_json.status, not_json.header("x-amzn-ErrorType")),
        (400, Some("SerializationException"))
    );
    assert_eq!(emulator.user_count(MANAGED), 0);
    // An unknown route is not a call; the other two are recorded.
    assert_eq!(
        statuses(&emulator),
        [("CreateUser".into(), 403), ("CreateUser".into(), 400)]
    );
}

#[test]
fn injected_errors_and_bare_statuses_then_service_again() {
    let emulator = ConnectEmulator::in_memory();
    emulator.inject("CreateUser", Fault::internal(), 1);
    emulator.inject("CreateUser", Fault::Bare(503), 1);
    let error = answered(create(&emulator, "agent"));
    assert_eq!(
        (error.status, error.header("x-amzn-ErrorType")),
        (500, Some("InternalServiceException"))
    );
    let bare = answered(create(&emulator, "agent"));
    assert_eq!((bare.status, bare.header("x-amzn-ErrorType")), (503, None));
    assert_eq!(bare.header("content-type"), Some("text/html"));
    assert_eq!(emulator.user_count(MANAGED), 0);
    assert_eq!(answered(create(&emulator, "agent")).status, 200);
    assert_eq!(
        statuses(&emulator),
        [
            ("CreateUser".into(), 500),
            ("CreateUser".into(), 503),
            ("CreateUser".into(), 200)
        ]
    );
}

#[test]
fn the_throttle_answers_429_once_the_burst_is_spent() {
    let emulator = ConnectEmulator::in_memory();
    // One token, refilled once in a thousand seconds: the second call finds none.
    emulator.rate_limit_operation("CreateUser", 0.001, 1);
    assert_eq!(answered(create(&emulator, "first")).status, 200);
    let throttled = answered(create(&emulator, "second"));
    assert_eq!(
        (throttled.status, throttled.header("x-amzn-ErrorType")),
        (429, Some("ThrottlingException"))
    );
    assert_eq!(json_of(&throttled)["Message"], "Rate exceeded");
    // Another operation has its own bucket (none here).
    let page =
        answered(emulator.handle("GET", &format!("/users-summary/{MANAGED}"), &[SIGNED], b""));
    assert_eq!(page.status, 200);
    assert_eq!(emulator.user_count(MANAGED), 1);
}

#[test]
fn a_delayed_call_is_served_only_when_finished_and_never_if_abandoned() {
    let emulator = ConnectEmulator::in_memory();
    emulator.inject("CreateUser", Fault::Delay(Duration::from_secs(3)), 2);
    let Handling::Wait { pause, then } = create(&emulator, "agent") else {
        panic!("a delayed call is held");
    };
    assert_eq!(pause, Duration::from_secs(3));
    assert_eq!(emulator.user_count(MANAGED), 0, "not served while held");
    assert!(emulator.calls().is_empty(), "not recorded while held");
    assert_eq!(then.finish().status, 200);
    assert_eq!(emulator.user_count(MANAGED), 1);
    // A caller that gives up drops it: never served, never recorded.
    let Handling::Wait { then, .. } = create(&emulator, "other") else {
        panic!("a delayed call is held");
    };
    drop(then);
    assert_eq!(emulator.user_count(MANAGED), 1);
    assert_eq!(statuses(&emulator), [("CreateUser".into(), 200)]);
}

#[test]
fn a_late_answer_comes_after_the_work_is_done() {
    let emulator = ConnectEmulator::in_memory();
    emulator.inject("CreateUser", Fault::Late(Duration::from_secs(2)), 1);
    let Handling::Wait { pause, then } = create(&emulator, "agent") else {
        panic!("a late answer is held");
    };
    assert_eq!(pause, Duration::from_secs(2));
    assert_eq!(emulator.user_count(MANAGED), 1, "served before the answer");
    assert!(emulator.calls().is_empty(), "recorded when answered");
    let answer = then.finish();
    assert_eq!(answer.status, 200);
    assert!(json_of(&answer)["UserId"].is_string());
    assert_eq!(statuses(&emulator), [("CreateUser".into(), 200)]);
}

#[test]
fn reset_and_dropped_close_without_an_answer() {
    let emulator = ConnectEmulator::in_memory();
    emulator.inject("CreateUser", Fault::Reset, 1);
    emulator.inject("CreateUser", Fault::Dropped, 1);
    assert!(matches!(create(&emulator, "agent"), Handling::Closed));
    assert_eq!(emulator.user_count(MANAGED), 0, "a reset serves nothing");
    assert!(matches!(create(&emulator, "agent"), Handling::Closed));
    assert_eq!(
        emulator.user_count(MANAGED),
        1,
        "a dropped answer's work is done"
    );
    assert_eq!(
        statuses(&emulator),
        [("CreateUser".into(), 0), ("CreateUser".into(), 0)]
    );
}

#[tokio::test]
async fn respond_waits_out_a_held_answer_and_a_caller_can_give_up() {
    let emulator = ConnectEmulator::in_memory();
    let path = format!("/users/{MANAGED}");
    emulator.inject("CreateUser", Fault::Delay(Duration::from_millis(20)), 1);
    let answer = emulator
        .respond("PUT", &path, &[SIGNED], &create_body("agent"))
        .await;
    assert_eq!(answer.map(|a| a.status), Some(200));
    // Given up before the delay ends: the future is dropped and the call never served.
    emulator.inject("CreateUser", Fault::Delay(Duration::from_secs(60)), 1);
    let body = create_body("other");
    let gave_up = tokio::time::timeout(
        Duration::from_millis(20),
        emulator.respond("PUT", &path, &[SIGNED], &body),
    )
    .await;
    assert!(gave_up.is_err());
    assert_eq!(emulator.user_count(MANAGED), 1);
    emulator.inject("CreateUser", Fault::Reset, 1);
    let closed = emulator
        .respond("PUT", &path, &[SIGNED], &create_body("third"))
        .await;
    assert_eq!(closed, None);
}

#[test]
#[should_panic(expected = "no endpoint")]
fn an_in_memory_emulator_has_no_endpoint() {
    ConnectEmulator::in_memory().endpoint();
}

// ---------------------------------------------------------------------------------------
// Routing profiles, security profiles and hierarchy groups: the lookups by name
// ---------------------------------------------------------------------------------------

/// A signed GET, answered at once: status, `x-amzn-ErrorType`, body.
fn get(emulator: &ConnectEmulator, path: &str) -> (u16, Option<String>, Value) {
    let answer = answered(emulator.handle("GET", path, &[SIGNED], b""));
    let code = answer.header("x-amzn-ErrorType").map(str::to_owned);
    (answer.status, code, json_of(&answer))
}

/// A signed POST with a JSON body: status and `x-amzn-ErrorType`.
fn post(emulator: &ConnectEmulator, path: &str, body: Value) -> (u16, Option<String>) {
    let answer = answered(emulator.handle("POST", path, &[SIGNED], body.to_string().as_bytes()));
    (
        answer.status,
        answer.header("x-amzn-ErrorType").map(str::to_owned),
    )
}

/// The names on one page of a list.
fn names(page: &Value, list: &str) -> Vec<String> {
    page[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} in {page}"))
        .iter()
        .map(|s| s["Name"].as_str().unwrap().to_owned())
        .collect()
}

/// Every page of `path` at `max_results` a page: the names on each.
fn pages(emulator: &ConnectEmulator, path: &str, list: &str, max_results: u32) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut query = format!("{path}?maxResults={max_results}");
        if let Some(token) = &token {
            let encoded: String = form_urlencoded::byte_serialize(token.as_bytes()).collect();
            query.push_str(&format!("&nextToken={encoded}"));
        }
        let (status, code, page) = get(emulator, &query);
        assert_eq!(status, 200, "{code:?} {page}");
        out.push(names(&page, list));
        match page["NextToken"].as_str() {
            Some(next) => token = Some(next.to_owned()),
            None => return out,
        }
    }
}

fn routing_profiles_path() -> String {
    format!("/routing-profiles-summary/{MANAGED}")
}

#[test]
fn the_seeds_carry_connects_names_in_order() {
    let emulator = ConnectEmulator::in_memory();
    let (_, _, page) = get(&emulator, &routing_profiles_path());
    assert_eq!(
        names(&page, "RoutingProfileSummaryList"),
        seed::ROUTING_PROFILE_NAMES
    );
    let summary = &page["RoutingProfileSummaryList"][0];
    assert_eq!(summary["Id"], seed::ROUTING_PROFILES[0]);
    assert_eq!(
        summary["Arn"],
        format!(
            "arn:aws:connect:{}:{}:instance/{MANAGED}/routing-profile/{}",
            seed::REGION,
            seed::ACCOUNT,
            seed::ROUTING_PROFILES[0]
        )
    );
    assert!(summary["LastModifiedTime"].is_number());
    assert_eq!(summary["LastModifiedRegion"], seed::REGION);
    assert!(page.get("NextToken").is_none());
    let (_, _, page) = get(&emulator, &format!("/security-profiles-summary/{MANAGED}"));
    assert_eq!(
        names(&page, "SecurityProfileSummaryList"),
        seed::SECURITY_PROFILE_NAMES
    );
    let ids: Vec<&str> = page["SecurityProfileSummaryList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, seed::SECURITY_PROFILES);
    let (_, _, page) = get(
        &emulator,
        &format!("/user-hierarchy-groups-summary/{MANAGED}"),
    );
    assert_eq!(
        names(&page, "UserHierarchyGroupSummaryList"),
        seed::HIERARCHY_GROUP_NAMES
    );
    assert!(page["UserHierarchyGroupSummaryList"][1]["Arn"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/agent-group/{}", seed::HIERARCHY_GROUPS[1])));
    assert!(emulator.answer_violations().is_empty());
}

#[test]
fn a_name_after_2700_seeded_profiles_is_on_the_third_page_of_1000() {
    let emulator = ConnectEmulator::in_memory();
    let started = std::time::Instant::now();
    let seeded = emulator.seed_routing_profiles(MANAGED, "queue", 2_700);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "seeding took {:?}",
        started.elapsed()
    );
    assert_eq!(seeded.len(), 2_700);
    let late = emulator.put_routing_profile(MANAGED, "Late Shift");
    assert!(!seeded.contains(&late) && !seed::ROUTING_PROFILES.contains(&late.as_str()));
    let listed = pages(
        &emulator,
        &routing_profiles_path(),
        "RoutingProfileSummaryList",
        1000,
    );
    let sizes: Vec<usize> = listed.iter().map(Vec::len).collect();
    assert_eq!(sizes, [1000, 1000, 703]);
    // Insertion order: the seeds, then queue0000..queue2699, then the late one.
    assert_eq!(listed[0][..2], seed::ROUTING_PROFILE_NAMES);
    assert_eq!(listed[0][2], "queue0000");
    assert_eq!(listed[2][701], "queue2699");
    assert_eq!(listed[2].last().map(String::as_str), Some("Late Shift"));
    assert!(!listed[0].contains(&"Late Shift".to_owned()));
    assert_eq!(
        statuses(&emulator),
        vec![("ListRoutingProfiles".to_owned(), 200); 3]
    );
    assert!(emulator.answer_violations().is_empty());
}

#[test]
fn without_max_results_a_page_holds_100() {
    let emulator = ConnectEmulator::in_memory();
    emulator.seed_routing_profiles(MANAGED, "rp", 150);
    emulator.seed_security_profiles(MANAGED, "sp", 150);
    emulator.seed_hierarchy_groups(MANAGED, "hg", 150);
    // The seeds and 150 each.
    for (path, list, total) in [
        (routing_profiles_path(), "RoutingProfileSummaryList", 152),
        (
            format!("/security-profiles-summary/{MANAGED}"),
            "SecurityProfileSummaryList",
            154,
        ),
        (
            format!("/user-hierarchy-groups-summary/{MANAGED}"),
            "UserHierarchyGroupSummaryList",
            152,
        ),
    ] {
        let (status, _, page) = get(&emulator, &path);
        assert_eq!(status, 200, "{page}");
        assert_eq!(names(&page, list).len(), 100, "{list}");
        let token = page["NextToken"].as_str().expect("more follow").to_owned();
        let encoded: String = form_urlencoded::byte_serialize(token.as_bytes()).collect();
        let (_, _, rest) = get(&emulator, &format!("{path}?nextToken={encoded}"));
        // The rest on the second page, the last.
        assert!(rest.get("NextToken").is_none(), "{list}");
        assert_eq!(names(&rest, list).len(), total - 100, "{list}");
    }
}

#[test]
fn max_results_outside_1_to_1000_and_an_unknown_instance_are_refused() {
    let emulator = ConnectEmulator::in_memory();
    for operation_path in [
        "routing-profiles-summary",
        "security-profiles-summary",
        "user-hierarchy-groups-summary",
    ] {
        let path = format!("/{operation_path}/{MANAGED}");
        for max in ["0", "1001", "-1", "many"] {
            let (status, code, body) = get(&emulator, &format!("{path}?maxResults={max}"));
            assert_eq!(
                (status, code.as_deref()),
                (400, Some("InvalidParameterException")),
                "{path} maxResults={max}: {body}"
            );
            assert!(body["Message"].as_str().unwrap().contains("MaxResults"));
        }
        for max in ["1", "1000"] {
            let (status, _, body) = get(&emulator, &format!("{path}?maxResults={max}"));
            assert_eq!(status, 200, "{path} maxResults={max}: {body}");
        }
        let unknown = "90000000-0000-4000-8000-000000000009";
        let (status, code, _) = get(&emulator, &format!("/{operation_path}/{unknown}"));
        assert_eq!(
            (status, code.as_deref()),
            (404, Some("ResourceNotFoundException"))
        );
        // The model's InstanceId: 1 to 100 characters.
        let long = "i".repeat(101);
        let (status, code, _) = get(&emulator, &format!("/{operation_path}/{long}"));
        assert_eq!(
            (status, code.as_deref()),
            (400, Some("InvalidParameterException"))
        );
    }
    let (status, code, _) = get(
        &emulator,
        &format!(
            "/user-hierarchy-groups/90000000-0000-4000-8000-000000000009/{}",
            seed::HIERARCHY_GROUPS[0]
        ),
    );
    assert_eq!(
        (status, code.as_deref()),
        (404, Some("ResourceNotFoundException"))
    );
}

#[test]
fn a_next_token_is_the_emulators_own_for_its_list() {
    let emulator = ConnectEmulator::in_memory();
    emulator.seed_routing_profiles(MANAGED, "rp", 5);
    emulator.seed_security_profiles(MANAGED, "sp", 5);
    let (_, _, page) = get(
        &emulator,
        &format!("{}?maxResults=2", routing_profiles_path()),
    );
    let token = page["NextToken"].as_str().unwrap().to_owned();
    let (status, _, next) = get(
        &emulator,
        &format!("{}?maxResults=2&nextToken={token}", routing_profiles_path()),
    );
    assert_eq!(status, 200);
    assert_eq!(
        names(&next, "RoutingProfileSummaryList"),
        ["rp0000", "rp0001"]
    );
    // Another list's token, or one made up, is refused.
    for bad in [token.as_str(), "2", "garbage"] {
        let (status, code, _) = get(
            &emulator,
            &format!("/security-profiles-summary/{MANAGED}?maxResults=2&nextToken={bad}"),
        );
        assert_eq!(
            (status, code.as_deref()),
            (400, Some("InvalidParameterException")),
            "{bad}"
        );
    }
}

#[test]
fn describe_user_hierarchy_group_gives_its_level_and_path() {
    let emulator = ConnectEmulator::in_memory();
    let (status, _, east) = get(
        &emulator,
        &format!(
            "/user-hierarchy-groups/{MANAGED}/{}",
            seed::HIERARCHY_GROUPS[0]
        ),
    );
    assert_eq!(status, 200, "{east}");
    let group = &east["HierarchyGroup"];
    assert_eq!(group["Id"], seed::HIERARCHY_GROUPS[0]);
    assert_eq!(group["Name"], seed::HIERARCHY_GROUP_NAMES[0]);
    assert_eq!(group["LevelId"], "1");
    let path = group["HierarchyPath"].as_object().unwrap();
    assert_eq!(path.keys().collect::<Vec<_>>(), ["LevelOne"]);
    assert_eq!(path["LevelOne"]["Id"], seed::HIERARCHY_GROUPS[0]);
    // The same name on two levels: both listed, each with its own level and path.
    let one = emulator.put_hierarchy_group(MANAGED, "Support", 1);
    let two = emulator.put_hierarchy_group(MANAGED, "Support", 2);
    let three = emulator.put_hierarchy_group_under(MANAGED, "Tier 3", &two);
    assert_ne!(one, two);
    let (_, _, listed) = get(
        &emulator,
        &format!("/user-hierarchy-groups-summary/{MANAGED}"),
    );
    assert_eq!(
        names(&listed, "UserHierarchyGroupSummaryList"),
        ["East", "West", "Support", "Support", "Tier 3"]
    );
    let (_, _, described) = get(
        &emulator,
        &format!("/user-hierarchy-groups/{MANAGED}/{three}"),
    );
    let group = &described["HierarchyGroup"];
    assert_eq!(group["LevelId"], "3");
    assert!(group["Arn"]
        .as_str()
        .unwrap()
        .ends_with(&format!("instance/{MANAGED}/agent-group/{three}")));
    let path = &group["HierarchyPath"];
    assert_eq!(path["LevelOne"]["Id"], one.as_str());
    assert_eq!(path["LevelTwo"]["Id"], two.as_str());
    assert_eq!(path["LevelTwo"]["Name"], "Support");
    assert_eq!(path["LevelThree"]["Id"], three.as_str());
    assert!(path.get("LevelFour").is_none());
    let (_, _, described) = get(
        &emulator,
        &format!("/user-hierarchy-groups/{MANAGED}/{two}"),
    );
    assert_eq!(described["HierarchyGroup"]["LevelId"], "2");
    // An unknown group.
    let (status, code, _) = get(
        &emulator,
        &format!("/user-hierarchy-groups/{MANAGED}/hg-none"),
    );
    assert_eq!(
        (status, code.as_deref()),
        (404, Some("ResourceNotFoundException"))
    );
    assert!(emulator.answer_violations().is_empty());
}

#[test]
fn a_renamed_profile_is_listed_under_its_new_name_in_its_place() {
    let emulator = ConnectEmulator::in_memory();
    let shift = emulator.put_routing_profile(MANAGED, "Day Shift");
    emulator.put_routing_profile(MANAGED, "Night Shift");
    emulator.rename_routing_profile(MANAGED, &shift, "Early Shift");
    let (_, _, page) = get(&emulator, &routing_profiles_path());
    let listed = names(&page, "RoutingProfileSummaryList");
    assert_eq!(listed[2..], ["Early Shift", "Night Shift"]);
    assert_eq!(page["RoutingProfileSummaryList"][2]["Id"], shift.as_str());
    let reviewer = emulator.put_security_profile(MANAGED, "Reviewer");
    emulator.rename_security_profile(MANAGED, &reviewer, "Auditor");
    emulator.rename_hierarchy_group(MANAGED, seed::HIERARCHY_GROUPS[0], "Atlantic");
    let (_, _, page) = get(&emulator, &format!("/security-profiles-summary/{MANAGED}"));
    assert_eq!(names(&page, "SecurityProfileSummaryList")[4], "Auditor");
    let (_, _, page) = get(
        &emulator,
        &format!("/user-hierarchy-groups-summary/{MANAGED}"),
    );
    assert_eq!(
        names(&page, "UserHierarchyGroupSummaryList"),
        ["Atlantic", "West"]
    );
    // Renaming does not touch the other instances, which hold the seeds too.
    let (_, _, page) = get(
        &emulator,
        &format!("/user-hierarchy-groups-summary/{}", seed::INSTANCE_SAML),
    );
    assert_eq!(
        names(&page, "UserHierarchyGroupSummaryList"),
        seed::HIERARCHY_GROUP_NAMES
    );
    // None of this is a call.
    assert_eq!(emulator.calls().len(), 4);
}

#[test]
fn profiles_and_groups_made_in_the_console_are_valid_targets() {
    let emulator = ConnectEmulator::in_memory();
    let routing = emulator.put_routing_profile(MANAGED, "Day Shift");
    let security = emulator.put_security_profile(MANAGED, "Reviewer");
    let group = emulator.put_hierarchy_group(MANAGED, "Support", 1);
    let mut body: Value = serde_json::from_slice(&create_body("agent")).unwrap();
    body["RoutingProfileId"] = json!(routing);
    body["SecurityProfileIds"] = json!([security]);
    body["HierarchyGroupId"] = json!(group);
    let created = answered(emulator.handle(
        "PUT",
        &format!("/users/{MANAGED}"),
        &[SIGNED],
        body.to_string().as_bytes(),
    ));
    assert_eq!(created.status, 200, "{:?}", json_of(&created));
    let id = json_of(&created)["UserId"].as_str().unwrap().to_owned();
    let user = emulator.user(MANAGED, &id).unwrap();
    assert_eq!(user["RoutingProfileId"], routing.as_str());
    assert_eq!(user["HierarchyGroupId"], group.as_str());

    let other_routing = emulator.seed_routing_profiles(MANAGED, "queue", 3)[2].clone();
    let other_security = emulator.seed_security_profiles(MANAGED, "team", 2)[1].clone();
    let other_group = emulator.put_hierarchy_group(MANAGED, "Tier 2", 2);
    let at = |what: &str| format!("/users/{MANAGED}/{id}/{what}");
    assert_eq!(
        post(
            &emulator,
            &at("routing-profile"),
            json!({"RoutingProfileId": other_routing})
        ),
        (200, None)
    );
    assert_eq!(
        post(
            &emulator,
            &at("security-profiles"),
            json!({"SecurityProfileIds": [other_security, seed::SECURITY_PROFILES[0]]})
        ),
        (200, None)
    );
    assert_eq!(
        post(
            &emulator,
            &at("hierarchy"),
            json!({"HierarchyGroupId": other_group})
        ),
        (200, None)
    );
    let user = emulator.user(MANAGED, &id).unwrap();
    assert_eq!(user["RoutingProfileId"], other_routing.as_str());
    assert_eq!(user["HierarchyGroupId"], other_group.as_str());
    assert_eq!(
        user["SecurityProfileIds"],
        json!([other_security, seed::SECURITY_PROFILES[0]])
    );

    // Unknown ids are still refused, and change nothing; so is one of another instance.
    let saml_only = emulator.put_routing_profile(seed::INSTANCE_SAML, "Elsewhere");
    let not_found = (404, Some("ResourceNotFoundException".to_owned()));
    for unknown in ["rp-unknown-4000-8000-000000000000", saml_only.as_str()] {
        assert_eq!(
            post(
                &emulator,
                &at("routing-profile"),
                json!({"RoutingProfileId": unknown})
            ),
            not_found
        );
    }
    assert_eq!(
        post(
            &emulator,
            &at("security-profiles"),
            json!({"SecurityProfileIds": ["sp-unknown"]})
        ),
        not_found
    );
    assert_eq!(
        post(
            &emulator,
            &at("hierarchy"),
            json!({"HierarchyGroupId": "hg-unknown"})
        ),
        not_found
    );
    assert_eq!(
        emulator.user(MANAGED, &id).unwrap()["RoutingProfileId"],
        other_routing.as_str()
    );
}

#[test]
fn the_new_operations_are_throttled_faulted_recorded_and_checked_by_iam() {
    let emulator = ConnectEmulator::in_memory();
    let path = routing_profiles_path();
    emulator.inject("ListRoutingProfiles", Fault::throttle(), 1);
    emulator.inject("DescribeUserHierarchyGroup", Fault::internal(), 1);
    let (status, code, _) = get(&emulator, &path);
    assert_eq!(
        (status, code.as_deref()),
        (429, Some("ThrottlingException"))
    );
    assert_eq!(get(&emulator, &path).0, 200);
    let describe = format!(
        "/user-hierarchy-groups/{MANAGED}/{}",
        seed::HIERARCHY_GROUPS[1]
    );
    let (status, code, _) = get(&emulator, &describe);
    assert_eq!(
        (status, code.as_deref()),
        (500, Some("InternalServiceException"))
    );
    // The shared bucket counts them with every other operation.
    emulator.rate_limit(0.001, 1);
    assert_eq!(get(&emulator, &describe).0, 200);
    let (status, code, _) = get(&emulator, &format!("/security-profiles-summary/{MANAGED}"));
    assert_eq!(
        (status, code.as_deref()),
        (429, Some("ThrottlingException"))
    );
    // IAM: permissions.json grants each; a revoked one is denied.
    let emulator = ConnectEmulator::in_memory();
    emulator.revoke("ListUserHierarchyGroups");
    let (status, code, _) = get(
        &emulator,
        &format!("/user-hierarchy-groups-summary/{MANAGED}"),
    );
    assert_eq!(
        (status, code.as_deref()),
        (403, Some("AccessDeniedException"))
    );
    let unsigned = answered(emulator.handle("GET", &path, &[], b""));
    assert_eq!(unsigned.status, 403);
    for operation in [
        "ListRoutingProfiles",
        "ListSecurityProfiles",
        "ListUserHierarchyGroups",
        "DescribeUserHierarchyGroup",
    ] {
        assert!(crate::iam::is_granted("connect", operation), "{operation}");
    }
    assert_eq!(
        statuses(&emulator),
        [
            ("ListUserHierarchyGroups".into(), 403),
            ("ListRoutingProfiles".into(), 403)
        ]
    );
    // Reads, not mutations.
    assert_eq!(get(&emulator, &path).0, 200);
    assert_eq!(emulator.served(), ["ListRoutingProfiles"]);
    assert!(emulator.mutations().is_empty());
}

#[test]
fn names_follow_connects_rules() {
    let emulator = ConnectEmulator::in_memory();
    let refused = |result: Result<String, super::ApiError>, status: u16, code: &str| {
        let error = result.expect_err("refused");
        assert_eq!((error.status, error.code), (status, code), "{error:?}");
    };
    emulator.with_world(|w| {
        // A name the instance holds: 409, for each kind of profile; another instance's is free.
        refused(
            w.put_routing_profile(MANAGED, seed::ROUTING_PROFILE_NAMES[0]),
            409,
            "DuplicateResourceException",
        );
        refused(
            w.put_security_profile(MANAGED, "Agent"),
            409,
            "DuplicateResourceException",
        );
        // Names compare exactly (an assumption: see rules::same_resource_name).
        assert!(w.put_security_profile(MANAGED, "agent").is_ok());
        // The model's RoutingProfileName: 1 to 127 characters; CreateSecurityProfileName:
        // its pattern too.
        refused(
            w.put_routing_profile(MANAGED, ""),
            400,
            "InvalidParameterException",
        );
        refused(
            w.put_routing_profile(MANAGED, &"r".repeat(128)),
            400,
            "InvalidParameterException",
        );
        assert!(w.put_routing_profile(MANAGED, &"r".repeat(127)).is_ok());
        refused(
            w.put_security_profile(MANAGED, "Team/Lead"),
            400,
            "InvalidParameterException",
        );
        assert!(w.put_security_profile(MANAGED, "Team Lead_2@x-y").is_ok());
        // Hierarchy groups: at most 100 characters; unique among siblings only.
        refused(
            w.put_hierarchy_group(MANAGED, &"g".repeat(101), 1),
            400,
            "InvalidParameterException",
        );
        refused(
            w.put_hierarchy_group(MANAGED, "East", 1),
            409,
            "DuplicateResourceException",
        );
        let east_team = w.put_hierarchy_group_under(MANAGED, "East", seed::HIERARCHY_GROUPS[0]);
        assert!(east_team.is_ok(), "{east_team:?}");
        let west_team = w.put_hierarchy_group_under(MANAGED, "East", seed::HIERARCHY_GROUPS[1]);
        assert!(west_team.is_ok(), "{west_team:?}");
        refused(
            w.put_hierarchy_group_under(MANAGED, "East", seed::HIERARCHY_GROUPS[1]),
            409,
            "DuplicateResourceException",
        );
        // Levels 1 to 5, each below a group on the level above.
        refused(
            w.put_hierarchy_group(MANAGED, "Zero", 0),
            400,
            "InvalidParameterException",
        );
        refused(
            w.put_hierarchy_group(MANAGED, "Deep", 4),
            400,
            "InvalidParameterException",
        );
        let mut parent = w.put_hierarchy_group(MANAGED, "L3", 3).unwrap();
        for level in 4..=5 {
            parent = w
                .put_hierarchy_group(MANAGED, &format!("L{level}"), level)
                .unwrap();
        }
        refused(
            w.put_hierarchy_group_under(MANAGED, "L6", &parent),
            400,
            "InvalidParameterException",
        );
        refused(
            w.put_hierarchy_group(MANAGED, "L6", 6),
            400,
            "InvalidParameterException",
        );
        // Renames: to a name taken is refused, to its own name is not; unknown ids are 404.
        let day = w.put_routing_profile(MANAGED, "Day Shift").unwrap();
        let taken = w.rename_routing_profile(MANAGED, &day, seed::ROUTING_PROFILE_NAMES[1]);
        assert_eq!(taken.map_err(|e| e.status), Err(409));
        assert!(w.rename_routing_profile(MANAGED, &day, "Day Shift").is_ok());
        let unknown = w.rename_security_profile(MANAGED, "sp-none", "X");
        assert_eq!(unknown.map_err(|e| e.status), Err(404));
        let sibling = w.rename_hierarchy_group(MANAGED, seed::HIERARCHY_GROUPS[1], "East");
        assert_eq!(sibling.map_err(|e| e.status), Err(409));
        // Seeding refuses a clash, and puts nothing then.
        let before = w.instances[MANAGED].routing_profiles.len();
        assert!(w.seed_routing_profiles(MANAGED, "Swing", 1).is_ok());
        let clash = w.seed_routing_profiles(MANAGED, "Swing", 2);
        assert_eq!(clash.map_err(|e| e.status), Err(409));
        assert_eq!(w.instances[MANAGED].routing_profiles.len(), before + 1);
    });
}

#[test]
#[should_panic(expected = "DuplicateResourceException")]
fn the_handle_panics_on_a_name_connect_would_refuse() {
    let emulator = ConnectEmulator::in_memory();
    emulator.put_routing_profile(MANAGED, "Basic Routing Profile");
}

#[test]
fn seeding_3000_of_each_kind_is_fast_and_ids_are_unique() {
    let emulator = ConnectEmulator::in_memory();
    let started = std::time::Instant::now();
    let mut ids = emulator.seed_routing_profiles(MANAGED, "rp", 3_000);
    ids.extend(emulator.seed_security_profiles(MANAGED, "sp", 3_000));
    ids.extend(emulator.seed_hierarchy_groups(MANAGED, "hg", 3_000));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), 9_000);
    // Shaped like the seeds: a kind prefix and UUID-like groups.
    assert!(
        ids[0].starts_with("rp-") && ids[3_000].starts_with("sp-") && ids[6_000].starts_with("hg-")
    );
    assert_eq!(ids[0].split('-').count(), 5);
    let (_, _, page) = get(
        &emulator,
        &format!("/user-hierarchy-groups-summary/{MANAGED}?maxResults=1000"),
    );
    let listed = names(&page, "UserHierarchyGroupSummaryList");
    assert_eq!(listed[..3], ["East", "West", "hg0000"]);
}
