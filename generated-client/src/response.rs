//! The response an attempt ends with, as the caller's error is built from
//! it: the generated code decodes any JSON object as an empty error body and
//! loses the status of a body that is not JSON, so error responses are kept
//! here as received.

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};

/// An error response as received: what [`ApiError`](crate::ApiError) is built
/// from, whatever the generated code made of the body.
#[derive(Debug, Clone)]
pub(crate) struct ErrorResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// Keeps an error response and hands on a copy for the generated code.
/// Successes pass untouched: copying them would cost every call.
pub(crate) async fn capture(
    result: reqwest::Result<Response>,
) -> (reqwest::Result<Response>, Option<ErrorResponse>) {
    let response = match result {
        Ok(response) if !response.status().is_success() => response,
        other => return (other, None),
    };
    let (status, headers) = (response.status(), response.headers().clone());
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(err) => return (Err(err), None),
    };
    let mut copy = http::Response::new(body.clone());
    *copy.status_mut() = status;
    *copy.headers_mut() = headers.clone();
    let kept = ErrorResponse {
        status,
        headers,
        body,
    };
    (Ok(Response::from(copy)), Some(kept))
}
