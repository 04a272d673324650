//! progenitor's hook contract, the one thing the generated file names:
//! [`CallState`], the generated client's inner value, and `impl
//! ClientHooks`, what happens to every request it sends. Auth and
//! user-agent headers, the check that ids stayed in their path segments,
//! attempts as the [retry policy](crate::retry) allows within one deadline,
//! and a record of the final response for error reporting.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, USER_AGENT};
use reqwest::{Request, Response};

use crate::config::Config;
use crate::generated::Client as GeneratedClient;
use crate::path_segment;
use crate::response::{self, ErrorResponse};
use crate::retry::{is_idempotent, retry_wait};
use crate::telemetry;

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
    /// and hands on what the generated code reads.
    async fn finish(&self, result: reqwest::Result<Response>) -> reqwest::Result<Response> {
        let (result, kept) = response::capture(result).await;
        if let Some(kept) = kept {
            *self
                .error_response
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(kept);
        }
        result
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
