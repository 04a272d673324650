//! What the request log keeps of a credential: nothing. One rule for the
//! headers and the query of every logged request, so that a test printing
//! [`FakeDeepgram::requests`](crate::FakeDeepgram::requests) shows no
//! token, whichever way a client sent it.

/// What replaces a credential in the log.
const REDACTED: &str = "<redacted>";

/// Words that make a header or query parameter credential-bearing wherever
/// they appear in its name, in any case: `X-Api-Key`, `X-Auth-Token`,
/// `client_secret`, `access_token`, `X-Session-Id`, `password`, ... The
/// cost of redacting a harmless `Idempotency-Key` is nothing; the cost of
/// logging a token is a leak.
pub const CREDENTIAL_WORDS: &[&str] = &[
    "token",
    "key",
    "secret",
    "auth",
    "password",
    "passwd",
    "session",
    "credential",
    "signature",
    "cookie",
];

/// Whether a header or query parameter name (already decoded) may carry a
/// credential.
fn is_credential_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    CREDENTIAL_WORDS.iter().any(|word| name.contains(word))
}

/// The value of header `name` as the log keeps it.
///
/// `Authorization` and `Proxy-Authorization` keep their scheme
/// (`Token <redacted>`), cookies their names (`session=<redacted>`); any
/// other credential-bearing header is `<redacted>` whole.
pub(crate) fn header_value(name: &str, value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let name = name.to_ascii_lowercase();
    if name == "authorization" || name == "proxy-authorization" {
        return match text.trim().split_once(' ') {
            Some((scheme, _)) => format!("{scheme} {REDACTED}"),
            None => REDACTED.to_owned(),
        };
    }
    if name == "cookie" {
        return text
            .split(';')
            .map(|pair| match pair.split_once('=') {
                Some((cookie, _)) => format!("{}={REDACTED}", cookie.trim()),
                None => REDACTED.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("; ");
    }
    if is_credential_name(&name) {
        return REDACTED.to_owned();
    }
    text.into_owned()
}

/// The query string as the log keeps it: the value of every parameter whose
/// name, percent-decoded, is credential-bearing (`token`, `key`, `api_key`,
/// `%74oken`, `API%5FKEY`, ...) replaced, everything else as sent.
pub(crate) fn query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_credential_name(&percent_decode(name)) => {
                format!("{name}={REDACTED}")
            }
            // A bare parameter is a value without a name: it may be a token.
            None if !pair.is_empty() && !is_known_flag(pair) => REDACTED.to_owned(),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A bare query parameter that is a plain word, not a secret: letters only,
/// short, as in `?pretty`. A token has digits or is long.
fn is_known_flag(pair: &str) -> bool {
    pair.len() <= 16 && pair.bytes().all(|byte| byte.is_ascii_alphabetic())
}

/// `%XX` decoded and `+` read as a space, as a form decoder reads a query;
/// bytes that do not form UTF-8 are replaced.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[index], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (b'+', _) => {
                decoded.push(b' ');
                index += 1;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `name` in lower case, upper case and alternating case.
    fn cases(name: &str) -> Vec<String> {
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
        vec![
            name.to_ascii_lowercase(),
            name.to_ascii_uppercase(),
            alternating,
        ]
    }

    #[test]
    fn credential_headers_are_redacted_in_any_case() {
        let secret = "0123456789abcdef0123456789abcdef01234567";
        for name in [
            "X-Api-Key",
            "Api-Key",
            "X-Auth-Token",
            "X-Access-Token",
            "Token",
            "X-Client-Secret",
            "X-Session",
            "X-Amz-Security-Token",
            "X-Deepgram-Key",
            "X-Password",
            "X-Credentials",
            "X-Signature",
            "Set-Cookie",
        ] {
            for name in cases(name) {
                let logged = header_value(&name, secret.as_bytes());
                assert_eq!(logged, REDACTED, "{name}");
            }
        }
        for name in ["Authorization", "Proxy-Authorization"] {
            for name in cases(name) {
                for (value, logged) in [
                    (format!("Token {secret}"), "Token <redacted>"),
                    (format!("Bearer {secret}"), "Bearer <redacted>"),
                    (format!("  Basic {secret}  "), "Basic <redacted>"),
                    (secret.to_owned(), "<redacted>"),
                ] {
                    assert_eq!(header_value(&name, value.as_bytes()), logged, "{name}");
                }
            }
        }
        for name in cases("Cookie") {
            let logged = header_value(
                &name,
                format!("dg={secret}; theme=dark; {secret}").as_bytes(),
            );
            assert_eq!(logged, "dg=<redacted>; theme=<redacted>; <redacted>");
        }
        // Bytes that are not UTF-8 are no way around it.
        let mut invalid = secret.as_bytes().to_vec();
        invalid.push(0xff);
        assert_eq!(header_value("x-api-key", &invalid), REDACTED);
    }

    #[test]
    fn ordinary_headers_are_kept() {
        for (name, value) in [
            ("content-type", "application/json"),
            ("user-agent", "deepgram-keys/0.1"),
            ("host", "127.0.0.1:1"),
            ("keep-alive", "timeout=5"),
            ("dg-request-id", "abc"),
        ] {
            assert_eq!(header_value(name, value.as_bytes()), value);
        }
    }

    #[test]
    fn credentials_in_the_query_are_redacted_in_every_encoding() {
        let secret = "0123456789abcdef0123456789abcdef01234567";
        for name in [
            "token",
            "key",
            "api_key",
            "apikey",
            "api-key",
            "access_token",
            "client_secret",
            "auth",
            "password",
        ] {
            for name in cases(name) {
                let encoded_first: String = format!("%{:02X}{}", name.as_bytes()[0], &name[1..]);
                let encoded_lower = encoded_first.to_ascii_lowercase();
                let underscore = name.replace('_', "%5F");
                for form in [name.clone(), encoded_first, encoded_lower, underscore] {
                    let logged = query(&format!("status=active&{form}={secret}&{form}={secret}"));
                    assert_eq!(
                        logged,
                        format!("status=active&{form}=<redacted>&{form}=<redacted>"),
                        "{form}"
                    );
                    assert!(!logged.contains(secret), "{form}");
                }
            }
        }
        assert_eq!(query(&format!("x=1&{secret}")), "x=1&<redacted>");
        assert_eq!(query("status=active&pretty"), "status=active&pretty");
        assert_eq!(query("status=expired"), "status=expired");
        assert_eq!(query(""), "");
    }

    #[test]
    fn percent_decoding_leaves_broken_escapes_alone() {
        assert_eq!(percent_decode("a%5Fb+c"), "a_b c");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%ff"), "\u{fffd}");
    }
}
