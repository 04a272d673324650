//! What the client crate's test files share: the three kinds of test server,
//! the test secrets and the check that they never show, the one-segment
//! rule for ids, and the settings of the property tests.
//!
//! Three kinds of server, because the cases need three:
//! - wiremock, for every case that answers with a chosen status, headers and
//!   body (and delay) and then inspects what arrived, parsed: method, path,
//!   query, headers, JSON body. A well-kept crate, not our code.
//! - [`RawServer`], for what wiremock cannot do: record the request target
//!   byte for byte as it arrives on the socket, before any URL parser can
//!   normalise it (the one-segment rule for ids), send bytes that are not a
//!   well-formed response (the response fuzzer), and hang up after reading a
//!   request without answering (a connection lost after sending).
//! - [`HandledServer`], for a conversation: a closure per request, so that
//!   the first attempt breaks half-way through a body and the retry is
//!   answered, an answer stalls past a deadline, or keep-alive connections
//!   outlive a runtime.
//!
//! The fake Deepgram is not one of them: it is tested in its own crate and
//! held to the spec by the contract tests; the client's rules are tested
//! here on answers chosen byte for byte. Three files use the fake where a
//! case needs state across calls (a key created, then used as a token):
//! `ergonomics.rs`, `tracing.rs` and `keys_example.rs`. Connection failures
//! use a bare `TcpListener` (a port closed or never answered).

#![allow(dead_code)] // Each test file uses its own part of this module.

use std::fmt::{Debug, Display};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deepgram_keys::{Client, ClientBuilder};
use proptest::test_runner::{Config, RngSeed};
use serde_json::{Value, json};
use wiremock::{MockServer, Request};

/// The API key the tests' clients send.
pub const TOKEN: &str = "dg-test-token-0123456789abcdef0123456789abcdef";

/// A new key's secret, as a server returns it once.
pub const NEW_SECRET: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";

/// A builder aimed at `server`, with the test token.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder().api_key(TOKEN).base_url(server.uri())
}

/// A client for `server` with fast retries.
pub fn client(server: &MockServer) -> Client {
    builder(server)
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .build()
        .unwrap()
}

/// Neither the token nor a new key's secret may show in any formatting.
pub fn assert_no_secrets(value: &(impl Debug + Display)) {
    for shown in [
        format!("{value}"),
        format!("{value:?}"),
        format!("{value:#?}"),
    ] {
        assert!(!shown.contains(TOKEN), "the token leaked: {shown}");
        assert!(!shown.contains(NEW_SECRET), "a new key leaked: {shown}");
    }
}

/// Neither secret may show anywhere in an error's `source()` chain either.
pub fn assert_no_secrets_in_chain(err: &(dyn std::error::Error + 'static)) {
    let mut next = Some(err);
    while let Some(err) = next {
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(TOKEN), "the token leaked: {shown}");
        assert!(!shown.contains(NEW_SECRET), "a new key leaked: {shown}");
        next = err.source();
    }
}

/// A `get_key` answer in the flat shape.
pub fn key_json() -> Value {
    json!({
        "member": {"member_id": "m-1", "email": "ada@example.com"},
        "api_key": {"api_key_id": "k-1", "comment": "c", "scopes": ["member"], "created": "2024-05-21T17:19:49.373761Z"}
    })
}

/// The one request `server` received.
pub async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests.remove(0)
}

/// The seed of every property test, so that a run is repeatable. Set
/// `PROPTEST_RNG_SEED` to explore other inputs.
pub const SEED: u64 = 0x6465_6570_6772_616d;

/// The settings of a property test: `default_cases` cases from [`SEED`],
/// unless `PROPTEST_CASES` or `PROPTEST_RNG_SEED` say otherwise (see the
/// README's "Long fuzzing campaigns"). Failures are not written to disk; each
/// one found becomes an explicit regression case instead.
pub fn proptest_config(default_cases: u32) -> Config {
    let mut config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default_cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(SEED);
    }
    config
}

/// A server on 127.0.0.1 that records the request target (path and query)
/// of every request byte for byte as it arrives, before any parsing, then
/// answers with the bytes it was given and closes the connection: by
/// default an empty `404`, which is not retried, so one call sends at most
/// one request. Each connection carries one request.
pub struct RawServer {
    pub base_url: String,
    targets: Receiver<String>,
    /// What every request gets; `None`: nothing, the connection is closed.
    answer: Arc<Mutex<Option<Vec<u8>>>>,
}

impl RawServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let (sender, targets) = channel();
        let answer = Arc::new(Mutex::new(Some(
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec(),
        )));
        let script = Arc::clone(&answer);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { break };
                let Some(target) = read_request_target(&mut stream) else {
                    continue;
                };
                // Recorded before answering: when the client has its answer,
                // the target is already here.
                if sender.send(target).is_err() {
                    break;
                }
                let answer = script.lock().unwrap().clone();
                if let Some(answer) = answer {
                    let _ = stream.write_all(&answer);
                }
            }
        });
        Self {
            base_url,
            targets,
            answer,
        }
    }

    /// Every request from now on gets `status`, `headers`, a matching
    /// `content-length` and `body`. The bytes go out as given: a malformed
    /// head is part of what a test may send.
    pub fn answer_with(&self, status: u16, headers: &[(String, String)], body: &[u8]) {
        let mut answer = format!("HTTP/1.1 {status} Scripted\r\nconnection: close\r\n");
        for (name, value) in headers {
            answer.push_str(&format!("{name}: {value}\r\n"));
        }
        answer.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
        let mut answer = answer.into_bytes();
        answer.extend_from_slice(body);
        *self.answer.lock().unwrap() = Some(answer);
    }

    /// Every request from now on is read whole and then the connection is
    /// closed without an answer: the server may have acted on it.
    pub fn hang_up(&self) {
        *self.answer.lock().unwrap() = None;
    }

    /// The request targets that arrived since the last call.
    pub fn take_targets(&self) -> Vec<String> {
        self.targets.try_iter().collect()
    }
}

/// An address on 127.0.0.1 that nothing listens on: connecting is refused.
pub fn closed_address() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// Reads one request's head and body; returns the target of its request line.
fn read_request_target(stream: &mut impl Read) -> Option<String> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let read = stream.read(&mut buffer).ok().filter(|&n| n > 0)?;
        received.extend_from_slice(&buffer[..read]);
    };
    let head = String::from_utf8_lossy(&received[..head_end]).into_owned();
    let body_length: usize = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0);
    while received.len() < head_end + body_length {
        let read = stream.read(&mut buffer).ok().filter(|&n| n > 0)?;
        received.extend_from_slice(&buffer[..read]);
    }
    let request_line = head.lines().next()?;
    Some(request_line.split(' ').nth(1)?.to_owned())
}

/// The one-segment rule: `target`, as received, is `template` with each
/// `{}` replaced by exactly one path segment that percent-decodes back to the
/// id in that place, and nothing else (no query, no fragment, no extra
/// segment). Returns what differs.
pub fn check_one_segment_each(target: &str, template: &str, ids: &[&str]) -> Result<(), String> {
    let path = target
        .strip_prefix('/')
        .ok_or_else(|| format!("{target:?} does not start with /"))?;
    if path.contains(['?', '#', '\\']) {
        return Err(format!("{target:?} holds `?`, `#` or `\\`"));
    }
    let segments: Vec<&str> = path.split('/').collect();
    let expected: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    if segments.len() != expected.len() {
        return Err(format!(
            "{target:?} has {} segments, {template} has {}",
            segments.len(),
            expected.len()
        ));
    }
    let mut ids = ids.iter();
    for (segment, expected) in segments.iter().zip(expected) {
        let want = if expected == "{}" {
            ids.next()
                .expect("one id per {} in the template")
                .as_bytes()
        } else {
            expected.as_bytes()
        };
        let decoded: Vec<u8> = percent_encoding::percent_decode_str(segment).collect();
        if decoded != want {
            return Err(format!(
                "segment {segment:?} of {target:?} decodes to {:?}, not {:?}",
                String::from_utf8_lossy(&decoded),
                String::from_utf8_lossy(want)
            ));
        }
    }
    Ok(())
}

/// Ids built to escape their segment: every trick of the URL standard and of
/// servers in front of APIs, alone and combined. Each must be refused before
/// sending or arrive as exactly one segment that decodes back to it.
pub const ESCAPE_IDS: &[&str] = &[
    // Separators, raw and percent-encoded, in both cases.
    r"..\..\OTHER",
    r"..\",
    r"a\b",
    r"\",
    "a/b",
    "/",
    "%2f",
    "%2F..%2F..%2FOTHER",
    "%5c",
    r"%5C..%5COTHER",
    "?",
    "x?admin=1",
    "frag#ment",
    "#",
    "%3F",
    "%23",
    // Dot segments, percent-encoded and mixed.
    ".",
    "..",
    "...",
    ".%2e",
    "%2e.",
    "%2e%2e",
    "%2E%2E",
    "%2e",
    "%252e%252e",
    "..;",
    ";..",
    "..;/OTHER",
    "..%00",
    "..%2f",
    r"..\.",
    // Characters the URL parser strips or that end a request line.
    "..\t",
    "\t..",
    ".\n.",
    "..\r\n",
    "a\r\nHost: evil",
    "a b",
    " ",
    "\0",
    "..\0",
    "\u{7f}",
    "\u{85}",
    "\u{9b}",
    // Percent signs that are not escapes.
    "%",
    "%%",
    "%0",
    "%zz",
    "100%",
    // Unicode lookalikes of `.`, `/` and `\`.
    "\u{ff0e}\u{ff0e}",
    "\u{ff0e}\u{ff0e}\u{ff0f}OTHER",
    "\u{ff3c}OTHER",
    "\u{2024}\u{2024}",
    "\u{fe52}\u{fe52}",
    "\u{2215}",
    "\u{2044}",
    "\u{29f5}",
    "\u{fe68}",
    "\u{3002}\u{3002}",
    // Invisible and direction-changing characters, and non-ASCII.
    "\u{200b}..",
    "..\u{feff}",
    "\u{202e}yek",
    "ключ",
    "🔑",
    // Other characters with a meaning in URLs.
    "a;b=c",
    "a&b",
    "a+b",
    "user@host",
    "a:b",
    "[::1]",
    "a|b^c`d{e}f<g>h\"i'j",
    "~user",
];

/// A server on 127.0.0.1 that reads each request whole, then hands the
/// connection to `handle` with the request's number (from 0), to answer,
/// stall, cut or close as the test needs. One thread per connection.
pub struct HandledServer {
    pub base_url: String,
    requests: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl HandledServer {
    pub fn start(handle: impl Fn(usize, &mut std::net::TcpStream) + Send + Sync + 'static) -> Self {
        use std::sync::atomic::Ordering;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = std::sync::Arc::clone(&requests);
        let handle = std::sync::Arc::new(handle);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { break };
                let (counter, handle) = (
                    std::sync::Arc::clone(&counter),
                    std::sync::Arc::clone(&handle),
                );
                std::thread::spawn(move || {
                    while read_request_target(&mut stream).is_some() {
                        let number = counter.fetch_add(1, Ordering::SeqCst);
                        handle(number, &mut stream);
                    }
                });
            }
        });
        Self { base_url, requests }
    }

    /// How many requests arrived whole.
    pub fn requests(&self) -> usize {
        self.requests.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// The `keys` example, built once per test binary (see [`example_binary`]).
pub fn keys_binary() -> &'static std::path::Path {
    static BINARY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BINARY.get_or_init(|| example_binary("keys"))
}

/// An example of this crate, built now: `cargo test --test NAME` does not
/// build examples, and a binary left from an earlier build would test old
/// code.
pub fn example_binary(name: &str) -> std::path::PathBuf {
    use std::path::Path;
    use std::process::Command;
    let test_binary = std::env::current_exe().unwrap();
    let profile_dir = test_binary.parent().and_then(Path::parent).unwrap();
    let profile = match profile_dir.file_name().unwrap().to_str().unwrap() {
        "debug" => "dev",
        other => other,
    };
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--package", "deepgram-keys"])
        .args(["--example", name, "--profile", profile])
        .arg("--target-dir")
        .arg(profile_dir.parent().unwrap())
        .status()
        .unwrap();
    assert!(status.success(), "building the `{name}` example failed");
    profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}
