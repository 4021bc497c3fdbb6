//! The Connect emulator's own tests: each kind of check the service model carries, each
//! pattern override, each rule the model does not carry, `UpdateUserConfig`'s two modes, the
//! bare-status fault and the check of the emulator's own answers. Every test shows a refusal
//! *and* that the valid request next to it passes. They drive the `World` directly, or the
//! HTTP server where the wire matters (routing, query string, labels, faults).
//!
//! No test matches the wording of a refusal: the codes and messages of the written-out rules
//! are our assumption (see `rules.rs`); the model checks are asserted by their kind and path.

use serde_json::{json, Value};
use testkit::answers::entry;
use testkit::connect_emulator::console::{
    CONSOLE_AFTER_CONTACT_WORK, CONSOLE_DESK_PHONE, CONSOLE_HIERARCHY_GROUP,
    CONSOLE_ROUTING_PROFILE, CONSOLE_SECURITY_PROFILE, CONSOLE_TAGS,
};
use testkit::connect_emulator::model::ApiResult;
use testkit::connect_emulator::service_model::{
    compile_ecma, model, Violation, ViolationKind, PATTERN_OVERRIDES,
};
use testkit::connect_emulator::{
    seed, ConnectEmulator, Fault, UserConfigMode, UsernameMatch, World,
};
use testkit::OWNERSHIP_TAG;

const MANAGED: &str = seed::INSTANCE_MANAGED;
const SAML: &str = seed::INSTANCE_SAML;
const DIRECTORY: &str = seed::INSTANCE_DIRECTORY;

/// A valid `CreateUser` body for a Connect-managed instance.
fn managed_user(name: &str) -> Value {
    json!({
        "Username": name,
        "Password": "Password123",
        "IdentityInfo": {"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"},
        "PhoneConfig": {"PhoneType": "SOFT_PHONE", "AfterContactWorkTimeLimit": 0},
        "SecurityProfileIds": [seed::SECURITY_PROFILES[0]],
        "RoutingProfileId": seed::ROUTING_PROFILES[0]
    })
}

/// A valid `CreateUser` body for the SAML instance: names, no password, no email.
fn saml_user(name: &str) -> Value {
    let mut body = managed_user(name);
    let map = body.as_object_mut().unwrap();
    map.remove("Password");
    map["IdentityInfo"] = json!({"FirstName": "Ada", "LastName": "Lovelace"});
    body
}

/// A valid `CreateUser` body for the existing-directory instance: no password, no names needed.
fn directory_user(name: &str) -> Value {
    let mut body = managed_user(name);
    let map = body.as_object_mut().unwrap();
    map.remove("Password");
    map.remove("IdentityInfo");
    body
}

fn with(mut body: Value, edit: impl FnOnce(&mut Value)) -> Value {
    edit(&mut body);
    body
}

fn without(mut body: Value, key: &str) -> Value {
    body.as_object_mut().unwrap().remove(key);
    body
}

/// Asserts a refusal with `status` and `code`.
#[track_caller]
fn refused(result: ApiResult, status: u16, code: &str) {
    let error = result.expect_err("refused");
    assert_eq!((error.status, error.code), (status, code), "{error:?}");
}

/// Asserts a 400 `InvalidParameterException`, the code of every model violation and of every
/// written-out rule (our assumption: see `rules.rs`).
#[track_caller]
fn invalid(result: ApiResult) {
    refused(result, 400, "InvalidParameterException");
}

/// The violations the model finds in `operation`'s `input`, as `(kind, path)`.
fn violations(operation: &str, input: &Value) -> Vec<(ViolationKind, String)> {
    model()
        .check_input(operation, input)
        .err()
        .unwrap_or_default()
        .into_iter()
        .map(|Violation { kind, path, .. }| (kind, path))
        .collect()
}

fn create_input(instance: &str, body: &Value) -> Value {
    with(body.clone(), |b| b["InstanceId"] = json!(instance))
}

/// Creates a user and returns its id.
/// A valid user with a desk phone: what the refused variants of a test are measured against.
fn desk_phone_user() -> Value {
    with(
        managed_user("agent"),
        |b| {
            b["PhoneConfig"] = json!({"PhoneType": "DESK_PHONE", "DeskPhoneNumber": "+12065550100"})
        },
    )
}

fn created(world: &mut World, instance: &str, body: &Value) -> String {
    let answer = world
        .create_user(instance, body)
        .unwrap_or_else(|e| panic!("create {body}: {e:?}"));
    answer["UserId"].as_str().unwrap().to_owned()
}

fn call(world: &mut World, operation: &str, input: Value) -> ApiResult {
    world.call(operation, &input)
}

fn user_input(instance: &str, user: &str, rest: Value) -> Value {
    with(rest, |r| {
        r["InstanceId"] = json!(instance);
        r["UserId"] = json!(user);
    })
}

// ---------------------------------------------------------------------------------------
// The model's checks, one kind at a time
// ---------------------------------------------------------------------------------------

#[test]
fn a_missing_required_member_is_refused() {
    let mut world = World::default();
    let body = without(managed_user("agent"), "RoutingProfileId");
    assert_eq!(
        violations("CreateUser", &create_input(MANAGED, &body)),
        vec![(ViolationKind::Required, "RoutingProfileId".into())]
    );
    invalid(world.create_user(MANAGED, &body));
    // null is the same as absent.
    let null = with(managed_user("agent"), |b| {
        b["RoutingProfileId"] = Value::Null
    });
    invalid(world.create_user(MANAGED, &null));
    // Nested: an AutoAcceptConfig needs its AutoAccept.
    let nested = with(without(managed_user("agent"), "PhoneConfig"), |b| {
        b["PhoneNumberConfigs"] = json!([{"Channel": "VOICE", "PhoneType": "SOFT_PHONE"}]);
        b["AutoAcceptConfigs"] = json!([{"Channel": "VOICE"}]);
    });
    assert_eq!(
        violations("CreateUser", &create_input(MANAGED, &nested)),
        vec![(
            ViolationKind::Required,
            "AutoAcceptConfigs[0].AutoAccept".into()
        )]
    );
    created(&mut world, MANAGED, &managed_user("agent"));
}

#[test]
fn string_lengths_are_counted_in_characters() {
    let mut world = World::default();
    // AgentUsername: 1 to 100 (the SAML instance allows 64 by rule, so 101 is the model's).
    let long = with(saml_user("x"), |b| b["Username"] = json!("u".repeat(101)));
    assert_eq!(
        violations("CreateUser", &create_input(SAML, &long)),
        vec![(ViolationKind::Length, "Username".into())]
    );
    invalid(world.create_user(SAML, &long));
    let empty = with(saml_user("x"), |b| b["Username"] = json!(""));
    invalid(world.create_user(SAML, &empty));
    // AgentFirstName max 255, in characters: 255 two-byte characters pass.
    let wide = with(saml_user("wide"), |b| {
        b["IdentityInfo"]["FirstName"] = json!("é".repeat(255))
    });
    created(&mut world, SAML, &wide);
    let wider = with(saml_user("wider"), |b| {
        b["IdentityInfo"]["FirstName"] = json!("é".repeat(256))
    });
    assert_eq!(
        violations("CreateUser", &create_input(SAML, &wider)),
        vec![(ViolationKind::Length, "IdentityInfo.FirstName".into())]
    );
    invalid(world.create_user(SAML, &wider));
}

#[test]
fn a_value_outside_its_enum_is_refused() {
    let mut world = World::default();
    let body = with(managed_user("agent"), |b| {
        b["PhoneConfig"]["PhoneType"] = json!("CELL_PHONE")
    });
    assert_eq!(
        violations("CreateUser", &create_input(MANAGED, &body)),
        vec![(ViolationKind::Enum, "PhoneConfig.PhoneType".into())]
    );
    invalid(world.create_user(MANAGED, &body));
    let channel = with(without(managed_user("agent"), "PhoneConfig"), |b| {
        b["PhoneNumberConfigs"] = json!([{"Channel": "SMS", "PhoneType": "SOFT_PHONE"}])
    });
    invalid(world.create_user(MANAGED, &channel));
    created(&mut world, MANAGED, &desk_phone_user());
}

#[test]
fn numbers_outside_their_range_are_refused() {
    let mut world = World::default();
    let negative = with(managed_user("agent"), |b| {
        b["PhoneConfig"]["AfterContactWorkTimeLimit"] = json!(-1)
    });
    assert_eq!(
        violations("CreateUser", &create_input(MANAGED, &negative)),
        vec![(
            ViolationKind::Range,
            "PhoneConfig.AfterContactWorkTimeLimit".into()
        )]
    );
    invalid(world.create_user(MANAGED, &negative));
    let id = created(&mut world, MANAGED, &managed_user("agent"));
    // ProficiencyLevel is a float from 1.0 to 5.0.
    let level = |l: f64| {
        user_input(
            MANAGED,
            &id,
            json!({"UserProficiencies": [{"AttributeName": "Language", "AttributeValue": "English", "Level": l}]}),
        )
    };
    assert_eq!(
        violations("AssociateUserProficiencies", &level(5.5)),
        vec![(ViolationKind::Range, "UserProficiencies[0].Level".into())]
    );
    invalid(call(&mut world, "AssociateUserProficiencies", level(0.0)));
    invalid(call(&mut world, "AssociateUserProficiencies", level(5.5)));
    call(&mut world, "AssociateUserProficiencies", level(5.0)).unwrap();
    // MaxResult1000: 1 to 1000.
    invalid(call(
        &mut world,
        "ListUsers",
        json!({"InstanceId": MANAGED, "MaxResults": 0}),
    ));
    invalid(call(
        &mut world,
        "ListUsers",
        json!({"InstanceId": MANAGED, "MaxResults": 1001}),
    ));
    call(
        &mut world,
        "ListUsers",
        json!({"InstanceId": MANAGED, "MaxResults": 1000}),
    )
    .unwrap();
}

#[test]
fn list_sizes_are_bounded() {
    let mut world = World::default();
    let none = with(managed_user("agent"), |b| {
        b["SecurityProfileIds"] = json!([])
    });
    assert_eq!(
        violations("CreateUser", &create_input(MANAGED, &none)),
        vec![(ViolationKind::Size, "SecurityProfileIds".into())]
    );
    invalid(world.create_user(MANAGED, &none));
    let eleven = with(managed_user("agent"), |b| {
        b["SecurityProfileIds"] = json!(vec![seed::SECURITY_PROFILES[0]; 11])
    });
    invalid(world.create_user(MANAGED, &eleven));
    let id = created(&mut world, MANAGED, &managed_user("agent"));
    let arn = world.instances[MANAGED].users[&id].arn.clone();
    // TagKeyList: 1 to 50 keys.
    invalid(call(
        &mut world,
        "UntagResource",
        json!({"resourceArn": arn, "tagKeys": []}),
    ));
    call(
        &mut world,
        "UntagResource",
        json!({"resourceArn": arn, "tagKeys": ["team"]}),
    )
    .unwrap();
}

#[test]
fn map_sizes_are_bounded() {
    let mut world = World::default();
    let empty = with(managed_user("agent"), |b| b["Tags"] = json!({}));
    assert_eq!(
        violations("CreateUser", &create_input(MANAGED, &empty)),
        vec![(ViolationKind::Size, "Tags".into())]
    );
    invalid(world.create_user(MANAGED, &empty));
    let tags = |n: usize| -> Value {
        (0..n)
            .map(|i| (format!("k{i}"), json!("v")))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let too_many = with(managed_user("agent"), |b| b["Tags"] = tags(51));
    invalid(world.create_user(MANAGED, &too_many));
    created(
        &mut world,
        MANAGED,
        &with(managed_user("agent"), |b| b["Tags"] = tags(50)),
    );
}

#[test]
fn a_member_of_the_wrong_type_is_refused() {
    let mut world = World::default();
    let body = with(managed_user("agent"), |b| {
        b["PhoneConfig"]["AutoAccept"] = json!("true")
    });
    assert_eq!(
        violations("CreateUser", &create_input(MANAGED, &body)),
        vec![(ViolationKind::Type, "PhoneConfig.AutoAccept".into())]
    );
    invalid(world.create_user(MANAGED, &body));
    let fraction = with(managed_user("agent"), |b| {
        b["PhoneConfig"]["AfterContactWorkTimeLimit"] = json!(1.5)
    });
    invalid(world.create_user(MANAGED, &fraction));
    created(
        &mut world,
        MANAGED,
        &with(managed_user("agent"), |b| {
            b["PhoneConfig"]["AutoAccept"] = json!(true)
        }),
    );
}

#[test]
fn a_union_takes_exactly_one_member() {
    // No served input has a union; the one in the model's closure is an error shape.
    let check = |v: Value| model().check("InvalidRequestExceptionReason", &v);
    let kinds: Vec<ViolationKind> = check(json!({}))
        .unwrap_err()
        .into_iter()
        .map(|v| v.kind)
        .collect();
    assert_eq!(kinds, vec![ViolationKind::Union]);
    check(json!({"AttachedFileInvalidRequestExceptionReason": "INVALID_FILE_NAME"})).unwrap();
}

#[test]
fn unknown_members_are_ignored() {
    let mut world = World::default();
    let body = with(managed_user("agent"), |b| {
        b["FavouriteColour"] = json!("teal");
        b["IdentityInfo"]["Nickname"] = json!(["not", "a", "string"]);
    });
    assert!(violations("CreateUser", &create_input(MANAGED, &body)).is_empty());
    let id = created(&mut world, MANAGED, &body);
    let user = world.describe_user(MANAGED, &id).unwrap();
    assert!(user["User"]["IdentityInfo"].get("Nickname").is_none());
}

#[test]
fn sensitive_values_stay_out_of_refusals() {
    let mut world = World::default();
    let body = with(managed_user("agent"), |b| {
        b["Password"] = json!("weakpassword")
    });
    let error = world.create_user(MANAGED, &body).unwrap_err();
    assert_eq!(error.code, "InvalidParameterException");
    assert!(!error.message.contains("weakpassword"), "{}", error.message);
}

// ---------------------------------------------------------------------------------------
// Patterns: ECMA semantics, and each override
// ---------------------------------------------------------------------------------------

#[test]
fn every_model_pattern_compiles_or_has_an_override() {
    let overridden: Vec<&str> = PATTERN_OVERRIDES.iter().map(|o| o.shape).collect();
    let mut seen = 0;
    for (shape, pattern) in model().pattern_shapes() {
        seen += 1;
        if let Some(o) = PATTERN_OVERRIDES.iter().find(|o| o.shape == shape) {
            assert_eq!(
                o.original, pattern,
                "{shape}: the override is for another pattern"
            );
            assert!(!o.meaning.is_empty() && !o.why.is_empty());
        } else {
            compile_ecma(pattern).unwrap_or_else(|e| panic!("{shape}: {e}"));
        }
    }
    assert!(seen >= overridden.len() + 2, "the model has its patterns");
    for shape in ["Password", "PhoneNumber", "TagKey"] {
        assert!(overridden.contains(&shape), "{shape} needs an override");
    }
}

#[test]
fn patterns_keep_ecma_semantics() {
    // Unanchored unless it says so: a match anywhere, as RegExp.prototype.test.
    let phone = model();
    assert!(phone.pattern_matches("SensitivePhoneNumber", "+12065550100"));
    assert!(phone.pattern_matches("SensitivePhoneNumber", "desk +12065550100"));
    assert!(!phone.pattern_matches("SensitivePhoneNumber", "+12065550100 x"));
    assert!(!phone.pattern_matches("SensitivePhoneNumber", "12065550100"));
    // ECMA's \d is ASCII only; the regex crate's would take any Unicode digit.
    assert!(!phone.pattern_matches("SensitivePhoneNumber", "+١٢٣٤٥"));
    // ECMA's . stops at line terminators.
    let dot = compile_ecma("^a.b$").unwrap();
    assert!(dot.is_match("a-b"));
    assert!(!dot.is_match("a\nb") && !dot.is_match("a\u{2028}b"));
    // RegionName, used as written.
    assert!(phone.pattern_matches("RegionName", "us-east-1"));
    assert!(!phone.pattern_matches("RegionName", "US"));
}

#[test]
fn a_pattern_violation_is_refused() {
    let mut world = World::default();
    let body =
        with(
            managed_user("agent"),
            |b| {
                b["PhoneConfig"] =
                    json!({"PhoneType": "DESK_PHONE", "DeskPhoneNumber": "2065550100"})
            },
        );
    assert_eq!(
        violations("CreateUser", &create_input(MANAGED, &body)),
        vec![(ViolationKind::Pattern, "PhoneConfig.DeskPhoneNumber".into())]
    );
    invalid(world.create_user(MANAGED, &body));
    created(&mut world, MANAGED, &desk_phone_user());
}

#[test]
fn the_password_override_is_the_documented_policy() {
    let ok = |p: &str| model().pattern_matches("Password", p);
    assert!(ok("Password123"));
    assert!(ok("Pa55word!£")); // any non-space character beyond letters and digits
    assert!(!ok("password123"), "an uppercase letter");
    assert!(!ok("PASSWORD123"), "a lowercase letter");
    assert!(!ok("Passwordxyz"), "a digit");
    assert!(!ok("Pass word123"), "no whitespace");
    assert!(!ok("Pass\u{3000}word1"), "no ECMA whitespace either");
    assert!(!ok("Passw0r"), "at least 8");
    assert!(ok(&format!("Aa1{}", "x".repeat(61))), "64");
    assert!(!ok(&format!("Aa1{}", "x".repeat(62))), "at most 64");
    // ECMA counts UTF-16 units: 62 astral characters are 124 units.
    assert!(!ok(&format!("Aa{}", "😀".repeat(31))));
    // As written (slashes and all) the pattern could never match: the override is needed.
    assert!(compile_ecma(r"/^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[a-zA-Z\d\S]{8,64}$/").is_err());
    let mut world = World::default();
    invalid(world.create_user(
        MANAGED,
        &with(managed_user("agent"), |b| b["Password"] = json!("password")),
    ));
    created(&mut world, MANAGED, &managed_user("agent"));
}

#[test]
fn the_phone_number_override_reads_the_double_escaped_pattern_as_e164() {
    let ok = |p: &str| model().pattern_matches("PhoneNumber", p);
    assert!(ok("+12065550100"));
    assert!(!ok("2065550100"));
    assert!(!ok("+0123"));
    // As written, the model's pattern means backslashes and letters d.
    let literal = compile_ecma(r"\\+[1-9]\\d{1,14}$").unwrap();
    assert!(!literal.is_match("+12065550100") && literal.is_match(r"\1\dd"));
    assert!(!ok(r"\1\dd"));
    let mut world = World::default();
    invalid(world.create_user(
        MANAGED,
        &with(managed_user("agent"), |b| {
            b["IdentityInfo"]["Mobile"] = json!("555-0100")
        }),
    ));
    created(
        &mut world,
        MANAGED,
        &with(managed_user("agent"), |b| {
            b["IdentityInfo"]["Mobile"] = json!("+12065550100")
        }),
    );
}

#[test]
fn the_tag_key_override_refuses_the_aws_prefix_and_other_characters() {
    let ok = |k: &str| model().pattern_matches("TagKey", k);
    assert!(ok("team"));
    assert!(ok(OWNERSHIP_TAG));
    assert!(ok("équipe 1/2 = a+b@c_d.e"));
    assert!(!ok("aws:cloudformation:stack-name"));
    assert!(ok("AWS:upper"), "the lookahead is case-sensitive");
    assert!(!ok("a#b"));
    let mut world = World::default();
    invalid(world.create_user(
        MANAGED,
        &with(managed_user("agent"), |b| b["Tags"] = json!({"aws:x": "1"})),
    ));
    let id = created(
        &mut world,
        MANAGED,
        &with(managed_user("agent"), |b| b["Tags"] = json!({"team": "1"})),
    );
    let arn = world.instances[MANAGED].users[&id].arn.clone();
    invalid(call(
        &mut world,
        "UntagResource",
        json!({"resourceArn": arn, "tagKeys": ["aws:x"]}),
    ));
}

// ---------------------------------------------------------------------------------------
// Rules the model does not carry (rules.rs)
// ---------------------------------------------------------------------------------------

#[test]
fn names_are_required_on_connect_managed_and_saml_instances() {
    let mut world = World::default();
    for (instance, body) in [(MANAGED, managed_user("agent")), (SAML, saml_user("agent"))] {
        invalid(world.create_user(instance, &without(body.clone(), "IdentityInfo")));
        for name in ["FirstName", "LastName"] {
            let missing = with(body.clone(), |b| {
                b["IdentityInfo"].as_object_mut().unwrap().remove(name);
            });
            invalid(world.create_user(instance, &missing));
            let blank = with(body.clone(), |b| b["IdentityInfo"][name] = json!(""));
            invalid(world.create_user(instance, &blank));
        }
        let id = created(&mut world, instance, &body);
        // The same on UpdateUserIdentityInfo.
        let update = |info: Value| user_input(instance, &id, json!({ "IdentityInfo": info }));
        invalid(call(
            &mut world,
            "UpdateUserIdentityInfo",
            update(json!({"FirstName": "Grace"})),
        ));
        call(
            &mut world,
            "UpdateUserIdentityInfo",
            update(json!({"FirstName": "Grace", "LastName": "Hopper"})),
        )
        .unwrap();
    }
    // Not on an existing-directory instance.
    created(&mut world, DIRECTORY, &directory_user("agent"));
}

#[test]
fn an_email_is_refused_on_saml_instances() {
    let mut world = World::default();
    let with_email = with(saml_user("agent"), |b| {
        b["IdentityInfo"]["Email"] = json!("ada@example.com")
    });
    invalid(world.create_user(SAML, &with_email));
    let id = created(&mut world, SAML, &saml_user("agent"));
    invalid(call(
        &mut world,
        "UpdateUserIdentityInfo",
        user_input(
            SAML,
            &id,
            json!({"IdentityInfo": {"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"}}),
        ),
    ));
    // The same email is fine where Connect manages identities.
    created(&mut world, MANAGED, &managed_user("agent"));
}

#[test]
fn directory_managed_names_and_email_cannot_be_updated() {
    let mut world = World::default();
    let body = with(
        directory_user("agent"),
        |b| {
            b["IdentityInfo"] =
                json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"})
        },
    );
    let id = created(&mut world, DIRECTORY, &body);
    let update = |info: Value| user_input(DIRECTORY, &id, json!({ "IdentityInfo": info }));
    let held = json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"});
    for (key, value) in [
        ("FirstName", "Grace"),
        ("LastName", "Hopper"),
        ("Email", "grace@example.com"),
    ] {
        let changed = with(held.clone(), |h| h[key] = json!(value));
        invalid(call(&mut world, "UpdateUserIdentityInfo", update(changed)));
    }
    // Sending them as held, with a new mobile, is accepted.
    let unchanged = with(held.clone(), |h| h["Mobile"] = json!("+12065550100"));
    call(&mut world, "UpdateUserIdentityInfo", update(unchanged)).unwrap();
    assert_eq!(
        world.instances[DIRECTORY].users[&id].identity_info["Mobile"],
        "+12065550100"
    );
}

#[test]
fn the_username_length_depends_on_the_identity_type() {
    let mut world = World::default();
    invalid(world.create_user(MANAGED, &managed_user(&"u".repeat(21))));
    created(&mut world, MANAGED, &managed_user(&"u".repeat(20)));
    invalid(world.create_user(DIRECTORY, &directory_user(&"d".repeat(21))));
    created(&mut world, SAML, &saml_user(&"s".repeat(64)));
    invalid(world.create_user(SAML, &saml_user(&"t".repeat(65))));
    invalid(world.create_user(MANAGED, &managed_user("a b")));
}

#[test]
fn a_username_has_an_at_sign_only_in_an_email_format() {
    let mut world = World::default();
    for bad in [
        "testuser@",
        "testuser@example",
        "@example.com",
        "a@b@c.com",
        "a@example..com",
        "a@.com",
    ] {
        invalid(world.create_user(MANAGED, &managed_user(bad)));
        invalid(world.create_user(DIRECTORY, &directory_user(bad)));
    }
    // SAML takes `@` outside an email format: its names are "up to 64 characters from
    // [a-zA-Z0-9_-.\@]+", and Salesforce Service Cloud Voice provisions `UserId@OrgId`.
    created(
        &mut world,
        SAML,
        &saml_user("005Hs00000AbCdEIAZ@00DHs0000012345"),
    );
    created(&mut world, SAML, &saml_user("testuser@example"));
    for good in [
        "testuser",
        "testuser@example.com",
        "first.last@sub.example.org",
    ] {
        created(&mut world, SAML, &saml_user(good));
    }
}

#[test]
fn names_on_connect_managed_instances_follow_their_own_lengths() {
    let mut world = World::default();
    let last = |n: usize| {
        with(managed_user(&format!("m{n}")), |b| {
            b["IdentityInfo"]["LastName"] = json!("l".repeat(n))
        })
    };
    invalid(world.create_user(MANAGED, &last(257)));
    created(&mut world, MANAGED, &last(256));
    // On SAML the model's 0 to 300 applies.
    let saml_last = |n: usize| {
        with(saml_user(&format!("s{n}")), |b| {
            b["IdentityInfo"]["LastName"] = json!("l".repeat(n))
        })
    };
    created(&mut world, SAML, &saml_last(300));
    invalid(world.create_user(SAML, &saml_last(301)));
}

#[test]
fn names_must_be_in_nfc() {
    let mut world = World::default();
    let decomposed = with(managed_user("agent"), |b| {
        b["IdentityInfo"]["FirstName"] = json!("Rene\u{301}e")
    });
    invalid(world.create_user(MANAGED, &decomposed));
    let last = with(managed_user("agent"), |b| {
        b["IdentityInfo"]["LastName"] = json!("Cafe\u{301}")
    });
    invalid(world.create_user(MANAGED, &last));
    created(
        &mut world,
        MANAGED,
        &with(managed_user("agent"), |b| {
            b["IdentityInfo"]["FirstName"] = json!("Ren\u{e9}e")
        }),
    );
}

#[test]
fn passwords_follow_the_identity_type() {
    let mut world = World::default();
    invalid(world.create_user(MANAGED, &without(managed_user("agent"), "Password")));
    invalid(world.create_user(
        SAML,
        &with(saml_user("agent"), |b| b["Password"] = json!("Password123")),
    ));
    invalid(world.create_user(
        DIRECTORY,
        &with(directory_user("agent"), |b| {
            b["Password"] = json!("Password123")
        }),
    ));
    created(&mut world, MANAGED, &managed_user("agent"));
    created(&mut world, SAML, &saml_user("agent"));
    created(&mut world, DIRECTORY, &directory_user("agent"));
}

#[test]
fn a_directory_user_id_is_only_for_existing_directory_instances() {
    let mut world = World::default();
    let id = |body: Value| with(body, |b| b["DirectoryUserId"] = json!("dir-1"));
    invalid(world.create_user(SAML, &id(saml_user("agent"))));
    invalid(world.create_user(MANAGED, &id(managed_user("agent"))));
    created(&mut world, DIRECTORY, &id(directory_user("agent")));
}

#[test]
fn a_desk_phone_needs_its_number() {
    let mut world = World::default();
    invalid(world.create_user(
        MANAGED,
        &with(managed_user("agent"), |b| {
            b["PhoneConfig"] = json!({"PhoneType": "DESK_PHONE"})
        }),
    ));
    let per_channel = |number: Option<&str>| {
        let mut config = json!({"Channel": "VOICE", "PhoneType": "DESK_PHONE"});
        if let Some(n) = number {
            config["PhoneNumber"] = json!(n);
        }
        with(without(managed_user("agent"), "PhoneConfig"), |b| {
            b["PhoneNumberConfigs"] = json!([config])
        })
    };
    invalid(world.create_user(MANAGED, &per_channel(None)));
    let id = created(&mut world, MANAGED, &per_channel(Some("+12065550100")));
    invalid(call(
        &mut world,
        "UpdateUserPhoneConfig",
        user_input(
            MANAGED,
            &id,
            json!({"PhoneConfig": {"PhoneType": "DESK_PHONE"}}),
        ),
    ));
    call(
        &mut world,
        "UpdateUserPhoneConfig",
        user_input(
            MANAGED,
            &id,
            json!({"PhoneConfig": {"PhoneType": "SOFT_PHONE"}}),
        ),
    )
    .unwrap();
}

#[test]
fn phone_config_fields_conflict_with_their_per_channel_lists_on_create() {
    let mut world = World::default();
    invalid(world.create_user(
        MANAGED,
        &with(managed_user("agent"), |b| {
            b["PhoneConfig"]["AutoAccept"] = json!(true);
            b["AutoAcceptConfigs"] = json!([{"Channel": "CHAT", "AutoAccept": true}]);
        }),
    ));
    // Voice enhancement has no PhoneConfig field: no conflict.
    created(
        &mut world,
        MANAGED,
        &with(managed_user("agent"), |b| {
            b["VoiceEnhancementConfigs"] =
                json!([{"Channel": "VOICE", "VoiceEnhancementMode": "NOISE_SUPPRESSION"}]);
        }),
    );
}

#[test]
fn after_contact_work_is_at_most_two_million_seconds() {
    let mut world = World::default();
    let limit = |n: i64| {
        with(managed_user(&format!("acw{n}")), |b| {
            b["PhoneConfig"]["AfterContactWorkTimeLimit"] = json!(n)
        })
    };
    invalid(world.create_user(MANAGED, &limit(2_000_001)));
    let id = created(&mut world, MANAGED, &limit(2_000_000));
    let channel = |n: i64| {
        user_input(
            MANAGED,
            &id,
            json!({"AfterContactWorkConfigs": [{"Channel": "CHAT", "AfterContactWorkConfig": {"AfterContactWorkTimeLimit": n}}]}),
        )
    };
    invalid(call(&mut world, "UpdateUserConfig", channel(2_000_001)));
    call(&mut world, "UpdateUserConfig", channel(600)).unwrap();
}

#[test]
fn voice_only_settings_and_one_entry_per_channel() {
    let mut world = World::default();
    let id = created(&mut world, MANAGED, &managed_user("agent"));
    let update = |lists: Value| user_input(MANAGED, &id, lists);
    for refused_lists in [
        json!({"PhoneNumberConfigs": [{"Channel": "CHAT", "PhoneType": "SOFT_PHONE"}]}),
        json!({"PersistentConnectionConfigs": [{"Channel": "TASK", "PersistentConnection": true}]}),
        json!({"VoiceEnhancementConfigs": [{"Channel": "EMAIL", "VoiceEnhancementMode": "NONE"}]}),
        json!({"AutoAcceptConfigs": [{"Channel": "CHAT", "AutoAccept": true, "AgentFirstCallbackAutoAccept": true}]}),
        json!({"AfterContactWorkConfigs": [{"Channel": "CHAT", "AfterContactWorkConfig": {"AfterContactWorkTimeLimit": 1},
               "AgentFirstCallbackAfterContactWorkConfig": {"AfterContactWorkTimeLimit": 1}}]}),
        json!({"AutoAcceptConfigs": [{"Channel": "VOICE", "AutoAccept": true}, {"Channel": "VOICE", "AutoAccept": false}]}),
    ] {
        invalid(call(&mut world, "UpdateUserConfig", update(refused_lists)));
    }
    call(
        &mut world,
        "UpdateUserConfig",
        update(json!({
            "AutoAcceptConfigs": [
                {"Channel": "VOICE", "AutoAccept": true, "AgentFirstCallbackAutoAccept": true},
                {"Channel": "CHAT", "AutoAccept": true}
            ],
            "PersistentConnectionConfigs": [{"Channel": "VOICE", "PersistentConnection": true}]
        })),
    )
    .unwrap();
}

#[test]
fn tags_are_limited_to_fifty_per_resource_without_counting_aws_tags() {
    let mut world = World::default();
    let forty_nine: serde_json::Map<String, Value> =
        (0..49).map(|i| (format!("k{i}"), json!("v"))).collect();
    let id = created(
        &mut world,
        MANAGED,
        &with(managed_user("agent"), |b| b["Tags"] = json!(forty_nine)),
    );
    let arn = world.instances[MANAGED].users[&id].arn.clone();
    let tag = |tags: Value| json!({"resourceArn": arn, "tags": tags});
    // Two more would make 51: refused whole, nothing added.
    invalid(call(
        &mut world,
        "TagResource",
        tag(json!({"a": "1", "b": "2"})),
    ));
    assert_eq!(world.instances[MANAGED].users[&id].tags.len(), 49);
    // An existing key's new value adds nothing.
    call(&mut world, "TagResource", tag(json!({"k0": "w", "a": "1"}))).unwrap();
    assert_eq!(world.instances[MANAGED].users[&id].tags.len(), 50);
    // AWS's own tags do not count.
    world
        .instances
        .get_mut(MANAGED)
        .unwrap()
        .users
        .get_mut(&id)
        .unwrap()
        .tags
        .insert("aws:cloudformation:stack-name".into(), "s".into());
    call(&mut world, "TagResource", tag(json!({"k1": "again"}))).unwrap();
    invalid(call(&mut world, "TagResource", tag(json!({"b": "2"}))));
}

#[test]
fn proficiencies_use_predefined_attributes_and_whole_levels() {
    let mut world = World::default();
    let id = created(&mut world, MANAGED, &managed_user("agent"));
    let list = |value: &str, level: f64| {
        user_input(
            MANAGED,
            &id,
            json!({"UserProficiencies": [{"AttributeName": "Language", "AttributeValue": value, "Level": level}]}),
        )
    };
    refused(
        call(
            &mut world,
            "AssociateUserProficiencies",
            list("Klingon", 3.0),
        ),
        404,
        "ResourceNotFoundException",
    );
    invalid(call(
        &mut world,
        "AssociateUserProficiencies",
        list("English", 2.5),
    ));
    // Update needs it associated; associate needs it not to be.
    refused(
        call(&mut world, "UpdateUserProficiencies", list("English", 3.0)),
        400,
        "InvalidRequestException",
    );
    call(
        &mut world,
        "AssociateUserProficiencies",
        list("English", 3.0),
    )
    .unwrap();
    refused(
        call(
            &mut world,
            "AssociateUserProficiencies",
            list("English", 4.0),
        ),
        400,
        "InvalidRequestException",
    );
    call(&mut world, "UpdateUserProficiencies", list("English", 4.0)).unwrap();
    let listed = call(
        &mut world,
        "ListUserProficiencies",
        user_input(MANAGED, &id, json!({})),
    )
    .unwrap();
    assert_eq!(listed["UserProficiencyList"][0]["Level"], 4.0);
}

#[test]
fn usernames_are_unique_whatever_their_case() {
    let mut world = World::default();
    created(&mut world, MANAGED, &managed_user("agent"));
    refused(
        world.create_user(MANAGED, &managed_user("AGENT")),
        409,
        "DuplicateResourceException",
    );
    created(&mut world, MANAGED, &managed_user("agent2"));
}

// ---------------------------------------------------------------------------------------
// UpdateUserConfig: merge or replace
// ---------------------------------------------------------------------------------------

/// A user set per channel, then an `UpdateUserConfig` that sends only CHAT's auto-accept.
fn after_partial_update(mode: UserConfigMode) -> Value {
    let mut world = World::default();
    world.set_user_config_mode(mode);
    let body = with(without(managed_user("agent"), "PhoneConfig"), |b| {
        b["PhoneNumberConfigs"] =
            json!([{"Channel": "VOICE", "PhoneType": "DESK_PHONE", "PhoneNumber": "+12065550100"}]);
        b["AutoAcceptConfigs"] = json!([
            {"Channel": "VOICE", "AutoAccept": true, "AgentFirstCallbackAutoAccept": true},
            {"Channel": "TASK", "AutoAccept": true}
        ]);
        b["AfterContactWorkConfigs"] = json!([
            {"Channel": "VOICE", "AfterContactWorkConfig": {"AfterContactWorkTimeLimit": 30}}
        ]);
    });
    let id = created(&mut world, MANAGED, &body);
    call(
        &mut world,
        "UpdateUserConfig",
        user_input(
            MANAGED,
            &id,
            json!({"AutoAcceptConfigs": [{"Channel": "CHAT", "AutoAccept": true}]}),
        ),
    )
    .unwrap();
    world.describe_user(MANAGED, &id).unwrap()["User"].clone()
}

#[test]
fn merge_keeps_what_a_user_config_call_leaves_out() {
    let user = after_partial_update(UserConfigMode::Merge);
    assert_eq!(
        entry(&user, "AutoAcceptConfigs", "CHAT")["AutoAccept"],
        true
    );
    assert_eq!(
        entry(&user, "AutoAcceptConfigs", "VOICE"),
        json!({"Channel": "VOICE", "AutoAccept": true, "AgentFirstCallbackAutoAccept": true})
    );
    assert_eq!(
        entry(&user, "AutoAcceptConfigs", "TASK")["AutoAccept"],
        true
    );
    assert_eq!(
        entry(&user, "AfterContactWorkConfigs", "VOICE")["AfterContactWorkConfig"]
            ["AfterContactWorkTimeLimit"],
        30
    );
    assert_eq!(user["PhoneConfig"]["PhoneType"], "DESK_PHONE");
}

#[test]
fn replace_resets_what_a_user_config_call_leaves_out() {
    let user = after_partial_update(UserConfigMode::Replace);
    assert_eq!(
        entry(&user, "AutoAcceptConfigs", "CHAT")["AutoAccept"],
        true
    );
    // Channels the list leaves out go back to the default, callback settings included.
    assert_eq!(
        entry(&user, "AutoAcceptConfigs", "VOICE"),
        json!({"Channel": "VOICE", "AutoAccept": false})
    );
    assert_eq!(
        entry(&user, "AutoAcceptConfigs", "TASK")["AutoAccept"],
        false
    );
    // Lists the call leaves out are reset.
    assert_eq!(
        entry(&user, "AfterContactWorkConfigs", "VOICE")["AfterContactWorkConfig"]
            ["AfterContactWorkTimeLimit"],
        0
    );
    assert_eq!(user["PhoneConfig"]["PhoneType"], "SOFT_PHONE");
    assert!(user["PhoneConfig"].get("DeskPhoneNumber").is_none());
}

#[test]
fn merge_is_the_default() {
    assert_eq!(World::default().user_config_mode, UserConfigMode::Merge);
}

// ---------------------------------------------------------------------------------------
// The emulator's answers are checked too
// ---------------------------------------------------------------------------------------

#[test]
fn a_tagless_user_is_described_without_tags() {
    let mut world = World::default();
    let id = created(&mut world, MANAGED, &managed_user("agent"));
    let answer = world.describe_user(MANAGED, &id).unwrap();
    assert!(answer["User"].get("Tags").is_none(), "{answer}");
    model().check_output("DescribeUser", &answer).unwrap();
    // With `"Tags": {}` the same answer would break TagMap's min 1.
    let with_empty_tags = with(answer, |a| a["User"]["Tags"] = json!({}));
    let found: Vec<ViolationKind> = model()
        .check_output("DescribeUser", &with_empty_tags)
        .unwrap_err()
        .into_iter()
        .map(|v| v.kind)
        .collect();
    assert_eq!(found, vec![ViolationKind::Size]);
    let arn = world.instances[MANAGED].users[&id].arn.clone();
    let tags = call(
        &mut world,
        "ListTagsForResource",
        json!({ "resourceArn": arn }),
    )
    .unwrap();
    assert_eq!(tags, json!({}));
}

#[test]
fn an_answer_that_breaks_the_output_shape_is_an_emulator_bug() {
    let mut world = World::default();
    let id = created(&mut world, MANAGED, &managed_user("agent"));
    assert!(world.describe_user(MANAGED, &id).is_ok());
    // State no answer may show: SecurityProfileIds has min 1.
    world
        .instances
        .get_mut(MANAGED)
        .unwrap()
        .users
        .get_mut(&id)
        .unwrap()
        .security_profile_ids
        .clear();
    refused(
        world.describe_user(MANAGED, &id),
        500,
        "EmulatorAnswerInvalid",
    );
    assert_eq!(world.answer_violations.len(), 1);
    assert!(world.answer_violations[0].contains("User.SecurityProfileIds"));
}

#[test]
fn search_users_finds_a_user_by_name_with_its_tags() {
    let mut world = World::default();
    let id = created(
        &mut world,
        MANAGED,
        &with(managed_user("agent"), |b| {
            b["Tags"] = json!({"team": "blue"});
            b["PhoneConfig"]["AfterContactWorkTimeLimit"] = json!(30);
        }),
    );
    created(&mut world, MANAGED, &managed_user("agent2"));
    let search = |value: &str| {
        json!({
            "InstanceId": MANAGED,
            "SearchCriteria": {"StringCondition": {"FieldName": "Username", "Value": value, "ComparisonType": "EXACT"}}
        })
    };
    let found = call(&mut world, "SearchUsers", search("agent")).unwrap();
    assert_eq!(found["ApproximateTotalCount"], 1);
    let user = &found["Users"][0];
    assert_eq!(user["Id"], id.as_str());
    assert_eq!(user["Tags"], json!({"team": "blue"}));
    assert_eq!(
        user["IdentityInfo"],
        json!({"FirstName": "Ada", "LastName": "Lovelace"})
    );
    // Model doc: AfterContactWorkTimeLimit is returned in milliseconds by SearchUsers.
    assert_eq!(user["PhoneConfig"]["AfterContactWorkTimeLimit"], 30_000);
    assert_eq!(
        call(&mut world, "SearchUsers", search("nobody")).unwrap()["Users"],
        json!([])
    );
    invalid(call(
        &mut world,
        "SearchUsers",
        json!({"InstanceId": MANAGED, "MaxResults": 501}),
    ));
}

// ---------------------------------------------------------------------------------------
// Over HTTP: routes, labels, the query string, unknown operations and faults
// ---------------------------------------------------------------------------------------

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

/// A request with the signature header the emulator looks for (it checks its form only).
fn signed(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    request.header(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDLOCALEMULATOR/20260101/us-east-1/connect/aws4_request, SignedHeaders=host, Signature=0",
    )
}

fn json_body(value: &Value) -> String {
    value.to_string()
}

async fn status_and_code(response: reqwest::Response) -> (u16, Option<String>, Value) {
    let status = response.status().as_u16();
    let code = response
        .headers()
        .get("x-amzn-ErrorType")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, code, body)
}

async fn create_over_http(emulator: &ConnectEmulator, name: &str) -> (String, String) {
    let response = signed(http().put(format!("{}/users/{MANAGED}", emulator.endpoint())))
        .body(json_body(&managed_user(name)))
        .send()
        .await
        .unwrap();
    let (status, _, body) = status_and_code(response).await;
    assert_eq!(status, 200, "{body}");
    (
        body["UserId"].as_str().unwrap().to_owned(),
        body["UserArn"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn unknown_operations_and_routes_answer_404() {
    let emulator = ConnectEmulator::start().await;
    for (method, path) in [
        (reqwest::Method::GET, "/no-such-thing".to_owned()),
        (reqwest::Method::PATCH, format!("/users/{MANAGED}/someone")),
        (
            reqwest::Method::GET,
            format!("/users/{MANAGED}/someone/extra/deep"),
        ),
    ] {
        let response = signed(http().request(method, format!("{}{path}", emulator.endpoint())))
            .send()
            .await
            .unwrap();
        let (status, code, _) = status_and_code(response).await;
        assert_eq!(
            (status, code.as_deref()),
            (404, Some("UnknownOperationException")),
            "{path}"
        );
    }
    let mut world = World::default();
    refused(
        call(&mut world, "DeleteInstance", json!({})),
        404,
        "UnknownOperationException",
    );
    // A known route answers: a missing user is a 404 of another kind.
    let response = signed(http().get(format!("{}/users/{MANAGED}/someone", emulator.endpoint())))
        .send()
        .await
        .unwrap();
    let (status, code, _) = status_and_code(response).await;
    assert_eq!(
        (status, code.as_deref()),
        (404, Some("ResourceNotFoundException"))
    );
}

#[tokio::test]
async fn the_input_is_assembled_from_labels_query_and_body() {
    let emulator = ConnectEmulator::start().await;
    create_over_http(&emulator, "first").await;
    let (_, arn) = create_over_http(&emulator, "second").await;
    // Query members by their locationName: maxResults, nextToken.
    let list = |query: &str| {
        signed(http().get(format!(
            "{}/users-summary/{MANAGED}?{query}",
            emulator.endpoint()
        )))
        .send()
    };
    let (status, _, page) = status_and_code(list("maxResults=1").await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(page["UserSummaryList"].as_array().unwrap().len(), 1);
    let token = page["NextToken"].as_str().unwrap().to_owned();
    let (_, _, next) = status_and_code(
        list(&format!("maxResults=1&nextToken={token}"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(next["UserSummaryList"][0]["Username"], "second");
    for bad in ["maxResults=0", "maxResults=many"] {
        let (status, code, _) = status_and_code(list(bad).await.unwrap()).await;
        assert_eq!(
            (status, code.as_deref()),
            (400, Some("InvalidParameterException")),
            "{bad}"
        );
    }
    // A label: the ARN, percent-encoded as the SDK sends it; a list in the query: tagKeys.
    let tags_url = format!(
        "{}/tags/{}",
        emulator.endpoint(),
        arn.replace(':', "%3A").replace('/', "%2F")
    );
    let tagged = signed(http().post(&tags_url))
        .body(json_body(&json!({"tags": {"a": "1", "b": "2", "c": "3"}})))
        .send()
        .await
        .unwrap();
    assert_eq!(tagged.status().as_u16(), 200);
    let untagged = signed(http().delete(format!("{tags_url}?tagKeys=a&tagKeys=b")))
        .send()
        .await
        .unwrap();
    assert_eq!(untagged.status().as_u16(), 200);
    let user = emulator.user_named(MANAGED, "second").unwrap();
    assert_eq!(user["Tags"], json!({"c": "3"}));
    // An action the IAM source of truth does not grant (the function never lists tags) is
    // denied, as IAM would: 403 AccessDeniedException.
    let (status, code, _) =
        status_and_code(signed(http().get(&tags_url)).send().await.unwrap()).await;
    assert_eq!(
        (status, code.as_deref()),
        (403, Some("AccessDeniedException"))
    );
    // The body must be a JSON object.
    let response = signed(http().put(format!("{}/users/{MANAGED}", emulator.endpoint())))
        .body("[1, 2]")
        .send()
        .await
        .unwrap();
    let (status, code, _) = status_and_code(response).await;
    assert_eq!(
        (status, code.as_deref()),
        (400, Some("SerializationException"))
    );
}

#[tokio::test]
async fn a_bare_fault_answers_like_a_gateway() {
    let emulator = ConnectEmulator::start().await;
    let (id, _) = create_over_http(&emulator, "agent").await;
    emulator.clear_calls();
    emulator.inject("DescribeUser", Fault::Bare(502), 1);
    let url = format!("{}/users/{MANAGED}/{id}", emulator.endpoint());
    let response = signed(http().get(&url)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 502);
    assert!(response.headers().get("x-amzn-ErrorType").is_none());
    assert_eq!(response.headers()["content-type"], "text/html");
    assert_eq!(
        response.text().await.unwrap(),
        "<html><body><h1>502 Bad Gateway</h1></body></html>"
    );
    // The next call is served, and both are recorded.
    let response = signed(http().get(&url)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let statuses: Vec<(String, u16)> = emulator
        .calls()
        .into_iter()
        .map(|c| (c.operation, c.status))
        .collect();
    assert_eq!(
        statuses,
        vec![("DescribeUser".into(), 502), ("DescribeUser".into(), 200)]
    );
    emulator.inject("DeleteUser", Fault::Bare(504), 1);
    let response = signed(http().delete(&url)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 504);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("504 Gateway Timeout"));
}

#[tokio::test]
async fn the_user_config_mode_is_switched_on_the_running_emulator() {
    let emulator = ConnectEmulator::start().await;
    let (id, _) = create_over_http(&emulator, "agent").await;
    let update = |lists: Value| {
        signed(http().post(format!(
            "{}/users/{MANAGED}/{id}/config",
            emulator.endpoint()
        )))
        .body(json_body(&lists))
        .send()
    };
    update(json!({"AutoAcceptConfigs": [{"Channel": "VOICE", "AutoAccept": true}]}))
        .await
        .unwrap();
    update(json!({"AutoAcceptConfigs": [{"Channel": "CHAT", "AutoAccept": true}]}))
        .await
        .unwrap();
    let voice = |e: &ConnectEmulator| {
        entry(&e.user(MANAGED, &id).unwrap(), "AutoAcceptConfigs", "VOICE")["AutoAccept"].clone()
    };
    assert_eq!(voice(&emulator), true, "merged");
    emulator.set_user_config_mode(UserConfigMode::Replace);
    update(json!({"AutoAcceptConfigs": [{"Channel": "CHAT", "AutoAccept": true}]}))
        .await
        .unwrap();
    assert_eq!(voice(&emulator), false, "replaced");
    assert!(emulator.answer_violations().is_empty());
}

#[tokio::test]
async fn an_unsigned_request_is_refused_before_anything_else() {
    let emulator = ConnectEmulator::start().await;
    let response = http()
        .put(format!("{}/users/{MANAGED}", emulator.endpoint()))
        .body(json_body(&managed_user("agent")))
        .send()
        .await
        .unwrap();
    let (status, code, _) = status_and_code(response).await;
    assert_eq!(
        (status, code.as_deref()),
        (403, Some("MissingAuthenticationTokenException"))
    );
    assert_eq!(emulator.user_count(MANAGED), 0);
    create_over_http(&emulator, "agent").await;
    assert_eq!(emulator.user_count(MANAGED), 1);
}

#[test]
fn a_user_a_rule_would_refuse_today_can_still_be_put_in_place() {
    let mut world = World::default();
    let old = with(managed_user("agent@example"), |b| {
        b.as_object_mut().unwrap().remove("IdentityInfo");
    });
    invalid(world.create_user(MANAGED, &old));
    let id = world.insert_unchecked(MANAGED, &old).unwrap();
    let user = world.describe_user(MANAGED, &id).unwrap();
    assert_eq!(user["User"]["Username"], "agent@example");
    // Its other calls are checked as usual.
    invalid(call(
        &mut world,
        "UpdateUserIdentityInfo",
        user_input(MANAGED, &id, json!({"IdentityInfo": {"FirstName": "Ada"}})),
    ));
}

// ---------------------------------------------------------------------------------------
// SearchUsers: a lagging index, the Username comparison, users made in the console
// ---------------------------------------------------------------------------------------

/// `SearchUsers` input: `Username` compared by `comparison` with `value`.
fn username_search(instance: &str, value: &str, comparison: &str) -> Value {
    json!({
        "InstanceId": instance,
        "SearchCriteria": {"StringCondition": {"FieldName": "Username", "Value": value, "ComparisonType": comparison}}
    })
}

/// The ids `SearchUsers` answers for `Username` `EXACT` `value` on the managed instance.
fn found_ids(world: &mut World, value: &str) -> Vec<String> {
    let answer = call(
        world,
        "SearchUsers",
        username_search(MANAGED, value, "EXACT"),
    )
    .unwrap();
    let ids: Vec<String> = answer["Users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["Id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(answer["ApproximateTotalCount"], ids.len(), "{answer}");
    ids
}

fn listed_names(world: &mut World) -> Vec<String> {
    let answer = call(
        world,
        "ListUsers",
        json!({"InstanceId": MANAGED, "MaxResults": 1000}),
    )
    .unwrap();
    answer["UserSummaryList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["Username"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn users_added_while_the_search_index_is_paused_are_found_only_after_it_resumes() {
    let mut world = World::default();
    let before = created(&mut world, MANAGED, &managed_user("before"));
    world.search_index_paused = true;
    let made = created(&mut world, MANAGED, &managed_user("agent"));
    let console = world.put_console_user(MANAGED, "console", |_| {}).unwrap();
    let gone = created(&mut world, MANAGED, &managed_user("gone"));
    // Not in a search yet; in ListUsers and DescribeUser at once; the taken name is taken.
    assert_eq!(found_ids(&mut world, "agent"), Vec::<String>::new());
    assert_eq!(found_ids(&mut world, "console"), Vec::<String>::new());
    assert_eq!(found_ids(&mut world, "before"), vec![before]);
    assert_eq!(
        listed_names(&mut world),
        ["before", "agent", "console", "gone"]
    );
    assert_eq!(
        world.describe_user(MANAGED, &made).unwrap()["User"]["Username"],
        "agent"
    );
    refused(
        world.create_user(MANAGED, &managed_user("agent")),
        409,
        "DuplicateResourceException",
    );
    world.delete_user(MANAGED, &gone).unwrap();
    assert!(!world.unindexed.contains(&gone));
    world.resume_search_index();
    assert_eq!(found_ids(&mut world, "agent"), vec![made]);
    assert_eq!(found_ids(&mut world, "console"), vec![console]);
    // Resumed: a new user is found at once.
    let later = created(&mut world, MANAGED, &managed_user("later"));
    assert_eq!(found_ids(&mut world, "later"), vec![later]);
}

#[test]
fn the_username_comparison_ignores_case_or_not_as_switched() {
    let mut world = World::default();
    assert_eq!(
        world.username_match,
        UsernameMatch::IgnoreCase,
        "the default"
    );
    let id = created(&mut world, MANAGED, &managed_user("Agent.One"));
    let found = |world: &mut World, value: &str, comparison: &str| {
        call(
            world,
            "SearchUsers",
            username_search(MANAGED, value, comparison),
        )
        .unwrap()["Users"]
            .as_array()
            .unwrap()
            .len()
    };
    for mode in [UsernameMatch::IgnoreCase, UsernameMatch::CaseSensitive] {
        world.username_match = mode;
        let ignored = usize::from(mode == UsernameMatch::IgnoreCase);
        assert_eq!(found(&mut world, "Agent.One", "EXACT"), 1, "{mode:?}");
        assert_eq!(found(&mut world, "agent.one", "EXACT"), ignored, "{mode:?}");
        assert_eq!(
            found(&mut world, "AGENT", "STARTS_WITH"),
            ignored,
            "{mode:?}"
        );
        assert_eq!(found(&mut world, "t.O", "CONTAINS"), 1, "{mode:?}");
        assert_eq!(found(&mut world, "Agent", "EXACT"), 0, "{mode:?}");
        // Names stay unique regardless of case, whatever the search does.
        refused(
            world.create_user(MANAGED, &managed_user("AGENT.ONE")),
            409,
            "DuplicateResourceException",
        );
    }
    // Other fields compare exactly in either mode.
    world.username_match = UsernameMatch::IgnoreCase;
    let by_first_name = |value: &str| json!({"InstanceId": MANAGED, "SearchCriteria": {"StringCondition": {"FieldName": "FirstName", "Value": value, "ComparisonType": "EXACT"}}});
    let answer = call(&mut world, "SearchUsers", by_first_name("Ada")).unwrap();
    assert_eq!(answer["Users"][0]["Id"], id.as_str());
    let answer = call(&mut world, "SearchUsers", by_first_name("ada")).unwrap();
    assert_eq!(answer["Users"], json!([]));
}

#[test]
fn search_users_keeps_the_models_constraints() {
    let mut world = World::default();
    world.put_console_user(MANAGED, "console", |_| {}).unwrap();
    let valid = username_search(MANAGED, "console", "EXACT");
    call(&mut world, "SearchUsers", valid.clone()).unwrap();
    for max in [0, 501] {
        invalid(call(
            &mut world,
            "SearchUsers",
            with(valid.clone(), |v| v["MaxResults"] = json!(max)),
        ));
    }
    call(
        &mut world,
        "SearchUsers",
        with(valid.clone(), |v| v["MaxResults"] = json!(500)),
    )
    .unwrap();
    // ComparisonType is an enum; FieldName one of the documented fields.
    invalid(call(
        &mut world,
        "SearchUsers",
        username_search(MANAGED, "console", "FUZZY"),
    ));
    invalid(call(
        &mut world,
        "SearchUsers",
        with(valid.clone(), |v| {
            v["SearchCriteria"]["StringCondition"]["FieldName"] = json!("Email")
        }),
    ));
    assert_eq!(
        violations("SearchUsers", &without(valid, "InstanceId")),
        vec![(ViolationKind::Required, "InstanceId".to_owned())]
    );
}

#[test]
fn a_console_user_carries_console_settings_and_tags_but_no_tag_of_ours() {
    let mut world = World::default();
    let id = world.put_console_user(MANAGED, "console", |_| {}).unwrap();
    let user = world.describe_user(MANAGED, &id).unwrap()["User"].clone();
    let tags: Value = CONSOLE_TAGS
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect::<serde_json::Map<_, _>>()
        .into();
    assert_eq!(user["Tags"], tags);
    assert_eq!(user["Tags"]["CostCenter"], "console");
    assert_eq!(user["RoutingProfileId"], CONSOLE_ROUTING_PROFILE);
    assert_eq!(
        user["SecurityProfileIds"],
        json!([CONSOLE_SECURITY_PROFILE])
    );
    assert_eq!(user["HierarchyGroupId"], CONSOLE_HIERARCHY_GROUP);
    assert_eq!(user["PhoneConfig"]["PhoneType"], "DESK_PHONE");
    assert_eq!(user["PhoneConfig"]["DeskPhoneNumber"], CONSOLE_DESK_PHONE);
    assert_eq!(user["PhoneConfig"]["AutoAccept"], true);
    assert_eq!(
        user["PhoneConfig"]["AfterContactWorkTimeLimit"],
        CONSOLE_AFTER_CONTACT_WORK
    );
    let proficiencies = call(
        &mut world,
        "ListUserProficiencies",
        user_input(MANAGED, &id, json!({})),
    )
    .unwrap();
    assert_eq!(
        proficiencies["UserProficiencyList"],
        json!([{"AttributeName": "Language", "AttributeValue": "French", "Level": 2.0}])
    );
    // Connect's rules hold for it: the name is taken, in any case.
    refused(
        world
            .put_console_user(MANAGED, "CONSOLE", |_| {})
            .map(Value::from),
        409,
        "DuplicateResourceException",
    );
    // An edit changes the body before the checks: other tags, or a tag another stack wrote.
    let other = world
        .put_console_user(MANAGED, "other", |b| {
            b["Tags"] = json!({OWNERSHIP_TAG: "created/other-stack/Agent/req-1"})
        })
        .unwrap();
    assert_eq!(
        world.describe_user(MANAGED, &other).unwrap()["User"]["Tags"],
        json!({OWNERSHIP_TAG: "created/other-stack/Agent/req-1"})
    );
    // Each identity type gets what its rules require.
    let saml = world.put_console_user(SAML, "console", |_| {}).unwrap();
    let saml = world.describe_user(SAML, &saml).unwrap()["User"].clone();
    assert!(saml["IdentityInfo"].get("Email").is_none());
    let directory = world
        .put_console_user(DIRECTORY, "console", |_| {})
        .unwrap();
    assert_eq!(
        world.describe_user(DIRECTORY, &directory).unwrap()["User"]["DirectoryUserId"],
        "dir-console"
    );
}

/// Sends `request` signed, and gives its status, error code and JSON body.
async fn exchange(request: reqwest::RequestBuilder) -> (u16, Option<String>, Value) {
    status_and_code(signed(request).send().await.unwrap()).await
}

#[tokio::test]
async fn console_users_are_seen_by_search_list_describe_and_tagging_without_a_recorded_call() {
    let emulator = ConnectEmulator::start().await;
    let id = emulator.console_user(MANAGED, "console");
    let seeded = emulator.seed_console_users(MANAGED, "staff", 3);
    assert_eq!(emulator.calls(), vec![], "put in place, not called");
    let endpoint = emulator.endpoint();
    let search = username_search(MANAGED, "staff0002", "EXACT");
    let (status, _, found) = exchange(
        http()
            .post(format!("{endpoint}/search-users"))
            .body(json_body(&search)),
    )
    .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["Users"][0]["Id"], seeded[2].as_str());
    assert_eq!(found["Users"][0]["Tags"]["CostCenter"], "console");
    let (_, _, listed) = exchange(http().get(format!("{endpoint}/users-summary/{MANAGED}"))).await;
    let names: Vec<&str> = listed["UserSummaryList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["Username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["console", "staff0000", "staff0001", "staff0002"]);
    let (status, _, described) =
        exchange(http().get(format!("{endpoint}/users/{MANAGED}/{id}"))).await;
    assert_eq!(status, 200);
    let arn = described["User"]["Arn"].as_str().unwrap().to_owned();
    let tags_url = format!(
        "{endpoint}/tags/{}",
        arn.replace(':', "%3A").replace('/', "%2F")
    );
    let tags = json!({"tags": {"Project": "adopted"}});
    let (status, _, _) = exchange(http().post(&tags_url).body(json_body(&tags))).await;
    assert_eq!(status, 200);
    let untag = format!("{tags_url}?tagKeys=CostCenter&tagKeys=Team");
    let (status, _, _) = exchange(http().delete(untag)).await;
    assert_eq!(status, 200);
    assert_eq!(
        emulator.user(MANAGED, &id).unwrap()["Tags"],
        json!({"Project": "adopted"})
    );
    assert_eq!(
        emulator.served(),
        [
            "SearchUsers",
            "ListUsers",
            "DescribeUser",
            "TagResource",
            "UntagResource"
        ]
    );
}

#[test]
fn tagging_a_console_user_keeps_the_models_constraints() {
    let mut world = World::default();
    let id = world.put_console_user(MANAGED, "console", |_| {}).unwrap();
    let arn = world.instances[MANAGED].users[&id].arn.clone();
    let tag = |tags: Value| json!({"resourceArn": arn, "tags": tags});
    let untag = |keys: Value| json!({"resourceArn": arn, "tagKeys": keys});
    invalid(call(
        &mut world,
        "TagResource",
        tag(json!({"aws:owner": "x"})),
    ));
    invalid(call(&mut world, "TagResource", tag(json!({}))));
    invalid(call(
        &mut world,
        "TagResource",
        tag(json!({"k": "v".repeat(257)})),
    ));
    // Two console tags and 49 more would make 51.
    let forty_nine: serde_json::Map<String, Value> =
        (0..49).map(|i| (format!("k{i}"), json!("v"))).collect();
    invalid(call(&mut world, "TagResource", tag(json!(forty_nine))));
    let forty_eight: serde_json::Map<String, Value> =
        (0..48).map(|i| (format!("k{i}"), json!("v"))).collect();
    call(&mut world, "TagResource", tag(json!(forty_eight))).unwrap();
    assert_eq!(world.instances[MANAGED].users[&id].tags.len(), 50);
    invalid(call(&mut world, "UntagResource", untag(json!([]))));
    let fifty_one: Vec<String> = (0..51).map(|i| format!("k{i}")).collect();
    invalid(call(&mut world, "UntagResource", untag(json!(fifty_one))));
    invalid(call(
        &mut world,
        "UntagResource",
        untag(json!(["aws:owner"])),
    ));
    call(
        &mut world,
        "UntagResource",
        untag(json!(["CostCenter", "Team"])),
    )
    .unwrap();
    assert_eq!(world.instances[MANAGED].users[&id].tags.len(), 48);
}

#[test]
fn thousands_of_console_users_are_seeded_fast_and_found_in_one_search() {
    let started = std::time::Instant::now();
    let mut world = World::default();
    let ids = world.seed_console_users(MANAGED, "staff", 3000).unwrap();
    let seeding = started.elapsed();
    assert_eq!(ids.len(), 3000);
    assert_eq!(world.instances[MANAGED].users.len(), 3000);
    assert_eq!(found_ids(&mut world, "staff2999"), vec![ids[2999].clone()]);
    // ListUsers needs three full pages for them.
    let mut pages = 0;
    let mut token: Option<String> = None;
    loop {
        let mut input = json!({"InstanceId": MANAGED, "MaxResults": 1000});
        if let Some(token) = &token {
            input["NextToken"] = json!(token);
        }
        let page = call(&mut world, "ListUsers", input).unwrap();
        pages += 1;
        match page["NextToken"].as_str() {
            Some(next) => token = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    eprintln!("seeded 3,000 console users in {seeding:?}");
    // Each is what put_console_user makes, but for its name and id; the names stay unique.
    let single = world.put_console_user(MANAGED, "single", |_| {}).unwrap();
    let view = |world: &mut World, id: &str| {
        let mut user = world.describe_user(MANAGED, id).unwrap()["User"].clone();
        for key in ["Id", "Arn", "Username", "LastModifiedTime"] {
            user.as_object_mut().unwrap().remove(key);
        }
        let proficiencies = call(
            world,
            "ListUserProficiencies",
            user_input(MANAGED, id, json!({})),
        )
        .unwrap()["UserProficiencyList"]
            .clone();
        (user, proficiencies)
    };
    assert_eq!(view(&mut world, &ids[1500]), view(&mut world, &single));
    // A taken name (in another case) is refused, the first (STAFF0000) or a later one
    // (late0001).
    world.put_console_user(MANAGED, "LATE0001", |_| {}).unwrap();
    for prefix in ["STAFF", "late"] {
        let seeded = world.seed_console_users(MANAGED, prefix, 3);
        refused(seeded.map(Value::from), 409, "DuplicateResourceException");
    }
}

#[tokio::test]
async fn a_revoked_grant_is_denied_as_iam_would() {
    let emulator = ConnectEmulator::start().await;
    emulator.console_user(MANAGED, "console");
    let endpoint = emulator.endpoint();
    let search = || {
        let body = json_body(&username_search(MANAGED, "console", "EXACT"));
        exchange(http().post(format!("{endpoint}/search-users")).body(body))
    };
    // permissions.json grants SearchUsers (the emulator enforces that file: testkit/src/iam.rs).
    let (status, _, found) = search().await;
    assert_eq!(status, 200, "{found}");
    emulator.revoke("SearchUsers");
    let (status, code, _) = search().await;
    assert_eq!(
        (status, code.as_deref()),
        (403, Some("AccessDeniedException"))
    );
    // Other operations are still served.
    let (status, _, _) = exchange(http().get(format!("{endpoint}/users-summary/{MANAGED}"))).await;
    assert_eq!(status, 200);
}
