//! The deadline budget: every reserve of an invocation's time, stated in this one place.
//!
//! Lambda gives each invocation an absolute deadline, and CloudFormation waits up to an hour
//! for an answer that never comes; so the answer must be PUT before Lambda kills the process,
//! whatever the resource is doing. Seen from the start of an invocation, the time is spent so:
//!
//! ```text
//! start                                     work            answer   Lambda deadline
//!   |-- resource: Connect calls, retries ----|-- PUT, retries --|-- return --|
//!   |            ...create steps | clean-up  |   (margin)       | (reserve)  |
//!   |                   before_cleanup()     |                  |            |
//! ```
//!
//! - [`RETURN_RESERVE`] (250 ms, at most a tenth of the time left): kept back from Lambda's
//!   deadline even for the PUT, to return to Lambda cleanly. What is left is the **answer**
//!   deadline, by which the last PUT attempt must have finished.
//! - The **margin** ([`DEFAULT_MARGIN`], `RESPONSE_MARGIN_MS`; at most half of the time left,
//!   so a short timeout still gets work done): the PUT's time. What is left is the **work**
//!   deadline, at which the deadline guard cuts the resource off and answers FAILED
//!   ("timed out"); a cut-off operation gets [`CANCEL_GRACE`] to unwind.
//!   In `return` mode (no PUT) the margin is where a failed Create's clean-up runs.
//! - [`CLEANUP_RESERVE`] (3 s, at most a third of the work time left): a Create's steps after
//!   which the user it made may have to be deleted again end this long before the work
//!   deadline ([`before_cleanup`]), so that the clean-up `DeleteUser` still fits.
//! - Every call inside those windows retries ([`crate::retry`]) only while its next pause plus
//!   a slack ([`CALL_RETRY`], [`PUT_RETRY`]) fits before its window's end, and each attempt
//!   is abandoned after [`CALL_ATTEMPT_TIMEOUT`] / [`PUT_ATTEMPT_TIMEOUT`], so one hung
//!   connection never eats the window.
//!
//! A deadline more than a day in the past is not a deadline at all but a number that was never
//! a time: cargo-lambda's local Runtime API sends `Lambda-Runtime-Deadline-Ms: 600000` (ten
//! minutes after 1970), while real Lambda always sends a future epoch time. Such an invocation
//! works within [`DEFAULT_UNKNOWN_DEADLINE_BUDGET`] from its start (set with
//! `UNKNOWN_DEADLINE_BUDGET_MS`), margin included, instead of failing at once as "timed out";
//! a real deadline a few milliseconds past still leaves no time.
//!
//! Instants are tokio's ([`tokio::time::Instant`]), so that tests with a paused clock move them.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::retry::Retry;

/// Environment variable holding the margin in milliseconds.
pub const MARGIN_ENV: &str = "RESPONSE_MARGIN_MS";
/// Default time reserved for answering: enough for several PUT attempts to S3.
pub const DEFAULT_MARGIN: Duration = Duration::from_secs(5);
/// Time kept back from the Lambda deadline even for the PUT, to return to Lambda cleanly.
pub const RETURN_RESERVE: Duration = Duration::from_millis(250);
/// How long a cut-off operation is given to unwind after it is aborted.
pub const CANCEL_GRACE: Duration = Duration::from_millis(50);
/// Time a Create keeps free before the work deadline to delete the user it made.
pub const CLEANUP_RESERVE: Duration = Duration::from_secs(3);
/// Backoff of every AWS API call (Connect, Secrets Manager). Connect's quota is 2
/// requests/second with a burst of 5 (Amazon Connect Administrator Guide, "Amazon Connect
/// service quotas", API throttling quotas), and CloudFormation runs up to 500 custom resources
/// of one stack at once, each in its own invocation, all throttled by that one quota: the
/// pauses ramp up fast (2 s, then ×4) to a cap of 36 s, which grows 20 % per call the request
/// already made under contention, to at most 90 s. Chosen from the herd measurements in
/// docs/performance.md (at 500 users: ≤ 10 throttled calls per served call, each phase within
/// 1.15 × the rate bound, and other clients of the account's Connect API keep a share of it);
/// the slack leaves the last attempt time to run.
pub const CALL_RETRY: Retry = Retry {
    first: Duration::from_secs(2),
    growth: 4,
    cap: Duration::from_secs(36),
    cap_growth: 0.2,
    max_cap: Duration::from_secs(90),
    slack: Duration::from_millis(500),
};
/// Environment variable: the ceiling of the first pause of [`CALL_RETRY`], in milliseconds.
pub const RETRY_FIRST_ENV: &str = "RETRY_FIRST_MS";
/// Environment variable: the cap of [`CALL_RETRY`]'s pauses, in milliseconds (its `max_cap`
/// keeps the same proportion, 2.5 × the cap).
pub const RETRY_CAP_ENV: &str = "RETRY_CAP_MS";

/// [`CALL_RETRY`] with `RETRY_FIRST_MS` and `RETRY_CAP_MS` where they are set: a function
/// that serves few users at a time (or a test) retries sooner; one that shares Connect with
/// busy integrations backs off further. Values that are not whole numbers above 0 are ignored.
pub fn call_retry_from_env() -> Retry {
    let millis = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis)
    };
    let mut retry = CALL_RETRY;
    if let Some(first) = millis(RETRY_FIRST_ENV) {
        retry.first = first;
    }
    if let Some(cap) = millis(RETRY_CAP_ENV) {
        retry.cap = cap;
        retry.max_cap = cap.mul_f64(2.5);
    }
    retry
}

/// Backoff of the answer PUT: S3 recovers fast, and the margin is short.
pub const PUT_RETRY: Retry = Retry {
    first: Duration::from_millis(100),
    growth: 2,
    cap: Duration::from_secs(2),
    cap_growth: 0.0,
    max_cap: Duration::from_secs(2),
    slack: Duration::ZERO,
};
/// The least time kept for answering when CloudFormation's wait is (thought to be) over.
pub const MIN_ANSWER_TIME: Duration = Duration::from_secs(2);
/// Per-attempt timeout of an AWS API call: a hung connection is abandoned and retried.
pub const CALL_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Per-attempt timeout of the answer PUT (never more than the time left).
pub const PUT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time to open a connection, for the SDK clients and the answer PUT alike.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// When a Create's steps after which the user may need deleting again must be done: the work
/// deadline less [`CLEANUP_RESERVE`], or less a third of the time left when that is less.
pub fn before_cleanup(work_deadline: Instant) -> Instant {
    let left = work_deadline.saturating_duration_since(Instant::now());
    work_deadline
        .checked_sub(CLEANUP_RESERVE.min(left / 3))
        .unwrap_or(work_deadline)
}

/// The two instants that matter for one invocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// When the resource's work is cut off and FAILED ("timed out") is sent instead.
    pub work: Instant,
    /// When the last PUT attempt must have finished.
    pub answer: Instant,
}

/// Environment variable holding the budget for an invocation whose deadline is unknown, in
/// milliseconds.
pub const UNKNOWN_DEADLINE_BUDGET_ENV: &str = "UNKNOWN_DEADLINE_BUDGET_MS";
/// The budget for an invocation whose deadline is unknown: as long as the template's function
/// timeout.
pub const DEFAULT_UNKNOWN_DEADLINE_BUDGET: Duration = Duration::from_secs(300);
/// How far in the past a deadline must be to be taken for a number that was never a time.
pub const NOT_A_TIME: Duration = Duration::from_secs(24 * 60 * 60);

/// What the deadline arithmetic needs to know besides the deadline itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Time reserved for answering.
    pub margin: Duration,
    /// The whole time an invocation with an unknown deadline gets, margin included.
    pub unknown_deadline: Duration,
}

impl Budget {
    /// `RESPONSE_MARGIN_MS` and `UNKNOWN_DEADLINE_BUDGET_MS`, or their defaults when unset or
    /// not a number.
    pub fn from_env() -> Self {
        let millis = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_millis)
        };
        Self {
            margin: millis(MARGIN_ENV).unwrap_or(DEFAULT_MARGIN),
            unknown_deadline: millis(UNKNOWN_DEADLINE_BUDGET_ENV)
                .unwrap_or(DEFAULT_UNKNOWN_DEADLINE_BUDGET),
        }
    }

    /// The given margin, and the default budget for unknown deadlines.
    pub fn with_margin(margin: Duration) -> Self {
        Self {
            margin,
            unknown_deadline: DEFAULT_UNKNOWN_DEADLINE_BUDGET,
        }
    }
}

/// The Lambda deadline of one invocation, as far as it can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LambdaDeadline {
    /// A real point in time (possibly just past).
    At(SystemTime),
    /// More than [`NOT_A_TIME`] in the past: never a time at all.
    Unknown,
}

impl LambdaDeadline {
    /// Reads an epoch-millisecond deadline, as seen at `now`.
    pub fn from_epoch_millis(deadline_ms: u64, now: SystemTime) -> Self {
        let deadline = SystemTime::UNIX_EPOCH + Duration::from_millis(deadline_ms);
        match now.duration_since(deadline) {
            Ok(past) if past > NOT_A_TIME => LambdaDeadline::Unknown,
            _ => LambdaDeadline::At(deadline),
        }
    }
}

impl Deadlines {
    /// Deadlines for an invocation whose Lambda deadline is `lambda_deadline`, seen at `now`.
    pub fn compute(
        lambda_deadline: SystemTime,
        now: (SystemTime, Instant),
        margin: Duration,
    ) -> Self {
        let (wall_now, mono_now) = now;
        let left = lambda_deadline
            .duration_since(wall_now)
            .unwrap_or(Duration::ZERO);
        let answer_left = left.saturating_sub(RETURN_RESERVE.min(left / 10));
        let margin = margin.min(answer_left / 2);
        Self {
            work: mono_now + answer_left.saturating_sub(margin),
            answer: mono_now + answer_left,
        }
    }

    /// These deadlines, ended no later than `end` less the margin `answer - work` (when
    /// CloudFormation stops waiting, say): the answer must reach it before then.
    /// The answer keeps at least [`MIN_ANSWER_TIME`] (when Lambda's deadline allows): the end of
    /// CloudFormation's wait is an estimate, and a late answer costs nothing.
    pub fn ending_by(self, end: Instant) -> Self {
        let end = end.max(Instant::now() + MIN_ANSWER_TIME);
        if end >= self.answer {
            return self;
        }
        let margin = self.answer - self.work;
        Self {
            work: end.checked_sub(margin).unwrap_or(end).min(self.work),
            answer: end,
        }
    }

    /// Deadlines for `deadline` under `budget`, seen at `now`: an unknown deadline is taken
    /// as `budget.unknown_deadline` from now.
    pub fn for_lambda(
        deadline: LambdaDeadline,
        now: (SystemTime, Instant),
        budget: Budget,
    ) -> Self {
        let deadline = match deadline {
            LambdaDeadline::At(at) => at,
            LambdaDeadline::Unknown => now.0 + budget.unknown_deadline,
        };
        Self::compute(deadline, now, budget.margin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(left: Duration, margin: Duration) -> (Deadlines, Instant) {
        let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mono = Instant::now();
        (Deadlines::compute(wall + left, (wall, mono), margin), mono)
    }

    #[test]
    fn work_stops_a_margin_before_the_answer() {
        let (d, now) = at(Duration::from_secs(60), Duration::from_secs(5));
        assert_eq!(d.answer - now, Duration::from_millis(59_750));
        assert_eq!(d.answer - d.work, Duration::from_secs(5));
    }

    #[test]
    fn margin_is_at_most_half_the_time_left() {
        let (d, now) = at(Duration::from_secs(4), Duration::from_secs(5));
        let answer_left = d.answer - now;
        assert_eq!(d.answer - d.work, answer_left / 2);
    }

    #[test]
    fn a_deadline_over_a_day_past_is_unknown_and_gets_the_budget() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        // What cargo-lambda sends: 600000, ten minutes after 1970.
        assert_eq!(
            LambdaDeadline::from_epoch_millis(600_000, now),
            LambdaDeadline::Unknown
        );
        let mono = Instant::now();
        let budget = Budget {
            margin: Duration::from_secs(5),
            unknown_deadline: Duration::from_secs(60),
        };
        let d = Deadlines::for_lambda(LambdaDeadline::Unknown, (now, mono), budget);
        assert_eq!(d.answer - mono, Duration::from_millis(59_750));
        assert_eq!(d.answer - d.work, Duration::from_secs(5));
    }

    #[test]
    fn a_real_deadline_just_past_still_leaves_no_time() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        for past in [Duration::from_millis(5), Duration::from_secs(23 * 60 * 60)] {
            let ms = (now - past)
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_millis() as u64;
            let deadline = LambdaDeadline::from_epoch_millis(ms, now);
            assert!(matches!(deadline, LambdaDeadline::At(_)), "{past:?}");
            let mono = Instant::now();
            let d =
                Deadlines::for_lambda(deadline, (now, mono), Budget::with_margin(DEFAULT_MARGIN));
            assert_eq!(d.work, mono);
            assert_eq!(d.answer, mono);
        }
    }

    #[test]
    fn a_past_deadline_leaves_no_work_time() {
        let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mono = Instant::now();
        let d = Deadlines::compute(wall - Duration::from_secs(1), (wall, mono), DEFAULT_MARGIN);
        assert_eq!(d.work, mono);
        assert_eq!(d.answer, mono);
    }
}
