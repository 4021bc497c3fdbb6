//! `connect-user-resource`: the Lambda behind the CloudFormation custom resource
//! `Custom::ConnectUser`.
//!
//! Two layers: [`protocol`] speaks CloudFormation's custom-resource protocol and knows nothing
//! about Amazon Connect; [`connect_user`] is the resource that creates, updates and deletes one
//! Connect user.

pub mod connect_user;
pub mod logging;
pub mod protocol;
pub mod retry;
