//! Delete: remove the user this resource created, release the one it adopted, leave any other.
//! A user already gone counts as deleted, and a physical id that names no user (a failed
//! Create's marker) means nothing was made.
//!
//! The user is described first: its reserved tag says whether this resource created it
//! (delete), adopted it (remove the tag, leave the user: a stack rolled back right after
//! adopting 200 agents deletes none of them), or no longer manages it (handed over to another
//! resource, or its tag removed: leave it untouched).

use super::{requester, ConnectUserError, ConnectUserResource};
use crate::connect_user::connect::{ConnectApi, ErrorKind};
use crate::connect_user::model::ownership::{on_delete, OnDelete};
use crate::connect_user::model::{Ownership, PhysicalId};
use crate::connect_user::secrets::SecretStore;
use crate::protocol::resource::Context;

impl<A: ConnectApi, S: SecretStore> ConnectUserResource<A, S> {
    pub(super) async fn delete_user(
        &self,
        physical_id: &str,
        context: &Context,
    ) -> Result<(), ConnectUserError> {
        let Some(current) = PhysicalId::parse(physical_id) else {
            tracing::info!(
                "the physical id is not instanceId:userId, so no user was made; nothing to delete"
            );
            return Ok(());
        };
        let user = match self
            .describe(&current.instance_id, &current.user_id, context)
            .await
        {
            Ok(user) => user,
            Err(error) if error.kind == ErrorKind::NotFound => {
                tracing::info!("the user is already gone");
                return Ok(());
            }
            Err(error) => return Err(error.into()),
        };
        let instance = current.instance_id.as_str();
        let (result, done) = match on_delete(&requester(context), &Ownership::of(&user.tags)) {
            OnDelete::Delete => {
                let deleted = self
                    .calls(context)
                    .run(|| self.api.delete_user(instance, &current.user_id));
                (deleted.await, "user deleted")
            }
            OnDelete::Release => {
                let target = user.reference();
                let released = self.release(instance, &target, context);
                (released.await, "the adopted user is released: its reserved tag removed, the user left in place")
            }
            OnDelete::Leave(Some(manager)) => {
                tracing::info!(%manager, "another resource manages the user now; left untouched");
                return Ok(());
            }
            OnDelete::Leave(None) => {
                tracing::warn!(
                    "no resource manages the user (its reserved tag was removed); left untouched"
                );
                return Ok(());
            }
        };
        match result {
            Ok(()) => {
                tracing::info!("{done}");
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
