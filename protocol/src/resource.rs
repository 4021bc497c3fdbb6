//! The seam between the protocol and a resource implementation.
//!
//! A resource turns a typed request into work and answers with a physical id and `Data`, or
//! with a [`ResourceError`] whose text is shown to the person reading the stack events. The
//! protocol layer owns everything else: parsing, deadlines, panics, the answer and its PUT.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::time::Instant;

use super::event::{Properties, RequestIdentity};
use crate::retry::Pace;

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
    /// The operation stopped only because its time ran out (calls still throttled, say), and
    /// nothing refused it: the same request, delivered again, goes on safely from where
    /// Connect stands. The protocol then hands it to another invocation where it can
    /// ([`super::continuation`]).
    pub resumable: bool,
}

impl ResourceError {
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            resumable: false,
        }
    }

    /// A failure that another invocation of the same request may get past (see
    /// [`ResourceError::resumable`]).
    pub fn resumable(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            resumable: true,
        }
    }
}

/// What the request has done so far, shared with the protocol layer while the operation runs.
///
/// Two things, both carried to the request's next invocation when only time ran out
/// ([`super::continuation`]):
/// - What a Create made. A Create that fails (or is cut off by the deadline guard, or panics)
///   after making its resource answers FAILED with the id recorded here instead of the
///   failed-Create marker, so that CloudFormation's rollback Delete removes the resource
///   rather than leaving it behind with no stack to own it. A resource records the id as soon
///   as the resource exists, and forgets it once it has removed the resource itself.
/// - A checkpoint: where the work stands, in the resource's own terms (the protocol never
///   reads it), so that the next invocation goes on from there instead of reading again what
///   this one already read. Under a shared throttle every read costs the whole herd time.
#[derive(Debug, Clone, Default)]
pub struct Progress(Arc<Mutex<Saved>>);

#[derive(Debug, Clone, Default)]
struct Saved {
    made: Option<String>,
    checkpoint: Option<Value>,
}

impl Progress {
    /// Progress as an earlier invocation of the request left it.
    pub fn resumed(made: Option<String>, checkpoint: Option<Value>) -> Self {
        Self(Arc::new(Mutex::new(Saved { made, checkpoint })))
    }

    pub fn record(&self, physical_id: String) {
        self.slot().made = Some(physical_id);
    }

    pub fn forget(&self) {
        self.slot().made = None;
    }

    pub fn recorded(&self) -> Option<String> {
        self.slot().made.clone()
    }

    /// Replaces the checkpoint (see [`Progress`]).
    pub fn save_checkpoint(&self, checkpoint: Value) {
        self.slot().checkpoint = Some(checkpoint);
    }

    pub fn clear_checkpoint(&self) {
        self.slot().checkpoint = None;
    }

    pub fn checkpoint(&self) -> Option<Value> {
        self.slot().checkpoint.clone()
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Saved> {
        // A panic while holding the lock leaves plain data behind: still meaningful.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Everything a resource operation may need to know about the request besides properties.
#[derive(Debug, Clone)]
pub struct Context {
    pub identity: RequestIdentity,
    /// When the guard will cut the operation off: retries should give up a little before it,
    /// so that the FAILED reason names the last error rather than just "timed out".
    pub work_deadline: Instant,
    /// What the request has made and where its work stands (see [`Progress`]).
    pub progress: Progress,
    /// Who removes what a failed Create recorded, so that a reason can say so truthfully.
    pub failed_create_cleanup: FailedCreateCleanup,
    /// How far this request has backed off so far: every call of the request retries on it
    /// ([`crate::retry::Retry::run_counted`]).
    pub pace: Pace,
}

/// Who removes the resource a failed Create made and recorded in its [`Progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailedCreateCleanup {
    /// CloudFormation's rollback Delete, for the id the FAILED answer names (`put` mode).
    #[default]
    RollbackDeletes,
    /// This function, before its invocation fails (`return` mode: the Provider framework
    /// answers with its own marker and never sends that Delete).
    DeletedHere,
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
