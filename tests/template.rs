//! What cfn-lint does not check in `template.yaml` and the CDK example: the IAM actions are
//! exactly the Connect and Secrets Manager calls the function makes, the secret is the only
//! one readable, ServiceTimeout is in range, the runtime is
//! right, and every `!GetAtt` names a resource and an attribute that exist.

use std::collections::BTreeSet;
use std::path::PathBuf;

use connect_user_resource::connect_user::plan::Change;
use connect_user_resource::connect_user::spec::{IdentityInfo, PhoneConfig, PhoneType};

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
            "ListUserProficiencies",
        ])
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
    let app = read("examples/cdk/app.js");
    assert!(
        app.contains("resources: [agentPassword.secretArn]"),
        "the CDK app grants the one secret"
    );
}

#[test]
fn iam_grants_exactly_the_calls_the_function_makes() {
    assert_eq!(
        actions_in(&read("template.yaml")),
        actions_called(),
        "template.yaml"
    );
    assert_eq!(
        actions_in(&read("examples/cdk/app.js")),
        actions_called(),
        "examples/cdk/app.js"
    );
}

#[test]
fn no_iam_statement_allows_every_resource() {
    for line in read("template.yaml").lines() {
        let line = line.trim();
        assert!(
            !(line.starts_with("Resource:") && line.contains('*')),
            "{line}"
        );
        assert_ne!(line, "- \"*\"");
        assert_ne!(line, "- '*'");
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
    assert!(
        timeouts.iter().all(|t| (1..=3600).contains(t)),
        "{timeouts:?}"
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
