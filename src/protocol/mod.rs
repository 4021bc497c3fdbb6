//! The CloudFormation custom-resource protocol, independent of any AWS service.
//!
//! Every event passes through here: the raw JSON is parsed leniently into a typed
//! [`Request`](event::Request), the [`Resource`](resource::Resource) does its work under the
//! [deadline guard](deadline), and the answer is built within CloudFormation's limits
//! ([`response`]) and PUT to the presigned ResponseURL ([`responder`]), or, in `return` mode
//! ([`mode`]), handed back as the invocation's result for the CDK Provider framework to send.
//! Nothing in this module knows about Amazon Connect.

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
