//! `Tags`: a list of `{Key, Value}` (CloudFormation's usual form) or a map of key to value,
//! checked against AWS's tag rules and the one key this resource keeps for itself.

use std::collections::BTreeMap;

use serde_json::Value;

use super::reader::{scalar_text, Reader};
use crate::connect_user::model::{user_tag_problem, MAX_USER_TAGS};

/// The tags, keyed by tag key; empty when `Tags` is absent.
pub(super) fn tags(top: &Reader) -> BTreeMap<String, String> {
    let errors = top.errors();
    let field = top.field("Tags");
    let mut tags = BTreeMap::new();
    let mut add = |path: String, key: Option<String>, value: Option<String>| {
        let (Some(key), Some(value)) = (key, value) else {
            errors.push(path, "must have a Key and a Value");
            return;
        };
        if let Some(problem) = user_tag_problem(&key, &value) {
            errors.push(path, problem);
        } else if tags.insert(key, value).is_some() {
            errors.push(path, "repeats a tag key");
        }
    };
    let text = |value: Option<&Value>| scalar_text(value).ok().flatten();
    match field.value() {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                add(
                    format!("Tags[{i}]"),
                    text(item.get("Key")),
                    text(item.get("Value")),
                );
            }
        }
        Some(Value::Object(entries)) => {
            for (key, value) in entries {
                let shown: String = key.chars().take(64).collect();
                add(
                    format!("Tags.{shown}"),
                    Some(key.clone()),
                    text(Some(value)),
                );
            }
        }
        Some(_) => field.error("must be a list of {Key, Value} or a map of key to value"),
    }
    if tags.len() > MAX_USER_TAGS {
        field.error(format!(
            "may hold at most {MAX_USER_TAGS} tags (it holds {})",
            tags.len()
        ));
    }
    tags
}

#[cfg(test)]
mod tests {
    use crate::connect_user::properties::test_support::{basic, parse_value};
    use serde_json::json;

    #[test]
    fn tags_as_list_or_map_mean_the_same() {
        let mut list = basic();
        list["Tags"] = json!([{"Key": "team", "Value": "blue"}, {"Key": "n", "Value": 1}]);
        let mut map = basic();
        map["Tags"] = json!({"team": "blue", "n": "1"});
        let spec = parse_value(&list).unwrap();
        assert_eq!(spec, parse_value(&map).unwrap());
        assert_eq!(spec.tags["n"], "1");
    }
}
