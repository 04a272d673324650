//! The spec pipeline (load, validate, generate, format) on mutated versions
//! of `openapi/keys.yaml` never panics, never hangs, and every refusal
//! names the file.
//!
//! The normal test run tries a fixed budget from a fixed seed, so that it
//! is repeatable. A long campaign, with a seed of your choice:
//!
//! ```sh
//! SPEC_FUZZ_CASES=1000000 SPEC_FUZZ_SEED=$RANDOM \
//!     cargo test --release -p deepgram-keys-codegen --test spec_fuzz
//! ```
//!
//! A failing case is written to `target/spec-fuzz-failures/` and named in
//! the failure; move it to `tests/spec_fuzz/regressions/`, where every run
//! replays it, and fix the pipeline.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// Cases the normal test run tries, and its seed.
const DEFAULT_CASES: u64 = 300;
const DEFAULT_SEED: u64 = 0x5eed_0001;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn project_spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/keys.yaml")
}

/// Runs every stage on `text`, named `file`; returns the error text when the
/// spec is refused. Panics only if the pipeline does.
fn pipeline(file: &Path, text: &str) -> Result<String, String> {
    let document = codegen::Document::parse(file, text).map_err(|err| err.to_string())?;
    let spec = codegen::generator_input(&document).map_err(|e| e.to_string())?;
    let tokens = codegen::generate(&document, &spec).map_err(|e| e.to_string())?;
    codegen::format(file, "fuzz.yaml", tokens).map_err(|e| e.to_string())
}

/// Checks one case: no panic, and a refusal that names the file.
fn check(file: &Path, text: &str) -> Result<(), String> {
    match catch_unwind(AssertUnwindSafe(|| pipeline(file, text))) {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(message)) if message.starts_with(&file.display().to_string()) => Ok(()),
        Ok(Err(message)) => Err(format!("the error does not name the file: {message}")),
        Err(payload) => Err(format!(
            "the pipeline panicked: {}",
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default()
        )),
    }
}

/// Every node of `value`, as JSON pointers.
fn pointers(value: &Value, here: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let at = format!("{here}/{}", codegen::pointer_token(key));
                out.push(at.clone());
                pointers(child, at, out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                let at = format!("{here}/{index}");
                out.push(at.clone());
                pointers(child, at, out);
            }
        }
        _ => {}
    }
}

/// Values that have broken parsers before: wrong types, extremes, odd
/// strings, references that go nowhere, outside, or round in a circle.
fn odd_value(rng: &mut fastrand::Rng, nodes: &[String], spec: &Value) -> Value {
    let schema_names: Vec<String> = spec["components"]["schemas"]
        .as_object()
        .map(|schemas| schemas.keys().cloned().collect())
        .unwrap_or_default();
    let some_schema = |rng: &mut fastrand::Rng| {
        format!(
            "#/components/schemas/{}",
            schema_names
                .get(rng.usize(..schema_names.len().max(1)))
                .cloned()
                .unwrap_or_default()
        )
    };
    match rng.u8(..16) {
        0 => Value::Null,
        1 => json!(rng.bool()),
        2 => json!(rng.i64(..)),
        3 => json!(1e308),
        4 => json!(""),
        5 => json!("x\u{0}\\/\"{}~1%2F"),
        6 => json!([]),
        7 => json!({}),
        8 => json!({"$ref": some_schema(rng)}),
        9 => json!({"$ref": "#/nowhere"}),
        10 => json!({"$ref": "other.yaml#/components/schemas/A"}),
        11 => json!({"$ref": format!("#{}", nodes[rng.usize(..nodes.len())])}),
        12 => json!({"allOf": [{"$ref": some_schema(rng)}]}),
        13 => json!({"type": ["string", "null"]}),
        14 => {
            json!({"type": "object", "properties": {"a": {"$ref": some_schema(rng)}}, "required": ["a", "b"]})
        }
        _ => spec
            .pointer(&nodes[rng.usize(..nodes.len())])
            .cloned()
            .unwrap_or(Value::Null),
    }
}

/// Keys that mean something to OpenAPI, to rename a key into.
const KEYS: [&str; 16] = [
    "200",
    "201",
    "2XX",
    "default",
    "600",
    "abc",
    "$ref",
    "type",
    "oneOf",
    "allOf",
    "application/json",
    "text/plain",
    "get",
    "parameters",
    "required",
    "nullable",
];

/// One structural mutation of `spec`.
fn mutate(rng: &mut fastrand::Rng, spec: &mut Value) {
    let mut nodes = Vec::new();
    pointers(spec, String::new(), &mut nodes);
    if nodes.is_empty() {
        return;
    }
    let target = nodes[rng.usize(..nodes.len())].clone();
    let (parent, last) = target.rsplit_once('/').unwrap_or(("", ""));
    let last = last.replace("~1", "/").replace("~0", "~");
    match rng.u8(..4) {
        0 => match spec.pointer_mut(parent) {
            Some(Value::Object(map)) => {
                map.remove(&last);
            }
            Some(Value::Array(items)) => {
                if let Ok(index) = last.parse::<usize>()
                    && index < items.len()
                {
                    items.remove(index);
                }
            }
            _ => {}
        },
        1 => {
            let replacement = odd_value(rng, &nodes, spec);
            if let Some(node) = spec.pointer_mut(&target) {
                *node = replacement;
            }
        }
        2 => {
            let new_key = KEYS[rng.usize(..KEYS.len())];
            if let Some(Value::Object(map)) = spec.pointer_mut(parent)
                && let Some(value) = map.remove(&last)
            {
                map.insert(new_key.to_owned(), value);
            }
        }
        _ => {
            let extra = odd_value(rng, &nodes, spec);
            match spec.pointer_mut(&target) {
                Some(Value::Object(map)) => {
                    map.insert(KEYS[rng.usize(..KEYS.len())].to_owned(), extra);
                }
                Some(Value::Array(items)) => items.push(extra),
                _ => {}
            }
        }
    }
}

/// One textual mutation: YAML the structural mutations cannot reach.
fn mutate_text(rng: &mut fastrand::Rng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let at = rng.usize(..bytes.len().max(1));
    match rng.u8(..4) {
        0 => bytes.truncate(at),
        1 => {
            let noise = [
                b":", b"-", b"&", b"*", b"!", b"{", b"[", b"'", b"\"", b"\t", b"#", b"|",
            ];
            bytes.insert(at, noise[rng.usize(..noise.len())][0]);
        }
        2 => {
            if at < bytes.len() {
                bytes.remove(at);
            }
        }
        _ => bytes
            .splice(at..at, b"\nx: &a [*a]\n".iter().copied())
            .for_each(drop),
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn mutated_specs_never_panic_and_every_refusal_names_the_file() {
    let cases = env_number("SPEC_FUZZ_CASES", DEFAULT_CASES);
    let seed = env_number("SPEC_FUZZ_SEED", DEFAULT_SEED);
    let original = std::fs::read_to_string(project_spec()).unwrap();
    let parsed = codegen::Document::load(&project_spec())
        .unwrap()
        .root()
        .clone();
    let file = Path::new("fuzz.yaml");
    let mut rng = fastrand::Rng::with_seed(seed);
    let failures_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("spec-fuzz-failures");
    let mut failures = Vec::new();
    for case in 0..cases {
        let text = if rng.u8(..5) == 0 {
            mutate_text(&mut rng, &original)
        } else {
            let mut spec = parsed.clone();
            for _ in 0..rng.usize(1..=4) {
                mutate(&mut rng, &mut spec);
            }
            serde_json::to_string_pretty(&spec).unwrap()
        };
        if let Err(problem) = check(file, &text) {
            std::fs::create_dir_all(&failures_dir).unwrap();
            let saved = failures_dir.join(format!("seed-{seed}-case-{case}.yaml"));
            std::fs::write(&saved, &text).unwrap();
            failures.push(format!(
                "case {case}: {problem}\n  saved as {}",
                saved.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "seed {seed}: {} of {cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_regression_stays_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spec_fuzz/regressions");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "yaml") {
            let text = std::fs::read_to_string(&path).unwrap();
            check(&path, &text).unwrap_or_else(|problem| panic!("{}: {problem}", path.display()));
        }
    }
}
