//! Full-jitter exponential backoff, shared by the answer PUT and the Connect calls.
//!
//! A random pause in `[0, min(cap, first · 2^attempt))`: when many invocations are throttled
//! at once (a stack with dozens of users), spreading their retries evenly is what lets them
//! all through a shared rate limit (see AWS's "Exponential Backoff And Jitter").

use std::time::Duration;

/// The pause before retry number `attempt` (1 for the first retry).
pub fn full_jitter(first: Duration, cap: Duration, attempt: u32) -> Duration {
    let ceiling = first.saturating_mul(1u32 << attempt.min(20)).min(cap);
    ceiling.mul_f64(fastrand::f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_are_jittered_and_capped() {
        let (first, cap) = (Duration::from_millis(100), Duration::from_secs(2));
        for attempt in 0..64 {
            let pause = full_jitter(first, cap, attempt);
            assert!(pause <= cap);
            assert!(pause <= first * 2u32.pow(attempt.min(10)));
        }
        let pauses: std::collections::HashSet<_> =
            (0..20).map(|_| full_jitter(first, cap, 6)).collect();
        assert!(pauses.len() > 1, "no jitter");
    }
}
