//! The control endpoints of a fake started with
//! [`FakeBuilder::control`](crate::FakeBuilder::control): what a test in
//! another language needs of [`FakeDeepgram::fail`](crate::FakeDeepgram::fail),
//! [`clear_faults`](crate::FakeDeepgram::clear_faults),
//! [`set_now`](crate::FakeDeepgram::set_now) and
//! [`advance`](crate::FakeDeepgram::advance), over HTTP. They are not
//! logged, take no token (the fake is on this machine, for tests) and
//! answer `400` in plain text naming the field at fault.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as Shared;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::clock::timestamp;
use crate::server::{SharedState, lock};
use crate::{Fault, Matcher, Operation};

pub(crate) const FAULTS: &str = "/__fake/faults";
pub(crate) const CLOCK: &str = "/__fake/clock";

/// `POST /__fake/faults`: one fault, as [`FakeDeepgram::fail`](crate::FakeDeepgram::fail) takes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    /// `list_keys`, `get_key`, `create_key` or `delete_key`; every call when absent.
    operation: Option<String>,
    key_id: Option<String>,
    nth: Option<u32>,
    /// How many matching calls suffer it; default 1.
    times: Option<u32>,
    /// `status`, `drop_connection`, `drop_connection_after_acting`,
    /// `malformed_body`, `truncated_body` or `delay`.
    fault: String,
    status: Option<u16>,
    retry_after_seconds: Option<u64>,
    /// How long before the fault happens (the delay itself for `delay`).
    after_ms: Option<u64>,
}

/// `POST /__fake/clock`: stop the clock at `now`, or move it forward.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockRequest {
    now: Option<DateTime<Utc>>,
    advance_seconds: Option<u64>,
}

pub(crate) fn routes() -> Router<SharedState> {
    Router::new()
        .route(FAULTS, post(add_fault).delete(clear_faults))
        .route(CLOCK, post(move_clock))
}

fn refused(problem: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        problem,
    )
        .into_response()
}

fn read<T: DeserializeOwned>(path: &str, body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body)
        .map_err(|err| format!("{path}: the body is not what it takes: {err}"))
}

fn fault_of(request: &FaultRequest) -> Result<Fault, String> {
    let after = Duration::from_millis(request.after_ms.unwrap_or(0));
    let mut fault = match request.fault.as_str() {
        "status" => Fault::status(request.status.ok_or_else(|| {
            "`status` is required with \"fault\": \"status\", e.g. \"status\": 503".to_owned()
        })?),
        "drop_connection" => Fault::drop_connection(),
        "drop_connection_after_acting" => Fault::drop_connection_after_acting(),
        "malformed_body" => Fault::malformed_body(),
        "truncated_body" => Fault::truncated_body(),
        "delay" => Fault::delay(after),
        other => {
            return Err(format!(
                "`fault` {other:?} is none of status, drop_connection, drop_connection_after_acting, malformed_body, truncated_body, delay"
            ));
        }
    };
    if request.fault != "status"
        && (request.status.is_some() || request.retry_after_seconds.is_some())
    {
        return Err(
            "`status` and `retry_after_seconds` go only with \"fault\": \"status\"".to_owned(),
        );
    }
    fault = fault.after(after);
    if let Some(seconds) = request.retry_after_seconds {
        fault = fault.retry_after(Duration::from_secs(seconds));
    }
    Ok(fault)
}

fn matcher_of(request: &FaultRequest) -> Result<Matcher, String> {
    let mut matcher = match request.operation.as_deref() {
        None => Matcher::any(),
        Some(name) => {
            let operation = Operation::ALL
                .into_iter()
                .find(|operation| operation.id() == name)
                .ok_or_else(|| {
                    format!(
                        "`operation` {name:?} is none of list_keys, get_key, create_key, delete_key"
                    )
                })?;
            Matcher::operation(operation)
        }
    };
    if let Some(key_id) = &request.key_id {
        matcher = matcher.key_id(key_id.clone());
    }
    if let Some(nth) = request.nth {
        matcher = matcher.nth(nth);
    }
    Ok(matcher)
}

async fn add_fault(Shared(state): Shared<SharedState>, body: Bytes) -> Response {
    let request: FaultRequest = match read(FAULTS, &body) {
        Ok(request) => request,
        Err(problem) => return refused(problem),
    };
    match fault_of(&request).and_then(|fault| Ok((matcher_of(&request)?, fault))) {
        Ok((matcher, fault)) => {
            lock(&state)
                .faults
                .push(matcher, request.times.unwrap_or(1), fault);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(problem) => refused(format!("{FAULTS}: {problem}")),
    }
}

async fn clear_faults(Shared(state): Shared<SharedState>) -> StatusCode {
    lock(&state).faults.clear();
    StatusCode::NO_CONTENT
}

async fn move_clock(Shared(state): Shared<SharedState>, body: Bytes) -> Response {
    let request: ClockRequest = match read(CLOCK, &body) {
        Ok(request) => request,
        Err(problem) => return refused(problem),
    };
    let mut state = lock(&state);
    match (request.now, request.advance_seconds) {
        (Some(now), None) => state.clock().set_now(now),
        (None, Some(seconds)) => {
            let by = i64::try_from(seconds)
                .ok()
                .and_then(TimeDelta::try_seconds)
                .unwrap_or(TimeDelta::MAX);
            state.clock().advance(by);
        }
        _ => {
            return refused(format!(
                "{CLOCK}: give exactly one of `now` (an RFC 3339 date and time) and `advance_seconds`"
            ));
        }
    }
    let now = timestamp(state.now());
    (
        [(CONTENT_TYPE, "application/json")],
        serde_json::json!({ "now": now }).to_string(),
    )
        .into_response()
}
