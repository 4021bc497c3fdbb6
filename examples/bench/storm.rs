//! The throttle storm (`make bench storm`): N function processes, one event each at the same
//! moment, as CloudFormation runs a stack's custom resources, against one Connect emulator
//! throttled to 2 requests/second with a burst of 5 shared by all its APIs (the harder of the
//! two readings of Connect's quota page), through every phase of a stack: Create, an Update
//! that changes every user (a read and a write each), the rollback of that Update, Delete, and
//! a Create with `AdoptExistingUser` of N console-made users. Each process has its own Lambda
//! Invoke API, which hands its continuations back to it, and each event the template's
//! settings: a 900 s invocation, `ServiceTimeout` 3,600 s.
//!
//! A bystander (another client of the account's Connect API, the contact centre's own
//! integration) calls `DescribeUser` at 0.5 requests/second throughout; its share of calls
//! served is reported.
//!
//! The storm is played twice, as templates write their profiles: by ids (`RoutingProfileId`,
//! `SecurityProfileIds`) and by names (`RoutingProfileName`, `SecurityProfileNames`, resolved
//! with one List call per kind per Create and Update); `STORM_BY=ids` or `STORM_BY=names`
//! plays one of them alone.
//!
//! `STORM_FUNCTIONS` (default 40) sets N. `STORM_SCALE` (default 1) runs the same storm k
//! times faster: the rate, the bystander's rate and every time constant of the function (its
//! backoff, the invocation's timeout, `ServiceTimeout`, the answer margin) scaled together,
//! so that the dynamics, the counts and the ratios to the bound are those of the real-time
//! run, in 1/k of the time.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use testkit::connect_emulator::{seed, ConnectEmulator};
use testkit::events;
use testkit::examples::{by_names, seed_examples};
use testkit::function::Function;
use testkit::lambda_api::LambdaApi;
use testkit::runtime_api::RuntimeApi;
use testkit::sink::Sink;

/// Connect's quota (Amazon Connect Administrator Guide, service quotas: 2 requests/second,
/// burst 5), and the template's settings.
pub const RATE: f64 = 2.0;
pub const BURST: u32 = 5;
const LAMBDA_TIMEOUT_S: f64 = 900.0;
const SERVICE_TIMEOUT_S: f64 = 3600.0;
/// The shipped backoff (protocol/src/deadline.rs, CALL_RETRY): 2 s first, cap 36 s.
const RETRY_FIRST_MS: f64 = 2000.0;
const RETRY_CAP_MS: f64 = 36000.0;
const BYSTANDER_RATE: f64 = 0.5;

/// How the storm's templates name their profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profiles {
    ById,
    ByName,
}

impl Profiles {
    /// The lookups a Create or Update makes on top of its other calls: by names, one
    /// `ListRoutingProfiles` and one `ListSecurityProfiles` (the seeded instance holds fewer
    /// than 1,000 of each).
    fn lookups(self) -> f64 {
        match self {
            Profiles::ById => 0.0,
            Profiles::ByName => 2.0,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Profiles::ById => "",
            Profiles::ByName => " (by names)",
        }
    }
}

/// One phase's figures.
pub struct Phase {
    pub name: String,
    pub functions: usize,
    /// The phase's minimal calls per user: what one user's event makes alone.
    pub calls_per_user: f64,
    pub makespan: f64,
    pub succeeded: usize,
    /// Calls of the functions only (the bystander's are counted apart).
    pub served: usize,
    pub throttled: usize,
    pub continuations: usize,
    pub bystander_share: f64,
    pub scale: f64,
}

impl Phase {
    /// (calls − burst) ÷ rate, in real-time seconds.
    pub fn bound(&self) -> f64 {
        let calls = self.functions as f64 * self.calls_per_user;
        ((calls - f64::from(BURST)) / RATE).max(0.0)
    }

    /// The makespan in real-time seconds (a scaled run's, times the scale).
    pub fn real_makespan(&self) -> f64 {
        self.makespan * self.scale
    }

    pub fn throttled_per_served(&self) -> f64 {
        self.throttled as f64 / self.served.max(1) as f64
    }

    /// The bar: every event succeeded, at most 10 throttled calls per served call,
    /// the makespan within 1.15 × the bound.
    pub fn meets_bar(&self) -> bool {
        self.succeeded == self.functions
            && self.throttled_per_served() <= 10.0
            && self.real_makespan() <= 1.15 * self.bound()
    }

    pub fn json(&self) -> Value {
        json!({
            "phase": self.name, "functions": self.functions, "calls_per_user": self.calls_per_user,
            "succeeded": self.succeeded, "makespan_s": self.real_makespan(), "bound_s": self.bound(),
            "ratio_to_bound": self.real_makespan() / self.bound().max(1e-9),
            "served": self.served, "throttled": self.throttled,
            "throttled_per_served": self.throttled_per_served(),
            "continuations": self.continuations, "bystander_share": self.bystander_share,
            "scale": self.scale,
        })
    }
}

struct Fleet {
    runtimes: Vec<RuntimeApi>,
    lambdas: Vec<LambdaApi>,
    _functions: Vec<Function>,
    invocation_timeout: Duration,
}

/// Another client of the account's Connect API: `DescribeUser` at a steady rate.
struct Bystander {
    attempts: Arc<AtomicU64>,
    served: Arc<AtomicU64>,
    stop: Arc<tokio::sync::Notify>,
}

impl Bystander {
    fn start(endpoint: String, user_id: String, rate: f64) -> Self {
        let attempts = Arc::new(AtomicU64::new(0));
        let served = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(tokio::sync::Notify::new());
        let (a, s, halt) = (attempts.clone(), served.clone(), stop.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let url = format!("{endpoint}/users/{}/{user_id}", seed::INSTANCE_MANAGED);
            let period = Duration::from_secs_f64(1.0 / rate);
            loop {
                let call = client
                    .get(&url)
                    .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIDBYSTANDER/20261203/us-east-1/connect/aws4_request, SignedHeaders=host, Signature=0")
                    .send();
                if let Ok(answer) = call.await {
                    a.fetch_add(1, Ordering::SeqCst);
                    if answer.status().as_u16() == 200 {
                        s.fetch_add(1, Ordering::SeqCst);
                    }
                }
                tokio::select! {
                    _ = tokio::time::sleep(period) => {}
                    _ = halt.notified() => return,
                }
            }
        });
        Self {
            attempts,
            served,
            stop,
        }
    }

    fn counts(&self) -> (u64, u64) {
        (
            self.attempts.load(Ordering::SeqCst),
            self.served.load(Ordering::SeqCst),
        )
    }
}

impl Drop for Bystander {
    fn drop(&mut self) {
        self.stop.notify_waiters();
    }
}

async fn fleet(binary: &Path, n: usize, scale: f64, connect: &ConnectEmulator) -> Fleet {
    let first = format!("{:.0}", RETRY_FIRST_MS / scale);
    let cap = format!("{:.0}", RETRY_CAP_MS / scale);
    let margin = format!("{:.0}", (5000.0 / scale).max(1000.0));
    let invocation_timeout = Duration::from_secs_f64(LAMBDA_TIMEOUT_S / scale);
    let mut fleet = Fleet {
        runtimes: Vec::new(),
        lambdas: Vec::new(),
        _functions: Vec::new(),
        invocation_timeout,
    };
    for _ in 0..n {
        let runtime = RuntimeApi::start().await;
        let lambda = LambdaApi::start().await;
        lambda.deliver_to(runtime.enqueuer(), invocation_timeout);
        let endpoint = lambda.endpoint();
        let env = [
            ("AWS_ENDPOINT_URL_LAMBDA", endpoint.as_str()),
            ("RETRY_FIRST_MS", first.as_str()),
            ("RETRY_CAP_MS", cap.as_str()),
            ("RESPONSE_MARGIN_MS", margin.as_str()),
            ("RUST_LOG", "warn"),
        ];
        let function = Function::start_binary(binary, &runtime, Some(&connect.endpoint()), &env);
        fleet._functions.push(function);
        fleet.runtimes.push(runtime);
        fleet.lambdas.push(lambda);
    }
    for runtime in &fleet.runtimes {
        runtime
            .first_poll(Duration::from_secs(60))
            .await
            .expect("every function is up");
    }
    fleet
}

/// The basic example named `name`, with the template's `ServiceTimeout` (scaled), its
/// profiles given as `profiles` says.
fn user(name: &str, scale: f64, profiles: Profiles) -> Value {
    let mut properties = seed_examples()[0].1.clone();
    if profiles == Profiles::ByName {
        properties = by_names(properties);
    }
    properties["Name"] = json!(name);
    properties["ServiceTimeout"] = json!(format!("{:.0}", (SERVICE_TIMEOUT_S / scale).max(1.0)));
    events::stringify(properties)
}

struct Play<'a> {
    fleet: &'a Fleet,
    connect: &'a ConnectEmulator,
    sink: &'a Sink,
    bystander: &'a Bystander,
    scale: f64,
}

impl Play<'_> {
    /// Plays one event per function at the same moment and waits for every answer.
    async fn phase(
        &self,
        name: String,
        calls_per_user: f64,
        make_event: impl Fn(usize, &str) -> Value,
    ) -> (Phase, Vec<Value>) {
        self.connect.clear_calls();
        let continued_before: usize = self.fleet.lambdas.iter().map(LambdaApi::accepted).sum();
        let (by_attempts, by_served) = self.bystander.counts();
        let started = Instant::now();
        let slug: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
        let mut keys = Vec::new();
        for (i, runtime) in self.fleet.runtimes.iter().enumerate() {
            let key = format!("{slug}-{i}");
            runtime.enqueue(make_event(i, &key), self.fleet.invocation_timeout);
            keys.push(key);
        }
        let give_up =
            Instant::now() + Duration::from_secs_f64(SERVICE_TIMEOUT_S / self.scale + 30.0);
        let mut answers = Vec::new();
        let mut last = Duration::ZERO;
        for key in &keys {
            let left = give_up.saturating_duration_since(Instant::now());
            let answer = self.sink.answer(key, left).await;
            if answer.is_some() {
                last = last.max(started.elapsed());
            }
            answers.push(answer.map(|a| a.json()).unwrap_or(Value::Null));
        }
        let (by_attempts_after, by_served_after) = self.bystander.counts();
        let (bystander_attempts, bystander_served) =
            (by_attempts_after - by_attempts, by_served_after - by_served);
        let calls = self.connect.calls();
        let count = |status: u16| calls.iter().filter(|c| c.status == status).count();
        // The bystander's calls are in the emulator's count too: taken out again.
        let throttled = count(429).saturating_sub((bystander_attempts - bystander_served) as usize);
        let served = count(200).saturating_sub(bystander_served as usize);
        let continued_after: usize = self.fleet.lambdas.iter().map(LambdaApi::accepted).sum();
        let phase = Phase {
            name,
            functions: keys.len(),
            calls_per_user,
            makespan: last.as_secs_f64(),
            succeeded: answers.iter().filter(|a| a["Status"] == "SUCCESS").count(),
            served,
            throttled,
            continuations: continued_after - continued_before,
            bystander_share: bystander_served as f64 / bystander_attempts.max(1) as f64,
            scale: self.scale,
        };
        (phase, answers)
    }
}

/// Served calls of one adopting Create alone (no contention): the adoption's minimal calls.
async fn lone_adoption_calls(
    binary: &Path,
    connect: &ConnectEmulator,
    sink: &Sink,
    profiles: Profiles,
) -> f64 {
    let name = match profiles {
        Profiles::ById => "console-probe",
        Profiles::ByName => "console-probe-n",
    };
    connect.console_user(seed::INSTANCE_MANAGED, name);
    let runtime = RuntimeApi::start().await;
    let function = Function::start_binary(
        binary,
        &runtime,
        Some(&connect.endpoint()),
        &[("RUST_LOG", "warn")],
    );
    connect.clear_calls();
    let mut properties = user(name, 1.0, profiles);
    properties["AdoptExistingUser"] = json!("true");
    if let Some(map) = properties.as_object_mut() {
        map.remove("Password");
    }
    let event = events::create(sink, &format!("adopt-probe-{name}"), "Probe", &properties);
    let _ = runtime.invoke(event, Duration::from_secs(60)).await;
    drop(function);
    connect.calls().iter().filter(|c| c.status == 200).count() as f64
}

/// Plays every phase with `n` functions, once for each of `runs`; `scale` as the module doc
/// says.
pub async fn storm(binary: &Path, n: usize, scale: f64, runs: &[Profiles]) -> Vec<Phase> {
    let connect = ConnectEmulator::start().await;
    let sink = Sink::start().await;
    let mut adoption_calls = Vec::new();
    for profiles in runs {
        adoption_calls.push(lone_adoption_calls(binary, &connect, &sink, *profiles).await);
    }
    let target = connect.console_user(seed::INSTANCE_MANAGED, "bystander-target");
    for profiles in runs {
        drop(connect.seed_console_users(seed::INSTANCE_MANAGED, console_prefix(*profiles), n));
    }
    connect.rate_limit(RATE * scale, BURST);
    let fleet = fleet(binary, n, scale, &connect).await;
    let bystander = Bystander::start(connect.endpoint(), target, BYSTANDER_RATE * scale);
    let play = Play {
        fleet: &fleet,
        connect: &connect,
        sink: &sink,
        bystander: &bystander,
        scale,
    };
    let mut phases = Vec::new();
    for (profiles, adoption_calls) in runs.iter().zip(adoption_calls) {
        phases.extend(play.stack(*profiles, adoption_calls).await);
    }
    phases
}

/// The console users a run adopts: `console0000`, ... by ids, `consolen0000`, ... by names.
fn console_prefix(profiles: Profiles) -> &'static str {
    match profiles {
        Profiles::ById => "console",
        Profiles::ByName => "consolen",
    }
}

impl Play<'_> {
    /// Every phase of a stack of the fleet's users, their profiles given as `profiles` says.
    async fn stack(&self, profiles: Profiles, adoption_calls: f64) -> Vec<Phase> {
        let (sink, scale, label) = (self.sink, self.scale, profiles.label());
        let lookups = profiles.lookups();
        let name = |i: usize| format!("storm{i:03}");
        let user = |i: usize| user(&name(i), scale, profiles);
        let mut phases = Vec::new();
        // STORM_PHASES=adopt plays the adoption alone.
        let only_adoption = std::env::var("STORM_PHASES").is_ok_and(|v| v == "adopt");
        if !only_adoption {
            let (phase, answers) = self
                .phase(format!("create{label}"), 1.0 + lookups, |i, key| {
                    events::create(sink, key, "Agent", &user(i))
                })
                .await;
            let ids: Vec<String> = answers
                .iter()
                .map(|a| {
                    a["PhysicalResourceId"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect();
            phases.push(phase);

            let moved = |i: usize| {
                let mut properties = user(i);
                match profiles {
                    Profiles::ById => {
                        properties["RoutingProfileId"] = json!(seed::ROUTING_PROFILES[1]);
                    }
                    Profiles::ByName => {
                        properties["RoutingProfileName"] = json!(seed::ROUTING_PROFILE_NAMES[1]);
                    }
                }
                properties
            };
            let (phase, _) = self
                .phase(
                    format!("update (every user changed){label}"),
                    2.0 + lookups,
                    |i, key| events::update(sink, key, "Agent", &ids[i], &moved(i), &user(i)),
                )
                .await;
            phases.push(phase);
            // CloudFormation's rollback of an Update: the same resources, old and new swapped.
            let (phase, _) = self
                .phase(
                    format!("rollback of that update{label}"),
                    2.0 + lookups,
                    |i, key| events::update(sink, key, "Agent", &ids[i], &user(i), &moved(i)),
                )
                .await;
            phases.push(phase);
            let (phase, _) = self
                .phase(format!("delete{label}"), 2.0, |i, key| {
                    events::delete(sink, key, "Agent", &ids[i], &user(i))
                })
                .await;
            phases.push(phase);
        }

        let prefix = console_prefix(profiles);
        let adopting = |i: usize| {
            let mut properties = self::user(&format!("{prefix}{i:04}"), scale, profiles);
            properties["AdoptExistingUser"] = json!("true");
            if let Some(map) = properties.as_object_mut() {
                map.remove("Password");
            }
            properties
        };
        let (phase, _) = self
            .phase(
                format!("create, adopting console users{label}"),
                adoption_calls,
                |i, key| events::create(sink, key, "Agent", &adopting(i)),
            )
            .await;
        phases.push(phase);
        phases
    }
}
