//! The emulator's state — instances, users and what Connect keeps for each — and the
//! operations on it. Every call goes through [`World::call`]: the service model's checks
//! ([`super::service_model`]), then the rules the model does not carry ([`super::rules`]),
//! then the change, then the answer's check against the operation's output shape.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Map, Value};

use super::rules::{self, UserConfigMode, UsernameMatch};
use super::service_model;
pub(super) use super::shapes::{duplicate, not_found};
pub use super::shapes::{ApiError, ApiResult, ChannelState, IdentityManagement};

/// Seeded ids, the same in every instance.
pub mod seed {
    pub const INSTANCE_MANAGED: &str = "10000000-0000-4000-8000-000000000001";
    pub const INSTANCE_SAML: &str = "20000000-0000-4000-8000-000000000002";
    pub const INSTANCE_DIRECTORY: &str = "30000000-0000-4000-8000-000000000003";
    pub const ROUTING_PROFILES: [&str; 2] = [
        "rp-basic-0000-4000-8000-000000000001",
        "rp-sales-0000-4000-8000-000000000002",
    ];
    pub const SECURITY_PROFILES: [&str; 4] = [
        "sp-agent-0000-4000-8000-000000000001",
        "sp-supervisor-4000-8000-000000000002",
        "sp-admin-0000-4000-8000-000000000003",
        "sp-quality-000-4000-8000-000000000004",
    ];
    pub const HIERARCHY_GROUPS: [&str; 2] = [
        "hg-east-0000-4000-8000-000000000001",
        "hg-west-0000-4000-8000-000000000002",
    ];
    /// The names of [`ROUTING_PROFILES`], in order. The first is the routing profile Connect
    /// makes with every instance (admin guide, concepts-routing.html: "Amazon Connect includes
    /// a default routing profile named Basic routing profile"; spelled here in title case, as
    /// the project's template names it); the second is one an administrator added.
    pub const ROUTING_PROFILE_NAMES: [&str; 2] = ["Basic Routing Profile", "Sales Routing Profile"];
    /// The names of [`SECURITY_PROFILES`], in order: Connect's four default security
    /// profiles, Agent, CallCenterManager, Admin and QualityAnalyst (admin guide, security
    /// profiles, connect-security-profiles.html).
    pub const SECURITY_PROFILE_NAMES: [&str; 4] =
        ["Agent", "CallCenterManager", "Admin", "QualityAnalyst"];
    /// The names of [`HIERARCHY_GROUPS`], in order; both are on [`HIERARCHY_GROUP_LEVEL`].
    pub const HIERARCHY_GROUP_NAMES: [&str; 2] = ["East", "West"];
    /// The level of [`HIERARCHY_GROUPS`] (no parent).
    pub const HIERARCHY_GROUP_LEVEL: u8 = 1;
    /// Predefined attributes and their values, for proficiencies.
    pub const PREDEFINED_ATTRIBUTES: [(&str, &[&str]); 2] = [
        ("Language", &["English", "Spanish", "French", "German"]),
        ("Skill", &["Billing", "Technical", "Sales"]),
    ];
    pub const ACCOUNT: &str = "123456789012";
    pub const REGION: &str = "us-east-1";
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub arn: String,
    pub username: String,
    /// The initial password, so that tests can check which one the function sent.
    pub password: Option<String>,
    pub identity_info: Map<String, Value>,
    /// Per-channel settings, every channel always present; `PhoneConfig` is a view of them.
    pub channels: BTreeMap<String, ChannelState>,
    /// `(AttributeName, AttributeValue)` → level.
    pub proficiencies: BTreeMap<ProficiencyKey, f64>,
    pub directory_user_id: Option<String>,
    pub hierarchy_group_id: Option<String>,
    pub routing_profile_id: String,
    pub security_profile_ids: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub modified: f64,
}

pub use rules::CHANNELS;

/// A routing profile or a security profile, as its List operation shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub id: String,
    pub arn: String,
    pub name: String,
    pub modified: f64,
}

/// A hierarchy group. Connect's hierarchy has up to five levels (admin guide,
/// agent-hierarchy.html: "You can specify up to 5 levels or tiers for your organization's
/// hierarchy groups"); a group on level one has no parent (API reference,
/// CreateUserHierarchyGroup, `ParentGroupId`: "The user hierarchy is created at level one if
/// the parent group ID is null"), one on level n has a parent on level n - 1. Assumption:
/// every instance of the emulator has all five levels defined (the hierarchy structure, which
/// Connect needs before a level holds groups, is not emulated).
#[derive(Debug, Clone, PartialEq)]
pub struct HierarchyGroup {
    pub id: String,
    pub arn: String,
    pub name: String,
    /// 1 to 5.
    pub level: u8,
    /// The group one level up; `None` on level 1.
    pub parent: Option<String>,
    pub modified: f64,
}

/// What a [`Catalog`] holds: something with an id and a name.
pub trait Named {
    fn id(&self) -> &str;
    fn name(&self) -> &str;
    fn set_name(&mut self, name: String);
    /// Its summary as the List operations show it (`RoutingProfileSummary`,
    /// `SecurityProfileSummary`, `HierarchyGroupSummary`: the same five members).
    fn summary(&self) -> Value;
}

fn summary_of(id: &str, arn: &str, name: &str, modified: f64) -> Value {
    json!({
        "Id": id,
        "Arn": arn,
        "Name": name,
        "LastModifiedTime": modified,
        "LastModifiedRegion": seed::REGION,
    })
}

impl Named for Profile {
    fn id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: String) {
        self.name = name;
        self.modified = now();
    }
    fn summary(&self) -> Value {
        summary_of(&self.id, &self.arn, &self.name, self.modified)
    }
}

impl Named for HierarchyGroup {
    fn id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: String) {
        self.name = name;
        self.modified = now();
    }
    fn summary(&self) -> Value {
        summary_of(&self.id, &self.arn, &self.name, self.modified)
    }
}

/// An instance's resources of one kind, in the order they were made (the order the List
/// operations answer in: see [`World::list_page`]), found by id.
#[derive(Debug, Clone)]
pub struct Catalog<T> {
    items: Vec<T>,
    index: HashMap<String, usize>,
}

impl<T> Default for Catalog<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T: Named> Catalog<T> {
    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    pub fn get(&self, id: &str) -> Option<&T> {
        self.index.get(id).and_then(|&i| self.items.get(i))
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        self.index.get(id).and_then(|&i| self.items.get_mut(i))
    }

    /// Adds `item` last. Ids are the world's to give, each once: an item whose id is held
    /// already replaces the one held, in its place.
    pub fn push(&mut self, item: T) {
        match self
            .index
            .get(item.id())
            .and_then(|&i| self.items.get_mut(i))
        {
            Some(held) => *held = item,
            None => {
                self.index.insert(item.id().to_owned(), self.items.len());
                self.items.push(item);
            }
        }
    }

    /// In the order they were made.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn as_slice(&self) -> &[T] {
        &self.items
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<T: Named> FromIterator<T> for Catalog<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut catalog = Self::default();
        for item in iter {
            catalog.push(item);
        }
        catalog
    }
}

/// The ARN of an instance's resource: `arn:aws:connect:{region}:{account}:instance/{instance}/{kind}/{id}`
/// (`agent` for a user, `routing-profile`, `security-profile`, `agent-group` for a hierarchy
/// group).
pub fn resource_arn(instance_id: &str, kind: &str, id: &str) -> String {
    format!(
        "arn:aws:connect:{}:{}:instance/{instance_id}/{kind}/{id}",
        seed::REGION,
        seed::ACCOUNT
    )
}

/// The `HierarchyPath` members, by level.
pub const HIERARCHY_LEVELS: [&str; 5] = [
    "LevelOne",
    "LevelTwo",
    "LevelThree",
    "LevelFour",
    "LevelFive",
];

#[derive(Debug, Clone)]
pub struct Instance {
    pub id: String,
    pub identity_management: IdentityManagement,
    pub routing_profiles: Catalog<Profile>,
    pub security_profiles: Catalog<Profile>,
    pub hierarchy_groups: Catalog<HierarchyGroup>,
    pub users: BTreeMap<String, User>,
}

#[derive(Debug)]
pub struct World {
    pub instances: BTreeMap<String, Instance>,
    /// What `UpdateUserConfig` does with what a call leaves out (undocumented).
    pub user_config_mode: UserConfigMode,
    /// Answers the emulator refused to give because they broke the operation's output shape:
    /// emulator bugs, each also answered as a 500 `EmulatorAnswerInvalid`.
    pub answer_violations: Vec<String>,
    /// The most items a list page holds, whatever `MaxResults` asks: `MaxResults` is a maximum
    /// (model doc: "The maximum number of results to return per page"), and a service may
    /// answer a shorter page with a `NextToken`, which the SDKs' paginators follow. Tests set
    /// it low to make the function page.
    pub page_cap: Option<usize>,
    /// `DescribeUser` answers without the five per-channel lists, as in a Region that does not
    /// have them yet (they are newer than `PhoneConfig`; the model marks none of them required).
    pub describe_without_channel_lists: bool,
    /// How `SearchUsers` compares `Username` (undocumented: see [`UsernameMatch`]).
    pub username_match: UsernameMatch,
    /// While set, users added to the world (by `CreateUser` or a test's helper) are not shown
    /// by `SearchUsers` until it is cleared ([`World::resume_search_index`]). The API reference
    /// (SearchUsers, <https://docs.aws.amazon.com/connect/latest/APIReference/API_SearchUsers.html>)
    /// does not say how soon a new user appears in a search; assumption: it may lag behind
    /// `CreateUser`, as a search index does. `ListUsers` and `DescribeUser` show a user at once
    /// (assumption too: they read the users themselves).
    pub search_index_paused: bool,
    /// The users `SearchUsers` does not show yet (added while [`World::search_index_paused`]).
    pub unindexed: BTreeSet<String>,
    next_user: u64,
    /// The number in the next routing profile's, security profile's or hierarchy group's id.
    pub(super) next_resource: u64,
}

impl Default for World {
    fn default() -> Self {
        let mut instances = BTreeMap::new();
        for (id, kind) in [
            (seed::INSTANCE_MANAGED, IdentityManagement::ConnectManaged),
            (seed::INSTANCE_SAML, IdentityManagement::Saml),
            (
                seed::INSTANCE_DIRECTORY,
                IdentityManagement::ExistingDirectory,
            ),
        ] {
            let made = now();
            let profiles = |ids: &[&str], names: &[&str], kind: &str| -> Catalog<Profile> {
                ids.iter()
                    .zip(names)
                    .map(|(profile, name)| Profile {
                        id: (*profile).to_owned(),
                        arn: resource_arn(id, kind, profile),
                        name: (*name).to_owned(),
                        modified: made,
                    })
                    .collect()
            };
            instances.insert(
                id.to_owned(),
                Instance {
                    id: id.to_owned(),
                    identity_management: kind,
                    routing_profiles: profiles(
                        &seed::ROUTING_PROFILES,
                        &seed::ROUTING_PROFILE_NAMES,
                        "routing-profile",
                    ),
                    security_profiles: profiles(
                        &seed::SECURITY_PROFILES,
                        &seed::SECURITY_PROFILE_NAMES,
                        "security-profile",
                    ),
                    hierarchy_groups: seed::HIERARCHY_GROUPS
                        .iter()
                        .zip(seed::HIERARCHY_GROUP_NAMES)
                        .map(|(group, name)| HierarchyGroup {
                            id: (*group).to_owned(),
                            arn: resource_arn(id, "agent-group", group),
                            name: name.to_owned(),
                            level: seed::HIERARCHY_GROUP_LEVEL,
                            parent: None,
                            modified: made,
                        })
                        .collect(),
                    users: BTreeMap::new(),
                },
            );
        }
        Self {
            instances,
            user_config_mode: UserConfigMode::default(),
            answer_violations: Vec::new(),
            page_cap: None,
            describe_without_channel_lists: false,
            username_match: UsernameMatch::default(),
            search_index_paused: false,
            unindexed: BTreeSet::new(),
            next_user: 1,
            next_resource: 1,
        }
    }
}

pub(super) fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// A string member of validated input.
fn text<'a>(input: &'a Value, key: &str) -> Option<&'a str> {
    input.get(key).and_then(Value::as_str)
}

fn object(input: &Value, key: &str) -> Map<String, Value> {
    input
        .get(key)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// An identity as Connect keeps it: the string members that are not empty.
fn kept_identity(info: &Map<String, Value>) -> Map<String, Value> {
    info.iter()
        .filter(|(_, v)| v.as_str().is_some_and(|s| !s.is_empty()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// What `UpdateUserPhoneConfig` (and `CreateUser`'s `PhoneConfig`) does: the VOICE channel's
/// phone, auto-accept and persistent connection, and the same after-contact-work limit on
/// every channel (model doc, `UpdateUserPhoneConfig`: it "will always set the same ACW
/// timeouts to all channels the user handles"). Omitted members are their defaults (see
/// [`rules::phone_config`]).
fn apply_phone_config(channels: &mut BTreeMap<String, ChannelState>, config: &Value) {
    let limit = config["AfterContactWorkTimeLimit"].as_i64().unwrap_or(0);
    for (name, state) in channels.iter_mut() {
        state.after_contact_work_time_limit = limit;
        if name == "VOICE" {
            state.phone_type = text(config, "PhoneType").unwrap_or("SOFT_PHONE").to_owned();
            state.phone_number = text(config, "DeskPhoneNumber")
                .filter(|n| !n.is_empty())
                .map(str::to_owned);
            state.auto_accept = config["AutoAccept"].as_bool().unwrap_or(false);
            state.persistent_connection = config["PersistentConnection"].as_bool().unwrap_or(false);
        }
    }
}

fn default_channels() -> BTreeMap<String, ChannelState> {
    CHANNELS
        .iter()
        .map(|c| (c.to_string(), ChannelState::default()))
        .collect()
}

/// `(AttributeName, AttributeValue)`.
pub type ProficiencyKey = (String, String);

/// A proficiency list of validated input, each attribute predefined and each level allowed.
fn proficiencies(input: &Value, with_level: bool) -> Result<Vec<(ProficiencyKey, f64)>, ApiError> {
    let mut out = Vec::new();
    for item in input["UserProficiencies"].as_array().into_iter().flatten() {
        let name = text(item, "AttributeName").unwrap_or_default();
        let value = text(item, "AttributeValue").unwrap_or_default();
        rules::predefined_attribute(&seed::PREDEFINED_ATTRIBUTES, name, value)?;
        let level = if with_level {
            let level = item["Level"].as_f64().unwrap_or_default();
            rules::proficiency_level(level)?;
            level
        } else {
            0.0
        };
        out.push(((name.to_owned(), value.to_owned()), level));
    }
    Ok(out)
}

fn tag_map(input: &Value, key: &str) -> BTreeMap<String, String> {
    input
        .get(key)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
        .collect()
}

impl Instance {
    fn check_routing_profile(&self, id: &str) -> Result<(), ApiError> {
        if self.routing_profiles.contains(id) {
            Ok(())
        } else {
            Err(not_found(format!(
                "routing profile {id} not found in instance {}",
                self.id
            )))
        }
    }

    fn check_security_profiles(&self, input: &Value) -> Result<Vec<String>, ApiError> {
        let mut out = Vec::new();
        for id in input["SecurityProfileIds"].as_array().into_iter().flatten() {
            let id = id.as_str().unwrap_or_default();
            if !self.security_profiles.contains(id) {
                return Err(not_found(format!(
                    "security profile {id} not found in instance {}",
                    self.id
                )));
            }
            out.push(id.to_owned());
        }
        Ok(out)
    }

    fn check_hierarchy_group(&self, id: Option<&str>) -> Result<Option<String>, ApiError> {
        match id.filter(|i| !i.is_empty()) {
            None => Ok(None),
            Some(id) if self.hierarchy_groups.contains(id) => Ok(Some(id.to_owned())),
            Some(id) => Err(not_found(format!(
                "hierarchy group {id} not found in instance {}",
                self.id
            ))),
        }
    }

    pub fn find_by_name(&self, username: &str) -> Option<&User> {
        self.users
            .values()
            .find(|u| rules::same_username(&u.username, username))
    }

    /// `DescribeUserHierarchyGroup`'s `HierarchyGroup`: the group, its level as `LevelId`
    /// (`"1"` to `"5"`, as the AWS CLI's describe-user-hierarchy-group example answers
    /// `"LevelId": "1"` for a group on level one) and its `HierarchyPath`, the summary of each
    /// group from level one down to the group itself, each under its level's member.
    pub fn hierarchy_group_view(&self, group_id: &str) -> ApiResult {
        let group = self.hierarchy_groups.get(group_id).ok_or_else(|| {
            not_found(format!(
                "hierarchy group {group_id} not found in instance {}",
                self.id
            ))
        })?;
        let mut path = Map::new();
        let mut at = Some(group);
        // A group's ancestors are one a level, five at most.
        for _ in 0..HIERARCHY_LEVELS.len() {
            let Some(current) = at else { break };
            let level = usize::from(current.level.clamp(1, 5)) - 1;
            path.insert(HIERARCHY_LEVELS[level].to_owned(), current.summary());
            at = current
                .parent
                .as_deref()
                .and_then(|parent| self.hierarchy_groups.get(parent));
        }
        Ok(json!({
            "HierarchyGroup": {
                "Id": group.id,
                "Arn": group.arn,
                "Name": group.name,
                "LevelId": group.level.to_string(),
                "HierarchyPath": path,
                "LastModifiedTime": group.modified,
                "LastModifiedRegion": seed::REGION,
            }
        }))
    }
}

impl World {
    /// Serves one operation on its assembled input (URI labels, query members and body
    /// members, by model member name): the model's checks, the rules, the change, and the
    /// answer's check against the output shape.
    pub fn call(&mut self, operation: &str, input: &Value) -> ApiResult {
        let model = service_model::model();
        if !model.operation_names().any(|name| name == operation) {
            return Err(ApiError {
                status: 404,
                code: "UnknownOperationException",
                message: format!("no such operation {operation}"),
            });
        }
        model
            .check_input(operation, input)
            .map_err(|violations| model.violation_error(operation, &violations))?;
        let answer = self.serve(operation, input)?;
        if let Err(violations) = model.check_output(operation, &answer) {
            let listed: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
            let message = format!(
                "emulator bug: its {operation} answer breaks the model's output shape: {}",
                listed.join("; ")
            );
            eprintln!("{message}");
            self.answer_violations.push(message.clone());
            return Err(ApiError {
                status: 500,
                code: "EmulatorAnswerInvalid",
                message,
            });
        }
        Ok(answer)
    }

    fn serve(&mut self, operation: &str, input: &Value) -> ApiResult {
        let instance = text(input, "InstanceId").unwrap_or_default().to_owned();
        let user = text(input, "UserId").unwrap_or_default().to_owned();
        let arn = text(input, "resourceArn").unwrap_or_default().to_owned();
        match operation {
            "CreateUser" => self.serve_create_user(&instance, input),
            "DescribeUser" => {
                let mut view = user_view(self.user(&instance, &user)?);
                if self.describe_without_channel_lists {
                    if let Some(view) = view.as_object_mut() {
                        for list in rules::CHANNEL_LISTS {
                            view.remove(list);
                        }
                    }
                }
                Ok(json!({ "User": view }))
            }
            "DeleteUser" => self.serve_delete_user(&instance, &user),
            "UpdateUserIdentityInfo" => self.serve_update_identity_info(&instance, &user, input),
            "UpdateUserPhoneConfig" => {
                let config = input["PhoneConfig"].clone();
                rules::phone_config(&config)?;
                self.modify(&instance, &user, |u| {
                    apply_phone_config(&mut u.channels, &config)
                })
            }
            "UpdateUserConfig" => {
                rules::channel_lists(input)?;
                let mode = self.user_config_mode;
                self.modify(&instance, &user, |u| {
                    rules::apply_user_config(mode, &mut u.channels, input)
                })
            }
            "UpdateUserRoutingProfile" => {
                let id = text(input, "RoutingProfileId")
                    .unwrap_or_default()
                    .to_owned();
                self.instance(&instance)?.check_routing_profile(&id)?;
                self.modify(&instance, &user, |u| u.routing_profile_id = id)
            }
            "UpdateUserSecurityProfiles" => {
                let ids = self.instance(&instance)?.check_security_profiles(input)?;
                self.modify(&instance, &user, |u| u.security_profile_ids = ids)
            }
            "UpdateUserHierarchy" => {
                let group = self
                    .instance(&instance)?
                    .check_hierarchy_group(text(input, "HierarchyGroupId"))?;
                self.modify(&instance, &user, |u| u.hierarchy_group_id = group)
            }
            "AssociateUserProficiencies" => self.set_proficiencies(&instance, &user, input, false),
            "UpdateUserProficiencies" => self.set_proficiencies(&instance, &user, input, true),
            "DisassociateUserProficiencies" => {
                let items = proficiencies(input, false)?;
                self.modify(&instance, &user, |u| {
                    for (key, _) in items {
                        u.proficiencies.remove(&key);
                    }
                })
            }
            "ListUserProficiencies" => self.serve_list_proficiencies(&instance, &user, input),
            "ListUsers" => self.serve_list_users(&instance, input),
            "ListRoutingProfiles" => {
                let profiles = &self.instance(&instance)?.routing_profiles;
                self.list_page(operation, profiles, input, "RoutingProfileSummaryList")
            }
            "ListSecurityProfiles" => {
                let profiles = &self.instance(&instance)?.security_profiles;
                self.list_page(operation, profiles, input, "SecurityProfileSummaryList")
            }
            "ListUserHierarchyGroups" => {
                let groups = &self.instance(&instance)?.hierarchy_groups;
                self.list_page(operation, groups, input, "UserHierarchyGroupSummaryList")
            }
            "DescribeUserHierarchyGroup" => self
                .instance(&instance)?
                .hierarchy_group_view(text(input, "HierarchyGroupId").unwrap_or_default()),
            "SearchUsers" => self.serve_search_users(&instance, input),
            "TagResource" => {
                let tags = tag_map(input, "tags");
                let user = self.user_by_arn_mut(&arn)?;
                let mut merged = user.tags.clone();
                merged.extend(tags);
                rules::tags_fit(&merged)?;
                user.tags = merged;
                Ok(json!({}))
            }
            "UntagResource" => {
                let user = self.user_by_arn_mut(&arn)?;
                for key in input["tagKeys"].as_array().into_iter().flatten() {
                    user.tags.remove(key.as_str().unwrap_or_default());
                }
                Ok(json!({}))
            }
            "ListTagsForResource" => {
                let user = self.user_by_arn_mut(&arn)?;
                // The model's TagMap has min 1: no tags is no `tags` member.
                Ok(if user.tags.is_empty() {
                    json!({})
                } else {
                    json!({ "tags": user.tags })
                })
            }
            other => Err(ApiError {
                status: 501,
                code: "EmulatorUnsupported",
                message: format!("the emulator does not serve {other}"),
            }),
        }
    }

    pub fn instance(&self, id: &str) -> Result<&Instance, ApiError> {
        self.instances
            .get(id)
            .ok_or_else(|| not_found(format!("instance {id} not found")))
    }

    pub(super) fn instance_mut(&mut self, id: &str) -> Result<&mut Instance, ApiError> {
        self.instances
            .get_mut(id)
            .ok_or_else(|| not_found(format!("instance {id} not found")))
    }

    fn user(&self, instance_id: &str, user_id: &str) -> Result<&User, ApiError> {
        self.instance(instance_id)?
            .users
            .get(user_id)
            .ok_or_else(|| {
                not_found(format!(
                    "user {user_id} not found in instance {instance_id}"
                ))
            })
    }

    fn user_mut(&mut self, instance_id: &str, user_id: &str) -> Result<&mut User, ApiError> {
        self.instance_mut(instance_id)?
            .users
            .get_mut(user_id)
            .ok_or_else(|| {
                not_found(format!(
                    "user {user_id} not found in instance {instance_id}"
                ))
            })
    }

    fn user_by_arn_mut(&mut self, arn: &str) -> Result<&mut User, ApiError> {
        self.instances
            .values_mut()
            .flat_map(|i| i.users.values_mut())
            .find(|u| u.arn == arn)
            .ok_or_else(|| not_found(format!("resource {arn} not found")))
    }

    /// Ends a pause of the search index: every user held back is shown by `SearchUsers`.
    pub fn resume_search_index(&mut self) {
        self.search_index_paused = false;
        self.unindexed.clear();
    }

    /// Sets how `UpdateUserConfig` treats what a call leaves out.
    pub fn set_user_config_mode(&mut self, mode: UserConfigMode) {
        self.user_config_mode = mode;
    }

    /// `CreateUser` on `instance_id` with `body` (its other input members); also for seeding
    /// users directly in tests, through the same checks.
    pub fn create_user(&mut self, instance_id: &str, body: &Value) -> ApiResult {
        let mut input = body.as_object().cloned().unwrap_or_default();
        input.insert("InstanceId".into(), json!(instance_id));
        self.call("CreateUser", &Value::Object(input))
    }

    /// `DescribeUser`.
    pub fn describe_user(&mut self, instance_id: &str, user_id: &str) -> ApiResult {
        self.call(
            "DescribeUser",
            &json!({ "InstanceId": instance_id, "UserId": user_id }),
        )
    }

    /// `DeleteUser`.
    pub fn delete_user(&mut self, instance_id: &str, user_id: &str) -> ApiResult {
        self.call(
            "DeleteUser",
            &json!({ "InstanceId": instance_id, "UserId": user_id }),
        )
    }

    fn serve_create_user(&mut self, instance_id: &str, input: &Value) -> ApiResult {
        let instance = self.instance(instance_id)?;
        let kind = instance.identity_management;
        let username = text(input, "Username").unwrap_or_default();
        rules::username(kind, username)?;
        rules::password(kind, text(input, "Password"))?;
        rules::directory_user_id(kind, text(input, "DirectoryUserId"))?;
        rules::identity(kind, &object(input, "IdentityInfo"))?;
        rules::create_phone_settings(input)?;
        instance.check_routing_profile(text(input, "RoutingProfileId").unwrap_or_default())?;
        instance.check_security_profiles(input)?;
        instance.check_hierarchy_group(text(input, "HierarchyGroupId"))?;
        rules::tags_fit(&tag_map(input, "Tags"))?;
        if instance.find_by_name(username).is_some() {
            return Err(duplicate(username));
        }
        self.insert(instance_id, input)
    }

    /// Adds the user `input` describes (CreateUser's members) to `instance_id`, with no check
    /// at all: a user as an older release, the console or a since-tightened rule may have
    /// left it, which `CreateUser` would refuse today (an `@` name without a domain, say).
    /// Returns its id.
    pub fn insert_unchecked(
        &mut self,
        instance_id: &str,
        input: &Value,
    ) -> Result<String, ApiError> {
        self.instance(instance_id)?;
        let answer = self.insert(instance_id, input)?;
        Ok(answer["UserId"].as_str().unwrap_or_default().to_owned())
    }

    /// Adds the user `input` describes, unchecked, and answers as `CreateUser` does.
    pub(super) fn insert(&mut self, instance_id: &str, input: &Value) -> ApiResult {
        let mut channels = default_channels();
        if let Some(config) = input.get("PhoneConfig").filter(|c| c.is_object()) {
            apply_phone_config(&mut channels, config);
        }
        rules::apply_user_config(UserConfigMode::Merge, &mut channels, input);
        let id = format!(
            "{:08x}-0000-4000-8000-{:012x}",
            self.next_user, self.next_user
        );
        self.next_user += 1;
        let arn = resource_arn(instance_id, "agent", &id);
        let user = User {
            id: id.clone(),
            arn: arn.clone(),
            username: text(input, "Username").unwrap_or_default().to_owned(),
            password: text(input, "Password").map(str::to_owned),
            identity_info: kept_identity(&object(input, "IdentityInfo")),
            channels,
            proficiencies: BTreeMap::new(),
            directory_user_id: text(input, "DirectoryUserId").map(str::to_owned),
            hierarchy_group_id: text(input, "HierarchyGroupId")
                .filter(|g| !g.is_empty())
                .map(str::to_owned),
            routing_profile_id: text(input, "RoutingProfileId")
                .unwrap_or(seed::ROUTING_PROFILES[0])
                .to_owned(),
            security_profile_ids: match input["SecurityProfileIds"].as_array() {
                Some(ids) => ids
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect(),
                None => vec![seed::SECURITY_PROFILES[0].to_owned()],
            },
            tags: tag_map(input, "Tags"),
            modified: now(),
        };
        self.instance_mut(instance_id)?
            .users
            .insert(id.clone(), user);
        if self.search_index_paused {
            self.unindexed.insert(id.clone());
        }
        Ok(json!({ "UserId": id, "UserArn": arn }))
    }

    fn serve_delete_user(&mut self, instance_id: &str, user_id: &str) -> ApiResult {
        self.instance_mut(instance_id)?
            .users
            .remove(user_id)
            .ok_or_else(|| {
                not_found(format!(
                    "user {user_id} not found in instance {instance_id}"
                ))
            })?;
        self.unindexed.remove(user_id);
        Ok(json!({}))
    }

    /// Applies a validated change to one user and stamps it.
    fn modify(
        &mut self,
        instance_id: &str,
        user_id: &str,
        change: impl FnOnce(&mut User),
    ) -> ApiResult {
        let user = self.user_mut(instance_id, user_id)?;
        change(user);
        user.modified = now();
        Ok(json!({}))
    }

    fn serve_update_identity_info(
        &mut self,
        instance_id: &str,
        user_id: &str,
        input: &Value,
    ) -> ApiResult {
        let kind = self.instance(instance_id)?.identity_management;
        let new = object(input, "IdentityInfo");
        let held = &self.user(instance_id, user_id)?.identity_info;
        rules::identity_update(kind, held, &new)?;
        let info = kept_identity(&new);
        self.modify(instance_id, user_id, |user| user.identity_info = info)
    }

    /// Associate (none may be associated yet) or update (every one must be) proficiencies.
    fn set_proficiencies(
        &mut self,
        instance_id: &str,
        user_id: &str,
        input: &Value,
        must_be_associated: bool,
    ) -> ApiResult {
        let items = proficiencies(input, true)?;
        let user = self.user(instance_id, user_id)?;
        for ((name, value), _) in &items {
            let associated = user
                .proficiencies
                .contains_key(&(name.clone(), value.clone()));
            rules::proficiency_association(name, value, associated, must_be_associated)?;
        }
        self.modify(instance_id, user_id, |user| {
            user.proficiencies.extend(items)
        })
    }

    fn serve_list_proficiencies(
        &self,
        instance_id: &str,
        user_id: &str,
        input: &Value,
    ) -> ApiResult {
        let user = self.user(instance_id, user_id)?;
        let max_results = self.page_size(input);
        let start = page_start(input)?;
        let page: Vec<Value> = user
            .proficiencies
            .iter()
            .skip(start)
            .take(max_results)
            .map(|((name, value), level)| json!({ "AttributeName": name, "AttributeValue": value, "Level": level }))
            .collect();
        let mut out = json!({ "UserProficiencyList": page, "LastModifiedTime": user.modified, "LastModifiedRegion": seed::REGION });
        if start + max_results < user.proficiencies.len() {
            out["NextToken"] = json!((start + max_results).to_string());
        }
        Ok(out)
    }

    fn serve_list_users(&self, instance_id: &str, input: &Value) -> ApiResult {
        let instance = self.instance(instance_id)?;
        let max_results = self.page_size(input);
        let start = page_start(input)?;
        let users: Vec<&User> = instance.users.values().collect();
        let page: Vec<Value> = users
            .iter()
            .skip(start)
            .take(max_results)
            .map(|u| json!({ "Id": u.id, "Arn": u.arn, "Username": u.username, "LastModifiedTime": u.modified, "LastModifiedRegion": seed::REGION }))
            .collect();
        let mut out = json!({ "UserSummaryList": page });
        if start + max_results < users.len() {
            out["NextToken"] = json!((start + max_results).to_string());
        }
        Ok(out)
    }

    /// `SearchUsers` (API reference: API_SearchUsers.html), for `SearchCriteria` made of
    /// `StringCondition`s ([`rules::USER_SEARCH_FIELDS`], compared by
    /// [`rules::string_condition_holds`]) joined by `AndConditions` / `OrConditions`
    /// (UserSearchCriteria: "A list of conditions which would be applied together with an AND
    /// [OR] condition"). Filters, list and hierarchy conditions answer 501
    /// `EmulatorUnsupported`. SearchUsers: "AfterContactWorkTimeLimit is returned in
    /// milliseconds". Users added while the index was paused are not shown
    /// ([`World::search_index_paused`], an assumption); `Username` compares as
    /// [`World::username_match`] says (undocumented, an assumption either way).
    fn serve_search_users(&self, instance_id: &str, input: &Value) -> ApiResult {
        let instance = self.instance(instance_id)?;
        if input.get("SearchFilter").is_some_and(|f| !f.is_null()) {
            return Err(unsupported("SearchUsers with a SearchFilter"));
        }
        let criteria = input.get("SearchCriteria").cloned().unwrap_or(json!({}));
        let ignore_case = self.username_match == UsernameMatch::IgnoreCase;
        let mut found = Vec::new();
        for user in instance.users.values() {
            if !self.unindexed.contains(&user.id) && search_matches(&criteria, user, ignore_case)? {
                found.push(user);
            }
        }
        let max_results = self.page_size(input);
        let start = page_start(input)?;
        let page: Vec<Value> = found
            .iter()
            .skip(start)
            .take(max_results)
            .map(|u| search_summary(u))
            .collect();
        let mut out = json!({ "Users": page, "ApproximateTotalCount": found.len() });
        if start + max_results < found.len() {
            out["NextToken"] = json!((start + max_results).to_string());
        }
        Ok(out)
    }
}

fn unsupported(what: &str) -> ApiError {
    ApiError {
        status: 501,
        code: "EmulatorUnsupported",
        message: format!("the emulator does not support {what}"),
    }
}

fn search_matches(criteria: &Value, user: &User, ignore_case: bool) -> Result<bool, ApiError> {
    for unsupported_part in ["ListCondition", "HierarchyGroupCondition"] {
        if criteria.get(unsupported_part).is_some_and(|c| !c.is_null()) {
            return Err(unsupported(&format!(
                "SearchUsers with a {unsupported_part}"
            )));
        }
    }
    let mut all = true;
    if let Some(condition) = criteria.get("StringCondition").filter(|c| !c.is_null()) {
        all &= string_condition(condition, user, ignore_case)?;
    }
    if let Some(list) = criteria["AndConditions"].as_array() {
        for c in list {
            all &= search_matches(c, user, ignore_case)?;
        }
    }
    if let Some(list) = criteria["OrConditions"].as_array() {
        let mut any = false;
        for c in list {
            any |= search_matches(c, user, ignore_case)?;
        }
        all &= any;
    }
    Ok(all)
}

/// One `StringCondition` on one user; `ignore_username_case` from [`World::username_match`].
fn string_condition(
    condition: &Value,
    user: &User,
    ignore_username_case: bool,
) -> Result<bool, ApiError> {
    let field = text(condition, "FieldName").unwrap_or_default();
    let wanted = text(condition, "Value").unwrap_or_default();
    rules::user_search_field(field)?;
    let held: Vec<&str> = match field {
        "Username" => vec![&user.username],
        "FirstName" | "LastName" => vec![user
            .identity_info
            .get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()],
        "RoutingProfileId" => vec![&user.routing_profile_id],
        "SecurityProfileId" => user
            .security_profile_ids
            .iter()
            .map(String::as_str)
            .collect(),
        // resourceId, the last of the fields user_search_field lets through.
        _ => vec![&user.id],
    };
    let ignore_case = field == "Username" && ignore_username_case;
    let comparison = text(condition, "ComparisonType").unwrap_or("EXACT");
    Ok(held
        .iter()
        .any(|h| rules::string_condition_holds(comparison, h, wanted, ignore_case)))
}

fn search_summary(user: &User) -> Value {
    let mut view = user_view(user);
    let Some(map) = view.as_object_mut() else {
        return view;
    };
    map.remove("LastModifiedTime");
    map.remove("LastModifiedRegion");
    let lite: Map<String, Value> = user
        .identity_info
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "FirstName" | "LastName"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    map.insert("IdentityInfo".into(), Value::Object(lite));
    let to_millis = |v: &mut Value| {
        if let Some(seconds) = v.as_i64() {
            *v = json!(seconds * 1000);
        }
    };
    if let Some(limit) = map
        .get_mut("PhoneConfig")
        .and_then(|p| p.get_mut("AfterContactWorkTimeLimit"))
    {
        to_millis(limit);
    }
    for entry in map
        .get_mut("AfterContactWorkConfigs")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        for config in [
            "AfterContactWorkConfig",
            "AgentFirstCallbackAfterContactWorkConfig",
        ] {
            if let Some(limit) = entry
                .get_mut(config)
                .and_then(|c| c.get_mut("AfterContactWorkTimeLimit"))
            {
                to_millis(limit);
            }
        }
    }
    view
}

impl World {
    /// One page of `ListRoutingProfiles`, `ListSecurityProfiles` or `ListUserHierarchyGroups`:
    /// the summaries of `items` under `list`, and a `NextToken` while more follow.
    ///
    /// Order: the order the items were made (the seeds first, then what the tests put in).
    /// AWS documents no order for these lists (their API reference pages and model docs say
    /// nothing of it), so the order is the emulator's choice; this one lets a test put a name
    /// on a late page by adding many items before it. A rename keeps an item's place.
    ///
    /// `NextToken` is opaque to the caller (model doc, `NextToken`: "Use the value returned in
    /// the previous response in the next request"): it names the operation and where the next
    /// page starts, and a token of another operation, or one the emulator did not give,
    /// answers 400 `InvalidParameterException` (assumption: AWS does not document the answer
    /// to a bad token).
    pub(super) fn list_page<T: Named>(
        &self,
        operation: &str,
        items: &Catalog<T>,
        input: &Value,
        list: &str,
    ) -> ApiResult {
        let max_results = self.page_size(input);
        let start = match text(input, "NextToken") {
            None => 0,
            Some(token) => token
                .strip_prefix(operation)
                .and_then(|rest| rest.strip_prefix('.'))
                .and_then(|index| index.parse::<usize>().ok())
                .ok_or_else(|| ApiError {
                    status: 400,
                    code: "InvalidParameterException",
                    message: "NextToken is not valid".into(),
                })?,
        };
        let page: Vec<Value> = items
            .as_slice()
            .iter()
            .skip(start)
            .take(max_results)
            .map(Named::summary)
            .collect();
        let mut out = Map::new();
        out.insert(list.to_owned(), Value::Array(page));
        let next = start.saturating_add(max_results);
        if next < items.len() {
            out.insert("NextToken".into(), json!(format!("{operation}.{next}")));
        }
        Ok(Value::Object(out))
    }

    /// A list operation's page size: `MaxResults`, else 100 (model doc, the `MaxResults` of
    /// ListUsers, ListRoutingProfiles, ListSecurityProfiles and ListUserHierarchyGroups: "The
    /// default MaxResult size is 100"; assumption: the same for ListUserProficiencies and
    /// SearchUsers), at most the [`World::page_cap`]. The model's `MaxResult1000` (1 to 1000)
    /// and the like are checked before this.
    fn page_size(&self, input: &Value) -> usize {
        let asked = input["MaxResults"]
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(100);
        self.page_cap.map_or(asked, |cap| asked.min(cap.max(1)))
    }
}

/// Where a page starts: the emulator's `NextToken` is the index of the next item.
fn page_start(input: &Value) -> Result<usize, ApiError> {
    text(input, "NextToken").map_or(Ok(0), |token| {
        token.parse().map_err(|_| ApiError {
            status: 400,
            code: "InvalidParameterException",
            message: "NextToken is not valid".into(),
        })
    })
}

/// The user as `DescribeUser` shows it.
pub fn user_view(user: &User) -> Value {
    let voice = user.channels.get("VOICE").cloned().unwrap_or_default();
    let mut phone_config = json!({
        "PhoneType": voice.phone_type,
        "AutoAccept": voice.auto_accept,
        "AfterContactWorkTimeLimit": voice.after_contact_work_time_limit,
        "PersistentConnection": voice.persistent_connection,
    });
    if let Some(number) = &voice.phone_number {
        phone_config["DeskPhoneNumber"] = json!(number);
    }
    let per_channel = |f: &dyn Fn(&str, &ChannelState) -> Value| -> Vec<Value> {
        user.channels.iter().map(|(c, s)| f(c, s)).collect()
    };
    let voice_only =
        |f: &dyn Fn(&str, &ChannelState) -> Value| -> Vec<Value> { vec![f("VOICE", &voice)] };
    let mut view = json!({
        "Id": user.id,
        "Arn": user.arn,
        "Username": user.username,
        "IdentityInfo": user.identity_info,
        "PhoneConfig": phone_config,
        "AutoAcceptConfigs": per_channel(&|c, s| {
            let mut entry = json!({ "Channel": c, "AutoAccept": s.auto_accept });
            if let Some(callback) = s.agent_first_callback_auto_accept {
                entry["AgentFirstCallbackAutoAccept"] = json!(callback);
            }
            entry
        }),
        "AfterContactWorkConfigs": per_channel(&|c, s| {
            let mut entry = json!({ "Channel": c, "AfterContactWorkConfig": { "AfterContactWorkTimeLimit": s.after_contact_work_time_limit } });
            if let Some(callback) = s.agent_first_callback_after_contact_work_time_limit {
                entry["AgentFirstCallbackAfterContactWorkConfig"] = json!({ "AfterContactWorkTimeLimit": callback });
            }
            entry
        }),
        "PhoneNumberConfigs": voice_only(&|c, s| {
            let mut entry = json!({ "Channel": c, "PhoneType": s.phone_type });
            if let Some(number) = &s.phone_number {
                entry["PhoneNumber"] = json!(number);
            }
            entry
        }),
        "PersistentConnectionConfigs": voice_only(&|c, s| json!({ "Channel": c, "PersistentConnection": s.persistent_connection })),
        "VoiceEnhancementConfigs": voice_only(&|c, s| json!({ "Channel": c, "VoiceEnhancementMode": s.voice_enhancement_mode })),
        "SecurityProfileIds": user.security_profile_ids,
        "RoutingProfileId": user.routing_profile_id,
        "LastModifiedTime": user.modified,
        "LastModifiedRegion": seed::REGION,
    });
    // The model's TagMap has min 1: a user without tags has no `Tags` member.
    if !user.tags.is_empty() {
        view["Tags"] = json!(user.tags);
    }
    if let Some(id) = &user.directory_user_id {
        view["DirectoryUserId"] = json!(id);
    }
    if let Some(id) = &user.hierarchy_group_id {
        view["HierarchyGroupId"] = json!(id);
    }
    view
}
