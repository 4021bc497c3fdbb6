//! The `Custom::ConnectUser` resource: properties → validation → plan → Connect calls.
//!
//! - [`model`]: the user as the template wants it and as Connect holds it, and Connect's value
//!   rules; pure, imports nothing else of the crate.
//! - [`properties`]: the template's properties → a validated [`model::UserSpec`], before any
//!   API call, every problem named by its property path.
//! - [`plan`]: pure; which calls bring a user to the spec, `CreateUser`'s content included.
//! - Ports and adapters, one per AWS service: [`connect`] (the [`connect::ConnectApi`] port,
//!   its aws-sdk-connect adapter) and [`secrets`] (the [`secrets::SecretStore`] port, its
//!   aws-sdk-secretsmanager adapter); [`aws`] is the SDK configuration and error
//!   classification both adapters share. [`password`] takes the password out of a secret.
//! - [`resource`]: create / update / delete over the ports, ownership and clean-up, with
//!   [`resource::ConnectUserError`] wording every FAILED reason.
//!
//! Retries and the deadline budget are the crate's ([`crate::retry`],
//! [`crate::protocol::deadline`]).

pub mod aws;
pub mod connect;
pub mod model;
pub mod password;
pub mod plan;
pub mod properties;
pub mod resource;
pub mod secrets;

pub use connect::sdk::SdkConnect;
pub use resource::ConnectUserResource;
pub use secrets::sdk::SdkSecrets;
