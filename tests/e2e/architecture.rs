//! The architecture, checked (ARCHITECTURE.md states it): no import circle between the
//! modules of `src/` or of `protocol/src/`, no file over 400 lines of production code, the
//! model imports nothing else of the crate, and the protocol crate depends on nothing of the
//! Connect user resource (that it names nothing of it is the compiler's: it is its own crate).
//!
//! Read from the source text: each file is a module (`a/mod.rs` is `a`), its production code
//! is every line but its `#[cfg(test)]` items (a test module, a test-only `use`), and a reference is any `crate::`, `super::` or
//! `self::` path in it (comments excepted), `use` groups expanded. A reference from module A to
//! module B is an edge between the two siblings under their nearest common ancestor that
//! contain them; a child using its own ancestor is not a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_PRODUCTION_LINES: usize = 400;

type Module = Vec<String>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/connect_user/model/mod.rs` -> `[connect_user, model]`; `lib.rs`/`main.rs` -> `[]`.
fn module_of(src: &Path, file: &Path) -> Module {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Module = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The production part of a file: every line but the `#[cfg(test)]` items. Such an item is
/// the attribute, any further attributes, and then either one line ending in `;` (`mod tests;`,
/// a `use`) or a block, up to the line where its braces balance. Code after a test item (a
/// `#[cfg(test)] mod tests;` near the top of a `mod.rs`) stays production code.
fn production(text: &str) -> Vec<&str> {
    let mut kept = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.trim_start().strip_prefix("#[cfg(test)]") else {
            kept.push(line);
            continue;
        };
        // The item may follow the attribute on its line (`#[cfg(test)] mod tests;`).
        let rest = rest.trim();
        let mut depth = braces(rest);
        if !rest.is_empty() && depth <= 0 && (rest.ends_with(';') || rest.ends_with('}')) {
            continue;
        }
        for item in lines.by_ref() {
            let trimmed = item.trim();
            if depth == 0 && trimmed.starts_with("#[") {
                continue;
            }
            depth += braces(item);
            if depth <= 0 && (trimmed.ends_with(';') || trimmed.ends_with('}')) {
                break;
            }
        }
    }
    kept
}

/// Opening minus closing braces on a line, outside strings and `//` comments.
fn braces(line: &str) -> i32 {
    let mut depth = 0;
    let mut in_string = false;
    let mut previous = ' ';
    for c in line.chars() {
        match c {
            '"' if previous != '\\' => in_string = !in_string,
            '/' if !in_string && previous == '/' => break,
            '{' if !in_string => depth += 1,
            '}' if !in_string => depth -= 1,
            _ => {}
        }
        previous = c;
    }
    depth
}

/// Expands `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand(path: &str) -> Vec<String> {
    let Some(open) = path.find('{') else {
        return vec![path.trim().to_owned()];
    };
    let close = path.rfind('}').unwrap_or(path.len());
    let prefix = &path[..open];
    let inner = &path[open + 1..close];
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    items
        .into_iter()
        .filter(|item| !item.trim().is_empty())
        .flat_map(|item| expand(&format!("{prefix}{}", item.trim())))
        .collect()
}

/// The paths a file's production code refers to.
fn references(text: &str) -> Vec<String> {
    let code: Vec<&str> = production(text)
        .into_iter()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect();
    let code = code.join("\n");
    let mut paths = Vec::new();
    // `use` statements, groups expanded.
    for statement in code.split(';') {
        let statement = statement.trim();
        let Some(at) = statement.find("use ") else {
            continue;
        };
        let head = &statement[..at];
        if !(head.trim().is_empty() || head.trim() == "pub" || head.trim().starts_with("pub(")) {
            continue;
        }
        let path: String = statement[at + 4..].split_whitespace().collect();
        paths.extend(expand(&path));
    }
    // Inline paths (outside `use` statements, which are read above).
    let inline: String = code
        .split(';')
        .filter(|statement| {
            !statement.trim_start().starts_with("use ")
                && !statement.trim_start().starts_with("pub use ")
        })
        .collect::<Vec<_>>()
        .join(";");
    let code = inline;
    for root in ["crate::", "super::", "self::"] {
        for (at, _) in code.match_indices(root) {
            let before = code[..at].chars().last().unwrap_or(' ');
            if before.is_alphanumeric() || before == '_' || before == ':' {
                continue;
            }
            let path: String = code[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            paths.push(path);
        }
    }
    paths
}

/// The module a path refers to: the longest prefix that is a module.
fn resolve(from: &Module, path: &str, modules: &BTreeSet<Module>) -> Option<Module> {
    let mut segments = path.split("::").filter(|s| !s.is_empty());
    let mut target: Module = match segments.next()? {
        "crate" => Vec::new(),
        "super" => from[..from.len().checked_sub(1)?].to_vec(),
        "self" => from.clone(),
        _ => return None,
    };
    for segment in segments {
        if segment == "super" {
            target.pop();
            continue;
        }
        let mut next = target.clone();
        next.push(segment.to_owned());
        if modules.contains(&next) {
            target = next;
        } else {
            break;
        }
    }
    Some(target)
}

struct Crate {
    modules: BTreeSet<Module>,
    texts: BTreeMap<Module, (PathBuf, String)>,
}

/// The function's crate (`src/`).
fn load() -> Crate {
    load_crate("src")
}

/// The protocol crate (`protocol/src/`).
fn load_protocol() -> Crate {
    load_crate("protocol/src")
}

fn load_crate(dir: &str) -> Crate {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut texts = BTreeMap::new();
    for file in files {
        if file.ends_with("main.rs") {
            continue; // the binary's crate root, not a module of the library
        }
        let text = std::fs::read_to_string(&file).unwrap();
        texts.insert(module_of(&src, &file), (file, text));
    }
    let modules = texts.keys().cloned().collect();
    Crate { modules, texts }
}

/// Edges between siblings: for a reference A -> B, the children of their common ancestor.
fn sibling_edges(krate: &Crate) -> BTreeSet<(Module, Module)> {
    let mut edges = BTreeSet::new();
    for (from, (_, text)) in &krate.texts {
        for path in references(text) {
            let Some(to) = resolve(from, &path, &krate.modules) else {
                continue;
            };
            let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common == from.len() || common == to.len() {
                continue; // to an ancestor or a descendant: not between siblings
            }
            edges.insert((from[..=common].to_vec(), to[..=common].to_vec()));
        }
    }
    edges
}

fn find_cycle(edges: &BTreeSet<(Module, Module)>) -> Option<Vec<Module>> {
    let mut graph: BTreeMap<&Module, Vec<&Module>> = BTreeMap::new();
    for (a, b) in edges {
        graph.entry(a).or_default().push(b);
    }
    fn visit<'a>(
        node: &'a Module,
        graph: &BTreeMap<&'a Module, Vec<&'a Module>>,
        stack: &mut Vec<&'a Module>,
        done: &mut BTreeSet<&'a Module>,
    ) -> Option<Vec<Module>> {
        if let Some(at) = stack.iter().position(|m| *m == node) {
            return Some(stack[at..].iter().map(|m| (*m).clone()).collect());
        }
        if !done.insert(node) {
            return None;
        }
        stack.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, &graph, &mut Vec::new(), &mut done) {
            return Some(cycle);
        }
    }
    None
}

fn name(module: &Module) -> String {
    format!("crate::{}", module.join("::"))
}

#[test]
fn no_import_circle_between_modules() {
    for (label, krate, least) in [("src", load(), 20), ("protocol/src", load_protocol(), 8)] {
        let edges = sibling_edges(&krate);
        assert!(
            edges.len() > least,
            "{label}: too few references found: {edges:?}"
        );
        if let Some(cycle) = find_cycle(&edges) {
            let names: Vec<String> = cycle.iter().map(name).collect();
            panic!("{label}: import circle: {}", names.join(" -> "));
        }
    }
}

/// The model's references to anything else of the crate.
fn model_violations(krate: &Crate) -> Vec<String> {
    let model: Module = vec!["connect_user".into(), "model".into()];
    let mut wrong = Vec::new();
    for (from, (_, text)) in &krate.texts {
        for path in references(text) {
            let Some(to) = resolve(from, &path, &krate.modules) else {
                continue;
            };
            if from.starts_with(&model) && !to.starts_with(&model) {
                wrong.push(format!("{} -> {path}", name(from)));
            }
        }
    }
    wrong
}

#[test]
fn the_model_imports_nothing_else() {
    let mut krate = load();
    assert_eq!(
        model_violations(&krate),
        Vec::<String>::new(),
        "layering broken"
    );
    // Proves the check can fail: the model naming the plan is found.
    let model: Module = vec!["connect_user".into(), "model".into(), "user".into()];
    let (_, text) = krate
        .texts
        .get_mut(&model)
        .expect("src/connect_user/model/user.rs");
    text.push_str("\nuse crate::connect_user::plan::Change;\n");
    assert_eq!(
        model_violations(&krate),
        vec!["crate::connect_user::model::user -> crate::connect_user::plan::Change".to_owned()]
    );
}

/// The crates the protocol may not depend on: the function's own (the compiler refuses the
/// circle anyway) and any AWS service's SDK or config, which would bring a service in.
fn forbidden_protocol_dependencies(manifest: &str) -> Vec<String> {
    let mut section = "";
    let mut found = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line;
            continue;
        }
        let Some((name, _)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        let dependency = matches!(section, "[dependencies]" | "[build-dependencies]");
        if dependency
            && (name == "connect-user-resource"
                || name.starts_with("aws-sdk-")
                || name.starts_with("aws-config"))
        {
            found.push(format!("{section} {name}"));
        }
    }
    found
}

#[test]
fn the_protocol_crate_depends_on_nothing_of_the_resource() {
    // That the protocol names nothing of the Connect user resource is the compiler's now: it
    // is a crate of its own, which the function's crate depends on. What could still bring
    // Connect in is a dependency: none of the SDK's.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("protocol/Cargo.toml")).unwrap();
    assert_eq!(
        forbidden_protocol_dependencies(&manifest),
        Vec::<String>::new()
    );
    let function = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(
        function.contains("custom-resource-protocol = { path = \"protocol\" }"),
        "the function's crate depends on the protocol crate"
    );
    // Proves the check can fail: each kind of forbidden dependency is found, dev-only not.
    let wrong = format!(
        "{manifest}\n[dependencies]\naws-sdk-connect = \"1\"\nconnect-user-resource = {{ path = \"..\" }}\n[dev-dependencies]\naws-config = \"1\"\n"
    );
    assert_eq!(
        forbidden_protocol_dependencies(&wrong),
        vec![
            "[dependencies] aws-sdk-connect".to_owned(),
            "[dependencies] connect-user-resource".to_owned()
        ]
    );
}

/// The files of `krates` over [`MAX_PRODUCTION_LINES`] of production code, with their count.
fn over_limit<'a>(krates: impl IntoIterator<Item = &'a Crate>) -> Vec<String> {
    krates
        .into_iter()
        .flat_map(|krate| krate.texts.values())
        .filter_map(|(file, text)| {
            let lines = production(text).len();
            (lines > MAX_PRODUCTION_LINES).then(|| format!("{}: {lines}", file.display()))
        })
        .collect()
}

#[test]
fn no_file_over_400_production_lines() {
    let (function, mut protocol) = (load(), load_protocol());
    let over = over_limit([&function, &protocol]);
    assert!(
        over.is_empty(),
        "over {MAX_PRODUCTION_LINES} lines: {over:?}"
    );
    // Proves the check can fail: a file grown past the limit is found, its tests not counted.
    let (file, text) = protocol.texts.values_mut().next().expect("a protocol file");
    let grown = MAX_PRODUCTION_LINES + 1 - production(text).len();
    text.push_str(&"fn f() {}\n".repeat(grown));
    text.push_str("#[cfg(test)]\nmod tests {\n    fn g() {}\n}\n");
    let file = file.display().to_string();
    assert_eq!(
        over_limit([&protocol]),
        vec![format!("{file}: {}", MAX_PRODUCTION_LINES + 1)],
        "test code is not counted"
    );
}

#[test]
fn the_checks_can_fail() {
    // A circle between two siblings is found; a child using its parent is not one.
    let a: Module = vec!["x".into(), "a".into()];
    let b: Module = vec!["x".into(), "b".into()];
    let circle = BTreeSet::from([(a.clone(), b.clone()), (b.clone(), a.clone())]);
    assert!(find_cycle(&circle).is_some());
    assert!(find_cycle(&BTreeSet::from([(a.clone(), b.clone())])).is_none());
    let modules = BTreeSet::from([vec![], vec!["x".into()], a.clone(), b.clone()]);
    assert_eq!(resolve(&a, "super::b::Thing", &modules), Some(b.clone()));
    assert_eq!(resolve(&a, "crate::x::b", &modules), Some(b));
    assert_eq!(
        expand("super::{b::{C, D}, e}"),
        vec!["super::b::C", "super::b::D", "super::e"]
    );
    let text =
        "use super::b;\n// use crate::z;\nfn f() {}\n#[cfg(test)]\nmod tests { use crate::y; }\n";
    assert_eq!(references(text), vec!["super::b"]);
}

#[test]
fn code_after_a_test_item_is_production_code() {
    // The hole of issue 24: a `#[cfg(test)] mod ...;` near the top of a file hid the rest.
    let hole = "#[cfg(test)]\nmod memory;\nuse crate::connect_user::resource::Failure;\n";
    assert_eq!(
        references(hole),
        vec!["crate::connect_user::resource::Failure"]
    );
    let inline = "#[cfg(test)] mod memory;\n#[cfg(test)]\n#[allow(dead_code)]\nuse crate::x::{\n    A,\n};\nuse crate::y;\n";
    assert_eq!(references(inline), vec!["crate::y"]);
    let block = "#[cfg(test)]\nmod tests {\n    fn f() { let s = \"}\"; }\n    use crate::z;\n}\nuse crate::w;\n";
    assert_eq!(references(block), vec!["crate::w"]);
    // In the real crate: that line in connect/mod.rs, whose test modules are declared at the
    // top, makes a circle with the resource (which uses connect), and the check finds it.
    let mut krate = load();
    assert!(find_cycle(&sibling_edges(&krate)).is_none());
    let connect: Module = vec!["connect_user".into(), "connect".into()];
    let (_, text) = krate
        .texts
        .get_mut(&connect)
        .expect("src/connect_user/connect/mod.rs");
    assert!(
        text.contains("#[cfg(test)]"),
        "connect/mod.rs declares its test modules"
    );
    text.push_str("\nuse crate::connect_user::resource::Failure;\n");
    assert!(find_cycle(&sibling_edges(&krate)).is_some());
}
