//! The changelogs of this crate and of `deepgram-keys-fake` stay readable:
//! each release has one heading per kind of change, and a list is not cut in
//! two by a blank line (Markdown would render two lists, and a reader would
//! take the second for another section's).

use std::collections::HashSet;

const CHANGELOGS: [(&str, &str); 2] = [
    (
        "generated-client/CHANGELOG.md",
        include_str!("../CHANGELOG.md"),
    ),
    ("fake/CHANGELOG.md", include_str!("../../fake/CHANGELOG.md")),
];

/// Every problem of one changelog, as `file:line: what`.
fn problems(file: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut headings = HashSet::new();
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        let at = format!("{file}:{}", index + 1);
        if line.starts_with("## ") {
            headings.clear();
        } else if let Some(heading) = line.strip_prefix("### ") {
            // "Changed (breaking)" is still a second "Changed".
            let kind = heading.split(" (").next().unwrap_or(heading).trim();
            if !headings.insert(kind) {
                problems.push(format!(
                    "{at}: `### {heading}` is a second `{kind}` in one release: merge them"
                ));
            }
        } else if line.starts_with("- ") && index >= 2 && lines[index - 1].is_empty() {
            let before = lines[..index - 1].iter().rev().find(|l| !l.is_empty());
            if before.is_some_and(|l| l.starts_with("- ") || l.starts_with("  ")) {
                problems.push(format!("{at}: a blank line splits this list: remove it"));
            }
        }
    }
    problems
}

#[test]
fn each_release_has_one_heading_per_kind_and_unbroken_lists() {
    let found: Vec<String> = CHANGELOGS
        .iter()
        .flat_map(|(file, text)| problems(file, text))
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_check_catches_a_repeated_heading_and_a_split_list() {
    let bad = "## [Unreleased]\n\n### Added\n\n- a\n\n- b\n\n### Added (more)\n\n- c\n\n## [0.1.0]\n\n### Added\n\n- d\n";
    assert_eq!(
        problems("x", bad),
        [
            "x:7: a blank line splits this list: remove it",
            "x:9: `### Added (more)` is a second `Added` in one release: merge them"
        ]
    );
}
