//! Which calls are sent again, when, and how often: 429 for every operation
//! (as `Retry-After` asks, within the deadline); 408, 500, 502, 503, 504 and
//! a connection lost after sending for the idempotent operations only; a
//! connection never made for all. `create_key` is never sent twice once it
//! may have reached the service.
//!
//! On wiremock, which answers each attempt as the test says and counts what
//! arrived; a [`RawServer`] that hangs up after reading, for a connection
//! lost after sending; and addresses of 127.0.0.1 where nothing answers.

mod support;

use std::net::TcpListener;
use std::time::{Duration, Instant, SystemTime};

use deepgram_keys::{Client, CreateKey, Error};
use serde_json::json;
use support::{NEW_SECRET, RawServer, TOKEN, assert_no_secrets, builder, client, closed_address};
use wiremock::matchers::{any, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Mounts `first` for the next `times` requests, before anything else
/// mounted on `server`.
async fn first_answers(server: &MockServer, times: u64, first: ResponseTemplate) {
    Mock::given(any())
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
}

/// Answers every request with `answer`.
async fn always(server: &MockServer, answer: ResponseTemplate) {
    Mock::given(any()).respond_with(answer).mount(server).await;
}

fn no_keys() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"api_keys": []}))
}

/// How many requests with `verb` reached `server`.
async fn sent(server: &MockServer, verb: &str) -> usize {
    let requests = server.received_requests().await.unwrap();
    requests
        .iter()
        .filter(|request| request.method.as_str() == verb)
        .count()
}

#[tokio::test]
async fn rate_limits_are_retried_as_retry_after_asks() {
    let server = MockServer::start().await;
    first_answers(
        &server,
        1,
        ResponseTemplate::new(429).insert_header("retry-after", "1"),
    )
    .await;
    always(&server, no_keys()).await;
    let started = Instant::now();
    client(&server).list_keys("p", None).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(1),
        "Retry-After: 1 was not honoured: {waited:?}"
    );
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    assert_eq!(sent(&server, "GET").await, 2, "the 429, then the answer");
}

#[tokio::test]
async fn a_rate_limited_create_is_retried_because_nothing_was_created() {
    let server = MockServer::start().await;
    first_answers(&server, 1, ResponseTemplate::new(429)).await;
    always(
        &server,
        ResponseTemplate::new(200).set_body_json(
            json!({"api_key_id": "k", "key": NEW_SECRET, "comment": "c", "scopes": ["member"]}),
        ),
    )
    .await;
    let created = client(&server)
        .create_key("p", &CreateKey::new("c", ["member"]))
        .await
        .unwrap();
    assert_eq!(created.api_key_id, "k");
    assert_eq!(sent(&server, "POST").await, 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = MockServer::start().await;
    let in_two_seconds = SystemTime::now() + Duration::from_secs(2);
    first_answers(
        &server,
        1,
        ResponseTemplate::new(429)
            .insert_header("retry-after", httpdate::fmt_http_date(in_two_seconds)),
    )
    .await;
    always(&server, no_keys()).await;
    let started = Instant::now();
    client(&server).list_keys("p", None).await.unwrap();
    // HTTP dates have whole seconds, so the wait is between one and two.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(sent(&server, "GET").await, 2);
}

#[tokio::test]
async fn server_errors_are_retried_for_reads_and_deletes_only() {
    for status in [408, 500, 502, 503, 504] {
        let server = MockServer::start().await;
        always(&server, ResponseTemplate::new(status)).await;
        let client = client(&server);

        let err = client.get_key("p", "k").await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(
            sent(&server, "GET").await,
            3,
            "get_key {status}: 1 try + 2 retries"
        );

        client.delete_key("p", "k").await.unwrap_err();
        assert_eq!(
            sent(&server, "DELETE").await,
            3,
            "delete_key {status}: 1 try + 2 retries"
        );

        let err = client
            .create_key("p", &CreateKey::new("c", ["member"]))
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(
            sent(&server, "POST").await,
            1,
            "create_key {status} was sent twice"
        );
    }
}

/// A server error that ends before the retries do is not the caller's
/// business: the read succeeds.
#[tokio::test]
async fn a_read_succeeds_once_the_server_errors_stop() {
    let server = MockServer::start().await;
    first_answers(&server, 2, ResponseTemplate::new(500)).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(support::key_json()))
        .mount(&server)
        .await;
    client(&server).get_key("p", "k").await.unwrap();
    assert_eq!(sent(&server, "GET").await, 3, "two 500s, then the answer");
}

#[tokio::test]
async fn the_retry_count_is_configurable_down_to_zero() {
    for retries in [0u32, 1, 4] {
        let server = MockServer::start().await;
        always(&server, ResponseTemplate::new(503)).await;
        let client = builder(&server)
            .backoff(Duration::from_millis(10), Duration::from_millis(50))
            .max_retries(retries)
            .build()
            .unwrap();
        client.list_keys("p", None).await.unwrap_err();
        assert_eq!(sent(&server, "GET").await, retries as usize + 1);
    }
}

#[tokio::test]
async fn a_retry_after_past_the_timeout_returns_at_once() {
    let server = MockServer::start().await;
    first_answers(
        &server,
        1,
        ResponseTemplate::new(429).insert_header("retry-after", "30"),
    )
    .await;
    always(&server, no_keys()).await;
    let client = builder(&server)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.list_keys("p", None).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let api = err.api().unwrap();
    assert_eq!(api.retry_after, Some(Duration::from_secs(30)));
    assert_eq!(sent(&server, "GET").await, 1);
}

#[tokio::test]
async fn a_connection_lost_after_sending_retries_reads_but_never_a_create() {
    let server = RawServer::start();
    server.hang_up();
    let client = Client::builder()
        .api_key(TOKEN)
        .base_url(&server.base_url)
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
    assert_eq!(server.take_targets().len(), 1, "create_key was sent again");

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
        server.take_targets().len(),
        3,
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
