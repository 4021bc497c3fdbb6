//! The one retry loop: full-jitter exponential backoff until a deadline.
//!
//! Used by every call that crosses the network: the Connect calls (Connect's API is limited to
//! 2 requests/second, burst 5, per account and Region by default — Amazon Connect API
//! Reference, "Best practices for using Amazon Connect APIs", and the Administrator Guide's
//! service quotas — so a stack of many users must spread its retries), the secret read, and
//! the answer PUT to the ResponseURL. A pause is random in
//! `[0, min(cap, first · 2^attempt))` — AWS's "Exponential Backoff And Jitter" — which is what
//! lets dozens of throttled invocations all through a shared limit.
//!
//! The loop knows nothing about its callers: each error type says whether it is worth another
//! try ([`Transient::is_retryable`]) and how to say that retrying stopped
//! ([`Transient::gave_up`]). It uses tokio's clock ([`tokio::time::Instant`]), so that tests
//! with a paused clock see time move.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

/// An error that may go away on its own.
pub trait Transient: std::fmt::Display {
    fn is_retryable(&self) -> bool;
    /// Notes in the error that retrying stopped after `attempts`.
    fn gave_up(&mut self, attempts: u32);
}

/// Backoff settings. The defaults of each caller live with the deadline budget
/// ([`crate::protocol::deadline`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// The ceiling of the first pause.
    pub first: Duration,
    /// The ceiling of any pause.
    pub cap: Duration,
    /// Time kept free before the deadline for the last attempt's own duration.
    pub slack: Duration,
}

impl Retry {
    /// Runs `call` until it succeeds, fails for good, or the next pause (plus the slack) would
    /// cross `deadline`; then the last error is returned, told how many attempts were made.
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
                    let pause = self.pause(attempt);
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

    /// The pause before retry number `attempt` (1 for the first retry): full jitter.
    pub fn pause(&self, attempt: u32) -> Duration {
        let ceiling = self
            .first
            .saturating_mul(1u32 << attempt.min(20))
            .min(self.cap);
        ceiling.mul_f64(fastrand::f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RETRY: Retry = Retry {
        first: Duration::from_millis(100),
        cap: Duration::from_secs(2),
        slack: Duration::from_millis(500),
    };

    #[derive(Debug)]
    struct Flaky {
        retryable: bool,
        attempts: Option<u32>,
    }

    impl std::fmt::Display for Flaky {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "flaky")
        }
    }

    impl Transient for Flaky {
        fn is_retryable(&self) -> bool {
            self.retryable
        }
        fn gave_up(&mut self, attempts: u32) {
            self.attempts = Some(attempts);
        }
    }

    #[test]
    fn pauses_are_jittered_and_capped() {
        for attempt in 0..64 {
            let pause = RETRY.pause(attempt);
            assert!(pause <= RETRY.cap);
            assert!(pause <= RETRY.first * 2u32.pow(attempt.min(10)));
        }
        let pauses: std::collections::HashSet<_> = (0..20).map(|_| RETRY.pause(6)).collect();
        assert!(pauses.len() > 1, "no jitter");
    }

    #[tokio::test(start_paused = true)]
    async fn retries_until_the_deadline_then_says_how_often() {
        let started = Instant::now();
        let deadline = started + Duration::from_secs(30);
        let mut calls = 0u32;
        let outcome: Result<(), Flaky> = RETRY
            .run(deadline, || {
                calls += 1;
                async {
                    Err(Flaky {
                        retryable: true,
                        attempts: None,
                    })
                }
            })
            .await;
        let error = outcome.unwrap_err();
        assert_eq!(error.attempts, Some(calls));
        assert!(
            calls > 10,
            "only {calls} attempts in 30 s of 2 s pauses at most"
        );
        assert!(
            Instant::now() + RETRY.slack <= deadline,
            "slept past the slack"
        );
        assert!(
            Instant::now() + RETRY.cap + RETRY.slack >= deadline,
            "gave up early"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_final_error_is_not_retried() {
        let mut calls = 0u32;
        let outcome: Result<(), Flaky> = RETRY
            .run(Instant::now() + Duration::from_secs(30), || {
                calls += 1;
                async {
                    Err(Flaky {
                        retryable: false,
                        attempts: None,
                    })
                }
            })
            .await;
        assert_eq!(calls, 1);
        assert_eq!(outcome.unwrap_err().attempts, None);
    }
}
