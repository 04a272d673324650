//! Requests no client of this workspace sends: credentials in every header
//! and query form (none reaches the log), and bodies over the fake's limit
//! (the connection closes, so nothing after them is read as a request).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use deepgram_keys::reqwest;
use deepgram_keys_fake::{CREDENTIAL_WORDS, FakeDeepgram};

/// `name` in lower case, upper case and alternating case.
fn cases(name: &str) -> [String; 3] {
    let alternating = name
        .chars()
        .enumerate()
        .map(|(index, c)| {
            if index % 2 == 0 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    [
        name.to_ascii_lowercase(),
        name.to_ascii_uppercase(),
        alternating,
    ]
}

#[tokio::test]
async fn no_credential_reaches_the_log_in_any_header_or_query_form() {
    let fake = FakeDeepgram::start();
    let owner = fake.owner_token().expose_secret().to_owned();
    let secrets = [owner.clone(), "s3cr3t-not-hex_!".to_owned()];
    let path = format!("/v1/projects/{}/keys", fake.project_id());
    let http = reqwest::Client::new();
    let header_names = [
        "Authorization",
        "Proxy-Authorization",
        "X-Api-Key",
        "Api-Key",
        "Cookie",
        "X-Auth-Token",
        "X-Access-Token",
        "X-Client-Secret",
        "X-Session-Id",
        "X-Password",
    ];
    // Each word the fake redacts by, inside a longer name, and names as
    // clients spell them.
    let header_names: Vec<String> = header_names
        .map(str::to_owned)
        .into_iter()
        .chain(
            CREDENTIAL_WORDS
                .iter()
                .map(|word| format!("X-My-{word}-Value")),
        )
        .collect();
    let query_names: Vec<String> = CREDENTIAL_WORDS
        .iter()
        .map(|word| format!("my_{word}_value"))
        .chain(["api_key", "access_token", "client_secret"].map(str::to_owned))
        .collect();
    for secret in &secrets {
        for name in header_names.iter().flat_map(|name| cases(name)) {
            let value = match name.to_ascii_lowercase().as_str() {
                "authorization" | "proxy-authorization" => format!("Token {secret}"),
                "cookie" => format!("dg_session={secret}"),
                _ => secret.clone(),
            };
            // Repeated: every value is redacted, not only the first.
            http.get(format!("{}{path}", fake.url()))
                .header(&name, &value)
                .header(&name, &value)
                .send()
                .await
                .unwrap();
        }
        let encoded_secret: String = secret.bytes().map(|b| format!("%{b:02X}")).collect();
        for name in query_names.iter().flat_map(|name| cases(name)) {
            let escaped_name = format!("%{:02x}{}", name.as_bytes()[0], &name[1..]);
            for name in [name.clone(), escaped_name, name.replace('_', "%5F")] {
                for value in [secret.clone(), encoded_secret.clone()] {
                    let url = format!("{}{path}?status=active&{name}={value}", fake.url());
                    http.get(url).send().await.unwrap();
                }
            }
        }
    }
    let log = fake.requests();
    assert!(log.len() > 100, "{}", log.len());
    let shown = format!("{log:?}");
    for secret in &secrets {
        let encoded: String = secret.bytes().map(|b| format!("%{b:02X}")).collect();
        assert!(!shown.contains(secret.as_str()), "{secret} in {shown}");
        assert!(!shown.contains(&encoded), "{encoded} in {shown}");
    }
    // What is not a credential is kept, so the log still says what was sent.
    let with_query = log.iter().find(|request| request.query.is_some()).unwrap();
    assert!(
        with_query
            .query
            .as_deref()
            .unwrap()
            .starts_with("status=active&"),
        "{with_query:?}"
    );
    let first = &log[0];
    assert_eq!(first.header("authorization"), Some("Token <redacted>"));
    assert_eq!(
        first
            .headers
            .iter()
            .filter(|(name, _)| name == "authorization")
            .count(),
        2
    );
}

/// Writes `head` and then `after` on one connection and reads until the
/// fake closes it.
fn converse(fake: &FakeDeepgram, head: &str, after: &[u8]) -> String {
    let address = fake.url().trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    // The fake may have closed already; what matters is what it answers.
    let _ = stream.write_all(after);
    let mut answer = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => answer.extend_from_slice(&buffer[..read]),
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(err) => panic!("the fake kept the connection open: {err}; so far {answer:?}"),
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn a_body_over_the_limit_is_refused_with_connection_close_and_nothing_after_it_is_read() {
    let fake = FakeDeepgram::start();
    let token = fake.owner_token().expose_secret().to_owned();
    let path = format!("/v1/projects/{}/keys", fake.project_id());
    // What a client that reuses the connection would send next, hidden where
    // the body should be.
    let smuggled =
        format!("GET {path} HTTP/1.1\r\nHost: fake\r\nAuthorization: Token {token}\r\n\r\n");
    for length in [(1 << 20) + 1, 2 << 20, u32::MAX as usize] {
        fake.clear_requests();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: fake\r\nAuthorization: Token {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        );
        let answer = converse(&fake, &head, smuggled.as_bytes());
        assert!(answer.starts_with("HTTP/1.1 400 "), "{length}: {answer}");
        assert!(
            answer
                .to_ascii_lowercase()
                .contains("\r\nconnection: close\r\n"),
            "{length}: {answer}"
        );
        assert_eq!(answer.matches("HTTP/1.1 ").count(), 1, "{length}: {answer}");
        let log = fake.requests();
        assert_eq!(log.len(), 1, "{length}: {log:?}");
        assert_eq!(log[0].status, Some(400));
    }
    // The fake still serves the next connection.
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: fake\r\nAuthorization: Token {token}\r\nConnection: close\r\n\r\n"
    );
    assert!(converse(&fake, &head, b"").starts_with("HTTP/1.1 200 "));
}

#[tokio::test]
async fn creates_after_an_oversized_body_all_reach_the_fake() {
    let fake = FakeDeepgram::start();
    let client = fake.client_builder().max_retries(0).build().unwrap();
    let project = fake.project_id();
    let huge = "x".repeat((1 << 20) + 1);
    let refused = client
        .create_key(project, &deepgram_keys::CreateKey::new(huge, ["member"]))
        .await
        .unwrap_err();
    assert_eq!(
        refused.status().map(|status| status.as_u16()),
        Some(400),
        "{refused:?}"
    );
    for index in 0..30 {
        let comment = format!("after {index}");
        client
            .create_key(project, &deepgram_keys::CreateKey::new(comment, ["member"]))
            .await
            .unwrap_or_else(|err| panic!("create {index} after the oversized one: {err:?}"));
    }
    assert_eq!(fake.keys(project).len(), 31);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_with_60000_scopes_does_not_starve_concurrent_lists() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id().to_owned();
    // The whole exchange within the client's deadline: before the scopes
    // were a set, this one create kept the fake busy for 22.9 s.
    let client = fake
        .client_builder()
        .timeout(Duration::from_secs(5))
        .max_retries(0)
        .build()
        .unwrap();
    let scopes: Vec<String> = (0..60_000).map(|i| format!("s:{i}")).collect();
    let request = deepgram_keys::CreateKey::new("huge", scopes);
    let create = {
        let (client, project) = (client.clone(), project.clone());
        tokio::spawn(async move { client.create_key(&project, &request).await })
    };
    // Lists sent while the create may be in flight, each answered.
    let lists: Vec<_> = (0..8)
        .map(|_| {
            let (client, project) = (client.clone(), project.clone());
            tokio::spawn(async move { client.list_keys(&project, None).await })
        })
        .collect();
    for list in lists {
        list.await.unwrap().unwrap();
    }
    let created = create.await.unwrap().unwrap();
    assert_eq!(created.scopes.len(), 60_000);
    let huge = fake
        .keys(&project)
        .into_iter()
        .find(|key| key.api_key.api_key_id == created.api_key_id)
        .unwrap();
    assert_eq!(huge.api_key.scopes[59_999], "s:59999");
}
