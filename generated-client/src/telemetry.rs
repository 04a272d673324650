//! What a call reports through `tracing` (feature `tracing`), and nothing
//! at all without the feature.
//!
//! One span per call, named after the operation, with target
//! `deepgram_keys`. Field names follow OpenTelemetry's HTTP conventions
//! where one fits (`http.request.method`, `url.full`, `server.address`,
//! `http.request.resend_count`, `http.response.status_code`, `error.type`)
//! and `tracing-opentelemetry`'s (`otel.kind`, `otel.status_code`); the rest
//! are Deepgram's own, under `deepgram.`. Neither the token, nor a new key's
//! secret, nor any body is ever recorded: only ids, statuses, counts and
//! times.

use std::time::Duration;

use reqwest::Request;

use crate::error::Error;
use crate::operation::Operation;
use crate::redact::Redactor;
use crate::response::Received;
#[cfg(feature = "tracing")]
use crate::response::request_id;
use crate::retry::RetryReason;

/// The span of one call; a zero-sized stand-in without the feature.
pub(crate) struct CallSpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

/// Opens the span of one call.
pub(crate) fn call(operation: Operation, project_id: &str, key_id: Option<&str>) -> CallSpan {
    #[cfg(feature = "tracing")]
    {
        use tracing::field::Empty;
        // Span names are fixed where the span is created, so each operation
        // gets its own.
        macro_rules! span {
            ($name:literal) => {
                tracing::info_span!(
                    target: "deepgram_keys",
                    $name,
                    otel.kind = "client",
                    otel.status_code = Empty,
                    deepgram.operation = operation.id(),
                    deepgram.project_id = project_id,
                    deepgram.key_id = key_id,
                    deepgram.attempts = Empty,
                    deepgram.request_id = Empty,
                    http.request.method = Empty,
                    http.request.resend_count = Empty,
                    http.response.status_code = Empty,
                    url.full = Empty,
                    server.address = Empty,
                    server.port = Empty,
                    error.type = Empty,
                    elapsed_ms = Empty,
                )
            };
        }
        let span = match operation {
            Operation::ListKeys => span!("list_keys"),
            Operation::CreateKey => span!("create_key"),
            Operation::GetKey => span!("get_key"),
            Operation::DeleteKey => span!("delete_key"),
        };
        CallSpan { span }
    }
    #[cfg(not(feature = "tracing"))]
    {
        let _ = (operation, project_id, key_id);
        CallSpan {}
    }
}

impl CallSpan {
    /// Runs the call inside the span and records how it ended.
    pub(crate) async fn run<T>(
        self,
        call: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        #[cfg(feature = "tracing")]
        {
            use tracing::Instrument;
            let started = std::time::Instant::now();
            let result = call.instrument(self.span.clone()).await;
            record_outcome(&self.span, &result, started.elapsed());
            result
        }
        #[cfg(not(feature = "tracing"))]
        {
            call.await
        }
    }
}

#[cfg(feature = "tracing")]
fn record_outcome<T>(span: &tracing::Span, result: &Result<T, Error>, elapsed: Duration) {
    span.record("elapsed_ms", elapsed.as_secs_f64() * 1000.0);
    let Err(err) = result else {
        return;
    };
    span.record("otel.status_code", "ERROR");
    let error_type = match err {
        // OpenTelemetry: the status code, as a string, for an error status.
        Error::Api(api) => {
            span.record("http.response.status_code", api.status.as_u16());
            if let Some(request_id) = &api.request_id {
                span.record("deepgram.request_id", request_id.as_str());
            }
            api.status.as_str()
        }
        Error::Timeout { .. } => "timeout",
        Error::Transport { .. } => "transport",
        Error::Decode { .. } => "decode",
        Error::BodyTooLarge { .. } => "body_too_large",
        Error::InvalidRequest { .. } => "invalid_request",
        Error::Config { .. } => "config",
    };
    span.record("error.type", error_type);
}

/// Records an attempt about to be sent; `attempt` counts from 1.
pub(crate) fn attempt(request: &Request, attempt: u32) {
    #[cfg(feature = "tracing")]
    {
        let span = tracing::Span::current();
        span.record("deepgram.attempts", attempt);
        if attempt == 1 {
            let url = request.url();
            span.record("http.request.method", request.method().as_str());
            span.record("url.full", url.as_str());
            if let Some(host) = url.host_str() {
                span.record("server.address", host);
            }
            if let Some(port) = url.port_or_known_default() {
                span.record("server.port", port);
            }
        } else {
            span.record("http.request.resend_count", attempt - 1);
        }
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (request, attempt);
}

/// Reports a retry: which one (from 1), how long the client waits before
/// it, why, and the status and request id of the attempt that failed.
pub(crate) fn retrying(
    retry: u32,
    wait: Duration,
    reason: RetryReason,
    failed: &reqwest::Result<Received>,
    redactor: &Redactor,
) {
    #[cfg(feature = "tracing")]
    {
        let response = failed.as_ref().ok();
        let status = response.map(|response| response.status.as_u16());
        let request_id = response.and_then(|response| request_id(&response.headers, redactor));
        let retry_after = response
            .is_some_and(|response| response.headers.contains_key(reqwest::header::RETRY_AFTER));
        tracing::info!(
            target: "deepgram_keys",
            retry,
            wait_ms = wait.as_secs_f64() * 1000.0,
            reason = reason.as_str(),
            retry_after,
            http.response.status_code = status,
            deepgram.request_id = request_id,
            "retrying after {wait:?}: {}",
            reason.as_str()
        );
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (retry, wait, reason, failed, redactor);
}

/// Records the status and request id of the response a call ends with.
pub(crate) fn answered(result: &reqwest::Result<Received>, redactor: &Redactor) {
    #[cfg(feature = "tracing")]
    if let Ok(response) = result {
        let span = tracing::Span::current();
        span.record("http.response.status_code", response.status.as_u16());
        if let Some(request_id) = request_id(&response.headers, redactor) {
            span.record("deepgram.request_id", request_id);
        }
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (result, redactor);
}
