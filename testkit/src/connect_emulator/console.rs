//! Users made outside the function, as an administrator makes them in the Connect console (or
//! with the CLI): no tag of this project's, settings the console offers, a couple of the
//! organisation's own tags, a proficiency. They go straight into the emulator's world: no call
//! is recorded and no IAM, throttling or fault applies, but Connect's own rules do (each is
//! made through `CreateUser`'s checks, then `AssociateUserProficiencies`'). `SearchUsers`,
//! `ListUsers`, `DescribeUser`, `TagResource` and `UntagResource` see them like any other user
//! (a paused search index holds them back too: see [`World::search_index_paused`]).
//!
//! Routing profiles, security profiles and hierarchy groups made in the console the same way
//! ([`World::put_routing_profile`], [`World::put_security_profile`],
//! [`World::put_hierarchy_group`], their `rename_*` and `seed_*`): straight into the world,
//! no call recorded, Connect's naming rules applied ([`rules::ResourceKind::name_shape`],
//! [`rules::hierarchy_group_name`], [`rules::same_resource_name`]). `ListRoutingProfiles`,
//! `ListSecurityProfiles`, `ListUserHierarchyGroups` and `DescribeUserHierarchyGroup` show
//! them, and `CreateUser`, `UpdateUserRoutingProfile`, `UpdateUserSecurityProfiles` and
//! `UpdateUserHierarchy` accept them, as they do the seeds.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::model::{
    duplicate, not_found, now, resource_arn, seed, ApiError, Catalog, HierarchyGroup,
    IdentityManagement, Instance, Named, Profile, World,
};
use super::rules::{self, ResourceKind};
use super::service_model;

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

/// A routing profile or a security profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProfileKind {
    Routing,
    Security,
}

impl ProfileKind {
    fn resource(self) -> ResourceKind {
        match self {
            ProfileKind::Routing => ResourceKind::RoutingProfile,
            ProfileKind::Security => ResourceKind::SecurityProfile,
        }
    }

    /// The start of its ids (as the seeds': `rp-…`, `sp-…`) and its kind in the ARN.
    fn id_prefix_and_arn_kind(self) -> (&'static str, &'static str) {
        match self {
            ProfileKind::Routing => ("rp", "routing-profile"),
            ProfileKind::Security => ("sp", "security-profile"),
        }
    }

    fn of(self, instance: &Instance) -> &Catalog<Profile> {
        match self {
            ProfileKind::Routing => &instance.routing_profiles,
            ProfileKind::Security => &instance.security_profiles,
        }
    }

    fn of_mut(self, instance: &mut Instance) -> &mut Catalog<Profile> {
        match self {
            ProfileKind::Routing => &mut instance.routing_profiles,
            ProfileKind::Security => &mut instance.security_profiles,
        }
    }
}

/// A name as Connect would take it for a resource of `kind`: the model's name shape where it
/// has one, else the documented rule ([`ResourceKind::name_shape`]).
fn check_name(kind: ResourceKind, name: &str) -> Result<(), ApiError> {
    let Some(shape) = kind.name_shape() else {
        return rules::hierarchy_group_name(name);
    };
    service_model::model()
        .check(shape, &json!(name))
        .map_err(|violations| {
            let listed: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
            rules::refused(format!(
                "{} name {name:?}: {}",
                kind.label(),
                listed.join("; ")
            ))
        })
}

/// The key two names clash on ([`rules::same_resource_name`]), for seeding many at once.
fn name_key(name: &str) -> String {
    name.to_owned()
}

/// Seeded names: `prefix` and a four-digit number from 0000.
fn seeded_name(prefix: &str, i: usize) -> String {
    format!("{prefix}{i:04}")
}

impl World {
    /// A new id for a routing profile (`rp`), security profile (`sp`) or hierarchy group
    /// (`hg`): shaped like the seeds' (`rp-00000001-4000-8000-000000000001`), never given
    /// twice in this world.
    fn new_resource_id(&mut self, prefix: &str) -> String {
        let n = self.next_resource;
        self.next_resource += 1;
        format!("{prefix}-{n:08x}-4000-8000-{n:012x}")
    }

    fn put_profile(
        &mut self,
        instance_id: &str,
        kind: ProfileKind,
        name: &str,
    ) -> Result<String, ApiError> {
        check_name(kind.resource(), name)?;
        let profiles = kind.of(self.instance(instance_id)?);
        if profiles
            .iter()
            .any(|p| rules::same_resource_name(&p.name, name))
        {
            return Err(rules::duplicate_resource(kind.resource(), name));
        }
        let (prefix, arn_kind) = kind.id_prefix_and_arn_kind();
        let id = self.new_resource_id(prefix);
        let profile = Profile {
            arn: resource_arn(instance_id, arn_kind, &id),
            id: id.clone(),
            name: name.to_owned(),
            modified: now(),
        };
        kind.of_mut(self.instance_mut(instance_id)?).push(profile);
        Ok(id)
    }

    fn rename_profile(
        &mut self,
        instance_id: &str,
        kind: ProfileKind,
        id: &str,
        name: &str,
    ) -> Result<(), ApiError> {
        check_name(kind.resource(), name)?;
        let profiles = kind.of(self.instance(instance_id)?);
        if !profiles.contains(id) {
            return Err(not_found(format!(
                "{} {id} not found in instance {instance_id}",
                kind.resource().label()
            )));
        }
        if profiles
            .iter()
            .any(|p| p.id != id && rules::same_resource_name(&p.name, name))
        {
            return Err(rules::duplicate_resource(kind.resource(), name));
        }
        if let Some(profile) = kind.of_mut(self.instance_mut(instance_id)?).get_mut(id) {
            profile.set_name(name.to_owned());
        }
        Ok(())
    }

    fn seed_profiles(
        &mut self,
        instance_id: &str,
        kind: ProfileKind,
        prefix: &str,
        count: usize,
    ) -> Result<Vec<String>, ApiError> {
        let mut taken: HashSet<String> = kind
            .of(self.instance(instance_id)?)
            .iter()
            .map(|p| name_key(&p.name))
            .collect();
        let (id_prefix, arn_kind) = kind.id_prefix_and_arn_kind();
        let made = now();
        let mut profiles = Vec::with_capacity(count);
        for i in 0..count {
            let name = seeded_name(prefix, i);
            check_name(kind.resource(), &name)?;
            if !taken.insert(name_key(&name)) {
                return Err(rules::duplicate_resource(kind.resource(), &name));
            }
            let id = self.new_resource_id(id_prefix);
            profiles.push(Profile {
                arn: resource_arn(instance_id, arn_kind, &id),
                id,
                name,
                modified: made,
            });
        }
        let ids = profiles.iter().map(|p| p.id.clone()).collect();
        let catalog = kind.of_mut(self.instance_mut(instance_id)?);
        for profile in profiles {
            catalog.push(profile);
        }
        Ok(ids)
    }

    /// Puts a routing profile called `name` into `instance_id`, as made in the console: last
    /// in `ListRoutingProfiles`, and a routing profile `CreateUser` and
    /// `UpdateUserRoutingProfile` accept. Returns its id. A name the model's
    /// `RoutingProfileName` refuses answers 400; one the instance holds already, 409
    /// `DuplicateResourceException` ([`rules::same_resource_name`]).
    pub fn put_routing_profile(
        &mut self,
        instance_id: &str,
        name: &str,
    ) -> Result<String, ApiError> {
        self.put_profile(instance_id, ProfileKind::Routing, name)
    }

    /// Puts a security profile called `name` into `instance_id`, as made in the console:
    /// last in `ListSecurityProfiles`, and a security profile `CreateUser` and
    /// `UpdateUserSecurityProfiles` accept. Returns its id. A name `CreateSecurityProfile`'s
    /// `CreateSecurityProfileName` refuses answers 400; one the instance holds already, 409
    /// ([`rules::same_resource_name`]).
    pub fn put_security_profile(
        &mut self,
        instance_id: &str,
        name: &str,
    ) -> Result<String, ApiError> {
        self.put_profile(instance_id, ProfileKind::Security, name)
    }

    /// Renames the routing profile `id` to `name` (as `UpdateRoutingProfileName` or the
    /// console would; its id, place in the list and users stay). 404 if the instance has no
    /// such profile; 400 or 409 for the name as [`World::put_routing_profile`].
    pub fn rename_routing_profile(
        &mut self,
        instance_id: &str,
        id: &str,
        name: &str,
    ) -> Result<(), ApiError> {
        self.rename_profile(instance_id, ProfileKind::Routing, id, name)
    }

    /// Renames the security profile `id` to `name`, as [`World::rename_routing_profile`].
    /// The API has no rename for a security profile (`UpdateSecurityProfile` takes no name):
    /// this is a change made elsewhere, for tests of a name that drifts.
    pub fn rename_security_profile(
        &mut self,
        instance_id: &str,
        id: &str,
        name: &str,
    ) -> Result<(), ApiError> {
        self.rename_profile(instance_id, ProfileKind::Security, id, name)
    }

    /// Puts `count` routing profiles into `instance_id` at once, named `prefix0000`,
    /// `prefix0001`, ... (3,000 in a few milliseconds), each as
    /// [`World::put_routing_profile`] would. Returns their ids in that order. Nothing is put
    /// if one is refused.
    pub fn seed_routing_profiles(
        &mut self,
        instance_id: &str,
        prefix: &str,
        count: usize,
    ) -> Result<Vec<String>, ApiError> {
        self.seed_profiles(instance_id, ProfileKind::Routing, prefix, count)
    }

    /// [`World::seed_routing_profiles`] for security profiles.
    pub fn seed_security_profiles(
        &mut self,
        instance_id: &str,
        prefix: &str,
        count: usize,
    ) -> Result<Vec<String>, ApiError> {
        self.seed_profiles(instance_id, ProfileKind::Security, prefix, count)
    }

    /// Puts a hierarchy group called `name` on `level` (1 to 5) into `instance_id`, as made
    /// in the console: last in `ListUserHierarchyGroups`, described by
    /// `DescribeUserHierarchyGroup`, and a group `CreateUser` and `UpdateUserHierarchy`
    /// accept. On level one it has no parent; on level n it is put under the group last made
    /// on level n - 1 (400 if there is none: make the levels above first, or use
    /// [`World::put_hierarchy_group_under`]). Returns its id. A name of more than 100
    /// characters answers 400 ([`rules::hierarchy_group_name`]); one a sibling holds, 409
    /// ([`rules::same_resource_name`]: the same name on another level, or under another
    /// parent, is allowed).
    pub fn put_hierarchy_group(
        &mut self,
        instance_id: &str,
        name: &str,
        level: u8,
    ) -> Result<String, ApiError> {
        rules::hierarchy_level(level)?;
        let parent = if level == 1 {
            None
        } else {
            let above = level - 1;
            let parent = self
                .instance(instance_id)?
                .hierarchy_groups
                .iter()
                .rev()
                .find(|g| g.level == above)
                .ok_or_else(|| {
                    rules::refused(format!(
                        "no hierarchy group on level {above} to put a level-{level} group under"
                    ))
                })?;
            Some(parent.id.clone())
        };
        self.put_group(instance_id, name, level, parent)
    }

    /// Puts a hierarchy group called `name` under the group `parent_id`, one level below it,
    /// as [`World::put_hierarchy_group`]. 404 if the instance has no such group; 400 if it is
    /// on level five.
    pub fn put_hierarchy_group_under(
        &mut self,
        instance_id: &str,
        name: &str,
        parent_id: &str,
    ) -> Result<String, ApiError> {
        let parent = self
            .instance(instance_id)?
            .hierarchy_groups
            .get(parent_id)
            .ok_or_else(|| {
                not_found(format!(
                    "hierarchy group {parent_id} not found in instance {instance_id}"
                ))
            })?;
        let level = parent.level.saturating_add(1);
        rules::hierarchy_level(level)?;
        self.put_group(instance_id, name, level, Some(parent_id.to_owned()))
    }

    fn put_group(
        &mut self,
        instance_id: &str,
        name: &str,
        level: u8,
        parent: Option<String>,
    ) -> Result<String, ApiError> {
        rules::hierarchy_group_name(name)?;
        let groups = &self.instance(instance_id)?.hierarchy_groups;
        if groups
            .iter()
            .any(|g| g.parent == parent && rules::same_resource_name(&g.name, name))
        {
            return Err(rules::duplicate_resource(
                ResourceKind::HierarchyGroup,
                name,
            ));
        }
        let id = self.new_resource_id("hg");
        let group = HierarchyGroup {
            arn: resource_arn(instance_id, "agent-group", &id),
            id: id.clone(),
            name: name.to_owned(),
            level,
            parent,
            modified: now(),
        };
        self.instance_mut(instance_id)?.hierarchy_groups.push(group);
        Ok(id)
    }

    /// Renames the hierarchy group `id` to `name` (as `UpdateUserHierarchyGroupName` or the
    /// console would; its id, level, place in the list and users stay). 404 if the instance
    /// has no such group; 400 or 409 for the name as [`World::put_hierarchy_group`].
    pub fn rename_hierarchy_group(
        &mut self,
        instance_id: &str,
        id: &str,
        name: &str,
    ) -> Result<(), ApiError> {
        rules::hierarchy_group_name(name)?;
        let groups = &self.instance(instance_id)?.hierarchy_groups;
        let Some(group) = groups.get(id) else {
            return Err(not_found(format!(
                "hierarchy group {id} not found in instance {instance_id}"
            )));
        };
        if groups.iter().any(|g| {
            g.id != id && g.parent == group.parent && rules::same_resource_name(&g.name, name)
        }) {
            return Err(rules::duplicate_resource(
                ResourceKind::HierarchyGroup,
                name,
            ));
        }
        if let Some(group) = self.instance_mut(instance_id)?.hierarchy_groups.get_mut(id) {
            group.set_name(name.to_owned());
        }
        Ok(())
    }

    /// Puts `count` hierarchy groups on level one into `instance_id` at once, named
    /// `prefix0000`, `prefix0001`, ... (3,000 in a few milliseconds), each as
    /// [`World::put_hierarchy_group`] would. Returns their ids in that order. Nothing is put
    /// if one is refused.
    pub fn seed_hierarchy_groups(
        &mut self,
        instance_id: &str,
        prefix: &str,
        count: usize,
    ) -> Result<Vec<String>, ApiError> {
        let mut taken: HashSet<String> = self
            .instance(instance_id)?
            .hierarchy_groups
            .iter()
            .filter(|g| g.parent.is_none())
            .map(|g| name_key(&g.name))
            .collect();
        let made = now();
        let mut groups = Vec::with_capacity(count);
        for i in 0..count {
            let name = seeded_name(prefix, i);
            rules::hierarchy_group_name(&name)?;
            if !taken.insert(name_key(&name)) {
                return Err(rules::duplicate_resource(
                    ResourceKind::HierarchyGroup,
                    &name,
                ));
            }
            let id = self.new_resource_id("hg");
            groups.push(HierarchyGroup {
                arn: resource_arn(instance_id, "agent-group", &id),
                id,
                name,
                level: 1,
                parent: None,
                modified: made,
            });
        }
        let ids = groups.iter().map(|g| g.id.clone()).collect();
        let catalog = &mut self.instance_mut(instance_id)?.hierarchy_groups;
        for group in groups {
            catalog.push(group);
        }
        Ok(ids)
    }
}
