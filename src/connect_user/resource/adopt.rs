//! Taking over a user that holds the name: the one this very request made or adopted in an
//! earlier delivery, or — with `AdoptExistingUser` — one no other resource manages.
//!
//! Adoption claims the user (writes the reserved tag), reads it back to confirm the claim is
//! this request's before anything else changes (Connect has no conditional write: of two
//! resources adopting at once, the tag names exactly one afterwards), then converges it as an
//! Update would. It never records the user in the Create's progress: a FAILED adoption answers
//! the failed-Create marker, so no rollback Delete can ever reach a user this stack did not
//! make.

use std::future::Future;

use super::calls::within;
use super::checkpoint::Checkpoint;
use super::{outcome, requester, ConnectUserError, ConnectUserResource};
use crate::connect_user::connect::{ApiError, ConnectApi, ErrorKind};
use crate::connect_user::model::ownership::{on_taken, OnTaken};
use crate::connect_user::model::rules::MAX_TAGS_PER_RESOURCE;
use crate::connect_user::model::{
    Claim, ManagedAs, ObservedUser, Ownership, PhysicalId, UserRef, UserSpec, OWNERSHIP_TAG,
};
use crate::connect_user::plan::{self, Change};
use crate::connect_user::secrets::SecretStore;
use crate::protocol::deadline::before_cleanup;
use crate::protocol::resource::{Context, Outcome};

/// How a name is looked up.
#[derive(Debug, Clone, Copy)]
pub(super) enum Lookup {
    /// One `SearchUsers` call, even in an instance of thousands of users; but AWS does not
    /// document how soon a new user shows in it.
    Search,
    /// `ListUsers`, page after page (1,000 users a call: the model's `MaxResults` for ListUsers
    /// is at most 1000): shows a user the moment it exists.
    List,
}

impl<A: ConnectApi, S: SecretStore> ConnectUserResource<A, S> {
    /// The user called as the spec's name, looked up as `lookup` says and described
    /// (`DescribeUser`, never the search summary: API Reference, SearchUsers,
    /// `UserSearchSummary`: "AfterContactWorkTimeLimit is returned in milliseconds").
    /// The id found is the request's checkpoint; an invocation that goes on from it describes
    /// that user instead of looking the name up again (see [`Checkpoint::Found`]).
    pub(super) async fn find_by_name(
        &self,
        spec: &UserSpec,
        context: &Context,
        lookup: Lookup,
    ) -> Result<Option<ObservedUser>, ApiError> {
        let (instance, name) = (spec.instance_id.as_str(), spec.name.as_str());
        if let Some(Checkpoint::Found { user_id, .. }) = Checkpoint::load(context, instance) {
            let user = self
                .describe_found(instance, Some(user_id), context)
                .await?;
            // Connect's usernames are unique regardless of case, as the lookups compare them.
            if let Some(user) = user.filter(|u| u.username.eq_ignore_ascii_case(name)) {
                return Ok(Some(user));
            }
            context.progress.clear_checkpoint();
        }
        let found = self
            .calls(context)
            .run(|| async move {
                match lookup {
                    Lookup::Search => self.api.search_users_for_id(instance, name).await,
                    Lookup::List => self.api.list_users_for_id(instance, name).await,
                }
            })
            .await?;
        if let Some(user_id) = &found {
            let found = Checkpoint::Found {
                instance_id: instance.to_owned(),
                user_id: user_id.clone(),
            };
            found.save(context);
        }
        self.describe_found(instance, found, context).await
    }

    /// Describes the user a lookup found; a user gone since counts as none.
    async fn describe_found(
        &self,
        instance: &str,
        found: Option<String>,
        context: &Context,
    ) -> Result<Option<ObservedUser>, ApiError> {
        let Some(user_id) = found else {
            return Ok(None);
        };
        match self.describe(instance, &user_id, context).await {
            Ok(user) => Ok(Some(user)),
            Err(error) if error.kind == ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The name is held by `user`: resume it, adopt it, or refuse (see [`on_taken`]).
    pub(super) async fn take_over(
        &self,
        spec: &UserSpec,
        context: &Context,
        user: ObservedUser,
    ) -> Result<Outcome, ConnectUserError> {
        let relation = requester(context).relation(&Ownership::of(&user.tags));
        match on_taken(relation, spec.adopt_existing) {
            OnTaken::Resume(ManagedAs::Created) => {
                tracing::info!(user_id = %user.id, "this request made the user in an earlier delivery; converging it");
                let physical_id = PhysicalId::new(&spec.instance_id, &user.id);
                context.progress.record(physical_id.to_string());
                self.converge_found(spec, context, user).await
            }
            OnTaken::Resume(ManagedAs::Adopted) => {
                tracing::info!(user_id = %user.id, "this request adopted the user in an earlier delivery; converging it");
                let claim = requester(context).claim(ManagedAs::Adopted);
                let converged =
                    before_reserve(context, self.converge_found(spec, context, user.clone()));
                match converged.await {
                    Ok(outcome) => Ok(outcome),
                    Err(failure) => Err(self.withdraw(spec, context, &user, &claim, failure).await),
                }
            }
            OnTaken::Adopt => self.adopt(spec, context, user).await,
            OnTaken::Refuse(holder) => Err(ConnectUserError::NameTaken {
                name: spec.name.clone(),
                instance: spec.instance_id.clone(),
                user_id: user.id,
                holder,
            }),
        }
    }

    /// Claims `user`, confirms the claim, converges it; withdraws the claim if that fails.
    /// The claim and the converging must be done while the clean-up reserve remains, so that
    /// the withdrawal has time to run.
    async fn adopt(
        &self,
        spec: &UserSpec,
        context: &Context,
        user: ObservedUser,
    ) -> Result<Outcome, ConnectUserError> {
        if let Some(wanted) = &spec.directory_user_id {
            if user.directory_user_id.as_ref() != Some(wanted) {
                return Err(ConnectUserError::AdoptedDirectoryUserId {
                    name: spec.name.clone(),
                    user_id: user.id,
                    wanted: wanted.clone(),
                    actual: user.directory_user_id.unwrap_or_else(|| "none".into()),
                });
            }
        }
        // Admin guide, "Add tags to resources in Amazon Connect": up to 50 tags per resource.
        // The claim is written before anything else changes, so it needs a free place.
        if user.tags.len() >= MAX_TAGS_PER_RESOURCE && !user.tags.contains_key(OWNERSHIP_TAG) {
            return Err(ConnectUserError::NoRoomForClaim {
                name: spec.name.clone(),
                user_id: user.id,
            });
        }
        if spec.password.is_some() {
            tracing::warn!("the template's password (Password or PasswordSecretArn) is not applied to an adopted user: Connect has no API to set a password");
        }
        tracing::info!(user_id = %user.id, "adopting the existing user");
        let claim = requester(context).claim(ManagedAs::Adopted);
        let claimed = before_reserve(
            context,
            self.claim_and_converge(spec, context, &user, &claim),
        );
        match claimed.await {
            Ok(outcome) => Ok(outcome),
            Err(failure @ ConnectUserError::ClaimLost { .. }) => Err(failure),
            Err(failure) => Err(self.withdraw(spec, context, &user, &claim, failure).await),
        }
    }

    /// Writes the claim, reads it back, and converges the user if the claim is still ours.
    async fn claim_and_converge(
        &self,
        spec: &UserSpec,
        context: &Context,
        user: &ObservedUser,
        claim: &Claim,
    ) -> Result<Outcome, ConnectUserError> {
        self.change(
            &spec.instance_id,
            &user.reference(),
            &Change::Tag(claim.tag()),
            context,
        )
        .await?;
        let user = self.describe(&spec.instance_id, &user.id, context).await?;
        match Ownership::of(&user.tags) {
            Ownership::Claimed(held) if held == *claim => {}
            other => {
                return Err(ConnectUserError::ClaimLost {
                    name: spec.name.clone(),
                    user_id: user.id,
                    winner: holder_text(&other),
                })
            }
        }
        self.converge_found(spec, context, user).await
    }

    /// Converges a user found by name, reading its proficiencies first when they are managed;
    /// the log lists the tags removed (a console user's, say).
    async fn converge_found(
        &self,
        spec: &UserSpec,
        context: &Context,
        mut user: ObservedUser,
    ) -> Result<Outcome, ConnectUserError> {
        self.list_managed_proficiencies(spec, &mut user, context)
            .await?;
        let changes = plan::changes(spec, &user);
        let removed: Vec<&String> = changes
            .iter()
            .filter_map(|change| match change {
                Change::Untag(keys) => Some(keys.iter()),
                _ => None,
            })
            .flatten()
            .collect();
        if !removed.is_empty() {
            tracing::info!(tags = ?removed, "removing the tags the template does not state");
        }
        self.converge(spec, &user.reference(), &changes, context)
            .await?;
        Ok(outcome(&spec.instance_id, &user.id, &user.arn))
    }

    /// After a failed adoption: removes the claim if the user still carries it, so that the
    /// user is as free as it was; says what became of it.
    async fn withdraw(
        &self,
        spec: &UserSpec,
        context: &Context,
        user: &ObservedUser,
        claim: &Claim,
        error: ConnectUserError,
    ) -> ConnectUserError {
        // Only time ran out: the claim is kept, so that the request's next invocation goes on
        // with it (it resumes its own claim) instead of withdrawing and claiming again, which
        // would cost a herd of adoptions four calls each per invocation.
        if error.is_resumable() {
            return ConnectUserError::AdoptionFailed {
                error: Box::new(error),
                user_id: user.id.clone(),
                withdrawal: "the claim is kept for the request's next invocation, and this resource (the same stack and logical id) can resume it".to_owned(),
            };
        }
        let instance = spec.instance_id.as_str();
        let withdrawn = async {
            let now = self.describe(instance, &user.id, context).await?;
            if Ownership::of(&now.tags) != Ownership::Claimed(claim.clone()) {
                return Ok(false);
            }
            self.release(instance, &now.reference(), context)
                .await
                .map(|()| true)
        };
        let withdrawal = match withdrawn.await {
            Ok(true) => "the claim was withdrawn (changes already converged stay)".to_owned(),
            Ok(false) => "it does not carry this resource's claim".to_owned(),
            Err(e) => format!("withdrawing the claim failed ({e}): remove its tag {OWNERSHIP_TAG} before adopting it elsewhere"),
        };
        ConnectUserError::AdoptionFailed {
            error: Box::new(error),
            user_id: user.id.clone(),
            withdrawal,
        }
    }

    /// Removes the reserved tag, and only it: the user is released, as it was before a claim.
    pub(super) async fn release(
        &self,
        instance: &str,
        user: &UserRef,
        context: &Context,
    ) -> Result<(), ApiError> {
        let untag = Change::Untag([OWNERSHIP_TAG.to_owned()].into());
        self.change(instance, user, &untag, context).await
    }

    /// One change, with retries.
    pub(super) async fn change(
        &self,
        instance: &str,
        user: &UserRef,
        change: &Change,
        context: &Context,
    ) -> Result<(), ApiError> {
        self.calls(context)
            .run(|| self.api.apply(instance, user, change))
            .await
    }
}

/// Who a user's tag names, for a reason.
fn holder_text(ownership: &Ownership) -> String {
    match ownership {
        Ownership::Claimed(claim) => claim.manager.to_string(),
        Ownership::Legacy(_) => "another resource of this function".into(),
        Ownership::Unmanaged => "nobody (its tag was removed meanwhile)".into(),
    }
}

/// Runs `work` until the clean-up reserve begins ([`before_cleanup`]); past it, fails without
/// waiting for it, so that what follows (withdrawing a claim) still has time.
async fn before_reserve<T>(
    context: &Context,
    work: impl Future<Output = Result<T, ConnectUserError>>,
) -> Result<T, ConnectUserError> {
    within(before_cleanup(context.work_deadline), work)
        .await
        .unwrap_or(Err(ConnectUserError::Unfinished("adopting the user")))
}
