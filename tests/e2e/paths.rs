//! Every path that the docs and the comments name exists (issue 24, point 6): a file named in
//! a Markdown page, a comment, a doc comment or a string of the repository's own sources
//! (`tests/e2e/events.rs`, `cdk/test/rules.test.ts`) is looked up from the repository's root,
//! from the naming file's folder, and from its package's root (`cdk/`, `testkit/`), and must
//! be one of them. A path with a placeholder (`<version>`, `${kind}`, `*`) is a pattern, not
//! a file, and is left out; so are the build's outputs (`cdk/lib/`, and any path through a
//! folder of [`SKIPPED`], such as `examples/cdk/cdk.out/`, which a clean clone does not have
//! until `make cdk-synth`), and this file, whose own test feeds the check paths that do not exist.
//!
//! It reads files only: it needs neither the crate nor the testkit.

use std::path::{Path, PathBuf};

/// Where a repository path starts: the top-level folders and the packages' own.
const ROOTS: [&str; 12] = [
    "src/",
    "protocol/",
    "tests/",
    "testkit/",
    "cdk/",
    "docs/",
    "examples/",
    "events/",
    "events-local/",
    "packaging/",
    "fuzz/",
    "test/",
];

/// The sources and docs whose text is read.
const EXTENSIONS: [&str; 10] = [
    "rs", "md", "ts", "js", "py", "sh", "toml", "yaml", "yml", "json",
];

/// Folders never read: the build's and the package managers' outputs.
const SKIPPED: [&str; 8] = [
    ".git",
    "target",
    "node_modules",
    "cdk.out",
    "dist",
    ".aws-sam",
    "artifacts",
    "coverage",
];

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-')
}

/// The file paths `line` names: a token of path characters that starts at one of [`ROOTS`]
/// (not inside a longer token), ends in a file name with an extension, and is not followed by a
/// placeholder (`$`, `<`, `{`, `*`).
fn named_paths(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_path_char(chars[i]) || (i > 0 && is_path_char(chars[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_path_char(chars[i]) {
            i += 1;
        }
        let token: String = chars[start..i].iter().collect();
        let token = token.trim_end_matches('.');
        let placeholder = matches!(chars.get(i), Some('$' | '<' | '{' | '*'));
        let file = token.rsplit('/').next().unwrap_or("");
        let named = ROOTS.iter().any(|root| token.starts_with(root))
            && file.contains('.')
            && !file.starts_with('.')
            && !token.starts_with("cdk/lib/")
            && !token.split('/').any(|part| SKIPPED.contains(&part));
        if named && !placeholder {
            found.push(token.to_owned());
        }
    }
    found
}

/// Whether `named`, named in `file`, exists from the root, the file's folder or its package.
fn exists(root: &Path, file: &Path, named: &str) -> bool {
    let folder = file.parent().unwrap_or(Path::new(""));
    let package = ["cdk", "testkit"]
        .iter()
        .find(|p| file.starts_with(p))
        .map(PathBuf::from);
    [Some(PathBuf::new()), Some(folder.to_path_buf()), package]
        .into_iter()
        .flatten()
        .any(|base| root.join(base).join(named).exists())
}

fn sources(root: &Path, relative: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root.join(relative)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = relative.join(&name);
        if entry.path().is_dir() {
            let output = name == "lib" && relative == Path::new("cdk");
            if !(output || SKIPPED.contains(&name.as_str())) {
                sources(root, &path, out);
            }
        } else if name == "Makefile"
            || path
                .extension()
                .is_some_and(|e| EXTENSIONS.contains(&e.to_string_lossy().as_ref()))
                && name != "package-lock.json"
        {
            out.push(path);
        }
    }
}

/// Every path named in `files` that does not exist, as `file:line: path`.
fn dangling(root: &Path, files: &[(PathBuf, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (file, text) in files {
        for (n, line) in text.lines().enumerate() {
            for named in named_paths(line) {
                if !exists(root, file, &named) {
                    problems.push(format!("{}:{}: {named}", file.display(), n + 1));
                }
            }
        }
    }
    problems
}

#[test]
fn every_path_the_docs_and_comments_name_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(root, Path::new(""), &mut files);
    assert!(
        files.len() > 100,
        "read only {} files: the walk is broken",
        files.len()
    );
    let texts: Vec<(PathBuf, String)> = files
        .into_iter()
        .filter(|f| f != Path::new(file!()))
        .filter_map(|f| Some((f.clone(), std::fs::read_to_string(root.join(&f)).ok()?)))
        .collect();
    let named: usize = texts
        .iter()
        .map(|(_, t)| t.lines().map(|l| named_paths(l).len()).sum::<usize>())
        .sum();
    assert!(
        named > 100,
        "found only {named} named paths: the scan is broken"
    );
    assert_eq!(dangling(root, &texts), Vec::<String>::new());
}

#[test]
fn the_check_finds_a_dangling_path_and_leaves_patterns_alone() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = |text: &str| vec![(PathBuf::from("docs/x.md"), text.to_owned())];
    // A path that moved (tests/events.rs is tests/e2e/events.rs): found, with its place.
    assert_eq!(
        dangling(
            root,
            &doc("kept so by `tests/events.rs`.\nsee tests/e2e/events.rs")
        ),
        vec!["docs/x.md:1: tests/events.rs".to_owned()]
    );
    // Relative to the naming file's package: cdk/src names test/rules.test.ts.
    let cdk = vec![(
        PathBuf::from("cdk/src/validation.ts"),
        "(test/rules.test.ts and test/gone.test.ts)".to_owned(),
    )];
    assert_eq!(
        dangling(root, &cdk),
        vec!["cdk/src/validation.ts:1: test/gone.test.ts".to_owned()]
    );
    // Patterns and non-paths are not named.
    assert!(named_paths("events-local/basic-user.$kind.json, docs/<page>.md, src/*.rs").is_empty());
    assert!(named_paths("https://example.com/docs/page.html and mysrc/x.rs").is_empty());
    // A build output is not named: a clean clone has no cdk.out/ until the synth.
    assert!(named_paths("check examples/cdk/cdk.out/ConnectUsers.template.json").is_empty());
    assert_eq!(
        named_paths("(src/main.rs)."),
        vec!["src/main.rs".to_owned()]
    );
}
