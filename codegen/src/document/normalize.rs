//! OpenAPI 3.1 read for review: a pass over the parsed document that gives
//! 3.0 and 3.1 documents one meaning, so that the review tools (spec-diff,
//! the upstream tooling) compare what a document says, not how its version
//! spells it.
//!
//! The normal form is 3.0's spelling, since that is what the review engine
//! and the generator read:
//!
//! | 3.1 (JSON Schema 2020-12)                | normal form                                |
//! |------------------------------------------|--------------------------------------------|
//! | `type: [T, "null"]`                      | `type: T`, `nullable: true`                |
//! | `type: [A, B]`                           | `anyOf: [{type: A}, {type: B}]`            |
//! | `const: v`                               | `enum: [v]`                                |
//! | `examples: [a, ...]` in a schema         | `example: a`                               |
//! | `exclusiveMinimum: n` (a number)         | `minimum: n`, `exclusiveMinimum: true`     |
//! | `anyOf`/`oneOf` with a `type: "null"` branch | the other branch(es), `nullable: true` |
//! | `$ref` with documentation beside it      | as written: the target, documented here    |
//! | `$ref` with other sibling keywords       | the target with the siblings applied       |
//!
//! In 3.0, siblings of a `$ref` are ignored (the specification says so), and
//! the pass drops them. A 3.1 document comes out labelled `openapi: 3.0.3`.
//! Only the review tools normalise: `cargo xtask regen` still refuses 3.1.
//!
//! The pass never fails. A `$ref` it cannot follow is left as it is, for the
//! reader that follows references to report with its pointer.

use serde_json::{Map, Value, json};

use super::{Document, METHODS, walk};

/// The version label a normalised 3.1 document gets.
const NORMAL_VERSION: &str = "3.0.3";

/// Whether a keyword of a `$ref`'s siblings may be laid over its target:
/// an annotation (see [`super::is_annotation`]), or `nullable`, which in the
/// normal form says the target may also be null. Other siblings keep 3.1's
/// "both apply" meaning as an `allOf`.
fn lays_over(keyword: &str) -> bool {
    super::is_annotation(keyword) || keyword == "nullable"
}

/// Which OpenAPI a document is written in, as its `openapi` field says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// 3.0.x, or no recognisable version: read as 3.0.
    V30,
    /// 3.1.x, or a later 3.x (3.2 reads as 3.1 does).
    V31,
}

impl Dialect {
    /// The dialect of a parsed document.
    pub fn of(document: &Value) -> Self {
        match document.get("openapi").and_then(Value::as_str) {
            Some(version)
                if version.starts_with("3.")
                    && !(version == "3.0" || version.starts_with("3.0.")) =>
            {
                Self::V31
            }
            _ => Self::V30,
        }
    }
}

/// Rewrites `document` (3.0 or 3.1) into the normal form described in the
/// module documentation.
pub fn normalize(document: &mut Value) {
    normalize_with(document, &[]);
}

/// [`normalize`] for a document with files grafted in (see
/// [`super::BUNDLED`]): `bundled_schemas` are the pointers of the grafted
/// items that are referred to as schemas, which no walk from `paths` and
/// `components` reaches.
pub(super) fn normalize_with(document: &mut Value, bundled_schemas: &[String]) {
    let dialect = Dialect::of(document);
    if dialect == Dialect::V31
        && let Some(root) = document.as_object_mut()
    {
        root.insert("openapi".into(), Value::String(NORMAL_VERSION.into()));
    }
    // Pass 1: every schema on its own.
    walk_document(document, &mut |schema| normalize_schema(schema, dialect));
    for at in bundled_schemas {
        if let Some(schema) = document.pointer_mut(at) {
            walk_schema(schema, &mut |schema| normalize_schema(schema, dialect));
        }
    }
    // Pass 2: references with siblings, now that every target is normalised,
    // innermost first (so that rewriting one leaves the pointers of the
    // others in place).
    let snapshot = Document::new("", document.clone());
    for at in walk::reference_pointers(document).iter().rev() {
        if let Some(Value::Object(object)) = document.pointer_mut(at)
            && object.get("$ref").is_some_and(Value::is_string)
            && object.len() > 1
        {
            resolve_siblings(object, &snapshot, dialect);
        }
    }
}

/// Calls `visit` on every schema of the document, children before parents.
fn walk_document(document: &mut Value, visit: &mut dyn FnMut(&mut Map<String, Value>)) {
    let Some(root) = document.as_object_mut() else {
        return;
    };
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            walk_path_item(item, visit);
        }
    }
    if let Some(webhooks) = root.get_mut("webhooks").and_then(Value::as_object_mut) {
        for item in webhooks.values_mut() {
            walk_path_item(item, visit);
        }
    }
    let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) else {
        return;
    };
    for (kind, entries) in components.iter_mut() {
        let Some(entries) = entries.as_object_mut() else {
            continue;
        };
        for entry in entries.values_mut() {
            match kind.as_str() {
                "schemas" => walk_schema(entry, visit),
                "parameters" | "headers" => walk_parameter(entry, visit),
                "responses" => walk_response(entry, visit),
                "requestBodies" => walk_content(entry.get_mut("content"), visit),
                "pathItems" => walk_path_item(entry, visit),
                "callbacks" => walk_callback(entry, visit),
                _ => {}
            }
        }
    }
}

fn walk_path_item(item: &mut Value, visit: &mut dyn FnMut(&mut Map<String, Value>)) {
    let Some(item) = item.as_object_mut() else {
        return;
    };
    for (key, value) in item.iter_mut() {
        if key == "parameters" {
            each(value, |parameter| walk_parameter(parameter, visit));
        } else if METHODS.contains(&key.as_str()) {
            walk_operation(value, visit);
        }
    }
}

fn walk_operation(operation: &mut Value, visit: &mut dyn FnMut(&mut Map<String, Value>)) {
    let Some(operation) = operation.as_object_mut() else {
        return;
    };
    if let Some(parameters) = operation.get_mut("parameters") {
        each(parameters, |parameter| walk_parameter(parameter, visit));
    }
    if let Some(body) = operation.get_mut("requestBody") {
        walk_content(body.get_mut("content"), visit);
    }
    if let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    {
        for response in responses.values_mut() {
            walk_response(response, visit);
        }
    }
    if let Some(callbacks) = operation
        .get_mut("callbacks")
        .and_then(Value::as_object_mut)
    {
        for callback in callbacks.values_mut() {
            walk_callback(callback, visit);
        }
    }
}

fn walk_callback(callback: &mut Value, visit: &mut dyn FnMut(&mut Map<String, Value>)) {
    if let Some(callback) = callback.as_object_mut() {
        for item in callback.values_mut() {
            walk_path_item(item, visit);
        }
    }
}

/// A parameter or a header: a schema, or content.
fn walk_parameter(parameter: &mut Value, visit: &mut dyn FnMut(&mut Map<String, Value>)) {
    if let Some(schema) = parameter.get_mut("schema") {
        walk_schema(schema, visit);
    }
    walk_content(parameter.get_mut("content"), visit);
}

fn walk_response(response: &mut Value, visit: &mut dyn FnMut(&mut Map<String, Value>)) {
    if let Some(headers) = response.get_mut("headers").and_then(Value::as_object_mut) {
        for header in headers.values_mut() {
            walk_parameter(header, visit);
        }
    }
    walk_content(response.get_mut("content"), visit);
}

fn walk_content(content: Option<&mut Value>, visit: &mut dyn FnMut(&mut Map<String, Value>)) {
    let Some(content) = content.and_then(Value::as_object_mut) else {
        return;
    };
    for media in content.values_mut() {
        if let Some(schema) = media.get_mut("schema") {
            walk_schema(schema, visit);
        }
    }
}

/// The keywords of JSON Schema whose value is one schema, a list of them,
/// or a map of them.
const SUBSCHEMA: [&str; 8] = [
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
];
const SUBSCHEMA_LISTS: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];
const SUBSCHEMA_MAPS: [&str; 4] = [
    "properties",
    "patternProperties",
    "dependentSchemas",
    "$defs",
];

fn walk_schema(schema: &mut Value, visit: &mut dyn FnMut(&mut Map<String, Value>)) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    for (keyword, value) in object.iter_mut() {
        let keyword = keyword.as_str();
        if SUBSCHEMA.contains(&keyword) {
            walk_schema(value, visit);
        } else if SUBSCHEMA_LISTS.contains(&keyword) {
            each(value, |child| walk_schema(child, visit));
        } else if SUBSCHEMA_MAPS.contains(&keyword)
            && let Some(children) = value.as_object_mut()
        {
            for child in children.values_mut() {
                walk_schema(child, visit);
            }
        }
    }
    visit(object);
}

fn each(list: &mut Value, mut visit: impl FnMut(&mut Value)) {
    if let Some(list) = list.as_array_mut() {
        list.iter_mut().for_each(&mut visit);
    }
}

/// Pass 1 on one schema whose children are already normal.
fn normalize_schema(schema: &mut Map<String, Value>, dialect: Dialect) {
    if dialect == Dialect::V31 {
        type_list(schema);
        if let Some(value) = schema.remove("const") {
            schema.entry("enum").or_insert_with(|| json!([value]));
        }
        if let Some(Value::Array(examples)) = schema.remove("examples")
            && let Some(first) = examples.into_iter().next()
        {
            schema.entry("example").or_insert(first);
        }
        exclusive_bound(schema, "exclusiveMinimum", "minimum", |new, old| new >= old);
        exclusive_bound(schema, "exclusiveMaximum", "maximum", |new, old| new <= old);
    }
    null_branches(schema);
}

/// `type: [T, "null"]` becomes `type: T, nullable: true`; several non-null
/// types become an `anyOf` of one type each.
fn type_list(schema: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = schema.get("type") else {
        return;
    };
    let nullable = types.iter().any(|t| t == "null");
    let mut others: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
    others.dedup();
    match others.len() {
        0 => {
            schema.insert("type".into(), Value::String("null".into()));
            return;
        }
        1 => {
            schema.insert("type".into(), others.remove(0));
        }
        _ => {
            schema.remove("type");
            let branches = others.into_iter().map(|t| json!({ "type": t })).collect();
            schema.insert("anyOf".into(), Value::Array(branches));
        }
    }
    if nullable {
        schema.insert("nullable".into(), Value::Bool(true));
    }
}

/// 3.1's numeric `exclusiveMinimum: n` becomes 3.0's `minimum: n` with
/// `exclusiveMinimum: true`, unless an inclusive `minimum` is tighter.
fn exclusive_bound(
    schema: &mut Map<String, Value>,
    exclusive: &str,
    inclusive: &str,
    at_least_as_tight: fn(f64, f64) -> bool,
) {
    let Some(bound) = schema.get(exclusive).and_then(Value::as_f64) else {
        return;
    };
    let Some(number) = schema.remove(exclusive) else {
        return;
    };
    let tighter = schema
        .get(inclusive)
        .and_then(Value::as_f64)
        .is_none_or(|current| at_least_as_tight(bound, current));
    if tighter {
        schema.insert(inclusive.into(), number);
        schema.insert(exclusive.into(), Value::Bool(true));
    }
}

/// Is this schema only `null`: `type: "null"` or `enum: [null]`, with at most
/// annotations beside it?
fn is_null_only(schema: &Value) -> bool {
    let Some(object) = schema.as_object() else {
        return false;
    };
    let says_null = object.get("type").is_some_and(|t| t == "null")
        || object.get("enum") == Some(&json!([null]));
    says_null
        && object
            .keys()
            .all(|key| key == "type" || key == "enum" || lays_over(key))
}

/// `anyOf`/`oneOf` with a null branch: the other branches, nullable. One
/// remaining branch is merged into the schema itself.
fn null_branches(schema: &mut Map<String, Value>) {
    for combinator in ["anyOf", "oneOf"] {
        let Some(Value::Array(branches)) = schema.get(combinator) else {
            continue;
        };
        if !branches.iter().any(is_null_only) {
            continue;
        }
        let mut rest: Vec<Value> = branches
            .iter()
            .filter(|branch| !is_null_only(branch))
            .cloned()
            .collect();
        schema.insert("nullable".into(), Value::Bool(true));
        if rest.len() == 1
            && let Value::Object(only) = rest.remove(0)
        {
            schema.remove(combinator);
            for (keyword, value) in only {
                // The branch says what the value is; the outer schema's own
                // annotations (its description) stay.
                if !(lays_over(&keyword) && schema.contains_key(&keyword)) {
                    schema.insert(keyword, value);
                }
            }
            schema.insert("nullable".into(), Value::Bool(true));
        } else if rest.is_empty() {
            schema.remove(combinator);
            schema.insert("type".into(), Value::String("null".into()));
        } else {
            schema.insert(combinator.into(), Value::Array(rest));
        }
    }
}

/// Pass 2 on one `{$ref, ...siblings}` object.
fn resolve_siblings(object: &mut Map<String, Value>, snapshot: &Document, dialect: Dialect) {
    if dialect == Dialect::V30 {
        object.retain(|key, _| key == "$ref");
        return;
    }
    if object
        .keys()
        .all(|key| key == "$ref" || super::is_documentation(key))
    {
        // Documentation only describes the target where it is used: the
        // reference stays, so every reader meets the target at its own
        // place (see `Document::unwrapped`).
        return;
    }
    // Through references that are only another name, to the first target
    // with content of its own; one that cannot be followed (missing,
    // external, a cycle) stays as written, for the reader that checks
    // references to report with its pointer.
    let here = Value::Object(object.clone());
    let only_a_name = |item: &Value| item.as_object().is_some_and(|item| item.len() == 1);
    let Some(target) = snapshot
        .follow(&here, only_a_name)
        .ok()
        .and_then(Value::as_object)
        .cloned()
    else {
        return;
    };
    let reference = object.remove("$ref").unwrap_or(Value::Null);
    let siblings = std::mem::take(object);
    let structural: Map<String, Value> = siblings
        .iter()
        .filter(|(key, _)| !lays_over(key))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    if structural.is_empty() {
        *object = target;
        for (keyword, value) in siblings {
            object.insert(keyword, value);
        }
    } else {
        object.insert(
            "allOf".into(),
            json!([{ "$ref": reference }, Value::Object(structural)]),
        );
        for (keyword, value) in siblings {
            if lays_over(&keyword) {
                object.insert(keyword, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Normalises a 3.1 document whose only content is `schema` under
    /// `components/schemas/S`, and returns `S`.
    fn schema_31(schema: Value) -> Value {
        let mut document = json!({
            "openapi": "3.1.0",
            "components": { "schemas": { "S": schema, "T": { "type": "string", "description": "T" } } },
        });
        normalize(&mut document);
        document["components"]["schemas"]["S"].take()
    }

    #[test]
    fn a_null_type_in_the_list_becomes_nullable() {
        assert_eq!(
            schema_31(json!({ "type": ["string", "null"], "format": "date-time" })),
            json!({ "type": "string", "nullable": true, "format": "date-time" })
        );
        assert_eq!(
            schema_31(json!({ "type": ["null", "integer"] })),
            json!({ "type": "integer", "nullable": true })
        );
        assert_eq!(
            schema_31(json!({ "type": ["string"] })),
            json!({ "type": "string" })
        );
    }

    #[test]
    fn several_types_become_an_any_of() {
        assert_eq!(
            schema_31(json!({ "type": ["string", "integer", "null"] })),
            json!({ "anyOf": [{ "type": "string" }, { "type": "integer" }], "nullable": true })
        );
    }

    #[test]
    fn const_becomes_a_one_value_enum() {
        assert_eq!(schema_31(json!({ "const": "a" })), json!({ "enum": ["a"] }));
        assert_eq!(
            schema_31(json!({ "const": null })),
            json!({ "enum": [null] })
        );
    }

    #[test]
    fn schema_examples_become_example() {
        assert_eq!(
            schema_31(json!({ "type": "string", "examples": ["a", "b"] })),
            json!({ "type": "string", "example": "a" })
        );
        assert_eq!(
            schema_31(json!({ "examples": ["a"], "example": "kept" })),
            json!({ "example": "kept" })
        );
    }

    #[test]
    fn numeric_exclusive_bounds_become_boolean_ones() {
        assert_eq!(
            schema_31(json!({ "exclusiveMinimum": 0, "exclusiveMaximum": 10 })),
            json!({ "minimum": 0, "exclusiveMinimum": true, "maximum": 10, "exclusiveMaximum": true })
        );
        // An inclusive bound that is already tighter wins.
        assert_eq!(
            schema_31(json!({ "minimum": 5, "exclusiveMinimum": 1 })),
            json!({ "minimum": 5 })
        );
    }

    #[test]
    fn a_null_branch_makes_the_other_branch_nullable() {
        assert_eq!(
            schema_31(
                json!({ "anyOf": [{ "type": "string" }, { "type": "null" }], "description": "d" })
            ),
            json!({ "type": "string", "nullable": true, "description": "d" })
        );
        // A `$ref` branch: the target, nullable, through pass 2.
        assert_eq!(
            schema_31(
                json!({ "oneOf": [{ "$ref": "#/components/schemas/T" }, { "type": "null" }] })
            ),
            json!({ "type": "string", "description": "T", "nullable": true })
        );
        // Two branches stay a choice.
        assert_eq!(
            schema_31(
                json!({ "oneOf": [{ "type": "string" }, { "type": "integer" }, { "type": "null" }] })
            ),
            json!({ "oneOf": [{ "type": "string" }, { "type": "integer" }], "nullable": true })
        );
        // A 3.1 type list inside a branch is normalised first.
        assert_eq!(
            schema_31(json!({ "anyOf": [{ "type": "string" }, { "type": ["null"] }] })),
            json!({ "type": "string", "nullable": true })
        );
    }

    #[test]
    fn a_3_0_nullable_and_a_3_1_null_type_read_the_same() {
        let mut v30 = json!({ "openapi": "3.0.3", "components": { "schemas": {
            "S": { "type": "object", "properties": { "a": { "type": "string", "nullable": true } } } } } });
        let mut v31 = json!({ "openapi": "3.1.0", "components": { "schemas": {
            "S": { "type": "object", "properties": { "a": { "type": ["string", "null"] } } } } } });
        normalize(&mut v30);
        normalize(&mut v31);
        assert_eq!(v30, v31);
    }

    #[test]
    fn ref_siblings_apply_in_3_1_and_are_ignored_in_3_0() {
        assert_eq!(
            schema_31(json!({ "$ref": "#/components/schemas/T", "description": "mine" })),
            json!({ "$ref": "#/components/schemas/T", "description": "mine" })
        );
        assert_eq!(
            schema_31(json!({ "$ref": "#/components/schemas/T", "readOnly": true })),
            json!({ "type": "string", "description": "T", "readOnly": true })
        );
        assert_eq!(
            schema_31(json!({ "$ref": "#/components/schemas/T", "maxLength": 3 })),
            json!({ "allOf": [{ "$ref": "#/components/schemas/T" }, { "maxLength": 3 }] })
        );
        let mut v30 = json!({ "openapi": "3.0.3", "components": { "schemas": {
            "S": { "$ref": "#/components/schemas/T", "nullable": true }, "T": { "type": "string" } } } });
        normalize(&mut v30);
        assert_eq!(
            v30["components"]["schemas"]["S"],
            json!({ "$ref": "#/components/schemas/T" })
        );
    }

    #[test]
    fn a_reference_that_cannot_be_followed_is_left_for_the_reader_to_report() {
        assert_eq!(
            schema_31(json!({ "$ref": "#/components/schemas/Missing", "description": "d" })),
            json!({ "$ref": "#/components/schemas/Missing", "description": "d" })
        );
        let mut cycle = json!({ "openapi": "3.1.0", "components": { "schemas": {
            "A": { "$ref": "#/components/schemas/B", "description": "a" },
            "B": { "$ref": "#/components/schemas/A" } } } });
        normalize(&mut cycle);
        assert_eq!(
            cycle["components"]["schemas"]["B"],
            json!({ "$ref": "#/components/schemas/A" })
        );
    }

    #[test]
    fn property_names_that_are_keywords_are_not_rewritten() {
        let schema = json!({ "type": "object", "properties": {
            "const": { "type": "string" }, "type": { "type": ["string", "null"] } } });
        assert_eq!(
            schema_31(schema),
            json!({ "type": "object", "properties": {
                "const": { "type": "string" }, "type": { "type": "string", "nullable": true } } })
        );
    }

    #[test]
    fn schemas_are_found_in_every_place_of_a_document() {
        let nullable = json!({ "type": ["string", "null"] });
        let mut document = json!({
            "openapi": "3.1.0",
            "paths": { "/a": {
                "parameters": [{ "name": "p", "in": "query", "schema": nullable }],
                "post": {
                    "requestBody": { "content": { "application/json": { "schema": nullable } } },
                    "responses": { "200": {
                        "headers": { "h": { "schema": nullable } },
                        "content": { "application/json": { "schema": { "items": nullable } } } } },
                    "callbacks": { "c": { "/cb": { "get": { "parameters": [{ "schema": nullable }] } } } },
                } } },
            "webhooks": { "w": { "get": { "parameters": [{ "schema": nullable }] } } },
        });
        normalize(&mut document);
        let text = document.to_string();
        assert!(!text.contains("\"null\""), "{text}");
        assert_eq!(document["openapi"], "3.0.3");
    }

    #[test]
    fn anything_that_is_not_a_document_passes_through() {
        for mut value in [
            json!(null),
            json!([1, 2]),
            json!("3.1"),
            json!({ "openapi": "3.1.0", "paths": 7 }),
        ] {
            let before = value.clone();
            normalize(&mut value);
            if before.is_object() {
                assert_eq!(value["paths"], before["paths"]);
            } else {
                assert_eq!(value, before);
            }
        }
    }
}
