//! PUTs the answer to the ResponseURL, retrying what can get better, within the deadline.
//!
//! S3's presigned URLs want a buffered body with an exact Content-Length (no chunked transfer)
//! and, for SigV2 URLs, an empty Content-Type (a signed `application/json` would get 403
//! SignatureDoesNotMatch). 5xx answers and connection errors are retried with full-jitter
//! exponential backoff until the answer deadline; any other non-2xx answer is final.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use thiserror::Error;

use super::response_url::ResponseUrl;

const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);
const MAX_ATTEMPT_TIME: Duration = Duration::from_secs(10);

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
}

impl SendError {
    /// Whether Lambda redelivering the event could still help.
    pub fn is_retryable(&self) -> bool {
        matches!(self, SendError::OutOfTime { .. })
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
            .connect_timeout(Duration::from_secs(3))
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
        let mut attempts = 0u32;
        let mut last = String::from("no attempt fitted before the deadline");
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(SendError::OutOfTime { attempts, last });
            }
            attempts += 1;
            let outcome = self
                .client
                .put(url.as_url().clone())
                .header(CONTENT_TYPE, HeaderValue::from_static(""))
                .header(CONTENT_LENGTH, body.len())
                .body(body.clone())
                .timeout(left.min(MAX_ATTEMPT_TIME))
                .send()
                .await;
            match outcome {
                Ok(response) if response.status().is_success() => {
                    tracing::info!(attempts, status = response.status().as_u16(), url = %url, "answer delivered");
                    return Ok(attempts);
                }
                Ok(response) if response.status().is_server_error() => {
                    last = format!("HTTP {}", response.status().as_u16());
                }
                Ok(response) => {
                    let status = response.status().as_u16();
                    tracing::error!(status, url = %url, "the ResponseURL refused the answer");
                    return Err(SendError::Refused { status });
                }
                // reqwest's errors print the full URL; strip it, the query is a credential.
                Err(error) => last = error.without_url().to_string(),
            }
            let pause = backoff(attempts).min(deadline.saturating_duration_since(Instant::now()));
            tracing::warn!(attempts, error = %last, retry_in_ms = pause.as_millis() as u64, url = %url, "answer not delivered; retrying");
            tokio::time::sleep(pause).await;
        }
    }
}

fn backoff(attempt: u32) -> Duration {
    crate::backoff::full_jitter(FIRST_BACKOFF, MAX_BACKOFF, attempt)
}
