//! The seam between the resource and Amazon Connect: the few calls the resource makes, in
//! domain types. [`super::sdk`] implements it with aws-sdk-connect; tests can drive the
//! resource through the real SDK against the emulator, and the plan needs neither.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use super::channels::{ChannelConfigs, ListedChannels};
use super::plan::Change;
use super::proficiencies::ObservedProficiencies;
use super::spec::{IdentityInfo, PhoneConfig, Secret, UserSpec};

/// The user as `DescribeUser` shows it, normalised like [`UserSpec`].
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedUser {
    pub id: String,
    pub arn: String,
    pub username: String,
    pub identity_info: IdentityInfo,
    pub phone_config: Option<PhoneConfig>,
    /// Every channel's settings, normalised like [`UserSpec::channels`].
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

/// How the resource reacts to an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The user (or instance) does not exist.
    NotFound,
    /// The username is taken.
    Duplicate,
    /// Throttling, a 5xx, a timeout or a broken connection: worth another try.
    Retryable,
    /// Anything else: the request itself is wrong.
    Other,
}

/// A failed Connect call. The `Display` text goes into FAILED reasons, as
/// `CreateUser: ResourceNotFoundException: routing profile … not found`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation}: {code}: {message}")]
pub struct ApiError {
    pub operation: &'static str,
    pub code: String,
    pub message: String,
    pub kind: ErrorKind,
}

/// The Connect calls the resource makes.
pub trait ConnectApi: Send + Sync + 'static {
    /// `CreateUser` with everything in `spec` but its proficiencies, with `password`, and with
    /// its tags plus `extra_tags`.
    fn create_user(
        &self,
        spec: &UserSpec,
        password: Option<&Secret>,
        extra_tags: &BTreeMap<String, String>,
    ) -> impl Future<Output = Result<UserRef, ApiError>> + Send;

    /// `DescribeUser`.
    fn describe_user(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> impl Future<Output = Result<ObservedUser, ApiError>> + Send;

    /// The id of the user called `username`, through `ListUsers`.
    fn find_user_id(
        &self,
        instance_id: &str,
        username: &str,
    ) -> impl Future<Output = Result<Option<String>, ApiError>> + Send;

    /// Every proficiency of the user, through `ListUserProficiencies`.
    fn list_proficiencies(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> impl Future<Output = Result<ObservedProficiencies, ApiError>> + Send;

    /// `DeleteUser`.
    fn delete_user(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// The one call that makes `change`.
    fn apply(
        &self,
        instance_id: &str,
        user: &UserRef,
        change: &Change,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
}
