//! Which proxy a call goes through, with the proxy variables set the way a
//! user's shell sets them: each run is the `keys` program as a child
//! process, so that no test changes this process's environment.
//!
//! Plain `http://` never goes through a proxy (the token would reach it in
//! clear); `https://` goes through `HTTPS_PROXY` or `ALL_PROXY` unless
//! `NO_PROXY` matches, with TLS end to end.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use support::{HandledServer, keys_binary};

const TOKEN: &str = "proxy-token-5b1f0c2e9d8a7f6e";

const PROXY_VARIABLES: [&str; 7] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
];

/// A proxy on 127.0.0.1 that records what reaches it and forges an empty
/// key list for anything it is asked.
struct Proxy {
    url: String,
    received: Arc<Mutex<Vec<u8>>>,
}

impl Proxy {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { break };
                let mut buffer = [0u8; 4096];
                let read = stream.read(&mut buffer).unwrap_or(0);
                log.lock().unwrap().extend_from_slice(&buffer[..read]);
                let forged = r#"{"api_keys":[]}"#;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{forged}",
                    forged.len()
                );
            }
        });
        Self { url, received }
    }

    fn received(&self) -> String {
        String::from_utf8_lossy(&self.received.lock().unwrap()).into_owned()
    }
}

fn empty_list_server() -> HandledServer {
    HandledServer::start(|_, stream| {
        let body = r#"{"api_keys":[]}"#;
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
    })
}

/// `keys list p` against `base_url` with exactly these proxy variables set.
fn keys_list(base_url: &str, proxy_env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(keys_binary());
    command
        .env_remove("DEEPGRAM_BASE_URL")
        .env("DEEPGRAM_API_KEY", TOKEN)
        .args(["--base-url", base_url, "list", "p"]);
    for variable in PROXY_VARIABLES {
        command.env_remove(variable);
    }
    command.envs(proxy_env.iter().copied());
    command.output().unwrap()
}

#[test]
fn plain_http_to_this_machine_never_goes_through_a_proxy() {
    let server = empty_list_server();
    let port = server.base_url.rsplit(':').next().unwrap().to_owned();
    for variable in &PROXY_VARIABLES[..6] {
        for base_url in [server.base_url.clone(), format!("http://localhost:{port}")] {
            let proxy = Proxy::start();
            let before = server.requests();
            let output = keys_list(&base_url, &[(variable, &proxy.url)]);
            let label = format!("{variable} with {base_url}");
            assert!(output.status.success(), "{label}: {output:?}");
            assert_eq!(proxy.received(), "", "{label}: the proxy was asked");
            assert_eq!(server.requests(), before + 1, "{label}");
        }
    }
}

#[test]
fn https_goes_through_the_https_proxy_with_tls_end_to_end() {
    for variable in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        let proxy = Proxy::start();
        let output = keys_list("https://127.0.0.1:9", &[(variable, &proxy.url)]);
        let received = proxy.received();
        assert!(
            received.starts_with("CONNECT 127.0.0.1:9 "),
            "{variable}: {received:?}"
        );
        assert!(!received.contains(TOKEN), "{variable}: {received:?}");
        // The proxy answered the tunnel with a plain-text list, not TLS: a
        // forged answer must not pass for the service's.
        assert!(!output.status.success(), "{variable}: {output:?}");
    }
}

#[test]
fn no_proxy_keeps_https_hosts_off_the_proxy() {
    let proxy = Proxy::start();
    let output = keys_list(
        "https://127.0.0.1:9",
        &[("HTTPS_PROXY", &proxy.url), ("NO_PROXY", "127.0.0.1")],
    );
    assert_eq!(proxy.received(), "", "{output:?}");
    assert!(!output.status.success());
}
