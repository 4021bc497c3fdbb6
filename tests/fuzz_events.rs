//! Property-based fuzzing of the real handler: raw JSON events, in-process, through
//! `protocol::handler::Handler` around the real `ConnectUserResource`, whose Connect and Secrets
//! Manager are played in memory (no call leaves the process), answering over real HTTP to the
//! loopback sink (`testkit/src/sink.rs`).
//!
//! So every case runs what the function runs: envelope and request parsing, the ResponseURL
//! policy, the deadline budget, the guarded task (panics and time-outs become FAILED), property
//! parsing and validation, the new-name rule, the update plan, the resource's answers for each
//! Connect outcome, the answer body and its PUT. What Connect answers is decided by a stable
//! hash of the call's input, so the resource's failure paths run too.
//!
//! It never dials out: every URL the policy accepts points at the sink on 127.0.0.1, and every
//! hostile URL it generates (user info, hosts other than loopback, https to a non-AWS host,
//! other schemes) points at a loopback trap listener, so that a connection attempt, were one
//! ever made, would be counted; it never generates an https `*.amazonaws.com` URL. Hostile
//! hosts that would leave this machine are only checked against the policy
//! (`hostile_urls_that_would_leave_this_machine_are_refused_by_the_policy`).
//!
//! proptest rather than cargo-fuzz: cargo-fuzz needs a nightly toolchain (for
//! `-Zsanitizer`), and this machine has only stable Rust. The corpus is seeded from the
//! committed `events/` files, which most cases start from and then mutate.
//!
//! `make test` runs 3,000 cases; `make fuzz` runs a million (`FUZZ_CASES=1000000`).

use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::io::ErrorKind as IoErrorKind;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use connect_user_resource::connect_user::connect::{
    list_operation, ApiError, ConnectApi, ErrorKind, Page, Summary,
};
use connect_user_resource::connect_user::model::ids::Kind;
use connect_user_resource::connect_user::model::{
    ObservedProficiencies, ObservedUser, Secret, UserRef,
};
use connect_user_resource::connect_user::plan::{Change, NewUser};
use connect_user_resource::connect_user::properties;
use connect_user_resource::connect_user::secrets::{SecretError, SecretStore, SecretValue};
use connect_user_resource::connect_user::ConnectUserResource;
use connect_user_resource::protocol::handler::{Handler, Invocation};
use connect_user_resource::protocol::response_url::{UrlError, UrlPolicy};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Value};
use testkit::sink::Sink;

/// CloudFormation's limit on the whole answer body: "The total size of the response body can't
/// exceed 4096 bytes." (CloudFormation User Guide, "Custom resource response objects",
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html).
/// Written out here rather than taken from the code under test.
const CLOUDFORMATION_MAX_BODY_BYTES: usize = 4096;

/// The fewest distinct outcomes 3,000 cases must reach. Measured on 60 runs of 3,000 cases
/// (random seeds, debug build) when this run was written: 91 to 113 distinct outcomes, 102 on
/// average (standard deviation about 4). The floor is the lowest seen less a slack of 11, five
/// standard deviations under the mean, so that an unlucky seed does not fail the run. More
/// cases reach more (about 135 at 100,000).
const MIN_DISTINCT_OUTCOMES: usize = 80;

/// The fewest distinct outcomes of each family among them, so that losing one family fails the
/// run even where the total would survive it. Measured on 30 of the same runs; each floor is
/// the lowest seen less a slack of three to five standard deviations.
const FAMILY_FLOORS: [(&str, usize); 4] = [
    // Request parsing's errors (about 17 kinds), and what the resource and the answer say
    // beyond Connect's own words: 26 to 31, 28.8 on average (standard deviation 1.4).
    ("the event's checks and the resource's answers", 21),
    // Property parsing and validation, and the password secret's answers: 53 to 64, 57.6 on
    // average (standard deviation 2.7).
    ("the properties' checks", 45),
    // One per Connect operation and error code the run plays: 11 to 14 over all 60 runs, 13.4
    // on average (standard deviation 0.6 to 0.9).
    ("Connect's refusals", 8),
    // Invalid, host not allowed, no ResponseURL: always all three.
    ("no answer", 3),
];

/// The family of an outcome kind: whose check or answer it is.
fn family(kind: &str) -> &'static str {
    let path = kind.split(": ").next().unwrap_or_default();
    let top = path.split(['.', '[']).next().unwrap_or_default();
    if kind.starts_with("no answer: ") {
        "no answer"
    } else if is_connect_operation(path) {
        "Connect's refusals"
    } else if properties::TOP_LEVEL.contains(&top) || top == "<unknown property>" {
        "the properties' checks"
    } else {
        "the event's checks and the resource's answers"
    }
}

/// Whether `operation` is one the function calls on Connect (granted in
/// `src/connect_user/permissions.json`, the IAM source of truth): an outcome named after one
/// is Connect's refusal, as the resource words it.
fn is_connect_operation(operation: &str) -> bool {
    testkit::iam::granted_actions().contains(&format!("connect:{operation}"))
}

/// Cases per rig (runtime, sink, trap, handler): the sink keeps every answer it received, so
/// a million cases run through a fresh rig every so many.
const CASES_PER_RIG: u64 = 1_000;

fn seeds() -> &'static Vec<Value> {
    static SEEDS: OnceLock<Vec<Value>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("events");
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    })
}

fn cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::String),
        "[a-zA-Z0-9_.@:/+-]{0,30}".prop_map(Value::String),
        (1usize..6000).prop_map(|n| Value::String("é\u{1}\"".repeat(n / 3))),
        prop_oneof![
            Just("true"),
            Just("false"),
            Just("0"),
            Just("-1"),
            Just("30"),
            Just(""),
            Just("DESK_PHONE"),
            Just("+14255550100"),
            Just("arn:aws:connect:us-east-1:1:instance/x")
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..12).prop_map(Value::Array),
            prop::collection::btree_map("[A-Za-z]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(Vec<usize>, Value),
    Remove(Vec<usize>),
    Insert(Vec<usize>, String, Value),
    /// Sets a property the resource knows (in the new properties, or an Update's old ones),
    /// which random keys almost never hit.
    Property {
        old: bool,
        key: &'static str,
        value: Value,
    },
    /// Sets a field the answer echoes to a long text, so that the body nears CloudFormation's
    /// limit and the reason must be cut to fit.
    Echoed {
        key: &'static str,
        bytes: usize,
    },
}

/// Values a template might well give a property: mostly well-formed, for some property.
fn plausible_value() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        json!([{ "Key": "team", "Value": "blue" }]),
        json!({ "team": "blue", "cost-center": "42" }),
        json!([{ "Key": "aws:reserved", "Value": "x" }]),
        json!("hg-0000-4000-8000-000000000001"),
        json!("d-0000-4000-8000-000000000001"),
        json!({ "FirstName": "Ana", "LastName": "Silva", "Email": "ana@example.com" }),
        json!("agent@example.com"),
        json!("agent@example"),
        json!(["sp-1", "sp-2"]),
        json!([{ "AttributeName": "Language", "AttributeValue": "French", "Level": "3" }]),
        json!([{ "Channel": "CHAT", "AutoAccept": "true" }]),
        json!("Password123"),
        json!("arn:aws:secretsmanager:us-east-1:123456789012:secret:agents-AbCdEf"),
    ])
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let path = prop::collection::vec(any::<usize>(), 0..4);
    prop_oneof![
        3 => (path.clone(), any_json()).prop_map(|(p, v)| Mutation::Set(p, v)),
        3 => path.clone().prop_map(Mutation::Remove),
        3 => (path, "[A-Za-z]{1,16}", any_json()).prop_map(|(p, k, v)| Mutation::Insert(p, k, v)),
        2 => (
            any::<bool>(),
            prop::sample::select(properties::TOP_LEVEL.to_vec()),
            prop_oneof![plausible_value(), any_json()],
        )
            .prop_map(|(old, key, value)| Mutation::Property { old, key, value }),
        1 => (
            prop::sample::select(vec![
                "StackId",
                "RequestId",
                "LogicalResourceId",
                "PhysicalResourceId",
            ]),
            1000usize..4500,
        )
            .prop_map(|(key, bytes)| Mutation::Echoed { key, bytes }),
    ]
}

/// Walks `path` (each step picks a child by index modulo the count) and returns the node.
fn walk<'a>(value: &'a mut Value, path: &[usize]) -> &'a mut Value {
    let Some((step, rest)) = path.split_first() else {
        return value;
    };
    let len = match value {
        Value::Object(m) => m.len(),
        Value::Array(a) => a.len(),
        _ => 0,
    };
    if len == 0 {
        return value;
    }
    let next = match value {
        Value::Object(m) => m.values_mut().nth(step % len),
        Value::Array(a) => a.get_mut(step % len),
        _ => None,
    };
    match next {
        Some(child) => walk(child, rest),
        None => unreachable!("len > 0"),
    }
}

fn apply(mut event: Value, mutations: &[Mutation]) -> Value {
    for m in mutations {
        match m {
            Mutation::Set(path, v) => *walk(&mut event, path) = v.clone(),
            Mutation::Remove(path) => {
                if let Value::Object(map) = walk(&mut event, path) {
                    if let Some(key) = map.keys().next().cloned() {
                        map.remove(&key);
                    }
                }
            }
            Mutation::Insert(path, key, v) => {
                if let Value::Object(map) = walk(&mut event, path) {
                    map.insert(key.clone(), v.clone());
                }
            }
            Mutation::Property { old, key, value } => {
                let field = if *old {
                    "OldResourceProperties"
                } else {
                    "ResourceProperties"
                };
                if let Some(Value::Object(map)) = event.get_mut(field) {
                    map.insert((*key).to_owned(), value.clone());
                }
            }
            Mutation::Echoed { key, bytes } => {
                if let Value::Object(map) = &mut event {
                    let text: String = "id-é-".chars().cycle().take(*bytes * 5 / 6).collect();
                    map.insert((*key).to_owned(), Value::String(text));
                }
            }
        }
    }
    event
}

fn event() -> impl Strategy<Value = Value> {
    prop_oneof![
        9 => (0..seeds().len(), prop::collection::vec(mutation(), 0..6)).prop_map(|(i, m)| apply(seeds()[i].clone(), &m)),
        1 => any_json(),
    ]
}

// ---------------------------------------------------------------------------------------------
// Where the answer goes: the sink, or somewhere the policy must refuse.

/// An event's ResponseURL.
#[derive(Debug, Clone)]
enum Target {
    /// The loopback sink, written in one of the forms the policy accepts.
    Sink(SinkForm),
    /// A URL the policy must refuse, pointing at the trap.
    Hostile(Hostile),
    /// Text that is no usable URL; `{trap}` stands for the trap's port.
    Garbage(String),
    /// No ResponseURL string.
    Missing(Missing),
}

/// Ways of writing the sink's URL that all reach 127.0.0.1 at the sink's port.
#[derive(Debug, Clone, Copy)]
enum SinkForm {
    AsGiven,
    /// Blanks around it (the policy trims them).
    Padded,
    /// `HTTP://` (schemes are case-insensitive).
    UpperScheme,
    /// `127.1`, which URL parsing reads as 127.0.0.1.
    ShortIp,
    /// `2130706433`, 127.0.0.1 as one number.
    DecimalIp,
}

/// URLs the policy must refuse. Each would reach the trap if it were dialled
/// (`the_trap_counts_a_dial_of_every_hostile_url`).
#[derive(Debug, Clone)]
enum Hostile {
    /// User info on the loopback address: `http://user:password@127.0.0.1:<trap>/…`.
    UserInfo {
        user: String,
        password: Option<String>,
        https: bool,
    },
    /// A host the policy must not take for loopback nor for AWS, over http (plain http off
    /// loopback) or https (https to a non-AWS host).
    OtherHost { host: &'static str, https: bool },
    /// Another scheme on the loopback address.
    OtherScheme(&'static str),
}

/// Hosts that are neither loopback by the policy's rules nor AWS, and that this machine
/// connects to its own 127.0.0.1 for (checked by `the_trap_counts_a_dial_of_every_hostile_url`).
const OTHER_HOSTS: [&str; 4] = ["0.0.0.0", "0", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]"];
const OTHER_SCHEMES: [&str; 3] = ["ftp", "ws", "gopher"];

/// No ResponseURL string: the member is absent, blank, or another JSON type (even one holding
/// the sink's URL, which must not be used either).
#[derive(Debug, Clone, Copy)]
enum Missing {
    Absent,
    Blank(&'static str),
    Null,
    Number,
    Bool,
    ArrayOfTheSinkUrl,
    ObjectWithTheSinkUrl,
}

/// Garbage that is no URL, or no URL with a host.
const GARBAGE: [&str; 12] = [
    "not a url",
    "127.0.0.1:{trap}/cfn-response/x",
    "//127.0.0.1:{trap}/cfn-response/x",
    "http://",
    "http:///cfn-response/x",
    "http://127.0.0.1:99999/cfn-response/x",
    "http://[127.0.0.1]:{trap}/x",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "mailto:agent@example.com",
    "http://[::1/x",
    "http://%zz:{trap}/x",
];

fn target() -> impl Strategy<Value = Target> {
    let sink = prop_oneof![
        4 => Just(SinkForm::AsGiven),
        1 => Just(SinkForm::Padded),
        1 => Just(SinkForm::UpperScheme),
        1 => Just(SinkForm::ShortIp),
        1 => Just(SinkForm::DecimalIp),
    ];
    let user_info = (
        "[a-zA-Z0-9]{0,8}",
        prop::option::of("[a-zA-Z0-9]{1,8}"),
        any::<bool>(),
    )
        .prop_map(|(user, password, https)| Hostile::UserInfo {
            // Empty user info (`http://@127.0.0.1/`) is no user info at all.
            user: if user.is_empty() && password.is_none() {
                "agent".into()
            } else {
                user
            },
            password,
            https,
        });
    let other_host = (prop::sample::select(OTHER_HOSTS.to_vec()), any::<bool>())
        .prop_map(|(host, https)| Hostile::OtherHost { host, https });
    let other_scheme = prop::sample::select(OTHER_SCHEMES.to_vec()).prop_map(Hostile::OtherScheme);
    let garbage = prop_oneof![
        prop::sample::select(GARBAGE.to_vec()).prop_map(str::to_owned),
        ".{0,40}",
        "[a-zA-Z0-9_.@:/+-]{0,30}",
    ];
    let missing = prop_oneof![
        Just(Missing::Absent),
        prop::sample::select(vec!["", " ", " \t\n"]).prop_map(Missing::Blank),
        Just(Missing::Null),
        Just(Missing::Number),
        Just(Missing::Bool),
        Just(Missing::ArrayOfTheSinkUrl),
        Just(Missing::ObjectWithTheSinkUrl),
    ];
    prop_oneof![
        16 => sink.prop_map(Target::Sink),
        1 => user_info.prop_map(Target::Hostile),
        1 => other_host.prop_map(Target::Hostile),
        1 => other_scheme.prop_map(Target::Hostile),
        1 => garbage.prop_map(Target::Garbage),
        1 => missing.prop_map(Target::Missing),
    ]
}

fn sink_url(form: SinkForm, sink: SocketAddr, key: &str) -> String {
    let url = Sink::url_at(sink, key);
    let port = sink.port();
    match form {
        SinkForm::AsGiven => url,
        SinkForm::Padded => format!(" \t{url}\n "),
        SinkForm::UpperScheme => url.replacen("http://", "HTTP://", 1),
        SinkForm::ShortIp => {
            url.replacen(&format!("127.0.0.1:{port}"), &format!("127.1:{port}"), 1)
        }
        SinkForm::DecimalIp => url.replacen(
            &format!("127.0.0.1:{port}"),
            &format!("2130706433:{port}"),
            1,
        ),
    }
}

fn hostile_url(hostile: &Hostile, trap: u16) -> String {
    let path = "cfn-response/hostile?X-Amz-Signature=SIGNATURE-SECRET-hostile";
    let scheme = |https: bool| if https { "https" } else { "http" };
    match hostile {
        Hostile::UserInfo {
            user,
            password,
            https,
        } => {
            let password = password
                .as_ref()
                .map(|p| format!(":{p}"))
                .unwrap_or_default();
            format!(
                "{}://{user}{password}@127.0.0.1:{trap}/{path}",
                scheme(*https)
            )
        }
        Hostile::OtherHost { host, https } => format!("{}://{host}:{trap}/{path}", scheme(*https)),
        Hostile::OtherScheme(other) => format!("{other}://127.0.0.1:{trap}/{path}"),
    }
}

/// A listener on loopback that hostile URLs point at: it counts every connection made to it.
/// Nothing ever accepts them in the meantime; the kernel queues them until they are counted.
struct Trap {
    listener: TcpListener,
}

impl Trap {
    fn new() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        Self { listener }
    }

    fn port(&self) -> u16 {
        self.listener.local_addr().unwrap().port()
    }

    /// The connections made since the last call.
    fn connections(&self) -> usize {
        let mut count = 0;
        loop {
            match self.listener.accept() {
                Ok(_) => count += 1,
                Err(e) if e.kind() == IoErrorKind::WouldBlock => return count,
                Err(e) => panic!("trap: {e}"),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Connect and Secrets Manager, played in memory.

/// A stable hash of a call's input and the case's luck: what Connect answers is a function
/// of them, so a failing case replays (and shrinks) exactly.
fn roll(world: &Mutex<World>, parts: &[&str]) -> u64 {
    let mut hasher = DefaultHasher::new();
    world.lock().unwrap().luck.hash(&mut hasher);
    parts.hash(&mut hasher);
    hasher.finish()
}

/// What Connect holds before the event, chosen per case.
#[derive(Debug, Default)]
struct World {
    /// The username of every user `DescribeUser` finds.
    held_name: String,
    held_directory_user_id: Option<String>,
    /// Drawn per case: with the call's input, it decides what each call answers.
    luck: u64,
}

/// The user's name as Connect holds it.
#[derive(Debug, Clone, Copy)]
enum Held {
    /// As the old properties name it (an Update's `OldResourceProperties`), else as the new.
    AsTheTemplateSaid,
    /// Renamed outside CloudFormation.
    Renamed,
}

/// Amazon Connect, answering from memory: no call leaves the process.
///
/// The error codes are those the service model lists for each operation (botocore
/// data/connect/2017-08-08/service-2.json, each operation's `errors`; see
/// /work/shared/reference/connect-user-api-shapes.txt), and their kinds are how `sdk.rs`
/// classifies them (`ResourceNotFoundException` → NotFound, `DuplicateResourceException` →
/// Duplicate, anything else that is not transient → Other). No transient error is played, so
/// no case waits for a retry.
struct DryConnect {
    world: Arc<Mutex<World>>,
}

fn refusal(operation: &'static str, code: &str, kind: ErrorKind) -> ApiError {
    ApiError {
        operation,
        code: code.to_owned(),
        message: "refused by the dry run".to_owned(),
        kind,
    }
}

fn user_arn(instance_id: &str, user_id: &str) -> String {
    format!("arn:aws:connect:us-east-1:123456789012:instance/{instance_id}/agent/{user_id}")
}

impl ConnectApi for DryConnect {
    async fn create_user(&self, user: &NewUser) -> Result<UserRef, ApiError> {
        // CreateUser errors: DuplicateResourceException (the username is taken),
        // InvalidParameterException, LimitExceededException (a quota).
        let roll = roll(&self.world, &["CreateUser", &user.username]);
        match roll % 16 {
            0 => Err(refusal(
                "CreateUser",
                "DuplicateResourceException",
                ErrorKind::Duplicate,
            )),
            1 => Err(refusal(
                "CreateUser",
                "InvalidParameterException",
                ErrorKind::Other,
            )),
            2 => Err(refusal(
                "CreateUser",
                "LimitExceededException",
                ErrorKind::Other,
            )),
            _ => {
                let id = format!("u-{:012x}", roll & 0xffff_ffff_ffff);
                Ok(UserRef {
                    arn: user_arn(&user.instance_id, &id),
                    id,
                })
            }
        }
    }

    async fn describe_user(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> Result<ObservedUser, ApiError> {
        // DescribeUser errors: ResourceNotFoundException (the user was deleted outside
        // CloudFormation).
        if roll(&self.world, &["DescribeUser", user_id]) % 8 == 0 {
            return Err(refusal(
                "DescribeUser",
                "ResourceNotFoundException",
                ErrorKind::NotFound,
            ));
        }
        let world = self.world.lock().unwrap();
        // Drifted from any template: another routing and security profile, a stale tag and
        // a proficiency nobody asked for.
        Ok(ObservedUser {
            id: user_id.to_owned(),
            arn: user_arn(instance_id, user_id),
            username: world.held_name.clone(),
            identity_info: Default::default(),
            phone_config: None,
            channels: Default::default(),
            listed_channels: Default::default(),
            directory_user_id: world.held_directory_user_id.clone(),
            hierarchy_group_id: None,
            routing_profile_id: "rp-drifted".into(),
            security_profile_ids: BTreeSet::from(["sp-drifted".to_string()]),
            tags: BTreeMap::from([("stale".to_string(), "x".to_string())]),
            proficiencies: None,
        })
    }

    async fn search_users_for_id(
        &self,
        _instance_id: &str,
        _username: &str,
    ) -> Result<Option<String>, ApiError> {
        // An adopting Create finds nobody: it goes on to CreateUser.
        Ok(None)
    }

    async fn list_users_for_id(
        &self,
        _instance_id: &str,
        _username: &str,
    ) -> Result<Option<String>, ApiError> {
        // Asked only when CreateUser said the name is taken: somebody has it.
        Ok(Some("u-somebody-else".into()))
    }

    async fn list_page(
        &self,
        instance_id: &str,
        kind: Kind,
        _next_token: Option<&str>,
    ) -> Result<Page, ApiError> {
        // The List operations' errors: ResourceNotFoundException (the instance),
        // InvalidParameterException, InvalidRequestException.
        let operation = list_operation(kind);
        match roll(&self.world, &[operation, instance_id]) % 8 {
            0 => Err(refusal(
                operation,
                "ResourceNotFoundException",
                ErrorKind::NotFound,
            )),
            1 => Err(refusal(
                operation,
                "InvalidParameterException",
                ErrorKind::Other,
            )),
            // Connect's defaults, and a name held twice.
            _ => Ok(Page {
                summaries: ["Basic Routing Profile", "Agent", "East", "East"]
                    .iter()
                    .enumerate()
                    .map(|(i, name)| Summary {
                        id: format!("id-{i}"),
                        name: (*name).to_owned(),
                    })
                    .collect(),
                next_token: None,
            }),
        }
    }

    async fn hierarchy_group_level(
        &self,
        _instance_id: &str,
        group_id: &str,
    ) -> Result<String, ApiError> {
        Ok(format!("level-of-{group_id}"))
    }

    async fn list_proficiencies(
        &self,
        _instance_id: &str,
        _user_id: &str,
    ) -> Result<ObservedProficiencies, ApiError> {
        // One the templates list, at another level; one they do not.
        Ok(BTreeMap::from([
            (("Language".to_string(), "English".to_string()), 1.0),
            (("Language".to_string(), "French".to_string()), 2.0),
        ]))
    }

    async fn delete_user(&self, _instance_id: &str, user_id: &str) -> Result<(), ApiError> {
        // DeleteUser errors: ResourceNotFoundException (already gone), InvalidRequestException.
        match roll(&self.world, &["DeleteUser", user_id]) % 8 {
            0 => Err(refusal(
                "DeleteUser",
                "ResourceNotFoundException",
                ErrorKind::NotFound,
            )),
            1 => Err(refusal(
                "DeleteUser",
                "InvalidRequestException",
                ErrorKind::Other,
            )),
            _ => Ok(()),
        }
    }

    async fn apply(
        &self,
        _instance_id: &str,
        user: &UserRef,
        change: &Change,
    ) -> Result<(), ApiError> {
        // Every update call lists InvalidParameterException.
        let operation = change.operation();
        if roll(&self.world, &[operation, &user.id]) % 12 == 0 {
            return Err(refusal(
                operation,
                "InvalidParameterException",
                ErrorKind::Other,
            ));
        }
        Ok(())
    }
}

/// Secrets Manager, answering from memory. GetSecretValue's errors per its service model
/// (botocore data/secretsmanager/2017-10-17/service-2.json): ResourceNotFoundException is one,
/// not transient.
struct DrySecrets {
    world: Arc<Mutex<World>>,
}

impl SecretStore for DrySecrets {
    async fn secret_value(&self, arn: &str) -> Result<SecretValue, SecretError> {
        let text = |t: &str| Ok(SecretValue::Text(Secret::new(t.to_owned())));
        match roll(&self.world, &["GetSecretValue", arn]) % 8 {
            0 => Ok(SecretValue::Binary),
            1 => Err(SecretError {
                code: "ResourceNotFoundException".into(),
                message: "refused by the dry run".into(),
                retryable: false,
            }),
            2 => text(r#"{"password":"Password123"}"#),
            3 => text("weak"),
            4 => text(r#"{"other":"Password123"}"#),
            _ => text("Password123"),
        }
    }
}

type DryHandler = Handler<ConnectUserResource<DryConnect, DrySecrets>>;

/// The policy the fuzz run's handler applies: the default AWS suffixes, plus plain http on
/// loopback (`ALLOW_LOOPBACK_RESPONSE_URL=true`) for the sink.
fn policy() -> UrlPolicy {
    UrlPolicy::new([], true)
}

/// One runtime, sink, trap and handler, for [`CASES_PER_RIG`] cases.
struct Rig {
    runtime: tokio::runtime::Runtime,
    sink: Sink,
    trap: Trap,
    handler: DryHandler,
    world: Arc<Mutex<World>>,
    /// Answers this rig's sink should have received.
    answers: usize,
}

impl Rig {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let sink = runtime.block_on(Sink::start());
        let world = Arc::new(Mutex::new(World::default()));
        let resource = ConnectUserResource::new(
            DryConnect {
                world: world.clone(),
            },
            DrySecrets {
                world: world.clone(),
            },
        );
        let handler = Handler::new(resource, policy(), Duration::from_secs(1));
        Self {
            runtime,
            sink,
            trap: Trap::new(),
            handler,
            world,
            answers: 0,
        }
    }

    /// The sink received exactly the answers counted, to no other key, and the trap nothing.
    fn check_totals(&self) -> Result<(), TestCaseError> {
        let received = self.sink.all().len();
        prop_assert_eq!(
            received,
            self.answers,
            "the sink received PUTs no case accounts for"
        );
        prop_assert_eq!(self.trap.connections(), 0, "a connection reached the trap");
        Ok(())
    }
}

/// How many cases reached each assertion, and what else the run saw.
#[derive(Debug, Default)]
struct Reached {
    cases: u64,
    /// Allowed URLs checked to point at the sink (127.0.0.1, the sink's port).
    allowed_url_is_the_sink: u64,
    /// Exactly one answer for an event with an allowed URL.
    exactly_one_answer: u64,
    /// The answer is at most 4096 bytes.
    at_most_4096_bytes: u64,
    /// Of those, answers over 4,000 bytes: cut to fit.
    over_4000_bytes: u64,
    /// The answer's reason does not say "panicked".
    no_panic_in_the_answer: u64,
    /// No answer for an event without an allowed URL.
    no_answer_without_an_allowed_url: u64,
    /// A hostile or garbage URL refused by the policy itself.
    refused_by_the_policy: u64,
    /// The trap counted no connection after the case.
    trap_untouched: u64,
    success: u64,
    failed: u64,
    /// The handler's summary (its return value and log line) names the status of the body it
    /// PUT.
    summary_status_matches_the_body: u64,
    /// A FAILED body has a non-empty reason (CloudFormation requires one).
    failed_with_a_reason: u64,
    by_target: BTreeMap<&'static str, u64>,
    unknown_deadline: u64,
}

/// The Lambda deadline a case is invoked with.
#[derive(Debug, Clone, Copy)]
enum Deadline {
    /// Five seconds from now.
    Soon,
    /// What cargo-lambda's Runtime API sends (600000: never a time), worked within the
    /// handler's budget for unknown deadlines.
    CargoLambda,
}

/// The invocation Lambda (or cargo-lambda) makes with `deadline`.
fn invocation(deadline: Deadline) -> Invocation {
    let deadline_ms = match deadline {
        Deadline::Soon => (SystemTime::now().duration_since(UNIX_EPOCH).unwrap()
            + Duration::from_secs(5))
        .as_millis() as u64,
        Deadline::CargoLambda => 600_000,
    };
    Invocation {
        deadline_ms,
        ..Default::default()
    }
}

/// What Connect holds before the event: the user's name as `held` says, and the directory
/// user id the old properties gave (none for a Create: a template that adds one to an existing
/// user asks for what Connect cannot change).
fn held_world(raw: &Value, held: Held, luck: u64) -> World {
    let property = |field: &str, key: &str| {
        raw.get(field)
            .and_then(|p| p.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let held_name = match held {
        Held::Renamed => "renamed-in-the-console".to_owned(),
        Held::AsTheTemplateSaid => property("OldResourceProperties", "Name")
            .or_else(|| property("ResourceProperties", "Name"))
            .unwrap_or_default(),
    };
    World {
        held_name,
        held_directory_user_id: property("OldResourceProperties", "DirectoryUserId"),
        luck,
    }
}

/// Sets the event's ResponseURL as `target` says. Returns the URL if it is a string, and
/// whether it is meant for the sink.
fn place(raw: &mut Value, target: &Target, rig: &Rig, key: &str) -> (Option<String>, bool) {
    let Some(event) = raw.as_object_mut() else {
        return (None, false);
    };
    let the_sinks = Sink::url_at(rig.sink.addr, key);
    let (value, for_the_sink) = match target {
        Target::Sink(form) => (Some(json!(sink_url(*form, rig.sink.addr, key))), true),
        Target::Hostile(hostile) => (Some(json!(hostile_url(hostile, rig.trap.port()))), false),
        Target::Garbage(text) => (
            Some(json!(text.replace("{trap}", &rig.trap.port().to_string()))),
            false,
        ),
        Target::Missing(missing) => (
            match missing {
                Missing::Absent => None,
                Missing::Blank(blank) => Some(json!(blank)),
                Missing::Null => Some(Value::Null),
                Missing::Number => Some(json!(443)),
                Missing::Bool => Some(json!(true)),
                Missing::ArrayOfTheSinkUrl => Some(json!([the_sinks])),
                Missing::ObjectWithTheSinkUrl => Some(json!({ "url": the_sinks })),
            },
            false,
        ),
    };
    match value {
        Some(value) => {
            let text = value.as_str().map(str::to_owned);
            event.insert("ResponseURL".into(), value);
            (text, for_the_sink)
        }
        None => {
            event.remove("ResponseURL");
            (None, false)
        }
    }
}

fn target_kind(target: &Target) -> &'static str {
    match target {
        Target::Sink(_) => "sink",
        Target::Hostile(Hostile::UserInfo { .. }) => "hostile: user info",
        Target::Hostile(Hostile::OtherHost { https: false, .. }) => "hostile: http off loopback",
        Target::Hostile(Hostile::OtherHost { https: true, .. }) => {
            "hostile: https to a non-AWS host"
        }
        Target::Hostile(Hostile::OtherScheme(_)) => "hostile: other scheme",
        Target::Garbage(_) => "garbage",
        Target::Missing(_) => "no ResponseURL string",
    }
}

/// Why the policy refused a URL, without the URL.
fn refusal_kind(error: &UrlError) -> &'static str {
    match error {
        UrlError::Invalid => "invalid",
        UrlError::HostNotAllowed(_) => "host not allowed",
        UrlError::NotHttps(_) => "not https",
    }
}

#[test]
fn every_event_gets_one_answer_from_the_real_handler_and_nothing_dials_out() {
    let total = cases(3000);
    let mut runner = TestRunner::new(Config {
        cases: total,
        failure_persistence: None,
        // A failing case whose answer hangs takes seconds; shrinking stops after two minutes.
        max_shrink_time: 120_000,
        ..Config::default()
    });
    let policy = policy();
    let rig: RefCell<Option<Rig>> = RefCell::new(None);
    let reached = RefCell::new(Reached::default());
    // Behavioural coverage: the distinct outcomes reached (SUCCESS, or each kind of FAILED
    // reason item by property path or Connect operation, with the values it quotes folded
    // away; and, for events without an allowed URL, why there was no answer).
    let outcomes = RefCell::new(BTreeSet::new());
    let started = Instant::now();
    let strategy = (
        event(),
        target(),
        prop_oneof![9 => Just(Deadline::Soon), 1 => Just(Deadline::CargoLambda)],
        prop_oneof![4 => Just(Held::AsTheTemplateSaid), 1 => Just(Held::Renamed)],
        any::<u64>(),
    );
    let outcome = runner.run(&strategy, |(mut raw, target, deadline, held, luck)| {
        let mut reached = reached.borrow_mut();
        let n = reached.cases;
        reached.cases += 1;
        *reached.by_target.entry(target_kind(&target)).or_default() += 1;
        if matches!(deadline, Deadline::CargoLambda) {
            reached.unknown_deadline += 1;
        }
        let mut slot = rig.borrow_mut();
        if n % CASES_PER_RIG == 0 {
            if let Some(done) = slot.take() {
                done.check_totals()?;
            }
        }
        let rig = slot.get_or_insert_with(Rig::new);

        let key = format!("case-{n}");
        let (url, for_the_sink) = place(&mut raw, &target, rig, &key);
        // What the policy makes of the URL decides whether an answer is due; it must agree
        // with what the case meant, and an allowed URL must be the sink's.
        let checked = url.as_deref().map(|u| policy.check(u));
        let allowed = match &checked {
            Some(Ok(allowed)) => {
                let shown = allowed.to_string();
                prop_assert!(
                    for_the_sink,
                    "the policy accepts a URL meant to be refused: {shown}"
                );
                prop_assert!(
                    shown.starts_with(&format!("http://{}/", rig.sink.addr)),
                    "an allowed URL that is not the sink's: {shown}"
                );
                reached.allowed_url_is_the_sink += 1;
                true
            }
            Some(Err(error)) => {
                prop_assert!(!for_the_sink, "the policy refuses the sink's URL: {error}");
                if matches!(target, Target::Hostile(_) | Target::Garbage(_)) {
                    reached.refused_by_the_policy += 1;
                }
                false
            }
            None => false,
        };
        prop_assert!(
            allowed || !for_the_sink || !raw.is_object(),
            "a case meant for the sink has no allowed URL"
        );
        *rig.world.lock().unwrap() = held_world(&raw, held, luck);
        let values = property_values(&raw);

        let summary = rig
            .runtime
            .block_on(rig.handler.invoke(raw, invocation(deadline)));
        // First of all: nothing dialled anything but the sink.
        prop_assert_eq!(rig.trap.connections(), 0, "a connection reached the trap");
        reached.trap_untouched += 1;
        prop_assert!(
            summary.is_ok(),
            "the handler gave up answering: {summary:?}"
        );
        let summary = summary.unwrap_or_default();
        let attempts = rig.sink.attempts(&key);
        let mut seen = outcomes.borrow_mut();
        if allowed {
            prop_assert_eq!(attempts.len(), 1, "exactly one answer per event");
            reached.exactly_one_answer += 1;
            rig.answers += 1;
            let body = &attempts[0].body;
            prop_assert!(
                body.len() <= CLOUDFORMATION_MAX_BODY_BYTES,
                "{} bytes",
                body.len()
            );
            reached.at_most_4096_bytes += 1;
            if body.len() > 4000 {
                reached.over_4000_bytes += 1;
            }
            let parsed: Value = serde_json::from_slice(body).expect("the body is JSON");
            let status = parsed["Status"].as_str().unwrap_or_default();
            prop_assert!(status == "SUCCESS" || status == "FAILED", "{parsed}");
            // Even when the echoed ids leave no room for Data and the body turns FAILED.
            prop_assert_eq!(
                &summary["Status"],
                &parsed["Status"],
                "the summary says what was sent"
            );
            reached.summary_status_matches_the_body += 1;
            prop_assert_eq!(&summary["Delivered"], &json!(true));
            prop_assert!(!parsed["PhysicalResourceId"]
                .as_str()
                .unwrap_or_default()
                .is_empty());
            let reason = parsed["Reason"].as_str().unwrap_or_default();
            prop_assert!(
                !reason.contains("panicked"),
                "a panic reached the answer: {reason}"
            );
            reached.no_panic_in_the_answer += 1;
            if status == "SUCCESS" {
                reached.success += 1;
                seen.insert("SUCCESS".to_owned());
            } else {
                prop_assert!(!reason.is_empty(), "FAILED without a reason: {parsed}");
                reached.failed_with_a_reason += 1;
                reached.failed += 1;
                // A reason cut to fit ends in "…", its last item cut short at any point.
                let (whole, cut) = match reason.strip_suffix('…') {
                    Some(kept) => (kept.rsplit_once("; ").map_or("", |(whole, _)| whole), true),
                    None => (reason, false),
                };
                for item in whole
                    .trim_start_matches("invalid properties: ")
                    .split("; ")
                    .filter(|item| !item.is_empty())
                {
                    seen.insert(outcome_kind(item, &values));
                }
                if cut {
                    seen.insert("<a reason cut to fit>".to_owned());
                }
            }
        } else {
            prop_assert!(attempts.is_empty(), "an answer without an allowed URL");
            prop_assert_eq!(&summary["Delivered"], &json!(false));
            reached.no_answer_without_an_allowed_url += 1;
            seen.insert(format!(
                "no answer: {}",
                match &checked {
                    Some(Err(error)) => refusal_kind(error),
                    _ => "no ResponseURL",
                }
            ));
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    if let Some(rig) = rig.into_inner() {
        if let Err(failure) = rig.check_totals() {
            panic!("{failure}");
        }
    }
    let elapsed = started.elapsed();
    let reached = reached.into_inner();
    let seen = outcomes.into_inner();
    let mut by_family: BTreeMap<&str, usize> = FAMILY_FLOORS.map(|(f, _)| (f, 0)).into();
    for kind in &seen {
        *by_family.entry(family(kind)).or_default() += 1;
    }
    println!(
        "fuzz: {} cases in {:.1} s ({:.0} cases/s), {} distinct outcomes reached: {by_family:?}",
        reached.cases,
        elapsed.as_secs_f64(),
        reached.cases as f64 / elapsed.as_secs_f64(),
        seen.len()
    );
    println!("fuzz: cases per assertion: {reached:#?}");
    if std::env::var_os("FUZZ_SHOW_OUTCOMES").is_some() {
        for kind in &seen {
            println!("  {kind}");
        }
    }

    // Every assertion was reached, by every kind of URL.
    assert_eq!(reached.cases, u64::from(total));
    assert_eq!(
        reached.exactly_one_answer + reached.no_answer_without_an_allowed_url,
        reached.cases
    );
    for (name, count) in [
        ("exactly one answer", reached.exactly_one_answer),
        ("at most 4096 bytes", reached.at_most_4096_bytes),
        ("over 4000 bytes", reached.over_4000_bytes),
        ("no panic in the answer", reached.no_panic_in_the_answer),
        (
            "summary matches the body",
            reached.summary_status_matches_the_body,
        ),
        ("FAILED with a reason", reached.failed_with_a_reason),
        ("no answer", reached.no_answer_without_an_allowed_url),
        ("refused by the policy", reached.refused_by_the_policy),
        ("SUCCESS", reached.success),
        ("FAILED", reached.failed),
        ("unknown deadline", reached.unknown_deadline),
    ] {
        assert!(count > 0, "no case reached: {name}");
    }
    for kind in [
        "sink",
        "hostile: user info",
        "hostile: http off loopback",
        "hostile: https to a non-AWS host",
        "hostile: other scheme",
        "garbage",
        "no ResponseURL string",
    ] {
        assert!(
            reached.by_target.get(kind).is_some_and(|n| *n > 0),
            "no case had a ResponseURL of kind {kind}"
        );
    }
    let mut short = Vec::new();
    if seen.len() < MIN_DISTINCT_OUTCOMES {
        short.push(format!(
            "only {} distinct outcomes reached, fewer than {MIN_DISTINCT_OUTCOMES}",
            seen.len()
        ));
    }
    for (family, floor) in FAMILY_FLOORS {
        let count = by_family[family];
        if count < floor {
            short.push(format!(
                "only {count} distinct outcomes of {family} reached, fewer than {floor}"
            ));
        }
    }
    assert!(short.is_empty(), "{}: {seen:#?}", short.join("; "));
}

/// The kind of one reason item: its property path (unknown keys, list indices and tag keys
/// folded away) or the Connect operation it names, and the first words of its message, letters
/// only, with the values it quotes folded away: quoted text, words with digits or URL and ARN
/// punctuation, and the event's own top-level property values (such as the user's name).
fn outcome_kind(item: &str, values: &BTreeSet<String>) -> String {
    let item = without_quoted(item);
    let first = item.split(' ').next().unwrap_or_default();
    let top = first.split(['.', '[']).next().unwrap_or_default();
    let unknown = item.contains("is not a known property");
    let operation = first
        .strip_suffix(':')
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric()));
    let path = match top {
        "IdentityInfo" | "PhoneConfig" if unknown => format!("{top}.<unknown>"),
        "IdentityInfo" | "PhoneConfig" => first.to_owned(),
        top if properties::TOP_LEVEL.contains(&top) => top.to_owned(),
        _ if unknown => "<unknown property>".to_owned(),
        _ => operation.unwrap_or("<event>").to_owned(),
    };
    let is_value = |word: &&str| {
        let bare = word.trim_end_matches([':', ',', ';', '.', '?', '!', ')']);
        bare.contains(|c: char| c.is_ascii_digit() || ":/=@(".contains(c)) || values.contains(bare)
    };
    let words: Vec<&str> = item
        .split(' ')
        .skip(1)
        .filter(|w| !is_value(w))
        .take(4)
        .collect();
    let shape: String = words
        .join(" ")
        .chars()
        .filter(|c| c.is_ascii_alphabetic() || *c == ' ')
        .collect();
    format!("{path}: {shape}")
}

/// `text` without its double-quoted parts (as `{:?}` writes values), escapes included.
fn without_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut quoted, mut escaped) = (false, false);
    for c in text.chars() {
        match (quoted, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, _, '"') => quoted = !quoted,
            (true, false, _) => {}
            (false, _, c) => out.push(c),
        }
    }
    out
}

/// The event's top-level property values, old and new: reasons may quote them.
fn property_values(raw: &Value) -> BTreeSet<String> {
    ["ResourceProperties", "OldResourceProperties"]
        .iter()
        .filter_map(|field| raw.get(field).and_then(Value::as_object))
        .flat_map(|properties| properties.values())
        .filter_map(Value::as_str)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The trap is what makes "no connection was attempted" mean something: dialling each hostile
/// URL's host and port directly (as the handler would, were the policy to let it through)
/// reaches the trap and is counted.
#[test]
fn the_trap_counts_a_dial_of_every_hostile_url() {
    let trap = Trap::new();
    let mut hostile: Vec<Hostile> = OTHER_HOSTS
        .into_iter()
        .flat_map(|host| [false, true].map(|https| Hostile::OtherHost { host, https }))
        .collect();
    hostile.extend(OTHER_SCHEMES.map(Hostile::OtherScheme));
    hostile.push(Hostile::UserInfo {
        user: "agent".into(),
        password: Some("pw".into()),
        https: false,
    });
    for hostile in &hostile {
        let url = hostile_url(hostile, trap.port());
        assert!(policy().check(&url).is_err(), "the policy allows {url}");
        let parsed = reqwest::Url::parse(&url).unwrap();
        let host = parsed.host_str().unwrap().trim_matches(['[', ']']);
        let addrs: Vec<SocketAddr> = (host, trap.port()).to_socket_addrs().unwrap().collect();
        let dialled = addrs
            .iter()
            .any(|addr| TcpStream::connect_timeout(addr, Duration::from_secs(1)).is_ok());
        if !dialled && addrs.iter().all(SocketAddr::is_ipv6) {
            // A machine without IPv6 cannot dial a v4-mapped address at all, nor can the
            // handler: nothing to catch there.
            println!("{url}: no IPv6 here, so it cannot be dialled");
            assert_eq!(trap.connections(), 0);
            continue;
        }
        assert!(dialled, "{url} cannot be dialled at all");
        assert_eq!(trap.connections(), 1, "the trap did not see {url} dialled");
    }
    // And it counts nothing when nothing dials.
    assert_eq!(trap.connections(), 0);
}

/// Hostile URLs whose hosts would take a connection off this machine are never handed to the
/// handler (a broken policy would then dial them); the policy itself must refuse each.
#[test]
fn hostile_urls_that_would_leave_this_machine_are_refused_by_the_policy() {
    let policy = policy();
    for (url, why) in [
        (
            "https://169.254.169.254/latest/meta-data/",
            "host not allowed",
        ),
        ("http://10.0.0.1/cfn-response/x", "host not allowed"),
        ("https://example.com/cfn-response/x", "host not allowed"),
        ("https://amazonaws.com/cfn-response/x", "host not allowed"),
        (
            "https://evilamazonaws.com/cfn-response/x",
            "host not allowed",
        ),
        (
            "https://s3.amazonaws.com.evil.example/x",
            "host not allowed",
        ),
        ("https://127.0.0.1.example.com/x", "host not allowed"),
        ("http://bucket.s3.amazonaws.com/cfn-response/x", "not https"),
        (
            "http://bucket.s3.amazonaws.com.cn/cfn-response/x",
            "not https",
        ),
        ("https://agent:pw@bucket.s3.amazonaws.com/x", "invalid"),
        ("https://agent@bucket.s3.amazonaws.com/x", "invalid"),
    ] {
        match policy.check(url) {
            Ok(_) => panic!("the policy allows {url}"),
            Err(error) => assert_eq!(refusal_kind(&error), why, "{url}: {error}"),
        }
    }
}
