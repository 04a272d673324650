//! Stage 2: check that a parsed document is an OpenAPI 3.0 spec, and (for
//! regeneration) one that progenitor can turn into a client.
//!
//! progenitor asserts (and so panics) on several shapes instead of returning
//! an error. Each of those is checked here first, so that a maintainer gets an
//! error naming the operation and JSON pointer at fault and saying what to do.
//!
//! Regeneration stops at the first problem ([`validate`]); a review lists
//! every one as a warning and carries on ([`findings`]), because a reviewer
//! compares whatever documents they are handed.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::OpenAPI;
use serde_json::Value;

use crate::document::{self, Dialect, Document, Finding, child, object, pointer};
use crate::error::Error;

mod model;

use model::typed;

/// Which rules a document must follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rules {
    /// OpenAPI 3.0's own: the version, references that resolve without a
    /// pure cycle, the object model, unique operationIds, declared path
    /// parameters. Enough to compare two specs.
    OpenApi,
    /// Also everything progenitor needs to generate a client.
    Generator,
}

/// Checks `document` under `rules`, stopping at the first problem.
pub fn validate(document: &Document, rules: Rules) -> Result<(), Error> {
    checked(document, rules).map(drop)
}

/// Stage 2's output: `document` checked under [`Rules::Generator`] (see
/// [`validate`]) and converted to progenitor's input model, which the check
/// builds on the way.
pub fn generator_input(document: &Document) -> Result<OpenAPI, Error> {
    checked(document, Rules::Generator)
}

fn checked(document: &Document, rules: Rules) -> Result<OpenAPI, Error> {
    version(document)?;
    if rules == Rules::Generator {
        document.check_single_file()?;
    }
    let mut found = Found::first_only();
    references(document, &mut found);
    found.stop()?;
    schema_types(document, &mut found);
    found.stop()?;
    let spec = match typed(document) {
        Ok(spec) => spec,
        Err(mut problems) => return Err(problems.remove(0)),
    };
    operations(document, rules, &mut found);
    found.stop()?;
    let mut spec = spec;
    if rules == Rules::Generator {
        json_as_progenitor_reads_it(&mut spec);
    }
    Ok(spec)
}

/// progenitor decodes a body as JSON only where its media type is spelt
/// `application/json` exactly; [`document::is_json`] is the one rule,
/// case-insensitive, so a JSON body spelt otherwise
/// (`Application/JSON; charset=utf-8`) is handed over spelt so.
fn json_as_progenitor_reads_it(spec: &mut OpenAPI) {
    use openapiv3::{Content, ReferenceOr};
    fn canonical(content: &mut Content) {
        let spelt_otherwise = content
            .keys()
            .find(|key| document::is_json(key) && key.as_str() != "application/json")
            .cloned();
        if let Some(key) = spelt_otherwise
            && !content.contains_key("application/json")
            && let Some(index) = content.get_index_of(&key)
            && let Some(media) = content.shift_remove(&key)
        {
            content.shift_insert(index, "application/json".to_owned(), media);
        }
    }
    let mut responses: Vec<&mut openapiv3::Response> = Vec::new();
    let mut bodies: Vec<&mut openapiv3::RequestBody> = Vec::new();
    for item in spec.paths.paths.values_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ]
        .into_iter()
        .flatten()
        {
            if let Some(ReferenceOr::Item(body)) = &mut operation.request_body {
                bodies.push(body);
            }
            let listed = &mut operation.responses;
            for response in listed
                .default
                .iter_mut()
                .chain(listed.responses.values_mut())
            {
                if let ReferenceOr::Item(response) = response {
                    responses.push(response);
                }
            }
        }
    }
    if let Some(components) = &mut spec.components {
        for body in components.request_bodies.values_mut() {
            if let ReferenceOr::Item(body) = body {
                bodies.push(body);
            }
        }
        for response in components.responses.values_mut() {
            if let ReferenceOr::Item(response) = response {
                responses.push(response);
            }
        }
    }
    bodies
        .into_iter()
        .for_each(|body| canonical(&mut body.content));
    responses
        .into_iter()
        .for_each(|response| canonical(&mut response.content));
}

/// Every problem of `document` under OpenAPI's own rules ([`Rules::OpenApi`]),
/// for a review that carries on past them. Only a document that cannot be
/// read as OpenAPI 3.x at all (not a mapping, Swagger 2.0, no version) is an
/// error.
pub fn findings(document: &Document) -> Result<Vec<Finding>, Error> {
    version(document)?;
    let mut found = Found::all();
    references(document, &mut found);
    schema_types(document, &mut found);
    // openapiv3 models 3.0: a document read from 3.1 gets the same
    // warnings (`info` without `version`, a response without
    // `description`...), less what only the 3.0 model refuses.
    let beyond_the_model = if document.is_from_3_1() {
        model::only_3_0_refuses
    } else {
        model::nothing
    };
    if let Err(problems) = model::typed_except(document, beyond_the_model) {
        found.errors.extend(problems);
    }
    operations(document, Rules::OpenApi, &mut found);
    Ok(found
        .errors
        .into_iter()
        .filter_map(|error| Finding::of(error, document))
        .collect())
}

/// The problems found so far.
struct Found {
    errors: Vec<Error>,
    /// Stop looking after the first (regeneration) or list all (review).
    first_only: bool,
}

impl Found {
    fn first_only() -> Self {
        Self {
            errors: Vec::new(),
            first_only: true,
        }
    }

    fn all() -> Self {
        Self {
            errors: Vec::new(),
            first_only: false,
        }
    }

    /// Records a problem; whether to look for more.
    fn push(&mut self, error: Error) -> bool {
        self.errors.push(error);
        !self.first_only
    }

    fn done(&self) -> bool {
        self.first_only && !self.errors.is_empty()
    }

    /// The first problem, as regeneration's error.
    fn stop(&mut self) -> Result<(), Error> {
        match self.errors.is_empty() {
            true => Ok(()),
            false => Err(self.errors.remove(0)),
        }
    }
}

fn references(document: &Document, found: &mut Found) {
    for problem in document.reference_problems() {
        if !found.push(problem) {
            return;
        }
    }
}

/// What an operation's response carries, as progenitor classifies it: two
/// different kinds among the success (or error) responses make it panic.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum ResponseKind {
    Json(String),
    Other,
    Empty,
}

/// Whether the review tools can read `document` at all: a mapping that
/// says it is OpenAPI 3.x (3.0 as written; 3.1 and later 3.x, which they
/// normalise). What is not valid inside it is a warning ([`findings`]);
/// this is the one refusal, for whatever a reviewer or upstream hands over.
pub fn readable(document: &Document) -> Result<(), Error> {
    match Dialect::of(document.root()) {
        Dialect::V31 => Ok(()),
        Dialect::V30 => version(document),
    }
}

fn version(document: &Document) -> Result<(), Error> {
    let Some(root) = document.root().as_object() else {
        return Err(document.invalid(
            None,
            "",
            "the document is not a mapping",
            "an OpenAPI document is a mapping that starts with `openapi: 3.0.3`",
        ));
    };
    match root.get("openapi") {
        Some(Value::String(version))
            if version.trim() == "3.0" || version.trim().starts_with("3.0.") =>
        {
            Ok(())
        }
        // Read for review, a 3.1 document is labelled 3.0 (see
        // `Document::normalized`); one not normalised is refused here.
        Some(Value::String(version)) => Err(document.invalid(
            None,
            "/openapi",
            format!("OpenAPI {version} is not supported: the generator (progenitor) reads OpenAPI 3.0.x, and spec-diff and upstream 3.0.x and 3.1.x"),
            "write the spec as `openapi: 3.0.3` (in 3.1, `type: [T, \"null\"]` becomes `nullable: true`, and `examples` in schemas becomes `example`)",
        )),
        Some(other) => Err(document.invalid(
            None,
            "/openapi",
            format!("`openapi` must be a version string, found {other}"),
            "quote the version: `openapi: \"3.0.3\"`",
        )),
        None => Err(document.invalid(
            None,
            "",
            match root.get("swagger") {
                Some(_) => "this is a Swagger 2.0 document, not OpenAPI 3.0",
                None => "the `openapi` version field is missing",
            },
            "start the document with `openapi: 3.0.3`",
        )),
    }
}

/// The types a schema may have in OpenAPI 3.0.
const SCHEMA_TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "object"];

/// Every schema's `type` is one of OpenAPI 3.0's: typify stops on any other
/// value with a message that names neither the place nor the choices.
fn schema_types(document: &Document, found: &mut Found) {
    for (at, schema) in document.schemas() {
        if found.done() {
            return;
        }
        let Some(kind) = schema.get("type") else {
            continue;
        };
        let at = child(&at, "type");
        match kind {
            Value::String(name) if SCHEMA_TYPES.contains(&name.as_str()) => {}
            // 3.1's own type, kept by the normalisation.
            Value::String(name) if name == "null" && document.is_from_3_1() => {}
            Value::String(name) => {
                let guess = match name.to_ascii_lowercase().as_str() {
                    "datetime" | "date-time" | "date" | "time" | "timestamp" => {
                        " (a date or time is `type: string` with `format: date-time` or `format: date`)"
                    }
                    "int" | "int32" | "int64" | "long" => {
                        " (`type: integer`, with `format: int64` for its size)"
                    }
                    "float" | "double" => " (`type: number`, with `format: double` for its size)",
                    "bool" => " (`type: boolean`)",
                    "null" => " (in OpenAPI 3.0, `nullable: true` beside the real type)",
                    _ => "",
                };
                found.push(document.invalid(
                    None,
                    at,
                    format!("`{name}` is not a schema type"),
                    format!("use one of {}{guess}", SCHEMA_TYPES.join(", ")),
                ));
            }
            Value::Array(_) => {
                found.push(document.invalid(
                    None,
                    at,
                    format!("`type: {kind}` is a list; in OpenAPI 3.0 a schema has one type"),
                    "write one type, and `nullable: true` if the value may also be null",
                ));
            }
            other => {
                found.push(document.invalid(
                    None,
                    at,
                    format!("`type` must be a string, found {other}"),
                    format!("use one of {}", SCHEMA_TYPES.join(", ")),
                ));
            }
        }
    }
}

fn operations(document: &Document, rules: Rules, found: &mut Found) {
    if rules == Rules::Generator
        && let Some((path, _)) = document
            .object_at("/paths")
            .iter()
            .find(|(_, item)| item.get("$ref").is_some())
    {
        found.push(document.invalid(
            None,
            pointer(["paths", path.as_str()]),
            "a path item given by `$ref` is not supported by the generator",
            "write the path item inline",
        ));
        return;
    }
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for operation in document.operations() {
        if found.done() {
            return;
        }
        let here = &operation.pointer;
        let id = match operation.id() {
            Some(id) => id,
            // OpenAPI allows it; only the generator needs a name.
            None if rules == Rules::OpenApi => continue,
            None => {
                found.push(document.invalid(
                    None,
                    here.clone(),
                    format!(
                        "`{} {}` has no operationId",
                        operation.method.to_uppercase(),
                        operation.path
                    ),
                    "add a unique `operationId` in snake_case; it becomes the client method's name",
                ));
                continue;
            }
        };
        match seen.get(id) {
            Some(first) => {
                found.push(document.invalid(
                    Some(id),
                    child(here, "operationId"),
                    format!("duplicate operationId `{id}`, first used at {first}"),
                    "give every operation its own operationId",
                ));
            }
            None => {
                seen.insert(id, here.clone());
            }
        }
        let checks = path_parameters(document, &operation, id).and_then(|()| {
            if rules == Rules::Generator {
                request_body(document, &operation, id)?;
                responses(document, &operation, id)?;
            }
            Ok(())
        });
        if let Err(problem) = checks {
            found.push(problem);
        }
    }
}

fn path_parameters(
    document: &Document,
    operation: &document::Operation<'_>,
    id: &str,
) -> Result<(), Error> {
    let path = operation.path;
    let in_template: BTreeSet<&str> = path
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    let mut declared = BTreeSet::new();
    for parameter in operation.parameters() {
        if parameter.location != "path" {
            continue;
        }
        let name = parameter.name;
        if !parameter.required() {
            return Err(document.invalid(
                Some(id),
                parameter.pointer,
                format!("path parameter `{name}` is not marked required"),
                "path parameters must have `required: true`",
            ));
        }
        if !in_template.contains(name) {
            return Err(document.invalid(
                Some(id),
                parameter.pointer,
                format!("path parameter `{name}` does not appear in the path `{path}`"),
                format!("add `{{{name}}}` to the path, or remove the parameter"),
            ));
        }
        declared.insert(name);
    }
    if let Some(missing) = in_template.iter().find(|name| !declared.contains(**name)) {
        return Err(document.invalid(
            Some(id),
            operation.pointer.clone(),
            format!("the path `{path}` uses `{{{missing}}}` but no path parameter `{missing}` is declared"),
            format!("declare it: `- {{name: {missing}, in: path, required: true, schema: {{type: string}}}}`"),
        ));
    }
    Ok(())
}

/// A `$ref` in `section`'s place must name an item of
/// `#/components/{section}`: progenitor looks it up there.
fn component_reference(
    document: &Document,
    id: &str,
    value: &Value,
    section: &str,
    at: &str,
    what: &str,
) -> Result<(), Error> {
    let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
        return Ok(());
    };
    let prefix = format!("#/components/{section}/");
    match reference.strip_prefix(&prefix) {
        Some(name) if !name.contains('/') => Ok(()),
        _ => Err(document.invalid(
            Some(id),
            at.to_owned(),
            format!("`{reference}` is not {what} under `#/components/{section}`"),
            format!("refer to {what} defined under `components/{section}`"),
        )),
    }
}

fn request_body(
    document: &Document,
    operation: &document::Operation<'_>,
    id: &str,
) -> Result<(), Error> {
    let Some(raw) = operation.value.get("requestBody") else {
        return Ok(());
    };
    let at = child(&operation.pointer, "requestBody");
    component_reference(document, id, raw, "requestBodies", &at, "a request body")?;
    let content = object(document.resolved(raw).get("content"));
    let media_pointer = child(&at, "content");
    if content.len() > 1 {
        let types = content.keys().cloned().collect::<Vec<_>>().join("`, `");
        return Err(document.invalid(
            Some(id),
            media_pointer,
            format!(
                "the request body has {} media types (`{types}`); the generator supports one",
                content.len()
            ),
            "keep only `application/json`",
        ));
    }
    if let Some((media_type, media)) = content.iter().next()
        && media.get("schema").is_none()
    {
        return Err(document.invalid(
            Some(id),
            child(&media_pointer, media_type),
            "the request body has no schema",
            "add a `schema` to the media type",
        ));
    }
    Ok(())
}

fn responses(
    document: &Document,
    operation: &document::Operation<'_>,
    id: &str,
) -> Result<(), Error> {
    let mut success: BTreeMap<ResponseKind, Vec<&str>> = BTreeMap::new();
    let mut failure: BTreeMap<ResponseKind, Vec<&str>> = BTreeMap::new();
    let raw = object(operation.value.get("responses"));
    for response in operation.responses() {
        let Some(key) = response.key else {
            return Err(document.invalid(
                Some(id),
                response.pointer,
                format!("{} is not an HTTP status", response.label),
                "use a status from 100 to 599, a range such as `4XX`, or `default`",
            ));
        };
        if let Some(raw) = raw.get(response.label) {
            component_reference(
                document,
                id,
                raw,
                "responses",
                &response.pointer,
                "a response",
            )?;
        }
        let content = object(response.value.get("content"));
        let json = content
            .iter()
            .find(|(media_type, _)| document::is_json(media_type));
        let kind = match json {
            Some((media_type, media)) => {
                let content_pointer = child(&child(&response.pointer, "content"), media_type);
                let Some(schema) = media.get("schema") else {
                    return Err(document.invalid(
                        Some(id),
                        content_pointer,
                        "a JSON response has no schema",
                        "add a `schema` to the media type",
                    ));
                };
                if !object(media.get("encoding")).is_empty() {
                    return Err(document.invalid(
                        Some(id),
                        child(&content_pointer, "encoding"),
                        "`encoding` is not supported on JSON responses",
                        "remove `encoding`",
                    ));
                }
                ResponseKind::Json(schema.to_string())
            }
            None if content.is_empty() => ResponseKind::Empty,
            None => ResponseKind::Other,
        };
        if key.may_be_success() {
            success
                .entry(kind.clone())
                .or_default()
                .push(response.label);
        }
        if key.may_be_error() {
            failure.entry(kind).or_default().push(response.label);
        }
    }
    for (kinds, what) in [(&success, "success"), (&failure, "error")] {
        if kinds.len() > 1 {
            let labels: Vec<&str> = kinds.values().flatten().copied().collect();
            let problem = if labels.contains(&"default") {
                format!(
                    "a `default` response beside typed {what} responses gives {what} responses different bodies ({})",
                    labels.join(", ")
                )
            } else {
                format!(
                    "the {what} responses ({}) have different bodies; a client method returns one {what} type",
                    labels.join(", ")
                )
            };
            return Err(document.invalid(
                Some(id),
                child(&operation.pointer, "responses"),
                problem,
                format!("give every {what} response the same schema (one `$ref`), or drop the `default` response"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_json_body_spelt_in_another_case_is_generated_as_json() {
        let document = Document::new(
            "spec.yaml",
            json!({
                "openapi": "3.0.3",
                "info": {"title": "t", "version": "1"},
                "paths": {"/things": {"post": {
                    "operationId": "create_thing",
                    "requestBody": {"required": true, "content": {"APPLICATION/json": {
                        "schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "responses": {"200": {"description": "ok", "content": {
                        "Application/JSON; charset=utf-8": {
                            "schema": {"$ref": "#/components/schemas/Thing"}}}}},
                }}},
                "components": {"schemas": {"Thing": {
                    "type": "object", "properties": {"id": {"type": "string"}}}}},
            }),
        );
        let spec = generator_input(&document).unwrap();
        let openapiv3::ReferenceOr::Item(item) = &spec.paths.paths["/things"] else {
            panic!("a path item");
        };
        let operation = item.post.as_ref().unwrap();
        let Some(openapiv3::ReferenceOr::Item(body)) = &operation.request_body else {
            panic!("a request body");
        };
        assert_eq!(
            body.content.keys().collect::<Vec<_>>(),
            ["application/json"]
        );
        // Generated: the request is sent as JSON, the response decoded to
        // the type, not handed over as bytes.
        let source = crate::client_syntax(&document).unwrap();
        let source = quote::ToTokens::to_token_stream(&source).to_string();
        assert!(
            source.contains("ResponseValue < types :: Thing >"),
            "{source}"
        );
    }
}
