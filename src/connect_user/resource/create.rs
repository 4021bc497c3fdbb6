//! Create: make the user, or recognise the one this very request made in an earlier delivery,
//! and never leave a half-made user that nothing will delete.

use tokio::time::Instant;

use super::adopt::Lookup;
use super::calls::Calls;
use super::{outcome, requester, ConnectUserError, ConnectUserResource, LeftBehind};
use crate::connect_user::connect::{ApiError, ConnectApi, ErrorKind};
use crate::connect_user::model::{
    ManagedAs, Ownership, PhysicalId, Proficiencies, Relation, UserRef, UserSpec,
};
use crate::connect_user::password;
use crate::connect_user::plan::{self, Change};
use crate::connect_user::secrets::SecretStore;
use crate::protocol::deadline::before_cleanup;
use crate::protocol::resource::{Context, Outcome};

/// Why a user is being created: it decides who can clean up after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    /// A Create: its FAILED answer names what it made, for the rollback Delete.
    Create,
    /// A replacing Update: its FAILED answer must echo the old id, so nothing will delete
    /// the new user.
    Replace,
}

impl Purpose {
    /// What becomes of a user made and not removed.
    fn left_behind(self, physical_id: String, context: &Context) -> LeftBehind {
        match self {
            Purpose::Create => LeftBehind::Create {
                physical_id,
                by: context.failed_create_cleanup,
            },
            Purpose::Replace => LeftBehind::Replace { physical_id },
        }
    }
}

impl<A: ConnectApi, S: SecretStore> ConnectUserResource<A, S> {
    /// Creates the user; with `AdoptExistingUser`, first looks the name up in one
    /// `SearchUsers` call and takes over the user found (see [`Self::take_over`]).
    pub(super) async fn create_or_adopt(
        &self,
        spec: &UserSpec,
        context: &Context,
        purpose: Purpose,
    ) -> Result<Outcome, ConnectUserError> {
        if spec.adopt_existing {
            if let Some(user) = self.find_by_name(spec, context, Lookup::Search).await? {
                return self.take_over(spec, context, user).await;
            }
        }
        self.create_owned(spec, context, purpose).await
    }

    /// Creates the user, or takes over the one that holds the name when `CreateUser` says it
    /// is taken: the one this very request created before, or (with `AdoptExistingUser`) one
    /// the search did not show yet.
    async fn create_owned(
        &self,
        spec: &UserSpec,
        context: &Context,
        purpose: Purpose,
    ) -> Result<Outcome, ConnectUserError> {
        let ownership = requester(context).claim(ManagedAs::Created).tag();
        let deadline = context.work_deadline;
        let password = self
            .calls(context)
            .run(|| password::resolve(&self.secrets, spec.password.as_ref()))
            .await?;
        let request = plan::new_user(spec, password, &ownership);
        // CreateUser must answer while the clean-up reserve remains, so that a call cut off in
        // flight can still be looked for (it may have made the user all the same).
        let create = self
            .calls(context)
            .cut_off_at(before_cleanup(deadline), "CreateUser", || {
                self.api.create_user(&request)
            });
        match create.await {
            Err(error) if error.kind == ErrorKind::CutOff => {
                let made = self
                    .find_by_name(spec, context, Lookup::List)
                    .await
                    .ok()
                    .flatten();
                let made = made.filter(|user| {
                    requester(context).relation(&Ownership::of(&user.tags))
                        == Relation::ThisRequest(ManagedAs::Created)
                });
                if let Some(user) = made {
                    let physical_id = PhysicalId::new(&spec.instance_id, &user.id).to_string();
                    context.progress.record(physical_id.clone());
                    return Err(ConnectUserError::MadeAnyway {
                        error,
                        left_behind: purpose.left_behind(physical_id, context),
                    });
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
                match self.find_by_name(spec, context, Lookup::List).await? {
                    Some(user) => self.take_over(spec, context, user).await,
                    None => Err(error.into()),
                }
            }
            Err(error) => Err(ConnectUserError::refusal(
                error,
                spec.identity_info.as_ref(),
            )),
        }
    }

    /// Associates the proficiencies of a user just created; if that fails, deletes the user
    /// so that the failed Create leaves nothing behind. The association must finish by
    /// [`before_cleanup`], so that the delete has time to run. Should the delete fail too (or
    /// the deadline cut either off), the user stays recorded in the Create's progress, so the
    /// FAILED answer names it and CloudFormation's rollback Delete removes it.
    async fn associate_proficiencies(
        &self,
        spec: &UserSpec,
        created: &UserRef,
        context: &Context,
        purpose: Purpose,
    ) -> Result<(), ConnectUserError> {
        let Some(wanted) = spec.proficiencies.as_ref().filter(|p| !p.is_empty()) else {
            return Ok(());
        };
        let change = Change::AssociateProficiencies(wanted.clone());
        let instance = spec.instance_id.as_str();
        let associate_by = before_cleanup(context.work_deadline);
        let associate =
            self.calls(context)
                .cut_off_at(associate_by, "AssociateUserProficiencies", || {
                    self.api.apply(instance, created, &change)
                });
        let error = match associate.await {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        // An association can fail as "already associated" when its work is done: a retried
        // call whose first answer was lost, or a second delivery of the same request (a
        // duplicated continuation) associating at the same moment. If Connect holds every
        // proficiency asked for, the Create has what it wanted, and the user must not be
        // deleted under the other delivery. Only time before the reserve may be spent.
        if self
            .associated_after_all(spec, wanted, created, associate_by, self.calls(context))
            .await
        {
            tracing::info!(error = %error, "the proficiencies are associated after all");
            return Ok(());
        }
        tracing::warn!(error = %error, "proficiencies refused; deleting the user just created");
        self.delete_again(error, instance, created, context, purpose)
            .await
    }

    /// Whether Connect, listed again before `by`, holds every proficiency in `wanted`.
    async fn associated_after_all(
        &self,
        spec: &UserSpec,
        wanted: &Proficiencies,
        created: &UserRef,
        by: Instant,
        calls: Calls<'_>,
    ) -> bool {
        if Instant::now() >= by {
            return false;
        }
        let listing = calls.cut_off_at(by, "ListUserProficiencies", || {
            self.api.list_proficiencies(&spec.instance_id, &created.id)
        });
        listing.await.is_ok_and(|listed| {
            let missing = plan::proficiencies::changes(wanted, &listed);
            missing.associate.is_empty() && missing.update.is_empty()
        })
    }

    /// Deletes a user just made after `error`, and says what is left behind.
    async fn delete_again(
        &self,
        error: ApiError,
        instance: &str,
        created: &UserRef,
        context: &Context,
        purpose: Purpose,
    ) -> Result<(), ConnectUserError> {
        let deleted = self
            .calls(context)
            .run(|| self.api.delete_user(instance, &created.id))
            .await;
        match deleted {
            Err(delete) if delete.kind != ErrorKind::NotFound => {
                let physical_id = PhysicalId::new(instance, &created.id).to_string();
                Err(ConnectUserError::CleanupFailed {
                    error,
                    delete,
                    left_behind: purpose.left_behind(physical_id, context),
                })
            }
            _ => {
                context.progress.forget();
                Err(ConnectUserError::CleanedUp { error })
            }
        }
    }
}
