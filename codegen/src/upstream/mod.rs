//! Following Deepgram's own spec: what changed in the key operations of its
//! published OpenAPI document, and where our spec deliberately differs.
//!
//! Three steps, each its own module:
//!
//! 1. [`extract()`]: only the key operations of a whole-API document, and
//!    what they reference;
//! 2. [`crate::normalize()`] on the extract: 3.1 and 3.0 read alike;
//! 3. [`crate::review::http::compare`]: spec-diff's engine and rules, so an upstream change
//!    is classified exactly as the same change to our spec would be.
//!
//! [`check_ledger`] then holds the differences between upstream and our spec
//! against the committed ledger of deliberate deviations.

mod extract;
mod fingerprint;
mod ledger;
mod recorded;

use serde::Serialize;
use serde_json::Value;

use crate::document::{Document, pointer};
use crate::review::{ChangeKind, HttpChange, http};

pub use extract::{Extract, KeyOperation, Problem, extract, key_operations};
pub use fingerprint::{covers_a_subtree, fingerprint};
pub use ledger::{Deviation, Difference, Found, Ledger, LedgerCheck, check_ledger};
pub use recorded::{RecordedSource, record, recorded_source, sha256_hex};

/// What changed in the key operations between two documents.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// The changes, spec-diff's shape, each named by our operationId.
    pub changes: Vec<HttpChange>,
    /// What could not be read inside the key operations, in either document.
    pub problems: Vec<SidedProblem>,
}

/// A problem, with the document it was found in.
#[derive(Debug, Clone, Serialize)]
pub struct SidedProblem {
    /// `old` or `new`.
    pub document: &'static str,
    /// The problem.
    #[serde(flatten)]
    pub problem: Problem,
}

/// The key operations of `document`, normalised for review, as a document
/// of their own.
pub fn review_extract(document: &Document, keys: &[KeyOperation]) -> (Document, Vec<Problem>) {
    let extract = extract(document, keys);
    let reviewed = Document::new(document.file(), extract.document).normalized();
    (reviewed, extract.problems)
}

/// Compares the key operations of two documents (3.0 or 3.1, whole-API or
/// extracts). `keys` are our operations, which name every change.
pub fn review(old: &Document, new: &Document, keys: &[KeyOperation]) -> Review {
    let (old, old_problems) = review_extract(old, keys);
    let (new, new_problems) = review_extract(new, keys);
    let changes = compare(&old, &new, keys);
    let problems = [("old", old_problems), ("new", new_problems)]
        .into_iter()
        .flat_map(|(document, problems)| {
            problems
                .into_iter()
                .map(move |problem| SidedProblem { document, problem })
        })
        .collect();
    Review { changes, problems }
}

/// The differences from upstream's key operations to ours: what the ledger
/// of deviations must account for. A difference the review does not look
/// into carries the fingerprint of what our spec says there.
pub fn deviations(upstream: &Document, ours: &Document, keys: &[KeyOperation]) -> Vec<Found> {
    let (upstream, _) = review_extract(upstream, keys);
    let (ours, _) = review_extract(ours, keys);
    compare(&upstream, &ours, keys)
        .into_iter()
        .map(|change| {
            let ours = covers_a_subtree(&change.kind.to_string(), &change.pointer)
                .then(|| fingerprint(&ours, &change.pointer))
                .flatten();
            Found { change, ours }
        })
        .collect()
}

/// spec-diff's engine on two extracts, each change named by our operationId
/// instead of the engine's label: a change belongs to the key operation
/// whose JSON pointer its own pointer starts with (the extract keeps our
/// paths, and the review reports through resolved references from there).
pub(crate) fn compare(old: &Document, new: &Document, keys: &[KeyOperation]) -> Vec<HttpChange> {
    let mut changes = http::compare(old, new);
    let places: Vec<(String, &KeyOperation)> = keys
        .iter()
        .map(|key| {
            (
                pointer(["paths", key.path.as_str(), key.method.as_str()]),
                key,
            )
        })
        .collect();
    for change in &mut changes {
        let owner = places.iter().find(|(at, _)| {
            change
                .pointer
                .strip_prefix(at.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        });
        if let Some((_, key)) = owner {
            change.operation = key.operation_id.clone();
        }
    }
    // How upstream names an operation is no change on the wire, but a
    // reviewer wants to know (upstream renamed them twice).
    for key in keys {
        let at = pointer(["paths", key.path.as_str(), key.method.as_str()]);
        for (field, what) in [
            (extract::UPSTREAM_OPERATION_ID, "operationId"),
            (extract::UPSTREAM_PATH, "path template"),
        ] {
            let (old_operation, new_operation) = (old.root().pointer(&at), new.root().pointer(&at));
            let (before, after) = (
                old_operation.and_then(|op| op.get(field)),
                new_operation.and_then(|op| op.get(field)),
            );
            if before != after && old_operation.is_some() && new_operation.is_some() {
                let show = |value: Option<&Value>| {
                    value.map_or_else(|| "ours".to_owned(), Value::to_string)
                };
                changes.push(HttpChange {
                    severity: ChangeKind::UpstreamNameChanged.severity(None),
                    kind: ChangeKind::UpstreamNameChanged,
                    operation: key.operation_id.clone(),
                    pointer: format!("{at}/{field}"),
                    message: format!(
                        "upstream's {what} went from {} to {}",
                        show(before),
                        show(after)
                    ),
                });
            }
        }
    }
    changes
}
