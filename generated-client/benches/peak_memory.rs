//! Peak memory of decoding the largest `list_keys` bodies the default
//! settings accept, in the shapes that amplify most when decoded (issue 18
//! F2): `cargo bench -p deepgram-keys --bench peak_memory`. Not a criterion
//! benchmark: it prints, for each shape, the client process's `VmHWM` (peak
//! resident memory, from `/proc/self/status`) after the call. Linux only.
//!
//! The body is served from this process on 127.0.0.1; the client runs in a
//! child process of its own (this program again, with `PEAK_MEMORY_URL`
//! set), so that its peak counts neither the server nor the body's making.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;

use deepgram_keys::{Client, DEFAULT_MAX_RESPONSE_BODY, Error};

/// One list item as small as the spec allows: empty strings, no optional
/// field, a creation time without fractions.
const SMALLEST_KEY: &str = r#"{"api_key":{"api_key_id":"","comment":"","scopes":[],"created":"2024-05-21T17:19:49Z"},"member":{"member_id":"","email":""}}"#;

/// A `{"api_keys":[...]}` body of `item`s, as many as fit in `limit` bytes.
fn list_of(item: &str, limit: usize) -> Vec<u8> {
    let count = (limit - 16) / (item.len() + 1);
    let mut body = Vec::with_capacity(limit);
    body.extend_from_slice(br#"{"api_keys":["#);
    for i in 0..count {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(item.as_bytes());
    }
    body.extend_from_slice(b"]}");
    body
}

/// One key whose `scopes` (or `tags`) is as many empty strings as fit.
fn one_key_with_empty_strings(field: &str, limit: usize) -> Vec<u8> {
    let other = if field == "scopes" {
        ""
    } else {
        r#""scopes":[],"#
    };
    let head = format!(
        r#"{{"api_keys":[{{"api_key":{{"api_key_id":"","comment":"","created":"2024-05-21T17:19:49Z",{other}"{field}":["#
    );
    let tail = r#"""]},"member":{"member_id":"","email":""}}]}"#;
    let count = (limit - head.len() - tail.len()) / 3;
    let mut body = head.into_bytes();
    body.extend(std::iter::repeat_n(&b"\"\","[..], count).flatten());
    body.extend_from_slice(tail.as_bytes());
    body
}

/// Answers every request with `body` (keep-alive, HTTP/1.1).
fn serve(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    format!("http://{address}")
}

/// The process's peak resident memory in bytes.
fn vm_hwm() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// The child: one `list_keys` with the default settings, then the peak.
fn client(url: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = Client::builder()
        .api_key("peak-memory-token")
        .base_url(url)
        .build()
        .unwrap();
    let before = vm_hwm();
    let outcome = match runtime.block_on(client.list_keys("p", None)) {
        Ok(keys) => format!("decoded {} keys", keys.len()),
        Err(err @ Error::BodyTooLarge { .. }) => format!("refused: {err}"),
        Err(err) => format!("failed: {err}"),
    };
    println!(
        "{} MB peak ({} MB before the call); {outcome}",
        vm_hwm() / 1_000_000,
        before / 1_000_000
    );
}

fn main() {
    if let Ok(url) = std::env::var("PEAK_MEMORY_URL") {
        return client(&url);
    }
    let limit = DEFAULT_MAX_RESPONSE_BODY;
    let shapes: [(&str, Vec<u8>); 3] = [
        ("smallest keys", list_of(SMALLEST_KEY, limit)),
        (
            "one key, empty-string scopes",
            one_key_with_empty_strings("scopes", limit),
        ),
        (
            "one key, empty-string tags",
            one_key_with_empty_strings("tags", limit),
        ),
    ];
    for (name, body) in shapes {
        let size = body.len();
        let url = serve(body);
        let output = Command::new(std::env::current_exe().unwrap())
            .env("PEAK_MEMORY_URL", &url)
            .output()
            .unwrap();
        print!(
            "peak_memory {name} ({size} bytes, default limit {limit}): {}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
}
