//! [`SecretStore`] over aws-sdk-secretsmanager: the only file that knows its types.

use aws_sdk_secretsmanager::config::http::HttpResponse;
use aws_sdk_secretsmanager::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_secretsmanager::Client;
use tokio::sync::OnceCell;

use super::{SecretError, SecretStore, SecretValue};
use crate::connect_user::aws;
use crate::connect_user::model::Secret;

/// The Secrets Manager client, built lazily: most events never read a secret.
#[derive(Debug, Default)]
pub struct SdkSecrets {
    client: OnceCell<Client>,
}

impl SdkSecrets {
    pub fn new() -> Self {
        Self::default()
    }
}

impl SecretStore for SdkSecrets {
    async fn secret_value(&self, arn: &str) -> Result<SecretValue, SecretError> {
        let client = self
            .client
            .get_or_init(|| async { Client::new(aws::config().await) })
            .await;
        let output = client
            .get_secret_value()
            .secret_id(arn)
            .send()
            .await
            .map_err(secret_error)?;
        // Moved, never copied into a String that could outlive the call unredacted.
        match output.secret_string {
            Some(text) => Ok(SecretValue::Text(Secret::new(text))),
            None => Ok(SecretValue::Binary),
        }
    }
}

fn secret_error<E>(error: SdkError<E, HttpResponse>) -> SecretError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let failure = aws::sdk_failure(error);
    let retryable = failure.is_transient();
    // The SDK's text for a response it could not read may quote that response, and the
    // response carries the secret: a fixed message instead.
    let message = if failure.unreadable {
        "Secrets Manager's answer could not be read".into()
    } else {
        failure.message
    };
    SecretError {
        code: failure.code,
        message,
        retryable,
    }
}
