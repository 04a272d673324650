//! `$ref`: how a reference resolves, and which references are refused.
//!
//! Only references inside the document are supported. A chain of
//! references that comes back to where it started without any structure in
//! between (`A: {$ref: B}`, `B: {$ref: A}`, or a schema that is only a
//! `$ref` to itself) describes a type with no values: it is refused,
//! naming the cycle, by every tool alike. So is a schema that is one of its
//! own `allOf` members (`S: {allOf: [{$ref: S}, {...}]}`), which the
//! generator cannot build.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use serde_json::Value;

use super::{Document, keywords, pointer, walk};
use crate::error::Error;

/// Why a `$ref` does not lead to an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefProblem {
    /// `$ref` is not a string.
    NotAString,
    /// The reference names another document.
    External(String),
    /// Nothing is at the reference.
    Dangling(String),
    /// The references, in order, come back to the first one with no
    /// structure in between.
    Cycle(Vec<String>),
}

impl fmt::Display for RefProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAString => f.write_str("`$ref` must be a string"),
            Self::External(reference) => write!(
                f,
                "`{reference}` refers to another document, which is followed only in a spec read from its own file (not from a git revision or a download)"
            ),
            Self::Dangling(reference) => write!(f, "`$ref: {reference}` points to nothing"),
            Self::Cycle(chain) => {
                let mut names: Vec<&str> = chain.iter().map(String::as_str).collect();
                names.push(chain[0].as_str());
                write!(
                    f,
                    "the references {} form a cycle with nothing between them, so no value has this type",
                    names
                        .iter()
                        .map(|name| format!("`{name}`"))
                        .collect::<Vec<_>>()
                        .join(" -> ")
                )
            }
        }
    }
}

impl RefProblem {
    /// What the maintainer should do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::NotAString => "write the reference as `$ref: \"#/components/schemas/Name\"`",
            Self::External(_) => {
                "copy the referenced definition under `components` and refer to it as `#/components/...`, or compare files in a folder"
            }
            Self::Dangling(_) => "define the referenced item, or correct the reference",
            Self::Cycle(_) => {
                "give one schema of the cycle real structure (an object with properties, an array, or `nullable: true`), or point one reference elsewhere"
            }
        }
    }
}

impl Document {
    /// The item `value` stands for: `value` itself, or what its chain of
    /// `$ref`s ends at.
    pub fn resolve<'d>(&'d self, value: &'d Value) -> Result<&'d Value, RefProblem> {
        self.follow(value, |_| true)
    }

    /// The one follower of references: from `value`, through its chain of
    /// `$ref`s for as long as `onward` says to go on from an item that holds
    /// one (the first `$ref` is always followed), to the first item that
    /// holds none or where `onward` says to stop.
    pub(crate) fn follow<'d>(
        &'d self,
        value: &'d Value,
        onward: impl Fn(&Value) -> bool,
    ) -> Result<&'d Value, RefProblem> {
        let Some(first) = value.get("$ref") else {
            return Ok(value);
        };
        let first = first.as_str().ok_or(RefProblem::NotAString)?;
        self.chain(Cow::Borrowed(first), |item, _| match item.get("$ref") {
            Some(reference) if onward(item) => reference
                .as_str()
                .map(|reference| Some(Cow::Borrowed(reference)))
                .ok_or(RefProblem::NotAString),
            _ => Ok(None),
        })
    }

    /// The one walk along a chain of references: from `first` to its
    /// target, then on to the reference `next` names for each item reached
    /// (given with the reference that reached it), until `next` names none;
    /// a reference met twice is a cycle.
    fn chain<'d>(
        &'d self,
        first: Cow<'d, str>,
        mut next: impl FnMut(&'d Value, &str) -> Result<Option<Cow<'d, str>>, RefProblem>,
    ) -> Result<&'d Value, RefProblem> {
        // In order, to name a cycle; and as a set, so that a chain of
        // 100,000 references is walked in linear time.
        let mut followed: Vec<Cow<'d, str>> = Vec::new();
        let mut seen: HashSet<Cow<'d, str>> = HashSet::new();
        let mut reference = first;
        loop {
            if seen.contains(&reference) {
                let start = followed.iter().position(|seen| *seen == reference);
                return Err(RefProblem::Cycle(
                    followed[start.unwrap_or(0)..]
                        .iter()
                        .map(|seen| seen.to_string())
                        .collect(),
                ));
            }
            let target = self.target(&reference)?;
            let onward = next(target, &reference)?;
            seen.insert(reference.clone());
            followed.push(reference);
            match onward {
                Some(onward) => reference = onward,
                None => return Ok(target),
            }
        }
    }

    /// [`Document::resolve`] for a document whose references were checked
    /// (see [`Document::reference_problems`]); on a problem, `value` itself.
    pub fn resolved<'d>(&'d self, value: &'d Value) -> &'d Value {
        self.resolve(value).unwrap_or(value)
    }

    /// What one local reference points at.
    fn target(&self, reference: &str) -> Result<&Value, RefProblem> {
        let fragment = reference
            .strip_prefix('#')
            .ok_or_else(|| RefProblem::External(reference.to_owned()))?;
        self.root
            .pointer(fragment)
            .ok_or_else(|| RefProblem::Dangling(reference.to_owned()))
    }

    /// Every `$ref` in the document must be a local reference that points
    /// at something, and no chain of references may be a cycle with nothing
    /// between: the problems, in document order.
    pub fn reference_problems(&self) -> Vec<Error> {
        let mut problems = Vec::new();
        let mut cycles = BTreeSet::new();
        let mut aliases = AliasCycles::default();
        walk::references(&self.root, &mut |path, node| {
            let Some(reference) = node.get("$ref") else {
                return;
            };
            let found = match reference.as_str() {
                None => Some(RefProblem::NotAString),
                Some(reference) => self.target(reference).err().or_else(|| {
                    self.alias_cycle(reference, &mut aliases)
                        .map(RefProblem::Cycle)
                }),
            };
            if let Some(found) = found {
                // A cycle is reported where it is written, whichever use of
                // it was met first, so every tool names the same place.
                let at = match &found {
                    RefProblem::Cycle(chain) => self.cycle_pointer(&chain[0]),
                    _ => format!("{}/$ref", pointer(path)),
                };
                // A cycle is met once per member: it is named once.
                if !matches!(found, RefProblem::Cycle(_)) || cycles.insert(at.clone()) {
                    let found = match found {
                        RefProblem::Cycle(chain) => RefProblem::Cycle(
                            chain
                                .iter()
                                .map(|reference| self.reference_as_written(reference))
                                .collect(),
                        ),
                        RefProblem::Dangling(reference) => {
                            RefProblem::Dangling(self.reference_as_written(&reference))
                        }
                        other => other,
                    };
                    problems.push(self.invalid(None, at, found.to_string(), found.hint()));
                }
            }
        });
        if cycles.is_empty() {
            problems.extend(self.member_cycles());
        }
        problems
    }

    /// Schemas that are their own `allOf` member, through `$ref`s
    /// (`S: {allOf: [{$ref: S}, {...}]}`): a schema that must pass itself
    /// says nothing a generator can build (progenitor recursed until the
    /// stack overflowed, which nothing can catch), so it is refused like a
    /// cycle of aliases, once per `$ref` that closes such a cycle. Walked
    /// depth first without recursion, each schema once.
    fn member_cycles(&self) -> Vec<Error> {
        // Where a schema leads through `$ref` and `allOf` only.
        // Each step says whether it follows a `$ref` (or enters a member).
        let onward = |at: &str| -> Vec<(String, bool)> {
            let Some(node) = self.root.pointer(at) else {
                return Vec::new();
            };
            let mut next = Vec::new();
            if let Some(target) = node
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|reference| reference.strip_prefix('#'))
                .filter(|target| self.root.pointer(target).is_some())
            {
                next.push((target.to_owned(), true));
            }
            // One member beside more than annotations (`nullable`) is a
            // schema of its own, which the generator builds.
            let members = node.get("allOf").and_then(Value::as_array);
            let count = members.map_or(0, Vec::len);
            let parts = if count == 1 && lone_branch(node, keywords::is_annotation).is_none() {
                0
            } else {
                count
            };
            for index in 0..parts {
                next.push((format!("{at}/allOf/{index}"), false));
            }
            next
        };
        let mut starts = Vec::new();
        walk::references(&self.root, &mut |path, _| starts.push(pointer(path)));
        // `true`: on the walk's current path; `false`: done.
        let mut state: HashMap<String, bool> = HashMap::new();
        let mut closing = BTreeSet::new();
        for start in starts {
            if state.contains_key(&start) {
                continue;
            }
            let mut stack = vec![(start.clone(), onward(&start), 0)];
            state.insert(start, true);
            while let Some((at, next, index)) = stack.last_mut() {
                let Some((step, is_ref)) = next.get(*index).cloned() else {
                    state.insert(at.clone(), false);
                    stack.pop();
                    continue;
                };
                *index += 1;
                match state.get(&step) {
                    Some(true) if is_ref => {
                        closing.insert(format!("{at}/$ref"));
                    }
                    Some(true) => {
                        closing.insert(self.cycle_pointer(&step));
                    }
                    Some(false) => {}
                    None => {
                        state.insert(step.clone(), true);
                        let further = onward(&step);
                        stack.push((step, further, 0));
                    }
                }
            }
        }
        closing
            .into_iter()
            .map(|at| {
                self.invalid(
                    None,
                    at,
                    "this leads back, through `$ref`s and `allOf` members only, to a schema it is a member of: a schema cannot be one of its own parts",
                    "move what the schemas share into a schema of its own and refer to that from each, or use a property for the recursion (`properties: {next: {$ref: ...}}`)",
                )
            })
            .collect()
    }

    /// How deep `allOf` members nest, through `$ref`s: the most members
    /// met on one chain from a schema into a member of a member... (a
    /// reference that comes back is not followed again). The generator
    /// merges members recursively, so a deep chain overflows its stack.
    /// Walked without recursion, each schema once.
    pub fn member_depth(&self) -> usize {
        let onward = |at: &str| -> Vec<(String, usize)> {
            let Some(node) = self.root.pointer(at) else {
                return Vec::new();
            };
            let mut next = Vec::new();
            if let Some(target) = node
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|reference| reference.strip_prefix('#'))
            {
                next.push((target.to_owned(), 0));
            }
            let members = node.get("allOf").and_then(Value::as_array);
            for index in 0..members.map_or(0, Vec::len) {
                next.push((format!("{at}/allOf/{index}"), 1));
            }
            next
        };
        let mut starts = Vec::new();
        walk::references(&self.root, &mut |path, _| starts.push(pointer(path)));
        // The depth below each schema once known; `None` while on the path.
        let mut depth: HashMap<String, Option<usize>> = HashMap::new();
        let mut deepest = 0;
        for start in starts {
            if depth.contains_key(&start) {
                continue;
            }
            depth.insert(start.clone(), None);
            let mut stack = vec![(start.clone(), onward(&start), 0, 0)];
            while let Some((at, next, index, below)) = stack.last_mut() {
                let Some((step, cost)) = next.get(*index).cloned() else {
                    let (at, below) = (at.clone(), *below);
                    depth.insert(at, Some(below));
                    deepest = deepest.max(below);
                    stack.pop();
                    if let Some((_, parent_next, parent_index, parent_below)) = stack.last_mut() {
                        let cost = parent_next[*parent_index - 1].1;
                        *parent_below = (*parent_below).max(below + cost);
                    }
                    continue;
                };
                *index += 1;
                match depth.get(&step) {
                    Some(Some(known)) => *below = (*below).max(known + cost),
                    Some(None) => {}
                    None => {
                        depth.insert(step.clone(), None);
                        let further = onward(&step);
                        stack.push((step, further, 0, 0));
                    }
                }
            }
        }
        deepest
    }

    /// Where a cycle is reported: the `$ref` of its first member, or the
    /// member itself when it is a single-branch `allOf`/`anyOf`/`oneOf`.
    fn cycle_pointer(&self, member: &str) -> String {
        let fragment = member.strip_prefix('#').unwrap_or(member);
        match self.root.pointer(fragment) {
            Some(node) if node.get("$ref").is_some() => format!("{fragment}/$ref"),
            _ => fragment.to_owned(),
        }
    }

    /// Follows `reference` through items that are only another name for
    /// their target; returns the cycle, if the chain comes back on itself,
    /// starting from its smallest reference. What each reference reached
    /// leads to is kept in `known`, so that a chain is walked once however
    /// many references enter it: the references of a whole document are
    /// checked in linear time.
    fn alias_cycle(&self, reference: &str, known: &mut AliasCycles) -> Option<Vec<String>> {
        let mut reached: Vec<String> = Vec::new();
        let mut joined = None;
        let through_aliases = |target: &Value, at: &str| {
            if let Some(verdict) = known.verdicts.get(at) {
                joined = Some(*verdict);
                return Ok(None);
            }
            reached.push(at.to_owned());
            let fragment = at.strip_prefix('#');
            Ok(fragment.and_then(|fragment| alias_of(target, fragment).map(Cow::Owned)))
        };
        let verdict = match self.chain(Cow::Borrowed(reference), through_aliases) {
            Err(RefProblem::Cycle(mut cycle)) => {
                let smallest = (0..cycle.len()).min_by_key(|&i| &cycle[i]).unwrap_or(0);
                cycle.rotate_left(smallest);
                known.cycles.push(cycle);
                Some(known.cycles.len() - 1)
            }
            _ => joined.flatten(),
        };
        for at in reached {
            known.verdicts.insert(at, verdict);
        }
        verdict.map(|cycle| known.cycles[cycle].clone())
    }
}

/// What chains of aliases lead to, as [`Document::alias_cycle`] found.
#[derive(Default)]
struct AliasCycles {
    /// Each reference reached: the cycle (in `cycles`) its chain ends in,
    /// or `None` when it ends at an item with structure, or at a problem
    /// reported where that is written.
    verdicts: HashMap<String, Option<usize>>,
    cycles: Vec<Vec<String>>,
}

/// The reference a schema is only another name for: its `$ref` (siblings
/// of `$ref` are ignored in OpenAPI 3.0), or the one branch of a lone
/// `allOf`/`anyOf`/`oneOf` beside annotations only.
fn alias_of(schema: &Value, fragment: &str) -> Option<String> {
    if let Some(reference) = schema.get("$ref") {
        return reference.as_str().map(str::to_owned);
    }
    let (keyword, _) = lone_branch(schema, keywords::is_annotation)?;
    Some(format!("#{fragment}/{keyword}/0"))
}

/// The one branch a schema stands for: the lone member of its `allOf`,
/// `anyOf` or `oneOf` when every other keyword of the schema is one that
/// `beside` accepts; with the keyword that holds it. A single branch allows
/// exactly what it allows, under any of the three.
pub(crate) fn lone_branch(schema: &Value, beside: impl Fn(&str) -> bool) -> Option<(&str, &Value)> {
    let mut structure = schema.as_object()?.iter().filter(|(key, _)| !beside(key));
    let (keyword, branches) = structure.next()?;
    if structure.next().is_some() || !matches!(keyword.as_str(), "allOf" | "anyOf" | "oneOf") {
        return None;
    }
    match branches.as_array()?.as_slice() {
        [only] => Some((keyword.as_str(), only)),
        _ => None,
    }
}

/// A schema seen through what only names or documents it (see
/// [`Document::unwrapped`]).
#[derive(Debug, Clone)]
pub struct Unwrapped<'d> {
    /// The schema that says what values are allowed.
    pub schema: &'d Value,
    /// The wrappers looked through, outermost first (lone branches beside
    /// documentation only, and `$ref`s with documentation beside them):
    /// their documentation is what a reader sees first.
    pub wrappers: Vec<&'d Value>,
    /// Where `schema` is below the schema that was unwrapped, through
    /// resolved `$ref`s (`/allOf/0` for one wrapper, `""` for none).
    pub path: String,
}

impl Document {
    /// `schema` with its `$ref`s followed and every wrapper that only
    /// documents its one branch looked through: `{allOf: [{$ref: S}],
    /// description: ...}`, the way OpenAPI 3.0 documents a referenced
    /// schema, and 3.1's `{$ref: S, description: ...}` stand for `S` itself,
    /// at `S`'s own place. A wrapper with anything else beside its branch
    /// (`nullable`, `deprecated`, `readOnly`, a constraint) is a schema of
    /// its own. A chain that comes back on itself (which
    /// [`Document::reference_problems`] refuses) stops where it would
    /// repeat.
    pub fn unwrapped<'d>(&'d self, schema: &'d Value) -> Unwrapped<'d> {
        let mut seen = std::collections::HashSet::new();
        let mut found = Unwrapped {
            schema,
            wrappers: Vec::new(),
            path: String::new(),
        };
        while seen.insert(std::ptr::from_ref(found.schema)) {
            let current = found.schema;
            if current.get("$ref").is_some() {
                // One reference at a time, so that documentation beside any
                // of them (3.1 allows it) is seen.
                let Ok(target) = self.follow(current, |_| false) else {
                    break;
                };
                if current.as_object().is_some_and(|map| map.len() > 1) {
                    found.wrappers.push(current);
                }
                found.schema = target;
            } else if let Some((keyword, branch)) = lone_branch(current, keywords::is_documentation)
            {
                found.wrappers.push(current);
                found.path.push('/');
                found.path.push_str(keyword);
                found.path.push_str("/0");
                found.schema = branch;
            } else {
                break;
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn document(schemas: Value) -> Document {
        Document::new(
            "spec.yaml",
            json!({"components": {"schemas": schemas}, "x": {"$ref": "#/components/schemas/A"}}),
        )
    }

    fn problem(document: &Document) -> String {
        document.reference_problems()[0].to_string()
    }

    #[test]
    fn a_schema_that_is_only_a_ref_to_itself_is_a_cycle() {
        let doc = document(json!({"A": {"$ref": "#/components/schemas/A"}}));
        let err = problem(&doc);
        assert!(err.contains("at /components/schemas/A/$ref"), "{err}");
        assert!(
            err.contains("`#/components/schemas/A` -> `#/components/schemas/A` form a cycle"),
            "{err}"
        );
        assert!(matches!(
            doc.resolve(&doc.root()["x"]),
            Err(RefProblem::Cycle(_))
        ));
    }

    #[test]
    fn a_cycle_is_named_from_its_smallest_member_wherever_it_is_entered() {
        let doc = document(json!({
            "C": {"$ref": "#/components/schemas/B"},
            "B": {"allOf": [{"$ref": "#/components/schemas/A"}], "description": "only words"},
            "A": {"$ref": "#/components/schemas/C"},
        }));
        let err = problem(&doc);
        assert!(err.contains("at /components/schemas/A/$ref"), "{err}");
        assert!(
            err.contains("`#/components/schemas/A` -> `#/components/schemas/C` -> `#/components/schemas/B` -> `#/components/schemas/B/allOf/0` -> `#/components/schemas/A`"),
            "{err}"
        );
    }

    #[test]
    fn structure_between_makes_a_recursive_type_not_a_cycle() {
        for schemas in [
            json!({"A": {"type": "array", "items": {"$ref": "#/components/schemas/A"}}}),
            json!({"A": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/A"}}}}),
            json!({"A": {"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true}}),
            json!({"A": {"oneOf": [{"$ref": "#/components/schemas/A"}, {"type": "string"}]}}),
        ] {
            let problems = document(schemas.clone()).reference_problems();
            assert!(problems.is_empty(), "{schemas}: {problems:?}");
        }
    }

    /// `S0` -> `S1` -> ... -> `S{length}`, each only a `$ref` to the next,
    /// and `S{length}` is `last`; every schema is also used from `uses`.
    fn alias_chain(length: usize, last: Value) -> Document {
        let mut schemas = serde_json::Map::new();
        let mut uses = Vec::new();
        for level in 0..=length {
            let name = format!("#/components/schemas/S{level}");
            let schema = match level == length {
                true => last.clone(),
                false => json!({"$ref": format!("#/components/schemas/S{}", level + 1)}),
            };
            schemas.insert(format!("S{level}"), schema);
            uses.push(json!({"$ref": name}));
        }
        Document::new(
            "spec.yaml",
            json!({"components": {"schemas": schemas}, "uses": uses}),
        )
    }

    /// `check(document)`, failing if it takes more than a minute: ample
    /// for a linear walk of a long chain in a debug build, far too little
    /// for one per reference.
    fn within_a_minute(document: Document, check: fn(&Document) -> Vec<Error>) -> Vec<Error> {
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(check(&document));
        });
        receiver
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|err| panic!("not checked within a minute: {err}"))
    }

    #[test]
    fn a_long_chain_of_aliases_is_checked_in_linear_time() {
        // Each reference's chain walked again, with a list for the cycle
        // check, took time cubic in the length: 10,000 never finished.
        for length in [10_000, 100_000] {
            let document = alias_chain(length, json!({"type": "object"}));
            let problems = within_a_minute(document.clone(), Document::reference_problems);
            assert!(problems.is_empty(), "{length}: {problems:?}");
            let first = &document.root()["uses"][0];
            assert_eq!(document.resolve(first), Ok(&json!({"type": "object"})));

            let last = json!({"$ref": format!("#/components/schemas/S{}", length - 1)});
            let problems = within_a_minute(alias_chain(length, last), Document::reference_problems);
            let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
            let (a, b) = (
                format!("#/components/schemas/S{}", length - 1),
                format!("#/components/schemas/S{length}"),
            );
            let (smallest, other) = if a < b { (a, b) } else { (b, a) };
            assert_eq!(problems.len(), 1, "{length}: {problems:?}");
            assert!(
                problems[0].contains(&format!("at {}/$ref", &smallest[1..])),
                "{length}: {problems:?}"
            );
            assert!(
                problems[0].contains(&format!(
                    "`{smallest}` -> `{other}` -> `{smallest}` form a cycle"
                )),
                "{length}: {problems:?}"
            );
        }
    }

    #[test]
    fn documenting_wrappers_stand_for_their_branch() {
        let doc = document(json!({
            "A": {"allOf": [{"$ref": "#/components/schemas/B"}], "description": "a"},
            "B": {"$ref": "#/components/schemas/C", "title": "b"},
            "C": {"oneOf": [{"type": "string"}], "x-note": "c"},
            "Nullable": {"allOf": [{"$ref": "#/components/schemas/C"}], "nullable": true},
            "Two": {"allOf": [{"type": "string"}, {"maxLength": 3}]},
            "Loop": {"allOf": [{"$ref": "#/components/schemas/Loop"}], "description": "l"},
        }));
        let schemas = &doc.root()["components"]["schemas"];
        let a = doc.unwrapped(&doc.root()["x"]);
        assert_eq!(a.schema, &json!({"type": "string"}));
        assert_eq!(a.path, "/allOf/0/oneOf/0");
        assert_eq!(
            a.wrappers,
            [&schemas["A"], &schemas["B"], &schemas["C"]],
            "outermost first"
        );
        for name in ["Nullable", "Two"] {
            let found = doc.unwrapped(&schemas[name]);
            assert!(std::ptr::eq(found.schema, &schemas[name]), "{name}");
            assert!(found.wrappers.is_empty() && found.path.is_empty(), "{name}");
        }
        // A wrapper of itself ends where it would repeat.
        let found = doc.unwrapped(&schemas["Loop"]);
        assert!(std::ptr::eq(found.schema, &schemas["Loop"]));
    }

    #[test]
    fn a_long_chain_of_wrappers_is_unwrapped_in_linear_time() {
        let mut schemas = serde_json::Map::new();
        for level in 0..10_000 {
            let next = json!({"$ref": format!("#/components/schemas/W{}", level + 1)});
            schemas.insert(
                format!("W{level}"),
                json!({"allOf": [next], "description": "w"}),
            );
        }
        schemas.insert("W10000".into(), json!({"type": "integer"}));
        let mut root = json!({"components": {"schemas": schemas}});
        root["x"] = json!({"$ref": "#/components/schemas/W0"});
        let doc = Document::new("spec.yaml", root);
        let found = doc.unwrapped(&doc.root()["x"]);
        assert_eq!(found.schema, &json!({"type": "integer"}));
        assert_eq!(found.wrappers.len(), 10_000);
    }

    #[test]
    fn a_schema_that_is_its_own_member_is_refused_and_recursion_is_not() {
        // rev-17: progenitor overflowed its stack on `S: {allOf: [{$ref: S}, ...]}`.
        let own = |schemas: Value| {
            document(schemas)
                .reference_problems()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        };
        let found = own(json!({
            "A": {"allOf": [{"$ref": "#/components/schemas/A"}, {"properties": {"a": {}}}]},
        }));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("/components/schemas/A/allOf/0/$ref")
                && found[0].contains("one of its own parts"),
            "{found:?}"
        );
        let found = own(json!({
            "A": {"allOf": [{"$ref": "#/components/schemas/B"}, {"properties": {"a": {}}}]},
            "B": {"allOf": [{"properties": {"b": {}}}, {"$ref": "#/components/schemas/A"}]},
        }));
        assert_eq!(found.len(), 1, "{found:?}");
        // Recursion through a property or an item is a schema of values.
        let found = own(json!({
            "A": {"allOf": [{"$ref": "#/components/schemas/Node"}]},
            "Node": {"allOf": [{"properties": {"next": {"$ref": "#/components/schemas/A"}}}, {"properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}]},
        }));
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn member_depth_counts_nested_members_through_references() {
        let mut schemas = serde_json::Map::new();
        for level in 0..10_000 {
            let next = json!({"$ref": format!("#/components/schemas/A{}", level + 1)});
            schemas.insert(
                format!("A{level}"),
                json!({"allOf": [next, {"properties": {"p": {}}}]}),
            );
        }
        schemas.insert("A10000".into(), json!({"type": "object"}));
        schemas.insert("A".into(), json!({"$ref": "#/components/schemas/A0"}));
        assert_eq!(document(Value::Object(schemas)).member_depth(), 10_000);
        let flat = document(json!({"A": {"allOf": [{"properties": {}}, {"properties": {}}]}}));
        assert_eq!(flat.member_depth(), 1);
    }

    #[test]
    fn dangling_external_and_non_string_references_are_refused() {
        for (target, phrase) in [
            (json!("#/components/schemas/Nope"), "points to nothing"),
            (json!("other.yaml#/A"), "refers to another document"),
            (json!(5), "must be a string"),
        ] {
            let doc = Document::new("spec.yaml", json!({"a": [{"b": {"$ref": target}}]}));
            let err = problem(&doc);
            assert!(err.contains("at /a/0/b/$ref"), "{err}");
            assert!(err.contains(phrase), "{err}");
        }
    }
}
