//! One event, start to finish: parse, guard, run the resource, answer.
//!
//! Every path ends in exactly one answer to CloudFormation when the event carries a usable
//! ResponseURL: a bad event, a resource error, a panic, or time running out all become FAILED
//! with a reason. The work runs in its own task under [`Deadlines::work`], so a slow or stuck
//! resource is cut off while there is still time to PUT the answer.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use serde_json::{json, Value};
use tracing::Instrument;

use super::deadline::{
    Budget, Deadlines, LambdaDeadline, CANCEL_GRACE, UNKNOWN_DEADLINE_BUDGET_ENV,
};
use super::event::{Envelope, Operation, Request};
use super::physical_id::{failed_create_marker, is_failed_create_marker, MAX_PHYSICAL_ID_BYTES};
use super::resource::{Context, Outcome, Progress, Resource, ResourceError};
use super::responder::{Responder, SendError};
use super::response::{Answer, Status};
use super::response_url::UrlPolicy;

/// The protocol handler around one resource implementation. Built once per process.
pub struct Handler<R> {
    resource: Arc<R>,
    responder: Responder,
    policy: UrlPolicy,
    budget: Budget,
    /// Whether an unknown deadline was already warned about: once per process is enough.
    warned_unknown_deadline: AtomicBool,
}

impl<R: Resource> Handler<R> {
    /// A handler configured from the environment (URL policy and deadline budget).
    pub fn from_env(resource: R) -> Self {
        Self::with_budget(resource, UrlPolicy::from_env(), Budget::from_env())
    }

    /// A handler that keeps `margin` for answering.
    pub fn new(resource: R, policy: UrlPolicy, margin: Duration) -> Self {
        Self::with_budget(resource, policy, Budget::with_margin(margin))
    }

    pub fn with_budget(resource: R, policy: UrlPolicy, budget: Budget) -> Self {
        Self {
            resource: Arc::new(resource),
            responder: Responder::new(),
            policy,
            budget,
            warned_unknown_deadline: AtomicBool::new(false),
        }
    }

    /// The deadlines of an invocation whose Lambda deadline is `deadline_ms`.
    fn deadlines(&self, deadline_ms: u64) -> Deadlines {
        let now = (SystemTime::now(), Instant::now());
        let deadline = LambdaDeadline::from_epoch_millis(deadline_ms, now.0);
        if deadline == LambdaDeadline::Unknown
            && !self.warned_unknown_deadline.swap(true, Ordering::Relaxed)
        {
            tracing::warn!(
                deadline_ms,
                budget_ms = self.budget.unknown_deadline.as_millis() as u64,
                "the invocation's deadline is more than a day in the past, so it is no time at all (a local Runtime API such as cargo-lambda's sends a fixed number): working within the budget for unknown deadlines instead; set {UNKNOWN_DEADLINE_BUDGET_ENV} to change it"
            );
        }
        Deadlines::for_lambda(deadline, now, self.budget)
    }

    /// Handles one raw event whose Lambda deadline is `deadline_ms` (epoch milliseconds).
    ///
    /// Returns `Ok` with a short summary once CloudFormation has its answer, or when no answer
    /// can ever be given (no usable ResponseURL, or the URL refused it for good). Returns `Err`
    /// only when the PUT kept failing in ways that may pass, so that Lambda's redelivery gets
    /// another chance to answer; resources are idempotent per request, so that is safe.
    pub async fn handle(&self, raw: Value, deadline_ms: u64) -> Result<Value, SendError> {
        let deadlines = self.deadlines(deadline_ms);
        let envelope = Envelope::read(&raw);
        let span = tracing::info_span!(
            "event",
            request_type = %envelope.request_type,
            stack_id = %envelope.stack_id,
            request_id = %envelope.request_id,
            logical_resource_id = %envelope.logical_resource_id,
        );
        self.handle_in_span(raw, envelope, deadlines)
            .instrument(span)
            .await
    }

    async fn handle_in_span(
        &self,
        raw: Value,
        envelope: Envelope,
        deadlines: Deadlines,
    ) -> Result<Value, SendError> {
        let url = match envelope
            .response_url
            .as_deref()
            .map(|u| self.policy.check(u))
        {
            Some(Ok(url)) => url,
            problem => {
                let reason = match problem {
                    Some(Err(refused)) => refused.to_string(),
                    _ => "the event has no ResponseURL".to_owned(),
                };
                tracing::error!(reason = %reason, "cannot answer CloudFormation; nothing was done");
                return Ok(json!({ "Status": "FAILED", "Reason": reason, "Delivered": false }));
            }
        };

        // As it will be sent: a SUCCESS whose Data cannot fit is sent, logged and summed up
        // as the FAILED it becomes.
        let answer = self.answer(&raw, &envelope, deadlines).await.fitted();
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

    /// The answer to give, computed under the deadline guard.
    async fn answer(&self, raw: &Value, envelope: &Envelope, deadlines: Deadlines) -> Answer {
        let request = match Request::parse(raw) {
            Ok(request) => request,
            Err(error) => {
                let physical_id = envelope
                    .physical_resource_id
                    .clone()
                    .unwrap_or_else(|| failed_create_marker(&envelope.request_id));
                return Answer::failed(envelope, physical_id, error.to_string());
            }
        };
        // A failed Create answers with a marker; a failed Update or Delete echoes its id.
        let failure_id = match &request.operation {
            Operation::Create => failed_create_marker(&request.identity.request_id),
            Operation::Update { physical_id, .. } | Operation::Delete { physical_id } => {
                physical_id.clone()
            }
        };
        if let Operation::Delete { physical_id } = &request.operation {
            if is_failed_create_marker(physical_id) {
                tracing::info!(
                    "Delete of a failed Create's marker: nothing was created, nothing to delete"
                );
                return Answer::success(envelope, physical_id.clone(), Default::default());
            }
        }
        let is_create = matches!(request.operation, Operation::Create);
        let progress = Progress::default();
        // A Create that made something before failing names it, so that the rollback Delete
        // removes it; only a Create may, and only with an id that passes the same checks as
        // a successful one.
        let failed = |reason: String| {
            let id = match progress.recorded() {
                Some(id) if is_create && check_physical_id(&id).is_ok() => {
                    tracing::warn!(physical_resource_id = %id, "the failed Create made a resource it did not remove; answering with its id so that CloudFormation's rollback Delete removes it");
                    id
                }
                _ => failure_id.clone(),
            };
            Answer::failed(envelope, id, reason)
        };
        match self.run_guarded(request, deadlines, progress.clone()).await {
            Ok(outcome) => match check_physical_id(&outcome.physical_id) {
                Ok(()) => Answer::success(envelope, outcome.physical_id, outcome.data),
                Err(error) => failed(error.reason),
            },
            Err(error) => failed(error.reason),
        }
    }

    /// Runs the operation in its own task, cut off at the work deadline; panics become errors.
    async fn run_guarded(
        &self,
        request: Request,
        deadlines: Deadlines,
        progress: Progress,
    ) -> Result<Outcome, ResourceError> {
        let resource = Arc::clone(&self.resource);
        let context = Context {
            identity: request.identity,
            work_deadline: deadlines.work,
            progress,
        };
        let properties = request.properties;
        let mut task = tokio::spawn(
            async move {
                match request.operation {
                    Operation::Create => resource.create(context, properties).await,
                    Operation::Update {
                        physical_id,
                        old_properties,
                    } => {
                        resource
                            .update(context, physical_id, properties, old_properties)
                            .await
                    }
                    Operation::Delete { physical_id } => resource
                        .delete(context, physical_id.clone(), properties)
                        .await
                        .map(|()| Outcome {
                            physical_id,
                            data: Default::default(),
                        }),
                }
            }
            .in_current_span(),
        );
        let abort = task.abort_handle();
        let budget = deadlines.work.saturating_duration_since(Instant::now());
        match tokio::time::timeout_at(deadlines.work, &mut task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join_error)) => {
                let detail = match join_error.try_into_panic() {
                    Ok(payload) => panic_message(payload.as_ref()),
                    Err(_) => "the task was cancelled".to_owned(),
                };
                tracing::error!(detail = %detail, "the resource panicked");
                Err(ResourceError::new(format!(
                    "internal error: the handler panicked: {detail}"
                )))
            }
            Err(_) => {
                abort.abort();
                // Let the cancellation land (at the task's next await) before the caller reads
                // the Create's progress, so a record made just now is not missed.
                let _ = tokio::time::timeout(CANCEL_GRACE, &mut task).await;
                Err(ResourceError::new(format!(
                    "timed out: the operation did not finish within {:.1} s, the time left before the function's deadline less the answer margin; it was stopped so that CloudFormation gets this answer. Raise the function's timeout, or retry",
                    budget.as_secs_f64()
                )))
            }
        }
    }
}

fn check_physical_id(id: &str) -> Result<(), ResourceError> {
    if id.is_empty() || id.len() > MAX_PHYSICAL_ID_BYTES || is_failed_create_marker(id) {
        return Err(ResourceError::new(
            "internal error: the resource returned an unusable physical id",
        ));
    }
    Ok(())
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    text.chars().take(300).collect()
}

fn with_delivered(mut summary: Value, delivered: bool) -> Value {
    summary["Delivered"] = Value::Bool(delivered);
    summary
}
