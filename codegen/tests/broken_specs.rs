//! Every spec in `tests/broken/` must fail with an error that names the file,
//! says where the problem is and what to do, and must never panic.

use std::path::{Path, PathBuf};

/// Each broken spec and the phrases its error must contain.
const CASES: &[(&str, &[&str])] = &[
    (
        "empty.yaml",
        &[
            "empty.yaml: the file is empty",
            "fix: write an OpenAPI 3.0.3 document",
        ],
    ),
    (
        "invalid_yaml.yaml",
        &[
            "invalid_yaml.yaml:3:",
            "invalid YAML",
            "fix: fix the YAML syntax",
        ],
    ),
    ("json_syntax.json", &["json_syntax.json:2:", "invalid JSON"]),
    (
        "not_a_mapping.yaml",
        &["at the document root: the document is not a mapping"],
    ),
    (
        "openapi_31.yaml",
        &[
            "at /openapi: OpenAPI 3.1.0 is not supported",
            "fix: write the spec as `openapi: 3.0.3`",
        ],
    ),
    (
        "swagger_2.yaml",
        &[
            "this is a Swagger 2.0 document",
            "fix: start the document with `openapi: 3.0.3`",
        ],
    ),
    (
        "wrong_type_in_model.yaml",
        &["at /paths/~1things/get/responses", "not valid OpenAPI 3.0"],
    ),
    (
        "missing_operation_id.yaml",
        &[
            "at /paths/~1things/get: `GET /things` has no operationId",
            "add a unique `operationId`",
        ],
    ),
    (
        "duplicate_operation_id.yaml",
        &[
            "operation `things` at /paths/~1other/get/operationId: duplicate operationId `things`, first used at /paths/~1things/get",
        ],
    ),
    (
        "dangling_ref.yaml",
        &[
            "at /paths/~1things/get/responses/200/content/application~1json/schema/$ref",
            "`$ref: #/components/schemas/Nope` points to nothing",
            "fix: define the referenced item, or correct the reference",
        ],
    ),
    (
        "ref_cycle_self.yaml",
        &[
            "at /components/schemas/Problem/$ref",
            "`#/components/schemas/Problem` -> `#/components/schemas/Problem` form a cycle",
            "fix: give one schema of the cycle real structure",
        ],
    ),
    (
        "ref_cycle_through_all_of.yaml",
        &[
            "at /components/schemas/Inner/$ref",
            "`#/components/schemas/Inner` -> `#/components/schemas/Outer` -> `#/components/schemas/Outer/allOf/0` -> `#/components/schemas/Inner` form a cycle",
        ],
    ),
    (
        "unknown_schema_type.yaml",
        &[
            "at /components/schemas/Thing/properties/made/type: `datetime` is not a schema type",
            "fix: use one of string, number, integer, boolean, array, object (a date or time is `type: string` with `format: date-time`",
        ],
    ),
    (
        "external_ref.yaml",
        &[
            "/paths/~1things/get/responses/200/$ref",
            "`common.yaml#/components/responses/Ok` refers to",
            "which does not exist",
            "fix: create the file, or correct the path",
        ],
    ),
    (
        "undeclared_path_parameter.yaml",
        &[
            "operation `get_thing` at /paths/~1things~1{thing_id}/get",
            "uses `{thing_id}` but no path parameter `thing_id` is declared",
        ],
    ),
    (
        "path_parameter_not_in_path.yaml",
        &[
            "operation `list_things`",
            "path parameter `thing_id` does not appear in the path `/things`",
        ],
    ),
    (
        "path_parameter_not_required.yaml",
        &[
            "operation `get_thing`",
            "path parameter `thing_id` is not marked required",
        ],
    ),
    (
        "two_request_media_types.yaml",
        &[
            "operation `create_thing` at /paths/~1things/post/requestBody/content",
            "2 media types (`application/json`, `application/x-www-form-urlencoded`)",
            "fix: keep only `application/json`",
        ],
    ),
    (
        "two_success_schemas.yaml",
        &[
            "operation `create_thing` at /paths/~1things/post/responses",
            "the success responses (200, 201) have different bodies",
        ],
    ),
    (
        "default_beside_typed_error.yaml",
        &[
            "operation `list_things` at /paths/~1things/get/responses",
            "a `default` response beside typed success responses",
        ],
    ),
    (
        "json_response_without_schema.yaml",
        &[
            "at /paths/~1things/get/responses/200/content/application~1json: a JSON response has no schema",
        ],
    ),
    (
        "progenitor_panics_on_schema.yaml",
        &[
            "the generator cannot handle this spec",
            "fix: simplify the construct",
        ],
    ),
];

fn broken(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/broken")
        .join(name)
}

#[test]
fn every_broken_spec_gets_a_clear_error() {
    for (name, phrases) in CASES {
        let path = broken(name);
        let err = match codegen::client_source(&path, name) {
            Ok(_) => panic!("{name} generated a client, but it is broken"),
            Err(err) => err.to_string(),
        };
        assert!(
            err.starts_with(&path.display().to_string()),
            "{name}: the error does not start with the file:\n{err}"
        );
        for phrase in *phrases {
            assert!(
                err.contains(phrase),
                "{name}: expected {phrase:?} in:\n{err}"
            );
        }
    }
}

#[test]
fn the_corpus_and_the_table_agree() {
    let mut on_disk: Vec<String> = std::fs::read_dir(broken(""))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CASES.iter().map(|(name, _)| (*name).to_owned()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "every file in tests/broken needs a row in CASES, and the other way round"
    );
}

/// A property's name is never a keyword: `Member` with a property literally
/// named `$ref` (GitHub's document has one) generates, and reviews clean.
#[test]
fn a_property_named_ref_is_a_property() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/keys.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    let anchor = "      required: [member_id, email]\n      properties:\n";
    assert!(text.contains(anchor));
    let text = text.replacen(
        anchor,
        &format!("{anchor}        $ref:\n          type: string\n"),
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys.yaml");
    std::fs::write(&file, text).unwrap();
    let source = codegen::client_source(&file, "keys.yaml").unwrap_or_else(|err| panic!("{err}"));
    assert!(
        source.contains("\"$ref\""),
        "the property keeps its wire name"
    );
    let document = codegen::Document::load(&file).unwrap().normalized();
    assert_eq!(codegen::findings(&document).unwrap(), []);
    let report = codegen::review::review(&document, &document).unwrap();
    assert!(report.changes.is_empty() && report.warnings.is_empty());
}

/// What is not valid in a 3.0 document is not valid in 3.1 either: a review
/// warns about both the same way, through the same checks.
#[test]
fn a_3_1_document_gets_the_warnings_of_3_0() {
    let invalid = |version: &str| {
        serde_json::json!({
            "openapi": version,
            "info": {"title": "Things"},
            "paths": {
                "/things": {
                    "get": {"operationId": "list", "responses": {"200": {}}},
                    "post": {"operationId": "create", "responses": null}
                }
            }
        })
    };
    let pointers = |version: &str| -> Vec<String> {
        let document = codegen::Document::new("spec.yaml", invalid(version)).normalized();
        let findings = codegen::findings(&document).unwrap();
        let mut pointers: Vec<String> = findings.into_iter().map(|f| f.pointer).collect();
        pointers.sort();
        pointers
    };
    let in_3_0 = pointers("3.0.3");
    for expected in ["/info", "/paths/~1things/get", "/paths/~1things/post"] {
        assert!(
            in_3_0.iter().any(|pointer| pointer.starts_with(expected)),
            "{expected} in {in_3_0:?}"
        );
    }
    assert_eq!(pointers("3.1.0"), in_3_0);
    assert_eq!(pointers("3.1.1"), in_3_0);
}

/// What only 3.1 allows is no warning: type lists, `const`, a document of
/// webhooks without `paths`.
#[test]
fn what_3_1_allows_is_not_a_warning() {
    let spec = serde_json::json!({
        "openapi": "3.1.0",
        "info": {"title": "Things", "version": "1"},
        "webhooks": {
            "ready": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {
                        "id": {"type": ["string", "integer"]},
                        "kind": {"const": "thing"}
                    }
                }}}},
                "responses": {"204": {"description": "Received."}}
            }}
        },
        "components": {"schemas": {"Id": {"type": ["string", "null"], "examples": ["a"]}}}
    });
    let document = codegen::Document::new("spec.yaml", spec).normalized();
    assert_eq!(codegen::findings(&document).unwrap(), []);
}
