//! The one error type callers see.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::secret::redact_body;
use crate::types::ErrorBody;

/// Why a call failed. Every variant names the operation that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Deepgram (or a proxy in front of it) answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// No complete answer arrived within the client's timeout, retries
    /// included.
    #[error(
        "{operation} timed out after {timeout:?}; raise the timeout with `ClientBuilder::timeout` if the service is slow"
    )]
    Timeout {
        /// The operationId of the call.
        operation: &'static str,
        /// The client's timeout for a whole call.
        timeout: Duration,
    },

    /// The request could not be sent or the response could not be read:
    /// DNS, TCP, TLS or a connection closed half-way.
    #[error("{operation} could not reach the service at {base_url}: {source}")]
    Transport {
        /// The operationId of the call.
        operation: &'static str,
        /// The base URL the client talks to.
        base_url: String,
        /// What reqwest said.
        #[source]
        source: reqwest::Error,
    },

    /// The service answered with success, but the body does not match the
    /// spec. The body is kept for inspection.
    #[error("{operation} got a {status} response this client cannot decode ({}); body: {}", redact_body(&source.to_string()), body.redacted())]
    Decode {
        /// The operationId of the call.
        operation: &'static str,
        /// The status of the response.
        status: StatusCode,
        /// The body as received.
        body: RawBody,
        /// What serde said.
        #[source]
        source: serde_json::Error,
    },

    /// The call was refused before anything was sent.
    #[error("{operation} was not sent: {reason}")]
    InvalidRequest {
        /// The operationId of the call.
        operation: &'static str,
        /// What is wrong with the arguments.
        reason: String,
    },

    /// The client could not be built.
    #[error("cannot build the Deepgram client: {reason}")]
    Config {
        /// What is wrong with the settings.
        reason: String,
    },
}

/// An error response: its status and whatever Deepgram said about it.
///
/// Deepgram's error bodies come in three forms (modern `category`/`message`,
/// legacy `err_code`/`err_msg`, and plain text); all reach this one type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The operationId of the call.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// Deepgram's error code (`category`, `err_code` or `error_code`), for
    /// example `INVALID_AUTH`.
    pub code: Option<String>,
    /// The human-readable message (`message` or `err_msg`).
    pub message: Option<String>,
    /// More about the error, for example which field failed to parse.
    pub details: Option<String>,
    /// Deepgram's id of the request, from the body or the `dg-request-id`
    /// header. Quote it when asking Deepgram for support.
    pub request_id: Option<String>,
    /// The body as text when it is not a JSON error object.
    pub raw_body: Option<String>,
    /// How long the service asked to wait before trying again (`Retry-After`).
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// Builds the error from a body the generated client decoded.
    pub(crate) fn from_body(
        operation: &'static str,
        status: StatusCode,
        headers: &HeaderMap,
        body: ErrorBody,
    ) -> Self {
        let header_request_id = request_id_header(headers);
        Self {
            operation,
            status,
            code: body.category.or(body.err_code).or(body.error_code),
            message: body.message.or(body.err_msg),
            details: body.details,
            request_id: body.request_id.or(header_request_id),
            raw_body: None,
            retry_after: crate::hooks::retry_after(headers),
        }
    }

    /// Builds the error from a body as received: a JSON error object in any
    /// of Deepgram's forms, or anything else, kept as text.
    pub(crate) fn from_raw(
        operation: &'static str,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Self {
        let fields = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(serde_json::Value::Object(fields)) => Some(fields),
            _ => None,
        };
        let text = |name: &str| match fields.as_ref()?.get(name)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        };
        let decoded = ErrorBody {
            category: text("category"),
            err_code: text("err_code"),
            error_code: text("error_code"),
            message: text("message"),
            err_msg: text("err_msg"),
            details: text("details"),
            request_id: text("request_id"),
        };
        let raw_body = match fields {
            Some(_) => None,
            None => Some(String::from_utf8_lossy(body).trim().to_owned())
                .filter(|text| !text.is_empty()),
        };
        Self {
            raw_body,
            ..Self::from_body(operation, status, headers, decoded)
        }
    }

    fn hint(&self) -> Option<&'static str> {
        Some(match self.status.as_u16() {
            401 => "check that DEEPGRAM_API_KEY holds a valid key, sent as `Token <key>`",
            403 => {
                "the key lacks permission: managing keys needs a key with a `keys:*`, admin or owner scope"
            }
            404 => "check the project and key ids",
            429 => "slow down; the client already retried as the service asked",
            500..=599 => "the service failed; try again later",
            _ => return None,
        })
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed: Deepgram answered {}",
            self.operation, self.status
        )?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        match (&self.message, &self.raw_body) {
            (Some(message), _) => write!(f, ": {message}")?,
            (None, Some(raw)) => write!(f, ": {raw}")?,
            (None, None) => {}
        }
        if let Some(details) = &self.details {
            write!(f, " ({details})")?;
        }
        if let Some(request_id) = &self.request_id {
            write!(f, " [request id {request_id}]")?;
        }
        if let Some(hint) = self.hint() {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl From<ApiError> for Error {
    fn from(err: ApiError) -> Self {
        Self::Api(Box::new(err))
    }
}

impl Error {
    /// The HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api(api) => Some(api.status),
            Self::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The API error, when the service answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(api) => Some(api),
            _ => None,
        }
    }
}

/// A response body as received. It may hold a new key's secret (a
/// `create_key` response that failed to decode), so formatting redacts it;
/// [`as_str`](Self::as_str) gives the body unchanged.
#[derive(Clone, PartialEq)]
pub struct RawBody(String);

impl RawBody {
    pub(crate) fn new(bytes: &[u8]) -> Self {
        Self(String::from_utf8_lossy(bytes).into_owned())
    }

    /// The body exactly as received (lossily decoded as UTF-8).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The body with anything that looks like a key secret replaced.
    pub fn redacted(&self) -> String {
        redact_body(&self.0)
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawBody({:?})", self.redacted())
    }
}

fn request_id_header(headers: &HeaderMap) -> Option<String> {
    headers
        .get("dg-request-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}
