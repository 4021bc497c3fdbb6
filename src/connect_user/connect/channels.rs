//! The five per-channel lists (`AutoAcceptConfigs`, `AfterContactWorkConfigs`,
//! `PhoneNumberConfigs`, `PersistentConnectionConfigs`, `VoiceEnhancementConfigs`) between
//! aws-sdk-connect's types and [`ChannelConfigs`]: one [`SdkSetting`] impl per setting, and one
//! line per setting in [`sdk_channel_lists!`], which reads and writes all of them.
//!
//! A list `DescribeUser` leaves out (a Region without per-channel settings) is taken from
//! `PhoneConfig`; settings that exist on VOICE only are read from VOICE only.

use std::collections::BTreeSet;

use aws_sdk_connect::error::BuildError;
use aws_sdk_connect::operation::create_user::builders::CreateUserFluentBuilder;
use aws_sdk_connect::operation::update_user_config::builders::UpdateUserConfigFluentBuilder;
use aws_sdk_connect::types as sdk;

use crate::connect_user::model::channels::{
    AfterContactWork, AutoAccept, Channel, ChannelConfigs, ChannelSetting, ListedChannels,
    PerChannel, PhoneNumber, VoiceEnhancement,
};
use crate::connect_user::model::{PhoneConfig, PhoneType};

/// A text the SDK reports, `None` when absent or empty.
pub fn non_empty(text: Option<&str>) -> Option<String> {
    text.filter(|t| !t.is_empty()).map(str::to_owned)
}

/// A per-channel setting as aws-sdk-connect carries it: the SDK's entry type, and the
/// conversions both ways. The lists of `DescribeUser`, `CreateUser` and `UpdateUserConfig` are
/// then read and written once for every setting ([`sdk_channel_lists!`]).
trait SdkSetting: ChannelSetting {
    type Entry;

    /// The channel an entry names.
    fn channel_of(entry: &Self::Entry) -> &sdk::Channel;

    /// The value an entry holds; `None` for a value this crate does not know.
    fn from_entry(entry: &Self::Entry) -> Option<Self>;

    /// The entry that sets `value` on `channel`.
    fn to_entry(channel: Channel, value: &Self) -> Result<Self::Entry, BuildError>;
}

/// The channel an entry names, when the setting exists there: Connect reports VOICE-only
/// settings nowhere else, and any other channel it might name is ignored.
fn known_channel<S: SdkSetting>(entry: &S::Entry) -> Option<Channel> {
    Channel::parse(S::channel_of(entry).as_str()).filter(|c| S::CHANNELS.contains(c))
}

/// The reported list, normalised later; what `PhoneConfig` implies when none is reported.
fn reported<S: SdkSetting>(list: &[S::Entry], legacy: &PerChannel<S>) -> PerChannel<S> {
    if list.is_empty() {
        return legacy.clone();
    }
    list.iter()
        .filter_map(|entry| Some((known_channel::<S>(entry)?, S::from_entry(entry)?)))
        .collect()
}

/// The channels a reported list names, whatever their values.
fn listed<S: SdkSetting>(list: &[S::Entry]) -> BTreeSet<Channel> {
    list.iter()
        .filter_map(|entry| Channel::parse(S::channel_of(entry).as_str()))
        .collect()
}

fn to_entries<S: SdkSetting>(settings: &PerChannel<S>) -> Result<Vec<S::Entry>, BuildError> {
    settings.iter().map(|(c, v)| S::to_entry(*c, v)).collect()
}

/// `None` for an empty list, so that the SDK leaves it off the wire.
fn some_if_any<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

fn to_channel(c: Channel) -> sdk::Channel {
    sdk::Channel::from(c.as_str())
}

/// Sets the per-channel lists on a request builder (`CreateUser`, `UpdateUserConfig`).
pub trait WithChannelLists {
    fn channel_lists(self, lists: SdkChannelLists) -> Self;
}

/// The settings between aws-sdk-connect and [`ChannelConfigs`]: for each, its field, the
/// `User` getter of its list, and the request builders' setter. The one list of the settings
/// in the adapter: a sixth is one line here (and its [`SdkSetting`] impl).
macro_rules! sdk_channel_lists {
    ($($field:ident: $setting:ty, $get:ident, $set:ident;)*) => {
        /// The SDK's per-channel lists for a [`ChannelConfigs`], set on a request with
        /// [`WithChannelLists`].
        pub struct SdkChannelLists {
            $($field: Vec<<$setting as SdkSetting>::Entry>,)*
        }

        /// Every channel's settings as `DescribeUser` reports them, normalised. A list it
        /// leaves out (a Region without per-channel settings) is taken from `PhoneConfig`.
        pub fn from_sdk_channels(
            user: &sdk::User,
            phone_config: Option<&PhoneConfig>,
        ) -> ChannelConfigs {
            let legacy = phone_config
                .map(|config| ChannelConfigs::default().with_phone_config(config))
                .unwrap_or_default();
            let configs = ChannelConfigs {
                $($field: reported::<$setting>(user.$get(), &legacy.$field),)*
            };
            configs.normalised()
        }

        /// The channels each per-channel list of `DescribeUser` names.
        pub fn listed_channels(user: &sdk::User) -> ListedChannels {
            ListedChannels {
                $($field: listed::<$setting>(user.$get()),)*
            }
        }

        /// The SDK's lists for `configs`.
        pub fn to_sdk_channels(configs: &ChannelConfigs) -> Result<SdkChannelLists, BuildError> {
            Ok(SdkChannelLists {
                $($field: to_entries(&configs.$field)?,)*
            })
        }

        impl WithChannelLists for CreateUserFluentBuilder {
            fn channel_lists(self, lists: SdkChannelLists) -> Self {
                self $(.$set(some_if_any(lists.$field)))*
            }
        }

        impl WithChannelLists for UpdateUserConfigFluentBuilder {
            fn channel_lists(self, lists: SdkChannelLists) -> Self {
                self $(.$set(some_if_any(lists.$field)))*
            }
        }
    };
}

sdk_channel_lists! {
    auto_accept: AutoAccept, auto_accept_configs, set_auto_accept_configs;
    after_contact_work: AfterContactWork, after_contact_work_configs, set_after_contact_work_configs;
    phone_number: PhoneNumber, phone_number_configs, set_phone_number_configs;
    persistent_connection: bool, persistent_connection_configs, set_persistent_connection_configs;
    voice_enhancement: VoiceEnhancement, voice_enhancement_configs, set_voice_enhancement_configs;
}

impl SdkSetting for AutoAccept {
    type Entry = sdk::AutoAcceptConfig;

    fn channel_of(entry: &Self::Entry) -> &sdk::Channel {
        entry.channel()
    }

    fn from_entry(entry: &Self::Entry) -> Option<Self> {
        Some(AutoAccept {
            auto_accept: entry.auto_accept(),
            agent_first_callback: entry.agent_first_callback_auto_accept().unwrap_or(false),
        })
    }

    fn to_entry(channel: Channel, value: &Self) -> Result<Self::Entry, BuildError> {
        sdk::AutoAcceptConfig::builder()
            .channel(to_channel(channel))
            .auto_accept(value.auto_accept)
            // Written out on VOICE, where it exists, so that `false` resets it.
            .set_agent_first_callback_auto_accept(
                (channel == Channel::Voice).then_some(value.agent_first_callback),
            )
            .build()
    }
}

fn limit(c: Option<&sdk::AfterContactWorkConfig>) -> Option<i32> {
    c.map(|c| c.after_contact_work_time_limit())
}

fn work(limit: i32) -> sdk::AfterContactWorkConfig {
    sdk::AfterContactWorkConfig::builder()
        .after_contact_work_time_limit(limit)
        .build()
}

impl SdkSetting for AfterContactWork {
    type Entry = sdk::AfterContactWorkConfigPerChannel;

    fn channel_of(entry: &Self::Entry) -> &sdk::Channel {
        entry.channel()
    }

    fn from_entry(entry: &Self::Entry) -> Option<Self> {
        Some(AfterContactWork {
            time_limit: limit(entry.after_contact_work_config()).unwrap_or(0),
            agent_first_callback: limit(entry.agent_first_callback_after_contact_work_config()),
        })
    }

    fn to_entry(channel: Channel, value: &Self) -> Result<Self::Entry, BuildError> {
        sdk::AfterContactWorkConfigPerChannel::builder()
            .channel(to_channel(channel))
            .after_contact_work_config(work(value.time_limit))
            .set_agent_first_callback_after_contact_work_config(
                value.agent_first_callback.map(work),
            )
            .build()
    }
}

impl SdkSetting for PhoneNumber {
    type Entry = sdk::PhoneNumberConfig;

    fn channel_of(entry: &Self::Entry) -> &sdk::Channel {
        entry.channel()
    }

    fn from_entry(entry: &Self::Entry) -> Option<Self> {
        Some(PhoneNumber {
            phone_type: PhoneType::parse(entry.phone_type().as_str())?,
            number: non_empty(entry.phone_number()),
        })
    }

    fn to_entry(channel: Channel, value: &Self) -> Result<Self::Entry, BuildError> {
        sdk::PhoneNumberConfig::builder()
            .channel(to_channel(channel))
            .phone_type(sdk::PhoneType::from(value.phone_type.as_str()))
            .set_phone_number(value.number.clone())
            .build()
    }
}

/// `PersistentConnection`.
impl SdkSetting for bool {
    type Entry = sdk::PersistentConnectionConfig;

    fn channel_of(entry: &Self::Entry) -> &sdk::Channel {
        entry.channel()
    }

    fn from_entry(entry: &Self::Entry) -> Option<Self> {
        Some(entry.persistent_connection())
    }

    fn to_entry(channel: Channel, value: &Self) -> Result<Self::Entry, BuildError> {
        sdk::PersistentConnectionConfig::builder()
            .channel(to_channel(channel))
            .persistent_connection(*value)
            .build()
    }
}

impl SdkSetting for VoiceEnhancement {
    type Entry = sdk::VoiceEnhancementConfig;

    fn channel_of(entry: &Self::Entry) -> &sdk::Channel {
        entry.channel()
    }

    fn from_entry(entry: &Self::Entry) -> Option<Self> {
        VoiceEnhancement::parse(entry.voice_enhancement_mode().as_str())
    }

    fn to_entry(channel: Channel, value: &Self) -> Result<Self::Entry, BuildError> {
        sdk::VoiceEnhancementConfig::builder()
            .channel(to_channel(channel))
            .voice_enhancement_mode(sdk::VoiceEnhancementMode::from(value.as_str()))
            .build()
    }
}
