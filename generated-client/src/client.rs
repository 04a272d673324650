//! The client applications use: construction, the four operations, and the
//! translation of the generated client's results into [`Error`].

use std::sync::Arc;
use std::time::Duration;

use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::HeaderValue;

use crate::create::CreateKey;
use crate::error::{ApiError, Error, RawBody};
use crate::generated::Client as GeneratedClient;
use crate::hooks::{CallState, Config, RetryPolicy};
use crate::path_segment;
use crate::secret::{ApiKeySecret, redact_body, redact_secrets};
use crate::telemetry;
use crate::types::{CreateKeyResponse, DeleteKeyResponse, KeyStatus, KeyWithMember};
use crate::wire::{ErrorBody, GetKeyResponse};

/// Deepgram's hosted API.
pub const DEFAULT_BASE_URL: &str = "https://api.deepgram.com";
/// The default budget of one call, retries and waits included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 2;

const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// A client for Deepgram's project keys API.
///
/// Cheap to clone: clones share one connection pool. Build one with
/// [`Client::from_env`], [`Client::new`] or [`Client::builder`].
#[derive(Clone, Debug)]
pub struct Client {
    config: Arc<Config>,
}

impl Client {
    /// A client with the default settings and the given API key.
    pub fn new(api_key: impl Into<ApiKeySecret>) -> Result<Self, Error> {
        Self::builder().api_key(api_key).build()
    }

    /// A client configured from the environment: the API key from
    /// `DEEPGRAM_API_KEY` and, when set, the base URL from
    /// `DEEPGRAM_BASE_URL`. See [`ClientBuilder::from_env`] to change other
    /// settings too.
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env().build()
    }

    /// A builder for every setting.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    /// Lists the keys of a project, each with the member who owns it.
    ///
    /// `status` keeps only active or only expired keys; `None` lists all.
    pub async fn list_keys(
        &self,
        project_id: &str,
        status: Option<KeyStatus>,
    ) -> Result<Vec<KeyWithMember>, Error> {
        let ids = [("project_id", project_id)];
        let response = self
            .call("list_keys", &ids, async |raw| {
                raw.list_keys(project_id, status).await
            })
            .await?;
        Ok(response.api_keys)
    }

    /// Gets one key and the member who owns it.
    ///
    /// Deepgram has documented two shapes for this response; both arrive as
    /// the same [`KeyWithMember`], the shape [`list_keys`](Self::list_keys)
    /// returns.
    pub async fn get_key(&self, project_id: &str, key_id: &str) -> Result<KeyWithMember, Error> {
        let ids = [("project_id", project_id), ("key_id", key_id)];
        let response = self
            .call("get_key", &ids, async |raw| {
                raw.get_key(project_id, key_id).await
            })
            .await?;
        Ok(KeyWithMember::from(response))
    }

    /// Creates a key. The response holds the new secret, which Deepgram
    /// returns only this once.
    ///
    /// The request is never sent twice once it may have reached the service,
    /// since that could create two keys; see the crate docs on retries.
    pub async fn create_key<State>(
        &self,
        project_id: &str,
        request: &CreateKey<State>,
    ) -> Result<CreateKeyResponse, Error> {
        const OPERATION: &str = "create_key";
        let body = request.to_wire().map_err(|reason| Error::InvalidRequest {
            operation: OPERATION,
            reason,
        })?;
        let ids = [("project_id", project_id)];
        self.call(OPERATION, &ids, async |raw| {
            raw.create_key(project_id, &body).await
        })
        .await
    }

    /// Deletes a key; requests made with it fail from then on.
    pub async fn delete_key(
        &self,
        project_id: &str,
        key_id: &str,
    ) -> Result<DeleteKeyResponse, Error> {
        let ids = [("project_id", project_id), ("key_id", key_id)];
        self.call("delete_key", &ids, async |raw| {
            raw.delete_key(project_id, key_id).await
        })
        .await
    }

    /// Checks the ids that go into the request path, runs one generated
    /// method with a fresh [`CallState`] and turns its outcome into this
    /// crate's types, all inside the call's span.
    async fn call<T>(
        &self,
        operation: &'static str,
        path_ids: &[(&str, &str)],
        send: impl AsyncFnOnce(
            &GeneratedClient,
        ) -> Result<ResponseValue<T>, progenitor_client::Error<ErrorBody>>,
    ) -> Result<T, Error> {
        let id = |name: &str| {
            path_ids
                .iter()
                .find(|(field, _)| *field == name)
                .map(|(_, id)| *id)
        };
        let span = telemetry::call(
            operation,
            id("project_id").unwrap_or_default(),
            id("key_id"),
        );
        span.run(async {
            for (name, id) in path_ids {
                path_segment::check_id(operation, name, id)?;
            }
            let path_ids = path_ids.iter().map(|(_, id)| (*id).to_owned()).collect();
            let raw = GeneratedClient::new_with_client(
                &self.config.base_url,
                self.config.http.clone(),
                CallState::new(Arc::clone(&self.config), path_ids),
            );
            match send(&raw).await {
                Ok(value) => Ok(value.into_inner()),
                Err(err) => Err(self.translate(operation, err, &raw.inner).await),
            }
        })
        .await
    }

    async fn translate(
        &self,
        operation: &'static str,
        err: progenitor_client::Error<ErrorBody>,
        state: &CallState,
    ) -> Error {
        use progenitor_client::Error as Generated;
        let attempts = state.attempts();
        // Every error status, whatever the generated code made of its body
        // (it reads any JSON object as an empty `ErrorBody`): built from the
        // response as received.
        if let Some(response) = state.error_response() {
            let api = ApiError::from_response(
                operation,
                response.status,
                &response.headers,
                &response.body,
            );
            let redact = |text: String| redact_secrets(&text, &self.config.api_key);
            return ApiError {
                code: api.code.map(redact),
                message: api.message.map(redact),
                details: api.details.map(redact),
                request_id: api.request_id.map(redact),
                raw_body: api.raw_body.map(redact),
                attempts,
                ..api
            }
            .into();
        }
        match err {
            Generated::CommunicationError(source)
            | Generated::ResponseBodyError(source)
            | Generated::InvalidUpgrade(source)
                if source.is_timeout() && !source.is_connect() =>
            {
                Error::Timeout {
                    operation,
                    timeout: self.config.timeout,
                    attempts,
                }
            }
            Generated::CommunicationError(source)
            | Generated::ResponseBodyError(source)
            | Generated::InvalidUpgrade(source) => Error::Transport {
                operation,
                base_url: self.config.base_url.clone(),
                attempts,
                source,
            },
            Generated::InvalidResponsePayload(body, source) => Error::Decode {
                operation,
                status: StatusCode::OK,
                body: RawBody::new(&body, &self.config.api_key),
                reason: redact_secrets(&redact_body(&source.to_string()), &self.config.api_key),
            },
            // A success status the spec does not declare.
            Generated::UnexpectedResponse(response) => {
                let status = response.status();
                match response.bytes().await {
                    Ok(body) => Error::Decode {
                        operation,
                        status,
                        body: RawBody::new(&body, &self.config.api_key),
                        reason: format!("the spec declares no {status} response"),
                    },
                    Err(source) => Error::Transport {
                        operation,
                        base_url: self.config.base_url.clone(),
                        attempts,
                        source,
                    },
                }
            }
            Generated::ErrorResponse(response) => {
                // Unreachable in practice: the hooks keep every error
                // response. Report it as it came rather than panic.
                ApiError::new(operation, response.status()).into()
            }
            Generated::InvalidRequest(reason) | Generated::Custom(reason) => {
                Error::InvalidRequest { operation, reason }
            }
        }
    }
}

impl From<GetKeyResponse> for KeyWithMember {
    fn from(response: GetKeyResponse) -> Self {
        match response {
            GetKeyResponse::KeyWithMember(key) => key,
            GetKeyResponse::WrappedKey(wrapped) => {
                let member = wrapped.item.member;
                KeyWithMember {
                    api_key: member.api_key,
                    member: crate::types::Member {
                        member_id: member.member_id,
                        email: member.email,
                        first_name: member.first_name,
                        last_name: member.last_name,
                    },
                }
            }
        }
    }
}

/// Settings for a [`Client`].
#[derive(Debug)]
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

        Ok(Client {
            config: Arc::new(Config {
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
            }),
        })
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

    #[test]
    fn the_spec_version_is_the_crate_version() {
        use progenitor_client::ClientInfo;
        assert_eq!(
            <GeneratedClient as ClientInfo<CallState>>::api_version(),
            env!("CARGO_PKG_VERSION"),
            "openapi/keys.yaml `info.version` and generated-client/Cargo.toml `version` must move together"
        );
    }

    #[test]
    fn debug_output_hides_the_api_key() {
        let client = Client::new("secret-token-value").unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("secret-token-value"), "{shown}");
    }
}
