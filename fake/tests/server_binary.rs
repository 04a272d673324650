//! The `deepgram-keys-fake` program serves the fake on a port, and a client
//! works against it as against Deepgram.

use std::io::{BufRead, BufReader, Lines};
use std::process::{Child, ChildStdout, Command, Stdio};

use deepgram_keys::{Client, CreateKey, KeyStatus};

const TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";

/// The server, killed when the test ends however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The next line the server printed, which must start with `label `.
fn announced(lines: &mut Lines<BufReader<ChildStdout>>, label: &str) -> String {
    let line = lines.next().unwrap().unwrap();
    line.strip_prefix(&format!("{label} "))
        .unwrap_or_else(|| panic!("expected `{label} ...`, got {line:?}"))
        .to_owned()
}

#[tokio::test]
async fn a_client_manages_keys_on_the_served_fake() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_deepgram-keys-fake"))
        .args([
            "--port",
            "0",
            "--token",
            TOKEN,
            "--get-key-shape",
            "wrapped",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let _server = Server(child);
    let url = announced(&mut lines, "url");
    let project = announced(&mut lines, "project");
    assert_eq!(announced(&mut lines, "token"), TOKEN);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let client = Client::builder()
        .api_key(TOKEN)
        .base_url(&url)
        .build()
        .unwrap();
    let created = client
        .create_key(
            &project,
            &CreateKey::new("ci", ["usage:read"]).ttl(std::time::Duration::from_secs(60)),
        )
        .await
        .unwrap();
    assert_eq!(created.key.expose_secret().len(), 40);
    assert!(created.expiration_date.is_some());

    let listed = client
        .list_keys(&project, Some(KeyStatus::Active))
        .await
        .unwrap();
    assert_eq!(listed.len(), 2, "the owner key and the new one");
    let got = client.get_key(&project, &created.api_key_id).await.unwrap();
    assert_eq!(got.api_key.comment, "ci", "the wrapped shape, decoded");
    client
        .delete_key(&project, &created.api_key_id)
        .await
        .unwrap();
    let gone = client
        .get_key(&project, &created.api_key_id)
        .await
        .unwrap_err();
    assert_eq!(gone.status().map(|status| status.as_u16()), Some(404));

    // The server logs each request it answered, in order.
    let logged = announced(&mut lines, "POST");
    assert!(
        logged.starts_with(&format!("/v1/projects/{project}/keys 200 ")),
        "{logged}"
    );
    let logged = announced(&mut lines, "GET");
    assert!(
        logged.starts_with(&format!("/v1/projects/{project}/keys?status=active 200 ")),
        "{logged}"
    );
}

#[test]
fn a_port_in_use_is_an_error_that_says_what_to_do() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_deepgram-keys-fake"))
        .args(["--port", &port])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{port}"))
            && stderr.contains("try another --port"),
        "{stderr}"
    );
}

#[tokio::test]
async fn with_control_the_program_takes_faults_over_http() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_deepgram-keys-fake"))
        .args(["--port", "0", "--token", TOKEN, "--control"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let _server = Server(child);
    let url = announced(&mut lines, "url");
    let project = announced(&mut lines, "project");
    let fault = r#"{"operation": "list_keys", "fault": "status", "status": 503}"#;
    let injected = deepgram_keys::reqwest::Client::new()
        .post(format!("{url}/__fake/faults"))
        .body(fault)
        .send()
        .await
        .unwrap();
    assert_eq!(injected.status().as_u16(), 204);
    let client = Client::builder()
        .api_key(TOKEN)
        .base_url(&url)
        .max_retries(0)
        .build()
        .unwrap();
    let err = client.list_keys(&project, None).await.unwrap_err();
    assert_eq!(err.status().map(|status| status.as_u16()), Some(503));
    client.list_keys(&project, None).await.unwrap();
}
