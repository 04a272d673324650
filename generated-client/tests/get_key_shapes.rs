//! Both documented shapes of a `get_key` answer (flat, and wrapped in
//! `item`) reach the caller as one `KeyWithMember`: the recorded fixtures of
//! each shape (`tests/fixtures/get_key/`), served as they are by wiremock.

use deepgram_keys::{Client, KeyWithMember};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// What the client hands over for `body`, a 200 answer of `get_key`.
async fn get_through_client(body: &[u8]) -> KeyWithMember {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.to_vec(), "application/json"))
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key("t")
        .base_url(server.uri())
        .build()
        .unwrap();
    client.get_key("p", "k").await.unwrap()
}

#[tokio::test]
async fn both_get_shapes_give_the_same_value() {
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/get_key");
    for (flat, wrapped) in [
        ("200-flat-shape.json", "200-wrapped-shape.json"),
        ("200-flat-minimal.json", "200-wrapped-minimal.json"),
    ] {
        let read = |name: &str| {
            std::fs::read(fixtures.join(name)).unwrap_or_else(|err| panic!("{name}: {err}"))
        };
        let from_flat = get_through_client(&read(flat)).await;
        let from_wrapped = get_through_client(&read(wrapped)).await;
        assert_eq!(
            from_flat, from_wrapped,
            "{flat} and {wrapped} decode differently"
        );
    }
}
