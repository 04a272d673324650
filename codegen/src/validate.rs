//! Stage 2: check that a parsed document is an OpenAPI 3.0 spec that
//! progenitor can turn into a client.
//!
//! progenitor asserts (and so panics) on several shapes instead of returning
//! an error. Each of those is checked here first, so that a maintainer gets an
//! error naming the operation and JSON pointer at fault and saying what to do.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use openapiv3::{OpenAPI, Operation, Parameter, ReferenceOr, StatusCode};
use serde_json::Value;

use crate::error::{Error, pointer, pointer_token};

/// Checks `document` and converts it to progenitor's input model.
pub fn validate(file: &Path, document: &Value) -> Result<OpenAPI, Error> {
    let spec = validate_openapi(file, document)?;
    Checker { file }.operations(&spec, Rules::Generator)?;
    Ok(spec)
}

/// Checks only that `document` is OpenAPI 3.0 with every `$ref` resolving,
/// not that progenitor can generate a client from it: enough to compare two
/// specs.
pub fn validate_openapi(file: &Path, document: &Value) -> Result<OpenAPI, Error> {
    let checker = Checker { file };
    checker.version(document)?;
    checker.references(document, &mut Vec::new(), document)?;
    let spec = checker.typed(document)?;
    checker.operations(&spec, Rules::OpenApi)?;
    Ok(spec)
}

/// Which rules an operation must follow: OpenAPI's own (unique
/// operationIds, declared path parameters), or also the generator's.
#[derive(Clone, Copy, PartialEq)]
enum Rules {
    OpenApi,
    Generator,
}

struct Checker<'a> {
    file: &'a Path,
}

/// What an operation's response carries, as progenitor classifies it: two
/// different kinds among the success (or error) responses make it panic.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum ResponseKind {
    Json(String),
    Other,
    Empty,
}

impl Checker<'_> {
    fn invalid(
        &self,
        operation: Option<&str>,
        pointer: String,
        problem: impl Into<String>,
        hint: impl Into<String>,
    ) -> Error {
        Error::Invalid {
            file: self.file.to_owned(),
            operation: operation.map(str::to_owned),
            pointer,
            problem: problem.into(),
            hint: hint.into(),
        }
    }

    fn version(&self, document: &Value) -> Result<(), Error> {
        let Some(root) = document.as_object() else {
            return Err(self.invalid(
                None,
                String::new(),
                "the document is not a mapping",
                "an OpenAPI document is a mapping that starts with `openapi: 3.0.3`",
            ));
        };
        match root.get("openapi") {
            Some(Value::String(version)) if version.trim().starts_with("3.0.") => Ok(()),
            Some(Value::String(version)) => Err(self.invalid(
                None,
                "/openapi".into(),
                format!("OpenAPI {version} is not supported; the generator (progenitor) reads OpenAPI 3.0.x only"),
                "write the spec as `openapi: 3.0.3` (in 3.1, `type: [T, \"null\"]` becomes `nullable: true`, and `examples` in schemas becomes `example`)",
            )),
            Some(other) => Err(self.invalid(
                None,
                "/openapi".into(),
                format!("`openapi` must be a version string, found {other}"),
                "quote the version: `openapi: \"3.0.3\"`",
            )),
            None => Err(self.invalid(
                None,
                String::new(),
                match root.get("swagger") {
                    Some(_) => "this is a Swagger 2.0 document, not OpenAPI 3.0",
                    None => "the `openapi` version field is missing",
                },
                "start the document with `openapi: 3.0.3`",
            )),
        }
    }

    /// Every `$ref` must be local and point at something.
    fn references(&self, node: &Value, path: &mut Vec<String>, root: &Value) -> Result<(), Error> {
        match node {
            Value::Object(map) => {
                if let Some(reference) = map.get("$ref") {
                    path.push("$ref".into());
                    let here = pointer(path.iter());
                    path.pop();
                    let Some(reference) = reference.as_str() else {
                        return Err(self.invalid(
                            None,
                            here,
                            "`$ref` must be a string",
                            "write the reference as `$ref: \"#/components/schemas/Name\"`",
                        ));
                    };
                    let Some(target) = reference.strip_prefix('#') else {
                        return Err(self.invalid(
                            None,
                            here,
                            format!("`{reference}` refers to another document; only references inside this file are supported"),
                            "copy the referenced definition under `components` and refer to it as `#/components/...`",
                        ));
                    };
                    if root.pointer(target).is_none() {
                        return Err(self.invalid(
                            None,
                            here,
                            format!("`$ref: {reference}` points to nothing"),
                            "define the referenced item, or correct the reference",
                        ));
                    }
                }
                for (key, value) in map {
                    path.push(key.clone());
                    self.references(value, path, root)?;
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    path.push(index.to_string());
                    self.references(item, path, root)?;
                    path.pop();
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn typed(&self, document: &Value) -> Result<OpenAPI, Error> {
        let (location, message) = match typed_at::<OpenAPI>(document, &[]) {
            Ok(spec) => return Ok(spec),
            // openapiv3 reads `paths` and `components` through maps that hide
            // where inside them it failed: look again, item by item.
            Err(whole) => narrow(document).unwrap_or(whole),
        };
        Err(self.invalid(
            None,
            pointer(&location),
            format!("not valid OpenAPI 3.0: {message}"),
            "compare this item with the OpenAPI 3.0.3 specification",
        ))
    }

    fn operations(&self, spec: &OpenAPI, rules: Rules) -> Result<(), Error> {
        let mut seen: BTreeMap<&str, String> = BTreeMap::new();
        for (path, item) in spec.paths.iter() {
            let item_pointer = pointer(["paths", path.as_str()]);
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { .. } => {
                    return Err(self.invalid(
                        None,
                        item_pointer,
                        "a path item given by `$ref` is not supported by the generator",
                        "write the path item inline",
                    ));
                }
            };
            for (method, operation) in item.iter() {
                let here = format!("{item_pointer}/{method}");
                let id = match operation.operation_id.as_deref() {
                    Some(id) if !id.trim().is_empty() => id,
                    // OpenAPI allows it; only the generator needs a name.
                    _ if rules == Rules::OpenApi => continue,
                    _ => {
                        return Err(self.invalid(
                            None,
                            here,
                            format!("`{} {path}` has no operationId", method.to_uppercase()),
                            "add a unique `operationId` in snake_case; it becomes the client method's name",
                        ));
                    }
                };
                if let Some(first) = seen.insert(id, here.clone()) {
                    return Err(self.invalid(
                        Some(id),
                        format!("{here}/operationId"),
                        format!("duplicate operationId `{id}`, first used at {first}"),
                        "give every operation its own operationId",
                    ));
                }
                let parameters = item.parameters.iter().chain(&operation.parameters);
                self.path_parameters(spec, path, id, &here, parameters)?;
                if rules == Rules::Generator {
                    self.request_body(spec, id, &here, operation)?;
                    self.responses(spec, id, &here, operation)?;
                }
            }
        }
        Ok(())
    }

    fn path_parameters<'s>(
        &self,
        spec: &'s OpenAPI,
        path: &str,
        id: &str,
        here: &str,
        parameters: impl Iterator<Item = &'s ReferenceOr<Parameter>>,
    ) -> Result<(), Error> {
        let in_template: BTreeSet<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        let mut declared = BTreeSet::new();
        for parameter in parameters {
            let Some(parameter) = resolve_parameter(spec, parameter) else {
                continue;
            };
            if let Parameter::Path { parameter_data, .. } = parameter {
                if !parameter_data.required {
                    return Err(self.invalid(
                        Some(id),
                        format!("{here}/parameters"),
                        format!(
                            "path parameter `{}` is not marked required",
                            parameter_data.name
                        ),
                        "path parameters must have `required: true`",
                    ));
                }
                if !in_template.contains(parameter_data.name.as_str()) {
                    return Err(self.invalid(
                        Some(id),
                        format!("{here}/parameters"),
                        format!(
                            "path parameter `{}` does not appear in the path `{path}`",
                            parameter_data.name
                        ),
                        format!(
                            "add `{{{}}}` to the path, or remove the parameter",
                            parameter_data.name
                        ),
                    ));
                }
                declared.insert(parameter_data.name.clone());
            }
        }
        if let Some(missing) = in_template.iter().find(|name| !declared.contains(**name)) {
            return Err(self.invalid(
                Some(id),
                here.to_owned(),
                format!("the path `{path}` uses `{{{missing}}}` but no path parameter `{missing}` is declared"),
                format!("declare it: `- {{name: {missing}, in: path, required: true, schema: {{type: string}}}}`"),
            ));
        }
        Ok(())
    }

    fn request_body(
        &self,
        spec: &OpenAPI,
        id: &str,
        here: &str,
        operation: &Operation,
    ) -> Result<(), Error> {
        let Some(body) = &operation.request_body else {
            return Ok(());
        };
        let body = match body {
            ReferenceOr::Item(body) => body,
            ReferenceOr::Reference { reference } => {
                match component(reference, "requestBodies").and_then(|name| {
                    spec.components
                        .as_ref()?
                        .request_bodies
                        .get(name)?
                        .as_item()
                }) {
                    Some(body) => body,
                    None => {
                        return Err(self.invalid(
                            Some(id),
                            format!("{here}/requestBody"),
                            format!("`{reference}` is not a request body under `#/components/requestBodies`"),
                            "refer to a request body defined under `components/requestBodies`",
                        ));
                    }
                }
            }
        };
        let media_pointer = format!("{here}/requestBody/content");
        if body.content.len() > 1 {
            let types = body
                .content
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join("`, `");
            return Err(self.invalid(
                Some(id),
                media_pointer,
                format!(
                    "the request body has {} media types (`{types}`); the generator supports one",
                    body.content.len()
                ),
                "keep only `application/json`",
            ));
        }
        if let Some((media_type, content)) = body.content.first()
            && content.schema.is_none()
        {
            return Err(self.invalid(
                Some(id),
                format!("{media_pointer}/{}", pointer_token(media_type)),
                "the request body has no schema",
                "add a `schema` to the media type",
            ));
        }
        Ok(())
    }

    fn responses(
        &self,
        spec: &OpenAPI,
        id: &str,
        here: &str,
        operation: &Operation,
    ) -> Result<(), Error> {
        let mut success: BTreeMap<ResponseKind, Vec<String>> = BTreeMap::new();
        let mut failure: BTreeMap<ResponseKind, Vec<String>> = BTreeMap::new();
        let statuses = operation
            .responses
            .default
            .iter()
            .map(|response| ("default".to_owned(), None, response))
            .chain(
                operation
                    .responses
                    .responses
                    .iter()
                    .map(|(status, response)| (status.to_string(), Some(status), response)),
            );
        for (label, status, response) in statuses {
            let response_pointer = format!("{here}/responses/{label}");
            if let Some(StatusCode::Code(code)) = status
                && !(100..=599).contains(code)
            {
                return Err(self.invalid(
                    Some(id),
                    response_pointer,
                    format!("{code} is not an HTTP status"),
                    "use a status from 100 to 599, a range such as `4XX`, or `default`",
                ));
            }
            let response = match response {
                ReferenceOr::Item(response) => response,
                ReferenceOr::Reference { reference } => match component(reference, "responses")
                    .and_then(|name| spec.components.as_ref()?.responses.get(name)?.as_item())
                {
                    Some(response) => response,
                    None => {
                        return Err(self.invalid(
                            Some(id),
                            response_pointer,
                            format!(
                                "`{reference}` is not a response under `#/components/responses`"
                            ),
                            "refer to a response defined under `components/responses`",
                        ));
                    }
                },
            };
            let json = response.content.iter().find(|(media_type, _)| {
                media_type.as_str() == "application/json"
                    || media_type.starts_with("application/json;")
            });
            let kind = match json {
                Some((media_type, content)) => {
                    let content_pointer =
                        format!("{response_pointer}/content/{}", pointer_token(media_type));
                    let Some(schema) = &content.schema else {
                        return Err(self.invalid(
                            Some(id),
                            content_pointer,
                            "a JSON response has no schema",
                            "add a `schema` to the media type",
                        ));
                    };
                    if !content.encoding.is_empty() {
                        return Err(self.invalid(
                            Some(id),
                            format!("{content_pointer}/encoding"),
                            "`encoding` is not supported on JSON responses",
                            "remove `encoding`",
                        ));
                    }
                    ResponseKind::Json(serde_json::to_string(schema).unwrap_or_default())
                }
                None if response.content.is_empty() => ResponseKind::Empty,
                None => ResponseKind::Other,
            };
            let is_default = status.is_none();
            let is_success = is_default
                || matches!(
                    status,
                    Some(StatusCode::Code(101 | 200..=299) | StatusCode::Range(2))
                );
            let is_failure = is_default
                || matches!(
                    status,
                    Some(StatusCode::Code(400..=599) | StatusCode::Range(4..=5))
                );
            if is_success {
                success.entry(kind.clone()).or_default().push(label.clone());
            }
            if is_failure {
                failure.entry(kind).or_default().push(label);
            }
        }
        for (kinds, what) in [(&success, "success"), (&failure, "error")] {
            if kinds.len() > 1 {
                let labels: Vec<String> = kinds.values().flatten().cloned().collect();
                let problem = if labels.iter().any(|label| label == "default") {
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
                return Err(self.invalid(
                    Some(id),
                    format!("{here}/responses"),
                    problem,
                    format!("give every {what} response the same schema (one `$ref`), or drop the `default` response"),
                ));
            }
        }
        Ok(())
    }
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

/// The first operation or component that does not deserialize on its own.
fn narrow(document: &Value) -> Option<(Vec<String>, String)> {
    fn first_failure<T: serde::de::DeserializeOwned>(
        map: Option<&serde_json::Map<String, Value>>,
        base: &[&str],
    ) -> Option<(Vec<String>, String)> {
        map?.iter().find_map(|(name, value)| {
            let mut here: Vec<String> = base.iter().map(|s| (*s).to_owned()).collect();
            here.push(name.clone());
            typed_at::<T>(value, &here).err()
        })
    }
    let paths = document.get("paths").and_then(Value::as_object);
    let operations = paths.into_iter().flatten().find_map(|(path, item)| {
        let methods = item.as_object()?.iter().filter(|(key, _)| {
            matches!(
                key.as_str(),
                "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
            )
        });
        methods.into_iter().find_map(|(method, operation)| {
            typed_at::<Operation>(operation, &["paths".into(), path.clone(), method.clone()]).err()
        })
    });
    let components = document.get("components");
    let section = |name: &str| {
        components
            .and_then(|c| c.get(name))
            .and_then(Value::as_object)
    };
    operations
        .or_else(|| first_failure::<ReferenceOr<openapiv3::PathItem>>(paths, &["paths"]))
        .or_else(|| {
            first_failure::<ReferenceOr<openapiv3::Schema>>(
                section("schemas"),
                &["components", "schemas"],
            )
        })
        .or_else(|| {
            first_failure::<ReferenceOr<openapiv3::Response>>(
                section("responses"),
                &["components", "responses"],
            )
        })
        .or_else(|| {
            first_failure::<ReferenceOr<Parameter>>(
                section("parameters"),
                &["components", "parameters"],
            )
        })
        .or_else(|| {
            first_failure::<ReferenceOr<openapiv3::RequestBody>>(
                section("requestBodies"),
                &["components", "requestBodies"],
            )
        })
}

fn resolve_parameter<'s>(
    spec: &'s OpenAPI,
    parameter: &'s ReferenceOr<Parameter>,
) -> Option<&'s Parameter> {
    match parameter {
        ReferenceOr::Item(parameter) => Some(parameter),
        ReferenceOr::Reference { reference } => component(reference, "parameters")
            .and_then(|name| spec.components.as_ref()?.parameters.get(name)?.as_item()),
    }
}

/// The name in `#/components/{section}/{name}`.
fn component<'r>(reference: &'r str, section: &str) -> Option<&'r str> {
    reference
        .strip_prefix("#/components/")?
        .strip_prefix(section)?
        .strip_prefix('/')
}
