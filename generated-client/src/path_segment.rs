//! How an id becomes one segment of a request path, and the checks that make
//! sure it stayed one.
//!
//! An id must reach the server as exactly one path segment that decodes back
//! to the id, or be refused before anything is sent. Three steps hold that:
//!
//! 1. [`check_id`] refuses the ids no encoding can carry: the empty id and
//!    the dot segments `.` and `..`, which URL parsers resolve away. It also
//!    refuses ids that are certainly a caller's mistake (control characters,
//!    absurd lengths), with a message that says so.
//! 2. [`encode`] percent-encodes every byte except RFC 3986's unreserved
//!    characters (`A-Z a-z 0-9 - . _ ~`). What remains cannot split, end or
//!    leave the path in any URL parser: no `/`, `\`, `?`, `#`, `%` (other
//!    than as an escape), whitespace, control or non-ASCII byte. The
//!    generated code calls it for every path parameter (the generator points
//!    progenitor's `encode_path` calls here, since that one leaves `\` as it
//!    is and `http(s)` URL parsers read `\` as `/`).
//! 3. [`check_request_path`] looks at the URL actually built, just before it
//!    is sent, and refuses the request unless every id is one whole segment
//!    of it that decodes back to the id.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use reqwest::Url;

use crate::error::Error;
use crate::operation::Operation;

/// Everything but RFC 3986's unreserved characters.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The longest id accepted, in bytes. Deepgram's ids are 36-character UUIDs;
/// an id this long is a caller's bug, and encoded (up to 9 bytes per
/// character) it would come close to the URL limits of servers and proxies,
/// which answer with errors that do not point at the id.
pub(crate) const MAX_ID_BYTES: usize = 1024;

/// Refuses an id that cannot travel as one path segment, or that no Deepgram
/// id can be.
pub(crate) fn check_id(operation: Operation, name: &str, id: &str) -> Result<(), Error> {
    let problem = if id.is_empty() {
        "is empty".to_owned()
    } else if id == "." || id == ".." {
        "is a dot segment, which URL parsers resolve to another path".to_owned()
    } else if id.len() > MAX_ID_BYTES {
        format!(
            "is {} bytes long, more than the {MAX_ID_BYTES} an id may have",
            id.len()
        )
    } else if let Some((at, c)) = id.char_indices().find(|(_, c)| c.is_control()) {
        format!(
            "holds the control character U+{:04X} at byte {at} (read with a trailing newline?)",
            u32::from(c)
        )
    } else {
        return Ok(());
    };
    let shown: String = id.chars().take(64).collect();
    let ellipsis = if shown.len() < id.len() { "..." } else { "" };
    Err(Error::InvalidRequest {
        operation,
        reason: format!(
            "{name} {shown:?}{ellipsis} {problem}; pass the id exactly as Deepgram returned it"
        ),
    })
}

/// `id` as one path segment: every byte but the unreserved characters
/// percent-encoded.
pub(crate) fn encode(id: &str) -> String {
    utf8_percent_encode(id, NOT_UNRESERVED).to_string()
}

/// Checks the path of the URL about to be requested: it must start with the
/// base URL's path (`base_path`, without a trailing slash), and each of `ids`
/// must be one whole segment after it, in order, that decodes back to the id.
/// Returns what is wrong otherwise.
pub(crate) fn check_request_path(url: &Url, base_path: &str, ids: &[String]) -> Result<(), String> {
    let left_base = || format!("the request path {} left the base URL's path", url.path());
    let rest = url.path().strip_prefix(base_path).ok_or_else(left_base)?;
    let rest = rest.strip_prefix('/').ok_or_else(left_base)?;
    let mut ids = ids.iter().peekable();
    for segment in rest.split('/') {
        if ids
            .peek()
            .is_some_and(|id| percent_decode_str(segment).eq(id.bytes()))
        {
            ids.next();
        }
    }
    match ids.next() {
        None => Ok(()),
        Some(id) => Err(format!(
            "the id {id:?} is not one segment of the request path {}",
            url.path()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(path: &str) -> Url {
        Url::parse(&format!("https://api.example.com{path}")).unwrap()
    }

    #[test]
    fn only_unreserved_characters_and_escapes_remain() {
        let cases = [
            ("3c1a6d2e-5b7f_x.y~z", "3c1a6d2e-5b7f_x.y~z"),
            (r"..\..\OTHER", "..%5C..%5COTHER"),
            ("a/b?c#d", "a%2Fb%3Fc%23d"),
            ("%2e%2E.%2e", "%252e%252E.%252e"),
            ("tab\tcr\rlf\nnul\0", "tab%09cr%0Dlf%0Anul%00"),
            (
                "\u{85}\u{ff0e}\u{ff0f}\u{ff3c}",
                "%C2%85%EF%BC%8E%EF%BC%8F%EF%BC%BC",
            ),
            (
                "a;b=c&d@e:f|g^h[i]j'k(l)m*n!o$p+q,r",
                "a%3Bb%3Dc%26d%40e%3Af%7Cg%5Eh%5Bi%5Dj%27k%28l%29m%2An%21o%24p%2Bq%2Cr",
            ),
        ];
        for (id, expected) in cases {
            assert_eq!(encode(id), expected, "{id:?}");
            assert_eq!(percent_decode_str(expected).decode_utf8().unwrap(), id);
        }
    }

    #[test]
    fn ids_no_segment_can_carry_are_refused() {
        let refused = [
            ("", "is empty"),
            (".", "dot segment"),
            ("..", "dot segment"),
            ("key\n", "U+000A at byte 3"),
            ("a\tb", "U+0009"),
            ("\0", "U+0000"),
            ("x\u{7f}", "U+007F"),
            ("x\u{9b}", "U+009B"),
        ];
        for (id, problem) in refused {
            let err = check_id(Operation::GetKey, "key_id", id)
                .unwrap_err()
                .to_string();
            assert!(err.contains("get_key was not sent: key_id"), "{err}");
            assert!(err.contains(problem), "{id:?}: {err}");
        }
        let long = "k".repeat(MAX_ID_BYTES + 1);
        let err = check_id(Operation::GetKey, "key_id", &long)
            .unwrap_err()
            .to_string();
        assert!(err.contains("1025 bytes long"), "{err}");
        assert!(err.len() < 300, "the whole id was quoted: {err}");

        for id in [
            "...",
            ".a",
            "a..b",
            "%2e%2e",
            r"..\",
            "a/b",
            " x ",
            "\u{ff0e}\u{ff0e}",
        ] {
            assert!(check_id(Operation::GetKey, "key_id", id).is_ok(), "{id:?}");
        }
        assert!(check_id(Operation::GetKey, "key_id", &"k".repeat(MAX_ID_BYTES)).is_ok());
    }

    #[test]
    fn the_request_path_must_hold_every_id_as_one_segment() {
        let ids = ["p".to_owned(), r"..\..\OTHER".to_owned()];
        let good = url("/proxy/v1/projects/p/keys/..%5C..%5COTHER");
        assert_eq!(check_request_path(&good, "/proxy", &ids), Ok(()));

        // What progenitor's own encoder and the URL parser made of that id.
        let escaped = url(r"/proxy/v1/projects/p/keys/..\..\OTHER");
        assert_eq!(escaped.path(), "/proxy/v1/projects/OTHER");
        let err = check_request_path(&escaped, "/proxy", &ids).unwrap_err();
        assert!(err.contains("is not one segment"), "{err}");

        let split = url(r"/v1/projects/p/keys/a\b");
        let err = check_request_path(&split, "", &["p".into(), r"a\b".into()]).unwrap_err();
        assert!(err.contains(r#""a\\b""#), "{err}");

        let outside = url("/v1/projects/p/keys");
        let err = check_request_path(&outside, "/proxy", &["p".into()]).unwrap_err();
        assert!(err.contains("left the base URL"), "{err}");
        let sibling = url("/proxy2/v1/projects/p/keys");
        assert!(check_request_path(&sibling, "/proxy", &["p".into()]).is_err());

        let out_of_order = url("/v1/projects/k/keys/p");
        assert!(check_request_path(&out_of_order, "", &["p".into(), "k".into()]).is_err());
    }
}
