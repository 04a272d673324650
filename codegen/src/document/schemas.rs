//! Where the schemas of a document are: every place OpenAPI 3.0 reads a
//! Schema Object, found by where it sits, not by what it looks like.

use serde_json::Value;

use super::walk::{is_data, is_named_map};
use super::{Document, child, object};

/// Keywords whose value is one schema.
const ONE_SCHEMA: [&str; 4] = ["schema", "items", "additionalProperties", "not"];
/// Keywords whose value is a list of schemas.
const SCHEMA_LISTS: [&str; 3] = ["allOf", "anyOf", "oneOf"];

impl Document {
    /// Every schema written in the document (a `$ref` is listed where it is
    /// written, not followed), with its JSON pointer, in document order.
    pub fn schemas(&self) -> Vec<(String, &Value)> {
        let mut found = Vec::new();
        for (name, schema) in self.object_at("/components/schemas") {
            collect(schema, child("/components/schemas", name), &mut found);
        }
        find_schema_keys(self.root(), String::new(), &mut found);
        found
    }
}

/// Outside `components/schemas`, schemas hang under `schema` keys (of
/// parameters, headers and media types). A key of a map of names (a header
/// named `schema`) is a name, and examples and extensions are data (see
/// [`super::walk`]).
fn find_schema_keys<'d>(node: &'d Value, here: String, found: &mut Vec<(String, &'d Value)>) {
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                let at = child(&here, key);
                let instances = key == "examples" && value.is_array();
                if (here == "/components" && key == "schemas") || is_data(key) || instances {
                    continue;
                }
                if key == "schema" && value.is_object() {
                    collect(value, at, found);
                } else if is_named_map(key)
                    && let Some(named) = value.as_object()
                {
                    for (name, item) in named {
                        find_schema_keys(item, child(&at, name), found);
                    }
                } else {
                    find_schema_keys(value, at, found);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                find_schema_keys(item, child(&here, &index.to_string()), found);
            }
        }
        _ => {}
    }
}

/// `schema` and the schemas inside it.
fn collect<'d>(schema: &'d Value, here: String, found: &mut Vec<(String, &'d Value)>) {
    if !schema.is_object() {
        return;
    }
    found.push((here.clone(), schema));
    if schema.get("$ref").is_some() {
        return;
    }
    for keyword in ONE_SCHEMA {
        if let Some(inner) = schema.get(keyword) {
            collect(inner, child(&here, keyword), found);
        }
    }
    for keyword in SCHEMA_LISTS {
        let list = schema.get(keyword).and_then(Value::as_array);
        for (index, inner) in list.into_iter().flatten().enumerate() {
            collect(
                inner,
                child(&child(&here, keyword), &index.to_string()),
                found,
            );
        }
    }
    let properties = child(&here, "properties");
    for (name, inner) in object(schema.get("properties")) {
        collect(inner, child(&properties, name), found);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn schemas_are_found_where_openapi_reads_them() {
        let doc = Document::new(
            "spec.yaml",
            json!({
                "paths": {"/a": {"get": {
                    "parameters": [{"name": "p", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {
                        "schema": {"type": "array", "items": {"$ref": "#/components/schemas/A"}},
                        "example": {"schema": {"type": "not a schema"}},
                        "x-extension": {"schema": {"type": "not a schema"}},
                    }}}},
                }}},
                "components": {"schemas": {"A": {
                    "type": "object",
                    "properties": {"b": {"oneOf": [{"type": "integer"}]}, "properties": {"type": "string"}},
                }}},
            }),
        );
        let pointers: Vec<String> = doc.schemas().into_iter().map(|(at, _)| at).collect();
        assert_eq!(
            pointers,
            [
                "/components/schemas/A",
                "/components/schemas/A/properties/b",
                "/components/schemas/A/properties/b/oneOf/0",
                "/components/schemas/A/properties/properties",
                "/paths/~1a/get/parameters/0/schema",
                "/paths/~1a/get/responses/200/content/application~1json/schema",
                "/paths/~1a/get/responses/200/content/application~1json/schema/items",
            ]
        );
    }
}
