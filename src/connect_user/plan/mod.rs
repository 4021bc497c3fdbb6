//! The update plan: desired properties + the user as Connect describes it → the calls to make.
//!
//! Pure, so every rule is tested without I/O. It converges rather than diffs old and new
//! properties: comparing with what Connect holds repairs drift made in the console, and makes
//! CloudFormation's rollback Update (old and new swapped) land back where it started even when
//! the failed Update got part-way.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::model::proficiencies::as_entries;
use super::model::{
    ChannelConfigs, IdentityInfo, ObservedUser, PhoneConfig, PhysicalId, Proficiencies,
    ProficiencyKey, UserSpec, OWNERSHIP_TAG,
};

mod create;
pub mod proficiencies;

pub use create::{new_user, NewUser};

/// One mutating call. Serialisable, so that the changes still to make can be carried to the
/// request's next invocation (see `resource::checkpoint`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    IdentityInfo(IdentityInfo),
    PhoneConfig(PhoneConfig),
    /// The per-channel entries to set, defaults written out where they reset a channel.
    UserConfig(ChannelConfigs),
    RoutingProfile(String),
    SecurityProfiles(BTreeSet<String>),
    Hierarchy(Option<String>),
    DisassociateProficiencies(BTreeSet<ProficiencyKey>),
    UpdateProficiencies(#[serde(with = "as_entries")] Proficiencies),
    AssociateProficiencies(#[serde(with = "as_entries")] Proficiencies),
    Tag(BTreeMap<String, String>),
    Untag(BTreeSet<String>),
}

impl Change {
    /// The Connect operation that makes this change.
    pub fn operation(&self) -> &'static str {
        match self {
            Change::IdentityInfo(_) => "UpdateUserIdentityInfo",
            Change::PhoneConfig(_) => "UpdateUserPhoneConfig",
            Change::UserConfig(_) => "UpdateUserConfig",
            Change::RoutingProfile(_) => "UpdateUserRoutingProfile",
            Change::SecurityProfiles(_) => "UpdateUserSecurityProfiles",
            Change::Hierarchy(_) => "UpdateUserHierarchy",
            Change::DisassociateProficiencies(_) => "DisassociateUserProficiencies",
            Change::UpdateProficiencies(_) => "UpdateUserProficiencies",
            Change::AssociateProficiencies(_) => "AssociateUserProficiencies",
            Change::Tag(_) => "TagResource",
            Change::Untag(_) => "UntagResource",
        }
    }
}

/// Why an Update makes a new user instead of changing the old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replacement {
    /// `InstanceId` changed: users cannot move between instances.
    InstanceChanged,
    /// `Name` changed: Connect has no API to rename a user.
    NameChanged,
    /// The user was deleted outside CloudFormation.
    Vanished,
}

/// What an Update does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Replace(Replacement),
    /// The calls to make, in order; empty when nothing differs.
    Converge(Vec<Change>),
}

/// A change that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("DirectoryUserId cannot change in place (Connect has no API for it); change Name too, so that CloudFormation replaces the user")]
    DirectoryUserIdChanged,
}

/// Whether an Update needs a new user, before looking at Connect at all.
pub fn replacement_before_describe(
    desired: &UserSpec,
    current: &PhysicalId,
) -> Option<Replacement> {
    (desired.instance_id != current.instance_id).then_some(Replacement::InstanceChanged)
}

/// The plan for an Update, given the user as Connect describes it (`None`: it is gone).
pub fn plan_update(desired: &UserSpec, observed: Option<&ObservedUser>) -> Result<Plan, PlanError> {
    let Some(user) = observed else {
        return Ok(Plan::Replace(Replacement::Vanished));
    };
    if user.username != desired.name {
        return Ok(Plan::Replace(Replacement::NameChanged));
    }
    if let Some(wanted) = &desired.directory_user_id {
        if user.directory_user_id.as_ref() != Some(wanted) {
            return Err(PlanError::DirectoryUserIdChanged);
        }
    }
    Ok(Plan::Converge(changes(desired, user)))
}

/// The mutating calls that bring `user` to `desired`, in a fixed order.
pub fn changes(desired: &UserSpec, user: &ObservedUser) -> Vec<Change> {
    let mut changes = Vec::new();
    // Left out of the template: the identity stays as Connect holds it.
    if let Some(wanted) = &desired.identity_info {
        if user.identity_info != *wanted {
            changes.push(Change::IdentityInfo(wanted.clone()));
        }
    }
    // A template with PhoneConfig alone keeps using UpdateUserPhoneConfig; whatever that call
    // leaves different (another channel changed in the console) is set per channel.
    let mut channels = user.channels.clone();
    if let Some(config) = &desired.phone_config {
        if user.phone_config.as_ref() != Some(config) {
            changes.push(Change::PhoneConfig(config.clone()));
            channels = channels.with_phone_config(config);
        }
    }
    if !desired.channels.update_from(&channels).is_empty() {
        let lists = desired
            .channels
            .full_update(&channels, &user.listed_channels);
        changes.push(Change::UserConfig(lists));
    }
    if user.routing_profile_id != desired.routing_profile_id {
        changes.push(Change::RoutingProfile(desired.routing_profile_id.clone()));
    }
    if user.security_profile_ids != desired.security_profile_ids {
        changes.push(Change::SecurityProfiles(
            desired.security_profile_ids.clone(),
        ));
    }
    if user.hierarchy_group_id != desired.hierarchy_group_id {
        changes.push(Change::Hierarchy(desired.hierarchy_group_id.clone()));
    }
    changes.extend(proficiency_changes(desired, user));
    changes.extend(tag_changes(desired, user));
    changes
}

/// `DisassociateUserProficiencies`, `UpdateUserProficiencies` and
/// `AssociateUserProficiencies`, as needed, when the template manages proficiencies.
fn proficiency_changes(desired: &UserSpec, user: &ObservedUser) -> Vec<Change> {
    let mut changes = Vec::new();
    if let Some(wanted) = &desired.proficiencies {
        let listed = user.proficiencies.clone().unwrap_or_default();
        let diff = proficiencies::changes(wanted, &listed);
        if !diff.disassociate.is_empty() {
            changes.push(Change::DisassociateProficiencies(diff.disassociate));
        }
        if !diff.update.is_empty() {
            changes.push(Change::UpdateProficiencies(diff.update));
        }
        if !diff.associate.is_empty() {
            changes.push(Change::AssociateProficiencies(diff.associate));
        }
    }
    changes
}

/// `UntagResource` then `TagResource`, as needed.
fn tag_changes(desired: &UserSpec, user: &ObservedUser) -> Vec<Change> {
    let mut changes = Vec::new();
    // Remove before adding: Connect allows 50 tags per resource and refuses a TagResource
    // that would pass it as a whole (administrator guide, "Add tags to resources in Amazon
    // Connect"), so renaming a key on a user at the limit only works in this order.
    let to_untag: BTreeSet<String> = user
        .tags
        .keys()
        .filter(|key| !desired.tags.contains_key(*key) && is_ours_to_manage(key))
        .cloned()
        .collect();
    if !to_untag.is_empty() {
        changes.push(Change::Untag(to_untag));
    }
    let to_tag: BTreeMap<String, String> = desired
        .tags
        .iter()
        .filter(|(key, value)| user.tags.get(*key) != Some(value))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    if !to_tag.is_empty() {
        changes.push(Change::Tag(to_tag));
    }
    changes
}

/// Tags the `Tags` property manages: not the ownership tag, not AWS's own.
fn is_ours_to_manage(key: &str) -> bool {
    key != OWNERSHIP_TAG && !key.to_ascii_lowercase().starts_with("aws:")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect_user::model::{
        AutoAccept, Channel, ListedChannels, ObservedProficiencies, PasswordSource, PhoneType,
        Secret, VoiceEnhancement,
    };

    fn spec() -> UserSpec {
        let phone_config = PhoneConfig {
            phone_type: PhoneType::SoftPhone,
            auto_accept: false,
            after_contact_work_time_limit: 0,
            desk_phone_number: None,
            persistent_connection: false,
        };
        UserSpec {
            instance_id: "i-1".into(),
            name: "agent".into(),
            password: Some(PasswordSource::Literal(Secret::new("Password123".into()))),
            directory_user_id: None,
            hierarchy_group_id: None,
            identity_info: None,
            channels: ChannelConfigs::default().with_phone_config(&phone_config),
            phone_config: Some(phone_config),
            proficiencies: None,
            routing_profile_id: "rp-1".into(),
            security_profile_ids: BTreeSet::from(["sp-1".to_string()]),
            names: Default::default(),
            tags: BTreeMap::new(),
            adopt_existing: false,
        }
    }

    fn observed(spec: &UserSpec) -> ObservedUser {
        ObservedUser {
            id: "u-1".into(),
            arn: "arn:aws:connect:us-east-1:1:instance/i-1/agent/u-1".into(),
            username: spec.name.clone(),
            identity_info: spec.identity_info.clone().unwrap_or_default(),
            phone_config: spec.phone_config.clone(),
            channels: spec.channels.clone(),
            listed_channels: listed_as_connect_does(),
            directory_user_id: spec.directory_user_id.clone(),
            hierarchy_group_id: spec.hierarchy_group_id.clone(),
            routing_profile_id: spec.routing_profile_id.clone(),
            security_profile_ids: spec.security_profile_ids.clone(),
            tags: BTreeMap::from([(OWNERSHIP_TAG.to_string(), "req-1".to_string())]),
            proficiencies: None,
        }
    }

    /// What `DescribeUser` lists: every channel for auto-accept and after-contact work, VOICE
    /// for the VOICE-only settings.
    fn listed_as_connect_does() -> ListedChannels {
        let all: BTreeSet<Channel> = Channel::ALL.into_iter().collect();
        let voice = BTreeSet::from([Channel::Voice]);
        ListedChannels {
            auto_accept: all.clone(),
            after_contact_work: all,
            phone_number: voice.clone(),
            persistent_connection: voice.clone(),
            voice_enhancement: voice,
        }
    }

    /// Every list in full, as [`ChannelConfigs::full_update`] sends it, from `desired`.
    fn full_lists(desired: &ChannelConfigs) -> ChannelConfigs {
        desired.full_update(&ChannelConfigs::default(), &listed_as_connect_does())
    }

    /// Edits the spec's PhoneConfig and the channel settings that follow from it.
    fn edit_phone(spec: &mut UserSpec, edit: fn(&mut PhoneConfig)) {
        let mut config = spec.phone_config.clone().unwrap();
        edit(&mut config);
        spec.channels = ChannelConfigs::default().with_phone_config(&config);
        spec.phone_config = Some(config);
    }

    #[test]
    fn nothing_differs_nothing_to_do() {
        let desired = spec();
        assert_eq!(
            plan_update(&desired, Some(&observed(&desired))),
            Ok(Plan::Converge(vec![]))
        );
    }

    #[test]
    fn each_difference_maps_to_its_call() {
        let base = spec();
        let user = observed(&base);
        type Edit = fn(&mut UserSpec);
        let cases: Vec<(Edit, &str)> = vec![
            (
                |s| {
                    s.identity_info = Some(IdentityInfo {
                        first_name: Some("Ada".into()),
                        ..IdentityInfo::default()
                    })
                },
                "UpdateUserIdentityInfo",
            ),
            (
                |s| edit_phone(s, |p| p.auto_accept = true),
                "UpdateUserPhoneConfig",
            ),
            (
                |s| edit_phone(s, |p| p.after_contact_work_time_limit = 30),
                "UpdateUserPhoneConfig",
            ),
            (
                |s| {
                    edit_phone(s, |p| {
                        p.phone_type = PhoneType::DeskPhone;
                        p.desk_phone_number = Some("+14255550100".into())
                    })
                },
                "UpdateUserPhoneConfig",
            ),
            (
                |s| {
                    s.phone_config = None;
                    s.channels
                        .voice_enhancement
                        .insert(Channel::Voice, VoiceEnhancement::NoiseSuppression);
                },
                "UpdateUserConfig",
            ),
            (
                |s| s.proficiencies = Some(Proficiencies::from([(("L".into(), "E".into()), 3)])),
                "AssociateUserProficiencies",
            ),
            (
                |s| s.routing_profile_id = "rp-2".into(),
                "UpdateUserRoutingProfile",
            ),
            (
                |s| {
                    s.security_profile_ids.insert("sp-2".into());
                },
                "UpdateUserSecurityProfiles",
            ),
            (
                |s| s.hierarchy_group_id = Some("g-1".into()),
                "UpdateUserHierarchy",
            ),
            (
                |s| {
                    s.tags.insert("team".into(), "blue".into());
                },
                "TagResource",
            ),
        ];
        for (edit, operation) in cases {
            let mut desired = base.clone();
            edit(&mut desired);
            let Ok(Plan::Converge(changes)) = plan_update(&desired, Some(&user)) else {
                panic!("{operation}")
            };
            let operations: Vec<&str> = changes.iter().map(Change::operation).collect();
            assert_eq!(operations, vec![operation]);
        }
    }

    #[test]
    fn a_missing_phone_config_is_set() {
        let desired = spec();
        let mut user = observed(&desired);
        user.phone_config = None;
        assert_eq!(
            changes(&desired, &user),
            vec![Change::PhoneConfig(desired.phone_config.clone().unwrap())]
        );
    }

    #[test]
    fn phone_config_alone_still_repairs_other_channels() {
        let desired = spec();
        let mut user = observed(&desired);
        let on = AutoAccept {
            auto_accept: true,
            agent_first_callback: false,
        };
        user.channels.auto_accept.insert(Channel::Chat, on);
        let sent = full_lists(&desired.channels);
        assert_eq!(sent.auto_accept[&Channel::Chat], AutoAccept::default());
        assert_eq!(changes(&desired, &user), vec![Change::UserConfig(sent)]);
    }

    #[test]
    fn a_per_channel_difference_sends_every_list_in_full() {
        let mut desired = spec();
        desired.phone_config = None;
        let on = AutoAccept {
            auto_accept: true,
            agent_first_callback: false,
        };
        desired.channels.auto_accept.insert(Channel::Chat, on);
        desired
            .channels
            .persistent_connection
            .insert(Channel::Voice, true);
        let mut user = observed(&desired);
        user.channels.persistent_connection.clear();
        user.channels
            .voice_enhancement
            .insert(Channel::Voice, VoiceEnhancement::VoiceIsolation);
        let Some(Change::UserConfig(sent)) = changes(&desired, &user).pop() else {
            panic!("one UpdateUserConfig")
        };
        assert_eq!(sent, full_lists(&desired.channels));
        assert_eq!(sent.auto_accept.len(), 4, "unchanged channels too");
        assert_eq!(sent.auto_accept[&Channel::Chat], on);
        assert!(sent.persistent_connection[&Channel::Voice]);
        assert_eq!(
            sent.voice_enhancement[&Channel::Voice],
            VoiceEnhancement::None,
            "a default written out resets"
        );
        assert_eq!(changes(&desired, &user).len(), 1);
    }

    #[test]
    fn an_identity_left_out_is_left_alone_and_a_given_one_managed_whole() {
        let mut desired = spec();
        let mut user = observed(&desired);
        user.identity_info = IdentityInfo {
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            ..IdentityInfo::default()
        };
        assert_eq!(changes(&desired, &user), vec![], "not managed");
        let wanted = IdentityInfo {
            first_name: Some("Ada".into()),
            ..IdentityInfo::default()
        };
        desired.identity_info = Some(wanted.clone());
        assert_eq!(
            changes(&desired, &user),
            vec![Change::IdentityInfo(wanted)],
            "managed whole: the last name the template leaves out goes"
        );
    }

    #[test]
    fn tags_are_removed_before_they_are_added() {
        let mut desired = spec();
        desired.tags = BTreeMap::from([("new-key".into(), "v".into())]);
        let mut user = observed(&desired);
        user.tags.insert("old-key".into(), "v".into());
        let operations: Vec<&str> = changes(&desired, &user)
            .iter()
            .map(Change::operation)
            .collect();
        assert_eq!(operations, vec!["UntagResource", "TagResource"]);
    }

    #[test]
    fn proficiencies_converge_in_three_calls_and_only_when_managed() {
        let key = |v: &str| ("Language".to_string(), v.to_string());
        let mut desired = spec();
        let mut user = observed(&desired);
        user.proficiencies = Some(ObservedProficiencies::from([
            (key("English"), 2.0),
            (key("French"), 1.0),
        ]));
        assert_eq!(changes(&desired, &user), vec![], "unmanaged: left alone");
        desired.proficiencies = Some(Proficiencies::from([
            (key("English"), 4),
            (key("Spanish"), 1),
        ]));
        let operations: Vec<&str> = changes(&desired, &user)
            .iter()
            .map(Change::operation)
            .collect();
        assert_eq!(
            operations,
            vec![
                "DisassociateUserProficiencies",
                "UpdateUserProficiencies",
                "AssociateUserProficiencies"
            ]
        );
        desired.proficiencies = Some(Proficiencies::new());
        assert_eq!(
            changes(&desired, &user),
            vec![Change::DisassociateProficiencies(BTreeSet::from([
                key("English"),
                key("French")
            ]))]
        );
    }

    #[test]
    fn hierarchy_is_removed_in_place() {
        let desired = spec();
        let mut user = observed(&desired);
        user.hierarchy_group_id = Some("g-1".into());
        assert_eq!(changes(&desired, &user), vec![Change::Hierarchy(None)]);
    }

    #[test]
    fn only_the_tag_difference_is_applied_and_reserved_tags_are_kept() {
        let mut desired = spec();
        desired.tags = BTreeMap::from([
            ("same".into(), "1".into()),
            ("changed".into(), "new".into()),
            ("added".into(), "x".into()),
        ]);
        let mut user = observed(&desired);
        user.tags.extend([
            ("same".to_string(), "1".to_string()),
            ("changed".to_string(), "old".to_string()),
            ("stale".to_string(), "x".to_string()),
            ("aws:cloudformation:stack-name".to_string(), "s".to_string()),
        ]);
        assert_eq!(
            changes(&desired, &user),
            vec![
                Change::Untag(BTreeSet::from(["stale".to_string()])),
                Change::Tag(BTreeMap::from([
                    ("added".into(), "x".into()),
                    ("changed".into(), "new".into())
                ])),
            ]
        );
    }

    #[test]
    fn replacements() {
        let desired = spec();
        assert_eq!(
            plan_update(&desired, None),
            Ok(Plan::Replace(Replacement::Vanished))
        );
        let mut user = observed(&desired);
        user.username = "someone-else".into();
        assert_eq!(
            plan_update(&desired, Some(&user)),
            Ok(Plan::Replace(Replacement::NameChanged))
        );
        assert_eq!(
            replacement_before_describe(&desired, &PhysicalId::new("i-2", "u-1")),
            Some(Replacement::InstanceChanged)
        );
        assert_eq!(
            replacement_before_describe(&desired, &PhysicalId::new("i-1", "u-1")),
            None
        );
    }

    #[test]
    fn directory_user_id_cannot_change() {
        let mut desired = spec();
        let user = observed(&desired);
        desired.directory_user_id = Some("d-1".into());
        assert_eq!(
            plan_update(&desired, Some(&user)),
            Err(PlanError::DirectoryUserIdChanged)
        );
        let mut same = user.clone();
        same.directory_user_id = Some("d-1".into());
        assert_eq!(
            plan_update(&desired, Some(&same)),
            Ok(Plan::Converge(vec![]))
        );
    }

    #[test]
    fn password_never_drives_a_change() {
        let desired = spec();
        let mut other = desired.clone();
        other.password = Some(PasswordSource::Literal(Secret::new("Different456".into())));
        assert_eq!(
            plan_update(&other, Some(&observed(&desired))),
            Ok(Plan::Converge(vec![]))
        );
    }
}
