//! The one error type callers see.

use std::fmt;
use std::io::ErrorKind;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::operation::Operation;
use crate::redact::Redactor;
use crate::response::{MAX_ERROR_BODY, request_id, request_id_text};

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
        "{operation} timed out after {timeout:?}{}{}",
        attempts_made(*attempts),
        if *operation == Operation::CreateKey { OUTCOME_UNKNOWN } else { "; raise the timeout with `ClientBuilder::timeout` if the service is slow" }
    )]
    #[non_exhaustive]
    Timeout {
        /// The call that failed.
        operation: Operation,
        /// The client's timeout for a whole call.
        timeout: Duration,
        /// How many requests were sent or tried.
        attempts: u32,
    },

    /// No answer could be had: the connection was refused, DNS or TLS
    /// failed, connecting timed out, or the connection broke half-way.
    /// `Display` names the cause; [`source`](std::error::Error::source)
    /// gives reqwest's error and its chain.
    #[error(
        "{operation} could not reach the service at {base_url}: {}{}{}",
        connection_failure(source),
        attempts_made(*attempts),
        if *operation == Operation::CreateKey && !source.is_connect() { OUTCOME_UNKNOWN } else { "" }
    )]
    #[non_exhaustive]
    Transport {
        /// The call that failed.
        operation: Operation,
        /// The base URL the client talks to.
        base_url: String,
        /// How many requests were sent or tried.
        attempts: u32,
        /// What reqwest said.
        #[source]
        source: reqwest::Error,
    },

    /// The service answered with success, but the body does not match the
    /// spec. The body is kept for inspection.
    #[error(
        "{operation} got a {status} response this client cannot decode ({reason}); body: {}{}",
        body.as_str(),
        if *operation == Operation::CreateKey { CREATED_BUT_UNREAD } else { "" }
    )]
    #[non_exhaustive]
    Decode {
        /// The call that failed.
        operation: Operation,
        /// The status of the response.
        status: StatusCode,
        /// The body as received, redacted and cut to 16 KiB; for
        /// `create_key`, withheld whole (see [`RawBody`]).
        body: RawBody,
        /// What did not fit, from serde's message, with anything that looks
        /// like a key secret replaced (serde quotes the values it rejects).
        reason: String,
    },

    /// The service answered with success, but the body is longer than the
    /// client reads ([`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body)).
    #[error(
        "{operation} got a {status} response whose body is longer than {limit} bytes, the most this client reads; raise the limit with `ClientBuilder::max_response_body` if that is expected{}",
        if *operation == Operation::CreateKey { CREATED_BUT_UNREAD } else { "" }
    )]
    #[non_exhaustive]
    BodyTooLarge {
        /// The call that failed.
        operation: Operation,
        /// The status of the response.
        status: StatusCode,
        /// The limit in bytes.
        limit: usize,
    },

    /// The call was refused before anything was sent.
    #[error("{operation} was not sent: {reason}")]
    #[non_exhaustive]
    InvalidRequest {
        /// The call that failed.
        operation: Operation,
        /// What is wrong with the arguments.
        reason: String,
    },

    /// The client could not be built.
    #[error("cannot build the Deepgram client: {reason}")]
    #[non_exhaustive]
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
    /// The call that failed.
    pub operation: Operation,
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
    /// The body as text when it is not one of Deepgram's JSON error forms:
    /// plain text, HTML, or a proxy's or gateway's JSON. Like every text
    /// field here, with the client's API key and runs of 32 or more hex
    /// digits (a key secret's form) replaced by `<redacted>`.
    pub raw_body: Option<String>,
    /// How long the service asked to wait before trying again (`Retry-After`).
    pub retry_after: Option<Duration>,
    /// How many requests the call sent, retries included.
    pub attempts: u32,
}

/// The fields that make a JSON body one of Deepgram's error forms.
const DEEPGRAM_ERROR_FIELDS: [&str; 5] =
    ["category", "err_code", "error_code", "message", "err_msg"];

/// Whether a success body is one of Deepgram's error forms: a JSON object
/// with an error field other than `message`, which a confirmation has too.
///
/// Reads the body as a stream, keeping no value: a success body may be as
/// long as `max_response_body`, and a `serde_json::Value` of it would take
/// some 16 times its size (32 bytes for each `0,`).
pub(crate) fn is_error_form(body: &[u8]) -> bool {
    use serde::Deserializer as _;
    use serde::de::{IgnoredAny, MapAccess, Visitor};

    struct HasErrorField;
    impl<'de> Visitor<'de> for HasErrorField {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut fields: A) -> Result<bool, A::Error> {
            let mut found = false;
            while let Some(name) = fields.next_key::<String>()? {
                // `null` counts as absent.
                let value = fields.next_value::<Option<IgnoredAny>>()?;
                found |= value.is_some()
                    && name != "message"
                    && DEEPGRAM_ERROR_FIELDS.contains(&name.as_str());
            }
            Ok(found)
        }
    }
    let mut json = serde_json::Deserializer::from_slice(body);
    (&mut json)
        .deserialize_map(HasErrorField)
        .and_then(|found| json.end().map(|()| found))
        .unwrap_or(false)
}

impl ApiError {
    /// An error with this status and nothing else: for testing code that
    /// handles errors, without a server. Set the other fields as needed.
    ///
    /// ```
    /// use deepgram_keys::{ApiError, Error, Operation, StatusCode};
    ///
    /// let mut not_found = ApiError::new(Operation::GetKey, StatusCode::NOT_FOUND);
    /// not_found.message = Some("API key not found.".into());
    /// let err = Error::from(not_found);
    /// assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    /// ```
    pub fn new(operation: Operation, status: StatusCode) -> Self {
        Self {
            operation,
            status,
            code: None,
            message: None,
            details: None,
            request_id: None,
            raw_body: None,
            retry_after: None,
            attempts: 1,
        }
    }

    /// Builds the error from a response as received: a JSON object in any of
    /// Deepgram's error forms, or anything else, kept as text.
    pub(crate) fn from_response(
        operation: Operation,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
        cut: bool,
        redactor: &Redactor,
    ) -> Self {
        let fields = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(serde_json::Value::Object(fields)) => fields,
            _ => serde_json::Map::new(),
        };
        let text = |name: &str| match fields.get(name)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        };
        let is_deepgram_form = DEEPGRAM_ERROR_FIELDS
            .iter()
            .any(|name| text(name).is_some());
        let redact = |text: String| redactor.redact(&text);
        let raw_body = RawBody::new(body, cut, redactor).0.trim().to_owned();
        Self {
            code: text("category")
                .or_else(|| text("err_code"))
                .or_else(|| text("error_code"))
                .map(redact),
            message: text("message").or_else(|| text("err_msg")).map(redact),
            details: text("details").map(redact),
            request_id: text("request_id")
                .map(|id| request_id_text(&id, redactor))
                .or_else(|| request_id(headers, redactor)),
            raw_body: Some(raw_body).filter(|raw| !is_deepgram_form && !raw.is_empty()),
            retry_after: crate::retry::retry_after(headers),
            ..Self::new(operation, status)
        }
    }

    /// Whether a `create_key` answered with this error may still have made
    /// its key. A 5xx is the server failing, possibly after it acted (RFC
    /// 9110 §15.6: the server "is aware that it has erred"): 500, 502, 504
    /// and the rest may come from a service that stored the key and then
    /// failed, or from a gateway that forwarded the request and lost the
    /// answer. Some 5xx say that the request was refused before anything
    /// was done, and are not:
    ///
    /// - 501 and 505 (RFC 9110 §15.6.2, §15.6.6): the method or the HTTP
    ///   version is not supported, so nothing was handled;
    /// - 511 (RFC 6585 §6): a network in between wants its own login; the
    ///   request never reached the service;
    /// - 503 (RFC 9110 §15.6.4, "currently unable to handle the request")
    ///   when the service itself says so: in one of Deepgram's error forms
    ///   (the reference's 503 bodies carry a code) or with `Retry-After`,
    ///   which asks for the request to be sent again. A bare 503 may be a
    ///   gateway's, sent after forwarding (an upstream reset, say), and is
    ///   outcome unknown.
    ///
    /// 429 is a refusal (RFC 6585 §4), which is why a create is retried on
    /// it; 4xx statuses are refusals of the request as sent.
    fn may_have_created(&self) -> bool {
        if self.operation != Operation::CreateKey {
            return false;
        }
        match self.status.as_u16() {
            501 | 505 | 511 => false,
            503 => self.code.is_none() && self.retry_after.is_none(),
            500..=599 => true,
            _ => false,
        }
    }

    /// Whether this is Deepgram's 404 for a key the project does not hold
    /// (code `NOT_FOUND` on `get_key` or `delete_key`), rather than an
    /// unknown project or a proxy's 404.
    pub(crate) fn is_unknown_key(&self) -> bool {
        self.status == StatusCode::NOT_FOUND
            && self.operation.has_key_id()
            && self.code.as_deref() == Some("NOT_FOUND")
    }

    fn hint(&self) -> Option<&'static str> {
        let has_key_id = self.operation.has_key_id();
        Some(match self.status.as_u16() {
            401 => {
                "check that the API key (DEEPGRAM_API_KEY) is valid; it is sent as `Token <key>`"
            }
            403 if self.code.as_deref() == Some("FORBIDDEN") => {
                "the key may not do this here: a key works only in its own project, and grants only scopes it holds itself (`admin` any but `owner`, `owner` any)"
            }
            403 => match self.operation {
                Operation::ListKeys | Operation::GetKey => {
                    "the key lacks permission: reading keys needs a key with the `keys:read`, `keys:write`, `admin` or `owner` scope"
                }
                Operation::CreateKey | Operation::DeleteKey => {
                    "the key lacks permission: creating and deleting keys needs a key with the `keys:write`, `admin` or `owner` scope (`keys:read` only lists and gets)"
                }
            },
            404 if has_key_id => {
                "check the project and key ids, and the base URL: a proxy or a wrong path prefix answers 404 too"
            }
            404 => {
                "check the project id, and the base URL: a proxy or a wrong path prefix answers 404 too"
            }
            429 if self.attempts > 1 => {
                "slow down; the client already retried as the service asked"
            }
            429 => "slow down and try again later",
            500..=599 if self.may_have_created() => {
                "the service failed after the request reached it, so the key may have been created: list the keys before trying again"
            }
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
        write!(f, "{}", attempts_made(self.attempts))
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
            Self::Decode { status, .. } | Self::BodyTooLarge { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the call may have taken effect although it failed: a
    /// `create_key` whose request may have reached the service, but whose
    /// answer did not arrive whole (the connection broke or the time ran out
    /// after sending), could not be read, or was a server error that may
    /// have come after the key was made (500, 502, 504, a 503 that is not
    /// the service's own refusal; not 429, 501, 505, 511 or any 4xx, which
    /// say the request was refused). The key may have been created: find it
    /// before trying again, or a retry may create a second one. After a
    /// timeout the service may still be working on the request and make the
    /// key only later, so a list made at once can miss it: look again on a
    /// later pass before concluding that nothing was made.
    ///
    /// `list_keys`, `get_key` and `delete_key` change nothing when repeated,
    /// so they never report this.
    ///
    /// # Which key a lost create made
    ///
    /// Keep the ids of the keys listed just before creating. After an
    /// unknown outcome, list again: a new id whose comment and tags are the
    /// ones asked for is the key the create made (give each create a
    /// comment or tag of its own, so that concurrent creates cannot be
    /// mistaken for each other). Its secret was lost with the answer and is
    /// never returned again: delete that key, then create anew.
    ///
    /// ```
    /// use deepgram_keys::CreateKey;
    /// use deepgram_keys_fake::{FakeDeepgram, Fault, Operation};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), deepgram_keys::Error> {
    /// let fake = FakeDeepgram::start();
    /// let (client, project) = (fake.client(), fake.project_id());
    /// let request = CreateKey::new("billing export", ["usage:read"]).tag("run-42");
    /// // The fake makes the key, then the answer is lost on the way back.
    /// fake.fail_next(Operation::CreateKey, 1, Fault::drop_connection_after_acting());
    ///
    /// let listed = client.list_keys(project, None).await?;
    /// let before: Vec<String> = listed.into_iter().map(|k| k.api_key.api_key_id).collect();
    /// let err = client.create_key(project, &request).await.unwrap_err();
    /// assert!(err.is_outcome_unknown(), "{err}");
    ///
    /// let made: Vec<_> = client
    ///     .list_keys(project, None)
    ///     .await?
    ///     .into_iter()
    ///     .map(|entry| entry.api_key)
    ///     .filter(|key| !before.contains(&key.api_key_id))
    ///     .filter(|key| key.comment == "billing export")
    ///     .filter(|key| key.tags.as_deref() == Some(&["run-42".to_owned()][..]))
    ///     .collect();
    /// assert_eq!(made.len(), 1, "the lost create made this one key");
    ///
    /// // Its secret is gone: delete it, and create again.
    /// client.delete_key(project, &made[0].api_key_id).await?;
    /// let created = client.create_key(project, &request).await?;
    /// # assert_ne!(created.api_key_id, made[0].api_key_id);
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_outcome_unknown(&self) -> bool {
        match self {
            Self::Api(api) => api.may_have_created(),
            Self::Timeout { operation, .. } => *operation == Operation::CreateKey,
            Self::Transport {
                operation, source, ..
            } => *operation == Operation::CreateKey && !source.is_connect(),
            Self::Decode { operation, .. } | Self::BodyTooLarge { operation, .. } => {
                *operation == Operation::CreateKey
            }
            _ => false,
        }
    }

    /// The API error, when the service answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(api) => Some(api),
            _ => None,
        }
    }

    /// Deepgram's id of the request that failed, when the service answered
    /// with one: [`ApiError::request_id`]. Quote it when asking Deepgram
    /// for support.
    pub fn request_id(&self) -> Option<&str> {
        self.api().and_then(|api| api.request_id.as_deref())
    }
}

/// A response body as received, made safe to show: the client's own token
/// and everything shaped like a key secret (every `key` field, every run of
/// 32 or more hex digits) are replaced by `<redacted>`, whatever the
/// encoding, and a body longer than 16 KiB is cut, with a note saying so.
/// A `create_key` body that failed to decode is withheld whole, since the
/// new key's secret may sit in it in a form no rule recognizes (prose, an
/// unknown field): list the keys to find the key.
#[derive(Clone, PartialEq)]
pub struct RawBody(String);

impl RawBody {
    /// `cut`: whether the server sent more than `bytes`.
    pub(crate) fn new(bytes: &[u8], cut: bool, redactor: &Redactor) -> Self {
        let kept = &bytes[..bytes.len().min(MAX_ERROR_BODY)];
        let mut text = redactor.redact(&String::from_utf8_lossy(kept));
        if cut || kept.len() < bytes.len() {
            text.push_str(&format!(
                " [cut: only the first {} bytes are kept]",
                kept.len()
            ));
        }
        Self(text)
    }

    /// What an undecodable `create_key` body is shown as: only its length.
    /// Any 2xx answer to a create may hold the new secret, in any shape.
    pub(crate) fn withheld(len: usize) -> Self {
        Self(format!(
            "<redacted> ({len} bytes, withheld: a create's answer may hold the new key's secret)"
        ))
    }

    /// The body as kept (lossily decoded as UTF-8), redacted.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawBody({:?})", self.0)
    }
}

/// What an error says when a create may have taken effect.
const OUTCOME_UNKNOWN: &str = "; the request may have reached the service, so the key may have been created: list the keys before trying again";
/// What an error says when a create's answer arrived but could not be read.
const CREATED_BUT_UNREAD: &str = "; the key may have been created, but its secret cannot be read from this answer: list the keys before trying again";

/// ` (N attempts)` when the call was retried, so that a reader knows the
/// retries are spent; nothing for a single attempt.
fn attempts_made(attempts: u32) -> String {
    if attempts > 1 {
        format!(" ({attempts} attempts)")
    } else {
        String::new()
    }
}

/// The root cause of a transport failure in a few words: what a reader needs
/// first, without reqwest's wrapping ("error sending request for url ...").
fn connection_failure(err: &reqwest::Error) -> String {
    let chain = || std::iter::successors(Some(err as &dyn std::error::Error), |e| e.source());
    let root = chain().last().map(ToString::to_string).unwrap_or_default();
    // An `io::Error` wrapping another hides it from `source()`; `get_ref`
    // reaches it.
    let io_kinds: Vec<ErrorKind> = chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .flat_map(|io| {
            std::iter::successors(Some(io), |io| {
                io.get_ref()?.downcast_ref::<std::io::Error>()
            })
        })
        .map(std::io::Error::kind)
        .collect();
    let has = |kind| io_kinds.contains(&kind);
    // hyper-util names a failed lookup only in its message.
    let dns = chain().any(|e| e.to_string() == "dns error");
    if dns {
        format!("DNS lookup failed ({root})")
    } else if has(ErrorKind::ConnectionRefused) {
        "connection refused; is the server running, on that port?".into()
    } else if err.is_connect() && (has(ErrorKind::TimedOut) || err.is_timeout()) {
        // Two timers race here: hyper-util's connector reports an
        // `io::ErrorKind::TimedOut`, reqwest's own connect timeout its
        // `TimedOut` ("operation timed out"), which only `is_timeout` sees.
        "timed out while connecting".into()
    } else if err.is_connect() && has(ErrorKind::InvalidData) {
        // How rustls and native-tls report a failed handshake.
        format!("TLS handshake failed ({root}); does the server speak https?")
    } else if err.is_connect() {
        format!("could not connect ({root})")
    } else {
        format!("the connection failed ({root})")
    }
}
