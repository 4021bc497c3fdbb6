//! One event, start to finish: parse, guard, run the resource, answer.
//!
//! In `put` mode (see [`super::mode`]) every path ends in exactly one answer to CloudFormation
//! when the event carries a usable ResponseURL: a bad event, a resource error, a panic, or
//! time running out all become FAILED with a reason. The work runs in its own task under
//! [`Deadlines::work`], so a slow or stuck resource is cut off while there is still time to PUT
//! the answer. In `return` mode ([`returned`]) the same run ends in the invocation's result or
//! error instead, and nothing is PUT.

mod guard;
mod put;
mod returned;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use serde_json::Value;
use tracing::Instrument;

use guard::{guarded, Cut};

use super::continuation::{self, Carried, Continuation, SelfInvoke};
use super::deadline::{
    Budget, Deadlines, LambdaDeadline, CANCEL_GRACE, UNKNOWN_DEADLINE_BUDGET_ENV,
};
use super::event::{Envelope, Operation, Request};
use super::mode::{returned_reason, token_names_this_function, ResponseMode};
use super::physical_id::{is_failed_create_marker, MAX_PHYSICAL_ID_BYTES};
use super::resource::{Context, Outcome, Progress, Resource, ResourceError};
use super::responder::{Responder, SendError};
use super::response_url::UrlPolicy;
use crate::retry::Pace;

/// The protocol handler around one resource implementation. Built once per process.
pub struct Handler<R> {
    resource: Arc<R>,
    responder: Responder,
    policy: UrlPolicy,
    budget: Budget,
    mode: ResponseMode,
    /// How a request whose work outlasts its invocation goes on in the next (`put` mode);
    /// `None`: it cannot, and answers FAILED when its time runs out.
    self_invoke: Option<Arc<dyn SelfInvoke>>,
    /// Whether an unknown deadline was already warned about: once per process is enough.
    warned_unknown_deadline: AtomicBool,
}

/// One invocation's place in its request's chain (see [`continuation`]).
#[derive(Debug, Clone)]
pub(super) struct Chain {
    pub(super) continuation: Continuation,
    /// This function's ARN, as Lambda invoked it: a continuation invokes the same. Empty
    /// when the invocation's deadline is not a time (a local Runtime API such as
    /// cargo-lambda's, where no Lambda service could take the continuation).
    pub(super) function_arn: String,
}

/// What Lambda says about one invocation besides its payload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invocation {
    /// `Lambda-Runtime-Deadline-Ms`: when Lambda stops the invocation, in epoch milliseconds.
    pub deadline_ms: u64,
    /// `Lambda-Runtime-Invoked-Function-Arn`: this function, possibly with a version or alias;
    /// empty when unknown.
    pub function_arn: String,
}

/// Why an invocation ends in an error rather than a result.
#[derive(Debug, thiserror::Error)]
pub enum InvocationError {
    /// `put` mode: the PUT kept failing in ways that may pass, so Lambda's redelivery gets
    /// another chance to answer (resources are idempotent per request, so that is safe).
    #[error(transparent)]
    Undelivered(#[from] SendError),
    /// `return` mode, or an invalid mode: the operation failed, and the invocation's error
    /// message is its FAILED reason, capped at [`super::mode::MAX_RETURNED_REASON_BYTES`].
    #[error("{0}")]
    Reason(String),
}

impl InvocationError {
    /// The `errorType` Lambda reports with the error.
    pub fn error_type(&self) -> &'static str {
        match self {
            InvocationError::Undelivered(_) => "AnswerNotDelivered",
            InvocationError::Reason(_) => "CustomResourceFailed",
        }
    }
}

/// A run of one parsed request that did not succeed: what either answer mode needs to say
/// FAILED, or to hand the request on.
struct FailedRun {
    reason: String,
    /// Only time ran out: another invocation of the request may finish it.
    resumable: bool,
    /// For a continuation: what a failed Create made and did not remove (see [`Progress`]),
    /// if its id is usable; the resource's checkpoint; how far the request had backed off.
    carried: Carried,
}

impl<R: Resource> Handler<R> {
    /// A handler configured from the environment (URL policy, deadline budget and mode).
    pub fn from_env(resource: R) -> Self {
        Self::with_budget(resource, UrlPolicy::from_env(), Budget::from_env())
            .with_mode(ResponseMode::from_env())
    }

    /// A handler that keeps `margin` for answering.
    pub fn new(resource: R, policy: UrlPolicy, margin: Duration) -> Self {
        Self::with_budget(resource, policy, Budget::with_margin(margin))
    }

    /// A `put`-mode handler with the given URL policy and budget.
    pub fn with_budget(resource: R, policy: UrlPolicy, budget: Budget) -> Self {
        Self {
            resource: Arc::new(resource),
            responder: Responder::new(),
            policy,
            budget,
            mode: ResponseMode::Put,
            self_invoke: None,
            warned_unknown_deadline: AtomicBool::new(false),
        }
    }

    /// The same handler, handing work that outlasts an invocation to the next one through
    /// `invoker` (in `put` mode).
    pub fn with_self_invoke(mut self, invoker: impl SelfInvoke) -> Self {
        self.self_invoke = Some(Arc::new(invoker));
        self
    }

    /// The same handler answering in `mode`.
    pub fn with_mode(mut self, mode: ResponseMode) -> Self {
        if let Some(problem) = mode.problem() {
            tracing::error!(problem = %problem, "every event will fail");
        }
        self.mode = mode;
        self
    }

    pub fn mode(&self) -> &ResponseMode {
        &self.mode
    }

    /// The deadlines of an invocation whose Lambda deadline is `deadline_ms`, in a request
    /// whose answer must reach CloudFormation by `chain`'s end of the wait.
    fn deadlines(&self, deadline_ms: u64, chain: &Chain) -> Deadlines {
        let now = (SystemTime::now(), Instant::now());
        let wait_left = chain
            .continuation
            .wait_ends()
            .duration_since(now.0)
            .unwrap_or_default();
        self.lambda_deadlines(deadline_ms, now)
            .ending_by(now.1 + wait_left)
    }

    fn lambda_deadlines(&self, deadline_ms: u64, now: (SystemTime, Instant)) -> Deadlines {
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

    /// Handles one raw event as the handler's [`ResponseMode`] says; the one entry point, for
    /// Lambda's invocations and the tests alike.
    ///
    /// In `put` mode the answer is PUT: `Ok` with a short summary once CloudFormation has it,
    /// or when no answer can ever be given (no usable ResponseURL, or the URL refused it for
    /// good); [`InvocationError::Undelivered`] only when the PUT kept failing in ways that may
    /// pass, so that Lambda's redelivery gets another chance to answer (resources are
    /// idempotent per request, so that is safe). In `return` mode the answer is the result
    /// (`PhysicalResourceId` and `Data`) or an [`InvocationError::Reason`]. With an invalid
    /// mode, FAILED both ways.
    pub async fn invoke(
        &self,
        raw: Value,
        invocation: Invocation,
    ) -> Result<Value, InvocationError> {
        let deadline = LambdaDeadline::from_epoch_millis(invocation.deadline_ms, SystemTime::now());
        let function_arn = match deadline {
            LambdaDeadline::At(_) => invocation.function_arn.as_str(),
            LambdaDeadline::Unknown => "",
        };
        let (raw, chain) = chain_of(raw, function_arn);
        let deadlines = self.deadlines(invocation.deadline_ms, &chain);
        let envelope = Envelope::read(&raw);
        let span = event_span(&envelope, &chain);
        async {
            self.check_service_token(&envelope, &invocation.function_arn);
            match &self.mode {
                ResponseMode::Put => Ok(self
                    .put_answer(raw, envelope, deadlines, &chain, None)
                    .await?),
                ResponseMode::Return => self.return_answer(raw, &envelope, deadlines).await,
                ResponseMode::Invalid(_) => {
                    let reason = self.mode.problem().unwrap_or_default();
                    let answered =
                        self.put_answer(raw, envelope, deadlines, &chain, Some(reason.clone()));
                    if let Err(error) = answered.await {
                        tracing::error!(error = %error, "the FAILED answer did not get through");
                    }
                    Err(InvocationError::Reason(returned_reason(&reason)))
                }
            }
        }
        .instrument(span)
        .await
    }

    /// Warns when the event's ServiceToken shows that the mode does not fit the way the
    /// function is invoked. Never logs the ResponseURL.
    fn check_service_token(&self, envelope: &Envelope, function_arn: &str) {
        let token = envelope.service_token.as_deref();
        match (&self.mode, token_names_this_function(token, function_arn)) {
            // Another function in the ServiceToken is what the CDK Provider framework's
            // onEvent function looks like from here: CloudFormation invokes the framework,
            // which invokes this function (aws-cdk provider-framework/runtime/framework.ts).
            (ResponseMode::Put, Some(false)) => tracing::warn!(
                service_token = token.unwrap_or_default(),
                function_arn,
                "the event's ServiceToken names another function than this one, so the event most likely comes through a CDK Provider framework, which answers CloudFormation itself from this function's result: set RESPONSE_MODE=return on this function, or two answers go to one ResponseURL"
            ),
            (ResponseMode::Return, Some(true)) => tracing::error!(
                service_token = token.unwrap_or_default(),
                "the event's ServiceToken names this very function, so CloudFormation invoked it directly and waits for an answer at the ResponseURL, which RESPONSE_MODE=return never sends: set RESPONSE_MODE=put (or unset it) on this function"
            ),
            _ => {}
        }
    }

    /// Runs one parsed request under the deadline guard, in either mode. The Delete of a
    /// failed Create's marker succeeds without the resource: nothing was created.
    async fn run_request(
        &self,
        request: Request,
        deadlines: Deadlines,
        before: &Carried,
    ) -> Result<Outcome, FailedRun> {
        if let Operation::Delete { physical_id } = &request.operation {
            if is_failed_create_marker(physical_id) {
                tracing::info!(
                    "Delete of a failed Create's marker: nothing was created, nothing to delete"
                );
                return Ok(Outcome {
                    physical_id: physical_id.clone(),
                    data: Default::default(),
                });
            }
        }
        let is_create = matches!(request.operation, Operation::Create);
        // What an earlier invocation of this Create made stays named until this one knows
        // better: a failure here must not lose it. The checkpoint is the resource's to read.
        let made_before = before.made.clone().filter(|_| is_create);
        let progress = Progress::resumed(made_before, before.checkpoint.clone());
        let (retries, contended) = before.backoff;
        let pace = Pace::resumed(retries, contended);
        let run = self.run_guarded(request, deadlines, progress.clone(), pace.clone());
        let result = match run.await {
            Ok(outcome) => check_physical_id(&outcome.physical_id).map(|()| outcome),
            Err(error) => Err(error),
        };
        // Only a Create may name what it made, and only with an id that passes the same
        // checks as a successful one.
        result.map_err(|error| FailedRun {
            reason: error.reason,
            resumable: error.resumable,
            carried: Carried {
                made: progress
                    .recorded()
                    .filter(|id| is_create && check_physical_id(id).is_ok()),
                checkpoint: progress.checkpoint(),
                backoff: (pace.retries(), pace.contended_calls()),
            },
        })
    }

    /// Runs the operation in its own task, cut off at the work deadline; panics become errors.
    async fn run_guarded(
        &self,
        request: Request,
        deadlines: Deadlines,
        progress: Progress,
        pace: Pace,
    ) -> Result<Outcome, ResourceError> {
        let resource = Arc::clone(&self.resource);
        let context = Context {
            identity: request.identity,
            work_deadline: deadlines.work,
            progress,
            failed_create_cleanup: self.mode.failed_create_cleanup(),
            pace,
        };
        let properties = request.properties;
        let work = Box::pin(async move {
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
        });
        let budget = deadlines.work.saturating_duration_since(Instant::now());
        // The grace lets the cancellation land before the caller reads the Create's progress,
        // so a record made just now is not missed.
        match guarded(work, deadlines.work, CANCEL_GRACE).await {
            Ok(result) => result,
            Err(Cut::Panicked(detail)) => {
                tracing::error!(detail = %detail, "the resource panicked");
                Err(ResourceError::new(format!(
                    "internal error: the handler panicked: {detail}"
                )))
            }
            Err(Cut::TimedOut) => Err(ResourceError::resumable(format!(
                "timed out: the operation did not finish within {:.1} s, the time left before the function's deadline less the answer margin; it was stopped so that CloudFormation gets this answer. Raise the function's timeout, or retry",
                budget.as_secs_f64()
            ))),
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

/// The span every log line of one event carries.
fn event_span(envelope: &Envelope, chain: &Chain) -> tracing::Span {
    tracing::info_span!(
        "event",
        request_type = %envelope.request_type,
        stack_id = %envelope.stack_id,
        request_id = %envelope.request_id,
        logical_resource_id = %envelope.logical_resource_id,
        invocation = chain.continuation.invocation,
    )
}

/// The CloudFormation event in `raw` and its place in the request's chain: a continuation
/// says where it stands; any other payload is CloudFormation's own first invocation.
fn chain_of(raw: Value, function_arn: &str) -> (Value, Chain) {
    let (event, continuation) = continuation::split(raw);
    let continuation =
        continuation.unwrap_or_else(|| Continuation::first(&event, SystemTime::now()));
    let chain = Chain {
        continuation,
        function_arn: function_arn.to_owned(),
    };
    (event, chain)
}
