//! A local Amazon Connect: a stateful HTTP server that speaks Connect's REST-JSON wire
//! protocol for the user APIs, and answers errors as Connect does (status,
//! `x-amzn-ErrorType`, `{"Message"}`). Tests can throttle it with a token bucket and inject
//! faults, and inspect or tamper with its state.
//!
//! It is driven by Connect's published service model: `service-model.json` (from botocore,
//! Apache-2.0, see `service-model.NOTICE`) routes each request by the operations'
//! `http.method` and `http.requestUri`, assembles its input from the URI labels, the query
//! string and the JSON body, and checks it — and the emulator's own answer — against the
//! operation's shapes ([`service_model`]). The rules the model does not carry live in
//! [`rules`], each with its AWS source; the state and the operations in [`model`].
//!
//! Refresh the model from the installed botocore (`python3 -m pip install botocore`) with
//!
//! ```text
//! python3 tests/support/connect_emulator/refresh-model.py
//! ```
//!
//! then run `cargo test --locked --test emulator`.
//!
//! It lives with the tests, never in the Lambda artifact.

pub mod limits;
pub mod model;
pub mod rules;
pub mod service_model;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

pub use limits::{Fault, TokenBucket};
pub use model::seed;
pub use model::{ApiError, World};
pub use rules::UserConfigMode;

/// One call as the emulator saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub operation: String,
    pub status: u16,
    /// Time the emulator spent on the call, from arrival to answer.
    pub micros: u64,
}

#[derive(Default)]
struct Traffic {
    global: Option<TokenBucket>,
    per_operation: HashMap<String, TokenBucket>,
    faults: HashMap<String, VecDeque<Fault>>,
}

struct Shared {
    world: Mutex<World>,
    calls: Mutex<Vec<Call>>,
    traffic: Mutex<Traffic>,
}

/// A running emulator on loopback.
#[derive(Clone)]
pub struct ConnectEmulator {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

type Shared_ = State<Arc<Shared>>;

impl ConnectEmulator {
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0").await
    }

    pub async fn start_on(address: &str) -> Self {
        let shared = Arc::new(Shared {
            world: Mutex::new(World::default()),
            calls: Mutex::new(Vec::new()),
            traffic: Mutex::new(Traffic::default()),
        });
        // Every route comes from the model; what matches none answers as an unknown operation.
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .expect("bind connect emulator");
        let addr = listener.local_addr().expect("emulator address");
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        Self { addr, shared }
    }

    /// The URL for `AWS_ENDPOINT_URL_CONNECT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Throttles every operation together: `rate` requests per second, `burst` at once.
    pub fn rate_limit(&self, rate: f64, burst: u32) {
        self.shared.traffic.lock().unwrap().global = Some(TokenBucket::new(rate, burst));
    }

    /// Throttles one operation on its own.
    pub fn rate_limit_operation(&self, operation: &str, rate: f64, burst: u32) {
        self.shared
            .traffic
            .lock()
            .unwrap()
            .per_operation
            .insert(operation.to_owned(), TokenBucket::new(rate, burst));
    }

    /// The next `times` calls of `operation` suffer `fault`.
    pub fn inject(&self, operation: &str, fault: Fault, times: usize) {
        let mut traffic = self.shared.traffic.lock().unwrap();
        let queue = traffic.faults.entry(operation.to_owned()).or_default();
        queue.extend(std::iter::repeat_n(fault, times));
    }

    /// List pages hold at most `cap` items, whatever `MaxResults` asks (see
    /// [`World::page_cap`]).
    pub fn set_page_cap(&self, cap: usize) {
        self.with_world(|w| w.page_cap = Some(cap));
    }

    /// `DescribeUser` answers without the per-channel lists, as in a Region that lacks them.
    pub fn describe_without_channel_lists(&self) {
        self.with_world(|w| w.describe_without_channel_lists = true);
    }

    /// How `UpdateUserConfig` treats what a call leaves out (default: merge).
    pub fn set_user_config_mode(&self, mode: UserConfigMode) {
        self.with_world(|w| w.set_user_config_mode(mode));
    }

    /// Answers the emulator refused to give because they broke the model's output shape
    /// (emulator bugs; each was answered as a 500 `EmulatorAnswerInvalid`).
    pub fn answer_violations(&self) -> Vec<String> {
        self.with_world(|w| w.answer_violations.clone())
    }

    /// Every call so far, in order, throttled and failed ones included.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.calls.lock().unwrap().clone()
    }

    /// The operations that were served successfully, in order.
    pub fn served(&self) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter(|c| c.status == 200)
            .map(|c| c.operation)
            .collect()
    }

    /// The successfully served operations that change something.
    pub fn mutations(&self) -> Vec<String> {
        self.served()
            .into_iter()
            .filter(|op| !op.starts_with("Describe") && !op.starts_with("List"))
            .collect()
    }

    pub fn clear_calls(&self) {
        self.shared.calls.lock().unwrap().clear();
    }

    /// Direct access to the state, for seeding, drift and hand-made changes in tests.
    pub fn with_world<T>(&self, f: impl FnOnce(&mut World) -> T) -> T {
        f(&mut self.shared.world.lock().unwrap())
    }

    /// The user `user_id` as `DescribeUser` would show it.
    pub fn user(&self, instance: &str, user_id: &str) -> Option<Value> {
        self.with_world(|w| {
            w.describe_user(instance, user_id)
                .ok()
                .map(|v| v["User"].clone())
        })
    }

    /// The user called `name`, as `DescribeUser` would show it.
    pub fn user_named(&self, instance: &str, name: &str) -> Option<Value> {
        self.with_world(|w| {
            w.instances
                .get(instance)?
                .find_by_name(name)
                .map(model::user_view)
        })
    }

    /// How many users `instance` holds.
    pub fn user_count(&self, instance: &str) -> usize {
        self.with_world(|w| w.instances.get(instance).map_or(0, |i| i.users.len()))
    }
}

/// What happens to a call once it is served.
enum AfterServing {
    Answer,
    /// The answer is held back this long.
    HoldAnswer(std::time::Duration),
    /// The connection closes without the answer.
    DropConnection,
}

fn error_response(error: &ApiError) -> Response {
    let mut response = (
        StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST),
        json!({ "Message": error.message }).to_string(),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert("x-amzn-ErrorType", HeaderValue::from_static(error.code));
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    response
}

/// A bare status as a gateway or load balancer answers it: an HTML body and no
/// `x-amzn-ErrorType`.
fn bare_response(status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let title = format!(
        "{} {}",
        code.as_u16(),
        code.canonical_reason().unwrap_or("Error")
    );
    let mut response =
        (code, format!("<html><body><h1>{title}</h1></body></html>")).into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("text/html"));
    response
}

impl Shared {
    fn record(&self, operation: &str, status: u16, started: std::time::Instant) {
        let micros = started.elapsed().as_micros() as u64;
        let call = Call {
            operation: operation.to_owned(),
            status,
            micros,
        };
        self.calls.lock().unwrap().push(call);
    }

    /// Applies signing, IAM, throttling and injected faults; `Err` is the answer to give
    /// instead, `Ok` says what happens once the call is served.
    async fn admit(
        &self,
        operation: &'static str,
        headers: &HeaderMap,
        started: std::time::Instant,
    ) -> Result<AfterServing, Response> {
        let signed = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256 Credential="));
        if !signed {
            let error = ApiError {
                status: 403,
                code: "MissingAuthenticationTokenException",
                message: "Missing Authentication Token".into(),
            };
            self.record(operation, 403, started);
            return Err(error_response(&error));
        }
        if !super::iam::is_granted("connect", operation) {
            // What AWS answers an action no policy allows (Connect's AccessDeniedException,
            // 403, in the API reference's common errors).
            let error = ApiError {
                status: 403,
                code: "AccessDeniedException",
                message: format!(
                    "connect:{operation} is not granted by src/connect_user/permissions.json"
                ),
            };
            self.record(operation, 403, started);
            return Err(error_response(&error));
        }
        let fault = {
            let mut traffic = self.traffic.lock().unwrap();
            let fault = traffic
                .faults
                .get_mut(operation)
                .and_then(VecDeque::pop_front);
            let throttled = traffic.global.as_mut().is_some_and(|b| !b.try_take())
                || traffic
                    .per_operation
                    .get_mut(operation)
                    .is_some_and(|b| !b.try_take());
            if throttled {
                Some(Fault::throttle())
            } else {
                fault
            }
        };
        match fault {
            None => Ok(AfterServing::Answer),
            Some(Fault::Late(pause)) => Ok(AfterServing::HoldAnswer(pause)),
            Some(Fault::Dropped) => Ok(AfterServing::DropConnection),
            Some(Fault::Delay(pause)) => {
                tokio::time::sleep(pause).await;
                Ok(AfterServing::Answer)
            }
            Some(Fault::Error { status, code }) => {
                self.record(operation, status, started);
                let message = if status == 429 {
                    "Rate exceeded".to_owned()
                } else {
                    format!("injected {code}")
                };
                Err(error_response(&ApiError {
                    status,
                    code,
                    message,
                }))
            }
            Some(Fault::Bare(status)) => {
                self.record(operation, status, started);
                Err(bare_response(status))
            }
            Some(Fault::Reset) => {
                self.record(operation, 0, started);
                // Dropping the connection mid-request: the handler's task ends without an answer.
                std::panic::resume_unwind(Box::new("connection reset by the emulator"));
            }
        }
    }

    async fn serve(
        &self,
        operation: &'static str,
        headers: &HeaderMap,
        work: impl FnOnce(&mut World) -> model::ApiResult,
    ) -> Response {
        let started = std::time::Instant::now();
        let after = match self.admit(operation, headers, started).await {
            Ok(after) => after,
            Err(response) => return response,
        };
        let result = work(&mut self.world.lock().unwrap());
        match after {
            AfterServing::Answer => {}
            AfterServing::HoldAnswer(pause) => tokio::time::sleep(pause).await,
            AfterServing::DropConnection => {
                self.record(operation, 0, started);
                // The work is done; the connection closes before the answer.
                std::panic::resume_unwind(Box::new("connection dropped after serving"));
            }
        }
        match result {
            Ok(body) => {
                self.record(operation, 200, started);
                let mut response = (StatusCode::OK, body.to_string()).into_response();
                response
                    .headers_mut()
                    .insert("content-type", HeaderValue::from_static("application/json"));
                response
            }
            Err(error) => {
                self.record(operation, error.status, started);
                error_response(&error)
            }
        }
    }
}

/// The JSON body: `{}` when empty; anything but an object is not a request Connect reads.
fn parse_body(body: &Bytes) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Ok(json!({}));
    }
    match serde_json::from_slice(body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        _ => Err(ApiError {
            status: 400,
            code: "SerializationException",
            message: "the body is not a JSON object".into(),
        }),
    }
}

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    let Some(query) = query else {
        return Vec::new();
    };
    reqwest::Url::parse(&format!("http://query/?{query}"))
        .map(|url| {
            url.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// Every request: the model names the operation from the method and path, and the input is
/// assembled from the labels, the query string and the body before the world serves it.
async fn handle(
    State(s): Shared_,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let model = service_model::model();
    let Some((operation, labels)) = model.route(method.as_str(), uri.path()) else {
        return unknown_operation().await;
    };
    let query = query_pairs(uri.query());
    s.serve(operation, &headers, |w| {
        let body = parse_body(&body)?;
        let input = model
            .assemble_input(operation, &labels, &query, &body)
            .map_err(|violations| model.violation_error(operation, &violations))?;
        w.call(operation, &input)
    })
    .await
}

async fn unknown_operation() -> Response {
    error_response(&ApiError {
        status: 404,
        code: "UnknownOperationException",
        message: "no such operation".into(),
    })
}
