//! The settings of a new key, typed so that a key cannot be asked to expire
//! two ways at once.

use std::marker::PhantomData;
use std::num::NonZeroU64;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use crate::wire::CreateKeyRequest;

/// When a new key stops working.
///
/// The times are chrono's [`DateTime<Utc>`](chrono::DateTime) (re-exported
/// as [`deepgram_keys::chrono`](crate::chrono)) and [`std::time::Duration`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// At this instant (sent as `expiration_date`).
    At(DateTime<Utc>),
    /// This long after creation (sent as `time_to_live_in_seconds`): a
    /// [`std::time::Duration`] of whole seconds, at least one.
    TimeToLive(Duration),
}

/// Marker of a [`CreateKey`] whose expiry is not set yet: the key never
/// expires unless one is set.
#[derive(Debug, Clone, Copy)]
pub struct NoExpiry;

/// Marker of a [`CreateKey`] whose expiry is decided (set, or `None` given
/// to [`CreateKey::expiry`]); it cannot be set again.
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
/// use std::time::Duration;
///
/// let request = CreateKey::new("ci pipeline", ["usage:read"])
///     .tag("ci")
///     .ttl(Duration::from_secs(3600));
/// ```
///
/// An expiry the program decides at run time, without branching:
///
/// ```
/// use deepgram_keys::{CreateKey, Expiry};
/// use std::time::Duration;
///
/// # let ttl_from_config: Option<u64> = Some(3600);
/// let expiry = ttl_from_config.map(|seconds| Expiry::TimeToLive(Duration::from_secs(seconds)));
/// let request = CreateKey::new("ci pipeline", ["usage:read"]).expiry(expiry);
/// ```
///
/// ```compile_fail
/// use deepgram_keys::CreateKey;
/// use std::time::Duration;
///
/// let both = CreateKey::new("x", ["member"])
///     .expires_at("2030-01-01T00:00:00Z".parse().unwrap())
///     .ttl(Duration::from_secs(60));
/// ```
///
/// ```compile_fail
/// use deepgram_keys::{CreateKey, Expiry};
/// use std::time::Duration;
///
/// let twice = CreateKey::new("x", ["member"])
///     .expiry(None)
///     .ttl(Duration::from_secs(60));
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

    /// The key stops working this long after it is created (a
    /// [`std::time::Duration`]). Deepgram counts whole seconds:
    /// [`Client::create_key`](crate::Client::create_key) refuses, before
    /// sending, a TTL under one second or with a fraction of one.
    pub fn ttl(self, time_to_live: Duration) -> CreateKey<WithExpiry> {
        self.expiry(Expiry::TimeToLive(time_to_live))
    }

    /// The key stops working as `expiry` says: an [`Expiry`], or an
    /// `Option<Expiry>` decided at run time, where `None` is a key that
    /// never expires. Either way the expiry is then decided and cannot be
    /// set a second time.
    pub fn expiry(self, expiry: impl Into<Option<Expiry>>) -> CreateKey<WithExpiry> {
        CreateKey {
            comment: self.comment,
            scopes: self.scopes,
            tags: self.tags,
            expiry: expiry.into(),
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

    /// The body sent on the wire, or why it cannot be sent.
    pub(crate) fn to_wire(&self) -> Result<CreateKeyRequest, String> {
        if self.scopes.is_empty() {
            return Err("a key needs at least one scope, for example `member`".into());
        }
        let (expiration_date, time_to_live_in_seconds) = match self.expiry {
            Some(Expiry::At(when)) => (Some(when), None),
            Some(Expiry::TimeToLive(ttl)) => (None, Some(whole_seconds(ttl)?)),
            None => (None, None),
        };
        Ok(CreateKeyRequest {
            comment: self.comment.clone(),
            scopes: self.scopes.clone(),
            tags: self.tags.clone(),
            expiration_date,
            time_to_live_in_seconds,
        })
    }
}

/// The JSON body [`Client::create_key`](crate::Client::create_key) sends, for
/// a fake service or a log. Fails where `create_key` refuses to send: no
/// scope, or a TTL that is not a whole number of seconds.
impl<State> Serialize for CreateKey<State> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_wire()
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

/// A TTL as Deepgram takes it: a whole number of seconds, at least one.
fn whole_seconds(ttl: Duration) -> Result<NonZeroU64, String> {
    if ttl.subsec_nanos() != 0 {
        return Err(format!(
            "the TTL {ttl:?} has a fraction of a second; Deepgram counts whole seconds"
        ));
    }
    NonZeroU64::new(ttl.as_secs())
        .ok_or_else(|| "the TTL is zero; give the key at least one second, or no TTL".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_body_has_at_most_one_expiry_and_no_empty_tags() {
        let plain =
            serde_json::to_value(CreateKey::new("c", ["member"]).to_wire().unwrap()).unwrap();
        assert_eq!(
            plain,
            serde_json::json!({"comment": "c", "scopes": ["member"]})
        );

        let ttl = CreateKey::new("c", ["member"]).ttl(Duration::from_secs(60));
        assert_eq!(
            serde_json::to_value(ttl.to_wire().unwrap()).unwrap(),
            serde_json::json!({"comment": "c", "scopes": ["member"], "time_to_live_in_seconds": 60})
        );

        let at = CreateKey::new("c", ["member"])
            .tag("t")
            .expires_at("2030-01-01T00:00:00Z".parse().unwrap());
        assert_eq!(
            serde_json::to_value(at.to_wire().unwrap()).unwrap(),
            serde_json::json!({"comment": "c", "scopes": ["member"], "tags": ["t"], "expiration_date": "2030-01-01T00:00:00Z"})
        );
    }

    #[test]
    fn an_optional_expiry_is_sent_when_given_and_left_out_when_not() {
        let never = CreateKey::new("c", ["member"]).expiry(None);
        assert_eq!(
            serde_json::to_value(&never).unwrap(),
            serde_json::json!({"comment": "c", "scopes": ["member"]})
        );
        let hour = Some(Expiry::TimeToLive(Duration::from_secs(3600)));
        assert_eq!(
            serde_json::to_value(CreateKey::new("c", ["member"]).expiry(hour)).unwrap(),
            serde_json::json!({"comment": "c", "scopes": ["member"], "time_to_live_in_seconds": 3600})
        );
    }

    #[test]
    fn serializing_gives_the_wire_body_or_the_reason_it_cannot_be_sent() {
        let request = CreateKey::new("c", ["member"]).ttl(Duration::from_secs(60));
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            serde_json::to_value(request.to_wire().unwrap()).unwrap()
        );
        let fraction = CreateKey::new("c", ["member"]).ttl(Duration::from_millis(1500));
        let err = serde_json::to_value(&fraction).unwrap_err();
        assert!(err.to_string().contains("fraction of a second"), "{err}");
    }

    #[test]
    fn a_ttl_must_be_whole_seconds_and_not_zero() {
        for (ttl, problem) in [
            (Duration::ZERO, "the TTL is zero"),
            (Duration::from_millis(1500), "fraction of a second"),
            (Duration::from_millis(1), "fraction of a second"),
        ] {
            let err = CreateKey::new("c", ["member"])
                .ttl(ttl)
                .to_wire()
                .unwrap_err();
            assert!(err.contains(problem), "{ttl:?}: {err}");
        }
        let err = CreateKey::new("c", Vec::<String>::new())
            .to_wire()
            .unwrap_err();
        assert!(err.contains("at least one scope"), "{err}");
    }
}
