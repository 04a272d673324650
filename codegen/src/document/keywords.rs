//! The annotation keywords: the one list of what describes a schema or an
//! operation without constraining the values it allows. Every tool that
//! sets documentation apart (the alias test of `$ref` cycles, the 3.1
//! normalisation, the review, upstream fingerprints) reads it here.

/// Keywords that are documentation only: prose and examples. A change to
/// them changes no request or response.
pub const DOCUMENTATION: [&str; 7] = [
    "description",
    "summary",
    "title",
    "example",
    "examples",
    "externalDocs",
    "$comment",
];

/// Annotations that say how a value is used (JSON Schema's meta-data
/// vocabulary) without constraining its shape.
const USAGE: [&str; 3] = ["deprecated", "readOnly", "writeOnly"];

/// The extensions spec-diff gives a meaning: promises about a schema's or
/// an operation's life (`review/http/lifecycle.rs`) and an open list of
/// values (`review/http/schema/values.rs`). They are no documentation: a
/// wrapper that carries one is a schema of its own.
pub const MEANINGFUL_EXTENSIONS: [&str; 3] = ["x-sunset", "x-stability-level", "x-extensible-enum"];

/// Whether `keyword` is documentation: one of [`DOCUMENTATION`], or an
/// extension (`x-...`) that no tool here gives a meaning (not one of
/// `MEANINGFUL_EXTENSIONS` in this module).
pub fn is_documentation(keyword: &str) -> bool {
    DOCUMENTATION.contains(&keyword)
        || (keyword.starts_with("x-") && !MEANINGFUL_EXTENSIONS.contains(&keyword))
}

/// Whether `keyword` is an annotation: documentation, or a usage
/// annotation (`deprecated`, `readOnly`, `writeOnly`).
pub fn is_annotation(keyword: &str) -> bool {
    is_documentation(keyword) || USAGE.contains(&keyword)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_are_not_annotations() {
        for keyword in [
            "description",
            "examples",
            "x-internal",
            "readOnly",
            "deprecated",
        ] {
            assert!(is_annotation(keyword), "{keyword}");
        }
        for keyword in [
            "type",
            "nullable",
            "maxLength",
            "$ref",
            "properties",
            "enum",
        ] {
            assert!(!is_annotation(keyword), "{keyword}");
        }
        assert!(!is_documentation("readOnly"));
        for keyword in MEANINGFUL_EXTENSIONS {
            assert!(!is_documentation(keyword), "{keyword}");
        }
    }
}
