//! What changed on the wire between two specs: each change with where it
//! is, its kind (whose severity [`ChangeKind::severity`] decides) and the
//! operation it belongs to.
//!
//! Specs are compared after resolving `$ref`s, so key order and indirection
//! never show up as changes.

mod schema;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::kind::{ChangeKind, Direction, Severity};
use crate::document::{Document, Operation, Parameter, ResponseKey, child, object};

/// One change between the specs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpChange {
    /// How much it matters.
    pub severity: Severity,
    /// What kind of change.
    pub kind: ChangeKind,
    /// The operation, as `METHOD /path (operationId)`, or `(document)`.
    pub operation: String,
    /// A JSON pointer into the spec (through resolved `$ref`s).
    pub pointer: String,
    /// The change in words.
    pub message: String,
}

/// Compares two checked documents (see [`crate::Rules::OpenApi`]).
pub fn compare(old: &Document, new: &Document) -> Vec<HttpChange> {
    let mut differ = Differ {
        old,
        new,
        changes: Vec::new(),
        operation: DOCUMENT.into(),
    };
    let (old_root, new_root) = (old.root(), new.root());
    for field in ["/info/title", "/info/description"] {
        differ.documentation(old_root.pointer(field), new_root.pointer(field), field);
    }
    if old_root.get("servers") != new_root.get("servers") {
        differ.push(
            ChangeKind::ServersChanged,
            None,
            "/servers",
            format!(
                "servers changed from {} to {}",
                show(old_root.get("servers")),
                show(new_root.get("servers"))
            ),
        );
    }
    differ.security(
        old_root.get("security"),
        new_root.get("security"),
        "/security",
    );
    differ.security_schemes();
    differ.operations();
    differ.changes.sort_by(|a, b| {
        (a.operation.as_str(), a.severity, a.pointer.as_str()).cmp(&(
            b.operation.as_str(),
            b.severity,
            b.pointer.as_str(),
        ))
    });
    differ.changes
}

/// How reports name a change outside every operation.
const DOCUMENT: &str = "(document)";

struct Differ<'a> {
    old: &'a Document,
    new: &'a Document,
    changes: Vec<HttpChange>,
    operation: String,
}

impl<'a> Differ<'a> {
    fn push(
        &mut self,
        kind: ChangeKind,
        direction: Option<Direction>,
        pointer: &str,
        message: String,
    ) {
        self.changes.push(HttpChange {
            severity: kind.severity(direction),
            kind,
            operation: self.operation.clone(),
            pointer: pointer.to_owned(),
            message,
        });
    }

    fn operations(&mut self) {
        let by_place = |document: &'a Document| -> BTreeMap<(String, &'static str), Operation<'a>> {
            document
                .operations()
                .into_iter()
                .map(|operation| ((operation.path.to_owned(), operation.method), operation))
                .collect()
        };
        let (old, new) = (by_place(self.old), by_place(self.new));
        let places: BTreeSet<&(String, &str)> = old.keys().chain(new.keys()).collect();
        for place in places {
            let (old_op, new_op) = (old.get(place), new.get(place));
            let Some(either) = new_op.or(old_op) else {
                continue;
            };
            self.operation = either.label();
            let here = either.pointer.clone();
            match (old_op, new_op) {
                (Some(_), None) => self.push(
                    ChangeKind::OperationRemoved,
                    None,
                    &here,
                    "the operation was removed".into(),
                ),
                (None, Some(_)) => self.push(
                    ChangeKind::OperationAdded,
                    None,
                    &here,
                    "a new operation".into(),
                ),
                (Some(old_op), Some(new_op)) => self.operation_changes(old_op, new_op, &here),
                (None, None) => {}
            }
        }
        self.operation = DOCUMENT.into();
    }

    fn operation_changes(&mut self, old: &Operation<'a>, new: &Operation<'a>, here: &str) {
        for field in ["summary", "description"] {
            self.documentation(
                old.value.get(field),
                new.value.get(field),
                &child(here, field),
            );
        }
        if old.value.get("operationId") != new.value.get("operationId") {
            self.push(
                ChangeKind::OperationIdChanged,
                None,
                &child(here, "operationId"),
                format!(
                    "operationId {} became {} (the Rust method is renamed)",
                    show(old.value.get("operationId")),
                    show(new.value.get("operationId"))
                ),
            );
        }
        self.security(
            old.value.get("security"),
            new.value.get("security"),
            &child(here, "security"),
        );
        self.parameters(&old.parameters(), &new.parameters());
        self.request_body(
            old.request_body(),
            new.request_body(),
            &child(here, "requestBody"),
        );
        self.responses(old, new, &child(here, "responses"));
    }

    fn parameters(&mut self, old: &[Parameter<'a>], new: &[Parameter<'a>]) {
        fn key<'p>(parameter: &Parameter<'p>) -> (&'p str, &'p str) {
            (parameter.name, parameter.location)
        }
        for param in old {
            let subject = format!("{} parameter `{}`", param.location, param.name);
            let Some(now) = new.iter().find(|candidate| key(candidate) == key(param)) else {
                self.push(
                    ChangeKind::ParameterRemoved,
                    None,
                    &param.pointer,
                    format!("{subject} was removed"),
                );
                continue;
            };
            match (param.required(), now.required()) {
                (false, true) => self.push(
                    ChangeKind::ParameterBecameRequired,
                    None,
                    &now.pointer,
                    format!("{subject} became required"),
                ),
                (true, false) => self.push(
                    ChangeKind::ParameterBecameOptional,
                    None,
                    &now.pointer,
                    format!("{subject} became optional"),
                ),
                _ => {}
            }
            for field in ["description", "example"] {
                self.documentation(
                    param.value.get(field),
                    now.value.get(field),
                    &child(&now.pointer, field),
                );
            }
            if let (Some(old_schema), Some(new_schema)) =
                (param.value.get("schema"), now.value.get("schema"))
            {
                self.schema(
                    old_schema,
                    new_schema,
                    &child(&now.pointer, "schema"),
                    Direction::Request,
                    &subject,
                    &mut BTreeSet::new(),
                );
            }
        }
        for param in new {
            if !old.iter().any(|candidate| key(candidate) == key(param)) {
                let (kind, what) = if param.required() {
                    (ChangeKind::ParameterAddedRequired, "a new required")
                } else {
                    (ChangeKind::ParameterAddedOptional, "a new optional")
                };
                self.push(
                    kind,
                    None,
                    &param.pointer,
                    format!("{what} {} parameter `{}`", param.location, param.name),
                );
            }
        }
    }

    fn request_body(&mut self, old: Option<&'a Value>, new: Option<&'a Value>, here: &str) {
        let required = |body: &Value| {
            body.get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        match (old, new) {
            (None, None) => {}
            (Some(_), None) => self.push(
                ChangeKind::RequestBodyRemoved,
                None,
                here,
                "the request body was removed".into(),
            ),
            (None, Some(new)) => {
                let kind = if required(new) {
                    ChangeKind::RequestBodyAddedRequired
                } else {
                    ChangeKind::RequestBodyAddedOptional
                };
                self.push(kind, None, here, "a request body was added".into());
            }
            (Some(old), Some(new)) => {
                if !required(old) && required(new) {
                    self.push(
                        ChangeKind::RequestBodyBecameRequired,
                        None,
                        &child(here, "required"),
                        "the request body became required".into(),
                    );
                }
                self.documentation(
                    old.get("description"),
                    new.get("description"),
                    &child(here, "description"),
                );
                self.content(
                    old.get("content"),
                    new.get("content"),
                    &child(here, "content"),
                    Direction::Request,
                    "the request body",
                );
            }
        }
    }

    fn responses(&mut self, old: &Operation<'a>, new: &Operation<'a>, here: &str) {
        let (old, new) = (old.responses(), new.responses());
        let labels: BTreeSet<&str> = old.iter().chain(&new).map(|r| r.label).collect();
        for label in labels {
            let at = child(here, label);
            let find = |responses: &[crate::document::Response<'a>]| {
                responses.iter().find(|r| r.label == label).cloned()
            };
            match (find(&old), find(&new)) {
                (None, None) => {}
                (Some(removed), None) => {
                    let kind = if removed.key.is_some_and(ResponseKey::may_be_success) {
                        ChangeKind::SuccessStatusRemoved
                    } else {
                        ChangeKind::ErrorStatusRemoved
                    };
                    self.push(kind, None, &at, format!("response {label} was removed"));
                }
                (None, Some(_)) => self.push(
                    ChangeKind::ResponseStatusAdded,
                    None,
                    &at,
                    format!("a new response {label}"),
                ),
                (Some(old_response), Some(new_response)) => {
                    self.documentation(
                        old_response.value.get("description"),
                        new_response.value.get("description"),
                        &child(&at, "description"),
                    );
                    self.content(
                        old_response.value.get("content"),
                        new_response.value.get("content"),
                        &child(&at, "content"),
                        Direction::Response,
                        &format!("the {label} response"),
                    );
                }
            }
        }
    }

    fn content(
        &mut self,
        old: Option<&'a Value>,
        new: Option<&'a Value>,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        let (old, new) = (object(old), object(new));
        for (media_type, old_media) in old {
            let at = child(here, media_type);
            let Some(new_media) = new.get(media_type) else {
                self.push(
                    ChangeKind::MediaTypeRemoved,
                    Some(direction),
                    &at,
                    format!("{subject} no longer offers `{media_type}`"),
                );
                continue;
            };
            self.documentation(
                old_media.get("example"),
                new_media.get("example"),
                &child(&at, "example"),
            );
            if let (Some(old_schema), Some(new_schema)) =
                (old_media.get("schema"), new_media.get("schema"))
            {
                self.schema(
                    old_schema,
                    new_schema,
                    &child(&at, "schema"),
                    direction,
                    subject,
                    &mut BTreeSet::new(),
                );
            }
        }
        for media_type in new
            .keys()
            .filter(|media_type| !old.contains_key(*media_type))
        {
            self.push(
                ChangeKind::MediaTypeAdded,
                Some(direction),
                &child(here, media_type),
                format!("{subject} also offers `{media_type}`"),
            );
        }
    }

    fn security(&mut self, old: Option<&Value>, new: Option<&Value>, here: &str) {
        if old != new {
            self.push(
                ChangeKind::SecurityRequirementChanged,
                None,
                here,
                format!(
                    "the security requirement changed from {} to {}",
                    show(old),
                    show(new)
                ),
            );
        }
    }

    fn security_schemes(&mut self) {
        let section = "/components/securitySchemes";
        let (old_schemes, new_schemes) = (self.old.object_at(section), self.new.object_at(section));
        let names: BTreeSet<&String> = old_schemes.keys().chain(new_schemes.keys()).collect();
        for name in names {
            let here = child(section, name);
            let without_docs = |scheme: Option<&Value>| {
                scheme.map(|scheme| {
                    let mut scheme = scheme.clone();
                    if let Some(map) = scheme.as_object_mut() {
                        map.remove("description");
                    }
                    scheme
                })
            };
            let (before, after) = (old_schemes.get(name), new_schemes.get(name));
            match (before, after) {
                (Some(_), None) => self.push(
                    ChangeKind::SecuritySchemeRemoved,
                    None,
                    &here,
                    format!("security scheme `{name}` was removed"),
                ),
                (None, Some(_)) => self.push(
                    ChangeKind::SecuritySchemeAdded,
                    None,
                    &here,
                    format!("a new security scheme `{name}`"),
                ),
                _ if without_docs(before) != without_docs(after) => self.push(
                    ChangeKind::SecuritySchemeChanged,
                    None,
                    &here,
                    format!(
                        "security scheme `{name}` changed from {} to {}",
                        show(before),
                        show(after)
                    ),
                ),
                _ => self.documentation(
                    before.and_then(|s| s.get("description")),
                    after.and_then(|s| s.get("description")),
                    &child(&here, "description"),
                ),
            }
        }
    }

    fn documentation(&mut self, old: Option<&Value>, new: Option<&Value>, here: &str) {
        if old != new {
            let field = here.rsplit('/').next().unwrap_or_default();
            let kind = if field == "example" {
                ChangeKind::ExampleChanged
            } else {
                ChangeKind::DocumentationChanged
            };
            self.push(
                kind,
                None,
                here,
                format!("{field} changed from {} to {}", shorten(old), shorten(new)),
            );
        }
    }
}

fn show(value: Option<&Value>) -> String {
    value.map_or_else(|| "(none)".to_owned(), Value::to_string)
}

fn shorten(value: Option<&Value>) -> String {
    let text = show(value);
    if text.chars().count() > 80 {
        format!("{}...", text.chars().take(77).collect::<String>())
    } else {
        text
    }
}
