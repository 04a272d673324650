//! An in-process fake of Deepgram's keys API for testing applications that
//! use [`deepgram_keys`].
//!
//! ```toml
//! [dev-dependencies]
//! deepgram-keys-fake = "0.1"
//! ```
//!
//! Your tests cannot reach Deepgram, and a hand-written mock gets its quirks
//! wrong. [`FakeDeepgram`] is a real HTTP server on 127.0.0.1 that keeps
//! projects, members and keys, checks tokens and scopes, and answers as
//! `https://api.deepgram.com` does:
//!
//! - `create_key` returns the secret once and stamps `created` with
//!   microseconds; new keys work as tokens until they expire or are deleted;
//! - `list_keys` honours `status`, with expiry (by date or time to live)
//!   judged against a clock the test sets ([`FakeDeepgram::set_now`],
//!   [`FakeDeepgram::advance`]);
//! - an unknown, expired or deleted token gets `401`; scopes decide `403`:
//!
//!   | operation | a key needs one of |
//!   |---|---|
//!   | `list_keys`, `get_key` | `keys:read`, `keys:write`, `admin`, `owner` |
//!   | `create_key`, `delete_key` | `keys:write`, `admin`, `owner` |
//!
//!   and a key may grant only scopes it holds itself (`owner` may grant
//!   any, `admin` any but `owner`). Deepgram calls scopes open-ended and
//!   documents no list to check them against (the wire contract's "Create a
//!   key", and the reference page types them as a plain list of strings), so
//!   an unknown scope such as `bogus:scope` is stored as asked and grants
//!   nothing;
//! - a date-only `expiration_date` gets `400 INVALID_JSON`; both an expiry
//!   date and a time to live, empty `scopes` or empty `tags` get `400`; an
//!   unknown project or key `404`, in plain text when the id is not even a
//!   UUID (ids you seed may have any form);
//! - every response carries `dg-request-id`, repeated as `request_id` in
//!   JSON error bodies;
//! - the `get_key` shape ([`GetKeyShape`]) and the error body form
//!   ([`ErrorForm`]) are yours to choose;
//! - chosen calls fail on demand ([`FakeDeepgram::fail`]): any [`Fault`]
//!   (a status, with or without `Retry-After`, a delay, a connection dropped
//!   before acting or after acting, so that the answer is lost, an answer
//!   garbled or cut short after acting) for the
//!   calls a [`Matcher`] picks (by operation, key id in the path, token, nth
//!   call, or any predicate over the request);
//! - every request is logged ([`FakeDeepgram::requests`]) with its
//!   credentials redacted (`Authorization`, `X-Api-Key`, cookies, `?token=`
//!   and the like; see [`RecordedRequest::headers`]), the key it was made with and the key
//!   it is about ([`RecordedRequest::auth_key_id`],
//!   [`RecordedRequest::path_key_id`]), and the fault it suffered.
//!
//! The fake runs on its own thread, so it works from `#[tokio::test]`, from
//! a plain `#[test]` and from any runtime; it stops when dropped. Its
//! responses are checked against the crate's OpenAPI document by the
//! workspace's contract tests.
//!
//! For tests in other languages, or to try a program by hand, the
//! `deepgram-keys-fake` program serves the fake on a port
//! (`cargo install deepgram-keys-fake`, then
//! `deepgram-keys-fake --port 8080`); it prints the base URL, the project id
//! and the owner token, then one line per request.
//!
//! ```
//! use deepgram_keys::CreateKey;
//! use deepgram_keys_fake::{FakeDeepgram, Fault, Operation};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), deepgram_keys::Error> {
//! let fake = FakeDeepgram::start();
//! let client = fake.client();
//! let project = fake.project_id();
//!
//! // Rate limited once, then created: the client retries the 429 by itself.
//! fake.fail_next(Operation::CreateKey, 1, Fault::status(429));
//! let created = client.create_key(project, &CreateKey::new("ci", ["usage:read"])).await?;
//!
//! // The fake remembers it; the secret is never shown again.
//! let listed = client.list_keys(project, None).await?;
//! assert!(listed.iter().any(|entry| entry.api_key.api_key_id == created.api_key_id));
//!
//! // What the client sent, token redacted.
//! let creates: Vec<_> = fake
//!     .requests()
//!     .into_iter()
//!     .filter(|request| request.operation == Some(Operation::CreateKey))
//!     .collect();
//! assert_eq!(creates.len(), 2);
//! assert_eq!(creates[1].header("authorization"), Some("Token <redacted>"));
//! # Ok(())
//! # }
//! ```

mod clock;
mod control;
mod errors;
mod faults;
mod new_key;
#[cfg(feature = "cli")]
pub mod program;
mod redact;
mod scopes;
mod server;
mod state;

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;

/// The client's own enum of the four operations, so that a fake's log and
/// the client's errors name an operation alike.
pub use deepgram_keys::Operation;
pub use errors::ErrorForm;
pub use faults::{Fault, Matcher};
pub use redact::CREDENTIAL_WORDS;

use scopes::OWNER as OWNER_SCOPE;

use deepgram_keys::types::{CreateKeyResponse, KeyWithMember, Member};
use deepgram_keys::{ApiKeySecret, Client, ClientBuilder, CreateKey};
use state::State;

/// The project a new fake holds unless [`FakeBuilder::project_id`] names
/// another.
pub const DEFAULT_PROJECT_ID: &str = "5f0c7a2e-8d3b-4c61-a9e4-2b7d1c0e9f38";
/// The member who owns the fake's first key.
pub const OWNER_MEMBER_ID: &str = "0b9a4c3e-1d2f-4e5a-8b7c-6d5e4f3a2b1c";

/// The shape of a `get_key` response. Deepgram's documents disagree on it;
/// the client accepts both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum GetKeyShape {
    /// `{"member": {...}, "api_key": {...}}`, as real traffic and the
    /// hand-written SDKs have it. The default.
    #[default]
    Flat,
    /// `{"item": {"member": {..., "api_key": {...}}}}`, as Deepgram's OpenAPI
    /// export has it.
    Wrapped,
}

/// One request the fake received.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path as sent, still percent-encoded.
    pub path: String,
    /// The query string as sent, without `?`, but for the value of every
    /// credential-bearing parameter (a name that holds one of
    /// [`CREDENTIAL_WORDS`], in any case or percent-encoding): `<redacted>`.
    pub query: Option<String>,
    /// Every header, names in lower case, in the order received, with
    /// credentials replaced: `Authorization` and `Proxy-Authorization` keep
    /// their scheme (`Token <redacted>`), `Cookie` its cookie names
    /// (`session=<redacted>`), and any header whose name holds one of
    /// [`CREDENTIAL_WORDS`] (`X-Api-Key`, ...) is `<redacted>`.
    pub headers: Vec<(String, String)>,
    /// The body as sent.
    pub body: Vec<u8>,
    /// The operation the request was routed to; `None` when it matched none.
    pub operation: Option<Operation>,
    /// The project named in the path, decoded; `None` when the request
    /// matched no operation.
    pub project_id: Option<String>,
    /// The key named in the path (`get_key`, `delete_key`), decoded: the key
    /// the call is about.
    pub path_key_id: Option<String>,
    /// The key whose secret the request carried (`Authorization: Token
    /// ...`), when it was a key of the fake that had not expired when the
    /// request arrived: the key the call was made *with*.
    pub auth_key_id: Option<String>,
    /// The fault the request suffered, if one was injected for it.
    pub fault: Option<Fault>,
    /// The `dg-request-id` the fake answered with (also when the answer was
    /// lost to a fault).
    pub request_id: String,
    /// The status the fake answered with; `None` while the request is in
    /// flight or when its connection was dropped.
    pub status: Option<u16>,
}

impl RecordedRequest {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// A running fake of the keys API; see the [module docs](self).
///
/// Starts with one project ([`project_id`](Self::project_id)), one member
/// ([`OWNER_MEMBER_ID`]) and one key with the `owner` scope, whose secret
/// is [`owner_token`](Self::owner_token).
pub struct FakeDeepgram {
    url: String,
    project_id: String,
    owner_token: ApiKeySecret,
    owner_key_id: String,
    state: Arc<Mutex<State>>,
    _server: server::Handle,
}

impl fmt::Debug for FakeDeepgram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeDeepgram")
            .field("url", &self.url)
            .field("project_id", &self.project_id)
            .finish_non_exhaustive()
    }
}

/// Settings for a [`FakeDeepgram`] before it starts.
#[derive(Debug)]
pub struct FakeBuilder {
    address: SocketAddr,
    project_id: String,
    owner_token: Option<ApiKeySecret>,
    control: bool,
}

impl FakeBuilder {
    /// Serves the control endpoints too (default off), for tests in other
    /// languages, which cannot call [`FakeDeepgram::fail`] or move the
    /// clock; they take JSON, need no token and are not logged:
    ///
    /// - `POST /__fake/faults` injects a fault, as [`FakeDeepgram::fail`]:
    ///   `{"operation": "create_key", "key_id": "...", "nth": 1, "times": 1,
    ///   "fault": "status", "status": 503, "retry_after_seconds": 1,
    ///   "after_ms": 0}`, every field but `fault` optional; `fault` is one of
    ///   `status`, `drop_connection`, `drop_connection_after_acting`,
    ///   `malformed_body`, `truncated_body`, `delay` (for `after_ms`);
    /// - `DELETE /__fake/faults` forgets them ([`FakeDeepgram::clear_faults`]);
    /// - `POST /__fake/clock` with `{"now": "2030-01-01T00:00:00Z"}` or
    ///   `{"advance_seconds": 3600}` stops or moves the clock, and answers
    ///   `{"now": ...}`.
    ///
    /// Bad input gets `400` with a plain-text reason naming the field.
    pub fn control(mut self, control: bool) -> Self {
        self.control = control;
        self
    }

    /// Where to listen; default `127.0.0.1:0`, a free port.
    pub fn address(mut self, address: SocketAddr) -> Self {
        self.address = address;
        self
    }

    /// The id of the project the fake starts with; default
    /// [`DEFAULT_PROJECT_ID`].
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = project_id.into();
        self
    }

    /// The secret of the fake's owner key; default a random one. Useful when
    /// another program must know it in advance.
    pub fn owner_token(mut self, token: impl Into<ApiKeySecret>) -> Self {
        self.owner_token = Some(token.into());
        self
    }

    /// Binds the address and starts serving.
    pub fn start(self) -> std::io::Result<FakeDeepgram> {
        let owner_token = self
            .owner_token
            .unwrap_or_else(|| ApiKeySecret::new(state::new_secret()));
        let mut state = State::default();
        state.add_member(
            &self.project_id,
            Member {
                member_id: OWNER_MEMBER_ID.to_owned(),
                email: "owner@example.com".to_owned(),
                first_name: Some("Ada".to_owned()),
                last_name: Some("Lovelace".to_owned()),
            },
        );
        let owner_key = json!({"comment": "owner key of the fake", "scopes": [OWNER_SCOPE]});
        let owner_key = state
            .add_key(
                &self.project_id,
                OWNER_MEMBER_ID,
                owner_key.to_string().as_bytes(),
                Some(owner_token.expose_secret().to_owned()),
            )
            .map_err(std::io::Error::other)?;
        let owner_key_id = owner_key["api_key_id"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_default();
        let state = Arc::new(Mutex::new(state));
        let (server, mut address) = server::start(self.address, Arc::clone(&state), self.control)?;
        // Bound to every interface (0.0.0.0 or ::), the fake is reached on
        // loopback: a client refuses plain http:// to an address that is
        // not this machine's.
        if address.ip().is_unspecified() {
            address.set_ip(match address.ip() {
                std::net::IpAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                std::net::IpAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        Ok(FakeDeepgram {
            url: format!("http://{address}"),
            project_id: self.project_id,
            owner_token,
            owner_key_id,
            state,
            _server: server,
        })
    }
}

impl FakeDeepgram {
    /// Starts a fake on a free port of 127.0.0.1.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound, which leaves a test nothing to
    /// do; use [`builder`](Self::builder) to handle that error.
    pub fn start() -> Self {
        Self::builder()
            .start()
            .unwrap_or_else(|err| panic!("the fake Deepgram cannot listen on 127.0.0.1: {err}"))
    }

    /// A builder to choose the address, project id or owner token.
    pub fn builder() -> FakeBuilder {
        FakeBuilder {
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            project_id: DEFAULT_PROJECT_ID.to_owned(),
            owner_token: None,
            control: false,
        }
    }

    /// The base URL to point a client at, e.g. `http://127.0.0.1:43121`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The project the fake started with.
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// The secret of the fake's owner key, which may do everything in
    /// [`project_id`](Self::project_id).
    pub fn owner_token(&self) -> &ApiKeySecret {
        &self.owner_token
    }

    /// The id of the fake's owner key, the key of
    /// [`owner_token`](Self::owner_token).
    pub fn owner_key_id(&self) -> &str {
        &self.owner_key_id
    }

    /// The fake's owner key as `list_keys` shows it; `None` once deleted.
    pub fn owner_key(&self) -> Option<KeyWithMember> {
        self.keys(&self.project_id)
            .into_iter()
            .find(|key| key.api_key.api_key_id == self.owner_key_id)
    }

    /// A client for the fake with the owner token. Retries wait milliseconds
    /// rather than seconds (unless a fault asks with `Retry-After`), so that
    /// tests stay fast; the retry rules are the client's defaults.
    pub fn client(&self) -> Client {
        self.client_builder()
            .build()
            .unwrap_or_else(|err| panic!("a client for the fake must build: {err}"))
    }

    /// The settings of [`client`](Self::client), to change some: another
    /// token with [`ClientBuilder::api_key`], another retry count, ...
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .api_key(self.owner_token.clone())
            .base_url(&self.url)
            .backoff(Duration::from_millis(5), Duration::from_millis(50))
    }

    /// Adds an empty project (nothing happens if it exists).
    pub fn add_project(&self, project_id: &str) {
        self.state().add_project(project_id);
    }

    /// Adds a member to a project, adding the project if needed.
    pub fn add_member(&self, project_id: &str, member: Member) {
        self.state().add_member(project_id, member);
    }

    /// Adds a key owned by `member_id`, as if created now on the fake's
    /// clock; returns it as `create_key` would, secret included. The secret
    /// works as a token for the project, within the key's scopes.
    ///
    /// # Panics
    ///
    /// When the project or the member does not exist (add them first), or
    /// when the client would refuse to send `key` (no scope, say).
    pub fn add_key<State>(
        &self,
        project_id: &str,
        member_id: &str,
        key: &CreateKey<State>,
    ) -> CreateKeyResponse {
        // The body `create_key` would send, read as the service reads it.
        let created = serde_json::to_vec(key)
            .map_err(|problem| problem.to_string())
            .and_then(|body| self.state().add_key(project_id, member_id, &body, None))
            .unwrap_or_else(|problem| panic!("FakeDeepgram::add_key: {problem}"));
        serde_json::from_value(created)
            .unwrap_or_else(|err| panic!("the fake's create response must decode: {err}"))
    }

    /// Every key of a project, expired ones included, as `list_keys` shows
    /// them; empty for an unknown project.
    pub fn keys(&self, project_id: &str) -> Vec<KeyWithMember> {
        self.state().keys(project_id).unwrap_or_default()
    }

    /// The fake's clock: the system clock, or what [`set_now`](Self::set_now)
    /// and [`advance`](Self::advance) made of it.
    pub fn now(&self) -> DateTime<Utc> {
        self.state().now()
    }

    /// Stops the fake's clock at `now`, a chrono `DateTime<Utc>`
    /// ([`deepgram_keys::chrono`]).
    pub fn set_now(&self, now: DateTime<Utc>) {
        self.state().clock().set_now(now);
    }

    /// Moves the fake's clock forward by a [`std::time::Duration`], for
    /// example past a key's expiry; the clock stops at the end of chrono's
    /// calendar rather than overflow.
    pub fn advance(&self, by: Duration) {
        let by = TimeDelta::from_std(by).unwrap_or(TimeDelta::MAX);
        self.state().clock().advance(by);
    }

    /// Which shape `get_key` answers with from now on.
    pub fn set_get_key_shape(&self, shape: GetKeyShape) {
        self.state().get_key_shape = shape;
    }

    /// Which form error bodies take from now on.
    pub fn set_error_form(&self, form: ErrorForm) {
        self.state().error_form = form;
    }

    /// The next `times` calls that `matcher` picks (an [`Operation`] for
    /// all calls of one) suffer `fault` instead of being answered, before
    /// the token is even checked; `u32::MAX` is as good as always.
    ///
    /// When several injected faults match a call, the one injected first
    /// that is due (see [`Matcher::nth`]) takes it; the others wait for the
    /// next matching call.
    pub fn fail(&self, matcher: impl Into<Matcher>, times: u32, fault: Fault) {
        self.state().faults.push(matcher.into(), times, fault);
    }

    /// The next `times` calls of `operation` suffer `fault`: the same as
    /// [`fail`](Self::fail) with `operation`. Faults queued for one
    /// operation happen in the order they were queued.
    pub fn fail_next(&self, operation: Operation, times: u32, fault: Fault) {
        self.fail(operation, times, fault);
    }

    /// Forgets every injected fault not used up yet.
    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    /// The requests received so far for one operation, oldest first.
    pub fn requests_for(&self, operation: Operation) -> Vec<RecordedRequest> {
        self.state()
            .requests
            .iter()
            .filter(|request| request.operation == Some(operation))
            .cloned()
            .collect()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.state().requests.clear();
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The code blocks of the README, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
