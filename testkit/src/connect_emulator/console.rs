//! Users made outside the function, as an administrator makes them in the Connect console (or
//! with the CLI): no tag of this project's, settings the console offers, a couple of the
//! organisation's own tags, a proficiency. They go straight into the emulator's world: no call
//! is recorded and no IAM, throttling or fault applies, but Connect's own rules do (each is
//! made through `CreateUser`'s checks, then `AssociateUserProficiencies`'). `SearchUsers`,
//! `ListUsers`, `DescribeUser`, `TagResource` and `UntagResource` see them like any other user
//! (a paused search index holds them back too: see [`World::search_index_paused`]).

use std::collections::HashSet;

use serde_json::{json, Value};

use super::model::{duplicate, seed, ApiError, IdentityManagement, World};
use super::rules;

/// The tags a console-made user carries: the organisation's own, none of this project's.
pub const CONSOLE_TAGS: [(&str, &str); 2] =
    [("CostCenter", "console"), ("Team", "made-in-console")];

/// The settings a console-made user is given, where the examples and tests use others: the
/// second routing profile, the supervisor security profile, the first hierarchy group, a desk
/// phone with auto-accept and two minutes of after-contact work, and French at level 2.
pub const CONSOLE_ROUTING_PROFILE: &str = seed::ROUTING_PROFILES[1];
pub const CONSOLE_SECURITY_PROFILE: &str = seed::SECURITY_PROFILES[1];
pub const CONSOLE_HIERARCHY_GROUP: &str = seed::HIERARCHY_GROUPS[0];
pub const CONSOLE_DESK_PHONE: &str = "+12065550123";
pub const CONSOLE_AFTER_CONTACT_WORK: i64 = 120;
pub const CONSOLE_PROFICIENCY: (&str, &str, f64) = ("Language", "French", 2.0);

/// The `CreateUser` body of a console-made user called `username` on an instance of `kind`:
/// a password only where Connect manages identities, no email under SAML, and on an
/// existing-directory instance the directory's id for the user, `dir-<username>` (each as
/// [`super::rules::password`], [`super::rules::identity`] and
/// [`super::rules::directory_user_id`] require).
pub fn console_body(kind: IdentityManagement, username: &str) -> Value {
    let mut body = json!({
        "Username": username,
        "IdentityInfo": {"FirstName": "Grace", "LastName": "Hopper", "Email": "grace.hopper@example.com"},
        "PhoneConfig": {
            "PhoneType": "DESK_PHONE",
            "DeskPhoneNumber": CONSOLE_DESK_PHONE,
            "AutoAccept": true,
            "AfterContactWorkTimeLimit": CONSOLE_AFTER_CONTACT_WORK
        },
        "RoutingProfileId": CONSOLE_ROUTING_PROFILE,
        "SecurityProfileIds": [CONSOLE_SECURITY_PROFILE],
        "HierarchyGroupId": CONSOLE_HIERARCHY_GROUP,
        "Tags": CONSOLE_TAGS.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
    });
    match kind {
        IdentityManagement::ConnectManaged => body["Password"] = json!("Console-Passw0rd"),
        IdentityManagement::Saml => {
            body["IdentityInfo"] = json!({"FirstName": "Grace", "LastName": "Hopper"});
        }
        IdentityManagement::ExistingDirectory => {
            body["DirectoryUserId"] = json!(format!("dir-{username}"));
        }
    }
    body
}

impl World {
    /// Puts a console-made user called `username` into `instance_id` ([`console_body`], then
    /// `edit` on that body), through `CreateUser`'s checks, and associates
    /// [`CONSOLE_PROFICIENCY`]. Returns its id. A taken name answers `CreateUser`'s 409.
    pub fn put_console_user(
        &mut self,
        instance_id: &str,
        username: &str,
        edit: impl FnOnce(&mut Value),
    ) -> Result<String, ApiError> {
        let kind = self.instance(instance_id)?.identity_management;
        let mut body = console_body(kind, username);
        edit(&mut body);
        let answer = self.create_user(instance_id, &body)?;
        let id = answer["UserId"].as_str().unwrap_or_default().to_owned();
        let (name, value, level) = CONSOLE_PROFICIENCY;
        self.call(
            "AssociateUserProficiencies",
            &json!({
                "InstanceId": instance_id,
                "UserId": id,
                "UserProficiencies": [{"AttributeName": name, "AttributeValue": value, "Level": level}]
            }),
        )?;
        Ok(id)
    }

    /// Puts `count` console-made users into `instance_id`, named `prefix` and a four-digit
    /// number from 0000 (`staff0000`, `staff0001`, ...), as [`World::put_console_user`] would,
    /// but fast (3,000 in a few milliseconds): the first goes through every check, the others
    /// differ from it only by name, so only the name's checks run for them. Returns their ids
    /// in that order.
    pub fn seed_console_users(
        &mut self,
        instance_id: &str,
        prefix: &str,
        count: usize,
    ) -> Result<Vec<String>, ApiError> {
        let name = |i: usize| format!("{prefix}{i:04}");
        let mut ids = Vec::with_capacity(count);
        if count == 0 {
            return Ok(ids);
        }
        ids.push(self.put_console_user(instance_id, &name(0), |_| {})?);
        let instance = self.instance(instance_id)?;
        let kind = instance.identity_management;
        let mut taken: HashSet<String> = instance
            .users
            .values()
            .map(|u| u.username.to_ascii_lowercase())
            .collect();
        let (attribute, value, level) = CONSOLE_PROFICIENCY;
        for i in 1..count {
            let username = name(i);
            rules::username(kind, &username)?;
            if !taken.insert(username.to_ascii_lowercase()) {
                return Err(duplicate(&username));
            }
            let body = console_body(kind, &username);
            let answer = self.insert(instance_id, &body)?;
            let id = answer["UserId"].as_str().unwrap_or_default().to_owned();
            if let Some(user) = self
                .instances
                .get_mut(instance_id)
                .and_then(|instance| instance.users.get_mut(&id))
            {
                user.proficiencies
                    .insert((attribute.to_owned(), value.to_owned()), level);
            }
            ids.push(id);
        }
        Ok(ids)
    }
}
