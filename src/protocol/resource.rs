//! The seam between the protocol and a resource implementation.
//!
//! A resource turns a typed request into work and answers with a physical id and `Data`, or
//! with a [`ResourceError`] whose text is shown to the person reading the stack events. The
//! protocol layer owns everything else: parsing, deadlines, panics, the answer and its PUT.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Instant;

use super::event::{Properties, RequestIdentity};

/// What a successful operation answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub physical_id: String,
    pub data: BTreeMap<String, String>,
}

/// A failed operation: `reason` is the FAILED reason, written for a person, never holding a
/// secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct ResourceError {
    pub reason: String,
    /// Set when a failed Create still left something behind that the resource could not
    /// remove: the FAILED answer carries this id, so CloudFormation's rollback Delete removes
    /// it. `None` answers with the failed-Create marker, which names nothing.
    pub physical_id: Option<String>,
}

impl ResourceError {
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            physical_id: None,
        }
    }

    pub fn with_physical_id(mut self, physical_id: String) -> Self {
        self.physical_id = Some(physical_id);
        self
    }
}

/// Everything a resource operation may need to know about the request besides properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub identity: RequestIdentity,
    /// When the guard will cut the operation off: retries should give up a little before it,
    /// so that the FAILED reason names the last error rather than just "timed out".
    pub work_deadline: Instant,
}

/// A custom resource. Implementations must be idempotent per request identity: Lambda may
/// deliver the same event twice.
pub trait Resource: Send + Sync + 'static {
    fn create(
        &self,
        context: Context,
        properties: Properties,
    ) -> impl Future<Output = Result<Outcome, ResourceError>> + Send;

    fn update(
        &self,
        context: Context,
        physical_id: String,
        new: Properties,
        old: Properties,
    ) -> impl Future<Output = Result<Outcome, ResourceError>> + Send;

    /// Deletes the resource. A resource that is already gone is a success.
    fn delete(
        &self,
        context: Context,
        physical_id: String,
        properties: Properties,
    ) -> impl Future<Output = Result<(), ResourceError>> + Send;
}
