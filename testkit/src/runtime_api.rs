//! An emulated Lambda Runtime API (`/2018-06-01/runtime/...`), enough for lambda_runtime:
//! it hands out queued events with the real headers and collects the responses and errors.
//! The deadline it sends is a time `timeout` from now, as Lambda's, or a fixed number, as
//! cargo-lambda's ([`CARGO_LAMBDA_DEADLINE_MS`]).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;
use tokio::sync::{mpsc, Notify};

/// The `Lambda-Runtime-Deadline-Ms` that cargo-lambda's local Runtime API (`cargo lambda
/// watch`) sends with every event: the constant `600_000_u32`, not an epoch time (cargo-lambda
/// 1.9.2, `crates/cargo-lambda-watch/src/runtime/functions_router.rs`). Real Lambda sends the
/// time the function times out, in Unix milliseconds (Lambda Developer Guide, "Using the
/// Lambda runtime API for custom runtimes", Next invocation, `Lambda-Runtime-Deadline-Ms`:
/// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
pub const CARGO_LAMBDA_DEADLINE_MS: u64 = 600_000;

/// What the function answered to Lambda for one invocation.
#[derive(Debug, Clone, PartialEq)]
pub enum Invocation {
    Response(Value),
    Error(Value),
}

struct Shared {
    events: tokio::sync::Mutex<mpsc::UnboundedReceiver<(String, Value, u64)>>,
    results: Mutex<HashMap<String, Invocation>>,
    result_ready: Notify,
    polls: AtomicU64,
    first_poll: Mutex<Option<std::time::Instant>>,
    init_errors: Mutex<Vec<Value>>,
}

/// A handle that queues events on a [`RuntimeApi`] from elsewhere (the Lambda Invoke API
/// emulator's deliveries).
#[derive(Clone)]
pub struct Enqueuer {
    sender: mpsc::UnboundedSender<(String, Value, u64)>,
}

impl Enqueuer {
    /// Queues `event` with a Lambda deadline `timeout` from now; returns the invocation id.
    pub fn enqueue(&self, event: Value, timeout: Duration) -> String {
        let deadline = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            + timeout;
        // One sequence for every enqueuer in the process: ids never collide.
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let id = format!("async-invocation-{n}");
        // A Runtime API that has stopped takes no more events: nothing to deliver to.
        let _ = self
            .sender
            .send((id.clone(), event, deadline.as_millis() as u64));
        id
    }
}

/// A running Runtime API on loopback.
pub struct RuntimeApi {
    pub addr: SocketAddr,
    sender: mpsc::UnboundedSender<(String, Value, u64)>,
    shared: Arc<Shared>,
    counter: AtomicU64,
}

impl RuntimeApi {
    pub async fn start() -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            events: tokio::sync::Mutex::new(receiver),
            results: Mutex::new(HashMap::new()),
            result_ready: Notify::new(),
            polls: AtomicU64::new(0),
            first_poll: Mutex::new(None),
            init_errors: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind runtime api");
        let addr = listener.local_addr().expect("runtime api address");
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        Self {
            addr,
            sender,
            shared,
            counter: AtomicU64::new(0),
        }
    }

    /// A handle that queues events here from elsewhere.
    pub fn enqueuer(&self) -> Enqueuer {
        Enqueuer {
            sender: self.sender.clone(),
        }
    }

    /// Every result recorded so far, whatever the invocation.
    pub fn results(&self) -> Vec<Invocation> {
        self.shared
            .results
            .lock()
            .unwrap()
            .values()
            .cloned()
            .collect()
    }

    /// `host:port`, for `AWS_LAMBDA_RUNTIME_API`.
    pub fn endpoint(&self) -> String {
        self.addr.to_string()
    }

    /// How many times the function has polled for the next event.
    pub fn polls(&self) -> u64 {
        self.shared.polls.load(Ordering::SeqCst)
    }

    /// When the function first polled for an event: the end of its cold start.
    pub async fn first_poll(&self, wait: Duration) -> Option<std::time::Instant> {
        let until = tokio::time::Instant::now() + wait;
        loop {
            if let Some(at) = *self.shared.first_poll.lock().unwrap() {
                return Some(at);
            }
            if tokio::time::Instant::now() >= until {
                return None;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }

    /// Queues `event` with a Lambda deadline `timeout` from now; returns the invocation id.
    pub fn enqueue(&self, event: Value, timeout: Duration) -> String {
        let deadline = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            + timeout;
        self.enqueue_with_deadline_ms(event, deadline.as_millis() as u64)
    }

    /// Queues `event` with `deadline_ms` sent as it is in `Lambda-Runtime-Deadline-Ms`, time
    /// or not (see [`CARGO_LAMBDA_DEADLINE_MS`]); returns the invocation id.
    pub fn enqueue_with_deadline_ms(&self, event: Value, deadline_ms: u64) -> String {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let id = format!("invocation-{n}");
        self.sender
            .send((id.clone(), event, deadline_ms))
            .expect("runtime api alive");
        id
    }

    /// Waits up to `wait` for the result of invocation `id`.
    pub async fn result(&self, id: &str, wait: Duration) -> Option<Invocation> {
        let until = tokio::time::Instant::now() + wait;
        loop {
            let notified = self.shared.result_ready.notified();
            if let Some(result) = self.shared.results.lock().unwrap().get(id).cloned() {
                return Some(result);
            }
            if tokio::time::timeout_at(until, notified).await.is_err() {
                return None;
            }
        }
    }

    /// Queues `event` and waits for the function's answer to Lambda.
    pub async fn invoke(&self, event: Value, timeout: Duration) -> Option<Invocation> {
        let id = self.enqueue(event, timeout);
        self.result(&id, timeout + Duration::from_secs(5)).await
    }

    /// Queues `event` with the fixed `Lambda-Runtime-Deadline-Ms` `deadline_ms` (as
    /// cargo-lambda's Runtime API sends, [`CARGO_LAMBDA_DEADLINE_MS`]) and waits up to `wait`
    /// for the function's answer to Lambda.
    pub async fn invoke_with_deadline_ms(
        &self,
        event: Value,
        deadline_ms: u64,
        wait: Duration,
    ) -> Option<Invocation> {
        let id = self.enqueue_with_deadline_ms(event, deadline_ms);
        self.result(&id, wait).await
    }
}

async fn next(State(shared): State<Arc<Shared>>) -> Response {
    shared.polls.fetch_add(1, Ordering::SeqCst);
    shared
        .first_poll
        .lock()
        .unwrap()
        .get_or_insert_with(std::time::Instant::now);
    let Some((id, event, deadline)) = shared.events.lock().await.recv().await else {
        return StatusCode::GONE.into_response();
    };
    let mut headers = HeaderMap::new();
    let header = |v: String| HeaderValue::from_str(&v).expect("header value");
    headers.insert("lambda-runtime-aws-request-id", header(id));
    headers.insert("lambda-runtime-deadline-ms", header(deadline.to_string()));
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        header("arn:aws:lambda:us-east-1:123456789012:function:connect-user-resource".into()),
    );
    headers.insert(
        "lambda-runtime-trace-id",
        header("Root=1-00000000-000000000000000000000000;Sampled=0".into()),
    );
    headers.insert("content-type", header("application/json".into()));
    (headers, event.to_string()).into_response()
}

fn record(shared: &Shared, id: String, result: Invocation) -> StatusCode {
    shared.results.lock().unwrap().insert(id, result);
    shared.result_ready.notify_waiters();
    StatusCode::ACCEPTED
}

fn json_or_text(body: &Bytes) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

async fn response(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    record(&shared, id, Invocation::Response(json_or_text(&body)))
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    record(&shared, id, Invocation::Error(json_or_text(&body)))
}

async fn init_error(State(shared): State<Arc<Shared>>, body: Bytes) -> StatusCode {
    shared.init_errors.lock().unwrap().push(json_or_text(&body));
    StatusCode::ACCEPTED
}
