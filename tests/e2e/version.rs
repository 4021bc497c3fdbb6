//! One version: the crate's (`Cargo.toml`) is the CDK package's (`cdk/package.json`), and
//! `CHANGELOG.md` has one Unreleased section, above any released one.

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
