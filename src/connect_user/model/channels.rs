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

/// One per-channel setting: its value on one channel, the channels Connect takes it on, and
/// what counts as already satisfied. [`PerChannel`] does the rest once for every setting, so a
/// new setting is a type with this impl and one line in [`channel_settings!`]'s list.
pub trait ChannelSetting: Clone + Default + PartialEq + std::fmt::Debug {
    /// The channels Connect accepts the setting on; the others are never sent.
    const CHANNELS: &'static [Channel];

    /// Whether `current` already is what `self` asks for (by default: equal).
    fn satisfied_by(&self, current: &Self) -> bool {
        self == current
    }

    /// In an update sent in full: keeps, from `held` (Connect's value), what the template
    /// leaves unmanaged (by default: nothing).
    fn keep_unmanaged(&mut self, _held: &Self) {}
}

/// The settings that exist on VOICE alone (Connect refuses other channels for them).
pub const VOICE_ONLY: [Channel; 1] = [Channel::Voice];

impl ChannelSetting for AutoAccept {
    const CHANNELS: &'static [Channel] = &Channel::ALL;
}

impl ChannelSetting for AfterContactWork {
    const CHANNELS: &'static [Channel] = &Channel::ALL;

    /// The limit as asked, and the agent-first callback limit too when the template manages it.
    fn satisfied_by(&self, current: &Self) -> bool {
        self.time_limit == current.time_limit
            && (self.agent_first_callback.is_none()
                || self.agent_first_callback == current.agent_first_callback)
    }

    /// An agent-first callback limit the template does not manage is sent as Connect holds it.
    fn keep_unmanaged(&mut self, held: &Self) {
        if self.agent_first_callback.is_none() {
            self.agent_first_callback = held.agent_first_callback;
        }
    }
}

impl ChannelSetting for PhoneNumber {
    const CHANNELS: &'static [Channel] = &VOICE_ONLY;
}

/// `PersistentConnection`: the one setting that is a bare flag.
impl ChannelSetting for bool {
    const CHANNELS: &'static [Channel] = &VOICE_ONLY;
}

impl ChannelSetting for VoiceEnhancement {
    const CHANNELS: &'static [Channel] = &VOICE_ONLY;
}

/// One setting on each channel. In a spec or an observed user: normalised, default entries
/// dropped. In a `Change::UserConfig`: exactly the entries to send, defaults included (they
/// reset). A map underneath (`Deref`), serialized as one (checkpoints keep their form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PerChannel<T>(BTreeMap<Channel, T>);

impl<T> Default for PerChannel<T> {
    fn default() -> Self {
        Self(BTreeMap::new())
    }
}

impl<T> std::ops::Deref for PerChannel<T> {
    type Target = BTreeMap<Channel, T>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<T> std::ops::DerefMut for PerChannel<T> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<T> From<BTreeMap<Channel, T>> for PerChannel<T> {
    fn from(map: BTreeMap<Channel, T>) -> Self {
        Self(map)
    }
}

impl<T> FromIterator<(Channel, T)> for PerChannel<T> {
    fn from_iter<I: IntoIterator<Item = (Channel, T)>>(items: I) -> Self {
        Self(items.into_iter().collect())
    }
}

impl<T: PartialEq> PartialEq<BTreeMap<Channel, T>> for PerChannel<T> {
    fn eq(&self, other: &BTreeMap<Channel, T>) -> bool {
        self.0 == *other
    }
}

impl<T: ChannelSetting> PerChannel<T> {
    /// Drops the entries that hold the default value, so that equal settings compare equal.
    pub fn normalised(mut self) -> Self {
        self.0.retain(|_, value| *value != T::default());
        self
    }

    /// `self`'s value on `channel`, the default written out.
    fn on(&self, channel: Channel) -> T {
        self.0.get(&channel).cloned().unwrap_or_default()
    }

    /// The entries to send so that `current` becomes `self`, defaults written out; empty when
    /// they already agree.
    pub fn update_from(&self, current: &Self) -> Self {
        T::CHANNELS
            .iter()
            .map(|c| (*c, self.on(*c), current.on(*c)))
            .filter(|(_, wanted, held)| !wanted.satisfied_by(held))
            .map(|(c, wanted, _)| (c, wanted))
            .collect()
    }

    /// The list in full, for an `UpdateUserConfig` that must be right whether Connect merges
    /// or replaces: every channel Connect `listed` or holds a setting for (a list it did not
    /// report, read from `PhoneConfig`), plus those the template names, among
    /// [`ChannelSetting::CHANNELS`]; each value written out, what the template leaves
    /// unmanaged kept as Connect holds it.
    pub fn full_update(&self, current: &Self, listed: &BTreeSet<Channel>) -> Self {
        let mut channels: BTreeSet<Channel> = listed.clone();
        channels.extend(current.keys().copied());
        channels.extend(self.keys().copied());
        channels.retain(|c| T::CHANNELS.contains(c));
        channels
            .into_iter()
            .map(|c| {
                let mut value = self.on(c);
                if let Some(held) = current.get(&c) {
                    value.keep_unmanaged(held);
                }
                (c, value)
            })
            .collect()
    }
}

/// Declares the per-channel settings, each a field of [`ChannelConfigs`] (its values) and of
/// [`ListedChannels`] (the channels `DescribeUser`'s list names), with the operations on all of
/// them at once. The one list of the settings in the model: a sixth is one line here.
macro_rules! channel_settings {
    ($($(#[$doc:meta])* $field:ident: $setting:ty,)*) => {
        /// Per-channel settings, one [`PerChannel`] per setting.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct ChannelConfigs {
            $($(#[$doc])* pub $field: PerChannel<$setting>,)*
        }

        /// The channels each per-channel list of `DescribeUser` names, whatever their values.
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct ListedChannels {
            $(pub $field: BTreeSet<Channel>,)*
        }

        impl ChannelConfigs {
            /// Drops every default entry, so that equal settings compare equal.
            pub fn normalised(self) -> Self {
                Self { $($field: self.$field.normalised(),)* }
            }

            pub fn is_empty(&self) -> bool {
                true $(&& self.$field.is_empty())*
            }

            /// The entries to send so that `current` becomes `self`; empty when they agree.
            pub fn update_from(&self, current: &ChannelConfigs) -> ChannelConfigs {
                Self { $($field: self.$field.update_from(&current.$field),)* }
            }

            /// The one `UpdateUserConfig` that makes `current` into `self`, correct whether
            /// Connect merges what a call sends or replaces each list with it (and resets lists
            /// the call leaves out): AWS documents neither. Every list is sent in full
            /// ([`PerChannel::full_update`]).
            pub fn full_update(
                &self,
                current: &ChannelConfigs,
                listed: &ListedChannels,
            ) -> ChannelConfigs {
                Self { $($field: self.$field.full_update(&current.$field, &listed.$field),)* }
            }
        }
    };
}

channel_settings! {
    auto_accept: AutoAccept,
    after_contact_work: AfterContactWork,
    phone_number: PhoneNumber,
    /// `PersistentConnection`.
    persistent_connection: bool,
    voice_enhancement: VoiceEnhancement,
}

impl ChannelConfigs {
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
    fn settings_serialize_as_the_maps_they_were_so_checkpoints_keep_their_form() {
        let mut configs = ChannelConfigs::default();
        configs.persistent_connection.insert(Channel::Voice, true);
        let value = serde_json::to_value(&configs).unwrap();
        assert_eq!(
            value["persistent_connection"],
            serde_json::json!({"Voice": true})
        );
        assert_eq!(value["auto_accept"], serde_json::json!({}));
        let back: ChannelConfigs = serde_json::from_value(value).unwrap();
        assert_eq!(back, configs);
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
