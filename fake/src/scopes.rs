//! Scopes, in one place: which an operation needs, which a key may grant,
//! and which a new key gets.
//!
//! Deepgram's API reference does not list the scopes each operation needs;
//! it documents a 403 `INSUFFICIENT_PERMISSIONS`, and its page "Create a
//! Project Key" (`POST https://api.deepgram.com/v1/projects/:project_id/keys`)
//! types `scopes` as a plain, open-ended list of strings. So the fake takes
//! any scope string a caller may grant, as the service does, and an unknown
//! one grants nothing.

use crate::Operation;
use crate::errors::{Failure, Observed};

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
pub(crate) fn check_call(operation: Operation, scopes: &[String]) -> Result<(), Failure> {
    let needed = needed_for(operation);
    if scopes.iter().any(|scope| needed.contains(&scope.as_str())) {
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
pub(crate) fn check_grant(caller_scopes: &[String], requested: &[String]) -> Result<(), Failure> {
    let holds = |scope: &str| caller_scopes.iter().any(|held| held == scope);
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
pub(crate) fn expand_scopes(requested: &[String]) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    let mut add = |scope: &str| {
        if !scopes.iter().any(|held| held == scope) {
            scopes.push(scope.to_owned());
        }
    };
    let writes_keys = requested.iter().any(|scope| scope == KEYS_WRITE);
    if writes_keys {
        add(KEYS_WRITE);
        add(KEYS_READ);
    }
    for scope in requested {
        add(scope);
    }
    scopes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_write_brings_keys_read_and_nothing_else_is_added() {
        let scopes =
            |list: &[&str]| expand_scopes(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            scopes(&["usage:write", "keys:write"]),
            ["keys:write", "keys:read", "usage:write"]
        );
        assert_eq!(scopes(&["member", "member"]), ["member"]);
    }

    #[test]
    fn grants_are_limited_by_the_callers_scopes() {
        let list = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_grant(&list(&["owner"]), &list(&["owner", "x"])).is_ok());
        assert!(check_grant(&list(&["admin"]), &list(&["usage:read", "admin"])).is_ok());
        assert!(check_grant(&list(&["admin"]), &list(&["owner"])).is_err());
        assert!(check_grant(&list(&["keys:write", "usage:read"]), &list(&["usage:read"])).is_ok());
        let refused = check_grant(&list(&["keys:write"]), &list(&["usage:read"])).unwrap_err();
        assert_eq!((refused.status, refused.code), (403, "FORBIDDEN"));
    }

    #[test]
    fn reading_keys_needs_keys_read_and_managing_them_keys_write() {
        let list = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
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
