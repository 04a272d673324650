//! The HTTP side of the fake: its own thread and runtime, a hyper connection
//! loop (so that a fault can drop a connection without answering), axum
//! routes, the request log and `dg-request-id`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Extension, FromRequestParts, Path, Query, Request, State as Shared};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde::Deserialize;
use tokio::sync::{Notify, oneshot};

use super::errors::{ErrorForm, Failure};
use super::state::{Call, Reply, State, malformed_id, uuid};
use super::{FaultKind, Operation, RecordedRequest, RetryAfter};

type SharedState = Arc<Mutex<State>>;

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
        .spawn(move || runtime.block_on(serve(listener, routes(state), stopped)))?;
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

fn routes(state: SharedState) -> Router {
    Router::new()
        .route(
            "/v1/projects/{project_id}/keys",
            get(project_keys).post(project_keys),
        )
        .route(
            "/v1/projects/{project_id}/keys/{key_id}",
            get(one_key).delete(one_key),
        )
        .fallback(unknown_path)
        .layer(middleware::from_fn_with_state(Arc::clone(&state), record))
        .with_state(state)
}

/// Logs every request and gives every response its `dg-request-id`.
async fn record(Shared(state): Shared<SharedState>, request: Request, next: Next) -> Response {
    let request_id = uuid();
    let (mut parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY).await;
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            let value = if *name == AUTHORIZATION {
                redact_authorization(value)
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), value)
        })
        .collect();
    lock(&state).requests.push(RecordedRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers,
        body: body.as_ref().map(|body| body.to_vec()).unwrap_or_default(),
        operation: None,
        api_key_id: None,
        request_id: request_id.clone(),
        status: None,
    });
    let mut response = match body {
        Ok(body) => {
            parts.extensions.insert(RequestId(request_id.clone()));
            next.run(Request::from_parts(parts, Body::from(body))).await
        }
        Err(_) => {
            let failure = Failure::new(400, "Bad Request", "The request body is too large.");
            let form = lock(&state).error_form;
            error_response(&failure, form, &request_id, None)
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

/// `Token <redacted>`: the scheme stays visible, the credential does not.
fn redact_authorization(value: &HeaderValue) -> String {
    let text = String::from_utf8_lossy(value.as_bytes());
    match text.trim().split_once(' ') {
        Some((scheme, _)) => format!("{scheme} <redacted>"),
        None => "<redacted>".to_owned(),
    }
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
}

/// What both routes hand to [`answer`].
struct Incoming<'a> {
    operation: Operation,
    headers: &'a HeaderMap,
    ids: Result<(String, Option<String>), PathRejection>,
    status: Result<Option<String>, String>,
    body: &'a [u8],
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
        headers: &headers,
        ids: ids.map(|Path(project)| (project, None)),
        status: query
            .map(|Query(query)| query.status)
            .map_err(|rejection| rejection.body_text()),
        body: &body,
    };
    answer(&context, incoming).await
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
        headers: &headers,
        ids: ids.map(|Path((project, key))| (project, Some(key))),
        status: Ok(None),
        body: &[],
    };
    answer(&context, incoming).await
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

/// Injects a queued fault, or lets the state answer.
async fn answer(context: &Context, incoming: Incoming<'_>) -> Response {
    let (state, connection) = (&context.state, &context.connection);
    let request_id = context.request_id.0.as_str();
    let (fault, form) = {
        let mut state = lock(state);
        let fault = state.take_fault(incoming.operation);
        (fault, state.error_form)
    };
    update_log(state, request_id, |logged| {
        logged.operation = Some(incoming.operation)
    });
    if let Some(fault) = fault {
        tokio::time::sleep(fault.after).await;
        match fault.kind {
            FaultKind::Status(status) => {
                return error_response(
                    &Failure::for_status(status),
                    form,
                    request_id,
                    fault.retry_after,
                );
            }
            FaultKind::DropConnection => {
                connection.0.notify_one();
                // The connection, and this handler with it, is dropped.
                return std::future::pending().await;
            }
            FaultKind::Delay => {}
        }
    }
    let Ok((project_id, key_id)) = incoming.ids else {
        // An id that does not even decode as UTF-8.
        let failure = malformed_id("invalid UTF-8 in the path".into());
        return error_response(&failure, form, request_id, None);
    };
    let authorization = incoming
        .headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let call = Call {
        operation: incoming.operation,
        authorization,
        project_id: &project_id,
        key_id: key_id.as_deref(),
        status: incoming
            .status
            .as_ref()
            .map(Option::as_deref)
            .map_err(Clone::clone),
        body: incoming.body,
    };
    let ((reply, api_key_id), form) = {
        let mut state = lock(state);
        (state.answer(&call), state.error_form)
    };
    update_log(state, request_id, |logged| logged.api_key_id = api_key_id);
    match reply {
        Reply::Ok(json) => (
            [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            json.to_string(),
        )
            .into_response(),
        Reply::Err(failure) => error_response(&failure, form, request_id, None),
    }
}

fn error_response(
    failure: &Failure,
    form: ErrorForm,
    request_id: &str,
    retry_after: Option<RetryAfter>,
) -> Response {
    let (content_type, body) = failure.body(form, request_id);
    let status = StatusCode::from_u16(failure.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
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
        RetryAfter::Seconds(wait) => {
            HeaderValue::from(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
        }
        RetryAfter::Date(when) => HeaderValue::from_str(&httpdate::fmt_http_date(when))
            .unwrap_or_else(|_| HeaderValue::from_static("0")),
    });
    if let Some(value) = retry_after {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

fn update_log(state: &SharedState, request_id: &str, change: impl FnOnce(&mut RecordedRequest)) {
    if let Some(logged) = lock(state)
        .requests
        .iter_mut()
        .rev()
        .find(|logged| logged.request_id == request_id)
    {
        change(logged);
    }
}

fn lock(state: &SharedState) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}
