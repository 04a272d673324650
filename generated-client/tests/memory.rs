//! Peak memory of a call whose success body is the densest the default
//! settings read, for every operation (issue 18 item 7, F2): JSON of
//! `0,0,0,…` (two bytes a value) in a field the types do not have. A decode
//! that keeps every value (serde's buffering of an untagged enum, a
//! `serde_json::Value`) takes 32 bytes and more for each two; one that
//! skips unknown fields takes nothing. Each call runs in a child process
//! (this test binary again, running only [`child_call`]), which prints its
//! `VmHWM` (peak resident memory, from `/proc/self/status`). Linux only.

mod support;

use std::process::Command;

use deepgram_keys::{Client, CreateKey, DEFAULT_MAX_RESPONSE_BODY};
use support::RawServer;

/// Set in the child: the operation to call and the server's base URL.
const CHILD: &str = "DEEPGRAM_KEYS_MEMORY_CHILD";
/// The issue's bound on the peak memory of any call.
const MAX_PEAK: u64 = 256_000_000;

const KEY: &str = r#""api_key":{"api_key_id":"k","comment":"c","scopes":[],"created":"2024-05-21T17:19:49Z"},"member":{"member_id":"m","email":"e"}"#;

/// `head`, then `0,0,…,0` and `]}` to make exactly `size` bytes.
fn zeros(head: &str, size: usize) -> Vec<u8> {
    let mut body = head.as_bytes().to_vec();
    let values = (size - head.len() - 2).div_ceil(2);
    body.extend(std::iter::repeat_n(&b"0,"[..], values).flatten());
    body.truncate(size - 2);
    if body.last() == Some(&b',') {
        body.pop();
        body.push(b' ');
    }
    body.extend_from_slice(b"]}");
    body
}

/// The peak resident memory of this process, in bytes.
fn vm_hwm() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Not a test of its own: the call a child process makes for
/// [`the_densest_body_of_every_operation_stays_under_256_mb`], which sets
/// [`CHILD`]; without it, it returns at once.
#[test]
fn child_call() {
    let Ok(spec) = std::env::var(CHILD) else {
        return;
    };
    let (operation, url) = spec.split_once(' ').unwrap();
    let client = Client::builder()
        .api_key(support::TOKEN)
        .base_url(url)
        .max_retries(0)
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = runtime.block_on(async {
        let result = match operation {
            "list_keys" => client.list_keys("p", None).await.map(drop),
            "get_key" => client.get_key("p", "k").await.map(drop),
            "create_key" => client
                .create_key("p", &CreateKey::new("c", ["member"]))
                .await
                .map(drop),
            _ => client.delete_key("p", "k").await.map(drop),
        };
        match result {
            Ok(()) => "decoded".to_owned(),
            Err(err) => format!("failed: {err}"),
        }
    });
    println!("peak {} ({outcome})", vm_hwm());
}

#[test]
fn the_densest_body_of_every_operation_stays_under_256_mb() {
    let size = DEFAULT_MAX_RESPONSE_BODY;
    let shapes = [
        ("list_keys", r#"{"api_keys":[],"x":["#.to_owned()),
        ("get_key", format!(r#"{{{KEY},"x":["#)),
        (
            "create_key",
            r#"{"api_key_id":"k","comment":"c","key":"s","scopes":[],"x":["#.to_owned(),
        ),
        ("delete_key", r#"{"message":"deleted","x":["#.to_owned()),
    ];
    let mut over = Vec::new();
    for (operation, head) in shapes {
        let body = zeros(&head, size);
        assert_eq!(body.len(), size);
        assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok());
        let server = RawServer::start();
        server.answer_with(200, &[], &body);
        drop(body);
        let output = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_call", "--nocapture", "--test-threads=1"])
            .env(CHILD, format!("{operation} {}", server.base_url))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout
            .lines()
            .find_map(|line| Some(line.split_once("peak ")?.1))
            .unwrap_or_else(|| panic!("{operation}: the child printed no peak: {stdout}"));
        let (peak, outcome) = line.split_once(' ').unwrap();
        let peak: u64 = peak.parse().unwrap();
        println!("{operation}: {peak} bytes peak {outcome}");
        if peak >= MAX_PEAK {
            over.push(format!(
                "{operation}: a {size}-byte body peaked at {peak} bytes {outcome}"
            ));
        }
    }
    assert!(over.is_empty(), "over {MAX_PEAK} bytes: {over:#?}");
}

/// A success body one byte over `max_response_body` (declared, or chunked
/// with no length) is refused with `Error::BodyTooLarge`, which names the
/// limit and the setting; one exactly at the limit is read. `get_key` reads
/// a sixteenth of the setting. A create refused so is outcome unknown: the
/// key was made, its secret is in the unread body.
#[tokio::test]
async fn a_success_body_over_the_limit_is_refused_naming_the_setting() {
    use std::io::Write;
    use support::HandledServer;

    const LIMIT: usize = 16 * 1024;
    let answer = std::sync::Arc::new(std::sync::Mutex::new((Vec::new(), false)));
    let script = std::sync::Arc::clone(&answer);
    let server = HandledServer::start(move |_, stream| {
        let (body, chunked): (Vec<u8>, bool) = script.lock().unwrap().clone();
        let _ = if chunked {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n",
                body.len()
            )
            .and_then(|()| stream.write_all(&body))
            .and_then(|()| stream.write_all(b"\r\n0\r\n\r\n"))
        } else {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n",
                body.len()
            )
            .and_then(|()| stream.write_all(&body))
        };
    });
    let client = Client::builder()
        .api_key(support::TOKEN)
        .base_url(&server.base_url)
        .max_response_body(LIMIT)
        .max_retries(0)
        .build()
        .unwrap();
    for chunked in [false, true] {
        for (operation, limit) in [
            ("list_keys", LIMIT),
            ("get_key", LIMIT / 16),
            ("create_key", LIMIT),
        ] {
            for size in [limit, limit + 1] {
                let head = match operation {
                    "list_keys" => r#"{"api_keys":[],"x":["#.to_owned(),
                    "get_key" => format!(r#"{{{KEY},"x":["#),
                    _ => {
                        r#"{"api_key_id":"k","comment":"c","key":"s","scopes":[],"x":["#.to_owned()
                    }
                };
                *answer.lock().unwrap() = (zeros(&head, size), chunked);
                let result = match operation {
                    "list_keys" => client.list_keys("p", None).await.map(drop),
                    "get_key" => client.get_key("p", "k").await.map(drop),
                    _ => client
                        .create_key("p", &CreateKey::new("c", ["member"]))
                        .await
                        .map(drop),
                };
                let label = format!("{operation}, {size} bytes, chunked: {chunked}");
                if size == limit {
                    assert!(result.is_ok(), "{label}: {result:?}");
                    continue;
                }
                let err = result.unwrap_err();
                assert!(
                    matches!(err, deepgram_keys::Error::BodyTooLarge { limit: l, .. } if l == limit),
                    "{label}: {err:?}"
                );
                let shown = err.to_string();
                assert!(
                    shown.contains(&limit.to_string()) && shown.contains("max_response_body"),
                    "{label}: {shown}"
                );
                assert_eq!(
                    err.is_outcome_unknown(),
                    operation == "create_key",
                    "{label}"
                );
            }
        }
    }
}
