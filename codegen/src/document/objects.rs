//! An object schema read as one: what its own object keywords and those of
//! its `allOf` members say together, when they can be put together without
//! guessing.
//!
//! `{type: object, properties: {a, b}, required: [a]}` and `allOf: [{properties:
//! {a}, required: [a]}, {properties: {b}}]` (with `type: object` somewhere)
//! allow the same values: a value passes every member exactly when each of
//! its properties passes every definition of that property and it has every
//! property some member requires. That holds for members that only describe
//! an object's properties; a member with any other keyword (a bound, an
//! applicator, another type) is a schema of its own, and then no merged
//! reading is given.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::{Document, child, is_documentation, object};

/// The keywords of a member that only describes an object's properties
/// (beside documentation, see [`is_documentation`]); `allOf` members of such
/// members are read into the same object.
const OBJECT_SHAPE: [&str; 5] = [
    "type",
    "properties",
    "required",
    "additionalProperties",
    "allOf",
];

/// How deep members nest before no merged reading is given: each property
/// keeps the path to its definition, so 10,000 nested members cost
/// gigabytes of paths.
const DEEPEST_MEMBERS: usize = 256;

/// One property of a merged object: where each definition of it is.
#[derive(Debug, Clone)]
pub struct Definition<'d> {
    /// The JSON pointer of the definition, below the merged schema (through
    /// resolved `$ref`s).
    pub path: String,
    /// The property's schema there.
    pub schema: &'d Value,
}

/// A schema and its `allOf` members read as one object (see
/// [`Document::merged_object`]).
#[derive(Debug, Clone, Default)]
pub struct MergedObject<'d> {
    /// Each property's definitions, in the order the members give them.
    pub properties: BTreeMap<&'d str, Vec<Definition<'d>>>,
    /// Each required name, with the path (below the merged schema) of the
    /// first member that requires it.
    pub required: BTreeMap<&'d str, String>,
    /// Whether some part says `type: object`: without one, the object
    /// keywords constrain objects only and other values pass.
    pub is_object: bool,
    /// The `additionalProperties` of the one part (with its path), when a
    /// single part is read: beside other members it would judge their
    /// properties as additional, so no merged reading is given then.
    pub additional: Option<(String, &'d Value)>,
    /// Whether `allOf` members were read in (`false`: the schema alone).
    pub has_members: bool,
}

impl Document {
    /// `schema` (with its `$ref`s followed) and its `allOf` members, at any
    /// depth, read as one object: the properties of all, each with all its
    /// definitions, and every name some part requires. `None` when that
    /// reading would guess: the schema's type is not `object` or a member
    /// has another keyword than `type`, `properties`, `required`,
    /// `additionalProperties`, `allOf` and documentation, a member
    /// is met twice (a `$ref` cycle, or one member reached two ways), or an
    /// `additionalProperties` that limits anything stands beside another
    /// part. A schema without `allOf` reads as itself.
    pub fn merged_object<'d>(&'d self, schema: &'d Value) -> Option<MergedObject<'d>> {
        let top = self.resolved(schema);
        let top_type = top.get("type");
        if top_type.is_some_and(|kind| kind != "object") {
            return None;
        }
        let mut merged = MergedObject::default();
        let mut seen = HashSet::from([std::ptr::from_ref(top)]);
        // Depth first, members in order, without recursion: a chain of
        // 10,000 nested members costs no stack.
        let mut parts = vec![(String::new(), top, 0)];
        let mut additional = Vec::new();
        while let Some((path, part, depth)) = parts.pop() {
            if depth > DEEPEST_MEMBERS {
                // Each part keeps its path, as long as its depth: read
                // member by member instead, which stops at its own depth.
                return None;
            }
            // `true` allows every value and adds nothing; `false` admits no
            // value, which no reading of properties says: no merged reading.
            if !part.is_object() {
                if *part == Value::Bool(true) {
                    continue;
                }
                return None;
            }
            let is_top = std::ptr::eq(part, top);
            if !is_top {
                let shaped = object(Some(part))
                    .keys()
                    .all(|key| OBJECT_SHAPE.contains(&key.as_str()) || is_documentation(key));
                if !shaped || part.get("type").is_some_and(|kind| kind != "object") {
                    return None;
                }
            }
            merged.is_object |= part.get("type").is_some();
            for (name, definition) in object(part.get("properties")) {
                merged
                    .properties
                    .entry(name.as_str())
                    .or_default()
                    .push(Definition {
                        path: child(&child(&path, "properties"), name),
                        schema: definition,
                    });
            }
            let required = part.get("required").and_then(Value::as_array);
            for name in required.into_iter().flatten().filter_map(Value::as_str) {
                merged.required.entry(name).or_insert_with(|| path.clone());
            }
            if let Some(value) = part.get("additionalProperties") {
                additional.push((child(&path, "additionalProperties"), value));
            }
            let members = part.get("allOf").and_then(Value::as_array);
            let members = members.map_or(&[][..], Vec::as_slice);
            merged.has_members |= !members.is_empty();
            for (index, member) in members.iter().enumerate().rev() {
                let member = self.resolved(member);
                if !seen.insert(std::ptr::from_ref(member)) {
                    return None;
                }
                let at = child(&child(&path, "allOf"), &index.to_string());
                parts.push((at, member, depth + 1));
            }
        }
        merged.additional = match additional.as_slice() {
            [] => None,
            [(path, value)] if !merged.has_members => Some((path.clone(), *value)),
            many if many.iter().all(|(_, value)| allows_everything(value)) => None,
            _ => return None,
        };
        Some(merged)
    }
}

/// Whether a subschema allows every value (`true`, `{}`).
fn allows_everything(value: &Value) -> bool {
    match value {
        Value::Bool(allowed) => *allowed,
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn document(schemas: Value) -> Document {
        Document::new("spec.yaml", json!({"components": {"schemas": schemas}}))
    }

    fn merged<'d>(doc: &'d Document, name: &str) -> Option<MergedObject<'d>> {
        doc.merged_object(&doc.root()["components"]["schemas"][name])
    }

    #[test]
    fn members_that_describe_properties_read_as_one_object() {
        let doc = document(json!({
            "Split": {"type": "object", "allOf": [
                {"properties": {"a": {"type": "string"}}, "required": ["a"]},
                {"$ref": "#/components/schemas/B"},
            ]},
            "B": {"description": "b", "allOf": [{"properties": {"b": {"type": "integer"}, "a": {"maxLength": 3}}}]},
        }));
        let found = merged(&doc, "Split").unwrap();
        assert!(found.is_object && found.has_members);
        let paths: Vec<(&str, Vec<&str>)> = found
            .properties
            .iter()
            .map(|(name, definitions)| {
                let paths = definitions.iter().map(|d| d.path.as_str()).collect();
                (*name, paths)
            })
            .collect();
        assert_eq!(
            paths,
            [
                (
                    "a",
                    vec!["/allOf/0/properties/a", "/allOf/1/allOf/0/properties/a"]
                ),
                ("b", vec!["/allOf/1/allOf/0/properties/b"]),
            ]
        );
        assert_eq!(
            found.required.get("a").map(String::as_str),
            Some("/allOf/0")
        );
    }

    #[test]
    fn a_merge_that_would_guess_is_not_made() {
        let doc = document(json!({
            "Bound": {"allOf": [{"properties": {"a": {}}}, {"maxProperties": 2}]},
            "Typed": {"type": "string", "allOf": [{"properties": {"a": {}}}]},
            "Other": {"allOf": [{"type": "array"}]},
            "Cycle": {"allOf": [{"$ref": "#/components/schemas/Cycle"}, {"properties": {"a": {}}}]},
            "Twice": {"allOf": [{"$ref": "#/components/schemas/P"}, {"$ref": "#/components/schemas/P"}]},
            "Closed": {"allOf": [{"properties": {"a": {}}, "additionalProperties": false}, {"properties": {"b": {}}}]},
            "Nothing": {"type": "object", "allOf": [{"properties": {"a": {}}}, false]},
            "NothingDeeper": {"allOf": [{"properties": {"a": {}}}, {"allOf": [false]}]},
            "P": {"properties": {"p": {}}},
        }));
        for name in [
            "Bound",
            "Typed",
            "Other",
            "Cycle",
            "Twice",
            "Closed",
            "Nothing",
            "NothingDeeper",
        ] {
            assert!(merged(&doc, name).is_none(), "{name}");
        }
    }

    #[test]
    fn a_schema_without_members_reads_as_itself() {
        let doc = document(json!({
            "Plain": {"type": "object", "properties": {"a": {}}, "additionalProperties": false, "minProperties": 1},
            "Open": {"allOf": [{"properties": {"a": {}}, "additionalProperties": true}, {"properties": {"b": {}}}]},
        }));
        let plain = merged(&doc, "Plain").unwrap();
        assert!(!plain.has_members);
        assert_eq!(
            plain.additional.map(|(path, value)| (path, value.clone())),
            Some(("/additionalProperties".to_owned(), json!(false)))
        );
        let open = merged(&doc, "Open").unwrap();
        assert!(open.additional.is_none() && !open.is_object);
    }

    #[test]
    fn a_long_chain_of_members_is_read_without_recursion() {
        let mut schemas = serde_json::Map::new();
        for level in 0..10_000 {
            let next = json!({"$ref": format!("#/components/schemas/M{}", level + 1)});
            schemas.insert(format!("M{level}"), json!({"allOf": [next]}));
        }
        schemas.insert("M10000".into(), json!({"properties": {"end": {}}}));
        let doc = document(Value::Object(schemas));
        // Deeper than the merge reads: member by member.
        assert!(merged(&doc, "M0").is_none());
        assert_eq!(merged(&doc, "M9800").unwrap().properties.len(), 1);
    }
}
