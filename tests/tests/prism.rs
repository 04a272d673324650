//! The client against Prism serving our spec: Prism rejects any request that
//! does not match the spec and answers from the spec's examples.

use deepgram_keys::{Client, CreateKey, Error, KeyStatus, KeyWithMember};
use deepgram_keys_contract::prism::Prism;
use deepgram_keys_contract::spec::{Spec, spec_file};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

/// One Prism at a time: parallel tests would otherwise race for ports.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const PROJECT: &str = "0f4d7f8c-2a44-4a55-9d5c-7a3f2c1b9e10";
const KEY: &str = "3c1a6d2e-5b7f-4e8a-9c0d-1e2f3a4b5c6d";

fn client(prism: &Prism, prefer_status: Option<u16>) -> Client {
    let mut headers = HeaderMap::new();
    if let Some(status) = prefer_status {
        headers.insert(
            "prefer",
            HeaderValue::from_str(&format!("code={status}")).unwrap(),
        );
    }
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    Client::builder()
        .api_key("prism-token")
        .base_url(prism.base_url())
        .http_client(http)
        .max_retries(0)
        .build()
        .unwrap()
}

fn example(spec: &Spec, operation: &str, status: u16) -> Value {
    let response = spec.response(operation, status).unwrap();
    let content = response["content"].as_object().unwrap();
    content
        .iter()
        .find(|(media_type, _)| codegen::document::is_json(media_type))
        .map(|(_, media)| media["example"].clone())
        .unwrap()
}

#[tokio::test]
async fn every_operation_passes_prism_and_decodes_its_examples() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let prism = Prism::start(&spec_file()).unwrap_or_else(|err| panic!("{err}"));
    let spec = Spec::load().unwrap();
    let client = client(&prism, None);

    let listed = client
        .list_keys(PROJECT, Some(KeyStatus::Active))
        .await
        .unwrap();
    let expected: Vec<KeyWithMember> =
        serde_json::from_value(example(&spec, "list_keys", 200)["api_keys"].clone()).unwrap();
    assert_eq!(listed, expected);
    assert_eq!(client.list_keys(PROJECT, None).await.unwrap(), listed);

    let got = client.get_key(PROJECT, KEY).await.unwrap();
    let expected: KeyWithMember = serde_json::from_value(example(&spec, "get_key", 200)).unwrap();
    assert_eq!(got, expected);

    let request = CreateKey::new("a comment", ["member"])
        .tag("tag-1")
        .expires_at("2026-01-01T00:00:00Z".parse().unwrap());
    let created = client.create_key(PROJECT, &request).await.unwrap();
    let expected = example(&spec, "create_key", 200);
    assert_eq!(created.key.expose_secret(), expected["key"]);
    assert_eq!(created.api_key_id, expected["api_key_id"]);
    let with_ttl = CreateKey::new("ttl", ["usage:read", "keys:write"])
        .ttl(std::time::Duration::from_secs(3600));
    client.create_key(PROJECT, &with_ttl).await.unwrap();

    let deleted = client.delete_key(PROJECT, KEY).await.unwrap();
    assert_eq!(
        deleted.message.as_deref(),
        Some("Successfully deleted the API key!")
    );
}

#[tokio::test]
async fn every_declared_error_reaches_the_caller() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let prism = Prism::start(&spec_file()).unwrap_or_else(|err| panic!("{err}"));
    let spec = Spec::load().unwrap();
    for status in [400, 401, 403, 404, 429, 500, 503] {
        let client = client(&prism, Some(status));
        let request = CreateKey::new("c", ["member"]);
        let outcomes = [
            (
                "list_keys",
                client.list_keys(PROJECT, None).await.map(|_| ()),
            ),
            ("get_key", client.get_key(PROJECT, KEY).await.map(|_| ())),
            (
                "create_key",
                client.create_key(PROJECT, &request).await.map(|_| ()),
            ),
            (
                "delete_key",
                client.delete_key(PROJECT, KEY).await.map(|_| ()),
            ),
        ];
        for (operation, outcome) in outcomes {
            let expected = example(&spec, operation, status);
            let Err(Error::Api(api)) = outcome else {
                panic!("{operation} {status}: expected an API error, got {outcome:?}");
            };
            assert_eq!(api.status.as_u16(), status, "{operation}");
            assert_eq!(api.operation, operation);
            let code = ["category", "err_code", "error_code"]
                .iter()
                .find_map(|name| expected[*name].as_str());
            assert_eq!(api.code.as_deref(), code, "{operation} {status}");
            let message = ["message", "err_msg"]
                .iter()
                .find_map(|name| expected[*name].as_str());
            assert_eq!(api.message.as_deref(), message, "{operation} {status}");
            assert!(
                api.request_id.is_some(),
                "{operation} {status}: no request id from body or header"
            );
        }
    }
}

#[tokio::test]
async fn prism_rejects_a_request_the_spec_does_not_allow() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let prism = Prism::start(&spec_file()).unwrap_or_else(|err| panic!("{err}"));
    let url = format!("{}/v1/projects/{PROJECT}/keys", prism.base_url());
    let http = reqwest::Client::new();
    let misspelt = serde_json::json!({"comment": "c", "scopes": ["member"], "expiration": "2030-01-01T00:00:00Z"});
    let response = http
        .post(&url)
        .header("authorization", "Token prism-token")
        .json(&misspelt)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_client_error(),
        "Prism accepted a misspelt field: {}",
        response.status()
    );
    let unauthenticated = http.get(&url).send().await.unwrap();
    assert_eq!(unauthenticated.status(), 401);
}
