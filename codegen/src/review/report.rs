//! How a [`Report`] shows itself: Markdown for a review, JSON for tools.

use std::fmt::Write as _;

use super::{Bump, HttpChange, Report, RustApiChange, Severity};

impl Report {
    /// The report as pretty-printed JSON:
    /// `{"changes": [...], "rust_api": [...], "semver": ...}`.
    pub fn to_json(&self) -> String {
        // Every field is a string, a number or an enum with a serde name:
        // serializing cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The report as Markdown for a review: the bump, then the wire changes
    /// grouped by operation with the most severe first, then the Rust API.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "## Spec diff: `{}` → `{}`\n",
            self.old_label, self.new_label
        );
        let count = |severity| {
            self.changes
                .iter()
                .filter(|change| change.severity == severity)
                .count()
        };
        let next = match &self.next_version {
            Some(version) => format!(" (next version {version})"),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "Suggested semver bump for `deepgram-keys`: **{}**{next}. Changes: {} breaking, {} non-breaking, {} info; {} in the Rust API.\n",
            bump_name(self.semver),
            count(Severity::Breaking),
            count(Severity::NonBreaking),
            count(Severity::Info),
            self.rust_api.len(),
        );
        if let Some(why) = &self.rust_api_unavailable {
            let _ = writeln!(
                out,
                "The Rust API was not compared, so the bump reflects the wire only: {why}\n"
            );
        }
        if !self.warnings.is_empty() {
            out.push_str("### Warnings: not valid OpenAPI, reviewed anyway\n\n");
            for warning in &self.warnings {
                let finding = &warning.finding;
                let at = if finding.pointer.is_empty() {
                    "the document root"
                } else {
                    &finding.pointer
                };
                let file = match &finding.file {
                    Some(file) => format!(", in {}", file.display()),
                    None => String::new(),
                };
                let _ = writeln!(
                    out,
                    "- {} document{file}, at `{at}`: {} (fix: {})",
                    warning.document, finding.problem, finding.fix
                );
            }
            out.push('\n');
        }
        if self.changes.is_empty() && self.rust_api.is_empty() && self.hand_written_layer.is_empty()
        {
            out.push_str("No changes.\n");
            return out;
        }
        out.push_str(&changes_markdown(&self.changes));
        if !self.rust_api.is_empty() {
            out.push_str("### Rust API of `deepgram-keys`\n\n");
            rust_api_lines(&mut out, &self.rust_api);
            out.push('\n');
        }
        if !self.hand_written_layer.is_empty() {
            out.push_str(
                "### For the maintainer: the generated client changed\n\n\
                 Not part of the published API; the hand-written `Client` has to follow.\n\n",
            );
            rust_api_lines(&mut out, &self.hand_written_layer);
        }
        out
    }
}

fn rust_api_lines(out: &mut String, changes: &[RustApiChange]) {
    let mut changes: Vec<&RustApiChange> = changes.iter().collect();
    changes.sort_by_key(|change| std::cmp::Reverse(change.bump));
    for change in changes {
        let label = match change.bump {
            Bump::None => "note",
            bump => bump_name(bump),
        };
        let _ = writeln!(out, "- {label} `{}`: {}", change.kind, change.message);
    }
}

fn bump_name(bump: Bump) -> &'static str {
    match bump {
        Bump::None => "none",
        Bump::Patch => "patch",
        Bump::Minor => "minor",
        Bump::Major => "major",
    }
}

/// The wire changes grouped by operation, the operation with the most
/// severe change first: the body of the spec-diff report, and of
/// `cargo xtask upstream`'s.
pub fn changes_markdown(changes: &[HttpChange]) -> String {
    let mut out = String::new();
    let mut operations: Vec<&str> = changes
        .iter()
        .map(|change| change.operation.as_str())
        .collect();
    operations.sort_unstable();
    operations.dedup();
    let most_severe = |operation: &str| {
        changes
            .iter()
            .filter(|change| change.operation == operation)
            .map(|change| change.severity)
            .min()
    };
    operations.sort_by_key(|operation| (most_severe(operation), *operation));
    for operation in operations {
        let _ = writeln!(out, "### {operation}\n");
        let mut of_operation: Vec<&HttpChange> = changes
            .iter()
            .filter(|change| change.operation == operation)
            .collect();
        of_operation.sort_by_key(|change| change.severity);
        for change in of_operation {
            let severity = match change.severity {
                Severity::Breaking => "**breaking**",
                Severity::NonBreaking => "non-breaking",
                Severity::Info => "info",
            };
            let _ = writeln!(
                out,
                "- {severity} `{}` at `{}`: {}",
                change.kind, change.pointer, change.message
            );
        }
        out.push('\n');
    }
    out
}
