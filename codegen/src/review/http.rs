//! What changed on the wire between two specs: each change with where it
//! is, its kind (whose severity [`ChangeKind::severity`] decides) and the
//! operation it belongs to.
//!
//! Specs are compared after resolving `$ref`s, so key order and indirection
//! never show up as changes.

mod bodies;
mod lifecycle;
mod parameters;
mod schema;
mod security;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::kind::{ChangeKind, Direction, Severity};
use crate::document::{Document, Operation, child};

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
        calls_client: false,
        text_values: false,
        compared: schema::Compared::new(),
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
    if document_security_applies(old, new) {
        differ.security(
            old_root.get("security"),
            new_root.get("security"),
            "/security",
        );
    }
    differ.security_schemes();
    differ.operations(old.operations(), new.operations(), Place::Path);
    differ.operations(old.webhooks(), new.webhooks(), Place::Webhook);
    differ.changes.sort_by(|a, b| {
        (a.operation.as_str(), a.severity, a.pointer.as_str()).cmp(&(
            b.operation.as_str(),
            b.severity,
            b.pointer.as_str(),
        ))
    });
    differ.changes
}

/// Whether the document's `security` reaches a request both before and
/// after: some operation in both documents has none of its own. An
/// operation with its own is compared on its own (see
/// `Differ::operation_changes`), so when every operation declares one, a
/// change of the document's changes no request.
fn document_security_applies(old: &Document, new: &Document) -> bool {
    let inheriting = |document: &Document| -> BTreeSet<(String, &'static str)> {
        document
            .operations()
            .into_iter()
            .filter(Operation::inherits_security)
            .map(|operation| (template(operation.path), operation.method))
            .collect()
    };
    !inheriting(old).is_disjoint(&inheriting(new))
}

/// The fields of a security scheme that only document it.
const SCHEME_DOCUMENTATION: [&str; 2] = ["description", "bearerFormat"];

/// How reports name a change outside every operation.
const DOCUMENT: &str = "(document)";

struct Differ<'a> {
    old: &'a Document,
    new: &'a Document,
    changes: Vec<HttpChange>,
    operation: String,
    /// Inside a webhook or callback: the API sends the request and the
    /// client answers, so requests and responses swap sides.
    calls_client: bool,
    /// Comparing a parameter's schema: its values travel as text, where
    /// `5` is as good a string as `abc`.
    text_values: bool,
    /// The schemas already compared (see [`schema::Compared`]).
    compared: schema::Compared,
}

/// Where a set of operations sits: what their additions and removals are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Path,
    Webhook,
    Callback,
}

/// A path template with its parameter names left out (`/pets/{}`): two
/// operations on the same template and method are the same operation, even
/// if a path parameter was renamed.
fn template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_name = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_name = true;
                out.push('{');
            }
            '}' => {
                in_name = false;
                out.push('}');
            }
            _ if in_name => {}
            _ => out.push(c),
        }
    }
    out
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

    /// The side of the wire a request body (`Direction::Request`) or
    /// response (`Direction::Response`) is on for clients.
    fn side(&self, direction: Direction) -> Direction {
        if self.calls_client {
            direction.flipped()
        } else {
            direction
        }
    }

    fn operations(&mut self, old: Vec<Operation<'a>>, new: Vec<Operation<'a>>, place: Place) {
        // A callback's key is a runtime expression (`{$request.body#/url}`)
        // naming where the API calls: all of it counts, so a changed
        // expression is a callback removed and another added.
        let by_place =
            |operations: Vec<Operation<'a>>| -> BTreeMap<(String, &'static str), Operation<'a>> {
                operations
                    .into_iter()
                    .map(|operation| {
                        let place_key = match place {
                            Place::Callback => operation.path.to_owned(),
                            Place::Path | Place::Webhook => template(operation.path),
                        };
                        ((place_key, operation.method), operation)
                    })
                    .collect()
            };
        let outer = self.operation.clone();
        let (old, new) = (by_place(old), by_place(new));
        let places: BTreeSet<&(String, &str)> = old.keys().chain(new.keys()).collect();
        for key in places {
            let (old_op, new_op) = (old.get(key), new.get(key));
            let Some(either) = new_op.or(old_op) else {
                continue;
            };
            self.operation = match place {
                Place::Path => either.label(),
                Place::Webhook => format!("webhook {}", either.label()),
                Place::Callback => format!("{outer}, callback {}", either.label()),
            };
            let here = either.pointer.clone();
            let (removed, added, what) = match place {
                Place::Path => (
                    ChangeKind::OperationRemoved,
                    ChangeKind::OperationAdded,
                    "operation",
                ),
                Place::Webhook => (
                    ChangeKind::WebhookRemoved,
                    ChangeKind::WebhookAdded,
                    "webhook",
                ),
                Place::Callback => (
                    ChangeKind::CallbackRemoved,
                    ChangeKind::CallbackAdded,
                    "callback",
                ),
            };
            match (old_op, new_op) {
                (Some(old_op), None) => {
                    let sunset = old_op.value.get("x-sunset").and_then(Value::as_str);
                    let note = sunset.map_or_else(String::new, |date| {
                        format!(" (its sunset was {date}; removing it is still a breaking change)")
                    });
                    self.push(
                        removed,
                        None,
                        &here,
                        format!("the {what} was removed{note}"),
                    );
                }
                (None, Some(_)) => self.push(added, None, &here, format!("a new {what}")),
                (Some(old_op), Some(new_op)) => {
                    let calls_client = self.calls_client;
                    self.calls_client = place != Place::Path;
                    self.operation_changes(old_op, new_op, &here);
                    self.calls_client = calls_client;
                }
                (None, None) => {}
            }
        }
        self.operation = outer;
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
        self.lifecycle(old.value, new.value, here, "the operation");
        // An operation without `security` has the document's; when neither
        // side has its own, the document's comparison says it all.
        let (old_security, new_security) = (old.value.get("security"), new.value.get("security"));
        if !old.inherits_security() || !new.inherits_security() {
            self.security(
                old_security.or(self.old.root().get("security")),
                new_security.or(self.new.root().get("security")),
                &child(here, "security"),
            );
        }
        self.parameters(old, new);
        self.request_body(
            old.request_body(),
            new.request_body(),
            &child(here, "requestBody"),
        );
        self.responses(old, new, &child(here, "responses"));
        let (old_callbacks, new_callbacks) = (old.callbacks(), new.callbacks());
        let names: BTreeSet<&str> = old_callbacks
            .iter()
            .chain(&new_callbacks)
            .map(|(name, _)| *name)
            .collect();
        let find = |callbacks: &[(&str, Vec<Operation<'a>>)], name: &str| {
            callbacks
                .iter()
                .find(|(candidate, _)| *candidate == name)
                .map(|(_, operations)| operations.clone())
                .unwrap_or_default()
        };
        for name in names {
            self.operations(
                find(&old_callbacks, name),
                find(&new_callbacks, name),
                Place::Callback,
            );
        }
    }

    fn security_schemes(&mut self) {
        let section = "/components/securitySchemes";
        let (old_schemes, new_schemes) = (self.old.object_at(section), self.new.object_at(section));
        let names: BTreeSet<&String> = old_schemes.keys().chain(new_schemes.keys()).collect();
        for name in names {
            let here = child(section, name);
            // What a client must do to authenticate: not the descriptions,
            // not `bearerFormat` (a hint, for documentation), not the case
            // of an HTTP `scheme` (case-insensitive, RFC 9110 section 11.1),
            // and not the scopes a flow offers (the requirements say which
            // are needed, and are compared on their own).
            let without_docs = |scheme: Option<&Value>| {
                scheme.map(|scheme| {
                    let mut scheme = scheme.clone();
                    if let Some(map) = scheme.as_object_mut() {
                        for field in SCHEME_DOCUMENTATION {
                            map.remove(field);
                        }
                        if let Some(Value::String(http)) = map.get_mut("scheme") {
                            *http = http.to_ascii_lowercase();
                        }
                        let flows = map.get_mut("flows").and_then(Value::as_object_mut);
                        for flow in flows.into_iter().flat_map(|flows| flows.values_mut()) {
                            if let Some(flow) = flow.as_object_mut() {
                                flow.remove("scopes");
                            }
                        }
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
                _ => {
                    for field in SCHEME_DOCUMENTATION {
                        self.documentation(
                            before.and_then(|s| s.get(field)),
                            after.and_then(|s| s.get(field)),
                            &child(&here, field),
                        );
                    }
                }
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
