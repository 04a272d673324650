//! Media types, as the generator reads them.

/// Whether a body of `media_type` is decoded as JSON by the generated
/// client. progenitor takes exactly `application/json`, with or without
/// parameters; anything else (`application/problem+json` included) is
/// handed over as bytes.
pub fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.starts_with("application/json;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_application_json_is_json() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json; charset=utf-8"));
        for other in [
            "application/jsonl",
            "application/json-patch+json",
            "application/problem+json",
            "text/plain",
            "",
        ] {
            assert!(!is_json(other), "{other}");
        }
    }
}
