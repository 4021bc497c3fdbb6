//! An Update's properties: the new ones parsed, read against the old ones where a rule depends
//! on what changed.

use serde_json::{Map, Value};

use super::{check_new_name, name_changed, parse, InvalidProperties};
use crate::connect_user::model::UserSpec;

/// What an Update asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// The user as the new properties want it.
    pub spec: UserSpec,
    /// `Password`, `PasswordSecretArn` or `PasswordSecretKey` changed: Connect has no API to
    /// change a password, so the change is only warned about.
    pub password_changed: bool,
}

/// [`parse`] of the new properties, with the rules that compare them with the old ones:
/// - a new `Name` must pass the rule for new names (a name already in use keeps being
///   accepted, so that an Update, Delete or rollback accepts what an earlier release
///   accepted);
/// - a template that stops listing `UserProficiencies` has them removed (an empty set is
///   managed), while one that never listed them leaves them alone.
pub fn for_update(
    new: &Map<String, Value>,
    old: &Map<String, Value>,
) -> Result<Update, InvalidProperties> {
    let mut spec = parse(new)?;
    if name_changed(new, old) {
        check_new_name(&spec.name, spec.password.is_some())?;
    }
    if spec.proficiencies.is_none() && lists_proficiencies(old) {
        spec.proficiencies = Some(Default::default());
    }
    Ok(Update {
        spec,
        password_changed: password_changed(new, old),
    })
}

/// Whether the template's password (`Password` or its secret) changed between the old and new
/// properties.
fn password_changed(new: &Map<String, Value>, old: &Map<String, Value>) -> bool {
    ["Password", "PasswordSecretArn", "PasswordSecretKey"]
        .into_iter()
        .any(|key| {
            let given = |p: &Map<String, Value>| {
                p.get(key)
                    .filter(|v| !v.is_null() && *v != &Value::String(String::new()))
                    .cloned()
            };
            given(new).is_some() && given(new) != given(old)
        })
}

/// Whether `properties` list proficiencies.
fn lists_proficiencies(properties: &Map<String, Value>) -> bool {
    properties
        .get("UserProficiencies")
        .is_some_and(|v| v.as_array().is_some_and(|items| !items.is_empty()))
}
