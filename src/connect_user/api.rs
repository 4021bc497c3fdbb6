//! The seam between the resource and Amazon Connect: the few calls the resource makes, in
//! domain types. [`super::sdk`] implements it with aws-sdk-connect; tests can drive the
//! resource through the real SDK against the emulator, and the plan needs neither.

use std::collections::BTreeMap;
use std::future::Future;

use super::model::{ObservedProficiencies, ObservedUser, Secret, UserRef, UserSpec};
use super::plan::Change;
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
