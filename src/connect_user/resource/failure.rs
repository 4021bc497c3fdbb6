//! Every way a Create, Update or Delete of a Connect user fails, and the FAILED reason each
//! one gives: the only place that words them.
//!
//! CloudFormation shows the reason to whoever deploys the stack, so each says what happened,
//! what was left where, and what to do; none ever holds a password.

use thiserror::Error;

use super::identity_hints;
use super::names::NameProblem;
use crate::connect_user::connect::{ApiError, ErrorKind};
use crate::connect_user::model::ownership::NameHolder;
use crate::connect_user::model::{DefaultTagsError, IdentityInfo, Manager, OWNERSHIP_TAG};
use crate::connect_user::password::PasswordError;
use crate::connect_user::plan::PlanError;
use crate::connect_user::properties::InvalidProperties;
use crate::protocol::resource::{FailedCreateCleanup, ResourceError};

/// Why a Create, Update or Delete of a Connect user failed; its `Display` is the FAILED
/// reason, and [`ResourceError`] is what the protocol layer sees of it.
#[derive(Debug, Error)]
pub enum ConnectUserError {
    /// The properties are invalid: every property at fault is named.
    #[error("{0}")]
    Invalid(#[from] InvalidProperties),
    /// Names that do not resolve to exactly one profile or group: each is named.
    #[error("{}", unresolved(.0))]
    Unresolved(Vec<NameProblem>),
    /// The password could not be read.
    #[error("{0}")]
    Password(#[from] PasswordError),
    /// The update is not possible (for instance a changed `DirectoryUserId`).
    #[error("{0}")]
    Plan(#[from] PlanError),
    /// A Connect call failed.
    #[error("{0}")]
    Call(#[from] ApiError),
    /// Connect refused a call whose content the identity rules may explain.
    #[error("{error}; {hint}")]
    Refused { error: ApiError, hint: String },
    /// `DEFAULT_TAGS` is broken: no Create or Update can know the user's tags.
    #[error("{0}")]
    DefaultTags(#[from] DefaultTagsError),
    /// The username belongs to a user this request may not take.
    #[error("{}", name_taken(name, instance, user_id, holder))]
    NameTaken {
        name: String,
        instance: String,
        user_id: String,
        holder: NameHolder,
    },
    /// `AdoptExistingUser` found a user whose `DirectoryUserId` is not the template's.
    #[error("DirectoryUserId {wanted} is not the DirectoryUserId of the existing user {name} (id {user_id}, DirectoryUserId {actual}); it was not adopted and was left untouched")]
    AdoptedDirectoryUserId {
        name: String,
        user_id: String,
        wanted: String,
        actual: String,
    },
    /// Another resource claimed the user at the same moment as this adoption, and won.
    #[error("user {name} (id {user_id}) was claimed by {winner} at the same moment; it is left to that resource, and this resource did not adopt it")]
    ClaimLost {
        name: String,
        user_id: String,
        winner: String,
    },
    /// The user to adopt already carries Connect's 50 tags: the claim has no room.
    #[error("user {name} (id {user_id}) already carries 50 tags, Connect's limit, so this resource cannot write its claim; it was not adopted and was left untouched. Remove a tag from the user, then retry")]
    NoRoomForClaim { name: String, user_id: String },
    /// Work cut off where the clean-up reserve begins, so that the clean-up can still run.
    #[error("{0} did not finish in the time kept free for cleaning up")]
    Unfinished(&'static str),
    /// An adoption failed after the claim: the claim is withdrawn, or says why not.
    #[error("{error}; the user (id {user_id}) was not adopted: {withdrawal}")]
    AdoptionFailed {
        error: Box<ConnectUserError>,
        user_id: String,
        withdrawal: String,
    },
    /// An Update found its user managed by another resource now (handed over).
    #[error("user {user_id} is managed by {manager} now (it was handed over), so this resource changes nothing; remove it from this stack (its Delete leaves the user), or remove the user's tag {OWNERSHIP_TAG} and adopt it back with AdoptExistingUser")]
    HandedOver { user_id: String, manager: Manager },
    /// `CreateUser` was cut off, yet made the user.
    #[error("{error}; the call made the user all the same: {left_behind}")]
    MadeAnyway {
        error: ApiError,
        left_behind: LeftBehind,
    },
    /// A step after `CreateUser` failed and the user was deleted again.
    #[error("{error}; the user was deleted again, so nothing is left behind")]
    CleanedUp { error: ApiError },
    /// A step after `CreateUser` failed and deleting the user failed too.
    #[error("{error}; deleting the user again failed too ({delete}): {left_behind}")]
    CleanupFailed {
        error: ApiError,
        delete: ApiError,
        left_behind: LeftBehind,
    },
    /// An update call failed after `done` of `total` changes were made.
    #[error("{refusal} ({done} of {total} changes were made before it; the next Update or rollback converges the rest)")]
    PartlyConverged {
        refusal: Box<ConnectUserError>,
        done: usize,
        total: usize,
    },
    /// A state the code should never reach.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// The reason a Create gives when the name is taken by a user it may not take.
fn name_taken(name: &str, instance: &str, user_id: &str, holder: &NameHolder) -> String {
    let user = format!("a user named {name} already exists in instance {instance} (id {user_id})");
    match holder {
        NameHolder::Adoptable => format!(
            "{user} and was not created by this request; it was left untouched. Choose another Name, delete that user first, or set AdoptExistingUser to \"true\" to bring it under this resource"
        ),
        NameHolder::Unnamed => format!(
            "{user} and is managed by another resource of this function (its tag {OWNERSHIP_TAG} holds the RequestId of the Create that made it); it was left untouched. Choose another Name"
        ),
        NameHolder::Other(manager) => format!(
            "{user} and is managed by {manager}; it was left untouched. Choose another Name, or hand the user over: remove it from that stack, or remove its tag {OWNERSHIP_TAG}, then adopt it here"
        ),
    }
}

impl ConnectUserError {
    /// A refused call, with the identity rules that may explain it when there are any.
    pub fn refusal(error: ApiError, identity: Option<&IdentityInfo>) -> Self {
        match identity_hints::refusal_hint(&error, identity) {
            Some(hint) => ConnectUserError::Refused { error, hint },
            None => ConnectUserError::Call(error),
        }
    }
}

impl ConnectUserError {
    /// Whether only time ran out: every call that failed was still worth another try when
    /// the deadline came, and nothing refused the request or is left half-done that a
    /// redelivery could not pick up (Create is resumable through the reserved tag, Update and
    /// Delete converge on what Connect holds). A user made and then not deleted again is not
    /// such a state: [`ConnectUserError::CleanupFailed`] is final.
    pub fn is_resumable(&self) -> bool {
        match self {
            ConnectUserError::Call(error)
            | ConnectUserError::Refused { error, .. }
            | ConnectUserError::CleanedUp { error }
            | ConnectUserError::MadeAnyway { error, .. } => ran_out_of_time(error),
            ConnectUserError::Unfinished(_) => true,
            ConnectUserError::Password(error) => crate::retry::Transient::is_retryable(error),
            ConnectUserError::AdoptionFailed { error, .. } => error.is_resumable(),
            ConnectUserError::PartlyConverged { refusal, .. } => refusal.is_resumable(),
            _ => false,
        }
    }
}

/// The reason for names that do not resolve: every problem, and that the lookup came before
/// any change (an earlier invocation of the same request may have made some).
fn unresolved(problems: &[NameProblem]) -> String {
    let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
    format!(
        "{}; no change was made after the names were looked up",
        listed.join("; ")
    )
}

/// A call that failed only because the time ran out: it gave up while still retryable, or
/// was cut off where the clean-up reserve begins.
fn ran_out_of_time(error: &ApiError) -> bool {
    matches!(error.kind, ErrorKind::Retryable | ErrorKind::CutOff)
}

impl From<ConnectUserError> for ResourceError {
    fn from(failure: ConnectUserError) -> Self {
        let resumable = failure.is_resumable();
        ResourceError {
            reason: failure.to_string(),
            resumable,
        }
    }
}

/// A user made and not removed, and who will remove it: it depends on why it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeftBehind {
    /// By a Create: its FAILED answer names the user, so CloudFormation's rollback Delete
    /// removes it — or, where the Provider framework sends no such Delete, the function
    /// removes it before failing (`by`).
    Create {
        physical_id: String,
        by: FailedCreateCleanup,
    },
    /// By a replacing Update: its FAILED answer must echo the old id, so nothing will delete
    /// the new user.
    Replace { physical_id: String },
}

impl std::fmt::Display for LeftBehind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LeftBehind::Create {
                physical_id,
                by: FailedCreateCleanup::RollbackDeletes,
            } => write!(
                f,
                "this answer names it ({physical_id}), so CloudFormation's rollback Delete removes it"
            ),
            LeftBehind::Create {
                physical_id,
                by: FailedCreateCleanup::DeletedHere,
            } => write!(
                f,
                "it ({physical_id}) is left to the clean-up this function makes before it fails"
            ),
            LeftBehind::Replace { physical_id } => write!(
                f,
                "the new user {physical_id} is left behind, its tag {OWNERSHIP_TAG} naming this request; delete it before retrying"
            ),
        }
    }
}
