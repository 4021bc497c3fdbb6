//! The `return` mode: the CDK Provider framework invokes the function and answers
//! CloudFormation itself from the invocation's result, so nothing is PUT here.
//!
//! The run is the same as in `put` mode (parsing, the deadline guard, panics, the physical-id
//! checks); only the ending differs:
//! - success: the result `{"PhysicalResourceId": …, "Data": {…}}`, which the framework PUTs as
//!   SUCCESS (aws-cdk `provider-framework/runtime/framework.ts`, `createResponseEvent`: the
//!   result is merged into the event, so it holds nothing else);
//! - failure: an invocation error whose `errorMessage` is the reason, capped
//!   ([`returned_reason`]); the framework PUTs FAILED with it, answering a failed Create with
//!   its own marker id (`cfn-response.ts`, `safeHandler`);
//! - a Create that made its resource and then failed: the framework never sends a Delete for
//!   its marker, so the resource is deleted here, through [`Resource::delete`], before the
//!   error; if that fails, the error names what to remove. The clean-up runs after the work
//!   deadline, in the time `put` mode keeps for its PUT (the margin of [`Deadlines`]), and is
//!   cut off at the answer deadline.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::guard::{guarded, Cut};
use super::{FailedRun, Handler, InvocationError};
use crate::continuation::Carried;
use crate::deadline::Deadlines;
use crate::event::{Envelope, Properties, Request, RequestIdentity};
use crate::mode::{cap_reason, returned_reason, MAX_RETURNED_REASON_BYTES};
use crate::resource::{Context, FailedCreateCleanup, Outcome, Progress, Resource};
use crate::response::{Answer, Status};

impl<R: Resource> Handler<R> {
    /// Runs the event and answers by the invocation's result or error.
    pub(super) async fn return_answer(
        &self,
        raw: Value,
        envelope: &Envelope,
        deadlines: Deadlines,
    ) -> Result<Value, InvocationError> {
        let request =
            Request::parse_without_response_url(&raw).map_err(|error| failed(error.to_string()))?;
        let identity = request.identity.clone();
        let properties = request.properties.clone();
        match self
            .run_request(request, deadlines, &Carried::default())
            .await
        {
            Ok(outcome) => succeeded(envelope, outcome),
            Err(FailedRun {
                reason,
                resumable,
                carried: Carried { made: None, .. },
            }) => Err(failed(with_return_limit(reason, resumable))),
            Err(FailedRun {
                reason,
                resumable,
                carried: Carried { made: Some(id), .. },
            }) => {
                let reason = with_return_limit(reason, resumable);
                let cleaned = self.clean_up(identity, &id, properties, deadlines).await;
                Err(failed(after_clean_up(&reason, &id, cleaned)))
            }
        }
    }

    /// Deletes what a failed Create made, before the answer deadline. `Err` says why not.
    async fn clean_up(
        &self,
        identity: RequestIdentity,
        physical_id: &str,
        properties: Properties,
        deadlines: Deadlines,
    ) -> Result<(), String> {
        tracing::warn!(physical_resource_id = %physical_id, "the failed Create made a resource it did not remove, and the Provider framework never sends a Delete for a failed Create: deleting it now");
        let context = Context {
            identity,
            work_deadline: deadlines.answer,
            progress: Progress::default(),
            failed_create_cleanup: FailedCreateCleanup::DeletedHere,
            pace: Default::default(),
        };
        let resource = Arc::clone(&self.resource);
        let id = physical_id.to_owned();
        let work = Box::pin(async move { resource.delete(context, id, properties).await });
        let outcome = match guarded(work, deadlines.answer, Duration::ZERO).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(error.reason),
            Err(Cut::Panicked(_)) => Err("internal error: the clean-up panicked".to_owned()),
            Err(Cut::TimedOut) => Err("no time was left before the function's deadline".to_owned()),
        };
        match &outcome {
            Ok(()) => {
                tracing::info!(physical_resource_id = %physical_id, "the failed Create's resource was deleted again")
            }
            Err(why) => {
                tracing::error!(physical_resource_id = %physical_id, error = %why, "the failed Create's resource could not be deleted again: it is left behind")
            }
        }
        outcome
    }
}

/// The result of a success, or the error it becomes when its `Data` cannot fit in the body
/// the framework builds from it (the same 4096-byte limit as a PUT answer).
fn succeeded(envelope: &Envelope, outcome: Outcome) -> Result<Value, InvocationError> {
    let answer = Answer::success(envelope, outcome.physical_id, outcome.data).fitted();
    if answer.status == Status::Failed {
        return Err(failed(answer.reason.unwrap_or_default()));
    }
    tracing::info!(physical_resource_id = %answer.physical_resource_id, "SUCCESS (returned to the caller)");
    Ok(json!({
        "PhysicalResourceId": answer.physical_resource_id,
        "Data": answer.data,
    }))
}

/// The reason of a failed Create after its clean-up, with what became of the resource; the
/// resource's own reason is cut first, so that the clean-up's outcome always fits.
fn after_clean_up(reason: &str, physical_id: &str, cleaned: Result<(), String>) -> String {
    let note = match cleaned {
        Ok(()) => format!("RESPONSE_MODE=return: this function deleted what the Create had made ({physical_id}) before failing, so nothing is left behind"),
        Err(why) => format!("RESPONSE_MODE=return: deleting what the Create had made failed too ({}), so it is left behind and nothing will delete it: remove {physical_id} by hand", cap_reason(&why, 600)),
    };
    let room = MAX_RETURNED_REASON_BYTES.saturating_sub(note.len() + 2);
    format!("{}; {note}", cap_reason(reason, room))
}

/// A reason that, when only time ran out, says why the work did not go on in another
/// invocation: the Provider framework gives every `isComplete` poll the same input and words
/// every failure there "Operation timed out", so this mode does all its work in one
/// invocation (docs/performance.md, "Return mode").
fn with_return_limit(reason: String, resumable: bool) -> String {
    if !resumable {
        return reason;
    }
    format!("{reason}; RESPONSE_MODE=return does all of an event's work in one invocation (at most 15 minutes): raise the function's timeout, deploy fewer users at once, or use RESPONSE_MODE=put, where the work goes on in further invocations")
}

/// A failure as the invocation's error, logged.
fn failed(reason: String) -> InvocationError {
    let message = returned_reason(&reason);
    tracing::warn!(reason = %message, "FAILED (returned to the caller as the invocation's error)");
    InvocationError::Reason(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clean_up_outcome_survives_a_long_reason() {
        let id = "instance:user";
        let long = "r".repeat(10_000);
        for cleaned in [Ok(()), Err("AccessDenied".to_owned())] {
            let message = returned_reason(&after_clean_up(&long, id, cleaned.clone()));
            assert!(
                message.len() <= MAX_RETURNED_REASON_BYTES,
                "{}",
                message.len()
            );
            assert!(message.starts_with("rrr"), "{message}");
            match cleaned {
                Ok(()) => assert!(message.ends_with("so nothing is left behind"), "{message}"),
                Err(_) => {
                    assert!(message.contains("(AccessDenied)"), "{message}");
                    assert!(
                        message.ends_with(&format!("remove {id} by hand")),
                        "{message}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_short_reason_is_kept_whole() {
        let message = after_clean_up("CreateUser failed", "i:u", Ok(()));
        assert!(
            message.starts_with("CreateUser failed; RESPONSE_MODE=return"),
            "{message}"
        );
    }

    #[test]
    fn a_success_returns_only_the_id_and_data() {
        let envelope = Envelope {
            request_id: "r".into(),
            ..Envelope::default()
        };
        let data = [("Arn".to_owned(), "arn:x".to_owned())]
            .into_iter()
            .collect();
        let result = succeeded(
            &envelope,
            Outcome {
                physical_id: "i:u".into(),
                data,
            },
        )
        .unwrap();
        assert_eq!(
            result,
            json!({"PhysicalResourceId": "i:u", "Data": {"Arn": "arn:x"}})
        );
        let huge = [("Big".to_owned(), "v".repeat(5_000))]
            .into_iter()
            .collect();
        let error = succeeded(
            &envelope,
            Outcome {
                physical_id: "i:u".into(),
                data: huge,
            },
        )
        .unwrap_err();
        assert!(error.to_string().contains("4096"), "{error}");
    }
}
