//! Who manages a user, and what each operation may do with it: the one reserved tag
//! ([`OWNERSHIP_TAG`]), what its value says, and the rules that keep a user from being lost,
//! duplicated or taken from another resource ([`on_taken`], [`on_update`], [`on_delete`]).
//! Pure, so those rules are tested here without I/O.
//!
//! The value records the managing resource — stack name, logical id — the RequestId of the
//! Create that made or adopted the user, and which of the two it did:
//! `created/<stack>/<logical id>/<request id>` or `adopted/…`. One tag, so that the `Tags`
//! budget stays 49 and no existing template breaks. Users made before this form carry a bare
//! RequestId ([`Ownership::Legacy`]).
//!
//! The stack *name*, not the StackId: a stack created again under the same name is the same
//! owner (so a user it retained can be adopted back). A nested stack cannot be named:
//! `AWS::CloudFormation::Stack` has no name property, and CloudFormation names it
//! `<parent>-<logical id>-<random suffix>` (observed; assumption: a new nested stack never gets
//! an old suffix), so the users a nested stack retains are never re-adoptable by a new one.
//! The tag holds neither account nor Region: one function serves the Connect instances of its
//! own account and Region, and a stack of the same name elsewhere that reaches it through its
//! ServiceToken counts as the same owner (documented in docs/lifecycle.md).

use std::collections::BTreeMap;
use std::fmt;

use sha2::{Digest, Sha256};

use super::rules::MAX_TAG_VALUE_CHARS;

/// The reserved tag's key: which resource manages the user, and whether it created or adopted
/// it (its value: [`Claim`]). It is never added, changed or removed by `Tags`.
///
/// The key says `created-by-request`, yet it marks adopted users too (`adopted/…`): the name
/// dates from when only a Create wrote it, and is kept for compatibility: every user this
/// function already manages carries it, and the docs (`docs/lifecycle.md`) and the CDK
/// construct's validation (`RESERVED_TAG_KEY`) name it. A new key would orphan those users.
pub const OWNERSHIP_TAG: &str = "connect-user-resource:created-by-request";

/// How a resource came to manage the user; it decides what its Delete does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagedAs {
    /// Made by the resource: its Delete deletes it.
    Created,
    /// Taken over by `AdoptExistingUser`: its Delete releases it and leaves it.
    Adopted,
}

impl ManagedAs {
    fn word(self) -> &'static str {
        match self {
            ManagedAs::Created => "created",
            ManagedAs::Adopted => "adopted",
        }
    }
}

/// A managing resource: a stack name and a logical id, each shortened stably when the value
/// would not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manager {
    pub stack: String,
    pub resource: String,
}

/// A RequestId is kept whole up to this many characters; longer ones are shortened like names.
/// CloudFormation User Guide, custom resource request objects: "RequestId: A unique ID for
/// the request" (no length given; assumption from what it sends: 36-character UUIDs).
const MAX_REQUEST_CHARS: usize = 64;
/// `stack/logical id` is kept whole up to this: the longest `adopted/` + it + `/` + a request
/// id still fits a tag value's 256 characters.
const MAX_MANAGER_CHARS: usize = MAX_TAG_VALUE_CHARS - "adopted/".len() - 1 - MAX_REQUEST_CHARS;
/// A stack name is kept whole up to this when the manager must be shortened. CloudFormation API
/// Reference, CreateStack: a StackName "can't be longer than 128 characters"; CloudFormation
/// quotas: a logical id up to 255 characters.
const MAX_STACK_CHARS: usize = 64;

impl Manager {
    /// The manager named by a stack name and a logical id. Shortening depends on these two
    /// alone, so that every request of one resource names it the same way.
    pub fn new(stack_name: &str, logical_id: &str) -> Self {
        // `/` separates the value's parts; neither a stack name nor a logical id can hold one
        // (CloudFormation User Guide: stack names are `[a-zA-Z][-a-zA-Z0-9]*`, logical ids
        // alphanumeric), but a StackId that is no ARN could.
        let (stack_name, logical_id) = (stack_name.replace('/', ":"), logical_id.replace('/', ":"));
        let (stack_name, logical_id) = (stack_name.as_str(), logical_id.as_str());
        let mut stack = stack_name.to_owned();
        if stack.chars().count() + 1 + logical_id.chars().count() > MAX_MANAGER_CHARS {
            stack = shorten(stack_name, MAX_STACK_CHARS);
        }
        let room = MAX_MANAGER_CHARS - 1 - stack.chars().count();
        Self {
            resource: shorten(logical_id, room),
            stack,
        }
    }
}

impl fmt::Display for Manager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "resource {} of stack {}", self.resource, self.stack)
    }
}

/// `text` when it has at most `max` characters; else its first characters, `+` and 16 hex
/// digits of its SHA-256, `max` characters in all: stable, and different texts stay apart.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let digest = Sha256::digest(text.as_bytes());
    let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let keep = max.saturating_sub(hash.len() + 1);
    let prefix: String = text.chars().take(keep).collect();
    format!("{prefix}+{hash}")
}

/// What the reserved tag says: the resource that manages the user, and the request that made or
/// adopted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub how: ManagedAs,
    pub manager: Manager,
    pub request_id: String,
}

impl Claim {
    /// The reserved tag's value, at most 256 characters.
    pub fn value(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.how.word(),
            self.manager.stack,
            self.manager.resource,
            shorten(&self.request_id, MAX_REQUEST_CHARS)
        )
    }

    /// The reserved tag, ready to write.
    pub fn tag(&self) -> BTreeMap<String, String> {
        BTreeMap::from([(OWNERSHIP_TAG.to_owned(), self.value())])
    }

    fn parse(value: &str) -> Option<Self> {
        let mut parts = value.splitn(4, '/');
        let how = match parts.next()? {
            "created" => ManagedAs::Created,
            "adopted" => ManagedAs::Adopted,
            _ => return None,
        };
        let (stack, resource, request_id) = (parts.next()?, parts.next()?, parts.next()?);
        if [stack, resource, request_id].iter().any(|p| p.is_empty()) {
            return None;
        }
        Some(Self {
            how,
            manager: Manager {
                stack: stack.to_owned(),
                resource: resource.to_owned(),
            },
            request_id: request_id.to_owned(),
        })
    }
}

/// Who manages a user, as its tags say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ownership {
    /// No reserved tag: no resource of this function manages the user (made in the console,
    /// or its tag removed to hand it over).
    Unmanaged,
    /// A bare RequestId, as users made before the tag named its resource: managed by some
    /// resource of this function that cannot be named.
    Legacy(String),
    Claimed(Claim),
}

impl Ownership {
    pub fn of(tags: &BTreeMap<String, String>) -> Self {
        match tags.get(OWNERSHIP_TAG) {
            None => Ownership::Unmanaged,
            Some(value) => match Claim::parse(value) {
                Some(claim) => Ownership::Claimed(claim),
                None => Ownership::Legacy(value.clone()),
            },
        }
    }
}

/// The resource and request at work, as the reserved tag names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requester {
    pub manager: Manager,
    pub request_id: String,
}

/// How a user's ownership relates to the [`Requester`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relation {
    /// Made or adopted by this very request (an earlier delivery of it).
    ThisRequest(ManagedAs),
    /// Managed by this resource (same stack name and logical id), since another request.
    ThisResource(ManagedAs),
    /// A bare RequestId of another request.
    Legacy,
    /// Managed by another resource.
    Other(Manager),
    Unmanaged,
}

impl Requester {
    pub fn new(stack_name: &str, logical_id: &str, request_id: &str) -> Self {
        Self {
            manager: Manager::new(stack_name, logical_id),
            request_id: request_id.to_owned(),
        }
    }

    /// The reserved tag this request writes when it makes or adopts a user. Its request id is
    /// as the tag's value holds it (shortened when long), so that the claim read back from the
    /// tag equals it.
    pub fn claim(&self, how: ManagedAs) -> Claim {
        Claim {
            how,
            manager: self.manager.clone(),
            request_id: self.claimed_request_id(),
        }
    }

    fn claimed_request_id(&self) -> String {
        shorten(&self.request_id, MAX_REQUEST_CHARS)
    }

    pub fn relation(&self, ownership: &Ownership) -> Relation {
        match ownership {
            Ownership::Unmanaged => Relation::Unmanaged,
            Ownership::Legacy(id) if *id == self.request_id => {
                Relation::ThisRequest(ManagedAs::Created)
            }
            Ownership::Legacy(_) => Relation::Legacy,
            Ownership::Claimed(claim) if claim.manager != self.manager => {
                Relation::Other(claim.manager.clone())
            }
            Ownership::Claimed(claim) if claim.request_id == self.claimed_request_id() => {
                Relation::ThisRequest(claim.how)
            }
            Ownership::Claimed(claim) => Relation::ThisResource(claim.how),
        }
    }
}

// What each operation does with a user, given who manages it (read with [`Ownership::of`]).

/// What a Create (or a replacing Update) does with the user that already holds its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnTaken {
    /// This very request made or adopted it in an earlier delivery: converge it and answer it.
    Resume(ManagedAs),
    /// `AdoptExistingUser`, and no other resource manages it: claim it, then converge it.
    Adopt,
    /// Leave it untouched and fail.
    Refuse(NameHolder),
}

/// Who holds a name a Create cannot take, for its FAILED reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameHolder {
    /// No resource of this function, or this resource in another request: only
    /// `AdoptExistingUser` may take it.
    Adoptable,
    /// Some resource of this function that a bare RequestId cannot name.
    Unnamed,
    Other(Manager),
}

/// A Create finds the name taken: see [`OnTaken`]. Without `adopt`, only the user this very
/// request made is taken (as before `AdoptExistingUser` existed).
pub fn on_taken(relation: Relation, adopt: bool) -> OnTaken {
    match relation {
        Relation::ThisRequest(how) => OnTaken::Resume(how),
        Relation::Unmanaged | Relation::ThisResource(_) if adopt => OnTaken::Adopt,
        Relation::Unmanaged | Relation::ThisResource(_) => OnTaken::Refuse(NameHolder::Adoptable),
        Relation::Legacy => OnTaken::Refuse(NameHolder::Unnamed),
        Relation::Other(manager) => OnTaken::Refuse(NameHolder::Other(manager)),
    }
}

/// The reserved tag an in-place Update writes, if any; `Err` names the resource that manages
/// the user now (it was handed over), and the Update must change nothing.
///
/// - a bare RequestId becomes the new form, keeping that RequestId (the user was created);
/// - an adopted user whose template no longer says `AdoptExistingUser` becomes owned, so a
///   later Delete deletes it (as `terraform destroy` would after an import);
/// - a user whose tag was removed is claimed again: adopted if the template says
///   `AdoptExistingUser`, else owned.
pub fn on_update(
    requester: &Requester,
    ownership: &Ownership,
    adopt: bool,
) -> Result<Option<Claim>, Manager> {
    match ownership {
        Ownership::Unmanaged => Ok(Some(requester.claim(if adopt {
            ManagedAs::Adopted
        } else {
            ManagedAs::Created
        }))),
        Ownership::Legacy(request_id) => Ok(Some(Claim {
            how: ManagedAs::Created,
            manager: requester.manager.clone(),
            request_id: request_id.clone(),
        })),
        Ownership::Claimed(claim) if claim.manager != requester.manager => {
            Err(claim.manager.clone())
        }
        Ownership::Claimed(claim) if claim.how == ManagedAs::Adopted && !adopt => Ok(Some(Claim {
            how: ManagedAs::Created,
            ..claim.clone()
        })),
        Ownership::Claimed(_) => Ok(None),
    }
}

/// What a Delete does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnDelete {
    /// `DeleteUser`: this resource created it (or a bare RequestId says this function did).
    Delete,
    /// This resource adopted it: remove the reserved tag, leave the user.
    Release,
    /// Another resource manages it (`Some`), or none does (`None`): leave it untouched.
    Leave(Option<Manager>),
}

pub fn on_delete(requester: &Requester, ownership: &Ownership) -> OnDelete {
    match ownership {
        Ownership::Unmanaged => OnDelete::Leave(None),
        Ownership::Legacy(_) => OnDelete::Delete,
        Ownership::Claimed(claim) if claim.manager != requester.manager => {
            OnDelete::Leave(Some(claim.manager.clone()))
        }
        Ownership::Claimed(claim) => match claim.how {
            ManagedAs::Created => OnDelete::Delete,
            ManagedAs::Adopted => OnDelete::Release,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(value: &str) -> BTreeMap<String, String> {
        BTreeMap::from([(OWNERSHIP_TAG.to_owned(), value.to_owned())])
    }

    const REQUEST: &str = "5f0c1e2a-6b1d-4c5e-9f00-0a1b2c3d4e5f";

    #[test]
    fn a_claim_reads_back_as_written() {
        let me = Requester::new("contact-centre", "AgentAlice", REQUEST);
        for how in [ManagedAs::Created, ManagedAs::Adopted] {
            let claim = me.claim(how);
            assert_eq!(
                claim.value(),
                format!("{}/contact-centre/AgentAlice/{REQUEST}", how.word())
            );
            assert_eq!(Ownership::of(&claim.tag()), Ownership::Claimed(claim));
            assert_eq!(
                me.relation(&Ownership::of(&me.claim(how).tag())),
                Relation::ThisRequest(how)
            );
        }
    }

    #[test]
    fn relations() {
        let me = Requester::new("s", "L", "r2");
        let of = |value: &str| me.relation(&Ownership::of(&tags(value)));
        assert_eq!(
            me.relation(&Ownership::of(&BTreeMap::new())),
            Relation::Unmanaged
        );
        assert_eq!(of("r2"), Relation::ThisRequest(ManagedAs::Created));
        assert_eq!(of("r1"), Relation::Legacy);
        assert_eq!(
            of("adopted/s/L/r1"),
            Relation::ThisResource(ManagedAs::Adopted)
        );
        assert_eq!(
            of("created/s/L/r1"),
            Relation::ThisResource(ManagedAs::Created)
        );
        assert_eq!(
            of("created/s/Other/r2"),
            Relation::Other(Manager::new("s", "Other"))
        );
        assert_eq!(
            of("adopted/t/L/r1"),
            Relation::Other(Manager::new("t", "L"))
        );
        // Not the new form: a legacy value, whatever it holds.
        assert_eq!(of("created/s/L"), Relation::Legacy);
        assert_eq!(of("kept/s/L/r1"), Relation::Legacy);
    }

    #[test]
    fn long_names_are_shortened_stably_within_256_characters() {
        let stack = "S".repeat(128);
        let logical = "L".repeat(255);
        let request = "r".repeat(300);
        let me = Requester::new(&stack, &logical, &request);
        let value = me.claim(ManagedAs::Adopted).value();
        assert!(value.chars().count() <= 256, "{}", value.chars().count());
        assert_eq!(
            value,
            Requester::new(&stack, &logical, &request)
                .claim(ManagedAs::Adopted)
                .value()
        );
        assert_eq!(
            me.relation(&Ownership::of(&tags(&value))),
            Relation::ThisRequest(ManagedAs::Adopted)
        );
        // What an adoption reads back to confirm its claim is the claim it wrote.
        let claim = me.claim(ManagedAs::Adopted);
        assert_eq!(Ownership::of(&claim.tag()), Ownership::Claimed(claim));
        // Another long logical id with the same prefix is another manager.
        let other = Requester::new(&stack, &format!("{}X", "L".repeat(254)), &request);
        assert_ne!(other.manager, me.manager);
        assert_eq!(
            other.relation(&Ownership::of(&tags(&value))),
            Relation::Other(me.manager.clone())
        );
    }

    #[test]
    fn short_names_are_kept_whole() {
        let stack = "s".repeat(128);
        let me = Requester::new(&stack, "AgentAlice", REQUEST);
        assert_eq!(me.manager.stack, stack);
        assert_eq!(me.manager.resource, "AgentAlice");
        assert!(me.claim(ManagedAs::Adopted).value().chars().count() <= 256);
    }

    fn me() -> Requester {
        Requester::new("stack", "Agent", "req-2")
    }

    fn tagged(value: Option<&str>) -> Ownership {
        let mut tags = BTreeMap::new();
        if let Some(value) = value {
            tags.insert(OWNERSHIP_TAG.to_owned(), value.to_owned());
        }
        Ownership::of(&tags)
    }

    fn other() -> Manager {
        Manager::new("other", "Agent")
    }

    #[test]
    fn a_create_takes_only_what_it_may() {
        let taken = |value: Option<&str>, adopt| on_taken(me().relation(&tagged(value)), adopt);
        for adopt in [false, true] {
            assert_eq!(
                taken(Some("req-2"), adopt),
                OnTaken::Resume(ManagedAs::Created)
            );
            assert_eq!(
                taken(Some("adopted/stack/Agent/req-2"), adopt),
                OnTaken::Resume(ManagedAs::Adopted)
            );
            assert_eq!(
                taken(Some("req-1"), adopt),
                OnTaken::Refuse(NameHolder::Unnamed)
            );
            assert_eq!(
                taken(Some("created/other/Agent/req-2"), adopt),
                OnTaken::Refuse(NameHolder::Other(other()))
            );
        }
        assert_eq!(taken(None, true), OnTaken::Adopt);
        assert_eq!(
            taken(Some("created/stack/Agent/req-1"), true),
            OnTaken::Adopt
        );
        assert_eq!(taken(None, false), OnTaken::Refuse(NameHolder::Adoptable));
        assert_eq!(
            taken(Some("created/stack/Agent/req-1"), false),
            OnTaken::Refuse(NameHolder::Adoptable)
        );
    }

    #[test]
    fn an_update_restamps_or_refuses() {
        let update = |value: Option<&str>, adopt| {
            on_update(&me(), &tagged(value), adopt).map(|c| c.map(|c| c.value()))
        };
        assert_eq!(
            update(Some("req-1"), false),
            Ok(Some("created/stack/Agent/req-1".into()))
        );
        assert_eq!(update(Some("created/stack/Agent/req-1"), false), Ok(None));
        assert_eq!(update(Some("created/stack/Agent/req-1"), true), Ok(None));
        assert_eq!(update(Some("adopted/stack/Agent/req-1"), true), Ok(None));
        assert_eq!(
            update(Some("adopted/stack/Agent/req-1"), false),
            Ok(Some("created/stack/Agent/req-1".into()))
        );
        assert_eq!(
            update(None, false),
            Ok(Some("created/stack/Agent/req-2".into()))
        );
        assert_eq!(
            update(None, true),
            Ok(Some("adopted/stack/Agent/req-2".into()))
        );
        assert_eq!(
            update(Some("adopted/other/Agent/req-9"), true),
            Err(other())
        );
    }

    #[test]
    fn a_delete_deletes_only_what_this_resource_created() {
        let delete = |value: Option<&str>| on_delete(&me(), &tagged(value));
        assert_eq!(delete(Some("created/stack/Agent/req-1")), OnDelete::Delete);
        assert_eq!(delete(Some("req-1")), OnDelete::Delete);
        assert_eq!(delete(Some("adopted/stack/Agent/req-1")), OnDelete::Release);
        assert_eq!(
            delete(Some("created/other/Agent/req-1")),
            OnDelete::Leave(Some(other()))
        );
        assert_eq!(delete(None), OnDelete::Leave(None));
    }
}
