//! `cargo xtask upstream` as a maintainer and the daily job run it: exit
//! codes, reports, and files written atomically. Only files: no test
//! reaches Deepgram.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn published(date: &str) -> String {
    let dir = root().join("openapi/upstream/published");
    let name = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with(&format!("deepgram-openapi-{date}")))
        .unwrap_or_else(|| panic!("no published document of {date}"));
    dir.join(name).to_string_lossy().into_owned()
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn diff_reports_in_spec_diffs_json_shape_named_by_our_operation_ids() {
    let output = xtask(&[
        "upstream",
        "diff",
        &published("2025-06"),
        &published("2026-04"),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let changes = report["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    for change in changes {
        for field in ["severity", "kind", "operation", "pointer", "message"] {
            assert!(change[field].is_string(), "{change}");
        }
        assert!(
            [
                "list_keys",
                "create_key",
                "get_key",
                "delete_key",
                "(document)"
            ]
            .contains(&change["operation"].as_str().unwrap()),
            "{change}"
        );
    }
    assert_eq!(report["problems"], Value::Array(vec![]));

    // Only descriptions changed between these two: exit 0, nothing above info.
    let output = xtask(&[
        "upstream",
        "diff",
        &published("2026-04"),
        &published("2026-07"),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        report["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|change| change["severity"] == "info"),
        "{report}"
    );
}

#[test]
fn diff_in_markdown_groups_changes_by_our_operation() {
    let output = xtask(&[
        "upstream",
        "diff",
        &published("2025-01"),
        &published("2025-06"),
    ]);
    let report = stdout(&output);
    assert_eq!(report.matches("### create_key\n").count(), 1, "{report}");
    assert!(
        report.contains("- **breaking** `request-type-changed` at `/paths/~1v1~1projects~1{project_id}~1keys/post/requestBody/content/application~1json/schema/type`"),
        "{report}"
    );
}

#[test]
fn unreadable_input_is_an_error_naming_the_file_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.yml");
    std::fs::write(&garbage, "openapi: [unclosed\n").unwrap();
    let binary = dir.path().join("binary.yml");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let missing = dir.path().join("missing.yml");
    for bad in [&garbage, &binary, &missing] {
        let bad = bad.to_string_lossy();
        let output = xtask(&["upstream", "diff", &published("2026-07"), &bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}: {}", stderr(&output));
        assert!(stderr(&output).contains(&*bad), "{}", stderr(&output));
        assert!(!stderr(&output).contains("panicked"));
    }
    // Not an OpenAPI 3.x document at all (an error page, a rate-limit body,
    // Swagger 2.0, a list): it could not be read, which is exit 2, never
    // "every key operation removed"; and accept records nothing.
    let scratch = Scratch::new();
    let recorded = std::fs::read_to_string(&scratch.extract).unwrap();
    for (name, text) in [
        ("list.yml", "[1, 2, 3]\n"),
        ("page.html", "<html><body>502 Bad Gateway</body></html>\n"),
        ("rate.json", r#"{"message": "rate limited"}"#),
        (
            "swagger.yml",
            "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
        ),
        (
            "v4.yml",
            "openapi: 4.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
        ),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let file = file.to_string_lossy();
        let output = xtask(&["upstream", "diff", &published("2026-07"), &file]);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stdout(&output));
        assert!(stderr(&output).contains(&*file), "{}", stderr(&output));
        for command in ["check", "accept"] {
            let output = scratch.run(command, &file);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{command} {name}: {}",
                stdout(&output)
            );
        }
        assert_eq!(std::fs::read_to_string(&scratch.extract).unwrap(), recorded);
    }
}

#[test]
fn bad_arguments_exit_2() {
    for args in [
        &["upstream"][..],
        &["upstream", "diff", "only-one.yml"],
        &["upstream", "accept"],
        &["upstream", "check", "a.yml", "--format", "xml"],
    ] {
        assert_eq!(xtask(args).status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn check_of_the_recorded_version_passes() {
    let output = xtask(&["upstream", "check", &published("2026-07")]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert!(stdout(&output).contains("unchanged"), "{}", stdout(&output));
}

/// A scratch copy of the files `check` and `accept` read and write.
struct Scratch {
    _dir: tempfile::TempDir,
    spec: PathBuf,
    extract: PathBuf,
    ledger: PathBuf,
}

impl Scratch {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let copy = |from: &str, name: &str| {
            let to = dir.path().join(name);
            std::fs::copy(root().join(from), &to).unwrap();
            to
        };
        Self {
            spec: copy("openapi/keys.yaml", "keys.yaml"),
            extract: copy("openapi/upstream/keys.yaml", "extract.yaml"),
            ledger: copy("openapi/upstream/deviations.yaml", "deviations.yaml"),
            _dir: dir,
        }
    }

    fn run(&self, command: &str, source: &str) -> Output {
        xtask(&[
            "upstream",
            command,
            source,
            "--spec",
            &self.spec.to_string_lossy(),
            "--extract",
            &self.extract.to_string_lossy(),
            "--ledger",
            &self.ledger.to_string_lossy(),
        ])
    }

    fn edit(file: &Path, from: &str, to: &str) {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(text.contains(from), "{} lacks {from:?}", file.display());
        std::fs::write(file, text.replacen(from, to, 1)).unwrap();
    }
}

#[test]
fn check_fails_on_a_deviation_without_a_ledger_entry() {
    let scratch = Scratch::new();
    assert_eq!(
        scratch.run("check", &published("2026-07")).status.code(),
        Some(0)
    );
    Scratch::edit(
        &scratch.spec,
        "enum: [active, expired]",
        "enum: [active, expired, revoked]",
    );
    let output = scratch.run("check", &published("2026-07"));
    assert_eq!(output.status.code(), Some(1));
    let report = stdout(&output);
    assert!(
        report.contains("### Deviations missing from the ledger"),
        "{report}"
    );
    assert!(
        report.contains("`list_keys` `request-enum-value-added`"),
        "{report}"
    );
}

#[test]
fn check_fails_when_the_ttl_is_typed_as_upstream_has_it_without_an_entry() {
    let scratch = Scratch::new();
    Scratch::edit(
        &scratch.spec,
        "          type: integer\n          format: int64\n          minimum: 1",
        "          type: number\n          minimum: 1",
    );
    let output = scratch.run("check", &published("2026-07"));
    assert_eq!(output.status.code(), Some(1));
    let report = stdout(&output);
    assert!(
        report.contains("properties/time_to_live_in_seconds` (ours: `"),
        "{report}"
    );
}

#[test]
fn check_fails_on_a_ledger_entry_that_no_longer_applies() {
    let scratch = Scratch::new();
    Scratch::edit(
        &scratch.spec,
        "required: [api_key_id, key, comment, scopes]",
        "required: [api_key_id, key, comment]",
    );
    let output = scratch.run("check", &published("2026-07"));
    assert_eq!(output.status.code(), Some(1));
    let report = stdout(&output);
    assert!(
        report.contains("### Ledger entries that no longer apply"),
        "{report}"
    );
    assert!(report.contains("`create-response-required`"), "{report}");
}

#[test]
fn check_reports_an_upstream_change_and_accept_records_it_atomically() {
    let scratch = Scratch::new();
    let older = published("2026-04");
    let output = scratch.run("check", &older);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("### Changed upstream since"),
        "{}",
        stdout(&output)
    );

    let output = scratch.run("accept", &older);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let recorded = std::fs::read_to_string(&scratch.extract).unwrap();
    assert!(recorded.starts_with("# The key operations"), "{recorded}");
    assert!(recorded.contains(&format!("source: {older}")), "{recorded}");
    let sha = "67611f845211f0723b711845d0323975c9ecc3c1a4fed5a3c0da41045a2b2346";
    assert!(recorded.contains(&format!("sha256: {sha}")), "{recorded}");
    let output = scratch.run("check", &older);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));

    // A document whose key operations cannot be read is not recorded, and
    // the extract stays byte for byte as it was.
    let broken = scratch.spec.with_file_name("broken.yml");
    let text = std::fs::read_to_string(published("2026-07")).unwrap();
    std::fs::write(
        &broken,
        text.replace(
            "$ref: '#/components/schemas/CreateKeyV1Response'",
            "$ref: '#/components/schemas/Nowhere'",
        ),
    )
    .unwrap();
    let output = scratch.run("accept", &broken.to_string_lossy());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("operation `create_key` at /paths/~1v1~1projects~1{project_id}~1keys/post/responses/200/content/application~1json/schema"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&scratch.extract).unwrap(), recorded);
    let leftovers = std::fs::read_dir(scratch.extract.parent().unwrap())
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".regen-")
        })
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn urls_are_fetched_over_https_only() {
    // A plain-HTTP URL is refused before any connection is made.
    let output = xtask(&["upstream", "check", "http://127.0.0.1:9/openapi.yml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("http://127.0.0.1:9/openapi.yml: cannot fetch the document"),
        "{}",
        stderr(&output)
    );
}

/// Our spec rewritten in OpenAPI 3.1's spelling: the same meaning.
#[test]
fn spec_diff_accepts_openapi_3_1() {
    fn to_31(value: &mut Value) {
        match value {
            Value::Object(object) => {
                if object.remove("nullable") == Some(Value::Bool(true))
                    && let Some(kind) = object.get("type").cloned()
                {
                    object.insert("type".into(), serde_json::json!([kind, "null"]));
                }
                object.values_mut().for_each(to_31);
            }
            Value::Array(items) => items.iter_mut().for_each(to_31),
            _ => {}
        }
    }
    let mut spec = codegen::Document::load(&root().join("openapi/keys.yaml"))
        .unwrap()
        .root()
        .clone();
    spec["openapi"] = "3.1.0".into();
    to_31(&mut spec);
    assert!(spec.to_string().contains(r#"["string","null"]"#));
    let dir = tempfile::tempdir().unwrap();
    let spec_31 = dir.path().join("keys-3.1.json");
    std::fs::write(&spec_31, serde_json::to_string(&spec).unwrap()).unwrap();

    let output = xtask(&[
        "spec-diff",
        &root().join("openapi/keys.yaml").to_string_lossy(),
        &spec_31.to_string_lossy(),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["changes"], Value::Array(vec![]), "{report}");
}
/// Deepgram's whole document (3.1, a dangling `$ref` in a callback, repeated
/// operationIds) is compared on the wire, its problems listed as warnings;
/// only the Rust API is left out.
#[test]
fn spec_diff_compares_deepgrams_whole_documents_on_the_wire() {
    let output = xtask(&[
        "spec-diff",
        &published("2026-04"),
        &published("2026-07"),
        "--format",
        "json",
        "--allow-breaking",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(!report["changes"].as_array().unwrap().is_empty());
    let why = report["rust_api_unavailable"].as_str().unwrap();
    assert!(why.contains("not valid OpenAPI"), "{why}");
    let warnings = report["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|warning| warning["problem"]
            .as_str()
            .unwrap()
            .starts_with("duplicate operationId")),
        "{warnings:?}"
    );
}
