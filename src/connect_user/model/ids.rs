//! Connect ids and ARNs, and the physical id `instanceId:userId`.
//!
//! Templates may give an instance, profile or group as an id or as an ARN (which is what
//! `AWS::Connect::*` resources return from `Fn::GetAtt … Arn`). Connect's user APIs want ids,
//! and `DescribeUser` answers with ids, so everything is reduced to the bare id here, and an ARN
//! that points into another instance is refused.

/// Kinds of resource inside an instance, as they appear in ARNs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    RoutingProfile,
    SecurityProfile,
    HierarchyGroup,
}

impl Kind {
    fn arn_segment(self) -> &'static str {
        match self {
            Kind::RoutingProfile => "routing-profile",
            Kind::SecurityProfile => "security-profile",
            Kind::HierarchyGroup => "agent-group",
        }
    }
}

/// The resource part of a Connect ARN (`instance/…`), or `None` when `text` is no Connect ARN.
fn connect_arn_resource(text: &str) -> Option<&str> {
    let mut parts = text.splitn(6, ':');
    let (arn, _partition, service, _region, _account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    (arn == "arn" && service == "connect").then_some(resource)
}

fn is_plain_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 100
        && !text.contains([':', '/'])
        && !text.chars().any(char::is_whitespace)
}

/// The bare instance id from an id or an instance ARN.
pub fn instance_id(text: &str) -> Result<String, String> {
    if text.starts_with("arn:") {
        return match connect_arn_resource(text).and_then(|r| r.strip_prefix("instance/")) {
            Some(id) if is_plain_id(id) => Ok(id.to_owned()),
            _ => Err("is not an Amazon Connect instance ARN (arn:PARTITION:connect:REGION:ACCOUNT:instance/ID)".into()),
        };
    }
    if is_plain_id(text) {
        Ok(text.to_owned())
    } else {
        Err("must be an instance id (1 to 100 characters, no ':' or '/') or an instance ARN".into())
    }
}

/// The bare id of a profile or group, given as an id or as an ARN inside `instance_id`.
pub fn resource_id(text: &str, kind: Kind, instance_id: &str) -> Result<String, String> {
    if text.starts_with("arn:") {
        let resource = connect_arn_resource(text).unwrap_or_default();
        let mut segments = resource.split('/');
        return match (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        ) {
            (Some("instance"), Some(instance), Some(segment), Some(id), None)
                if segment == kind.arn_segment() && is_plain_id(id) =>
            {
                if instance == instance_id {
                    Ok(id.to_owned())
                } else {
                    Err(format!(
                        "is an ARN in instance {instance}, not in InstanceId {instance_id}"
                    ))
                }
            }
            _ => Err(format!(
                "is not a {} ARN (arn:PARTITION:connect:REGION:ACCOUNT:instance/ID/{}/ID)",
                kind.arn_segment(),
                kind.arn_segment()
            )),
        };
    }
    if is_plain_id(text) {
        Ok(text.to_owned())
    } else {
        Err("must be an id (1 to 100 characters, no ':' or '/') or an ARN".into())
    }
}

/// The physical id of a user: `instanceId:userId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhysicalId {
    pub instance_id: String,
    pub user_id: String,
}

impl PhysicalId {
    pub fn new(instance_id: impl Into<String>, user_id: impl Into<String>) -> Self {
        Self {
            instance_id: instance_id.into(),
            user_id: user_id.into(),
        }
    }

    /// Parses `instanceId:userId`; anything else (such as a failed Create's marker) is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let (instance, user) = text.split_once(':')?;
        (is_plain_id(instance) && is_plain_id(user)).then(|| Self::new(instance, user))
    }
}

impl std::fmt::Display for PhysicalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.instance_id, self.user_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTANCE: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    #[test]
    fn instance_from_id_or_arn() {
        assert_eq!(instance_id(INSTANCE).unwrap(), INSTANCE);
        let arn = format!("arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}");
        assert_eq!(instance_id(&arn).unwrap(), INSTANCE);
        let cn = format!("arn:aws-cn:connect:cn-north-1:123456789012:instance/{INSTANCE}");
        assert_eq!(instance_id(&cn).unwrap(), INSTANCE);
        for bad in [
            "",
            "a:b",
            "a/b",
            "arn:aws:s3:::bucket",
            "arn:aws:connect:us-east-1:1:instance/",
        ] {
            assert!(instance_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn profile_from_id_or_arn() {
        let arn = format!("arn:aws:connect:us-east-1:1:instance/{INSTANCE}/routing-profile/rp-1");
        assert_eq!(
            resource_id(&arn, Kind::RoutingProfile, INSTANCE).unwrap(),
            "rp-1"
        );
        assert_eq!(
            resource_id("rp-1", Kind::RoutingProfile, INSTANCE).unwrap(),
            "rp-1"
        );
        let group = format!("arn:aws:connect:us-east-1:1:instance/{INSTANCE}/agent-group/g-1");
        assert_eq!(
            resource_id(&group, Kind::HierarchyGroup, INSTANCE).unwrap(),
            "g-1"
        );
    }

    #[test]
    fn arn_of_another_kind_or_instance_is_refused() {
        let other = "arn:aws:connect:us-east-1:1:instance/other/routing-profile/rp-1";
        assert!(resource_id(other, Kind::RoutingProfile, INSTANCE)
            .unwrap_err()
            .contains("other"));
        let wrong_kind =
            format!("arn:aws:connect:us-east-1:1:instance/{INSTANCE}/security-profile/sp");
        assert!(resource_id(&wrong_kind, Kind::RoutingProfile, INSTANCE).is_err());
    }

    #[test]
    fn physical_id_round_trips() {
        let id = PhysicalId::new(INSTANCE, "user-1");
        assert_eq!(PhysicalId::parse(&id.to_string()), Some(id));
        for bad in ["", "x", ":u", "i:", "i:u:v", "failed-create.abc", "i/x:u"] {
            assert_eq!(PhysicalId::parse(bad), None, "{bad}");
        }
    }
}
