//! The examples the docs show (README.md and docs/*.md) are the ones that ship.
//!
//! Every `Custom::ConnectUser` resource shown in a fenced YAML or JSON block (a template's
//! `LogicalId: {Type: Custom::ConnectUser, Properties: …}`, or a CloudFormation event with
//! `LogicalResourceId` and `ResourceProperties`) is compared, as data, with the resource of
//! that logical id in `template.yaml` and with the properties of the Create event in `events/`
//! whose `LogicalResourceId` it is:
//!
//! - against the template: every property the doc shows must be there, with the same value
//!   (intrinsic functions compared in their long form, so `!Ref X` equals `{Ref: X}`);
//! - against the event: every property the doc shows must be there, with the same value where
//!   the doc gives a literal one (where it gives an intrinsic function, the event holds what
//!   CloudFormation resolved it to).
//!
//! What differs legitimately is left aside: `ServiceToken` and `ServiceTimeout` (the function's
//! ARN, the wait), and the form of scalars, compared as strings because CloudFormation sends
//! every scalar of a custom resource's properties as a string ("true", "30"; AWS: "The
//! property values [...] are converted to strings", docs.aws.amazon.com/AWSCloudFormation/
//! latest/UserGuide/crpg-ref-requests.html, ResourceProperties). A doc may leave a property
//! out; inside a property the value is compared whole. Every `Custom::ConnectUser` that
//! `template.yaml` declares must be shown somewhere, so the check cannot pass on no examples.
//!
//! It reads files only: it needs neither the crate nor the testkit.

use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The properties CloudFormation adds or that name the deployment, not the user.
const LEGITIMATELY_DIFFERENT: [&str; 2] = ["ServiceToken", "ServiceTimeout"];

/// Where a doc and `template.yaml` name the password's secret, a sample event may give the
/// password itself instead (the five Terraform examples' events do; docs/properties.md says
/// so): the two forms of one property, as the properties table documents them.
const SECRET_OR_LITERAL: (&str, &str) = ("PasswordSecretArn", "Password");

/// One resource shown in a doc: where, its logical id, its properties (canonical form).
#[derive(Debug)]
struct Shown {
    place: String,
    logical_id: String,
    properties: Map<String, Value>,
}

/// The fenced blocks of a Markdown text in `languages`, with the line each starts on.
fn fenced_blocks(text: &str, languages: &[&str]) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, bool, String)> = None;
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        match current.as_mut() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let wanted = languages.contains(&info.trim());
                    current = Some((number + 1, wanted, String::new()));
                }
            }
            Some((start, wanted, body)) => {
                if trimmed.starts_with("```") {
                    if *wanted {
                        blocks.push((*start, std::mem::take(body)));
                    }
                    current = None;
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    blocks
}

/// A YAML (or JSON) value in a canonical JSON form: scalars as strings, CloudFormation's
/// short-form tags in their long form (`!Ref X` → `{"Ref": "X"}`, `!GetAtt A.B` →
/// `{"Fn::GetAtt": ["A", "B"]}`, `!Sub`, `!Join`, … → `{"Fn::Sub": …}`).
pub(crate) fn canonical(value: &serde_norway::Value) -> Result<Value, String> {
    use serde_norway::Value as Y;
    Ok(match value {
        Y::Null => Value::String("null".into()),
        Y::Bool(b) => Value::String(b.to_string()),
        Y::Number(n) => Value::String(n.to_string()),
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(items) => Value::Array(items.iter().map(canonical).collect::<Result<_, _>>()?),
        Y::Mapping(mapping) => {
            let mut map = Map::new();
            for (key, value) in mapping {
                let key = match canonical(key)? {
                    Value::String(s) => s,
                    other => return Err(format!("a mapping key that is not a scalar: {other}")),
                };
                map.insert(key, canonical(value)?);
            }
            Value::Object(map)
        }
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let inner = canonical(&tagged.value)?;
            match (name, inner) {
                ("Ref", inner) => json!({ "Ref": inner }),
                ("GetAtt", Value::String(s)) => {
                    let (resource, attribute) = s
                        .split_once('.')
                        .ok_or(format!("!GetAtt {s} names no attribute"))?;
                    json!({ "Fn::GetAtt": [resource, attribute] })
                }
                (name, inner) => json!({ format!("Fn::{name}"): inner }),
            }
        }
    })
}

/// Whether a canonical value is an intrinsic function (`{"Ref": …}`, `{"Fn::…": …}`).
fn is_intrinsic(value: &Value) -> bool {
    value.as_object().is_some_and(|map| {
        map.len() == 1
            && map
                .keys()
                .all(|key| key == "Ref" || key.starts_with("Fn::"))
    })
}

/// The `Custom::ConnectUser` resources in a parsed block: every mapping entry whose value has
/// `Type: Custom::ConnectUser`, at any depth, and a CloudFormation event of that type.
fn resources_in(value: &Value, found: &mut Vec<(String, Map<String, Value>)>) {
    match value {
        Value::Object(map) => {
            if map.get("ResourceType") == Some(&json!("Custom::ConnectUser")) {
                if let (Some(Value::String(id)), Some(Value::Object(properties))) =
                    (map.get("LogicalResourceId"), map.get("ResourceProperties"))
                {
                    found.push((id.clone(), properties.clone()));
                }
            }
            for (key, inner) in map {
                if let Value::Object(resource) = inner {
                    if resource.get("Type") == Some(&json!("Custom::ConnectUser")) {
                        let properties = match resource.get("Properties") {
                            Some(Value::Object(p)) => p.clone(),
                            _ => Map::new(),
                        };
                        found.push((key.clone(), properties));
                        continue;
                    }
                }
                resources_in(inner, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| resources_in(item, found)),
        _ => {}
    }
}

/// The resources a Markdown text shows, or why a YAML or JSON block of it does not parse.
fn shown_in(name: &str, text: &str) -> Result<Vec<Shown>, String> {
    let mut shown = Vec::new();
    for (line, block) in fenced_blocks(text, &["yaml", "yml", "json"]) {
        let place = format!("{name}:{line}");
        // JSON is YAML: one parser for both blocks.
        let parsed: serde_norway::Value =
            serde_norway::from_str(&block).map_err(|e| format!("{place}: {e}"))?;
        let mut found = Vec::new();
        resources_in(
            &canonical(&parsed).map_err(|e| format!("{place}: {e}"))?,
            &mut found,
        );
        shown.extend(found.into_iter().map(|(logical_id, properties)| Shown {
            place: place.clone(),
            logical_id,
            properties,
        }));
    }
    Ok(shown)
}

/// Where a doc's value and a shipped one differ, at `path`; `resolved` when the shipped value
/// is what CloudFormation resolved the doc's intrinsic functions to (an event).
fn differences(path: &str, doc: &Value, shipped: &Value, resolved: bool, out: &mut Vec<String>) {
    if resolved && is_intrinsic(doc) {
        return;
    }
    match (doc, shipped) {
        (Value::Object(d), Value::Object(s)) if !is_intrinsic(doc) && !is_intrinsic(shipped) => {
            let keys: BTreeSet<&String> = d.keys().chain(s.keys()).collect();
            for key in keys {
                match (d.get(key), s.get(key)) {
                    (Some(dv), Some(sv)) => {
                        differences(&format!("{path}.{key}"), dv, sv, resolved, out)
                    }
                    (Some(_), None) => out.push(format!("{path}.{key} is not there")),
                    (None, Some(_)) => out.push(format!("{path}.{key} is left out of the doc")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(d), Value::Array(s)) if d.len() == s.len() => {
            for (index, (dv, sv)) in d.iter().zip(s).enumerate() {
                differences(&format!("{path}[{index}]"), dv, sv, resolved, out);
            }
        }
        _ if doc == shipped => {}
        _ => out.push(format!("{path} is {doc} in the doc, {shipped} there")),
    }
}

/// What a shown resource gets wrong against the shipped properties of its logical id.
fn check_one(
    shown: &Shown,
    shipped: &Map<String, Value>,
    what: &str,
    resolved: bool,
) -> Vec<String> {
    let mut found = Vec::new();
    for (key, value) in &shown.properties {
        if LEGITIMATELY_DIFFERENT.contains(&key.as_str()) {
            continue;
        }
        match shipped.get(key) {
            None if resolved
                && key == SECRET_OR_LITERAL.0
                && is_intrinsic(value)
                && shipped.contains_key(SECRET_OR_LITERAL.1) => {}
            None => found.push(format!("{key} is not there")),
            Some(shipped) => differences(key, value, shipped, resolved, &mut found),
        }
    }
    found
        .into_iter()
        .map(|f| format!("{} {}: {f} ({what})", shown.place, shown.logical_id))
        .collect()
}

/// The shipped examples: template.yaml's `Custom::ConnectUser` properties by logical id, and
/// the Create events' `ResourceProperties` by `LogicalResourceId`.
struct Shipped {
    template: BTreeMap<String, Map<String, Value>>,
    events: BTreeMap<String, Map<String, Value>>,
}

impl Shipped {
    fn parse(template: &str, events: &[(String, String)]) -> Result<Self, String> {
        let parsed: serde_norway::Value =
            serde_norway::from_str(template).map_err(|e| format!("template.yaml: {e}"))?;
        let mut found = Vec::new();
        resources_in(&canonical(&parsed)?, &mut found);
        let template = found.into_iter().collect();
        let mut by_id = BTreeMap::new();
        for (name, text) in events {
            let event: Value = serde_json::from_str(text).map_err(|e| format!("{name}: {e}"))?;
            let mut found = Vec::new();
            resources_in(&event, &mut found);
            for (id, properties) in found {
                if by_id.insert(id.clone(), properties).is_some() {
                    return Err(format!("two Create events for {id}"));
                }
            }
        }
        Ok(Shipped {
            template,
            events: by_id,
        })
    }

    /// Every problem of the docs, given as (name, Markdown text) pairs.
    fn check(&self, docs: &[(String, String)]) -> Vec<String> {
        let mut problems = Vec::new();
        let mut seen = BTreeSet::new();
        for (name, text) in docs {
            let shown = match shown_in(name, text) {
                Ok(shown) => shown,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            for one in shown {
                seen.insert(one.logical_id.clone());
                match self.template.get(&one.logical_id) {
                    Some(t) => problems.extend(check_one(&one, t, "template.yaml", false)),
                    None => problems.push(format!(
                        "{} {}: no such Custom::ConnectUser in template.yaml",
                        one.place, one.logical_id
                    )),
                }
                match self.events.get(&one.logical_id) {
                    Some(e) => problems.extend(check_one(&one, e, "its Create event", true)),
                    None => problems.push(format!(
                        "{} {}: no Create event in events/",
                        one.place, one.logical_id
                    )),
                }
            }
        }
        for id in self.template.keys().filter(|id| !seen.contains(*id)) {
            problems.push(format!("{id} (template.yaml) is shown in no doc"));
        }
        problems
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The files under `dir` whose names end in `suffix`, sorted, as (path, text).
fn files(dir: &str, suffix: &str) -> Vec<(String, String)> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| (p.display().to_string(), read(&p)))
        .collect()
}

fn shipped() -> Shipped {
    let root = env!("CARGO_MANIFEST_DIR");
    std::env::set_current_dir(root).unwrap();
    Shipped::parse(
        &read(Path::new("template.yaml")),
        &files("events", ".create.json"),
    )
    .unwrap()
}

fn docs() -> Vec<(String, String)> {
    let mut docs = vec![("README.md".to_owned(), read(Path::new("README.md")))];
    docs.extend(files("docs", ".md"));
    docs
}

#[test]
fn the_docs_show_the_shipped_examples() {
    let shipped = shipped();
    // The six examples: five of Terraform's aws_connect_user, and ChannelUser.
    assert_eq!(shipped.template.len(), 6, "{:?}", shipped.template.keys());
    assert!(shipped
        .template
        .keys()
        .all(|id| shipped.events.contains_key(id)));
    let problems = shipped.check(&docs());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_docs_show_every_example_and_check_each_one() {
    let docs = docs();
    let mut shown: BTreeMap<String, usize> = BTreeMap::new();
    for (name, text) in &docs {
        for one in shown_in(name, text).unwrap() {
            assert!(!one.properties.is_empty(), "{one:?}");
            *shown.entry(one.logical_id).or_default() += 1;
        }
    }
    let ids: Vec<&str> = shown.keys().map(String::as_str).collect();
    assert_eq!(
        ids,
        [
            "BasicUser",
            "ChannelUser",
            "DeskPhoneUser",
            "HierarchyUser",
            "IdentityUser",
            "SoftPhoneUser"
        ]
    );
}

/// The docs, with `from` replaced by `to` once in the one doc that holds it; what the check
/// then says.
fn altered(from: &str, to: &str) -> Vec<String> {
    let mut docs = docs();
    let holders: Vec<usize> = (0..docs.len())
        .filter(|&i| docs[i].1.contains(from))
        .collect();
    assert_eq!(
        holders.len(),
        1,
        "{from:?} is in {holders:?}, not in one doc"
    );
    let doc = &mut docs[holders[0]].1;
    *doc = doc.replacen(from, to, 1);
    shipped().check(&docs)
}

fn assert_one_problem(problems: &[String], says: &str) {
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].contains(says), "{problems:#?}");
}

#[test]
fn a_changed_value_fails_against_the_template_and_the_event() {
    let problems = altered(
        "AfterContactWorkTimeLimit: 120}}",
        "AfterContactWorkTimeLimit: 121}}",
    );
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].contains("ChannelUser") && problems[0].contains("template.yaml"));
    assert!(problems[0].contains("AfterContactWorkConfigs[1].AfterContactWorkConfig"));
    assert!(problems[1].contains("\"121\" in the doc, \"120\" there (its Create event)"));
}

#[test]
fn a_property_the_template_lacks_fails() {
    let problems = altered(
        "        Email: example-deskphone@example.com\n",
        "        Email: example-deskphone@example.com\n      DirectoryUserId: d-1\n",
    );
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems
        .iter()
        .all(|p| p.contains("DeskPhoneUser: DirectoryUserId is not there")));
}

#[test]
fn another_reference_fails_against_the_template_only() {
    // The event holds what the Ref resolved to: only the template can tell the two apart.
    let problems = altered(
        "        - !Ref SupervisorSecurityProfileId",
        "        - !Ref AgentSecurityProfileId",
    );
    assert_one_problem(&problems, "SecurityProfileIds[1]");
    assert!(problems[0].contains("(template.yaml)"));
}

#[test]
fn a_field_left_out_inside_a_property_fails() {
    let problems = altered(
        "        AutoAccept: true\n        PhoneType: SOFT_PHONE\n",
        "        PhoneType: SOFT_PHONE\n",
    );
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems
        .iter()
        .all(|p| p.contains("PhoneConfig.AutoAccept is left out")));
}

#[test]
fn an_example_that_does_not_ship_fails() {
    let problems = altered("  HierarchyUser:\n", "  HierarchyAgent:\n");
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].contains("HierarchyAgent: no such Custom::ConnectUser"));
    assert!(problems[1].contains("HierarchyAgent: no Create event"));
    assert!(problems[2].contains("HierarchyUser (template.yaml) is shown in no doc"));
}

#[test]
fn an_event_shown_in_json_is_checked_too() {
    let event = r#"
```json
{"RequestType": "Create", "LogicalResourceId": "SoftPhoneUser",
 "ResourceType": "Custom::ConnectUser",
 "ResourceProperties": {"ServiceToken": "arn:x", "ServiceTimeout": "1",
   "Name": "example-softphone", "PhoneConfig": {"AfterContactWorkTimeLimit": "0",
   "AutoAccept": "false", "PhoneType": "SOFT_PHONE"}}}
```
"#;
    let problems = shipped().check(&[("event.md".into(), event.into())]);
    let about_it: Vec<&String> = problems.iter().filter(|p| p.contains("event.md")).collect();
    assert_eq!(about_it.len(), 2, "{problems:#?}");
    assert!(about_it
        .iter()
        .all(|p| p.contains("PhoneConfig.AutoAccept is \"false\" in the doc, \"true\" there")));
}

#[test]
fn short_form_tags_parse_into_their_long_form() {
    let yaml = "a: !Ref X\nb: !GetAtt F.Arn\nc: !Sub '${A}-b'\nd: !Join ['', [a, !Ref B]]\ne: 30\nf: true\n";
    let value = canonical(&serde_norway::from_str(yaml).unwrap()).unwrap();
    assert_eq!(
        value,
        json!({
            "a": {"Ref": "X"},
            "b": {"Fn::GetAtt": ["F", "Arn"]},
            "c": {"Fn::Sub": "${A}-b"},
            "d": {"Fn::Join": ["", ["a", {"Ref": "B"}]]},
            "e": "30",
            "f": "true"
        })
    );
}

#[test]
fn a_block_that_does_not_parse_fails() {
    let bad = "```yaml\nBasicUser:\n  Type: Custom::ConnectUser\n   Properties: {\n```\n";
    let problems = shipped().check(&[("bad.md".into(), bad.into())]);
    assert!(
        problems.iter().any(|p| p.starts_with("bad.md:1:")),
        "{problems:#?}"
    );
}

#[test]
fn only_a_secret_named_by_reference_may_be_a_literal_password_in_the_event() {
    // BasicUser's Create event gives `Password`: a doc that names the secret by its ARN, not by
    // a reference the event would have resolved, differs from both.
    let problems = altered(
        "      PasswordSecretArn: !Ref AgentPasswordSecret\n      RoutingProfileName: !Ref RoutingProfileName\n      HierarchyGroupName",
        "      PasswordSecretArn: arn:aws:secretsmanager:us-east-1:123456789012:secret:x\n      RoutingProfileName: !Ref RoutingProfileName\n      HierarchyGroupName",
    );
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].contains("HierarchyUser: PasswordSecretArn is \"arn:"));
    assert!(
        problems[1].contains("HierarchyUser: PasswordSecretArn is not there (its Create event)")
    );
}
