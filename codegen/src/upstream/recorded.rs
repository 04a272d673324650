//! The recorded extract, `openapi/upstream/keys.yaml`: the key operations of
//! the last upstream version a maintainer reviewed, with a header naming the
//! document they came from.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The header field of the recorded extract.
const HEADER: &str = "x-upstream";

/// Where a recorded extract came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedSource {
    /// The file or URL the document was read from.
    pub source: String,
    /// The day it was accepted, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// The sha256 of the whole document, as read, in hex.
    pub sha256: String,
}

/// The sha256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The text of a recorded extract: a comment, the header, then the extract.
pub fn record(extract: &Value, source: &RecordedSource) -> Result<String, serde_yaml_ng::Error> {
    let mut document = Map::new();
    document.insert(
        HEADER.into(),
        serde_json::json!({
            "source": source.source,
            "date": source.date,
            "sha256": source.sha256,
        }),
    );
    if let Some(extract) = extract.as_object() {
        for (key, value) in extract {
            if key != HEADER {
                document.insert(key.clone(), value.clone());
            }
        }
    }
    let body = serde_yaml_ng::to_string(&Value::Object(document))?;
    Ok(format!(
        "# The key operations of Deepgram's published OpenAPI document, as last\n\
         # reviewed: written by `cargo xtask upstream accept`, never by hand.\n\
         # `cargo xtask upstream check` compares the published document with it.\n\
         # Source: Deepgram, deepgram/deepgram-api-specs, openapi.yml (CC BY 4.0,\n\
         # https://creativecommons.org/licenses/by/4.0/); extracted, otherwise unchanged.\n\
         {body}"
    ))
}

/// The header of a parsed recorded extract, if it has one.
pub fn recorded_source(recorded: &Value) -> Option<RecordedSource> {
    serde_json::from_value(recorded.get(HEADER)?.clone()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sha256_is_the_standard_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_record_reads_back_as_its_extract_and_header() {
        let source = RecordedSource {
            source: "https://example.test/openapi.yml".into(),
            date: "2026-07-15".into(),
            sha256: "00".repeat(32),
        };
        let extract =
            json!({ "openapi": "3.1.0", "paths": { "/a": { "get": { "operationId": "a" } } } });
        let text = record(&extract, &source).unwrap();
        assert!(text.starts_with("# The key operations"), "{text}");
        let parsed = crate::Document::parse(std::path::Path::new("keys.yaml"), &text)
            .unwrap()
            .root()
            .clone();
        assert_eq!(recorded_source(&parsed), Some(source));
        assert_eq!(parsed["paths"], extract["paths"]);
    }
}
