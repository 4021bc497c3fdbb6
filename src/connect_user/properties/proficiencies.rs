//! `UserProficiencies`: the attribute values the user is proficient in, each with a level.

use super::reader::{Field, Reader};
use crate::connect_user::model::rules::{MAX_PROFICIENCY_ATTRIBUTE_CHARS, PROFICIENCY_LEVELS};
use crate::connect_user::model::Proficiencies;

/// `UserProficiencies`: `None` when absent; each `{AttributeName, AttributeValue, Level}`, no
/// pair twice.
pub(super) fn proficiencies(top: &Reader) -> Option<Proficiencies> {
    let items = top
        .field("UserProficiencies")
        .list("must be a list of {AttributeName, AttributeValue, Level}")?;
    let mut out = Proficiencies::new();
    for item in items {
        let Some(entry) = item.entry() else {
            continue;
        };
        entry.check_unknown(&["AttributeName", "AttributeValue", "Level"]);
        let text = |key: &str| {
            let field = entry.field(key);
            let text = field.required_text()?;
            if text.chars().count() > MAX_PROFICIENCY_ATTRIBUTE_CHARS {
                field.error(format!(
                    "must be 1 to {MAX_PROFICIENCY_ATTRIBUTE_CHARS} characters"
                ));
                return None;
            }
            Some(text)
        };
        let name = text("AttributeName");
        let value = text("AttributeValue");
        let level = level(&entry.field("Level"));
        if let (Some(name), Some(value), Some(level)) = (name, value, level) {
            if out.insert((name, value), level).is_some() {
                item.error("repeats an AttributeName and AttributeValue pair");
            }
        }
    }
    Some(out)
}

/// A proficiency level (required): a whole number from 1 to 5, as JSON or stringified.
fn level(field: &Field) -> Option<u8> {
    let number = match field.value() {
        None | Some(serde_json::Value::Null) => {
            field.error("is required");
            return None;
        }
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match number {
        Some(level) if PROFICIENCY_LEVELS.contains(&level) && level.fract() == 0.0 => {
            Some(level as u8)
        }
        _ => {
            field.error("must be a whole number from 1 to 5");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::connect_user::properties::test_support::{basic, parse_value, reason};
    use serde_json::json;

    #[test]
    fn proficiencies_are_checked() {
        let mut value = basic();
        value["UserProficiencies"] = json!([
            {"AttributeName": "Language", "AttributeValue": "English", "Level": 5},
            {"AttributeName": "Language", "AttributeValue": "Spanish", "Level": "3"}
        ]);
        let spec = parse_value(&value).unwrap();
        let levels = spec.proficiencies.unwrap();
        assert_eq!(levels[&("Language".to_string(), "Spanish".to_string())], 3);
        value["UserProficiencies"] = json!([
            {"AttributeName": "Language", "AttributeValue": "English", "Level": 6},
            {"AttributeName": "Language", "AttributeValue": "English", "Level": 2.5},
            {"AttributeName": "", "AttributeValue": "x", "Level": 1},
            {"AttributeName": "Language", "AttributeValue": "English", "Level": 1},
            {"AttributeName": "Language", "AttributeValue": "English", "Level": 2}
        ]);
        let text = reason(&value);
        for part in [
            "UserProficiencies[0].Level must be a whole number from 1 to 5",
            "UserProficiencies[1].Level must be a whole number from 1 to 5",
            "UserProficiencies[2].AttributeName is required",
            "UserProficiencies[4] repeats an AttributeName and AttributeValue pair",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }
}
