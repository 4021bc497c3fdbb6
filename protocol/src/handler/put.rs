//! The `put` mode: the answer PUT to the event's ResponseURL, and a short summary as the
//! invocation's result.

use std::time::{Duration, SystemTime};

use serde_json::{json, Value};
use tokio::time::Instant;

use super::{Chain, FailedRun, Handler};
use crate::continuation::{Carried, Stop, ASYNC_PAYLOAD_LIMIT};
use crate::deadline::Deadlines;
use crate::event::{Envelope, Operation, Request};
use crate::physical_id::failed_create_marker;
use crate::resource::Resource;
use crate::responder::SendError;
use crate::response::{Answer, Status};

impl<R: Resource> Handler<R> {
    /// The `put` mode: the answer (or `refusal`, when the event must fail unheard) PUT to the
    /// ResponseURL, and a summary as the invocation's result.
    pub(super) async fn put_answer(
        &self,
        raw: Value,
        envelope: Envelope,
        deadlines: Deadlines,
        chain: &Chain,
        refusal: Option<String>,
    ) -> Result<Value, SendError> {
        let url = match envelope
            .response_url
            .as_deref()
            .map(|u| self.policy.check(u))
        {
            Some(Ok(url)) => url,
            problem => {
                let reason = match (problem, refusal) {
                    (Some(Err(refused)), _) => refused.to_string(),
                    (_, Some(refusal)) => refusal,
                    _ => "the event has no ResponseURL".to_owned(),
                };
                tracing::error!(reason = %reason, "cannot answer CloudFormation; nothing was done");
                return Ok(json!({ "Status": "FAILED", "Reason": reason, "Delivered": false }));
            }
        };
        let answer = match refusal {
            Some(reason) => Answer::failed(&envelope, fallback_id(&envelope), reason),
            None => match self.answer(&raw, &envelope, deadlines, chain).await {
                Step::Answer(answer) => answer,
                Step::Continued(invocation) => {
                    tracing::info!(
                        invocation,
                        "the work goes on in another invocation of this function, which answers CloudFormation"
                    );
                    return Ok(json!({ "Status": "CONTINUED", "Invocation": invocation }));
                }
                Step::Redeliver(why) => {
                    tracing::error!(error = %why, "the continuation's Invoke got no clear answer; asking Lambda to deliver this invocation again");
                    return Err(SendError::Unsure(why));
                }
            },
        };
        // As it will be sent: a SUCCESS whose Data cannot fit is sent, logged and summed up
        // as the FAILED it becomes.
        let answer = answer.fitted();
        log_answer(&answer);
        let summary = json!({
            "Status": match answer.status { Status::Success => "SUCCESS", Status::Failed => "FAILED" },
            "Reason": answer.reason,
            "PhysicalResourceId": answer.physical_resource_id,
        });
        match self
            .responder
            .send(&url, answer.serialize(), deadlines.answer)
            .await
        {
            Ok(_) => Ok(with_delivered(summary, true)),
            Err(error) if error.is_retryable() => {
                tracing::error!(error = %error, "CloudFormation did not get the answer; asking Lambda to redeliver");
                Err(error)
            }
            Err(error) => {
                tracing::error!(error = %error, "CloudFormation refused the answer");
                Ok(with_delivered(summary, false))
            }
        }
    }

    /// The answer to PUT, computed under the deadline guard, or the invocation the work went
    /// on in.
    async fn answer(
        &self,
        raw: &Value,
        envelope: &Envelope,
        deadlines: Deadlines,
        chain: &Chain,
    ) -> Step {
        let request = match Request::parse(raw) {
            Ok(request) => request,
            Err(error) => {
                return Step::Answer(Answer::failed(
                    envelope,
                    fallback_id(envelope),
                    error.to_string(),
                ))
            }
        };
        // A failed Create answers with a marker; a failed Update or Delete echoes its id.
        let failure_id = match &request.operation {
            Operation::Create => failed_create_marker(&request.identity.request_id),
            Operation::Update { physical_id, .. } | Operation::Delete { physical_id } => {
                physical_id.clone()
            }
        };
        let failed = match self
            .run_request(request, deadlines, &chain.continuation.carried)
            .await
        {
            Ok(outcome) => {
                return Step::Answer(Answer::success(envelope, outcome.physical_id, outcome.data))
            }
            Err(failed) => failed,
        };
        let FailedRun {
            mut reason,
            resumable,
            carried,
        } = failed;
        let made = carried.made.clone();
        if resumable {
            match self.continue_request(raw, chain, carried, deadlines).await {
                Ok(invocation) => return Step::Continued(invocation),
                Err(Stop::Unsure(why)) => return Step::Redeliver(why),
                Err(stop) => {
                    tracing::warn!(reason = %stop, "the work cannot go on in another invocation");
                    reason =
                        format!("{reason}; the work could not go on in another invocation: {stop}");
                }
            }
        }
        Step::Answer(match made {
            // A Create that made something before failing names it, so that the rollback
            // Delete removes it.
            Some(id) => {
                tracing::warn!(physical_resource_id = %id, "the failed Create made a resource it did not remove; answering with its id so that CloudFormation's rollback Delete removes it");
                Answer::failed(envelope, id, reason)
            }
            None => Answer::failed(envelope, failure_id, reason),
        })
    }
}

/// Where the run of one event ends in `put` mode.
enum Step {
    /// Answer CloudFormation with this.
    Answer(Answer),
    /// The work went on in this invocation of the request's chain, which answers.
    Continued(u32),
    /// Whether the work went on is unclear: Lambda is asked to deliver this invocation again
    /// (it reruns the request, which is idempotent) rather than risk a second answer.
    Redeliver(String),
}

/// The physical id of a FAILED answer to an event that was never run: the event's own, or a
/// failed Create's marker.
fn fallback_id(envelope: &Envelope) -> String {
    envelope
        .physical_resource_id
        .clone()
        .unwrap_or_else(|| failed_create_marker(&envelope.request_id))
}

fn log_answer(answer: &Answer) {
    match answer.status {
        Status::Success => {
            tracing::info!(physical_resource_id = %answer.physical_resource_id, "SUCCESS")
        }
        Status::Failed => tracing::warn!(
            physical_resource_id = %answer.physical_resource_id,
            reason = answer.reason.as_deref().unwrap_or_default(),
            "FAILED"
        ),
    }
}

fn with_delivered(mut summary: Value, delivered: bool) -> Value {
    summary["Delivered"] = Value::Bool(delivered);
    summary
}

impl<R: Resource> Handler<R> {
    /// Hands the request to another invocation of this function, carrying `carried`; returns the
    /// new invocation's number, or why the request cannot go on. Spends at most half the time
    /// left before the answer deadline, so that a FAILED answer still fits after it.
    async fn continue_request(
        &self,
        event: &Value,
        chain: &Chain,
        carried: Carried,
        deadlines: Deadlines,
    ) -> Result<u32, Stop> {
        let invoker = self.self_invoke.as_ref().ok_or(Stop::Off)?;
        if chain.function_arn.is_empty() {
            return Err(Stop::NoFunctionArn);
        }
        let next = chain.continuation.next(carried, SystemTime::now())?;
        let payload = serde_json::to_vec(&next.wrap(event))
            .map_err(|error| Stop::InvokeFailed(error.to_string()))?;
        if payload.len() > ASYNC_PAYLOAD_LIMIT {
            return Err(Stop::TooLarge(payload.len()));
        }
        let now = Instant::now();
        let by = now + deadlines.answer.saturating_duration_since(now) / 2;
        // An unclear answer is tried again while there is time: sending twice is safe (a
        // request is idempotent), answering FAILED while Lambda may have queued it is not.
        let mut last = String::from("no answer in the time left before the function's deadline");
        while Instant::now() < by {
            let invoked = invoker.invoke_async(&chain.function_arn, payload.clone());
            match tokio::time::timeout_at(by, invoked).await {
                Ok(Ok(())) => return Ok(next.invocation),
                Ok(Err(error)) if error.definite => return Err(Stop::InvokeFailed(error.message)),
                Ok(Err(error)) => last = error.message,
                Err(_) => break,
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err(Stop::Unsure(last))
    }
}
