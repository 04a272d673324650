//! A typed client for Deepgram's project keys API: list, create, get and
//! delete the API keys of a project.
//!
//! ```no_run
//! use deepgram_keys::{Client, CreateKey, KeyStatus};
//!
//! # async fn run() -> Result<(), deepgram_keys::Error> {
//! // DEEPGRAM_API_KEY, and DEEPGRAM_BASE_URL for a self-hosted or proxy deployment.
//! let client = Client::from_env()?;
//! let project = "0f4d7f8c-2a44-4a55-9d5c-7a3f2c1b9e10";
//!
//! for entry in client.list_keys(project, Some(KeyStatus::Active)).await? {
//!     println!("{} {} {:?}", entry.api_key.api_key_id, entry.member.email, entry.api_key.scopes);
//! }
//!
//! let created = client
//!     .create_key(project, &CreateKey::new("ci pipeline", ["usage:read"]).tag("ci"))
//!     .await?;
//! // The secret is returned this once; `Debug` and `Display` print `<redacted>`.
//! let secret: &str = created.key.expose_secret();
//! # let _ = secret;
//!
//! let key = client.get_key(project, &created.api_key_id).await?;
//! assert_eq!(key.api_key.comment, "ci pipeline");
//!
//! client.delete_key(project, &created.api_key_id).await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Errors
//!
//! Every method returns [`Error`]. When Deepgram answers with an error
//! status, [`Error::Api`] carries the status, Deepgram's code and message,
//! the request id (from the body or the `dg-request-id` header) and, for
//! plain-text bodies, the text itself:
//!
//! ```no_run
//! # async fn run(client: deepgram_keys::Client) {
//! match client.get_key("project", "key").await {
//!     Ok(key) => println!("{}", key.api_key.comment),
//!     Err(deepgram_keys::Error::Api(api)) if api.status == 404 => println!("no such key"),
//!     Err(err) => eprintln!("{err}"),
//! }
//! # }
//! ```
//!
//! # Scopes
//!
//! | operation | a key needs one of |
//! |---|---|
//! | [`Client::list_keys`], [`Client::get_key`] | `keys:read`, `keys:write`, `admin`, `owner` |
//! | [`Client::create_key`], [`Client::delete_key`] | `keys:write`, `admin`, `owner` |
//!
//! A key may grant only scopes it holds itself (`owner` any, `admin` any
//! but `owner`), and the service may add some (`keys:write` brings
//! `keys:read`). Deepgram's reference names these scopes and answers 403
//! `INSUFFICIENT_PERMISSIONS`, but lists neither the scope each operation
//! needs nor every scope (it calls them open-ended): the table is the model
//! that `deepgram-keys-fake` enforces and the 403 hints follow, not a quote.
//!
//! # Retries
//!
//! A call is retried up to [`ClientBuilder::max_retries`] times (default 2),
//! with exponential backoff and jitter, all within one
//! [`ClientBuilder::timeout`] (default 60 s):
//!
//! - `429 Too Many Requests` is retried for every operation, waiting as long
//!   as `Retry-After` asks (seconds or an HTTP date) when it fits the timeout;
//!   the service did not act on the request.
//! - `408`, `500`, `502`, `503`, `504` and broken connections (also half-way
//!   through a body) are retried for `list_keys`, `get_key` and `delete_key`
//!   only.
//! - `create_key` is never sent again once it may have reached the service,
//!   since that could create a second key: besides `429`, it is retried only
//!   when no connection could be made at all. When its answer is lost after
//!   sending (the connection broke, the time ran out, the body could not be
//!   read), [`Error::is_outcome_unknown`] is true and the message says the
//!   key may have been created: list the keys before trying again.
//!
//! # Ids
//!
//! A project or key id always reaches the server as exactly one path segment
//! that decodes back to the id: everything but `A-Z a-z 0-9 - . _ ~` is
//! percent-encoded, and the URL is checked again just before it is sent.
//! Ids no segment can carry (empty, `.`, `..`) and ids no Deepgram id can be
//! (control characters, more than 1024 bytes) fail with
//! [`Error::InvalidRequest`] before anything is sent.
//!
//! # Secrets
//!
//! The API key and every new key's secret are held as [`ApiKeySecret`], whose
//! `Debug` and `Display` print `<redacted>`. The `Authorization` header is
//! marked sensitive. Everything a server says passes one rule before it
//! reaches an error, a [`RawBody`] or a span (the request id too): the
//! client's own token is replaced however it was echoed (as sent, trimmed,
//! in another case, cut to any 8 characters of it, JSON-, HTML- or
//! percent-escaped, base64-encoded in either alphabet, padded or not, at
//! any length of token), and so are the value of every `key`
//! field and every run of 32 or more hex digits, even in a body that does
//! not parse. A base URL's credentials are refused and never quoted. These
//! guard against leaks through logs, not against reading the process's
//! memory: see [`ApiKeySecret`].
//!
//! # Limits
//!
//! A success body is read up to [`ClientBuilder::max_response_body`]
//! (default [`DEFAULT_MAX_RESPONSE_BODY`], 16 MiB, a list of some 40,000
//! keys); a longer one is not read on and the call fails with
//! [`Error::BodyTooLarge`], which names the setting. An error body is kept up
//! to [`MAX_ERROR_BODY`] (16 KiB) and cut with a note. Bodies are read within
//! the call's [`ClientBuilder::timeout`]. The error built from one is
//! redacted after the deadline's last read, in time linear in what was kept
//! (at most 16 KiB, whatever the token's length): about 2 ms in a release
//! build for the worst case measured (BENCHMARKS.md, `redact_16k`).
//!
//! # Proxies
//!
//! The client's own HTTP client takes its proxy from the environment for
//! `https://` base URLs only: `HTTPS_PROXY` (or `https_proxy`), else
//! `ALL_PROXY` (or `all_proxy`), unless `NO_PROXY` (or `no_proxy`) names
//! the host. TLS runs end to end through the proxy. A plain `http://` base
//! URL never goes through a proxy, whatever `HTTP_PROXY` or `ALL_PROXY`
//! say: the token would reach the proxy in clear. A `reqwest::Client`
//! given to [`ClientBuilder::http_client`] uses its own proxy settings
//! instead.
//!
//! # Runtimes
//!
//! A connection belongs to the tokio runtime that opened it and dies with
//! it. A [`Client`] keeps one connection pool per runtime (for the four
//! most recent runtimes), so one `Client` may serve several runtimes, such
//! as a `static` shared by `#[tokio::test]`s. A `reqwest::Client` given to
//! [`ClientBuilder::http_client`] has one pool: share such a `Client` only
//! within one runtime, or calls on another may fail once the first runtime
//! is gone.
//!
//! # Testing your application
//!
//! Your tests cannot reach Deepgram. The [`deepgram-keys-fake`][fake-crate]
//! crate is a stateful fake of the keys API on 127.0.0.1 that answers as
//! Deepgram does, fails on demand and logs what your code sent. Test the
//! code that uses the [`Client`], not a mock of it:
//!
//! ```toml
//! [dev-dependencies]
//! deepgram-keys-fake = "0.1"
//! ```
//!
//! A create, rate limited once on the way, and what the fake saw:
//!
//! ```
//! use deepgram_keys::CreateKey;
//! use deepgram_keys_fake::{FakeDeepgram, Fault, Operation};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let fake = FakeDeepgram::start();
//! let client = fake.client();
//! fake.fail_next(Operation::CreateKey, 1, Fault::status(429));
//! let created = client
//!     .create_key(fake.project_id(), &CreateKey::new("ci", ["usage:read"]).tag("ci"))
//!     .await
//!     .unwrap();
//! assert_eq!(fake.requests_for(Operation::CreateKey).len(), 2, "the 429 was retried");
//! assert!(fake.keys(fake.project_id()).iter().any(|k| k.api_key.api_key_id == created.api_key_id));
//! # }
//! ```
//!
//! The crate README has a key rotation that keeps the old key's comment,
//! scopes and tags, verifies the new key with [`Client::with_api_key`] and
//! rolls back with [`Client::delete_key_if_exists`], with its test on the
//! fake.
//!
//! The fake's documentation lists everything it does: tokens and scopes,
//! expiry against a clock the test sets, Deepgram's validation errors, both
//! `get_key` shapes, the three error forms, faults (any status, with or
//! without `Retry-After`, delays, dropped connections) and the request log.
//! Its `deepgram-keys-fake` program serves it on a port for other languages
//! and manual runs.
//!
//! [fake-crate]: https://docs.rs/deepgram-keys-fake
//!
//! # Observability
//!
//! With the `tracing` feature, every call sent opens one [`tracing`](https://docs.rs/tracing) span at
//! `INFO` level, target `deepgram_keys`, named after the operation
//! (`list_keys`, `create_key`, `get_key`, `delete_key`). Field names follow
//! OpenTelemetry's HTTP conventions where one fits, and `tracing-opentelemetry`
//! reads `otel.kind` and `otel.status_code`:
//!
//! | field | what |
//! |---|---|
//! | `deepgram.operation`, `deepgram.project_id`, `deepgram.key_id` | the call |
//! | `http.request.method`, `url.full`, `server.address`, `server.port` | where it went |
//! | `deepgram.attempts`, `http.request.resend_count` | attempts made; retries among them |
//! | `http.response.status_code` | the final status |
//! | `deepgram.request_id` | `dg-request-id` of the final response, success or not |
//! | `error.type`, `otel.status_code` | on failure: the status (`"503"`) or `timeout`, `transport`, `decode`, `body_too_large`, `invalid_request`; `ERROR` |
//! | `elapsed_ms` | the whole call, waits included |
//!
//! Each retry is an `INFO` event in the span with `retry` (1, 2, ...),
//! `wait_ms`, `reason` (`rate_limited`, `server_error`, `connect_failed`,
//! `connection_lost`), `retry_after` (whether the service asked for the
//! wait), and the failed attempt's `http.response.status_code` and
//! `deepgram.request_id`. Never recorded: the token, a new key's secret, any
//! request or response body, or an error's message (which may quote one).
//!
//! The request id of a *successful* call, which Deepgram support asks for
//! when a call did something unexpected, is the span's
//! `deepgram.request_id`. Without tracing, ask the call for it:
//! `client.create_key(..).with_request_id().await?` gives an [`Output`]
//! with the value, `request_id` and `attempts` (a plain `.await` gives the
//! value alone). Failed calls carry it in [`Error::request_id`].
//!
//! ```no_run
//! // e.g. with tracing-subscriber: one line per call when it ends.
//! tracing_subscriber::fmt()
//!     .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
//!     .init();
//! // INFO list_keys{otel.kind="client" deepgram.operation="list_keys" deepgram.project_id="5f0c..."
//! //   deepgram.attempts=1 http.request.method="GET" url.full="https://api.deepgram.com/v1/projects/5f0c.../keys"
//! //   http.response.status_code=200 deepgram.request_id="07b34282-..." elapsed_ms=95.8}: deepgram_keys: close
//! ```
//!
//! # Features
//!
//! - `rustls` (default): TLS through rustls; no OpenSSL needed.
//! - `native-tls`: TLS through the platform's library instead.
//! - `tracing`: a span per call; see [Observability](#observability). Adds
//!   no crate: `tracing` is already built for hyper.
//!
//! # How this crate is made
//!
//! One file is generated: `src/generated.rs` (the private module
//! `generated`), the request and response types re-exported in [`types`] and
//! [`wire`] and the HTTP calls, written by progenitor from
//! `openapi/keys.yaml` (`cargo xtask regen`) and never edited. Every other
//! file is written by hand: the client, errors, retries and secrets around
//! it.

#![deny(missing_docs)]

mod client;
mod config;
mod create;
mod error;
mod hooks;
mod operation;
mod output;
mod path_segment;
mod redact;
mod response;
mod retry;
mod secret;
mod telemetry;

// Written only by `cargo xtask regen`. Its lints are the generator's business:
// the code is checked by compiling it and by the contract tests, not by style.
#[allow(
    missing_docs,
    unused_imports,
    dead_code,
    clippy::all,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]
#[rustfmt::skip]
mod generated;

pub use client::Client;
pub use config::{
    ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BODY, DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
};
pub use create::{CreateKey, Expiry, NoExpiry, WithExpiry};
pub use error::{ApiError, Error, RawBody};
pub use operation::Operation;
pub use output::{Call, Output};
pub use response::MAX_ERROR_BODY;
pub use secret::ApiKeySecret;
pub use types::{ApiKey, CreateKeyResponse, DeleteKeyResponse, KeyStatus, KeyWithMember, Member};

/// The chrono this crate's times come from (`DateTime<Utc>` in [`ApiKey`],
/// [`CreateKeyResponse`] and [`Expiry::At`]): use it instead of adding your
/// own `chrono` dependency, whose version might differ. Durations are
/// [`std::time::Duration`].
pub use chrono;
/// The reqwest this crate is built on: a client given to
/// [`ClientBuilder::http_client`] must come from this version.
pub use reqwest;
/// The HTTP status of an [`ApiError`] or [`Error::status`].
pub use reqwest::StatusCode;

/// What the [`Client`]'s methods take and return, generated from the spec.
pub mod types {
    pub use crate::generated::types::error::ConversionError;
    pub use crate::generated::types::{
        ApiKey, CreateKeyResponse, DeleteKeyResponse, KeyStatus, KeyWithMember, Member,
    };
}

/// The bodies as they travel, generated from the spec: the request body of
/// `create_key` (which would allow both expiry fields; build it with
/// [`CreateKey`] instead), both documented shapes of `get_key`, the list
/// wrapper, and Deepgram's error body. The [`Client`] converts them; use
/// them only to decode or check a body yourself.
pub mod wire {
    pub use crate::generated::types::{
        CreateKeyRequest, ErrorBody, GetKeyResponse, ListKeysResponse, MemberWithKey,
        PlainTextError, WrappedKey, WrappedKeyItem,
    };
}

/// The code blocks of the README, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
