//! `UserProficiencies`: which predefined attribute values a user handles, and how well.
//!
//! Connect keeps them apart from the user (`ListUserProficiencies`), keyed by attribute name
//! and value, each with a level. How they converge is
//! [`plan::proficiencies`](crate::connect_user::plan::proficiencies)'s business.

use std::collections::BTreeMap;

/// A proficiency's identity: `(AttributeName, AttributeValue)`.
pub type ProficiencyKey = (String, String);

/// Proficiencies as the template wants them: level 1 to 5 per attribute value.
pub type Proficiencies = BTreeMap<ProficiencyKey, u8>;

/// Proficiencies as Connect lists them; its levels are floats.
pub type ObservedProficiencies = BTreeMap<ProficiencyKey, f32>;
