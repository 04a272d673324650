//! The spec as data: its operations, declared responses, schemas and
//! examples, and JSON Schema validators for them.

use std::path::{Path, PathBuf};

use codegen::document::{Document, Operation, ResponseKey};
use codegen::{Rules, validate};
use serde_json::{Map, Value};

/// The workspace's spec file.
pub fn spec_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/keys.yaml")
}

/// A loaded spec.
pub struct Spec {
    document: Document,
}

/// An `example` in the spec and the schema it must fit.
pub struct Example {
    /// Where the example is.
    pub pointer: String,
    /// The schema it must fit.
    pub schema: Value,
    /// The example itself.
    pub value: Value,
}

/// A schema violation: where in the instance, and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// JSON pointer into the instance.
    pub pointer: String,
    /// What the validator said.
    pub message: String,
}

impl Spec {
    /// Loads the workspace's spec.
    pub fn load() -> Result<Self, String> {
        Self::from_file(&spec_file())
    }

    /// Loads a spec file with the generator's own loader, and refuses it
    /// for the reasons spec-diff would (an unresolvable or cyclic `$ref`, a
    /// document that is not OpenAPI 3.0), with the same error.
    pub fn from_file(file: &Path) -> Result<Self, String> {
        let document = Document::load(file).map_err(|err| err.to_string())?;
        validate(&document, Rules::OpenApi).map_err(|err| err.to_string())?;
        Ok(Self { document })
    }

    /// The spec as the generator's document model reads it.
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The operations, in document order.
    pub fn operations(&self) -> Vec<Operation<'_>> {
        self.document.operations()
    }

    /// The operation with this operationId.
    pub fn operation(&self, id: &str) -> Option<Operation<'_>> {
        self.document.operation(id)
    }

    /// The response keys an operation declares (`"200"`, `"5XX"`, `"default"`).
    pub fn declared_statuses(&self, id: &str) -> Vec<String> {
        self.operation(id)
            .map(|operation| {
                let responses = operation.responses();
                responses.iter().map(|r| r.label.to_owned()).collect()
            })
            .unwrap_or_default()
    }

    /// The response object that covers `status`: its exact code, else its
    /// range (`4XX`), else `default`.
    pub fn response(&self, id: &str, status: u16) -> Option<&Value> {
        Some(self.operation(id)?.response_for(status)?.value)
    }

    /// Whether the response key `declared` covers `status` on its own.
    pub fn covers(declared: &str, status: u16) -> bool {
        ResponseKey::parse(declared).is_some_and(|key| key.covers(status))
    }

    /// Follows `$ref`s to the item they name.
    pub fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        self.document.resolved(value)
    }

    /// For a `oneOf` schema, the branch `instance` means: the one whose
    /// required properties it has (the first, when several fit).
    pub fn meant_branch<'a>(&'a self, schema: &'a Value, instance: &Value) -> Option<&'a Value> {
        let branches = self.resolve(schema).get("oneOf")?.as_array()?;
        branches.iter().find(|branch| {
            let required = self
                .resolve(branch)
                .get("required")
                .and_then(Value::as_array);
            required
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .all(|name| instance.get(name).is_some())
        })
    }

    /// Validates `instance` against an OpenAPI 3.0 `schema` of this spec.
    /// Where `schema` is a `oneOf` and the instance clearly means one
    /// branch, the violations are that branch's, with their pointers, not
    /// only "matches none of the branches".
    pub fn violations(&self, schema: &Value, instance: &Value) -> Result<Vec<Violation>, String> {
        let found = self.violations_of(schema, instance)?;
        match self.meant_branch(schema, instance) {
            Some(branch) if !found.is_empty() => {
                let in_branch = self.violations_of(branch, instance)?;
                Ok(if in_branch.is_empty() {
                    found
                } else {
                    in_branch
                })
            }
            _ => Ok(found),
        }
    }

    fn violations_of(&self, schema: &Value, instance: &Value) -> Result<Vec<Violation>, String> {
        let mut document = Map::new();
        document.insert(
            "allOf".into(),
            Value::Array(vec![to_json_schema(schema.clone())]),
        );
        document.insert(
            "components".into(),
            to_json_schema(
                self.document
                    .root()
                    .get("components")
                    .cloned()
                    .unwrap_or(Value::Null),
            ),
        );
        let validator = jsonschema::draft4::options()
            .should_validate_formats(true)
            .build(&Value::Object(document))
            .map_err(|err| format!("the spec's schema does not compile: {err}"))?;
        Ok(validator
            .iter_errors(instance)
            .map(|err| Violation {
                pointer: err.instance_path().as_str().to_owned(),
                message: err.to_string(),
            })
            .collect())
    }

    /// Every `example` of a media type, parameter or schema, with its schema.
    pub fn examples(&self) -> Vec<Example> {
        let mut found = Vec::new();
        collect_examples(self.document.root(), &mut Vec::new(), &mut found);
        found
    }
}

fn collect_examples(node: &Value, path: &mut Vec<String>, found: &mut Vec<Example>) {
    let Some(map) = node.as_object() else {
        if let Some(items) = node.as_array() {
            for (index, item) in items.iter().enumerate() {
                path.push(index.to_string());
                collect_examples(item, path, found);
                path.pop();
            }
        }
        return;
    };
    if let Some(example) = map.get("example") {
        // A media type or parameter carries its schema beside the example;
        // a schema carries the example inside itself.
        let schema = map.get("schema").cloned().unwrap_or_else(|| node.clone());
        let mut at = path.clone();
        at.push("example".into());
        found.push(Example {
            pointer: codegen::pointer(&at),
            schema,
            value: example.clone(),
        });
    }
    for (key, value) in map {
        if key == "example" {
            continue;
        }
        path.push(key.clone());
        collect_examples(value, path, found);
        path.pop();
    }
}

/// OpenAPI 3.0 schemas are JSON Schema draft 4 but for `nullable`, which
/// becomes a `"null"` type (and a `null` enum value).
fn to_json_schema(mut schema: Value) -> Value {
    rewrite_nullable(&mut schema);
    schema
}

fn rewrite_nullable(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if map.remove("nullable") == Some(Value::Bool(true)) {
                if let Some(Value::String(single)) = map.get("type").cloned() {
                    map.insert("type".into(), serde_json::json!([single, "null"]));
                }
                if let Some(Value::Array(values)) = map.get_mut("enum") {
                    values.push(Value::Null);
                }
            }
            map.values_mut().for_each(rewrite_nullable);
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_nullable),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nullable_allows_null_and_nothing_else_changes() {
        let spec = Spec::load().unwrap();
        let schema = json!({"$ref": "#/components/schemas/ErrorBody"});
        assert!(
            spec.violations(&schema, &json!({"message": null}))
                .unwrap()
                .is_empty()
        );
        let violations = spec.violations(&schema, &json!({"message": 5})).unwrap();
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert_eq!(violations[0].pointer, "/message");
    }

    #[test]
    fn violations_are_reported_by_pointer() {
        let spec = Spec::load().unwrap();
        let schema = json!({"$ref": "#/components/schemas/ListKeysResponse"});
        let body = json!({"api_keys": [{"member": {"member_id": "m", "email": "e"},
            "api_key": {"api_key_id": "k", "comment": "c", "scopes": ["member"], "created": "yesterday"}}]});
        let violations = spec.violations(&schema, &body).unwrap();
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert_eq!(violations[0].pointer, "/api_keys/0/api_key/created");
    }

    #[test]
    fn statuses_fall_back_to_ranges() {
        let spec = Spec::load().unwrap();
        assert!(spec.response("list_keys", 503).is_some());
        assert!(spec.response("list_keys", 418).is_none());
        assert!(Spec::covers("5XX", 502) && !Spec::covers("5XX", 429));
    }
}
