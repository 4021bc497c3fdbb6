//! The rules Connect applies that its service model does not carry, in one place, each with
//! the AWS document it comes from. They run after the model's checks
//! ([`super::service_model`]), so the input they see has the model's shape and types.
//!
//! Sources, as cited below:
//! - "model doc": the documentation strings of Connect's service model
//!   (`service-model.json`, botocore `data/connect/2017-08-08/service-2.json`), the same text
//!   as the API reference, <https://docs.aws.amazon.com/connect/latest/APIReference/>.
//! - "admin guide": the Amazon Connect Administrator Guide,
//!   <https://docs.aws.amazon.com/connect/latest/adminguide/>.
//!
//! Where AWS documents a rule but not the error it answers, the code and wording are our
//! assumption (400 `InvalidParameterException`), said beside the rule; no test matches on
//! the wording of these refusals.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};
use unicode_normalization::is_nfc;

use super::shapes::{ApiError, ChannelState, IdentityManagement};

/// A refusal by one of these rules. Assumption: AWS does not document the code or wording
/// of these refusals; 400 `InvalidParameterException` is in every served operation's error
/// list.
pub fn refused(message: impl Into<String>) -> ApiError {
    ApiError {
        status: 400,
        code: "InvalidParameterException",
        message: message.into(),
    }
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

// ---------------------------------------------------------------------------------------
// Username
// ---------------------------------------------------------------------------------------

/// The characters a username may hold. Model doc, `CreateUserRequest.Username`: "the user name
/// can include up to 64 characters from [a-zA-Z0-9_-.\@]+". Assumption: the documentation
/// names the set in its SAML sentence; the emulator applies it to every identity type.
fn username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-.@".contains(c)
}

/// Model doc, `CreateUserRequest.Username`: "For instances not using SAML for identity
/// management, the user name can include up to 20 characters. If you are using SAML for
/// identity management, the user name can include up to 64 characters" (the model's own
/// `AgentUsername` max 100 is checked before this). "Username can include @ only if used in
/// an email format. For example: Correct: testuser, Correct: testuser@example.com,
/// Incorrect: testuser@example" — see [`is_email_format`].
pub fn username(kind: IdentityManagement, username: &str) -> Result<(), ApiError> {
    let length = username.chars().count();
    let max = if kind == IdentityManagement::Saml {
        64
    } else {
        20
    };
    if length > max {
        return Err(refused(format!(
            "Username must be at most {max} characters for this instance's identity management (it has {length})"
        )));
    }
    if !username.chars().all(username_char) {
        return Err(refused("Username contains characters that are not allowed"));
    }
    // The email paragraph names no identity type, but the SAML sentence's own character set
    // includes `@`, and Salesforce Service Cloud Voice provisions SAML agents as
    // `UserId@OrgId`: so SAML instances take such names, and the others keep the email rule.
    // The function is right either way: without a password it sends the name and reports
    // Connect's answer (tests/e2e/names.rs plays both).
    if kind != IdentityManagement::Saml && username.contains('@') && !is_email_format(username) {
        return Err(refused(
            "Username can include @ only if used in an email format",
        ));
    }
    Ok(())
}

/// The email format a username with `@` must have (model doc, `CreateUserRequest.Username`,
/// whose examples accept `testuser@example.com` and refuse `testuser@example`). Assumption,
/// as AWS defines it no further: exactly one `@`, a non-empty local part, and a domain of
/// non-empty labels separated by dots with at least one dot; every character one a username
/// may hold ([`username_char`]).
pub fn is_email_format(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let allowed = |part: &str| part.chars().all(|c| c != '@' && username_char(c));
    !local.is_empty()
        && allowed(local)
        && allowed(domain)
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty())
}

/// Assumption: Connect's usernames are unique in an instance regardless of case; AWS
/// documents no such rule. A clash answers 409 `DuplicateResourceException` (in CreateUser's
/// error list).
pub fn same_username(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

// ---------------------------------------------------------------------------------------
// Password and directory user id, by identity type
// ---------------------------------------------------------------------------------------

/// Model doc, `CreateUserRequest.Password`: "A password is required if you are using Connect
/// Customer for identity management. Otherwise, it is an error to include a password." The
/// password policy itself is the model's `Password` pattern (see the pattern overrides).
pub fn password(kind: IdentityManagement, password: Option<&str>) -> Result<(), ApiError> {
    match (kind, password) {
        (IdentityManagement::ConnectManaged, None) => Err(refused(
            "Password is required for instances with CONNECT_MANAGED identity management",
        )),
        (IdentityManagement::Saml | IdentityManagement::ExistingDirectory, Some(_)) => {
            Err(refused("Password is not allowed for instances with SAML or EXISTING_DIRECTORY identity management"))
        }
        _ => Ok(()),
    }
}

/// Model doc, `CreateUserRequest.DirectoryUserId`: "required if you are using an existing
/// directory for identity management ... If you are using SAML for identity management and
/// include this parameter, an error is returned." Assumption: refused on CONNECT_MANAGED
/// instances too, which have no directory (AWS does not say).
pub fn directory_user_id(kind: IdentityManagement, id: Option<&str>) -> Result<(), ApiError> {
    if id.is_some() && kind != IdentityManagement::ExistingDirectory {
        return Err(refused(
            "DirectoryUserId is only allowed for EXISTING_DIRECTORY instances",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Identity (names and email) by identity type
// ---------------------------------------------------------------------------------------

fn name_of<'a>(info: &'a Map<String, Value>, key: &str) -> &'a str {
    info.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// What every identity must satisfy, on `CreateUser` and `UpdateUserIdentityInfo`:
/// - Model doc, `UserIdentityInfo.FirstName` / `LastName`: "This is required if you are using
///   Connect Customer or SAML for identity management" (and the `CreateUser` doc: "Email,
///   FirstName and LastName are required if you are using Connect Customer or SAML"; the email
///   is not enforced: the same page's `UserIdentityInfo.Email` says it is an error with SAML,
///   and Terraform's acceptance tests create Connect-managed users without one).
/// - Model doc, `UserIdentityInfo.Email`: "If you are using SAML for identity management and
///   include this parameter, an error is returned."
/// - Model doc, `UserIdentityInfo`: "If you are using Connect Customer for identity
///   management, the length constraints are 1-255 for FirstName, and 1-256 for LastName" (the
///   model's own 0-255 / 0-300 "apply only to instances using SAML").
/// - Model doc, `UserIdentityInfo.FirstName` / `LastName`: "Inputs must be in Unicode
///   Normalization Form C (NFC)".
/// - Email and SecondaryEmail in an email format: model doc, `UserIdentityInfo.SecondaryEmail`
///   gives `(?=^.{0,265}$)[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,63}`; assumption: the
///   primary Email follows it too (its documentation gives no format).
///
/// Error code and wording: our assumption (see [`refused`]).
pub fn identity(kind: IdentityManagement, info: &Map<String, Value>) -> Result<(), ApiError> {
    if matches!(
        kind,
        IdentityManagement::ConnectManaged | IdentityManagement::Saml
    ) {
        for key in ["FirstName", "LastName"] {
            if name_of(info, key).is_empty() {
                return Err(refused(format!(
                    "IdentityInfo.{key} is required for instances with CONNECT_MANAGED or SAML identity management"
                )));
            }
        }
    }
    if kind == IdentityManagement::Saml && !name_of(info, "Email").is_empty() {
        return Err(refused(
            "IdentityInfo.Email is not allowed for instances with SAML identity management",
        ));
    }
    if kind == IdentityManagement::ConnectManaged {
        for (key, max) in [("FirstName", 255), ("LastName", 256)] {
            let length = name_of(info, key).chars().count();
            if !(1..=max).contains(&length) {
                return Err(refused(format!(
                    "IdentityInfo.{key} must be 1 to {max} characters for instances with CONNECT_MANAGED identity management"
                )));
            }
        }
    }
    for key in ["FirstName", "LastName"] {
        if !is_nfc(name_of(info, key)) {
            return Err(refused(format!(
                "IdentityInfo.{key} must be in Unicode Normalization Form C"
            )));
        }
    }
    for key in ["Email", "SecondaryEmail"] {
        let email = name_of(info, key);
        if !email.is_empty() && !is_documented_email(email) {
            return Err(refused(format!(
                "IdentityInfo.{key} is not a valid email address"
            )));
        }
    }
    Ok(())
}

/// `SecondaryEmail`'s documented pattern, `(?=^.{0,265}$)[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,63}`,
/// read as ECMA's `test` does: at most 265 characters, and the address somewhere in it.
fn is_documented_email(email: &str) -> bool {
    static ADDRESS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let address = ADDRESS.get_or_init(|| {
        regex::Regex::new(r"[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,63}")
            .expect("the documented email pattern compiles")
    });
    email.encode_utf16().count() <= 265 && address.is_match(email)
}

/// Model doc, `UserIdentityInfo`: "For Connect Customer instances that are created with the
/// EXISTING_DIRECTORY identity management type, FirstName, LastName, and Email cannot be
/// updated from within Connect Customer because they are managed by the directory." An
/// `UpdateUserIdentityInfo` that sends them as the user holds them changes nothing and is
/// accepted. Error code and wording: our assumption (see [`refused`]).
pub fn identity_update(
    kind: IdentityManagement,
    held: &Map<String, Value>,
    new: &Map<String, Value>,
) -> Result<(), ApiError> {
    if kind == IdentityManagement::ExistingDirectory {
        for key in ["FirstName", "LastName", "Email"] {
            if name_of(held, key) != name_of(new, key) {
                return Err(refused(format!(
                    "IdentityInfo.{key} is managed by the directory on EXISTING_DIRECTORY instances and cannot be updated"
                )));
            }
        }
    }
    identity(kind, new)
}

// ---------------------------------------------------------------------------------------
// Phone settings and per-channel lists
// ---------------------------------------------------------------------------------------

/// The channels a user has settings for (model, `Channel` enum).
pub const CHANNELS: [&str; 4] = ["VOICE", "CHAT", "TASK", "EMAIL"];

/// The per-channel lists of `CreateUser` and `UpdateUserConfig`.
pub const CHANNEL_LISTS: [&str; 5] = [
    "AutoAcceptConfigs",
    "AfterContactWorkConfigs",
    "PhoneNumberConfigs",
    "PersistentConnectionConfigs",
    "VoiceEnhancementConfigs",
];

/// Model doc, `UserPhoneConfig.AfterContactWorkTimeLimit`: "a minimum value of 0 and a
/// maximum value of 2,000,000 seconds (24 days)" (the model carries only the minimum).
pub const MAX_AFTER_CONTACT_WORK: i64 = 2_000_000;

pub fn after_contact_work(limit: i64, name: &str) -> Result<(), ApiError> {
    if limit > MAX_AFTER_CONTACT_WORK {
        return Err(refused(format!(
            "{name} must be between 0 and {MAX_AFTER_CONTACT_WORK}"
        )));
    }
    Ok(())
}

/// A desk phone needs its number. Assumption: the API reference does not say so; Terraform's
/// `aws_connect_user` page does ("deskPhoneNumber ... Required if phoneType is set as
/// DESK_PHONE"), and the admin guide's agent settings (configure-agents.html) have a desk
/// phone's number entered with it.
pub fn desk_phone(phone_type: &str, number: Option<&str>, key: &str) -> Result<(), ApiError> {
    if phone_type == "DESK_PHONE" && number.is_none_or(str::is_empty) {
        return Err(refused(format!("{key} is required for DESK_PHONE")));
    }
    Ok(())
}

/// A `PhoneConfig` sent to `CreateUser` or `UpdateUserPhoneConfig`. Assumption: the current
/// model makes every `UserPhoneConfig` member optional without saying what an omitted one
/// means; earlier models (and the CLI's update-user-phone-config page) required `PhoneType`.
/// The emulator requires it, and reads other omitted members as their defaults.
pub fn phone_config(config: &Value) -> Result<(), ApiError> {
    let phone_type =
        text(config, "PhoneType").ok_or_else(|| refused("PhoneConfig.PhoneType is required"))?;
    desk_phone(
        phone_type,
        text(config, "DeskPhoneNumber"),
        "DeskPhoneNumber",
    )?;
    if let Some(limit) = config
        .get("AfterContactWorkTimeLimit")
        .and_then(Value::as_i64)
    {
        after_contact_work(limit, "AfterContactWorkTimeLimit")?;
    }
    Ok(())
}

/// `CreateUser`'s phone settings:
/// - Model doc, `CreateUser`: "Fields in PhoneConfig cannot be set simultaneously with their
///   corresponding channel-specific configuration parameters": AutoAccept with
///   AutoAcceptConfigs, AfterContactWorkTimeLimit with AfterContactWorkConfigs, PhoneType and
///   the phone number with PhoneNumberConfigs, PersistentConnection with
///   PersistentConnectionConfigs.
/// - Assumption: one of `PhoneConfig` and `PhoneNumberConfigs` is required, so that the
///   user's phone type is said (the model doc calls PhoneConfig optional "If not provided,
///   the user can be configured using channel-specific parameters").
pub fn create_phone_settings(input: &Value) -> Result<(), ApiError> {
    let sent = |list: &str| {
        input
            .get(list)
            .and_then(Value::as_array)
            .is_some_and(|l| !l.is_empty())
    };
    if let Some(config) = input.get("PhoneConfig").filter(|c| c.is_object()) {
        phone_config(config)?;
        for (fields, list) in [
            (&["AutoAccept"][..], "AutoAcceptConfigs"),
            (
                &["AfterContactWorkTimeLimit"][..],
                "AfterContactWorkConfigs",
            ),
            (&["PhoneType", "DeskPhoneNumber"][..], "PhoneNumberConfigs"),
            (&["PersistentConnection"][..], "PersistentConnectionConfigs"),
        ] {
            if sent(list)
                && fields
                    .iter()
                    .any(|f| config.get(*f).is_some_and(|v| !v.is_null()))
            {
                return Err(refused(format!(
                    "PhoneConfig.{} cannot be set together with {list}",
                    fields.join("/")
                )));
            }
        }
    } else if !sent("PhoneNumberConfigs") {
        return Err(refused("PhoneConfig or PhoneNumberConfigs is required"));
    }
    channel_lists(input)
}

/// The per-channel lists of `CreateUser` and `UpdateUserConfig`:
/// - Model doc, `PhoneNumberConfig.Channel`, `PersistentConnectionConfig.Channel`,
///   `VoiceEnhancementConfig.Channel`: "Only VOICE is supported for this data type."
/// - Model doc, `AutoAcceptConfig.AgentFirstCallbackAutoAccept` and
///   `AfterContactWorkConfigPerChannel.AgentFirstCallbackAfterContactWorkConfig`: "This
///   setting only applies to the VOICE channel."
/// - Assumption: a list names each channel at most once (AWS does not say what a repeated
///   channel would mean).
/// - Each after-contact-work limit within [`MAX_AFTER_CONTACT_WORK`]; a desk phone with its
///   number ([`desk_phone`]).
pub fn channel_lists(input: &Value) -> Result<(), ApiError> {
    for list in CHANNEL_LISTS {
        let items = input
            .get(list)
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let mut seen = BTreeSet::new();
        for item in items {
            let channel = text(item, "Channel").unwrap_or_default();
            if !seen.insert(channel) {
                return Err(refused(format!(
                    "{list} lists channel {channel} more than once"
                )));
            }
            let voice_only = |present: bool, what: &str| {
                if present && channel != "VOICE" {
                    Err(refused(format!("{what} applies to the VOICE channel only")))
                } else {
                    Ok(())
                }
            };
            voice_only(
                matches!(
                    list,
                    "PhoneNumberConfigs"
                        | "PersistentConnectionConfigs"
                        | "VoiceEnhancementConfigs"
                ),
                list,
            )?;
            voice_only(
                item.get("AgentFirstCallbackAutoAccept")
                    .is_some_and(|v| !v.is_null()),
                "AgentFirstCallbackAutoAccept",
            )?;
            voice_only(
                item.get("AgentFirstCallbackAfterContactWorkConfig")
                    .is_some_and(|v| !v.is_null()),
                "AgentFirstCallbackAfterContactWorkConfig",
            )?;
            for config in [
                "AfterContactWorkConfig",
                "AgentFirstCallbackAfterContactWorkConfig",
            ] {
                if let Some(limit) = item
                    .get(config)
                    .and_then(|c| c.get("AfterContactWorkTimeLimit"))
                    .and_then(Value::as_i64)
                {
                    after_contact_work(limit, "AfterContactWorkTimeLimit")?;
                }
            }
            if list == "PhoneNumberConfigs" {
                desk_phone(
                    text(item, "PhoneType").unwrap_or_default(),
                    text(item, "PhoneNumber"),
                    "PhoneNumber",
                )?;
            }
        }
    }
    Ok(())
}

/// What `UpdateUserConfig` does with what a call leaves out. The model doc of
/// `UpdateUserConfig` does not say (assumption either way), so the emulator can do both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserConfigMode {
    /// Each entry sent sets that channel; channels a list leaves out, lists the call leaves
    /// out and fields an entry leaves out (the agent-first callback settings) are kept.
    #[default]
    Merge,
    /// Each list sent replaces that list whole: channels it leaves out, and fields its entries
    /// leave out, go back to their defaults; lists the call leaves out are reset to defaults.
    Replace,
}

/// Applies an `UpdateUserConfig` (or `CreateUser`'s lists, onto defaults) to the channels.
pub fn apply_user_config(
    mode: UserConfigMode,
    channels: &mut BTreeMap<String, ChannelState>,
    input: &Value,
) {
    if mode == UserConfigMode::Replace {
        for state in channels.values_mut() {
            *state = ChannelState::default();
        }
    }
    for list in CHANNEL_LISTS {
        for item in input
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(state) = text(item, "Channel").and_then(|c| channels.get_mut(c)) else {
                continue;
            };
            apply_entry(state, list, item);
        }
    }
}

/// One list entry onto its channel; a field the entry leaves out is left as it is.
fn apply_entry(state: &mut ChannelState, list: &str, item: &Value) {
    let limit = |config: &str| {
        item.get(config)
            .and_then(|c| c.get("AfterContactWorkTimeLimit"))
            .and_then(Value::as_i64)
    };
    match list {
        "AutoAcceptConfigs" => {
            state.auto_accept = item["AutoAccept"].as_bool().unwrap_or_default();
            if let Some(callback) = item["AgentFirstCallbackAutoAccept"].as_bool() {
                state.agent_first_callback_auto_accept = Some(callback);
            }
        }
        "AfterContactWorkConfigs" => {
            state.after_contact_work_time_limit = limit("AfterContactWorkConfig").unwrap_or(0);
            if let Some(callback) = limit("AgentFirstCallbackAfterContactWorkConfig") {
                state.agent_first_callback_after_contact_work_time_limit = Some(callback);
            }
        }
        "PhoneNumberConfigs" => {
            state.phone_type = text(item, "PhoneType").unwrap_or("SOFT_PHONE").to_owned();
            state.phone_number = text(item, "PhoneNumber")
                .filter(|n| !n.is_empty())
                .map(str::to_owned);
        }
        "PersistentConnectionConfigs" => {
            state.persistent_connection =
                item["PersistentConnection"].as_bool().unwrap_or_default();
        }
        _ => {
            state.voice_enhancement_mode = text(item, "VoiceEnhancementMode")
                .unwrap_or("NONE")
                .to_owned();
        }
    }
}

// ---------------------------------------------------------------------------------------
// Tags
// ---------------------------------------------------------------------------------------

/// Admin guide, tagging (tagging.html): "Amazon Connect services support up to 50 tags per
/// resource"; AWS's general tag restrictions: tags with the `aws:` prefix "do not count
/// against your tags-per-resource limit". A `TagResource` that would take a resource past
/// the limit is refused whole. The model's `TagMap` (max 50) bounds one request.
pub const MAX_TAGS: usize = 50;

pub fn tags_fit(tags: &BTreeMap<String, String>) -> Result<(), ApiError> {
    let counted = tags
        .keys()
        .filter(|k| !k.to_ascii_lowercase().starts_with("aws:"))
        .count();
    if counted > MAX_TAGS {
        return Err(refused(format!(
            "a resource may hold at most {MAX_TAGS} tags; this would make {counted}"
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Proficiencies
// ---------------------------------------------------------------------------------------

/// Model doc, `UserProficiency.AttributeName` / `AttributeValue`: "You must use name [value]
/// of predefined attribute present in the Connect Customer instance." An unknown one answers
/// 404 `ResourceNotFoundException` (in the operations' error lists; assumption: AWS does not
/// document which code).
pub fn predefined_attribute(
    attributes: &[(&str, &[&str])],
    name: &str,
    value: &str,
) -> Result<(), ApiError> {
    if attributes
        .iter()
        .any(|(n, values)| *n == name && values.contains(&value))
    {
        Ok(())
    } else {
        Err(ApiError {
            status: 404,
            code: "ResourceNotFoundException",
            message: format!("predefined attribute {name} with value {value} not found"),
        })
    }
}

/// Model doc, `UserProficiency.Level`: "The valid values are 1, 2, 3, 4 and 5." (the model's
/// `ProficiencyLevel` is a float from 1.0 to 5.0, checked before this).
pub fn proficiency_level(level: f64) -> Result<(), ApiError> {
    if level.fract() != 0.0 {
        return Err(refused("Level must be 1, 2, 3, 4 or 5"));
    }
    Ok(())
}

/// Model doc, `UpdateUserProficienciesRequest.UserProficiencies`: "Proficiencies must first be
/// associated to the user. You can do this using AssociateUserProficiencies API."
/// Assumption: `AssociateUserProficiencies` refuses one already associated (AWS does not
/// say). Both answer 400 `InvalidRequestException` (assumption).
pub fn proficiency_association(
    name: &str,
    value: &str,
    associated: bool,
    must_be_associated: bool,
) -> Result<(), ApiError> {
    if associated == must_be_associated {
        return Ok(());
    }
    let state = if must_be_associated {
        "is not"
    } else {
        "is already"
    };
    Err(ApiError {
        status: 400,
        code: "InvalidRequestException",
        message: format!("proficiency {name}={value} {state} associated with the user"),
    })
}

// ---------------------------------------------------------------------------------------
// SearchUsers
// ---------------------------------------------------------------------------------------

/// How `SearchUsers` compares `Username`. API reference, StringCondition
/// (<https://docs.aws.amazon.com/connect/latest/APIReference/API_StringCondition.html>):
/// `ComparisonType` is "The type of comparison to be made when evaluating the string
/// condition", one of `STARTS_WITH | CONTAINS | EXACT`; neither that page nor SearchUsers
/// (API_SearchUsers.html) says whether the comparison ignores case. Assumption either way, so
/// the emulator can do both; the default ignores case, as usernames are unique regardless of
/// case ([`same_username`], itself an assumption).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UsernameMatch {
    /// `agent` finds `Agent` (and `AGENT`), for every comparison type.
    #[default]
    IgnoreCase,
    /// `agent` finds `agent` only.
    CaseSensitive,
}

/// The fields a user `StringCondition` may name. API reference, UserSearchCriteria
/// (API_UserSearchCriteria.html), `StringCondition`: "The currently supported values for
/// FieldName are Username, FirstName, LastName, RoutingProfileId, SecurityProfileId,
/// resourceId." Assumption: the names are compared as written (the page gives no other
/// spelling); another answers 400 `InvalidParameterException` (see [`refused`]).
pub const USER_SEARCH_FIELDS: [&str; 6] = [
    "Username",
    "FirstName",
    "LastName",
    "RoutingProfileId",
    "SecurityProfileId",
    "resourceId",
];

pub fn user_search_field(field: &str) -> Result<(), ApiError> {
    if USER_SEARCH_FIELDS.contains(&field) {
        Ok(())
    } else {
        Err(refused(format!(
            "StringCondition.FieldName {field} is not supported for users"
        )))
    }
}

/// Whether `held` satisfies a `StringCondition` of `comparison` with `wanted` (StringCondition:
/// `STARTS_WITH | CONTAINS | EXACT`; the member is optional there, and assumption: left out,
/// it is `EXACT`). `ignore_case` only for `Username` under [`UsernameMatch::IgnoreCase`];
/// assumption: every other field compares exactly, as AWS says nothing of case for them either.
/// Not enforced: UserSearchCriteria's note that "name and description fields support
/// "contains" queries with a minimum of 2 characters and a maximum of 25 characters. Any
/// queries with character lengths outside of this range will throw invalid results" (it does
/// not say which error, or that EXACT is bounded).
pub fn string_condition_holds(
    comparison: &str,
    held: &str,
    wanted: &str,
    ignore_case: bool,
) -> bool {
    let (held, wanted) = if ignore_case {
        (held.to_ascii_lowercase(), wanted.to_ascii_lowercase())
    } else {
        (held.to_owned(), wanted.to_owned())
    };
    match comparison {
        "STARTS_WITH" => held.starts_with(&wanted),
        "CONTAINS" => held.contains(&wanted),
        _ => held == wanted,
    }
}

// ---------------------------------------------------------------------------------------
// Routing profiles, security profiles and hierarchy groups: names
// ---------------------------------------------------------------------------------------

/// The kinds of named resource a user is assigned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    RoutingProfile,
    SecurityProfile,
    HierarchyGroup,
}

impl ResourceKind {
    /// As an error message names it.
    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::RoutingProfile => "routing profile",
            ResourceKind::SecurityProfile => "security profile",
            ResourceKind::HierarchyGroup => "hierarchy group",
        }
    }

    /// The model shape a name of this kind is checked against, if the model has one with
    /// constraints: `RoutingProfileName` (1 to 127 characters: `CreateRoutingProfile`'s and
    /// `UpdateRoutingProfileName`'s `Name`) and `CreateSecurityProfileName` (1 to 127
    /// characters of `^[ a-zA-Z0-9_@-]+$`: `CreateSecurityProfile`'s `SecurityProfileName`,
    /// kept in service-model.json for this). A hierarchy group's `HierarchyGroupName` has no
    /// constraint in the model: see [`hierarchy_group_name`].
    pub fn name_shape(self) -> Option<&'static str> {
        match self {
            ResourceKind::RoutingProfile => Some("RoutingProfileName"),
            ResourceKind::SecurityProfile => Some("CreateSecurityProfileName"),
            ResourceKind::HierarchyGroup => None,
        }
    }
}

/// Model doc, `CreateUserHierarchyGroupRequest.Name` and
/// `UpdateUserHierarchyGroupNameRequest.Name`: "Must not be more than 100 characters" (the
/// model's `HierarchyGroupName` carries no length). Assumption: at least one character (the
/// model gives no minimum; the console asks for a name). Counted in characters, as the
/// model's lengths are.
pub const MAX_HIERARCHY_GROUP_NAME: usize = 100;

pub fn hierarchy_group_name(name: &str) -> Result<(), ApiError> {
    let length = name.chars().count();
    if !(1..=MAX_HIERARCHY_GROUP_NAME).contains(&length) {
        return Err(refused(format!(
            "a hierarchy group name must be 1 to {MAX_HIERARCHY_GROUP_NAME} characters (it has {length})"
        )));
    }
    Ok(())
}

/// Whether two names of routing profiles, security profiles or hierarchy groups clash.
///
/// What AWS documents: nothing in prose. The operations that name these resources list 409
/// `DuplicateResourceException`, "A resource with the specified name already exists": the API
/// reference's CreateRoutingProfile and UpdateRoutingProfileName
/// (<https://docs.aws.amazon.com/connect/latest/APIReference/API_CreateRoutingProfile.html>,
/// `API_UpdateRoutingProfileName.html`), CreateSecurityProfile (`API_CreateSecurityProfile.html`;
/// a security profile has no rename operation: `UpdateSecurityProfile` takes no name), and
/// CreateUserHierarchyGroup and UpdateUserHierarchyGroupName
/// (`API_CreateUserHierarchyGroup.html`, `API_UpdateUserHierarchyGroupName.html`). None says
/// within what a name must be unique, or whether case counts. Assumptions, then:
/// - routing profiles and security profiles: unique in the instance, each kind on its own;
/// - hierarchy groups: unique among the groups that share a parent (on level one, among the
///   level-one groups). The admin guide (agent-hierarchy.html) and the API reference say
///   nothing of names across levels or under different parents, so the emulator allows the
///   same name there (a level-one "Support" and a level-two "Support");
/// - names compare exactly (`Agent` and `agent` do not clash).
pub fn same_resource_name(a: &str, b: &str) -> bool {
    a == b
}

/// The answer to a name [`same_resource_name`] finds taken: 409 `DuplicateResourceException`,
/// in the error lists named there (the wording is ours).
pub fn duplicate_resource(kind: ResourceKind, name: &str) -> ApiError {
    ApiError {
        status: 409,
        code: "DuplicateResourceException",
        message: format!("A {} named {name} already exists", kind.label()),
    }
}

/// A hierarchy group's level, 1 to 5 (admin guide, agent-hierarchy.html: "You can specify up
/// to 5 levels"). Error code and wording: our assumption (see [`refused`]).
pub fn hierarchy_level(level: u8) -> Result<(), ApiError> {
    if (1..=5).contains(&level) {
        Ok(())
    } else {
        Err(refused(format!(
            "a hierarchy group's level is 1 to 5, not {level}"
        )))
    }
}
