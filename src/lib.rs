//! `connect-user-resource`: the Lambda behind the CloudFormation custom resource
//! `Custom::ConnectUser`.
//!
//! Two layers: [`protocol`] (the crate `custom-resource-protocol`, in `protocol/`) speaks
//! CloudFormation's custom-resource protocol and knows nothing about Amazon Connect; [`connect_user`] is the resource that creates, updates and deletes one
//! Connect user. ARCHITECTURE.md maps the modules and what may import what.

// Production functions stay short enough to read at once (clippy.toml: 60 lines); the one
// exhaustive match over every Connect change is allowed by name where it stands. Unit tests,
// which read as tables of cases, are exempt.
#![cfg_attr(not(test), warn(clippy::too_many_lines))]

pub mod connect_user;
pub mod logging;
pub mod self_invoke;

/// The custom-resource protocol, a crate of its own (`protocol/`), under the name the rest of
/// this crate has always used for it.
pub use custom_resource_protocol as protocol;
/// Retries and pacing, in the protocol crate (its answer path uses them too).
pub use custom_resource_protocol::retry;
