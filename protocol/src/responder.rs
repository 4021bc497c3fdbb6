//! PUTs the answer to the ResponseURL, retrying what can get better, within the deadline.
//!
//! S3's presigned URLs want a buffered body with an exact Content-Length (no chunked transfer)
//! and, for SigV2 URLs, an empty Content-Type (a signed `application/json` would get 403
//! SignatureDoesNotMatch). 5xx answers and connection errors are retried with full-jitter
//! exponential backoff until the answer deadline; any other non-2xx answer is final.

use reqwest::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use thiserror::Error;
use tokio::time::Instant;

use super::deadline::{CONNECT_TIMEOUT, PUT_ATTEMPT_TIMEOUT, PUT_RETRY};
use super::response_url::ResponseUrl;
use crate::retry::Transient;

/// Why the answer did not get through. Never contains the URL's query string.
#[derive(Debug, Error)]
pub enum SendError {
    /// The sink refused the answer for good (a 4xx, such as an expired URL's 403).
    #[error("the ResponseURL answered {status}; not retried")]
    Refused { status: u16 },
    /// Retryable failures until the deadline ran out.
    #[error(
        "no answer got through in {attempts} attempt(s) before the deadline; last error: {last}"
    )]
    OutOfTime { attempts: u32, last: String },
    /// No answer was sent: the work may be going on in another invocation of the request,
    /// whose asynchronous Invoke got no clear answer (`put` mode's continuations).
    #[error("no answer was sent: the continuation's Invoke got no clear answer ({0}); Lambda's redelivery runs the request again")]
    Unsure(String),
}

impl SendError {
    /// Whether Lambda redelivering the event could still help.
    pub fn is_retryable(&self) -> bool {
        matches!(self, SendError::OutOfTime { .. } | SendError::Unsure(_))
    }
}

/// The HTTP client for answers, built once per process and reused by warm invocations.
#[derive(Debug, Clone)]
pub struct Responder {
    client: reqwest::Client,
}

impl Default for Responder {
    fn default() -> Self {
        Self::new()
    }
}

impl Responder {
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self { client }
    }

    /// PUTs `body` to `url`, retrying until `deadline`. Returns the number of attempts made.
    pub async fn send(
        &self,
        url: &ResponseUrl,
        body: Vec<u8>,
        deadline: Instant,
    ) -> Result<u32, SendError> {
        if deadline <= Instant::now() {
            return Err(SendError::OutOfTime {
                attempts: 0,
                last: "no attempt fitted before the deadline".to_owned(),
            });
        }
        let mut attempts = 0u32;
        PUT_RETRY
            .run(deadline, || {
                attempts += 1;
                self.put_once(url, &body, deadline, attempts)
            })
            .await
            .map(|()| attempts)
            .map_err(|failure| match failure {
                PutFailure::Refused { status } => SendError::Refused { status },
                PutFailure::Transient { last, .. } => SendError::OutOfTime { attempts, last },
            })
    }

    /// One PUT attempt, within the time left and [`PUT_ATTEMPT_TIMEOUT`].
    async fn put_once(
        &self,
        url: &ResponseUrl,
        body: &[u8],
        deadline: Instant,
        attempt: u32,
    ) -> Result<(), PutFailure> {
        let left = deadline.saturating_duration_since(Instant::now());
        let outcome = self
            .client
            .put(url.as_url().clone())
            .header(CONTENT_TYPE, HeaderValue::from_static(""))
            .header(CONTENT_LENGTH, body.len())
            .body(body.to_vec())
            .timeout(left.min(PUT_ATTEMPT_TIMEOUT))
            .send()
            .await;
        let last = match outcome {
            Ok(response) if response.status().is_success() => {
                tracing::info!(attempts = attempt, status = response.status().as_u16(), url = %url, "answer delivered");
                return Ok(());
            }
            Ok(response) if response.status().is_server_error() => {
                format!("HTTP {}", response.status().as_u16())
            }
            Ok(response) => {
                let status = response.status().as_u16();
                tracing::error!(status, url = %url, "the ResponseURL refused the answer");
                return Err(PutFailure::Refused { status });
            }
            // reqwest's errors print the full URL; strip it, the query is a credential.
            Err(error) => error.without_url().to_string(),
        };
        tracing::warn!(attempts = attempt, error = %last, url = %url, "answer not delivered; retrying if time allows");
        Err(PutFailure::Transient { last })
    }
}

/// One attempt's failure, as the retry loop sees it.
#[derive(Debug)]
enum PutFailure {
    /// A 4xx: final.
    Refused { status: u16 },
    /// A 5xx or a connection error: worth another try.
    Transient { last: String },
}

impl std::fmt::Display for PutFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PutFailure::Refused { status } => write!(f, "HTTP {status}"),
            PutFailure::Transient { last } => f.write_str(last),
        }
    }
}

impl Transient for PutFailure {
    fn is_retryable(&self) -> bool {
        matches!(self, PutFailure::Transient { .. })
    }

    /// The attempt count is carried by [`SendError::OutOfTime`].
    fn gave_up(&mut self, _attempts: u32) {}
}
