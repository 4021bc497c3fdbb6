//! A local AWS Lambda `Invoke` API, asynchronous invocations only: what the function calls to
//! hand its work to a further invocation of itself. An accepted invocation is answered 202
//! and its payload queued on a [`RuntimeApi`], as Lambda's own queue would deliver it to an
//! execution environment of the function.
//!
//! From the Lambda API Reference, "Invoke" (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html):
//! `POST /2015-03-31/functions/{FunctionName}/invocations`, the type in
//! `X-Amz-Invocation-Type` ("Event – Invoke the function asynchronously"), "For the Event
//! invocation type, this status code is 202", errors as `x-amzn-ErrorType` with a JSON body
//! (`TooManyRequestsException` 429, `RequestTooLargeException` 413,
//! `InvalidRequestContentException` 400, `AccessDeniedException` 403 from IAM, `ServiceException`
//! 500). The payload limit of asynchronous invocations is [`ASYNC_PAYLOAD_LIMIT`] here: the
//! Lambda quotas page gave 256 KB, and the Invoke reference now gives 1 MB; the function keeps
//! to the smaller, and so does this emulator.
//!
//! Faults for tests ([`InvokeFault`]): refusals, a lost invocation, a duplicate delivery
//! (asynchronous delivery is at least once), a late one. Payloads hold the ResponseURL, a
//! credential: nothing here prints them.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

use super::runtime_api::Enqueuer;

/// The largest asynchronous payload accepted (see the module doc).
pub const ASYNC_PAYLOAD_LIMIT: usize = 256 * 1024;

/// What the next accepted-looking invocation meets instead of plain delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum InvokeFault {
    /// 429 `TooManyRequestsException`.
    Throttle,
    /// 403 `AccessDeniedException`: the role may not invoke the function.
    Denied,
    /// 500 `ServiceException`.
    ServiceError,
    /// 202, never delivered.
    Lost,
    /// 202, delivered twice.
    Duplicate,
    /// 202, delivered after this long.
    Delayed(Duration),
}

/// One call to the Invoke API, as received.
#[derive(Debug, Clone)]
pub struct Invoked {
    /// `{FunctionName}` from the path, decoded: a name or an ARN, perhaps qualified.
    pub function_name: String,
    pub invocation_type: Option<String>,
    /// The payload, when it is JSON.
    pub payload: Option<Value>,
    pub status: u16,
}

struct Shared {
    target: Mutex<Option<(Enqueuer, Duration)>>,
    faults: Mutex<VecDeque<InvokeFault>>,
    invocations: Mutex<Vec<Invoked>>,
}

/// A running Invoke API on loopback.
pub struct LambdaApi {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl LambdaApi {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared {
            target: Mutex::new(None),
            faults: Mutex::new(VecDeque::new()),
            invocations: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/2015-03-31/functions/{name}/invocations", post(invoke))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind lambda api");
        let addr = listener.local_addr().expect("lambda api address");
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        Self { addr, shared }
    }

    /// `http://host:port`, for `AWS_ENDPOINT_URL_LAMBDA`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Delivers accepted invocations through `enqueuer`, each with a Lambda deadline
    /// `timeout` after its delivery.
    pub fn deliver_to(&self, enqueuer: Enqueuer, timeout: Duration) {
        *self.shared.target.lock().unwrap() = Some((enqueuer, timeout));
    }

    /// The next `times` invocations meet `fault`.
    pub fn fail_next(&self, fault: InvokeFault, times: usize) {
        let mut faults = self.shared.faults.lock().unwrap();
        faults.extend(std::iter::repeat_n(fault, times));
    }

    /// Every call received so far.
    pub fn invocations(&self) -> Vec<Invoked> {
        self.shared.invocations.lock().unwrap().clone()
    }

    /// How many invocations were accepted (answered 202).
    pub fn accepted(&self) -> usize {
        self.invocations()
            .iter()
            .filter(|i| i.status == 202)
            .count()
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let mut body = json!({ "Type": "User", "message": message });
    if code == "TooManyRequestsException" {
        body["Reason"] = json!("ReservedFunctionConcurrentInvocationLimitExceeded");
        body["retryAfterSeconds"] = json!("1");
    }
    (
        status,
        [
            ("x-amzn-errortype", code),
            ("content-type", "application/json"),
        ],
        body.to_string(),
    )
        .into_response()
}

async fn invoke(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let invocation_type = header("x-amz-invocation-type");
    let payload = serde_json::from_slice::<Value>(&body).ok();
    let signed = header("authorization").is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256"));
    let refusal = if !signed {
        Some(error(
            StatusCode::FORBIDDEN,
            "AccessDeniedException",
            "the request is not signed (SigV4)",
        ))
    } else if invocation_type.as_deref() != Some("Event") {
        Some(error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestContentException",
            "this emulator serves only asynchronous invocations (X-Amz-Invocation-Type: Event)",
        ))
    } else if body.len() > ASYNC_PAYLOAD_LIMIT {
        Some(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestTooLargeException",
            "Request must be smaller than 262144 bytes for the InvokeAsync operation",
        ))
    } else if payload.is_none() {
        Some(error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestContentException",
            "Could not parse request body into json",
        ))
    } else {
        None
    };
    // A scripted fault meets the next request that would otherwise be accepted.
    let fault = match refusal {
        Some(_) => None,
        None => shared.faults.lock().unwrap().pop_front(),
    };
    let refusal = refusal.or_else(|| match &fault {
        Some(InvokeFault::Throttle) => Some(error(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequestsException",
            "Rate Exceeded.",
        )),
        Some(InvokeFault::Denied) => Some(error(
            StatusCode::FORBIDDEN,
            "AccessDeniedException",
            "User is not authorized to perform: lambda:InvokeFunction",
        )),
        Some(InvokeFault::ServiceError) => Some(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ServiceException",
            "Internal error",
        )),
        _ => None,
    });
    let status = refusal.as_ref().map_or(202, |r| r.status().as_u16());
    shared.invocations.lock().unwrap().push(Invoked {
        function_name: name,
        invocation_type,
        payload: payload.clone(),
        status,
    });
    if let Some(refusal) = refusal {
        return refusal;
    }
    let target = shared.target.lock().unwrap().clone();
    if let (Some((enqueuer, timeout)), Some(payload)) = (target, payload) {
        match fault {
            Some(InvokeFault::Lost) => {}
            Some(InvokeFault::Duplicate) => {
                enqueuer.enqueue(payload.clone(), timeout);
                enqueuer.enqueue(payload, timeout);
            }
            Some(InvokeFault::Delayed(delay)) => {
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    enqueuer.enqueue(payload, timeout);
                });
            }
            _ => {
                enqueuer.enqueue(payload, timeout);
            }
        }
    }
    StatusCode::ACCEPTED.into_response()
}
