//! `DEFAULT_TAGS`: tags every user of the function gets beneath its own `Tags`, as the Terraform
//! provider's `default_tags` merge beneath a resource's `tags` (`tags_all`).
//!
//! Read once from the function's environment; validated like `Tags`. A broken value fails every
//! Create and Update (they cannot know which tags the user should carry) but not a Delete,
//! which needs none. Defaults never fail a stack for being too many: the resource's own tags
//! win the per-user budget, and the defaults that do not fit are left off.

use std::collections::BTreeMap;

use serde_json::Value;

use super::user::{user_tag_problem, MAX_USER_TAGS};

/// The environment variable.
pub const DEFAULT_TAGS: &str = "DEFAULT_TAGS";

/// The validated defaults; empty when there are none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefaultTags(BTreeMap<String, String>);

/// Why `DEFAULT_TAGS` cannot be used. The `Display` text is the FAILED reason of every Create
/// and Update while it stays so.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{DEFAULT_TAGS} (the function's environment variable) {problem}; fix it on the function, then retry")]
pub struct DefaultTagsError {
    problem: String,
}

fn broken(problem: impl Into<String>) -> DefaultTagsError {
    DefaultTagsError {
        problem: problem.into(),
    }
}

/// The tags a user gets, and the defaults that did not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub tags: BTreeMap<String, String>,
    pub left_off: Vec<String>,
}

impl DefaultTags {
    /// Parses the variable's value: unset, empty, whitespace or `{}` mean no defaults.
    pub fn parse(value: Option<&str>) -> Result<Self, DefaultTagsError> {
        let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(Self::default());
        };
        let parsed: Value = serde_json::from_str(text).map_err(|e| {
            broken(format!(
                "is not JSON ({e}); it must be a JSON object of tag keys to values, such as {{\"CostCenter\": \"cc-42\"}}"
            ))
        })?;
        let Value::Object(entries) = parsed else {
            return Err(broken(
                "must be a JSON object of tag keys to values, such as {\"CostCenter\": \"cc-42\"}",
            ));
        };
        let mut tags = BTreeMap::new();
        for (key, value) in entries {
            let shown: String = key.chars().take(64).collect();
            let Value::String(value) = value else {
                return Err(broken(format!("tag {shown}: value must be a string")));
            };
            if let Some(problem) = user_tag_problem(&key, &value) {
                return Err(broken(format!("tag {shown}: {problem}")));
            }
            tags.insert(key, value);
        }
        Ok(Self(tags))
    }

    /// From the environment variable as `std::env::var` reads it.
    pub fn from_env(value: Result<String, std::env::VarError>) -> Result<Self, DefaultTagsError> {
        match value {
            Ok(text) => Self::parse(Some(&text)),
            Err(std::env::VarError::NotPresent) => Ok(Self::default()),
            Err(std::env::VarError::NotUnicode(_)) => Err(broken("is not valid UTF-8")),
        }
    }

    /// `own` with the defaults beneath it: `own` wins on a key, and the defaults that would take
    /// the user past [`MAX_USER_TAGS`] (the last in key order) are left off.
    pub fn beneath(&self, own: &BTreeMap<String, String>) -> Merged {
        let mut tags = own.clone();
        let mut left_off = Vec::new();
        for (key, value) in &self.0 {
            if tags.contains_key(key) {
                continue;
            }
            if tags.len() < MAX_USER_TAGS {
                tags.insert(key.clone(), value.clone());
            } else {
                left_off.push(key.clone());
            }
        }
        Merged { tags, left_off }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<DefaultTags, DefaultTagsError> {
        DefaultTags::parse(Some(text))
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn nothing_means_no_defaults() {
        for value in [None, Some(""), Some("  \n"), Some("{}"), Some(" { } ")] {
            assert_eq!(
                DefaultTags::parse(value),
                Ok(DefaultTags::default()),
                "{value:?}"
            );
        }
    }

    #[test]
    fn broken_values_are_named() {
        for (text, expected) in [
            ("cost=1", "is not JSON"),
            ("[\"a\"]", "must be a JSON object"),
            ("\"a\"", "must be a JSON object"),
            ("{\"team\": 1}", "tag team: value must be a string"),
            ("{\"team\": null}", "tag team: value must be a string"),
            (
                "{\"aws:x\": \"1\"}",
                "tag aws:x: key may not start with aws:",
            ),
            ("{\"AWS:x\": \"1\"}", "key may not start with aws:"),
            ("{\"a*b\": \"1\"}", "key may contain only"),
            ("{\"\": \"1\"}", "key must be 1 to 128"),
            (
                "{\"connect-user-resource:created-by-request\": \"x\"}",
                "reserved by this resource",
            ),
        ] {
            let reason = parse(text).unwrap_err().to_string();
            assert!(reason.starts_with("DEFAULT_TAGS "), "{reason}");
            assert!(reason.contains(expected), "{text}: {reason}");
        }
        let long = format!("{{\"k\": \"{}\"}}", "v".repeat(257));
        assert!(parse(&long)
            .unwrap_err()
            .to_string()
            .contains("at most 256"));
        assert!(parse(&format!("{{\"k\": \"{}\"}}", "v".repeat(256))).is_ok());
    }

    #[test]
    fn the_resource_wins_on_a_key() {
        let defaults = parse(r#"{"CostCenter": "cc-1", "team": "default"}"#).unwrap();
        let merged = defaults.beneath(&map(&[("team", "blue")]));
        assert_eq!(
            merged.tags,
            map(&[("CostCenter", "cc-1"), ("team", "blue")])
        );
        assert!(merged.left_off.is_empty());
    }

    #[test]
    fn defaults_that_do_not_fit_are_left_off_never_the_resource_tags() {
        let own: BTreeMap<String, String> = (0..47)
            .map(|i| (format!("own{i:02}"), "x".into()))
            .collect();
        let defaults = parse(r#"{"a": "1", "b": "2", "c": "3", "own00": "d"}"#).unwrap();
        let merged = defaults.beneath(&own);
        assert_eq!(merged.tags.len(), MAX_USER_TAGS);
        assert_eq!(merged.tags["own00"], "x");
        assert_eq!(merged.tags["a"], "1");
        assert_eq!(merged.tags["b"], "2");
        assert_eq!(merged.left_off, vec!["c".to_string()]);
        let full: BTreeMap<String, String> = (0..49)
            .map(|i| (format!("own{i:02}"), "x".into()))
            .collect();
        assert_eq!(defaults.beneath(&full).tags, full);
    }
}
