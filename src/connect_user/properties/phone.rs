//! `PhoneConfig`, the older single-object form of the VOICE channel's settings, and the value
//! rules it shares with the per-channel lists (phone type, desk phone number, after-contact-work
//! limit).

use super::reader::{Field, Reader};
use crate::connect_user::model::rules::{is_e164, MAX_AFTER_CONTACT_WORK_SECONDS};
use crate::connect_user::model::PhoneType;

const PHONE_CONFIG: &[&str] = &[
    "PhoneType",
    "AutoAccept",
    "AfterContactWorkTimeLimit",
    "DeskPhoneNumber",
    "PersistentConnection",
];

/// `PhoneConfig` as written: each field `None` when the template leaves it out.
#[derive(Default)]
pub(super) struct PhoneConfigFields {
    pub phone_type: Option<PhoneType>,
    pub auto_accept: Option<bool>,
    pub after_contact_work_time_limit: Option<i32>,
    pub desk_phone_number: Option<String>,
    pub persistent_connection: Option<bool>,
}

/// `PhoneConfig`'s fields; `None` when it is absent (or not an object, which is reported).
pub(super) fn phone_config_fields(top: &Reader) -> Option<PhoneConfigFields> {
    let config = top.field("PhoneConfig").object()?;
    config.check_unknown(PHONE_CONFIG);
    let phone_type = phone_type(&config.field("PhoneType"));
    Some(PhoneConfigFields {
        phone_type,
        auto_accept: config.field("AutoAccept").bool(),
        after_contact_work_time_limit: time_limit(&config.field("AfterContactWorkTimeLimit")),
        desk_phone_number: phone_number(&config.field("DeskPhoneNumber"), phone_type),
        persistent_connection: config.field("PersistentConnection").bool(),
    })
}

/// A phone type, if given.
pub(super) fn phone_type(field: &Field) -> Option<PhoneType> {
    let text = field.text()?;
    let parsed = PhoneType::parse(&text);
    if parsed.is_none() {
        field.error("must be SOFT_PHONE or DESK_PHONE");
    }
    parsed
}

/// A time limit in seconds, within what Connect accepts.
pub(super) fn time_limit(field: &Field) -> Option<i32> {
    let limit = field.integer()?;
    if (0..=MAX_AFTER_CONTACT_WORK_SECONDS).contains(&limit) {
        i32::try_from(limit).ok()
    } else {
        field.error(format!(
            "must be between 0 and {MAX_AFTER_CONTACT_WORK_SECONDS} seconds (0: until the agent ends it)"
        ));
        None
    }
}

/// A phone number for a desk phone: E.164, and present exactly when the type needs it.
pub(super) fn phone_number(field: &Field, phone_type: Option<PhoneType>) -> Option<String> {
    let number = field.text();
    match &number {
        Some(number) if !is_e164(number) => {
            field.error("must be an E.164 phone number such as +14255550100")
        }
        None if phone_type == Some(PhoneType::DeskPhone) => {
            field.error("is required when PhoneType is DESK_PHONE")
        }
        _ => {}
    }
    number
}
