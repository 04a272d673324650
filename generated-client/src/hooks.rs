//! progenitor's hooks: what happens to every request the generated client
//! sends. Auth and user-agent headers, the check that ids stayed in their
//! path segments, retries with backoff inside one deadline, and a record of
//! the final response for error reporting. Plugged in through
//! `ClientHooks`, so the generated file stays untouched.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, Request, Response, StatusCode};

use crate::generated::Client as GeneratedClient;
use crate::path_segment;
use crate::secret::ApiKeySecret;
use crate::telemetry::{self, RetryReason};

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
}

impl Config {
    /// The path of the base URL: `""`, or a proxy's prefix such as `/deepgram`
    /// (the base URL is stored normalized, without a trailing slash).
    fn base_path(&self) -> &str {
        let after_scheme = self.base_url.split_once("://").map_or("", |(_, rest)| rest);
        after_scheme
            .find('/')
            .map_or("", |start| &after_scheme[start..])
    }
}

/// How failed attempts are retried.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    pub(crate) max_retries: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
}

/// An error response as received: what [`ApiError`](crate::ApiError) is built
/// from, whatever the generated code made of the body.
#[derive(Debug, Clone)]
pub struct ErrorResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// The generated client's inner value: one per call, so that the hooks can
/// hand back to the caller what the generated code does not keep: the error
/// response as received (it decodes any JSON object as an empty error body,
/// and loses the status of a body that is not JSON) and how many attempts
/// were made.
#[derive(Debug, Clone)]
pub struct CallState {
    pub(crate) config: Arc<Config>,
    /// The ids the call puts into the request path, in order.
    path_ids: Vec<String>,
    error_response: Arc<Mutex<Option<ErrorResponse>>>,
    attempts: Arc<AtomicU32>,
}

impl CallState {
    pub(crate) fn new(config: Arc<Config>, path_ids: Vec<String>) -> Self {
        Self {
            config,
            path_ids,
            error_response: Arc::default(),
            attempts: Arc::default(),
        }
    }

    /// The error response the call ended with, if it ended with one.
    pub(crate) fn error_response(&self) -> Option<ErrorResponse> {
        self.error_response
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many requests the call sent (or tried to send).
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts.load(Ordering::Relaxed)
    }

    fn record_attempt(&self) {
        self.attempts.fetch_add(1, Ordering::Relaxed);
    }

    /// Keeps an error response for [`error_response`](Self::error_response)
    /// and hands on a copy for the generated code. Successes pass untouched:
    /// copying them would cost every call.
    async fn finish(&self, result: reqwest::Result<Response>) -> reqwest::Result<Response> {
        let response = match result {
            Ok(response) if !response.status().is_success() => response,
            other => return other,
        };
        let (status, headers) = (response.status(), response.headers().clone());
        let body = response.bytes().await?;
        *self
            .error_response
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(ErrorResponse {
            status,
            headers: headers.clone(),
            body: body.clone(),
        });
        let mut copy = http::Response::new(body);
        *copy.status_mut() = status;
        *copy.headers_mut() = headers;
        Ok(Response::from(copy))
    }
}

impl ClientHooks<CallState> for GeneratedClient {
    async fn pre<E>(
        &self,
        request: &mut Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let state = self.inner();
        // The last word on where the request goes: refuse it unless each id
        // is one whole segment of the URL that will be sent.
        path_segment::check_request_path(request.url(), state.config.base_path(), &state.path_ids)
            .map_err(progenitor_client::Error::InvalidRequest)?;
        let config = &state.config;
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, config.authorization.clone());
        headers.insert(USER_AGENT, config.user_agent.clone());
        // progenitor sends the spec's `info.version` as `api-version`;
        // Deepgram has no such header, and the spec's version is ours, not
        // the service's.
        headers.remove("api-version");
        Ok(())
    }

    async fn exec(&self, mut request: Request, _info: &OperationInfo) -> reqwest::Result<Response> {
        let state = self.inner();
        let config = &state.config;
        // A timeout too large to add to the clock (`Duration::MAX`) means no
        // deadline at all.
        let deadline = Instant::now().checked_add(config.timeout);
        let remaining =
            || deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
        let idempotent = is_idempotent(request.method());
        let mut retries_done = 0;
        loop {
            telemetry::attempt(&request, retries_done + 1);
            // Attempts that may be followed by another send a copy; the last
            // sends the request itself. A streaming body cannot be copied
            // and is sent once. Each attempt gets what is left of the
            // budget, which replaces any timeout of the `reqwest::Client`.
            let copy = (retries_done < config.retry.max_retries)
                .then(|| request.try_clone())
                .flatten();
            let Some(mut attempt) = copy else {
                *request.timeout_mut() = remaining();
                state.record_attempt();
                let result = self.client().execute(request).await;
                telemetry::answered(&result);
                return state.finish(result).await;
            };
            *attempt.timeout_mut() = remaining();
            state.record_attempt();
            let result = self.client().execute(attempt).await;
            let retry = retry_wait(&result, idempotent, retries_done, &config.retry)
                .filter(|(wait, _)| remaining().is_none_or(|remaining| *wait < remaining));
            let Some((wait, reason)) = retry else {
                telemetry::answered(&result);
                return state.finish(result).await;
            };
            retries_done += 1;
            telemetry::retrying(retries_done, wait, reason, &result);
            drop(result);
            tokio::time::sleep(wait).await;
        }
    }
}

/// Requests that may be sent again without changing the outcome. `POST`
/// (create a key) is not one of them: sent twice, it creates two keys.
fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// How long to wait before the next attempt and why, or `None` when the
/// result must be returned as it is.
fn retry_wait(
    result: &reqwest::Result<Response>,
    idempotent: bool,
    retries_done: u32,
    policy: &RetryPolicy,
) -> Option<(Duration, RetryReason)> {
    let reason = match result {
        // The service refused the request without acting on it, whatever the method.
        Ok(response) if response.status() == StatusCode::TOO_MANY_REQUESTS => {
            RetryReason::RateLimited
        }
        Ok(response)
            if idempotent
                && matches!(
                    response.status(),
                    StatusCode::REQUEST_TIMEOUT
                        | StatusCode::INTERNAL_SERVER_ERROR
                        | StatusCode::BAD_GATEWAY
                        | StatusCode::SERVICE_UNAVAILABLE
                        | StatusCode::GATEWAY_TIMEOUT
                ) =>
        {
            RetryReason::ServerError
        }
        Ok(_) => return None,
        // No connection was made (refused, DNS, TLS, or the connect timeout
        // passed), so no byte of the request was sent: safe even for a
        // create.
        Err(err) if err.is_connect() => RetryReason::ConnectFailed,
        // The attempt used up the call's whole remaining budget.
        Err(err) if err.is_timeout() => return None,
        // The request may have reached the service before the connection broke.
        Err(_) if idempotent => RetryReason::ConnectionLost,
        Err(_) => return None,
    };
    let asked = result
        .as_ref()
        .ok()
        .and_then(|response| retry_after(response.headers()));
    Some((
        asked.unwrap_or_else(|| backoff(retries_done, policy)),
        reason,
    ))
}

/// Exponential backoff with jitter: the n-th retry waits between 75% and 100%
/// of `initial * 2^n`, capped at `max`, so that clients that failed together
/// do not retry together.
fn backoff(retries_done: u32, policy: &RetryPolicy) -> Duration {
    let exponential = policy
        .initial_backoff
        .saturating_mul(2u32.saturating_pow(retries_done))
        .min(policy.max_backoff);
    exponential.mul_f64(1.0 - 0.25 * fastrand::f64())
}

/// The wait a `Retry-After` header asks for, in seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(retry_after).unwrap());
        headers
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(retry_after(&headers("7")), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&headers(" 0 ")), Some(Duration::ZERO));
        let in_a_minute = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(60));
        let wait = retry_after(&headers(&in_a_minute)).unwrap();
        assert!(
            wait > Duration::from_secs(55) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(60));
        assert_eq!(retry_after(&headers(&past)), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers("soon")), None);
        assert_eq!(retry_after(&headers("-3")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_stops_at_the_cap() {
        let policy = RetryPolicy {
            max_retries: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
        };
        for _ in 0..100 {
            let first = backoff(0, &policy);
            assert!(
                first >= Duration::from_millis(75) && first <= Duration::from_millis(100),
                "{first:?}"
            );
            let second = backoff(1, &policy);
            assert!(
                second >= Duration::from_millis(150) && second <= Duration::from_millis(200),
                "{second:?}"
            );
            let capped = backoff(10, &policy);
            assert!(
                capped >= Duration::from_millis(225) && capped <= Duration::from_millis(300),
                "{capped:?}"
            );
        }
    }

    #[test]
    fn only_safe_methods_are_idempotent() {
        assert!(is_idempotent(&Method::GET));
        assert!(is_idempotent(&Method::DELETE));
        assert!(!is_idempotent(&Method::POST));
        assert!(!is_idempotent(&Method::PATCH));
    }
}
