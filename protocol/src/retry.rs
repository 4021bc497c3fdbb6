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
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

/// An error that may go away on its own.
pub trait Transient: std::fmt::Display {
    fn is_retryable(&self) -> bool;
    /// Notes in the error that retrying stopped after `attempts`.
    fn gave_up(&mut self, attempts: u32);
}

/// Backoff settings. The defaults of each caller live with the deadline budget
/// ([`crate::deadline`]).
///
/// The ceiling of the pause before retry `n` of a request is `first · growth^(n-1)`, at most
/// `cap`, where `n` counts the retries of the *whole request* so far ([`Pace`]), not of the
/// one call: an event that had to wait for its first call under a shared throttle is still in
/// the same herd for its second, and starting the second call from the smallest pause again
/// would only add throttled calls. The cap itself grows by `cap_growth` for each call of the
/// request that was already made under contention, up to `max_cap`: a request of many calls
/// (an adoption) is in the herd longest, and a herd that lasts long costs the other clients
/// of the account's Connect API most. docs/performance.md measures the trade-off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Retry {
    /// The ceiling of the first pause.
    pub first: Duration,
    /// How much the ceiling grows with each retry.
    pub growth: u32,
    /// The ceiling of any pause, for a request with no contended call made yet.
    pub cap: Duration,
    /// How much `cap` grows (as a fraction of itself) per contended call already made.
    pub cap_growth: f64,
    /// The ceiling of any pause, however many calls were contended.
    pub max_cap: Duration,
    /// Time kept free before the deadline for the last attempt's own duration.
    pub slack: Duration,
}

/// How far one request has backed off so far, shared by all its calls (see [`Retry`]).
#[derive(Debug, Clone, Default)]
pub struct Pace(Arc<PaceState>);

#[derive(Debug, Default)]
struct PaceState {
    /// Retries made by the request so far.
    level: AtomicU32,
    /// Calls of the request that succeeded after at least one retry.
    contended: AtomicU32,
}

impl Pace {
    /// A request's backoff as an earlier invocation of it left it (see [`Pace::retries`] and
    /// [`Pace::contended_calls`]).
    pub fn resumed(retries: u32, contended: u32) -> Self {
        Self(Arc::new(PaceState {
            level: AtomicU32::new(retries),
            contended: AtomicU32::new(contended),
        }))
    }

    /// Retries made by the request so far, over all its calls.
    pub fn retries(&self) -> u32 {
        self.0.level.load(Ordering::Relaxed)
    }

    /// Calls of the request that succeeded only after a retry.
    pub fn contended_calls(&self) -> u32 {
        self.0.contended.load(Ordering::Relaxed)
    }
}

impl Retry {
    /// Runs `call` until it succeeds, fails for good, or the deadline leaves no time for
    /// another attempt (the slack); then the last error is returned, told how many attempts
    /// were made. The last pause is shortened to end at the deadline less the slack, so that
    /// the time before the deadline is used rather than given up a whole pause early.
    pub async fn run<T, E, F, Fut>(&self, deadline: Instant, call: F) -> Result<T, E>
    where
        E: Transient,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.run_counted(&Pace::default(), deadline, call).await.0
    }

    /// As [`Retry::run`], continuing the request's backoff from `pace` and adding to it, with
    /// the number of attempts made.
    pub async fn run_counted<T, E, F, Fut>(
        &self,
        pace: &Pace,
        deadline: Instant,
        mut call: F,
    ) -> (Result<T, E>, u32)
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
                    let latest = deadline.checked_sub(self.slack).unwrap_or(deadline);
                    let now = Instant::now();
                    if now >= latest {
                        error.gave_up(attempt);
                        return (Err(error), attempt);
                    }
                    let level = pace.0.level.fetch_add(1, Ordering::Relaxed) + 1;
                    let pause = self.pause(level, pace.contended_calls()).min(latest - now);
                    tracing::debug!(error = %error, attempt, pause_ms = pause.as_millis() as u64, "retrying");
                    tokio::time::sleep(pause).await;
                }
                outcome => {
                    if attempt > 1 && outcome.is_ok() {
                        pace.0.contended.fetch_add(1, Ordering::Relaxed);
                    }
                    return (outcome, attempt);
                }
            }
        }
    }

    /// The ceiling of the pause before retry number `level` of a request (1 for its first
    /// retry) that has made `contended` calls under contention already.
    pub fn ceiling(&self, level: u32, contended: u32) -> Duration {
        let cap = self
            .cap
            .mul_f64(1.0 + self.cap_growth * f64::from(contended))
            .min(self.max_cap.max(self.cap));
        let growth = self
            .growth
            .max(1)
            .saturating_pow(level.saturating_sub(1).min(16));
        self.first.saturating_mul(growth).min(cap)
    }

    /// The pause before retry number `level` (see [`Retry::ceiling`]): full jitter, a random
    /// time below the ceiling.
    pub fn pause(&self, level: u32, contended: u32) -> Duration {
        self.ceiling(level, contended).mul_f64(fastrand::f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RETRY: Retry = Retry {
        first: Duration::from_millis(100),
        growth: 2,
        cap: Duration::from_secs(2),
        cap_growth: 0.5,
        max_cap: Duration::from_secs(3),
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
        for attempt in 1..64 {
            let pause = RETRY.pause(attempt, 0);
            assert!(pause <= RETRY.cap);
            assert!(pause <= RETRY.first * 2u32.pow((attempt - 1).min(10)));
        }
        let pauses: std::collections::HashSet<_> = (0..20).map(|_| RETRY.pause(6, 0)).collect();
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
        assert_eq!(
            Instant::now() + RETRY.slack,
            deadline,
            "the last pause should end at the deadline less the slack"
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

    #[test]
    fn the_ceiling_grows_by_the_factor_then_with_each_contended_call() {
        assert_eq!(RETRY.ceiling(1, 0), Duration::from_millis(100));
        assert_eq!(RETRY.ceiling(2, 0), Duration::from_millis(200));
        assert_eq!(RETRY.ceiling(30, 0), Duration::from_secs(2));
        assert_eq!(RETRY.ceiling(30, 1), Duration::from_secs(3));
        assert_eq!(RETRY.ceiling(30, 9), Duration::from_secs(3), "max_cap");
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_keeps_its_backoff_from_one_call_to_the_next() {
        let pace = Pace::default();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut failures = 3u32;
        let (first, _): (Result<(), Flaky>, u32) = RETRY
            .run_counted(&pace, deadline, || {
                let fail = failures > 0;
                failures = failures.saturating_sub(1);
                async move {
                    if fail {
                        Err(Flaky {
                            retryable: true,
                            attempts: None,
                        })
                    } else {
                        Ok(())
                    }
                }
            })
            .await;
        assert!(first.is_ok());
        assert_eq!(pace.retries(), 3);
        assert_eq!(pace.contended_calls(), 1);
        let (second, attempts): (Result<(), Flaky>, u32) = RETRY
            .run_counted(&pace, deadline, || async { Ok(()) })
            .await;
        assert_eq!(attempts, 1);
        assert!(second.is_ok());
        assert_eq!(pace.retries(), 3, "a call that needs no retry adds none");
        assert_eq!(pace.contended_calls(), 1);
    }
}
