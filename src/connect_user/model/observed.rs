//! The user as Connect holds it: what `DescribeUser` (and `ListUserProficiencies`) answer,
//! normalised like [`UserSpec`](super::UserSpec) so that the plan can compare the two field by
//! field.

use std::collections::{BTreeMap, BTreeSet};

use super::channels::{ChannelConfigs, ListedChannels, PhoneConfig};
use super::proficiencies::ObservedProficiencies;
use super::user::IdentityInfo;

/// The user as `DescribeUser` shows it, normalised like [`UserSpec`](super::UserSpec).
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedUser {
    pub id: String,
    pub arn: String,
    pub username: String,
    pub identity_info: IdentityInfo,
    pub phone_config: Option<PhoneConfig>,
    /// Every channel's settings, normalised like [`UserSpec::channels`](super::UserSpec::channels).
    pub channels: ChannelConfigs,
    /// The channels each per-channel list named, defaults included: an update sends them all.
    pub listed_channels: ListedChannels,
    pub directory_user_id: Option<String>,
    pub hierarchy_group_id: Option<String>,
    pub routing_profile_id: String,
    pub security_profile_ids: BTreeSet<String>,
    /// All tags, the ownership tag included.
    pub tags: BTreeMap<String, String>,
    /// From `ListUserProficiencies`, read only when the template manages proficiencies.
    pub proficiencies: Option<ObservedProficiencies>,
}

impl ObservedUser {
    pub fn reference(&self) -> UserRef {
        UserRef {
            id: self.id.clone(),
            arn: self.arn.clone(),
        }
    }
}

/// A user's id and ARN: what `CreateUser` answers, and what a change is applied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRef {
    pub id: String,
    pub arn: String,
}
