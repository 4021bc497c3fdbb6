//! `Custom::ConnectUser`: the Connect user resource behind the protocol's [`Resource`] seam,
//! orchestrating the [`ConnectApi`] and [`SecretStore`] ports.
//!
//! - [`create`](self::create): one `CreateUser` carrying everything, tags and the ownership
//!   tag included, then `AssociateUserProficiencies`; a user made by a Create that then fails
//!   is deleted again. The ownership tag (its value names the managing resource and the
//!   RequestId that made or adopted the user: [`crate::connect_user::model::ownership`]) is
//!   how a Create tells its own user from somebody else's when the username is taken: a
//!   redelivered or retried Create resumes the user it made; any other same-name user is left
//!   alone unless `AdoptExistingUser` may claim it.
//! - [`update`](self::update): converges the user on the properties (see
//!   [`crate::connect_user::plan`]), replaces it when the plan says so, and never deletes.
//! - [`delete`](self::delete): a user already gone counts as deleted.
//!
//! Every failure is a [`ConnectUserError`], which alone words the FAILED reasons.

mod adopt;
mod calls;
mod checkpoint;
mod create;
mod delete;
pub mod failure;
pub mod identity_hints;
mod names;
#[cfg(test)]
mod tests;
mod update;

use std::collections::BTreeMap;

pub use failure::{ConnectUserError, LeftBehind};

use super::connect::{ApiError, ConnectApi};
use super::model::{DefaultTags, DefaultTagsError, ObservedUser, PhysicalId, Requester, UserSpec};
use super::properties;
use super::secrets::SecretStore;
use crate::protocol::deadline::CALL_RETRY;
use crate::protocol::event::Properties;
use crate::protocol::resource::{Context, Outcome, Resource, ResourceError};
use crate::retry::Retry;
use calls::Calls;

/// The Connect user resource over a [`ConnectApi`], reading password secrets from `S`.
pub struct ConnectUserResource<A, S> {
    api: A,
    secrets: S,
    retry: Retry,
    /// `DEFAULT_TAGS`, or why it cannot be used (every Create and Update then fails).
    defaults: Result<DefaultTags, DefaultTagsError>,
}

/// The resource and request at work, as the reserved tag names them.
fn requester(context: &Context) -> Requester {
    let identity = &context.identity;
    Requester::new(
        identity.stack_name(),
        &identity.logical_resource_id,
        &identity.request_id,
    )
}

/// The spec's tags with `defaults` beneath them; the defaults that do not fit are warned of.
fn with_defaults(mut spec: UserSpec, defaults: &DefaultTags) -> UserSpec {
    let merged = defaults.beneath(&spec.tags);
    if !merged.left_off.is_empty() {
        tracing::warn!(left_off = ?merged.left_off, "DEFAULT_TAGS left off: the resource's Tags and the defaults before them fill the user's 49 tags");
    }
    spec.tags = merged.tags;
    spec
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
            defaults: Ok(DefaultTags::default()),
        }
    }

    /// With `DEFAULT_TAGS` as the function's environment gives it.
    pub fn with_default_tags(mut self, defaults: Result<DefaultTags, DefaultTagsError>) -> Self {
        if let Err(error) = &defaults {
            tracing::warn!(%error, "every Create and Update will fail until DEFAULT_TAGS is fixed");
        }
        self.defaults = defaults;
        self
    }

    /// The calls of the request in `context` (retried, paced, until its work deadline).
    fn calls<'a>(&'a self, context: &'a Context) -> Calls<'a> {
        Calls::new(&self.retry, context)
    }

    /// `DEFAULT_TAGS`, or why every Create and Update fails while it is broken: checked before
    /// the properties, so that this reason comes first.
    fn defaults(&self) -> Result<&DefaultTags, DefaultTagsError> {
        self.defaults.as_ref().map_err(Clone::clone)
    }

    /// `DescribeUser`.
    async fn describe(
        &self,
        instance: &str,
        user_id: &str,
        context: &Context,
    ) -> Result<ObservedUser, ApiError> {
        self.calls(context)
            .run(|| self.api.describe_user(instance, user_id))
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
                .calls(context)
                .run(|| self.api.list_proficiencies(instance, user_id))
                .await?;
            user.proficiencies = Some(listed);
        }
        Ok(())
    }
}

impl<A: ConnectApi, S: SecretStore> Resource for ConnectUserResource<A, S> {
    async fn create(
        &self,
        context: Context,
        properties: Properties,
    ) -> Result<Outcome, ResourceError> {
        let defaults = self.defaults().map_err(ConnectUserError::from)?;
        let spec = properties::for_create(&properties).map_err(ConnectUserError::from)?;
        let spec = with_defaults(spec, defaults);
        // The changes an earlier invocation left carry the ids its names resolved to: going
        // on with them resolves nothing again (see `names`, `checkpoint`).
        if let Some(outcome) = self.resume_converging(&spec, &context).await? {
            return Ok(outcome);
        }
        let spec = self.resolve_names(spec, &context).await?;
        Ok(self
            .create_or_adopt(&spec, &context, create::Purpose::Create)
            .await?)
    }

    async fn update(
        &self,
        context: Context,
        physical_id: String,
        new: Properties,
        old: Properties,
    ) -> Result<Outcome, ResourceError> {
        let defaults = self.defaults().map_err(ConnectUserError::from)?;
        let mut update = properties::for_update(&new, &old).map_err(ConnectUserError::from)?;
        update.spec = with_defaults(update.spec, defaults);
        if let Some(outcome) = self.resume_converging(&update.spec, &context).await? {
            return Ok(outcome);
        }
        update.spec = self.resolve_names(update.spec, &context).await?;
        Ok(self.update_user(update, &physical_id, &context).await?)
    }

    async fn delete(
        &self,
        context: Context,
        physical_id: String,
        _properties: Properties,
    ) -> Result<(), ResourceError> {
        Ok(self.delete_user(&physical_id, &context).await?)
    }
}
