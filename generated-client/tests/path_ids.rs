//! The one-segment rule, tested on what a server on 127.0.0.1 receives: every
//! id reaches it as exactly one path segment that decodes back to the id, or
//! the call is refused and nothing is sent.

mod support;

use deepgram_keys::{Client, CreateKey, Error};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use support::{ESCAPE_IDS, RawServer, check_one_segment_each, proptest_config};

/// Whether the client may refuse `id`: only ids no segment can carry (empty,
/// `.`, `..`) and ids no Deepgram id can be (control characters, more than
/// 1024 bytes). Every other id must be sent.
fn may_refuse(id: &str) -> bool {
    matches!(id, "" | "." | "..") || id.len() > 1024 || id.chars().any(char::is_control)
}

/// One call: its operation, the path template it must follow, the ids it
/// put into the path, and its outcome.
type Call<'a> = (&'static str, &'static str, Vec<&'a str>, Result<(), Error>);

/// Puts `id` in every path position of every operation and checks what the
/// server received.
async fn check_every_position(client: &Client, server: &RawServer, id: &str) -> Result<(), String> {
    let create = CreateKey::new("c", ["member"]);
    let calls: [Call; 5] = [
        (
            "list_keys",
            "/v1/projects/{}/keys",
            vec![id],
            client.list_keys(id, None).await.map(drop),
        ),
        (
            "create_key",
            "/v1/projects/{}/keys",
            vec![id],
            client.create_key(id, &create).await.map(drop),
        ),
        (
            "get_key",
            "/v1/projects/{}/keys/{}",
            vec!["p", id],
            client.get_key("p", id).await.map(drop),
        ),
        (
            "get_key",
            "/v1/projects/{}/keys/{}",
            vec![id, "k"],
            client.get_key(id, "k").await.map(drop),
        ),
        (
            "delete_key",
            "/v1/projects/{}/keys/{}",
            vec![id, id],
            client.delete_key(id, id).await.map(drop),
        ),
    ];
    // The calls above ran one after the other; the server saw them in order.
    let mut targets = server.take_targets().into_iter();
    for (operation, template, ids, outcome) in calls {
        let label = format!("{operation} with {ids:?}");
        match outcome {
            Err(Error::InvalidRequest { operation: op, .. }) if op == operation => {
                if !may_refuse(id) {
                    return Err(format!("{label}: refused an id it must send"));
                }
            }
            Err(err) if err.status().map(|s| s.as_u16()) == Some(404) => {
                let target = targets
                    .next()
                    .ok_or_else(|| format!("{label}: answered, but no request arrived"))?;
                check_one_segment_each(&target, template, &ids)
                    .map_err(|problem| format!("{label}: {problem}"))?;
            }
            other => return Err(format!("{label}: unexpected outcome {other:?}")),
        }
    }
    match targets.next() {
        None => Ok(()),
        Some(extra) => Err(format!("{id:?}: a refused call sent {extra:?}")),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn client(server: &RawServer) -> Client {
    Client::builder()
        .api_key("test-token")
        .base_url(&server.base_url)
        .build()
        .unwrap()
}

#[test]
fn every_escape_trick_is_refused_or_stays_one_segment() {
    let runtime = runtime();
    let server = RawServer::start();
    let client = client(&server);
    let mut sent = 0;
    for id in ESCAPE_IDS {
        runtime
            .block_on(check_every_position(&client, &server, id))
            .unwrap_or_else(|problem| panic!("{id:?}: {problem}"));
        sent += usize::from(!may_refuse(id));
    }
    assert!(
        sent > ESCAPE_IDS.len() / 2,
        "most tricks are ordinary text and must be sent"
    );
}

#[test]
fn the_reported_escapes_no_longer_reach_another_path() {
    let runtime = runtime();
    let server = RawServer::start();
    let client = client(&server);
    runtime.block_on(async {
        client.delete_key("p", r"..\..\OTHER").await.unwrap_err();
        client.delete_key(r"..\", "k").await.unwrap_err();
    });
    assert_eq!(
        server.take_targets(),
        [
            "/v1/projects/p/keys/..%5C..%5COTHER",
            "/v1/projects/..%5C/keys/k"
        ]
    );
}

#[test]
fn each_id_is_sent_exactly_so_encoded() {
    let runtime = runtime();
    let server = RawServer::start();
    let client = client(&server);
    let cases = [
        ("a/b", "a%2Fb"),
        (r"..\..\OTHER", "..%5C..%5COTHER"),
        ("x?admin=1", "x%3Fadmin%3D1"),
        ("frag#ment", "frag%23ment"),
        ("100%", "100%25"),
        ("with space", "with%20space"),
        ("../../v1/projects", "..%2F..%2Fv1%2Fprojects"),
        ("...", "..."),
        ("%2e%2e", "%252e%252e"),
        ("\u{ff0e}\u{ff0e}", "%EF%BC%8E%EF%BC%8E"),
        ("uuid-like_0.9~", "uuid-like_0.9~"),
    ];
    for (hostile, encoded) in cases {
        runtime
            .block_on(client.get_key("proj", hostile))
            .unwrap_err();
        assert_eq!(
            server.take_targets(),
            [format!("/v1/projects/proj/keys/{encoded}")],
            "key id {hostile:?}: the whole target, so nothing leaked into a query either"
        );
    }
}

#[test]
fn ids_no_segment_can_carry_are_refused_before_anything_is_sent() {
    let runtime = runtime();
    let server = RawServer::start();
    let client = client(&server);
    for refused in [".", "..", "", "k\n", "\0"] {
        let err = runtime
            .block_on(client.delete_key("proj", refused))
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidRequest {
                    operation: deepgram_keys::Operation::DeleteKey,
                    ..
                }
            ),
            "{refused:?}: {err:?}"
        );
        let err = runtime
            .block_on(client.list_keys(refused, None))
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidRequest {
                    operation: deepgram_keys::Operation::ListKeys,
                    ..
                }
            ),
            "{refused:?}: {err:?}"
        );
    }
    assert_eq!(
        server.take_targets(),
        Vec::<String>::new(),
        "a refused or empty id was sent"
    );
}

#[test]
fn long_ids_up_to_the_limit_stay_one_segment() {
    let runtime = runtime();
    let server = RawServer::start();
    let client = client(&server);
    for id in [
        "k".repeat(1024),
        r"..\".repeat(256),
        "é".repeat(512),
        "🔑".repeat(256),
        "k".repeat(1025),
        "/".repeat(100_000),
    ] {
        runtime
            .block_on(check_every_position(&client, &server, &id))
            .unwrap_or_else(|problem| panic!("{} bytes: {problem}", id.len()));
    }
}

/// Ids built from the pieces escapes are made of, in any order and number.
fn escape_pieces() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        ".", "..", "/", "\\", "%", "%2e", "%2E", "%2f", "%5c", "%25", "%00", "?", "#", ";", "\t",
        "\n", "\r", "\0", " ", "\u{85}", "\u{ff0e}", "\u{ff0f}", "\u{ff3c}", "\u{2024}",
        "\u{200b}", "a", "OTHER", "v1", "keys", "~", "-", "_", "é", "🔑",
    ]);
    prop::collection::vec(pieces, 1..12).prop_map(|pieces| pieces.concat())
}

#[test]
fn arbitrary_ids_are_refused_or_stay_one_segment() {
    let runtime = runtime();
    let server = RawServer::start();
    let client = client(&server);
    let ids = prop_oneof![
        any::<String>(),
        escape_pieces(),
        "[./\\\\%a-f0-9]{0,8}",
        prop::collection::vec(any::<char>(), 1000..1100).prop_map(String::from_iter),
    ];
    TestRunner::new(proptest_config(300))
        .run(&ids, |id| {
            runtime
                .block_on(check_every_position(&client, &server, &id))
                .map_err(TestCaseError::fail)
        })
        .unwrap();
}
