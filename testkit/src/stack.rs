//! A whole local setup: the Connect and Secrets Manager emulators, a ResponseURL sink, the
//! Runtime API and the real function process, with a helper that plays one CloudFormation event end to end.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;

use super::connect_emulator::ConnectEmulator;
use super::events;
use super::function::Function;
use super::lambda_api::LambdaApi;
use super::runtime_api::{Invocation, RuntimeApi};
use super::secrets_emulator::SecretsEmulator;
use super::sink::Sink;

/// A function process besides [`LocalStack::function`]: see [`LocalStack::another_function`].
pub struct OtherFunction {
    pub runtime: RuntimeApi,
    pub function: Function,
}

/// A Runtime API and the function process polling it, pointed at `connect`, `secrets` and
/// the Lambda Invoke API `lambda` (which delivers continuations back to this Runtime API).
async fn launch(
    connect: &ConnectEmulator,
    secrets: &SecretsEmulator,
    lambda: &LambdaApi,
    env: &[(&str, &str)],
) -> (RuntimeApi, Function) {
    let runtime = RuntimeApi::start().await;
    let secrets_endpoint = secrets.endpoint();
    let lambda_endpoint = lambda.endpoint();
    let mut env = env.to_vec();
    env.insert(0, ("AWS_ENDPOINT_URL_LAMBDA", &lambda_endpoint));
    env.push(("AWS_ENDPOINT_URL_SECRETS_MANAGER", &secrets_endpoint));
    let function = Function::start(&runtime, Some(&connect.endpoint()), &env);
    (runtime, function)
}

pub struct LocalStack {
    pub connect: ConnectEmulator,
    /// Lambda's Invoke API: the function's continuations of work that outlasts an invocation
    /// are delivered back to [`LocalStack::runtime`], with [`LocalStack::timeout`].
    pub lambda: LambdaApi,
    pub secrets: SecretsEmulator,
    pub sink: Sink,
    pub runtime: RuntimeApi,
    pub function: Function,
    counter: AtomicU64,
    /// The Lambda timeout given to each invocation.
    pub timeout: Duration,
}

impl LocalStack {
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    pub async fn start_with(env: &[(&str, &str)]) -> Self {
        let connect = ConnectEmulator::start().await;
        let secrets = SecretsEmulator::start().await;
        let sink = Sink::start().await;
        let lambda = LambdaApi::start().await;
        let (runtime, function) = launch(&connect, &secrets, &lambda, env).await;
        let timeout = Duration::from_secs(30);
        lambda.deliver_to(runtime.enqueuer(), timeout);
        Self {
            connect,
            lambda,
            secrets,
            sink,
            runtime,
            function,
            counter: AtomicU64::new(0),
            timeout,
        }
    }

    /// Another function process, with its own Runtime API and environment `env`, on the same
    /// emulators and sink: a second stack's function, or a second Lambda execution
    /// environment of this one running at the same time. Play events to it with
    /// [`LocalStack::play_on`].
    pub async fn another_function(&self, env: &[(&str, &str)]) -> OtherFunction {
        let (runtime, function) = launch(&self.connect, &self.secrets, &self.lambda, env).await;
        OtherFunction { runtime, function }
    }

    /// Replaces the function process with one started with the environment `env`, on the same
    /// emulators and sink, as a changed function configuration (an environment variable, say)
    /// has Lambda start new execution environments. Returns what the old process printed.
    pub async fn restart_with(&mut self, env: &[(&str, &str)]) -> String {
        let output = self.function.stop().await;
        let (runtime, function) = launch(&self.connect, &self.secrets, &self.lambda, env).await;
        self.lambda.deliver_to(runtime.enqueuer(), self.timeout);
        self.runtime = runtime;
        self.function = function;
        output
    }

    /// A fresh RequestId.
    pub fn request_id(&self, label: &str) -> String {
        format!("{label}-{}", self.counter.fetch_add(1, Ordering::SeqCst))
    }

    /// Invokes the function with `event` and returns the answer CloudFormation received.
    pub async fn play(&self, event: Value) -> Value {
        self.play_within(event, self.timeout).await
    }

    /// [`LocalStack::play`] with a given Lambda timeout. The function must answer this
    /// delivery exactly once (when the sink injects no fault), or only with identical answers
    /// (when a fault may let an abandoned attempt land too).
    pub async fn play_within(&self, event: Value, timeout: Duration) -> Value {
        self.deliver(&self.runtime, &self.function, event, timeout)
            .await
    }

    /// [`LocalStack::play`], to [`LocalStack::another_function`]'s process.
    pub async fn play_on(&self, other: &OtherFunction, event: Value) -> Value {
        self.deliver(&other.runtime, &other.function, event, self.timeout)
            .await
    }

    async fn deliver(
        &self,
        runtime: &RuntimeApi,
        function: &Function,
        event: Value,
        timeout: Duration,
    ) -> Value {
        let request_id = event["RequestId"].as_str().unwrap_or_default().to_owned();
        let earlier = self.sink.attempts(&request_id).len();
        let invocation = runtime.invoke(event, timeout).await;
        assert!(
            matches!(invocation, Some(Invocation::Response(_))),
            "the function answered Lambda with {invocation:?}\n{}",
            function.output()
        );
        self.sink
            .answer(&request_id, Duration::from_secs(5))
            .await
            .unwrap_or_else(|| panic!("no answer for {request_id}\n{}", function.output()));
        // The invocation has returned, so this delivery's PUTs are all made.
        let accepted: Vec<Value> = self.sink.attempts(&request_id)[earlier..]
            .iter()
            .filter(|r| r.status == 200)
            .map(|r| r.json())
            .collect();
        assert!(
            !accepted.is_empty(),
            "{request_id}: this delivery was never answered"
        );
        if !self.sink.was_scripted() {
            assert_eq!(
                accepted.len(),
                1,
                "{request_id}: answered more than once: {accepted:?}"
            );
        }
        assert!(
            accepted.iter().all(|a| *a == accepted[0]),
            "{request_id}: different answers to one delivery: {accepted:?}"
        );
        accepted[0].clone()
    }

    /// Queues `event` with a Lambda deadline `timeout` from now, as CloudFormation invokes
    /// asynchronously, and waits up to `wait` for the answer, however many invocations (the
    /// first and its continuations) it takes. Every accepted answer to the request must be
    /// the same; returns it with every answer received.
    pub async fn play_through(
        &self,
        event: Value,
        timeout: Duration,
        wait: Duration,
    ) -> (Value, Vec<Value>) {
        let request_id = event["RequestId"].as_str().unwrap_or_default().to_owned();
        self.runtime.enqueue(event, timeout);
        let answer = self
            .sink
            .answer(&request_id, wait)
            .await
            .unwrap_or_else(|| panic!("no answer for {request_id}\n{}", self.function.output()))
            .json();
        let accepted: Vec<Value> = self
            .sink
            .attempts(&request_id)
            .iter()
            .filter(|r| r.status == 200)
            .map(|r| r.json())
            .collect();
        assert!(
            accepted.iter().all(|a| *a == answer),
            "{request_id}: different answers to one request: {accepted:?}"
        );
        (answer, accepted)
    }

    pub async fn create(&self, logical_id: &str, properties: &Value) -> Value {
        let id = self.request_id("create");
        self.play(events::create(&self.sink, &id, logical_id, properties))
            .await
    }

    pub async fn update(
        &self,
        logical_id: &str,
        physical_id: &str,
        new: &Value,
        old: &Value,
    ) -> Value {
        let id = self.request_id("update");
        self.play(events::update(
            &self.sink,
            &id,
            logical_id,
            physical_id,
            new,
            old,
        ))
        .await
    }

    pub async fn delete(&self, logical_id: &str, physical_id: &str, properties: &Value) -> Value {
        let id = self.request_id("delete");
        self.play(events::delete(
            &self.sink,
            &id,
            logical_id,
            physical_id,
            properties,
        ))
        .await
    }
}
