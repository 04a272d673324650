//! No secret leaves through what the client shows: the token however a
//! server echoes it, a new key's secret in any body, credentials in a base
//! URL. Every class of token, echo encoding and body, through `Display`,
//! `Debug` and the error's fields.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deepgram_keys::{Client, CreateKey, Error};
use support::HandledServer;

/// Tokens of every shape: Deepgram's 40 hex digits, short, with spaces,
/// with a trailing space, non-ASCII, with the characters escapes are made of.
const TOKENS: &[&str] = &[
    "0123456789abcdef0123456789abcdef01234567",
    "s3cr3t9",
    "my very secret token",
    "trailing-space-token ",
    "clé-секрет-密钥-token",
    "a/b\\c\"d<e>f&g%h+i'j",
];

fn percent(text: &str, upper: bool) -> String {
    text.bytes()
        .map(|b| {
            if upper {
                format!("%{b:02X}")
            } else {
                format!("%{b:02x}")
            }
        })
        .collect()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (k, b)| n | u32::from(*b) << (16 - 8 * k));
        for k in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * k) & 0x3F) as usize]));
        }
    }
    out
}

/// Every way a server may echo the token, by name.
fn echoes(token: &str) -> Vec<(&'static str, String)> {
    let trimmed = token.trim();
    let json_u: String = trimmed
        .encode_utf16()
        .map(|unit| format!("\\u{unit:04x}"))
        .collect();
    let json_u_upper: String = trimmed
        .encode_utf16()
        .map(|unit| format!("\\u{unit:04X}"))
        .collect();
    let half = trimmed.chars().count() / 2;
    let html = |f: fn(char) -> String| trimmed.chars().map(f).collect::<String>();
    let mut echoes = vec![
        ("exact", token.to_owned()),
        ("trimmed", trimmed.to_owned()),
        ("json \\u", json_u),
        ("json \\U", json_u_upper),
        ("json \\/", trimmed.replace('/', "\\/")),
        (
            "html named",
            trimmed
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&apos;"),
        ),
        ("html decimal", html(|c| format!("&#{};", c as u32))),
        ("html hex", html(|c| format!("&#x{:x};", c as u32))),
        ("percent upper", percent(trimmed, true)),
        ("percent lower", percent(trimmed, false)),
        ("form", trimmed.replace(' ', "+")),
        ("upper case", trimmed.to_uppercase()),
        ("base64", base64(trimmed.as_bytes())),
        ("basic auth", base64(format!("user:{trimmed}").as_bytes())),
    ];
    if half >= 8 {
        echoes.push(("first half", trimmed.chars().take(half).collect()));
        echoes.push(("second half", trimmed.chars().skip(half).collect()));
    }
    echoes
}

/// Bodies of every class, each holding `echo`, by name: (status, body).
fn bodies(echo: &str) -> Vec<(&'static str, u16, String)> {
    let json_string = serde_json::to_string(echo).unwrap();
    let json_string = &json_string[1..json_string.len() - 1];
    vec![
        (
            "deepgram modern",
            401,
            format!(
                r#"{{"category":"INVALID_AUTH","message":"bad token {json_string}","details":"{json_string}","request_id":"{json_string}"}}"#
            ),
        ),
        (
            "deepgram legacy",
            403,
            format!(r#"{{"err_code":"{json_string}","err_msg":"token {json_string}"}}"#),
        ),
        (
            "gateway json",
            502,
            format!(r#"{{"error":"upstream said {json_string}"}}"#),
        ),
        (
            "html",
            503,
            format!("<html><body><p>Token {echo}</p></body></html>"),
        ),
        ("text", 500, format!("Authorization: Token {echo}")),
        ("undeclared status", 418, format!("teapot {echo}")),
        (
            "undecodable 200",
            200,
            format!(r#"{{"api_keys":"{json_string}"}}"#),
        ),
        ("not json 200", 200, format!("ok {echo}")),
        (
            "undeclared success",
            299,
            format!("{{\"x\":\"{json_string}\"}}"),
        ),
    ]
}

/// The status, body and `dg-request-id` every request gets, until changed.
type Answer = Arc<Mutex<(u16, String, String)>>;

/// Answers each request with the status, body and `dg-request-id` set last.
fn server() -> (HandledServer, Answer) {
    let answer = Arc::new(Mutex::new((200, String::new(), String::new())));
    let script = Arc::clone(&answer);
    let server = HandledServer::start(move |_, stream| {
        let (status, body, request_id) = script.lock().unwrap().clone();
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\ncontent-length: {}\r\ndg-request-id: {request_id}\r\n\r\n{body}",
            body.len()
        );
    });
    (server, answer)
}

/// What must not appear: the echo itself and, of the token, the whole and
/// every 8-character piece.
fn assert_hidden(shown: &str, token: &str, echo: &str, label: &str) {
    assert!(!shown.contains(echo), "{label}: the echo shows: {shown}");
    let chars: Vec<char> = token.trim().chars().collect();
    let window = chars.len().min(8);
    for piece in chars.windows(window) {
        let piece: String = piece.iter().collect();
        assert!(
            !shown.to_lowercase().contains(&piece.to_lowercase()),
            "{label}: {piece:?} shows: {shown}"
        );
    }
}

#[tokio::test]
async fn the_token_is_redacted_in_every_echo_form_and_body_class() {
    let (server, answer) = server();
    for token in TOKENS {
        let client = Client::builder()
            .api_key(*token)
            .base_url(&server.base_url)
            .max_retries(0)
            .build()
            .unwrap();
        for (form, echo) in echoes(token) {
            for (class, status, body) in bodies(&echo) {
                *answer.lock().unwrap() = (status, body, echo.replace(['\r', '\n'], ""));
                let label = format!("token {token:?}, {form}, {class}");
                let err = client.list_keys("p", None).await.unwrap_err();
                assert_hidden(&err.to_string(), token, &echo, &label);
                assert_hidden(&format!("{err:?}"), token, &echo, &label);
                if let Error::Decode { body, .. } = &err {
                    assert_hidden(body.as_str(), token, &echo, &label);
                }
            }
        }
    }
}

#[tokio::test]
async fn a_new_keys_secret_is_redacted_in_error_and_broken_bodies() {
    let (server, answer) = server();
    let client = Client::builder()
        .api_key("some-token-value")
        .base_url(&server.base_url)
        .build()
        .unwrap();
    let secret = "mysecretkey-not-hex-at-all";
    for (status, body) in [
        (400, format!(r#"{{"message":"bad","key":"{secret}"}}"#)),
        (500, format!(r#"{{"error":"x","key": "{secret}"}}"#)),
        (502, format!(r#"{{"error":"{{\"key\":\"{secret}\"}}"}}"#)),
        (201, format!(r#"{{"api_key_id":"k","key":"{secret}"#)),
        (
            201,
            format!(r#"{{"api_key_id":"k","KEY":"{secret}","comment":7}}"#),
        ),
        (201, format!("<p>&quot;key&quot;:&quot;{secret}&quot;</p>")),
        (201, format!("key={secret}&other=1")),
        // No rule recognizes these: a create's answer that does not decode
        // is withheld whole.
        (200, format!("<html>your new key is {secret}</html>")),
        (200, format!("created: {secret}")),
        (200, format!(r#"{{"api_key_id":"k","secret":"{secret}""#)),
        (201, format!(r#"{{"api_key_id":"k","token":"{secret}"}}"#)),
    ] {
        *answer.lock().unwrap() = (status, body.clone(), "r".into());
        let err = client
            .create_key("p", &CreateKey::new("c", ["member"]))
            .await
            .unwrap_err();
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains(secret), "{body}: {shown}");
            // Where the body is shown, the secret's place says why it is empty.
            assert!(
                status == 400 || shown.contains("<redacted>"),
                "{body}: {shown}"
            );
        }
        if status == 201 {
            assert!(err.is_outcome_unknown(), "{body}: {err:?}");
        }
    }
}

#[test]
fn credentials_in_a_base_url_are_never_shown() {
    for url in [
        "http://admin:PASSWORD@api.example.com/",
        "https://admin:PASSWORD@api.example.com/?q=1",
        "ftp://admin:PASSWORD@api.example.com/",
        "http://admin:PASS WORD@exa mple.com/",
        "admin:PASSWORD@api.example.com",
        "https://admin:PASS/WORD@api.example.com/#frag",
        "https://PASSWORD@api.example.com",
        "https://admin:PASSWORD@127.0.0.1:1/",
    ] {
        let builder = Client::builder().api_key("t0k3n-value").base_url(url);
        let debug = format!("{builder:?}");
        assert!(!debug.contains("PASS"), "{url}: {debug}");
        let err = builder.build().unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{url}: {err:?}");
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(
                !shown.contains("PASS") && !shown.contains("WORD"),
                "{url}: {shown}"
            );
        }
    }
}

#[test]
fn redaction_of_a_large_error_body_stays_within_the_deadline() {
    // 64 MiB of near-misses of the token: only the first 16 KiB are read.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let token = "0123456789abcdef0123456789abcdef01234567";
    let body = Arc::new("0123456 ".repeat(8 * 1024 * 1024));
    let server = HandledServer::start(move |_, stream| {
        let _ = write!(
            stream,
            "HTTP/1.1 500 X\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(body.as_bytes());
    });
    let client = Client::builder()
        .api_key(token)
        .base_url(&server.base_url)
        .max_retries(0)
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = runtime.block_on(client.list_keys("p", None)).unwrap_err();
    let shown = err.to_string();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(
        shown.len() < 2 * deepgram_keys::MAX_ERROR_BODY,
        "{}",
        shown.len()
    );
    assert!(
        shown.contains("[cut: only the first"),
        "{}",
        &shown[shown.len() - 200..]
    );
}

#[tokio::test]
async fn serde_quoting_a_huge_value_is_cut_also_inside_a_multibyte_character() {
    // serde's message quotes the rejected string whole; the cut at 16 KiB
    // falls inside a character for every offset parity of these bodies.
    let (server, answer) = server();
    let client = Client::builder()
        .api_key("some-token-value")
        .base_url(&server.base_url)
        .max_retries(0)
        .build()
        .unwrap();
    for value in [
        format!("z{}", "\u{e9}".repeat(200_000)),
        format!("zz{}", "\u{e9}".repeat(200_000)),
        "\u{1d11e}".repeat(100_000),
        format!("z{}", "\u{20ac}".repeat(100_000)),
        format!("zz{}", "\u{20ac}".repeat(100_000)),
    ] {
        *answer.lock().unwrap() = (200, format!(r#"{{"api_keys":"{value}"}}"#), "r".into());
        let err = client.list_keys("p", None).await.unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.len() < 3 * deepgram_keys::MAX_ERROR_BODY,
            "{} bytes",
            shown.len()
        );
    }
}

#[tokio::test]
async fn a_huge_request_id_is_cut_in_the_error() {
    // hyper takes a header of some 400 KiB; the keys CLI printed it twice.
    let (server, answer) = server();
    let client = Client::builder()
        .api_key("some-token-value")
        .base_url(&server.base_url)
        .build()
        .unwrap();
    let huge = "r".repeat(300 * 1024);
    for (body, request_id) in [
        (
            r#"{"category":"NOT_FOUND","message":"m"}"#.to_owned(),
            huge.clone(),
        ),
        (
            format!(
                r#"{{"category":"NOT_FOUND","message":"m","request_id":"{}"}}"#,
                "q".repeat(15_000)
            ),
            "r".into(),
        ),
    ] {
        *answer.lock().unwrap() = (404, body, request_id);
        let err = client.list_keys("p", None).await.unwrap_err();
        let shown = err.request_id().unwrap_or_default();
        assert!(shown.len() <= 256, "{} bytes", shown.len());
        assert!(shown.ends_with("..."), "{shown}");
        assert!(err.to_string().len() < 1024, "{}", err.to_string().len());
    }
}

/// `bytes` in base64: the standard or URL-safe alphabet, padded or not.
fn base64_form(bytes: &[u8], url_safe: bool, padded: bool) -> String {
    let mut encoded = base64(bytes);
    if url_safe {
        encoded = encoded.replace('+', "-").replace('/', "_");
    }
    let padding = (3 - bytes.len() % 3) % 3;
    if padded {
        encoded.push_str(&"=".repeat(padding));
    }
    encoded
}

#[tokio::test]
async fn base64_echoes_of_tokens_of_every_length_are_redacted_in_every_form() {
    let (server, answer) = server();
    // Each form on its own between separators the token cannot hold: the
    // body must come back as exactly the separators and `<redacted>`s.
    const SEPARATOR: &str = " | ";
    let alphabet = "Zq7xK9pL2mW4nR8t";
    for length in 1..=12 {
        let token = &alphabet[..length];
        let client = Client::builder()
            .api_key(token)
            .base_url(&server.base_url)
            .max_retries(0)
            .build()
            .unwrap();
        let mut forms = Vec::new();
        // As sent alone, after one or two bytes (the three alignments), as a
        // `Basic` credential, and with more bytes after it.
        for prefix in ["", "u", "us", "user:"] {
            for suffix in ["", "!"] {
                for url_safe in [false, true] {
                    for padded in [false, true] {
                        let bytes = format!("{prefix}{token}{suffix}");
                        forms.push(base64_form(bytes.as_bytes(), url_safe, padded));
                    }
                }
            }
        }
        let body = forms.join(SEPARATOR);
        *answer.lock().unwrap() = (500, body.clone(), "r".into());
        let err = client.list_keys("p", None).await.unwrap_err();
        let shown = err.api().and_then(|api| api.raw_body.clone());
        let expected = vec!["<redacted>"; forms.len()].join(SEPARATOR);
        assert_eq!(
            shown.as_deref(),
            Some(expected.as_str()),
            "token {token:?}: {body}"
        );
        assert_hidden(&err.to_string(), token, token, &format!("token {token:?}"));
    }
}

#[tokio::test]
async fn an_error_body_is_not_read_past_its_cap() {
    // A 64 MiB error body of which only 32 KiB ever arrive: a client that
    // reads on past the 16 KiB it keeps waits for the rest until its
    // deadline and reports a timeout instead of the error.
    let server = HandledServer::start(|_, stream| {
        let _ = write!(
            stream,
            "HTTP/1.1 500 X\r\ncontent-length: {}\r\n\r\n",
            64 * 1024 * 1024
        );
        let _ = stream.write_all(&[b'x'; 32 * 1024]);
        std::thread::sleep(Duration::from_secs(3));
    });
    let client = Client::builder()
        .api_key("some-token-value")
        .base_url(&server.base_url)
        .max_retries(0)
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let err = client.list_keys("p", None).await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("the error body was read on past its cap: {err:?}")
    };
    assert_eq!(api.status, 500);
    let raw = api.raw_body.as_deref().unwrap_or_default();
    assert!(
        raw.ends_with(&format!(
            "[cut: only the first {} bytes are kept]",
            deepgram_keys::MAX_ERROR_BODY
        )),
        "{}",
        &raw[raw.len().saturating_sub(200)..]
    );
}

/// Tokens that hold, every few characters, what a reader of escapes decodes
/// (`%41`, `&amp;`, `&#65;`, `\u0041`, `\/`) or what a JSON string escapes
/// (`"`, `\`): every 8-character piece of such a token holds one. Echoed as
/// they are, and JSON-escaped in JSON bodies, no piece of them shows.
#[tokio::test]
async fn tokens_holding_escapes_are_redacted_as_sent() {
    const SEGMENTS: [&str; 4] = ["qzxwv", "jkyup", "mrtns", "bfhlc"];
    let (server, answer) = server();
    for special in [
        "%41", "%2b", "&amp;", "&#65;", "&#x41", "\\u0041", "\\/", "\"", "\\",
    ] {
        let token: String = SEGMENTS
            .iter()
            .map(|segment| format!("{segment}{special}"))
            .collect();
        let client = Client::builder()
            .api_key(token.as_str())
            .base_url(&server.base_url)
            .max_retries(0)
            .build()
            .unwrap();
        for (class, status, body) in bodies(&token) {
            *answer.lock().unwrap() = (status, body, String::new());
            let err = client.list_keys("p", None).await.unwrap_err();
            for shown in [err.to_string(), format!("{err:?}")] {
                for segment in SEGMENTS {
                    assert!(
                        !shown.contains(segment),
                        "token {token:?}, {class}: {segment:?} shows: {shown}"
                    );
                }
            }
        }
    }
}
