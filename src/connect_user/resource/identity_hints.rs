//! What Connect's identity rules mean for a refused call.
//!
//! Which `IdentityInfo` fields Connect requires or refuses depends on the instance's identity
//! management (Amazon Connect, SAML, or an existing directory), which the function never reads
//! (that would take `connect:DescribeInstance` on top of least privilege). So the function
//! cannot check these rules before calling; when Connect refuses a call that carries an
//! identity, the FAILED reason says which rules may apply, from the fields the template gave.
//! The rules, from the service model's documentation: `CreateUser` and `UserIdentityInfo`:
//! FirstName and LastName "required if you are using Amazon Connect or SAML for identity
//! management"; Email: "If you are using SAML for identity management and include this
//! parameter, an error is returned"; `UserIdentityInfo`: "For instances that are created with
//! the EXISTING_DIRECTORY identity management type, FirstName, LastName, and Email cannot be
//! updated ... because they are managed by the directory."
//!
//! Connect's error code and wording for these refusals are not documented, so the hint keys on
//! the call and the template's fields, never on the message.

use crate::connect_user::connect::{ApiError, ErrorKind};
use crate::connect_user::model::IdentityInfo;

/// The rules that may explain why Connect refused `error`, for a reason; `None` when the
/// refusal is not about a request's content or the call carries no identity.
pub fn refusal_hint(error: &ApiError, identity: Option<&IdentityInfo>) -> Option<String> {
    let refused = error.kind == ErrorKind::Other
        && matches!(
            error.code.as_str(),
            "InvalidParameterException" | "InvalidRequestException"
        );
    if !refused {
        return None;
    }
    let missing_names = identity.is_none_or(|i| i.first_name.is_none() || i.last_name.is_none());
    let email = identity.is_some_and(|i| i.email.is_some());
    match error.operation {
        "CreateUser" => {
            let mut rules = Vec::new();
            if missing_names {
                rules.push("where Amazon Connect or SAML manages identities, a new user needs IdentityInfo.FirstName and IdentityInfo.LastName");
            }
            if email {
                rules.push("with SAML, IdentityInfo.Email is refused");
            }
            (!rules.is_empty()).then(|| format!("this may be the instance's identity rules: {}", rules.join("; ")))
        }
        "UpdateUserIdentityInfo" => Some(
            "IdentityInfo, when given, is managed whole and this may be the instance's identity rules: where Amazon Connect or SAML manages identities it needs FirstName and LastName, with SAML Email is refused, and where an existing directory manages them FirstName, LastName and Email cannot be changed; leave IdentityInfo out to keep the identity as Connect holds it".to_owned(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(operation: &'static str, code: &str) -> ApiError {
        ApiError {
            operation,
            code: code.into(),
            message: "whatever Connect says".into(),
            kind: ErrorKind::Other,
        }
    }

    fn names() -> IdentityInfo {
        IdentityInfo {
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            ..IdentityInfo::default()
        }
    }

    #[test]
    fn a_refused_create_without_names_names_the_rule() {
        let error = refused("CreateUser", "InvalidParameterException");
        let hint = refusal_hint(&error, None).unwrap();
        assert!(hint.contains("IdentityInfo.FirstName and IdentityInfo.LastName"));
        assert_eq!(refusal_hint(&error, Some(&names())), None, "names given");
        let with_email = IdentityInfo {
            email: Some("a@example.com".into()),
            ..names()
        };
        assert!(refusal_hint(&error, Some(&with_email))
            .unwrap()
            .contains("with SAML, IdentityInfo.Email is refused"));
    }

    #[test]
    fn a_refused_identity_update_names_every_rule() {
        let error = refused("UpdateUserIdentityInfo", "InvalidRequestException");
        let hint = refusal_hint(&error, Some(&names())).unwrap();
        assert!(hint.contains("existing directory"));
        assert!(hint.contains("leave IdentityInfo out"));
    }

    #[test]
    fn other_failures_get_no_hint() {
        let throttled = ApiError {
            kind: ErrorKind::Retryable,
            ..refused("CreateUser", "ThrottlingException")
        };
        assert_eq!(refusal_hint(&throttled, None), None);
        let not_found = refused("CreateUser", "ResourceNotFoundException");
        assert_eq!(refusal_hint(&not_found, None), None);
        let other_call = refused("UpdateUserRoutingProfile", "InvalidParameterException");
        assert_eq!(refusal_hint(&other_call, None), None);
    }
}
