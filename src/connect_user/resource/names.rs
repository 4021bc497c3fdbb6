//! `RoutingProfileName`, `SecurityProfileNames` and `HierarchyGroupName` → ids, before anything
//! else of a Create or Update, so that one template serves every instance.
//!
//! - **Afresh for every event.** Nothing is cached between events: a profile renamed or made
//!   again in the console must never resolve to a stale id. A Delete resolves nothing, and a
//!   template that gives ids makes no lookup call.
//! - **Through the List operations.** `ListRoutingProfiles`, `ListSecurityProfiles` and
//!   `ListUserHierarchyGroups` return up to 1,000 summaries a call (the model's
//!   `MaxResult1000`), so an instance of up to 1,000 of a kind costs one call for that kind,
//!   wherever the name falls in Connect's order, and each 1,000 beyond one call more. The
//!   Search operations page by 500 (`SearchRoutingProfiles`: the model's `MaxResult500`) or
//!   100 (`SearchSecurityProfiles`, `SearchUserHierarchyGroups`: `MaxResult100`), and AWS does
//!   not document whether their `EXACT` comparison ignores case. Each page goes through the
//!   request's one retry under the deadline.
//! - **Exactly as Connect holds it.** A name matches only the whole name, case and spaces
//!   included, compared here. One that matches nothing is refused naming the property and
//!   the name, and any name of that kind that differs from it only in case or spaces ("did you
//!   mean"), found in the same pages at no further call.
//! - **Uniqueness is not assumed.** AWS documents no uniqueness rule in prose for any of the
//!   three kinds (the API Reference gives their Create and name-update operations a 409
//!   `DuplicateResourceException`, "A resource with the specified name already exists",
//!   without saying within what), so the code is right either way (tests/e2e/names.rs plays a
//!   unique name and one two groups share). Where a name matches several resources, the FAILED reason
//!   lists each id (and, for hierarchy groups, each level: one `DescribeUserHierarchyGroup`
//!   per match, as the summaries carry none) and asks for the id property instead.

use std::collections::BTreeSet;

use super::{ConnectUserError, ConnectUserResource};
use crate::connect_user::connect::{list_operation, ApiError, ConnectApi, ErrorKind, Summary};
use crate::connect_user::model::ids::Kind;
use crate::connect_user::model::UserSpec;
use crate::connect_user::secrets::SecretStore;
use crate::protocol::resource::Context;

/// The most pages read for one kind: 100,000 profiles or groups (an assumption: far more than
/// an instance holds), so that a paging that never ends cannot hold the event until its
/// deadline; a token seen before ends it too.
const MAX_PAGES: usize = 100;

/// A name that does not resolve to exactly one id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameProblem {
    /// No resource of the kind has the name.
    NotFound {
        property: &'static str,
        name: String,
        /// Names of the kind that differ from it only in case or spaces.
        near: Vec<String>,
    },
    /// Several resources of the kind have the name: each id, and each group's level.
    Ambiguous {
        property: &'static str,
        name: String,
        matches: Vec<(String, Option<String>)>,
        id_property: &'static str,
    },
}

impl std::fmt::Display for NameProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameProblem::NotFound {
                property,
                name,
                near,
            } => {
                write!(f, "{property} {name:?} matches no {} in the instance (names are compared exactly, case and spaces included)", kind_words(property))?;
                if !near.is_empty() {
                    let near: Vec<String> = near.iter().map(|n| format!("{n:?}")).collect();
                    write!(f, "; did you mean {}?", near.join(" or "))?;
                }
                Ok(())
            }
            NameProblem::Ambiguous {
                property,
                name,
                matches,
                id_property,
            } => {
                let listed: Vec<String> = matches
                    .iter()
                    .map(|(id, level)| match level {
                        Some(level) => format!("{id} (level {level})"),
                        None => id.clone(),
                    })
                    .collect();
                write!(
                    f,
                    "{property} {name:?} matches {} {}s: {}; give {id_property} instead",
                    matches.len(),
                    kind_words(property),
                    listed.join(", ")
                )
            }
        }
    }
}

/// What a property's names stand for, in a reason.
fn kind_words(property: &str) -> &'static str {
    match property {
        "RoutingProfileName" => "routing profile",
        "HierarchyGroupName" => "hierarchy group",
        _ => "security profile",
    }
}

/// A name as compared for "did you mean": without case and spaces.
fn loosely(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// How `name` resolves among `listed`: its one id, or the problem (levels not yet known).
fn resolve(
    property: &'static str,
    id_property: &'static str,
    name: &str,
    listed: &[Summary],
) -> Result<String, NameProblem> {
    let matches: Vec<&Summary> = listed.iter().filter(|s| s.name == name).collect();
    match matches.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => {
            let wanted = loosely(name);
            let near: BTreeSet<String> = listed
                .iter()
                .filter(|s| loosely(&s.name) == wanted)
                .map(|s| s.name.clone())
                .collect();
            Err(NameProblem::NotFound {
                property,
                name: name.to_owned(),
                near: near.into_iter().collect(),
            })
        }
        several => Err(NameProblem::Ambiguous {
            property,
            name: name.to_owned(),
            matches: several.iter().map(|s| (s.id.clone(), None)).collect(),
            id_property,
        }),
    }
}

impl<A: ConnectApi, S: SecretStore> ConnectUserResource<A, S> {
    /// `spec` with every name resolved to its id (see the module doc); refused, naming every
    /// name that does not resolve, before any change.
    pub(super) async fn resolve_names(
        &self,
        mut spec: UserSpec,
        context: &Context,
    ) -> Result<UserSpec, ConnectUserError> {
        let names = std::mem::take(&mut spec.names);
        let instance = spec.instance_id.clone();
        let mut problems = Vec::new();
        if let Some(name) = &names.routing_profile {
            let listed = self
                .list_all(&instance, Kind::RoutingProfile, context)
                .await?;
            match resolve("RoutingProfileName", "RoutingProfileId", name, &listed) {
                Ok(id) => spec.routing_profile_id = id,
                Err(problem) => problems.push(problem),
            }
        }
        if let Some(wanted) = &names.security_profiles {
            let listed = self
                .list_all(&instance, Kind::SecurityProfile, context)
                .await?;
            for name in wanted {
                match resolve("SecurityProfileNames", "SecurityProfileIds", name, &listed) {
                    Ok(id) => {
                        spec.security_profile_ids.insert(id);
                    }
                    Err(problem) => problems.push(problem),
                }
            }
        }
        if let Some(name) = &names.hierarchy_group {
            let listed = self
                .list_all(&instance, Kind::HierarchyGroup, context)
                .await?;
            match resolve("HierarchyGroupName", "HierarchyGroupId", name, &listed) {
                Ok(id) => spec.hierarchy_group_id = Some(id),
                Err(problem) => problems.push(self.with_levels(&instance, problem, context).await?),
            }
        }
        if problems.is_empty() {
            if !names.is_empty() {
                tracing::info!(routing_profile = %spec.routing_profile_id, security_profiles = ?spec.security_profile_ids, hierarchy_group = ?spec.hierarchy_group_id, "names resolved");
            }
            Ok(spec)
        } else {
            Err(ConnectUserError::Unresolved(problems))
        }
    }

    /// Every summary of the instance's resources of `kind`, page after page, each page one
    /// call under the request's retry.
    async fn list_all(
        &self,
        instance: &str,
        kind: Kind,
        context: &Context,
    ) -> Result<Vec<Summary>, ApiError> {
        let mut listed = Vec::new();
        let mut token: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        for _ in 0..MAX_PAGES {
            let page = self
                .calls(context)
                .run(|| self.api.list_page(instance, kind, token.as_deref()))
                .await?;
            listed.extend(page.summaries);
            match page.next_token {
                // A token seen before would loop for ever: Connect's paging is done.
                Some(next) if seen.insert(next.clone()) => token = Some(next),
                _ => {
                    tracing::debug!(
                        operation = list_operation(kind),
                        count = listed.len(),
                        "listed"
                    );
                    return Ok(listed);
                }
            }
        }
        Err(ApiError {
            operation: list_operation(kind),
            code: "TooManyPages".into(),
            message: format!("still paging after {MAX_PAGES} pages; give the id property instead"),
            kind: ErrorKind::Other,
        })
    }

    /// An ambiguous group name's problem with each match's level (one
    /// `DescribeUserHierarchyGroup` per match); other problems as they are.
    async fn with_levels(
        &self,
        instance: &str,
        problem: NameProblem,
        context: &Context,
    ) -> Result<NameProblem, ApiError> {
        let NameProblem::Ambiguous {
            property,
            name,
            matches,
            id_property,
        } = problem
        else {
            return Ok(problem);
        };
        let mut leveled = Vec::with_capacity(matches.len());
        for (id, _) in matches {
            let level = self
                .calls(context)
                .run(|| self.api.hierarchy_group_level(instance, &id))
                .await?;
            leveled.push((id, Some(level)));
        }
        Ok(NameProblem::Ambiguous {
            property,
            name,
            matches: leveled,
            id_property,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: &str, name: &str) -> Summary {
        Summary {
            id: id.into(),
            name: name.into(),
        }
    }

    #[test]
    fn a_name_matches_exactly_and_only_exactly() {
        let listed = [
            summary("rp-1", "Basic Routing Profile"),
            summary("rp-2", "Sales"),
        ];
        let found = resolve("RoutingProfileName", "RoutingProfileId", "Sales", &listed);
        assert_eq!(found, Ok("rp-2".into()));
        let problem = resolve(
            "RoutingProfileName",
            "RoutingProfileId",
            "basic routing  profile",
            &listed,
        )
        .unwrap_err();
        assert_eq!(
            problem.to_string(),
            "RoutingProfileName \"basic routing  profile\" matches no routing profile in the instance (names are compared exactly, case and spaces included); did you mean \"Basic Routing Profile\"?"
        );
        let problem =
            resolve("RoutingProfileName", "RoutingProfileId", "Support", &listed).unwrap_err();
        assert!(!problem.to_string().contains("did you mean"), "{problem}");
    }

    #[test]
    fn a_name_held_twice_lists_every_id_and_asks_for_the_id_property() {
        let listed = [summary("g-1", "East"), summary("g-2", "East")];
        let problem =
            resolve("HierarchyGroupName", "HierarchyGroupId", "East", &listed).unwrap_err();
        let NameProblem::Ambiguous { matches, .. } = &problem else {
            panic!("{problem:?}");
        };
        assert_eq!(matches.len(), 2);
        assert_eq!(
            problem.to_string(),
            "HierarchyGroupName \"East\" matches 2 hierarchy groups: g-1, g-2; give HierarchyGroupId instead"
        );
    }
}
