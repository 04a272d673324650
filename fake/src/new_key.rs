//! How the service reads the body of a create request, and the checks it
//! makes before a key is made. Which scopes the caller may grant is in
//! `scopes.rs`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::clock::{after_seconds, micros};
use crate::errors::{Failure, bad_request};
use crate::scopes::{Scopes, expand_scopes};

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
    /// The scopes as asked for, which the caller must be allowed to grant.
    pub(super) requested: Vec<String>,
    /// The scopes the key will hold (`keys:write` brings `keys:read`).
    pub(super) scopes: Arc<Scopes>,
    pub(super) tags: Vec<String>,
    pub(super) expiration_date: Option<DateTime<Utc>>,
}

/// A create request checked as far as it can be without the clock: the
/// per-scope work, done before the fake takes its lock.
pub(super) struct ParsedCreate {
    key: NewKey,
    time_to_live: Option<u64>,
}

impl ParsedCreate {
    /// The scopes as asked for.
    pub(super) fn requested(&self) -> &[String] {
        &self.key.requested
    }

    /// The new key, its time to live counted from `now`.
    pub(super) fn at(self, now: DateTime<Utc>) -> Result<NewKey, Failure> {
        let Some(ttl) = self.time_to_live else {
            return Ok(self.key);
        };
        let expires = after_seconds(now, ttl).ok_or_else(|| {
            bad_request(
                "time_to_live_in_seconds is too large.",
                format!("`time_to_live_in_seconds` was {ttl}"),
            )
        })?;
        Ok(NewKey {
            expiration_date: Some(micros(expires)),
            ..self.key
        })
    }
}

/// The body of a create request checked as the service checks it, given
/// the time on the fake's clock.
pub(super) fn read_create_body(body: &[u8], now: DateTime<Utc>) -> Result<NewKey, Failure> {
    parse_create_body(body)?.at(now)
}

/// Every check of a create body that does not need the clock.
pub(super) fn parse_create_body(body: &[u8]) -> Result<ParsedCreate, Failure> {
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
    let (expiration_date, time_to_live) = match (body.expiration_date, body.time_to_live_in_seconds)
    {
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
        (_, Some(ttl)) => (None, Some(ttl.unsigned_abs())),
        (date, None) => (date.map(micros), None),
    };
    Ok(ParsedCreate {
        key: NewKey {
            comment: body.comment,
            scopes: Arc::new(expand_scopes(&body.scopes)),
            requested: body.scopes,
            tags: body.tags.unwrap_or_default(),
            expiration_date,
        },
        time_to_live,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use serde_json::{Value, json};

    use super::*;

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
