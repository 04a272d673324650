//! The fake Deepgram (`deepgram-keys-fake`) behaves like the service: state, tokens
//! and scopes, validation, shapes, error forms, faults and the request log.

use std::time::{Duration, Instant};

use deepgram_keys::reqwest;
use deepgram_keys::types::Member;
use deepgram_keys::{Client, CreateKey, Error, KeyStatus};
use deepgram_keys_fake::{ErrorForm, FakeDeepgram, Fault, GetKeyShape, Operation};
use serde_json::{Value, json};

/// A request as no client of this crate can send it, and the answer as
/// received.
struct Raw {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Raw {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|err| panic!("{err}: {}", self.text))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }
}

async fn raw(
    fake: &FakeDeepgram,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Raw {
    let mut request =
        reqwest::Client::new().request(method.parse().unwrap(), format!("{}{path}", fake.url()));
    if let Some(token) = token {
        request = request.header("authorization", format!("Token {token}"));
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    Raw {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap(),
    }
}

fn owner(fake: &FakeDeepgram) -> String {
    fake.owner_token().expose_secret().to_owned()
}

fn member(id: &str) -> Member {
    Member {
        member_id: id.to_owned(),
        email: format!("{id}@example.com"),
        first_name: None,
        last_name: None,
    }
}

/// A client of the fake's project authenticating with `token`.
fn client_with(fake: &FakeDeepgram, token: &str) -> Client {
    fake.client_builder().api_key(token).build().unwrap()
}

fn api_status(err: &Error) -> (u16, Option<&str>) {
    let api = err
        .api()
        .unwrap_or_else(|| panic!("not an API error: {err:?}"));
    (api.status.as_u16(), api.code.as_deref())
}

#[tokio::test]
async fn state_carries_across_calls_and_the_secret_is_returned_once() {
    let fake = FakeDeepgram::start();
    let client = fake.client();
    let project = fake.project_id();
    assert_eq!(
        client.list_keys(project, None).await.unwrap().len(),
        1,
        "the owner key"
    );

    let created = client
        .create_key(project, &CreateKey::new("ci", ["usage:read"]).tag("ci"))
        .await
        .unwrap();
    let secret = created.key.expose_secret().to_owned();
    assert_eq!(secret.len(), 40);
    assert!(secret.chars().all(|c| c.is_ascii_hexdigit()));

    let listed = client.list_keys(project, None).await.unwrap();
    let entry = listed
        .iter()
        .find(|entry| entry.api_key.api_key_id == created.api_key_id)
        .unwrap();
    assert_eq!(entry.api_key.comment, "ci");
    assert_eq!(entry.api_key.tags.as_deref(), Some(&["ci".to_owned()][..]));
    assert_eq!(entry.member.member_id, deepgram_keys_fake::OWNER_MEMBER_ID);
    let got = client.get_key(project, &created.api_key_id).await.unwrap();
    assert_eq!(&got, entry);
    assert_eq!(fake.keys(project).len(), 2);

    // The secret appears in no later response body.
    for path in [
        format!("/v1/projects/{project}/keys"),
        format!("/v1/projects/{project}/keys/{}", created.api_key_id),
    ] {
        let answer = raw(&fake, "GET", &path, Some(&owner(&fake)), None).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert!(!answer.text.contains(&secret), "{path} showed the secret");
        assert!(!answer.text.contains("\"key\""), "{}", answer.text);
    }

    client
        .delete_key(project, &created.api_key_id)
        .await
        .unwrap();
    let err = client
        .get_key(project, &created.api_key_id)
        .await
        .unwrap_err();
    assert_eq!(api_status(&err), (404, Some("NOT_FOUND")));
    let err = client
        .delete_key(project, &created.api_key_id)
        .await
        .unwrap_err();
    assert_eq!(api_status(&err), (404, Some("NOT_FOUND")));
    assert_eq!(client.list_keys(project, None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn created_keys_are_tokens_until_deleted_and_unknown_tokens_get_401() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let created = fake
        .client()
        .create_key(project, &CreateKey::new("rotated", ["keys:write"]))
        .await
        .unwrap();
    assert_eq!(
        created.scopes,
        ["keys:write", "keys:read"],
        "keys:write brings keys:read"
    );
    let rotated = client_with(&fake, created.key.expose_secret());
    assert_eq!(rotated.list_keys(project, None).await.unwrap().len(), 2);
    rotated
        .delete_key(project, &created.api_key_id)
        .await
        .unwrap();
    let err = rotated.list_keys(project, None).await.unwrap_err();
    assert_eq!(api_status(&err), (401, Some("INVALID_AUTH")));

    let path = format!("/v1/projects/{project}/keys");
    for authorization in [None, Some("not-a-known-token")] {
        let answer = raw(&fake, "GET", &path, authorization, None).await;
        assert_eq!(answer.status, 401, "{authorization:?}");
        assert_eq!(
            answer.header("www-authenticate"),
            Some("Token realm=\"Deepgram\"")
        );
        assert_eq!(answer.json()["err_code"], "INVALID_AUTH");
    }
    let bearer = reqwest::Client::new()
        .get(format!("{}{path}", fake.url()))
        .bearer_auth(owner(&fake))
        .send()
        .await
        .unwrap();
    assert_eq!(
        bearer.status(),
        401,
        "the management API takes no Bearer token"
    );
}

#[tokio::test]
async fn scopes_decide_403() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    fake.add_member(project, member("bob"));
    let plain = fake.add_key(project, "bob", &CreateKey::new("plain", ["member"]));
    let reader = fake.add_key(project, "bob", &CreateKey::new("reader", ["keys:read"]));
    let writer = fake.add_key(project, "bob", &CreateKey::new("writer", ["keys:write"]));
    let admin = fake.add_key(project, "bob", &CreateKey::new("admin", ["admin"]));

    let err = client_with(&fake, plain.key.expose_secret())
        .list_keys(project, None)
        .await
        .unwrap_err();
    assert_eq!(api_status(&err), (403, Some("INSUFFICIENT_PERMISSIONS")));

    let reader = client_with(&fake, reader.key.expose_secret());
    reader.list_keys(project, None).await.unwrap();
    let err = reader
        .create_key(project, &CreateKey::new("x", ["member"]))
        .await
        .unwrap_err();
    assert_eq!(api_status(&err), (403, Some("INSUFFICIENT_PERMISSIONS")));
    let err = reader
        .delete_key(project, &plain.api_key_id)
        .await
        .unwrap_err();
    assert_eq!(api_status(&err), (403, Some("INSUFFICIENT_PERMISSIONS")));

    let writer = client_with(&fake, writer.key.expose_secret());
    let err = writer
        .create_key(project, &CreateKey::new("x", ["usage:read"]))
        .await
        .unwrap_err();
    assert_eq!(
        api_status(&err),
        (403, Some("FORBIDDEN")),
        "a key grants only what it holds"
    );
    writer
        .create_key(project, &CreateKey::new("x", ["keys:read"]))
        .await
        .unwrap();

    let admin = client_with(&fake, admin.key.expose_secret());
    admin
        .create_key(project, &CreateKey::new("x", ["usage:write"]))
        .await
        .unwrap();
    let err = admin
        .create_key(project, &CreateKey::new("x", ["owner"]))
        .await
        .unwrap_err();
    assert_eq!(api_status(&err), (403, Some("FORBIDDEN")));

    fake.add_project("other-project");
    let err = fake
        .client()
        .list_keys("other-project", None)
        .await
        .unwrap_err();
    assert_eq!(
        api_status(&err),
        (403, Some("FORBIDDEN")),
        "a key of another project"
    );
}

#[tokio::test]
async fn expiry_by_date_or_ttl_follows_the_fakes_clock() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let client = fake.client();
    fake.set_now("2030-01-01T00:00:00Z".parse().unwrap());
    let by_ttl = client
        .create_key(
            project,
            &CreateKey::new("ttl", ["keys:read"]).ttl(Duration::from_secs(60)),
        )
        .await
        .unwrap();
    assert_eq!(
        by_ttl.expiration_date,
        Some("2030-01-01T00:01:00Z".parse().unwrap()),
        "a TTL is reported as its expiry date"
    );
    let by_date = client
        .create_key(
            project,
            &CreateKey::new("date", ["member"]).expires_at("2030-01-01T00:10:00Z".parse().unwrap()),
        )
        .await
        .unwrap();
    let ids = async |status| {
        let mut ids: Vec<String> = client
            .list_keys(project, status)
            .await
            .unwrap()
            .into_iter()
            .map(|entry| entry.api_key.api_key_id)
            .filter(|id| *id == by_ttl.api_key_id || *id == by_date.api_key_id)
            .collect();
        ids.sort();
        ids
    };
    let mut both = vec![by_ttl.api_key_id.clone(), by_date.api_key_id.clone()];
    both.sort();
    assert_eq!(ids(Some(KeyStatus::Active)).await, both);
    assert!(ids(Some(KeyStatus::Expired)).await.is_empty());

    fake.advance(Duration::from_secs(60));
    assert_eq!(
        ids(Some(KeyStatus::Expired)).await,
        std::slice::from_ref(&by_ttl.api_key_id)
    );
    assert_eq!(
        ids(Some(KeyStatus::Active)).await,
        std::slice::from_ref(&by_date.api_key_id)
    );
    assert_eq!(ids(None).await, both);
    let err = client_with(&fake, by_ttl.key.expose_secret())
        .list_keys(project, None)
        .await
        .unwrap_err();
    assert_eq!(
        api_status(&err),
        (401, Some("INVALID_AUTH")),
        "an expired key is no token"
    );

    fake.set_now("2030-01-01T00:10:00Z".parse().unwrap());
    assert_eq!(ids(Some(KeyStatus::Expired)).await, both);
}

#[tokio::test]
async fn timestamps_carry_microseconds() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let path = format!("/v1/projects/{project}/keys");
    let body =
        json!({"comment": "c", "scopes": ["member"], "expiration_date": "2031-02-03T04:05:06Z"});
    let created = raw(&fake, "POST", &path, Some(&owner(&fake)), Some(body)).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let created = created.json();
    let micros = |value: &Value| {
        let text = value.as_str().unwrap().to_owned();
        let fraction = text.rsplit_once('.').unwrap().1;
        assert_eq!(fraction.len(), "123456Z".len(), "{text}");
        assert!(fraction.ends_with('Z'), "{text}");
        text
    };
    micros(&created["created"]);
    assert_eq!(
        micros(&created["expiration_date"]),
        "2031-02-03T04:05:06.000000Z"
    );
    let listed = raw(&fake, "GET", &path, Some(&owner(&fake)), None)
        .await
        .json();
    for entry in listed["api_keys"].as_array().unwrap() {
        micros(&entry["api_key"]["created"]);
    }
}

#[tokio::test]
async fn bad_create_bodies_get_deepgrams_400s() {
    let fake = FakeDeepgram::start();
    let path = format!("/v1/projects/{}/keys", fake.project_id());
    let cases = [
        (
            json!({"comment": "c", "scopes": ["member"], "expiration_date": "2038-01-19"}),
            "INVALID_JSON",
        ),
        (json!({"scopes": ["member"]}), "INVALID_JSON"),
        (json!({"comment": "c", "scopes": "member"}), "INVALID_JSON"),
        (json!({"comment": "c", "scopes": []}), "Bad Request"),
        (
            json!({"comment": "c", "scopes": ["member"], "tags": []}),
            "Bad Request",
        ),
        (
            json!({"comment": "c", "scopes": ["member"], "expiration_date": "2038-01-19T00:00:00Z", "time_to_live_in_seconds": 60}),
            "Bad Request",
        ),
        (
            json!({"comment": "c", "scopes": ["member"], "time_to_live_in_seconds": 0}),
            "Bad Request",
        ),
    ];
    for (body, category) in cases {
        let answer = raw(
            &fake,
            "POST",
            &path,
            Some(&owner(&fake)),
            Some(body.clone()),
        )
        .await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.text);
        let error = answer.json();
        assert_eq!(error["category"], category, "{body}: {error}");
        assert!(
            error["details"].as_str().is_some_and(|d| !d.is_empty()),
            "{error}"
        );
        assert_eq!(error["request_id"].as_str(), answer.header("dg-request-id"));
    }
    assert_eq!(
        fake.keys(fake.project_id()).len(),
        1,
        "no bad request created a key"
    );

    // Unknown fields are ignored, as Deepgram ignores them.
    let misspelt =
        json!({"comment": "c", "scopes": ["member"], "expiration": "2038-01-19T00:00:00Z"});
    let answer = raw(&fake, "POST", &path, Some(&owner(&fake)), Some(misspelt)).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(answer.json().get("expiration_date").is_none());
}

#[tokio::test]
async fn unknown_projects_and_keys_get_404_in_the_right_form() {
    let fake = FakeDeepgram::start();
    let client = fake.client();
    let project = fake.project_id();
    let unknown_uuid = "0f4d7f8c-2a44-4a55-9d5c-7a3f2c1b9e10";
    let err = client.list_keys(unknown_uuid, None).await.unwrap_err();
    assert_eq!(api_status(&err), (404, Some("PROJECT_NOT_FOUND")));
    let err = client.get_key(project, unknown_uuid).await.unwrap_err();
    assert_eq!(api_status(&err), (404, Some("NOT_FOUND")));
    for malformed in ["not-a-uuid", "a/b", "x?y#z"] {
        let err = client.get_key(project, malformed).await.unwrap_err();
        let api = err.api().unwrap();
        assert_eq!(api.status, 404);
        assert!(
            api.raw_body
                .as_deref()
                .is_some_and(|text| text.starts_with("UUID parsing failed")),
            "{malformed}: {api:?}"
        );
        assert!(api.request_id.is_some(), "from the dg-request-id header");
    }
    // A path segment that is not even UTF-8.
    let answer = raw(
        &fake,
        "GET",
        "/v1/projects/%FF/keys",
        Some(&owner(&fake)),
        None,
    )
    .await;
    assert_eq!(answer.status, 404);
    assert!(
        answer.text.starts_with("UUID parsing failed"),
        "{}",
        answer.text
    );
    assert!(answer.header("dg-request-id").is_some());
    // Seeded ids may have any form, and arrive decoded.
    let odd = "team a/b?c#d%";
    fake.add_member(odd, member("m"));
    let key = fake.add_key(odd, "m", &CreateKey::new("k", ["owner"]));
    let keys = client_with(&fake, key.key.expose_secret())
        .list_keys(odd, None)
        .await
        .unwrap();
    assert_eq!(keys.len(), 1);
    let sent = fake.requests().pop().unwrap();
    assert_eq!(sent.path, "/v1/projects/team%20a%2Fb%3Fc%23d%25/keys");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_the_log_has_it() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    fake.fail_next(Operation::ListKeys, 1, Fault::status(503));
    let cases = [
        ("GET", format!("/v1/projects/{project}/keys"), 503),
        ("GET", format!("/v1/projects/{project}/keys"), 200),
        ("GET", "/v1/elsewhere".to_owned(), 404),
        ("PUT", format!("/v1/projects/{project}/keys"), 405),
        ("GET", format!("/v1/projects/{project}/keys/nope"), 404),
    ];
    for (method, path, status) in cases {
        let answer = raw(&fake, method, &path, Some(&owner(&fake)), None).await;
        assert_eq!(answer.status, status, "{method} {path}: {}", answer.text);
        let request_id = answer
            .header("dg-request-id")
            .unwrap_or_else(|| panic!("{method} {path}"));
        let logged = fake.requests().pop().unwrap();
        assert_eq!(logged.request_id, request_id);
        assert_eq!(logged.status, Some(status));
        assert_eq!(
            (logged.method.as_str(), logged.path.as_str()),
            (method, path.as_str())
        );
    }
    let ids: std::collections::HashSet<String> = fake
        .requests()
        .into_iter()
        .map(|logged| logged.request_id)
        .collect();
    assert_eq!(ids.len(), 5, "request ids are unique");
}

#[tokio::test]
async fn both_get_key_shapes_arrive_alike() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let client = fake.client();
    let created = client
        .create_key(project, &CreateKey::new("c", ["member"]).tag("t"))
        .await
        .unwrap();
    let path = format!("/v1/projects/{project}/keys/{}", created.api_key_id);
    let flat = client.get_key(project, &created.api_key_id).await.unwrap();
    let flat_body = raw(&fake, "GET", &path, Some(&owner(&fake)), None)
        .await
        .json();
    assert_eq!(
        flat_body["api_key"]["api_key_id"],
        created.api_key_id.as_str()
    );

    fake.set_get_key_shape(GetKeyShape::Wrapped);
    let wrapped = client.get_key(project, &created.api_key_id).await.unwrap();
    let wrapped_body = raw(&fake, "GET", &path, Some(&owner(&fake)), None)
        .await
        .json();
    assert_eq!(
        wrapped_body["item"]["member"]["api_key"]["api_key_id"],
        created.api_key_id.as_str()
    );
    assert_eq!(
        wrapped_body["item"]["member"]["member_id"],
        flat_body["member"]["member_id"]
    );
    assert_eq!(flat, wrapped);
}

#[tokio::test]
async fn the_error_form_is_selectable_and_the_client_reads_each() {
    let fake = FakeDeepgram::start();
    let path = format!("/v1/projects/{}/keys", fake.project_id());
    let forms = [
        (ErrorForm::AsObserved, "application/json", "err_code"),
        (ErrorForm::Modern, "application/json", "category"),
        (ErrorForm::Legacy, "application/json", "err_code"),
        (ErrorForm::PlainText, "text/plain; charset=utf-8", ""),
    ];
    for (form, content_type, code_field) in forms {
        fake.set_error_form(form);
        let answer = raw(&fake, "GET", &path, Some("wrong"), None).await;
        assert_eq!(answer.status, 401);
        assert_eq!(
            answer.header("content-type"),
            Some(content_type),
            "{form:?}"
        );
        if code_field.is_empty() {
            assert_eq!(answer.text, "Invalid credentials.");
        } else {
            assert_eq!(answer.json()[code_field], "INVALID_AUTH", "{form:?}");
        }
        let err = client_with(&fake, "wrong")
            .list_keys(fake.project_id(), None)
            .await
            .unwrap_err();
        let api = err.api().unwrap();
        assert_eq!(api.status, 401);
        assert!(api.request_id.is_some(), "{form:?}");
        let said = api.message.as_deref().or(api.raw_body.as_deref());
        assert_eq!(said, Some("Invalid credentials."), "{form:?}");
    }
}

// Which failures the client sends again is the client's rule, tested once in
// generated-client/tests/retries.rs. Here: what the fake does with a fault,
// seen through a client that never retries.

#[tokio::test]
async fn a_status_fault_answers_deepgrams_error_without_acting() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let client = fake.client_builder().max_retries(0).build().unwrap();
    fake.fail_next(Operation::CreateKey, 1, Fault::status(503));
    let err = client
        .create_key(project, &CreateKey::new("c", ["member"]))
        .await
        .unwrap_err();
    assert_eq!(api_status(&err), (503, Some("SERVICE_UNAVAILABLE")));
    assert_eq!(
        fake.keys(project).len(),
        1,
        "a failed create created nothing"
    );

    // Two faults for two calls, then the answer.
    fake.fail_next(Operation::GetKey, 2, Fault::status(500));
    let owner_key = fake.owner_key_id().to_owned();
    for _ in 0..2 {
        let err = client.get_key(project, &owner_key).await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    }
    client.get_key(project, &owner_key).await.unwrap();

    fake.fail_next(Operation::DeleteKey, 1, Fault::status(502));
    let err = client.delete_key(project, &owner_key).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert!(
        err.api().unwrap().raw_body.is_some(),
        "a gateway answers in plain text"
    );
    assert_eq!(fake.keys(project).len(), 1, "the key survived");
}

#[tokio::test]
async fn a_dropped_connection_is_logged_unanswered_and_not_acted_on() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let client = fake.client_builder().max_retries(0).build().unwrap();
    fake.fail_next(Operation::CreateKey, 1, Fault::drop_connection());
    let err = client
        .create_key(project, &CreateKey::new("c", ["member"]))
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
    assert_eq!(fake.requests_for(Operation::CreateKey)[0].status, None);
    assert_eq!(fake.keys(project).len(), 1, "the create was not acted on");

    fake.fail_next(Operation::ListKeys, 1, Fault::drop_connection());
    let err = client.list_keys(project, None).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    client.list_keys(project, None).await.unwrap();
    let lists = fake.requests_for(Operation::ListKeys);
    assert_eq!(
        lists.iter().map(|r| r.status).collect::<Vec<_>>(),
        [None, Some(200)],
        "the fault was used up by the first call"
    );
}

#[tokio::test]
async fn delays_answer_late_and_faults_run_out() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    fake.fail_next(
        Operation::ListKeys,
        1,
        Fault::delay(Duration::from_millis(300)),
    );
    let started = Instant::now();
    fake.client().list_keys(project, None).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));

    fake.fail_next(Operation::ListKeys, 1, Fault::delay(Duration::from_secs(5)));
    let impatient = fake
        .client_builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = impatient.list_keys(project, None).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");

    fake.fail_next(
        Operation::GetKey,
        1,
        Fault::status(500).after(Duration::from_millis(200)),
    );
    fake.fail_next(Operation::GetKey, 1, Fault::status(404));
    let no_retries = fake.client_builder().max_retries(0).build().unwrap();
    let started = Instant::now();
    let first = no_retries.get_key(project, "k").await.unwrap_err();
    assert_eq!(first.status().map(|s| s.as_u16()), Some(500));
    assert!(started.elapsed() >= Duration::from_millis(200));
    let second = no_retries.get_key(project, "k").await.unwrap_err();
    assert_eq!(second.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(fake.requests_for(Operation::GetKey).len(), 2);
    // Faults only hit their own operation, and run out.
    no_retries.list_keys(project, None).await.unwrap();
}

#[tokio::test]
async fn the_log_shows_what_was_sent_and_never_the_token() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let created = fake
        .client()
        .create_key(
            project,
            &CreateKey::new("ci", ["member"]).ttl(Duration::from_secs(3600)),
        )
        .await
        .unwrap();
    fake.client()
        .list_keys(project, Some(KeyStatus::Active))
        .await
        .unwrap();
    let log = fake.requests();
    let [create, list] = &log[..] else {
        panic!("{log:?}")
    };
    assert_eq!(
        (create.method.as_str(), create.operation),
        ("POST", Some(Operation::CreateKey))
    );
    assert_eq!(
        create.json(),
        Some(json!({"comment": "ci", "scopes": ["member"], "time_to_live_in_seconds": 3600}))
    );
    assert_eq!(create.header("Content-Type"), Some("application/json"));
    assert_eq!(create.header("authorization"), Some("Token <redacted>"));
    assert_eq!(create.auth_key_id.as_deref(), Some(fake.owner_key_id()));
    assert_eq!(create.project_id.as_deref(), Some(project));
    assert_eq!(
        (create.path_key_id.as_deref(), create.fault.as_ref()),
        (None, None)
    );
    assert_eq!(list.query.as_deref(), Some("status=active"));
    let shown = format!("{log:?}");
    assert!(
        !shown.contains(fake.owner_token().expose_secret()),
        "{shown}"
    );
    assert!(!shown.contains(created.key.expose_secret()), "{shown}");
    fake.clear_requests();
    assert!(fake.requests().is_empty());
}

#[test]
fn the_fake_needs_no_runtime_of_the_tests_and_stops_on_drop() {
    let fake = FakeDeepgram::start();
    let url = fake.url().to_owned();
    let project = fake.project_id().to_owned();
    let client = fake.client();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(client.list_keys(&project, None)).unwrap();
    drop(fake);
    let after = Client::builder()
        .api_key("t")
        .base_url(url)
        .max_retries(0)
        .build()
        .unwrap();
    let err = runtime
        .block_on(after.list_keys(&project, None))
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}

#[test]
fn a_builder_chooses_project_and_token() {
    let fake = FakeDeepgram::builder()
        .project_id("my-project")
        .owner_token("my-token")
        .start()
        .unwrap();
    assert_eq!(fake.project_id(), "my-project");
    assert_eq!(fake.owner_token().expose_secret(), "my-token");
    assert!(fake.url().starts_with("http://127.0.0.1:"));
    let keys = fake.keys("my-project");
    assert_eq!(keys.len(), 1);
    let owner = fake.owner_key().unwrap();
    assert_eq!(owner, keys[0]);
    assert_eq!(owner.api_key.api_key_id, fake.owner_key_id());
    assert_eq!(owner.api_key.scopes, ["owner"]);
    assert_eq!(owner.member.member_id, deepgram_keys_fake::OWNER_MEMBER_ID);
}

#[tokio::test]
async fn an_unknown_scope_is_kept_as_asked_and_grants_nothing() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let created = fake
        .client()
        .create_key(project, &CreateKey::new("odd", ["bogus:scope"]))
        .await
        .unwrap();
    assert_eq!(created.scopes, ["bogus:scope"]);
    let odd = fake.client().with_api_key(created.key).unwrap();
    for err in [
        odd.list_keys(project, None).await.unwrap_err(),
        odd.get_key(project, &created.api_key_id).await.unwrap_err(),
    ] {
        assert_eq!(api_status(&err), (403, Some("INSUFFICIENT_PERMISSIONS")));
    }
}
