//! `Custom::ConnectUser`: the Connect user resource behind the protocol's [`Resource`] seam.
//!
//! Create makes one `CreateUser` call carrying everything, tags and the ownership tag
//! included, then `AssociateUserProficiencies` if the template lists any; if that fails, the
//! user is deleted again so that a failed Create leaves nothing behind. A password from
//! `PasswordSecretArn` is read just before `CreateUser`. The ownership tag (its value is the CloudFormation RequestId) is how a Create
//! tells its own user from somebody else's when the username is already taken: a redelivered
//! or retried Create adopts the user it made; any other same-name user is left alone and the
//! Create fails. Update converges the user on the properties (see [`super::plan`]) and never
//! deletes anything; Delete treats a user that is already gone as deleted.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::time::Instant;

use serde_json::Value;

use super::connect::{ApiError, ConnectApi, ErrorKind};
use super::identity;
use super::model::{ObservedUser, PhysicalId, UserRef, UserSpec, OWNERSHIP_TAG};
use super::password::{self, SecretStore};
use super::plan::{self, Change, Plan, Replacement};
use super::properties;
use crate::protocol::deadline::{before_cleanup, CALL_RETRY};
use crate::protocol::event::Properties;
use crate::protocol::resource::{Context, Outcome, Resource, ResourceError};
use crate::protocol::response::cut_to_bytes;
use crate::retry::Retry;

/// The Connect user resource over a [`ConnectApi`], reading password secrets from `S`.
pub struct ConnectUserResource<A, S> {
    api: A,
    secrets: S,
    retry: Retry,
}

impl From<ApiError> for ResourceError {
    fn from(error: ApiError) -> Self {
        ResourceError::new(error.to_string())
    }
}

impl From<properties::InvalidProperties> for ResourceError {
    fn from(error: properties::InvalidProperties) -> Self {
        ResourceError::new(error.to_string())
    }
}

/// The ownership tag's value for this request: its RequestId, within a tag value's 256 bytes.
fn ownership_value(context: &Context) -> String {
    cut_to_bytes(&context.identity.request_id, 256)
}

fn outcome(instance_id: &str, user_id: &str, arn: &str) -> Outcome {
    Outcome {
        physical_id: PhysicalId::new(instance_id, user_id).to_string(),
        data: BTreeMap::from([
            ("Arn".to_owned(), arn.to_owned()),
            ("UserId".to_owned(), user_id.to_owned()),
        ]),
    }
}

impl<A: ConnectApi, S: SecretStore> ConnectUserResource<A, S> {
    pub fn new(api: A, secrets: S) -> Self {
        Self::with_retry(api, secrets, CALL_RETRY)
    }

    pub fn with_retry(api: A, secrets: S, retry: Retry) -> Self {
        Self {
            api,
            secrets,
            retry,
        }
    }

    /// Creates the user, or adopts the one this very request created before.
    async fn create_owned(
        &self,
        spec: &UserSpec,
        context: &Context,
        purpose: Purpose,
    ) -> Result<Outcome, ResourceError> {
        let ownership = BTreeMap::from([(OWNERSHIP_TAG.to_owned(), ownership_value(context))]);
        let deadline = context.work_deadline;
        let password = self
            .retry
            .run(deadline, || {
                password::resolve(&self.secrets, spec.password.as_ref())
            })
            .await
            .map_err(|e| ResourceError::new(e.to_string()))?;
        // CreateUser must answer while the clean-up reserve remains, so that a call cut off in
        // flight can still be looked for (it may have made the user all the same).
        let request = plan::new_user(spec, password, &ownership);
        let create = self.run_before(before_cleanup(deadline), "CreateUser", || {
            self.api.create_user(&request)
        });
        match create.await {
            Err(error) if error.code == TIMEOUT => {
                if let Ok(Owner::Us(user)) = self.who_has_the_name(spec, context).await {
                    let physical_id = PhysicalId::new(&spec.instance_id, &user.id).to_string();
                    context.progress.record(physical_id.clone());
                    return Err(ResourceError::new(format!(
                        "{error}; the call made the user all the same: {}",
                        purpose.left_behind(&physical_id)
                    )));
                }
                Err(error.into())
            }
            Ok(created) => {
                tracing::info!(user_id = %created.id, "user created");
                let physical_id = PhysicalId::new(&spec.instance_id, &created.id).to_string();
                context.progress.record(physical_id);
                self.associate_proficiencies(spec, &created, context, purpose)
                    .await?;
                Ok(outcome(&spec.instance_id, &created.id, &created.arn))
            }
            Err(error) if error.kind == ErrorKind::Duplicate => {
                self.adopt_if_ours(spec, context, error).await
            }
            Err(error) => Err(refusal(&error, spec)),
        }
    }

    /// Associates the proficiencies of a user just created; if that fails, deletes the user
    /// so that the failed Create leaves nothing behind. The association must finish by
    /// [`before_cleanup`], so that the delete has time to run. Should the
    /// delete fail too (or the deadline cut either off), the user stays recorded in the
    /// Create's progress, so the FAILED answer names it and CloudFormation's rollback Delete
    /// removes it.
    async fn associate_proficiencies(
        &self,
        spec: &UserSpec,
        created: &UserRef,
        context: &Context,
        purpose: Purpose,
    ) -> Result<(), ResourceError> {
        let Some(wanted) = spec.proficiencies.as_ref().filter(|p| !p.is_empty()) else {
            return Ok(());
        };
        let change = Change::AssociateProficiencies(wanted.clone());
        let instance = spec.instance_id.as_str();
        let associate_by = before_cleanup(context.work_deadline);
        let attempts = AtomicU32::new(0);
        let associate = self.run_before(associate_by, "AssociateUserProficiencies", || {
            attempts.fetch_add(1, Ordering::Relaxed);
            self.api.apply(instance, created, &change)
        });
        let error = match associate.await {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        // A retried association whose first answer was lost can fail as "already associated":
        // if Connect holds every proficiency asked for, the Create has what it wanted. Only a
        // retried call can be in that state, and only time before the reserve may be spent.
        let retried = attempts.load(Ordering::Relaxed) > 1;
        if retried && Instant::now() < associate_by {
            let listing = self.run_before(associate_by, "ListUserProficiencies", || {
                self.api.list_proficiencies(instance, &created.id)
            });
            if let Ok(listed) = listing.await {
                let missing = plan::proficiencies::changes(wanted, &listed);
                if missing.associate.is_empty() && missing.update.is_empty() {
                    tracing::info!(error = %error, "the proficiencies are associated after all");
                    return Ok(());
                }
            }
        }
        tracing::warn!(error = %error, "proficiencies refused; deleting the user just created");
        match self
            .retry
            .run(context.work_deadline, || {
                self.api.delete_user(instance, &created.id)
            })
            .await
        {
            Err(delete) if delete.kind != ErrorKind::NotFound => {
                let physical_id = PhysicalId::new(instance, &created.id).to_string();
                Err(ResourceError::new(format!(
                    "{error}; deleting the user again failed too ({delete}): {}",
                    purpose.left_behind(&physical_id)
                )))
            }
            _ => {
                context.progress.forget();
                Err(ResourceError::new(format!(
                    "{error}; the user was deleted again, so nothing is left behind"
                )))
            }
        }
    }

    /// Runs `call` with retries, all of it before `by`: a call still running then fails as
    /// a timeout, so that the time after `by` stays free for cleaning up.
    async fn run_before<T, F, Fut>(
        &self,
        by: Instant,
        operation: &'static str,
        call: F,
    ) -> Result<T, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        tokio::time::timeout_at(by, self.retry.run(by, call))
            .await
            .unwrap_or_else(|_| {
                Err(ApiError {
                    operation,
                    code: TIMEOUT.into(),
                    message: "no answer in the time kept free for cleaning up".into(),
                    kind: ErrorKind::Other,
                })
            })
    }

    /// `DescribeUser`.
    async fn describe(
        &self,
        instance: &str,
        user_id: &str,
        context: &Context,
    ) -> Result<ObservedUser, ApiError> {
        self.retry
            .run(context.work_deadline, || {
                self.api.describe_user(instance, user_id)
            })
            .await
    }

    /// Adds the user's proficiencies (`ListUserProficiencies`) when the spec manages them.
    async fn list_managed_proficiencies(
        &self,
        spec: &UserSpec,
        user: &mut ObservedUser,
        context: &Context,
    ) -> Result<(), ApiError> {
        if spec.proficiencies.is_some() {
            let (instance, user_id) = (spec.instance_id.as_str(), user.id.as_str());
            let listed = self
                .retry
                .run(context.work_deadline, || {
                    self.api.list_proficiencies(instance, user_id)
                })
                .await?;
            user.proficiencies = Some(listed);
        }
        Ok(())
    }

    /// The username is taken: adopt the user if this request created it, else refuse.
    async fn adopt_if_ours(
        &self,
        spec: &UserSpec,
        context: &Context,
        duplicate: ApiError,
    ) -> Result<Outcome, ResourceError> {
        let instance = spec.instance_id.as_str();
        let mut user = match self.who_has_the_name(spec, context).await? {
            Owner::Us(user) => *user,
            Owner::Nobody => return Err(duplicate.into()),
            Owner::Someone => {
                return Err(ResourceError::new(format!(
                    "a user named {} already exists in instance {instance} and was not created by this request; it was left untouched. Choose another Name, or delete that user first",
                    spec.name
                )))
            }
        };
        tracing::info!(user_id = %user.id, "adopting the user this request created in an earlier delivery");
        context
            .progress
            .record(PhysicalId::new(instance, &user.id).to_string());
        self.list_managed_proficiencies(spec, &mut user, context)
            .await?;
        self.converge(spec, &user, &plan::changes(spec, &user), context)
            .await?;
        Ok(outcome(instance, &user.id, &user.arn))
    }

    /// Who holds the spec's username: nobody, this very request (by the ownership tag), or
    /// someone else.
    async fn who_has_the_name(
        &self,
        spec: &UserSpec,
        context: &Context,
    ) -> Result<Owner, ApiError> {
        let instance = spec.instance_id.as_str();
        let Some(user_id) = self
            .retry
            .run(context.work_deadline, || {
                self.api.find_user_id(instance, &spec.name)
            })
            .await?
        else {
            return Ok(Owner::Nobody);
        };
        let user = self.describe(instance, &user_id, context).await?;
        if user.tags.get(OWNERSHIP_TAG) == Some(&ownership_value(context)) {
            Ok(Owner::Us(Box::new(user)))
        } else {
            Ok(Owner::Someone)
        }
    }

    /// Whether Connect, read again, already holds what `change` was to make.
    async fn change_landed(
        &self,
        spec: &UserSpec,
        user: &ObservedUser,
        change: &Change,
        context: &Context,
    ) -> bool {
        let Ok(mut fresh) = self.describe(&spec.instance_id, &user.id, context).await else {
            return false;
        };
        if self
            .list_managed_proficiencies(spec, &mut fresh, context)
            .await
            .is_err()
        {
            return false;
        }
        !plan::changes(spec, &fresh)
            .iter()
            .any(|c| c.operation() == change.operation())
    }

    /// Makes the planned calls that bring `user` to `spec`, in order.
    async fn converge(
        &self,
        spec: &UserSpec,
        user: &ObservedUser,
        changes: &[Change],
        context: &Context,
    ) -> Result<(), ResourceError> {
        let total = changes.len();
        for (done, change) in changes.iter().enumerate() {
            let target = user.reference();
            let attempts = AtomicU32::new(0);
            let result = self
                .retry
                .run(context.work_deadline, || {
                    attempts.fetch_add(1, Ordering::Relaxed);
                    self.api.apply(&spec.instance_id, &target, change)
                })
                .await;
            if let Err(error) = result {
                // A retried call whose first answer was lost can fail because its work is done
                // (an association Connect now calls "already associated"): if Connect holds
                // what the change wanted, it is made.
                let retried = attempts.load(Ordering::Relaxed) > 1;
                if retried
                    && error.kind == ErrorKind::Other
                    && self.change_landed(spec, user, change, context).await
                {
                    tracing::info!(error = %error, operation = change.operation(), "the change was made after all");
                    continue;
                }
                return Err(ResourceError::new(format!(
                    "{} ({done} of {total} changes were made before it; the next Update or rollback converges the rest)",
                    refusal(&error, spec)
                )));
            }
        }
        Ok(())
    }
}

/// A refused call as a FAILED reason, with the identity rules that may explain it.
fn refusal(error: &ApiError, spec: &UserSpec) -> ResourceError {
    match identity::refusal_hint(error, spec.identity_info.as_ref()) {
        Some(hint) => ResourceError::new(format!("{error}; {hint}")),
        None => ResourceError::new(error.to_string()),
    }
}

/// Why a user is being created: it decides who can clean up after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// A Create: its FAILED answer names what it made, for the rollback Delete.
    Create,
    /// A replacing Update: its FAILED answer must echo the old id, so nothing will delete
    /// the new user.
    Replace,
}

impl Purpose {
    /// What becomes of a user made and not removed, for the FAILED reason.
    fn left_behind(self, physical_id: &str) -> String {
        match self {
            Purpose::Create => format!(
                "this answer names it ({physical_id}), so CloudFormation's rollback Delete removes it"
            ),
            Purpose::Replace => format!(
                "the new user {physical_id} is left behind, tagged {OWNERSHIP_TAG} with this request's id; delete it before retrying"
            ),
        }
    }
}

/// Who holds a username.
enum Owner {
    Nobody,
    /// The user this request created (in this or an earlier delivery).
    Us(Box<ObservedUser>),
    Someone,
}

/// The error code of a call [`ConnectUserResource::run_before`] cut off.
const TIMEOUT: &str = "Timeout";

/// Whether the template's password (`Password` or its secret) changed between the old and new
/// properties.
fn password_changed(new: &Properties, old: &Properties) -> bool {
    ["Password", "PasswordSecretArn", "PasswordSecretKey"]
        .into_iter()
        .any(|key| {
            let given = |p: &Properties| {
                p.get(key)
                    .filter(|v| !v.is_null() && *v != &Value::String(String::new()))
                    .cloned()
            };
            given(new).is_some() && given(new) != given(old)
        })
}

/// Whether `properties` list proficiencies: a template that stops listing them has them removed.
fn lists_proficiencies(properties: &Properties) -> bool {
    properties
        .get("UserProficiencies")
        .is_some_and(|v| v.as_array().is_some_and(|items| !items.is_empty()))
}

impl<A: ConnectApi, S: SecretStore> Resource for ConnectUserResource<A, S> {
    async fn create(
        &self,
        context: Context,
        properties: Properties,
    ) -> Result<Outcome, ResourceError> {
        let spec = properties::for_create(&properties)?;
        self.create_owned(&spec, &context, Purpose::Create).await
    }

    async fn update(
        &self,
        context: Context,
        physical_id: String,
        new: Properties,
        old: Properties,
    ) -> Result<Outcome, ResourceError> {
        let mut spec = properties::for_update(&new, &old)?;
        if spec.proficiencies.is_none() && lists_proficiencies(&old) {
            spec.proficiencies = Some(Default::default());
        }
        if password_changed(&new, &old) {
            tracing::warn!("Password changed in the template (Password, PasswordSecretArn or PasswordSecretKey): Connect has no API to change a password, so it is not applied");
        }
        let Some(current) = PhysicalId::parse(&physical_id) else {
            tracing::warn!("the physical id is not instanceId:userId; creating the user");
            return self.create_owned(&spec, &context, Purpose::Replace).await;
        };
        if let Some(replacement) = plan::replacement_before_describe(&spec, &current) {
            tracing::info!(?replacement, "replacing the user");
            return self.create_owned(&spec, &context, Purpose::Replace).await;
        }
        let observed = match self
            .describe(&current.instance_id, &current.user_id, &context)
            .await
        {
            Ok(user) => Some(user),
            Err(error) if error.kind == ErrorKind::NotFound => None,
            Err(error) => return Err(error.into()),
        };
        match plan::plan_update(&spec, observed.as_ref())
            .map_err(|e| ResourceError::new(e.to_string()))?
        {
            Plan::Replace(replacement) => {
                if replacement == Replacement::Vanished {
                    tracing::warn!(
                        "the user was deleted outside CloudFormation; creating it again"
                    );
                } else {
                    tracing::info!(?replacement, "replacing the user");
                }
                self.create_owned(&spec, &context, Purpose::Replace).await
            }
            Plan::Converge(changes) => {
                let Some(mut user) = observed else {
                    return Err(ResourceError::new(
                        "internal error: converging a user that is gone",
                    ));
                };
                // Proficiencies are read only now: a replacement has no use for them.
                let changes = if spec.proficiencies.is_some() {
                    self.list_managed_proficiencies(&spec, &mut user, &context)
                        .await?;
                    plan::changes(&spec, &user)
                } else {
                    changes
                };
                if changes.is_empty() {
                    tracing::info!("the user already matches the properties; nothing to change");
                } else {
                    let operations: Vec<&str> = changes.iter().map(|c| c.operation()).collect();
                    tracing::info!(?operations, "converging the user");
                }
                self.converge(&spec, &user, &changes, &context).await?;
                Ok(outcome(&current.instance_id, &user.id, &user.arn))
            }
        }
    }

    async fn delete(
        &self,
        context: Context,
        physical_id: String,
        _properties: Properties,
    ) -> Result<(), ResourceError> {
        let Some(current) = PhysicalId::parse(&physical_id) else {
            tracing::info!(
                "the physical id is not instanceId:userId, so no user was made; nothing to delete"
            );
            return Ok(());
        };
        match self
            .retry
            .run(context.work_deadline, || {
                self.api.delete_user(&current.instance_id, &current.user_id)
            })
            .await
        {
            Ok(()) => {
                tracing::info!("user deleted");
                Ok(())
            }
            Err(error) if error.kind == ErrorKind::NotFound => {
                tracing::info!("the user is already gone");
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }
}
