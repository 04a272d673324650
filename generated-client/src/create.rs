//! The settings of a new key, typed so that a key cannot be asked to expire
//! two ways at once.

use std::marker::PhantomData;
use std::num::NonZeroU64;

use chrono::{DateTime, Utc};

use crate::wire::CreateKeyRequest;

/// When a new key stops working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// At this instant (sent as `expiration_date`).
    At(DateTime<Utc>),
    /// This many seconds after creation (sent as `time_to_live_in_seconds`).
    TimeToLive(NonZeroU64),
}

/// Marker of a [`CreateKey`] whose expiry is not set yet: the key never
/// expires unless one is set.
#[derive(Debug, Clone, Copy)]
pub struct NoExpiry;

/// Marker of a [`CreateKey`] whose expiry is set; it cannot be set again.
#[derive(Debug, Clone, Copy)]
pub struct WithExpiry;

/// The settings of a new key, for [`Client::create_key`](crate::Client::create_key).
///
/// Deepgram accepts an expiration date or a time to live, not both, and
/// silently ignores fields it does not know. This type can only express what
/// the service accepts: setting an expiry twice does not compile.
///
/// ```
/// use deepgram_keys::CreateKey;
/// use std::num::NonZeroU64;
///
/// let request = CreateKey::new("ci pipeline", ["usage:read"])
///     .tag("ci")
///     .expires_after(NonZeroU64::new(3600).unwrap());
/// ```
///
/// ```compile_fail
/// use deepgram_keys::CreateKey;
/// use std::num::NonZeroU64;
///
/// let both = CreateKey::new("x", ["member"])
///     .expires_at("2030-01-01T00:00:00Z".parse().unwrap())
///     .expires_after(NonZeroU64::new(60).unwrap());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CreateKey<State = NoExpiry> {
    comment: String,
    scopes: Vec<String>,
    tags: Vec<String>,
    expiry: Option<Expiry>,
    state: PhantomData<State>,
}

impl CreateKey<NoExpiry> {
    /// A key with this comment and these scopes (for example `member`,
    /// `usage:read`, `keys:write`) that never expires.
    pub fn new<S: Into<String>>(
        comment: impl Into<String>,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            comment: comment.into(),
            scopes: scopes.into_iter().map(Into::into).collect(),
            tags: Vec::new(),
            expiry: None,
            state: PhantomData,
        }
    }

    /// The key stops working at `when`.
    pub fn expires_at(self, when: DateTime<Utc>) -> CreateKey<WithExpiry> {
        self.expiry(Expiry::At(when))
    }

    /// The key stops working `seconds` after it is created.
    pub fn expires_after(self, seconds: NonZeroU64) -> CreateKey<WithExpiry> {
        self.expiry(Expiry::TimeToLive(seconds))
    }

    /// The key stops working as `expiry` says.
    pub fn expiry(self, expiry: Expiry) -> CreateKey<WithExpiry> {
        CreateKey {
            comment: self.comment,
            scopes: self.scopes,
            tags: self.tags,
            expiry: Some(expiry),
            state: PhantomData,
        }
    }
}

impl<State> CreateKey<State> {
    /// Adds a tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// Adds tags. An empty list is left out of the request, as the service
    /// rejects `"tags": []`.
    pub fn tags<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// The scopes asked for.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The body sent on the wire.
    pub(crate) fn to_wire(&self) -> CreateKeyRequest {
        let (expiration_date, time_to_live_in_seconds) = match self.expiry {
            Some(Expiry::At(when)) => (Some(when), None),
            Some(Expiry::TimeToLive(seconds)) => (None, Some(seconds)),
            None => (None, None),
        };
        CreateKeyRequest {
            comment: self.comment.clone(),
            scopes: self.scopes.clone(),
            tags: self.tags.clone(),
            expiration_date,
            time_to_live_in_seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_body_has_at_most_one_expiry_and_no_empty_tags() {
        let plain = serde_json::to_value(CreateKey::new("c", ["member"]).to_wire()).unwrap();
        assert_eq!(
            plain,
            serde_json::json!({"comment": "c", "scopes": ["member"]})
        );

        let ttl = CreateKey::new("c", ["member"]).expires_after(NonZeroU64::new(60).unwrap());
        assert_eq!(
            serde_json::to_value(ttl.to_wire()).unwrap(),
            serde_json::json!({"comment": "c", "scopes": ["member"], "time_to_live_in_seconds": 60})
        );

        let at = CreateKey::new("c", ["member"])
            .tag("t")
            .expires_at("2030-01-01T00:00:00Z".parse().unwrap());
        assert_eq!(
            serde_json::to_value(at.to_wire()).unwrap(),
            serde_json::json!({"comment": "c", "scopes": ["member"], "tags": ["t"], "expiration_date": "2030-01-01T00:00:00Z"})
        );
    }
}
