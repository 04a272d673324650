//! The keywords that apply subschemas: `allOf`/`anyOf`/`oneOf`, `not`,
//! `items`/`prefixItems`, and JSON Schema 2020-12's `if`/`then`/`else`,
//! `contains`, `propertyNames`, `patternProperties`, `dependentSchemas`,
//! `dependentRequired`, `unevaluated*`, `additionalProperties` and the
//! `content*` keywords; plus `discriminator`, which names how to choose
//! among them.
//!
//! An applicator where there was none narrows what is valid; one fewer
//! widens it; a changed one is compared inside, so a new required
//! property under `then` or a larger `minimum` in `prefixItems` counts.

use std::collections::BTreeSet;

use serde_json::Value;

use super::super::{Differ, show};
use super::{schema_type, type_changed};
use crate::document::{DOCUMENTATION, is_documentation};
use crate::document::{child, object};
use crate::review::kind::{ChangeKind, Direction};

/// Keywords whose value is one subschema that values must satisfy (or a
/// boolean; no keyword, `true` and `{}` allow everything).
const ONE_SUBSCHEMA: [&str; 8] = [
    "additionalProperties",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contains",
    "propertyNames",
    "contentSchema",
    "then",
    "else",
];

/// Keywords whose value maps names to subschemas.
const SUBSCHEMA_MAPS: [&str; 2] = ["patternProperties", "dependentSchemas"];

/// Whether an applicator's value (or a media type's schema) allows every
/// instance.
pub(in crate::review::http) fn allows_all(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Bool(true)) => true,
        Some(Value::Object(map)) => map.is_empty(),
        _ => false,
    }
}

/// Whether a branch only states a type (a 3.1 type list reads as an
/// `anyOf` of such branches after normalisation).
pub(super) fn is_bare_type(branch: &Value) -> bool {
    object(Some(branch))
        .keys()
        .all(|key| key == "type" || DOCUMENTATION.contains(&key.as_str()))
        && branch.get("type").is_some_and(Value::is_string)
}

/// Whether a member of `allOf` only annotates (adds a title or a
/// description): it constrains nothing. Only an object annotates: the
/// boolean schema `false` has no keywords and admits no value.
fn annotates_only(member: &Value) -> bool {
    member.as_object().is_some_and(|map| {
        map.keys()
            .all(|key| is_documentation(key) || key == "deprecated")
    })
}

impl<'a> Differ<'a> {
    pub(super) fn applicators(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        here: &str,
        direction: Direction,
        subject: &str,
        merged: bool,
    ) {
        self.items(old, new, here, direction, subject);
        if let (Some(old_if), Some(new_if)) = (old.get("if"), new.get("if"))
            && !self.same_values(old_if, new_if, direction)
        {
            self.push(
                ChangeKind::ConditionChanged,
                Some(direction),
                &child(here, "if"),
                format!(
                    "{subject}: the `if` of a conditional changed from {} to {}",
                    show(old.get("if")),
                    show(new.get("if"))
                ),
            );
        }
        for keyword in ONE_SUBSCHEMA {
            if merged && keyword == "additionalProperties" {
                // Compared with the merged properties.
                continue;
            }
            self.subschema(
                old.get(keyword),
                new.get(keyword),
                &child(here, keyword),
                direction,
                subject,
            );
        }
        self.negation(
            old.get("not"),
            new.get("not"),
            &child(here, "not"),
            direction,
            subject,
        );
        for keyword in SUBSCHEMA_MAPS {
            let at = child(here, keyword);
            let (old_map, new_map) = (object(old.get(keyword)), object(new.get(keyword)));
            for (name, old_schema) in old_map {
                let there = child(&at, name);
                self.subschema(
                    Some(old_schema),
                    new_map.get(name),
                    &there,
                    direction,
                    subject,
                );
            }
            for (name, new_schema) in new_map
                .iter()
                .filter(|(name, _)| !old_map.contains_key(*name))
            {
                let there = child(&at, name);
                self.subschema(None, Some(new_schema), &there, direction, subject);
            }
        }
        self.dependent_required(old, new, here, direction, subject);
        for keyword in ["contentMediaType", "contentEncoding"] {
            if old.get(keyword) != new.get(keyword) {
                self.push(
                    ChangeKind::ContentEncodingChanged,
                    Some(direction),
                    &child(here, keyword),
                    format!(
                        "{subject}: `{keyword}` changed from {} to {}",
                        show(old.get(keyword)),
                        show(new.get(keyword))
                    ),
                );
            }
        }
        self.discriminator(old, new, here, direction, subject);
        self.combinators(old, new, here, direction, subject, merged);
    }

    /// `not`: one more narrows, one fewer widens. A changed one is judged
    /// as a changed condition: narrowing the inner schema widens the outer
    /// one, and the kinds of change are named for the side they are on.
    fn negation(
        &mut self,
        old: Option<&'a Value>,
        new: Option<&'a Value>,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        let (kind, message) = match (old, new) {
            (None, None) => return,
            (Some(old), Some(new)) if self.same_values(old, new, direction) => return,
            (None, Some(new)) => (ChangeKind::ConstraintAdded, format!("a new `not` {new}")),
            (Some(old), None) => (
                ChangeKind::ConstraintRemoved,
                format!("the `not` {old} was removed"),
            ),
            (Some(old), Some(new)) => (
                ChangeKind::ConditionChanged,
                format!("the `not` changed from {old} to {new}"),
            ),
        };
        self.push(kind, Some(direction), here, format!("{subject}: {message}"));
    }

    /// Whether two schemas allow the same values, `$ref`s followed at any
    /// depth: compared on their own (without reporting), nothing but their
    /// documentation differs. What an `if` or a `not` holds is judged so.
    ///
    /// Each pair is judged once: a condition under shared `$ref`s costs one
    /// comparison, and one that refers back to itself while it is judged
    /// (`Node: {properties: {next: {not: {$ref: Node}}}}`) counts as the
    /// same there, so the judgement ends; the comparison already under
    /// way finds whatever differs.
    fn same_values(&mut self, old: &'a Value, new: &'a Value, direction: Direction) -> bool {
        let pair = self.pair(
            self.old.unwrapped(old).schema,
            self.new.unwrapped(new).schema,
            direction,
        );
        if let Some(&same) = self.compared.same_values.get(&pair) {
            return same;
        }
        self.compared.same_values.insert(pair, true);
        let changes = std::mem::take(&mut self.changes);
        let by_operation = std::mem::take(&mut self.compared.by_operation);
        self.schema(old, new, "", direction, "");
        let same = self.changes.iter().all(|change| {
            matches!(
                change.kind,
                ChangeKind::DocumentationChanged | ChangeKind::ExampleChanged
            )
        });
        self.changes = changes;
        self.compared.by_operation = by_operation;
        self.compared.same_values.insert(pair, same);
        same
    }

    /// Compares one applicator's value on both sides; `None` is no keyword.
    pub(super) fn subschema(
        &mut self,
        old: Option<&'a Value>,
        new: Option<&'a Value>,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        let keyword = here.rsplit('/').next().unwrap_or_default();
        match (allows_all(old), allows_all(new), old, new) {
            (true, true, _, _) => {}
            (true, false, _, _) => self.push(
                ChangeKind::ConstraintAdded,
                Some(direction),
                here,
                format!("{subject}: a new `{keyword}` constraint {}", show(new)),
            ),
            (false, true, _, _) => self.push(
                ChangeKind::ConstraintRemoved,
                Some(direction),
                here,
                format!(
                    "{subject}: the `{keyword}` constraint {} was removed",
                    show(old)
                ),
            ),
            (false, false, Some(old), Some(new)) => {
                if old == &Value::Bool(false) || new == &Value::Bool(false) {
                    if old != new {
                        let kind = if new == &Value::Bool(false) {
                            ChangeKind::ConstraintAdded
                        } else {
                            ChangeKind::ConstraintRemoved
                        };
                        let message = format!("{subject}: `{keyword}` went from {old} to {new}");
                        self.push(kind, Some(direction), here, message);
                    }
                } else {
                    self.schema(old, new, here, direction, subject);
                }
            }
            (false, false, _, _) => {}
        }
    }

    /// `prefixItems` and `items`: item by item, what applies at each
    /// position (its `prefixItems` entry, else `items`) is compared, so
    /// dropping `prefixItems` puts `items` in its place.
    fn items(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        let prefix = |schema: &'a Value| -> &'a [Value] {
            schema
                .get("prefixItems")
                .and_then(Value::as_array)
                .map_or(&[], Vec::as_slice)
        };
        let (old_prefix, new_prefix) = (prefix(old), prefix(new));
        let longest = old_prefix.len().max(new_prefix.len());
        for index in 0..longest {
            let at = |schema: &'a Value, list: &'a [Value]| match list.get(index) {
                Some(item) => (
                    Some(item),
                    child(&child(here, "prefixItems"), &index.to_string()),
                ),
                None => (schema.get("items"), child(here, "items")),
            };
            let ((before, _), (after, there)) = (at(old, old_prefix), at(new, new_prefix));
            let subject = format!("{subject}, item {index}");
            self.subschema(before, after, &there, direction, &subject);
        }
        self.subschema(
            old.get("items"),
            new.get("items"),
            &child(here, "items"),
            direction,
            subject,
        );
    }

    fn dependent_required(
        &mut self,
        old: &Value,
        new: &Value,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        let at = child(here, "dependentRequired");
        let pairs = |schema: &Value| -> BTreeSet<(String, String)> {
            object(schema.get("dependentRequired"))
                .iter()
                .flat_map(|(name, needs)| {
                    let needs = needs
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str);
                    needs.map(|need| (name.clone(), need.to_owned()))
                })
                .collect()
        };
        let (before, after) = (pairs(old), pairs(new));
        for (name, need) in after.difference(&before) {
            let message = format!("{subject}: with `{name}`, `{need}` is now required too");
            self.push(
                ChangeKind::ConstraintAdded,
                Some(direction),
                &child(&at, name),
                message,
            );
        }
        for (name, need) in before.difference(&after) {
            let message = format!("{subject}: with `{name}`, `{need}` is no longer required");
            self.push(
                ChangeKind::ConstraintRemoved,
                Some(direction),
                &child(&at, name),
                message,
            );
        }
    }

    fn discriminator(
        &mut self,
        old: &Value,
        new: &Value,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        let at = child(here, "discriminator");
        let side = Some(direction);
        let (before, after) = match (old.get("discriminator"), new.get("discriminator")) {
            (None, None) => return,
            (None, Some(_)) => {
                let message = format!("{subject}: a discriminator was added");
                return self.push(ChangeKind::DiscriminatorAdded, side, &at, message);
            }
            (Some(_), None) => {
                let message = format!("{subject}: the discriminator was removed");
                return self.push(ChangeKind::DiscriminatorRemoved, side, &at, message);
            }
            (Some(before), Some(after)) => (before, after),
        };
        if before.get("propertyName") != after.get("propertyName") {
            let message = format!(
                "{subject}: the discriminator property went from {} to {}",
                show(before.get("propertyName")),
                show(after.get("propertyName"))
            );
            self.push(
                ChangeKind::DiscriminatorPropertyChanged,
                side,
                &child(&at, "propertyName"),
                message,
            );
        }
        let mapping = child(&at, "mapping");
        let (old_map, new_map) = (object(before.get("mapping")), object(after.get("mapping")));
        for (value, target) in old_map {
            let there = child(&mapping, value);
            match new_map.get(value) {
                None => {
                    let message =
                        format!("{subject}: discriminator value `{value}` is no longer mapped");
                    self.push(
                        ChangeKind::DiscriminatorMappingRemoved,
                        side,
                        &there,
                        message,
                    );
                }
                Some(now) if now != target => {
                    let message = format!(
                        "{subject}: discriminator value `{value}` maps to {now} instead of {target}"
                    );
                    self.push(
                        ChangeKind::DiscriminatorMappingChanged,
                        side,
                        &there,
                        message,
                    );
                }
                Some(_) => {}
            }
        }
        for value in new_map.keys().filter(|value| !old_map.contains_key(*value)) {
            let message = format!("{subject}: discriminator value `{value}` is mapped");
            self.push(
                ChangeKind::DiscriminatorMappingAdded,
                side,
                &child(&mapping, value),
                message,
            );
        }
    }

    /// `allOf`, `anyOf` and `oneOf`, branch by branch: equal branches pair
    /// first, then branches of the same type, then the rest in order. A
    /// member more in `allOf` narrows, a branch more in `anyOf`/`oneOf`
    /// widens. Unions of bare types are left to the type comparison.
    fn combinators(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        here: &str,
        direction: Direction,
        subject: &str,
        merged: bool,
    ) {
        let side = Some(direction);
        for combinator in ["allOf", "anyOf", "oneOf"] {
            if merged && combinator == "allOf" {
                // Its members were read into the merged properties.
                continue;
            }
            let at = child(here, combinator);
            let list = |schema: &'a Value| -> &'a [Value] {
                schema
                    .get(combinator)
                    .and_then(Value::as_array)
                    .map_or(&[], Vec::as_slice)
            };
            let (old_list, new_list) = (list(old), list(new));
            if old_list.is_empty() && new_list.is_empty() {
                continue;
            }
            let is_union = |list: &[Value]| list.iter().all(is_bare_type);
            if combinator != "allOf" && is_union(old_list) && is_union(new_list) {
                continue;
            }
            if combinator != "allOf" && (old_list.is_empty() || new_list.is_empty()) {
                // The old schema's rules moved into alternatives or out of
                // them: nothing lines up to compare.
                let message = format!("{subject}: `{combinator}` was added or removed at {here}");
                self.push(type_changed(direction), side, &at, message);
                continue;
            }
            let (pairs, removed, added) = pair_branches(old_list, new_list);
            for (old_index, new_index) in pairs {
                let branch = child(&at, &new_index.to_string());
                self.schema(
                    &old_list[old_index],
                    &new_list[new_index],
                    &branch,
                    direction,
                    subject,
                );
            }
            let (adds, removes) = if combinator == "allOf" {
                (ChangeKind::AllOfMemberAdded, ChangeKind::AllOfMemberRemoved)
            } else {
                (ChangeKind::VariantAdded, ChangeKind::VariantRemoved)
            };
            for index in removed {
                let branch = &old_list[index];
                let there = child(&at, &index.to_string());
                if combinator == "allOf" && annotates_only(self.old.resolved(branch)) {
                    self.documentation(Some(branch), None, &there);
                    continue;
                }
                let message = format!("{subject}: `{combinator}` lost {}", show(Some(branch)));
                self.push(removes, side, &there, message);
            }
            for index in added {
                let branch = &new_list[index];
                let there = child(&at, &index.to_string());
                if combinator == "allOf" && annotates_only(self.new.resolved(branch)) {
                    self.documentation(None, Some(branch), &there);
                    continue;
                }
                let message = format!("{subject}: `{combinator}` gained {}", show(Some(branch)));
                self.push(adds, side, &there, message);
            }
        }
    }
}

impl<'a> Differ<'a> {
    /// The definitions of one property in merged `allOf` members, compared
    /// as the members of an `allOf` are: paired, then a definition more
    /// narrows and one fewer widens.
    pub(super) fn definitions(
        &mut self,
        old: &[(String, &'a Value)],
        new: &[(String, &'a Value)],
        direction: Direction,
        subject: &str,
    ) {
        let values = |list: &[(String, &'a Value)]| -> Vec<&'a Value> {
            list.iter().map(|(_, value)| *value).collect()
        };
        let (pairs, removed, added) = pair_branches(&values(old), &values(new));
        for (old_index, new_index) in pairs {
            let (path, after) = &new[new_index];
            self.schema(old[old_index].1, after, path, direction, subject);
        }
        let side = Some(direction);
        for index in removed {
            let (path, definition) = &old[index];
            if annotates_only(self.old.resolved(definition)) {
                self.documentation(Some(definition), None, path);
                continue;
            }
            let message = format!("{subject}: a definition went: {}", show(Some(definition)));
            self.push(ChangeKind::AllOfMemberRemoved, side, path, message);
        }
        for index in added {
            let (path, definition) = &new[index];
            if annotates_only(self.new.resolved(definition)) {
                self.documentation(None, Some(definition), path);
                continue;
            }
            let message = format!("{subject}: a new definition: {}", show(Some(definition)));
            self.push(ChangeKind::AllOfMemberAdded, side, path, message);
        }
    }
}

/// Whether two branches are to be compared with each other.
type Matcher = dyn Fn(&Value, &Value) -> bool;

/// Pairs the branches of two lists: equal ones, then ones of the same
/// type, then the rest in order. Returns the pairs (old index, new index)
/// and the indices left over on each side.
fn pair_branches<V: std::borrow::Borrow<Value>>(
    old: &[V],
    new: &[V],
) -> (Vec<(usize, usize)>, Vec<usize>, Vec<usize>) {
    let mut old_left: Vec<usize> = (0..old.len()).collect();
    let mut new_left: Vec<usize> = (0..new.len()).collect();
    let mut pairs = Vec::new();
    let same_type =
        |a: &Value, b: &Value| schema_type(a).is_some() && schema_type(a) == schema_type(b);
    let rules: [&Matcher; 3] = [&|a, b| a == b, &same_type, &|_, _| true];
    for (round, matches) in rules.iter().enumerate() {
        // Leftovers pair in order only when nothing would be left over:
        // otherwise an added and a removed branch would read as a change.
        if round == 2 && old_left.len() != new_left.len() {
            break;
        }
        old_left.retain(|&old_index| {
            let found = new_left
                .iter()
                .position(|&new_index| matches(old[old_index].borrow(), new[new_index].borrow()));
            match found {
                Some(position) => {
                    pairs.push((old_index, new_left.remove(position)));
                    false
                }
                None => true,
            }
        });
    }
    (pairs, old_left, new_left)
}
