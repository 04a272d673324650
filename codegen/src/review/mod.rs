//! `spec-diff`'s engine: what a spec change means on the wire, for users of
//! the Rust crate, and for the next version number.
//!
//! - [`kind`]: every kind of wire change and the one table of severities;
//! - [`http`]: the comparison of two documents on the wire (HTTP requests and responses);
//! - [`rust_api`]: the comparison of the Rust API they generate;
//! - [`Report`]: both, with the suggested bump, rendering itself as
//!   Markdown or JSON.

pub mod http;
pub mod kind;
mod report;
pub mod rust_api;

use serde::Serialize;
use serde_json::Value;

use crate::document::{Document, Finding};
use crate::error::Error;

pub use http::HttpChange;
pub use kind::{ChangeKind, Direction, Severity};
pub use report::changes_markdown;
pub use rust_api::{RustApiChange, RustApiDiff, RustApiKind};

/// A semver level, from no release needed to a breaking one: what both the
/// HTTP changes and the Rust API changes ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Nothing changed.
    None,
    /// Documentation or internals only.
    Patch,
    /// Additions only.
    Minor,
    /// Existing code may stop compiling or working.
    Major,
}

/// Everything spec-diff reports about a change from `old` to `new`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// How the old spec is named.
    #[serde(skip)]
    pub old_label: String,
    /// How the new spec is named.
    #[serde(skip)]
    pub new_label: String,
    /// The wire changes.
    pub changes: Vec<HttpChange>,
    /// The changes to the published Rust API.
    pub rust_api: Vec<RustApiChange>,
    /// Changes to the private generated client that the hand-written layer
    /// has to follow: tasks for the maintainer, not semver facts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hand_written_layer: Vec<RustApiChange>,
    /// Why the Rust API could not be compared, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rust_api_unavailable: Option<String>,
    /// What is not valid OpenAPI in either document: reviewed anyway, and
    /// the Rust API left out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// The semver bump the change needs.
    pub semver: Bump,
    /// The version that bump leads to from the old spec's `info.version`
    /// (before 1.0, a breaking change bumps the minor version and anything
    /// else the patch version, as Cargo's resolver expects).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_version: Option<String>,
}

/// A validity problem of one of the two documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// `old` or `new`.
    pub document: &'static str,
    /// The problem, with its pointer.
    #[serde(flatten)]
    pub finding: Finding,
}

/// How deep `allOf` members may nest (see [`Document::member_depth`]) for
/// the Rust API to be generated: progenitor merges them recursively, and
/// 2,000 levels overflowed its stack (600 took minutes). Real documents
/// nest a few levels.
const DEEPEST_MEMBERS: usize = 64;

/// Compares two documents. A document that cannot be read as OpenAPI 3.x
/// stops the comparison (see [`crate::findings`]); its validity problems do
/// not: they are listed as warnings, the wire is compared, and the Rust API,
/// which only a valid document generates, is left out, named.
pub fn review(old: &Document, new: &Document) -> Result<Report, Error> {
    let mut warnings = Vec::new();
    for (side, document) in [("old", old), ("new", new)] {
        for finding in crate::findings(document)? {
            warnings.push(Warning {
                document: side,
                finding,
            });
        }
    }
    let changes = http::compare(old, new);
    let too_deep = [("old", old), ("new", new)]
        .into_iter()
        .map(|(side, document)| (side, document.member_depth()))
        .find(|(_, depth)| *depth > DEEPEST_MEMBERS);
    let generated = match (warnings.first(), too_deep) {
        (Some(first), _) => Err(format!(
            "the {} document is not valid OpenAPI (see the warnings)",
            first.document
        )),
        (None, Some((side, depth))) => Err(format!(
            "the {side} document nests `allOf` members {depth} deep, more than the generator is run on ({DEEPEST_MEMBERS})"
        )),
        (None, None) => crate::client_syntax(old)
            .and_then(|old_code| Ok((old_code, crate::client_syntax(new)?)))
            .map_err(|err| err.to_string()),
    };
    let (rust_api, rust_api_unavailable) = match generated {
        Ok((old_code, new_code)) => (rust_api::compare(&old_code, &new_code), None),
        Err(why) => (RustApiDiff::default(), Some(why)),
    };
    let semver = suggest_bump(&changes, &rust_api.published);
    let released = old.root().pointer("/info/version").and_then(Value::as_str);
    Ok(Report {
        next_version: released.and_then(|version| next_version(version, semver)),
        old_label: old.file().display().to_string(),
        new_label: new.file().display().to_string(),
        changes,
        rust_api: rust_api.published,
        hand_written_layer: rust_api.generated_client,
        rust_api_unavailable,
        warnings,
        semver,
    })
}

/// The semver bump a change needs: the larger of what the wire changes need
/// (breaking: major, non-breaking: minor, info: patch) and what the
/// published Rust API changes need.
pub fn suggest_bump(changes: &[HttpChange], rust_api: &[RustApiChange]) -> Bump {
    let wire = changes.iter().map(|change| match change.severity {
        Severity::Breaking => Bump::Major,
        Severity::NonBreaking => Bump::Minor,
        Severity::Info => Bump::Patch,
    });
    wire.chain(rust_api.iter().map(|change| change.bump))
        .max()
        .unwrap_or(Bump::None)
}

/// `version` after `bump`, or `None` when `version` is not `X.Y.Z`.
pub fn next_version(version: &str, bump: Bump) -> Option<String> {
    let mut parts = version
        .trim()
        .split('.')
        .map(|part| part.parse::<u64>().ok());
    let (Some(Some(major)), Some(Some(minor)), Some(Some(patch)), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    Some(match (bump, major) {
        (Bump::None, _) => format!("{major}.{minor}.{patch}"),
        (Bump::Major, 0) => format!("0.{}.0", minor + 1),
        (Bump::Minor | Bump::Patch, 0) => format!("0.{minor}.{}", patch + 1),
        (Bump::Major, _) => format!("{}.0.0", major + 1),
        (Bump::Minor, _) => format!("{major}.{}.0", minor + 1),
        (Bump::Patch, _) => format!("{major}.{minor}.{}", patch + 1),
    })
}

impl Report {
    /// Whether anything breaks existing users: a breaking wire change, or a
    /// change to the published Rust API that needs a major bump.
    pub fn is_breaking(&self) -> bool {
        self.changes
            .iter()
            .any(|change| change.severity == Severity::Breaking)
            || self
                .rust_api
                .iter()
                .any(|change| change.bump == Bump::Major)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_version_follows_cargo_before_and_after_1_0() {
        let cases = [
            ("0.1.0", Bump::Major, "0.2.0"),
            ("0.1.3", Bump::Minor, "0.1.4"),
            ("0.1.3", Bump::Patch, "0.1.4"),
            ("0.1.3", Bump::None, "0.1.3"),
            ("1.2.3", Bump::Major, "2.0.0"),
            ("1.2.3", Bump::Minor, "1.3.0"),
            ("1.2.3", Bump::Patch, "1.2.4"),
        ];
        for (version, bump, next) in cases {
            assert_eq!(
                next_version(version, bump).as_deref(),
                Some(next),
                "{version} {bump:?}"
            );
        }
        for odd in ["1", "1.2", "1.2.3-beta", "v1.2.3", "1.2.3.4", ""] {
            assert_eq!(next_version(odd, Bump::Major), None, "{odd}");
        }
    }
}
