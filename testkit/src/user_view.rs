//! A typed view of a user as the emulated `DescribeUser` shows it, so that end-to-end tests
//! read `user.phone_config.auto_accept` instead of indexing JSON (`user["PhoneConfig"]
//! ["AutoAccept"]`), where a misspelt key silently reads `null`. A field that Connect may leave
//! out is an `Option` (or an empty collection), so a test still tells absent from false.
//! Each field's mapping is checked by this file's test: renaming one fails it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::Value;

/// `DescribeUser`'s `User`, the fields the tests read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserView {
    pub id: String,
    pub arn: String,
    pub username: String,
    pub routing_profile_id: String,
    #[serde(default)]
    pub security_profile_ids: Vec<String>,
    pub hierarchy_group_id: Option<String>,
    pub directory_user_id: Option<String>,
    #[serde(default)]
    pub identity_info: IdentityInfoView,
    pub phone_config: PhoneConfigView,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// `IdentityInfo`; every field optional, as in Connect.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityInfoView {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub secondary_email: Option<String>,
    pub mobile: Option<String>,
}

/// `PhoneConfig`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PhoneConfigView {
    pub phone_type: String,
    pub auto_accept: Option<bool>,
    pub after_contact_work_time_limit: Option<i64>,
    pub desk_phone_number: Option<String>,
    pub persistent_connection: Option<bool>,
}

impl UserView {
    /// The view of `user` (`DescribeUser`'s `User`); panics, naming what is wrong, when it
    /// does not have the shape: a test reading a user that is not one should fail.
    pub fn of(user: &Value) -> UserView {
        serde_json::from_value(user.clone())
            .unwrap_or_else(|e| panic!("not a DescribeUser User ({e}): {user}"))
    }

    /// The security profiles, as a set (Connect keeps no order).
    pub fn security_profiles(&self) -> BTreeSet<&str> {
        self.security_profile_ids
            .iter()
            .map(String::as_str)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "Id": "id-1", "Arn": "arn-1", "Username": "ada",
            "RoutingProfileId": "rp-1", "SecurityProfileIds": ["sp-2", "sp-1"],
            "HierarchyGroupId": "hg-1", "DirectoryUserId": "dir-1",
            "IdentityInfo": {"FirstName": "Ada", "LastName": "King", "Email": "a@x",
                             "SecondaryEmail": "b@x", "Mobile": "+1555"},
            "PhoneConfig": {"PhoneType": "DESK_PHONE", "AutoAccept": true,
                            "AfterContactWorkTimeLimit": 30, "DeskPhoneNumber": "+1444",
                            "PersistentConnection": false},
            "Tags": {"team": "blue"},
            "AutoAcceptConfigs": []
        })
    }

    #[test]
    fn every_field_reads_its_own_key() {
        let view = UserView::of(&user());
        assert_eq!(
            (view.id.as_str(), view.arn.as_str(), view.username.as_str()),
            ("id-1", "arn-1", "ada")
        );
        assert_eq!(view.routing_profile_id, "rp-1");
        assert_eq!(view.security_profiles(), BTreeSet::from(["sp-1", "sp-2"]));
        assert_eq!(view.hierarchy_group_id.as_deref(), Some("hg-1"));
        assert_eq!(view.directory_user_id.as_deref(), Some("dir-1"));
        let identity = &view.identity_info;
        assert_eq!(
            [
                &identity.first_name,
                &identity.last_name,
                &identity.email,
                &identity.secondary_email,
                &identity.mobile
            ]
            .map(|f| f.as_deref()),
            [
                Some("Ada"),
                Some("King"),
                Some("a@x"),
                Some("b@x"),
                Some("+1555")
            ]
        );
        let phone = &view.phone_config;
        assert_eq!(phone.phone_type, "DESK_PHONE");
        assert_eq!(phone.auto_accept, Some(true));
        assert_eq!(phone.after_contact_work_time_limit, Some(30));
        assert_eq!(phone.desk_phone_number.as_deref(), Some("+1444"));
        assert_eq!(phone.persistent_connection, Some(false));
        assert_eq!(view.tags, BTreeMap::from([("team".into(), "blue".into())]));
    }

    #[test]
    fn what_connect_leaves_out_reads_as_absent_not_as_a_value() {
        let mut user = user();
        for key in [
            "HierarchyGroupId",
            "DirectoryUserId",
            "IdentityInfo",
            "Tags",
        ] {
            user.as_object_mut().unwrap().remove(key);
        }
        user["PhoneConfig"] = json!({"PhoneType": "SOFT_PHONE"});
        let view = UserView::of(&user);
        assert_eq!(view.hierarchy_group_id, None);
        assert_eq!(view.identity_info, IdentityInfoView::default());
        assert!(view.tags.is_empty());
        assert_eq!(view.phone_config.auto_accept, None, "absent, not false");
        assert_eq!(view.phone_config.desk_phone_number, None);
    }

    #[test]
    #[should_panic(expected = "not a DescribeUser User")]
    fn a_value_that_is_not_a_user_fails_the_test_reading_it() {
        UserView::of(&json!({"Username": "ada"}));
    }
}
