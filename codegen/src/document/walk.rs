//! The one walk over a document's objects that tells structure from names
//! and data: where a `$ref` is a reference.
//!
//! A key is a keyword only where OpenAPI or JSON Schema puts one. The keys
//! of `properties`, `paths`, `responses`, `components/schemas` and the other
//! maps of author-chosen names are names, whatever they spell: a property
//! literally named `$ref` (GitHub's document has one) is a property.
//! Examples, defaults, enums and extensions are data, never read for
//! references.

use serde_json::{Map, Value};

/// Keywords whose value maps names the spec's author chose to items
/// (schemas, path items, responses, media types, ...).
const NAMED_MAPS: [&str; 23] = [
    "paths",
    "webhooks",
    "callbacks",
    "pathItems",
    "schemas",
    "responses",
    "parameters",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "examples",
    "content",
    "encoding",
    "variables",
    "properties",
    "patternProperties",
    "dependentSchemas",
    "$defs",
    "definitions",
    // Maps of names to data: property names to the names they require,
    // discriminator values to schema names or references, OAuth scope
    // names to descriptions. A `$ref` among their keys is a name too.
    "dependentRequired",
    "mapping",
    "scopes",
];

/// Keywords whose value is data: whatever it holds is not a reference.
const DATA: [&str; 6] = ["example", "default", "enum", "const", "value", "security"];

/// What [`references`] calls for each reference: its path (from the value
/// walked) and the object that holds the `$ref`.
pub(crate) type Visit<'v> = dyn FnMut(&[String], &Map<String, Value>) + 'v;

/// Calls `visit` with the path and the object of every object that holds a
/// `$ref` where a reference may stand, in document order.
pub(crate) fn references(root: &Value, visit: &mut Visit<'_>) {
    item(root, &mut Vec::new(), visit);
}

/// The JSON pointers of every reference of `root`, in document order: what
/// a pass that rewrites references walks.
pub(crate) fn reference_pointers(root: &Value) -> Vec<String> {
    let mut found = Vec::new();
    references(root, &mut |path, _| found.push(super::pointer(path)));
    found
}

/// Whether the value of `keyword` maps author-chosen names to items, so
/// that its keys are names, never keywords.
pub(crate) fn is_named_map(keyword: &str) -> bool {
    NAMED_MAPS.contains(&keyword)
}

/// Whether the value of `keyword` is data (an example, a default, an
/// extension...), never read for structure.
pub(crate) fn is_data(keyword: &str) -> bool {
    DATA.contains(&keyword) || keyword.starts_with("x-")
}

/// A value in the place of an item: an object whose keys are keywords.
fn item(node: &Value, path: &mut Vec<String>, visit: &mut Visit<'_>) {
    match node {
        Value::Object(map) => {
            if map.contains_key("$ref") {
                visit(path, map);
            }
            for (key, value) in map {
                if key == "$ref" || is_data(key) {
                    continue;
                }
                path.push(key.clone());
                match value {
                    Value::Object(named) if NAMED_MAPS.contains(&key.as_str()) => {
                        for (name, entry) in named {
                            path.push(name.clone());
                            item(entry, path, visit);
                            path.pop();
                        }
                    }
                    // 3.1's schema `examples` is a list of instances.
                    Value::Array(_) if key == "examples" => {}
                    _ => item(value, path, visit),
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, entry) in items.iter().enumerate() {
                path.push(index.to_string());
                item(entry, path, visit);
                path.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_and_data_are_never_references() {
        let document = json!({
            "paths": {"$ref": {"get": {"responses": {"200": {"$ref": "#/r"}}}}},
            "components": {"schemas": {
                "$ref": {"type": "object", "properties": {
                    "$ref": {"type": "string"},
                    "next": {"$ref": "#/components/schemas/$ref"},
                }},
                "E": {"example": {"$ref": "data"}, "enum": [{"$ref": "data"}], "x-note": {"$ref": "data"},
                      "items": {"$ref": "#/i"}, "examples": [{"$ref": "data"}]},
            }},
        });
        assert_eq!(
            reference_pointers(&document),
            [
                "/paths/$ref/get/responses/200",
                "/components/schemas/$ref/properties/next",
                "/components/schemas/E/items",
            ]
        );
    }

    #[test]
    fn keys_of_maps_of_names_to_data_are_names() {
        // A property, a discriminator value and an OAuth scope may all be
        // called `$ref`: none of them is a reference (or a file to open).
        let document = json!({
            "components": {
                "schemas": {"A": {
                    "properties": {"$ref": {"type": "string"}, "b": {"type": "string"}},
                    "dependentRequired": {"$ref": ["b"]},
                    "oneOf": [{"$ref": "#/components/schemas/B"}],
                    "discriminator": {"propertyName": "kind", "mapping": {"$ref": "B"}},
                }},
                "securitySchemes": {"oauth": {"type": "oauth2", "flows": {"clientCredentials": {
                    "tokenUrl": "https://example.com/token",
                    "scopes": {"$ref": "the scope named $ref"},
                }}}},
            },
        });
        assert_eq!(
            reference_pointers(&document),
            ["/components/schemas/A/oneOf/0"]
        );
    }
}
