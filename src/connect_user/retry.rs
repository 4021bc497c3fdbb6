//! Retrying Connect calls inside the deadline.
//!
//! Connect's whole API shares one throttle (2 requests/second, burst 5, per account and Region
//! by default), and a stack with many users fans out into many concurrent invocations. The
//! SDK's default of three attempts fails most of them. So the SDK's own retry is off and every
//! call goes through [`Retry::run`]: full-jitter exponential backoff for throttling, 5xx and
//! connection errors, for as long as the deadline guard can spare, giving up just before it so
//! that the FAILED reason names the last error.

use std::future::Future;
use std::time::{Duration, Instant};

use super::api::{ApiError, ErrorKind};
use super::password::PasswordError;
use crate::backoff::full_jitter;

/// An error that may go away on its own.
pub trait Transient: std::fmt::Display {
    fn is_retryable(&self) -> bool;
    /// Notes in the message that retrying stopped after `attempts`.
    fn gave_up(&mut self, attempts: u32);
}

impl Transient for ApiError {
    fn is_retryable(&self) -> bool {
        self.kind == ErrorKind::Retryable
    }

    fn gave_up(&mut self, attempts: u32) {
        self.message = format!(
            "{} (gave up after {attempts} attempts, before the deadline)",
            self.message
        );
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

/// Retry settings.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub first: Duration,
    pub cap: Duration,
    /// Time kept free before the deadline for the last attempt's own duration.
    pub slack: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            first: Duration::from_millis(250),
            cap: Duration::from_secs(5),
            slack: Duration::from_millis(500),
        }
    }
}

impl Retry {
    /// Runs `call` until it succeeds, fails for good, or the next pause would cross `deadline`.
    pub async fn run<T, E, F, Fut>(&self, deadline: Instant, mut call: F) -> Result<T, E>
    where
        E: Transient,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            match call().await {
                Err(mut error) if error.is_retryable() => {
                    let pause = full_jitter(self.first, self.cap, attempt);
                    if Instant::now() + pause + self.slack >= deadline {
                        error.gave_up(attempt);
                        return Err(error);
                    }
                    tracing::debug!(error = %error, attempt, pause_ms = pause.as_millis() as u64, "retrying");
                    tokio::time::sleep(pause).await;
                }
                outcome => return outcome,
            }
        }
    }
}
