//! The deadline guard's arithmetic: how long the resource may work so that the answer still
//! reaches CloudFormation before Lambda kills the invocation.
//!
//! Lambda gives each invocation an absolute deadline. The resource's work must stop `margin`
//! before it, leaving time to PUT the answer (with retries). The margin defaults to
//! [`DEFAULT_MARGIN`] and is set with `RESPONSE_MARGIN_MS`; it is never more than half of the
//! time left, so that a function with a short timeout still gets to do some work.

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

/// The margin from `RESPONSE_MARGIN_MS`, or the default when unset or not a number.
pub fn margin_from_env() -> Duration {
    std::env::var(MARGIN_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_MARGIN)
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

    /// Deadlines from the Lambda context's epoch-millisecond deadline, as of now.
    pub fn from_epoch_millis(deadline_ms: u64, margin: Duration) -> Self {
        let deadline = SystemTime::UNIX_EPOCH + Duration::from_millis(deadline_ms);
        Self::compute(deadline, (SystemTime::now(), Instant::now()), margin)
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
    fn a_past_deadline_leaves_no_work_time() {
        let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mono = Instant::now();
        let d = Deadlines::compute(wall - Duration::from_secs(1), (wall, mono), DEFAULT_MARGIN);
        assert_eq!(d.work, mono);
        assert_eq!(d.answer, mono);
    }
}
