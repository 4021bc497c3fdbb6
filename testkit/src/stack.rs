//! A whole local setup: the Connect and Secrets Manager emulators, a ResponseURL sink, the
//! Runtime API and the real function process, with a helper that plays one CloudFormation event end to end.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;

use super::connect_emulator::ConnectEmulator;
use super::events;
use super::function::Function;
use super::runtime_api::{Invocation, RuntimeApi};
use super::secrets_emulator::SecretsEmulator;
use super::sink::Sink;

pub struct LocalStack {
    pub connect: ConnectEmulator,
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
        let runtime = RuntimeApi::start().await;
        let secrets_endpoint = secrets.endpoint();
        let mut env = env.to_vec();
        env.push(("AWS_ENDPOINT_URL_SECRETS_MANAGER", &secrets_endpoint));
        let function = Function::start(&runtime, Some(&connect.endpoint()), &env);
        Self {
            connect,
            secrets,
            sink,
            runtime,
            function,
            counter: AtomicU64::new(0),
            timeout: Duration::from_secs(30),
        }
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
        let request_id = event["RequestId"].as_str().unwrap_or_default().to_owned();
        let earlier = self.sink.attempts(&request_id).len();
        let invocation = self.runtime.invoke(event, timeout).await;
        assert!(
            matches!(invocation, Some(Invocation::Response(_))),
            "the function answered Lambda with {invocation:?}\n{}",
            self.function.output()
        );
        self.sink
            .answer(&request_id, Duration::from_secs(5))
            .await
            .unwrap_or_else(|| panic!("no answer for {request_id}\n{}", self.function.output()));
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
