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

use std::collections::BTreeMap;

use super::spec::{PhoneConfig, PhoneType};

/// A contact channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AutoAccept {
    pub auto_accept: bool,
    /// `AgentFirstCallbackAutoAccept`; absent counts as `false`.
    pub agent_first_callback: bool,
}

/// One channel's after-contact-work setting, in seconds (0: until the agent ends it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AfterContactWork {
    pub time_limit: i32,
    /// `AgentFirstCallbackAfterContactWorkConfig`; absent means Connect's own default.
    pub agent_first_callback: Option<i32>,
}

/// One channel's phone: soft phone, or a desk phone with its number.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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

/// Per-channel settings. In a spec or an observed user: normalised, default entries dropped.
/// In a `Change::UserConfig`: exactly the entries to send, defaults included (they reset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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

/// The entries of `desired` that `current` does not have, defaults written out.
fn differing<T: Default + PartialEq + Clone>(
    desired: &BTreeMap<Channel, T>,
    current: &BTreeMap<Channel, T>,
) -> BTreeMap<Channel, T> {
    Channel::ALL
        .into_iter()
        .filter(|c| desired.get(c) != current.get(c))
        .map(|c| (c, desired.get(&c).cloned().unwrap_or_default()))
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
        ChannelConfigs {
            auto_accept: differing(&self.auto_accept, &current.auto_accept),
            after_contact_work: differing(&self.after_contact_work, &current.after_contact_work),
            phone_number: differing(&self.phone_number, &current.phone_number),
            persistent_connection: differing(
                &self.persistent_connection,
                &current.persistent_connection,
            ),
            voice_enhancement: differing(&self.voice_enhancement, &current.voice_enhancement),
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
        current.persistent_connection.insert(Channel::Chat, true);
        let mut desired = ChannelConfigs::default();
        desired.persistent_connection.insert(Channel::Chat, true);
        let update = desired.update_from(&current);
        assert_eq!(
            update.voice_enhancement,
            BTreeMap::from([(Channel::Voice, VoiceEnhancement::None)])
        );
        assert!(update.persistent_connection.is_empty());
        assert!(desired.update_from(&desired).is_empty());
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
