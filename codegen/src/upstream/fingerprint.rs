//! What our spec says beneath a difference the review does not look into.
//!
//! When upstream has nothing at a place where we have something (a property
//! upstream's `oneOf: [Any, Any]` body does not list, an error status it
//! does not declare, a `oneOf` it does not have), the review reports one
//! difference for the whole subtree and compares nothing inside it. The
//! ledger entry for such a difference records a fingerprint of our subtree,
//! so that changing what we say there (a new bound on `comment`, the TTL's
//! type) is a new deviation that needs its reason, not a silent one.

use serde_json::{Map, Value};

use crate::document::{Document, is_documentation, is_named_map};

/// Whether the review compares nothing beneath a difference of this kind
/// at this pointer.
pub fn covers_a_subtree(kind: &str, pointer: &str) -> bool {
    let added = kind.contains("-added") && !kind.contains("enum-value-added");
    let combinator = ["/oneOf", "/anyOf", "/allOf"]
        .iter()
        .any(|suffix| pointer.ends_with(suffix));
    added || combinator
}

/// The fingerprint of the subtree of `document` at `pointer` (a pointer
/// through resolved `$ref`s, as the review reports it): the first 16 hex
/// digits of the sha256 of its meaning, with references inlined, keys
/// sorted and documentation (descriptions, titles, examples, extensions)
/// left out. `None` when nothing is there.
pub fn fingerprint(document: &Document, pointer: &str) -> Option<String> {
    let mut value = document.root();
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        value = document.resolved(value);
        value = match value {
            Value::Object(object) => object.get(&token)?,
            Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    let meaning = essence(document, value, &mut Vec::new());
    let text = serde_json::to_string(&meaning).ok()?;
    Some(super::sha256_hex(text.as_bytes())[..16].to_owned())
}

/// The meaning of `value`: references inlined (a recursive one stands for
/// itself by name), keys sorted, documentation left out. The keys of a map
/// of names (`properties`, say) are names, kept whatever they spell.
fn essence(document: &Document, value: &Value, following: &mut Vec<String>) -> Value {
    essence_of(document, value, following, false)
}

fn essence_of(
    document: &Document,
    value: &Value,
    following: &mut Vec<String>,
    names: bool,
) -> Value {
    match value {
        Value::Object(object) => {
            if let Some(reference) = object
                .get("$ref")
                .and_then(Value::as_str)
                .filter(|_| !names)
            {
                // A reference already being followed is a recursive schema:
                // its name stands for it.
                if following.iter().any(|seen| seen == reference) {
                    return Value::String(reference.to_owned());
                }
                if let Ok(target) = document.resolve(value) {
                    following.push(reference.to_owned());
                    let inlined = essence(document, target, following);
                    following.pop();
                    return inlined;
                }
            }
            let mut keys: Vec<&String> = object
                .keys()
                .filter(|key| names || !is_documentation(key))
                .collect();
            keys.sort();
            let mut sorted = Map::new();
            for key in keys {
                let inner = !names && is_named_map(key) && object[key].is_object();
                sorted.insert(
                    key.clone(),
                    essence_of(document, &object[key], following, inner),
                );
            }
            Value::Object(sorted)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| essence_of(document, item, following, false))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document(comment: Value) -> Document {
        Document::new(
            "ours.yaml",
            json!({
                "paths": { "/k": { "post": { "requestBody": { "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Body" } } } } } } },
                "components": { "schemas": { "Body": { "type": "object", "properties": {
                    "comment": comment, "self": { "$ref": "#/components/schemas/Body" } } } } },
            }),
        )
    }

    const AT: &str =
        "/paths/~1k/post/requestBody/content/application~1json/schema/properties/comment";

    #[test]
    fn the_meaning_counts_and_the_wording_does_not() {
        let plain = fingerprint(&document(json!({ "type": "string" })), AT).unwrap();
        let worded = json!({ "description": "d", "example": "e", "x-note": 1, "type": "string" });
        assert_eq!(fingerprint(&document(worded), AT).unwrap(), plain);
        let bounded = json!({ "type": "string", "maxLength": 3 });
        assert_ne!(fingerprint(&document(bounded), AT).unwrap(), plain);
        assert_eq!(plain.len(), 16);
    }

    #[test]
    fn references_are_inlined_and_recursion_ends() {
        let body = "/paths/~1k/post/requestBody/content/application~1json/schema";
        let one = fingerprint(&document(json!({ "type": "string" })), body).unwrap();
        let two = fingerprint(&document(json!({ "type": "integer" })), body).unwrap();
        assert_ne!(one, two);
        assert_eq!(fingerprint(&document(json!(1)), "/paths/~1k/get"), None);
    }

    #[test]
    fn only_differences_the_review_does_not_look_into_need_one() {
        assert!(covers_a_subtree(
            "request-property-added-required",
            "/x/properties/comment"
        ));
        assert!(covers_a_subtree(
            "response-status-added",
            "/x/responses/401"
        ));
        assert!(covers_a_subtree("response-type-changed", "/x/schema/oneOf"));
        assert!(!covers_a_subtree("request-enum-value-added", "/x/enum"));
        assert!(!covers_a_subtree(
            "response-property-became-required",
            "/x/properties/a"
        ));
    }
}
