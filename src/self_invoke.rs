//! [`SelfInvoke`] over aws-sdk-lambda: the asynchronous `Invoke` that hands a request's work
//! to the next invocation of this very function (see [`crate::protocol::continuation`]).
//!
//! `InvocationType: Event` queues the payload and answers 202 at once (Lambda API Reference,
//! "Invoke": "Event – Invoke the function asynchronously. Send events that fail multiple times
//! to the function's dead-letter queue"; "For asynchronous invocation, Lambda adds events to a
//! queue before sending them to your function"). The client shares the SDK configuration of
//! the others (retries off, timeouts from the budget), so `AWS_ENDPOINT_URL_LAMBDA` points it
//! at a local emulator in tests. IAM: `lambda:InvokeFunction` on this function alone.

use std::future::Future;
use std::pin::Pin;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;
use aws_sdk_lambda::Client;
use tokio::sync::OnceCell;

use crate::connect_user::aws;
use crate::protocol::continuation::{InvokeError, SelfInvoke};

/// The Lambda client, built on the first continuation: most events never need one.
#[derive(Debug, Default)]
pub struct SdkSelfInvoke {
    client: OnceCell<Client>,
}

impl SdkSelfInvoke {
    pub fn new() -> Self {
        Self::default()
    }

    async fn invoke(&self, function: &str, payload: Vec<u8>) -> Result<(), InvokeError> {
        let client = self
            .client
            .get_or_init(|| async { Client::new(aws::config().await) })
            .await;
        let output = client
            .invoke()
            .function_name(function)
            .invocation_type(InvocationType::Event)
            .payload(Blob::new(payload))
            .send()
            .await
            .map_err(|error| {
                let failure = aws::sdk_failure(error);
                let message = match failure.status {
                    Some(status) => {
                        format!("{} (HTTP {status}): {}", failure.code, failure.message)
                    }
                    None => format!("{}: {}", failure.code, failure.message),
                };
                // Only a 4xx says for certain that nothing was queued.
                let definite = failure.status.is_some_and(|s| (400..500).contains(&s));
                InvokeError { message, definite }
            })?;
        // 202 for an asynchronous invocation (Lambda API Reference, "Invoke", StatusCode).
        match output.status_code {
            202 => Ok(()),
            other => Err(InvokeError {
                message: format!(
                    "Lambda answered {other} where an asynchronous invocation is answered 202"
                ),
                definite: false,
            }),
        }
    }
}

impl SelfInvoke for SdkSelfInvoke {
    fn invoke_async<'a>(
        &'a self,
        function: &'a str,
        payload: Vec<u8>,
    ) -> Pin<Box<dyn Future<Output = Result<(), InvokeError>> + Send + 'a>> {
        Box::pin(self.invoke(function, payload))
    }
}
