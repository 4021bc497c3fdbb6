//! Log setup: tracing, text or JSON, and a hard floor that keeps secrets out at every level.
//!
//! The level comes from `AWS_LAMBDA_LOG_LEVEL` (Lambda's advanced logging controls), else
//! `RUST_LOG`, else `info`. JSON output when `AWS_LAMBDA_LOG_FORMAT=JSON`.
//!
//! Whatever the level, TRACE events from other crates are dropped: lambda_runtime logs the raw
//! event at TRACE, and the raw event holds the ResponseURL (a credential) and the `Password`
//! property. Our own code never logs the event, its properties or the full URL.

use tracing::{Level, Metadata};
use tracing_subscriber::filter::{filter_fn, EnvFilter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

const OWN_TARGET: &str = "connect_user_resource";

/// Whether an event may be logged at all, before the level filter is applied.
pub fn allowed(metadata: &Metadata<'_>) -> bool {
    *metadata.level() != Level::TRACE || metadata.target().starts_with(OWN_TARGET)
}

/// The level directive from the environment.
fn directive() -> String {
    std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .map(|v| v.to_ascii_lowercase())
        .unwrap_or_else(|_| "info".to_owned())
}

/// Installs the global subscriber. Safe to call more than once (later calls do nothing).
pub fn init() {
    let filter = EnvFilter::try_new(directive()).unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let output = if json {
        tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_target(true)
            .boxed()
    } else {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .without_time()
            .with_target(false)
            .boxed()
    };
    let _ = tracing_subscriber::registry()
        .with(output.with_filter(filter).with_filter(filter_fn(allowed)))
        .try_init();
}
