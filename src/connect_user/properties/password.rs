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

#[cfg(test)]
mod tests {
    use crate::connect_user::model::PasswordSource;
    use crate::connect_user::properties::test_support::{basic, parse_value, reason};
    use serde_json::json;

    #[test]
    fn password_sources() {
        const ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:agents-AbCdEf";
        let mut value = basic();
        value.as_object_mut().unwrap().remove("Password");
        value["PasswordSecretArn"] = json!(ARN);
        assert_eq!(
            parse_value(&value).unwrap().password,
            Some(PasswordSource::SecretsManager {
                arn: ARN.into(),
                key: "password".into()
            })
        );
        value["PasswordSecretKey"] = json!("agent");
        assert!(matches!(
            parse_value(&value).unwrap().password,
            Some(PasswordSource::SecretsManager { key, .. }) if key == "agent"
        ));
        value["Password"] = json!("Password123");
        assert!(reason(&value).contains("Password and PasswordSecretArn are mutually exclusive"));
        let mut value = basic();
        value["PasswordSecretKey"] = json!("k");
        assert!(reason(&value).contains("PasswordSecretKey is only used with PasswordSecretArn"));
        let mut value = basic();
        value.as_object_mut().unwrap().remove("Password");
        value["PasswordSecretArn"] = json!("agents-password");
        assert!(reason(&value).contains("PasswordSecretArn must be a Secrets Manager secret ARN"));
    }

    #[test]
    fn secrets_stay_out_of_debug_and_reasons() {
        let spec = parse_value(&basic()).unwrap();
        assert!(!format!("{spec:?}").contains("Password123"));
        let mut weak = basic();
        weak["Password"] = json!("weakpassword");
        let text = reason(&weak);
        assert!(
            text.contains("Password must be") && !text.contains("weakpassword"),
            "{text}"
        );
    }
}
