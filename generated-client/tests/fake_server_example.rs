//! The `fake_server` example, the old name of the `deepgram-keys-fake`
//! program, still serves the fake: command lines written for it keep working.
//! (The program itself is tested in the fake's crate.)

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use deepgram_keys::Client;

/// The server, killed when the test ends however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_fake_server_example_serves_the_fake() {
    let mut child = Command::new(support::example_binary("fake_server"))
        .args(["--port", "0", "--token", support::TOKEN])
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
    assert_eq!(announced("token"), support::TOKEN);

    let client = Client::builder()
        .api_key(support::TOKEN)
        .base_url(&url)
        .build()
        .unwrap();
    let listed = client.list_keys(&project, None).await.unwrap();
    assert_eq!(listed.len(), 1, "the owner key: {listed:?}");
}
