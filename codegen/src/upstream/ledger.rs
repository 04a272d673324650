//! The ledger of deliberate deviations, `openapi/upstream/deviations.yaml`:
//! every place where our spec differs from upstream on purpose, with what
//! each side says, why we differ and the evidence.
//!
//! The differences themselves are found by spec-diff's engine, run from the
//! upstream extract to ours. Every difference above `info` must be named by
//! a ledger entry; an entry naming a difference that no longer exists is
//! stale. Documentation (descriptions, examples, `x-` extensions) is never a
//! deviation.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::error::Error;
use crate::review::{HttpChange, Severity};

/// The parsed ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ledger {
    /// Every deliberate deviation.
    pub deviations: Vec<Deviation>,
}

impl Ledger {
    /// Reads the ledger at `file`; a malformed entry is an error naming the
    /// file and the JSON pointer of the field.
    pub fn load(file: &Path) -> Result<Self, Error> {
        let value = Document::load(file)?.root().clone();
        serde_path_to_error::deserialize(value).map_err(|err| Error::Invalid {
            file: file.to_owned(),
            operation: None,
            pointer: crate::document::pointer(
                err.path()
                    .to_string()
                    .split(['.', '[', ']'])
                    .filter(|token| !token.is_empty() && *token != "?"),
            ),
            problem: err.inner().to_string(),
            hint: "each deviation has id, upstream, ours, why, evidence and differences (operation, kind, pointer)".into(),
        })
    }
}

/// One deliberate deviation, which may show as several differences (the
/// same decision applied to each operation, say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deviation {
    /// A short name for the decision.
    pub id: String,
    /// What Deepgram's document says.
    pub upstream: String,
    /// What our spec says.
    pub ours: String,
    /// Why we differ.
    pub why: String,
    /// What the decision rests on: real traffic, SDKs, the reference.
    pub evidence: String,
    /// The differences the decision accounts for, as the review names them.
    pub differences: Vec<Difference>,
}

/// One difference as the review reports it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Difference {
    /// Our operationId, or `(document)`.
    pub operation: String,
    /// The change kind, e.g. `response-type-changed`.
    pub kind: String,
    /// The JSON pointer the review reports.
    pub pointer: String,
    /// For a difference the review does not look into (see
    /// [`covers_a_subtree`](super::fingerprint::covers_a_subtree)): the
    /// fingerprint of what our spec says there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ours: Option<String>,
}

impl Difference {
    fn names(&self, found: &Found) -> bool {
        self.operation == found.change.operation
            && self.kind == found.change.kind.to_string()
            && self.pointer == found.change.pointer
            && self.ours == found.ours
    }
}

/// A difference from upstream to our spec, as the check finds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    /// The difference, as the review reports it.
    #[serde(flatten)]
    pub change: HttpChange,
    /// The fingerprint of our subtree, for differences the review does not
    /// look into.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ours: Option<String>,
}

/// The outcome of holding the differences against the ledger.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LedgerCheck {
    /// Differences no ledger entry accounts for: undocumented deviations.
    pub missing: Vec<Found>,
    /// Ledger entries' differences that no longer exist, with the entry's id.
    pub stale: Vec<(String, Difference)>,
}

impl LedgerCheck {
    /// True when every deviation is in the ledger and every entry applies.
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty() && self.stale.is_empty()
    }
}

/// Holds `differences` (from the upstream extract to our spec) against the
/// ledger.
pub fn check_ledger(differences: &[Found], ledger: &Ledger) -> LedgerCheck {
    let deviations: Vec<&Found> = differences
        .iter()
        .filter(|found| found.change.severity != Severity::Info)
        .collect();
    let missing = deviations
        .iter()
        .filter(|found| {
            !ledger
                .deviations
                .iter()
                .flat_map(|entry| &entry.differences)
                .any(|difference| difference.names(found))
        })
        .map(|found| (*found).clone())
        .collect();
    let stale = ledger
        .deviations
        .iter()
        .flat_map(|entry| {
            entry
                .differences
                .iter()
                .map(move |difference| (entry.id.clone(), difference.clone()))
        })
        .filter(|(_, difference)| !deviations.iter().any(|found| difference.names(found)))
        .collect();
    LedgerCheck { missing, stale }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::ChangeKind;

    fn change(severity: Severity, kind: ChangeKind, pointer: &str) -> Found {
        Found {
            change: HttpChange {
                severity,
                kind,
                operation: "create_key".into(),
                pointer: pointer.into(),
                message: String::new(),
            },
            ours: None,
        }
    }

    fn ledger(differences: &[(&str, &str)]) -> Ledger {
        Ledger {
            deviations: vec![Deviation {
                id: "ttl-integer".into(),
                upstream: "number".into(),
                ours: "integer".into(),
                why: "every SDK sends an integer".into(),
                evidence: "every SDK".into(),
                differences: differences
                    .iter()
                    .map(|(kind, pointer)| Difference {
                        operation: "create_key".into(),
                        kind: (*kind).into(),
                        pointer: (*pointer).into(),
                        ours: None,
                    })
                    .collect(),
            }],
        }
    }

    #[test]
    fn a_recorded_deviation_passes_and_documentation_is_never_one() {
        let differences = [
            change(
                Severity::Breaking,
                ChangeKind::RequestTypeChanged,
                "/a/type",
            ),
            change(
                Severity::Info,
                ChangeKind::DocumentationChanged,
                "/a/description",
            ),
        ];
        assert!(
            check_ledger(
                &differences,
                &ledger(&[("request-type-changed", "/a/type")])
            )
            .is_clean()
        );
    }

    #[test]
    fn an_unrecorded_deviation_is_missing() {
        let differences = [change(
            Severity::NonBreaking,
            ChangeKind::BoundTightened,
            "/a/maxLength",
        )];
        let check = check_ledger(&differences, &ledger(&[]));
        assert_eq!(check.missing, differences.to_vec());
        // The same pointer with another kind is another deviation.
        let check = check_ledger(&differences, &ledger(&[("bound-loosened", "/a/maxLength")]));
        assert_eq!(check.missing.len(), 1);
        assert_eq!(check.stale.len(), 1);
    }

    #[test]
    fn an_entry_that_no_longer_applies_is_stale() {
        let check = check_ledger(&[], &ledger(&[("request-type-changed", "/a/type")]));
        assert!(check.missing.is_empty());
        assert_eq!(check.stale[0].0, "ttl-integer");
        assert_eq!(check.stale[0].1.pointer, "/a/type");
    }

    #[test]
    fn a_malformed_ledger_names_the_file_and_the_field() {
        let dir = std::env::temp_dir().join(format!("ledger-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("deviations.yaml");
        std::fs::write(
            &file,
            "deviations:\n  - id: a\n    upstream: u\n    ours: o\n    why: w\n    evidence: e\n    differences:\n      - {operation: x, kind: k}\n",
        )
        .unwrap();
        let err = Ledger::load(&file).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(err.contains("deviations.yaml"), "{err}");
        assert!(err.contains("/deviations/0/differences/0"), "{err}");
        assert!(err.contains("pointer"), "{err}");
    }
}
