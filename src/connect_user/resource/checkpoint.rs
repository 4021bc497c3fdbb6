//! Where a request's work stands, carried to its next invocation when only time ran out.
//!
//! Under Connect's shared 2 requests/second, a call is the scarce thing: 500 adoptions that
//! each read the user again in every invocation (`SearchUsers`, `DescribeUser`,
//! `ListUserProficiencies`) spent 6,802 calls where 5,000 do, and did not finish within
//! CloudFormation's hour (docs/performance.md). So an invocation that runs out of time leaves
//! a checkpoint in the request's [`Progress`](crate::protocol::resource::Progress), and the
//! next invocation starts from it:
//! - [`Checkpoint::Found`]: the lookup's answer, an id. The next invocation describes that
//!   user instead of searching again, and decides on that fresh read, as it would on the
//!   search's, whose the user is: a stale read never writes a claim.
//! - [`Checkpoint::Converging`]: the changes still to make to a user this request holds (it
//!   made it, confirmed its claim on it, or updates its own), as planned on this request's
//!   own read. Going on with them is what one longer invocation would have done.
//!
//! A checkpoint saves calls and never decides anything on its own: one that cannot be read
//! (another version wrote it), names another instance, or whose changes Connect refuses, is
//! dropped, and the request reads Connect again as it would without it.

use serde::{Deserialize, Serialize};

use crate::connect_user::model::UserRef;
use crate::connect_user::plan::Change;
use crate::protocol::resource::Context;

/// See the module doc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "Stage", rename_all_fields = "PascalCase")]
pub(super) enum Checkpoint {
    /// The user that holds the spec's name, as the lookup found it.
    Found {
        instance_id: String,
        user_id: String,
    },
    /// The changes still to make to a user this request holds.
    Converging {
        instance_id: String,
        user_id: String,
        arn: String,
        remaining: Vec<Change>,
    },
}

impl Checkpoint {
    /// The checkpoint an earlier invocation of this request left for `instance_id`, if any.
    pub(super) fn load(context: &Context, instance_id: &str) -> Option<Self> {
        let value = context.progress.checkpoint()?;
        match serde_json::from_value::<Self>(value) {
            Ok(checkpoint) if checkpoint.instance_id() == instance_id => Some(checkpoint),
            Ok(_) => None,
            Err(error) => {
                // The error's category only: its text may quote a value (a name, an email).
                let category = format!("{:?}", error.classify());
                tracing::warn!(%category, "the earlier invocation's checkpoint cannot be read; reading Connect again");
                None
            }
        }
    }

    /// Makes this the request's checkpoint.
    pub(super) fn save(&self, context: &Context) {
        match serde_json::to_value(self) {
            Ok(value) => context.progress.save_checkpoint(value),
            Err(error) => {
                tracing::warn!(%error, "the checkpoint cannot be written; a continuation reads Connect again");
                context.progress.clear_checkpoint();
            }
        }
    }

    /// The checkpoint of `remaining` changes to `user`.
    pub(super) fn converging(instance_id: &str, user: &UserRef, remaining: &[Change]) -> Self {
        Checkpoint::Converging {
            instance_id: instance_id.to_owned(),
            user_id: user.id.clone(),
            arn: user.arn.clone(),
            remaining: remaining.to_vec(),
        }
    }

    fn instance_id(&self) -> &str {
        match self {
            Checkpoint::Found { instance_id, .. } | Checkpoint::Converging { instance_id, .. } => {
                instance_id
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use serde_json::json;

    use super::*;
    use crate::connect_user::model::{
        Channel, ChannelConfigs, IdentityInfo, PhoneConfig, PhoneType,
    };
    use crate::protocol::event::RequestIdentity;
    use crate::protocol::resource::{FailedCreateCleanup, Progress};

    fn every_change() -> Vec<Change> {
        let mut channels = ChannelConfigs::default();
        channels.persistent_connection.insert(Channel::Chat, true);
        vec![
            Change::IdentityInfo(IdentityInfo {
                first_name: Some("Ada".into()),
                ..IdentityInfo::default()
            }),
            Change::PhoneConfig(PhoneConfig {
                phone_type: PhoneType::DeskPhone,
                auto_accept: true,
                after_contact_work_time_limit: 30,
                desk_phone_number: Some("+15555550100".into()),
                persistent_connection: false,
            }),
            Change::UserConfig(channels),
            Change::RoutingProfile("rp".into()),
            Change::SecurityProfiles(BTreeSet::from(["a".into(), "b".into()])),
            Change::Hierarchy(None),
            Change::DisassociateProficiencies(BTreeSet::from([("skill".into(), "x".into())])),
            Change::UpdateProficiencies(BTreeMap::from([(("skill".into(), "y".into()), 3)])),
            Change::AssociateProficiencies(BTreeMap::from([(("lang".into(), "fr".into()), 5)])),
            Change::Tag(BTreeMap::from([("team".into(), "blue".into())])),
            Change::Untag(BTreeSet::from(["old".into()])),
        ]
    }

    fn context_with(checkpoint: Option<serde_json::Value>) -> Context {
        Context {
            identity: RequestIdentity {
                stack_id: "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1".into(),
                request_id: "r".into(),
                logical_resource_id: "Agent".into(),
            },
            work_deadline: tokio::time::Instant::now(),
            progress: Progress::resumed(None, checkpoint),
            failed_create_cleanup: FailedCreateCleanup::RollbackDeletes,
            pace: Default::default(),
        }
    }

    #[test]
    fn every_change_goes_through_a_checkpoint_unchanged() {
        let user = UserRef {
            id: "u".into(),
            arn: "arn:u".into(),
        };
        let saved = Checkpoint::converging("i", &user, &every_change());
        let context = context_with(None);
        saved.save(&context);
        let text = serde_json::to_string(&context.progress.checkpoint()).unwrap_or_default();
        let context = context_with(serde_json::from_str(&text).ok());
        assert_eq!(Checkpoint::load(&context, "i"), Some(saved));
    }

    #[test]
    fn a_checkpoint_is_tagged_with_its_stage_in_pascal_case() {
        let found = Checkpoint::Found {
            instance_id: "i".into(),
            user_id: "u".into(),
        };
        let context = context_with(None);
        found.save(&context);
        assert_eq!(
            context.progress.checkpoint(),
            Some(json!({"Stage": "Found", "InstanceId": "i", "UserId": "u"}))
        );
    }

    #[test]
    fn another_instance_or_an_unreadable_checkpoint_is_none() {
        let found = json!({"Stage": "Found", "InstanceId": "i", "UserId": "u"});
        assert_eq!(Checkpoint::load(&context_with(Some(found)), "other"), None);
        let unknown = json!({"Stage": "Renaming", "InstanceId": "i"});
        assert_eq!(Checkpoint::load(&context_with(Some(unknown)), "i"), None);
        assert_eq!(Checkpoint::load(&context_with(None), "i"), None);
    }
}
