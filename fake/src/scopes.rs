//! Scopes, in one place: which an operation needs, which a key may grant,
//! and which a new key gets.
//!
//! Deepgram's API reference does not list the scopes each operation needs;
//! it documents a 403 `INSUFFICIENT_PERMISSIONS`, and its page "Create a
//! Project Key" (`POST https://api.deepgram.com/v1/projects/:project_id/keys`)
//! types `scopes` as a plain, open-ended list of strings. So the fake takes
//! any scope string a caller may grant, as the service does, and an unknown
//! one grants nothing.

use std::collections::HashSet;

use crate::Operation;
use crate::errors::{Failure, Observed};

/// A key's scopes in the order the service lists them, and as a set: every
/// check is a lookup, so that a key with 60,000 scopes costs linear time,
/// never quadratic.
#[derive(Debug, Default)]
pub(crate) struct Scopes {
    listed: Vec<String>,
    held: HashSet<String>,
}

impl Scopes {
    /// The scopes as `list_keys` shows them.
    pub(crate) fn listed(&self) -> &[String] {
        &self.listed
    }

    fn holds(&self, scope: &str) -> bool {
        self.held.contains(scope)
    }

    /// Adds `scope` unless held already.
    fn add(&mut self, scope: &str) {
        if self.held.insert(scope.to_owned()) {
            self.listed.push(scope.to_owned());
        }
    }
}

/// Scopes that may do anything, and `admin`, which may do anything but
/// grant `owner`.
pub(crate) const OWNER: &str = "owner";
pub(crate) const ADMIN: &str = "admin";
pub(crate) const KEYS_READ: &str = "keys:read";
pub(crate) const KEYS_WRITE: &str = "keys:write";

/// The scopes any one of which lets a key call `operation`: reading keys
/// needs `keys:read` (or `keys:write`, which brings it), managing them
/// `keys:write`; `owner` and `admin` may do both.
pub(crate) fn needed_for(operation: Operation) -> &'static [&'static str] {
    match operation {
        Operation::ListKeys | Operation::GetKey => &[OWNER, ADMIN, KEYS_READ, KEYS_WRITE],
        Operation::CreateKey | Operation::DeleteKey => &[OWNER, ADMIN, KEYS_WRITE],
    }
}

/// `Ok` when a key holding `scopes` may call `operation`; otherwise
/// Deepgram's 403.
pub(crate) fn check_call(operation: Operation, scopes: &Scopes) -> Result<(), Failure> {
    if needed_for(operation)
        .iter()
        .any(|scope| scopes.holds(scope))
    {
        return Ok(());
    }
    Err(Failure::new(
        403,
        "INSUFFICIENT_PERMISSIONS",
        "User does not have sufficient permissions.",
    )
    .observed(Observed::Legacy))
}

/// `owner` may grant any scope, `admin` any but `owner`; any other key only
/// scopes it holds itself.
pub(crate) fn check_grant(caller_scopes: &Scopes, requested: &[String]) -> Result<(), Failure> {
    let holds = |scope: &str| caller_scopes.holds(scope);
    if holds(OWNER) {
        return Ok(());
    }
    let refused = requested.iter().find(|scope| {
        let scope = scope.as_str();
        !(holds(scope) || (holds(ADMIN) && scope != OWNER))
    });
    match refused {
        None => Ok(()),
        Some(scope) => Err(Failure::new(
            403,
            "FORBIDDEN",
            format!("This key may not grant the scope `{scope}`."),
        )),
    }
}

/// The service adds `keys:read` to a key that may write keys, right after
/// `keys:write`: asking for `usage:write, keys:write` has returned
/// `keys:write, keys:read, usage:write`.
pub(crate) fn expand_scopes(requested: &[String]) -> Scopes {
    let mut scopes = Scopes::default();
    let writes_keys = requested.iter().any(|scope| scope == KEYS_WRITE);
    if writes_keys {
        scopes.add(KEYS_WRITE);
        scopes.add(KEYS_READ);
    }
    for scope in requested {
        scopes.add(scope);
    }
    scopes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exactly these scopes, as a key holds them.
    fn scopes_of(list: &[&str]) -> Scopes {
        let mut scopes = Scopes::default();
        for scope in list {
            scopes.add(scope);
        }
        scopes
    }

    #[test]
    fn a_huge_scope_list_is_handled_in_linear_time() {
        // 200,000 distinct scopes and as many repeats: quadratic handling
        // would make 10^10 comparisons, and the test would not end.
        let requested: Vec<String> = (0..400_000).map(|i| format!("s:{}", i % 200_000)).collect();
        let scopes = expand_scopes(&requested);
        assert_eq!(scopes.listed().len(), 200_000);
        assert!(check_grant(&scopes, &requested).is_ok());
        let reader = scopes_of(&["keys:read"]);
        assert!(check_grant(&reader, &requested).is_err());
        assert!(check_call(Operation::ListKeys, &scopes).is_err());
    }

    #[test]
    fn keys_write_brings_keys_read_and_nothing_else_is_added() {
        let scopes = |list: &[&str]| {
            expand_scopes(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .listed()
                .to_vec()
        };
        assert_eq!(
            scopes(&["usage:write", "keys:write"]),
            ["keys:write", "keys:read", "usage:write"]
        );
        assert_eq!(scopes(&["member", "member"]), ["member"]);
    }

    #[test]
    fn grants_are_limited_by_the_callers_scopes() {
        let list = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let held = |list: &[&str]| scopes_of(list);
        assert!(check_grant(&held(&["owner"]), &list(&["owner", "x"])).is_ok());
        assert!(check_grant(&held(&["admin"]), &list(&["usage:read", "admin"])).is_ok());
        assert!(check_grant(&held(&["admin"]), &list(&["owner"])).is_err());
        assert!(check_grant(&held(&["keys:write", "usage:read"]), &list(&["usage:read"])).is_ok());
        let refused = check_grant(&held(&["keys:write"]), &list(&["usage:read"])).unwrap_err();
        assert_eq!((refused.status, refused.code), (403, "FORBIDDEN"));
    }

    #[test]
    fn reading_keys_needs_keys_read_and_managing_them_keys_write() {
        let list = scopes_of;
        for scopes in [&["owner"][..], &["admin"], &["keys:write"]] {
            for operation in Operation::ALL {
                assert!(
                    check_call(operation, &list(scopes)).is_ok(),
                    "{scopes:?} {operation}"
                );
            }
        }
        let reader = list(&["keys:read"]);
        assert!(check_call(Operation::ListKeys, &reader).is_ok());
        assert!(check_call(Operation::GetKey, &reader).is_ok());
        for operation in [Operation::CreateKey, Operation::DeleteKey] {
            let refused = check_call(operation, &reader).unwrap_err();
            assert_eq!(
                (refused.status, refused.code),
                (403, "INSUFFICIENT_PERMISSIONS")
            );
        }
        for scopes in [
            &["member"][..],
            &["usage:write"],
            &["bogus:scope"],
            &["keys:*"],
        ] {
            for operation in Operation::ALL {
                assert!(
                    check_call(operation, &list(scopes)).is_err(),
                    "{scopes:?} {operation}"
                );
            }
        }
    }
}
