//! The initial password's source: `Password` written in the template, or `PasswordSecretArn`
//! (with `PasswordSecretKey`) naming a Secrets Manager secret to read at create time; at most
//! one of them. A reason never echoes the password.

use super::reader::Reader;
use crate::connect_user::model::rules::{is_secret_arn, is_valid_password, PASSWORD_RULE};
use crate::connect_user::model::{PasswordSource, Secret};

/// The secret key read when `PasswordSecretKey` is not given.
pub const DEFAULT_PASSWORD_SECRET_KEY: &str = "password";

/// `Password` or `PasswordSecretArn` (with `PasswordSecretKey`); `None` when neither is given
/// (or when they conflict, which is reported).
pub(super) fn password_source(top: &Reader) -> Option<PasswordSource> {
    let literal_field = top.field("Password");
    let literal = literal_field.text().map(Secret::new);
    if let Some(password) = &literal {
        if !is_valid_password(password.expose()) {
            literal_field.error(PASSWORD_RULE);
        }
    }
    let arn_field = top.field("PasswordSecretArn");
    let arn = arn_field.text();
    if arn.as_deref().is_some_and(|arn| !is_secret_arn(arn)) {
        arn_field.error(
            "must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
        );
    }
    let key_field = top.field("PasswordSecretKey");
    match (literal, arn, key_field.text()) {
        (Some(_), Some(_), _) => {
            literal_field
                .error("and PasswordSecretArn are mutually exclusive; give only one of them");
            None
        }
        (_, None, Some(_)) => {
            key_field.error("is only used with PasswordSecretArn");
            None
        }
        (Some(literal), None, None) => Some(PasswordSource::Literal(literal)),
        (None, Some(arn), key) => Some(PasswordSource::SecretsManager {
            arn,
            key: key.unwrap_or_else(|| DEFAULT_PASSWORD_SECRET_KEY.to_owned()),
        }),
        (None, None, None) => None,
    }
}
