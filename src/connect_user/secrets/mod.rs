//! The Secrets Manager port: reading one secret's value, and how that fails. Which password
//! a template's secret holds is [`crate::connect_user::password`]'s business.

pub mod sdk;

use std::future::Future;

use super::model::Secret;

/// What `GetSecretValue` answers. `Debug` shows no value: [`Secret`] redacts itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretValue {
    Text(Secret),
    Binary,
}

/// Why the secret could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("GetSecretValue: {code}: {message}")]
pub struct SecretError {
    pub code: String,
    pub message: String,
    /// Throttling, a 5xx or the network: worth another try.
    pub retryable: bool,
}

/// Reads secrets; [`sdk::SdkSecrets`] does it with aws-sdk-secretsmanager.
pub trait SecretStore: Send + Sync + 'static {
    fn secret_value(
        &self,
        arn: &str,
    ) -> impl Future<Output = Result<SecretValue, SecretError>> + Send;
}
