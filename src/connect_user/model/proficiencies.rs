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

/// Serde for [`Proficiencies`] as a list of `[[name, value], level]` entries: JSON's object
/// keys are strings, and a proficiency's key is a pair (a checkpoint carries them).
pub mod as_entries {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Proficiencies;

    pub fn serialize<S: Serializer>(map: &Proficiencies, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(map.iter())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Proficiencies, D::Error> {
        let entries = Vec::<((String, String), u8)>::deserialize(deserializer)?;
        Ok(entries.into_iter().collect())
    }
}
