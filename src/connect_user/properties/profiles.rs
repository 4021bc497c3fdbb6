//! Where the user lives and what it may do: `InstanceId`, `RoutingProfileId`,
//! `SecurityProfileIds` and `HierarchyGroupId`, each given as an id or an ARN and kept as the id
//! (an ARN must name the same instance); or, instead of each id property, its name property
//! (`RoutingProfileName`, `SecurityProfileNames`, `HierarchyGroupName`), resolved in the
//! instance later (`resource::names`). Exactly one of each required pair, at most one of the
//! hierarchy pair: both given is refused naming both, before any call.

use std::collections::BTreeSet;

use super::reader::{scalar_text, Field, Reader};
use crate::connect_user::model::ids::{self, Kind};
use crate::connect_user::model::rules::{ROUTING_PROFILE_NAME_CHARS, SECURITY_PROFILES};
use crate::connect_user::model::ProfileNames;

/// `InstanceId` (required): the instance's id, from an id or an instance ARN.
pub(super) fn instance_id(top: &Reader) -> Option<String> {
    let field = top.field("InstanceId");
    let text = field.required_text()?;
    ids::instance_id(&text).map_err(|m| field.error(m)).ok()
}

/// A profile or group as the template gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Given<T> {
    Id(T),
    Name(T),
}

/// The ids given, and the names to resolve in their place (see [`ProfileNames`]): a property
/// given by name leaves its id empty until then.
pub(super) fn split_names(
    routing_profile: Given<String>,
    security_profiles: Given<BTreeSet<String>>,
    hierarchy_group: Option<Given<String>>,
) -> (String, BTreeSet<String>, Option<String>, ProfileNames) {
    let mut names = ProfileNames::default();
    let routing_profile_id = match routing_profile {
        Given::Id(id) => id,
        Given::Name(name) => {
            names.routing_profile = Some(name);
            String::new()
        }
    };
    let security_profile_ids = match security_profiles {
        Given::Id(ids) => ids,
        Given::Name(given) => {
            names.security_profiles = Some(given);
            BTreeSet::new()
        }
    };
    let hierarchy_group_id = match hierarchy_group {
        Some(Given::Id(id)) => Some(id),
        Some(Given::Name(name)) => {
            names.hierarchy_group = Some(name);
            None
        }
        None => None,
    };
    (
        routing_profile_id,
        security_profile_ids,
        hierarchy_group_id,
        names,
    )
}

/// Whether both of an id property and its name property are given; if so, reports it on the
/// name property, naming both.
fn both_given(top: &Reader, id_key: &str, name_key: &str) -> bool {
    let both = top.has(id_key) && top.has(name_key);
    if both {
        top.field(name_key).error(format!(
            "and {id_key} are both given: they are alternatives, give one of them"
        ));
    }
    both
}

/// `HierarchyGroupId` or `HierarchyGroupName` (optional; `""` is no group). `None`: no group.
pub(super) fn hierarchy_group(top: &Reader, instance: &str) -> Option<Given<String>> {
    if both_given(top, "HierarchyGroupId", "HierarchyGroupName") {
        return None;
    }
    if top.has("HierarchyGroupName") {
        return top.field("HierarchyGroupName").text().map(Given::Name);
    }
    let field = top.field("HierarchyGroupId");
    resource_id(&field, &field.text()?, Kind::HierarchyGroup, instance).map(Given::Id)
}

/// `RoutingProfileId` or `RoutingProfileName` (one is required).
pub(super) fn routing_profile(top: &Reader, instance: &str) -> Option<Given<String>> {
    if both_given(top, "RoutingProfileId", "RoutingProfileName") {
        return None;
    }
    if top.has("RoutingProfileName") {
        let field = top.field("RoutingProfileName");
        let name = field.required_text()?;
        let length = name.chars().count();
        if !ROUTING_PROFILE_NAME_CHARS.contains(&length) {
            let max = ROUTING_PROFILE_NAME_CHARS.end();
            field.error(format!("must be at most {max} characters (it is {length})"));
            return None;
        }
        return Some(Given::Name(name));
    }
    let field = top.field("RoutingProfileId");
    if !top.has("RoutingProfileId") {
        field.error("is required (or RoutingProfileName, its alternative)");
        return None;
    }
    let text = field.required_text()?;
    resource_id(&field, &text, Kind::RoutingProfile, instance).map(Given::Id)
}

/// The id a resource's id or ARN names; an ARN must be of `kind` and of `instance`.
fn resource_id(field: &Field, text: &str, kind: Kind, instance: &str) -> Option<String> {
    ids::resource_id(text, kind, instance)
        .map_err(|m| field.error(m))
        .ok()
}

/// `SecurityProfileIds` or `SecurityProfileNames` (one is required).
pub(super) fn security_profiles(top: &Reader, instance: &str) -> Option<Given<BTreeSet<String>>> {
    if both_given(top, "SecurityProfileIds", "SecurityProfileNames") {
        return None;
    }
    if top.has("SecurityProfileNames") {
        return security_profile_names(top).map(Given::Name);
    }
    if !top.has("SecurityProfileIds") {
        top.field("SecurityProfileIds")
            .error("is required (or SecurityProfileNames, its alternative)");
        return None;
    }
    security_profile_ids(top, instance).map(Given::Id)
}

/// `SecurityProfileNames`: 1 to 10 names, no two alike (a repeat is a mistake to show, not
/// to collapse: it most likely stands for a profile left out).
fn security_profile_names(top: &Reader) -> Option<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    for (item, name) in security_profile_items(top, "SecurityProfileNames", "names")? {
        match name {
            Some(name) if !names.insert(name.clone()) => {
                item.error(format!("repeats the name {name:?}"));
            }
            Some(_) => {}
            None => item.error("must be a security profile name"),
        }
    }
    Some(names)
}

/// `SecurityProfileIds`: 1 to 10 ids or ARNs; repeats collapse.
fn security_profile_ids(top: &Reader, instance: &str) -> Option<BTreeSet<String>> {
    let mut ids = BTreeSet::new();
    for (item, text) in security_profile_items(top, "SecurityProfileIds", "ids or ARNs")? {
        match text {
            Some(text) => ids.extend(resource_id(&item, &text, Kind::SecurityProfile, instance)),
            None => item.error("must be a security profile id or ARN"),
        }
    }
    Some(ids)
}

/// The items of the security profile list `key` (required, 1 to 10 of them), each with its
/// text, `None` where it is not a non-empty string; `what` the items are, for the reason.
fn security_profile_items<'a>(
    top: &Reader<'a>,
    key: &str,
    what: &str,
) -> Option<Vec<(Field<'a>, Option<String>)>> {
    let field = top.field(key);
    let (min, max) = (SECURITY_PROFILES.start(), SECURITY_PROFILES.end());
    let items = field.required_list(&format!(
        "must be a list of {min} to {max} security profile {what}"
    ))?;
    if !SECURITY_PROFILES.contains(&items.len()) {
        field.error(format!(
            "must hold {min} to {max} security profiles (it holds {})",
            items.len()
        ));
        return None;
    }
    Some(
        items
            .into_iter()
            .map(|item| {
                let text = scalar_text(item.value()).ok().flatten();
                (item, text.filter(|t| !t.is_empty()))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use crate::connect_user::properties::test_support::{basic, parse_value, INSTANCE};
    use serde_json::json;

    #[test]
    fn arns_become_ids() {
        let mut value = basic();
        value["InstanceId"] = json!(format!("arn:aws:connect:eu-west-2:1:instance/{INSTANCE}"));
        value["RoutingProfileId"] = json!(format!(
            "arn:aws:connect:eu-west-2:1:instance/{INSTANCE}/routing-profile/rp-9"
        ));
        value["SecurityProfileIds"] = json!([
            format!("arn:aws:connect:eu-west-2:1:instance/{INSTANCE}/security-profile/sp-2"),
            "sp-1",
            "sp-1"
        ]);
        value["HierarchyGroupId"] = json!(format!(
            "arn:aws:connect:eu-west-2:1:instance/{INSTANCE}/agent-group/g-1"
        ));
        let spec = parse_value(&value).unwrap();
        assert_eq!(spec.instance_id, INSTANCE);
        assert_eq!(spec.routing_profile_id, "rp-9");
        assert_eq!(
            spec.security_profile_ids,
            BTreeSet::from(["sp-1".to_string(), "sp-2".to_string()])
        );
        assert_eq!(spec.hierarchy_group_id.as_deref(), Some("g-1"));
    }
}
