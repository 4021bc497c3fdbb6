//! The user as the template wants it: typed, validated, normalised.
//!
//! Normalised means comparable with what `DescribeUser` returns: ids rather than ARNs, security
//! profiles as a set, absent booleans as `false` and an absent time limit as `0` (the SDK omits
//! those on the wire, so Connect stores them as such).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::channels::{ChannelConfigs, PhoneConfig};
use super::ownership::OWNERSHIP_TAG;
use super::proficiencies::Proficiencies;
use super::rules::{tag_key_problem, MAX_TAGS_PER_RESOURCE, MAX_TAG_VALUE_CHARS};

/// A secret value (the password). Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The value itself, for the one API call that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Where the initial password comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// `Password`, written in the template.
    Literal(Secret),
    /// `PasswordSecretArn`: read from Secrets Manager when the user is created. The secret is
    /// the password itself, or JSON holding it under `key`.
    SecretsManager { arn: String, key: String },
}

/// `IdentityInfo`, normalised: an absent field is `None`, and so is an empty string.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityInfo {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub secondary_email: Option<String>,
    pub mobile: Option<String>,
}

impl fmt::Debug for IdentityInfo {
    // Names and emails are personal data, marked sensitive in Connect's model: not for logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdentityInfo(<redacted>)")
    }
}

/// `RoutingProfileName`, `SecurityProfileNames` and `HierarchyGroupName`: each the alternative
/// to its id property, so that one template serves every instance (Connect gives its built-in
/// profiles new ids in each). A name is the whole name exactly as Connect holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileNames {
    pub routing_profile: Option<String>,
    pub security_profiles: Option<BTreeSet<String>>,
    /// Never empty: `HierarchyGroupName: ""` means no group, as `HierarchyGroupId: ""` does.
    pub hierarchy_group: Option<String>,
}

impl ProfileNames {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Everything a `Custom::ConnectUser` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSpec {
    /// The bare instance id, even when an ARN was given.
    pub instance_id: String,
    pub name: String,
    pub password: Option<PasswordSource>,
    pub directory_user_id: Option<String>,
    pub hierarchy_group_id: Option<String>,
    /// `IdentityInfo`, managed whole when the template gives it; `None` when the template
    /// leaves it out, and the identity stays as Connect holds it (on an existing-directory
    /// instance the names and email come from the directory and cannot be set at all).
    pub identity_info: Option<IdentityInfo>,
    /// `PhoneConfig`, complete, when the template sets channels through it alone; `None` when
    /// it uses per-channel settings, which are then sent through `UpdateUserConfig`.
    pub phone_config: Option<PhoneConfig>,
    /// Every channel's settings as the template wants them, `PhoneConfig` folded in.
    pub channels: ChannelConfigs,
    /// `UserProficiencies`; `None` when the template does not manage them.
    pub proficiencies: Option<Proficiencies>,
    pub routing_profile_id: String,
    pub security_profile_ids: BTreeSet<String>,
    /// The profiles and group the template gives by name. They are resolved to ids in the
    /// instance before anything else (`resource::names`); until then the id fields they stand
    /// for hold nothing.
    pub names: ProfileNames,
    /// The template's tags, without the ownership tag.
    pub tags: BTreeMap<String, String>,
    /// `AdoptExistingUser`: a Create (or a replacing Update) takes over a same-name user that
    /// no other resource manages, and the resource's Delete releases rather than deletes it.
    pub adopt_existing: bool,
}

/// The tags a user may carry besides the ownership tag: `Tags` and `DEFAULT_TAGS` share them.
pub const MAX_USER_TAGS: usize = MAX_TAGS_PER_RESOURCE - 1;

/// Why a tag of the user's own (from `Tags` or `DEFAULT_TAGS`) is not allowed, if it is not:
/// AWS's key rule ([`tag_key_problem`]), the key this resource keeps for itself, then AWS's
/// value length ([`MAX_TAG_VALUE_CHARS`]).
pub fn user_tag_problem(key: &str, value: &str) -> Option<String> {
    if let Some(problem) = tag_key_problem(key) {
        return Some(problem.to_owned());
    }
    if key == OWNERSHIP_TAG {
        return Some(format!("key {OWNERSHIP_TAG} is reserved by this resource"));
    }
    (value.chars().count() > MAX_TAG_VALUE_CHARS)
        .then(|| format!("value must be at most {MAX_TAG_VALUE_CHARS} characters"))
}
