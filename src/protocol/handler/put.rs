//! The `put` mode: the answer PUT to the event's ResponseURL, and a short summary as the
//! invocation's result.

use serde_json::{json, Value};

use super::{Failed, Handler};
use crate::protocol::deadline::Deadlines;
use crate::protocol::event::{Envelope, Operation, Request};
use crate::protocol::physical_id::failed_create_marker;
use crate::protocol::resource::Resource;
use crate::protocol::responder::SendError;
use crate::protocol::response::{Answer, Status};

impl<R: Resource> Handler<R> {
    /// The `put` mode: the answer (or `refusal`, when the event must fail unheard) PUT to the
    /// ResponseURL, and a summary as the invocation's result.
    pub(super) async fn put_answer(
        &self,
        raw: Value,
        envelope: Envelope,
        deadlines: Deadlines,
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
            None => self.answer(&raw, &envelope, deadlines).await,
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

    /// The answer to PUT, computed under the deadline guard.
    async fn answer(&self, raw: &Value, envelope: &Envelope, deadlines: Deadlines) -> Answer {
        let request = match Request::parse(raw) {
            Ok(request) => request,
            Err(error) => {
                return Answer::failed(envelope, fallback_id(envelope), error.to_string())
            }
        };
        // A failed Create answers with a marker; a failed Update or Delete echoes its id.
        let failure_id = match &request.operation {
            Operation::Create => failed_create_marker(&request.identity.request_id),
            Operation::Update { physical_id, .. } | Operation::Delete { physical_id } => {
                physical_id.clone()
            }
        };
        match self.run_request(request, deadlines).await {
            Ok(outcome) => Answer::success(envelope, outcome.physical_id, outcome.data),
            // A Create that made something before failing names it, so that the rollback
            // Delete removes it.
            Err(Failed {
                reason,
                made: Some(id),
            }) => {
                tracing::warn!(physical_resource_id = %id, "the failed Create made a resource it did not remove; answering with its id so that CloudFormation's rollback Delete removes it");
                Answer::failed(envelope, id, reason)
            }
            Err(Failed { reason, made: None }) => Answer::failed(envelope, failure_id, reason),
        }
    }
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
