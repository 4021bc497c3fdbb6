//! The CloudFormation custom-resource protocol, independent of any AWS service.
//!
//! Every event passes through here: the raw JSON is parsed leniently into a typed
//! [`Request`](event::Request), the [`Resource`](resource::Resource) does its work under the
//! [deadline guard](deadline), and the answer is built within CloudFormation's limits
//! ([`response`]) and PUT to the presigned ResponseURL ([`responder`]), or, in `return` mode
//! ([`mode`]), handed back as the invocation's result for the CDK Provider framework to send.
//! Nothing in this crate knows about Amazon Connect: it is a crate of its own so that the
//! compiler, not a test, keeps it so (it cannot name the resource's crate, which depends on
//! it). The retry loop ([`retry`]) and the deadline budget ([`deadline`]) live here too: the
//! protocol's answer path retries and paces with them, and the resource's calls use the same
//! ones through this crate.

// Production functions stay short enough to read at once (clippy.toml: 60 lines). Unit tests,
// which read as tables of cases, are exempt.
#![cfg_attr(not(test), warn(clippy::too_many_lines))]

pub mod continuation;
pub mod deadline;
pub mod event;
pub mod handler;
pub mod mode;
pub mod physical_id;
pub mod resource;
pub mod responder;
pub mod response;
pub mod response_url;
pub mod retry;
