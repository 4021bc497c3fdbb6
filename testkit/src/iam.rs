//! The function's IAM source of truth (`src/connect_user/permissions.json`), as the emulators
//! enforce it: a call whose action the file does not grant is denied, as IAM denies any action
//! no policy allows ("By default, all requests are implicitly denied": IAM User Guide, "Policy
//! evaluation logic"). So every test binary checks that what the function calls is granted:
//! a missing permission fails the test that needs it. Only actions are checked here; which
//! resources each action is granted on is `make iam-check`'s business.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde_json::Value;

const PERMISSIONS: &str = include_str!("../../src/connect_user/permissions.json");

/// Every action the source of truth grants, as `service:Action`.
pub fn granted_actions() -> &'static BTreeSet<String> {
    static ACTIONS: OnceLock<BTreeSet<String>> = OnceLock::new();
    ACTIONS.get_or_init(|| actions_granted_by(PERMISSIONS))
}

/// Every action a permissions.json text grants, as `service:Action`.
pub fn actions_granted_by(permissions: &str) -> BTreeSet<String> {
    let file: Value = serde_json::from_str(permissions).expect("permissions.json is JSON");
    file["statements"]
        .as_array()
        .expect("permissions.json has statements")
        .iter()
        .flat_map(|s| s["actions"].as_array().expect("a statement has actions"))
        .map(|a| a.as_str().expect("actions are strings").to_owned())
        .collect()
}

/// Whether `service:operation` is granted.
pub fn is_granted(service: &str, operation: &str) -> bool {
    granted_actions().contains(&format!("{service}:{operation}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_users_is_granted_by_the_file_and_only_by_it() {
        assert!(is_granted("connect", "SearchUsers"));
        // The same file without the grant: denied, as every action it does not name.
        let without = PERMISSIONS.replace("\"connect:SearchUsers\"", "\"connect:ListUsers\"");
        assert_ne!(
            without, PERMISSIONS,
            "permissions.json names connect:SearchUsers"
        );
        let granted = actions_granted_by(&without);
        assert!(!granted.contains("connect:SearchUsers"));
        assert!(granted.contains("connect:DescribeUser"));
        assert!(!is_granted("connect", "ListTagsForResource"));
    }
}
