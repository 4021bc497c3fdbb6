//! The deadline guard's arithmetic: how long the resource may work so that the answer still
//! reaches CloudFormation before Lambda kills the invocation.
//!
//! Lambda gives each invocation an absolute deadline. The resource's work must stop `margin`
//! before it, leaving time to PUT the answer (with retries). The margin defaults to
//! [`DEFAULT_MARGIN`] and is set with `RESPONSE_MARGIN_MS`; it is never more than half of the
//! time left, so that a function with a short timeout still gets to do some work.
//!
//! A deadline more than a day in the past is not a deadline at all but a number that was never
//! a time: cargo-lambda's local Runtime API sends `Lambda-Runtime-Deadline-Ms: 600000` (ten
//! minutes after 1970), while real Lambda always sends a future epoch time. Such an invocation
//! works within [`DEFAULT_UNKNOWN_DEADLINE_BUDGET`] from its start (set with
//! `UNKNOWN_DEADLINE_BUDGET_MS`), margin included, instead of failing at once as "timed out";
//! a real deadline a few milliseconds past still leaves no time.

use std::time::{Duration, Instant, SystemTime};

/// Environment variable holding the margin in milliseconds.
pub const MARGIN_ENV: &str = "RESPONSE_MARGIN_MS";
/// Default time reserved for answering: enough for several PUT attempts to S3.
pub const DEFAULT_MARGIN: Duration = Duration::from_secs(5);
/// Time kept back from the Lambda deadline even for the PUT, to return to Lambda cleanly.
pub const RETURN_RESERVE: Duration = Duration::from_millis(250);

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
