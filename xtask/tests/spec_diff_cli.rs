//! `cargo xtask spec-diff` as a reviewer runs it.

#[path = "../../codegen/tests/spec_diff/cases.rs"]
mod cases;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// What every tool says about `codegen/tests/broken/ref_cycle_self.yaml`.
const CYCLE_ERROR: &str = "at /components/schemas/Problem/$ref: the references `#/components/schemas/Problem` -> `#/components/schemas/Problem` form a cycle";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// The two sides of a spec-diff case, written to files in `dir`.
fn pair(name: &str, dir: &tempfile::TempDir) -> (String, String) {
    cases::write_sides(name, dir.path())
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
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = pair("parameter-became-required", &dir);
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
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = pair("response-property-added", &dir);
    let output = spec_diff(&[&old, &new, "--format", "json"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "harmless on the wire, but a new field breaks struct literals"
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
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = pair("success-status-removed", &dir);
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

/// The JSON report of a spec-diff that read both documents.
fn json_report(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "no JSON report ({err}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn an_invalid_spec_is_reviewed_and_its_problems_are_warnings() {
    let broken = root().join("codegen/tests/broken/duplicate_operation_id.yaml");
    let dir = tempfile::tempdir().unwrap();
    let (old, _) = pair("identical", &dir);
    let output = spec_diff(&[&old, broken.to_str().unwrap(), "--format", "json"]);
    assert_ne!(output.status.code(), Some(2), "the document was read");
    let report = json_report(&output);
    assert_eq!(
        report["warnings"][0],
        serde_json::json!({
            "document": "new",
            "operation": "things",
            "pointer": "/paths/~1other/get/operationId",
            "problem": "duplicate operationId `things`, first used at /paths/~1things/get",
            "fix": "give every operation its own operationId",
        })
    );
    assert!(
        report["rust_api_unavailable"]
            .as_str()
            .unwrap()
            .contains("the new document is not valid OpenAPI")
    );
    let markdown = stdout(&spec_diff(&[&old, broken.to_str().unwrap()]));
    assert!(
        markdown.contains(
            "- new document, at `/paths/~1other/get/operationId`: duplicate operationId `things`"
        ),
        "{markdown}"
    );
}

#[test]
fn a_document_that_is_not_openapi_3_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (old, _) = pair("identical", &dir);
    for (name, phrase) in [
        ("swagger_2.yaml", "this is a Swagger 2.0 document"),
        ("not_a_mapping.yaml", "the document is not a mapping"),
        ("invalid_yaml.yaml", "invalid YAML"),
        ("empty.yaml", "the file is empty"),
    ] {
        let spec = root().join("codegen/tests/broken").join(name);
        for args in [
            [old.as_str(), spec.to_str().unwrap()],
            [spec.to_str().unwrap(), old.as_str()],
        ] {
            let output = spec_diff(&args);
            assert_eq!(output.status.code(), Some(2), "{name}");
            assert!(output.stdout.is_empty(), "{name}: no report");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(stderr.contains(phrase), "{name}: {stderr}");
        }
    }
    let missing = spec_diff(&[&old, "no-such-file.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn a_refusal_prints_its_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let (old, _) = pair("identical", &dir);
    // A missing file, a folder, a file that is not text: each refused
    // with what the operating system said, said once.
    let folder = dir.path().to_str().unwrap().to_owned();
    let binary = dir.path().join("binary.yaml");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0xc3]).unwrap();
    for spec in ["no-such-file.yaml", &folder, binary.to_str().unwrap()] {
        let output = spec_diff(&[&old, spec]);
        assert_eq!(output.status.code(), Some(2), "{spec}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let line = stderr.lines().next().unwrap_or_default();
        let cause = line.rsplit(": ").next().unwrap_or_default();
        assert!(!cause.is_empty(), "{spec}: {stderr}");
        assert_eq!(
            line.matches(cause).count(),
            1,
            "{spec}: the cause twice in {line}"
        );
    }
}

#[test]
fn an_unknown_revision_exits_2_and_bad_arguments_exit_2() {
    let output = spec_diff(&["--base", "no-such-revision-anywhere"]);
    assert_eq!(output.status.code(), Some(2));
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
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = pair("request-media-type-beyond-generator", &dir);
    let output = spec_diff(&[&old, &new, "--format", "json"]);
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

#[test]
fn an_optional_query_parameter_is_minor_and_passes() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = pair("parameter-added-optional", &dir);
    let output = spec_diff(&[&old, &new]);
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(
        report.contains("Suggested semver bump for `deepgram-keys`: **minor**"),
        "{report}"
    );
    assert!(
        report.contains("### For the maintainer: the generated client changed"),
        "{report}"
    );
    assert!(
        report.contains("- note `method-signature-changed`: `generated::Client::list_things`"),
        "{report}"
    );
}

#[test]
fn a_breaking_rust_change_fails_although_the_wire_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = pair("response-property-added", &dir);
    let output = spec_diff(&[&old, &new]);
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(report.contains("- major `field-added`"), "{report}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("in the Rust API"));
}

#[test]
fn a_revision_that_looks_like_an_option_is_refused() {
    for base in ["--output=/tmp/spec-diff-pwned", "-p", "--", ""] {
        let output = spec_diff(&[&format!("--base={base}")]);
        assert_eq!(output.status.code(), Some(2), "{base}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("is not a git revision"), "{base}: {stderr}");
    }
    assert!(!Path::new("/tmp/spec-diff-pwned").exists());
}

#[test]
fn a_ref_cycle_is_a_warning_with_the_cycle_named() {
    let dir = tempfile::tempdir().unwrap();
    let (old, _) = pair("identical", &dir);
    let cyclic = root().join("codegen/tests/broken/ref_cycle_self.yaml");
    let started = std::time::Instant::now();
    let output = spec_diff(&[&old, cyclic.to_str().unwrap()]);
    assert!(started.elapsed().as_secs() < 10);
    assert_ne!(output.status.code(), Some(2));
    let report = stdout(&output);
    let (pointer, problem) = CYCLE_ERROR.split_once(": ").unwrap();
    let pointer = pointer.trim_start_matches("at ");
    assert!(
        report.contains(&format!("- new document, at `{pointer}`: {problem}")),
        "{report}"
    );
}

#[test]
fn sample_refuses_a_ref_cycle_with_the_same_error_before_building_anything() {
    let cyclic = root().join("codegen/tests/broken/ref_cycle_self.yaml");
    let body = root().join("tests/fixtures/list_keys");
    let started = std::time::Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["sample", "list_keys", "200"])
        .arg(&body)
        .arg("--spec")
        .arg(&cyclic)
        .output()
        .unwrap();
    assert!(started.elapsed().as_secs() < 10);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(CYCLE_ERROR), "{stderr}");
}

#[test]
fn a_breaking_change_to_a_0_1_spec_suggests_0_2() {
    let dir = tempfile::tempdir().unwrap();
    let old = root().join("openapi/keys.yaml");
    let mut spec = codegen::Document::load(&old).unwrap().root().clone();
    assert_eq!(spec["info"]["version"], "0.1.0");
    let paths = spec["paths"].as_object_mut().unwrap();
    let first = paths.keys().next().unwrap().clone();
    paths.remove(&first);
    let new = dir.path().join("new.json");
    std::fs::write(&new, serde_json::to_string(&spec).unwrap()).unwrap();
    let output = spec_diff(&[
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["semver"], "major");
    assert_eq!(report["next_version"], "0.2.0");
    let markdown = stdout(&spec_diff(&[old.to_str().unwrap(), new.to_str().unwrap()]));
    assert!(
        markdown
            .contains("Suggested semver bump for `deepgram-keys`: **major** (next version 0.2.0)."),
        "{markdown}"
    );
}

/// The first line of what a command said on stderr.
fn first_error_line(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn regen_spec_diff_and_sample_give_an_invalid_spec_the_same_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let (base, _) = pair("identical", &dir);
    let out = dir.path().join("generated.rs");
    let body = root().join("tests/fixtures/errors/500-modern-internal.json");
    let (mut unreadable, mut warned) = (0, 0);
    for entry in std::fs::read_dir(root().join("codegen/tests/broken")).unwrap() {
        let spec = entry.unwrap().path();
        let spec = spec.to_str().unwrap();
        let diff = spec_diff(&[&base, spec, "--format", "json"]);
        // regen and sample run only where their verdict is checked: on a spec
        // its check accepts, sample builds and runs the contract crate's
        // binary, minutes of a full run for an answer this test never reads.
        let regen_and_sample = || {
            let xtask = |args: &[&str]| {
                Command::new(env!("CARGO_BIN_EXE_xtask"))
                    .args(args)
                    .output()
                    .unwrap()
            };
            let regen = xtask(&["regen", "--spec", spec, "--out", out.to_str().unwrap()]);
            let sample = xtask(&[
                "sample",
                "list_keys",
                "500",
                body.to_str().unwrap(),
                "--spec",
                spec,
            ]);
            [("regen", regen), ("sample", sample)]
        };
        if diff.status.code() == Some(2) {
            // Not readable as OpenAPI 3.x: every tool refuses it alike.
            for (command, output) in regen_and_sample() {
                assert_eq!(output.status.code(), Some(1), "{command} {spec}");
                assert_eq!(
                    first_error_line(&output),
                    first_error_line(&diff),
                    "{command} and spec-diff disagree on {spec}"
                );
            }
            unreadable += 1;
            continue;
        }
        let report = json_report(&diff);
        let Some(first) = report["warnings"].as_array().and_then(|w| w.first()) else {
            // Valid OpenAPI beyond the generator: spec-diff compares it.
            continue;
        };
        // Read leniently, the problem regen and sample stop at is the first
        // warning, with the same pointer and words.
        let (pointer, problem) = (
            first["pointer"].as_str().unwrap(),
            first["problem"].as_str().unwrap(),
        );
        for (command, output) in regen_and_sample() {
            assert_eq!(output.status.code(), Some(1), "{command} {spec}");
            let line = first_error_line(&output);
            assert!(
                line.contains(&format!("{pointer}: {problem}")),
                "{command} and spec-diff disagree on {spec}: {line} against {first}"
            );
        }
        warned += 1;
    }
    assert!(
        unreadable >= 4,
        "only {unreadable} unreadable specs in the corpus"
    );
    assert!(warned >= 8, "only {warned} invalid specs in the corpus");
}
