//! The Lambda entry point: the raw event goes to the protocol handler, which runs the Connect
//! user resource.
#![warn(clippy::too_many_lines)]

use std::sync::Arc;

use connect_user_resource::connect_user::{ConnectUserResource, SdkConnect, SdkSecrets};
use connect_user_resource::logging;
use connect_user_resource::protocol::handler::Handler;
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    logging::init();
    let handler = Arc::new(Handler::from_env(ConnectUserResource::new(
        SdkConnect::new(),
        SdkSecrets::new(),
    )));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let handler = Arc::clone(&handler);
        // The raw event, never a typed one: a typed event that failed to deserialize would
        // never reach the handler, and CloudFormation would wait an hour for an answer.
        async move {
            handler
                .handle(event.payload, event.context.deadline)
                .await
                .map_err(|error| error.to_string())
        }
    }))
    .await
}
