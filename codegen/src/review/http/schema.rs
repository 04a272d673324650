//! Comparing two schemas of the same place, on one side of the wire.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Differ, show};
use crate::document::{child, object};
use crate::review::kind::{ChangeKind, Direction};

/// Schema keywords that only document.
const DOC_FIELDS: [&str; 4] = ["description", "summary", "example", "title"];

/// Numeric bounds, and whether each is an upper one.
const BOUNDS: [(&str, bool); 6] = [
    ("maxLength", true),
    ("maximum", true),
    ("maxItems", true),
    ("minLength", false),
    ("minimum", false),
    ("minItems", false),
];

impl<'a> Differ<'a> {
    /// Compares two schemas of the same place. `seen` holds the `$ref` pairs
    /// already being compared, so recursive schemas end.
    pub(super) fn schema(
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
        let (old, new) = (self.old.resolved(old), self.new.resolved(new));
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
            self.documentation(old.get(field), new.get(field), &child(here, field));
        }
        let side = Some(direction);
        let type_changed = match direction {
            Direction::Request => ChangeKind::RequestTypeChanged,
            Direction::Response => ChangeKind::ResponseTypeChanged,
        };
        let (old_type, new_type) = (schema_type(old), schema_type(new));
        if old_type != new_type {
            let widening = widening(old_type, new_type);
            let kind = match widening {
                Some(true) => ChangeKind::TypeWidened,
                Some(false) => ChangeKind::TypeNarrowed,
                None => type_changed,
            };
            self.push(
                kind,
                side,
                &child(here, "type"),
                format!(
                    "{subject}: the type at {here} changed from {} to {}",
                    old_type.unwrap_or("any"),
                    new_type.unwrap_or("any")
                ),
            );
            // Unrelated types share nothing further to compare.
            if widening.is_none() {
                return;
            }
        }
        for (keyword, kind) in [
            ("format", ChangeKind::FormatChanged),
            ("default", ChangeKind::DefaultChanged),
        ] {
            if old.get(keyword) != new.get(keyword) {
                self.push(
                    kind,
                    side,
                    &child(here, keyword),
                    format!(
                        "{subject}: `{keyword}` changed from {} to {}",
                        show(old.get(keyword)),
                        show(new.get(keyword))
                    ),
                );
            }
        }
        self.nullable(old, new, here, direction, subject);
        self.enumeration(old, new, here, direction, subject);
        self.bounds(old, new, here, direction, subject);
        if let (Some(old_items), Some(new_items)) = (old.get("items"), new.get("items")) {
            let at = child(here, "items");
            self.schema(old_items, new_items, &at, direction, subject, seen);
        }
        self.properties(old, new, here, direction, subject, seen);
        for combinator in ["oneOf", "anyOf", "allOf"] {
            let at = child(here, combinator);
            let (Some(old_list), Some(new_list)) = (
                old.get(combinator).and_then(Value::as_array),
                new.get(combinator).and_then(Value::as_array),
            ) else {
                if old.get(combinator).is_some() != new.get(combinator).is_some() {
                    self.push(
                        type_changed,
                        side,
                        &at,
                        format!("{subject}: `{combinator}` was added or removed at {here}"),
                    );
                }
                continue;
            };
            for (index, (old_branch, new_branch)) in old_list.iter().zip(new_list).enumerate() {
                let branch = child(&at, &index.to_string());
                self.schema(old_branch, new_branch, &branch, direction, subject, seen);
            }
            if old_list.len() != new_list.len() {
                let kind = if new_list.len() < old_list.len() {
                    ChangeKind::VariantRemoved
                } else {
                    ChangeKind::VariantAdded
                };
                self.push(
                    kind,
                    side,
                    &at,
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
        let (old_props, new_props) = (object(old.get("properties")), object(new.get("properties")));
        let (old_required, new_required) = (required_set(old), required_set(new));
        let request = direction == Direction::Request;
        let side = Some(direction);
        for (name, old_prop) in old_props {
            let at = child(&child(here, "properties"), name);
            let was_required = old_required.contains(name.as_str());
            let Some(new_prop) = new_props.get(name) else {
                let closed = new.get("additionalProperties") == Some(&Value::Bool(false));
                let kind = match (request, was_required) {
                    (true, _) if closed => ChangeKind::RequestPropertyRemovedFromClosedObject,
                    (true, _) => ChangeKind::RequestPropertyRemoved,
                    (false, true) => ChangeKind::ResponseRequiredPropertyRemoved,
                    (false, false) => ChangeKind::ResponseOptionalPropertyRemoved,
                };
                self.push(
                    kind,
                    side,
                    &at,
                    format!("{subject}: property `{name}` was removed"),
                );
                continue;
            };
            let is_required = new_required.contains(name.as_str());
            if was_required != is_required {
                let kind = match (request, is_required) {
                    (true, true) => ChangeKind::RequestPropertyBecameRequired,
                    (true, false) => ChangeKind::RequestPropertyBecameOptional,
                    (false, true) => ChangeKind::ResponsePropertyBecameRequired,
                    (false, false) => ChangeKind::ResponsePropertyBecameOptional,
                };
                let became = if is_required { "required" } else { "optional" };
                self.push(
                    kind,
                    side,
                    &at,
                    format!("{subject}: property `{name}` became {became}"),
                );
            }
            let subject = format!("{subject}, property `{name}`");
            self.schema(old_prop, new_prop, &at, direction, &subject, seen);
        }
        for name in new_props
            .keys()
            .filter(|name| !old_props.contains_key(*name))
        {
            let at = child(&child(here, "properties"), name);
            let is_required = new_required.contains(name.as_str());
            let kind = match (request, is_required) {
                (true, true) => ChangeKind::RequestPropertyAddedRequired,
                (true, false) => ChangeKind::RequestPropertyAddedOptional,
                (false, _) => ChangeKind::ResponsePropertyAdded,
            };
            let what = if is_required { "required" } else { "optional" };
            self.push(
                kind,
                side,
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
        let (kind, message) = match (is_nullable(old), is_nullable(new), direction) {
            (true, false, Direction::Request) => (
                ChangeKind::RequestBecameNonNullable,
                "no longer accepts null",
            ),
            (false, true, Direction::Request) => {
                (ChangeKind::RequestBecameNullable, "now accepts null")
            }
            (false, true, Direction::Response) => {
                (ChangeKind::ResponseBecameNullable, "may now be null")
            }
            (true, false, Direction::Response) => (
                ChangeKind::ResponseBecameNonNullable,
                "is never null any more",
            ),
            _ => return,
        };
        self.push(
            kind,
            Some(direction),
            &child(here, "nullable"),
            format!("{subject} {message}"),
        );
    }

    fn enumeration(
        &mut self,
        old: &Value,
        new: &Value,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        let at = child(here, "enum");
        let side = Some(direction);
        let values = |schema: &Value| schema.get("enum").and_then(Value::as_array).cloned();
        let (old_values, new_values) = match (values(old), values(new)) {
            (Some(old_values), Some(new_values)) => (old_values, new_values),
            (None, Some(_)) => {
                let message = format!("{subject} is now limited to listed values");
                return self.push(ChangeKind::EnumAdded, side, &at, message);
            }
            (Some(_), None) => {
                let message = format!("{subject} is no longer limited to listed values");
                return self.push(ChangeKind::EnumRemoved, side, &at, message);
            }
            (None, None) => return,
        };
        let (removed, added) = match direction {
            Direction::Request => (
                ChangeKind::RequestEnumValueRemoved,
                ChangeKind::RequestEnumValueAdded,
            ),
            Direction::Response => (
                ChangeKind::ResponseEnumValueRemoved,
                ChangeKind::ResponseEnumValueAdded,
            ),
        };
        for value in old_values
            .iter()
            .filter(|value| !new_values.contains(value))
        {
            self.push(
                removed,
                side,
                &at,
                format!("{subject}: value {value} was removed"),
            );
        }
        let note = match direction {
            Direction::Request => "",
            Direction::Response => " (clients must tolerate values they do not know)",
        };
        for value in new_values
            .iter()
            .filter(|value| !old_values.contains(value))
        {
            self.push(
                added,
                side,
                &at,
                format!("{subject}: new value {value}{note}"),
            );
        }
    }

    fn bounds(
        &mut self,
        old: &Value,
        new: &Value,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        let side = Some(direction);
        let number = |schema: &Value, field: &str| schema.get(field).and_then(Value::as_f64);
        for (field, is_upper) in BOUNDS {
            let (before, after) = (number(old, field), number(new, field));
            let tightened = match (before, after) {
                (None, None) => continue,
                _ if before == after => continue,
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(before), Some(after)) if is_upper => after < before,
                (Some(before), Some(after)) => after > before,
            };
            let kind = if tightened {
                ChangeKind::BoundTightened
            } else {
                ChangeKind::BoundLoosened
            };
            self.push(
                kind,
                side,
                &child(here, field),
                format!(
                    "{subject}: `{field}` went from {} to {}",
                    show_number(before),
                    show_number(after)
                ),
            );
        }
        let (old_pattern, new_pattern) = (old.get("pattern"), new.get("pattern"));
        if old_pattern != new_pattern {
            let kind = if new_pattern.is_none() {
                ChangeKind::PatternRemoved
            } else {
                ChangeKind::PatternChanged
            };
            self.push(
                kind,
                side,
                &child(here, "pattern"),
                format!(
                    "{subject}: `pattern` went from {} to {}",
                    show(old_pattern),
                    show(new_pattern)
                ),
            );
        }
    }
}

fn ref_of(value: &Value) -> Option<String> {
    value.get("$ref").and_then(Value::as_str).map(str::to_owned)
}

/// Whether a type change widens what a schema accepts (`Some(true)`: every
/// old value is still valid, as integer to number or anything to no type),
/// narrows it (`Some(false)`), or neither (`None`: string to integer).
fn widening(old: Option<&str>, new: Option<&str>) -> Option<bool> {
    match (old, new) {
        (_, None) => Some(true),
        (None, _) => Some(false),
        (Some("integer"), Some("number")) => Some(true),
        (Some("number"), Some("integer")) => Some(false),
        _ => None,
    }
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

fn show_number(value: Option<f64>) -> String {
    value.map_or_else(|| "(none)".to_owned(), |number| number.to_string())
}
