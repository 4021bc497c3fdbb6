//! An in-memory Connect for unit tests: aws-sdk-connect's signed requests go, with no socket,
//! to the testkit's Connect emulator — the same service model, rules, faults and throttle the
//! end-to-end tests run against, so unit tests need no second model of Connect. Time is
//! tokio's, so a test with a paused clock runs a minute of retries in milliseconds.

use std::fmt;

use aws_sdk_connect::config::retry::RetryConfig;
use aws_sdk_connect::config::timeout::TimeoutConfig;
use aws_sdk_connect::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_connect::Client;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use testkit::connect_emulator::ConnectEmulator;

use super::sdk::SdkConnect;
use crate::protocol::deadline::CALL_ATTEMPT_TIMEOUT;

/// The SDK adapter over `emulator`, configured as the function configures it (SDK retries off,
/// the per-attempt timeout of the deadline budget).
pub fn sdk_connect(emulator: &ConnectEmulator) -> SdkConnect {
    let config = aws_sdk_connect::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDUNITTEST",
            "secret",
            None,
            None,
            "unit",
        ))
        .http_client(Bridge(emulator.clone()))
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(CALL_ATTEMPT_TIMEOUT)
                .build(),
        )
        .build();
    SdkConnect::with_client(Client::from_conf(config))
}

/// Hands each request to the emulator.
#[derive(Clone)]
struct Bridge(ConnectEmulator);

impl fmt::Debug for Bridge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bridge(in-memory Connect)")
    }
}

/// `/users/…?…` out of `https://host/users/…?…`.
fn path_and_query(uri: &str) -> String {
    let rest = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    match rest.find('/') {
        Some(at) => rest[at..].to_owned(),
        None => "/".to_owned(),
    }
}

impl HttpConnector for Bridge {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let emulator = self.0.clone();
        let method = request.method().to_owned();
        let path = path_and_query(request.uri());
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        let body = request.body().bytes().unwrap_or_default().to_vec();
        HttpConnectorFuture::new(async move {
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect();
            let Some(answer) = emulator.respond(&method, &path, &headers, &body).await else {
                return Err(ConnectorError::io(
                    "the connection closed without an answer".into(),
                ));
            };
            let status = StatusCode::try_from(answer.status)
                .map_err(|e| ConnectorError::other(Box::new(e), None))?;
            let mut response = HttpResponse::new(status, SdkBody::from(answer.body));
            for (name, value) in answer.headers {
                response.headers_mut().insert(name, value);
            }
            Ok(response)
        })
    }
}

impl HttpClient for Bridge {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}
