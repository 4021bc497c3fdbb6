//! Update: converge the user in place on the new properties, or replace it when the plan says
//! so (a new name or instance, a user deleted outside CloudFormation). Never deletes: the old
//! user of a replacement goes in CloudFormation's clean-up Delete.

use super::checkpoint::Checkpoint;
use super::create::Purpose;
use super::{outcome, requester, ConnectUserError, ConnectUserResource};
use crate::connect_user::connect::{ConnectApi, ErrorKind};
use crate::connect_user::model::ownership::on_update;
use crate::connect_user::model::{
    Claim, Manager, ObservedUser, Ownership, PhysicalId, UserRef, UserSpec,
};
use crate::connect_user::plan::{self, Change, Plan, Replacement};
use crate::connect_user::properties::Update;
use crate::connect_user::secrets::SecretStore;
use crate::protocol::resource::{Context, Outcome};

impl<A: ConnectApi, S: SecretStore> ConnectUserResource<A, S> {
    /// Brings the user at `physical_id` to `update`'s spec.
    pub(super) async fn update_user(
        &self,
        update: Update,
        physical_id: &str,
        context: &Context,
    ) -> Result<Outcome, ConnectUserError> {
        let spec = update.spec;
        if update.password_changed {
            tracing::warn!("Password changed in the template (Password, PasswordSecretArn or PasswordSecretKey): Connect has no API to change a password, so it is not applied");
        }
        let Some(current) = PhysicalId::parse(physical_id) else {
            tracing::warn!("the physical id is not instanceId:userId; creating the user");
            return self.create_or_adopt(&spec, context, Purpose::Replace).await;
        };
        if let Some(replacement) = plan::replacement_before_describe(&spec, &current) {
            tracing::info!(?replacement, "replacing the user");
            return self.create_or_adopt(&spec, context, Purpose::Replace).await;
        }
        let observed = match self
            .describe(&current.instance_id, &current.user_id, context)
            .await
        {
            Ok(user) => Some(user),
            Err(error) if error.kind == ErrorKind::NotFound => None,
            Err(error) => return Err(error.into()),
        };
        let stamp = match &observed {
            Some(user) => {
                let stamp = ownership_on_update(&spec, user, context);
                stamp.map_err(|manager| ConnectUserError::HandedOver {
                    user_id: user.id.clone(),
                    manager,
                })?
            }
            None => None,
        };
        match plan::plan_update(&spec, observed.as_ref())? {
            Plan::Replace(replacement) => {
                if replacement == Replacement::Vanished {
                    tracing::warn!(
                        "the user was deleted outside CloudFormation; creating it again"
                    );
                } else {
                    tracing::info!(?replacement, "replacing the user");
                }
                self.create_or_adopt(&spec, context, Purpose::Replace).await
            }
            Plan::Converge(changes) => {
                let user =
                    observed.ok_or(ConnectUserError::Internal("converging a user that is gone"))?;
                let stamp = stamp.map(|claim| Change::Tag(claim.tag()));
                self.converge_in_place(&spec, user, stamp, changes, &current, context)
                    .await
            }
        }
    }

    /// Converges the existing `user`, reading its proficiencies first when they are managed.
    async fn converge_in_place(
        &self,
        spec: &UserSpec,
        mut user: ObservedUser,
        stamp: Option<Change>,
        changes: Vec<Change>,
        current: &PhysicalId,
        context: &Context,
    ) -> Result<Outcome, ConnectUserError> {
        // Proficiencies are read only now: a replacement has no use for them.
        let changes = if spec.proficiencies.is_some() {
            self.list_managed_proficiencies(spec, &mut user, context)
                .await?;
            plan::changes(spec, &user)
        } else {
            changes
        };
        // The reserved tag first: the user is claimed before anything else changes.
        let changes: Vec<Change> = stamp.into_iter().chain(changes).collect();
        if changes.is_empty() {
            tracing::info!("the user already matches the properties; nothing to change");
        } else {
            let operations: Vec<&str> = changes.iter().map(|c| c.operation()).collect();
            tracing::info!(?operations, "converging the user");
        }
        self.converge(spec, &user.reference(), &changes, context)
            .await?;
        Ok(outcome(&current.instance_id, &user.id, &user.arn))
    }

    /// Makes the planned calls that bring `user` to `spec`, in order. Before each, the
    /// changes still to make are the request's checkpoint, so that an invocation that runs
    /// out of time hands the rest to the next one without reading the user again.
    pub(super) async fn converge(
        &self,
        spec: &UserSpec,
        user: &UserRef,
        changes: &[Change],
        context: &Context,
    ) -> Result<(), ConnectUserError> {
        let total = changes.len();
        for (done, change) in changes.iter().enumerate() {
            Checkpoint::converging(&spec.instance_id, user, &changes[done..]).save(context);
            let (result, attempts) = self
                .calls(context)
                .counted(|| self.api.apply(&spec.instance_id, user, change))
                .await;
            if let Err(error) = result {
                // A retried call whose first answer was lost can fail because its work is done
                // (an association Connect now calls "already associated"): if Connect holds
                // what the change wanted, it is made.
                // Only on a spec whose names are resolved: going on from a checkpoint, the
                // spec's names are not (its changes carry the ids), and a refusal falls back
                // to reading the user again with the names resolved.
                let retried = attempts > 1;
                if retried
                    && spec.names.is_empty()
                    && error.kind == ErrorKind::Other
                    && self.change_landed(spec, &user.id, change, context).await
                {
                    tracing::info!(error = %error, operation = change.operation(), "the change was made after all");
                    continue;
                }
                let failure = ConnectUserError::PartlyConverged {
                    refusal: Box::new(ConnectUserError::refusal(
                        error,
                        spec.identity_info.as_ref(),
                    )),
                    done,
                    total,
                };
                // Refused (not just out of time): what follows (a withdrawn claim, a retry of
                // the whole request) must read Connect again, not go on with this plan.
                if !failure.is_resumable() {
                    context.progress.clear_checkpoint();
                }
                return Err(failure);
            }
        }
        context.progress.clear_checkpoint();
        Ok(())
    }

    /// Goes on with the changes an earlier invocation of this request left in its checkpoint
    /// (see [`Checkpoint::Converging`]); `None` when there are none, or when Connect refused
    /// them: then the caller resolves the names, reads the user again and plans afresh, as
    /// without a checkpoint. `spec`'s names need not be resolved: the changes carry the ids.
    pub(super) async fn resume_converging(
        &self,
        spec: &UserSpec,
        context: &Context,
    ) -> Result<Option<Outcome>, ConnectUserError> {
        let Some(Checkpoint::Converging {
            user_id,
            arn,
            remaining,
            ..
        }) = Checkpoint::load(context, &spec.instance_id)
        else {
            return Ok(None);
        };
        let user = UserRef { id: user_id, arn };
        let operations: Vec<&str> = remaining.iter().map(|c| c.operation()).collect();
        tracing::info!(user_id = %user.id, ?operations, "going on with the changes the earlier invocation left");
        match self.converge(spec, &user, &remaining, context).await {
            Ok(()) => Ok(Some(outcome(&spec.instance_id, &user.id, &user.arn))),
            Err(failure) if failure.is_resumable() => Err(failure),
            Err(failure) => {
                tracing::warn!(reason = %failure, "the changes the earlier invocation left were refused; reading the user again");
                context.progress.clear_checkpoint();
                Ok(None)
            }
        }
    }

    /// Whether Connect, read again, already holds what `change` was to make.
    async fn change_landed(
        &self,
        spec: &UserSpec,
        user_id: &str,
        change: &Change,
        context: &Context,
    ) -> bool {
        let Ok(mut fresh) = self.describe(&spec.instance_id, user_id, context).await else {
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
}

/// The reserved tag an Update writes, if any (see [`on_update`]); `Err` names the resource that
/// manages the user now, and the Update must change nothing.
fn ownership_on_update(
    spec: &UserSpec,
    user: &ObservedUser,
    context: &Context,
) -> Result<Option<Claim>, Manager> {
    let ownership = Ownership::of(&user.tags);
    let stamp = on_update(&requester(context), &ownership, spec.adopt_existing)?;
    match (&ownership, &stamp) {
        (Ownership::Unmanaged, _) => {
            tracing::warn!("the user's reserved tag was removed; this resource claims it again")
        }
        (Ownership::Legacy(_), _) => {
            tracing::info!("the reserved tag is rewritten in the form that names this resource")
        }
        (Ownership::Claimed(_), Some(_)) => tracing::info!(
            "AdoptExistingUser is off: the adopted user is now owned, and a Delete deletes it"
        ),
        (Ownership::Claimed(_), None) => {}
    }
    Ok(stamp)
}
