//! How the service reads a create request: the checks of its body, which
//! scopes a key may grant, and the scopes the new key gets.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::errors::Failure;
use super::state::{after_seconds, bad_request, micros};

/// Scopes that may do anything, and `admin`, which may do anything but
/// grant `owner`.
pub(super) const OWNER: &str = "owner";
pub(super) const ADMIN: &str = "admin";
pub(super) const KEYS_READ: &str = "keys:read";
pub(super) const KEYS_WRITE: &str = "keys:write";

/// The body of a create request as the service reads it: unknown fields are
/// ignored, as Deepgram ignores them.
#[derive(Deserialize)]
struct CreateBody {
    comment: String,
    scopes: Vec<String>,
    tags: Option<Vec<String>>,
    expiration_date: Option<DateTime<Utc>>,
    time_to_live_in_seconds: Option<i64>,
}

/// A create request after Deepgram's checks: what the new key will be.
pub(super) struct NewKey {
    pub(super) comment: String,
    pub(super) scopes: Vec<String>,
    pub(super) tags: Vec<String>,
    pub(super) expiration_date: Option<DateTime<Utc>>,
}

pub(super) fn read_create_body(body: &[u8], now: DateTime<Utc>) -> Result<NewKey, Failure> {
    let body: CreateBody = serde_json::from_slice(body).map_err(|err| {
        Failure::new(400, "INVALID_JSON", "Invalid JSON submitted.")
            .details(format!("Json deserialize error: {err}"))
    })?;
    if body.scopes.is_empty() {
        return Err(bad_request(
            "A key needs at least one scope.",
            "`scopes` must not be empty",
        ));
    }
    if body.tags.as_ref().is_some_and(Vec::is_empty) {
        return Err(bad_request(
            "Tags must not be empty.",
            "leave `tags` out instead of sending an empty list",
        ));
    }
    let expiration_date = match (body.expiration_date, body.time_to_live_in_seconds) {
        (Some(_), Some(_)) => {
            return Err(bad_request(
                "Only one of expiration_date and time_to_live_in_seconds may be set.",
                "both `expiration_date` and `time_to_live_in_seconds` were given",
            ));
        }
        (_, Some(ttl)) if ttl < 1 => {
            return Err(bad_request(
                "time_to_live_in_seconds must be positive.",
                format!("`time_to_live_in_seconds` was {ttl}"),
            ));
        }
        (_, Some(ttl)) => Some(after_seconds(now, ttl.unsigned_abs()).ok_or_else(|| {
            bad_request(
                "time_to_live_in_seconds is too large.",
                format!("`time_to_live_in_seconds` was {ttl}"),
            )
        })?),
        (date, None) => date,
    };
    Ok(NewKey {
        comment: body.comment,
        scopes: body.scopes,
        tags: body.tags.unwrap_or_default(),
        expiration_date: expiration_date.map(micros),
    })
}

/// `owner` may grant any scope, `admin` any but `owner`; any other key only
/// scopes it holds itself.
pub(super) fn check_grant(caller_scopes: &[String], requested: &[String]) -> Result<(), Failure> {
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
pub(super) fn expand_scopes(requested: &[String]) -> Vec<String> {
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
    use chrono::TimeDelta;
    use serde_json::{Value, json};

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
    fn create_bodies_are_checked_as_deepgram_checks_them() {
        let now: DateTime<Utc> = "2030-01-01T00:00:00Z".parse().unwrap();
        let read = |body: Value| read_create_body(body.to_string().as_bytes(), now);
        let date_only =
            read(json!({"comment": "c", "scopes": ["member"], "expiration_date": "2038-01-19"}))
                .err()
                .unwrap();
        assert_eq!((date_only.status, date_only.code), (400, "INVALID_JSON"));
        assert!(
            date_only
                .details
                .unwrap()
                .starts_with("Json deserialize error: ")
        );
        for body in [
            json!({"comment": "c", "scopes": []}),
            json!({"comment": "c", "scopes": ["member"], "tags": []}),
            json!({"comment": "c", "scopes": ["member"], "expiration_date": "2031-01-01T00:00:00Z", "time_to_live_in_seconds": 60}),
            json!({"comment": "c", "scopes": ["member"], "time_to_live_in_seconds": 0}),
        ] {
            let failure = read(body.clone())
                .err()
                .unwrap_or_else(|| panic!("{body} passed"));
            assert_eq!(
                (failure.status, failure.code),
                (400, "Bad Request"),
                "{body}"
            );
        }
        for huge in [
            json!(i64::MAX),
            json!(u64::MAX),
            json!(9_223_372_036_854_775u64),
        ] {
            let body =
                json!({"comment": "c", "scopes": ["member"], "time_to_live_in_seconds": huge});
            let failure = read(body.clone())
                .err()
                .unwrap_or_else(|| panic!("{body} passed"));
            assert_eq!(failure.status, 400, "{body}");
        }
        let missing = read(json!({"scopes": ["member"]})).err().unwrap();
        assert!(missing.details.unwrap().contains("missing field `comment`"));
        let ttl = read(json!({"comment": "c", "scopes": ["member"], "time_to_live_in_seconds": 60, "shiny": 1}))
            .ok()
            .unwrap();
        assert_eq!(ttl.expiration_date, Some(now + TimeDelta::seconds(60)));
    }
}
