//! The document read into openapiv3's model of OpenAPI 3.0, item by item,
//! so that what does not fit is named by its pointer.

use std::collections::BTreeSet;

use openapiv3::{OpenAPI, Operation, Parameter, ReferenceOr};
use serde_json::Value;

use crate::document::{Document, pointer};
use crate::error::Error;

/// Where an item failed to fit the model, and what the model said.
type Failure = (Vec<String>, String);

/// Keeps every failure.
pub(super) fn nothing(_: &Failure) -> bool {
    false
}

/// What 3.1 allows and openapiv3's 3.0 model does not: a schema's own
/// keywords (type lists, `const`...) under any `schema` or `schemas`, and
/// a document without `paths`. Everything else (`info` without `version`,
/// a response without `description`, `responses: null`) 3.1 refuses too.
pub(super) fn only_3_0_refuses((location, message): &Failure) -> bool {
    location
        .iter()
        .any(|segment| segment == "schema" || segment == "schemas")
        || (location.is_empty() && message.contains("`paths`"))
}

/// The document in openapiv3's model, or every item that does not fit it.
pub(super) fn typed(document: &Document) -> Result<OpenAPI, Vec<Error>> {
    typed_except(document, nothing)
}

/// [`typed`], leaving out the failures `beyond` says are not problems.
pub(super) fn typed_except(
    document: &Document,
    beyond: fn(&Failure) -> bool,
) -> Result<OpenAPI, Vec<Error>> {
    let whole = match typed_at::<OpenAPI>(document.root(), &[]) {
        Ok(spec) => return Ok(spec),
        Err(whole) => whole,
    };
    // openapiv3 reads `paths` and `components` through maps that hide
    // where inside them it failed: look again, item by item.
    let mut failures = narrow(document);
    if failures.is_empty() {
        failures.push(whole);
    }
    failures.retain(|failure| !beyond(failure));
    Err(failures
        .into_iter()
        .map(|(location, message)| {
            document.invalid(
                None,
                pointer(&location),
                format!("not valid OpenAPI 3.0: {message}"),
                "compare this item with the OpenAPI 3.0.3 specification",
            )
        })
        .collect())
}

/// Deserializes `value` (found at `base`) as `T`, or says where it failed.
fn typed_at<T: serde::de::DeserializeOwned>(
    value: &Value,
    base: &[String],
) -> Result<T, (Vec<String>, String)> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let mut location = base.to_vec();
        location.extend(err.path().iter().filter_map(|segment| match segment {
            serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
            serde_path_to_error::Segment::Map { key } => Some(key.clone()),
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {
                None
            }
        }));
        (location, err.into_inner().to_string())
    })
}

/// Every operation and component that does not deserialize on its own, and
/// every other top-level part of the document that does not.
fn narrow(document: &Document) -> Vec<(Vec<String>, String)> {
    fn failures<T: serde::de::DeserializeOwned>(
        map: &serde_json::Map<String, Value>,
        base: &[&str],
        found: &mut Vec<(Vec<String>, String)>,
    ) {
        for (name, value) in map {
            let mut here: Vec<String> = base.iter().map(|s| (*s).to_owned()).collect();
            here.push(name.clone());
            found.extend(typed_at::<T>(value, &here).err());
        }
    }
    let mut found: Vec<(Vec<String>, String)> = Vec::new();
    let root = document.root();
    if let Some(info) = root.get("info") {
        found.extend(typed_at::<openapiv3::Info>(info, &["info".to_owned()]).err());
    } else {
        found.push((Vec::new(), "missing field `info`".to_owned()));
    }
    let mut operations = BTreeSet::new();
    for operation in document.operations() {
        let at = ["paths", operation.path, operation.method].map(str::to_owned);
        if let Err(failure) = typed_at::<Operation>(operation.value, &at) {
            operations.insert(operation.path);
            found.push(failure);
        }
    }
    // A path item is looked at on its own only when none of its operations
    // failed: its failure would repeat theirs.
    for (path, item) in document.object_at("/paths") {
        if !operations.contains(path.as_str()) {
            let here = ["paths".to_owned(), path.clone()];
            found.extend(typed_at::<ReferenceOr<openapiv3::PathItem>>(item, &here).err());
        }
    }
    let section = |name: &str| document.object_at(&format!("/components/{name}"));
    failures::<ReferenceOr<openapiv3::Schema>>(
        section("schemas"),
        &["components", "schemas"],
        &mut found,
    );
    failures::<ReferenceOr<openapiv3::Response>>(
        section("responses"),
        &["components", "responses"],
        &mut found,
    );
    failures::<ReferenceOr<Parameter>>(
        section("parameters"),
        &["components", "parameters"],
        &mut found,
    );
    failures::<ReferenceOr<openapiv3::RequestBody>>(
        section("requestBodies"),
        &["components", "requestBodies"],
        &mut found,
    );
    failures::<ReferenceOr<openapiv3::SecurityScheme>>(
        section("securitySchemes"),
        &["components", "securitySchemes"],
        &mut found,
    );
    found
}
