//! The settings of a [`Client`](crate::Client): what the builder takes,
//! how it checks them, and what every call of one client shares.

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::client::Client;
use crate::error::Error;
use crate::operation::Operation;
use crate::redact::Redactor;
use crate::retry::RetryPolicy;
use crate::secret::ApiKeySecret;

/// Deepgram's hosted API.
pub const DEFAULT_BASE_URL: &str = "https://api.deepgram.com";
/// The default budget of one call, retries and waits included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// The default of [`ClientBuilder::max_response_body`]: 16 MiB. A key in a
/// list takes about 400 bytes, so this holds a list of some 40,000 keys.
/// It also bounds the memory of decoding: the densest body the types take
/// (one key with millions of empty-string scopes, 24 bytes each for 3 of
/// JSON) peaks at about 9 times its size, so under 256 MB at this default
/// (BENCHMARKS.md, "Peak memory"); 32 MiB peaked at 309 MB.
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 16 * 1024 * 1024;

const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// Settings shared by every call of one [`Client`](crate::Client).
pub struct Config {
    pub(crate) base_url: String,
    pub(crate) http: Http,
    /// `Token <key>`, marked sensitive so that `Debug` never shows it.
    pub(crate) authorization: HeaderValue,
    /// Removes the key, and anything shaped like a secret, from what a
    /// server says.
    pub(crate) redactor: Redactor,
    pub(crate) user_agent: HeaderValue,
    /// The budget of a whole call, retries and waits included.
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    /// The builder this came from, for [`Client::to_builder`].
    pub(crate) settings: ClientBuilder,
    /// The most of a success body read.
    pub(crate) max_response_body: usize,
}

/// Without the token or the HTTP client's settings, which may hold a
/// proxy's credentials.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("max_response_body", &self.max_response_body)
            .finish_non_exhaustive()
    }
}

/// The `reqwest::Client` that calls go through.
pub(crate) enum Http {
    /// Given with [`ClientBuilder::http_client`]: used as it is.
    Given(reqwest::Client),
    /// Built here, one per tokio runtime: a pooled connection belongs to the
    /// runtime that opened it and dies with it, so a client shared by
    /// runtimes (a `static` used by several `#[tokio::test]`s) would lose
    /// calls once the first runtime is gone. The few most recent are kept.
    Built {
        settings: HttpSettings,
        per_runtime: Mutex<Vec<(tokio::runtime::Id, reqwest::Client)>>,
    },
}

/// How many runtimes' HTTP clients a [`Client`] keeps.
const RUNTIMES_KEPT: usize = 4;

/// What the client's own `reqwest::Client` is built with.
#[derive(Clone, Copy)]
pub(crate) struct HttpSettings {
    connect_timeout: Duration,
    /// Plain `http://` never goes through a proxy: the token would travel
    /// in clear to it.
    use_proxies: bool,
}

impl HttpSettings {
    fn build(self) -> reqwest::Result<reqwest::Client> {
        let builder = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            // Deepgram does not redirect. Following one would send a
            // delete or a create, with the API key, to a path no id
            // check has seen.
            .redirect(reqwest::redirect::Policy::none());
        if self.use_proxies {
            builder.build()
        } else {
            builder.no_proxy().build()
        }
    }
}

impl Http {
    /// The HTTP client for a call made on the current runtime.
    pub(crate) fn current(&self) -> reqwest::Result<reqwest::Client> {
        let (settings, per_runtime) = match self {
            Self::Given(http) => return Ok(http.clone()),
            Self::Built {
                settings,
                per_runtime,
            } => (settings, per_runtime),
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current().map(|handle| handle.id()) else {
            // Outside tokio reqwest cannot run anyway; let it say so.
            return settings.build();
        };
        let mut clients = per_runtime.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, http)) = clients.iter().find(|(id, _)| *id == runtime) {
            return Ok(http.clone());
        }
        let http = settings.build()?;
        if clients.len() == RUNTIMES_KEPT {
            clients.remove(0);
        }
        clients.push((runtime, http.clone()));
        Ok(http)
    }
}

/// How much less than [`ClientBuilder::max_response_body`] `get_key` reads.
/// Its two response shapes are an untagged enum, which serde tells apart by
/// first keeping the whole body as a tree of every value in it, unknown
/// fields included: up to some 32 times the body's size (32 bytes for each
/// `0,`), where a list, which skips unknown fields, takes at most about 9.
/// One key's body is a few KiB, so a sixteenth (1 MiB by default) leaves
/// room to spare and keeps its peak within a list's.
const GET_KEY_SHARE: usize = 16;

impl Config {
    /// The most of a success body read for the operation `operation_id`.
    pub(crate) fn success_limit(&self, operation_id: &str) -> usize {
        if Operation::GetKey == operation_id {
            self.max_response_body / GET_KEY_SHARE
        } else {
            self.max_response_body
        }
    }

    /// The path of the base URL: `""`, or a proxy's prefix such as `/deepgram`
    /// (the base URL is stored normalized, without a trailing slash).
    pub(crate) fn base_path(&self) -> &str {
        let after_scheme = self.base_url.split_once("://").map_or("", |(_, rest)| rest);
        after_scheme
            .find('/')
            .map_or("", |start| &after_scheme[start..])
    }
}

/// Settings for a [`Client`]. Cloning it clones an HTTP client given to
/// [`http_client`](Self::http_client) too, which shares its connection pool.
#[derive(Clone)]
pub struct ClientBuilder {
    api_key: Option<ApiKeySecret>,
    base_url: String,
    timeout: Duration,
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    user_agent_suffix: Option<String>,
    http: Option<reqwest::Client>,
    allow_unencrypted_http: bool,
    max_response_body: usize,
}

/// Shows the base URL without credentials, and neither the API key nor the
/// HTTP client (whose proxies may hold credentials).
impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key)
            .field("base_url", &without_credentials(&self.base_url))
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("http_client", &self.http.is_some())
            .field("allow_unencrypted_http", &self.allow_unencrypted_http)
            .field("max_response_body", &self.max_response_body)
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            user_agent_suffix: None,
            http: None,
            allow_unencrypted_http: false,
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
        }
    }
}

impl ClientBuilder {
    /// A builder holding the API key from `DEEPGRAM_API_KEY` and, when set,
    /// the base URL from `DEEPGRAM_BASE_URL`; the other settings are the
    /// defaults. Settings made afterwards override the environment.
    pub fn from_env() -> Self {
        let mut builder = Self::default();
        if let Ok(api_key) = std::env::var("DEEPGRAM_API_KEY") {
            builder = builder.api_key(api_key);
        }
        if let Ok(base_url) = std::env::var("DEEPGRAM_BASE_URL")
            && !base_url.trim().is_empty()
        {
            builder = builder.base_url(base_url);
        }
        builder
    }

    /// The API key to authenticate with, sent as `Authorization: Token <key>`.
    pub fn api_key(mut self, api_key: impl Into<ApiKeySecret>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// Where to send requests; default [`DEFAULT_BASE_URL`]. A path is kept,
    /// for proxies that serve the API under a prefix.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// The budget of one call, retries and waits included; default
    /// [`DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many times a failed attempt may be retried; default
    /// [`DEFAULT_MAX_RETRIES`], and 0 turns retries off.
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// The wait before the first retry (default 500 ms) and the most any wait
    /// may grow to (default 8 s). A `Retry-After` header overrides both.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// Text appended to the `User-Agent` header, for example `my-app/1.2`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Uses this `reqwest::Client` (for proxies, custom roots, ...). It must
    /// come from the reqwest this crate is built on, re-exported as
    /// [`deepgram_keys::reqwest`](crate::reqwest).
    ///
    /// Its proxies, TLS settings, default headers, redirect policy and
    /// connect timeout apply (the client's own default follows no redirect).
    /// Its overall timeout does not: every attempt gets what is left of
    /// [`timeout`](Self::timeout), which replaces it. Without this setting,
    /// the client connects within 10 s (or the timeout, if shorter).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Allows a plain `http://` base URL on a host other than this machine.
    /// The API key then travels unencrypted, readable by anyone on the path:
    /// only for a trusted network, such as a proxy in the same pod. Plain
    /// `http://` to `localhost`, `127.0.0.0/8` or `::1` needs no opt-in.
    pub fn danger_allow_unencrypted_http(mut self, allow: bool) -> Self {
        self.allow_unencrypted_http = allow;
        self
    }

    /// The most bytes of a success body the client reads; default
    /// [`DEFAULT_MAX_RESPONSE_BODY`] (16 MiB, a list of some 40,000 keys).
    /// Decoding takes up to about 9 times the body's size in memory, so a
    /// higher limit raises the most a hostile server can make a call use.
    /// A longer body is not read on: the call fails with
    /// [`Error::BodyTooLarge`], which names this setting. Error bodies are
    /// kept up to [`MAX_ERROR_BODY`](crate::MAX_ERROR_BODY) whatever this says.
    /// [`Client::get_key`] reads a sixteenth of it (1 MiB by default): serde
    /// keeps its body whole as a tree to tell its two shapes apart, which
    /// takes up to some 32 times the body's size.
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let settings = self.clone();
        let config_error = |reason: String| Error::Config { reason };
        let api_key = match self.api_key {
            Some(key) if !key.is_blank() => key,
            Some(_) => {
                return Err(config_error(
                    "the API key is empty; pass a Deepgram API key".into(),
                ));
            }
            None => {
                return Err(config_error(
                    "no API key given; set DEEPGRAM_API_KEY (for `Client::from_env`) or call `ClientBuilder::api_key`".into(),
                ));
            }
        };
        let mut authorization = HeaderValue::try_from(format!("Token {}", api_key.expose_secret()))
            .map_err(|_| {
                config_error("the API key holds characters not allowed in an HTTP header".into())
            })?;
        authorization.set_sensitive(true);

        let base_url = normalize_base_url(&self.base_url, self.allow_unencrypted_http)
            .map_err(config_error)?;

        let user_agent = match &self.user_agent_suffix {
            Some(suffix) => format!("{USER_AGENT} {suffix}"),
            None => USER_AGENT.to_owned(),
        };
        let user_agent = HeaderValue::try_from(user_agent).map_err(|_| {
            config_error(
                "the user-agent suffix holds characters not allowed in an HTTP header".into(),
            )
        })?;

        if self.timeout.is_zero() {
            return Err(config_error(
                "the timeout is zero; give every call some time".into(),
            ));
        }

        let http = match self.http {
            Some(http) => Http::Given(http),
            None => {
                let settings = HttpSettings {
                    connect_timeout: Duration::from_secs(10).min(self.timeout),
                    use_proxies: base_url.starts_with("https://"),
                };
                // Built once here so that a setup problem is a build error.
                settings
                    .build()
                    .map_err(|err| config_error(format!("cannot set up HTTP: {err}")))?;
                Http::Built {
                    settings,
                    per_runtime: Mutex::default(),
                }
            }
        };

        Ok(Client::with_config(Config {
            settings,
            base_url,
            http,
            authorization,
            redactor: Redactor::new(&api_key),
            user_agent,
            timeout: self.timeout,
            retry: RetryPolicy {
                max_retries: self.max_retries,
                initial_backoff: self.initial_backoff,
                max_backoff: self.max_backoff.max(self.initial_backoff),
            },
            max_response_body: self.max_response_body,
        }))
    }
}

/// Accepts `http(s)://host[:port][/prefix]` and returns it without a trailing
/// slash, since the generated code appends `/v1/...`. Its messages quote the
/// URL without credentials, whatever else is wrong with it.
fn normalize_base_url(base_url: &str, allow_unencrypted_http: bool) -> Result<String, String> {
    let shown = without_credentials(base_url);
    if shown != base_url.trim() {
        return Err(format!(
            "the base URL {shown:?} must not carry credentials; pass the API key with `api_key(...)`"
        ));
    }
    let parsed = reqwest::Url::parse(base_url.trim()).map_err(|err| {
        format!("the base URL {shown:?} is not a URL ({err}); use e.g. {DEFAULT_BASE_URL}")
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "the base URL {shown:?} must start with https:// (or http:// for a local server)"
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(
            "the base URL must not carry credentials; pass the API key with `api_key(...)`".into(),
        );
    }
    if parsed.scheme() == "http" && !allow_unencrypted_http && !is_loopback(&parsed) {
        return Err(format!(
            "the base URL {shown:?} is plain http:// to another machine, which would send the API key unencrypted; use https://, or call `ClientBuilder::danger_allow_unencrypted_http(true)` for a trusted network"
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!(
            "the base URL {shown:?} must not have a query or fragment"
        ));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// A URL as given, trimmed, with everything between the scheme and the last
/// `@` replaced: it works on text that does not parse as a URL too, and
/// would rather hide part of a path than show a password.
fn without_credentials(url: &str) -> String {
    let url = url.trim();
    let authority_start = url.find("://").map_or(0, |scheme_end| scheme_end + 3);
    match url[authority_start..].rfind('@') {
        Some(at) => format!(
            "{}<redacted>{}",
            &url[..authority_start],
            &url[authority_start + at..]
        ),
        None => url.to_owned(),
    }
}

/// Whether the URL's host is this machine: `localhost` or a loopback address.
fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let ip = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || ip
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_normalized() {
        assert_eq!(
            normalize_base_url("https://api.deepgram.com/", false).unwrap(),
            "https://api.deepgram.com"
        );
        for local in [
            "http://127.0.0.1:8080/proxy/",
            "http://127.9.9.9",
            "http://localhost:4010",
            "http://LOCALHOST",
            "http://[::1]:8080",
        ] {
            assert!(normalize_base_url(local, false).is_ok(), "{local}");
        }
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8080/proxy/", false).unwrap(),
            "http://127.0.0.1:8080/proxy"
        );
        for remote in [
            "http://api.deepgram.com",
            "http://10.0.0.1",
            "http://[::2]",
            "http://localhost.evil.com",
            "http://0.0.0.0",
        ] {
            let err = normalize_base_url(remote, false).unwrap_err();
            assert!(err.contains("danger_allow_unencrypted_http"), "{err}");
            assert!(normalize_base_url(remote, true).is_ok(), "{remote}");
        }
        for bad in [
            "api.deepgram.com",
            "ftp://x",
            "https://x/?a=1",
            "https://u:p@x",
            "",
        ] {
            assert!(normalize_base_url(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn missing_or_blank_keys_fail_at_build_time() {
        let err = Client::builder().build().unwrap_err();
        assert!(err.to_string().contains("no API key given"), "{err}");
        let err = Client::new("  ").unwrap_err();
        assert!(err.to_string().contains("the API key is empty"), "{err}");
    }
}
