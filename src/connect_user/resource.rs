//! `Custom::ConnectUser`: the Connect user resource behind the protocol's [`Resource`] seam.
//!
//! Create makes one `CreateUser` call carrying everything, tags and the ownership tag
//! included. The ownership tag (its value is the CloudFormation RequestId) is how a Create
//! tells its own user from somebody else's when the username is already taken: a redelivered
//! or retried Create adopts the user it made; any other same-name user is left alone and the
//! Create fails. Update converges the user on the properties (see [`super::plan`]) and never
//! deletes anything; Delete treats a user that is already gone as deleted.

use std::collections::BTreeMap;

use serde_json::Value;

use super::api::{ApiError, ConnectApi, ErrorKind, ObservedUser};
use super::ids::PhysicalId;
use super::plan::{self, Change, Plan, Replacement};
use super::properties;
use super::retry::Retry;
use super::spec::{UserSpec, OWNERSHIP_TAG};
use crate::protocol::event::Properties;
use crate::protocol::resource::{Context, Outcome, Resource, ResourceError};
use crate::protocol::response::cut_to_bytes;

/// The Connect user resource over a [`ConnectApi`].
pub struct ConnectUserResource<A> {
    api: A,
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

impl<A: ConnectApi> ConnectUserResource<A> {
    pub fn new(api: A) -> Self {
        Self::with_retry(api, Retry::default())
    }

    pub fn with_retry(api: A, retry: Retry) -> Self {
        Self { api, retry }
    }

    /// Creates the user, or adopts the one this very request created before.
    async fn create_owned(
        &self,
        spec: &UserSpec,
        context: &Context,
    ) -> Result<Outcome, ResourceError> {
        let ownership = BTreeMap::from([(OWNERSHIP_TAG.to_owned(), ownership_value(context))]);
        let deadline = context.work_deadline;
        match self
            .retry
            .run(deadline, || self.api.create_user(spec, &ownership))
            .await
        {
            Ok(created) => {
                tracing::info!(user_id = %created.id, "user created");
                Ok(outcome(&spec.instance_id, &created.id, &created.arn))
            }
            Err(error) if error.kind == ErrorKind::Duplicate => {
                self.adopt_if_ours(spec, context, error).await
            }
            Err(error) => Err(error.into()),
        }
    }

    /// The username is taken: adopt the user if this request created it, else refuse.
    async fn adopt_if_ours(
        &self,
        spec: &UserSpec,
        context: &Context,
        duplicate: ApiError,
    ) -> Result<Outcome, ResourceError> {
        let deadline = context.work_deadline;
        let instance = spec.instance_id.as_str();
        let Some(user_id) = self
            .retry
            .run(deadline, || self.api.find_user_id(instance, &spec.name))
            .await?
        else {
            return Err(duplicate.into());
        };
        let user = self
            .retry
            .run(deadline, || self.api.describe_user(instance, &user_id))
            .await?;
        let ours = user.tags.get(OWNERSHIP_TAG) == Some(&ownership_value(context));
        if !ours {
            return Err(ResourceError::new(format!(
                "a user named {} already exists in instance {instance} and was not created by this request; it was left untouched. Choose another Name, or delete that user first",
                spec.name
            )));
        }
        tracing::info!(user_id = %user.id, "adopting the user this request created in an earlier delivery");
        self.converge(spec, &user, &plan::changes(spec, &user), context)
            .await?;
        Ok(outcome(instance, &user.id, &user.arn))
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
            let result = self
                .retry
                .run(context.work_deadline, || {
                    self.api.apply(user, &spec.instance_id, change)
                })
                .await;
            if let Err(error) = result {
                return Err(ResourceError::new(format!(
                    "{error} ({done} of {total} changes were made before it; the next Update or rollback converges the rest)"
                )));
            }
        }
        Ok(())
    }
}

/// Whether the template's Password changed between the old and new properties.
fn password_changed(new: &Properties, old: &Properties) -> bool {
    new.get("Password").filter(|v| !v.is_null()) != old.get("Password").filter(|v| !v.is_null())
        && new
            .get("Password")
            .is_some_and(|v| v != &Value::String(String::new()))
}

impl<A: ConnectApi> Resource for ConnectUserResource<A> {
    async fn create(
        &self,
        context: Context,
        properties: Properties,
    ) -> Result<Outcome, ResourceError> {
        let spec = properties::parse(&properties)?;
        self.create_owned(&spec, &context).await
    }

    async fn update(
        &self,
        context: Context,
        physical_id: String,
        new: Properties,
        old: Properties,
    ) -> Result<Outcome, ResourceError> {
        let spec = properties::parse(&new)?;
        if password_changed(&new, &old) {
            tracing::warn!("Password changed in the template: Connect has no API to change a password, so it is not applied");
        }
        let Some(current) = PhysicalId::parse(&physical_id) else {
            tracing::warn!("the physical id is not instanceId:userId; creating the user");
            return self.create_owned(&spec, &context).await;
        };
        if let Some(replacement) = plan::replacement_before_describe(&spec, &current) {
            tracing::info!(?replacement, "replacing the user");
            return self.create_owned(&spec, &context).await;
        }
        let deadline = context.work_deadline;
        let observed = match self
            .retry
            .run(deadline, || {
                self.api
                    .describe_user(&current.instance_id, &current.user_id)
            })
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
                self.create_owned(&spec, &context).await
            }
            Plan::Converge(changes) => {
                let Some(user) = observed else {
                    return Err(ResourceError::new(
                        "internal error: converging a user that is gone",
                    ));
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
