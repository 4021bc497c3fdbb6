//! The AWS SDK configuration every client shares, loaded once, on the first event that needs
//! a client rather than at cold start.
//!
//! SDK retries are off: [`super::retry`] retries within the deadline instead. Endpoints come
//! from aws-config's standard resolution, so `AWS_ENDPOINT_URL_CONNECT` and
//! `AWS_ENDPOINT_URL_SECRETS_MANAGER` point the function at local emulators without any
//! test-only branch in the code.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_connect::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use tokio::sync::OnceCell;

/// Per-attempt timeout: a hung connection is abandoned and retried rather than waited on.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

static CONFIG: OnceCell<SdkConfig> = OnceCell::const_new();

/// The shared configuration.
pub async fn config() -> &'static SdkConfig {
    CONFIG
        .get_or_init(|| async {
            aws_config::defaults(BehaviorVersion::latest())
                .retry_config(RetryConfig::disabled())
                .timeout_config(
                    TimeoutConfig::builder()
                        .connect_timeout(Duration::from_secs(3))
                        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                        .build(),
                )
                .load()
                .await
        })
        .await
}

/// A failed SDK call, whichever service it was for, in the terms the callers branch on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The service's error code; `NetworkError` or `ClientError` when no answer came.
    pub code: String,
    pub message: String,
    /// No answer came back (timeout, connection, unreadable response): worth another try.
    pub network: bool,
    /// An answer came back but could not be read: `message` may quote it.
    pub unreadable: bool,
}

/// Reads an SDK error of any service (they share smithy's `SdkError`).
pub fn failure<E, R>(error: SdkError<E, R>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let (code, network, unreadable) = match &error {
        SdkError::ServiceError(service) => {
            return Failure {
                code: service.err().code().unwrap_or("UnknownError").to_owned(),
                message: service.err().message().unwrap_or("").to_owned(),
                network: false,
                unreadable: false,
            }
        }
        SdkError::ResponseError(_) => ("NetworkError", true, true),
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => ("NetworkError", true, false),
        _ => ("ClientError", false, false),
    };
    Failure {
        code: code.to_owned(),
        message: DisplayErrorContext(&error).to_string(),
        network,
        unreadable,
    }
}
