//! What reaches the caller when the service answers with an error or a body
//! the client cannot decode: every field of every error form, the body kept
//! as received, and never a secret. On wiremock, which serves each body and
//! header exactly.

mod support;

use deepgram_keys::{CreateKey, Error};
use support::{NEW_SECRET, TOKEN, assert_no_secrets, assert_no_secrets_in_chain, builder, client};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

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
async fn a_create_answer_that_does_not_decode_is_withheld_but_says_what_did_not_fit() {
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
    // Any answer to a create may hold the new secret in a shape no rule
    // knows, so none of it is shown; serde's reason still says what failed.
    assert_eq!(
        raw.as_str(),
        format!(
            "<redacted> ({} bytes, withheld: a create's answer may hold the new key's secret)",
            body.len()
        )
    );
    assert!(err.to_string().contains("integer `7`"), "{err}");
    assert_no_secrets(&err);
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
