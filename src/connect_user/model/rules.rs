//! The value rules and limits that are AWS's rather than the template's: what Connect (and
//! Secrets Manager, for a password's secret) accepts, each with the AWS document it comes from.
//!
//! They live in the model, not in the property parser, because more than the parser applies
//! them: the password read from a secret at create time must pass the same rule as one written
//! in the template. Where AWS documents nothing, the rule says so ("assumption: ...").
//!
//! Sources, as cited below: "model doc" / "model shape" are Connect's service model (botocore
//! `data/connect/2017-08-08/service-2.json`, the text of the API reference,
//! <https://docs.aws.amazon.com/connect/latest/APIReference/>); "admin guide" is the Amazon
//! Connect Administrator Guide.

use std::ops::RangeInclusive;

// ---------------------------------------------------------------------------------------
// Username
// ---------------------------------------------------------------------------------------

/// How long a username may be, in characters. Model doc, `CreateUserRequest.Username`: "If you
/// are using SAML for identity management, the user name can include up to 64 characters";
/// instances not using SAML allow 20, which only Connect can check (it knows the instance's
/// identity type), so the larger bound is the one checked before any call.
pub const USERNAME_CHARS: RangeInclusive<usize> = 1..=64;

/// How long a username may be on an instance that is not SAML, in characters. Model doc,
/// `CreateUserRequest.Username`: "For instances not using SAML for identity management, the
/// user name can include up to 20 characters".
pub const MANAGED_USERNAME_CHARS: usize = 20;

/// A character a username may hold. Model doc, `CreateUserRequest.Username`: "up to 64
/// characters from [a-zA-Z0-9_-.\@]+".
pub fn is_username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_.@-".contains(c)
}

/// An email-format username, the only form in which a username may hold `@`. Model doc,
/// `CreateUserRequest.Username`: "Username can include @ only if used in an email format. For
/// example: Correct: testuser@example.com. Incorrect: testuser@example". Assumption, as AWS
/// defines the format no further: one `@`, a non-empty local part, and a domain of non-empty
/// dot-separated labels with at least one dot; all of it in the username's characters.
pub fn is_email_username(name: &str) -> bool {
    let allowed = |part: &str| {
        part.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
    };
    let Some((local, domain)) = name.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && allowed(local)
        && allowed(domain)
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty())
}

// ---------------------------------------------------------------------------------------
// Password
// ---------------------------------------------------------------------------------------

/// Connect's password rule, as a FAILED reason says it (see [`is_valid_password`]).
pub const PASSWORD_RULE: &str =
    "must be 8 to 64 characters without spaces, with an uppercase letter, a lowercase letter and a digit";

/// Connect's password rule: 8–64 non-space characters with a lowercase letter, an uppercase
/// letter and a digit. Model shape `Password`, pattern
/// `^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[a-zA-Z\d\S]{8,64}$`.
pub fn is_valid_password(password: &str) -> bool {
    let length = password.chars().count();
    (8..=64).contains(&length)
        && !password.chars().any(char::is_whitespace)
        && password.chars().any(|c| c.is_ascii_lowercase())
        && password.chars().any(|c| c.is_ascii_uppercase())
        && password.chars().any(|c| c.is_ascii_digit())
}

/// `arn:<partition>:secretsmanager:<region>:<12-digit account>:secret:<name>`: the ARN of a
/// Secrets Manager secret (Secrets Manager user guide, "Secret ARN"; the Service Authorization
/// Reference's `Secret` resource type). The name's characters and its 512 limit are the
/// `CreateSecret` `Name` rules of the Secrets Manager API reference.
pub fn is_secret_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    let [prefix, partition, service, region, account, kind, name] = parts[..] else {
        return false;
    };
    prefix == "arn"
        && partition.starts_with("aws")
        && service == "secretsmanager"
        && !region.is_empty()
        && account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit())
        && kind == "secret"
        && !name.is_empty()
        && name.len() <= 512
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c))
}

// ---------------------------------------------------------------------------------------
// Identity info and phone numbers
// ---------------------------------------------------------------------------------------

/// Model shape `AgentFirstName`: max 255.
pub const MAX_FIRST_NAME_CHARS: usize = 255;
/// Model shape `AgentLastName`: max 300.
pub const MAX_LAST_NAME_CHARS: usize = 300;
/// Assumption: the model's `Email` shape has no length limit; 254 is the longest address SMTP
/// can carry (RFC 5321's 256-octet path less its angle brackets).
pub const MAX_EMAIL_CHARS: usize = 254;
/// `+` and at most 15 digits: the model's `PhoneNumber` pattern (see [`is_e164`]).
pub const MAX_PHONE_NUMBER_CHARS: usize = 16;

/// E.164: `+`, a non-zero digit, then 1 to 14 digits. Model shape `PhoneNumber` (the
/// `IdentityInfo.Mobile` and desk phone numbers), pattern `\\+[1-9]\\d{1,14}$`.
pub fn is_e164(number: &str) -> bool {
    let Some(digits) = number.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
}

/// A plausible email address: one `@`, a local part, a dotted domain, no spaces. Assumption:
/// the model's `Email` shape carries no pattern (only `SecondaryEmail`'s documentation quotes
/// one), so this refuses only what cannot be an address and leaves the rest to Connect.
pub fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && email.len() <= MAX_EMAIL_CHARS
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

// ---------------------------------------------------------------------------------------
// Per-channel settings, profiles, proficiencies
// ---------------------------------------------------------------------------------------

/// Connect's ceiling for an after-contact-work limit: 24 days, in seconds. Model doc,
/// `UserPhoneConfig.AfterContactWorkTimeLimit`: "a minimum value of 0 and a maximum value of
/// 2,000,000 seconds (24 days)".
pub const MAX_AFTER_CONTACT_WORK_SECONDS: i64 = 2_000_000;

/// How long a routing profile's name is, in characters. Model shape `RoutingProfileName`: min 1,
/// max 127 (the shapes `SecurityProfileName` and `HierarchyGroupName` carry no bounds).
pub const ROUTING_PROFILE_NAME_CHARS: RangeInclusive<usize> = 1..=127;

/// How many security profiles a user holds. Model shape `SecurityProfileIds`: min 1, max 10.
pub const SECURITY_PROFILES: RangeInclusive<usize> = 1..=10;

/// A proficiency's attribute name or value, in characters. Model shapes
/// `PredefinedAttributeName` and `PredefinedAttributeStringValue`: min 1, max 100.
pub const MAX_PROFICIENCY_ATTRIBUTE_CHARS: usize = 100;

/// A proficiency level. Model doc, `UserProficiency.Level`: "The valid values are 1, 2, 3, 4
/// and 5" (the shape `ProficiencyLevel` is a float from 1.0 to 5.0).
pub const PROFICIENCY_LEVELS: RangeInclusive<f64> = 1.0..=5.0;

// ---------------------------------------------------------------------------------------
// Tags
// ---------------------------------------------------------------------------------------

/// Admin guide, tagging: "Amazon Connect services support up to 50 tags per resource"; model
/// shape `TagMap`: max 50.
pub const MAX_TAGS_PER_RESOURCE: usize = 50;

/// Model shape `TagValue`: max 256.
pub const MAX_TAG_VALUE_CHARS: usize = 256;

/// Why AWS refuses a tag key, if it does. Model shape `TagKey`: min 1, max 128, pattern
/// `^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`. The model's pattern is case-sensitive, but AWS's
/// tag naming rules reserve the prefix in any case ("Don't use `aws:`, `AWS:`, or any upper or
/// lowercase combination of such as a prefix": Tagging AWS Resources user guide, tag naming
/// limits and requirements), so every case is refused.
pub fn tag_key_problem(key: &str) -> Option<&'static str> {
    let length = key.chars().count();
    if !(1..=128).contains(&length) {
        return Some("key must be 1 to 128 characters");
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Some("key may not start with aws: (reserved by AWS)");
    }
    // `\p{Z}` is the separators (spaces, and the line and paragraph separators): whitespace
    // that is not a control character. A tab or a newline is a control character (`Cc`).
    let separator = |c: char| c.is_whitespace() && !c.is_control();
    let allowed = |c: char| c.is_alphanumeric() || separator(c) || "_.:/=+-@".contains(c);
    if !key.chars().all(allowed) {
        return Some("key may contain only letters, digits, spaces and _ . : / = + - @");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_rules() {
        assert!(
            is_e164("+14255550100")
                && !is_e164("+0123")
                && !is_e164("14255550100")
                && !is_e164("+1")
        );
        assert!(
            is_email("a.b@example.co.uk")
                && !is_email("a@b")
                && !is_email("a b@c.d")
                && !is_email("@c.d")
        );
        assert!(
            is_valid_password("Password123")
                && !is_valid_password("password123")
                && !is_valid_password("Pass 123word")
        );
    }

    #[test]
    fn email_usernames() {
        assert!(is_email_username("a.b-c_d@x.example.co"));
        assert!(!is_email_username("testuser@example"));
        assert!(!is_email_username("a@b@c.com"));
        assert!(!is_email_username("testuser"));
    }

    #[test]
    fn tag_keys() {
        assert_eq!(tag_key_problem("team"), None);
        assert!(tag_key_problem("").is_some());
        assert!(tag_key_problem("AWS:x").is_some_and(|p| p.contains("aws:")));
        assert!(tag_key_problem("a*b").is_some_and(|p| p.contains("only letters")));
        assert!(tag_key_problem("a\tb").is_some(), "a tab is no separator");
        assert!(tag_key_problem("a\nb").is_some());
        assert_eq!(tag_key_problem("a\u{a0}b"), None, "a no-break space is");
    }

    #[test]
    fn secret_arns() {
        assert!(is_secret_arn(
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:agents-AbCdEf"
        ));
        assert!(!is_secret_arn("agents-password"));
        assert!(!is_secret_arn(
            "arn:aws:secretsmanager:us-east-1:12345:secret:agents"
        ));
    }
}
