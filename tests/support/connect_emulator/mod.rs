//! A local Amazon Connect: a stateful HTTP server that speaks Connect's REST-JSON wire
//! protocol for the user APIs, enforces the API model's constraints and the service's rules,
//! and answers errors as Connect does (status, `x-amzn-ErrorType`, `{"Message"}`). Tests can
//! throttle it with a token bucket and inject faults, and inspect or tamper with its state.
//!
//! It lives with the tests, never in the Lambda artifact.

pub mod limits;
pub mod model;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use serde_json::{json, Value};

pub use limits::{Fault, TokenBucket};
pub use model::seed;
pub use model::{ApiError, World};

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
        let app = Router::new()
            .route("/users/{instance}", put(create_user))
            .route(
                "/users/{instance}/{user}",
                get(describe_user).delete(delete_user),
            )
            .route(
                "/users/{instance}/{user}/identity-info",
                post(update_identity_info),
            )
            .route(
                "/users/{instance}/{user}/phone-config",
                post(update_phone_config),
            )
            .route(
                "/users/{instance}/{user}/routing-profile",
                post(update_routing_profile),
            )
            .route(
                "/users/{instance}/{user}/security-profiles",
                post(update_security_profiles),
            )
            .route("/users/{instance}/{user}/hierarchy", post(update_hierarchy))
            .route("/users/{instance}/{user}/config", post(update_user_config))
            .route(
                "/users/{instance}/{user}/associate-proficiencies",
                post(associate_proficiencies),
            )
            .route(
                "/users/{instance}/{user}/disassociate-proficiencies",
                post(disassociate_proficiencies),
            )
            .route(
                "/users/{instance}/{user}/proficiencies",
                get(list_proficiencies).post(update_proficiencies),
            )
            .route("/users-summary/{instance}", get(list_users))
            .route(
                "/tags/{arn}",
                get(list_tags).post(tag_resource).delete(untag_resource),
            )
            .fallback(unknown_operation)
            .with_state(shared.clone());
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

    /// Applies signing, throttling and injected faults; `Err` is the answer to give instead,
    /// `Ok(Some(pause))` holds the answer that long after serving the call.
    async fn admit(
        &self,
        operation: &'static str,
        headers: &HeaderMap,
        started: std::time::Instant,
    ) -> Result<Option<std::time::Duration>, Response> {
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
            None => Ok(None),
            Some(Fault::Late(pause)) => Ok(Some(pause)),
            Some(Fault::Delay(pause)) => {
                tokio::time::sleep(pause).await;
                Ok(None)
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
        let late = match self.admit(operation, headers, started).await {
            Ok(late) => late,
            Err(response) => return response,
        };
        let result = work(&mut self.world.lock().unwrap());
        if let Some(pause) = late {
            tokio::time::sleep(pause).await;
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

fn parse_body(body: &Bytes) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|_| ApiError {
        status: 400,
        code: "SerializationException",
        message: "the body is not valid JSON".into(),
    })
}

fn query_pairs(query: Option<String>) -> Vec<(String, String)> {
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

async fn create_user(
    State(s): Shared_,
    Path(instance): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.serve("CreateUser", &headers, |w| {
        w.create_user(&instance, &parse_body(&body)?)
    })
    .await
}

async fn describe_user(
    State(s): Shared_,
    Path((instance, user)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    s.serve("DescribeUser", &headers, |w| {
        w.describe_user(&instance, &user)
    })
    .await
}

async fn delete_user(
    State(s): Shared_,
    Path((instance, user)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    s.serve("DeleteUser", &headers, |w| w.delete_user(&instance, &user))
        .await
}

/// A POST on one user whose body the model validates: the shape of most update routes.
macro_rules! user_update {
    ($name:ident, $operation:literal, $method:ident) => {
        async fn $name(
            State(s): Shared_,
            Path((i, u)): Path<(String, String)>,
            headers: HeaderMap,
            body: Bytes,
        ) -> Response {
            s.serve($operation, &headers, |w| {
                w.$method(&i, &u, &parse_body(&body)?)
            })
            .await
        }
    };
}

user_update!(
    update_identity_info,
    "UpdateUserIdentityInfo",
    update_identity_info
);
user_update!(
    update_phone_config,
    "UpdateUserPhoneConfig",
    update_phone_config
);
user_update!(
    update_routing_profile,
    "UpdateUserRoutingProfile",
    update_routing_profile
);
user_update!(
    update_security_profiles,
    "UpdateUserSecurityProfiles",
    update_security_profiles
);
user_update!(update_hierarchy, "UpdateUserHierarchy", update_hierarchy);
user_update!(update_user_config, "UpdateUserConfig", update_user_config);
user_update!(
    associate_proficiencies,
    "AssociateUserProficiencies",
    associate_proficiencies
);
user_update!(
    disassociate_proficiencies,
    "DisassociateUserProficiencies",
    disassociate_proficiencies
);
user_update!(
    update_proficiencies,
    "UpdateUserProficiencies",
    update_proficiencies
);

async fn list_proficiencies(
    State(s): Shared_,
    Path((i, u)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let pairs = query_pairs(query);
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let max = get("maxResults")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let token = get("nextToken");
    s.serve("ListUserProficiencies", &headers, |w| {
        w.list_proficiencies(&i, &u, max, token.as_deref())
    })
    .await
}

async fn list_users(
    State(s): Shared_,
    Path(instance): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let pairs = query_pairs(query);
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let max = get("maxResults")
        .or_else(|| get("MaxResults"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let token = get("nextToken").or_else(|| get("NextToken"));
    s.serve("ListUsers", &headers, |w| {
        w.list_users(&instance, max, token.as_deref())
    })
    .await
}

async fn list_tags(State(s): Shared_, Path(arn): Path<String>, headers: HeaderMap) -> Response {
    s.serve("ListTagsForResource", &headers, |w| w.list_tags(&arn))
        .await
}

async fn tag_resource(
    State(s): Shared_,
    Path(arn): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.serve("TagResource", &headers, |w| {
        w.tag_resource(&arn, &parse_body(&body)?)
    })
    .await
}

async fn untag_resource(
    State(s): Shared_,
    Path(arn): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let keys: Vec<String> = query_pairs(query)
        .into_iter()
        .filter(|(k, _)| k == "tagKeys")
        .map(|(_, v)| v)
        .collect();
    s.serve("UntagResource", &headers, |w| w.untag_resource(&arn, &keys))
        .await
}

async fn unknown_operation() -> Response {
    error_response(&ApiError {
        status: 404,
        code: "UnknownOperationException",
        message: "no such operation".into(),
    })
}
