//! What the client puts on the wire and what reaches the caller, against
//! servers on 127.0.0.1: the fake Deepgram (`deepgram_keys_fake`) where
//! its faults say it, scripted wiremock servers for exact bodies and
//! headers, and raw sockets where a test counts connections.

use std::error::Error as _;
use std::fmt::{Debug, Display};
use std::io::Read;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use deepgram_keys::{Client, ClientBuilder, CreateKey, Error, KeyStatus};
use deepgram_keys_fake::{FakeDeepgram, Fault, GetKeyShape, Operation};
use serde_json::{Value, json};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "dg-test-token-0123456789abcdef0123456789abcdef";
const NEW_SECRET: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";

/// A builder aimed at `server`, with the test token.
fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder().api_key(TOKEN).base_url(server.uri())
}

/// A client for `server` with fast retries.
fn client(server: &MockServer) -> Client {
    builder(server)
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .build()
        .unwrap()
}

/// Neither the token nor a new key's secret may show in any formatting.
fn assert_no_secrets(value: &(impl Debug + Display)) {
    for shown in [
        format!("{value}"),
        format!("{value:?}"),
        format!("{value:#?}"),
    ] {
        assert!(!shown.contains(TOKEN), "the token leaked: {shown}");
        assert!(!shown.contains(NEW_SECRET), "a new key leaked: {shown}");
    }
}

/// Neither secret may show anywhere in an error's `source()` chain either.
fn assert_no_secrets_in_chain(err: &(dyn std::error::Error + 'static)) {
    let mut next = Some(err);
    while let Some(err) = next {
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(TOKEN), "the token leaked: {shown}");
        assert!(!shown.contains(NEW_SECRET), "a new key leaked: {shown}");
        next = err.source();
    }
}

fn key_json() -> Value {
    json!({
        "member": {"member_id": "m-1", "email": "ada@example.com"},
        "api_key": {"api_key_id": "k-1", "comment": "c", "scopes": ["member"], "created": "2024-05-21T17:19:49.373761Z"}
    })
}

async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests.remove(0)
}

fn assert_common_headers(request: &Request) {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(
        header("authorization").as_deref(),
        Some(format!("Token {TOKEN}").as_str())
    );
    assert_eq!(header("accept").as_deref(), Some("application/json"));
    let agent = header("user-agent").unwrap();
    assert_eq!(
        agent,
        concat!("deepgram-keys/", env!("CARGO_PKG_VERSION")),
        "{agent}"
    );
    assert!(
        header("api-version").is_none(),
        "progenitor's api-version header was sent"
    );
}

#[tokio::test]
async fn list_keys_sends_exactly_this() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"api_keys": [key_json()]})))
        .mount(&server)
        .await;
    let keys = client(&server)
        .list_keys("proj-1", Some(KeyStatus::Expired))
        .await
        .unwrap();
    assert_eq!(keys.len(), 1);
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), "/v1/projects/proj-1/keys");
    assert_eq!(request.url.query(), Some("status=expired"));
    assert!(request.body.is_empty());
    assert_common_headers(&request);

    client(&server).list_keys("proj-1", None).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[1].url.query(),
        None,
        "no status filter must send no query"
    );
}

#[tokio::test]
async fn get_and_delete_send_exactly_this() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(key_json()))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": "Successfully deleted the API key!"})),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    client.get_key("proj-1", "key-1").await.unwrap();
    client.delete_key("proj-1", "key-1").await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    for (request, verb) in requests.iter().zip(["GET", "DELETE"]) {
        assert_eq!(request.method.as_str(), verb);
        assert_eq!(request.url.path(), "/v1/projects/proj-1/keys/key-1");
        assert_eq!(request.url.query(), None);
        assert!(request.body.is_empty());
        assert_common_headers(request);
    }
}

#[tokio::test]
async fn create_key_sends_exactly_this_json() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/projects/proj-1/keys"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "api_key_id": "k-2", "key": NEW_SECRET, "comment": "ci", "scopes": ["keys:write", "keys:read"],
            "created": "2024-05-21T17:19:49.373761Z"
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let cases = [
        (
            CreateKey::new("ci", ["keys:write"]).ttl(Duration::from_secs(3600)),
            json!({"comment": "ci", "scopes": ["keys:write"], "time_to_live_in_seconds": 3600}),
        ),
        (
            CreateKey::new("ci", ["keys:write"])
                .tags(["a", "b"])
                .expires_at("2030-01-01T12:00:00Z".parse().unwrap()),
            json!({"comment": "ci", "scopes": ["keys:write"], "tags": ["a", "b"], "expiration_date": "2030-01-01T12:00:00Z"}),
        ),
    ];
    for (request, expected) in &cases {
        let created = client.create_key("proj-1", request).await.unwrap();
        assert_eq!(created.key.expose_secret(), NEW_SECRET);
        assert_no_secrets(&format!("{created:?}").as_str());
        let sent = server.received_requests().await.unwrap().pop().unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&sent.body).unwrap(),
            *expected
        );
        assert_eq!(
            sent.headers.get("content-type").unwrap(),
            "application/json"
        );
        assert_common_headers(&sent);
    }
    let plain = CreateKey::new("ci", ["member"]).tags(Vec::<String>::new());
    client.create_key("proj-1", &plain).await.unwrap();
    let sent = server.received_requests().await.unwrap().pop().unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&sent.body).unwrap(),
        json!({"comment": "ci", "scopes": ["member"]}),
        "empty tags and no expiry must be left out"
    );
}

#[tokio::test]
async fn create_key_without_scopes_sends_nothing() {
    let server = MockServer::start().await;
    let err = client(&server)
        .create_key("p", &CreateKey::new("c", Vec::<String>::new()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidRequest {
                operation: deepgram_keys::Operation::CreateKey,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn hostile_ids_stay_inside_their_path_segment() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(key_json()))
        .mount(&server)
        .await;
    let client = client(&server);
    let cases = [
        ("a/b", "a%2Fb"),
        (r"..\..\OTHER", "..%5C..%5COTHER"),
        ("x?admin=1", "x%3Fadmin%3D1"),
        ("frag#ment", "frag%23ment"),
        ("100%", "100%25"),
        ("with space", "with%20space"),
        ("../../v1/projects", "..%2F..%2Fv1%2Fprojects"),
        ("...", "..."),
        ("%2e%2e", "%252e%252e"),
        ("\u{ff0e}\u{ff0e}", "%EF%BC%8E%EF%BC%8E"),
        ("uuid-like_0.9~", "uuid-like_0.9~"),
    ];
    for (hostile, encoded) in cases {
        client.get_key("proj", hostile).await.unwrap();
        let sent = server.received_requests().await.unwrap().pop().unwrap();
        let raw_path = sent
            .url
            .as_str()
            .split_once("://")
            .unwrap()
            .1
            .split_once('/')
            .unwrap()
            .1;
        assert_eq!(
            raw_path,
            format!("v1/projects/proj/keys/{encoded}"),
            "key id {hostile:?}"
        );
        assert_eq!(
            sent.url.query(),
            None,
            "key id {hostile:?} leaked into the query"
        );
    }
    let before = server.received_requests().await.unwrap().len();
    for refused in [".", "..", "", "k\n", "\0"] {
        let err = client.delete_key("proj", refused).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidRequest {
                    operation: deepgram_keys::Operation::DeleteKey,
                    ..
                }
            ),
            "{refused:?}: {err:?}"
        );
        let err = client.list_keys(refused, None).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidRequest {
                    operation: deepgram_keys::Operation::ListKeys,
                    ..
                }
            ),
            "{refused:?}: {err:?}"
        );
    }
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        before,
        "a refused or empty id was sent"
    );
}

/// One error body form, served with `status`, and what the caller must see.
struct ErrorCase {
    status: u16,
    body: &'static str,
    content_type: &'static str,
    header_request_id: Option<&'static str>,
    code: Option<&'static str>,
    message: Option<&'static str>,
    details: Option<&'static str>,
    request_id: Option<&'static str>,
    raw_body: Option<&'static str>,
}

const ERROR_CASES: &[ErrorCase] = &[
    ErrorCase {
        status: 400,
        body: r#"{"category":"INVALID_JSON","message":"Invalid JSON submitted.","details":"missing field `xxx`","request_id":"r-400"}"#,
        content_type: "application/json",
        header_request_id: Some("h-400"),
        code: Some("INVALID_JSON"),
        message: Some("Invalid JSON submitted."),
        details: Some("missing field `xxx`"),
        request_id: Some("r-400"),
        raw_body: None,
    },
    ErrorCase {
        status: 401,
        body: r#"{"err_code":"INVALID_AUTH","err_msg":"Invalid credentials.","request_id":"r-401"}"#,
        content_type: "application/json",
        header_request_id: None,
        code: Some("INVALID_AUTH"),
        message: Some("Invalid credentials."),
        details: None,
        request_id: Some("r-401"),
        raw_body: None,
    },
    ErrorCase {
        status: 403,
        body: r#"{"err_code":"INSUFFICIENT_PERMISSIONS","err_msg":"Nope."}"#,
        content_type: "application/json",
        header_request_id: Some("h-403"),
        code: Some("INSUFFICIENT_PERMISSIONS"),
        message: Some("Nope."),
        details: None,
        request_id: Some("h-403"),
        raw_body: None,
    },
    ErrorCase {
        status: 404,
        body: "UUID parsing failed: invalid character: expected an optional prefix of `urn:uuid:`",
        content_type: "text/plain",
        header_request_id: Some("h-404"),
        code: None,
        message: None,
        details: None,
        request_id: Some("h-404"),
        raw_body: Some(
            "UUID parsing failed: invalid character: expected an optional prefix of `urn:uuid:`",
        ),
    },
    ErrorCase {
        status: 404,
        body: r#"{"category":"PROJECT_NOT_FOUND","message":"Project not found."}"#,
        content_type: "application/json",
        header_request_id: None,
        code: Some("PROJECT_NOT_FOUND"),
        message: Some("Project not found."),
        details: None,
        request_id: None,
        raw_body: None,
    },
    ErrorCase {
        status: 429,
        body: r#"{"err_code":"TOO_MANY_REQUESTS","err_msg":"Slow down.","request_id":"r-429"}"#,
        content_type: "application/json",
        header_request_id: None,
        code: Some("TOO_MANY_REQUESTS"),
        message: Some("Slow down."),
        details: None,
        request_id: Some("r-429"),
        raw_body: None,
    },
    ErrorCase {
        status: 500,
        body: r#"{"category":"INTERNAL","message":"Boom.","request_id":12345}"#,
        content_type: "application/json",
        header_request_id: None,
        code: Some("INTERNAL"),
        message: Some("Boom."),
        details: None,
        request_id: Some("12345"),
        raw_body: None,
    },
    ErrorCase {
        status: 503,
        body: r#"{"error_code":"SERVICE_UNAVAILABLE","message":"Try later.","request_id":"r-503"}"#,
        content_type: "application/json",
        header_request_id: Some("h-503"),
        code: Some("SERVICE_UNAVAILABLE"),
        message: Some("Try later."),
        details: None,
        request_id: Some("r-503"),
        raw_body: None,
    },
    ErrorCase {
        status: 502,
        body: "<html>Bad Gateway</html>",
        content_type: "text/html",
        header_request_id: None,
        code: None,
        message: None,
        details: None,
        request_id: None,
        raw_body: Some("<html>Bad Gateway</html>"),
    },
    ErrorCase {
        status: 404,
        body: r#"{"title":"Not Found","detail":"No route for /deepgarm/v1/projects"}"#,
        content_type: "application/json",
        header_request_id: None,
        code: None,
        message: None,
        details: None,
        request_id: None,
        raw_body: Some(r#"{"title":"Not Found","detail":"No route for /deepgarm/v1/projects"}"#),
    },
    ErrorCase {
        status: 409,
        body: r#"{"category":"CONFLICT","message":"Undeclared status."}"#,
        content_type: "application/json",
        header_request_id: Some("h-409"),
        code: Some("CONFLICT"),
        message: Some("Undeclared status."),
        details: None,
        request_id: Some("h-409"),
        raw_body: None,
    },
];

#[tokio::test]
async fn every_error_form_reaches_the_caller_of_every_operation() {
    for case in ERROR_CASES {
        let server = MockServer::start().await;
        let mut response =
            ResponseTemplate::new(case.status).set_body_raw(case.body, case.content_type);
        if let Some(id) = case.header_request_id {
            response = response.insert_header("dg-request-id", id);
        }
        Mock::given(any())
            .respond_with(response)
            .mount(&server)
            .await;
        let client = builder(&server).max_retries(0).build().unwrap();
        let outcomes = [
            ("list_keys", client.list_keys("p", None).await.map(|_| ())),
            ("get_key", client.get_key("p", "k").await.map(|_| ())),
            (
                "create_key",
                client
                    .create_key("p", &CreateKey::new("c", ["member"]))
                    .await
                    .map(|_| ()),
            ),
            ("delete_key", client.delete_key("p", "k").await.map(|_| ())),
        ];
        for (operation, outcome) in outcomes {
            let err = outcome.unwrap_err();
            assert_no_secrets(&err);
            let label = format!("{operation} {} {}", case.status, case.body);
            let api = err
                .api()
                .unwrap_or_else(|| panic!("{label}: not an API error: {err:?}"));
            assert_eq!(api.operation, operation, "{label}");
            assert_eq!(api.status.as_u16(), case.status, "{label}");
            assert_eq!(api.code.as_deref(), case.code, "{label}");
            assert_eq!(api.message.as_deref(), case.message, "{label}");
            assert_eq!(api.details.as_deref(), case.details, "{label}");
            assert_eq!(api.request_id.as_deref(), case.request_id, "{label}");
            assert_eq!(api.raw_body.as_deref(), case.raw_body, "{label}");
            let shown = err.to_string();
            assert!(shown.contains(&case.status.to_string()), "{label}: {shown}");
            for part in [case.code, case.message, case.request_id, case.raw_body]
                .into_iter()
                .flatten()
            {
                assert!(
                    shown.contains(part),
                    "{label}: {part:?} missing from {shown:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_success_body_that_does_not_decode_keeps_its_text_and_hides_the_secret() {
    let server = MockServer::start().await;
    let body = format!(r#"{{"api_key_id": "k", "key": "{NEW_SECRET}", "comment": 7}}"#);
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
        .mount(&server)
        .await;
    let err = client(&server)
        .create_key("p", &CreateKey::new("c", ["member"]))
        .await
        .unwrap_err();
    let Error::Decode {
        operation,
        status,
        body: raw,
        ..
    } = &err
    else {
        panic!("expected a decode error, got {err:?}");
    };
    assert_eq!(
        (*operation, status.as_u16()),
        (deepgram_keys::Operation::CreateKey, 200)
    );
    assert_eq!(raw.as_str(), body, "the body must be kept as received");
    assert!(err.to_string().contains("\"comment\":7"), "{err}");
    assert_no_secrets(&err);
}

#[tokio::test]
async fn rate_limits_are_retried_as_retry_after_asks() {
    let fake = FakeDeepgram::start();
    fake.fail_next(
        Operation::ListKeys,
        1,
        Fault::status(429).retry_after(Duration::from_secs(1)),
    );
    let started = Instant::now();
    fake.client()
        .list_keys(fake.project_id(), None)
        .await
        .unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(1),
        "Retry-After: 1 was not honoured: {waited:?}"
    );
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    let statuses: Vec<_> = fake
        .requests_for(Operation::ListKeys)
        .iter()
        .map(|request| request.status)
        .collect();
    assert_eq!(statuses, [Some(429), Some(200)]);
}

#[tokio::test]
async fn a_rate_limited_create_is_retried_because_nothing_was_created() {
    let fake = FakeDeepgram::start();
    fake.fail_next(Operation::CreateKey, 1, Fault::status(429));
    fake.client()
        .create_key(fake.project_id(), &CreateKey::new("c", ["member"]))
        .await
        .unwrap();
    assert_eq!(fake.requests_for(Operation::CreateKey).len(), 2);
    assert_eq!(
        fake.keys(fake.project_id()).len(),
        2,
        "one key created, besides the owner's"
    );
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let fake = FakeDeepgram::start();
    let in_two_seconds = std::time::SystemTime::now() + Duration::from_secs(2);
    fake.fail_next(
        Operation::ListKeys,
        1,
        Fault::status(429).retry_after_date(in_two_seconds),
    );
    let started = Instant::now();
    fake.client()
        .list_keys(fake.project_id(), None)
        .await
        .unwrap();
    // HTTP dates have whole seconds, so the wait is between one and two.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fake.requests_for(Operation::ListKeys).len(), 2);
}

#[tokio::test]
async fn server_errors_are_retried_for_reads_and_deletes_only() {
    for status in [408, 500, 502, 503, 504] {
        let fake = FakeDeepgram::start();
        let (client, project) = (fake.client(), fake.project_id());
        for operation in Operation::ALL {
            fake.fail_next(operation, 3, Fault::status(status));
        }
        let sent = |operation| fake.requests_for(operation).len();

        let err = client.get_key(project, "k").await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(
            sent(Operation::GetKey),
            3,
            "get_key {status}: 1 try + 2 retries"
        );

        client.delete_key(project, "k").await.unwrap_err();
        assert_eq!(
            sent(Operation::DeleteKey),
            3,
            "delete_key {status}: 1 try + 2 retries"
        );

        let err = client
            .create_key(project, &CreateKey::new("c", ["member"]))
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(
            sent(Operation::CreateKey),
            1,
            "create_key {status} was sent twice"
        );
    }
}

#[tokio::test]
async fn the_retry_count_is_configurable_down_to_zero() {
    for retries in [0u32, 1, 4] {
        let fake = FakeDeepgram::start();
        fake.fail_next(Operation::ListKeys, 10, Fault::status(503));
        let client = fake.client_builder().max_retries(retries).build().unwrap();
        client.list_keys(fake.project_id(), None).await.unwrap_err();
        assert_eq!(
            fake.requests_for(Operation::ListKeys).len(),
            retries as usize + 1
        );
    }
}

#[tokio::test]
async fn a_retry_after_past_the_timeout_returns_at_once() {
    let fake = FakeDeepgram::start();
    fake.fail_next(
        Operation::ListKeys,
        1,
        Fault::status(429).retry_after(Duration::from_secs(30)),
    );
    let client = fake
        .client_builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.list_keys(fake.project_id(), None).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let api = err.api().unwrap();
    assert_eq!(api.retry_after, Some(Duration::from_secs(30)));
    assert_eq!(fake.requests_for(Operation::ListKeys).len(), 1);
}

#[tokio::test]
async fn a_slow_server_gives_a_timeout_within_the_budget() {
    let fake = FakeDeepgram::start();
    fake.fail_next(Operation::ListKeys, 1, Fault::delay(Duration::from_secs(5)));
    let client = fake
        .client_builder()
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.list_keys(fake.project_id(), None).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                operation: deepgram_keys::Operation::ListKeys,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    assert!(err.to_string().contains("timed out"), "{err}");
}

/// An address on 127.0.0.1 that nothing listens on: connecting is refused.
fn closed_address() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// A server that reads each request and hangs up without answering, counting
/// connections: the request may have been acted on.
fn hang_up_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
        }
    });
    (format!("http://{address}"), connections)
}

#[tokio::test]
async fn a_connection_lost_after_sending_retries_reads_but_never_a_create() {
    let (base_url, connections) = hang_up_server();
    let client = Client::builder()
        .api_key(TOKEN)
        .base_url(&base_url)
        .backoff(Duration::from_millis(10), Duration::from_millis(20))
        .build()
        .unwrap();
    let err = client
        .create_key("p", &CreateKey::new("c", ["member"]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                operation: deepgram_keys::Operation::CreateKey,
                ..
            }
        ),
        "{err:?}"
    );
    assert_no_secrets(&err);
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "create_key was sent again"
    );

    let err = client.list_keys("p", None).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                operation: deepgram_keys::Operation::ListKeys,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1 + 3,
        "list_keys: 1 try + 2 retries"
    );
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_a_create() {
    let address = closed_address();
    let client = Client::builder()
        .api_key(TOKEN)
        .base_url(format!("http://{address}"))
        .backoff(Duration::from_millis(300), Duration::from_millis(300))
        .build()
        .unwrap();
    // The server comes up while the client waits to retry.
    let server = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let listener = TcpListener::bind(address).unwrap();
        let server = MockServer::builder().listener(listener).start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"api_key_id": "k", "key": NEW_SECRET, "comment": "c", "scopes": ["member"]}),
            ))
            .mount(&server)
            .await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        server.received_requests().await.unwrap().len()
    });
    let created = client
        .create_key("p", &CreateKey::new("c", ["member"]))
        .await
        .unwrap();
    assert_eq!(created.api_key_id, "k");
    assert_eq!(server.await.unwrap(), 1);
}

#[tokio::test]
async fn both_get_shapes_reach_the_caller_as_one_value() {
    let fake = FakeDeepgram::start();
    let (client, project) = (fake.client(), fake.project_id());
    let key_id = fake.keys(project)[0].api_key.api_key_id.clone();
    let from_flat = client.get_key(project, &key_id).await.unwrap();
    fake.set_get_key_shape(GetKeyShape::Wrapped);
    let from_wrapped = client.get_key(project, &key_id).await.unwrap();
    assert_eq!(from_flat, from_wrapped);
}

#[tokio::test]
async fn a_proxy_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(path("/deepgram/v1/projects/p/keys"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"api_keys": []})))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key(TOKEN)
        .base_url(format!("{}/deepgram/", server.uri()))
        .build()
        .unwrap();
    client.list_keys("p", None).await.unwrap();
}

#[tokio::test]
async fn the_user_agent_suffix_and_a_custom_http_client_are_used() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"api_keys": []})))
        .mount(&server)
        .await;
    let http = reqwest::Client::builder()
        .default_headers(
            [(
                reqwest::header::HeaderName::from_static("x-proxy-auth"),
                reqwest::header::HeaderValue::from_static("yes"),
            )]
            .into_iter()
            .collect(),
        )
        .build()
        .unwrap();
    let client = builder(&server)
        .user_agent_suffix("my-app/1.2")
        .http_client(http)
        .build()
        .unwrap();
    assert_no_secrets(&format!("{client:?}").as_str());
    client.list_keys("p", None).await.unwrap();
    let sent = only_request(&server).await;
    assert_eq!(
        sent.headers.get("user-agent").unwrap(),
        concat!("deepgram-keys/", env!("CARGO_PKG_VERSION"), " my-app/1.2")
    );
    assert_eq!(sent.headers.get("x-proxy-auth").unwrap(), "yes");
    assert_eq!(
        sent.headers.get("authorization").unwrap(),
        format!("Token {TOKEN}").as_str()
    );
}

#[test]
fn builder_errors_are_clear_and_secret_free() {
    let cases = [
        (Client::builder().build().unwrap_err(), "no API key given"),
        (Client::new("").unwrap_err(), "the API key is empty"),
        (
            Client::builder()
                .api_key(TOKEN)
                .base_url("api.deepgram.com")
                .build()
                .unwrap_err(),
            "is not a URL",
        ),
        (
            Client::builder()
                .api_key(TOKEN)
                .base_url("ftp://x")
                .build()
                .unwrap_err(),
            "must start with https://",
        ),
        (
            Client::builder()
                .api_key(TOKEN)
                .timeout(Duration::ZERO)
                .build()
                .unwrap_err(),
            "the timeout is zero",
        ),
        (
            Client::builder().api_key("bad\ntoken").build().unwrap_err(),
            "not allowed in an HTTP header",
        ),
    ];
    for (err, phrase) in cases {
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(err.to_string().contains(phrase), "{err}");
        assert_no_secrets(&err);
        assert!(!format!("{err:?}").contains("bad\ntoken"));
    }
}

#[tokio::test]
async fn a_decode_error_hides_secrets_serde_quotes_in_debug_and_chain() {
    let server = MockServer::start().await;
    // serde's message quotes the rejected value: here, a secret.
    let body =
        format!(r#"{{"api_key_id": "k", "key": "x", "comment": "c", "scopes": "{NEW_SECRET}"}}"#);
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let err = client(&server)
        .create_key("p", &CreateKey::new("c", ["member"]))
        .await
        .unwrap_err();
    let Error::Decode { reason, .. } = &err else {
        panic!("expected a decode error, got {err:?}");
    };
    assert!(reason.contains("expected a sequence"), "{reason}");
    assert_no_secrets(&err);
    assert_no_secrets_in_chain(&err);
}

#[tokio::test]
async fn a_404_that_is_not_deepgrams_keeps_its_body_and_suspects_the_base_url() {
    let server = MockServer::start().await;
    let body = r#"{"title":"Not Found","detail":"No route"}"#;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let err = client(&server).list_keys("p", None).await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.raw_body.as_deref(), Some(body));
    let shown = err.to_string();
    assert!(shown.contains(body), "{shown}");
    assert!(shown.contains("the base URL"), "{shown}");
    assert!(
        !shown.contains("key id"),
        "list_keys has no key id: {shown}"
    );
}

#[tokio::test]
async fn spent_retries_say_how_many_attempts_were_made() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let err = client(&server).get_key("p", "k").await.unwrap_err();
    assert_eq!(err.api().unwrap().attempts, 3);
    assert!(err.to_string().contains("(3 attempts)"), "{err}");
    let err = builder(&server)
        .max_retries(0)
        .build()
        .unwrap()
        .get_key("p", "k")
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().attempts, 1);
    assert!(!err.to_string().contains("attempts"), "{err}");
}

/// An address on 127.0.0.1 whose listen queue is full: connecting there
/// times out, as to a host that drops packets.
async fn unanswered_address() -> (
    std::net::SocketAddr,
    Vec<tokio::net::TcpStream>,
    tokio::net::TcpListener,
) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = socket.local_addr().unwrap();
    let listener = socket.listen(0).unwrap();
    let mut queued = Vec::new();
    while let Ok(Ok(stream)) = tokio::time::timeout(
        Duration::from_millis(200),
        tokio::net::TcpStream::connect(address),
    )
    .await
    {
        queued.push(stream);
    }
    (address, queued, listener)
}

#[tokio::test]
async fn a_connect_timeout_is_named_and_retried_even_for_a_create() {
    let (address, _queued, _listener) = unanswered_address().await;
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let client = Client::builder()
        .api_key(TOKEN)
        .base_url(format!("http://{address}"))
        .http_client(http)
        .backoff(Duration::from_millis(10), Duration::from_millis(20))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .create_key("p", &CreateKey::new("c", ["member"]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport { attempts: 3, .. }),
        "not a transport error after 3 attempts: {err:?}"
    );
    assert!(
        err.to_string().contains("timed out while connecting"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_refused_connection_names_the_cause_once() {
    let address = closed_address();
    let client = Client::builder()
        .api_key(TOKEN)
        .base_url(format!("http://{address}"))
        .max_retries(0)
        .build()
        .unwrap();
    let err = client.list_keys("p", None).await.unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("connection refused"), "{shown}");
    assert!(
        !shown.contains("error sending request"),
        "reqwest's wrapping: {shown}"
    );
    let mut chain = Vec::new();
    let mut next = err.source();
    while let Some(source) = next {
        chain.push(source.to_string());
        next = source.source();
    }
    assert!(chain.iter().any(|e| e.contains("os error")), "{chain:?}");
}

#[tokio::test]
async fn https_to_a_plain_http_port_is_named_a_tls_failure() {
    let server = MockServer::start().await;
    let client = Client::builder()
        .api_key(TOKEN)
        .base_url(server.uri().replace("http://", "https://"))
        .max_retries(0)
        .build()
        .unwrap();
    let err = client.list_keys("p", None).await.unwrap_err();
    assert!(err.to_string().contains("TLS handshake failed"), "{err}");
}

#[tokio::test]
async fn a_failed_dns_lookup_is_named() {
    #[derive(Debug)]
    struct NoSuchHost;
    impl reqwest::dns::Resolve for NoSuchHost {
        fn resolve(&self, _: reqwest::dns::Name) -> reqwest::dns::Resolving {
            Box::pin(async { Err("no such host".into()) })
        }
    }
    let http = reqwest::Client::builder()
        .dns_resolver(Arc::new(NoSuchHost))
        .build()
        .unwrap();
    let client = Client::builder()
        .api_key(TOKEN)
        .base_url("http://localhost:9")
        .http_client(http)
        .max_retries(0)
        .build()
        .unwrap();
    let err = client.list_keys("p", None).await.unwrap_err();
    assert!(
        err.to_string().contains("DNS lookup failed (no such host)"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unbounded_timeout_does_not_panic() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"api_keys": []})))
        .mount(&server)
        .await;
    let client = builder(&server).timeout(Duration::MAX).build().unwrap();
    client.list_keys("p", None).await.unwrap();
}

#[test]
fn plain_http_is_only_for_this_machine_unless_asked_for() {
    let remote = Client::builder()
        .api_key(TOKEN)
        .base_url("http://deepgram.internal:8080")
        .build()
        .unwrap_err();
    assert!(matches!(remote, Error::Config { .. }), "{remote:?}");
    assert!(remote.to_string().contains("unencrypted"), "{remote}");
    Client::builder()
        .api_key(TOKEN)
        .base_url("http://deepgram.internal:8080")
        .danger_allow_unencrypted_http(true)
        .build()
        .unwrap();
    Client::builder()
        .api_key(TOKEN)
        .base_url("http://localhost:8080")
        .build()
        .unwrap();
}

/// Found by the response fuzzer: a redirect was followed, and reqwest's
/// error then quoted the `Location` it was sent to.
#[tokio::test]
async fn redirects_are_not_followed() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("/v1/projects/OTHER/{NEW_SECRET}")),
        )
        .mount(&server)
        .await;
    let err = client(&server).delete_key("p", "k").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(307), "{err:?}");
    assert_no_secrets(&err);
    let requests = server.received_requests().await.unwrap();
    assert!(
        requests
            .iter()
            .all(|r| r.url.path() == "/v1/projects/p/keys/k"),
        "a redirect was followed"
    );
}

/// Found by the response fuzzer: a proxy that echoes the request put the
/// token into the error's fields.
#[tokio::test]
async fn an_echoed_token_is_redacted_from_errors() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("dg-request-id", TOKEN)
                .set_body_raw(
                    format!("bad request; you sent Authorization: Token {TOKEN}"),
                    "text/plain",
                ),
        )
        .mount(&server)
        .await;
    let err = client(&server).list_keys("p", None).await.unwrap_err();
    assert_no_secrets(&err);
    let api = err.api().unwrap();
    assert_eq!(
        api.raw_body.as_deref(),
        Some("bad request; you sent Authorization: Token <redacted>")
    );
    assert_eq!(api.request_id.as_deref(), Some("<redacted>"));
}
