//! The List operations that resolve names (`ListRoutingProfiles`, `ListSecurityProfiles`,
//! `ListUserHierarchyGroups`) over aws-sdk-connect: one page per call, so that the resource
//! retries each page on its own (`resource::names`).

use aws_sdk_connect::Client;

use super::convert::api_error;
use super::{list_operation, ApiError, Page, Summary, LIST_PAGE_SIZE};
use crate::connect_user::model::ids::Kind;

/// One page of the instance's resources of `kind`, from `next_token`.
pub(super) async fn list_page(
    client: &Client,
    instance_id: &str,
    kind: Kind,
    next_token: Option<&str>,
) -> Result<Page, ApiError> {
    let token = next_token.map(str::to_owned);
    match kind {
        Kind::RoutingProfile => {
            let page = client
                .list_routing_profiles()
                .instance_id(instance_id)
                .max_results(LIST_PAGE_SIZE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| api_error(list_operation(kind), e))?;
            let listed = page.routing_profile_summary_list().iter();
            Ok(page_of(
                listed.map(|s| (s.id(), s.name())),
                page.next_token(),
            ))
        }
        Kind::SecurityProfile => {
            let page = client
                .list_security_profiles()
                .instance_id(instance_id)
                .max_results(LIST_PAGE_SIZE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| api_error(list_operation(kind), e))?;
            let listed = page.security_profile_summary_list().iter();
            Ok(page_of(
                listed.map(|s| (s.id(), s.name())),
                page.next_token(),
            ))
        }
        Kind::HierarchyGroup => {
            let page = client
                .list_user_hierarchy_groups()
                .instance_id(instance_id)
                .max_results(LIST_PAGE_SIZE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| api_error(list_operation(kind), e))?;
            let listed = page.user_hierarchy_group_summary_list().iter();
            Ok(page_of(
                listed.map(|s| (s.id(), s.name())),
                page.next_token(),
            ))
        }
    }
}

/// A page of `(id, name)` summaries.
fn page_of<'a>(
    listed: impl Iterator<Item = (Option<&'a str>, Option<&'a str>)>,
    next_token: Option<&str>,
) -> Page {
    Page {
        summaries: listed
            .map(|(id, name)| Summary {
                id: id.unwrap_or_default().to_owned(),
                name: name.unwrap_or_default().to_owned(),
            })
            .collect(),
        next_token: next_token.map(str::to_owned),
    }
}
