//! A small reader over the template's JSON that carries each value's property path
//! (`PhoneConfig.AfterContactWorkTimeLimit`, `AutoAcceptConfigs[2].Channel`) and collects every
//! problem, so that the property groups read as their rules rather than as plumbing.
//!
//! The getters encode how CloudFormation hands us values: every scalar may arrive stringified
//! (`"0"`, `"false"`) or in its JSON form, and an empty string counts as absent (the usual
//! `!If` / `""` idiom). A problem is recorded against the path and reading goes on, so one
//! failed deployment shows everything to fix.

use std::cell::RefCell;

use serde_json::{Map, Value};

use super::PropertyError;

/// Every problem found so far, in the order found. Shared by all the readers of one parse.
#[derive(Default)]
pub(super) struct Errors(RefCell<Vec<PropertyError>>);

impl Errors {
    /// Whether a problem is already reported at `path` (so a second one would only repeat it).
    pub(super) fn reported(&self, path: &str) -> bool {
        self.0.borrow().iter().any(|e| e.path == path)
    }

    pub(super) fn push(&self, path: impl Into<String>, message: impl Into<String>) {
        self.0.borrow_mut().push(PropertyError {
            path: path.into(),
            message: message.into(),
        });
    }

    pub(super) fn into_vec(self) -> Vec<PropertyError> {
        self.0.into_inner()
    }
}

/// One JSON object of the properties (the top level, `PhoneConfig`, a list's entry), with the
/// path its keys are reported under.
pub(super) struct Reader<'a> {
    map: &'a Map<String, Value>,
    /// The path of this object followed by a dot; empty at the top level.
    prefix: String,
    errors: &'a Errors,
}

impl<'a> Reader<'a> {
    /// The top level of the properties.
    pub(super) fn new(map: &'a Map<String, Value>, errors: &'a Errors) -> Self {
        Self {
            map,
            prefix: String::new(),
            errors,
        }
    }

    pub(super) fn errors(&self) -> &'a Errors {
        self.errors
    }

    /// The property `key` of this object.
    pub(super) fn field(&self, key: &str) -> Field<'a> {
        Field {
            value: self.map.get(key),
            path: format!("{}{key}", self.prefix),
            errors: self.errors,
        }
    }

    /// Whether `key` is present with a value other than null.
    pub(super) fn has(&self, key: &str) -> bool {
        self.map.get(key).is_some_and(|v| !v.is_null())
    }

    /// Whether `key` is present at all, even as null.
    pub(super) fn contains(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// Reports every key that is not in `known`, suggesting the one most likely meant.
    pub(super) fn check_unknown(&self, known: &[&str]) {
        let prefix = &self.prefix;
        for key in self.map.keys().filter(|k| !known.contains(&k.as_str())) {
            let shown: String = key.chars().take(64).collect();
            let message = match suggest(key, known) {
                Some(suggestion) => {
                    format!("is not a known property; did you mean {prefix}{suggestion}?")
                }
                None => format!("is not a known property (known: {})", known.join(", ")),
            };
            self.errors.push(format!("{prefix}{shown}"), message);
        }
    }
}

/// Names people reach for that are not ours, with the property they mean.
const ALIASES: &[(&str, &str)] = &[
    ("username", "Name"),
    ("user", "Name"),
    ("login", "Name"),
    ("instance", "InstanceId"),
    ("instancearn", "InstanceId"),
    ("routingprofile", "RoutingProfileId"),
    ("routingprofilearn", "RoutingProfileId"),
    ("securityprofiles", "SecurityProfileIds"),
    ("securityprofilearns", "SecurityProfileIds"),
    ("hierarchygroup", "HierarchyGroupId"),
    ("hierarchygrouparn", "HierarchyGroupId"),
];

/// The known property a mistyped key most likely meant.
pub fn suggest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = key.to_ascii_lowercase();
    if let Some(exact) = known.iter().find(|k| k.to_ascii_lowercase() == lower) {
        return Some(exact);
    }
    if let Some((_, target)) = ALIASES.iter().find(|(alias, _)| *alias == lower) {
        if let Some(found) = known.iter().find(|k| *k == target) {
            return Some(found);
        }
    }
    known
        .iter()
        .map(|k| (strsim::levenshtein(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(distance, k)| *distance <= 2.max(k.len() / 4))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

/// A scalar as text: strings as they are, numbers and booleans in their JSON form.
/// `None` for absent or null; `Err` for lists and objects.
pub(super) fn scalar_text(value: Option<&Value>) -> Result<Option<String>, &'static str> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::Bool(b)) => Ok(Some(b.to_string())),
        Some(_) => Err("must be a string"),
    }
}

/// One value (maybe absent) and its property path.
pub(super) struct Field<'a> {
    value: Option<&'a Value>,
    path: String,
    errors: &'a Errors,
}

impl<'a> Field<'a> {
    /// The raw value, for the few properties with a shape of their own (`Tags`, a level).
    pub(super) fn value(&self) -> Option<&'a Value> {
        self.value
    }

    /// Reports a problem with this value.
    pub(super) fn error(&self, message: impl Into<String>) {
        self.errors.push(self.path.as_str(), message);
    }

    /// Whether a problem is already reported at this path.
    pub(super) fn reported(&self) -> bool {
        self.errors.reported(&self.path)
    }

    /// An optional string property; empty counts as absent.
    pub(super) fn text(&self) -> Option<String> {
        match scalar_text(self.value) {
            Ok(text) => text.filter(|t| !t.is_empty()),
            Err(message) => {
                self.error(message);
                None
            }
        }
    }

    /// A string property that must be given (and not empty).
    pub(super) fn required_text(&self) -> Option<String> {
        let known_bad = matches!(self.value, Some(Value::Array(_) | Value::Object(_)));
        let text = self.text();
        if text.is_none() && !known_bad {
            self.error("is required");
        }
        text
    }

    /// A boolean spelt exactly as CloudFormation stringifies one (`"true"`, `"false"`), or
    /// JSON's; empty is none. For a switch that changes who owns a user, where a near-miss
    /// spelling must not be read as a choice.
    pub(super) fn strict_bool(&self) -> Option<bool> {
        self.boolean(|text, word| text == word, "must be \"true\" or \"false\"")
    }

    /// A boolean, as JSON or as CloudFormation stringifies it (`"true"`, `"False"`).
    pub(super) fn bool(&self) -> Option<bool> {
        self.boolean(str::eq_ignore_ascii_case, "must be true or false")
    }

    /// A JSON boolean, or text that `spells` `"true"` or `"false"`; empty is none; anything else
    /// is reported as `problem`.
    fn boolean(&self, spells: impl Fn(&str, &str) -> bool, problem: &str) -> Option<bool> {
        match self.value {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::String(s)) if spells(s, "true") => Some(true),
            Some(Value::String(s)) if spells(s, "false") => Some(false),
            Some(Value::String(s)) if s.is_empty() => None,
            Some(_) => {
                self.error(problem);
                None
            }
        }
    }

    /// A boolean that must be given.
    pub(super) fn required_bool(&self) -> Option<bool> {
        let value = self.bool();
        if value.is_none() && !self.reported() {
            self.error("is required");
        }
        value
    }

    /// A whole number, as JSON or stringified.
    pub(super) fn integer(&self) -> Option<i64> {
        let parsed = match self.value {
            None | Some(Value::Null) => return None,
            Some(Value::String(s)) if s.is_empty() => return None,
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
            Some(_) => None,
        };
        if parsed.is_none() {
            self.error("must be a whole number");
        }
        parsed
    }

    /// An optional object (`"must be an object"` if it is something else).
    pub(super) fn object(&self) -> Option<Reader<'a>> {
        self.object_or("must be an object")
    }

    /// An optional object, its keys read under this path; `message` if it is something else.
    pub(super) fn object_or(&self, message: &str) -> Option<Reader<'a>> {
        match self.value {
            None | Some(Value::Null) => None,
            Some(Value::Object(map)) => Some(self.reader(map)),
            Some(_) => {
                self.error(message);
                None
            }
        }
    }

    /// A list entry, which must be an object (null included).
    pub(super) fn entry(&self) -> Option<Reader<'a>> {
        match self.value {
            Some(Value::Object(map)) => Some(self.reader(map)),
            _ => {
                self.error("must be an object");
                None
            }
        }
    }

    fn reader(&self, map: &'a Map<String, Value>) -> Reader<'a> {
        Reader {
            map,
            prefix: format!("{}.", self.path),
            errors: self.errors,
        }
    }

    /// An optional list; absent, null and empty string count as absent, anything else than a
    /// list is reported with `message`. Each item comes with its path, `Key[i]`.
    pub(super) fn list(&self, message: &str) -> Option<Vec<Field<'a>>> {
        match self.value {
            Some(Value::String(s)) if s.is_empty() => None,
            _ => self.list_strict(message),
        }
    }

    /// A list that must be given: absent or null is "required", anything else than a list
    /// (an empty string included) is reported with `message`.
    pub(super) fn required_list(&self, message: &str) -> Option<Vec<Field<'a>>> {
        if self.value.is_none_or(Value::is_null) {
            self.error("is required");
            return None;
        }
        self.list_strict(message)
    }

    fn list_strict(&self, message: &str) -> Option<Vec<Field<'a>>> {
        match self.value {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| Field {
                        value: Some(item),
                        path: format!("{}[{i}]", self.path),
                        errors: self.errors,
                    })
                    .collect(),
            ),
            Some(_) => {
                self.error(message);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect_user::properties::test_support::{basic, parse_value};
    use crate::connect_user::properties::TOP_LEVEL;
    use serde_json::json;

    #[test]
    fn stringified_and_native_scalars_mean_the_same() {
        let mut native = basic();
        native["PhoneConfig"] = json!({"PhoneType": "SOFT_PHONE", "AutoAccept": true, "AfterContactWorkTimeLimit": 30, "PersistentConnection": false});
        let mut strings = basic();
        strings["PhoneConfig"] = json!({"PhoneType": "SOFT_PHONE", "AutoAccept": "true", "AfterContactWorkTimeLimit": "30", "PersistentConnection": "False"});
        assert_eq!(
            parse_value(&native).unwrap(),
            parse_value(&strings).unwrap()
        );
        assert!(
            parse_value(&strings)
                .unwrap()
                .phone_config
                .unwrap()
                .auto_accept
        );
    }

    #[test]
    fn suggestions_catch_case_aliases_and_typos() {
        assert_eq!(suggest("instanceId", TOP_LEVEL), Some("InstanceId"));
        assert_eq!(suggest("Username", TOP_LEVEL), Some("Name"));
        assert_eq!(
            suggest("SecurityProfileId", TOP_LEVEL),
            Some("SecurityProfileIds")
        );
        assert_eq!(
            suggest("RoutingProfileArn", TOP_LEVEL),
            Some("RoutingProfileId")
        );
        assert_eq!(suggest("Colour", TOP_LEVEL), None);
    }

    /// The problems a read leaves, as `path message`.
    fn problems(errors: Errors) -> Vec<String> {
        errors
            .into_vec()
            .into_iter()
            .map(|e| format!("{} {}", e.path, e.message))
            .collect()
    }

    #[test]
    fn paths_follow_objects_and_list_entries() {
        let map = json!({"A": {"B": [{"C": []}, 7]}});
        let errors = Errors::default();
        let top = Reader::new(map.as_object().unwrap(), &errors);
        let a = top.field("A").object().unwrap();
        let items = a.field("B").list("must be a list").unwrap();
        assert_eq!(items.len(), 2);
        let first = items[0].entry().unwrap();
        assert_eq!(first.field("C").text(), None);
        assert!(items[1].entry().is_none());
        first.check_unknown(&["Other"]);
        assert_eq!(
            problems(errors),
            [
                "A.B[0].C must be a string",
                "A.B[1] must be an object",
                "A.B[0].C is not a known property (known: Other)",
            ]
        );
    }

    #[test]
    fn scalars_arrive_stringified_and_empty_means_absent() {
        let map = json!({"T": "TRUE", "F": false, "N": " 42 ", "E": "", "X": "maybe", "L": ""});
        let errors = Errors::default();
        let top = Reader::new(map.as_object().unwrap(), &errors);
        assert_eq!(top.field("T").bool(), Some(true));
        assert_eq!(top.field("F").bool(), Some(false));
        assert_eq!(top.field("N").integer(), Some(42));
        assert_eq!(top.field("E").text(), None);
        assert_eq!(top.field("E").bool(), None);
        assert_eq!(top.field("E").integer(), None);
        assert!(top.field("L").list("must be a list").is_none());
        assert_eq!(top.field("X").bool(), None);
        assert_eq!(top.field("E").required_text(), None);
        assert!(top.field("L").required_list("must be a list").is_none());
        assert!(top
            .field("Missing")
            .required_list("must be a list")
            .is_none());
        assert_eq!(
            problems(errors),
            [
                "X must be true or false",
                "E is required",
                "L must be a list",
                "Missing is required",
            ]
        );
    }

    #[test]
    fn a_required_value_already_refused_is_not_also_missing() {
        let map = json!({"B": "yes", "S": ["a"]});
        let errors = Errors::default();
        let top = Reader::new(map.as_object().unwrap(), &errors);
        assert_eq!(top.field("B").required_bool(), None);
        assert_eq!(top.field("S").required_text(), None);
        assert_eq!(
            problems(errors),
            ["B must be true or false", "S must be a string"]
        );
    }
}
