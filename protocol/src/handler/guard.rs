//! One resource operation in a task of its own, under a deadline: a panic or the deadline ends
//! it, and the caller words what that means for its answer. Shared by the operation itself
//! and by `return` mode's clean-up of a failed Create.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::time::Instant;
use tracing::Instrument;

/// How a guarded operation ended without its result.
pub(super) enum Cut {
    /// It panicked (or its task was cancelled): the detail, at most 300 characters.
    Panicked(String),
    /// The deadline came first; the task was aborted.
    TimedOut,
}

/// An operation to guard. Boxed: the handler's futures nest deep enough without it that
/// rustc's layout computation of `main`'s future overflows its depth limit.
pub(super) type Work<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Runs `work` in its own task until `deadline`. A task cut off there is aborted and given
/// `grace` to unwind (so that what it recorded at that very moment is seen).
pub(super) async fn guarded<T: Send + 'static>(
    work: Work<T>,
    deadline: Instant,
    grace: Duration,
) -> Result<T, Cut> {
    let mut task = tokio::spawn(work.in_current_span());
    match tokio::time::timeout_at(deadline, &mut task).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(join_error)) => Err(Cut::Panicked(match join_error.try_into_panic() {
            Ok(payload) => panic_message(payload.as_ref()),
            Err(_) => "the task was cancelled".to_owned(),
        })),
        Err(_) => {
            task.abort();
            if !grace.is_zero() {
                // Let the cancellation land (at the task's next await).
                let _ = tokio::time::timeout(grace, &mut task).await;
            }
            Err(Cut::TimedOut)
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    text.chars().take(300).collect()
}
