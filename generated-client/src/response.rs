//! Reading the response an attempt gets, within bounds: a success body up
//! to the client's limit ([`ClientBuilder::max_response_body`]), an error
//! body up to [`MAX_ERROR_BODY`], the rest left unread. Reading the whole
//! body here, inside the attempt's share of the deadline, lets the retry
//! policy see a connection that breaks half-way through a body, and keeps
//! what an error is built from: the generated code decodes any JSON object
//! as an empty error body and loses the status of a body that is not JSON.
//!
//! [`ClientBuilder::max_response_body`]: crate::ClientBuilder::max_response_body

use bytes::{Bytes, BytesMut};
use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};

use crate::redact::Redactor;

/// The header Deepgram puts its id of the request in.
const REQUEST_ID_HEADER: &str = "dg-request-id";

/// The most of a request id kept, in bytes. Deepgram's are 36-character
/// UUIDs; a header may be hundreds of KiB, and errors and spans show it.
const MAX_REQUEST_ID: usize = 128;

/// The request id a response carries, redacted like everything a server
/// says: a server that echoes the token there must not get it logged.
pub(crate) fn request_id(headers: &HeaderMap, redactor: &Redactor) -> Option<String> {
    let value = headers.get(REQUEST_ID_HEADER)?;
    let bytes = value.as_bytes();
    let kept = &bytes[..bytes.len().min(MAX_ERROR_BODY)];
    Some(request_id_text(&String::from_utf8_lossy(kept), redactor))
}

/// A request id as shown, from a header or a body: redacted, then cut to
/// [`MAX_REQUEST_ID`] bytes (after redaction, so that the cut cannot leave
/// a piece of the token too short to be recognized).
pub(crate) fn request_id_text(raw: &str, redactor: &Redactor) -> String {
    let redacted = redactor.redact(raw);
    if redacted.len() <= MAX_REQUEST_ID {
        return redacted;
    }
    format!("{}...", cut_at_char_boundary(&redacted, MAX_REQUEST_ID))
}

/// At most `max` bytes of `text`, ending on a character boundary: slicing
/// by bytes alone fails inside a multibyte character.
pub(crate) fn cut_at_char_boundary(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The most of an error body a client keeps (16 KiB): Deepgram's error
/// bodies are a few hundred bytes, a gateway's HTML page a few KiB. The
/// rest is not read, and the error says the body was cut.
pub const MAX_ERROR_BODY: usize = 16 * 1024;

/// What one attempt received.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    /// The body, or as much of it as is kept.
    pub(crate) body: Bytes,
    /// Whether the body went on past what is kept.
    pub(crate) cut: bool,
}

impl Received {
    /// The response the generated code reads: the body as kept.
    pub(crate) fn to_response(&self) -> Response {
        let mut copy = http::Response::new(self.body.clone());
        *copy.status_mut() = self.status;
        *copy.headers_mut() = self.headers.clone();
        Response::from(copy)
    }
}

/// Reads the response's body: an error body up to [`MAX_ERROR_BODY`], a
/// success body up to `success_limit`. Beyond the bound nothing more is
/// read, and `cut` is set.
pub(crate) async fn read(
    mut response: Response,
    success_limit: usize,
) -> reqwest::Result<Received> {
    let status = response.status();
    let limit = if status.is_success() {
        success_limit
    } else {
        MAX_ERROR_BODY
    };
    let headers = std::mem::take(response.headers_mut());
    let declared_over = response
        .content_length()
        .is_some_and(|length| length > limit as u64);
    if declared_over && status.is_success() {
        // Nothing of it would be kept: do not wait for any of it.
        return Ok(Received {
            status,
            headers,
            body: Bytes::new(),
            cut: true,
        });
    }
    let mut body = BytesMut::new();
    let mut cut = false;
    while let Some(chunk) = response.chunk().await? {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            cut = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Received {
        status,
        headers,
        body: body.freeze(),
        cut,
    })
}
