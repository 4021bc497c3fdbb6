//! The initial password: written in the template, or read from Secrets Manager at create time.
//!
//! CloudFormation does not resolve `{{resolve:secretsmanager:…}}` in custom resource
//! properties, so `PasswordSecretArn` names the secret and the function reads it. The secret is
//! the password itself, or a JSON object holding it under `PasswordSecretKey`. No reason or
//! log line here ever holds the secret's value, or a part of it.

use super::model::rules::{is_valid_password, PASSWORD_RULE};
use super::model::{PasswordSource, Secret};
use super::secrets::{SecretError, SecretStore, SecretValue};
use crate::retry::Transient;

/// A password that could not be taken from a secret. The text names the secret's ARN and key,
/// never its content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("PasswordSecretArn {arn}: {source}")]
    Unreadable { arn: String, source: SecretError },
    #[error("PasswordSecretArn {arn} holds a binary secret; store the password as a string, or as JSON with the key PasswordSecretKey names")]
    Binary { arn: String },
    #[error("PasswordSecretArn {arn} is JSON without the key {key}; set PasswordSecretKey to the key that holds the password")]
    MissingKey { arn: String, key: String },
    #[error("PasswordSecretArn {arn}: the value under {key} is not a string")]
    NotText { arn: String, key: String },
    #[error("PasswordSecretArn {arn} looks like JSON but does not parse; store the password as plain text, or as a valid JSON object")]
    NotJson { arn: String },
    #[error("PasswordSecretArn {arn}: the password {PASSWORD_RULE}")]
    Weak { arn: String },
}

/// The password inside a secret's text: the `key` member of a JSON object, a JSON string's
/// content, or else the whole text. Text that opens like a JSON object but does not parse is
/// refused rather than used as a password nobody meant.
pub fn from_secret_text(arn: &str, key: &str, text: &Secret) -> Result<Secret, PasswordError> {
    let password = match serde_json::from_str::<serde_json::Value>(text.expose()) {
        Ok(serde_json::Value::String(inner)) => Secret::new(inner),
        Err(_) if looks_like_json_object(text.expose()) => {
            return Err(PasswordError::NotJson {
                arn: arn.to_owned(),
            })
        }
        Ok(serde_json::Value::Object(members)) => match members.get(key) {
            Some(serde_json::Value::String(value)) => Secret::new(value.clone()),
            Some(_) => {
                return Err(PasswordError::NotText {
                    arn: arn.to_owned(),
                    key: key.to_owned(),
                })
            }
            None => {
                return Err(PasswordError::MissingKey {
                    arn: arn.to_owned(),
                    key: key.to_owned(),
                })
            }
        },
        _ => text.clone(),
    };
    if is_valid_password(password.expose()) {
        Ok(password)
    } else {
        Err(PasswordError::Weak {
            arn: arn.to_owned(),
        })
    }
}

/// Whether text opens like a JSON object (`{"` or `{}`), which a password does not.
fn looks_like_json_object(text: &str) -> bool {
    text.trim_start()
        .strip_prefix('{')
        .is_some_and(|rest| rest.trim_start().starts_with(['"', '}']))
}

/// The password for `CreateUser`, reading the secret if the template names one.
pub async fn resolve<S: SecretStore>(
    store: &S,
    source: Option<&PasswordSource>,
) -> Result<Option<Secret>, PasswordError> {
    match source {
        None => Ok(None),
        Some(PasswordSource::Literal(password)) => Ok(Some(password.clone())),
        Some(PasswordSource::SecretsManager { arn, key }) => match store.secret_value(arn).await {
            Ok(SecretValue::Text(text)) => from_secret_text(arn, key, &text).map(Some),
            Ok(SecretValue::Binary) => Err(PasswordError::Binary { arn: arn.clone() }),
            Err(source) => Err(PasswordError::Unreadable {
                arn: arn.clone(),
                source,
            }),
        },
    }
}

impl Transient for PasswordError {
    fn is_retryable(&self) -> bool {
        matches!(self, PasswordError::Unreadable { source, .. } if source.retryable)
    }

    fn gave_up(&mut self, attempts: u32) {
        if let PasswordError::Unreadable { source, .. } = self {
            source.message = format!(
                "{} (gave up after {attempts} attempts, before the deadline)",
                source.message
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:agents-AbCdEf";

    fn read(key: &str, text: &str) -> Result<Secret, PasswordError> {
        from_secret_text(ARN, key, &Secret::new(text.to_owned()))
    }

    #[test]
    fn plain_and_json_secrets() {
        assert_eq!(read("password", "Plain123x").unwrap().expose(), "Plain123x");
        let json = r#"{"username":"a","password":"FromJson9"}"#;
        assert_eq!(read("password", json).unwrap().expose(), "FromJson9");
        let custom = r#"{"agentPassword":"Custom123"}"#;
        assert_eq!(read("agentPassword", custom).unwrap().expose(), "Custom123");
        assert_eq!(
            read("password", r#""Quoted123""#).unwrap().expose(),
            "Quoted123"
        );
    }

    #[test]
    fn broken_json_is_refused_not_used_as_the_password() {
        let reason = read("password", r#"{"password":"Hidden123x""#)
            .unwrap_err()
            .to_string();
        assert!(
            reason.contains("does not parse") && !reason.contains("idden"),
            "{reason}"
        );
    }

    #[test]
    fn failures_name_the_secret_never_its_value() {
        let cases = [
            (
                "password",
                r#"{"pw":"Hidden123x"}"#,
                "without the key password",
            ),
            ("password", r#"{"password":87654321}"#, "is not a string"),
            ("password", "weakhidden", "the password must be 8 to 64"),
            (
                "password",
                r#"{"password":"weakhidden"}"#,
                "the password must be 8 to 64",
            ),
        ];
        for (key, text, expected) in cases {
            let reason = read(key, text).unwrap_err().to_string();
            assert!(reason.contains(expected), "{reason}");
            assert!(reason.contains(ARN), "{reason}");
            assert!(
                !reason.contains("idden") && !reason.contains("87654321"),
                "{reason}"
            );
        }
    }
}
