//! The spec-diff cases: `base.yaml`, and under `cases/` one file per case
//! that states only its change, as JSON Patches (RFC 6902) against the
//! base: `new:` for the spec after the change, and `old:` when the spec
//! before it is not the base itself.
//!
//! Shared by codegen's table test and xtask's command-line tests.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// This folder.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(if env!("CARGO_PKG_NAME") == "xtask" {
        "../codegen/tests/spec_diff"
    } else {
        "tests/spec_diff"
    })
}

/// Every case on disk, by name.
#[allow(dead_code)] // only the table test lists the cases
pub fn names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir().join("cases"))
        .unwrap()
        .map(|entry| {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".yaml")
                .unwrap_or_else(|| panic!("{name}: a case is a .yaml file"))
                .to_owned()
        })
        .collect();
    names.sort();
    names
}

/// The specs before and after the change of case `name`.
pub fn sides(name: &str) -> (Value, Value) {
    let base = codegen::Document::load(&dir().join("base.yaml"))
        .unwrap()
        .root()
        .clone();
    let file = dir().join("cases").join(format!("{name}.yaml"));
    let case = codegen::Document::load(&file).unwrap().root().clone();
    let side = |which: &str| {
        let mut spec = base.clone();
        if let Some(patch) = case.get(which) {
            let patch: json_patch::Patch =
                serde_json::from_value(patch.clone()).unwrap_or_else(|err| {
                    panic!("{}: `{which}` is not a JSON Patch: {err}", file.display())
                });
            json_patch::patch(&mut spec, &patch).unwrap_or_else(|err| {
                panic!("{}: `{which}` does not apply: {err}", file.display())
            });
        }
        spec
    };
    (side("old"), side("new"))
}

/// Writes the two sides of case `name` into `dir`, as spec-diff's command
/// line reads them; returns their paths.
#[allow(dead_code)] // only the command-line tests write files
pub fn write_sides(name: &str, dir: &Path) -> (String, String) {
    let (old, new) = sides(name);
    let write = |which: &str, spec: &Value| {
        let path = dir.join(format!("{name}-{which}.json"));
        std::fs::write(&path, serde_json::to_string_pretty(spec).unwrap()).unwrap();
        path.to_string_lossy().into_owned()
    };
    (write("old", &old), write("new", &new))
}
