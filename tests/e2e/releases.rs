//! Users that an earlier release's function made are served by this one: each release records
//! how its function leaves a user in Connect (`tests/fixtures/releases/<version>/user.json`,
//! its reserved ownership tag as that release writes it), and this release's real binary must
//! update and delete such a user. A new function version behind the same ServiceToken (an
//! Update of the nested application) meets the users the old one made; the release that
//! bumps the crate's version adds its own fixture, which the first test checks is true of it
//! (docs/operations.md, "Releasing").

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{json, Value};
use testkit::answers::{ok, physical_id};
use testkit::events;
use testkit::stack::LocalStack;
use testkit::OWNERSHIP_TAG;

fn releases() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/releases")
}

/// Every release's fixture, by version.
fn fixtures() -> BTreeMap<String, Value> {
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(releases()).expect("tests/fixtures/releases") {
        let path = entry.expect("an entry").path().join("user.json");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let fixture: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let release = fixture["release"].as_str().expect("release").to_owned();
        assert!(path.ends_with(format!("{release}/user.json")), "{path:?}");
        found.insert(release, fixture);
    }
    found
}

fn stack_with(fixture: &Value) -> Vec<(String, String)> {
    vec![(
        "DEFAULT_TAGS".to_owned(),
        fixture["default_tags"].to_string(),
    )]
}

async fn start(fixture: &Value) -> LocalStack {
    let env = stack_with(fixture);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    LocalStack::start_with(&env).await
}

/// Each of `expected`'s fields as `user` holds it.
fn fields_of(user: &Value, expected: &Value) -> Value {
    let map = expected.as_object().expect("the fixture's user");
    Value::Object(map.keys().map(|k| (k.clone(), user[k].clone())).collect())
}

fn with_stack(mut event: Value, fixture: &Value) -> Value {
    event["StackId"] = fixture["stack_id"].clone();
    event
}

#[tokio::test]
async fn this_release_has_a_fixture_that_is_true_of_it() {
    let fixtures = fixtures();
    let version = env!("CARGO_PKG_VERSION");
    let fixture = fixtures
        .get(version)
        .unwrap_or_else(|| panic!("no tests/fixtures/releases/{version}/user.json: a release records how its function leaves a user"));
    let stack = start(fixture).await;
    let request = fixture["create_request_id"].as_str().expect("a request id");
    let logical = fixture["logical_id"].as_str().expect("a logical id");
    let event = events::create(&stack.sink, request, logical, &fixture["properties"]);
    let answer = stack.play(with_stack(event, fixture)).await;
    ok(&answer);
    let user = stack
        .connect
        .user_at(&physical_id(&answer))
        .expect("the user");
    assert_eq!(fields_of(&user, &fixture["user"]), fixture["user"]);
    // Proves the comparison can fail: a reserved tag written otherwise shows.
    let mut other = fixture["user"].clone();
    other["Tags"][OWNERSHIP_TAG] = json!(request);
    assert_ne!(fields_of(&user, &other), other);
}

#[tokio::test]
async fn users_of_every_earlier_release_are_updated_and_deleted() {
    let fixtures = fixtures();
    assert!(fixtures.contains_key("0.1.0"), "{:?}", fixtures.keys());
    for (release, fixture) in &fixtures {
        let stack = start(fixture).await;
        let instance = fixture["properties"]["InstanceId"]
            .as_str()
            .expect("instance");
        // The user as that release left it, put straight into Connect (no call recorded).
        let mut body = fixture["user"].clone();
        body["Password"] = json!("Seeded-Passw0rd1");
        let created = stack
            .connect
            .with_world(|w| w.create_user(instance, &body))
            .unwrap_or_else(|e| panic!("{release}: {e:?}"));
        let id = created["UserId"].as_str().expect("UserId").to_owned();
        let physical = format!("{instance}:{id}");
        assert_eq!(
            fields_of(
                &stack.connect.user(instance, &id).expect("seeded"),
                &fixture["user"]
            ),
            fixture["user"],
            "{release}: seeded as recorded"
        );
        let logical = fixture["logical_id"].as_str().expect("logical id");
        let (old, new) = (&fixture["properties"], &fixture["update"]);

        // An Update: converged in place, same physical id, the reserved tag kept as it was.
        stack.connect.clear_calls();
        let event = events::update(
            &stack.sink,
            &stack.request_id("update"),
            logical,
            &physical,
            new,
            old,
        );
        let answer = stack.play(with_stack(event, fixture)).await;
        ok(&answer);
        assert_eq!(
            physical_id(&answer),
            physical,
            "{release}: updated in place"
        );
        assert_eq!(answer["Data"]["UserId"], id.as_str(), "{release}");
        let user = stack.connect.user(instance, &id).expect("still there");
        assert_eq!(user["IdentityInfo"], new["IdentityInfo"], "{release}");
        assert_eq!(
            user["RoutingProfileId"], new["RoutingProfileId"],
            "{release}"
        );
        assert_eq!(
            user["SecurityProfileIds"].as_array().map(Vec::len),
            Some(2),
            "{release}"
        );
        assert_eq!(user["PhoneConfig"]["AutoAccept"], json!(true), "{release}");
        assert_eq!(
            user["PhoneConfig"]["AfterContactWorkTimeLimit"],
            json!(30),
            "{release}"
        );
        let recorded = &fixture["user"]["Tags"][OWNERSHIP_TAG];
        assert_eq!(
            user["Tags"],
            json!({"CostCenter": "1234", "Team": "sales", OWNERSHIP_TAG: recorded}),
            "{release}: its own tags, the defaults and the reserved tag as the old release wrote it"
        );
        assert!(
            !stack.connect.mutations().contains(&"DeleteUser".to_owned()),
            "{release}"
        );

        // The Delete: the user the old release made is deleted (it made it: `created/...`).
        let event = events::delete(
            &stack.sink,
            &stack.request_id("delete"),
            logical,
            &physical,
            new,
        );
        let answer = stack.play(with_stack(event, fixture)).await;
        ok(&answer);
        assert_eq!(
            stack.connect.user(instance, &id),
            None,
            "{release}: deleted"
        );
        assert_eq!(stack.connect.user_count(instance), 0, "{release}");
    }
}
