//! [`ConnectApi`] over aws-sdk-connect: with [`super::convert`] and [`super::channels`], the
//! only code that knows the SDK's types.
//!
//! The client is built on the first event, not at cold start, and reused by warm invocations,
//! from the shared configuration in [`crate::connect_user::aws`] (SDK retry off, endpoint
//! override honoured). Lists are read with the SDK's paginators.

use aws_sdk_connect::error::BuildError;
use aws_sdk_connect::types as sdk;
use aws_sdk_connect::Client;
use tokio::sync::OnceCell;

use super::channels::{to_sdk_channels, WithChannelLists};
use super::convert::{
    api_error, from_sdk_user, to_sdk_identity, to_sdk_phone, to_sdk_proficiencies,
};
use super::{profiles, ApiError, ConnectApi, ErrorKind, Page};
use crate::connect_user::aws;
use crate::connect_user::model::ids::Kind;
use crate::connect_user::model::{ObservedProficiencies, ObservedUser, UserRef};
use crate::connect_user::plan::{Change, NewUser};

/// The Connect client, built lazily.
#[derive(Debug, Default)]
pub struct SdkConnect {
    client: OnceCell<Client>,
}

impl SdkConnect {
    pub fn new() -> Self {
        Self::default()
    }

    /// Over a client built elsewhere: the unit tests' in-memory Connect.
    #[cfg(test)]
    pub fn with_client(client: Client) -> Self {
        Self {
            client: OnceCell::new_with(Some(client)),
        }
    }

    async fn client(&self) -> &Client {
        self.client
            .get_or_init(|| async { Client::new(aws::config().await) })
            .await
    }
}

/// A request the SDK refused to build: a bug here, not a problem with the template.
fn build_error(operation: &'static str, error: BuildError) -> ApiError {
    ApiError {
        operation,
        code: "ClientError".into(),
        message: error.to_string(),
        kind: ErrorKind::Other,
    }
}

impl ConnectApi for SdkConnect {
    async fn create_user(&self, user: &NewUser) -> Result<UserRef, ApiError> {
        let lists = to_sdk_channels(&user.channels).map_err(|e| build_error("CreateUser", e))?;
        let tags = (!user.tags.is_empty()).then(|| user.tags.clone().into_iter().collect());
        let output = self
            .client()
            .await
            .create_user()
            .instance_id(&user.instance_id)
            .username(&user.username)
            .set_password(user.password.as_ref().map(|p| p.expose().to_owned()))
            .set_identity_info(user.identity_info.as_ref().map(to_sdk_identity))
            .set_phone_config(user.phone_config.as_ref().map(to_sdk_phone))
            .channel_lists(lists)
            .set_directory_user_id(user.directory_user_id.clone())
            .set_security_profile_ids(Some(user.security_profile_ids.iter().cloned().collect()))
            .routing_profile_id(&user.routing_profile_id)
            .set_hierarchy_group_id(user.hierarchy_group_id.clone())
            .set_tags(tags)
            .send()
            .await
            .map_err(|e| api_error("CreateUser", e))?;
        Ok(UserRef {
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

    async fn search_users_for_id(
        &self,
        instance_id: &str,
        username: &str,
    ) -> Result<Option<String>, ApiError> {
        // API Reference, SearchUsers: `StringCondition` with `FieldName` `Username` and
        // `ComparisonType` `EXACT`. Whether EXACT ignores case is not documented: the answer
        // is compared regardless of case here, and a miss falls back to `ListUsers`.
        let condition = sdk::StringCondition::builder()
            .field_name("Username")
            .value(username)
            .comparison_type(sdk::StringComparisonType::Exact)
            .build();
        let output = self
            .client()
            .await
            .search_users()
            .instance_id(instance_id)
            .search_criteria(
                sdk::UserSearchCriteria::builder()
                    .string_condition(condition)
                    .build(),
            )
            .max_results(100)
            .send()
            .await
            .map_err(|e| api_error("SearchUsers", e))?;
        let found = output.users().iter().find(|summary| {
            summary
                .username()
                .is_some_and(|name| name.eq_ignore_ascii_case(username))
        });
        Ok(found.and_then(|summary| summary.id()).map(str::to_owned))
    }

    async fn list_users_for_id(
        &self,
        instance_id: &str,
        username: &str,
    ) -> Result<Option<String>, ApiError> {
        let mut pages = self
            .client()
            .await
            .list_users()
            .instance_id(instance_id)
            .max_results(1000)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| api_error("ListUsers", e))?;
            let found = page.user_summary_list().iter().find(|summary| {
                summary
                    .username()
                    .is_some_and(|name| name.eq_ignore_ascii_case(username))
            });
            if let Some(found) = found {
                return Ok(found.id().map(str::to_owned));
            }
        }
        Ok(None)
    }

    async fn list_page(
        &self,
        instance_id: &str,
        kind: Kind,
        next_token: Option<&str>,
    ) -> Result<Page, ApiError> {
        let client = self.client().await;
        profiles::list_page(client, instance_id, kind, next_token).await
    }

    async fn hierarchy_group_level(
        &self,
        instance_id: &str,
        group_id: &str,
    ) -> Result<String, ApiError> {
        let described = self
            .client()
            .await
            .describe_user_hierarchy_group()
            .instance_id(instance_id)
            .hierarchy_group_id(group_id)
            .send()
            .await
            .map_err(|e| api_error("DescribeUserHierarchyGroup", e))?;
        Ok(described
            .hierarchy_group()
            .and_then(|group| group.level_id())
            .unwrap_or("unknown")
            .to_owned())
    }

    async fn list_proficiencies(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> Result<ObservedProficiencies, ApiError> {
        let mut listed = ObservedProficiencies::new();
        let mut pages = self
            .client()
            .await
            .list_user_proficiencies()
            .instance_id(instance_id)
            .user_id(user_id)
            .max_results(100)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| api_error("ListUserProficiencies", e))?;
            for proficiency in page.user_proficiency_list() {
                let key = (
                    proficiency.attribute_name().to_owned(),
                    proficiency.attribute_value().to_owned(),
                );
                listed.insert(key, proficiency.level());
            }
        }
        Ok(listed)
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

    #[allow(clippy::too_many_lines)] // one arm per Change: exhaustive by design
    async fn apply(
        &self,
        instance_id: &str,
        user: &UserRef,
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
            Change::UserConfig(configs) => {
                let lists =
                    to_sdk_channels(configs).map_err(|e| build_error(change.operation(), e))?;
                send!(client
                    .update_user_config()
                    .instance_id(instance_id)
                    .user_id(user_id)
                    .channel_lists(lists))
            }
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
            Change::DisassociateProficiencies(keys) => {
                let keys = keys
                    .iter()
                    .map(|(name, value)| {
                        sdk::UserProficiencyDisassociate::builder()
                            .attribute_name(name)
                            .attribute_value(value)
                            .build()
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| build_error(change.operation(), e))?;
                send!(client
                    .disassociate_user_proficiencies()
                    .instance_id(instance_id)
                    .user_id(user_id)
                    .set_user_proficiencies(Some(keys)))
            }
            Change::UpdateProficiencies(levels) => {
                let levels =
                    to_sdk_proficiencies(levels).map_err(|e| build_error(change.operation(), e))?;
                send!(client
                    .update_user_proficiencies()
                    .instance_id(instance_id)
                    .user_id(user_id)
                    .set_user_proficiencies(Some(levels)))
            }
            Change::AssociateProficiencies(levels) => {
                let levels =
                    to_sdk_proficiencies(levels).map_err(|e| build_error(change.operation(), e))?;
                send!(client
                    .associate_user_proficiencies()
                    .instance_id(instance_id)
                    .user_id(user_id)
                    .set_user_proficiencies(Some(levels)))
            }
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
