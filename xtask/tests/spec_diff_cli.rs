//! `cargo xtask spec-diff` as a reviewer runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn pair(name: &str) -> (String, String) {
    let dir = root().join("codegen/tests/diff").join(name);
    let side = |file: &str| dir.join(file).to_string_lossy().into_owned();
    (side("old.yaml"), side("new.yaml"))
}

fn spec_diff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("spec-diff")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_breaking_change_fails_unless_allowed() {
    let (old, new) = pair("parameter-became-required");
    let output = spec_diff(&[&old, &new]);
    assert_eq!(output.status.code(), Some(1));
    let report = stdout(&output);
    assert!(report.contains("### GET /things (list_things)"), "{report}");
    assert!(
        report.contains(
            "- **breaking** `parameter-became-required` at `/paths/~1things/get/parameters/1`"
        ),
        "{report}"
    );
    assert!(
        report.contains("Suggested semver bump for `deepgram-keys`: **major**"),
        "{report}"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("--allow-breaking"));

    assert_eq!(
        spec_diff(&[&old, &new, "--allow-breaking"]).status.code(),
        Some(0)
    );
}

#[test]
fn json_output_has_the_documented_shape() {
    let (old, new) = pair("response-property-added");
    let output = spec_diff(&[&old, &new, "--format", "json"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "a non-breaking change must pass"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let change = &report["changes"][0];
    assert_eq!(change["severity"], "non-breaking");
    assert_eq!(change["kind"], "response-property-added");
    assert_eq!(change["operation"], "GET /things (list_things)");
    assert!(
        change["pointer"]
            .as_str()
            .unwrap()
            .ends_with("/properties/weight")
    );
    assert!(change["message"].as_str().unwrap().contains("weight"));
    assert_eq!(report["rust_api"][0]["kind"], "field-added");
    assert_eq!(report["semver"], "major");
}

#[test]
fn breaking_changes_come_first() {
    let (old, new) = pair("success-status-removed");
    let report = stdout(&spec_diff(&[&old, &new, "--allow-breaking"]));
    let breaking = report.find("**breaking**").unwrap();
    let non_breaking = report.find("non-breaking `response-status-added`").unwrap();
    assert!(breaking < non_breaking, "{report}");
}

#[test]
fn the_workspace_spec_against_head_and_itself_reports_nothing() {
    let spec = root().join("openapi/keys.yaml");
    let spec = spec.to_str().unwrap();
    let output = spec_diff(&[spec, spec]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("No changes."),
        "{}",
        stdout(&output)
    );
    let output = spec_diff(&["--base", "HEAD", "--format", "json"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_broken_spec_gets_the_same_error_as_regen() {
    let broken = root().join("codegen/tests/broken/duplicate_operation_id.yaml");
    let (old, _) = pair("identical");
    let output = spec_diff(&[&old, broken.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("duplicate_operation_id.yaml: operation `things`"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

#[test]
fn an_unknown_revision_is_a_clear_error_and_bad_arguments_exit_2() {
    let output = spec_diff(&["--base", "no-such-revision-anywhere"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("at git revision `no-such-revision-anywhere`")
    );
    assert_eq!(spec_diff(&["only-one.yaml"]).status.code(), Some(2));
    assert_eq!(
        spec_diff(&["a.yaml", "b.yaml", "--base", "HEAD"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn a_spec_beyond_the_generator_still_gets_its_wire_diff() {
    let dir = root().join("xtask/tests/request-media-type-beyond-generator");
    let (old, new) = (dir.join("old.yaml"), dir.join("new.yaml"));
    let output = spec_diff(&[
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "a removed media type is breaking"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["changes"][0]["kind"], "media-type-removed");
    assert_eq!(report["changes"][0]["severity"], "breaking");
    assert_eq!(report["semver"], "major");
    let why = report["rust_api_unavailable"].as_str().unwrap();
    assert!(why.contains("2 media types"), "{why}");
}
