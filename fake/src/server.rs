//! The HTTP side of the fake: its own thread and runtime, a hyper connection
//! loop (so that a fault can drop a connection without answering), axum
//! routes, the request log and `dg-request-id`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Extension, FromRequestParts, Path, Query, Request, State as Shared};
use axum::http::header::{
    AUTHORIZATION, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde::Deserialize;
use tokio::sync::{Notify, oneshot};

use crate::errors::{ErrorForm, Failure};
use crate::faults::{FaultKind, RetryAfter, matching};
use crate::new_key::parse_create_body;
use crate::redact;
use crate::scopes::check_grant;
use crate::state::{
    Call, PreparedCreate, Reply, State, created_json, malformed_id, token_of, uuid,
};
use crate::{Operation, RecordedRequest};

pub(crate) type SharedState = Arc<Mutex<State>>;

/// Request bodies larger than this are refused; a key's settings are a few
/// hundred bytes.
const MAX_BODY: usize = 1 << 20;

/// Stops the server when dropped.
pub(super) struct Handle {
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Binds `address` and serves on a thread of its own, so that the fake
/// works whatever runtime (or none) the test uses.
pub(super) fn start(
    address: SocketAddr,
    state: SharedState,
    control: bool,
) -> std::io::Result<(Handle, SocketAddr)> {
    let listener = std::net::TcpListener::bind(address)?;
    listener.set_nonblocking(true)?;
    let bound = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (shutdown, stopped) = oneshot::channel();
    let thread = std::thread::Builder::new()
        .name(format!("fake-deepgram-{}", bound.port()))
        .spawn(move || runtime.block_on(serve(listener, routes(state, control), stopped)))?;
    Ok((
        Handle {
            shutdown: Some(shutdown),
            thread: Some(thread),
        },
        bound,
    ))
}

/// Accepts connections until told to stop; dropping the runtime afterwards
/// closes every open connection.
async fn serve(
    listener: std::net::TcpListener,
    router: Router,
    mut stopped: oneshot::Receiver<()>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        let stream = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: the next accept may work.
                Err(_) => continue,
            },
        };
        let hang_up = Arc::new(Notify::new());
        let service = TowerToHyperService::new(
            router
                .clone()
                .layer(Extension(Connection(Arc::clone(&hang_up)))),
        );
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                // Dropping the connection closes the socket without an answer.
                _ = hang_up.notified() => {}
            }
        });
    }
}

/// Lets a handler close its connection without answering.
#[derive(Clone)]
struct Connection(Arc<Notify>);

/// The `dg-request-id` of the request being answered.
#[derive(Clone)]
struct RequestId(String);

/// What every operation's handler needs besides the request itself.
struct Context {
    state: SharedState,
    connection: Connection,
    request_id: RequestId,
}

impl FromRequestParts<SharedState> for Context {
    type Rejection = StatusCode;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, StatusCode> {
        // Both are inserted before any handler runs: the connection by the
        // accept loop, the request id by `record`.
        let connection = parts.extensions.get::<Connection>().cloned();
        let request_id = parts.extensions.get::<RequestId>().cloned();
        match (connection, request_id) {
            (Some(connection), Some(request_id)) => Ok(Self {
                state: Arc::clone(state),
                connection,
                request_id,
            }),
            _ => Err(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
}

/// The four operations, logged; with `control`, the control endpoints,
/// which are not.
fn routes(state: SharedState, control: bool) -> Router {
    let router = Router::new()
        .route(
            "/v1/projects/{project_id}/keys",
            get(project_keys).post(project_keys),
        )
        .route(
            "/v1/projects/{project_id}/keys/{key_id}",
            get(one_key).delete(one_key),
        )
        .fallback(unknown_path)
        .layer(middleware::from_fn_with_state(Arc::clone(&state), record));
    let router = if control {
        router.merge(crate::control::routes())
    } else {
        router
    };
    router.with_state(state)
}

/// Logs every request and gives every response its `dg-request-id`.
async fn record(Shared(state): Shared<SharedState>, request: Request, next: Next) -> Response {
    let request_id = uuid();
    let (mut parts, body) = request.into_parts();
    // A body declared too large is refused before a byte of it is read; one
    // that turns out too large (chunked) when the limit is reached.
    let declared_too_large = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|length| length.to_str().ok()?.parse::<u64>().ok())
        .is_some_and(|length| length > MAX_BODY as u64);
    let body = if declared_too_large {
        None
    } else {
        axum::body::to_bytes(body, MAX_BODY).await.ok()
    };
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            let value = redact::header_value(name.as_str(), value.as_bytes());
            (name.as_str().to_owned(), value)
        })
        .collect();
    lock(&state).requests.push(RecordedRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(redact::query),
        headers,
        body: body.as_ref().map(|body| body.to_vec()).unwrap_or_default(),
        operation: None,
        project_id: None,
        path_key_id: None,
        auth_key_id: None,
        fault: None,
        request_id: request_id.clone(),
        status: None,
    });
    let mut response = match body {
        Some(body) => {
            parts.extensions.insert(RequestId(request_id.clone()));
            next.run(Request::from_parts(parts, Body::from(body))).await
        }
        None => {
            let failure = Failure::new(400, "Bad Request", "The request body is too large.");
            let form = lock(&state).error_form;
            let mut response = error_response(&failure, form, &request_id, None);
            // The rest of the body is never read, so the connection cannot
            // carry another request: hyper closes it after this answer, and
            // the header tells the client not to send another on it.
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
            response
        }
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("dg-request-id", value);
    }
    update_log(&state, &request_id, |logged| {
        logged.status = Some(response.status().as_u16());
    });
    response
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
}

/// What both routes hand to [`answer`].
struct Incoming {
    operation: Operation,
    headers: HeaderMap,
    ids: Result<(String, Option<String>), PathRejection>,
    status: Result<Option<String>, String>,
    body: Bytes,
}

/// `GET` (list) and `POST` (create) on a project's keys.
async fn project_keys(
    context: Context,
    method: Method,
    ids: Result<Path<String>, PathRejection>,
    query: Result<Query<ListQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let incoming = Incoming {
        operation: if method == Method::POST {
            Operation::CreateKey
        } else {
            Operation::ListKeys
        },
        headers,
        ids: ids.map(|Path(project)| (project, None)),
        status: query
            .map(|Query(query)| query.status)
            .map_err(|rejection| rejection.body_text()),
        body,
    };
    answer(context, incoming).await
}

/// `GET` and `DELETE` on one key.
async fn one_key(
    context: Context,
    method: Method,
    ids: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let incoming = Incoming {
        operation: if method == Method::DELETE {
            Operation::DeleteKey
        } else {
            Operation::GetKey
        },
        headers,
        ids: ids.map(|Path((project, key))| (project, Some(key))),
        status: Ok(None),
        body: Bytes::new(),
    };
    answer(context, incoming).await
}

/// A path no operation serves, as Deepgram answers it.
async fn unknown_path(
    Extension(request_id): Extension<RequestId>,
    Shared(state): Shared<SharedState>,
) -> Response {
    let form = lock(&state).error_form;
    error_response(
        &Failure::new(404, "NOT_FOUND", "Not Found"),
        form,
        &request_id.0,
        None,
    )
}

/// What became of a call: an answer to send, or a connection to drop.
enum Outcome {
    Answer(Response),
    HangUp,
}

/// Injects a fault that matches the call, or lets the state answer.
///
/// The work runs in a task of its own, so that a call the client gave up on
/// (a timeout during a delay) still happens, as it would on a real service.
async fn answer(context: Context, incoming: Incoming) -> Response {
    let connection = context.connection.clone();
    let work = tokio::spawn(handle(context, incoming));
    match work.await {
        Ok(Outcome::Answer(response)) => response,
        Ok(Outcome::HangUp) | Err(_) => {
            connection.0.notify_one();
            // The connection, and this handler with it, is dropped.
            std::future::pending().await
        }
    }
}

async fn handle(context: Context, incoming: Incoming) -> Outcome {
    let state = &context.state;
    let request_id = context.request_id.0.as_str();
    let authorization = incoming
        .headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let token = authorization.and_then(token_of);
    let (project_id, key_id) = match &incoming.ids {
        Ok((project_id, key_id)) => (Some(project_id.clone()), key_id.clone()),
        Err(_) => (None, None),
    };
    let (logged, rules) = {
        let mut state = lock(state);
        let auth_key_id = token.and_then(|token| state.key_id_of_token(token));
        let logged = log_entry(&mut state, request_id).map(|logged| {
            logged.operation = Some(incoming.operation);
            logged.project_id = project_id;
            logged.path_key_id = key_id;
            logged.auth_key_id = auth_key_id;
            logged.clone()
        });
        (logged, state.faults.snapshot())
    };
    // Matchers may run code of the test's: never under the lock.
    let matched = logged
        .as_ref()
        .map(|logged| matching(&rules, logged, token))
        .unwrap_or_default();
    let (fault, form) = {
        let mut state = lock(state);
        let fault = state.faults.take(&matched);
        if let Some(logged) = log_entry(&mut state, request_id) {
            logged.fault = fault.clone();
        }
        (fault, state.error_form)
    };
    let mut after_acting = None;
    if let Some(fault) = fault {
        tokio::time::sleep(fault.after).await;
        match fault.kind {
            FaultKind::Status(status) => {
                let failure = Failure::for_status(status);
                return Outcome::Answer(error_response(
                    &failure,
                    form,
                    request_id,
                    fault.retry_after,
                ));
            }
            FaultKind::DropConnection => return Outcome::HangUp,
            FaultKind::Delay => {}
            kind => after_acting = Some(kind),
        }
    }
    let Ok((project_id, key_id)) = &incoming.ids else {
        // An id that does not even decode as UTF-8.
        let failure = malformed_id("invalid UTF-8 in the path".into());
        return Outcome::Answer(error_response(&failure, form, request_id, None));
    };
    let create = match incoming.operation {
        Operation::CreateKey => Some(prepare_create(state, token, incoming.body.clone()).await),
        _ => None,
    };
    let call = Call {
        operation: incoming.operation,
        authorization,
        project_id,
        key_id: key_id.as_deref(),
        status: incoming
            .status
            .as_ref()
            .map(Option::as_deref)
            .map_err(Clone::clone),
        create,
    };
    let (reply, form) = {
        let mut state = lock(state);
        (state.answer(call), state.error_form)
    };
    let response = match reply {
        Reply::Ok(json) => json_response(&json),
        Reply::Created(key) => json_response(&created_json(&key)),
        Reply::Err(failure) => error_response(&failure, form, request_id, None),
    };
    match after_acting {
        None => Outcome::Answer(response),
        Some(FaultKind::MalformedBody) => Outcome::Answer(garbled(response).await),
        Some(FaultKind::TruncatedBody) => Outcome::Answer(cut_short(response).await),
        Some(_) => Outcome::HangUp,
    }
}

fn json_response(json: &serde_json::Value) -> Response {
    (
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        json.to_string(),
    )
        .into_response()
}

/// Reads a create's body and judges its scopes against the caller's on a
/// blocking thread, without the fake's lock: a body of 60,000 scopes keeps
/// neither the lock nor the fake's one thread from other calls.
async fn prepare_create(state: &SharedState, token: Option<&str>, body: Bytes) -> PreparedCreate {
    let grantor = token.and_then(|token| lock(state).scopes_of_token(token));
    let prepared = tokio::task::spawn_blocking(move || {
        let parsed = parse_create_body(&body);
        let grant = match (&parsed, grantor) {
            (Ok(parsed), Some(scopes)) => {
                let granted = check_grant(&scopes, parsed.requested());
                Some((scopes, granted))
            }
            _ => None,
        };
        PreparedCreate { parsed, grant }
    })
    .await;
    prepared.unwrap_or_else(|_| PreparedCreate {
        parsed: Err(Failure::new(
            500,
            "INTERNAL",
            "The create could not be read.",
        )),
        grant: None,
    })
}

/// The first half of the answer's body, then bytes no JSON reader accepts.
async fn garbled(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let mut body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default()
        .to_vec();
    body.truncate(body.len() / 2);
    body.extend_from_slice(b"\x00<html>502 Bad Gateway");
    Response::from_parts(parts, Body::from(body))
}

/// The answer with a `Content-Length` for its whole body but only the first
/// half of it sent: the body then fails, and hyper closes the connection.
async fn cut_short(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    Response::from_parts(parts, Body::new(HalfBody::new(body)))
}

/// A body that promises `whole` bytes, yields the first half and then fails.
struct HalfBody {
    whole: u64,
    half: Option<Bytes>,
}

impl HalfBody {
    fn new(body: Bytes) -> Self {
        Self {
            whole: body.len() as u64,
            half: Some(body.slice(..body.len() / 2)),
        }
    }
}

impl hyper::body::Body for HalfBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
        std::task::Poll::Ready(Some(match self.half.take() {
            Some(half) => Ok(hyper::body::Frame::data(half)),
            None => Err(std::io::Error::other("the answer is cut short on purpose")),
        }))
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::SizeHint::with_exact(self.whole)
    }
}

fn error_response(
    failure: &Failure,
    form: ErrorForm,
    request_id: &str,
    retry_after: Option<RetryAfter>,
) -> Response {
    let (content_type, body) = failure.body(form, request_id);
    // A 1xx cannot end a response: hyper would send 500 instead, and the log
    // would say otherwise. So the fake sends, and logs, 500 for it too.
    let status = StatusCode::from_u16(failure.status)
        .ok()
        .filter(|status| !status.is_informational())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (
        status,
        [(CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response();
    if failure.status == 401 {
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Token realm=\"Deepgram\""),
        );
    }
    let retry_after = retry_after.map(|retry_after| match retry_after {
        RetryAfter::Seconds(wait) => HeaderValue::from(
            wait.as_secs()
                .saturating_add(u64::from(wait.subsec_nanos() > 0)),
        ),
        // An HTTP date is a year from 1970 to 9999 (`fmt_http_date` panics
        // outside): a date beyond is sent as the nearest one.
        RetryAfter::Date(when) => HeaderValue::from_str(&httpdate::fmt_http_date(
            when.clamp(SystemTime::UNIX_EPOCH, last_http_date()),
        ))
        .unwrap_or_else(|_| HeaderValue::from_static("0")),
    });
    if let Some(value) = retry_after {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

/// 9999-12-31T23:59:59Z, the last date an HTTP date can name.
fn last_http_date() -> SystemTime {
    SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(253_402_300_799)
}

fn update_log(state: &SharedState, request_id: &str, change: impl FnOnce(&mut RecordedRequest)) {
    if let Some(logged) = log_entry(&mut lock(state), request_id) {
        change(logged);
    }
}

fn log_entry<'s>(state: &'s mut State, request_id: &str) -> Option<&'s mut RecordedRequest> {
    state
        .requests
        .iter_mut()
        .rev()
        .find(|logged| logged.request_id == request_id)
}

pub(crate) fn lock(state: &SharedState) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}
