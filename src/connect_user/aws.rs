//! The AWS SDK configuration every client shares, loaded once, on the first event that needs
//! a client rather than at cold start.
//!
//! SDK retries are off: [`crate::retry`] retries within the deadline instead. Endpoints come
//! from aws-config's standard resolution, so `AWS_ENDPOINT_URL_CONNECT` and
//! `AWS_ENDPOINT_URL_SECRETS_MANAGER` point the function at local emulators without any
//! test-only branch in the code.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_connect::config::http::HttpResponse;
use aws_sdk_connect::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use tokio::sync::OnceCell;

use crate::protocol::deadline::{CALL_ATTEMPT_TIMEOUT, CONNECT_TIMEOUT};

static CONFIG: OnceCell<SdkConfig> = OnceCell::const_new();

/// The shared configuration.
pub async fn config() -> &'static SdkConfig {
    CONFIG
        .get_or_init(|| async {
            aws_config::defaults(BehaviorVersion::latest())
                .retry_config(RetryConfig::disabled())
                .timeout_config(
                    TimeoutConfig::builder()
                        .connect_timeout(CONNECT_TIMEOUT)
                        .operation_attempt_timeout(CALL_ATTEMPT_TIMEOUT)
                        .build(),
                )
                .load()
                .await
        })
        .await
}

/// A failed SDK call, whichever service it was for, in the terms the callers branch on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkFailure {
    /// The service's error code; `NetworkError` or `ClientError` when no answer came, and
    /// `UnknownError` for an answer without one (a gateway's bare 502 with an HTML body).
    pub code: String,
    pub message: String,
    /// The HTTP status of the answer, when one came.
    pub status: Option<u16>,
    /// No answer came back (timeout, connection, unreadable response): worth another try.
    pub network: bool,
    /// An answer came back but could not be read: `message` may quote it.
    pub unreadable: bool,
}

/// Error codes that mean "try again", whatever the status: the SDKs' standard retry
/// classifier's throttling and transient codes (aws-runtime `THROTTLING_ERRORS` and
/// `TRANSIENT_ERRORS`), Connect's own (`ThrottlingException`, `InternalServiceException`, API
/// reference, "Common errors"), and Secrets Manager's (`InternalServiceError`,
/// `RequestTimeout`, `PriorRequestNotComplete`: its user guide on retries).
/// `LimitExceededException` is missing on purpose: the SDK counts it as throttling, but on
/// Connect's `CreateUser` it is a service quota (429, "The allowed limit for the resource has
/// been exceeded", API reference) that no retry will lift.
const TRANSIENT_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalServiceException",
    "InternalServiceError",
    "InternalFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
];

/// Error codes that are final even with a 429: quotas, not rates.
const QUOTA_CODES: &[&str] = &["LimitExceededException", "ServiceQuotaExceededException"];

/// HTTP statuses retried whatever the error code, as the SDK's own classifier does
/// (aws-smithy-runtime `TRANSIENT_ERROR_STATUS_CODES` = 500, 502, 503, 504; and 429, which
/// Connect's best-practices page defines as throttling).
const TRANSIENT_STATUSES: &[u16] = &[429, 500, 502, 503, 504];

impl SdkFailure {
    /// Whether another try may succeed: no answer at all, a transient code, or a transient
    /// status without a quota code.
    pub fn is_transient(&self) -> bool {
        if QUOTA_CODES.contains(&self.code.as_str()) {
            return false;
        }
        self.network
            || TRANSIENT_CODES.contains(&self.code.as_str())
            || self.status.is_some_and(|s| TRANSIENT_STATUSES.contains(&s))
    }
}

/// Reads an SDK error of any service (they share smithy's `SdkError` and HTTP response).
pub fn sdk_failure<E>(error: SdkError<E, HttpResponse>) -> SdkFailure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = error.raw_response().map(|r| r.status().as_u16());
    let (code, network, unreadable) = match &error {
        SdkError::ServiceError(service) => {
            return SdkFailure {
                code: service.err().code().unwrap_or("UnknownError").to_owned(),
                message: service.err().message().unwrap_or("").to_owned(),
                status,
                network: false,
                unreadable: false,
            }
        }
        SdkError::ResponseError(_) => ("NetworkError", true, true),
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => ("NetworkError", true, false),
        _ => ("ClientError", false, false),
    };
    SdkFailure {
        code: code.to_owned(),
        message: DisplayErrorContext(&error).to_string(),
        status,
        network,
        unreadable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(code: &str, status: u16) -> SdkFailure {
        SdkFailure {
            code: code.into(),
            message: String::new(),
            status: Some(status),
            network: false,
            unreadable: false,
        }
    }

    #[test]
    fn transient_by_status_whatever_the_code() {
        for status in [429, 500, 502, 503, 504] {
            assert!(answered("UnknownError", status).is_transient(), "{status}");
        }
        for status in [400, 403, 404, 409, 501] {
            assert!(!answered("UnknownError", status).is_transient(), "{status}");
        }
    }

    #[test]
    fn transient_by_code_whatever_the_status() {
        for code in [
            "ServiceUnavailable",
            "RequestTimeout",
            "PriorRequestNotComplete",
        ] {
            assert!(answered(code, 400).is_transient(), "{code}");
        }
        assert!(!answered("InvalidParameterException", 400).is_transient());
    }

    #[test]
    fn quotas_are_final_even_with_429() {
        assert!(!answered("LimitExceededException", 429).is_transient());
        assert!(!answered("ServiceQuotaExceededException", 402).is_transient());
    }

    #[test]
    fn no_answer_is_transient() {
        let failure = SdkFailure {
            code: "NetworkError".into(),
            message: String::new(),
            status: None,
            network: true,
            unreadable: false,
        };
        assert!(failure.is_transient());
    }
}
