//! The fake Deepgram (`deepgram_keys_fake`) held to the spec: every
//! response it can give, for every operation, status, error form and
//! `get_key` shape, fits `openapi/keys.yaml`, and the client decodes it
//! without loss.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use deepgram_keys::CreateKey;
use deepgram_keys::types::Member;
use deepgram_keys_contract::sample::{self, SchemaFit};
use deepgram_keys_contract::spec::Spec;
use deepgram_keys_fake::{ErrorForm, FakeDeepgram, Fault, GetKeyShape, Operation};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

const UNKNOWN_UUID: &str = "0f4d7f8c-2a44-4a55-9d5c-7a3f2c1b9e10";

/// One response the fake gave, and how it was provoked.
struct Answer {
    operation: Operation,
    case: String,
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// Drives one fake into every answer it can give.
struct Probe<'a> {
    fake: &'a FakeDeepgram,
    http: reqwest::Client,
    answers: Vec<Answer>,
}

impl Probe<'_> {
    async fn send(
        &mut self,
        operation: Operation,
        case: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Value {
        let method = match operation {
            Operation::ListKeys | Operation::GetKey => reqwest::Method::GET,
            Operation::CreateKey => reqwest::Method::POST,
            Operation::DeleteKey => reqwest::Method::DELETE,
        };
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.fake.url()));
        if let Some(token) = token {
            request = request.header("authorization", format!("Token {token}"));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let answer = Answer {
            operation,
            case: case.to_owned(),
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.bytes().await.unwrap().to_vec(),
        };
        let json = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
        self.answers.push(answer);
        json
    }
}

fn keys_path(project: &str) -> String {
    format!("/v1/projects/{project}/keys")
}

fn key_path(project: &str, key: &str) -> String {
    format!("/v1/projects/{project}/keys/{key}")
}

/// Every kind of answer, for one error form and one `get_key` shape.
async fn provoke_everything(fake: &FakeDeepgram, probe: &mut Probe<'_>) {
    let project = fake.project_id().to_owned();
    let owner = fake.owner_token().expose_secret().to_owned();
    let owner = Some(owner.as_str());
    fake.add_member(
        &project,
        Member {
            member_id: "m-plain".into(),
            email: "plain@example.com".into(),
            first_name: None,
            last_name: None,
        },
    );
    let plain = fake.add_key(&project, "m-plain", &CreateKey::new("plain", ["member"]));
    let plain = Some(plain.key.expose_secret());
    let writer = fake.add_key(
        &project,
        "m-plain",
        &CreateKey::new("writer", ["keys:write"]),
    );
    let writer = Some(writer.key.expose_secret());
    fake.add_project("other-project");

    // 200s, with every optional field present and absent.
    let list = keys_path(&project);
    let creates = [
        ("plain", json!({"comment": "c", "scopes": ["member"]})),
        (
            "tags and ttl",
            json!({"comment": "c", "scopes": ["keys:write", "usage:write"], "tags": ["a", "b"], "time_to_live_in_seconds": 60}),
        ),
        (
            "date",
            json!({"comment": "c", "scopes": ["member"], "expiration_date": "2031-01-01T00:00:00Z"}),
        ),
        (
            "past date",
            json!({"comment": "c", "scopes": ["member"], "expiration_date": "2001-01-01T00:00:00Z"}),
        ),
    ];
    let mut created_ids = Vec::new();
    for (case, body) in creates {
        let created = probe
            .send(Operation::CreateKey, case, &list, owner, Some(body))
            .await;
        created_ids.push(created["api_key_id"].as_str().unwrap().to_owned());
    }
    for status in ["", "?status=active", "?status=expired"] {
        let path = format!("{list}{status}");
        probe
            .send(Operation::ListKeys, status, &path, owner, None)
            .await;
    }
    for id in &created_ids {
        probe
            .send(
                Operation::GetKey,
                "seeded",
                &key_path(&project, id),
                owner,
                None,
            )
            .await;
    }
    probe
        .send(
            Operation::DeleteKey,
            "seeded",
            &key_path(&project, &created_ids[0]),
            owner,
            None,
        )
        .await;

    // 400s.
    for (case, body) in [
        (
            "date-only expiry",
            json!({"comment": "c", "scopes": ["member"], "expiration_date": "2038-01-19"}),
        ),
        (
            "expiry and ttl",
            json!({"comment": "c", "scopes": ["member"], "expiration_date": "2038-01-19T00:00:00Z", "time_to_live_in_seconds": 5}),
        ),
        ("empty scopes", json!({"comment": "c", "scopes": []})),
        (
            "empty tags",
            json!({"comment": "c", "scopes": ["member"], "tags": []}),
        ),
        ("no comment", json!({"scopes": ["member"]})),
        ("not an object", json!([1, 2])),
    ] {
        probe
            .send(Operation::CreateKey, case, &list, owner, Some(body))
            .await;
    }
    let bogus_status = format!("{list}?status=bogus");
    probe
        .send(
            Operation::ListKeys,
            "bad status",
            &bogus_status,
            owner,
            None,
        )
        .await;

    // 401, 403 and 404 for every operation.
    let some_key = created_ids[1].clone();
    for operation in Operation::ALL {
        let body = (operation == Operation::CreateKey)
            .then(|| json!({"comment": "c", "scopes": ["member"]}));
        let on = |project: &str, key: &str| match operation {
            Operation::ListKeys | Operation::CreateKey => keys_path(project),
            Operation::GetKey | Operation::DeleteKey => key_path(project, key),
        };
        let here = on(&project, &some_key);
        probe
            .send(operation, "no token", &here, None, body.clone())
            .await;
        probe
            .send(
                operation,
                "unknown token",
                &here,
                Some("nope"),
                body.clone(),
            )
            .await;
        probe
            .send(operation, "member scope", &here, plain, body.clone())
            .await;
        let elsewhere = on("other-project", &some_key);
        probe
            .send(operation, "other project", &elsewhere, owner, body.clone())
            .await;
        let unknown = on(UNKNOWN_UUID, &some_key);
        probe
            .send(operation, "unknown project", &unknown, owner, body.clone())
            .await;
        let malformed = on("not-a-uuid", &some_key);
        probe
            .send(
                operation,
                "malformed project",
                &malformed,
                owner,
                body.clone(),
            )
            .await;
        if matches!(operation, Operation::GetKey | Operation::DeleteKey) {
            let unknown_key = key_path(&project, UNKNOWN_UUID);
            probe
                .send(operation, "unknown key", &unknown_key, owner, None)
                .await;
            let malformed_key = key_path(&project, "nope");
            probe
                .send(operation, "malformed key", &malformed_key, owner, None)
                .await;
        }
    }
    let escalation = json!({"comment": "c", "scopes": ["usage:read"]});
    probe
        .send(
            Operation::CreateKey,
            "grant beyond own scopes",
            &list,
            writer,
            Some(escalation),
        )
        .await;

    // Every declared error status on demand, with and without Retry-After.
    for operation in Operation::ALL {
        let path = match operation {
            Operation::ListKeys | Operation::CreateKey => keys_path(&project),
            Operation::GetKey | Operation::DeleteKey => key_path(&project, &some_key),
        };
        let body = (operation == Operation::CreateKey)
            .then(|| json!({"comment": "c", "scopes": ["member"]}));
        for status in [400, 401, 403, 404, 429, 500, 502, 503, 504] {
            let in_a_minute = SystemTime::now() + Duration::from_secs(60);
            for (retry_after, fault) in [
                ("none", Fault::status(status)),
                (
                    "seconds",
                    Fault::status(status).retry_after(Duration::from_secs(2)),
                ),
                ("date", Fault::status(status).retry_after_date(in_a_minute)),
            ] {
                fake.fail_next(operation, 1, fault);
                let case = format!("fault {status} retry-after {retry_after}");
                probe
                    .send(operation, &case, &path, owner, body.clone())
                    .await;
            }
        }
    }
}

/// What is wrong with one answer, measured against the spec.
async fn problems(spec: &Spec, answer: &Answer) -> Vec<String> {
    let mut problems = Vec::new();
    let operation = answer.operation.id();
    let Some(response) = spec.response(operation, answer.status) else {
        return vec![format!("the spec declares no {} response", answer.status)];
    };
    let content_type = answer
        .headers
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    let declared: Vec<&String> = response["content"]
        .as_object()
        .map(|content| content.keys().collect())
        .unwrap_or_default();
    if !declared.iter().any(|declared| *declared == media_type) {
        problems.push(format!(
            "content type {content_type:?} is not one of {declared:?}"
        ));
    }
    let json: Option<Value> = serde_json::from_slice(&answer.body).ok();
    if json.is_some() != (media_type == "application/json") {
        problems.push(format!(
            "the body does not match its content type {content_type:?}"
        ));
    }
    let request_id = answer
        .headers
        .get("dg-request-id")
        .and_then(|value| value.to_str().ok());
    match (
        request_id,
        json.as_ref().and_then(|json| json.get("request_id")),
    ) {
        (None, _) => problems.push("no dg-request-id header".into()),
        (Some(header), Some(body)) if body != header => problems.push(format!(
            "request_id {body} differs from dg-request-id {header}"
        )),
        _ => {}
    }
    if let Some(retry_after) = answer.headers.get("retry-after") {
        // The spec: seconds to wait, or an HTTP date to wait until.
        let value = retry_after.to_str().unwrap_or_default();
        let seconds = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
        if !seconds && chrono::DateTime::parse_from_rfc2822(value).is_err() {
            problems.push(format!(
                "Retry-After {value:?} is neither seconds nor an HTTP date"
            ));
        }
    }
    if answer.status == 401 && answer.headers.get("www-authenticate").is_none() {
        problems.push("a 401 without WWW-Authenticate".into());
    }
    let report = sample::check(spec, operation, answer.status, &answer.body)
        .await
        .unwrap();
    match &report.schema {
        SchemaFit::Fits => {}
        other => problems.push(format!("schema: {other:?}")),
    }
    if !report.decoded_without_loss() {
        problems.push(format!(
            "the client decodes it with loss:\n{}",
            report.render()
        ));
    }
    if !report.ignored.is_empty() {
        problems.push(format!(
            "fields the spec does not name: {:?}",
            report.ignored
        ));
    }
    problems
}

#[tokio::test]
async fn every_answer_of_the_fake_fits_the_spec() {
    let spec = Spec::load().unwrap();
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    for form in [
        ErrorForm::AsObserved,
        ErrorForm::Modern,
        ErrorForm::Legacy,
        ErrorForm::PlainText,
    ] {
        for shape in [GetKeyShape::Flat, GetKeyShape::Wrapped] {
            let fake = FakeDeepgram::start();
            fake.set_error_form(form);
            fake.set_get_key_shape(shape);
            let mut probe = Probe {
                fake: &fake,
                http: reqwest::Client::new(),
                answers: Vec::new(),
            };
            provoke_everything(&fake, &mut probe).await;
            for answer in &probe.answers {
                let declared = spec
                    .declared_statuses(answer.operation.id())
                    .into_iter()
                    .find(|declared| Spec::covers(declared, answer.status));
                covered.insert((answer.operation.id(), declared.unwrap_or_default()));
                for problem in problems(&spec, answer).await {
                    failures.push(format!(
                        "{form:?}/{shape:?} {} {} ({}): {problem}\n  body: {}",
                        answer.operation,
                        answer.status,
                        answer.case,
                        String::from_utf8_lossy(&answer.body)
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} answer(s) of the fake break the spec:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let mut uncovered = Vec::new();
    for operation in spec.operations() {
        let id = operation.id().unwrap_or("?");
        for declared in spec.declared_statuses(id) {
            if !covered.contains(&(id, declared.clone())) {
                uncovered.push(format!("{id} {declared}"));
            }
        }
    }
    assert!(
        uncovered.is_empty(),
        "the fake was never made to give these declared responses: {uncovered:?}"
    );
}

#[tokio::test]
async fn a_response_that_breaks_the_spec_is_caught() {
    // The check above must be able to fail: an answer with a field of the
    // wrong type, an undeclared status and a missing request id.
    let spec = Spec::load().unwrap();
    let mut broken = Answer {
        operation: Operation::ListKeys,
        case: "broken".into(),
        status: 200,
        headers: HeaderMap::new(),
        body: br#"{"api_keys": [{"member": {"member_id": 1, "email": "e"}, "api_key": {"api_key_id": "k", "comment": "c", "scopes": [], "created": "2024-05-21"}}]}"#.to_vec(),
    };
    broken
        .headers
        .insert("retry-after", "in a while".parse().unwrap());
    let found = problems(&spec, &broken).await;
    let text = found.join("\n");
    for expected in ["content type", "no dg-request-id", "schema", "Retry-After"] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let undeclared = Answer {
        status: 418,
        ..broken
    };
    assert_eq!(
        problems(&spec, &undeclared).await,
        ["the spec declares no 418 response"]
    );
}
