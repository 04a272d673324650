//! What each call puts on the wire: method, path, query, headers and body,
//! exactly, on wiremock (which parses what arrived so a test can compare it).

mod support;

use std::time::Duration;

use deepgram_keys::{Client, CreateKey, Error, KeyStatus};
use serde_json::{Value, json};
use support::{NEW_SECRET, TOKEN, assert_no_secrets, builder, client, key_json, only_request};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

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
