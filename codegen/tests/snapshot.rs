//! The generated source for a small spec, kept under version control so that
//! a change to the generator or its pinned dependencies shows up as a diff.
//! Update it with `EXPECTORATE=overwrite cargo test -p deepgram-keys-codegen`.

use std::path::Path;

#[test]
fn small_spec_generates_the_snapshot() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshot");
    let source = codegen::client_source(
        &dir.join("widgets.yaml"),
        "codegen/tests/snapshot/widgets.yaml",
    )
    .unwrap();
    expectorate::assert_contents(dir.join("widgets.rs"), &source);
}
