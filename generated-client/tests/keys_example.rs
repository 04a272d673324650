//! The `keys` example program run as a user runs it, against a scripted
//! server on 127.0.0.1.

mod support;

use std::process::{Command, Output};

use deepgram_keys_fake::{FakeDeepgram, GetKeyShape};
use serde_json::{Value, json};
use support::{ESCAPE_IDS, RawServer, check_one_segment_each, keys_binary};
use wiremock::matchers::{any, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "example-token-5b1f0c2e9d8a7f6e5d4c3b2a19081726";

async fn keys(server: &MockServer, args: &[&str]) -> Output {
    keys_at(&server.uri(), args).await
}

async fn keys_at(base_url: &str, args: &[&str]) -> Output {
    let mut command = Command::new(keys_binary());
    command
        .env_remove("DEEPGRAM_BASE_URL")
        .env("DEEPGRAM_API_KEY", TOKEN)
        .arg("--base-url")
        .arg(base_url)
        .args(args);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(
        !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
        "the token leaked:\n{stdout}\n{stderr}"
    );
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn key_json() -> Value {
    json!({
        "member": {"member_id": "m-1", "email": "ada@example.com"},
        "api_key": {"api_key_id": "k-1", "comment": "c", "scopes": ["member"], "created": "2024-05-21T17:19:49.373761Z"}
    })
}

#[tokio::test]
async fn list_prints_json_and_retries_a_rate_limit() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"api_keys": [key_json()]})))
        .mount(&server)
        .await;
    let output = keys(&server, &["list", "proj", "--status", "active"]).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed[0]["api_key"]["api_key_id"], "k-1");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2, "the 429 was not retried");
    assert_eq!(requests[1].url.query(), Some("status=active"));
}

#[tokio::test]
async fn create_prints_the_new_key_once_and_a_503_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "api_key_id": "k-9", "key": "0123456789abcdef0123456789abcdef01234567", "comment": "ci", "scopes": ["member"]
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let output = keys(
        &server,
        &[
            "create",
            "proj",
            "--comment",
            "ci",
            "--scope",
            "member",
            "--tag",
            "t",
            "--ttl",
            "60",
        ],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["key"], "0123456789abcdef0123456789abcdef01234567");
    let sent: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(
        sent,
        json!({"comment": "ci", "scopes": ["member"], "tags": ["t"], "time_to_live_in_seconds": 60})
    );

    server.reset().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("dg-request-id", "req-503")
                .set_body_json(
                    json!({"error_code": "SERVICE_UNAVAILABLE", "message": "Try later."}),
                ),
        )
        .mount(&server)
        .await;
    let output = keys(
        &server,
        &["create", "proj", "--comment", "ci", "--scope", "member"],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "a create was retried"
    );
    let stderr = text(&output.stderr);
    for part in [
        "status: 503",
        "code: SERVICE_UNAVAILABLE",
        "SERVICE_UNAVAILABLE: Try later.",
        "request id: req-503",
    ] {
        assert!(stderr.contains(part), "{part:?} missing from:\n{stderr}");
    }
}

#[tokio::test]
async fn expiry_and_ttl_together_send_nothing() {
    let server = MockServer::start().await;
    let output = keys(
        &server,
        &[
            "create",
            "proj",
            "--comment",
            "c",
            "--scope",
            "member",
            "--expires",
            "2030-01-01T00:00:00Z",
            "--ttl",
            "60",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("cannot be used with"),
        "{}",
        text(&output.stderr)
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn both_get_shapes_print_the_same_value_and_ids_stay_encoded() {
    let server = MockServer::start().await;
    let mut member = key_json()["member"].clone();
    member["api_key"] = key_json()["api_key"].clone();
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(key_json()))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"item": {"member": member}})))
        .mount(&server)
        .await;
    let flat = keys(&server, &["get", "proj", "a/../b?c#d"]).await;
    let wrapped = keys(&server, &["get", "proj", "k-1"]).await;
    assert!(flat.status.success() && wrapped.status.success());
    assert_eq!(text(&flat.stdout), text(&wrapped.stdout));
    let first = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        first.url.path(),
        "/v1/projects/proj/keys/a%2F..%2Fb%3Fc%23d"
    );
}

#[tokio::test]
async fn plain_text_errors_reach_stderr() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("dg-request-id", "req-404")
                .set_body_raw("UUID parsing failed: invalid character", "text/plain"),
        )
        .mount(&server)
        .await;
    let output = keys(&server, &["delete", "proj", "not-a-uuid"]).await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    for part in [
        "status: 404",
        "404 Not Found: UUID parsing failed: invalid character",
        "request id: req-404",
    ] {
        assert!(stderr.contains(part), "{part:?} missing from:\n{stderr}");
    }
}

#[test]
fn a_missing_api_key_is_a_clear_error() {
    let output = Command::new(keys_binary())
        .env_remove("DEEPGRAM_API_KEY")
        .args(["list", "proj"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("set it to a Deepgram API key"), "{stderr}");
    assert!(
        !stderr.contains("ClientBuilder"),
        "a library hint: {stderr}"
    );
}

#[test]
fn help_names_the_environment_and_the_arguments() {
    let top = Command::new(keys_binary()).arg("--help").output().unwrap();
    let top = text(&top.stdout);
    for part in ["DEEPGRAM_API_KEY", "DEEPGRAM_BASE_URL"] {
        assert!(top.contains(part), "{part} missing from:\n{top}");
    }
    let get = Command::new(keys_binary())
        .args(["get", "--help"])
        .output()
        .unwrap();
    let get = text(&get.stdout);
    for part in ["<PROJECT>  The project's id", "<KEY>      The key's id"] {
        assert!(get.contains(part), "{part:?} missing from:\n{get}");
    }
}

#[tokio::test]
async fn bad_values_are_explained_in_the_users_words_and_nothing_is_sent() {
    let server = MockServer::start().await;
    let create = ["create", "proj", "--comment", "c", "--scope", "member"];
    let cases: [(&[&str], &str); 5] = [
        (&["--ttl", "0"], "at least 1 second, e.g. --ttl 3600"),
        (&["--ttl", "1.5"], "not a whole number of seconds"),
        (
            &["--expires", "2030-01-01"],
            "needs a time too, e.g. 2030-01-01T00:00:00Z",
        ),
        (&["--scope", ""], "--scope <SCOPE>"),
        (&["--comment", ""], "--comment <COMMENT>"),
    ];
    for (extra, explanation) in cases {
        let args: Vec<&str> = create.iter().chain(extra).copied().collect();
        let output = keys(&server, &args).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(explanation), "{args:?}: {stderr}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn a_closed_port_prints_the_root_cause_and_the_chain() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let output = Command::new(keys_binary())
        .env("DEEPGRAM_API_KEY", TOKEN)
        .args(["--base-url", &format!("http://{address}"), "list", "proj"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("connection refused"), "{stderr}");
    assert!(stderr.contains("(3 attempts)"), "{stderr}");
    assert!(stderr.contains("caused by: "), "{stderr}");
    assert_eq!(
        stderr.matches("error sending request").count(),
        1,
        "reqwest's text once, in the chain: {stderr}"
    );
}

#[tokio::test]
async fn a_404_that_is_not_deepgrams_reaches_stderr_with_its_body() {
    let server = MockServer::start().await;
    let body = r#"{"title":"Not Found","detail":"no route"}"#;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let output = keys(&server, &["list", "proj"]).await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("404 Not Found: {body}")),
        "{stderr}"
    );
    // Once: the message line holds the body; no second copy follows.
    assert_eq!(stderr.matches(body).count(), 1, "{stderr}");
    assert!(stderr.contains("the base URL"), "{stderr}");
}

#[tokio::test]
async fn the_base_url_comes_from_the_environment_when_no_flag_is_given() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": "Successfully deleted the API key!"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let mut command = Command::new(keys_binary());
    command
        .env("DEEPGRAM_API_KEY", TOKEN)
        .env("DEEPGRAM_BASE_URL", server.uri())
        .args(["delete", "proj", "k-1"]);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("Successfully deleted"));
}

/// The fault-injection probe of issue 10: ids built to escape their segment,
/// given on the command line. Each is refused before sending (exit 1, "was
/// not sent") or arrives as exactly one segment that decodes back to it.
#[tokio::test]
async fn ids_built_to_escape_their_segment_never_leave_it() {
    let server = RawServer::start();
    let run = |args: Vec<String>| {
        let mut command = Command::new(keys_binary());
        command
            .env("DEEPGRAM_API_KEY", TOKEN)
            .arg("--base-url")
            .arg(&server.base_url)
            .args(args);
        command.output().unwrap()
    };
    // A command line cannot hold NUL.
    for id in ESCAPE_IDS.iter().filter(|id| !id.contains('\0')) {
        let cases = [
            (vec!["delete", "p", id], "/v1/projects/p/keys/{}", vec![*id]),
            (vec!["delete", id, "k"], "/v1/projects/{}/keys/k", vec![*id]),
            (
                vec!["get", id, id],
                "/v1/projects/{}/keys/{}",
                vec![*id, *id],
            ),
            (vec!["list", id], "/v1/projects/{}/keys", vec![*id]),
        ];
        for (args, template, ids) in cases {
            let output = run(args.iter().map(|arg| arg.to_string()).collect());
            let stderr = text(&output.stderr);
            assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
            let targets = server.take_targets();
            match targets.as_slice() {
                [] => assert!(stderr.contains("was not sent"), "{args:?}: {stderr}"),
                [target] => {
                    assert!(stderr.contains("status: 404"), "{args:?}: {stderr}");
                    check_one_segment_each(target, template, &ids)
                        .unwrap_or_else(|problem| panic!("{args:?}: {problem}"));
                }
                more => panic!("{args:?} sent {more:?}"),
            }
        }
    }
}

fn printed_json(output: &Output) -> Value {
    assert!(output.status.success(), "{}", text(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
async fn the_keys_example_manages_keys_on_the_fake() {
    let fake = FakeDeepgram::builder().owner_token(TOKEN).start().unwrap();
    fake.set_get_key_shape(GetKeyShape::Wrapped);
    let (url, project) = (fake.url(), fake.project_id());
    let created = printed_json(
        &keys_at(
            url,
            &[
                "create",
                project,
                "--comment",
                "ci",
                "--scope",
                "usage:read",
                "--ttl",
                "60",
            ],
        )
        .await,
    );
    let key_id = created["api_key_id"].as_str().unwrap().to_owned();
    assert_eq!(created["key"].as_str().map(str::len), Some(40));
    assert!(created["expiration_date"].is_string());

    let listed = printed_json(&keys_at(url, &["list", project, "--status", "active"]).await);
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    let got = printed_json(&keys_at(url, &["get", project, &key_id]).await);
    assert_eq!(
        got["api_key"]["comment"], "ci",
        "the wrapped shape, decoded"
    );
    printed_json(&keys_at(url, &["delete", project, &key_id]).await);
    assert_eq!(fake.keys(project).len(), 1, "only the owner key is left");

    let gone = keys_at(url, &["get", project, &key_id]).await;
    assert_eq!(gone.status.code(), Some(1));
    let stderr = text(&gone.stderr);
    assert!(
        stderr.contains("404") && stderr.contains("request id"),
        "{stderr}"
    );
}
