//! `ResourceProperties` → [`UserSpec`], validated before any API call.
//!
//! CloudFormation stringifies every scalar (`"0"`, `"false"`), so scalars are accepted both as
//! strings and in their JSON form. Every problem is collected, not just the first, and each is
//! reported with its property path (`PhoneConfig.DeskPhoneNumber`), so one failed deployment
//! shows everything to fix. A reason never echoes a secret value.
//!
//! The plumbing (paths, stringified scalars, unknown keys) is the [`reader`]'s; each property
//! group reads as its rules in a file of its own: [`identity`] (`Name`, `IdentityInfo`),
//! [`password`], [`profiles`] (instance, routing and security profiles, hierarchy group),
//! [`phone`] (`PhoneConfig`), [`channels`] (the per-channel lists), [`settings`] (the two
//! checked against each other), [`proficiencies`] and [`tags`]. The value rules are AWS's and
//! live in [`crate::connect_user::model::rules`], shared with the rest of the resource.

mod channels;
mod identity;
mod password;
mod phone;
mod proficiencies;
mod profiles;
mod reader;
mod settings;
mod tags;
mod update;

use std::fmt;

use serde_json::{Map, Value};

use super::model::rules::{is_email_username, MANAGED_USERNAME_CHARS};
use super::model::UserSpec;
pub use password::DEFAULT_PASSWORD_SECRET_KEY;
pub use reader::suggest;
use reader::{scalar_text, Errors, Reader};
pub use update::{for_update, Update};

/// One problem with one property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyError {
    pub path: String,
    pub message: String,
}

/// Every problem found in the properties. The `Display` text is the FAILED reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InvalidProperties(pub Vec<PropertyError>);

impl fmt::Display for InvalidProperties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid properties: ")?;
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{} {}", error.path, error.message)?;
        }
        Ok(())
    }
}

/// Every property a `Custom::ConnectUser` accepts, at the top level.
pub const TOP_LEVEL: &[&str] = &[
    "InstanceId",
    "Name",
    "Password",
    "PasswordSecretArn",
    "PasswordSecretKey",
    "DirectoryUserId",
    "HierarchyGroupId",
    "HierarchyGroupName",
    "IdentityInfo",
    "PhoneConfig",
    "AutoAcceptConfigs",
    "AfterContactWorkConfigs",
    "PhoneNumberConfigs",
    "PersistentConnectionConfigs",
    "VoiceEnhancementConfigs",
    "UserProficiencies",
    "RoutingProfileId",
    "RoutingProfileName",
    "SecurityProfileIds",
    "SecurityProfileNames",
    "Tags",
    "AdoptExistingUser",
    "ServiceToken",
    "ServiceTimeout",
];

/// The properties of a Create: [`parse`], and the rule for a new name ([`check_new_name`]).
pub fn for_create(properties: &Map<String, Value>) -> Result<UserSpec, InvalidProperties> {
    let spec = parse(properties)?;
    check_new_name(&spec.name, spec.password.is_some())?;
    Ok(spec)
}

/// Parses and validates the properties of a `Custom::ConnectUser`. The groups are read in a
/// fixed order, which is the order of the problems in a reason.
pub fn parse(properties: &Map<String, Value>) -> Result<UserSpec, InvalidProperties> {
    let errors = Errors::default();
    let top = Reader::new(properties, &errors);
    top.check_unknown(TOP_LEVEL);

    let instance_id = profiles::instance_id(&top);
    let name = identity::name(&top);
    let password = password::password_source(&top);
    let directory_user_id = top.field("DirectoryUserId").text();
    let instance = instance_id.clone().unwrap_or_default();
    let hierarchy_group = profiles::hierarchy_group(&top, &instance);
    let routing_profile = profiles::routing_profile(&top, &instance);
    let security_profiles = profiles::security_profiles(&top, &instance);
    let identity_info = identity::identity_info(&top);
    let channels = settings::channel_settings(&top);
    let proficiencies = proficiencies::proficiencies(&top);
    let tags = tags::tags(&top);
    let adopt_existing = top
        .field("AdoptExistingUser")
        .strict_bool()
        .unwrap_or(false);

    let errors = errors.into_vec();
    if !errors.is_empty() {
        return Err(InvalidProperties(errors));
    }
    let (
        Some(instance_id),
        Some(name),
        Some((phone_config, channels)),
        Some(routing_profile),
        Some(security_profiles),
    ) = (
        instance_id,
        name,
        channels,
        routing_profile,
        security_profiles,
    )
    else {
        // Each None above reported an error, so this is unreachable in practice; answer anyway.
        return Err(InvalidProperties(vec![PropertyError {
            path: "ResourceProperties".into(),
            message: "are incomplete".into(),
        }]));
    };
    let (routing_profile_id, security_profile_ids, hierarchy_group_id, names) =
        profiles::split_names(routing_profile, security_profiles, hierarchy_group);
    Ok(UserSpec {
        instance_id,
        name,
        password,
        directory_user_id,
        hierarchy_group_id,
        identity_info,
        phone_config,
        channels,
        proficiencies,
        routing_profile_id,
        security_profile_ids,
        names,
        tags,
        adopt_existing,
    })
}

/// The rules for a name a user is about to be created with, on top of [`parse`]'s, for a user
/// that will have a password (`Password` or `PasswordSecretArn`): a password exists only on an
/// instance whose identities Connect manages, so the name is one of a Connect-managed instance,
/// where Connect allows at most [`MANAGED_USERNAME_CHARS`] characters and `@` only in an email
/// format (see [`is_email_username`]).
///
/// Without a password the instance is SAML or an existing directory, and the model doc gives
/// SAML names "up to 64 characters from [a-zA-Z0-9_-.\@]+": Salesforce Service Cloud Voice
/// provisions its SAML agents as `UserId@OrgId`. The email paragraph of the same doc names no
/// identity type, so which instances Connect applies it to is not documented: without a
/// password the name is sent, and Connect's own refusal, named, is the FAILED reason.
///
/// Checked on Create and when an Update changes `Name` ([`for_create`], [`for_update`]), never
/// for a `Name` already in use, so that an Update, Delete or rollback keeps accepting what an
/// earlier release accepted.
fn check_new_name(name: &str, password_given: bool) -> Result<(), InvalidProperties> {
    if !password_given {
        return Ok(());
    }
    let mut errors = Vec::new();
    let length = name.chars().count();
    let max = MANAGED_USERNAME_CHARS;
    if length > max {
        errors.push(PropertyError {
            path: "Name".into(),
            message: format!("must be at most {max} characters on an instance whose users have passwords (it is {length}): Connect allows more only with SAML, whose users have no password"),
        });
    }
    if name.contains('@') && !is_email_username(name) {
        errors.push(PropertyError {
            path: "Name".into(),
            message: "may contain @ only in an email format such as agent@example.com (one @, a domain with at least one dot)".into(),
        });
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(InvalidProperties(errors))
    }
}

/// Whether an Update changes `Name` (the new name must then pass [`check_new_name`]).
fn name_changed(new: &Map<String, Value>, old: &Map<String, Value>) -> bool {
    let name = |map: &Map<String, Value>| scalar_text(map.get("Name")).ok().flatten();
    name(new) != name(old)
}

#[cfg(test)]
mod test_support;

#[cfg(test)]
mod tests {
    use super::test_support::{basic, parse_value, reason, INSTANCE};
    use super::*;
    use crate::connect_user::model::channels::ChannelConfigs;
    use crate::connect_user::model::PhoneType;
    use serde_json::json;

    #[test]
    fn minimal_properties_get_defaults() {
        let spec = parse_value(&basic()).unwrap();
        assert_eq!(spec.instance_id, INSTANCE);
        assert_eq!(spec.name, "agent.one");
        let phone = spec.phone_config.clone().unwrap();
        assert_eq!(phone.phone_type, PhoneType::SoftPhone);
        assert!(!phone.auto_accept);
        assert_eq!(phone.after_contact_work_time_limit, 0);
        assert!(!phone.persistent_connection);
        assert_eq!(spec.channels, ChannelConfigs::default());
        assert_eq!(spec.proficiencies, None);
        assert_eq!(spec.identity_info, None, "left out: not managed");
        assert!(spec.tags.is_empty());
        assert_eq!(spec.hierarchy_group_id, None);
    }

    #[test]
    fn an_at_sign_in_a_new_name_only_in_an_email_format() {
        for good in [
            "testuser",
            "testuser@example.com",
            "a.b-c_d@x.example.co",
            "a@b.c",
        ] {
            assert_eq!(check_new_name(good, true), Ok(()), "{good}");
        }
        for bad in [
            "testuser@example",
            "testuser@",
            "@example.com",
            "a@b@c.com",
            "a@.example.com",
            "a@example..com",
            "a@example.com.",
        ] {
            let error = check_new_name(bad, true).expect_err(bad);
            assert_eq!(error.0[0].path, "Name", "{bad}");
            assert_eq!(
                check_new_name(bad, false),
                Ok(()),
                "no password: Connect decides"
            );
        }
    }

    #[test]
    fn a_name_is_held_to_twenty_characters_only_with_a_password() {
        let salesforce = "005Hs00000AbCdEIAZ@00DHs0000012345";
        assert_eq!(
            check_new_name(salesforce, false),
            Ok(()),
            "SAML, as Service Cloud Voice provisions it"
        );
        let twenty = "a".repeat(20);
        assert_eq!(check_new_name(&twenty, true), Ok(()));
        let error = check_new_name(&format!("{twenty}b"), true).unwrap_err();
        assert!(
            error.to_string().contains("at most 20 characters"),
            "{error}"
        );
        assert_eq!(check_new_name(&format!("{twenty}b"), false), Ok(()));
    }

    #[test]
    fn a_name_change_is_seen_whatever_its_json_form() {
        let old = json!({"Name": "agent"});
        let same = json!({"Name": "agent"});
        let renamed = json!({"Name": "agent2"});
        let map = |v: &Value| v.as_object().cloned().unwrap();
        assert!(!name_changed(&map(&same), &map(&old)));
        assert!(name_changed(&map(&renamed), &map(&old)));
        assert!(name_changed(&map(&renamed), &Map::new()));
    }

    #[test]
    fn empty_optional_strings_count_as_absent() {
        let mut value = basic();
        value["HierarchyGroupId"] = json!("");
        value["IdentityInfo"] = json!({"FirstName": "", "Email": "a@b.co"});
        let spec = parse_value(&value).unwrap();
        assert_eq!(spec.hierarchy_group_id, None);
        let identity = spec.identity_info.expect("given, so managed");
        assert_eq!(identity.first_name, None);
        assert_eq!(identity.email.as_deref(), Some("a@b.co"));
    }

    #[test]
    fn every_problem_is_listed_with_its_path() {
        let text = reason(
            &json!({"InstanceId": INSTANCE, "Nmae": "x", "PhoneConfig": {"PhoneType": "DESK_PHONE"}}),
        );
        for part in [
            "Nmae is not a known property; did you mean Name?",
            "Name is required",
            "PhoneConfig.DeskPhoneNumber is required when PhoneType is DESK_PHONE",
            "RoutingProfileId is required",
            "SecurityProfileIds is required",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }

    #[test]
    fn too_many_tags_or_profiles_are_refused() {
        let mut value = basic();
        let tags: serde_json::Map<String, Value> =
            (0..50).map(|i| (format!("k{i}"), json!("v"))).collect();
        value["Tags"] = Value::Object(tags);
        assert!(reason(&value).contains("Tags may hold at most 49 tags"));
        let mut value = basic();
        value["SecurityProfileIds"] = json!((0..11).map(|i| format!("sp-{i}")).collect::<Vec<_>>());
        assert!(reason(&value).contains("SecurityProfileIds must hold 1 to 10"));
    }
}
