//! `ResourceProperties` → [`UserSpec`], validated before any API call.
//!
//! CloudFormation stringifies every scalar (`"0"`, `"false"`), so scalars are accepted both as
//! strings and in their JSON form. Every problem is collected, not just the first, and each is
//! reported with its property path (`PhoneConfig.DeskPhoneNumber`), so one failed deployment
//! shows everything to fix. A reason never echoes a secret value.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value};

use super::ids::{self, Kind};
use super::spec::{IdentityInfo, PhoneConfig, PhoneType, Secret, UserSpec, OWNERSHIP_TAG};

/// One problem with one property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyError {
    pub path: String,
    pub message: String,
}

/// Every problem found in the properties. The `Display` text is the FAILED reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InvalidProperties(pub Vec<PropertyError>);

impl fmt::Display for InvalidProperties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid properties: ")?;
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{} {}", error.path, error.message)?;
        }
        Ok(())
    }
}

/// Every property a `Custom::ConnectUser` accepts, at the top level.
pub const TOP_LEVEL: &[&str] = &[
    "InstanceId",
    "Name",
    "Password",
    "DirectoryUserId",
    "HierarchyGroupId",
    "IdentityInfo",
    "PhoneConfig",
    "RoutingProfileId",
    "SecurityProfileIds",
    "Tags",
    "ServiceToken",
    "ServiceTimeout",
];
const IDENTITY_INFO: &[&str] = &["FirstName", "LastName", "Email", "SecondaryEmail", "Mobile"];
const PHONE_CONFIG: &[&str] = &[
    "PhoneType",
    "AutoAccept",
    "AfterContactWorkTimeLimit",
    "DeskPhoneNumber",
    "PersistentConnection",
];
/// Names people reach for that are not ours, with the property they mean.
const ALIASES: &[(&str, &str)] = &[
    ("username", "Name"),
    ("user", "Name"),
    ("login", "Name"),
    ("instance", "InstanceId"),
    ("instancearn", "InstanceId"),
    ("routingprofile", "RoutingProfileId"),
    ("routingprofilearn", "RoutingProfileId"),
    ("securityprofiles", "SecurityProfileIds"),
    ("securityprofilearns", "SecurityProfileIds"),
    ("hierarchygroup", "HierarchyGroupId"),
    ("hierarchygrouparn", "HierarchyGroupId"),
];

const MAX_USER_TAGS: usize = 49; // Connect allows 50; one is the ownership tag.

/// Parses and validates the properties of a `Custom::ConnectUser`.
pub fn parse(properties: &Map<String, Value>) -> Result<UserSpec, InvalidProperties> {
    let mut errors = Errors::default();
    check_unknown(properties, TOP_LEVEL, "", &mut errors);

    let instance_id = match required_text(properties, "InstanceId", "InstanceId", &mut errors) {
        Some(text) => ids::instance_id(&text)
            .map_err(|m| errors.push("InstanceId", m))
            .ok(),
        None => None,
    };
    let name = required_text(properties, "Name", "Name", &mut errors);
    if let Some(name) = &name {
        check_username(name, &mut errors);
    }
    let password = optional_text(properties, "Password", "Password", &mut errors).map(Secret::new);
    if let Some(password) = &password {
        if !is_valid_password(password.expose()) {
            errors.push(
                "Password",
                "must be 8 to 64 characters without spaces, with an uppercase letter, a lowercase letter and a digit",
            );
        }
    }
    let directory_user_id = optional_text(
        properties,
        "DirectoryUserId",
        "DirectoryUserId",
        &mut errors,
    );
    let instance = instance_id.clone().unwrap_or_default();
    let resource = |key: &str, kind: Kind, errors: &mut Errors, required: bool| {
        let text = if required {
            required_text(properties, key, key, errors)
        } else {
            optional_text(properties, key, key, errors)
        }?;
        ids::resource_id(&text, kind, &instance)
            .map_err(|m| errors.push(key, m))
            .ok()
    };
    let hierarchy_group_id = resource("HierarchyGroupId", Kind::HierarchyGroup, &mut errors, false);
    let routing_profile_id = resource("RoutingProfileId", Kind::RoutingProfile, &mut errors, true);
    let security_profile_ids = security_profiles(properties, &instance, &mut errors);
    let identity_info = identity_info(properties, &mut errors);
    let phone_config = phone_config(properties, &mut errors);
    let tags = tags(properties, &mut errors);

    if !errors.0.is_empty() {
        return Err(InvalidProperties(errors.0));
    }
    match (
        instance_id,
        name,
        phone_config,
        routing_profile_id,
        security_profile_ids,
    ) {
        (
            Some(instance_id),
            Some(name),
            Some(phone_config),
            Some(routing_profile_id),
            Some(security_profile_ids),
        ) => Ok(UserSpec {
            instance_id,
            name,
            password,
            directory_user_id,
            hierarchy_group_id,
            identity_info,
            phone_config,
            routing_profile_id,
            security_profile_ids,
            tags,
        }),
        // Each None above pushed an error, so this is unreachable in practice; answer anyway.
        _ => Err(InvalidProperties(vec![PropertyError {
            path: "ResourceProperties".into(),
            message: "are incomplete".into(),
        }])),
    }
}

#[derive(Default)]
struct Errors(Vec<PropertyError>);

impl Errors {
    fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(PropertyError {
            path: path.into(),
            message: message.into(),
        });
    }
}

fn check_unknown(map: &Map<String, Value>, known: &[&str], prefix: &str, errors: &mut Errors) {
    for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
        let shown: String = key.chars().take(64).collect();
        let message = match suggest(key, known) {
            Some(suggestion) => {
                format!("is not a known property; did you mean {prefix}{suggestion}?")
            }
            None => format!("is not a known property (known: {})", known.join(", ")),
        };
        errors.push(format!("{prefix}{shown}"), message);
    }
}

/// The known property a mistyped key most likely meant.
pub fn suggest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = key.to_ascii_lowercase();
    if let Some(exact) = known.iter().find(|k| k.to_ascii_lowercase() == lower) {
        return Some(exact);
    }
    if let Some((_, target)) = ALIASES.iter().find(|(alias, _)| *alias == lower) {
        if let Some(found) = known.iter().find(|k| *k == target) {
            return Some(found);
        }
    }
    known
        .iter()
        .map(|k| (strsim::levenshtein(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(distance, k)| *distance <= 2.max(k.len() / 4))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

/// A scalar as text: strings as they are, numbers and booleans in their JSON form.
/// `None` for absent or null; `Err` for lists and objects.
fn scalar_text(value: Option<&Value>) -> Result<Option<String>, &'static str> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::Bool(b)) => Ok(Some(b.to_string())),
        Some(_) => Err("must be a string"),
    }
}

/// An optional string property; empty counts as absent (the usual `!If` / `""` idiom).
fn optional_text(
    map: &Map<String, Value>,
    key: &str,
    path: &str,
    errors: &mut Errors,
) -> Option<String> {
    match scalar_text(map.get(key)) {
        Ok(text) => text.filter(|t| !t.is_empty()),
        Err(message) => {
            errors.push(path, message);
            None
        }
    }
}

fn required_text(
    map: &Map<String, Value>,
    key: &str,
    path: &str,
    errors: &mut Errors,
) -> Option<String> {
    let known_bad = matches!(map.get(key), Some(Value::Array(_) | Value::Object(_)));
    let text = optional_text(map, key, path, errors);
    if text.is_none() && !known_bad {
        errors.push(path, "is required");
    }
    text
}

fn optional_bool(
    map: &Map<String, Value>,
    key: &str,
    path: &str,
    errors: &mut Errors,
) -> Option<bool> {
    match map.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        Some(Value::String(s)) if s.is_empty() => None,
        Some(_) => {
            errors.push(path, "must be true or false");
            None
        }
    }
}

fn optional_integer(
    map: &Map<String, Value>,
    key: &str,
    path: &str,
    errors: &mut Errors,
) -> Option<i64> {
    let parsed = match map.get(key) {
        None | Some(Value::Null) => return None,
        Some(Value::String(s)) if s.is_empty() => return None,
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(_) => None,
    };
    if parsed.is_none() {
        errors.push(path, "must be a whole number");
    }
    parsed
}

fn object<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    errors: &mut Errors,
) -> Option<&'a Map<String, Value>> {
    match map.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Object(inner)) => Some(inner),
        Some(_) => {
            errors.push(key, "must be an object");
            None
        }
    }
}

fn check_username(name: &str, errors: &mut Errors) {
    let length = name.chars().count();
    if !(1..=64).contains(&length) {
        errors.push(
            "Name",
            format!("must be 1 to 64 characters long (it is {length})"),
        );
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_.@-".contains(c))
    {
        errors.push("Name", "may contain only letters, digits and _ . @ -");
    }
}

/// Connect's password rule: 8–64 non-space characters with a lowercase letter, an uppercase
/// letter and a digit.
pub fn is_valid_password(password: &str) -> bool {
    let length = password.chars().count();
    (8..=64).contains(&length)
        && !password.chars().any(char::is_whitespace)
        && password.chars().any(|c| c.is_ascii_lowercase())
        && password.chars().any(|c| c.is_ascii_uppercase())
        && password.chars().any(|c| c.is_ascii_digit())
}

/// E.164: `+`, a non-zero digit, then 1 to 14 digits.
pub fn is_e164(number: &str) -> bool {
    let Some(digits) = number.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
}

/// A plausible email address: one `@`, a local part, a dotted domain, no spaces.
pub fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && email.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn security_profiles(
    map: &Map<String, Value>,
    instance: &str,
    errors: &mut Errors,
) -> Option<BTreeSet<String>> {
    const PATH: &str = "SecurityProfileIds";
    let items = match map.get(PATH) {
        None | Some(Value::Null) => {
            errors.push(PATH, "is required");
            return None;
        }
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.push(
                PATH,
                "must be a list of 1 to 10 security profile ids or ARNs",
            );
            return None;
        }
    };
    if !(1..=10).contains(&items.len()) {
        errors.push(
            PATH,
            format!(
                "must hold 1 to 10 security profiles (it holds {})",
                items.len()
            ),
        );
        return None;
    }
    let mut ids = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("{PATH}[{i}]");
        match scalar_text(Some(item)) {
            Ok(Some(text)) if !text.is_empty() => {
                match ids::resource_id(&text, Kind::SecurityProfile, instance) {
                    Ok(id) => {
                        ids.insert(id);
                    }
                    Err(message) => errors.push(path, message),
                }
            }
            _ => errors.push(path, "must be a security profile id or ARN"),
        }
    }
    Some(ids)
}

/// A format rule and the words that describe it in a reason.
type FormatCheck = (fn(&str) -> bool, &'static str);

fn identity_info(map: &Map<String, Value>, errors: &mut Errors) -> IdentityInfo {
    let Some(info) = object(map, "IdentityInfo", errors) else {
        return IdentityInfo::default();
    };
    check_unknown(info, IDENTITY_INFO, "IdentityInfo.", errors);
    let mut field = |key: &str, max: usize, check: Option<FormatCheck>| {
        let path = format!("IdentityInfo.{key}");
        let text = optional_text(info, key, &path, errors)?;
        if text.chars().count() > max {
            errors.push(path, format!("must be at most {max} characters"));
            return None;
        }
        if let Some((valid, expected)) = check {
            if !valid(&text) {
                errors.push(path, format!("must be {expected}"));
                return None;
            }
        }
        Some(text)
    };
    let email = Some((is_email as fn(&str) -> bool, "an email address"));
    IdentityInfo {
        first_name: field("FirstName", 255, None),
        last_name: field("LastName", 300, None),
        email: field("Email", 254, email),
        secondary_email: field("SecondaryEmail", 254, email),
        mobile: field(
            "Mobile",
            16,
            Some((is_e164, "an E.164 phone number such as +14255550100")),
        ),
    }
}

fn phone_config(map: &Map<String, Value>, errors: &mut Errors) -> Option<PhoneConfig> {
    let Some(config) = object(map, "PhoneConfig", errors) else {
        if !matches!(map.get("PhoneConfig"), Some(v) if !v.is_null()) {
            errors.push("PhoneConfig", "is required");
        }
        return None;
    };
    check_unknown(config, PHONE_CONFIG, "PhoneConfig.", errors);
    let phone_type = match required_text(config, "PhoneType", "PhoneConfig.PhoneType", errors) {
        Some(text) => match PhoneType::parse(&text) {
            Some(phone_type) => Some(phone_type),
            None => {
                errors.push("PhoneConfig.PhoneType", "must be SOFT_PHONE or DESK_PHONE");
                None
            }
        },
        None => None,
    };
    let auto_accept =
        optional_bool(config, "AutoAccept", "PhoneConfig.AutoAccept", errors).unwrap_or(false);
    let limit = optional_integer(
        config,
        "AfterContactWorkTimeLimit",
        "PhoneConfig.AfterContactWorkTimeLimit",
        errors,
    )
    .unwrap_or(0);
    let limit = match i32::try_from(limit) {
        Ok(limit) if limit >= 0 => limit,
        _ => {
            errors.push(
                "PhoneConfig.AfterContactWorkTimeLimit",
                format!("must be between 0 and {}", i32::MAX),
            );
            0
        }
    };
    let desk_phone_number = optional_text(
        config,
        "DeskPhoneNumber",
        "PhoneConfig.DeskPhoneNumber",
        errors,
    );
    if let Some(number) = &desk_phone_number {
        if !is_e164(number) {
            errors.push(
                "PhoneConfig.DeskPhoneNumber",
                "must be an E.164 phone number such as +14255550100",
            );
        }
    } else if phone_type == Some(PhoneType::DeskPhone) {
        errors.push(
            "PhoneConfig.DeskPhoneNumber",
            "is required when PhoneType is DESK_PHONE",
        );
    }
    let persistent_connection = optional_bool(
        config,
        "PersistentConnection",
        "PhoneConfig.PersistentConnection",
        errors,
    )
    .unwrap_or(false);
    Some(PhoneConfig {
        phone_type: phone_type?,
        auto_accept,
        after_contact_work_time_limit: limit,
        desk_phone_number,
        persistent_connection,
    })
}

fn tags(map: &Map<String, Value>, errors: &mut Errors) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    let mut add =
        |path: String, key: Option<String>, value: Option<String>, errors: &mut Errors| {
            let (Some(key), Some(value)) = (key, value) else {
                errors.push(path, "must have a Key and a Value");
                return;
            };
            if let Some(problem) = tag_key_problem(&key) {
                errors.push(path, problem);
            } else if value.chars().count() > 256 {
                errors.push(path, "value must be at most 256 characters");
            } else if tags.insert(key, value).is_some() {
                errors.push(path, "repeats a tag key");
            }
        };
    match map.get("Tags") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let path = format!("Tags[{i}]");
                let field = |k: &str| {
                    item.get(k)
                        .and_then(|v| scalar_text(Some(v)).ok().flatten())
                };
                add(path, field("Key"), field("Value"), errors);
            }
        }
        Some(Value::Object(entries)) => {
            for (key, value) in entries {
                let shown: String = key.chars().take(64).collect();
                add(
                    format!("Tags.{shown}"),
                    Some(key.clone()),
                    scalar_text(Some(value)).ok().flatten(),
                    errors,
                );
            }
        }
        Some(_) => errors.push(
            "Tags",
            "must be a list of {Key, Value} or a map of key to value",
        ),
    }
    if tags.len() > MAX_USER_TAGS {
        errors.push(
            "Tags",
            format!(
                "may hold at most {MAX_USER_TAGS} tags (it holds {})",
                tags.len()
            ),
        );
    }
    tags
}

/// Why a tag key is not allowed, if it is not.
fn tag_key_problem(key: &str) -> Option<String> {
    let length = key.chars().count();
    if !(1..=128).contains(&length) {
        return Some("key must be 1 to 128 characters".into());
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Some("key may not start with aws: (reserved by AWS)".into());
    }
    if key == OWNERSHIP_TAG {
        return Some(format!("key {OWNERSHIP_TAG} is reserved by this resource"));
    }
    let allowed = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c);
    if !key.chars().all(allowed) {
        return Some("key may contain only letters, digits, spaces and _ . : / = + - @".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const INSTANCE: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    fn basic() -> Value {
        json!({
            "ServiceToken": "arn:aws:lambda:us-east-1:1:function:f",
            "ServiceTimeout": "300",
            "InstanceId": INSTANCE,
            "Name": "agent.one",
            "Password": "Password123",
            "RoutingProfileId": "rp-1",
            "SecurityProfileIds": ["sp-1"],
            "PhoneConfig": {"PhoneType": "SOFT_PHONE"}
        })
    }

    fn parse_value(value: &Value) -> Result<UserSpec, InvalidProperties> {
        parse(value.as_object().unwrap())
    }

    fn reason(value: &Value) -> String {
        parse_value(value).unwrap_err().to_string()
    }

    #[test]
    fn minimal_properties_get_defaults() {
        let spec = parse_value(&basic()).unwrap();
        assert_eq!(spec.instance_id, INSTANCE);
        assert_eq!(spec.name, "agent.one");
        assert_eq!(spec.phone_config.phone_type, PhoneType::SoftPhone);
        assert!(!spec.phone_config.auto_accept);
        assert_eq!(spec.phone_config.after_contact_work_time_limit, 0);
        assert!(!spec.phone_config.persistent_connection);
        assert_eq!(spec.identity_info, IdentityInfo::default());
        assert!(spec.tags.is_empty());
        assert_eq!(spec.hierarchy_group_id, None);
    }

    #[test]
    fn stringified_and_native_scalars_mean_the_same() {
        let mut native = basic();
        native["PhoneConfig"] = json!({"PhoneType": "SOFT_PHONE", "AutoAccept": true, "AfterContactWorkTimeLimit": 30, "PersistentConnection": false});
        let mut strings = basic();
        strings["PhoneConfig"] = json!({"PhoneType": "SOFT_PHONE", "AutoAccept": "true", "AfterContactWorkTimeLimit": "30", "PersistentConnection": "False"});
        assert_eq!(
            parse_value(&native).unwrap(),
            parse_value(&strings).unwrap()
        );
        assert!(parse_value(&strings).unwrap().phone_config.auto_accept);
    }

    #[test]
    fn tags_as_list_or_map_mean_the_same() {
        let mut list = basic();
        list["Tags"] = json!([{"Key": "team", "Value": "blue"}, {"Key": "n", "Value": 1}]);
        let mut map = basic();
        map["Tags"] = json!({"team": "blue", "n": "1"});
        let spec = parse_value(&list).unwrap();
        assert_eq!(spec, parse_value(&map).unwrap());
        assert_eq!(spec.tags["n"], "1");
    }

    #[test]
    fn arns_become_ids() {
        let mut value = basic();
        value["InstanceId"] = json!(format!("arn:aws:connect:eu-west-2:1:instance/{INSTANCE}"));
        value["RoutingProfileId"] = json!(format!(
            "arn:aws:connect:eu-west-2:1:instance/{INSTANCE}/routing-profile/rp-9"
        ));
        value["SecurityProfileIds"] = json!([
            format!("arn:aws:connect:eu-west-2:1:instance/{INSTANCE}/security-profile/sp-2"),
            "sp-1",
            "sp-1"
        ]);
        value["HierarchyGroupId"] = json!(format!(
            "arn:aws:connect:eu-west-2:1:instance/{INSTANCE}/agent-group/g-1"
        ));
        let spec = parse_value(&value).unwrap();
        assert_eq!(spec.instance_id, INSTANCE);
        assert_eq!(spec.routing_profile_id, "rp-9");
        assert_eq!(
            spec.security_profile_ids,
            BTreeSet::from(["sp-1".to_string(), "sp-2".to_string()])
        );
        assert_eq!(spec.hierarchy_group_id.as_deref(), Some("g-1"));
    }

    #[test]
    fn empty_optional_strings_count_as_absent() {
        let mut value = basic();
        value["HierarchyGroupId"] = json!("");
        value["IdentityInfo"] = json!({"FirstName": "", "Email": "a@b.co"});
        let spec = parse_value(&value).unwrap();
        assert_eq!(spec.hierarchy_group_id, None);
        assert_eq!(spec.identity_info.first_name, None);
        assert_eq!(spec.identity_info.email.as_deref(), Some("a@b.co"));
    }

    #[test]
    fn secrets_stay_out_of_debug_and_reasons() {
        let spec = parse_value(&basic()).unwrap();
        assert!(!format!("{spec:?}").contains("Password123"));
        let mut weak = basic();
        weak["Password"] = json!("weakpassword");
        let text = reason(&weak);
        assert!(
            text.contains("Password must be") && !text.contains("weakpassword"),
            "{text}"
        );
    }

    #[test]
    fn every_problem_is_listed_with_its_path() {
        let text = reason(
            &json!({"InstanceId": INSTANCE, "Nmae": "x", "PhoneConfig": {"PhoneType": "DESK_PHONE"}}),
        );
        for part in [
            "Nmae is not a known property; did you mean Name?",
            "Name is required",
            "PhoneConfig.DeskPhoneNumber is required when PhoneType is DESK_PHONE",
            "RoutingProfileId is required",
            "SecurityProfileIds is required",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }

    #[test]
    fn suggestions_catch_case_aliases_and_typos() {
        assert_eq!(suggest("instanceId", TOP_LEVEL), Some("InstanceId"));
        assert_eq!(suggest("Username", TOP_LEVEL), Some("Name"));
        assert_eq!(
            suggest("SecurityProfileId", TOP_LEVEL),
            Some("SecurityProfileIds")
        );
        assert_eq!(
            suggest("RoutingProfileArn", TOP_LEVEL),
            Some("RoutingProfileId")
        );
        assert_eq!(suggest("Colour", TOP_LEVEL), None);
    }

    #[test]
    fn format_rules() {
        assert!(
            is_e164("+14255550100")
                && !is_e164("+0123")
                && !is_e164("14255550100")
                && !is_e164("+1")
        );
        assert!(
            is_email("a.b@example.co.uk")
                && !is_email("a@b")
                && !is_email("a b@c.d")
                && !is_email("@c.d")
        );
        assert!(
            is_valid_password("Password123")
                && !is_valid_password("password123")
                && !is_valid_password("Pass 123word")
        );
    }

    #[test]
    fn too_many_tags_or_profiles_are_refused() {
        let mut value = basic();
        let tags: serde_json::Map<String, Value> =
            (0..50).map(|i| (format!("k{i}"), json!("v"))).collect();
        value["Tags"] = Value::Object(tags);
        assert!(reason(&value).contains("Tags may hold at most 49 tags"));
        let mut value = basic();
        value["SecurityProfileIds"] = json!((0..11).map(|i| format!("sp-{i}")).collect::<Vec<_>>());
        assert!(reason(&value).contains("SecurityProfileIds must hold 1 to 10"));
    }
}
