//! [`ConnectApi`] over aws-sdk-connect: the only file that knows the SDK's types.
//!
//! The client is built on the first event, not at cold start, and reused by warm invocations.
//! The SDK's own retry is disabled: [`super::retry`] retries within the deadline instead. The
//! endpoint comes from aws-config's standard resolution, so `AWS_ENDPOINT_URL_CONNECT` points
//! the function at a local emulator without any test-only branch here.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use aws_sdk_connect::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_connect::types::{self as sdk, UserIdentityInfo, UserPhoneConfig};
use aws_sdk_connect::Client;
use tokio::sync::OnceCell;

use super::api::{ApiError, ConnectApi, CreatedUser, ErrorKind, ObservedUser};
use super::plan::Change;
use super::spec::{IdentityInfo, PhoneConfig, PhoneType, UserSpec};

/// Per-attempt timeout: a hung connection is abandoned and retried rather than waited on.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// The Connect client, built lazily.
#[derive(Debug, Default)]
pub struct SdkConnect {
    client: OnceCell<Client>,
}

impl SdkConnect {
    pub fn new() -> Self {
        Self::default()
    }

    async fn client(&self) -> &Client {
        self.client
            .get_or_init(|| async {
                let config = aws_config::defaults(BehaviorVersion::latest())
                    .retry_config(RetryConfig::disabled())
                    .timeout_config(
                        TimeoutConfig::builder()
                            .connect_timeout(Duration::from_secs(3))
                            .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                            .build(),
                    )
                    .load()
                    .await;
                Client::new(&config)
            })
            .await
    }
}

/// Turns an SDK error into an [`ApiError`] with Connect's error code and message.
fn api_error<E, R>(operation: &'static str, error: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    match &error {
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or("UnknownError").to_owned();
            let message = service.err().message().unwrap_or("").to_owned();
            let kind = match code.as_str() {
                "ResourceNotFoundException" => ErrorKind::NotFound,
                "DuplicateResourceException" => ErrorKind::Duplicate,
                "ThrottlingException"
                | "TooManyRequestsException"
                | "InternalServiceException"
                | "ServiceUnavailableException"
                | "RequestTimeoutException" => ErrorKind::Retryable,
                _ => ErrorKind::Other,
            };
            ApiError {
                operation,
                code,
                message,
                kind,
            }
        }
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            ApiError {
                operation,
                code: "NetworkError".into(),
                message: DisplayErrorContext(&error).to_string(),
                kind: ErrorKind::Retryable,
            }
        }
        _ => ApiError {
            operation,
            code: "ClientError".into(),
            message: DisplayErrorContext(&error).to_string(),
            kind: ErrorKind::Other,
        },
    }
}

fn to_sdk_identity(info: &IdentityInfo) -> UserIdentityInfo {
    UserIdentityInfo::builder()
        .set_first_name(info.first_name.clone())
        .set_last_name(info.last_name.clone())
        .set_email(info.email.clone())
        .set_secondary_email(info.secondary_email.clone())
        .set_mobile(info.mobile.clone())
        .build()
}

fn to_sdk_phone(config: &PhoneConfig) -> UserPhoneConfig {
    UserPhoneConfig::builder()
        .phone_type(sdk::PhoneType::from(config.phone_type.as_str()))
        .auto_accept(config.auto_accept)
        .after_contact_work_time_limit(config.after_contact_work_time_limit)
        .set_desk_phone_number(config.desk_phone_number.clone())
        .persistent_connection(config.persistent_connection)
        .build()
}

fn non_empty(text: Option<&str>) -> Option<String> {
    text.filter(|t| !t.is_empty()).map(str::to_owned)
}

fn from_sdk_user(user: &sdk::User) -> ObservedUser {
    let identity_info = user
        .identity_info()
        .map(|info| IdentityInfo {
            first_name: non_empty(info.first_name()),
            last_name: non_empty(info.last_name()),
            email: non_empty(info.email()),
            secondary_email: non_empty(info.secondary_email()),
            mobile: non_empty(info.mobile()),
        })
        .unwrap_or_default();
    let phone_config = user.phone_config().and_then(|config| {
        Some(PhoneConfig {
            phone_type: PhoneType::parse(config.phone_type().as_str())?,
            auto_accept: config.auto_accept(),
            after_contact_work_time_limit: config.after_contact_work_time_limit(),
            desk_phone_number: non_empty(config.desk_phone_number()),
            persistent_connection: config.persistent_connection().unwrap_or(false),
        })
    });
    ObservedUser {
        id: user.id().unwrap_or_default().to_owned(),
        arn: user.arn().unwrap_or_default().to_owned(),
        username: user.username().unwrap_or_default().to_owned(),
        identity_info,
        phone_config,
        directory_user_id: non_empty(user.directory_user_id()),
        hierarchy_group_id: non_empty(user.hierarchy_group_id()),
        routing_profile_id: user.routing_profile_id().unwrap_or_default().to_owned(),
        security_profile_ids: user.security_profile_ids().iter().cloned().collect(),
        tags: user
            .tags()
            .map(|tags| tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
    }
}

impl ConnectApi for SdkConnect {
    async fn create_user(
        &self,
        spec: &UserSpec,
        extra_tags: &BTreeMap<String, String>,
    ) -> Result<CreatedUser, ApiError> {
        let mut tags: HashMap<String, String> = spec.tags.clone().into_iter().collect();
        tags.extend(extra_tags.clone());
        let identity = (spec.identity_info != IdentityInfo::default())
            .then(|| to_sdk_identity(&spec.identity_info));
        let output = self
            .client()
            .await
            .create_user()
            .instance_id(&spec.instance_id)
            .username(&spec.name)
            .set_password(spec.password.as_ref().map(|p| p.expose().to_owned()))
            .set_identity_info(identity)
            .phone_config(to_sdk_phone(&spec.phone_config))
            .set_directory_user_id(spec.directory_user_id.clone())
            .set_security_profile_ids(Some(spec.security_profile_ids.iter().cloned().collect()))
            .routing_profile_id(&spec.routing_profile_id)
            .set_hierarchy_group_id(spec.hierarchy_group_id.clone())
            .set_tags((!tags.is_empty()).then_some(tags))
            .send()
            .await
            .map_err(|e| api_error("CreateUser", e))?;
        Ok(CreatedUser {
            id: output.user_id().unwrap_or_default().to_owned(),
            arn: output.user_arn().unwrap_or_default().to_owned(),
        })
    }

    async fn describe_user(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> Result<ObservedUser, ApiError> {
        let output = self
            .client()
            .await
            .describe_user()
            .instance_id(instance_id)
            .user_id(user_id)
            .send()
            .await
            .map_err(|e| api_error("DescribeUser", e))?;
        output.user().map(from_sdk_user).ok_or_else(|| ApiError {
            operation: "DescribeUser",
            code: "InvalidResponse".into(),
            message: "the answer holds no user".into(),
            kind: ErrorKind::Other,
        })
    }

    async fn find_user_id(
        &self,
        instance_id: &str,
        username: &str,
    ) -> Result<Option<String>, ApiError> {
        let client = self.client().await;
        let mut next_token = None;
        loop {
            let page = client
                .list_users()
                .instance_id(instance_id)
                .max_results(1000)
                .set_next_token(next_token)
                .send()
                .await
                .map_err(|e| api_error("ListUsers", e))?;
            if let Some(found) = page.user_summary_list().iter().find(|summary| {
                summary
                    .username()
                    .is_some_and(|name| name.eq_ignore_ascii_case(username))
            }) {
                return Ok(found.id().map(str::to_owned));
            }
            match page.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                _ => return Ok(None),
            }
        }
    }

    async fn delete_user(&self, instance_id: &str, user_id: &str) -> Result<(), ApiError> {
        self.client()
            .await
            .delete_user()
            .instance_id(instance_id)
            .user_id(user_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| api_error("DeleteUser", e))
    }

    async fn apply(
        &self,
        user: &ObservedUser,
        instance_id: &str,
        change: &Change,
    ) -> Result<(), ApiError> {
        /// Sends a fluent request whose output carries nothing we need.
        macro_rules! send {
            ($request:expr) => {
                $request
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| api_error(change.operation(), e))
            };
        }
        let client = self.client().await;
        let user_id = user.id.as_str();
        match change {
            Change::IdentityInfo(info) => send!(client
                .update_user_identity_info()
                .instance_id(instance_id)
                .user_id(user_id)
                .identity_info(to_sdk_identity(info))),
            Change::PhoneConfig(config) => send!(client
                .update_user_phone_config()
                .instance_id(instance_id)
                .user_id(user_id)
                .phone_config(to_sdk_phone(config))),
            Change::RoutingProfile(id) => send!(client
                .update_user_routing_profile()
                .instance_id(instance_id)
                .user_id(user_id)
                .routing_profile_id(id)),
            Change::SecurityProfiles(ids) => send!(client
                .update_user_security_profiles()
                .instance_id(instance_id)
                .user_id(user_id)
                .set_security_profile_ids(Some(ids.iter().cloned().collect()))),
            Change::Hierarchy(group) => send!(client
                .update_user_hierarchy()
                .instance_id(instance_id)
                .user_id(user_id)
                .set_hierarchy_group_id(group.clone())),
            Change::Tag(tags) => send!(client
                .tag_resource()
                .resource_arn(&user.arn)
                .set_tags(Some(tags.clone().into_iter().collect()))),
            Change::Untag(keys) => send!(client
                .untag_resource()
                .resource_arn(&user.arn)
                .set_tag_keys(Some(keys.iter().cloned().collect()))),
        }
    }
}
