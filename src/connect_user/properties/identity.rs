//! Who the user is: `Name` (the username), and `IdentityInfo` (names, emails, mobile), each
//! checked against Connect's rules from [`rules`] before any call.

use super::reader::Reader;
use crate::connect_user::model::rules::{
    self, is_e164, is_email, MAX_EMAIL_CHARS, MAX_FIRST_NAME_CHARS, MAX_LAST_NAME_CHARS,
    MAX_PHONE_NUMBER_CHARS, USERNAME_CHARS,
};
use crate::connect_user::model::IdentityInfo;

const IDENTITY_INFO: &[&str] = &["FirstName", "LastName", "Email", "SecondaryEmail", "Mobile"];

/// `Name` (required): Connect's username length and characters. The stricter rule for a name
/// about to be created is [`super::check_new_name`].
pub(super) fn name(top: &Reader) -> Option<String> {
    let field = top.field("Name");
    let name = field.required_text()?;
    let length = name.chars().count();
    if !USERNAME_CHARS.contains(&length) {
        let (min, max) = (USERNAME_CHARS.start(), USERNAME_CHARS.end());
        field.error(format!(
            "must be {min} to {max} characters long (it is {length})"
        ));
    }
    if !name.chars().all(rules::is_username_char) {
        field.error("may contain only letters, digits and _ . @ -");
    }
    Some(name)
}

/// A format rule and the words that describe it in a reason.
type FormatCheck = (fn(&str) -> bool, &'static str);

/// `IdentityInfo`; `None` when the template leaves it out (the identity is then not managed).
pub(super) fn identity_info(top: &Reader) -> Option<IdentityInfo> {
    let info = top.field("IdentityInfo").object()?;
    info.check_unknown(IDENTITY_INFO);
    let field = |key: &str, max: usize, check: Option<FormatCheck>| {
        let field = info.field(key);
        let text = field.text()?;
        if text.chars().count() > max {
            field.error(format!("must be at most {max} characters"));
            return None;
        }
        if let Some((valid, expected)) = check {
            if !valid(&text) {
                field.error(format!("must be {expected}"));
                return None;
            }
        }
        Some(text)
    };
    let email = Some((is_email as fn(&str) -> bool, "an email address"));
    Some(IdentityInfo {
        first_name: field("FirstName", MAX_FIRST_NAME_CHARS, None),
        last_name: field("LastName", MAX_LAST_NAME_CHARS, None),
        email: field("Email", MAX_EMAIL_CHARS, email),
        secondary_email: field("SecondaryEmail", MAX_EMAIL_CHARS, email),
        mobile: field(
            "Mobile",
            MAX_PHONE_NUMBER_CHARS,
            Some((is_e164, "an E.164 phone number such as +14255550100")),
        ),
    })
}
