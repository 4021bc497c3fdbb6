//! One version: the crate's (`Cargo.toml`) is the CDK package's (`cdk/package.json`) and the
//! Serverless Application Repository application's (`packaging/template.yaml`'s
//! SemanticVersion, the zip its CodeUri names, and the version the consumer examples take),
//! and `CHANGELOG.md` has one Unreleased section, above any released one.

use std::path::PathBuf;

fn read(path: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_cdk_package_has_the_crates_version() {
    let package: serde_json::Value = serde_json::from_str(&read("cdk/package.json")).unwrap();
    assert_eq!(package["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn the_changelog_keeps_one_unreleased_section_first() {
    let changelog = read("CHANGELOG.md");
    let sections: Vec<&str> = changelog
        .lines()
        .filter(|line| line.starts_with("## "))
        .collect();
    assert_eq!(sections.first(), Some(&"## [Unreleased]"), "{sections:?}");
    let unreleased = sections.iter().filter(|s| **s == "## [Unreleased]").count();
    assert_eq!(unreleased, 1, "{sections:?}");
}

/// The value of every line `key: value` (after its indentation) of a file.
fn values<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix(key)?.strip_prefix(": "))
        .map(str::trim)
        .collect()
}

#[test]
fn the_application_has_the_crates_version() {
    let version = env!("CARGO_PKG_VERSION");
    let template = read("packaging/template.yaml");
    assert_eq!(values(&template, "SemanticVersion"), vec![version]);
    assert_eq!(
        values(&template, "CodeUri"),
        vec![format!(
            "../target/dist/connect-user-resource-{version}-arm64.zip"
        )]
    );
    // The consumer example nests this very version.
    let nested = read("examples/nested-application.yaml");
    assert_eq!(values(&nested, "SemanticVersion"), vec![version]);
    // Proves the comparison can fail: another version is seen.
    let other = template.replacen(
        &format!("SemanticVersion: {version}\n"),
        "SemanticVersion: 0.0.0-other\n",
        1,
    );
    assert_ne!(values(&other, "SemanticVersion"), vec![version]);
}
