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

/// Whether `keyword` is documentation: one of [`DOCUMENTATION`], or an
/// extension (`x-...`), which no tool here gives a meaning.
pub fn is_documentation(keyword: &str) -> bool {
    DOCUMENTATION.contains(&keyword) || keyword.starts_with("x-")
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
    }
}
