//! The keywords that limit values: `enum` (and `x-extensible-enum`),
//! numeric bounds, `multipleOf`, `uniqueItems` and `pattern`.

use std::collections::HashSet;

use serde_json::Value;

use super::super::{Differ, show};
use crate::document::child;
use crate::review::kind::{ChangeKind, Direction};

/// Numeric bounds, and whether each is an upper one.
const BOUNDS: [(&str, bool); 12] = [
    ("maxLength", true),
    ("maximum", true),
    ("maxItems", true),
    ("maxProperties", true),
    ("maxContains", true),
    ("minLength", false),
    ("minimum", false),
    ("minItems", false),
    ("minProperties", false),
    ("minContains", false),
    // Read as 3.0's flags: `true` excludes the bound itself.
    ("exclusiveMinimum", false),
    ("exclusiveMaximum", false),
];

/// Patterns that match every string: as good as none.
const ANY_STRING: [&str; 6] = ["", ".*", "^.*$", "^.*", ".*$", "(.*)"];

/// Whether `factor` divides `multiple` a whole number of times (both
/// positive, as `multipleOf` must be), within floating-point error.
fn divides(factor: f64, multiple: f64) -> bool {
    if factor <= 0.0 || multiple <= 0.0 {
        return false;
    }
    let times = multiple / factor;
    times >= 1.0 && (times - times.round()).abs() <= 1e-9 * times
}

impl Differ<'_> {
    /// Compares `enum` and `x-extensible-enum`: an extensible enum lists
    /// known values without limiting others, so only its values count.
    pub(super) fn enumeration(
        &mut self,
        old: &Value,
        new: &Value,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        for keyword in ["enum", "x-extensible-enum"] {
            let at = child(here, keyword);
            let side = Some(direction);
            let values = |schema: &Value| schema.get(keyword).and_then(Value::as_array).cloned();
            let (old_values, new_values) = match (values(old), values(new)) {
                (Some(old_values), Some(new_values)) => (old_values, new_values),
                (None, Some(_)) if keyword == "enum" => {
                    let message = format!("{subject} is now limited to listed values");
                    self.push(ChangeKind::EnumAdded, side, &at, message);
                    continue;
                }
                (Some(_), None) if keyword == "enum" => {
                    let message = format!("{subject} is no longer limited to listed values");
                    self.push(ChangeKind::EnumRemoved, side, &at, message);
                    continue;
                }
                (old_values, new_values) => {
                    if old_values != new_values {
                        self.documentation(old.get(keyword), new.get(keyword), &at);
                    }
                    continue;
                }
            };
            let (removed, added) = match direction {
                Direction::Request => (
                    ChangeKind::RequestEnumValueRemoved,
                    ChangeKind::RequestEnumValueAdded,
                ),
                Direction::Response if keyword == "x-extensible-enum" => (
                    ChangeKind::ResponseEnumValueRemoved,
                    ChangeKind::ResponseExtensibleEnumValueAdded,
                ),
                Direction::Response => (
                    ChangeKind::ResponseEnumValueRemoved,
                    ChangeKind::ResponseEnumValueAdded,
                ),
            };
            let (old_set, new_set) = (ValueSet::of(&old_values), ValueSet::of(&new_values));
            for value in old_values.iter().filter(|value| !new_set.contains(value)) {
                let message = format!("{subject}: `{keyword}` value {value} was removed");
                self.push(removed, side, &at, message);
            }
            let note = match direction {
                Direction::Request => "",
                Direction::Response if keyword == "x-extensible-enum" => {
                    " (the enum is extensible: clients expect values it does not list)"
                }
                Direction::Response => " (a client that decodes to the listed values fails on it)",
            };
            for value in new_values.iter().filter(|value| !old_set.contains(value)) {
                let message = format!("{subject}: new `{keyword}` value {value}{note}");
                self.push(added, side, &at, message);
            }
        }
    }

    pub(super) fn bounds(
        &mut self,
        old: &Value,
        new: &Value,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        let side = Some(direction);
        // A flag reads as 1 (the bound excluded) or nothing.
        let number = |schema: &Value, field: &str| match schema.get(field) {
            Some(Value::Bool(true)) => Some(1.0),
            Some(Value::Bool(false)) => None,
            other => other.and_then(Value::as_f64),
        };
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
                    show(old.get(field)),
                    show(new.get(field))
                ),
            );
        }
        self.multiple_of(old, new, here, direction, subject);
        self.unique_items(old, new, here, direction, subject);
        self.patterns(old, new, here, direction, subject);
    }

    /// `multipleOf`: values that are multiples of 4 are multiples of 2, so
    /// a new factor that is a multiple of the old one narrows, and one that
    /// divides it widens.
    fn multiple_of(
        &mut self,
        old: &Value,
        new: &Value,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        let factor = |schema: &Value| schema.get("multipleOf").and_then(Value::as_f64);
        let kind = match (factor(old), factor(new)) {
            (before, after) if before == after => return,
            (None, Some(_)) => ChangeKind::MultipleOfTightened,
            (Some(_), None) => ChangeKind::MultipleOfLoosened,
            (Some(before), Some(after)) if divides(before, after) => {
                ChangeKind::MultipleOfTightened
            }
            (Some(before), Some(after)) if divides(after, before) => ChangeKind::MultipleOfLoosened,
            _ => ChangeKind::MultipleOfChanged,
        };
        self.push(
            kind,
            Some(direction),
            &child(here, "multipleOf"),
            format!(
                "{subject}: `multipleOf` went from {} to {}",
                show(old.get("multipleOf")),
                show(new.get("multipleOf"))
            ),
        );
    }

    /// `uniqueItems`: `true` refuses lists with repeats; `false` and no
    /// keyword allow them.
    fn unique_items(
        &mut self,
        old: &Value,
        new: &Value,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        let unique =
            |schema: &Value| schema.get("uniqueItems").and_then(Value::as_bool) == Some(true);
        let (kind, message) = match (unique(old), unique(new)) {
            (false, true) => (ChangeKind::UniqueItemsAdded, "items must now be unique"),
            (true, false) => (ChangeKind::UniqueItemsRemoved, "items may now repeat"),
            _ => return,
        };
        self.push(
            kind,
            Some(direction),
            &child(here, "uniqueItems"),
            format!("{subject}: {message}"),
        );
    }

    fn patterns(
        &mut self,
        old: &Value,
        new: &Value,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        fn pattern(schema: &Value) -> Option<&str> {
            schema
                .get("pattern")
                .and_then(Value::as_str)
                .filter(|pattern| !ANY_STRING.contains(pattern))
        }
        let (old_pattern, new_pattern) = (pattern(old), pattern(new));
        if old.get("pattern") == new.get("pattern") {
            return;
        }
        let kind = match (old_pattern, new_pattern) {
            (_, None) if old_pattern.is_some() => ChangeKind::PatternRemoved,
            (None, None) => {
                return self.documentation(
                    old.get("pattern"),
                    new.get("pattern"),
                    &child(here, "pattern"),
                );
            }
            _ => ChangeKind::PatternChanged,
        };
        self.push(
            kind,
            Some(direction),
            &child(here, "pattern"),
            format!(
                "{subject}: `pattern` went from {} to {}",
                show(old.get("pattern")),
                show(new.get("pattern"))
            ),
        );
    }
}

/// The values of an `enum`, for lookups that stay fast however many there
/// are (a list searched value by value is quadratic: 100,000 values hung).
struct ValueSet<'v> {
    /// Scalars by their JSON text, which tells apart exactly what `==`
    /// does (`1` and `1.0`, `"1"` and `1`).
    scalars: HashSet<String>,
    /// Arrays and objects, compared with `==` (their text would depend on
    /// key order).
    structured: Vec<&'v Value>,
}

impl<'v> ValueSet<'v> {
    fn of(values: &'v [Value]) -> Self {
        let (structured, scalars): (Vec<&Value>, Vec<&Value>) = values
            .iter()
            .partition(|value| value.is_array() || value.is_object());
        let scalars = scalars.into_iter().map(Value::to_string).collect();
        Self {
            scalars,
            structured,
        }
    }

    fn contains(&self, value: &Value) -> bool {
        if value.is_array() || value.is_object() {
            self.structured.contains(&value)
        } else {
            self.scalars.contains(&value.to_string())
        }
    }
}
