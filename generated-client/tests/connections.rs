//! Deadlines and transport failures: each named for what it is (timeout,
//! refused, TLS, DNS), redirects not followed, and no deadline at all when
//! asked. On wiremock, and on addresses of 127.0.0.1 where nothing answers.

mod support;

use std::error::Error as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use deepgram_keys::{Client, Error};
use serde_json::json;
use support::{NEW_SECRET, TOKEN, assert_no_secrets, builder, client, closed_address};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_slow_server_gives_a_timeout_within_the_budget() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"api_keys": []}))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let client = builder(&server)
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.list_keys("p", None).await.unwrap_err();
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
