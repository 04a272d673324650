//! Faults on demand: what a call suffers ([`Fault`]), which calls suffer it
//! ([`Matcher`]), and the rules the fake holds until they are used up.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use deepgram_keys::ApiKeySecret;

use crate::{Operation, RecordedRequest};

/// What a call suffers instead of a normal answer; inject it with
/// [`FakeDeepgram::fail`](crate::FakeDeepgram::fail) or
/// [`FakeDeepgram::fail_next`](crate::FakeDeepgram::fail_next).
///
/// ```
/// use std::time::Duration;
/// use deepgram_keys_fake::Fault;
///
/// let rate_limited = Fault::status(429).retry_after(Duration::from_secs(1));
/// let until = Fault::status(429).retry_after_date(std::time::SystemTime::now() + Duration::from_secs(2));
/// let unavailable = Fault::status(503);
/// let hung_up = Fault::drop_connection();
/// let answer_lost = Fault::drop_connection_after_acting();
/// let garbled = Fault::malformed_body();
/// let cut_short = Fault::truncated_body();
/// let slow_but_fine = Fault::delay(Duration::from_millis(300));
/// let slow_failure = Fault::status(500).after(Duration::from_millis(300));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub(crate) kind: FaultKind,
    pub(crate) after: Duration,
    pub(crate) retry_after: Option<RetryAfter>,
}

/// The two forms of `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryAfter {
    Seconds(Duration),
    Date(SystemTime),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FaultKind {
    Status(u16),
    DropConnection,
    DropConnectionAfterActing,
    MalformedBody,
    TruncatedBody,
    Delay,
}

impl Fault {
    /// Answers this status with Deepgram's error body for it (in the fake's
    /// [`ErrorForm`](crate::ErrorForm)), without acting on the request. A
    /// status that cannot end a response (1xx, or not a status at all) is
    /// sent, and logged, as 500.
    pub fn status(status: u16) -> Self {
        Self::new(FaultKind::Status(status))
    }

    /// Closes the connection after reading the request, without answering
    /// and without acting on it. The client cannot tell this from
    /// [`drop_connection_after_acting`](Self::drop_connection_after_acting).
    pub fn drop_connection() -> Self {
        Self::new(FaultKind::DropConnection)
    }

    /// Acts on the request as usual (a create makes its key, a delete
    /// deletes), then closes the connection without answering: the answer
    /// is lost on the way back, the case that orphans keys in real life.
    pub fn drop_connection_after_acting() -> Self {
        Self::new(FaultKind::DropConnectionAfterActing)
    }

    /// Acts on the request as usual, then answers its status with a body
    /// that is not JSON (the first half of the real answer, then garbage):
    /// the answer of a broken proxy or a service mid-deploy.
    pub fn malformed_body() -> Self {
        Self::new(FaultKind::MalformedBody)
    }

    /// Acts on the request as usual, then sends its status, a
    /// `Content-Length` for the whole answer and only the first half of it
    /// before closing the connection: an answer cut on the way back.
    pub fn truncated_body() -> Self {
        Self::new(FaultKind::TruncatedBody)
    }

    /// Answers normally, but only after `delay` (a [`std::time::Duration`]).
    /// The fake acts on the request when the delay ends, even when the
    /// client has stopped waiting, as a slow service does: a create delayed
    /// past the client's timeout makes its key *after* the client returned
    /// [`Error::Timeout`](deepgram_keys::Error::Timeout), so a list made
    /// right after the error does not show it yet.
    pub fn delay(delay: Duration) -> Self {
        Self::new(FaultKind::Delay).after(delay)
    }

    /// Waits this long before the fault happens.
    pub fn after(mut self, delay: Duration) -> Self {
        self.after = delay;
        self
    }

    /// Sends `Retry-After` with this many seconds (rounded up) with a status;
    /// `Duration::MAX` too.
    pub fn retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(RetryAfter::Seconds(wait));
        self
    }

    /// Sends `Retry-After` as an HTTP date, the header's other form. A date
    /// before 1970 or after 9999, which the form cannot hold, is sent as
    /// the nearest it can.
    pub fn retry_after_date(mut self, when: SystemTime) -> Self {
        self.retry_after = Some(RetryAfter::Date(when));
        self
    }

    /// Whether the fake acts on a request that suffers this fault.
    pub fn acts(&self) -> bool {
        matches!(
            self.kind,
            FaultKind::DropConnectionAfterActing
                | FaultKind::MalformedBody
                | FaultKind::TruncatedBody
                | FaultKind::Delay
        )
    }

    fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            after: Duration::ZERO,
            retry_after: None,
        }
    }
}

/// Which calls a [`Fault`] hits: every condition given must hold.
///
/// ```
/// # use deepgram_keys_fake::{FakeDeepgram, Fault, Matcher, Operation};
/// # let fake = FakeDeepgram::start();
/// # let (seeded_key_id, seeded_secret) = ("k", "s");
/// // Only the verification of a rotation: a get_key of a key made with its
/// // own secret. A predicate, since the new key's id and secret do not exist
/// // before the rotation runs.
/// let verification = Matcher::operation(Operation::GetKey)
///     .when(|request| request.auth_key_id.is_some() && request.auth_key_id == request.path_key_id);
/// fake.fail(verification, u32::MAX, Fault::status(503));
///
/// // The gets of a key the test seeded (so it knows the id and the secret)
/// // that are made with that key's own secret.
/// let own_gets = Matcher::operation(Operation::GetKey)
///     .key_id(seeded_key_id)
///     .token(seeded_secret);
/// fake.fail(own_gets, 1, Fault::status(500));
///
/// // The second delete of any key, and nothing else.
/// fake.fail(Matcher::operation(Operation::DeleteKey).nth(2), 1, Fault::status(500));
///
/// // Any request the predicate picks, here creates that ask for `admin`.
/// let admin_creates = Matcher::operation(Operation::CreateKey)
///     .when(|request| request.json().is_some_and(|body| body["scopes"].to_string().contains("admin")));
/// fake.fail(admin_creates, 1, Fault::drop_connection_after_acting());
/// ```
#[derive(Clone)]
pub struct Matcher {
    operation: Option<Operation>,
    key_id: Option<String>,
    token: Option<ApiKeySecret>,
    nth: u32,
    predicate: Option<Predicate>,
}

type Predicate = Arc<dyn Fn(&RecordedRequest) -> bool + Send + Sync>;

impl Matcher {
    /// Every call, of any operation.
    pub fn any() -> Self {
        Self {
            operation: None,
            key_id: None,
            token: None,
            nth: 1,
            predicate: None,
        }
    }

    /// The calls of one operation.
    pub fn operation(operation: Operation) -> Self {
        Self {
            operation: Some(operation),
            ..Self::any()
        }
    }

    /// Only calls whose path names this key (`get_key`, `delete_key`):
    /// [`RecordedRequest::path_key_id`].
    pub fn key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(key_id.into());
        self
    }

    /// Only calls that carry this secret in `Authorization: Token ...`,
    /// whether or not it is a valid key.
    pub fn token(mut self, token: impl Into<ApiKeySecret>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Skips the first `n - 1` matching calls: the fault starts with the
    /// `n`th (counted from 1, from when the fault was injected, whether or
    /// not another fault took the earlier ones). `nth(1)` is the default.
    pub fn nth(mut self, n: u32) -> Self {
        self.nth = n.max(1);
        self
    }

    /// Only calls for which `predicate` holds, given the request as logged
    /// so far (operation, ids, headers with the token redacted, body).
    ///
    /// The predicate runs on the fake's thread, outside its lock; it may
    /// read the [`FakeDeepgram`](crate::FakeDeepgram) but should be quick.
    pub fn when(
        mut self,
        predicate: impl Fn(&RecordedRequest) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.predicate = Some(Arc::new(predicate));
        self
    }

    /// Whether a call matches, ignoring [`nth`](Self::nth).
    fn matches(&self, request: &RecordedRequest, token: Option<&str>) -> bool {
        self.operation
            .is_none_or(|operation| request.operation == Some(operation))
            && self
                .key_id
                .as_deref()
                .is_none_or(|key_id| request.path_key_id.as_deref() == Some(key_id))
            && self
                .token
                .as_ref()
                .is_none_or(|wanted| token == Some(wanted.expose_secret()))
            && self
                .predicate
                .as_ref()
                .is_none_or(|predicate| predicate(request))
    }
}

impl From<Operation> for Matcher {
    fn from(operation: Operation) -> Self {
        Self::operation(operation)
    }
}

impl fmt::Debug for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Matcher")
            .field("operation", &self.operation)
            .field("key_id", &self.key_id)
            .field("token", &self.token)
            .field("nth", &self.nth)
            .field("predicate", &self.predicate.as_ref().map(|_| "<fn>"))
            .finish()
    }
}

/// The faults injected and not used up, in the order they were injected.
#[derive(Debug, Default)]
pub(crate) struct Rules {
    rules: Vec<Rule>,
    next_id: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct Rule {
    id: u64,
    matcher: Matcher,
    fault: Fault,
    times_left: u32,
    /// Matching calls seen so far, for `nth`.
    seen: u32,
}

impl Rules {
    pub(crate) fn push(&mut self, matcher: Matcher, times: u32, fault: Fault) {
        if times == 0 {
            return;
        }
        self.next_id += 1;
        self.rules.push(Rule {
            id: self.next_id,
            matcher,
            fault,
            times_left: times,
            seen: 0,
        });
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// The rules as they are now, to match a call against without holding
    /// the fake's lock.
    pub(crate) fn snapshot(&self) -> Vec<Rule> {
        self.rules.clone()
    }

    /// Counts the call against the rules of `matched` (ids from
    /// [`matching`]) that still exist, and takes the fault of the first one
    /// whose turn it is.
    pub(crate) fn take(&mut self, matched: &[u64]) -> Option<Fault> {
        let mut chosen = None;
        for (index, rule) in self.rules.iter_mut().enumerate() {
            if !matched.contains(&rule.id) {
                continue;
            }
            rule.seen = rule.seen.saturating_add(1);
            if chosen.is_none() && rule.seen >= rule.matcher.nth {
                chosen = Some(index);
            }
        }
        let index = chosen?;
        let rule = &mut self.rules[index];
        let fault = rule.fault.clone();
        rule.times_left -= 1;
        if rule.times_left == 0 {
            self.rules.remove(index);
        }
        Some(fault)
    }
}

/// The ids of the rules in `rules` that `request` matches.
pub(crate) fn matching(rules: &[Rule], request: &RecordedRequest, token: Option<&str>) -> Vec<u64> {
    rules
        .iter()
        .filter(|rule| rule.matcher.matches(request, token))
        .map(|rule| rule.id)
        .collect()
}
