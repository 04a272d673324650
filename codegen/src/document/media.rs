//! Media types, as the generator reads them.

/// Whether a body of `media_type` is JSON, decoded as such by the
/// generated client: `application/json` in any case, with or without
/// parameters (see [`media_type_essence`]). progenitor takes only that
/// spelling, so the generator hands it over spelt so; anything else
/// (`application/problem+json` included) is handed over as bytes.
pub fn is_json(media_type: &str) -> bool {
    media_type_essence(media_type) == "application/json"
}

/// What names a media type: its type and subtype in lower case, without
/// parameters. `application/JSON; charset=utf-8` is `application/json`:
/// RFC 9110 makes type and subtype case-insensitive, and a charset does not
/// change what the schema describes.
pub fn media_type_essence(media_type: &str) -> String {
    let type_and_subtype = media_type.split(';').next().unwrap_or_default();
    type_and_subtype.trim().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_essence_ignores_case_parameters_and_spaces() {
        for spelling in [
            "application/json",
            "application/JSON",
            "Application/Json; charset=utf-8",
            " application/json ;charset=UTF-8",
        ] {
            assert_eq!(
                media_type_essence(spelling),
                "application/json",
                "{spelling}"
            );
        }
        assert_eq!(
            media_type_essence("application/problem+json"),
            "application/problem+json"
        );
        assert_ne!(
            media_type_essence("text/plain"),
            media_type_essence("text/html")
        );
    }

    #[test]
    fn only_application_json_is_json() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json; charset=utf-8"));
        // One rule with the essence: case does not matter (RFC 9110).
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/JSON"));
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
