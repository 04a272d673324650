//! What changed between two specs, for a reviewer: each change with where it
//! is, what kind it is and whether it breaks existing clients.
//!
//! The rule of the field: requests may not narrow, responses may not widen.
//! Specs are compared after resolving `$ref`s, so key order and indirection
//! never show up as changes.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::LazyLock;

use crate::error::pointer_token;

/// How much a change matters to existing clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Existing clients may fail.
    Breaking,
    /// Existing clients keep working.
    NonBreaking,
    /// Worth a reviewer's look; nothing changes for clients.
    Info,
}

/// One change between the specs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// How much it matters.
    pub severity: Severity,
    /// What kind of change, e.g. `request-property-became-required`.
    pub kind: &'static str,
    /// The operation, as `METHOD /path (operationId)`, or `(document)`.
    pub operation: String,
    /// A JSON pointer into the spec (through resolved `$ref`s).
    pub pointer: String,
    /// The change in words.
    pub message: String,
}

/// Compares two parsed specs.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut differ = Differ {
        old_root: old,
        new_root: new,
        changes: Vec::new(),
        operation: "(document)".into(),
    };
    for field in ["title", "description"] {
        differ.documentation(
            old.pointer(&format!("/info/{field}")),
            new.pointer(&format!("/info/{field}")),
            &format!("/info/{field}"),
        );
    }
    if old.get("servers") != new.get("servers") {
        differ.push(
            Severity::Info,
            "servers-changed",
            "/servers",
            format!(
                "servers changed from {} to {}",
                show(old.get("servers")),
                show(new.get("servers"))
            ),
        );
    }
    differ.security(old.get("security"), new.get("security"), "/security");
    differ.security_schemes(old, new);
    differ.paths();
    differ.changes.sort_by(|a, b| {
        (a.operation.as_str(), a.severity, a.pointer.as_str()).cmp(&(
            b.operation.as_str(),
            b.severity,
            b.pointer.as_str(),
        ))
    });
    differ.changes
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const DOC_FIELDS: [&str; 4] = ["description", "summary", "example", "title"];

/// Which side of the wire a schema describes: what may change safely is
/// opposite for the two.
#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Request,
    Response,
}

struct Differ<'a> {
    old_root: &'a Value,
    new_root: &'a Value,
    changes: Vec<Change>,
    operation: String,
}

impl<'a> Differ<'a> {
    fn push(&mut self, severity: Severity, kind: &'static str, pointer: &str, message: String) {
        self.changes.push(Change {
            severity,
            kind,
            operation: self.operation.clone(),
            pointer: pointer.to_owned(),
            message,
        });
    }

    fn resolve_old(&self, value: &'a Value) -> &'a Value {
        resolve(self.old_root, value)
    }

    fn resolve_new(&self, value: &'a Value) -> &'a Value {
        resolve(self.new_root, value)
    }

    fn paths(&mut self) {
        let old_paths = object(self.old_root.get("paths"));
        let new_paths = object(self.new_root.get("paths"));
        let all: BTreeSet<&String> = old_paths.keys().chain(new_paths.keys()).collect();
        for path in all {
            let old_item = old_paths.get(path).map(|item| self.resolve_old(item));
            let new_item = new_paths.get(path).map(|item| self.resolve_new(item));
            for method in METHODS {
                let old_op = old_item.and_then(|item| item.get(method));
                let new_op = new_item.and_then(|item| item.get(method));
                let here = format!("/paths/{}/{method}", pointer_token(path));
                let id = new_op
                    .or(old_op)
                    .and_then(|op| op.get("operationId"))
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                self.operation = format!("{} {path} ({id})", method.to_uppercase());
                match (old_op, new_op) {
                    (None, None) => {}
                    (Some(_), None) => self.push(
                        Severity::Breaking,
                        "operation-removed",
                        &here,
                        "the operation was removed".into(),
                    ),
                    (None, Some(_)) => self.push(
                        Severity::NonBreaking,
                        "operation-added",
                        &here,
                        "a new operation".into(),
                    ),
                    (Some(old_op), Some(new_op)) => {
                        let old_params = parameters(self.old_root, old_item, old_op, path, method);
                        let new_params = parameters(self.new_root, new_item, new_op, path, method);
                        self.operation_changes(old_op, new_op, &old_params, &new_params, &here);
                    }
                }
            }
        }
        self.operation = "(document)".into();
    }

    fn operation_changes(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        old_params: &[Param<'a>],
        new_params: &[Param<'a>],
        here: &str,
    ) {
        for field in ["summary", "description"] {
            self.documentation(old.get(field), new.get(field), &format!("{here}/{field}"));
        }
        if old.get("operationId") != new.get("operationId") {
            self.push(
                Severity::Info,
                "operation-id-changed",
                &format!("{here}/operationId"),
                format!(
                    "operationId {} became {} (the Rust method is renamed)",
                    show(old.get("operationId")),
                    show(new.get("operationId"))
                ),
            );
        }
        self.security(
            old.get("security"),
            new.get("security"),
            &format!("{here}/security"),
        );
        self.parameters(old_params, new_params);
        self.request_body(
            old.get("requestBody"),
            new.get("requestBody"),
            &format!("{here}/requestBody"),
        );
        self.responses(
            old.get("responses"),
            new.get("responses"),
            &format!("{here}/responses"),
        );
    }

    fn parameters(&mut self, old: &[Param<'a>], new: &[Param<'a>]) {
        for param in old {
            match new.iter().find(|candidate| candidate.key() == param.key()) {
                None => self.push(
                    Severity::Breaking,
                    "parameter-removed",
                    &param.pointer,
                    format!("{} parameter `{}` was removed", param.location, param.name),
                ),
                Some(now) => {
                    let (was_required, is_required) = (param.required(), now.required());
                    if !was_required && is_required {
                        self.push(
                            Severity::Breaking,
                            "parameter-became-required",
                            &now.pointer,
                            format!("{} parameter `{}` became required", now.location, now.name),
                        );
                    } else if was_required && !is_required {
                        self.push(
                            Severity::NonBreaking,
                            "parameter-became-optional",
                            &now.pointer,
                            format!("{} parameter `{}` became optional", now.location, now.name),
                        );
                    }
                    self.documentation(
                        param.value.get("description"),
                        now.value.get("description"),
                        &format!("{}/description", now.pointer),
                    );
                    self.documentation(
                        param.value.get("example"),
                        now.value.get("example"),
                        &format!("{}/example", now.pointer),
                    );
                    let (old_schema, new_schema) =
                        (param.value.get("schema"), now.value.get("schema"));
                    if let (Some(old_schema), Some(new_schema)) = (old_schema, new_schema) {
                        let subject = format!("{} parameter `{}`", now.location, now.name);
                        self.schema(
                            old_schema,
                            new_schema,
                            &format!("{}/schema", now.pointer),
                            Direction::Request,
                            &subject,
                            &mut BTreeSet::new(),
                        );
                    }
                }
            }
        }
        for param in new {
            if !old.iter().any(|candidate| candidate.key() == param.key()) {
                let (severity, kind, what) = if param.required() {
                    (
                        Severity::Breaking,
                        "parameter-added-required",
                        "a new required",
                    )
                } else {
                    (
                        Severity::NonBreaking,
                        "parameter-added-optional",
                        "a new optional",
                    )
                };
                self.push(
                    severity,
                    kind,
                    &param.pointer,
                    format!("{what} {} parameter `{}`", param.location, param.name),
                );
            }
        }
    }

    fn request_body(&mut self, old: Option<&'a Value>, new: Option<&'a Value>, here: &str) {
        let old = old.map(|body| self.resolve_old(body));
        let new = new.map(|body| self.resolve_new(body));
        let required = |body: Option<&Value>| {
            body.and_then(|b| b.get("required"))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        match (old, new) {
            (None, None) => {}
            (Some(_), None) => self.push(
                Severity::Breaking,
                "request-body-removed",
                here,
                "the request body was removed".into(),
            ),
            (None, Some(new)) => {
                let (severity, kind) = if required(Some(new)) {
                    (Severity::Breaking, "request-body-added-required")
                } else {
                    (Severity::NonBreaking, "request-body-added-optional")
                };
                self.push(severity, kind, here, "a request body was added".into());
            }
            (Some(old), Some(new)) => {
                if !required(Some(old)) && required(Some(new)) {
                    self.push(
                        Severity::Breaking,
                        "request-body-became-required",
                        &format!("{here}/required"),
                        "the request body became required".into(),
                    );
                }
                self.documentation(
                    old.get("description"),
                    new.get("description"),
                    &format!("{here}/description"),
                );
                self.content(
                    old.get("content"),
                    new.get("content"),
                    &format!("{here}/content"),
                    Direction::Request,
                    "the request body",
                );
            }
        }
    }

    fn responses(&mut self, old: Option<&'a Value>, new: Option<&'a Value>, here: &str) {
        let old = object(old);
        let new = object(new);
        let statuses: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for status in statuses {
            let at = format!("{here}/{}", pointer_token(status));
            let is_success = status.starts_with('2');
            match (old.get(status), new.get(status)) {
                (None, None) => {}
                (Some(_), None) => {
                    let (severity, kind) = if is_success {
                        (Severity::Breaking, "success-status-removed")
                    } else {
                        (Severity::NonBreaking, "error-status-removed")
                    };
                    self.push(
                        severity,
                        kind,
                        &at,
                        format!("response {status} was removed"),
                    );
                }
                (None, Some(_)) => {
                    self.push(
                        Severity::NonBreaking,
                        "response-status-added",
                        &at,
                        format!("a new response {status}"),
                    );
                }
                (Some(old_response), Some(new_response)) => {
                    let (old_response, new_response) = (
                        self.resolve_old(old_response),
                        self.resolve_new(new_response),
                    );
                    self.documentation(
                        old_response.get("description"),
                        new_response.get("description"),
                        &format!("{at}/description"),
                    );
                    let subject = format!("the {status} response");
                    self.content(
                        old_response.get("content"),
                        new_response.get("content"),
                        &format!("{at}/content"),
                        Direction::Response,
                        &subject,
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
        let old = object(old);
        let new = object(new);
        for (media_type, old_media) in old {
            let at = format!("{here}/{}", pointer_token(media_type));
            match new.get(media_type) {
                None => self.push(
                    Severity::Breaking,
                    "media-type-removed",
                    &at,
                    format!("{subject} no longer offers `{media_type}`"),
                ),
                Some(new_media) => {
                    self.documentation(
                        old_media.get("example"),
                        new_media.get("example"),
                        &format!("{at}/example"),
                    );
                    if let (Some(old_schema), Some(new_schema)) =
                        (old_media.get("schema"), new_media.get("schema"))
                    {
                        self.schema(
                            old_schema,
                            new_schema,
                            &format!("{at}/schema"),
                            direction,
                            subject,
                            &mut BTreeSet::new(),
                        );
                    }
                }
            }
        }
        for media_type in new
            .keys()
            .filter(|media_type| !old.contains_key(*media_type))
        {
            self.push(
                Severity::NonBreaking,
                "media-type-added",
                &format!("{here}/{}", pointer_token(media_type)),
                format!("{subject} also offers `{media_type}`"),
            );
        }
    }

    /// Compares two schemas of the same place. `seen` holds the `$ref` pairs
    /// already being compared, so recursive schemas end.
    fn schema(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        here: &str,
        direction: Direction,
        subject: &str,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let pair = ref_of(old).zip(ref_of(new));
        if let Some(pair) = &pair
            && !seen.insert(pair.clone())
        {
            return;
        }
        let (old, new) = (self.resolve_old(old), self.resolve_new(new));
        self.resolved_schema(old, new, here, direction, subject, seen);
        if let Some(pair) = &pair {
            seen.remove(pair);
        }
    }

    fn resolved_schema(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        here: &str,
        direction: Direction,
        subject: &str,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        for field in DOC_FIELDS {
            self.documentation(old.get(field), new.get(field), &format!("{here}/{field}"));
        }
        let request = direction == Direction::Request;
        let narrowing = |breaks_requests: bool| {
            if breaks_requests == request {
                Severity::Breaking
            } else {
                Severity::NonBreaking
            }
        };

        let (old_type, new_type) = (schema_type(old), schema_type(new));
        if old_type != new_type {
            self.push(
                Severity::Breaking,
                if request {
                    "request-type-changed"
                } else {
                    "response-type-changed"
                },
                &format!("{here}/type"),
                format!(
                    "{subject}: the type at {here} changed from {} to {}",
                    old_type.unwrap_or("any"),
                    new_type.unwrap_or("any")
                ),
            );
            return;
        }
        if old.get("format") != new.get("format") {
            self.push(
                Severity::Breaking,
                "format-changed",
                &format!("{here}/format"),
                format!(
                    "{subject}: `format` changed from {} to {}",
                    show(old.get("format")),
                    show(new.get("format"))
                ),
            );
        }
        self.nullable(old, new, here, direction, subject);
        self.enumeration(old, new, here, direction, subject);
        self.bounds(old, new, here, &narrowing, subject);

        if old.get("default") != new.get("default")
            && (old.get("default").is_some() || new.get("default").is_some())
        {
            self.push(
                narrowing(true),
                "default-changed",
                &format!("{here}/default"),
                format!(
                    "{subject}: the default changed from {} to {}",
                    show(old.get("default")),
                    show(new.get("default"))
                ),
            );
        }

        if let (Some(old_items), Some(new_items)) = (old.get("items"), new.get("items")) {
            self.schema(
                old_items,
                new_items,
                &format!("{here}/items"),
                direction,
                subject,
                seen,
            );
        }
        self.properties(old, new, here, direction, subject, seen);
        for combinator in ["oneOf", "anyOf", "allOf"] {
            let (Some(old_list), Some(new_list)) = (
                old.get(combinator).and_then(Value::as_array),
                new.get(combinator).and_then(Value::as_array),
            ) else {
                if old.get(combinator).is_some() != new.get(combinator).is_some() {
                    self.push(
                        Severity::Breaking,
                        if request {
                            "request-type-changed"
                        } else {
                            "response-type-changed"
                        },
                        &format!("{here}/{combinator}"),
                        format!("{subject}: `{combinator}` was added or removed at {here}"),
                    );
                }
                continue;
            };
            for (index, (old_branch, new_branch)) in old_list.iter().zip(new_list).enumerate() {
                self.schema(
                    old_branch,
                    new_branch,
                    &format!("{here}/{combinator}/{index}"),
                    direction,
                    subject,
                    seen,
                );
            }
            if old_list.len() != new_list.len() {
                let fewer = new_list.len() < old_list.len();
                self.push(
                    // A request loses accepted shapes / a response gains possible ones.
                    if fewer == request {
                        Severity::Breaking
                    } else {
                        Severity::NonBreaking
                    },
                    if fewer {
                        "variant-removed"
                    } else {
                        "variant-added"
                    },
                    &format!("{here}/{combinator}"),
                    format!(
                        "{subject}: `{combinator}` went from {} to {} alternatives",
                        old_list.len(),
                        new_list.len()
                    ),
                );
            }
        }
    }

    fn properties(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        here: &str,
        direction: Direction,
        subject: &str,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let old_props = object(old.get("properties"));
        let new_props = object(new.get("properties"));
        let old_required = required_set(old);
        let new_required = required_set(new);
        let request = direction == Direction::Request;
        for (name, old_prop) in old_props {
            let at = format!("{here}/properties/{}", pointer_token(name));
            let was_required = old_required.contains(name.as_str());
            match new_props.get(name) {
                None => {
                    // A server that ignores unknown fields still accepts a
                    // request that sends the removed property; one that
                    // forbids them rejects it.
                    let closed = new.get("additionalProperties") == Some(&Value::Bool(false));
                    let (severity, kind) = match (request, was_required) {
                        (true, _) if closed => (Severity::Breaking, "request-property-removed"),
                        (true, _) => (Severity::NonBreaking, "request-property-removed"),
                        (false, true) => (Severity::Breaking, "response-required-property-removed"),
                        (false, false) => {
                            (Severity::NonBreaking, "response-optional-property-removed")
                        }
                    };
                    self.push(
                        severity,
                        kind,
                        &at,
                        format!("{subject}: property `{name}` was removed"),
                    );
                }
                Some(new_prop) => {
                    let is_required = new_required.contains(name.as_str());
                    if was_required != is_required {
                        let (severity, kind, became) = match (request, is_required) {
                            (true, true) => (
                                Severity::Breaking,
                                "request-property-became-required",
                                "required",
                            ),
                            (true, false) => (
                                Severity::NonBreaking,
                                "request-property-became-optional",
                                "optional",
                            ),
                            (false, true) => (
                                Severity::NonBreaking,
                                "response-property-became-required",
                                "required",
                            ),
                            (false, false) => (
                                Severity::Breaking,
                                "response-property-became-optional",
                                "optional",
                            ),
                        };
                        self.push(
                            severity,
                            kind,
                            &at,
                            format!("{subject}: property `{name}` became {became}"),
                        );
                    }
                    let subject = format!("{subject}, property `{name}`");
                    self.schema(old_prop, new_prop, &at, direction, &subject, seen);
                }
            }
        }
        for name in new_props
            .keys()
            .filter(|name| !old_props.contains_key(*name))
        {
            let at = format!("{here}/properties/{}", pointer_token(name));
            let is_required = new_required.contains(name.as_str());
            let (severity, kind) = match (request, is_required) {
                (true, true) => (Severity::Breaking, "request-property-added-required"),
                (true, false) => (Severity::NonBreaking, "request-property-added-optional"),
                (false, _) => (Severity::NonBreaking, "response-property-added"),
            };
            let what = if is_required { "required" } else { "optional" };
            self.push(
                severity,
                kind,
                &at,
                format!("{subject}: a new {what} property `{name}`"),
            );
        }
    }

    fn nullable(
        &mut self,
        old: &Value,
        new: &Value,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        let is_nullable = |schema: &Value| {
            schema
                .get("nullable")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        match (is_nullable(old), is_nullable(new), direction) {
            (true, false, Direction::Request) => self.push(
                Severity::Breaking,
                "request-became-non-nullable",
                &format!("{here}/nullable"),
                format!("{subject} no longer accepts null"),
            ),
            (false, true, Direction::Request) => self.push(
                Severity::NonBreaking,
                "request-became-nullable",
                &format!("{here}/nullable"),
                format!("{subject} now accepts null"),
            ),
            (false, true, Direction::Response) => self.push(
                Severity::Breaking,
                "response-became-nullable",
                &format!("{here}/nullable"),
                format!("{subject} may now be null"),
            ),
            (true, false, Direction::Response) => self.push(
                Severity::NonBreaking,
                "response-became-non-nullable",
                &format!("{here}/nullable"),
                format!("{subject} is never null any more"),
            ),
            _ => {}
        }
    }

    fn enumeration(
        &mut self,
        old: &Value,
        new: &Value,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        let values = |schema: &Value| schema.get("enum").and_then(Value::as_array).cloned();
        let (Some(old_values), Some(new_values)) = (values(old), values(new)) else {
            match (values(old), values(new)) {
                (None, Some(_)) => self.push(
                    if direction == Direction::Request {
                        Severity::Breaking
                    } else {
                        Severity::NonBreaking
                    },
                    "enum-added",
                    &format!("{here}/enum"),
                    format!("{subject} is now limited to listed values"),
                ),
                (Some(_), None) => self.push(
                    if direction == Direction::Request {
                        Severity::NonBreaking
                    } else {
                        Severity::Breaking
                    },
                    "enum-removed",
                    &format!("{here}/enum"),
                    format!("{subject} is no longer limited to listed values"),
                ),
                _ => {}
            }
            return;
        };
        for value in old_values
            .iter()
            .filter(|value| !new_values.contains(value))
        {
            let (severity, kind) = match direction {
                Direction::Request => (Severity::Breaking, "request-enum-value-removed"),
                Direction::Response => (Severity::NonBreaking, "response-enum-value-removed"),
            };
            self.push(
                severity,
                kind,
                &format!("{here}/enum"),
                format!("{subject}: value {value} was removed"),
            );
        }
        for value in new_values
            .iter()
            .filter(|value| !old_values.contains(value))
        {
            let (severity, kind, note) = match direction {
                Direction::Request => (Severity::NonBreaking, "request-enum-value-added", ""),
                Direction::Response => (
                    Severity::Info,
                    "response-enum-value-added",
                    " (clients must tolerate values they do not know)",
                ),
            };
            self.push(
                severity,
                kind,
                &format!("{here}/enum"),
                format!("{subject}: new value {value}{note}"),
            );
        }
    }

    fn bounds(
        &mut self,
        old: &Value,
        new: &Value,
        here: &str,
        narrowing: &dyn Fn(bool) -> Severity,
        subject: &str,
    ) {
        let number = |schema: &Value, field: &str| schema.get(field).and_then(Value::as_f64);
        for (field, is_upper) in [
            ("maxLength", true),
            ("maximum", true),
            ("maxItems", true),
            ("minLength", false),
            ("minimum", false),
            ("minItems", false),
        ] {
            let (before, after) = (number(old, field), number(new, field));
            let tightened = match (before, after, is_upper) {
                (None, Some(_), _) => true,
                (Some(_), None, _) => false,
                (Some(before), Some(after), true) => after < before,
                (Some(before), Some(after), false) => after > before,
                (None, None, _) => continue,
            };
            if before == after {
                continue;
            }
            self.push(
                narrowing(tightened),
                if tightened {
                    "bound-tightened"
                } else {
                    "bound-loosened"
                },
                &format!("{here}/{field}"),
                format!(
                    "{subject}: `{field}` went from {} to {}",
                    show_number(before),
                    show_number(after)
                ),
            );
        }
        let (old_pattern, new_pattern) = (old.get("pattern"), new.get("pattern"));
        if old_pattern != new_pattern {
            let loosened = new_pattern.is_none();
            self.push(
                narrowing(!loosened),
                if loosened {
                    "pattern-removed"
                } else {
                    "pattern-changed"
                },
                &format!("{here}/pattern"),
                format!(
                    "{subject}: `pattern` went from {} to {}",
                    show(old_pattern),
                    show(new_pattern)
                ),
            );
        }
    }

    fn security(&mut self, old: Option<&Value>, new: Option<&Value>, here: &str) {
        if old != new {
            self.push(
                Severity::Breaking,
                "security-requirement-changed",
                here,
                format!(
                    "the security requirement changed from {} to {}",
                    show(old),
                    show(new)
                ),
            );
        }
    }

    fn security_schemes(&mut self, old: &Value, new: &Value) {
        let old_schemes = object(old.pointer("/components/securitySchemes"));
        let new_schemes = object(new.pointer("/components/securitySchemes"));
        let names: BTreeSet<&String> = old_schemes.keys().chain(new_schemes.keys()).collect();
        for name in names {
            let here = format!("/components/securitySchemes/{}", pointer_token(name));
            let strip_docs = |scheme: Option<&Value>| {
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
                    Severity::Breaking,
                    "security-scheme-removed",
                    &here,
                    format!("security scheme `{name}` was removed"),
                ),
                (None, Some(_)) => self.push(
                    Severity::NonBreaking,
                    "security-scheme-added",
                    &here,
                    format!("a new security scheme `{name}`"),
                ),
                _ if strip_docs(before) != strip_docs(after) => self.push(
                    Severity::Breaking,
                    "security-scheme-changed",
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
                    &format!("{here}/description"),
                ),
            }
        }
    }

    fn documentation(&mut self, old: Option<&Value>, new: Option<&Value>, here: &str) {
        if old != new {
            let field = here.rsplit('/').next().unwrap_or_default();
            self.push(
                Severity::Info,
                if field == "example" {
                    "example-changed"
                } else {
                    "documentation-changed"
                },
                here,
                format!("{field} changed from {} to {}", shorten(old), shorten(new)),
            );
        }
    }
}

/// A parameter as an operation sees it, path-item parameters included.
struct Param<'a> {
    name: String,
    location: String,
    value: &'a Value,
    pointer: String,
}

impl Param<'_> {
    fn key(&self) -> (&str, &str) {
        (&self.name, &self.location)
    }

    fn required(&self) -> bool {
        self.value
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

fn parameters<'a>(
    root: &'a Value,
    item: Option<&'a Value>,
    operation: &'a Value,
    path: &str,
    method: &str,
) -> Vec<Param<'a>> {
    let mut found: Vec<Param<'a>> = Vec::new();
    let item_level = item
        .and_then(|item| item.get("parameters"))
        .and_then(Value::as_array);
    let op_level = operation.get("parameters").and_then(Value::as_array);
    let sources = [
        (
            item_level,
            format!("/paths/{}/parameters", pointer_token(path)),
        ),
        (
            op_level,
            format!("/paths/{}/{method}/parameters", pointer_token(path)),
        ),
    ];
    for (list, base) in sources {
        for (index, parameter) in list.into_iter().flatten().enumerate() {
            let value = resolve(root, parameter);
            let name = value
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let location = value
                .get("in")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            // An operation-level parameter overrides a path-level one.
            found.retain(|existing| existing.key() != (name.as_str(), location.as_str()));
            found.push(Param {
                name,
                location,
                value,
                pointer: format!("{base}/{index}"),
            });
        }
    }
    found
}

/// Follows local `$ref`s (a bounded number of hops, so a cycle of references
/// cannot hang the tool).
fn resolve<'a>(root: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..32 {
        let Some(target) = value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| reference.strip_prefix('#'))
            .and_then(|pointer| root.pointer(pointer))
        else {
            break;
        };
        value = target;
    }
    value
}

static EMPTY: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);

/// The object at `value`, or an empty one.
fn object(value: Option<&Value>) -> &Map<String, Value> {
    value.and_then(Value::as_object).unwrap_or(&EMPTY)
}

fn ref_of(value: &Value) -> Option<String> {
    value.get("$ref").and_then(Value::as_str).map(str::to_owned)
}

fn schema_type(schema: &Value) -> Option<&str> {
    schema.get("type").and_then(Value::as_str)
}

fn required_set(schema: &Value) -> BTreeSet<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

fn show(value: Option<&Value>) -> String {
    value.map_or_else(|| "(none)".to_owned(), Value::to_string)
}

fn show_number(value: Option<f64>) -> String {
    value.map_or_else(|| "(none)".to_owned(), |number| number.to_string())
}

fn shorten(value: Option<&Value>) -> String {
    let text = show(value);
    if text.chars().count() > 80 {
        format!("{}...", text.chars().take(77).collect::<String>())
    } else {
        text
    }
}
