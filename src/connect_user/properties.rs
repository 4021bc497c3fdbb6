//! `ResourceProperties` → [`UserSpec`], validated before any API call.
//!
//! CloudFormation stringifies every scalar (`"0"`, `"false"`), so scalars are accepted both as
//! strings and in their JSON form. Every problem is collected, not just the first, and each is
//! reported with its property path (`PhoneConfig.DeskPhoneNumber`), so one failed deployment
//! shows everything to fix. A reason never echoes a secret value.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value};

use super::model::channels::{
    AfterContactWork, AutoAccept, Channel, ChannelConfigs, PhoneNumber, VoiceEnhancement,
};
use super::model::ids::{self, Kind};
use super::model::Proficiencies;
use super::model::{
    IdentityInfo, PasswordSource, PhoneConfig, PhoneType, Secret, UserSpec, OWNERSHIP_TAG,
};

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
    "PasswordSecretArn",
    "PasswordSecretKey",
    "DirectoryUserId",
    "HierarchyGroupId",
    "IdentityInfo",
    "PhoneConfig",
    "AutoAcceptConfigs",
    "AfterContactWorkConfigs",
    "PhoneNumberConfigs",
    "PersistentConnectionConfigs",
    "VoiceEnhancementConfigs",
    "UserProficiencies",
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
/// Connect's documented ceiling for an after-contact-work limit: 24 days, in seconds.
pub const MAX_AFTER_CONTACT_WORK_SECONDS: i64 = 2_000_000;
/// The secret key read when `PasswordSecretKey` is not given.
pub const DEFAULT_PASSWORD_SECRET_KEY: &str = "password";

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
    let password = password_source(properties, &mut errors);
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
    let channels = channel_settings(properties, &mut errors);
    let proficiencies = proficiencies(properties, &mut errors);
    let tags = tags(properties, &mut errors);

    if !errors.0.is_empty() {
        return Err(InvalidProperties(errors.0));
    }
    match (
        instance_id,
        name,
        channels,
        routing_profile_id,
        security_profile_ids,
    ) {
        (
            Some(instance_id),
            Some(name),
            Some((phone_config, channels)),
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
            channels,
            proficiencies,
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
    /// Whether a problem is already reported at `path` (so a second one would only repeat it).
    fn reported(&self, path: &str) -> bool {
        self.0.iter().any(|e| e.path == path)
    }

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

/// The rule for a name a user is about to be created with, on top of [`parse`]'s: Connect
/// allows `@` in a username only in an email format (CreateUser's `Username` documentation in
/// the service model: "Correct: testuser@example.com. Incorrect: testuser@example"). Checked
/// on Create and when an Update changes `Name`, never for a `Name` already in use, so that an
/// Update, Delete or rollback keeps accepting what an earlier release accepted.
pub fn check_new_name(name: &str) -> Result<(), InvalidProperties> {
    if !name.contains('@') || is_email_username(name) {
        return Ok(());
    }
    Err(InvalidProperties(vec![PropertyError {
        path: "Name".into(),
        message: "may contain @ only in an email format such as agent@example.com (one @, a domain with at least one dot)".into(),
    }]))
}

/// An email-format username: one `@`, a non-empty local part, and a domain of non-empty
/// dot-separated labels with at least one dot; all of it in the username's characters.
fn is_email_username(name: &str) -> bool {
    let allowed = |part: &str| {
        part.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
    };
    let Some((local, domain)) = name.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && allowed(local)
        && allowed(domain)
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty())
}

/// Whether an Update changes `Name` (the new name must then pass [`check_new_name`]).
pub fn name_changed(new: &Map<String, Value>, old: &Map<String, Value>) -> bool {
    let name = |map: &Map<String, Value>| scalar_text(map.get("Name")).ok().flatten();
    name(new) != name(old)
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

/// `IdentityInfo`; `None` when the template leaves it out (the identity is then not managed).
fn identity_info(map: &Map<String, Value>, errors: &mut Errors) -> Option<IdentityInfo> {
    let info = object(map, "IdentityInfo", errors)?;
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
    Some(IdentityInfo {
        first_name: field("FirstName", 255, None),
        last_name: field("LastName", 300, None),
        email: field("Email", 254, email),
        secondary_email: field("SecondaryEmail", 254, email),
        mobile: field(
            "Mobile",
            16,
            Some((is_e164, "an E.164 phone number such as +14255550100")),
        ),
    })
}

/// `PhoneConfig` as written: each field `None` when the template leaves it out.
#[derive(Default)]
struct PhoneConfigFields {
    phone_type: Option<PhoneType>,
    auto_accept: Option<bool>,
    after_contact_work_time_limit: Option<i32>,
    desk_phone_number: Option<String>,
    persistent_connection: Option<bool>,
}

fn phone_type(map: &Map<String, Value>, path: &str, errors: &mut Errors) -> Option<PhoneType> {
    let text = optional_text(map, "PhoneType", path, errors)?;
    let parsed = PhoneType::parse(&text);
    if parsed.is_none() {
        errors.push(path, "must be SOFT_PHONE or DESK_PHONE");
    }
    parsed
}

/// A time limit in seconds, within what Connect accepts.
fn time_limit(map: &Map<String, Value>, key: &str, path: &str, errors: &mut Errors) -> Option<i32> {
    let limit = optional_integer(map, key, path, errors)?;
    if (0..=MAX_AFTER_CONTACT_WORK_SECONDS).contains(&limit) {
        i32::try_from(limit).ok()
    } else {
        errors.push(
            path,
            format!("must be between 0 and {MAX_AFTER_CONTACT_WORK_SECONDS} seconds (0: until the agent ends it)"),
        );
        None
    }
}

/// A phone number for a desk phone: E.164, and present exactly when the type needs it.
fn phone_number(
    map: &Map<String, Value>,
    key: &str,
    path: &str,
    phone_type: Option<PhoneType>,
    errors: &mut Errors,
) -> Option<String> {
    let number = optional_text(map, key, path, errors);
    match &number {
        Some(number) if !is_e164(number) => {
            errors.push(path, "must be an E.164 phone number such as +14255550100")
        }
        None if phone_type == Some(PhoneType::DeskPhone) => {
            errors.push(path, "is required when PhoneType is DESK_PHONE")
        }
        _ => {}
    }
    number
}

fn phone_config_fields(map: &Map<String, Value>, errors: &mut Errors) -> Option<PhoneConfigFields> {
    let config = object(map, "PhoneConfig", errors)?;
    check_unknown(config, PHONE_CONFIG, "PhoneConfig.", errors);
    let phone_type = phone_type(config, "PhoneConfig.PhoneType", errors);
    Some(PhoneConfigFields {
        phone_type,
        auto_accept: optional_bool(config, "AutoAccept", "PhoneConfig.AutoAccept", errors),
        after_contact_work_time_limit: time_limit(
            config,
            "AfterContactWorkTimeLimit",
            "PhoneConfig.AfterContactWorkTimeLimit",
            errors,
        ),
        desk_phone_number: phone_number(
            config,
            "DeskPhoneNumber",
            "PhoneConfig.DeskPhoneNumber",
            phone_type,
            errors,
        ),
        persistent_connection: optional_bool(
            config,
            "PersistentConnection",
            "PhoneConfig.PersistentConnection",
            errors,
        ),
    })
}

/// A per-channel list: one entry per channel at most. `None` when absent or empty.
/// Which channels a per-channel list may name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Channels {
    Any,
    /// VOICE only (Connect supports no other channel for it), with what the list sets.
    VoiceOnly(&'static str),
}

/// Refuses a setting made on a channel other than VOICE.
fn voice_only(channel: Option<Channel>, given: bool, path: &str, errors: &mut Errors) {
    if given && channel.is_some_and(|c| c != Channel::Voice) {
        errors.push(path, "exists on the VOICE channel only");
    }
}

fn channel_list<T>(
    map: &Map<String, Value>,
    key: &str,
    fields: &[&str],
    channels: Channels,
    errors: &mut Errors,
    mut entry: impl FnMut(&Map<String, Value>, &str, Option<Channel>, &mut Errors) -> Option<T>,
) -> Option<BTreeMap<Channel, T>> {
    let items = match map.get(key) {
        None | Some(Value::Null) => return None,
        Some(Value::String(s)) if s.is_empty() => return None,
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.push(key, "must be a list with one entry per channel");
            return None;
        }
    };
    let mut out = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("{key}[{i}]");
        let Some(fields_given) = item.as_object() else {
            errors.push(path, "must be an object");
            continue;
        };
        check_unknown(fields_given, fields, &format!("{path}."), errors);
        let channel_path = format!("{path}.Channel");
        let channel = match required_text(fields_given, "Channel", &channel_path, errors) {
            Some(text) => match Channel::parse(&text) {
                Some(channel) => Some(channel),
                None => {
                    errors.push(&channel_path, "must be VOICE, CHAT, TASK or EMAIL");
                    None
                }
            },
            None => None,
        };
        if let (Channels::VoiceOnly(what), Some(other)) = (channels, channel) {
            if other != Channel::Voice {
                errors.push(
                    &channel_path,
                    format!("must be VOICE: Connect supports {what} on the VOICE channel only"),
                );
            }
        }
        let value = entry(fields_given, &path, channel, errors);
        if let (Some(channel), Some(value)) = (channel, value) {
            if let Some(value) = out.insert(channel, value) {
                out.insert(channel, value); // keep the first; the repeat is the mistake
                errors.push(
                    channel_path,
                    format!("{} appears more than once in {key}", channel.as_str()),
                );
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

fn required_bool(
    map: &Map<String, Value>,
    key: &str,
    path: &str,
    errors: &mut Errors,
) -> Option<bool> {
    let value = optional_bool(map, key, path, errors);
    if value.is_none() && !errors.reported(path) {
        errors.push(path, "is required");
    }
    value
}

/// The five per-channel lists as written.
#[derive(Default)]
struct ChannelLists {
    auto_accept: Option<BTreeMap<Channel, AutoAccept>>,
    after_contact_work: Option<BTreeMap<Channel, AfterContactWork>>,
    phone_number: Option<BTreeMap<Channel, PhoneNumber>>,
    persistent_connection: Option<BTreeMap<Channel, bool>>,
    voice_enhancement: Option<BTreeMap<Channel, VoiceEnhancement>>,
}

impl ChannelLists {
    fn any(&self) -> bool {
        self.auto_accept.is_some()
            || self.after_contact_work.is_some()
            || self.phone_number.is_some()
            || self.persistent_connection.is_some()
            || self.voice_enhancement.is_some()
    }
}

fn channel_lists(map: &Map<String, Value>, errors: &mut Errors) -> ChannelLists {
    let work = |entry: &Map<String, Value>, key: &str, path: &str, errors: &mut Errors| {
        let path = format!("{path}.{key}");
        let config = match entry.get(key) {
            None | Some(Value::Null) => return None,
            Some(Value::Object(config)) => config,
            Some(_) => {
                errors.push(path, "must be an object with AfterContactWorkTimeLimit");
                return None;
            }
        };
        check_unknown(
            config,
            &["AfterContactWorkTimeLimit"],
            &format!("{path}."),
            errors,
        );
        let limit_path = format!("{path}.AfterContactWorkTimeLimit");
        Some(time_limit(config, "AfterContactWorkTimeLimit", &limit_path, errors).unwrap_or(0))
    };
    ChannelLists {
        auto_accept: channel_list(
            map,
            "AutoAcceptConfigs",
            &["Channel", "AutoAccept", "AgentFirstCallbackAutoAccept"],
            Channels::Any,
            errors,
            |entry, path, channel, errors| {
                let auto_accept =
                    required_bool(entry, "AutoAccept", &format!("{path}.AutoAccept"), errors);
                let callback_path = format!("{path}.AgentFirstCallbackAutoAccept");
                let callback = optional_bool(
                    entry,
                    "AgentFirstCallbackAutoAccept",
                    &callback_path,
                    errors,
                );
                voice_only(channel, callback == Some(true), &callback_path, errors);
                Some(AutoAccept {
                    auto_accept: auto_accept?,
                    agent_first_callback: callback.unwrap_or(false),
                })
            },
        ),
        after_contact_work: channel_list(
            map,
            "AfterContactWorkConfigs",
            &[
                "Channel",
                "AfterContactWorkConfig",
                "AgentFirstCallbackAfterContactWorkConfig",
            ],
            Channels::Any,
            errors,
            |entry, path, channel, errors| {
                let limit = work(entry, "AfterContactWorkConfig", path, errors);
                if limit.is_none() && !entry.contains_key("AfterContactWorkConfig") {
                    errors.push(format!("{path}.AfterContactWorkConfig"), "is required");
                }
                let callback = work(
                    entry,
                    "AgentFirstCallbackAfterContactWorkConfig",
                    path,
                    errors,
                );
                let callback_path = format!("{path}.AgentFirstCallbackAfterContactWorkConfig");
                voice_only(channel, callback.is_some(), &callback_path, errors);
                Some(AfterContactWork {
                    time_limit: limit?,
                    agent_first_callback: callback,
                })
            },
        ),
        phone_number: channel_list(
            map,
            "PhoneNumberConfigs",
            &["Channel", "PhoneType", "PhoneNumber"],
            Channels::VoiceOnly("phones"),
            errors,
            |entry, path, _, errors| {
                let type_path = format!("{path}.PhoneType");
                let phone_type = phone_type(entry, &type_path, errors);
                if phone_type.is_none() && !errors.reported(&type_path) {
                    errors.push(type_path, "is required");
                }
                let number_path = format!("{path}.PhoneNumber");
                let number = phone_number(entry, "PhoneNumber", &number_path, phone_type, errors);
                Some(PhoneNumber {
                    phone_type: phone_type?,
                    number,
                })
            },
        ),
        persistent_connection: channel_list(
            map,
            "PersistentConnectionConfigs",
            &["Channel", "PersistentConnection"],
            Channels::VoiceOnly("persistent connections"),
            errors,
            |entry, path, _, errors| {
                let path = format!("{path}.PersistentConnection");
                required_bool(entry, "PersistentConnection", &path, errors)
            },
        ),
        voice_enhancement: channel_list(
            map,
            "VoiceEnhancementConfigs",
            &["Channel", "VoiceEnhancementMode"],
            Channels::VoiceOnly("voice enhancement"),
            errors,
            |entry, path, _, errors| {
                let path = format!("{path}.VoiceEnhancementMode");
                let text = required_text(entry, "VoiceEnhancementMode", &path, errors)?;
                let mode = VoiceEnhancement::parse(&text);
                if mode.is_none() {
                    errors.push(path, "must be VOICE_ISOLATION, NOISE_SUPPRESSION or NONE");
                }
                mode
            },
        ),
    }
}

/// `PhoneConfig` and the per-channel lists, checked against each other: the complete
/// `PhoneConfig` to send when no per-channel list is given, and every channel's settings.
/// `None` when something required is missing (an error was pushed).
fn channel_settings(
    map: &Map<String, Value>,
    errors: &mut Errors,
) -> Option<(Option<PhoneConfig>, ChannelConfigs)> {
    let fields = phone_config_fields(map, errors);
    let lists = channel_lists(map, errors);
    let phone_config_given = matches!(map.get("PhoneConfig"), Some(v) if !v.is_null());
    if lists.phone_number.is_none() {
        if !phone_config_given {
            errors.push("PhoneConfig", "is required (or give PhoneNumberConfigs)");
            return None;
        }
        if fields.as_ref().is_some_and(|f| f.phone_type.is_none())
            && !errors.reported("PhoneConfig.PhoneType")
        {
            errors.push(
                "PhoneConfig.PhoneType",
                "is required (or give PhoneNumberConfigs)",
            );
        }
    }
    let fields = fields.unwrap_or_default();
    let overlaps: [(bool, &str, bool, &str, &str); 5] = [
        (
            fields.auto_accept.is_some(),
            "AutoAccept",
            lists.auto_accept.is_some(),
            "AutoAcceptConfigs",
            "auto-accept",
        ),
        (
            fields.after_contact_work_time_limit.is_some(),
            "AfterContactWorkTimeLimit",
            lists.after_contact_work.is_some(),
            "AfterContactWorkConfigs",
            "the after-contact-work limit",
        ),
        (
            fields.phone_type.is_some(),
            "PhoneType",
            lists.phone_number.is_some(),
            "PhoneNumberConfigs",
            "the phone type",
        ),
        (
            fields.desk_phone_number.is_some(),
            "DeskPhoneNumber",
            lists.phone_number.is_some(),
            "PhoneNumberConfigs",
            "the phone number",
        ),
        (
            fields.persistent_connection.is_some(),
            "PersistentConnection",
            lists.persistent_connection.is_some(),
            "PersistentConnectionConfigs",
            "the persistent connection",
        ),
    ];
    for (field_given, field, list_given, list, what) in overlaps {
        if field_given && list_given {
            errors.push(
                format!("PhoneConfig.{field}"),
                format!("and {list} both set {what}; give only one of them ({list} sets it per channel)"),
            );
        }
    }
    if !lists.any() {
        let config = PhoneConfig {
            phone_type: fields.phone_type?,
            auto_accept: fields.auto_accept.unwrap_or(false),
            after_contact_work_time_limit: fields.after_contact_work_time_limit.unwrap_or(0),
            desk_phone_number: fields.desk_phone_number,
            persistent_connection: fields.persistent_connection.unwrap_or(false),
        };
        let channels = ChannelConfigs::default().with_phone_config(&config);
        return Some((Some(config), channels));
    }
    // Per-channel settings: fold in what PhoneConfig gives (VOICE; the limit for every channel).
    let voice = Channel::Voice;
    let mut channels = ChannelConfigs {
        auto_accept: lists.auto_accept.unwrap_or_default(),
        after_contact_work: lists.after_contact_work.unwrap_or_default(),
        phone_number: lists.phone_number.unwrap_or_default(),
        persistent_connection: lists.persistent_connection.unwrap_or_default(),
        voice_enhancement: lists.voice_enhancement.unwrap_or_default(),
    };
    if let Some(auto_accept) = fields.auto_accept {
        channels.auto_accept.insert(
            voice,
            AutoAccept {
                auto_accept,
                agent_first_callback: false,
            },
        );
    }
    if let Some(limit) = fields.after_contact_work_time_limit {
        for channel in Channel::ALL {
            channels.after_contact_work.insert(
                channel,
                AfterContactWork {
                    time_limit: limit,
                    agent_first_callback: None,
                },
            );
        }
    }
    if let Some(phone_type) = fields.phone_type {
        channels.phone_number.insert(
            voice,
            PhoneNumber {
                phone_type,
                number: fields.desk_phone_number,
            },
        );
    }
    if let Some(persistent) = fields.persistent_connection {
        channels.persistent_connection.insert(voice, persistent);
    }
    Some((None, channels.normalised()))
}

/// `Password` or `PasswordSecretArn` (with `PasswordSecretKey`): at most one of them.
fn password_source(map: &Map<String, Value>, errors: &mut Errors) -> Option<PasswordSource> {
    let literal = optional_text(map, "Password", "Password", errors).map(Secret::new);
    if let Some(password) = &literal {
        if !is_valid_password(password.expose()) {
            errors.push("Password", PASSWORD_RULE);
        }
    }
    let arn = optional_text(map, "PasswordSecretArn", "PasswordSecretArn", errors);
    if let Some(arn) = &arn {
        if !is_secret_arn(arn) {
            errors.push(
                "PasswordSecretArn",
                "must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
            );
        }
    }
    let key = optional_text(map, "PasswordSecretKey", "PasswordSecretKey", errors);
    match (literal, arn, key) {
        (Some(_), Some(_), _) => {
            errors.push(
                "Password",
                "and PasswordSecretArn are mutually exclusive; give only one of them",
            );
            None
        }
        (_, None, Some(_)) => {
            errors.push("PasswordSecretKey", "is only used with PasswordSecretArn");
            None
        }
        (Some(literal), None, None) => Some(PasswordSource::Literal(literal)),
        (None, Some(arn), key) => Some(PasswordSource::SecretsManager {
            arn,
            key: key.unwrap_or_else(|| DEFAULT_PASSWORD_SECRET_KEY.to_owned()),
        }),
        (None, None, None) => None,
    }
}

/// Connect's password rule, as a FAILED reason says it.
pub const PASSWORD_RULE: &str =
    "must be 8 to 64 characters without spaces, with an uppercase letter, a lowercase letter and a digit";

/// `arn:<partition>:secretsmanager:<region>:<12-digit account>:secret:<name>`.
pub fn is_secret_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    let [prefix, partition, service, region, account, kind, name] = parts[..] else {
        return false;
    };
    prefix == "arn"
        && partition.starts_with("aws")
        && service == "secretsmanager"
        && !region.is_empty()
        && account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit())
        && kind == "secret"
        && !name.is_empty()
        && name.len() <= 512
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c))
}

/// `UserProficiencies`: `None` when absent; each `{AttributeName, AttributeValue, Level}`.
fn proficiencies(map: &Map<String, Value>, errors: &mut Errors) -> Option<Proficiencies> {
    const KEY: &str = "UserProficiencies";
    let items = match map.get(KEY) {
        None | Some(Value::Null) => return None,
        Some(Value::String(s)) if s.is_empty() => return None,
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.push(
                KEY,
                "must be a list of {AttributeName, AttributeValue, Level}",
            );
            return None;
        }
    };
    let mut out = Proficiencies::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("{KEY}[{i}]");
        let Some(entry) = item.as_object() else {
            errors.push(path, "must be an object");
            continue;
        };
        check_unknown(
            entry,
            &["AttributeName", "AttributeValue", "Level"],
            &format!("{path}."),
            errors,
        );
        let text = |key: &str, errors: &mut Errors| {
            let field_path = format!("{path}.{key}");
            let text = required_text(entry, key, &field_path, errors)?;
            if text.chars().count() > 100 {
                errors.push(field_path, "must be 1 to 100 characters");
                return None;
            }
            Some(text)
        };
        let name = text("AttributeName", errors);
        let value = text("AttributeValue", errors);
        let level = proficiency_level(entry, &format!("{path}.Level"), errors);
        if let (Some(name), Some(value), Some(level)) = (name, value, level) {
            if out.insert((name, value), level).is_some() {
                errors.push(path, "repeats an AttributeName and AttributeValue pair");
            }
        }
    }
    Some(out)
}

/// A proficiency level: a whole number from 1 to 5.
fn proficiency_level(entry: &Map<String, Value>, path: &str, errors: &mut Errors) -> Option<u8> {
    let number = match entry.get("Level") {
        None | Some(Value::Null) => {
            errors.push(path, "is required");
            return None;
        }
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match number {
        Some(level) if (1.0..=5.0).contains(&level) && level.fract() == 0.0 => Some(level as u8),
        _ => {
            errors.push(path, "must be a whole number from 1 to 5");
            None
        }
    }
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
        let phone = spec.phone_config.clone().unwrap();
        assert_eq!(phone.phone_type, PhoneType::SoftPhone);
        assert!(!phone.auto_accept);
        assert_eq!(phone.after_contact_work_time_limit, 0);
        assert!(!phone.persistent_connection);
        assert_eq!(spec.channels, ChannelConfigs::default());
        assert_eq!(spec.proficiencies, None);
        assert_eq!(spec.identity_info, None, "left out: not managed");
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
        assert!(
            parse_value(&strings)
                .unwrap()
                .phone_config
                .unwrap()
                .auto_accept
        );
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
    fn an_at_sign_in_a_new_name_only_in_an_email_format() {
        for good in [
            "testuser",
            "testuser@example.com",
            "a.b-c_d@x.example.co",
            "a@b.c",
        ] {
            assert_eq!(check_new_name(good), Ok(()), "{good}");
        }
        for bad in [
            "testuser@example",
            "testuser@",
            "@example.com",
            "a@b@c.com",
            "a@.example.com",
            "a@example..com",
            "a@example.com.",
        ] {
            let error = check_new_name(bad).expect_err(bad);
            assert_eq!(error.0[0].path, "Name", "{bad}");
        }
    }

    #[test]
    fn a_name_change_is_seen_whatever_its_json_form() {
        let old = json!({"Name": "agent"});
        let same = json!({"Name": "agent"});
        let renamed = json!({"Name": "agent2"});
        let map = |v: &Value| v.as_object().cloned().unwrap();
        assert!(!name_changed(&map(&same), &map(&old)));
        assert!(name_changed(&map(&renamed), &map(&old)));
        assert!(name_changed(&map(&renamed), &Map::new()));
    }

    #[test]
    fn empty_optional_strings_count_as_absent() {
        let mut value = basic();
        value["HierarchyGroupId"] = json!("");
        value["IdentityInfo"] = json!({"FirstName": "", "Email": "a@b.co"});
        let spec = parse_value(&value).unwrap();
        assert_eq!(spec.hierarchy_group_id, None);
        let identity = spec.identity_info.expect("given, so managed");
        assert_eq!(identity.first_name, None);
        assert_eq!(identity.email.as_deref(), Some("a@b.co"));
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

    #[test]
    fn per_channel_lists_replace_phone_config() {
        let mut value = basic();
        value.as_object_mut().unwrap().remove("PhoneConfig");
        value["PhoneNumberConfigs"] =
            json!([{"Channel": "VOICE", "PhoneType": "DESK_PHONE", "PhoneNumber": "+14255550100"}]);
        value["AutoAcceptConfigs"] = json!([{"Channel": "CHAT", "AutoAccept": "true"}, {"Channel": "VOICE", "AutoAccept": false, "AgentFirstCallbackAutoAccept": true}]);
        value["AfterContactWorkConfigs"] = json!([{"Channel": "TASK", "AfterContactWorkConfig": {"AfterContactWorkTimeLimit": "120"}}]);
        value["PersistentConnectionConfigs"] =
            json!([{"Channel": "VOICE", "PersistentConnection": true}]);
        value["VoiceEnhancementConfigs"] =
            json!([{"Channel": "VOICE", "VoiceEnhancementMode": "NOISE_SUPPRESSION"}]);
        let spec = parse_value(&value).unwrap();
        assert_eq!(spec.phone_config, None);
        let channels = &spec.channels;
        assert_eq!(
            channels.phone_number[&Channel::Voice].phone_type,
            PhoneType::DeskPhone
        );
        assert!(channels.auto_accept[&Channel::Chat].auto_accept);
        assert!(channels.auto_accept[&Channel::Voice].agent_first_callback);
        assert_eq!(channels.after_contact_work[&Channel::Task].time_limit, 120);
        assert!(channels.persistent_connection[&Channel::Voice]);
        assert_eq!(
            channels.voice_enhancement[&Channel::Voice],
            VoiceEnhancement::NoiseSuppression
        );
    }

    #[test]
    fn phone_config_fields_fold_into_per_channel_settings() {
        let mut value = basic();
        value["PhoneConfig"] =
            json!({"PhoneType": "SOFT_PHONE", "AutoAccept": true, "AfterContactWorkTimeLimit": 30});
        value["VoiceEnhancementConfigs"] =
            json!([{"Channel": "VOICE", "VoiceEnhancementMode": "VOICE_ISOLATION"}]);
        let spec = parse_value(&value).unwrap();
        assert_eq!(
            spec.phone_config, None,
            "per-channel settings go through UpdateUserConfig"
        );
        assert!(spec.channels.auto_accept[&Channel::Voice].auto_accept);
        assert_eq!(
            spec.channels.after_contact_work.len(),
            4,
            "the PhoneConfig limit covers every channel"
        );
    }

    #[test]
    fn overlapping_settings_fail_naming_both() {
        let mut value = basic();
        value["PhoneConfig"] = json!({"PhoneType": "SOFT_PHONE", "AutoAccept": true, "AfterContactWorkTimeLimit": 0, "PersistentConnection": false});
        value["AutoAcceptConfigs"] = json!([{"Channel": "CHAT", "AutoAccept": true}]);
        value["AfterContactWorkConfigs"] =
            json!([{"Channel": "VOICE", "AfterContactWorkConfig": {}}]);
        value["PhoneNumberConfigs"] = json!([{"Channel": "VOICE", "PhoneType": "SOFT_PHONE"}]);
        value["PersistentConnectionConfigs"] =
            json!([{"Channel": "VOICE", "PersistentConnection": true}]);
        let text = reason(&value);
        for part in [
            "PhoneConfig.AutoAccept and AutoAcceptConfigs both set auto-accept",
            "PhoneConfig.AfterContactWorkTimeLimit and AfterContactWorkConfigs",
            "PhoneConfig.PhoneType and PhoneNumberConfigs",
            "PhoneConfig.PersistentConnection and PersistentConnectionConfigs",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }

    #[test]
    fn per_channel_mistakes_are_named_by_path() {
        let mut value = basic();
        value.as_object_mut().unwrap().remove("PhoneConfig");
        value["AutoAcceptConfigs"] = json!([{"Channel": "FAX", "AutoAccept": true}, {"Channel": "CHAT"}, {"Channel": "TASK", "AutoAccept": true, "AgentFirstCallbackAutoAccept": true}, {"Channel": "TASK", "AutoAccept": false}]);
        value["AfterContactWorkConfigs"] = json!([{"Channel": "VOICE", "AfterContactWorkConfig": {"AfterContactWorkTimeLimit": 2000001}}]);
        value["VoiceEnhancementConfigs"] =
            json!([{"Channel": "VOICE", "VoiceEnhancementMode": "LOUD", "Mode": 1}]);
        let text = reason(&value);
        for part in [
            "PhoneConfig is required (or give PhoneNumberConfigs)",
            "AutoAcceptConfigs[0].Channel must be VOICE, CHAT, TASK or EMAIL",
            "AutoAcceptConfigs[1].AutoAccept is required",
            "AutoAcceptConfigs[3].Channel TASK appears more than once",
            "AutoAcceptConfigs[2].AgentFirstCallbackAutoAccept exists on the VOICE channel only",
            "AfterContactWorkConfigs[0].AfterContactWorkConfig.AfterContactWorkTimeLimit must be between 0 and 2000000",
            "VoiceEnhancementConfigs[0].VoiceEnhancementMode must be VOICE_ISOLATION",
            "VoiceEnhancementConfigs[0].Mode is not a known property",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }

    #[test]
    fn password_sources() {
        const ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:agents-AbCdEf";
        let mut value = basic();
        value.as_object_mut().unwrap().remove("Password");
        value["PasswordSecretArn"] = json!(ARN);
        assert_eq!(
            parse_value(&value).unwrap().password,
            Some(PasswordSource::SecretsManager {
                arn: ARN.into(),
                key: "password".into()
            })
        );
        value["PasswordSecretKey"] = json!("agent");
        assert!(matches!(
            parse_value(&value).unwrap().password,
            Some(PasswordSource::SecretsManager { key, .. }) if key == "agent"
        ));
        value["Password"] = json!("Password123");
        assert!(reason(&value).contains("Password and PasswordSecretArn are mutually exclusive"));
        let mut value = basic();
        value["PasswordSecretKey"] = json!("k");
        assert!(reason(&value).contains("PasswordSecretKey is only used with PasswordSecretArn"));
        let mut value = basic();
        value.as_object_mut().unwrap().remove("Password");
        value["PasswordSecretArn"] = json!("agents-password");
        assert!(reason(&value).contains("PasswordSecretArn must be a Secrets Manager secret ARN"));
    }

    #[test]
    fn proficiencies_are_checked() {
        let mut value = basic();
        value["UserProficiencies"] = json!([
            {"AttributeName": "Language", "AttributeValue": "English", "Level": 5},
            {"AttributeName": "Language", "AttributeValue": "Spanish", "Level": "3"}
        ]);
        let spec = parse_value(&value).unwrap();
        let levels = spec.proficiencies.unwrap();
        assert_eq!(levels[&("Language".to_string(), "Spanish".to_string())], 3);
        value["UserProficiencies"] = json!([
            {"AttributeName": "Language", "AttributeValue": "English", "Level": 6},
            {"AttributeName": "Language", "AttributeValue": "English", "Level": 2.5},
            {"AttributeName": "", "AttributeValue": "x", "Level": 1},
            {"AttributeName": "Language", "AttributeValue": "English", "Level": 1},
            {"AttributeName": "Language", "AttributeValue": "English", "Level": 2}
        ]);
        let text = reason(&value);
        for part in [
            "UserProficiencies[0].Level must be a whole number from 1 to 5",
            "UserProficiencies[1].Level must be a whole number from 1 to 5",
            "UserProficiencies[2].AttributeName is required",
            "UserProficiencies[4] repeats an AttributeName and AttributeValue pair",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }

    #[test]
    fn voice_only_settings_refuse_other_channels() {
        let mut value = basic();
        value.as_object_mut().unwrap().remove("PhoneConfig");
        value["PhoneNumberConfigs"] = json!([{"Channel": "VOICE", "PhoneType": "SOFT_PHONE"}, {"Channel": "CHAT", "PhoneType": "SOFT_PHONE"}]);
        value["PersistentConnectionConfigs"] =
            json!([{"Channel": "TASK", "PersistentConnection": true}]);
        value["VoiceEnhancementConfigs"] =
            json!([{"Channel": "EMAIL", "VoiceEnhancementMode": "NONE"}]);
        let text = reason(&value);
        for part in [
            "PhoneNumberConfigs[1].Channel must be VOICE: Connect supports phones on the VOICE channel only",
            "PersistentConnectionConfigs[0].Channel must be VOICE",
            "VoiceEnhancementConfigs[0].Channel must be VOICE: Connect supports voice enhancement",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }
}
