//! `cargo xtask regen` as a maintainer runs it: exit codes, output, and what
//! happens to the output file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("xtask runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_broken_spec_exits_1_without_a_panic_and_leaves_the_output_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("generated.rs");
    let corpus = root().join("codegen/tests/broken");
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let spec = entry.unwrap().path();
        let before = format!("// committed client for {}\n", spec.display());
        std::fs::write(&out, &before).unwrap();
        let output = xtask(&[
            "regen",
            "--spec",
            spec.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let stderr = text(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{}: {stderr}",
            spec.display()
        );
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(
            stderr.contains(spec.file_name().unwrap().to_str().unwrap()),
            "the error names no file: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            before,
            "{} touched the output",
            spec.display()
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "a temporary file was left behind"
        );
    }
}

#[test]
fn check_shows_a_diff_for_a_spec_edit_and_regen_fixes_it() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("keys.yaml");
    let out = dir.path().join("generated.rs");
    let original = std::fs::read_to_string(root().join("openapi/keys.yaml")).unwrap();
    std::fs::write(&spec, &original).unwrap();
    let (spec, out) = (spec.to_str().unwrap(), out.to_str().unwrap());

    let first = xtask(&["regen", "--spec", spec, "--out", out]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let clean = xtask(&["regen", "--check", "--spec", spec, "--out", out]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stdout));

    let edited = original.replace(
        "Whether a key can still be used.",
        "Whether the key still works.",
    );
    assert_ne!(
        edited, original,
        "the spec no longer has the description this test edits"
    );
    std::fs::write(spec, edited).unwrap();
    let before = std::fs::read_to_string(out).unwrap();
    let stale = xtask(&["regen", "--check", "--spec", spec, "--out", out]);
    let stdout = text(&stale.stdout);
    assert_eq!(stale.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "-    ///Whether a key can still be used.\n+    ///Whether the key still works.\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("is stale: run `cargo xtask regen`"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(out).unwrap(),
        before,
        "--check wrote the file"
    );

    let fix = xtask(&["regen", "--spec", spec, "--out", out]);
    assert_eq!(fix.status.code(), Some(0), "{}", text(&fix.stderr));
    let after = xtask(&["regen", "--check", "--spec", spec, "--out", out]);
    assert_eq!(after.status.code(), Some(0), "{}", text(&after.stdout));
}

#[test]
fn bad_arguments_exit_2() {
    assert_eq!(xtask(&["regen", "--no-such-flag"]).status.code(), Some(2));
    assert_eq!(xtask(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn a_missing_spec_is_a_clear_error() {
    let output = xtask(&["regen", "--check", "--spec", "does/not/exist.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("does/not/exist.yaml: cannot read the spec"),
        "{}",
        text(&output.stderr)
    );
}
