//! The settings of a [`Client`](crate::Client): what the builder takes,
//! how it checks them, and what every call of one client shares.

use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::client::Client;
use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::secret::ApiKeySecret;

/// Deepgram's hosted API.
pub const DEFAULT_BASE_URL: &str = "https://api.deepgram.com";
/// The default budget of one call, retries and waits included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 2;

const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// Settings shared by every call of one [`Client`](crate::Client).
#[derive(Debug)]
pub struct Config {
    pub(crate) base_url: String,
    pub(crate) http: reqwest::Client,
    /// `Token <key>`, marked sensitive so that `Debug` never shows it.
    pub(crate) authorization: HeaderValue,
    /// The key itself, to redact it from what a server echoes back.
    pub(crate) api_key: ApiKeySecret,
    pub(crate) user_agent: HeaderValue,
    /// The budget of a whole call, retries and waits included.
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    /// The builder this came from, its HTTP client set to the one built, for
    /// [`Client::to_builder`].
    pub(crate) settings: ClientBuilder,
}

impl Config {
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
#[derive(Debug, Clone)]
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

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let mut settings = self.clone();
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
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10).min(self.timeout))
                // Deepgram does not redirect. Following one would send a
                // delete or a create, with the API key, to a path no id
                // check has seen.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|err| config_error(format!("cannot set up HTTP: {err}")))?,
        };

        settings.http = Some(http.clone());
        Ok(Client::with_config(Config {
            settings,
            base_url,
            http,
            authorization,
            api_key,
            user_agent,
            timeout: self.timeout,
            retry: RetryPolicy {
                max_retries: self.max_retries,
                initial_backoff: self.initial_backoff,
                max_backoff: self.max_backoff.max(self.initial_backoff),
            },
        }))
    }
}

/// Accepts `http(s)://host[:port][/prefix]` and returns it without a trailing
/// slash, since the generated code appends `/v1/...`.
fn normalize_base_url(base_url: &str, allow_unencrypted_http: bool) -> Result<String, String> {
    let parsed = reqwest::Url::parse(base_url.trim()).map_err(|err| {
        format!("the base URL {base_url:?} is not a URL ({err}); use e.g. {DEFAULT_BASE_URL}")
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "the base URL {base_url:?} must start with https:// (or http:// for a local server)"
        ));
    }
    if parsed.scheme() == "http" && !allow_unencrypted_http && !is_loopback(&parsed) {
        return Err(format!(
            "the base URL {base_url:?} is plain http:// to another machine, which would send the API key unencrypted; use https://, or call `ClientBuilder::danger_allow_unencrypted_http(true)` for a trusted network"
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!(
            "the base URL {base_url:?} must not have a query or fragment"
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(
            "the base URL must not carry credentials; pass the API key with `api_key(...)`".into(),
        );
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
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
