//! The response path on random and mutated statuses, headers and bodies, for
//! every operation: the client never panics, and no error shows the API key
//! or a new key's secret, in `Display`, `Debug` or its `source()` chain.
//!
//! Fixed seed and a budget that fits the test command; see the README's
//! "Long fuzzing campaigns" for a run of a million cases or more.

mod support;

use std::time::Duration;

use deepgram_keys::{Client, CreateKey, Error};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use serde_json::{Value, json};
use support::{RawServer, proptest_config};

const TOKEN: &str = "fuzz-token-5b1f0c2e9d8a7f6e";
const NEW_SECRET: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";

/// Bodies Deepgram sends (or has sent), to mutate from.
fn seeds() -> Vec<Value> {
    let api_key = json!({"api_key_id": "k-1", "comment": "c", "scopes": ["member"],
        "created": "2024-05-21T17:19:49.373761Z", "tags": ["t"], "expiration_date": null});
    let member = json!({"member_id": "m-1", "email": "ada@example.com", "first_name": "Ada"});
    let mut wrapped_member = member.clone();
    wrapped_member["api_key"] = api_key.clone();
    vec![
        json!({"api_keys": [{"member": member, "api_key": api_key}]}),
        json!({"member": member, "api_key": api_key}),
        json!({"item": {"member": wrapped_member}}),
        json!({"api_key_id": "k-9", "key": NEW_SECRET, "comment": "ci", "scopes": ["member"],
            "created": "2024-05-21T17:19:49Z", "expiration_date": "2030-01-01T00:00:00Z"}),
        json!({"message": "Successfully deleted the API key!"}),
        json!({"category": "INVALID_AUTH", "message": "Invalid credentials.", "details": "x", "request_id": "r-1"}),
        json!({"err_code": "NOT_FOUND", "err_msg": format!("no key {NEW_SECRET}"), "request_id": 7}),
        json!({"title": "Not Found", "detail": format!("echo: Token {TOKEN}")}),
    ]
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        prop::sample::select(vec![
            "",
            "2024-05-21T17:19:49Z",
            "2030-01-01",
            "active",
            "expired",
            NEW_SECRET,
            TOKEN,
            "Token ",
            "\u{0}",
            "\u{fffd}",
            "🔑",
        ])
        .prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "api_keys",
                    "api_key",
                    "member",
                    "item",
                    "key",
                    "api_key_id",
                    "comment",
                    "scopes",
                    "tags",
                    "created",
                    "expiration_date",
                    "message",
                    "category",
                    "err_code",
                    "err_msg",
                    "error_code",
                    "details",
                    "request_id",
                    "email",
                    "member_id",
                    "x",
                ])
                .prop_map(String::from),
                inner,
                0..5,
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Replaces the value at a random place in `value` (picked by `choice`)
/// with `replacement`.
fn replace_somewhere(value: &mut Value, choice: usize, replacement: Value) {
    let mut places: Vec<*mut Value> = Vec::new();
    fn collect(value: &mut Value, places: &mut Vec<*mut Value>) {
        places.push(value);
        match value {
            Value::Array(items) => items.iter_mut().for_each(|item| collect(item, places)),
            Value::Object(map) => map.values_mut().for_each(|item| collect(item, places)),
            _ => {}
        }
    }
    collect(value, &mut places);
    let place = places[choice % places.len()];
    // SAFETY: `place` points into `value`, which is borrowed mutably here and
    // not otherwise touched until the write is done.
    unsafe { *place = replacement };
}

/// A body: a seed with JSON values replaced, a seed with bytes changed, any
/// JSON, or any bytes.
fn bodies() -> impl Strategy<Value = Vec<u8>> {
    let seed_count = seeds().len();
    let json_mutated = (
        0..seed_count,
        prop::collection::vec((any::<usize>(), any_json()), 1..4),
    )
        .prop_map(|(seed, edits)| {
            let mut body = seeds()[seed].clone();
            for (choice, replacement) in edits {
                replace_somewhere(&mut body, choice, replacement);
            }
            body.to_string().into_bytes()
        });
    let byte_mutated = (
        0..seed_count,
        prop::collection::vec((any::<usize>(), any::<u8>(), 0..3u8), 1..8),
    )
        .prop_map(|(seed, edits)| {
            let mut body = seeds()[seed].to_string().into_bytes();
            for (at, byte, edit) in edits {
                let at = at % (body.len() + 1);
                match edit {
                    0 if at < body.len() => body[at] = byte,
                    1 => body.insert(at, byte),
                    _ => body.truncate(at),
                }
            }
            body
        });
    prop_oneof![
        4 => json_mutated,
        3 => byte_mutated,
        1 => any_json().prop_map(|value| value.to_string().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..64),
    ]
}

fn statuses() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => prop::sample::select(vec![
            200, 201, 204, 301, 304, 400, 401, 403, 404, 408, 409, 418, 429, 500, 501, 502,
            503, 504, 599,
        ]),
        1 => 200..=999u16,
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop::sample::select(vec![
        "content-type",
        "retry-after",
        "dg-request-id",
        "content-encoding",
        "x-other",
        "location",
        "www-authenticate",
    ]);
    let value = prop_oneof![
        prop::sample::select(vec![
            "application/json",
            "text/plain",
            "text/html; charset=utf-8",
            "0",
            "1",
            "-1",
            "99999999999999999999",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "gzip",
            NEW_SECRET,
            TOKEN,
            "",
        ])
        .prop_map(String::from),
        "[ -~]{0,40}",
    ];
    prop::collection::vec((name.prop_map(String::from), value), 0..4)
}

fn assert_no_secrets(err: &Error) -> Result<(), TestCaseError> {
    let mut shown = vec![err.to_string(), format!("{err:?}")];
    let mut next = std::error::Error::source(err);
    while let Some(source) = next {
        shown.push(format!("{source} {source:?}"));
        next = source.source();
    }
    for text in shown {
        prop_assert!(!text.contains(TOKEN), "the token leaked: {text}");
        prop_assert!(!text.contains(NEW_SECRET), "a new key leaked: {text}");
    }
    Ok(())
}

#[test]
fn every_operation_survives_any_response_without_leaking_a_secret() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = RawServer::start();
    // One retry, fast, inside a short budget: retry paths run, and a long
    // `Retry-After` ends the call instead of waiting.
    let client = Client::builder()
        .api_key(TOKEN)
        .base_url(&server.base_url)
        .max_retries(1)
        .backoff(Duration::from_millis(1), Duration::from_millis(1))
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let create = CreateKey::new("c", ["member"]);
    TestRunner::new(proptest_config(256))
        .run(
            &(statuses(), headers(), bodies()),
            |(status, headers, body)| {
                server.answer_with(status, &headers, &body);
                // What was sent is not this test's question; emptied so that
                // a campaign of millions of cases keeps its memory flat.
                server.take_targets();
                runtime.block_on(async {
                    let outcomes = [
                        client
                            .list_keys("p", None)
                            .await
                            .map(|keys| format!("{keys:?}")),
                        client.get_key("p", "k").await.map(|key| format!("{key:?}")),
                        client
                            .create_key("p", &create)
                            .await
                            .map(|key| format!("{key:?}")),
                        client
                            .delete_key("p", "k")
                            .await
                            .map(|done| format!("{done:?}")),
                    ];
                    for outcome in outcomes {
                        match outcome {
                            Ok(debug) => prop_assert!(!debug.contains(NEW_SECRET), "{debug}"),
                            Err(err) => assert_no_secrets(&err)?,
                        }
                    }
                    Ok(())
                })
            },
        )
        .unwrap();
}
