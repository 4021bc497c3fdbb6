//! Where the user lives and what it may do: `InstanceId`, `RoutingProfileId`,
//! `SecurityProfileIds` and `HierarchyGroupId`, each given as an id or an ARN and kept as the id
//! (an ARN must name the same instance).

use std::collections::BTreeSet;

use super::reader::{scalar_text, Field, Reader};
use crate::connect_user::model::ids::{self, Kind};
use crate::connect_user::model::rules::SECURITY_PROFILES;

/// `InstanceId` (required): the instance's id, from an id or an instance ARN.
pub(super) fn instance_id(top: &Reader) -> Option<String> {
    let field = top.field("InstanceId");
    let text = field.required_text()?;
    ids::instance_id(&text).map_err(|m| field.error(m)).ok()
}

/// `HierarchyGroupId` (optional).
pub(super) fn hierarchy_group_id(top: &Reader, instance: &str) -> Option<String> {
    let field = top.field("HierarchyGroupId");
    resource_id(&field, &field.text()?, Kind::HierarchyGroup, instance)
}

/// `RoutingProfileId` (required).
pub(super) fn routing_profile_id(top: &Reader, instance: &str) -> Option<String> {
    let field = top.field("RoutingProfileId");
    resource_id(
        &field,
        &field.required_text()?,
        Kind::RoutingProfile,
        instance,
    )
}

/// The id a resource's id or ARN names; an ARN must be of `kind` and of `instance`.
fn resource_id(field: &Field, text: &str, kind: Kind, instance: &str) -> Option<String> {
    ids::resource_id(text, kind, instance)
        .map_err(|m| field.error(m))
        .ok()
}

/// `SecurityProfileIds` (required): 1 to 10 ids or ARNs; repeats collapse.
pub(super) fn security_profile_ids(top: &Reader, instance: &str) -> Option<BTreeSet<String>> {
    let field = top.field("SecurityProfileIds");
    let (min, max) = (SECURITY_PROFILES.start(), SECURITY_PROFILES.end());
    let items = field.required_list(&format!(
        "must be a list of {min} to {max} security profile ids or ARNs"
    ))?;
    if !SECURITY_PROFILES.contains(&items.len()) {
        field.error(format!(
            "must hold {min} to {max} security profiles (it holds {})",
            items.len()
        ));
        return None;
    }
    let mut ids = BTreeSet::new();
    for item in items {
        match scalar_text(item.value()) {
            Ok(Some(text)) if !text.is_empty() => {
                ids.extend(resource_id(&item, &text, Kind::SecurityProfile, instance));
            }
            _ => item.error("must be a security profile id or ARN"),
        }
    }
    Some(ids)
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
