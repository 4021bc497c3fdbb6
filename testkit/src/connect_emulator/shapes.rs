//! The values every part of the emulator speaks in: Connect's error answer, how an instance
//! manages identities, and one channel's settings as Connect keeps them. Their own module, so
//! that the state ([`super::model`]), the rules ([`super::rules`]) and the service model's
//! checks ([`super::service_model`]) all import them and none imports another for them: the
//! imports go one way (model → rules, service_model → shapes).

use serde_json::Value;

/// An error as Connect answers it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

pub type ApiResult = Result<Value, ApiError>;

/// `CreateUser`'s answer to a taken name (409 `DuplicateResourceException`, in its error
/// list; the uniqueness rule is `rules::same_username`).
pub(crate) fn duplicate(username: &str) -> ApiError {
    ApiError {
        status: 409,
        code: "DuplicateResourceException",
        message: format!("User with username {username} already exists"),
    }
}

pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
    ApiError {
        status: 404,
        code: "ResourceNotFoundException",
        message: message.into(),
    }
}

/// How an instance manages its users' identities (`IdentityManagementType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityManagement {
    ConnectManaged,
    Saml,
    ExistingDirectory,
}

/// One channel's settings, as Connect keeps them.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelState {
    pub auto_accept: bool,
    pub agent_first_callback_auto_accept: Option<bool>,
    pub after_contact_work_time_limit: i64,
    pub agent_first_callback_after_contact_work_time_limit: Option<i64>,
    pub phone_type: String,
    pub phone_number: Option<String>,
    pub persistent_connection: bool,
    pub voice_enhancement_mode: String,
}

impl Default for ChannelState {
    fn default() -> Self {
        Self {
            auto_accept: false,
            agent_first_callback_auto_accept: None,
            after_contact_work_time_limit: 0,
            agent_first_callback_after_contact_work_time_limit: None,
            phone_type: "SOFT_PHONE".into(),
            phone_number: None,
            persistent_connection: false,
            voice_enhancement_mode: "NONE".into(),
        }
    }
}
