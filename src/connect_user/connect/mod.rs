//! The Connect port: the few calls the resource makes, in domain types, and how they fail.
//!
//! [`sdk::SdkConnect`] implements it over aws-sdk-connect (with [`convert`] and [`channels`]
//! translating between the SDK's types and the model). Unit tests drive the same adapter
//! against the Connect emulator's rules in memory; the plan needs neither.

pub mod channels;
pub mod convert;
#[cfg(test)]
pub mod memory;
mod profiles;
pub mod sdk;

use std::future::Future;

use super::model::ids::Kind;
use super::model::{ObservedProficiencies, ObservedUser, UserRef};
use super::plan::{Change, NewUser};
use crate::retry::Transient;

/// How the resource reacts to an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The user (or instance) does not exist.
    NotFound,
    /// The username is taken.
    Duplicate,
    /// Throttling, a 5xx, a timeout or a broken connection: worth another try.
    Retryable,
    /// Cut off by the resource where the clean-up reserve begins, without an answer
    /// (`resource::calls`): the call may have been made; only time ran out.
    CutOff,
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

/// A routing profile, security profile or hierarchy group as a List operation summarises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub id: String,
    pub name: String,
}

/// One page of a List operation, and where the next begins.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    pub summaries: Vec<Summary>,
    pub next_token: Option<String>,
}

/// The List operation that summarises the instance's resources of `kind`.
pub fn list_operation(kind: Kind) -> &'static str {
    match kind {
        Kind::RoutingProfile => "ListRoutingProfiles",
        Kind::SecurityProfile => "ListSecurityProfiles",
        Kind::HierarchyGroup => "ListUserHierarchyGroups",
    }
}

/// The most summaries one List call returns: the model's `MaxResult1000` for
/// ListRoutingProfiles, ListSecurityProfiles and ListUserHierarchyGroups.
pub const LIST_PAGE_SIZE: i32 = 1000;

/// The Connect calls the resource makes.
pub trait ConnectApi: Send + Sync + 'static {
    /// `CreateUser`.
    fn create_user(&self, user: &NewUser)
        -> impl Future<Output = Result<UserRef, ApiError>> + Send;

    /// `DescribeUser`.
    fn describe_user(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> impl Future<Output = Result<ObservedUser, ApiError>> + Send;

    /// The id of the user called `username`, in one `SearchUsers` call (an exact `Username`
    /// condition; names compared regardless of case). AWS does not document how soon a new
    /// user shows in a search, so `None` does not prove there is none: see
    /// [`ConnectApi::list_users_for_id`].
    fn search_users_for_id(
        &self,
        instance_id: &str,
        username: &str,
    ) -> impl Future<Output = Result<Option<String>, ApiError>> + Send;

    /// The id of the user called `username`, through `ListUsers`: every page if need be
    /// (1,000 users a call), but it shows a user the moment it exists.
    fn list_users_for_id(
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

    /// One page ([`LIST_PAGE_SIZE`] at most) of the instance's resources of `kind`
    /// ([`list_operation`]), from `next_token` (`None`: the first page). One call, so that each
    /// page is retried on its own.
    fn list_page(
        &self,
        instance_id: &str,
        kind: Kind,
        next_token: Option<&str>,
    ) -> impl Future<Output = Result<Page, ApiError>> + Send;

    /// The level (`LevelId`) of a hierarchy group, through `DescribeUserHierarchyGroup`.
    fn hierarchy_group_level(
        &self,
        instance_id: &str,
        group_id: &str,
    ) -> impl Future<Output = Result<String, ApiError>> + Send;

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

impl Transient for ApiError {
    fn is_retryable(&self) -> bool {
        self.kind == ErrorKind::Retryable
    }

    fn gave_up(&mut self, attempts: u32) {
        self.message = format!(
            "{} (gave up after {attempts} attempts, before the deadline)",
            self.message
        );
    }
}
