//! The five per-channel lists (`AutoAcceptConfigs`, `AfterContactWorkConfigs`,
//! `PhoneNumberConfigs`, `PersistentConnectionConfigs`, `VoiceEnhancementConfigs`) as written:
//! one entry per channel, each naming its `Channel`: one [`ReadSetting`] impl per setting, one
//! line per setting in [`read_channel_lists!`]. Checking them against `PhoneConfig` is
//! [`super::settings`]'s.

use std::collections::BTreeMap;

use super::phone::{phone_number, phone_type, time_limit};
use super::reader::{Field, Reader};
use crate::connect_user::model::channels::{
    AfterContactWork, AutoAccept, Channel, ChannelConfigs, ChannelSetting, PerChannel, PhoneNumber,
    VoiceEnhancement, VOICE_ONLY,
};

/// A per-channel setting as a template writes it: its property, the fields of an entry, and
/// how an entry is read. The lists are then read once for every setting
/// ([`read_channel_lists!`]).
trait ReadSetting: ChannelSetting {
    /// The property holding the list, such as `AutoAcceptConfigs`.
    const PROPERTY: &'static str;
    /// The fields an entry may have, `Channel` included.
    const FIELDS: &'static [&'static str];
    /// What the list sets, in the reason that refuses a channel it does not exist on.
    const NOUN: &'static str;

    /// An entry's value (its problems reported on `entry`); `channel` is the entry's, when
    /// valid.
    fn read(entry: &Reader, channel: Option<Channel>) -> Option<Self>;
}

/// The channels a setting's list may name.
fn channels_of<S: ReadSetting>() -> Channels {
    if S::CHANNELS == VOICE_ONLY {
        Channels::VoiceOnly(S::NOUN)
    } else {
        Channels::Any
    }
}

/// Declares the per-channel lists as written, in the order they are read (the order their
/// problems are reported in). The one list of the settings in the properties: a sixth is one
/// line here (and its [`ReadSetting`] impl).
macro_rules! read_channel_lists {
    ($($field:ident: $setting:ty,)*) => {
        /// The per-channel lists as written; each `None` when absent or empty.
        #[derive(Default)]
        pub(super) struct ChannelLists {
            $(pub $field: Option<PerChannel<$setting>>,)*
        }

        impl ChannelLists {
            pub(super) fn any(&self) -> bool {
                false $(|| self.$field.is_some())*
            }

            /// The settings the lists give, those left out empty.
            pub(super) fn into_configs(self) -> ChannelConfigs {
                ChannelConfigs {
                    $($field: self.$field.unwrap_or_default(),)*
                }
            }
        }

        /// Reads every list.
        pub(super) fn channel_lists(top: &Reader) -> ChannelLists {
            ChannelLists {
                $($field: channel_list::<$setting>(top),)*
            }
        }
    };
}

read_channel_lists! {
    auto_accept: AutoAccept,
    after_contact_work: AfterContactWork,
    phone_number: PhoneNumber,
    persistent_connection: bool,
    voice_enhancement: VoiceEnhancement,
}

impl ReadSetting for AutoAccept {
    const PROPERTY: &'static str = "AutoAcceptConfigs";
    const FIELDS: &'static [&'static str] =
        &["Channel", "AutoAccept", "AgentFirstCallbackAutoAccept"];
    const NOUN: &'static str = "auto-accept";

    fn read(entry: &Reader, channel: Option<Channel>) -> Option<Self> {
        auto_accept(entry, channel)
    }
}

impl ReadSetting for AfterContactWork {
    const PROPERTY: &'static str = "AfterContactWorkConfigs";
    const FIELDS: &'static [&'static str] = &[
        "Channel",
        "AfterContactWorkConfig",
        "AgentFirstCallbackAfterContactWorkConfig",
    ];
    const NOUN: &'static str = "after-contact work";

    fn read(entry: &Reader, channel: Option<Channel>) -> Option<Self> {
        after_contact_work(entry, channel)
    }
}

impl ReadSetting for PhoneNumber {
    const PROPERTY: &'static str = "PhoneNumberConfigs";
    const FIELDS: &'static [&'static str] = &["Channel", "PhoneType", "PhoneNumber"];
    const NOUN: &'static str = "phones";

    fn read(entry: &Reader, _: Option<Channel>) -> Option<Self> {
        phone(entry)
    }
}

/// `PersistentConnection`.
impl ReadSetting for bool {
    const PROPERTY: &'static str = "PersistentConnectionConfigs";
    const FIELDS: &'static [&'static str] = &["Channel", "PersistentConnection"];
    const NOUN: &'static str = "persistent connections";

    fn read(entry: &Reader, _: Option<Channel>) -> Option<Self> {
        entry.field("PersistentConnection").required_bool()
    }
}

impl ReadSetting for VoiceEnhancement {
    const PROPERTY: &'static str = "VoiceEnhancementConfigs";
    const FIELDS: &'static [&'static str] = &["Channel", "VoiceEnhancementMode"];
    const NOUN: &'static str = "voice enhancement";

    fn read(entry: &Reader, _: Option<Channel>) -> Option<Self> {
        voice_enhancement(entry)
    }
}

/// Which channels a per-channel list may name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Channels {
    Any,
    /// VOICE only (Connect supports no other channel for it), with what the list sets.
    /// Model doc of each such list and of the agent-first callback settings: "Only VOICE is
    /// supported".
    VoiceOnly(&'static str),
}

/// A per-channel list: one entry per channel at most. `None` when absent or empty.
fn channel_list<S: ReadSetting>(top: &Reader) -> Option<PerChannel<S>> {
    let (key, fields, channels) = (S::PROPERTY, S::FIELDS, channels_of::<S>());
    let items = top
        .field(key)
        .list("must be a list with one entry per channel")?;
    let mut out = BTreeMap::new();
    for item in items {
        let Some(fields_given) = item.entry() else {
            continue;
        };
        fields_given.check_unknown(fields);
        let channel_field = fields_given.field("Channel");
        let channel = channel(&channel_field, channels);
        let value = S::read(&fields_given, channel);
        if let (Some(channel), Some(value)) = (channel, value) {
            if let Some(value) = out.insert(channel, value) {
                out.insert(channel, value); // keep the first; the repeat is the mistake
                channel_field.error(format!(
                    "{} appears more than once in {key}",
                    channel.as_str()
                ));
            }
        }
    }
    (!out.is_empty()).then_some(out.into())
}

/// An entry's `Channel` (required), and whether the list allows it.
fn channel(field: &Field, channels: Channels) -> Option<Channel> {
    let channel = match Channel::parse(&field.required_text()?) {
        Some(channel) => channel,
        None => {
            field.error("must be VOICE, CHAT, TASK or EMAIL");
            return None;
        }
    };
    if let Channels::VoiceOnly(what) = channels {
        if channel != Channel::Voice {
            field.error(format!(
                "must be VOICE: Connect supports {what} on the VOICE channel only"
            ));
        }
    }
    Some(channel)
}

/// Refuses a setting made on a channel other than VOICE (model doc of the agent-first
/// callback settings: "Only VOICE is supported").
fn voice_only(channel: Option<Channel>, given: bool, field: &Field) {
    if given && channel.is_some_and(|c| c != Channel::Voice) {
        field.error("exists on the VOICE channel only");
    }
}

/// An `AutoAcceptConfigs` entry.
fn auto_accept(entry: &Reader, channel: Option<Channel>) -> Option<AutoAccept> {
    let auto_accept = entry.field("AutoAccept").required_bool();
    let callback_field = entry.field("AgentFirstCallbackAutoAccept");
    let callback = callback_field.bool();
    voice_only(channel, callback == Some(true), &callback_field);
    Some(AutoAccept {
        auto_accept: auto_accept?,
        agent_first_callback: callback.unwrap_or(false),
    })
}

/// An `AfterContactWorkConfigs` entry.
fn after_contact_work(entry: &Reader, channel: Option<Channel>) -> Option<AfterContactWork> {
    const LIMIT: &str = "AfterContactWorkConfig";
    const CALLBACK: &str = "AgentFirstCallbackAfterContactWorkConfig";
    let limit = work_config(&entry.field(LIMIT));
    if limit.is_none() && !entry.contains(LIMIT) {
        entry.field(LIMIT).error("is required");
    }
    let callback_field = entry.field(CALLBACK);
    let callback = work_config(&callback_field);
    voice_only(channel, callback.is_some(), &callback_field);
    Some(AfterContactWork {
        time_limit: limit?,
        agent_first_callback: callback,
    })
}

/// `{AfterContactWorkTimeLimit}`: the limit, 0 when left out; `None` when absent.
fn work_config(field: &Field) -> Option<i32> {
    let config = field.object_or("must be an object with AfterContactWorkTimeLimit")?;
    config.check_unknown(&["AfterContactWorkTimeLimit"]);
    Some(time_limit(&config.field("AfterContactWorkTimeLimit")).unwrap_or(0))
}

/// A `PhoneNumberConfigs` entry.
fn phone(entry: &Reader) -> Option<PhoneNumber> {
    let type_field = entry.field("PhoneType");
    let phone_type = phone_type(&type_field);
    if phone_type.is_none() && !type_field.reported() {
        type_field.error("is required");
    }
    let number = phone_number(&entry.field("PhoneNumber"), phone_type);
    Some(PhoneNumber {
        phone_type: phone_type?,
        number,
    })
}

/// A `VoiceEnhancementConfigs` entry.
fn voice_enhancement(entry: &Reader) -> Option<VoiceEnhancement> {
    let field = entry.field("VoiceEnhancementMode");
    let mode = VoiceEnhancement::parse(&field.required_text()?);
    if mode.is_none() {
        field.error("must be VOICE_ISOLATION, NOISE_SUPPRESSION or NONE");
    }
    mode
}

#[cfg(test)]
mod tests {
    use crate::connect_user::model::channels::{Channel, VoiceEnhancement};
    use crate::connect_user::model::PhoneType;
    use crate::connect_user::properties::test_support::{basic, parse_value, reason};
    use serde_json::json;

    #[test]
    fn per_channel_lists_replace_phone_config() {
        let mut value = basic();
        value.as_object_mut().unwrap().remove("PhoneConfig");
        value["PhoneNumberConfigs"] =
            json!([{"Channel": "VOICE", "PhoneType": "DESK_PHONE", "PhoneNumber": "+14255550100"}]);
        value["AutoAcceptConfigs"] = json!([{"Channel": "CHAT", "AutoAccept": "true"}, {"Channel": "VOICE", "AutoAccept": false, "AgentFirstCallbackAutoAccept": true}]);
        value["AfterContactWorkConfigs"] = json!([{"Channel": "TASK", "AfterContactWorkConfig": {"AfterContactWorkTimeLimit": "120"}}]);
        value["PersistentConnectionConfigs"] =
            json!([{"Channel": "VOICE", "PersistentConnection": true}]);
        value["VoiceEnhancementConfigs"] =
            json!([{"Channel": "VOICE", "VoiceEnhancementMode": "NOISE_SUPPRESSION"}]);
        let spec = parse_value(&value).unwrap();
        assert_eq!(spec.phone_config, None);
        let channels = &spec.channels;
        assert_eq!(
            channels.phone_number[&Channel::Voice].phone_type,
            PhoneType::DeskPhone
        );
        assert!(channels.auto_accept[&Channel::Chat].auto_accept);
        assert!(channels.auto_accept[&Channel::Voice].agent_first_callback);
        assert_eq!(channels.after_contact_work[&Channel::Task].time_limit, 120);
        assert!(channels.persistent_connection[&Channel::Voice]);
        assert_eq!(
            channels.voice_enhancement[&Channel::Voice],
            VoiceEnhancement::NoiseSuppression
        );
    }

    #[test]
    fn per_channel_mistakes_are_named_by_path() {
        let mut value = basic();
        value.as_object_mut().unwrap().remove("PhoneConfig");
        value["AutoAcceptConfigs"] = json!([{"Channel": "FAX", "AutoAccept": true}, {"Channel": "CHAT"}, {"Channel": "TASK", "AutoAccept": true, "AgentFirstCallbackAutoAccept": true}, {"Channel": "TASK", "AutoAccept": false}]);
        value["AfterContactWorkConfigs"] = json!([{"Channel": "VOICE", "AfterContactWorkConfig": {"AfterContactWorkTimeLimit": 2000001}}]);
        value["VoiceEnhancementConfigs"] =
            json!([{"Channel": "VOICE", "VoiceEnhancementMode": "LOUD", "Mode": 1}]);
        let text = reason(&value);
        for part in [
            "PhoneConfig is required (or give PhoneNumberConfigs)",
            "AutoAcceptConfigs[0].Channel must be VOICE, CHAT, TASK or EMAIL",
            "AutoAcceptConfigs[1].AutoAccept is required",
            "AutoAcceptConfigs[3].Channel TASK appears more than once",
            "AutoAcceptConfigs[2].AgentFirstCallbackAutoAccept exists on the VOICE channel only",
            "AfterContactWorkConfigs[0].AfterContactWorkConfig.AfterContactWorkTimeLimit must be between 0 and 2000000",
            "VoiceEnhancementConfigs[0].VoiceEnhancementMode must be VOICE_ISOLATION",
            "VoiceEnhancementConfigs[0].Mode is not a known property",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }

    #[test]
    fn voice_only_settings_refuse_other_channels() {
        let mut value = basic();
        value.as_object_mut().unwrap().remove("PhoneConfig");
        value["PhoneNumberConfigs"] = json!([{"Channel": "VOICE", "PhoneType": "SOFT_PHONE"}, {"Channel": "CHAT", "PhoneType": "SOFT_PHONE"}]);
        value["PersistentConnectionConfigs"] =
            json!([{"Channel": "TASK", "PersistentConnection": true}]);
        value["VoiceEnhancementConfigs"] =
            json!([{"Channel": "EMAIL", "VoiceEnhancementMode": "NONE"}]);
        let text = reason(&value);
        for part in [
            "PhoneNumberConfigs[1].Channel must be VOICE: Connect supports phones on the VOICE channel only",
            "PersistentConnectionConfigs[0].Channel must be VOICE",
            "VoiceEnhancementConfigs[0].Channel must be VOICE: Connect supports voice enhancement",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }
}
