//! Delete: remove the user; a user already gone counts as deleted, and a physical id that
//! names no user (a failed Create's marker) means nothing was made.

use super::{ConnectUserResource, Failure};
use crate::connect_user::connect::{ConnectApi, ErrorKind};
use crate::connect_user::model::PhysicalId;
use crate::connect_user::secrets::SecretStore;
use crate::protocol::resource::Context;

impl<A: ConnectApi, S: SecretStore> ConnectUserResource<A, S> {
    pub(super) async fn delete_user(
        &self,
        physical_id: &str,
        context: &Context,
    ) -> Result<(), Failure> {
        let Some(current) = PhysicalId::parse(physical_id) else {
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
