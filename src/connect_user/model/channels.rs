//! Per-channel settings (`AutoAcceptConfigs`, `AfterContactWorkConfigs`, `PhoneNumberConfigs`,
//! `PersistentConnectionConfigs`, `VoiceEnhancementConfigs`) and how they relate to the
//! older `PhoneConfig`.
//!
//! Connect keeps one setting of each kind per channel. `PhoneConfig` is the older view of the
//! same settings: its phone type, desk number, auto-accept and persistent connection are the
//! VOICE channel's, and its after-contact-work limit applies to every channel (that is how
//! `UpdateUserPhoneConfig` behaves). [`ChannelConfigs`] holds the settings normalised: a
//! channel whose setting is the default has no entry, so a setting left out of the template
//! and one Connect never reported compare equal, and removing an entry from the template
//! resets that channel.
//!
//! AWS does not document whether `UpdateUserConfig` keeps what a call leaves out (channels a
//! list omits, or lists the call omits), so an update sends every list in full: see
//! [`ChannelConfigs::full_update`].
//!
//! Auto-accept and after-contact work exist on every channel; phones, persistent connections
//! and voice enhancement on VOICE only (Connect refuses other channels for them), and so do
//! the agent-first callback settings.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// `PhoneConfig.PhoneType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhoneType {
    SoftPhone,
    DeskPhone,
}

impl PhoneType {
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneType::SoftPhone => "SOFT_PHONE",
            PhoneType::DeskPhone => "DESK_PHONE",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "SOFT_PHONE" => Some(PhoneType::SoftPhone),
            "DESK_PHONE" => Some(PhoneType::DeskPhone),
            _ => None,
        }
    }
}

/// `PhoneConfig`, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneConfig {
    pub phone_type: PhoneType,
    pub auto_accept: bool,
    pub after_contact_work_time_limit: i32,
    pub desk_phone_number: Option<String>,
    pub persistent_connection: bool,
}

/// A contact channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Channel {
    Voice,
    Chat,
    Task,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Voice, Channel::Chat, Channel::Task, Channel::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Voice => "VOICE",
            Channel::Chat => "CHAT",
            Channel::Task => "TASK",
            Channel::Email => "EMAIL",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Channel::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// One channel's auto-accept setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoAccept {
    pub auto_accept: bool,
    /// `AgentFirstCallbackAutoAccept`; absent counts as `false`.
    pub agent_first_callback: bool,
}

/// One channel's after-contact-work setting, in seconds (0: until the agent ends it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterContactWork {
    pub time_limit: i32,
    /// `AgentFirstCallbackAfterContactWorkConfig`. `None` in a template: not managed, whatever
    /// Connect holds is kept (the API has no way to unset it, only to set a value).
    pub agent_first_callback: Option<i32>,
}

impl AfterContactWork {
    /// Whether `current` already is what `self` asks for.
    fn satisfied_by(&self, current: &AfterContactWork) -> bool {
        self.time_limit == current.time_limit
            && (self.agent_first_callback.is_none()
                || self.agent_first_callback == current.agent_first_callback)
    }
}

/// One channel's phone: soft phone, or a desk phone with its number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumber {
    pub phone_type: PhoneType,
    pub number: Option<String>,
}

impl Default for PhoneNumber {
    fn default() -> Self {
        Self {
            phone_type: PhoneType::SoftPhone,
            number: None,
        }
    }
}

/// `VoiceEnhancementMode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum VoiceEnhancement {
    VoiceIsolation,
    NoiseSuppression,
    #[default]
    None,
}

impl VoiceEnhancement {
    pub const ALL: [VoiceEnhancement; 3] = [
        VoiceEnhancement::VoiceIsolation,
        VoiceEnhancement::NoiseSuppression,
        VoiceEnhancement::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VoiceEnhancement::VoiceIsolation => "VOICE_ISOLATION",
            VoiceEnhancement::NoiseSuppression => "NOISE_SUPPRESSION",
            VoiceEnhancement::None => "NONE",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        VoiceEnhancement::ALL
            .into_iter()
            .find(|m| m.as_str() == text)
    }
}

/// The channels each per-channel list of `DescribeUser` names, whatever their values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListedChannels {
    pub auto_accept: BTreeSet<Channel>,
    pub after_contact_work: BTreeSet<Channel>,
    pub phone_number: BTreeSet<Channel>,
    pub persistent_connection: BTreeSet<Channel>,
    pub voice_enhancement: BTreeSet<Channel>,
}

/// `desired`'s value for each of `channels`, defaults written out.
fn written_out<T: Default + Clone>(
    channels: impl IntoIterator<Item = Channel>,
    desired: &BTreeMap<Channel, T>,
) -> BTreeMap<Channel, T> {
    channels
        .into_iter()
        .map(|c| (c, desired.get(&c).cloned().unwrap_or_default()))
        .collect()
}

/// The channels a list covers: those Connect listed, those it holds a setting for (a list it
/// did not report, read from `PhoneConfig`), and those the template names; restricted to
/// `allowed`.
fn covered<T>(
    listed: &BTreeSet<Channel>,
    current: &BTreeMap<Channel, T>,
    desired: &BTreeMap<Channel, T>,
    allowed: &[Channel],
) -> Vec<Channel> {
    let mut channels: BTreeSet<Channel> = listed.clone();
    channels.extend(current.keys().copied());
    channels.extend(desired.keys().copied());
    channels.retain(|c| allowed.contains(c));
    channels.into_iter().collect()
}

/// Per-channel settings. In a spec or an observed user: normalised, default entries dropped.
/// In a `Change::UserConfig`: exactly the entries to send, defaults included (they reset).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelConfigs {
    pub auto_accept: BTreeMap<Channel, AutoAccept>,
    pub after_contact_work: BTreeMap<Channel, AfterContactWork>,
    pub phone_number: BTreeMap<Channel, PhoneNumber>,
    pub persistent_connection: BTreeMap<Channel, bool>,
    pub voice_enhancement: BTreeMap<Channel, VoiceEnhancement>,
}

/// Drops the entries that hold the default value.
fn drop_defaults<T: Default + PartialEq>(map: &mut BTreeMap<Channel, T>) {
    map.retain(|_, value| *value != T::default());
}

/// The settings that exist on VOICE alone.
const VOICE_ONLY: [Channel; 1] = [Channel::Voice];

/// The entries of `desired`, among `channels`, that `current` does not satisfy, defaults
/// written out.
fn differing<T: Default + Clone>(
    channels: &[Channel],
    desired: &BTreeMap<Channel, T>,
    current: &BTreeMap<Channel, T>,
    satisfied: impl Fn(&T, &T) -> bool,
) -> BTreeMap<Channel, T> {
    channels
        .iter()
        .map(|c| {
            let wanted = desired.get(c).cloned().unwrap_or_default();
            let held = current.get(c).cloned().unwrap_or_default();
            (*c, wanted, held)
        })
        .filter(|(_, wanted, held)| !satisfied(wanted, held))
        .map(|(c, wanted, _)| (c, wanted))
        .collect()
}

impl ChannelConfigs {
    /// Drops every default entry, so that equal settings compare equal.
    pub fn normalised(mut self) -> Self {
        drop_defaults(&mut self.auto_accept);
        drop_defaults(&mut self.after_contact_work);
        drop_defaults(&mut self.phone_number);
        drop_defaults(&mut self.persistent_connection);
        drop_defaults(&mut self.voice_enhancement);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.auto_accept.is_empty()
            && self.after_contact_work.is_empty()
            && self.phone_number.is_empty()
            && self.persistent_connection.is_empty()
            && self.voice_enhancement.is_empty()
    }

    /// The settings after `UpdateUserPhoneConfig` (or `CreateUser`) with `config`: the VOICE
    /// channel's phone, auto-accept and persistent connection, and every channel's
    /// after-contact-work limit (agent-first callback settings untouched).
    pub fn with_phone_config(&self, config: &PhoneConfig) -> Self {
        let mut next = self.clone();
        let voice = Channel::Voice;
        let auto = next.auto_accept.entry(voice).or_default();
        auto.auto_accept = config.auto_accept;
        next.phone_number.insert(
            voice,
            PhoneNumber {
                phone_type: config.phone_type,
                number: config.desk_phone_number.clone(),
            },
        );
        next.persistent_connection
            .insert(voice, config.persistent_connection);
        for channel in Channel::ALL {
            let work = next.after_contact_work.entry(channel).or_default();
            work.time_limit = config.after_contact_work_time_limit;
        }
        next.normalised()
    }

    /// The entries to send so that `current` becomes `self`; empty when they already agree.
    pub fn update_from(&self, current: &ChannelConfigs) -> ChannelConfigs {
        let all = &Channel::ALL;
        ChannelConfigs {
            auto_accept: differing(all, &self.auto_accept, &current.auto_accept, PartialEq::eq),
            after_contact_work: differing(
                all,
                &self.after_contact_work,
                &current.after_contact_work,
                AfterContactWork::satisfied_by,
            ),
            phone_number: differing(
                &VOICE_ONLY,
                &self.phone_number,
                &current.phone_number,
                PartialEq::eq,
            ),
            persistent_connection: differing(
                &VOICE_ONLY,
                &self.persistent_connection,
                &current.persistent_connection,
                PartialEq::eq,
            ),
            voice_enhancement: differing(
                &VOICE_ONLY,
                &self.voice_enhancement,
                &current.voice_enhancement,
                PartialEq::eq,
            ),
        }
    }

    /// The one `UpdateUserConfig` that makes `current` into `self`, correct whether Connect
    /// merges what a call sends or replaces each list with it (and resets lists the call
    /// leaves out): AWS documents neither. Every list is sent in full: for each, every channel
    /// Connect listed or holds a setting for, plus those the template names (VOICE alone for
    /// the VOICE-only settings), each value written out, defaults included, and an agent-first callback
    /// limit the template does not manage sent as Connect holds it.
    pub fn full_update(&self, current: &ChannelConfigs, listed: &ListedChannels) -> ChannelConfigs {
        let all = &Channel::ALL;
        let mut after_contact_work = written_out(
            covered(
                &listed.after_contact_work,
                &current.after_contact_work,
                &self.after_contact_work,
                all,
            ),
            &self.after_contact_work,
        );
        for (channel, work) in after_contact_work.iter_mut() {
            if work.agent_first_callback.is_none() {
                work.agent_first_callback = current
                    .after_contact_work
                    .get(channel)
                    .and_then(|held| held.agent_first_callback);
            }
        }
        ChannelConfigs {
            auto_accept: written_out(
                covered(
                    &listed.auto_accept,
                    &current.auto_accept,
                    &self.auto_accept,
                    all,
                ),
                &self.auto_accept,
            ),
            after_contact_work,
            phone_number: written_out(
                covered(
                    &listed.phone_number,
                    &current.phone_number,
                    &self.phone_number,
                    &VOICE_ONLY,
                ),
                &self.phone_number,
            ),
            persistent_connection: written_out(
                covered(
                    &listed.persistent_connection,
                    &current.persistent_connection,
                    &self.persistent_connection,
                    &VOICE_ONLY,
                ),
                &self.persistent_connection,
            ),
            voice_enhancement: written_out(
                covered(
                    &listed.voice_enhancement,
                    &current.voice_enhancement,
                    &self.voice_enhancement,
                    &VOICE_ONLY,
                ),
                &self.voice_enhancement,
            ),
        }
    }

    /// What `CreateUser` must send for a user without `PhoneConfig`: every non-default entry,
    /// and the VOICE phone always, so that the user's phone type is explicit.
    pub fn for_create(&self) -> ChannelConfigs {
        let mut sent = self.clone();
        sent.phone_number.entry(Channel::Voice).or_default();
        sent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(auto: bool, limit: i32) -> PhoneConfig {
        PhoneConfig {
            phone_type: PhoneType::SoftPhone,
            auto_accept: auto,
            after_contact_work_time_limit: limit,
            desk_phone_number: None,
            persistent_connection: false,
        }
    }

    #[test]
    fn phone_config_sets_voice_and_every_channels_after_contact_work() {
        let configs = ChannelConfigs::default().with_phone_config(&phone(true, 30));
        assert_eq!(
            configs.auto_accept,
            BTreeMap::from([(
                Channel::Voice,
                AutoAccept {
                    auto_accept: true,
                    agent_first_callback: false
                }
            )])
        );
        assert_eq!(configs.after_contact_work.len(), 4);
        assert!(
            configs.phone_number.is_empty(),
            "a soft phone is the default"
        );
        assert_eq!(
            ChannelConfigs::default().with_phone_config(&phone(false, 0)),
            ChannelConfigs::default()
        );
    }

    #[test]
    fn update_writes_defaults_out_to_reset_removed_entries() {
        let mut current = ChannelConfigs::default();
        current
            .voice_enhancement
            .insert(Channel::Voice, VoiceEnhancement::NoiseSuppression);
        current.persistent_connection.insert(Channel::Voice, true);
        let mut desired = ChannelConfigs::default();
        desired.persistent_connection.insert(Channel::Voice, true);
        let update = desired.update_from(&current);
        assert_eq!(
            update.voice_enhancement,
            BTreeMap::from([(Channel::Voice, VoiceEnhancement::None)])
        );
        assert!(update.persistent_connection.is_empty());
        assert!(desired.update_from(&desired).is_empty());
    }

    #[test]
    fn an_unmanaged_callback_limit_is_left_as_connect_holds_it() {
        let mut current = ChannelConfigs::default();
        let held = AfterContactWork {
            time_limit: 30,
            agent_first_callback: Some(10),
        };
        current.after_contact_work.insert(Channel::Voice, held);
        let mut desired = ChannelConfigs::default();
        let wanted = AfterContactWork {
            time_limit: 30,
            agent_first_callback: None,
        };
        desired.after_contact_work.insert(Channel::Voice, wanted);
        assert!(desired.update_from(&current).is_empty());
        desired.after_contact_work.insert(
            Channel::Voice,
            AfterContactWork {
                time_limit: 30,
                agent_first_callback: Some(20),
            },
        );
        assert_eq!(desired.update_from(&current).after_contact_work.len(), 1);
    }

    #[test]
    fn a_full_update_sends_every_listed_and_named_channel_written_out() {
        let all: BTreeSet<Channel> = Channel::ALL.into_iter().collect();
        let listed = ListedChannels {
            auto_accept: all.clone(),
            after_contact_work: all,
            phone_number: BTreeSet::from([Channel::Voice]),
            persistent_connection: BTreeSet::from([Channel::Voice]),
            voice_enhancement: BTreeSet::new(),
        };
        let mut current = ChannelConfigs::default();
        current.after_contact_work.insert(
            Channel::Chat,
            AfterContactWork {
                time_limit: 5,
                agent_first_callback: Some(7),
            },
        );
        let mut desired = ChannelConfigs::default();
        let on = AutoAccept {
            auto_accept: true,
            agent_first_callback: false,
        };
        desired.auto_accept.insert(Channel::Task, on);
        desired
            .voice_enhancement
            .insert(Channel::Voice, VoiceEnhancement::NoiseSuppression);
        let sent = desired.full_update(&current, &listed);
        assert_eq!(sent.auto_accept.len(), 4, "every listed channel");
        assert_eq!(sent.auto_accept[&Channel::Task], on);
        assert_eq!(sent.auto_accept[&Channel::Voice], AutoAccept::default());
        assert_eq!(sent.after_contact_work.len(), 4);
        assert_eq!(
            sent.after_contact_work[&Channel::Chat],
            AfterContactWork {
                time_limit: 0,
                agent_first_callback: Some(7)
            },
            "the limit reset, the unmanaged callback limit as Connect holds it"
        );
        assert_eq!(
            sent.phone_number,
            BTreeMap::from([(Channel::Voice, PhoneNumber::default())])
        );
        assert_eq!(
            sent.persistent_connection,
            BTreeMap::from([(Channel::Voice, false)])
        );
        assert_eq!(
            sent.voice_enhancement,
            BTreeMap::from([(Channel::Voice, VoiceEnhancement::NoiseSuppression)]),
            "named by the template though Connect listed none"
        );
    }

    #[test]
    fn a_full_update_sends_voice_only_settings_for_voice_alone() {
        let listed = ListedChannels {
            persistent_connection: Channel::ALL.into_iter().collect(),
            ..ListedChannels::default()
        };
        let sent = ChannelConfigs::default().full_update(&ChannelConfigs::default(), &listed);
        assert_eq!(
            sent.persistent_connection.keys().collect::<Vec<_>>(),
            vec![&Channel::Voice]
        );
        assert!(sent.auto_accept.is_empty(), "nothing listed, nothing named");
    }

    #[test]
    fn names_round_trip() {
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
        for mode in VoiceEnhancement::ALL {
            assert_eq!(VoiceEnhancement::parse(mode.as_str()), Some(mode));
        }
        assert_eq!(Channel::parse("voice"), None);
    }
}
