//! The `fake_server` example serves the fake on a port, and the `keys`
//! example works against it as against Deepgram.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

const TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";

/// `cargo test` builds the examples next to the test binaries.
fn example(name: &str) -> PathBuf {
    let test_binary = std::env::current_exe().unwrap();
    let profile_dir = test_binary.parent().and_then(|deps| deps.parent()).unwrap();
    let binary = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.exists(),
        "{} is missing; run the tests with `cargo test -p deepgram-keys --features test-util`",
        binary.display()
    );
    binary
}

/// The server, killed when the test ends however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn keys(url: &str, args: &[&str]) -> Output {
    Command::new(example("keys"))
        .env_remove("DEEPGRAM_BASE_URL")
        .env("DEEPGRAM_API_KEY", TOKEN)
        .arg("--base-url")
        .arg(url)
        .args(args)
        .output()
        .unwrap()
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn the_keys_example_manages_keys_on_the_served_fake() {
    let mut child = Command::new(example("fake_server"))
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
    let mut announced = |label: &str| {
        let line = lines.next().unwrap().unwrap();
        line.strip_prefix(&format!("{label} "))
            .unwrap_or_else(|| panic!("expected `{label} ...`, got {line:?}"))
            .to_owned()
    };
    let url = announced("url");
    let project = announced("project");
    assert_eq!(announced("token"), TOKEN);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let created = json(&keys(
        &url,
        &[
            "create",
            &project,
            "--comment",
            "ci",
            "--scope",
            "usage:read",
            "--ttl",
            "60",
        ],
    ));
    let key_id = created["api_key_id"].as_str().unwrap().to_owned();
    assert_eq!(created["key"].as_str().map(str::len), Some(40));
    assert!(created["expiration_date"].is_string());

    let listed = json(&keys(&url, &["list", &project, "--status", "active"]));
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    let got = json(&keys(&url, &["get", &project, &key_id]));
    assert_eq!(
        got["api_key"]["comment"], "ci",
        "the wrapped shape, decoded"
    );
    json(&keys(&url, &["delete", &project, &key_id]));

    let gone = keys(&url, &["get", &project, &key_id]);
    assert_eq!(gone.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&gone.stderr);
    assert!(
        stderr.contains("404") && stderr.contains("request id"),
        "{stderr}"
    );

    // The server logs each request it answered.
    let logged = announced("POST");
    assert!(
        logged.starts_with(&format!("/v1/projects/{project}/keys 200 ")),
        "{logged}"
    );
}
