//! The client's cost on top of the HTTP call and of decoding, and the cost
//! of redacting an error body with a long token, each against its baseline
//! measured in the same run. `cargo xtask bench` runs it; it
//! prints each ratio as `ratio NAME VALUE`.
//!
//! It lives in the client crate so that it builds with the client's own
//! dependency features: the `Value` baseline gets `serde_json` as users of
//! the published crate get it (no `preserve_order` from the generator).

use std::hint::black_box;
use std::io::{Read, Write};
use std::net::TcpListener;

use chrono::{DateTime, Utc};
use criterion::{BenchmarkId, Criterion};
use deepgram_keys::Client;
use deepgram_keys::wire::ListKeysResponse;
use serde::Deserialize;
use serde_json::json;

/// The hand-written baseline: the same fields, the same types, nothing else.
#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalList {
    api_keys: Vec<MinimalEntry>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalEntry {
    member: MinimalMember,
    api_key: MinimalKey,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalMember {
    member_id: String,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalKey {
    api_key_id: String,
    comment: String,
    scopes: Vec<String>,
    tags: Option<Vec<String>>,
    expiration_date: Option<DateTime<Utc>>,
    created: DateTime<Utc>,
}

fn list_body(keys: usize) -> Vec<u8> {
    let entries: Vec<_> = (0..keys)
        .map(|i| {
            json!({
                "member": {"member_id": format!("0f4d7f8c-2a44-4a55-9d5c-{i:012}"), "email": format!("user{i}@example.com"), "first_name": "Ada", "last_name": "Lovelace"},
                "api_key": {"api_key_id": format!("3c1a6d2e-5b7f-4e8a-9c0d-{i:012}"), "comment": "ci pipeline", "scopes": ["usage:read", "keys:write"],
                            "tags": ["ci"], "expiration_date": "2030-01-01T00:00:00Z", "created": "2024-05-21T17:19:49.373761Z"}
            })
        })
        .collect();
    serde_json::to_vec(&json!({"api_keys": entries})).unwrap()
}

/// A keep-alive HTTP/1.1 server on 127.0.0.1 that answers every request with
/// `body`: as cheap as a server gets, so that the client's own cost shows.
fn canned_server(body: Vec<u8>) -> String {
    canned_server_with_status("200 OK", body)
}

/// [`canned_server`] answering with another status, such as `500 X`.
fn canned_server_with_status(status: &str, body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let mut response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(&body);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let response = response.clone();
            std::thread::spawn(move || {
                let mut request = Vec::new();
                let mut buffer = [0u8; 8192];
                loop {
                    let Ok(read) = stream.read(&mut buffer) else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    request.extend_from_slice(&buffer[..read]);
                    // Requests here have no body: the head ends the request.
                    while let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                        request.drain(..end + 4);
                        if stream.write_all(&response).is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    format!("http://{address}")
}

/// How many times the request benchmarks run, alternating which goes first.
/// On a loopback server the difference sought is a few microseconds of about
/// 250, smaller than the machine's drift between two runs; the median ratio
/// over alternating rounds cancels most of that drift.
const REQUEST_ROUNDS: usize = 3;

/// Runs the request pair `REQUEST_ROUNDS` times, alternating which goes
/// first; returns each round's ratio of the client to the baseline.
fn request_overhead(c: &mut Criterion) -> Vec<f64> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let base_url = canned_server(list_body(100));
    let client = Client::builder()
        .api_key("bench-token")
        .base_url(&base_url)
        .build()
        .unwrap();
    let http = reqwest::Client::new();
    let url = format!("{base_url}/v1/projects/p/keys");
    let mut ratios = Vec::with_capacity(REQUEST_ROUNDS);
    for round in 0..REQUEST_ROUNDS {
        let mut group = c.benchmark_group("request_overhead");
        let measure_client = |group: &mut criterion::BenchmarkGroup<'_, _>| {
            group.bench_with_input(BenchmarkId::new("deepgram_keys", round), &round, |b, _| {
                b.iter(|| {
                    runtime
                        .block_on(async { black_box(client.list_keys("p", None).await.unwrap()) })
                })
            });
        };
        let measure_baseline = |group: &mut criterion::BenchmarkGroup<'_, _>| {
            group.bench_with_input(BenchmarkId::new("handwritten", round), &round, |b, _| {
                b.iter(|| {
                    runtime.block_on(async {
                        let response = http
                            .get(&url)
                            .header("authorization", "Token bench-token")
                            .header("accept", "application/json")
                            .send()
                            .await
                            .unwrap();
                        let body = response.bytes().await.unwrap();
                        black_box(serde_json::from_slice::<MinimalList>(&body).unwrap())
                    })
                })
            });
        };
        if round % 2 == 0 {
            measure_client(&mut group);
            measure_baseline(&mut group);
        } else {
            measure_baseline(&mut group);
            measure_client(&mut group);
        }
        group.finish();
        // Each round has its own ids: criterion gives a repeated id a new
        // directory, so reading the first round's again would repeat it.
        if let Some(ratio) = ratio(
            &format!("request_overhead/deepgram_keys/{round}"),
            &format!("request_overhead/handwritten/{round}"),
        ) {
            ratios.push(ratio);
        }
    }
    ratios
}

/// How many `list_keys` calls run at once on one `Client`.
const CONCURRENT_CALLS: usize = 64;

/// 64 concurrent `list_keys` on one `Client` (one pool, one per-runtime
/// lookup, shared settings) against 64 concurrent hand-written reqwest
/// requests on one `reqwest::Client`, on a multi-threaded runtime.
fn concurrent_list_keys(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let base_url = canned_server(list_body(100));
    let client = Client::builder()
        .api_key("bench-token")
        .base_url(&base_url)
        .build()
        .unwrap();
    let http = reqwest::Client::new();
    let url = format!("{base_url}/v1/projects/p/keys");
    let mut group = c.benchmark_group("concurrent_64");
    group.bench_function("deepgram_keys", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let mut calls = tokio::task::JoinSet::new();
                for _ in 0..CONCURRENT_CALLS {
                    let client = client.clone();
                    calls.spawn(async move { client.list_keys("p", None).await.unwrap() });
                }
                while let Some(keys) = calls.join_next().await {
                    black_box(keys.unwrap());
                }
            })
        })
    });
    group.bench_function("handwritten", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let mut calls = tokio::task::JoinSet::new();
                for _ in 0..CONCURRENT_CALLS {
                    let (http, url) = (http.clone(), url.clone());
                    calls.spawn(async move {
                        let response = http
                            .get(&url)
                            .header("authorization", "Token bench-token")
                            .header("accept", "application/json")
                            .send()
                            .await
                            .unwrap();
                        let body = response.bytes().await.unwrap();
                        serde_json::from_slice::<MinimalList>(&body).unwrap()
                    });
                }
                while let Some(keys) = calls.join_next().await {
                    black_box(keys.unwrap());
                }
            })
        })
    });
    group.finish();
}

/// A 16 KiB error body (the most of one the client keeps) made of pieces of
/// the token one character too short to count as an echo, each of which the
/// redactor must look at: the worst case for a redactor that compares the
/// token at every position. The token is 4 KiB against 40 characters, same
/// body size, same run; a redactor linear in the body costs about the same.
fn redact_16k(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("redact_16k");
    for (name, length) in [("token_4k", 4096), ("token_40", 40)] {
        let token: String = (0..length)
            .map(|i| char::from(b"ghijklmnopqrstuvwxyz"[(i * 7 + i / 20) % 20]))
            .collect();
        let mut body = String::new();
        for at in (0..).map(|k| (k * 7) % (length - 7)) {
            if body.len() + 8 > deepgram_keys::MAX_ERROR_BODY {
                break;
            }
            body.push_str(&token[at..at + 7]);
            body.push(' ');
        }
        let base_url = canned_server_with_status("500 X", body.into_bytes());
        let client = Client::builder()
            .api_key(token)
            .base_url(&base_url)
            .max_retries(0)
            .build()
            .unwrap();
        group.bench_function(name, |b| {
            b.iter(|| {
                runtime
                    .block_on(async { black_box(client.list_keys("p", None).await.unwrap_err()) })
            })
        });
    }
    group.finish();
}

fn decode_10k(c: &mut Criterion) {
    let body = list_body(10_000);
    let mut group = c.benchmark_group("decode_10k");
    group.sample_size(20);
    // What the generated client runs on a 200 body (progenitor's
    // `ResponseValue::from_response` is `serde_json::from_slice`).
    group.bench_function("deepgram_keys", |b| {
        b.iter(|| black_box(serde_json::from_slice::<ListKeysResponse>(&body).unwrap()))
    });
    group.bench_function("handwritten", |b| {
        b.iter(|| black_box(serde_json::from_slice::<MinimalList>(&body).unwrap()))
    });
    group.bench_function("value", |b| {
        b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(&body).unwrap()))
    });
    group.finish();
}

/// Where criterion keeps its results for this benchmark.
fn results_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("criterion")
}

/// The median of one benchmark of this run, in nanoseconds.
fn median(id: &str) -> Option<f64> {
    let file = results_dir().join(id).join("new/estimates.json");
    let estimates: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).ok()?).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}

fn ratio(client: &str, baseline: &str) -> Option<f64> {
    Some(median(client)? / median(baseline)?)
}

fn main() {
    let mut criterion = Criterion::default()
        .output_directory(&results_dir())
        .configure_from_args();
    let mut rounds = request_overhead(&mut criterion);
    concurrent_list_keys(&mut criterion);
    redact_16k(&mut criterion);
    decode_10k(&mut criterion);
    criterion.final_summary();

    rounds.sort_by(f64::total_cmp);
    if !rounds.is_empty() {
        let shown: Vec<String> = rounds.iter().map(|ratio| format!("{ratio:.3}")).collect();
        println!("request_overhead rounds: {}", shown.join(" "));
        println!("ratio request_overhead {:.3}", rounds[rounds.len() / 2]);
    }
    for (name, client, baseline) in [
        (
            "concurrent_64_list_keys",
            "concurrent_64/deepgram_keys",
            "concurrent_64/handwritten",
        ),
        (
            "redact_16k_token_4k_vs_40",
            "redact_16k/token_4k",
            "redact_16k/token_40",
        ),
        (
            "decode_10k_vs_handwritten",
            "decode_10k/deepgram_keys",
            "decode_10k/handwritten",
        ),
        (
            "decode_10k_vs_value",
            "decode_10k/deepgram_keys",
            "decode_10k/value",
        ),
    ] {
        if let Some(ratio) = ratio(client, baseline) {
            println!("ratio {name} {ratio:.3}");
        }
    }
}
