//! Connect's published service model (`service-model.json`, from botocore: see
//! `service-model.NOTICE`) and the checks it carries: the routes (`http.method`,
//! `http.requestUri`), where each input member travels (URI label, query string or JSON body),
//! and every constraint on a shape — required members, string lengths, enums, number ranges,
//! list and map sizes, patterns — for requests and for the emulator's own answers.
//!
//! Semantics, where the model leaves room:
//! - Unknown members are ignored, at any depth, as AWS's JSON protocols do for forward
//!   compatibility (an older service accepts a newer SDK's request); the model describes
//!   what a member means, not that others are refused.
//! - `null` is the same as an absent member.
//! - String lengths are counted in characters (Unicode scalar values), as Smithy's `length`
//!   trait defines them.
//! - Patterns are ECMA-262 regular expressions (Smithy's `pattern` trait) and, like ECMA's
//!   `RegExp.prototype.test`, match *anywhere* in the value unless they say `^` / `$`: the
//!   model's `\+[1-9]\d{1,14}$` accepts `abc+12065550100`. They are translated to the `regex`
//!   crate (`\d`, `\w`, `\s` and `.` with ECMA's meaning, `\p{…}` as Unicode properties);
//!   those that do not translate, or that are wrong as written, are in [`PATTERN_OVERRIDES`].
//! - A violation answers 400 with `InvalidParameterException` (or the operation's
//!   `InvalidRequestException` if it had no such error). Assumption: AWS does not document
//!   which code a model violation gets, nor its wording; no test matches the wording.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::shapes::ApiError;

/// The stored model, trimmed by `refresh-model.py` to the operations the emulator serves.
const MODEL_JSON: &str = include_str!("service-model.json");

/// A model pattern the emulator cannot use as written, and what it checks instead.
pub struct PatternOverride {
    /// The shape that carries the pattern.
    pub shape: &'static str,
    /// The pattern exactly as the model writes it (a refresh that changes it fails loudly).
    pub original: &'static str,
    /// What the pattern means.
    pub meaning: &'static str,
    /// Why it cannot be used as written.
    pub why: &'static str,
    /// The check that stands for it.
    pub matches: fn(&str) -> bool,
}

/// Every model pattern that is not translated as written, in one place.
pub const PATTERN_OVERRIDES: &[PatternOverride] = &[
    PatternOverride {
        shape: "Password",
        original: r"/^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[a-zA-Z\d\S]{8,64}$/",
        meaning: "8 to 64 characters (UTF-16 code units, as ECMA counts), none of them \
                  whitespace, with at least one lowercase ASCII letter, one uppercase ASCII \
                  letter and one ASCII digit",
        why: "the slashes are a JavaScript regex literal's delimiters, not part of the \
              pattern (read as written it could never match), and the regex crate has no \
              lookahead (?=...)",
        matches: password_matches,
    },
    PatternOverride {
        shape: "PhoneNumber",
        original: r"\\+[1-9]\\d{1,14}$",
        meaning: r"E.164 at the end of the value, as SensitivePhoneNumber's \+[1-9]\d{1,14}$: \
                   a '+', a digit 1-9 and 1 to 14 more digits (unanchored at the start)",
        why: r"double-escaped in the model: as written it means one or more backslashes, a \
               digit, a backslash and 1 to 14 letters 'd', and would refuse every phone number",
        matches: e164_tail_matches,
    },
    PatternOverride {
        shape: "TagKey",
        original: r"^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]*$",
        meaning: "does not start with 'aws:' (case-sensitive, as written), and is made only of \
                  Unicode letters, separators and numbers and _ . : / = + - @",
        why: "the regex crate has no negative lookahead (?!...): checked as a prefix test and \
              the character class",
        matches: tag_key_matches,
    },
];

/// ECMA's `\s`: WhiteSpace and LineTerminator (ECMA-262, 22.2.2.9 CharacterClassEscape).
const ECMA_SPACE: &str = r"\t\n\x0B\x0C\r \u{A0}\u{1680}\u{2000}-\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{FEFF}";

fn is_ecma_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

fn password_matches(value: &str) -> bool {
    (8..=64).contains(&value.encode_utf16().count())
        && !value.chars().any(is_ecma_space)
        && value.chars().any(|c| c.is_ascii_lowercase())
        && value.chars().any(|c| c.is_ascii_uppercase())
        && value.chars().any(|c| c.is_ascii_digit())
}

fn e164_tail_matches(value: &str) -> bool {
    static E164: OnceLock<Regex> = OnceLock::new();
    E164.get_or_init(|| compile_ecma(r"\+[1-9]\d{1,14}$").expect("the E.164 pattern compiles"))
        .is_match(value)
}

fn tag_key_matches(value: &str) -> bool {
    static CLASS: OnceLock<Regex> = OnceLock::new();
    let class = CLASS.get_or_init(|| {
        compile_ecma(r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$").expect("the tag key class compiles")
    });
    !value.starts_with("aws:") && class.is_match(value)
}

/// Translates an ECMA-262 pattern to the regex crate's syntax, keeping ECMA's meaning of the
/// escapes that differ (`\d` `\w` `\s` are ASCII / ECMA's whitespace, `.` stops at line
/// terminators). `None` if it uses something that cannot be translated here.
pub fn translate_ecma(pattern: &str) -> Option<String> {
    let mut out = String::new();
    let mut in_class = false;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let escaped = chars.next()?;
                let (outside, inside) = match escaped {
                    'd' => ("[0-9]".to_owned(), Some("0-9".to_owned())),
                    'D' => ("[^0-9]".to_owned(), None),
                    'w' => ("[A-Za-z0-9_]".to_owned(), Some("A-Za-z0-9_".to_owned())),
                    'W' => ("[^A-Za-z0-9_]".to_owned(), None),
                    's' => (format!("[{ECMA_SPACE}]"), Some(ECMA_SPACE.to_owned())),
                    'S' => (format!("[^{ECMA_SPACE}]"), None),
                    'p' | 'P' => {
                        // A Unicode property escape: \p{Name}, the same in both syntaxes.
                        let mut property = format!("\\{escaped}");
                        if chars.peek() == Some(&'{') {
                            for next in chars.by_ref() {
                                property.push(next);
                                if next == '}' {
                                    break;
                                }
                            }
                        }
                        (property.clone(), Some(property))
                    }
                    other => {
                        let kept = format!("\\{other}");
                        (kept.clone(), Some(kept))
                    }
                };
                if in_class {
                    out.push_str(&inside?);
                } else {
                    out.push_str(&outside);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
                // ECMA reads a leading ']' as an empty class; the regex crate as a literal.
                if chars.peek() == Some(&']') {
                    return None;
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '[' => out.push_str(r"\["),
            '.' if !in_class => out.push_str(r"[^\n\r\u{2028}\u{2029}]"),
            other => out.push(other),
        }
    }
    Some(out)
}

/// Compiles an ECMA-262 pattern with the regex crate, if it translates.
pub fn compile_ecma(pattern: &str) -> Result<Regex, String> {
    let translated =
        translate_ecma(pattern).ok_or_else(|| format!("{pattern} does not translate"))?;
    Regex::new(&translated).map_err(|e| format!("{pattern} (as {translated}): {e}"))
}

/// How a string shape's pattern is checked.
enum Pattern {
    Regex(Regex),
    Override(&'static PatternOverride),
}

impl Pattern {
    fn matches(&self, value: &str) -> bool {
        match self {
            Pattern::Regex(regex) => regex.is_match(value),
            Pattern::Override(o) => (o.matches)(value),
        }
    }
}

/// One segment of an operation's `requestUri` path.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Literal(String),
    Label(String),
}

struct Route {
    operation: String,
    method: String,
    segments: Vec<Segment>,
}

/// What a check found wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where, in model member names: `IdentityInfo.FirstName`, `SecurityProfileIds[0]`,
    /// `Tags{team}` (a map key: `Tags{team}.key`).
    pub path: String,
    pub kind: ViolationKind,
    /// What the constraint is (never the value: some are secrets).
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViolationKind {
    Required,
    Type,
    Length,
    Enum,
    Range,
    Size,
    Pattern,
    Union,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Value at '{}' failed to satisfy constraint: {}",
            self.path, self.detail
        )
    }
}

/// The loaded model.
pub struct ServiceModel {
    operations: Map<String, Value>,
    shapes: Map<String, Value>,
    patterns: HashMap<String, Pattern>,
    routes: Vec<Route>,
}

/// The model, loaded once. Panics if the stored model is unusable: a pattern that neither
/// translates nor has an override, or an override whose pattern the model no longer has.
pub fn model() -> &'static ServiceModel {
    static MODEL: OnceLock<ServiceModel> = OnceLock::new();
    MODEL.get_or_init(|| ServiceModel::load(MODEL_JSON).unwrap_or_else(|e| panic!("{e}")))
}

impl ServiceModel {
    fn load(text: &str) -> Result<Self, String> {
        let raw: Value =
            serde_json::from_str(text).map_err(|e| format!("service-model.json: {e}"))?;
        let operations = raw["operations"]
            .as_object()
            .cloned()
            .ok_or("service-model.json has no operations")?;
        let shapes = raw["shapes"]
            .as_object()
            .cloned()
            .ok_or("service-model.json has no shapes")?;
        let mut patterns = HashMap::new();
        for (name, shape) in &shapes {
            let Some(pattern) = shape.get("pattern").and_then(Value::as_str) else {
                continue;
            };
            let compiled = match PATTERN_OVERRIDES.iter().find(|o| o.shape == name) {
                Some(o) if o.original == pattern => Pattern::Override(o),
                Some(o) => {
                    return Err(format!(
                        "the model's {name} pattern is now {pattern}, not {}: review its override",
                        o.original
                    ))
                }
                None => Pattern::Regex(compile_ecma(pattern).map_err(|e| {
                    format!("the model's {name} pattern cannot be used; add an override: {e}")
                })?),
            };
            patterns.insert(name.clone(), compiled);
        }
        for o in PATTERN_OVERRIDES {
            if !patterns.contains_key(o.shape) {
                return Err(format!(
                    "the override for {} names a pattern the model no longer has",
                    o.shape
                ));
            }
        }
        let mut routes = Vec::new();
        for (name, operation) in &operations {
            let http = &operation["http"];
            let (Some(method), Some(uri)) = (http["method"].as_str(), http["requestUri"].as_str())
            else {
                return Err(format!("{name} has no http binding"));
            };
            let path = uri.split('?').next().unwrap_or(uri);
            let segments = path
                .split('/')
                .skip(1)
                .map(
                    |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(label) if !label.ends_with('+') => {
                            Ok(Segment::Label(label.to_owned()))
                        }
                        Some(label) => {
                            Err(format!("{name}: greedy label {label} is not supported"))
                        }
                        None => Ok(Segment::Literal(s.to_owned())),
                    },
                )
                .collect::<Result<Vec<_>, _>>()?;
            routes.push(Route {
                operation: name.clone(),
                method: method.to_owned(),
                segments,
            });
        }
        Ok(Self {
            operations,
            shapes,
            patterns,
            routes,
        })
    }

    /// The names of the operations the model holds.
    pub fn operation_names(&self) -> impl Iterator<Item = &str> {
        self.operations.keys().map(String::as_str)
    }

    /// A shape, as the model writes it.
    pub fn shape(&self, name: &str) -> Option<&Value> {
        self.shapes.get(name)
    }

    /// The model's patterns, by shape.
    pub fn pattern_shapes(&self) -> impl Iterator<Item = (&str, &str)> {
        self.shapes
            .iter()
            .filter_map(|(name, shape)| Some((name.as_str(), shape.get("pattern")?.as_str()?)))
    }

    /// Whether `value` matches the pattern of the shape `shape` (true if it has none).
    pub fn pattern_matches(&self, shape: &str, value: &str) -> bool {
        self.patterns.get(shape).is_none_or(|p| p.matches(value))
    }

    /// The operation that `method` on `path` (as sent, percent-encoded) calls, with its URI
    /// labels decoded.
    pub fn route(&self, method: &str, path: &str) -> Option<(&str, Vec<(String, String)>)> {
        let parts: Vec<&str> = path.split('/').skip(1).collect();
        self.routes.iter().find_map(|route| {
            if !route.method.eq_ignore_ascii_case(method) || route.segments.len() != parts.len() {
                return None;
            }
            let mut labels = Vec::new();
            for (segment, part) in route.segments.iter().zip(&parts) {
                match segment {
                    Segment::Literal(literal) if literal == part => {}
                    Segment::Label(label) if !part.is_empty() => {
                        labels.push((label.clone(), percent_decode(part)?));
                    }
                    _ => return None,
                }
            }
            Some((route.operation.as_str(), labels))
        })
    }

    fn operation(&self, name: &str) -> Option<&Value> {
        self.operations.get(name)
    }

    fn input_shape(&self, operation: &str) -> Option<&str> {
        self.operation(operation)?["input"]["shape"].as_str()
    }

    fn output_shape(&self, operation: &str) -> Option<&str> {
        self.operation(operation)?["output"]["shape"].as_str()
    }

    /// The error codes the operation declares.
    pub fn errors(&self, operation: &str) -> Vec<&str> {
        self.operation(operation)
            .and_then(|o| o["errors"].as_array())
            .map(|errors| errors.iter().filter_map(|e| e["shape"].as_str()).collect())
            .unwrap_or_default()
    }

    /// The input of `operation`, assembled from where the model puts each member: URI labels,
    /// the query string (by `locationName`) and the JSON body. A label or query value that is
    /// not of its member's type is a violation.
    pub fn assemble_input(
        &self,
        operation: &str,
        labels: &[(String, String)],
        query: &[(String, String)],
        body: &Value,
    ) -> Result<Value, Vec<Violation>> {
        let mut input = Map::new();
        let Some(shape) = self.input_shape(operation).and_then(|s| self.shape(s)) else {
            return Ok(Value::Object(input));
        };
        let empty = Map::new();
        let members = shape["members"].as_object().unwrap_or(&empty);
        let mut violations = Vec::new();
        for (name, member) in members {
            let location = member["location"].as_str();
            let wire_name = member["locationName"].as_str().unwrap_or(name);
            let target = member["shape"].as_str().unwrap_or_default();
            let target_type = self.shape(target).and_then(|s| s["type"].as_str());
            let value = match location {
                Some("uri") => labels
                    .iter()
                    .find(|(label, _)| label == wire_name)
                    .map(|(_, v)| self.scalar_from_text(target, v)),
                Some("querystring") if target_type == Some("list") => {
                    let member_shape = self
                        .shape(target)
                        .and_then(|s| s["member"]["shape"].as_str())
                        .unwrap_or_default();
                    let values: Vec<Value> = query
                        .iter()
                        .filter(|(k, _)| k == wire_name)
                        .map(|(_, v)| self.scalar_from_text(member_shape, v))
                        .collect();
                    (!values.is_empty()).then_some(Value::Array(values))
                }
                Some("querystring") => query
                    .iter()
                    .find(|(k, _)| k == wire_name)
                    .map(|(_, v)| self.scalar_from_text(target, v)),
                Some(other) => {
                    violations.push(Violation {
                        path: name.clone(),
                        kind: ViolationKind::Type,
                        detail: format!("the emulator does not read members from {other}"),
                    });
                    None
                }
                None => body.get(wire_name).cloned(),
            };
            if let Some(value) = value {
                input.insert(name.clone(), value);
            }
        }
        if violations.is_empty() {
            Ok(Value::Object(input))
        } else {
            Err(violations)
        }
    }

    /// A label or query-string value as its shape's JSON type; left a string if it does not
    /// parse, for the type check to refuse.
    fn scalar_from_text(&self, shape: &str, text: &str) -> Value {
        match self.shape(shape).and_then(|s| s["type"].as_str()) {
            Some("integer" | "long") => text
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::String(text.to_owned())),
            Some("float" | "double") => text
                .parse::<f64>()
                .ok()
                .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number))
                .unwrap_or_else(|| Value::String(text.to_owned())),
            Some("boolean") => match text {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(text.to_owned()),
            },
            _ => Value::String(text.to_owned()),
        }
    }

    /// Checks an operation's assembled input against its input shape.
    pub fn check_input(&self, operation: &str, input: &Value) -> Result<(), Vec<Violation>> {
        match self.input_shape(operation) {
            Some(shape) => self.check(shape, input),
            None => Ok(()),
        }
    }

    /// Checks an answer the emulator is about to give against the operation's output shape.
    pub fn check_output(&self, operation: &str, output: &Value) -> Result<(), Vec<Violation>> {
        match self.output_shape(operation) {
            Some(shape) => self.check(shape, output),
            None if output.as_object().is_some_and(Map::is_empty) => Ok(()),
            None => Err(vec![Violation {
                path: String::new(),
                kind: ViolationKind::Type,
                detail: format!("{operation} has no output, so its body must be {{}}"),
            }]),
        }
    }

    /// Checks `value` against the shape `shape`, collecting every violation.
    pub fn check(&self, shape: &str, value: &Value) -> Result<(), Vec<Violation>> {
        let mut violations = Vec::new();
        self.check_into(shape, value, "", &mut violations);
        if violations.is_empty() {
            Ok(())
        } else {
            Err(violations)
        }
    }

    fn check_into(&self, name: &str, value: &Value, path: &str, out: &mut Vec<Violation>) {
        let here = |kind, detail: String| Violation {
            path: path.to_owned(),
            kind,
            detail,
        };
        let Some(shape) = self.shape(name) else {
            out.push(here(ViolationKind::Type, format!("unknown shape {name}")));
            return;
        };
        let kind = shape["type"].as_str().unwrap_or_default();
        let min = shape.get("min").and_then(Value::as_f64);
        let max = shape.get("max").and_then(Value::as_f64);
        match kind {
            "structure" => {
                let Some(object) = value.as_object() else {
                    out.push(here(ViolationKind::Type, "Member must be an object".into()));
                    return;
                };
                let present = |member: &str| object.get(member).is_some_and(|v| !v.is_null());
                for required in shape["required"].as_array().into_iter().flatten() {
                    let required = required.as_str().unwrap_or_default();
                    if !present(required) {
                        out.push(Violation {
                            path: join(path, required),
                            kind: ViolationKind::Required,
                            detail: "Member must not be null".into(),
                        });
                    }
                }
                let empty = Map::new();
                let members = shape["members"].as_object().unwrap_or(&empty);
                if shape["union"] == Value::Bool(true) {
                    let set = members.keys().filter(|m| present(m)).count();
                    if set != 1 {
                        out.push(here(
                            ViolationKind::Union,
                            format!("exactly one member must be set, not {set}"),
                        ));
                    }
                }
                // Members the model does not know are ignored (see the module doc).
                for (member, definition) in members {
                    if let Some(v) = object.get(member).filter(|v| !v.is_null()) {
                        let target = definition["shape"].as_str().unwrap_or_default();
                        self.check_into(target, v, &join(path, member), out);
                    }
                }
            }
            "list" => {
                let Some(items) = value.as_array() else {
                    out.push(here(ViolationKind::Type, "Member must be a list".into()));
                    return;
                };
                out.extend(
                    size_violation(items.len(), min, max).map(|d| here(ViolationKind::Size, d)),
                );
                let member = shape["member"]["shape"].as_str().unwrap_or_default();
                for (i, item) in items.iter().enumerate() {
                    self.check_into(member, item, &format!("{path}[{i}]"), out);
                }
            }
            "map" => {
                let Some(entries) = value.as_object() else {
                    out.push(here(ViolationKind::Type, "Member must be a map".into()));
                    return;
                };
                out.extend(
                    size_violation(entries.len(), min, max).map(|d| here(ViolationKind::Size, d)),
                );
                let key_shape = shape["key"]["shape"].as_str().unwrap_or_default();
                let value_shape = shape["value"]["shape"].as_str().unwrap_or_default();
                for (key, v) in entries {
                    let at = format!("{path}{{{key}}}");
                    self.check_into(
                        key_shape,
                        &Value::String(key.clone()),
                        &join(&at, "key"),
                        out,
                    );
                    self.check_into(value_shape, v, &at, out);
                }
            }
            "string" => {
                let Some(text) = value.as_str() else {
                    out.push(here(ViolationKind::Type, "Member must be a string".into()));
                    return;
                };
                let length = text.chars().count() as f64;
                if let Some(m) = min.filter(|m| length < *m) {
                    out.push(here(
                        ViolationKind::Length,
                        format!("Member must have length greater than or equal to {m}"),
                    ));
                }
                if let Some(m) = max.filter(|m| length > *m) {
                    out.push(here(
                        ViolationKind::Length,
                        format!("Member must have length less than or equal to {m}"),
                    ));
                }
                if let Some(values) = shape["enum"].as_array() {
                    if !values.iter().any(|v| v.as_str() == Some(text)) {
                        let names: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
                        out.push(here(
                            ViolationKind::Enum,
                            format!("Member must satisfy enum value set: [{}]", names.join(", ")),
                        ));
                    }
                }
                if let Some(pattern) = self.patterns.get(name) {
                    if !pattern.matches(text) {
                        let written = shape["pattern"].as_str().unwrap_or_default();
                        out.push(here(
                            ViolationKind::Pattern,
                            format!("Member must satisfy regular expression pattern: {written}"),
                        ));
                    }
                }
            }
            "integer" | "long" => match value.as_i64() {
                Some(n) => out.extend(
                    range_violations(n as f64, min, max).map(|d| here(ViolationKind::Range, d)),
                ),
                None => out.push(here(
                    ViolationKind::Type,
                    "Member must be an integer".into(),
                )),
            },
            "float" | "double" => match value.as_f64() {
                Some(n) => {
                    out.extend(range_violations(n, min, max).map(|d| here(ViolationKind::Range, d)))
                }
                None => out.push(here(ViolationKind::Type, "Member must be a number".into())),
            },
            "boolean" => {
                if !value.is_boolean() {
                    out.push(here(ViolationKind::Type, "Member must be a boolean".into()));
                }
            }
            // rest-json sends timestamps in the body as epoch seconds.
            "timestamp" => {
                if !value.is_number() {
                    out.push(here(
                        ViolationKind::Type,
                        "Member must be a timestamp".into(),
                    ));
                }
            }
            other => out.push(here(
                ViolationKind::Type,
                format!("the emulator does not check {other} shapes"),
            )),
        }
    }

    /// The error a request that breaks the model gets (see the module doc).
    pub fn violation_error(&self, operation: &str, violations: &[Violation]) -> ApiError {
        let errors = self.errors(operation);
        let code = ["InvalidParameterException", "InvalidRequestException"]
            .into_iter()
            .find(|c| errors.contains(c))
            .unwrap_or("InvalidParameterException");
        let listed: Vec<String> = violations.iter().map(Violation::to_string).collect();
        ApiError {
            status: 400,
            code,
            message: format!(
                "{} validation error{} detected: {}",
                violations.len(),
                if violations.len() == 1 { "" } else { "s" },
                listed.join("; ")
            ),
        }
    }
}

fn join(path: &str, member: &str) -> String {
    if path.is_empty() {
        member.to_owned()
    } else {
        format!("{path}.{member}")
    }
}

fn size_violation(len: usize, min: Option<f64>, max: Option<f64>) -> Option<String> {
    let n = len as f64;
    (min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m)).then(|| {
        format!(
            "Member must have between {} and {} entries",
            min.unwrap_or(0.0),
            max.map_or("any number of".to_owned(), |m| m.to_string())
        )
    })
}

fn range_violations(n: f64, min: Option<f64>, max: Option<f64>) -> impl Iterator<Item = String> {
    let low = min
        .filter(|m| n < *m)
        .map(|m| format!("Member must have value greater than or equal to {m}"));
    let high = max
        .filter(|m| n > *m)
        .map(|m| format!("Member must have value less than or equal to {m}"));
    low.into_iter().chain(high)
}

/// Decodes `%XX` escapes (a label is percent-encoded by the SDK: an ARN's `/` arrives as
/// `%2F`). `None` if the escapes are malformed or the bytes are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
