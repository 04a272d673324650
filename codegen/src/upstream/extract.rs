//! The key operations of a document, and only they: what the upstream
//! tooling reads of Deepgram's whole-API document.
//!
//! Operations are matched by HTTP method and path template, with the names of
//! path parameters ignored (`/v1/projects/{projectId}/keys` is our
//! `/v1/projects/{project_id}/keys`), never by operationId, which upstream
//! renamed twice. Everything they reference is copied along; nothing else is
//! read, so a broken construct elsewhere in the document cannot stop the
//! tool. One inside the key operations is a [`Problem`] with its JSON
//! pointer.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::document::{Document, Operation, pointer, references};

/// Where an extracted operation keeps upstream's operationId, and upstream's
/// path template when its parameter names differ from ours.
pub(super) const UPSTREAM_OPERATION_ID: &str = "x-upstream-operation-id";
pub(super) const UPSTREAM_PATH: &str = "x-upstream-path";

/// One operation of our spec, as the upstream document is searched for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyOperation {
    /// Our operationId, which names the operation in every report.
    pub operation_id: String,
    /// The method, lower case.
    pub method: String,
    /// Our path template.
    pub path: String,
}

/// Something inside the key operations the tool cannot read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Our operationId of the operation concerned.
    pub operation: String,
    /// A JSON pointer into the document that was read.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

/// The key operations of one document, as a small OpenAPI document of its
/// own: our paths and operationIds, path-item parameters merged into each
/// operation, the security that applies written on each operation, and the
/// components they reference.
#[derive(Debug, Clone)]
pub struct Extract {
    /// The extract.
    pub document: Value,
    /// What could not be read; the extract leaves those parts as they were.
    pub problems: Vec<Problem>,
}

/// The operations of our spec, in document order.
pub fn key_operations(ours: &Document) -> Vec<KeyOperation> {
    ours.operations()
        .iter()
        .map(|operation| KeyOperation {
            operation_id: operation.id().map_or_else(
                || format!("{} {}", operation.method.to_uppercase(), operation.path),
                str::to_owned,
            ),
            method: operation.method.to_owned(),
            path: operation.path.to_owned(),
        })
        .collect()
}

/// `/a/{x}/b` and `/a/{y}/b` are the same template.
fn template_shape(path: &str) -> String {
    let mut shape = String::with_capacity(path.len());
    let mut in_parameter = false;
    for character in path.chars() {
        match character {
            '{' => {
                in_parameter = true;
                shape.push('{');
            }
            '}' => {
                in_parameter = false;
                shape.push('}');
            }
            _ if in_parameter => {}
            other => shape.push(other),
        }
    }
    shape.trim_end_matches('/').to_owned()
}

/// The names of a template's path parameters, in order.
fn template_parameters(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

/// Extracts the key operations `keys` from `document`.
pub fn extract(document: &Document, keys: &[KeyOperation]) -> Extract {
    let mut extractor = Extractor {
        document,
        out: json!({}),
        problems: Vec::new(),
        copied: BTreeSet::new(),
    };
    let root = extractor
        .out
        .as_object_mut()
        .expect("an object was just built");
    root.insert(
        "openapi".into(),
        document
            .root()
            .get("openapi")
            .cloned()
            .unwrap_or(Value::Null),
    );
    let mut info = Map::new();
    for field in ["title", "version"] {
        if let Some(value) = document.root().pointer(&format!("/info/{field}")) {
            info.insert(field.into(), value.clone());
        }
    }
    root.insert("info".into(), Value::Object(info));
    root.insert("paths".into(), json!({}));
    for key in keys {
        extractor.operation(key);
    }
    let mut problems = extractor.problems;
    problems.sort_by(|a, b| (&a.operation, &a.pointer).cmp(&(&b.operation, &b.pointer)));
    problems.dedup();
    Extract {
        document: extractor.out,
        problems,
    }
}

struct Extractor<'a> {
    document: &'a Document,
    out: Value,
    problems: Vec<Problem>,
    /// Pointers of the components already copied.
    copied: BTreeSet<String>,
}

impl<'a> Extractor<'a> {
    fn problem(&mut self, key: &KeyOperation, pointer: String, message: String) {
        if self
            .problems
            .iter()
            .any(|p| p.pointer == pointer && p.operation == key.operation_id)
        {
            return;
        }
        self.problems.push(Problem {
            operation: key.operation_id.clone(),
            pointer,
            message,
        });
    }

    /// The upstream operation that matches ours by method and path
    /// template.
    fn find(&self, key: &KeyOperation) -> Option<Operation<'a>> {
        let shape = template_shape(&key.path);
        self.document.operations().into_iter().find(|operation| {
            operation.method == key.method && template_shape(operation.path) == shape
        })
    }

    fn operation(&mut self, key: &KeyOperation) {
        let Some(found) = self.find(key) else {
            return;
        };
        let (path, item) = (found.path, found.item);
        let item_pointer = pointer(["paths", path]);
        let operation_pointer = found.pointer.clone();
        let Some(upstream) = found.value.as_object() else {
            self.problem(
                key,
                operation_pointer,
                "the operation is not a mapping".into(),
            );
            return;
        };
        let mut operation = upstream.clone();
        // Reading an extract again keeps the upstream operationId it recorded.
        if let Some(id) = operation.insert("operationId".into(), key.operation_id.clone().into())
            && id != key.operation_id.as_str()
            && !operation.contains_key(UPSTREAM_OPERATION_ID)
        {
            operation.insert(UPSTREAM_OPERATION_ID.into(), id);
        }
        if path != key.path {
            operation.insert(UPSTREAM_PATH.into(), path.into());
        }
        let parameters = self.parameters(key, &found);
        operation.remove("parameters");
        if !parameters.is_empty() {
            operation.insert("parameters".into(), Value::Array(parameters));
        }
        // The security that applies, written where the review compares it:
        // moving it between the document and the operation is no change.
        let security = upstream
            .get("security")
            .or_else(|| self.document.root().get("security"))
            .cloned();
        operation.remove("security");
        if let Some(security) = security {
            self.security_schemes(key, &security);
            operation.insert("security".into(), security);
        }
        // Everything the operation references, with pointers into the
        // document as it was read (a reference met twice is reported once).
        if let Some(parameters) = item.get("parameters") {
            self.references(key, parameters, &format!("{item_pointer}/parameters"));
        }
        self.references(key, &item[key.method.as_str()], &operation_pointer);
        let paths = self.out["paths"]
            .as_object_mut()
            .expect("paths is an object");
        paths
            .entry(key.path.clone())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("each path item built here is an object")
            .insert(key.method.clone(), Value::Object(operation));
    }

    /// The path item's parameters merged with the operation's, as the
    /// document model merges them (the headers OpenAPI ignores left out),
    /// with path parameters renamed to ours by position.
    fn parameters(&mut self, key: &KeyOperation, found: &Operation<'a>) -> Vec<Value> {
        let ours = template_parameters(&key.path);
        let theirs = template_parameters(found.path);
        found
            .parameters()
            .into_iter()
            .map(|parameter| {
                let written = self
                    .document
                    .root()
                    .pointer(&parameter.pointer)
                    .unwrap_or(parameter.value);
                if parameter.location == "path"
                    && let Some(position) = theirs.iter().position(|their| *their == parameter.name)
                    && let Some(our_name) = ours.get(position).filter(|our| **our != parameter.name)
                {
                    // Inline the parameter under our name: a renamed path
                    // parameter is no change on the wire.
                    let mut renamed = parameter.value.clone();
                    renamed["name"] = Value::String((*our_name).to_owned());
                    return renamed;
                }
                written.clone()
            })
            .collect()
    }

    fn security_schemes(&mut self, key: &KeyOperation, security: &Value) {
        let names: BTreeSet<String> = security
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .flat_map(|requirement| requirement.keys().cloned())
            .collect();
        for name in names {
            let at = pointer(["components", "securitySchemes", &name]);
            match self.document.root().pointer(&at) {
                Some(scheme) => self.copy(&at, scheme.clone()),
                None => self.problem(
                    key,
                    at,
                    format!("the security scheme `{name}` is not defined"),
                ),
            }
        }
    }

    /// Copies the component a `$ref` names (and everything it references);
    /// a reference the document model cannot follow is a problem.
    fn target(&mut self, key: &KeyOperation, reference: &Value, at: &str) {
        let probe = json!({ "$ref": reference });
        if let Err(problem) = self.document.resolve(&probe) {
            self.problem(key, at.to_owned(), problem.to_string());
            return;
        }
        let Some(target) = reference.as_str().and_then(|r| r.strip_prefix('#')) else {
            return;
        };
        if !target.starts_with("/components/") {
            self.problem(
                key,
                at.to_owned(),
                format!("`{target}` is outside `components`, which the tool does not follow"),
            );
            return;
        }
        if let Some(value) = self.document.root().pointer(target)
            && !self.copied.contains(target)
        {
            self.copy(target, value.clone());
            self.references(key, value, target);
        }
    }

    /// Follows every `$ref` inside `value`, found at `at` in the document
    /// (the document model's walk: a property named `$ref` is no reference).
    fn references(&mut self, key: &KeyOperation, value: &Value, at: &str) {
        let mut found: Vec<(String, Value)> = Vec::new();
        references(value, &mut |path, object| {
            found.push((format!("{at}{}", pointer(path)), object["$ref"].clone()));
        });
        for (here, reference) in found {
            self.target(key, &reference, &here);
        }
    }

    /// Copies `value` to the same pointer in the extract.
    fn copy(&mut self, at: &str, value: Value) {
        if !self.copied.insert(at.to_owned()) {
            return;
        }
        let mut slot = &mut self.out;
        let tokens: Vec<String> = at
            .split('/')
            .skip(1)
            .map(|token| token.replace("~1", "/").replace("~0", "~"))
            .collect();
        for token in &tokens {
            if !slot.is_object() {
                *slot = json!({});
            }
            slot = slot
                .as_object_mut()
                .expect("made an object above")
                .entry(token.clone())
                .or_insert_with(|| json!({}));
        }
        *slot = value;
    }
}
