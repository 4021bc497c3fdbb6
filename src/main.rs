//! The Lambda entry point: the raw event goes to the protocol handler, which runs the Connect
//! user resource and answers as RESPONSE_MODE says (PUT, or the invocation's result).
#![warn(clippy::too_many_lines)]

use std::sync::Arc;

use connect_user_resource::connect_user::model::default_tags::{DefaultTags, DEFAULT_TAGS};
use connect_user_resource::connect_user::{ConnectUserResource, SdkConnect, SdkSecrets};
use connect_user_resource::logging;
use connect_user_resource::protocol::deadline::call_retry_from_env;
use connect_user_resource::protocol::handler::{Handler, Invocation};
use connect_user_resource::self_invoke::SdkSelfInvoke;
use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    logging::init();
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        "connect-user-resource starting"
    );
    let defaults = DefaultTags::from_env(std::env::var(DEFAULT_TAGS));
    let resource = ConnectUserResource::with_retry(
        SdkConnect::new(),
        SdkSecrets::new(),
        call_retry_from_env(),
    )
    .with_default_tags(defaults);
    // Work that outlasts one invocation goes on in the next: an asynchronous Invoke of this
    // very function (`put` mode; issue 20, docs/lifecycle.md).
    let handler = Arc::new(Handler::from_env(resource).with_self_invoke(SdkSelfInvoke::new()));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let handler = Arc::clone(&handler);
        // The raw event, never a typed one: a typed event that failed to deserialize would
        // never reach the handler, and CloudFormation would wait an hour for an answer.
        // The invoked ARN tells the handler whether the event's ServiceToken names this very
        // function (CloudFormation invokes it directly) or another (a CDK Provider framework).
        let invocation = Invocation {
            deadline_ms: event.context.deadline,
            function_arn: event.context.invoked_function_arn,
        };
        async move {
            // lambda_runtime posts the error to /runtime/invocation/{id}/error as
            // {"errorType", "errorMessage"}; the Provider framework shows the errorMessage.
            handler
                .invoke(event.payload, invocation)
                .await
                .map_err(|error| Diagnostic {
                    error_type: error.error_type().to_owned(),
                    error_message: error.to_string(),
                })
        }
    }))
    .await
}
