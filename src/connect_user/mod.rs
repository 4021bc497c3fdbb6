//! The `Custom::ConnectUser` resource: properties → validation → plan → Connect calls.
//!
//! [`properties`] turns the template's properties into a validated [`spec::UserSpec`] before any
//! API call; [`plan`] decides, without I/O, which calls bring a user to that spec (with
//! [`channels`] and [`proficiencies`] for the per-channel settings and proficiencies);
//! [`resource`] drives them through the [`api::ConnectApi`] seam, implemented over
//! aws-sdk-connect in [`sdk`], with [`crate::retry`] keeping inside Connect's low throttle and the
//! deadline. [`password`] resolves `PasswordSecretArn` through the [`password::SecretStore`]
//! seam, implemented over aws-sdk-secretsmanager in [`secrets`]; both SDK clients share the
//! configuration in [`aws`].

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
pub use secrets::SdkSecrets;
