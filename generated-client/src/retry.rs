//! The retry policy: which failed attempts are tried again, and how long
//! to wait before each, within the call's one deadline.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

use crate::response::Received;

/// How failed attempts are retried.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    pub(crate) max_retries: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
}

/// Why an attempt is retried.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RetryReason {
    /// 429: the service did not act on the request.
    RateLimited,
    /// 408 or a 5xx on a request that is safe to repeat.
    ServerError,
    /// No connection could be made, so nothing was sent.
    ConnectFailed,
    /// The connection broke after the request was sent.
    ConnectionLost,
}

impl RetryReason {
    #[cfg(feature = "tracing")]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::RateLimited => "rate_limited",
            Self::ServerError => "server_error",
            Self::ConnectFailed => "connect_failed",
            Self::ConnectionLost => "connection_lost",
        }
    }
}

/// Requests that may be sent again without changing the outcome. `POST`
/// (create a key) is not one of them: sent twice, it creates two keys.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// How long to wait before the next attempt and why, or `None` when the
/// result must be returned as it is.
pub(crate) fn retry_wait(
    result: &reqwest::Result<Received>,
    idempotent: bool,
    retries_done: u32,
    policy: &RetryPolicy,
) -> Option<(Duration, RetryReason)> {
    let reason = match result {
        // The service refused the request without acting on it, whatever the method.
        Ok(response) if response.status == StatusCode::TOO_MANY_REQUESTS => {
            RetryReason::RateLimited
        }
        Ok(response)
            if idempotent
                && matches!(
                    response.status,
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
        .and_then(|response| retry_after(&response.headers));
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
    use reqwest::header::HeaderValue;

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
