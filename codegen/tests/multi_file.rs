//! Specs split over several files: relative `$ref`s inside the spec's folder
//! are followed, everything else is refused with its file and pointer.

use std::path::Path;

use codegen::Document;
use codegen::review::{ChangeKind, Severity, review};

/// Writes `files` (path relative to `dir`, text) and returns `dir/openapi.yaml`.
fn write(dir: &Path, files: &[(&str, &str)]) -> std::path::PathBuf {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir.join("openapi.yaml")
}

const ROOT: &str = r##"openapi: 3.0.3
info: {title: pets, version: 1.0.0}
paths:
  /pets:
    post:
      operationId: create_pet
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "./schemas/pet.yaml"}
      responses:
        "200": {$ref: "responses.yaml#/Created"}
components:
  schemas:
    Id: {type: string}
"##;

const RESPONSES: &str = r##"Created:
  description: created
  content:
    application/json:
      schema: {$ref: "schemas/pet.yaml"}
"##;

/// A schema file that refers inside itself, back to the spec, and to a
/// file that refers back to it.
fn pet(required: &str) -> String {
    format!(
        r##"type: object
required: [{required}]
properties:
  id: {{$ref: "../openapi.yaml#/components/schemas/Id"}}
  name: {{type: string}}
  tag: {{$ref: "#/definitions/Tag"}}
  owner: {{$ref: "./owner.yaml"}}
definitions:
  Tag: {{type: string, maxLength: 10}}
"##
    )
}

const OWNER: &str = r##"type: object
properties:
  pets: {type: array, items: {$ref: "pet.yaml"}}
"##;

fn spec(dir: &Path, required: &str) -> std::path::PathBuf {
    write(
        dir,
        &[
            ("openapi.yaml", ROOT),
            ("responses.yaml", RESPONSES),
            ("schemas/pet.yaml", &pet(required)),
            ("schemas/owner.yaml", OWNER),
        ],
    )
}

#[test]
fn a_change_in_another_file_is_reviewed_like_one_in_the_spec() {
    let (old_dir, new_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let old = Document::load(&spec(old_dir.path(), "id"))
        .unwrap()
        .normalized();
    let new = Document::load(&spec(new_dir.path(), "id, name"))
        .unwrap()
        .normalized();
    let same = review(&old, &old).unwrap();
    assert!(same.changes.is_empty(), "{:?}", same.changes);
    assert!(same.warnings.is_empty(), "{:?}", same.warnings);
    let report = review(&old, &new).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let breaking: Vec<_> = report
        .changes
        .iter()
        .filter(|change| change.severity == Severity::Breaking)
        .collect();
    assert_eq!(breaking.len(), 1, "{:?}", report.changes);
    assert_eq!(breaking[0].kind, ChangeKind::RequestPropertyBecameRequired);
    assert!(
        report
            .rust_api_unavailable
            .as_deref()
            .unwrap()
            .contains("the generator reads one file"),
        "{:?}",
        report.rust_api_unavailable
    );
}

#[test]
fn a_3_1_schema_in_another_file_is_normalised_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        &[
            ("openapi.yaml", &ROOT.replace("3.0.3", "3.1.0")),
            ("responses.yaml", RESPONSES),
            (
                "schemas/pet.yaml",
                &pet("id").replace("{type: string}", "{type: [string, \"null\"]}"),
            ),
            ("schemas/owner.yaml", OWNER),
        ],
    );
    let document = Document::load(&file).unwrap().normalized();
    let name = document
        .root()
        .pointer("/$bundled/schemas~1pet.yaml/properties/name")
        .unwrap();
    assert_eq!(
        name,
        &serde_json::json!({"type": "string", "nullable": true})
    );
}

#[test]
fn regeneration_reads_one_file_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let err = codegen::client_source(&spec(dir.path(), "id"), "openapi.yaml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("openapi.yaml: at /paths/~1pets/post/requestBody/content/application~1json/schema/$ref: the generator reads one file"),
        "{err}"
    );
    assert!(
        err.contains("fix: move the referenced definition under `components`"),
        "{err}"
    );
}

#[test]
fn urls_missing_files_and_files_outside_the_folder_are_refused_where_written() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(outer.path().join("secret.yaml"), "type: string\n").unwrap();
    let dir = outer.path().join("spec");
    for (reference, phrase) in [
        (
            "https://example.com/pet.yaml",
            "is a URL; references are followed to files only, and nothing is fetched",
        ),
        ("//example.com/pet.yaml", "is a URL"),
        ("./schemas/nope.yaml", "which does not exist"),
        ("../secret.yaml", "outside the spec's folder"),
        ("./schemas", "which is a folder"),
        ("./empty.yaml", "which is empty"),
        (
            "./schemas/pet.yaml#/no/such/place",
            "which has nothing there",
        ),
        (
            "./schemas/owner.yaml#/properties/nope",
            "which has nothing there",
        ),
    ] {
        let file = write(
            &dir,
            &[
                ("openapi.yaml", ROOT),
                (
                    "responses.yaml",
                    &RESPONSES.replace("schemas/pet.yaml", reference),
                ),
                ("schemas/pet.yaml", &pet("id")),
                ("schemas/owner.yaml", OWNER),
                ("empty.yaml", ""),
            ],
        );
        let err = Document::load(&file).unwrap_err().to_string();
        assert!(!err.contains("$bundled"), "{reference}: {err}");
        assert!(
            err.starts_with(&format!(
                "{}: at /Created/content/application~1json/schema/$ref: ",
                dir.join("responses.yaml").canonicalize().unwrap().display()
            )),
            "{reference}: {err}"
        );
        assert!(err.contains(phrase), "{reference}: {err}");
        assert!(err.contains("fix: "), "{reference}: {err}");
    }
    #[cfg(unix)]
    {
        let file = write(
            &dir,
            &[(
                "responses.yaml",
                &RESPONSES.replace("schemas/pet.yaml", "link.yaml"),
            )],
        );
        let link = dir.join("link.yaml");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(outer.path().join("secret.yaml"), &link).unwrap();
        let err = Document::load(&file).unwrap_err().to_string();
        assert!(err.contains("outside the spec's folder"), "{err}");
    }
}

#[test]
fn a_cycle_across_files_is_named_where_it_is_written() {
    // Each file only another name for the next: no value has the type, as
    // in one file. The warning named the grafted `$bundled` place.
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        &[
            (
                "openapi.yaml",
                &ROOT.replace("./schemas/pet.yaml", "./schemas/a.yaml"),
            ),
            ("responses.yaml", RESPONSES),
            ("schemas/pet.yaml", &pet("id")),
            ("schemas/owner.yaml", OWNER),
            ("schemas/a.yaml", "$ref: \"./b.yaml\"\n"),
            (
                "schemas/b.yaml",
                "description: only words\n$ref: \"a.yaml#\"\n",
            ),
        ],
    );
    let document = Document::load(&file).unwrap().normalized();
    let report = review(&document, &document).unwrap();
    let warnings: Vec<_> = report
        .warnings
        .iter()
        .map(|warning| &warning.finding)
        .filter(|finding| finding.problem.contains("cycle"))
        .collect();
    assert_eq!(warnings.len(), 2, "{:?}", report.warnings); // old and new
    let finding = warnings[0];
    assert_eq!(
        finding.file.as_deref(),
        Some(dir.path().join("schemas/a.yaml").as_path()),
        "{finding:?}"
    );
    assert_eq!(finding.pointer, "/$ref", "{finding:?}");
    assert!(
        finding
            .problem
            .contains("`schemas/a.yaml#` -> `schemas/b.yaml#` -> `schemas/a.yaml#` form a cycle"),
        "{finding:?}"
    );
    for warning in &report.warnings {
        assert!(!format!("{warning:?}").contains("$bundled"), "{warning:?}");
    }
    let markdown = report.to_markdown();
    assert!(
        markdown.contains(&format!(
            "- old document, in {}, at `/$ref`: the references",
            dir.path().join("schemas/a.yaml").display()
        )),
        "{markdown}"
    );
}
