//! Comparing two schemas of the same place, on one side of the wire: the
//! type, the properties, and (in [`values`] and [`applicators`]) every
//! keyword that limits values or applies subschemas.

mod applicators;
mod values;

pub(super) use applicators::allows_all;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;

use super::{Differ, show};
use crate::document::{DOCUMENTATION, MergedObject, Unwrapped, child, object};
use crate::review::kind::{ChangeKind, Direction};

/// How deep schemas nest (through properties, items, applicators and
/// `$ref`s) before spec-diff stops comparing: each level costs stack, and
/// a chain of 3,000 referenced schemas overflowed it. Real documents stay
/// far below (GitHub's nests a few dozen levels).
const DEEPEST: usize = 256;

/// The schema that allows every value.
static ANY: Value = Value::Bool(true);

/// One comparison: the old and the new schema (by where they are in their
/// documents, references resolved), whether on the request side, and
/// whether values travel as text.
type Pair = (*const Value, *const Value, bool, bool);

/// What the differ remembers of the schemas it compared.
#[derive(Default)]
pub(super) struct Compared {
    /// The comparisons already made, by operation: each pair of schemas is
    /// compared once per operation and side, however many paths reach it,
    /// so schemas shared through `$ref`s cost one comparison each and
    /// recursive ones end. A change inside is reported at the first path
    /// that reaches it.
    by_operation: HashMap<String, HashSet<Pair>>,
    /// Whether the schemas of an `if` or a `not` allow the same values
    /// (see `Differ::same_values`), judged once per pair and side.
    same_values: HashMap<Pair, bool>,
    /// How many schema comparisons are under way, one inside the other.
    depth: usize,
}

impl Compared {
    pub(super) fn new() -> Self {
        Self::default()
    }
}

/// The kind a type change has on `direction`'s side.
fn type_changed(direction: Direction) -> ChangeKind {
    match direction {
        Direction::Request => ChangeKind::RequestTypeChanged,
        Direction::Response => ChangeKind::ResponseTypeChanged,
    }
}

impl<'a> Differ<'a> {
    /// Compares two schemas of the same place.
    pub(super) fn schema(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        let (old, new) = (self.old.unwrapped(old), self.new.unwrapped(new));
        if self.compared.depth >= DEEPEST {
            // Equal as written is not equal: a `$ref` below may lead to a
            // change, so fail closed.
            let message = format!(
                "{subject}: schemas nest more than {DEEPEST} levels deep here; nothing below is compared"
            );
            self.push(ChangeKind::SchemaTooDeep, None, here, message);
            return;
        }
        self.wrapper_documentation(&old, &new, here);
        // What a wrapper holds is compared where it is (the new side's
        // path to it), as the schema it is: a schema documented in one
        // place and not another is compared once.
        let at = format!("{here}{}", new.path);
        if self.first_comparison(old.schema, new.schema, direction) {
            self.compared.depth += 1;
            self.resolved_schema(old.schema, new.schema, &at, direction, subject);
            self.compared.depth -= 1;
        }
    }

    /// The documentation a reader sees at `here` when either side wraps its
    /// schema (see [`crate::Document::unwrapped`]): the outermost wrapper's, or
    /// else the schema's own. Fields no wrapper sets are compared with the
    /// schemas themselves.
    fn wrapper_documentation(&mut self, old: &Unwrapped<'a>, new: &Unwrapped<'a>, here: &str) {
        if old.wrappers.is_empty() && new.wrappers.is_empty() {
            return;
        }
        let seen = |side: &Unwrapped<'a>, field: &str, from_wrapper: &mut bool| {
            let wrapped = side.wrappers.iter().find_map(|wrapper| wrapper.get(field));
            *from_wrapper |= wrapped.is_some();
            wrapped.or_else(|| side.schema.get(field))
        };
        for field in DOCUMENTATION {
            let mut from_wrapper = false;
            let (before, after) = (
                seen(old, field, &mut from_wrapper),
                seen(new, field, &mut from_wrapper),
            );
            if from_wrapper {
                self.documentation(before, after, &child(here, field));
            }
        }
    }

    /// Whether `old` and `new` are compared here for the first time in this
    /// operation, on this side (see [`Compared`]).
    fn first_comparison(&mut self, old: &Value, new: &Value, direction: Direction) -> bool {
        let pair = self.pair(old, new, direction);
        let by_operation = &mut self.compared.by_operation;
        match by_operation.get_mut(&self.operation) {
            Some(pairs) => pairs.insert(pair),
            None => {
                let pairs = HashSet::from([pair]);
                by_operation.insert(self.operation.clone(), pairs);
                true
            }
        }
    }

    /// How a comparison of two resolved schemas is remembered.
    fn pair(&self, old: &Value, new: &Value, direction: Direction) -> Pair {
        (
            std::ptr::from_ref(old),
            std::ptr::from_ref(new),
            direction == Direction::Request,
            self.text_values,
        )
    }

    fn resolved_schema(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        if self.false_schema(old, new, here, direction, subject) {
            return;
        }
        for field in DOCUMENTATION {
            self.documentation(old.get(field), new.get(field), &child(here, field));
        }
        self.lifecycle(old, new, here, subject);
        let merged = self.merged_objects(old, new);
        let merged = merged.as_ref();
        if !self.types(old, new, here, direction, subject, merged) {
            // Unrelated types share nothing further to compare.
            return;
        }
        let side = Some(direction);
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
        self.properties(old, new, here, direction, subject, merged);
        if let Some((old_merged, new_merged)) = merged {
            let at = new_merged
                .additional
                .as_ref()
                .or(old_merged.additional.as_ref())
                .map_or_else(
                    || child(here, "additionalProperties"),
                    |(path, _)| format!("{here}{path}"),
                );
            let value = |merged: &MergedObject<'a>| merged.additional.as_ref().map(|(_, v)| *v);
            self.subschema(
                value(old_merged),
                value(new_merged),
                &at,
                direction,
                subject,
            );
        }
        self.applicators(old, new, here, direction, subject, merged.is_some());
    }

    /// Reports a schema that became the boolean schema `false` (it admits
    /// no value), or stopped being it; `true` when one side is `false`, so
    /// nothing else is worth comparing. Read as a schema without keywords,
    /// `false` would pass for one that admits every value.
    fn false_schema(
        &mut self,
        old: &Value,
        new: &Value,
        here: &str,
        direction: Direction,
        subject: &str,
    ) -> bool {
        let (old_false, new_false) = (old == &Value::Bool(false), new == &Value::Bool(false));
        let (kind, message) = match (old_false, new_false) {
            (false, false) => return false,
            (true, true) => return true,
            (false, true) => (
                ChangeKind::SchemaBecameFalse,
                format!("{subject}: the schema at {here} became `false`: no value is valid"),
            ),
            (true, false) => (
                ChangeKind::SchemaNoLongerFalse,
                format!("{subject}: the schema at {here} was `false` and now admits values"),
            ),
        };
        self.push(kind, Some(direction), here, message);
        true
    }

    /// Both schemas read as one object each, when either has `allOf`
    /// members and both merge without guessing (see
    /// [`crate::Document::merged_object`]): then properties are compared
    /// across members, wherever each is defined, and the order and split of
    /// the members do not count.
    fn merged_objects(
        &self,
        old: &'a Value,
        new: &'a Value,
    ) -> Option<(MergedObject<'a>, MergedObject<'a>)> {
        let has_members = |schema: &Value| {
            schema
                .get("allOf")
                .and_then(Value::as_array)
                .is_some_and(|members| !members.is_empty())
        };
        if !has_members(old) && !has_members(new) {
            return None;
        }
        Some((self.old.merged_object(old)?, self.new.merged_object(new)?))
    }

    /// Compares the types a schema admits; `false` when they are unrelated
    /// (string to object), so nothing else is worth comparing. A merged
    /// object is an object when one of its parts says so.
    fn types(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        here: &str,
        direction: Direction,
        subject: &str,
        merged: Option<&(MergedObject<'a>, MergedObject<'a>)>,
    ) -> bool {
        let merged_type = |schema: &'a Value, merged: &MergedObject<'_>| {
            type_set(schema).or_else(|| merged.is_object.then(|| BTreeSet::from(["object"])))
        };
        let (old_types, new_types) = match merged {
            Some((old_merged, new_merged)) => {
                (merged_type(old, old_merged), merged_type(new, new_merged))
            }
            None => (type_set(old), type_set(new)),
        };
        if old_types == new_types {
            return true;
        }
        let text = self.text_values;
        let kind = match (&old_types, &new_types) {
            (_, None) => ChangeKind::TypeWidened,
            (None, _) => ChangeKind::TypeNarrowed,
            (Some(before), Some(after)) if admits_all(after, before, text) => {
                ChangeKind::TypeWidened
            }
            (Some(before), Some(after)) if admits_all(before, after, text) => {
                ChangeKind::TypeNarrowed
            }
            _ => type_changed(direction),
        };
        let name = |types: &Option<BTreeSet<&str>>| {
            types.as_ref().map_or_else(
                || "any".to_owned(),
                |types| types.iter().copied().collect::<Vec<_>>().join(" or "),
            )
        };
        self.push(
            kind,
            Some(direction),
            &child(here, "type"),
            format!(
                "{subject}: the type at {here} changed from {} to {}",
                name(&old_types),
                name(&new_types)
            ),
        );
        kind != type_changed(direction)
    }

    fn properties(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        here: &str,
        direction: Direction,
        subject: &str,
        merged: Option<&(MergedObject<'a>, MergedObject<'a>)>,
    ) {
        let request = direction == Direction::Request;
        let (old_props, new_props) = match merged {
            Some((old_merged, new_merged)) => (
                Properties::merged(old_merged, self.old, here, request),
                Properties::merged(new_merged, self.new, here, request),
            ),
            None => (
                Properties::plain(old, self.old, here, request),
                Properties::plain(new, self.new, here, request),
            ),
        };
        let side = Some(direction);
        for (name, old_defs) in &old_props.visible {
            let was_required = old_props.required.contains(name);
            let Some(new_defs) = new_props.visible.get(name) else {
                let at = here_of(old_defs);
                let kind = match (request, was_required) {
                    (true, _) if new_props.closed => {
                        ChangeKind::RequestPropertyRemovedFromClosedObject
                    }
                    (true, _) => ChangeKind::RequestPropertyRemoved,
                    (false, true) => ChangeKind::ResponseRequiredPropertyRemoved,
                    (false, false) => ChangeKind::ResponseOptionalPropertyRemoved,
                };
                self.push(
                    kind,
                    side,
                    &at,
                    format!(
                        "{subject}: property `{name}` was removed (or is not sent on this side)"
                    ),
                );
                continue;
            };
            let at = here_of(new_defs);
            let is_required = new_props.required.contains(name);
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
            match (old_defs.as_slice(), new_defs.as_slice()) {
                ([(_, old_prop)], [(_, new_prop)]) => {
                    self.schema(old_prop, new_prop, &at, direction, &subject);
                }
                _ => self.definitions(old_defs, new_defs, direction, &subject),
            }
        }
        for (name, new_defs) in new_props
            .visible
            .iter()
            .filter(|(name, _)| !old_props.visible.contains_key(*name))
        {
            let at = here_of(new_defs);
            let is_required = new_props.required.contains(name);
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
}

/// The JSON types a schema admits at its top level, `None` for any: its
/// `type`, or the types of a union of bare types (how a 3.1 type list
/// `[string, integer]` reads after normalisation).
fn type_set(schema: &Value) -> Option<BTreeSet<&str>> {
    if let Some(single) = schema_type(schema) {
        return Some(BTreeSet::from([single]));
    }
    ["anyOf", "oneOf"].into_iter().find_map(|combinator| {
        let branches = schema.get(combinator)?.as_array()?;
        (!branches.is_empty() && branches.iter().all(applicators::is_bare_type))
            .then(|| branches.iter().filter_map(schema_type).collect())
    })
}

/// Whether every value of the types `narrow` is a value of the types
/// `wide`: integers are numbers, and where values travel as text (a
/// parameter) a string takes any scalar.
fn admits_all(wide: &BTreeSet<&str>, narrow: &BTreeSet<&str>, text: bool) -> bool {
    narrow.iter().all(|kind| {
        wide.contains(kind)
            || (*kind == "integer" && wide.contains("number"))
            || (text && wide.contains("string") && ["integer", "number", "boolean"].contains(kind))
    })
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

/// Where a property is named: its first definition.
fn here_of(definitions: &[(String, &Value)]) -> String {
    definitions
        .first()
        .map(|(path, _)| path.clone())
        .unwrap_or_default()
}

/// One side's properties as they are compared.
struct Properties<'a> {
    /// Each property on this side, with its definitions (one, unless
    /// merged `allOf` members define it more than once) and where each is.
    /// A readOnly property is never sent, a writeOnly one never comes back:
    /// on that side it is not there at all. A name that is only required
    /// (as under `then`) is a property of any value.
    visible: BTreeMap<&'a str, Vec<(String, &'a Value)>>,
    required: BTreeSet<&'a str>,
    /// Whether other properties are refused (`additionalProperties: false`).
    closed: bool,
}

impl<'a> Properties<'a> {
    fn hidden(document: &crate::Document, property: &Value, request: bool) -> bool {
        let property = document.unwrapped(property).schema;
        let flag = if request { "readOnly" } else { "writeOnly" };
        property.get(flag).and_then(Value::as_bool) == Some(true)
    }

    fn plain(schema: &'a Value, document: &crate::Document, here: &str, request: bool) -> Self {
        let at = |name: &str| child(&child(here, "properties"), name);
        let declared = object(schema.get("properties"));
        let mut visible: BTreeMap<&'a str, Vec<(String, &'a Value)>> = declared
            .iter()
            .filter(|(_, property)| !Self::hidden(document, property, request))
            .map(|(name, property)| (name.as_str(), vec![(at(name), property)]))
            .collect();
        let required = required_set(schema);
        for name in &required {
            if !declared.contains_key(*name) {
                visible.insert(name, vec![(at(name), &ANY)]);
            }
        }
        Self {
            visible,
            required,
            closed: schema.get("additionalProperties") == Some(&Value::Bool(false)),
        }
    }

    fn merged(
        merged: &MergedObject<'a>,
        document: &crate::Document,
        here: &str,
        request: bool,
    ) -> Self {
        let mut visible = BTreeMap::new();
        for (name, definitions) in &merged.properties {
            if definitions
                .iter()
                .any(|definition| Self::hidden(document, definition.schema, request))
            {
                continue;
            }
            let found = definitions
                .iter()
                .map(|definition| (format!("{here}{}", definition.path), definition.schema))
                .collect();
            visible.insert(*name, found);
        }
        for (name, part) in &merged.required {
            if !merged.properties.contains_key(name) {
                let at = child(&child(&format!("{here}{part}"), "properties"), name);
                visible.insert(*name, vec![(at, &ANY)]);
            }
        }
        Self {
            visible,
            required: merged.required.keys().copied().collect(),
            closed: merged
                .additional
                .as_ref()
                .is_some_and(|(_, value)| **value == Value::Bool(false)),
        }
    }
}
