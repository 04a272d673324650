//! What `ClientBuilder` refuses, and how it says so: clearly, and without a
//! secret. No server needed.

mod support;

use std::time::Duration;

use deepgram_keys::{Client, Error};
use support::{TOKEN, assert_no_secrets};

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
