//! Comparing security requirements. A `security` list names alternatives
//! (any one lets a client in); each alternative names schemes that must all
//! be satisfied, each with the scopes it needs. No list, or an empty
//! alternative, means no authentication.
//!
//! A client that got in before keeps getting in when some new alternative
//! asks for no scheme and no scope beyond one old alternative: adding a
//! requirement or a scope breaks, removing one does not.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Differ, show};
use crate::document::object;
use crate::review::kind::ChangeKind;

/// One alternative: each scheme with the scopes it needs.
type Alternative<'v> = BTreeMap<&'v str, BTreeSet<&'v str>>;

fn alternatives(security: Option<&Value>) -> Vec<Alternative<'_>> {
    let Some(list) = security.and_then(Value::as_array) else {
        return vec![Alternative::new()];
    };
    if list.is_empty() {
        return vec![Alternative::new()];
    }
    list.iter()
        .map(|alternative| {
            object(Some(alternative))
                .iter()
                .map(|(scheme, scopes)| {
                    let scopes = scopes.as_array().into_iter().flatten();
                    (scheme.as_str(), scopes.filter_map(Value::as_str).collect())
                })
                .collect()
        })
        .collect()
}

/// Whether a client that satisfies `old` satisfies `new` too.
fn covers(old: &Alternative, new: &Alternative) -> bool {
    new.iter().all(|(scheme, scopes)| {
        old.get(scheme)
            .is_some_and(|granted| scopes.is_subset(granted))
    })
}

impl Differ<'_> {
    /// Compares two `security` lists at `here`.
    pub(super) fn security(&mut self, old: Option<&Value>, new: Option<&Value>, here: &str) {
        let (before, after) = (alternatives(old), alternatives(new));
        let as_set = |list: &[Alternative]| -> BTreeSet<String> {
            list.iter()
                .map(|alternative| format!("{alternative:?}"))
                .collect()
        };
        if as_set(&before) == as_set(&after) {
            return;
        }
        let mut broke = false;
        for alternative in &before {
            if after.iter().any(|candidate| covers(alternative, candidate)) {
                continue;
            }
            broke = true;
            let same_schemes = after
                .iter()
                .any(|candidate| candidate.keys().eq(alternative.keys()));
            let (kind, what) = if same_schemes {
                (ChangeKind::SecurityScopeAdded, "needs more scopes")
            } else {
                (ChangeKind::SecurityRequirementAdded, "needs more schemes")
            };
            self.push(
                kind,
                None,
                here,
                format!(
                    "a client that authenticated with {} now {what}: security went from {} to {}",
                    describe(alternative),
                    show(old),
                    show(new)
                ),
            );
        }
        if !broke {
            let fewer_scopes = after.iter().all(|alternative| {
                before
                    .iter()
                    .any(|candidate| candidate.keys().eq(alternative.keys()))
            });
            let kind = if fewer_scopes {
                ChangeKind::SecurityScopeRemoved
            } else {
                ChangeKind::SecurityRequirementRemoved
            };
            self.push(
                kind,
                None,
                here,
                format!(
                    "security asks for less: from {} to {}",
                    show(old),
                    show(new)
                ),
            );
        }
    }
}

fn describe(alternative: &Alternative) -> String {
    if alternative.is_empty() {
        return "no credentials".into();
    }
    let schemes: Vec<String> = alternative
        .iter()
        .map(|(scheme, scopes)| match scopes.len() {
            0 => format!("`{scheme}`"),
            _ => format!(
                "`{scheme}` ({})",
                scopes.iter().copied().collect::<Vec<_>>().join(", ")
            ),
        })
        .collect();
    schemes.join(" and ")
}
