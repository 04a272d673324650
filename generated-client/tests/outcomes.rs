//! What a call reports when the network or the server misbehaves: a create
//! that may have taken effect says so, reads are retried when a body breaks,
//! a 200 that is an error is one, and the deadline is the client's own.

mod support;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use deepgram_keys::{Client, CreateKey, Error};
use support::HandledServer;

const TOKEN: &str = "outcome-token-5b1f0c2e9d8a";

const CREATED: &str = r#"{"api_key_id":"3c1a6d2e","key":"0123456789abcdef0123456789abcdef01234567","comment":"c","scopes":["member"],"created":"2024-05-21T17:19:49Z"}"#;

fn client(server: &HandledServer) -> Client {
    Client::builder()
        .api_key(TOKEN)
        .base_url(&server.base_url)
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn head(stream: &mut TcpStream, status: u16, length: usize) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n"
    );
}

/// What a server does with a connection after reading the request.
type Behaviour = fn(&mut TcpStream);

/// Every way a create's answer can be lost after the request arrived.
fn lost_answers() -> Vec<(&'static str, Behaviour)> {
    vec![
        ("closed after reading the request", |_| {}),
        ("headers, then closed mid-body", |stream| {
            head(stream, 201, CREATED.len());
            let _ = stream.write_all(&CREATED.as_bytes()[..20]);
        }),
        ("closed half-way through the head", |stream| {
            let _ = stream.write_all(b"HTTP/1.1 201 Created\r\ncontent-le");
        }),
        ("a garbled head", |stream| {
            let _ = stream.write_all(b"HTTP/1.1 2");
        }),
    ]
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_outcome_unknown_and_sent_once() {
    for (case, lose) in lost_answers() {
        // The server hangs up after `lose`: without the shutdown the
        // connection would stay open and the call end in a timeout, which
        // is a case of its own (below).
        let server = HandledServer::start(move |_, stream| {
            lose(stream);
            let _ = stream.shutdown(std::net::Shutdown::Both);
        });
        let err = client(&server)
            .create_key("p", &CreateKey::new("c", ["member"]))
            .await
            .unwrap_err();
        assert!(!matches!(err, Error::Timeout { .. }), "{case}: {err:?}");
        assert!(err.is_outcome_unknown(), "{case}: {err:?}");
        let message = err.to_string();
        assert!(
            message.contains("the key may have been created")
                && message.contains("list the keys before trying again"),
            "{case}: {message}"
        );
        assert!(
            !message.contains("0123456789abcdef01234567"),
            "{case}: {message}"
        );
        assert_eq!(server.requests(), 1, "{case}: a create must be sent once");
    }
}

/// What a server answers: status, extra header lines, body.
type Answer = (u16, &'static str, &'static str);

fn answering(answer: Answer) -> HandledServer {
    HandledServer::start(move |_, stream| {
        let (status, headers, body) = answer;
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\n{headers}content-length: {}\r\n\r\n{body}",
            body.len()
        );
    })
}

/// Whether a create answered this way may have made its key: every 5xx but
/// those that say the request was refused (501, 505, 511, and a 503 that is
/// the service's own, in its error form or with `Retry-After`).
fn may_have_created((status, headers, body): Answer) -> bool {
    match status {
        501 | 505 | 511 => false,
        503 => headers.is_empty() && body.is_empty(),
        500..=599 => true,
        _ => false,
    }
}

#[tokio::test]
async fn a_server_error_on_a_create_is_outcome_unknown_unless_it_refused_the_request() {
    const DEEPGRAM_FORM: &str = r#"{"category":"SERVICE_UNAVAILABLE","message":"m"}"#;
    const RETRY_AFTER: &str = "retry-after: 1\r\n";
    let mut answers: Vec<Answer> = (500..=599).map(|status| (status, "", "")).collect();
    for status in [500, 502, 503, 504] {
        answers.push((status, "", DEEPGRAM_FORM));
        answers.push((status, RETRY_AFTER, ""));
    }
    answers.extend([(429, "", ""), (400, "", DEEPGRAM_FORM), (404, "", "")]);
    for answer in answers {
        let server = answering(answer);
        let client = Client::builder()
            .api_key(TOKEN)
            .base_url(&server.base_url)
            .max_retries(0)
            .build()
            .unwrap();
        let unknown = may_have_created(answer);
        let err = client
            .create_key("p", &CreateKey::new("c", ["member"]))
            .await
            .unwrap_err();
        let message = err.to_string();
        assert_eq!(err.is_outcome_unknown(), unknown, "{answer:?}: {err:?}");
        assert_eq!(
            message.contains("the key may have been created")
                && message.contains("list the keys before trying again"),
            unknown,
            "{answer:?}: {message}"
        );
        assert!(
            !unknown || !message.contains("try again later"),
            "{answer:?}: {message}"
        );
        // A read answered the same way changed nothing.
        let err = client.list_keys("p", None).await.unwrap_err();
        assert!(!err.is_outcome_unknown(), "{answer:?}: {err:?}");
        assert!(
            !err.to_string().contains("may have been created"),
            "{answer:?}: {err}"
        );
        assert_eq!(server.requests(), 2, "{answer:?}");
    }
}

#[tokio::test]
async fn a_create_that_times_out_after_sending_is_outcome_unknown() {
    let server = HandledServer::start(|_, _| std::thread::sleep(Duration::from_secs(2)));
    let client = Client::builder()
        .api_key(TOKEN)
        .base_url(&server.base_url)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client
        .create_key("p", &CreateKey::new("c", ["member"]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert!(
        err.to_string().contains("the key may have been created"),
        "{err}"
    );
}

#[tokio::test]
async fn a_create_that_never_connected_is_not_outcome_unknown() {
    let unused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", unused.local_addr().unwrap());
    drop(unused);
    let client = Client::builder()
        .api_key(TOKEN)
        .base_url(base_url)
        .max_retries(0)
        .build()
        .unwrap();
    let err = client
        .create_key("p", &CreateKey::new("c", ["member"]))
        .await
        .unwrap_err();
    assert!(!err.is_outcome_unknown(), "{err:?}");
    assert!(!err.to_string().contains("may have been created"), "{err}");
}

#[tokio::test]
async fn reads_are_retried_when_the_connection_breaks_mid_body() {
    let body = r#"{"api_keys":[]}"#;
    let server = HandledServer::start(move |number, stream| {
        head(stream, 200, body.len());
        if number == 0 {
            let _ = stream.write_all(&body.as_bytes()[..5]);
            let _ = stream.shutdown(std::net::Shutdown::Both);
        } else {
            let _ = stream.write_all(body.as_bytes());
        }
    });
    let keys = client(&server).list_keys("p", None).await.unwrap();
    assert!(keys.is_empty());
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn a_delete_answered_with_an_error_body_is_an_error() {
    for body in [
        r#"{"err_msg":"Invalid credentials.","err_code":"INVALID_AUTH"}"#,
        r#"{"category":"INVALID_AUTH","message":"Invalid credentials."}"#,
        r#"{"error_code":"X"}"#,
    ] {
        let server = HandledServer::start(move |_, stream| {
            head(stream, 200, body.len());
            let _ = stream.write_all(body.as_bytes());
        });
        let err = client(&server).delete_key("p", "k").await.unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{body}: {err:?}");
        assert!(err.to_string().contains("error forms"), "{err}");
    }
    // A confirmation still is one.
    let server = HandledServer::start(|_, stream| {
        let body = r#"{"message":"Successfully deleted the API key!"}"#;
        head(stream, 200, body.len());
        let _ = stream.write_all(body.as_bytes());
    });
    client(&server).delete_key("p", "k").await.unwrap();
}

#[tokio::test]
async fn the_429_hint_claims_retries_only_when_there_were_some() {
    let server = HandledServer::start(|_, stream| head(stream, 429, 0));
    let once = Client::builder()
        .api_key(TOKEN)
        .base_url(&server.base_url)
        .max_retries(0)
        .build()
        .unwrap();
    let err = once.list_keys("p", None).await.unwrap_err().to_string();
    assert!(!err.contains("already retried"), "{err}");
    let err = client(&server)
        .list_keys("p", None)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("already retried") && err.contains("(3 attempts)"),
        "{err}"
    );
}

#[tokio::test]
async fn a_timeout_of_duration_max_overrides_the_http_clients_own() {
    let body = r#"{"api_keys":[]}"#;
    let server = HandledServer::start(move |_, stream| {
        std::thread::sleep(Duration::from_millis(600));
        head(stream, 200, body.len());
        let _ = stream.write_all(body.as_bytes());
    });
    let http = deepgram_keys::reqwest::Client::builder()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let client = Client::builder()
        .api_key(TOKEN)
        .base_url(&server.base_url)
        .http_client(http)
        .timeout(Duration::MAX)
        .build()
        .unwrap();
    client.list_keys("p", None).await.unwrap();
}

#[test]
fn a_client_outlives_the_runtime_it_was_first_used_on() {
    let body = r#"{"api_keys":[]}"#;
    let server = HandledServer::start(move |_, stream| {
        head(stream, 200, body.len());
        let _ = stream.write_all(body.as_bytes());
    });
    let client = client(&server);
    let started = Instant::now();
    for round in 0..3 {
        // As several `#[tokio::test]`s sharing a `static` client do.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime
            .block_on(client.list_keys("p", None))
            .unwrap_or_else(|err| panic!("round {round}: {err}"));
        drop(runtime);
    }
    assert!(started.elapsed() < Duration::from_secs(5));
}
