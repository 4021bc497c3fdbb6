//! The five per-channel lists (`AutoAcceptConfigs`, `AfterContactWorkConfigs`,
//! `PhoneNumberConfigs`, `PersistentConnectionConfigs`, `VoiceEnhancementConfigs`) between
//! aws-sdk-connect's types and [`ChannelConfigs`], one function per list and direction.
//!
//! A list `DescribeUser` leaves out (a Region without per-channel settings) is taken from
//! `PhoneConfig`; settings that exist on VOICE only are read from VOICE only.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_connect::error::BuildError;
use aws_sdk_connect::types as sdk;

use crate::connect_user::model::channels::{
    AfterContactWork, AutoAccept, Channel, ChannelConfigs, ListedChannels, PhoneNumber,
    VoiceEnhancement,
};
use crate::connect_user::model::{PhoneConfig, PhoneType};

/// A text the SDK reports, `None` when absent or empty.
pub fn non_empty(text: Option<&str>) -> Option<String> {
    text.filter(|t| !t.is_empty()).map(str::to_owned)
}

fn channel(c: &sdk::Channel) -> Option<Channel> {
    Channel::parse(c.as_str())
}

/// The channel, when it is VOICE: Connect reports VOICE-only settings nowhere else, and any
/// other channel it might name is ignored.
fn voice(c: &sdk::Channel) -> Option<Channel> {
    channel(c).filter(|c| *c == Channel::Voice)
}

fn limit(c: Option<&sdk::AfterContactWorkConfig>) -> Option<i32> {
    c.map(|c| c.after_contact_work_time_limit())
}

/// The reported list, or what `PhoneConfig` implies when none is reported.
fn or_legacy<T: Clone>(
    reported: BTreeMap<Channel, T>,
    listed: bool,
    legacy: &BTreeMap<Channel, T>,
) -> BTreeMap<Channel, T> {
    if listed {
        reported
    } else {
        legacy.clone()
    }
}

/// Every channel's settings as `DescribeUser` reports them, normalised.
pub fn from_sdk_channels(user: &sdk::User, phone_config: Option<&PhoneConfig>) -> ChannelConfigs {
    let legacy = phone_config
        .map(|config| ChannelConfigs::default().with_phone_config(config))
        .unwrap_or_default();
    let configs = ChannelConfigs {
        auto_accept: or_legacy(
            auto_accept_from(user.auto_accept_configs()),
            !user.auto_accept_configs().is_empty(),
            &legacy.auto_accept,
        ),
        after_contact_work: or_legacy(
            after_contact_work_from(user.after_contact_work_configs()),
            !user.after_contact_work_configs().is_empty(),
            &legacy.after_contact_work,
        ),
        phone_number: or_legacy(
            phone_number_from(user.phone_number_configs()),
            !user.phone_number_configs().is_empty(),
            &legacy.phone_number,
        ),
        persistent_connection: or_legacy(
            persistent_connection_from(user.persistent_connection_configs()),
            !user.persistent_connection_configs().is_empty(),
            &legacy.persistent_connection,
        ),
        voice_enhancement: voice_enhancement_from(user.voice_enhancement_configs()),
    };
    configs.normalised()
}

fn auto_accept_from(list: &[sdk::AutoAcceptConfig]) -> BTreeMap<Channel, AutoAccept> {
    list.iter()
        .filter_map(|c| {
            let value = AutoAccept {
                auto_accept: c.auto_accept(),
                agent_first_callback: c.agent_first_callback_auto_accept().unwrap_or(false),
            };
            Some((channel(c.channel())?, value))
        })
        .collect()
}

fn after_contact_work_from(
    list: &[sdk::AfterContactWorkConfigPerChannel],
) -> BTreeMap<Channel, AfterContactWork> {
    list.iter()
        .filter_map(|c| {
            let value = AfterContactWork {
                time_limit: limit(c.after_contact_work_config()).unwrap_or(0),
                agent_first_callback: limit(c.agent_first_callback_after_contact_work_config()),
            };
            Some((channel(c.channel())?, value))
        })
        .collect()
}

fn phone_number_from(list: &[sdk::PhoneNumberConfig]) -> BTreeMap<Channel, PhoneNumber> {
    list.iter()
        .filter_map(|c| {
            let value = PhoneNumber {
                phone_type: PhoneType::parse(c.phone_type().as_str())?,
                number: non_empty(c.phone_number()),
            };
            Some((voice(c.channel())?, value))
        })
        .collect()
}

fn persistent_connection_from(list: &[sdk::PersistentConnectionConfig]) -> BTreeMap<Channel, bool> {
    list.iter()
        .filter_map(|c| Some((voice(c.channel())?, c.persistent_connection())))
        .collect()
}

fn voice_enhancement_from(
    list: &[sdk::VoiceEnhancementConfig],
) -> BTreeMap<Channel, VoiceEnhancement> {
    list.iter()
        .filter_map(|c| {
            let mode = VoiceEnhancement::parse(c.voice_enhancement_mode().as_str())?;
            Some((voice(c.channel())?, mode))
        })
        .collect()
}

/// The channels each per-channel list of `DescribeUser` names.
pub fn listed_channels(user: &sdk::User) -> ListedChannels {
    fn channels<'a>(listed: impl Iterator<Item = &'a sdk::Channel>) -> BTreeSet<Channel> {
        listed.filter_map(|c| Channel::parse(c.as_str())).collect()
    }
    ListedChannels {
        auto_accept: channels(user.auto_accept_configs().iter().map(|c| c.channel())),
        after_contact_work: channels(
            user.after_contact_work_configs()
                .iter()
                .map(|c| c.channel()),
        ),
        phone_number: channels(user.phone_number_configs().iter().map(|c| c.channel())),
        persistent_connection: channels(
            user.persistent_connection_configs()
                .iter()
                .map(|c| c.channel()),
        ),
        voice_enhancement: channels(user.voice_enhancement_configs().iter().map(|c| c.channel())),
    }
}

/// The SDK's per-channel lists for `configs`, in the order the API takes them.
pub struct SdkChannelLists {
    pub auto_accept: Vec<sdk::AutoAcceptConfig>,
    pub after_contact_work: Vec<sdk::AfterContactWorkConfigPerChannel>,
    pub phone_number: Vec<sdk::PhoneNumberConfig>,
    pub persistent_connection: Vec<sdk::PersistentConnectionConfig>,
    pub voice_enhancement: Vec<sdk::VoiceEnhancementConfig>,
}

/// The SDK's lists for `configs`.
pub fn to_sdk_channels(configs: &ChannelConfigs) -> Result<SdkChannelLists, BuildError> {
    Ok(SdkChannelLists {
        auto_accept: auto_accept_to(&configs.auto_accept)?,
        after_contact_work: after_contact_work_to(&configs.after_contact_work)?,
        phone_number: phone_number_to(&configs.phone_number)?,
        persistent_connection: persistent_connection_to(&configs.persistent_connection)?,
        voice_enhancement: voice_enhancement_to(&configs.voice_enhancement)?,
    })
}

fn to_channel(c: &Channel) -> sdk::Channel {
    sdk::Channel::from(c.as_str())
}

fn auto_accept_to(
    settings: &BTreeMap<Channel, AutoAccept>,
) -> Result<Vec<sdk::AutoAcceptConfig>, BuildError> {
    settings
        .iter()
        .map(|(c, v)| {
            sdk::AutoAcceptConfig::builder()
                .channel(to_channel(c))
                .auto_accept(v.auto_accept)
                // Written out on VOICE, where it exists, so that `false` resets it.
                .set_agent_first_callback_auto_accept(
                    (*c == Channel::Voice).then_some(v.agent_first_callback),
                )
                .build()
        })
        .collect()
}

fn after_contact_work_to(
    settings: &BTreeMap<Channel, AfterContactWork>,
) -> Result<Vec<sdk::AfterContactWorkConfigPerChannel>, BuildError> {
    let work = |limit: i32| {
        sdk::AfterContactWorkConfig::builder()
            .after_contact_work_time_limit(limit)
            .build()
    };
    settings
        .iter()
        .map(|(c, v)| {
            sdk::AfterContactWorkConfigPerChannel::builder()
                .channel(to_channel(c))
                .after_contact_work_config(work(v.time_limit))
                .set_agent_first_callback_after_contact_work_config(
                    v.agent_first_callback.map(work),
                )
                .build()
        })
        .collect()
}

fn phone_number_to(
    settings: &BTreeMap<Channel, PhoneNumber>,
) -> Result<Vec<sdk::PhoneNumberConfig>, BuildError> {
    settings
        .iter()
        .map(|(c, v)| {
            sdk::PhoneNumberConfig::builder()
                .channel(to_channel(c))
                .phone_type(sdk::PhoneType::from(v.phone_type.as_str()))
                .set_phone_number(v.number.clone())
                .build()
        })
        .collect()
}

fn persistent_connection_to(
    settings: &BTreeMap<Channel, bool>,
) -> Result<Vec<sdk::PersistentConnectionConfig>, BuildError> {
    settings
        .iter()
        .map(|(c, v)| {
            sdk::PersistentConnectionConfig::builder()
                .channel(to_channel(c))
                .persistent_connection(*v)
                .build()
        })
        .collect()
}

fn voice_enhancement_to(
    settings: &BTreeMap<Channel, VoiceEnhancement>,
) -> Result<Vec<sdk::VoiceEnhancementConfig>, BuildError> {
    settings
        .iter()
        .map(|(c, v)| {
            sdk::VoiceEnhancementConfig::builder()
                .channel(to_channel(c))
                .voice_enhancement_mode(sdk::VoiceEnhancementMode::from(v.as_str()))
                .build()
        })
        .collect()
}
