//! The emulator's state and the service's rules, as Connect applies them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

/// Seeded ids, the same in every instance.
pub mod seed {
    pub const INSTANCE_MANAGED: &str = "10000000-0000-4000-8000-000000000001";
    pub const INSTANCE_SAML: &str = "20000000-0000-4000-8000-000000000002";
    pub const INSTANCE_DIRECTORY: &str = "30000000-0000-4000-8000-000000000003";
    pub const ROUTING_PROFILES: [&str; 2] = [
        "rp-basic-0000-4000-8000-000000000001",
        "rp-sales-0000-4000-8000-000000000002",
    ];
    pub const SECURITY_PROFILES: [&str; 4] = [
        "sp-agent-0000-4000-8000-000000000001",
        "sp-supervisor-4000-8000-000000000002",
        "sp-admin-0000-4000-8000-000000000003",
        "sp-quality-000-4000-8000-000000000004",
    ];
    pub const HIERARCHY_GROUPS: [&str; 2] = [
        "hg-east-0000-4000-8000-000000000001",
        "hg-west-0000-4000-8000-000000000002",
    ];
    /// Predefined attributes and their values, for proficiencies.
    pub const PREDEFINED_ATTRIBUTES: [(&str, &[&str]); 2] = [
        ("Language", &["English", "Spanish", "French", "German"]),
        ("Skill", &["Billing", "Technical", "Sales"]),
    ];
    pub const ACCOUNT: &str = "123456789012";
    pub const REGION: &str = "us-east-1";
}

/// An error as Connect answers it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

pub type ApiResult = Result<Value, ApiError>;

fn invalid_parameter(message: impl Into<String>) -> ApiError {
    ApiError {
        status: 400,
        code: "InvalidParameterException",
        message: message.into(),
    }
}

fn invalid_request(message: impl Into<String>) -> ApiError {
    ApiError {
        status: 400,
        code: "InvalidRequestException",
        message: message.into(),
    }
}

fn not_found(message: impl Into<String>) -> ApiError {
    ApiError {
        status: 404,
        code: "ResourceNotFoundException",
        message: message.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityManagement {
    ConnectManaged,
    Saml,
    ExistingDirectory,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub arn: String,
    pub username: String,
    /// The initial password, so that tests can check which one the function sent.
    pub password: Option<String>,
    pub identity_info: Map<String, Value>,
    /// Per-channel settings, every channel always present; `PhoneConfig` is a view of them.
    pub channels: BTreeMap<String, ChannelState>,
    /// `(AttributeName, AttributeValue)` → level.
    pub proficiencies: BTreeMap<ProficiencyKey, f64>,
    pub directory_user_id: Option<String>,
    pub hierarchy_group_id: Option<String>,
    pub routing_profile_id: String,
    pub security_profile_ids: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub modified: f64,
}

/// One channel's settings, as Connect keeps them.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelState {
    pub auto_accept: bool,
    pub agent_first_callback_auto_accept: Option<bool>,
    pub after_contact_work_time_limit: i64,
    pub agent_first_callback_after_contact_work_time_limit: Option<i64>,
    pub phone_type: String,
    pub phone_number: Option<String>,
    pub persistent_connection: bool,
    pub voice_enhancement_mode: String,
}

impl Default for ChannelState {
    fn default() -> Self {
        Self {
            auto_accept: false,
            agent_first_callback_auto_accept: None,
            after_contact_work_time_limit: 0,
            agent_first_callback_after_contact_work_time_limit: None,
            phone_type: "SOFT_PHONE".into(),
            phone_number: None,
            persistent_connection: false,
            voice_enhancement_mode: "NONE".into(),
        }
    }
}

pub const CHANNELS: [&str; 4] = ["VOICE", "CHAT", "TASK", "EMAIL"];

/// Connect's documented ceiling for an after-contact-work limit (24 days, in seconds).
const MAX_AFTER_CONTACT_WORK: i64 = 2_000_000;

#[derive(Debug, Clone)]
pub struct Instance {
    pub id: String,
    pub identity_management: IdentityManagement,
    pub routing_profiles: BTreeSet<String>,
    pub security_profiles: BTreeSet<String>,
    pub hierarchy_groups: BTreeSet<String>,
    pub users: BTreeMap<String, User>,
}

#[derive(Debug)]
pub struct World {
    pub instances: BTreeMap<String, Instance>,
    next_user: u64,
}

impl Default for World {
    fn default() -> Self {
        let mut instances = BTreeMap::new();
        for (id, kind) in [
            (seed::INSTANCE_MANAGED, IdentityManagement::ConnectManaged),
            (seed::INSTANCE_SAML, IdentityManagement::Saml),
            (
                seed::INSTANCE_DIRECTORY,
                IdentityManagement::ExistingDirectory,
            ),
        ] {
            instances.insert(
                id.to_owned(),
                Instance {
                    id: id.to_owned(),
                    identity_management: kind,
                    routing_profiles: seed::ROUTING_PROFILES
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                    security_profiles: seed::SECURITY_PROFILES
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                    hierarchy_groups: seed::HIERARCHY_GROUPS
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                    users: BTreeMap::new(),
                },
            );
        }
        Self {
            instances,
            next_user: 1,
        }
    }
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn text<'a>(body: &'a Value, key: &str) -> Result<Option<&'a str>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid_request(format!("{key} must be a string"))),
    }
}

fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|d| {
        (2..=15).contains(&d.len()) && d.chars().all(|c| c.is_ascii_digit()) && !d.starts_with('0')
    })
}

fn valid_password(password: &str) -> bool {
    let n = password.chars().count();
    (8..=64).contains(&n)
        && !password.chars().any(char::is_whitespace)
        && password.chars().any(|c| c.is_ascii_lowercase())
        && password.chars().any(|c| c.is_ascii_uppercase())
        && password.chars().any(|c| c.is_ascii_digit())
}

fn check_identity_info(info: &Value) -> Result<Map<String, Value>, ApiError> {
    let Some(map) = info.as_object() else {
        return Err(invalid_request("IdentityInfo must be an object"));
    };
    for (key, max) in [("FirstName", 255), ("LastName", 300)] {
        if text(info, key)?.is_some_and(|v| v.chars().count() > max) {
            return Err(invalid_parameter(format!(
                "{key} must be at most {max} characters"
            )));
        }
    }
    for key in ["Email", "SecondaryEmail"] {
        if let Some(email) = text(info, key)?.filter(|e| !e.is_empty()) {
            let valid = email
                .split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'));
            if !valid {
                return Err(invalid_parameter(format!(
                    "{key} is not a valid email address"
                )));
            }
        }
    }
    if let Some(mobile) = text(info, "Mobile")?.filter(|m| !m.is_empty()) {
        if !is_e164(mobile) {
            return Err(invalid_parameter("Mobile must match \\+[1-9]\\d{1,14}$"));
        }
    }
    Ok(map
        .iter()
        .filter(|(_, v)| v.as_str().is_some_and(|s| !s.is_empty()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect())
}

/// A validated `UserPhoneConfig`.
#[derive(Debug, Clone)]
struct PhoneSettings {
    phone_type: String,
    desk_phone_number: Option<String>,
    auto_accept: bool,
    after_contact_work_time_limit: i64,
    persistent_connection: bool,
}

fn check_limit(value: Option<&Value>, name: &str) -> Result<i64, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(0),
        Some(limit) => match limit.as_i64() {
            Some(l) if (0..=MAX_AFTER_CONTACT_WORK).contains(&l) => Ok(l),
            _ => Err(invalid_parameter(format!(
                "{name} must be between 0 and {MAX_AFTER_CONTACT_WORK}"
            ))),
        },
    }
}

fn check_bool(value: &Value, key: &str, required: bool) -> Result<Option<bool>, ApiError> {
    match value.get(key) {
        None | Some(Value::Null) if required => Err(invalid_request(format!("{key} is required"))),
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(invalid_request(format!("{key} must be a boolean"))),
    }
}

fn check_phone(phone_type: &str, number: Option<&str>, key: &str) -> Result<(), ApiError> {
    if !matches!(phone_type, "SOFT_PHONE" | "DESK_PHONE") {
        return Err(invalid_request(format!(
            "PhoneType {phone_type} is not one of SOFT_PHONE, DESK_PHONE"
        )));
    }
    match number {
        Some(number) if !is_e164(number) => Err(invalid_parameter(format!(
            "{key} must match \\+[1-9]\\d{{1,14}}$"
        ))),
        None if phone_type == "DESK_PHONE" => Err(invalid_parameter(format!(
            "{key} is required for DESK_PHONE"
        ))),
        _ => Ok(()),
    }
}

fn check_phone_config(config: &Value) -> Result<PhoneSettings, ApiError> {
    if !config.is_object() {
        return Err(invalid_request("PhoneConfig must be an object"));
    }
    let phone_type = text(config, "PhoneType")?
        .ok_or_else(|| invalid_request("PhoneConfig.PhoneType is required"))?;
    let desk = text(config, "DeskPhoneNumber")?.filter(|d| !d.is_empty());
    check_phone(phone_type, desk, "DeskPhoneNumber")?;
    Ok(PhoneSettings {
        phone_type: phone_type.to_owned(),
        desk_phone_number: desk.map(str::to_owned),
        auto_accept: check_bool(config, "AutoAccept", false)?.unwrap_or(false),
        after_contact_work_time_limit: check_limit(
            config.get("AfterContactWorkTimeLimit"),
            "AfterContactWorkTimeLimit",
        )?,
        persistent_connection: check_bool(config, "PersistentConnection", false)?.unwrap_or(false),
    })
}

/// What `UpdateUserPhoneConfig` does: the VOICE channel's phone, auto-accept and persistent
/// connection, and the same after-contact-work limit on every channel.
fn apply_phone_config(channels: &mut BTreeMap<String, ChannelState>, phone: &PhoneSettings) {
    for (name, state) in channels.iter_mut() {
        state.after_contact_work_time_limit = phone.after_contact_work_time_limit;
        if name == "VOICE" {
            state.phone_type = phone.phone_type.clone();
            state.phone_number = phone.desk_phone_number.clone();
            state.auto_accept = phone.auto_accept;
            state.persistent_connection = phone.persistent_connection;
        }
    }
}

fn default_channels() -> BTreeMap<String, ChannelState> {
    CHANNELS
        .iter()
        .map(|c| (c.to_string(), ChannelState::default()))
        .collect()
}

/// One validated per-channel entry: which channel, and what it sets there.
type ChannelEdit = (String, Box<dyn FnOnce(&mut ChannelState) + Send>);

/// Validates the per-channel lists of `CreateUser` / `UpdateUserConfig` into edits. Each list
/// names a channel at most once; agent-first callback settings exist on VOICE only.
fn check_user_config(body: &Value) -> Result<Vec<ChannelEdit>, ApiError> {
    let mut edits: Vec<ChannelEdit> = Vec::new();
    for list in [
        "AutoAcceptConfigs",
        "AfterContactWorkConfigs",
        "PhoneNumberConfigs",
        "PersistentConnectionConfigs",
        "VoiceEnhancementConfigs",
    ] {
        let items = match body.get(list) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(items)) => items,
            Some(_) => return Err(invalid_request(format!("{list} must be a list"))),
        };
        let mut seen = BTreeSet::new();
        for item in items {
            let channel = text(item, "Channel")?
                .ok_or_else(|| invalid_request(format!("{list}: Channel is required")))?
                .to_owned();
            if !CHANNELS.contains(&channel.as_str()) {
                return Err(invalid_request(format!(
                    "Channel {channel} is not one of VOICE, CHAT, TASK, EMAIL"
                )));
            }
            if !seen.insert(channel.clone()) {
                return Err(invalid_parameter(format!(
                    "{list} lists channel {channel} more than once"
                )));
            }
            let voice_only = |present: bool, what: &str| {
                if present && channel != "VOICE" {
                    Err(invalid_parameter(format!(
                        "{what} applies to the VOICE channel only"
                    )))
                } else {
                    Ok(())
                }
            };
            // Only VOICE is supported for these data types.
            voice_only(
                matches!(
                    list,
                    "PhoneNumberConfigs"
                        | "PersistentConnectionConfigs"
                        | "VoiceEnhancementConfigs"
                ),
                list,
            )?;
            let edit: Box<dyn FnOnce(&mut ChannelState) + Send> = match list {
                "AutoAcceptConfigs" => {
                    let on = check_bool(item, "AutoAccept", true)?.unwrap_or(false);
                    let callback = check_bool(item, "AgentFirstCallbackAutoAccept", false)?;
                    voice_only(callback.is_some(), "AgentFirstCallbackAutoAccept")?;
                    // A field left out leaves the setting as it is.
                    Box::new(move |s| {
                        s.auto_accept = on;
                        if callback.is_some() {
                            s.agent_first_callback_auto_accept = callback;
                        }
                    })
                }
                "AfterContactWorkConfigs" => {
                    let config = item
                        .get("AfterContactWorkConfig")
                        .filter(|c| c.is_object())
                        .ok_or_else(|| invalid_request("AfterContactWorkConfig is required"))?;
                    let limit = check_limit(
                        config.get("AfterContactWorkTimeLimit"),
                        "AfterContactWorkTimeLimit",
                    )?;
                    let callback = match item.get("AgentFirstCallbackAfterContactWorkConfig") {
                        None | Some(Value::Null) => None,
                        Some(c) => Some(check_limit(
                            c.get("AfterContactWorkTimeLimit"),
                            "AfterContactWorkTimeLimit",
                        )?),
                    };
                    voice_only(
                        callback.is_some(),
                        "AgentFirstCallbackAfterContactWorkConfig",
                    )?;
                    Box::new(move |s| {
                        s.after_contact_work_time_limit = limit;
                        if callback.is_some() {
                            s.agent_first_callback_after_contact_work_time_limit = callback;
                        }
                    })
                }
                "PhoneNumberConfigs" => {
                    let phone_type = text(item, "PhoneType")?
                        .ok_or_else(|| invalid_request("PhoneType is required"))?
                        .to_owned();
                    let number = text(item, "PhoneNumber")?
                        .filter(|n| !n.is_empty())
                        .map(str::to_owned);
                    check_phone(&phone_type, number.as_deref(), "PhoneNumber")?;
                    Box::new(move |s| {
                        s.phone_type = phone_type;
                        s.phone_number = number;
                    })
                }
                "PersistentConnectionConfigs" => {
                    let on = check_bool(item, "PersistentConnection", true)?.unwrap_or(false);
                    Box::new(move |s| s.persistent_connection = on)
                }
                _ => {
                    let mode = text(item, "VoiceEnhancementMode")?
                        .ok_or_else(|| invalid_request("VoiceEnhancementMode is required"))?
                        .to_owned();
                    if !matches!(
                        mode.as_str(),
                        "VOICE_ISOLATION" | "NOISE_SUPPRESSION" | "NONE"
                    ) {
                        return Err(invalid_request(format!(
                            "VoiceEnhancementMode {mode} is not one of VOICE_ISOLATION, NOISE_SUPPRESSION, NONE"
                        )));
                    }
                    Box::new(move |s| s.voice_enhancement_mode = mode)
                }
            };
            edits.push((channel, edit));
        }
    }
    Ok(edits)
}

fn apply_edits(channels: &mut BTreeMap<String, ChannelState>, edits: Vec<ChannelEdit>) {
    for (channel, edit) in edits {
        if let Some(state) = channels.get_mut(&channel) {
            edit(state);
        }
    }
}

/// `(AttributeName, AttributeValue)`.
pub type ProficiencyKey = (String, String);

/// A validated proficiency list: `(name, value)` → level. Every attribute value must be
/// predefined; levels are 1.0 to 5.0.
fn check_proficiencies(
    body: &Value,
    with_level: bool,
) -> Result<Vec<(ProficiencyKey, f64)>, ApiError> {
    let items = body
        .get("UserProficiencies")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid_request("UserProficiencies is required"))?;
    let mut out = Vec::new();
    for item in items {
        let name = text(item, "AttributeName")?.unwrap_or_default();
        let value = text(item, "AttributeValue")?.unwrap_or_default();
        if !(1..=100).contains(&name.chars().count()) || !(1..=100).contains(&value.chars().count())
        {
            return Err(invalid_parameter(
                "AttributeName and AttributeValue must be 1 to 100 characters",
            ));
        }
        let known = seed::PREDEFINED_ATTRIBUTES
            .iter()
            .any(|(n, values)| *n == name && values.contains(&value));
        if !known {
            return Err(not_found(format!(
                "predefined attribute {name} with value {value} not found"
            )));
        }
        let level = if with_level {
            match item.get("Level").and_then(Value::as_f64) {
                Some(level) if (1.0..=5.0).contains(&level) => level,
                _ => {
                    return Err(invalid_parameter("Level must be between 1.0 and 5.0"));
                }
            }
        } else {
            0.0
        };
        out.push(((name.to_owned(), value.to_owned()), level));
    }
    Ok(out)
}

fn check_tags(tags: &Value, limit: usize) -> Result<BTreeMap<String, String>, ApiError> {
    let Some(map) = tags.as_object() else {
        return Err(invalid_request("tags must be a map"));
    };
    if map.is_empty() || map.len() > limit {
        return Err(invalid_parameter(format!(
            "tags must hold 1 to {limit} entries"
        )));
    }
    let mut out = BTreeMap::new();
    for (key, value) in map {
        if key.is_empty()
            || key.chars().count() > 128
            || key.to_ascii_lowercase().starts_with("aws:")
        {
            return Err(invalid_parameter(format!("tag key {key} is not allowed")));
        }
        let value = value
            .as_str()
            .ok_or_else(|| invalid_request("tag values must be strings"))?;
        if value.chars().count() > 256 {
            return Err(invalid_parameter(
                "tag values must be at most 256 characters",
            ));
        }
        out.insert(key.clone(), value.to_owned());
    }
    Ok(out)
}

impl Instance {
    fn check_routing_profile(&self, id: &str) -> Result<(), ApiError> {
        if self.routing_profiles.contains(id) {
            Ok(())
        } else {
            Err(not_found(format!(
                "routing profile {id} not found in instance {}",
                self.id
            )))
        }
    }

    fn check_security_profiles(&self, body: &Value) -> Result<Vec<String>, ApiError> {
        let ids = body
            .get("SecurityProfileIds")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid_request("SecurityProfileIds is required"))?;
        if !(1..=10).contains(&ids.len()) {
            return Err(invalid_parameter(
                "SecurityProfileIds must hold 1 to 10 ids",
            ));
        }
        let mut out = Vec::new();
        for id in ids {
            let id = id
                .as_str()
                .ok_or_else(|| invalid_request("security profile ids must be strings"))?;
            if !self.security_profiles.contains(id) {
                return Err(not_found(format!(
                    "security profile {id} not found in instance {}",
                    self.id
                )));
            }
            out.push(id.to_owned());
        }
        Ok(out)
    }

    fn check_hierarchy_group(&self, id: Option<&str>) -> Result<Option<String>, ApiError> {
        match id.filter(|i| !i.is_empty()) {
            None => Ok(None),
            Some(id) if self.hierarchy_groups.contains(id) => Ok(Some(id.to_owned())),
            Some(id) => Err(not_found(format!(
                "hierarchy group {id} not found in instance {}",
                self.id
            ))),
        }
    }

    pub fn find_by_name(&self, username: &str) -> Option<&User> {
        self.users
            .values()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }
}

impl World {
    pub fn instance(&self, id: &str) -> Result<&Instance, ApiError> {
        self.instances
            .get(id)
            .ok_or_else(|| not_found(format!("instance {id} not found")))
    }

    fn instance_mut(&mut self, id: &str) -> Result<&mut Instance, ApiError> {
        self.instances
            .get_mut(id)
            .ok_or_else(|| not_found(format!("instance {id} not found")))
    }

    fn user(&self, instance_id: &str, user_id: &str) -> Result<&User, ApiError> {
        self.instance(instance_id)?
            .users
            .get(user_id)
            .ok_or_else(|| {
                not_found(format!(
                    "user {user_id} not found in instance {instance_id}"
                ))
            })
    }

    fn user_mut(&mut self, instance_id: &str, user_id: &str) -> Result<&mut User, ApiError> {
        self.instance_mut(instance_id)?
            .users
            .get_mut(user_id)
            .ok_or_else(|| {
                not_found(format!(
                    "user {user_id} not found in instance {instance_id}"
                ))
            })
    }

    pub fn create_user(&mut self, instance_id: &str, body: &Value) -> ApiResult {
        let instance = self.instance(instance_id)?;
        let username =
            text(body, "Username")?.ok_or_else(|| invalid_request("Username is required"))?;
        let length = username.chars().count();
        if !(1..=100).contains(&length) {
            return Err(invalid_parameter("Username must be 1 to 100 characters"));
        }
        if instance.identity_management != IdentityManagement::Saml && length > 20 {
            return Err(invalid_parameter(format!(
                "Username must be at most 20 characters for instances that are not SAML (it has {length})"
            )));
        }
        if !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.@-".contains(c))
        {
            return Err(invalid_parameter(
                "Username contains characters that are not allowed",
            ));
        }
        let password = text(body, "Password")?;
        match (instance.identity_management, password) {
            (IdentityManagement::ConnectManaged, None) => {
                return Err(invalid_parameter(
                    "Password is required for instances with CONNECT_MANAGED identity management",
                ));
            }
            (IdentityManagement::ConnectManaged, Some(p)) if !valid_password(p) => {
                return Err(invalid_parameter(
                    "Password does not meet the password policy",
                ));
            }
            (IdentityManagement::Saml | IdentityManagement::ExistingDirectory, Some(_)) => {
                return Err(invalid_parameter("Password is not allowed for instances with SAML or EXISTING_DIRECTORY identity management"));
            }
            _ => {}
        }
        let directory_user_id = text(body, "DirectoryUserId")?.map(str::to_owned);
        if directory_user_id.is_some()
            && instance.identity_management != IdentityManagement::ExistingDirectory
        {
            return Err(invalid_parameter(
                "DirectoryUserId is only allowed for EXISTING_DIRECTORY instances",
            ));
        }
        // PhoneConfig, or per-channel settings with the phone in PhoneNumberConfigs.
        let phone = match body.get("PhoneConfig") {
            None | Some(Value::Null) => None,
            Some(config) => Some(check_phone_config(config)?),
        };
        let has_phone_numbers = body
            .get("PhoneNumberConfigs")
            .and_then(Value::as_array)
            .is_some_and(|l| !l.is_empty());
        if phone.is_none() && !has_phone_numbers {
            return Err(invalid_request(
                "PhoneConfig or PhoneNumberConfigs is required",
            ));
        }
        let edits = check_user_config(body)?;
        let mut channels = default_channels();
        if let Some(phone) = &phone {
            apply_phone_config(&mut channels, phone);
        }
        apply_edits(&mut channels, edits);
        let identity_info = match body.get("IdentityInfo") {
            None | Some(Value::Null) => Map::new(),
            Some(info) => check_identity_info(info)?,
        };
        let routing_profile_id = text(body, "RoutingProfileId")?
            .ok_or_else(|| invalid_request("RoutingProfileId is required"))?;
        instance.check_routing_profile(routing_profile_id)?;
        let security_profile_ids = instance.check_security_profiles(body)?;
        let hierarchy_group_id = instance.check_hierarchy_group(text(body, "HierarchyGroupId")?)?;
        let tags = match body.get("Tags") {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(tags) => check_tags(tags, 50)?,
        };
        if instance.find_by_name(username).is_some() {
            return Err(ApiError {
                status: 409,
                code: "DuplicateResourceException",
                message: format!("User with username {username} already exists"),
            });
        }
        let id = format!(
            "{:08x}-0000-4000-8000-{:012x}",
            self.next_user, self.next_user
        );
        self.next_user += 1;
        let arn = format!(
            "arn:aws:connect:{}:{}:instance/{instance_id}/agent/{id}",
            seed::REGION,
            seed::ACCOUNT
        );
        let user = User {
            id: id.clone(),
            arn: arn.clone(),
            username: username.to_owned(),
            password: password.map(str::to_owned),
            identity_info,
            channels,
            proficiencies: BTreeMap::new(),
            directory_user_id,
            hierarchy_group_id,
            routing_profile_id: routing_profile_id.to_owned(),
            security_profile_ids,
            tags,
            modified: now(),
        };
        self.instance_mut(instance_id)?
            .users
            .insert(id.clone(), user);
        Ok(json!({ "UserId": id, "UserArn": arn }))
    }

    pub fn describe_user(&self, instance_id: &str, user_id: &str) -> ApiResult {
        let user = self.user(instance_id, user_id)?;
        Ok(json!({ "User": user_view(user) }))
    }

    pub fn delete_user(&mut self, instance_id: &str, user_id: &str) -> ApiResult {
        self.instance_mut(instance_id)?
            .users
            .remove(user_id)
            .map(|_| json!({}))
            .ok_or_else(|| {
                not_found(format!(
                    "user {user_id} not found in instance {instance_id}"
                ))
            })
    }

    /// Applies a validated change to one user and stamps it.
    fn modify(
        &mut self,
        instance_id: &str,
        user_id: &str,
        change: impl FnOnce(&mut User),
    ) -> ApiResult {
        let user = self.user_mut(instance_id, user_id)?;
        change(user);
        user.modified = now();
        Ok(json!({}))
    }

    pub fn update_identity_info(
        &mut self,
        instance_id: &str,
        user_id: &str,
        body: &Value,
    ) -> ApiResult {
        let info = body
            .get("IdentityInfo")
            .ok_or_else(|| invalid_request("IdentityInfo is required"))?;
        let info = check_identity_info(info)?;
        self.modify(instance_id, user_id, |user| user.identity_info = info)
    }

    pub fn update_phone_config(
        &mut self,
        instance_id: &str,
        user_id: &str,
        body: &Value,
    ) -> ApiResult {
        let config = body
            .get("PhoneConfig")
            .ok_or_else(|| invalid_request("PhoneConfig is required"))?;
        let phone = check_phone_config(config)?;
        self.modify(instance_id, user_id, |user| {
            apply_phone_config(&mut user.channels, &phone)
        })
    }

    pub fn update_user_config(
        &mut self,
        instance_id: &str,
        user_id: &str,
        body: &Value,
    ) -> ApiResult {
        let edits = check_user_config(body)?;
        self.modify(instance_id, user_id, |user| {
            apply_edits(&mut user.channels, edits)
        })
    }

    pub fn associate_proficiencies(
        &mut self,
        instance_id: &str,
        user_id: &str,
        body: &Value,
    ) -> ApiResult {
        self.set_proficiencies(instance_id, user_id, body, false)
    }

    pub fn update_proficiencies(
        &mut self,
        instance_id: &str,
        user_id: &str,
        body: &Value,
    ) -> ApiResult {
        self.set_proficiencies(instance_id, user_id, body, true)
    }

    /// Associate (none may be associated yet) or update (every one must be) proficiencies.
    fn set_proficiencies(
        &mut self,
        instance_id: &str,
        user_id: &str,
        body: &Value,
        associated: bool,
    ) -> ApiResult {
        let items = check_proficiencies(body, true)?;
        let user = self.user_mut(instance_id, user_id)?;
        let wrong = items
            .iter()
            .find(|(key, _)| user.proficiencies.contains_key(key) != associated);
        if let Some(((name, value), _)) = wrong {
            let state = if associated { "is not" } else { "is already" };
            return Err(invalid_request(format!(
                "proficiency {name}={value} {state} associated with the user"
            )));
        }
        self.modify(instance_id, user_id, |user| {
            user.proficiencies.extend(items)
        })
    }

    pub fn disassociate_proficiencies(
        &mut self,
        instance_id: &str,
        user_id: &str,
        body: &Value,
    ) -> ApiResult {
        let items = check_proficiencies(body, false)?;
        self.modify(instance_id, user_id, |user| {
            for (key, _) in items {
                user.proficiencies.remove(&key);
            }
        })
    }

    pub fn list_proficiencies(
        &self,
        instance_id: &str,
        user_id: &str,
        max_results: usize,
        next_token: Option<&str>,
    ) -> ApiResult {
        let user = self.user(instance_id, user_id)?;
        if !(1..=100).contains(&max_results) {
            return Err(invalid_parameter("MaxResults must be 1 to 100"));
        }
        let start = page_start(next_token)?;
        let page: Vec<Value> = user
            .proficiencies
            .iter()
            .skip(start)
            .take(max_results)
            .map(|((name, value), level)| json!({ "AttributeName": name, "AttributeValue": value, "Level": level }))
            .collect();
        let mut out = json!({ "UserProficiencyList": page, "LastModifiedTime": user.modified, "LastModifiedRegion": seed::REGION });
        if start + max_results < user.proficiencies.len() {
            out["NextToken"] = json!((start + max_results).to_string());
        }
        Ok(out)
    }

    pub fn update_routing_profile(
        &mut self,
        instance_id: &str,
        user_id: &str,
        body: &Value,
    ) -> ApiResult {
        let id = text(body, "RoutingProfileId")?
            .ok_or_else(|| invalid_request("RoutingProfileId is required"))?;
        self.instance(instance_id)?.check_routing_profile(id)?;
        let id = id.to_owned();
        self.modify(instance_id, user_id, |user| user.routing_profile_id = id)
    }

    pub fn update_security_profiles(
        &mut self,
        instance_id: &str,
        user_id: &str,
        body: &Value,
    ) -> ApiResult {
        let ids = self.instance(instance_id)?.check_security_profiles(body)?;
        self.modify(instance_id, user_id, |user| user.security_profile_ids = ids)
    }

    pub fn update_hierarchy(
        &mut self,
        instance_id: &str,
        user_id: &str,
        body: &Value,
    ) -> ApiResult {
        let group = self
            .instance(instance_id)?
            .check_hierarchy_group(text(body, "HierarchyGroupId")?)?;
        self.modify(instance_id, user_id, |user| user.hierarchy_group_id = group)
    }

    fn user_by_arn_mut(&mut self, arn: &str) -> Result<&mut User, ApiError> {
        self.instances
            .values_mut()
            .flat_map(|i| i.users.values_mut())
            .find(|u| u.arn == arn)
            .ok_or_else(|| not_found(format!("resource {arn} not found")))
    }

    pub fn tag_resource(&mut self, arn: &str, body: &Value) -> ApiResult {
        let tags = check_tags(body.get("tags").unwrap_or(&Value::Null), 50)?;
        let user = self.user_by_arn_mut(arn)?;
        let mut merged = user.tags.clone();
        merged.extend(tags);
        if merged.len() > 50 {
            return Err(invalid_parameter("a resource may hold at most 50 tags"));
        }
        user.tags = merged;
        Ok(json!({}))
    }

    pub fn untag_resource(&mut self, arn: &str, keys: &[String]) -> ApiResult {
        if !(1..=50).contains(&keys.len()) {
            return Err(invalid_parameter("tagKeys must hold 1 to 50 keys"));
        }
        if keys
            .iter()
            .any(|k| k.to_ascii_lowercase().starts_with("aws:"))
        {
            return Err(invalid_parameter(
                "tag keys starting with aws: cannot be removed",
            ));
        }
        let user = self.user_by_arn_mut(arn)?;
        for key in keys {
            user.tags.remove(key);
        }
        Ok(json!({}))
    }

    pub fn list_tags(&mut self, arn: &str) -> ApiResult {
        let user = self.user_by_arn_mut(arn)?;
        Ok(json!({ "tags": user.tags }))
    }

    pub fn list_users(
        &self,
        instance_id: &str,
        max_results: usize,
        next_token: Option<&str>,
    ) -> ApiResult {
        let instance = self.instance(instance_id)?;
        if !(1..=1000).contains(&max_results) {
            return Err(invalid_parameter("MaxResults must be 1 to 1000"));
        }
        let start = page_start(next_token)?;
        let users: Vec<&User> = instance.users.values().collect();
        let page: Vec<Value> = users
            .iter()
            .skip(start)
            .take(max_results)
            .map(|u| json!({ "Id": u.id, "Arn": u.arn, "Username": u.username, "LastModifiedTime": u.modified, "LastModifiedRegion": seed::REGION }))
            .collect();
        let mut out = json!({ "UserSummaryList": page });
        if start + max_results < users.len() {
            out["NextToken"] = json!((start + max_results).to_string());
        }
        Ok(out)
    }
}

/// Where a page starts: the emulator's `NextToken` is the index of the next item.
fn page_start(next_token: Option<&str>) -> Result<usize, ApiError> {
    next_token.map_or(Ok(0), |token| {
        token
            .parse()
            .map_err(|_| invalid_parameter("NextToken is not valid"))
    })
}

/// The user as `DescribeUser` shows it.
pub fn user_view(user: &User) -> Value {
    let voice = user.channels.get("VOICE").cloned().unwrap_or_default();
    let mut phone_config = json!({
        "PhoneType": voice.phone_type,
        "AutoAccept": voice.auto_accept,
        "AfterContactWorkTimeLimit": voice.after_contact_work_time_limit,
        "PersistentConnection": voice.persistent_connection,
    });
    if let Some(number) = &voice.phone_number {
        phone_config["DeskPhoneNumber"] = json!(number);
    }
    let per_channel = |f: &dyn Fn(&str, &ChannelState) -> Value| -> Vec<Value> {
        user.channels.iter().map(|(c, s)| f(c, s)).collect()
    };
    let voice_only =
        |f: &dyn Fn(&str, &ChannelState) -> Value| -> Vec<Value> { vec![f("VOICE", &voice)] };
    let mut view = json!({
        "Id": user.id,
        "Arn": user.arn,
        "Username": user.username,
        "IdentityInfo": user.identity_info,
        "PhoneConfig": phone_config,
        "AutoAcceptConfigs": per_channel(&|c, s| {
            let mut entry = json!({ "Channel": c, "AutoAccept": s.auto_accept });
            if let Some(callback) = s.agent_first_callback_auto_accept {
                entry["AgentFirstCallbackAutoAccept"] = json!(callback);
            }
            entry
        }),
        "AfterContactWorkConfigs": per_channel(&|c, s| {
            let mut entry = json!({ "Channel": c, "AfterContactWorkConfig": { "AfterContactWorkTimeLimit": s.after_contact_work_time_limit } });
            if let Some(callback) = s.agent_first_callback_after_contact_work_time_limit {
                entry["AgentFirstCallbackAfterContactWorkConfig"] = json!({ "AfterContactWorkTimeLimit": callback });
            }
            entry
        }),
        "PhoneNumberConfigs": voice_only(&|c, s| {
            let mut entry = json!({ "Channel": c, "PhoneType": s.phone_type });
            if let Some(number) = &s.phone_number {
                entry["PhoneNumber"] = json!(number);
            }
            entry
        }),
        "PersistentConnectionConfigs": voice_only(&|c, s| json!({ "Channel": c, "PersistentConnection": s.persistent_connection })),
        "VoiceEnhancementConfigs": voice_only(&|c, s| json!({ "Channel": c, "VoiceEnhancementMode": s.voice_enhancement_mode })),
        "SecurityProfileIds": user.security_profile_ids,
        "RoutingProfileId": user.routing_profile_id,
        "Tags": user.tags,
        "LastModifiedTime": user.modified,
        "LastModifiedRegion": seed::REGION,
    });
    if let Some(id) = &user.directory_user_id {
        view["DirectoryUserId"] = json!(id);
    }
    if let Some(id) = &user.hierarchy_group_id {
        view["HierarchyGroupId"] = json!(id);
    }
    view
}
