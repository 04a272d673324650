//! Comparing the parameters of one operation.

use serde_json::Value;

use super::Differ;
use crate::document::{Operation, Parameter, child};
use crate::review::kind::{ChangeKind, Direction};

/// How a parameter is matched across the two specs: by location and name
/// (a header's name in any case, as HTTP reads it), except that a path
/// parameter is its position in the path template, so a renamed one
/// (`/pets/{id}` to `/pets/{petId}`) is the same parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key<'p> {
    Named(&'p str, String),
    PathPosition(usize),
}

fn key<'p>(path: &str, parameter: &Parameter<'p>) -> Key<'p> {
    if parameter.location == "path" {
        let mut names = path
            .split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name));
        if let Some(position) = names.position(|name| name == parameter.name) {
            return Key::PathPosition(position);
        }
    }
    Key::Named(parameter.location, parameter.matching_name())
}

/// How a parameter is written on the wire: its `style` and `explode`, with
/// OpenAPI's defaults (`form` for query and cookie parameters, `simple`
/// for path and header ones; `explode` only for `form`).
fn serialization<'p>(parameter: &Parameter<'p>) -> (&'p str, bool) {
    let style = parameter.value.get("style").and_then(Value::as_str);
    let style = style.unwrap_or(match parameter.location {
        "query" | "cookie" => "form",
        _ => "simple",
    });
    let explode = parameter.value.get("explode").and_then(Value::as_bool);
    (style, explode.unwrap_or(style == "form"))
}

/// Whether a parameter is sent form-style with `explode` (the default for
/// query and cookie parameters): one value reads as an array of one.
fn form_exploded(parameter: &Parameter) -> bool {
    serialization(parameter) == ("form", true)
}

impl<'a> Differ<'a> {
    pub(super) fn parameters(&mut self, old_op: &Operation<'a>, new_op: &Operation<'a>) {
        // Parameters travel in the request: the client's, or the API's to a
        // webhook or callback receiver.
        let direction = Some(self.side(Direction::Request));
        let (old, new) = (old_op.parameters(), new_op.parameters());
        let old_keys: Vec<Key> = old.iter().map(|p| key(old_op.path, p)).collect();
        let new_keys: Vec<Key> = new.iter().map(|p| key(new_op.path, p)).collect();
        for (param, param_key) in old.iter().zip(&old_keys) {
            let subject = format!("{} parameter `{}`", param.location, param.name);
            let Some(index) = new_keys.iter().position(|candidate| candidate == param_key) else {
                self.push(
                    ChangeKind::ParameterRemoved,
                    direction,
                    &param.pointer,
                    format!("{subject} was removed"),
                );
                continue;
            };
            let now = &new[index];
            // Only a path parameter is matched otherwise than by name.
            if now.name != param.name && param.location == "path" {
                self.push(
                    ChangeKind::PathParameterRenamed,
                    None,
                    &child(&now.pointer, "name"),
                    format!("{subject} is now called `{}`", now.name),
                );
            }
            self.parameter_changes(param, now, &subject);
        }
        for (param, param_key) in new.iter().zip(&new_keys) {
            if !old_keys.contains(param_key) {
                let (kind, what) = if param.required() {
                    (ChangeKind::ParameterAddedRequired, "a new required")
                } else {
                    (ChangeKind::ParameterAddedOptional, "a new optional")
                };
                self.push(
                    kind,
                    direction,
                    &param.pointer,
                    format!("{what} {} parameter `{}`", param.location, param.name),
                );
            }
        }
    }

    fn parameter_changes(&mut self, param: &Parameter<'a>, now: &Parameter<'a>, subject: &str) {
        let direction = self.side(Direction::Request);
        match (param.required(), now.required()) {
            (false, true) => self.push(
                ChangeKind::ParameterBecameRequired,
                Some(direction),
                &now.pointer,
                format!("{subject} became required"),
            ),
            (true, false) => self.push(
                ChangeKind::ParameterBecameOptional,
                Some(direction),
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
        self.lifecycle(param.value, now.value, &now.pointer, subject);
        let (before, after) = (serialization(param), serialization(now));
        if before != after {
            self.push(
                ChangeKind::ParameterSerializationChanged,
                None,
                &now.pointer,
                format!(
                    "{subject} is written differently: style {} with explode {} became style {} with explode {}",
                    before.0, before.1, after.0, after.1
                ),
            );
        }
        if self.described_by_content(param.value, now.value, &now.pointer, direction, subject) {
            return;
        }
        let (Some(old_schema), Some(new_schema)) =
            (param.value.get("schema"), now.value.get("schema"))
        else {
            return;
        };
        let mut at = child(&now.pointer, "schema");
        let (mut old_schema, mut new_schema) = (old_schema, new_schema);
        let (old_seen, new_seen) = (
            self.old.unwrapped(old_schema),
            self.new.unwrapped(new_schema),
        );
        let is_array = |schema: &Value| schema.get("type").and_then(Value::as_str) == Some("array");
        // `?tag=a` reads the same as a one-item array: a single value that
        // becomes an array of the same kind of value is no change.
        if form_exploded(param)
            && form_exploded(now)
            && !is_array(old_seen.schema)
            && is_array(new_seen.schema)
            && let Some(items) = new_seen.schema.get("items")
        {
            new_schema = items;
            at = child(&format!("{at}{}", new_seen.path), "items");
        } else if form_exploded(param)
            && form_exploded(now)
            && is_array(old_seen.schema)
            && !is_array(new_seen.schema)
            && let Some(items) = old_seen.schema.get("items")
        {
            // The other way, every request that sent several values breaks.
            self.push(
                ChangeKind::RequestTypeChanged,
                Some(direction),
                &child(&at, "type"),
                format!("{subject} takes one value where it took a list"),
            );
            old_schema = items;
        }
        let text_values = self.text_values;
        self.text_values = true;
        self.schema(old_schema, new_schema, &at, direction, subject);
        self.text_values = text_values;
    }
}
