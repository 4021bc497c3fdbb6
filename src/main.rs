//! The Lambda entry point: the raw event goes to the protocol handler, which runs the Connect
//! user resource and answers as RESPONSE_MODE says (PUT, or the invocation's result).
#![warn(clippy::too_many_lines)]

use std::sync::Arc;

use connect_user_resource::connect_user::model::default_tags::{DefaultTags, DEFAULT_TAGS};
use connect_user_resource::connect_user::{ConnectUserResource, SdkConnect, SdkSecrets};
use connect_user_resource::logging;
use connect_user_resource::protocol::handler::{Handler, Invocation};
use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    logging::init();
    let defaults = DefaultTags::from_env(std::env::var(DEFAULT_TAGS));
    let resource =
        ConnectUserResource::new(SdkConnect::new(), SdkSecrets::new()).with_default_tags(defaults);
    let handler = Arc::new(Handler::from_env(resource));
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
