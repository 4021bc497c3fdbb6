//! A local Amazon Connect: a stateful HTTP server that speaks Connect's REST-JSON wire
//! protocol for the user APIs and the lookups of routing profiles, security profiles and
//! hierarchy groups by name, and answers errors as Connect does (status,
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
//! python3 testkit/src/connect_emulator/refresh-model.py
//! ```
//!
//! then run `cargo test --locked --test e2e emulator::`.
//!
//! Two ways in, one behaviour: [`ConnectEmulator::start`] serves it over HTTP on loopback
//! (for the real function process), [`ConnectEmulator::in_memory`] makes one without a socket,
//! for an in-process client to feed requests to [`ConnectEmulator::handle`] (synchronous) or
//! [`ConnectEmulator::respond`] (which waits out a held or late answer on tokio's clock). The
//! server is a thin wrapper over `respond`, so signing, IAM, throttling, faults and the call
//! record are the same on both paths.
//!
//! It lives with the tests, never in the Lambda artifact.

pub mod console;
pub mod limits;
pub mod model;
pub mod rules;
pub mod service_model;
pub mod shapes;

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};
use tokio::time::Instant;

pub use limits::{Fault, TokenBucket};
pub use model::seed;
pub use model::{ApiError, World};
pub use rules::{UserConfigMode, UsernameMatch};

/// One call as the emulator saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub operation: String,
    pub status: u16,
    /// Time the emulator spent on the call, from arrival to answer (tokio's clock, so a test
    /// that pauses time sees the time it advanced).
    pub micros: u64,
}

/// An HTTP answer as it goes on the wire: status, headers, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpAnswer {
    /// The value of header `name` (case-insensitive, as HTTP header names are).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// What becomes of one request given to [`ConnectEmulator::handle`].
#[must_use = "a request that is held must be finished, or dropped to give up on it"]
pub enum Handling {
    /// The answer, now.
    Answer(HttpAnswer),
    /// The answer comes after `pause`: wait, then [`Pending::finish`]. For a
    /// [`Fault::Delay`] the call is served only then; for a [`Fault::Late`] it is served
    /// already and only the answer waits. Dropping the `Pending` is a caller that gave up (its
    /// connection closed): a delayed call is then never served, and neither is recorded.
    Wait { pause: Duration, then: Pending },
    /// The connection closes without an answer ([`Fault::Reset`]: nothing served;
    /// [`Fault::Dropped`]: served, the answer lost). Recorded with status 0.
    Closed,
}

/// The second half of a call that [`Handling::Wait`] held back.
#[must_use = "finish it to get the answer, or drop it to give up"]
pub struct Pending {
    shared: Arc<Shared>,
    started: Instant,
    step: Step,
}

enum Step {
    /// A delayed call, served when finished.
    Serve(Request),
    /// A call served already, its answer held.
    Deliver {
        operation: &'static str,
        result: model::ApiResult,
    },
}

impl Pending {
    /// Serves the call if it was delayed, records it and gives its answer.
    pub fn finish(self) -> HttpAnswer {
        let Pending {
            shared,
            started,
            step,
        } = self;
        let (operation, result) = match step {
            Step::Serve(request) => (request.operation, shared.work(&request)),
            Step::Deliver { operation, result } => (operation, result),
        };
        shared.answer(operation, result, started)
    }
}

/// A request the model routed: its operation and the parts its input is assembled from.
struct Request {
    operation: &'static str,
    labels: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Vec<u8>,
}

#[derive(Default)]
struct Traffic {
    global: Option<TokenBucket>,
    per_operation: HashMap<String, TokenBucket>,
    faults: HashMap<String, VecDeque<Fault>>,
    /// Operations denied although permissions.json grants them ([`ConnectEmulator::revoke`]).
    revoked: BTreeSet<String>,
}

#[derive(Default)]
struct Shared {
    world: Mutex<World>,
    calls: Mutex<Vec<Call>>,
    traffic: Mutex<Traffic>,
}

/// A local Connect: served on loopback ([`ConnectEmulator::start`]) or in memory only
/// ([`ConnectEmulator::in_memory`]). Clones share one state.
#[derive(Clone)]
pub struct ConnectEmulator {
    /// Where the server listens; `None` in memory.
    addr: Option<SocketAddr>,
    shared: Arc<Shared>,
}

impl ConnectEmulator {
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0").await
    }

    pub async fn start_on(address: &str) -> Self {
        let mut emulator = Self::in_memory();
        // Every route comes from the model; what matches none answers as an unknown operation.
        let app = Router::new()
            .fallback(serve_http)
            .with_state(emulator.clone());
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .expect("bind connect emulator");
        emulator.addr = Some(listener.local_addr().expect("emulator address"));
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        emulator
    }

    /// An emulator without a server: the same world, rules, faults, throttling and call
    /// record, reached through [`ConnectEmulator::handle`] or [`ConnectEmulator::respond`].
    pub fn in_memory() -> Self {
        Self {
            addr: None,
            shared: Arc::new(Shared::default()),
        }
    }

    /// The URL for `AWS_ENDPOINT_URL_CONNECT`. Panics for an emulator made
    /// [`ConnectEmulator::in_memory`], which has none.
    pub fn endpoint(&self) -> String {
        let addr = self
            .addr
            .expect("an in-memory Connect emulator has no endpoint");
        format!("http://{addr}")
    }

    /// One HTTP request, synchronously, without a socket: `path_and_query` as in the request
    /// line (`/users/{InstanceId}?…`), `headers` as sent (names in any case). Signing, IAM,
    /// throttling and injected faults apply as for the server; see [`Handling`] for an
    /// answer that must wait.
    pub fn handle(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Handling {
        let started = Instant::now();
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path_and_query, None),
        };
        let Some((operation, labels)) = service_model::model().route(method, path) else {
            return Handling::Answer(error_answer(&ApiError {
                status: 404,
                code: "UnknownOperationException",
                message: "no such operation".into(),
            }));
        };
        let request = Request {
            operation,
            labels,
            query: query_pairs(query),
            body: body.to_vec(),
        };
        let shared = &self.shared;
        let fault = match shared.admit(operation, headers, started) {
            Ok(fault) => fault,
            Err(answer) => return Handling::Answer(answer),
        };
        let pending = |step| Pending {
            shared: shared.clone(),
            started,
            step,
        };
        match fault {
            None => Handling::Answer(shared.answer(operation, shared.work(&request), started)),
            Some(Fault::Delay(pause)) => Handling::Wait {
                pause,
                then: pending(Step::Serve(request)),
            },
            Some(Fault::Late(pause)) => {
                let result = shared.work(&request);
                Handling::Wait {
                    pause,
                    then: pending(Step::Deliver { operation, result }),
                }
            }
            Some(Fault::Dropped) => {
                // The work is done; the connection closes before the answer.
                let _ = shared.work(&request);
                shared.record(operation, 0, started);
                Handling::Closed
            }
            Some(Fault::Reset) => {
                shared.record(operation, 0, started);
                Handling::Closed
            }
            Some(Fault::Error { status, code }) => {
                shared.record(operation, status, started);
                let message = if status == 429 {
                    "Rate exceeded".to_owned()
                } else {
                    format!("injected {code}")
                };
                Handling::Answer(error_answer(&ApiError {
                    status,
                    code,
                    message,
                }))
            }
            Some(Fault::Bare(status)) => {
                shared.record(operation, status, started);
                Handling::Answer(bare_answer(status))
            }
        }
    }

    /// [`ConnectEmulator::handle`], waiting out a held answer with `tokio::time::sleep` (so
    /// a test that pauses tokio's clock advances through it). `None`: the connection closed
    /// without an answer. Dropping the future while it waits is a caller that gave up.
    pub async fn respond(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Option<HttpAnswer> {
        match self.handle(method, path_and_query, headers, body) {
            Handling::Answer(answer) => Some(answer),
            Handling::Wait { pause, then } => {
                tokio::time::sleep(pause).await;
                Some(then.finish())
            }
            Handling::Closed => None,
        }
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

    /// `operation` is denied from now on, as by a policy that does not grant it (an older
    /// deployment's role, say), although permissions.json grants it: 403
    /// `AccessDeniedException`, as for any action no policy allows.
    pub fn revoke(&self, operation: &str) {
        self.shared
            .traffic
            .lock()
            .unwrap()
            .revoked
            .insert(operation.to_owned());
    }

    /// How `SearchUsers` compares `Username` from now on (default: regardless of case). AWS
    /// does not document it: see [`UsernameMatch`].
    pub fn set_username_match(&self, mode: UsernameMatch) {
        self.with_world(|w| w.username_match = mode);
    }

    /// "Not indexed yet": users added from now on (by `CreateUser` or
    /// [`ConnectEmulator::console_user`]) are not shown by `SearchUsers` until
    /// [`ConnectEmulator::resume_search_index`]. `ListUsers` and `DescribeUser` show them at
    /// once. See [`World::search_index_paused`].
    pub fn pause_search_index(&self) {
        self.with_world(|w| w.search_index_paused = true);
    }

    /// Ends [`ConnectEmulator::pause_search_index`]: every user held back is shown by
    /// `SearchUsers` from now on, and new users at once.
    pub fn resume_search_index(&self) {
        self.with_world(World::resume_search_index);
    }

    /// Puts a user made in the console called `username` straight into `instance` (no call
    /// recorded, no reserved tag; console settings and [`console::CONSOLE_TAGS`]: see
    /// [`console::console_body`]). Returns its id. Panics if Connect would refuse it.
    pub fn console_user(&self, instance: &str, username: &str) -> String {
        self.console_user_with(instance, username, |_| {})
    }

    /// [`ConnectEmulator::console_user`], with `edit` applied to its `CreateUser` body first
    /// (other tags, a tag of this project's as another stack wrote it, other settings).
    pub fn console_user_with(
        &self,
        instance: &str,
        username: &str,
        edit: impl FnOnce(&mut Value),
    ) -> String {
        self.with_world(|w| w.put_console_user(instance, username, edit))
            .unwrap_or_else(|e| panic!("console user {username}: {e:?}"))
    }

    /// Puts `count` console-made users into `instance` at once, named `prefix0000`,
    /// `prefix0001`, ... (see [`World::seed_console_users`]). Returns their ids.
    pub fn seed_console_users(&self, instance: &str, prefix: &str, count: usize) -> Vec<String> {
        self.with_world(|w| w.seed_console_users(instance, prefix, count))
            .unwrap_or_else(|e| panic!("seeding {count} users: {e:?}"))
    }

    /// Puts a routing profile called `name` into `instance`, as made in the console (no call
    /// recorded; see [`World::put_routing_profile`]): listed last by `ListRoutingProfiles`
    /// and accepted by `CreateUser` and `UpdateUserRoutingProfile`. Returns its id, unique
    /// and shaped like the seeds'; its ARN is
    /// `arn:aws:connect:{REGION}:{ACCOUNT}:instance/{instance}/routing-profile/{id}`. Panics
    /// if Connect would refuse it (a name the instance holds already, say).
    pub fn put_routing_profile(&self, instance: &str, name: &str) -> String {
        self.with_world(|w| w.put_routing_profile(instance, name))
            .unwrap_or_else(|e| panic!("routing profile {name}: {e:?}"))
    }

    /// Puts a security profile called `name` into `instance`, as made in the console (see
    /// [`World::put_security_profile`]): listed last by `ListSecurityProfiles` and accepted
    /// by `CreateUser` and `UpdateUserSecurityProfiles`. Returns its id; its ARN ends
    /// `.../security-profile/{id}`. Panics if Connect would refuse it.
    pub fn put_security_profile(&self, instance: &str, name: &str) -> String {
        self.with_world(|w| w.put_security_profile(instance, name))
            .unwrap_or_else(|e| panic!("security profile {name}: {e:?}"))
    }

    /// Puts a hierarchy group called `name` on `level` (1 to 5) into `instance`, as made in
    /// the console (see [`World::put_hierarchy_group`]: below level one it goes under the
    /// group last made on the level above): listed last by `ListUserHierarchyGroups`,
    /// described by `DescribeUserHierarchyGroup`, accepted by `CreateUser` and
    /// `UpdateUserHierarchy`. The same name may be held on another level. Returns its id; its
    /// ARN ends `.../agent-group/{id}`. Panics if Connect would refuse it.
    pub fn put_hierarchy_group(&self, instance: &str, name: &str, level: u8) -> String {
        self.with_world(|w| w.put_hierarchy_group(instance, name, level))
            .unwrap_or_else(|e| panic!("hierarchy group {name} on level {level}: {e:?}"))
    }

    /// Puts a hierarchy group called `name` under the group `parent`, one level below it (see
    /// [`World::put_hierarchy_group_under`]). Returns its id. Panics if Connect would refuse
    /// it.
    pub fn put_hierarchy_group_under(&self, instance: &str, name: &str, parent: &str) -> String {
        self.with_world(|w| w.put_hierarchy_group_under(instance, name, parent))
            .unwrap_or_else(|e| panic!("hierarchy group {name} under {parent}: {e:?}"))
    }

    /// Renames the routing profile `id` in the console (see
    /// [`World::rename_routing_profile`]): its id, users and place in the list stay. Panics
    /// if there is no such profile or Connect would refuse the name.
    pub fn rename_routing_profile(&self, instance: &str, id: &str, new_name: &str) {
        self.with_world(|w| w.rename_routing_profile(instance, id, new_name))
            .unwrap_or_else(|e| panic!("renaming routing profile {id} to {new_name}: {e:?}"))
    }

    /// Renames the security profile `id` (see [`World::rename_security_profile`]). Panics if
    /// there is no such profile or Connect would refuse the name.
    pub fn rename_security_profile(&self, instance: &str, id: &str, new_name: &str) {
        self.with_world(|w| w.rename_security_profile(instance, id, new_name))
            .unwrap_or_else(|e| panic!("renaming security profile {id} to {new_name}: {e:?}"))
    }

    /// Renames the hierarchy group `id` in the console (see
    /// [`World::rename_hierarchy_group`]). Panics if there is no such group or Connect would
    /// refuse the name.
    pub fn rename_hierarchy_group(&self, instance: &str, id: &str, new_name: &str) {
        self.with_world(|w| w.rename_hierarchy_group(instance, id, new_name))
            .unwrap_or_else(|e| panic!("renaming hierarchy group {id} to {new_name}: {e:?}"))
    }

    /// Puts `count` routing profiles into `instance` at once, named `prefix0000`,
    /// `prefix0001`, ... after those it holds (see [`World::seed_routing_profiles`]; 3,000 in
    /// milliseconds). Returns their ids in that order.
    pub fn seed_routing_profiles(&self, instance: &str, prefix: &str, count: usize) -> Vec<String> {
        self.with_world(|w| w.seed_routing_profiles(instance, prefix, count))
            .unwrap_or_else(|e| panic!("seeding {count} routing profiles: {e:?}"))
    }

    /// [`ConnectEmulator::seed_routing_profiles`] for security profiles.
    pub fn seed_security_profiles(
        &self,
        instance: &str,
        prefix: &str,
        count: usize,
    ) -> Vec<String> {
        self.with_world(|w| w.seed_security_profiles(instance, prefix, count))
            .unwrap_or_else(|e| panic!("seeding {count} security profiles: {e:?}"))
    }

    /// [`ConnectEmulator::seed_routing_profiles`] for hierarchy groups, all on level one.
    pub fn seed_hierarchy_groups(&self, instance: &str, prefix: &str, count: usize) -> Vec<String> {
        self.with_world(|w| w.seed_hierarchy_groups(instance, prefix, count))
            .unwrap_or_else(|e| panic!("seeding {count} hierarchy groups: {e:?}"))
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

    /// How many calls of `operation` the emulator saw, served or not.
    pub fn calls_of(&self, operation: &str) -> usize {
        self.shared
            .calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.operation == operation)
            .count()
    }

    /// The operations that were served successfully, in order.
    pub fn served(&self) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter(|c| c.status == 200)
            .map(|c| c.operation)
            .collect()
    }

    /// The successfully served operations that change something (not `Describe*`, `List*`
    /// or `Search*`).
    pub fn mutations(&self) -> Vec<String> {
        self.served()
            .into_iter()
            .filter(|op| {
                !["Describe", "List", "Search"]
                    .iter()
                    .any(|read| op.starts_with(read))
            })
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

    /// [`Self::user`], typed ([`crate::user_view::UserView`]).
    pub fn user_view(&self, instance: &str, user_id: &str) -> Option<crate::user_view::UserView> {
        self.user(instance, user_id)
            .map(|user| crate::user_view::UserView::of(&user))
    }

    /// The user an `instanceId:userId` physical id names, as `DescribeUser` would show it.
    pub fn user_at(&self, physical_id: &str) -> Option<Value> {
        let (instance, user_id) = physical_id.split_once(':')?;
        self.user(instance, user_id)
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

fn json_answer(status: u16, extra: &[(&str, &str)], body: String) -> HttpAnswer {
    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    headers.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    HttpAnswer {
        status,
        headers,
        body: body.into_bytes(),
    }
}

fn error_answer(error: &ApiError) -> HttpAnswer {
    json_answer(
        error.status,
        &[("x-amzn-ErrorType", error.code)],
        json!({ "Message": error.message }).to_string(),
    )
}

/// A bare status as a gateway or load balancer answers it: an HTML body and no
/// `x-amzn-ErrorType`.
fn bare_answer(status: u16) -> HttpAnswer {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let title = format!(
        "{} {}",
        code.as_u16(),
        code.canonical_reason().unwrap_or("Error")
    );
    HttpAnswer {
        status: code.as_u16(),
        headers: vec![("content-type".to_owned(), "text/html".to_owned())],
        body: format!("<html><body><h1>{title}</h1></body></html>").into_bytes(),
    }
}

impl Shared {
    fn record(&self, operation: &str, status: u16, started: Instant) {
        let micros = started.elapsed().as_micros() as u64;
        let call = Call {
            operation: operation.to_owned(),
            status,
            micros,
        };
        self.calls.lock().unwrap().push(call);
    }

    /// Applies signing, IAM, throttling and injected faults: `Err` is the answer to give
    /// instead of serving, `Ok` the fault (if any) that shapes how the call is served.
    fn admit(
        &self,
        operation: &'static str,
        headers: &[(&str, &str)],
        started: Instant,
    ) -> Result<Option<Fault>, HttpAnswer> {
        let signed = headers.iter().any(|(name, value)| {
            name.eq_ignore_ascii_case("authorization")
                && value.starts_with("AWS4-HMAC-SHA256 Credential=")
        });
        if !signed {
            let error = ApiError {
                status: 403,
                code: "MissingAuthenticationTokenException",
                message: "Missing Authentication Token".into(),
            };
            self.record(operation, 403, started);
            return Err(error_answer(&error));
        }
        let revoked = self.traffic.lock().unwrap().revoked.contains(operation);
        if revoked || !crate::iam::is_granted("connect", operation) {
            // What AWS answers an action no policy allows (Connect's AccessDeniedException,
            // 403, in the API reference's common errors).
            let error = ApiError {
                status: 403,
                code: "AccessDeniedException",
                message: if revoked {
                    format!("connect:{operation} is denied: the test revoked it")
                } else {
                    format!(
                        "connect:{operation} is not granted by src/connect_user/permissions.json"
                    )
                },
            };
            self.record(operation, 403, started);
            return Err(error_answer(&error));
        }
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
        Ok(if throttled {
            Some(Fault::throttle())
        } else {
            fault
        })
    }

    /// The model assembles the input from the labels, the query string and the body, and
    /// the world serves it.
    fn work(&self, request: &Request) -> model::ApiResult {
        let model = service_model::model();
        let operation = request.operation;
        let body = parse_body(&request.body)?;
        let input = model
            .assemble_input(operation, &request.labels, &request.query, &body)
            .map_err(|violations| model.violation_error(operation, &violations))?;
        self.world.lock().unwrap().call(operation, &input)
    }

    /// Records the call and gives its answer.
    fn answer(&self, operation: &str, result: model::ApiResult, started: Instant) -> HttpAnswer {
        match result {
            Ok(body) => {
                self.record(operation, 200, started);
                json_answer(200, &[], body.to_string())
            }
            Err(error) => {
                self.record(operation, error.status, started);
                error_answer(&error)
            }
        }
    }
}

/// The JSON body: `{}` when empty; anything but an object is not a request Connect reads.
fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
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
    query
        .map(|query| {
            form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The HTTP server: every request goes to [`ConnectEmulator::respond`].
async fn serve_http(
    State(emulator): State<ConnectEmulator>,
    method: Method,
    uri: Uri,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
        .collect();
    let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
    let Some(answer) = emulator
        .respond(method.as_str(), path_and_query, &headers, &body)
        .await
    else {
        // Closing the connection without an answer: the handler's task ends unanswered.
        std::panic::resume_unwind(Box::new("connection closed by the emulator"));
    };
    let mut response = (
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        answer.body,
    )
        .into_response();
    for (name, value) in &answer.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

#[cfg(test)]
mod tests;
