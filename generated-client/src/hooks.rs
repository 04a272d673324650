//! progenitor's hook contract, the one thing the generated file names:
//! [`CallState`], the generated client's inner value, and `impl
//! ClientHooks`, what happens to every request it sends. Auth and
//! user-agent headers, the check that ids stayed in their path segments,
//! attempts as the [retry policy](crate::retry) allows within one deadline,
//! and a record of the final response for error reporting.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, USER_AGENT};
use reqwest::{Request, Response};

use crate::config::Config;
use crate::generated::Client as GeneratedClient;
use crate::path_segment;
use crate::response::{self, Received};
use crate::retry::{is_idempotent, retry_wait};
use crate::telemetry;

/// The generated client's inner value: one per call, so that the hooks can
/// hand back to the caller what the generated code does not keep: the final
/// response as received (it decodes any JSON object as an empty error body,
/// loses the status of a body that is not JSON, and knows nothing of a body
/// cut at the limit) and how many attempts were made.
#[derive(Debug, Clone)]
pub struct CallState {
    pub(crate) config: Arc<Config>,
    /// The ids the call puts into the request path, in order.
    path_ids: Vec<String>,
    received: Arc<Mutex<Option<Received>>>,
    attempts: Arc<AtomicU32>,
}

impl CallState {
    pub(crate) fn new(config: Arc<Config>, path_ids: Vec<String>) -> Self {
        Self {
            config,
            path_ids,
            received: Arc::default(),
            attempts: Arc::default(),
        }
    }

    /// The response the call ended with, if it ended with one.
    pub(crate) fn received(&self) -> Option<Received> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many requests the call sent (or tried to send).
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts.load(Ordering::Relaxed)
    }

    /// Sends one attempt and reads its response, within `timeout`.
    async fn attempt(
        &self,
        http: &reqwest::Client,
        mut request: Request,
        timeout: Duration,
        body_limit: usize,
    ) -> reqwest::Result<Received> {
        // Replaces any timeout of the `reqwest::Client`, and covers the body.
        *request.timeout_mut() = Some(timeout);
        self.attempts.fetch_add(1, Ordering::Relaxed);
        let response = http.execute(request).await?;
        response::read(response, body_limit).await
    }

    /// Keeps the final response for [`received`](Self::received) and hands
    /// on what the generated code reads.
    fn finish(&self, result: reqwest::Result<Received>) -> reqwest::Result<Response> {
        telemetry::answered(&result, &self.config.redactor);
        let received = result?;
        let response = received.to_response();
        *self.received.lock().unwrap_or_else(PoisonError::into_inner) = Some(received);
        Ok(response)
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

    async fn exec(&self, request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        let state = self.inner();
        let config = &state.config;
        let body_limit = config.success_limit(info.operation_id);
        // A timeout too large to add to the clock (`Duration::MAX`) means no
        // deadline at all: then no attempt has one either, whatever the
        // `reqwest::Client` says.
        let deadline = Instant::now().checked_add(config.timeout);
        let remaining = || {
            deadline.map_or(Duration::MAX, |deadline| {
                deadline.saturating_duration_since(Instant::now())
            })
        };
        let http = self.client();
        let idempotent = is_idempotent(request.method());
        let mut retries_done = 0;
        loop {
            telemetry::attempt(&request, retries_done + 1);
            // Attempts that may be followed by another send a copy; the last
            // sends the request itself. A streaming body cannot be copied
            // and is sent once.
            let copy = (retries_done < config.retry.max_retries)
                .then(|| request.try_clone())
                .flatten();
            let Some(attempt) = copy else {
                let result = state.attempt(http, request, remaining(), body_limit).await;
                return state.finish(result);
            };
            let result = state.attempt(http, attempt, remaining(), body_limit).await;
            let retry = retry_wait(&result, idempotent, retries_done, &config.retry)
                .filter(|(wait, _)| *wait < remaining());
            let Some((wait, reason)) = retry else {
                return state.finish(result);
            };
            retries_done += 1;
            telemetry::retrying(retries_done, wait, reason, &result, &config.redactor);
            drop(result);
            tokio::time::sleep(wait).await;
        }
    }
}
