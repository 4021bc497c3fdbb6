//! The `Custom::ConnectUser` resource: properties → validation → plan → Connect calls.
//!
//! [`properties`] turns the template's properties into a validated [`spec::UserSpec`] before any
//! API call; [`plan`] decides, without I/O, which calls bring a user to that spec; [`resource`]
//! drives them through the [`api::ConnectApi`] seam, implemented over aws-sdk-connect in
//! [`sdk`], with [`retry`] keeping inside Connect's low throttle and the deadline.

pub mod api;
pub mod ids;
pub mod plan;
pub mod properties;
pub mod resource;
pub mod retry;
pub mod sdk;
pub mod spec;

pub use resource::ConnectUserResource;
pub use sdk::SdkConnect;
