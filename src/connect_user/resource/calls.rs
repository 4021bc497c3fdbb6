//! The per-request seam for Connect and Secrets Manager calls: the retry loop, the request's
//! shared backoff ([`Pace`]) and the deadline its work must end by, held once so that the
//! orchestration reads as the calls it makes. Every call of the resource goes through it, the
//! name lookups included.
//!
//! Two limits exist: the work deadline (retrying stops in time for the answer), and, for the
//! calls a Create cleans up after, the start of the clean-up reserve
//! ([`crate::protocol::deadline::before_cleanup`]), past which a call is cut off
//! ([`Calls::cut_off_at`], a typed [`ErrorKind::CutOff`]) and other work stops ([`within`]).

use std::future::Future;

use tokio::time::Instant;

use crate::connect_user::connect::{ApiError, ErrorKind};
use crate::protocol::resource::Context;
use crate::retry::{Pace, Retry, Transient};

/// The calls of one request.
#[derive(Clone, Copy)]
pub(super) struct Calls<'a> {
    retry: &'a Retry,
    pace: &'a Pace,
    deadline: Instant,
}

impl<'a> Calls<'a> {
    /// The calls of the request in `context`, until its work deadline.
    pub(super) fn new(retry: &'a Retry, context: &'a Context) -> Self {
        Self {
            retry,
            pace: &context.pace,
            deadline: context.work_deadline,
        }
    }

    /// The same calls, retried only until `deadline`.
    pub(super) fn until(self, deadline: Instant) -> Self {
        Self { deadline, ..self }
    }

    /// Runs `call` with retries until it succeeds, fails for good or the deadline leaves no
    /// time for another attempt.
    pub(super) async fn run<T, E, F, Fut>(self, call: F) -> Result<T, E>
    where
        E: Transient,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.counted(call).await.0
    }

    /// As [`Calls::run`], with the number of attempts made. The retry loop's future lives on
    /// the heap: each call site of the orchestration would otherwise hold it inline, and the
    /// deepest paths (a Create that adopts) outgrow a test thread's 2 MiB stack in debug builds.
    pub(super) async fn counted<T, E, F, Fut>(self, call: F) -> (Result<T, E>, u32)
    where
        E: Transient,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        Box::pin(self.retry.run_counted(self.pace, self.deadline, call)).await
    }

    /// Runs `call` with retries, all of it before `by`: a call still running then is cut off
    /// ([`ErrorKind::CutOff`]), so that the time after `by` stays free for cleaning up.
    pub(super) async fn cut_off_at<T, F, Fut>(
        self,
        by: Instant,
        operation: &'static str,
        call: F,
    ) -> Result<T, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        within(by, self.until(by).run(call))
            .await
            .unwrap_or_else(|| Err(ApiError::cut_off(operation)))
    }
}

/// `work`'s result, or `None` when `by` comes first (the work is dropped there).
pub(super) async fn within<T>(by: Instant, work: impl Future<Output = T>) -> Option<T> {
    tokio::time::timeout_at(by, work).await.ok()
}

impl ApiError {
    /// A call cut off where the clean-up reserve begins. Its code is `Timeout`, as FAILED
    /// reasons have always named it.
    pub fn cut_off(operation: &'static str) -> Self {
        ApiError {
            operation,
            code: "Timeout".into(),
            message: "no answer in the time kept free for cleaning up".into(),
            kind: ErrorKind::CutOff,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::protocol::deadline::CALL_RETRY;

    fn throttled() -> ApiError {
        ApiError {
            operation: "DescribeUser",
            code: "ThrottlingException".into(),
            message: "Rate exceeded".into(),
            kind: ErrorKind::Retryable,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn counted_tells_the_attempts_and_cut_off_at_is_typed() {
        let pace = Pace::default();
        let calls = Calls {
            retry: &CALL_RETRY,
            pace: &pace,
            deadline: Instant::now() + Duration::from_secs(60),
        };
        let mut left = 2;
        let (result, attempts) = calls
            .counted(|| {
                left -= 1;
                let answer = if left >= 0 { Err(throttled()) } else { Ok(7) };
                async move { answer }
            })
            .await;
        assert_eq!((result, attempts), (Ok(7), 3));
        assert_eq!(pace.retries(), 2);

        // A call that never answers is cut off at `by`, typed, with the code FAILED reasons name.
        let by = Instant::now() + Duration::from_secs(5);
        let cut: Result<(), ApiError> = calls
            .cut_off_at(by, "CreateUser", std::future::pending)
            .await;
        let error = cut.expect_err("cut off");
        assert_eq!(error.kind, ErrorKind::CutOff);
        assert_eq!(
            error.to_string(),
            "CreateUser: Timeout: no answer in the time kept free for cleaning up"
        );
        assert_eq!(Instant::now(), by);
        // Past `by`, work that is not ready is dropped; work that is ready still counts
        // (tokio's timeout polls the work first).
        assert_eq!(within(by, std::future::pending::<()>()).await, None);
        assert_eq!(within(by, async { 1 }).await, Some(1));
    }
}
