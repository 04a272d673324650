//! The control endpoints (`FakeBuilder::control`): faults and the clock over
//! HTTP, for tests in other languages; off by default, never logged.

use std::time::Duration;

use deepgram_keys::{CreateKey, KeyStatus, reqwest};
use deepgram_keys_fake::{FakeDeepgram, Fault, Operation};
use serde_json::{Value, json};

async fn send(fake: &FakeDeepgram, method: &str, path: &str, body: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .request(method.parse().unwrap(), format!("{}{path}", fake.url()))
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn without_control_the_endpoints_do_not_exist() {
    let fake = FakeDeepgram::start();
    let fault = json!({"fault": "status", "status": 503}).to_string();
    assert_eq!(send(&fake, "POST", "/__fake/faults", &fault).await.0, 404);
    assert_eq!(send(&fake, "POST", "/__fake/clock", "{}").await.0, 404);
    fake.client()
        .list_keys(fake.project_id(), None)
        .await
        .unwrap();
}

#[tokio::test]
async fn faults_injected_over_http_hit_the_calls_they_name() {
    let fake = FakeDeepgram::builder().control(true).start().unwrap();
    let project = fake.project_id();
    let client = fake.client_builder().max_retries(0).build().unwrap();
    let kinds = [
        (
            json!({"fault": "status", "status": 503, "retry_after_seconds": 1}),
            Fault::status(503).retry_after(Duration::from_secs(1)),
        ),
        (
            json!({"fault": "drop_connection"}),
            Fault::drop_connection(),
        ),
        (
            json!({"fault": "drop_connection_after_acting"}),
            Fault::drop_connection_after_acting(),
        ),
        (json!({"fault": "malformed_body"}), Fault::malformed_body()),
        (
            json!({"fault": "truncated_body", "after_ms": 5}),
            Fault::truncated_body().after(Duration::from_millis(5)),
        ),
        (
            json!({"fault": "delay", "after_ms": 20}),
            Fault::delay(Duration::from_millis(20)),
        ),
    ];
    for (mut request, fault) in kinds {
        request["operation"] = json!("create_key");
        let (status, text) = send(&fake, "POST", "/__fake/faults", &request.to_string()).await;
        assert_eq!(status, 204, "{request}: {text}");
        let _ = client
            .create_key(project, &CreateKey::new("c", ["member"]))
            .await;
        let logged = fake.requests_for(Operation::CreateKey).pop().unwrap();
        assert_eq!(logged.fault, Some(fault), "{request}");
    }
    // Aimed by key id and nth, and cleared.
    let key = fake.owner_key_id().to_owned();
    let aimed = json!({"operation": "get_key", "key_id": key, "nth": 2, "times": 5, "fault": "status", "status": 500});
    assert_eq!(
        send(&fake, "POST", "/__fake/faults", &aimed.to_string())
            .await
            .0,
        204
    );
    client.get_key(project, &key).await.unwrap();
    assert_eq!(
        client
            .get_key(project, &key)
            .await
            .unwrap_err()
            .status()
            .unwrap()
            .as_u16(),
        500
    );
    assert_eq!(send(&fake, "DELETE", "/__fake/faults", "").await.0, 204);
    client.get_key(project, &key).await.unwrap();
    // The control requests are not in the log.
    assert!(
        fake.requests()
            .iter()
            .all(|request| !request.path.starts_with("/__fake"))
    );
}

#[tokio::test]
async fn the_clock_moves_over_http() {
    let fake = FakeDeepgram::builder().control(true).start().unwrap();
    let project = fake.project_id();
    let (status, text) = send(
        &fake,
        "POST",
        "/__fake/clock",
        r#"{"now": "2030-01-01T00:00:00Z"}"#,
    )
    .await;
    assert_eq!(
        (status, text.as_str()),
        (200, r#"{"now":"2030-01-01T00:00:00.000000Z"}"#)
    );
    let client = fake.client();
    client
        .create_key(
            project,
            &CreateKey::new("hour", ["member"]).ttl(Duration::from_secs(3600)),
        )
        .await
        .unwrap();
    let (status, text) = send(
        &fake,
        "POST",
        "/__fake/clock",
        r#"{"advance_seconds": 3600}"#,
    )
    .await;
    let now: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (status, now["now"].as_str()),
        (200, Some("2030-01-01T01:00:00.000000Z"))
    );
    let expired = client
        .list_keys(project, Some(KeyStatus::Expired))
        .await
        .unwrap();
    assert_eq!(expired.len(), 1);
    // Past the end of the calendar, the clock stops rather than overflow.
    let (status, _) = send(
        &fake,
        "POST",
        "/__fake/clock",
        &json!({"advance_seconds": u64::MAX}).to_string(),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn bad_control_requests_get_400_naming_the_field() {
    let fake = FakeDeepgram::builder().control(true).start().unwrap();
    for (path, body, named) in [
        ("/__fake/faults", "not json", "/__fake/faults: the body"),
        ("/__fake/faults", "{}", "missing field `fault`"),
        (
            "/__fake/faults",
            r#"{"fault": "explode"}"#,
            "`fault` \"explode\"",
        ),
        (
            "/__fake/faults",
            r#"{"fault": "status"}"#,
            "`status` is required",
        ),
        (
            "/__fake/faults",
            r#"{"fault": "delay", "status": 500}"#,
            "go only with",
        ),
        (
            "/__fake/faults",
            r#"{"fault": "drop_connection", "operation": "rotate"}"#,
            "`operation` \"rotate\"",
        ),
        (
            "/__fake/faults",
            r#"{"fault": "drop_connection", "times": -1}"#,
            "expected u32",
        ),
        (
            "/__fake/faults",
            r#"{"fault": "drop_connection", "shiny": 1}"#,
            "unknown field `shiny`",
        ),
        ("/__fake/clock", "{}", "exactly one of `now`"),
        (
            "/__fake/clock",
            r#"{"now": "2030-01-01T00:00:00Z", "advance_seconds": 1}"#,
            "exactly one of",
        ),
        (
            "/__fake/clock",
            r#"{"now": "2030-01-01"}"#,
            "/__fake/clock: the body",
        ),
    ] {
        let (status, text) = send(&fake, "POST", path, body).await;
        assert_eq!(status, 400, "{path} {body}: {text}");
        assert!(text.contains(named), "{path} {body}: {text}");
    }
    // Nothing was injected.
    fake.client()
        .list_keys(fake.project_id(), None)
        .await
        .unwrap();
    assert!(
        fake.requests()
            .iter()
            .all(|request| request.fault.is_none())
    );
}
