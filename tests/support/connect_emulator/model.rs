//! The emulator's state and the service's rules, as Connect applies them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

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
    pub const ACCOUNT: &str = "123456789012";
    pub const REGION: &str = "us-east-1";
}

/// An error as Connect answers it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

pub type ApiResult = Result<Value, ApiError>;

fn invalid_parameter(message: impl Into<String>) -> ApiError {
    ApiError {
        status: 400,
        code: "InvalidParameterException",
        message: message.into(),
    }
}

fn invalid_request(message: impl Into<String>) -> ApiError {
    ApiError {
        status: 400,
        code: "InvalidRequestException",
        message: message.into(),
    }
}

fn not_found(message: impl Into<String>) -> ApiError {
    ApiError {
        status: 404,
        code: "ResourceNotFoundException",
        message: message.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityManagement {
    ConnectManaged,
    Saml,
    ExistingDirectory,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub arn: String,
    pub username: String,
    pub has_password: bool,
    pub identity_info: Map<String, Value>,
    pub phone_config: Map<String, Value>,
    pub directory_user_id: Option<String>,
    pub hierarchy_group_id: Option<String>,
    pub routing_profile_id: String,
    pub security_profile_ids: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub modified: f64,
}

#[derive(Debug, Clone)]
pub struct Instance {
    pub id: String,
    pub identity_management: IdentityManagement,
    pub routing_profiles: BTreeSet<String>,
    pub security_profiles: BTreeSet<String>,
    pub hierarchy_groups: BTreeSet<String>,
    pub users: BTreeMap<String, User>,
}

#[derive(Debug)]
pub struct World {
    pub instances: BTreeMap<String, Instance>,
    next_user: u64,
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
            instances.insert(
                id.to_owned(),
                Instance {
                    id: id.to_owned(),
                    identity_management: kind,
                    routing_profiles: seed::ROUTING_PROFILES
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                    security_profiles: seed::SECURITY_PROFILES
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                    hierarchy_groups: seed::HIERARCHY_GROUPS
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                    users: BTreeMap::new(),
                },
            );
        }
        Self {
            instances,
            next_user: 1,
        }
    }
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn text<'a>(body: &'a Value, key: &str) -> Result<Option<&'a str>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid_request(format!("{key} must be a string"))),
    }
}

fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|d| {
        (2..=15).contains(&d.len()) && d.chars().all(|c| c.is_ascii_digit()) && !d.starts_with('0')
    })
}

fn valid_password(password: &str) -> bool {
    let n = password.chars().count();
    (8..=64).contains(&n)
        && !password.chars().any(char::is_whitespace)
        && password.chars().any(|c| c.is_ascii_lowercase())
        && password.chars().any(|c| c.is_ascii_uppercase())
        && password.chars().any(|c| c.is_ascii_digit())
}

fn check_identity_info(info: &Value) -> Result<Map<String, Value>, ApiError> {
    let Some(map) = info.as_object() else {
        return Err(invalid_request("IdentityInfo must be an object"));
    };
    for (key, max) in [("FirstName", 255), ("LastName", 300)] {
        if text(info, key)?.is_some_and(|v| v.chars().count() > max) {
            return Err(invalid_parameter(format!(
                "{key} must be at most {max} characters"
            )));
        }
    }
    for key in ["Email", "SecondaryEmail"] {
        if let Some(email) = text(info, key)?.filter(|e| !e.is_empty()) {
            let valid = email
                .split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'));
            if !valid {
                return Err(invalid_parameter(format!(
                    "{key} is not a valid email address"
                )));
            }
        }
    }
    if let Some(mobile) = text(info, "Mobile")?.filter(|m| !m.is_empty()) {
        if !is_e164(mobile) {
            return Err(invalid_parameter("Mobile must match \\+[1-9]\\d{1,14}$"));
        }
    }
    Ok(map
        .iter()
        .filter(|(_, v)| v.as_str().is_some_and(|s| !s.is_empty()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect())
}

fn check_phone_config(config: &Value) -> Result<Map<String, Value>, ApiError> {
    let Some(map) = config.as_object() else {
        return Err(invalid_request("PhoneConfig must be an object"));
    };
    let phone_type = text(config, "PhoneType")?
        .ok_or_else(|| invalid_request("PhoneConfig.PhoneType is required"))?;
    if !matches!(phone_type, "SOFT_PHONE" | "DESK_PHONE") {
        return Err(invalid_request(format!(
            "PhoneType {phone_type} is not one of SOFT_PHONE, DESK_PHONE"
        )));
    }
    if let Some(limit) = config.get("AfterContactWorkTimeLimit") {
        if limit.as_i64().is_none_or(|l| l < 0) {
            return Err(invalid_parameter(
                "AfterContactWorkTimeLimit must be at least 0",
            ));
        }
    }
    let desk = text(config, "DeskPhoneNumber")?.filter(|d| !d.is_empty());
    if let Some(number) = desk {
        if !is_e164(number) {
            return Err(invalid_parameter(
                "DeskPhoneNumber must match \\+[1-9]\\d{1,14}$",
            ));
        }
    } else if phone_type == "DESK_PHONE" {
        return Err(invalid_parameter(
            "DeskPhoneNumber is required for DESK_PHONE",
        ));
    }
    for key in ["AutoAccept", "PersistentConnection"] {
        if config.get(key).is_some_and(|v| !v.is_boolean()) {
            return Err(invalid_request(format!("{key} must be a boolean")));
        }
    }
    let mut stored = map.clone();
    stored.entry("AutoAccept").or_insert(json!(false));
    stored
        .entry("AfterContactWorkTimeLimit")
        .or_insert(json!(0));
    Ok(stored)
}

fn check_tags(tags: &Value, limit: usize) -> Result<BTreeMap<String, String>, ApiError> {
    let Some(map) = tags.as_object() else {
        return Err(invalid_request("tags must be a map"));
    };
    if map.is_empty() || map.len() > limit {
        return Err(invalid_parameter(format!(
            "tags must hold 1 to {limit} entries"
        )));
    }
    let mut out = BTreeMap::new();
    for (key, value) in map {
        if key.is_empty()
            || key.chars().count() > 128
            || key.to_ascii_lowercase().starts_with("aws:")
        {
            return Err(invalid_parameter(format!("tag key {key} is not allowed")));
        }
        let value = value
            .as_str()
            .ok_or_else(|| invalid_request("tag values must be strings"))?;
        if value.chars().count() > 256 {
            return Err(invalid_parameter(
                "tag values must be at most 256 characters",
            ));
        }
        out.insert(key.clone(), value.to_owned());
    }
    Ok(out)
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

    fn check_security_profiles(&self, body: &Value) -> Result<Vec<String>, ApiError> {
        let ids = body
            .get("SecurityProfileIds")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid_request("SecurityProfileIds is required"))?;
        if !(1..=10).contains(&ids.len()) {
            return Err(invalid_parameter(
                "SecurityProfileIds must hold 1 to 10 ids",
            ));
        }
        let mut out = Vec::new();
        for id in ids {
            let id = id
                .as_str()
                .ok_or_else(|| invalid_request("security profile ids must be strings"))?;
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
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }
}

impl World {
    pub fn instance(&self, id: &str) -> Result<&Instance, ApiError> {
        self.instances
            .get(id)
            .ok_or_else(|| not_found(format!("instance {id} not found")))
    }

    fn instance_mut(&mut self, id: &str) -> Result<&mut Instance, ApiError> {
        self.instances
            .get_mut(id)
            .ok_or_else(|| not_found(format!("instance {id} not found")))
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

    pub fn create_user(&mut self, instance_id: &str, body: &Value) -> ApiResult {
        let instance = self.instance(instance_id)?;
        let username =
            text(body, "Username")?.ok_or_else(|| invalid_request("Username is required"))?;
        let length = username.chars().count();
        if !(1..=100).contains(&length) {
            return Err(invalid_parameter("Username must be 1 to 100 characters"));
        }
        if instance.identity_management != IdentityManagement::Saml && length > 20 {
            return Err(invalid_parameter(format!(
                "Username must be at most 20 characters for instances that are not SAML (it has {length})"
            )));
        }
        if !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.@-".contains(c))
        {
            return Err(invalid_parameter(
                "Username contains characters that are not allowed",
            ));
        }
        let password = text(body, "Password")?;
        match (instance.identity_management, password) {
            (IdentityManagement::ConnectManaged, None) => {
                return Err(invalid_parameter(
                    "Password is required for instances with CONNECT_MANAGED identity management",
                ));
            }
            (IdentityManagement::ConnectManaged, Some(p)) if !valid_password(p) => {
                return Err(invalid_parameter(
                    "Password does not meet the password policy",
                ));
            }
            (IdentityManagement::Saml | IdentityManagement::ExistingDirectory, Some(_)) => {
                return Err(invalid_parameter("Password is not allowed for instances with SAML or EXISTING_DIRECTORY identity management"));
            }
            _ => {}
        }
        let directory_user_id = text(body, "DirectoryUserId")?.map(str::to_owned);
        if directory_user_id.is_some()
            && instance.identity_management != IdentityManagement::ExistingDirectory
        {
            return Err(invalid_parameter(
                "DirectoryUserId is only allowed for EXISTING_DIRECTORY instances",
            ));
        }
        let phone_config = check_phone_config(body.get("PhoneConfig").unwrap_or(&Value::Null))?;
        let identity_info = match body.get("IdentityInfo") {
            None | Some(Value::Null) => Map::new(),
            Some(info) => check_identity_info(info)?,
        };
        let routing_profile_id = text(body, "RoutingProfileId")?
            .ok_or_else(|| invalid_request("RoutingProfileId is required"))?;
        instance.check_routing_profile(routing_profile_id)?;
        let security_profile_ids = instance.check_security_profiles(body)?;
        let hierarchy_group_id = instance.check_hierarchy_group(text(body, "HierarchyGroupId")?)?;
        let tags = match body.get("Tags") {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(tags) => check_tags(tags, 50)?,
        };
        if instance.find_by_name(username).is_some() {
            return Err(ApiError {
                status: 409,
                code: "DuplicateResourceException",
                message: format!("User with username {username} already exists"),
            });
        }
        let id = format!(
            "{:08x}-0000-4000-8000-{:012x}",
            self.next_user, self.next_user
        );
        self.next_user += 1;
        let arn = format!(
            "arn:aws:connect:{}:{}:instance/{instance_id}/agent/{id}",
            seed::REGION,
            seed::ACCOUNT
        );
        let user = User {
            id: id.clone(),
            arn: arn.clone(),
            username: username.to_owned(),
            has_password: password.is_some(),
            identity_info,
            phone_config,
            directory_user_id,
            hierarchy_group_id,
            routing_profile_id: routing_profile_id.to_owned(),
            security_profile_ids,
            tags,
            modified: now(),
        };
        self.instance_mut(instance_id)?
            .users
            .insert(id.clone(), user);
        Ok(json!({ "UserId": id, "UserArn": arn }))
    }

    pub fn describe_user(&self, instance_id: &str, user_id: &str) -> ApiResult {
        let user = self
            .instance(instance_id)?
            .users
            .get(user_id)
            .ok_or_else(|| {
                not_found(format!(
                    "user {user_id} not found in instance {instance_id}"
                ))
            })?;
        Ok(json!({ "User": user_view(user) }))
    }

    pub fn delete_user(&mut self, instance_id: &str, user_id: &str) -> ApiResult {
        self.instance_mut(instance_id)?
            .users
            .remove(user_id)
            .map(|_| json!({}))
            .ok_or_else(|| {
                not_found(format!(
                    "user {user_id} not found in instance {instance_id}"
                ))
            })
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

    pub fn update_identity_info(
        &mut self,
        instance_id: &str,
        user_id: &str,
        body: &Value,
    ) -> ApiResult {
        let info = body
            .get("IdentityInfo")
            .ok_or_else(|| invalid_request("IdentityInfo is required"))?;
        let info = check_identity_info(info)?;
        self.modify(instance_id, user_id, |user| user.identity_info = info)
    }

    pub fn update_phone_config(
        &mut self,
        instance_id: &str,
        user_id: &str,
        body: &Value,
    ) -> ApiResult {
        let config = check_phone_config(body.get("PhoneConfig").unwrap_or(&Value::Null))?;
        self.modify(instance_id, user_id, |user| user.phone_config = config)
    }

    pub fn update_routing_profile(
        &mut self,
        instance_id: &str,
        user_id: &str,
        body: &Value,
    ) -> ApiResult {
        let id = text(body, "RoutingProfileId")?
            .ok_or_else(|| invalid_request("RoutingProfileId is required"))?;
        self.instance(instance_id)?.check_routing_profile(id)?;
        let id = id.to_owned();
        self.modify(instance_id, user_id, |user| user.routing_profile_id = id)
    }

    pub fn update_security_profiles(
        &mut self,
        instance_id: &str,
        user_id: &str,
        body: &Value,
    ) -> ApiResult {
        let ids = self.instance(instance_id)?.check_security_profiles(body)?;
        self.modify(instance_id, user_id, |user| user.security_profile_ids = ids)
    }

    pub fn update_hierarchy(
        &mut self,
        instance_id: &str,
        user_id: &str,
        body: &Value,
    ) -> ApiResult {
        let group = self
            .instance(instance_id)?
            .check_hierarchy_group(text(body, "HierarchyGroupId")?)?;
        self.modify(instance_id, user_id, |user| user.hierarchy_group_id = group)
    }

    fn user_by_arn_mut(&mut self, arn: &str) -> Result<&mut User, ApiError> {
        self.instances
            .values_mut()
            .flat_map(|i| i.users.values_mut())
            .find(|u| u.arn == arn)
            .ok_or_else(|| not_found(format!("resource {arn} not found")))
    }

    pub fn tag_resource(&mut self, arn: &str, body: &Value) -> ApiResult {
        let tags = check_tags(body.get("tags").unwrap_or(&Value::Null), 50)?;
        let user = self.user_by_arn_mut(arn)?;
        let mut merged = user.tags.clone();
        merged.extend(tags);
        if merged.len() > 50 {
            return Err(invalid_parameter("a resource may hold at most 50 tags"));
        }
        user.tags = merged;
        Ok(json!({}))
    }

    pub fn untag_resource(&mut self, arn: &str, keys: &[String]) -> ApiResult {
        if !(1..=50).contains(&keys.len()) {
            return Err(invalid_parameter("tagKeys must hold 1 to 50 keys"));
        }
        if keys
            .iter()
            .any(|k| k.to_ascii_lowercase().starts_with("aws:"))
        {
            return Err(invalid_parameter(
                "tag keys starting with aws: cannot be removed",
            ));
        }
        let user = self.user_by_arn_mut(arn)?;
        for key in keys {
            user.tags.remove(key);
        }
        Ok(json!({}))
    }

    pub fn list_tags(&mut self, arn: &str) -> ApiResult {
        let user = self.user_by_arn_mut(arn)?;
        Ok(json!({ "tags": user.tags }))
    }

    pub fn list_users(
        &self,
        instance_id: &str,
        max_results: usize,
        next_token: Option<&str>,
    ) -> ApiResult {
        let instance = self.instance(instance_id)?;
        if !(1..=1000).contains(&max_results) {
            return Err(invalid_parameter("MaxResults must be 1 to 1000"));
        }
        let start: usize = match next_token {
            None => 0,
            Some(token) => token
                .parse()
                .map_err(|_| invalid_parameter("NextToken is not valid"))?,
        };
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
}

/// The user as `DescribeUser` shows it.
pub fn user_view(user: &User) -> Value {
    let mut view = json!({
        "Id": user.id,
        "Arn": user.arn,
        "Username": user.username,
        "IdentityInfo": user.identity_info,
        "PhoneConfig": user.phone_config,
        "SecurityProfileIds": user.security_profile_ids,
        "RoutingProfileId": user.routing_profile_id,
        "Tags": user.tags,
        "LastModifiedTime": user.modified,
        "LastModifiedRegion": seed::REGION,
    });
    if let Some(id) = &user.directory_user_id {
        view["DirectoryUserId"] = json!(id);
    }
    if let Some(id) = &user.hierarchy_group_id {
        view["HierarchyGroupId"] = json!(id);
    }
    view
}
