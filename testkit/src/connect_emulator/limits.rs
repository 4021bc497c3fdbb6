//! Traffic control for the emulator: Connect's token-bucket throttle, and injected faults.

use std::time::Duration;

// tokio's clock, not `std::time::Instant`: a test that pauses and advances tokio's time sees the
// bucket refill with it (outside a paused runtime the two read the same clock).
use tokio::time::Instant;

/// A token bucket: `rate` tokens per second, holding at most `burst`.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    refilled: Instant,
}

impl TokenBucket {
    pub fn new(rate: f64, burst: u32) -> Self {
        Self {
            rate,
            burst: burst as f64,
            tokens: burst as f64,
            refilled: Instant::now(),
        }
    }

    /// Takes a token if there is one.
    pub fn try_take(&mut self) -> bool {
        let now = Instant::now();
        let earned = now.duration_since(self.refilled).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + earned).min(self.burst);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// What an injected fault does to one call.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Answer with this status and `x-amzn-ErrorType` code.
    Error { status: u16, code: &'static str },
    /// Answer this bare HTTP status (a 502, 503 or 504, say) with an HTML body and no
    /// `x-amzn-ErrorType`, as a gateway or load balancer in front of the service does.
    Bare(u16),
    /// Hold the call this long before serving it.
    Delay(Duration),
    /// Close the connection without an answer.
    Reset,
    /// Serve the call, then hold the answer this long: the change is made but the caller
    /// never hears of it (an answer lost on the way back).
    Late(Duration),
    /// Serve the call, then close the connection without the answer: the work is done and the
    /// caller sees a broken connection (and retries).
    Dropped,
}

impl Fault {
    pub fn throttle() -> Self {
        Fault::Error {
            status: 429,
            code: "ThrottlingException",
        }
    }

    pub fn internal() -> Self {
        Fault::Error {
            status: 500,
            code: "InternalServiceException",
        }
    }
}
