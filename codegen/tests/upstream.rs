//! The upstream tooling on Deepgram's real published documents, and on
//! small hand-made documents for each hard case: parameters moved, header
//! parameters, 3.1 nullability, broken references inside and outside the
//! key operations, operations missing upstream.

use std::path::{Path, PathBuf};

use codegen::Document;
use codegen::review::Severity::{self, Breaking, Info, NonBreaking};
use codegen::upstream::{self, KeyOperation, Ledger, Review};
use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

const PUBLISHED: [&str; 4] = [
    "deepgram-openapi-2025-01-21-c010982.yml",
    "deepgram-openapi-2025-06-17-5e5f7d5.yml",
    "deepgram-openapi-2026-04-12-0474c15.yml",
    "deepgram-openapi-2026-07-15-b0ac81e.yml",
];

fn published(name: &str) -> Document {
    Document::load(&workspace().join("openapi/upstream/published").join(name)).unwrap()
}

fn our_spec() -> Document {
    Document::load(&workspace().join("openapi/keys.yaml")).unwrap()
}

fn wrap(value: Value) -> Document {
    Document::new("case.yaml", value)
}

fn our_keys() -> Vec<KeyOperation> {
    upstream::key_operations(&our_spec())
}

/// The (operation, kind, severity) of every change above info.
fn significant(review: &Review) -> Vec<(String, String, Severity)> {
    review
        .changes
        .iter()
        .filter(|change| change.severity != Info)
        .map(|change| {
            (
                change.operation.clone(),
                change.kind.to_string(),
                change.severity,
            )
        })
        .collect()
}

fn one(operation: &str, kind: &str, severity: Severity) -> Vec<(String, String, Severity)> {
    vec![(operation.to_owned(), kind.to_owned(), severity)]
}

fn has(review: &Review, operation: &str, kind: &str, severity: Severity) -> bool {
    review
        .changes
        .iter()
        .any(|c| c.operation == operation && c.kind.to_string() == kind && c.severity == severity)
}

// ---- The real documents ----

#[test]
fn every_published_version_is_read_without_problems_and_equals_itself() {
    let keys = our_keys();
    for name in PUBLISHED {
        let document = published(name);
        let extract = upstream::extract(&document, &keys);
        assert!(
            extract.problems.is_empty(),
            "{name}: {:?}",
            extract.problems
        );
        for key in &keys {
            let pointer = codegen::pointer(["paths", key.path.as_str(), key.method.as_str()]);
            assert!(
                extract.document.pointer(&pointer).is_some(),
                "{name}: {} not found",
                key.operation_id
            );
        }
        let review = upstream::review(&document, &document, &keys);
        assert!(review.changes.is_empty(), "{name}: {:?}", review.changes);
    }
}

#[test]
fn consecutive_published_versions_report_their_known_changes() {
    let keys = our_keys();
    let documents: Vec<Document> = PUBLISHED.iter().map(|name| published(name)).collect();
    let reviews: Vec<Review> = documents
        .windows(2)
        .map(|pair| upstream::review(&pair[0], &pair[1], &keys))
        .collect();
    for review in &reviews {
        assert!(review.problems.is_empty(), "{:?}", review.problems);
        for change in &review.changes {
            assert!(
                [
                    "list_keys",
                    "create_key",
                    "get_key",
                    "delete_key",
                    "(document)"
                ]
                .contains(&change.operation.as_str()),
                "a change named by something other than our operationId: {change:?}"
            );
        }
    }
    // 2025-01 -> 2025-06: the create body went from a bogus array to an
    // object; the status filter appeared (on the path item, so on create too).
    assert!(has(
        &reviews[0],
        "create_key",
        "request-type-changed",
        Breaking
    ));
    assert!(has(
        &reviews[0],
        "list_keys",
        "parameter-added-optional",
        NonBreaking
    ));
    // 2025-06 -> 2026-04: renamed operations (info only), 403/404 replaced
    // by 400, the create body degraded to `oneOf: [Any, Any]`, the security
    // requirement replaced by an (ignored) Authorization header parameter:
    // read literally, no credentials are needed any more, which breaks no
    // client.
    let renamed = reviews[1]
        .changes
        .iter()
        .filter(|c| c.kind.to_string() == "upstream-name-changed")
        .count();
    assert_eq!(renamed, 4, "{:?}", reviews[1].changes);
    for operation in ["list_keys", "create_key", "get_key", "delete_key"] {
        assert!(has(
            &reviews[1],
            operation,
            "error-status-removed",
            NonBreaking
        ));
        assert!(has(
            &reviews[1],
            operation,
            "response-status-added",
            NonBreaking
        ));
        assert!(has(
            &reviews[1],
            operation,
            "security-requirement-removed",
            NonBreaking
        ));
    }
    assert!(
        !reviews[1]
            .changes
            .iter()
            .any(|c| c.pointer.contains("Authorization") || c.message.contains("Authorization")),
        "the Authorization header parameter must be ignored"
    );
    // 2026-04 -> 2026-07: only descriptions of path parameters.
    assert_eq!(significant(&reviews[2]), vec![]);
    assert!(!reviews[2].changes.is_empty());
}

#[test]
fn the_recorded_extract_is_the_2026_07_document() {
    let keys = our_keys();
    let recorded = Document::load(&workspace().join("openapi/upstream/keys.yaml")).unwrap();
    let latest = published(PUBLISHED[3]);
    let header = upstream::recorded_source(recorded.root()).expect("the extract has its header");
    let bytes = std::fs::read(
        workspace()
            .join("openapi/upstream/published")
            .join(PUBLISHED[3]),
    )
    .unwrap();
    assert_eq!(header.sha256, upstream::sha256_hex(&bytes));
    assert_eq!(
        upstream::extract(&recorded, &keys).document,
        upstream::extract(&latest, &keys).document
    );
    assert!(
        upstream::review(&recorded, &latest, &keys)
            .changes
            .is_empty()
    );
}

fn committed_ledger() -> Ledger {
    let text =
        std::fs::read_to_string(workspace().join("openapi/upstream/deviations.yaml")).unwrap();
    serde_yaml_ng::from_str(&text).unwrap()
}

#[test]
fn the_ledger_accounts_for_every_deviation_of_our_spec() {
    let keys = our_keys();
    let differences = upstream::deviations(&published(PUBLISHED[3]), &our_spec(), &keys);
    let check = upstream::check_ledger(&differences, &committed_ledger());
    assert!(check.is_clean(), "{check:#?}");
    for entry in committed_ledger().deviations {
        for text in [&entry.upstream, &entry.ours, &entry.why, &entry.evidence] {
            assert!(text.len() > 20, "{}: every field says something", entry.id);
        }
        assert!(!entry.differences.is_empty(), "{}", entry.id);
    }
}

/// Our spec with one YAML edit.
fn edited_spec(from: &str, to: &str) -> Document {
    let text = std::fs::read_to_string(workspace().join("openapi/keys.yaml")).unwrap();
    assert!(text.contains(from), "the spec no longer contains {from:?}");
    Document::parse(Path::new("keys.yaml"), &text.replacen(from, to, 1)).unwrap()
}

#[test]
fn a_new_deviation_without_an_entry_is_missing_and_a_healed_one_is_stale() {
    let keys = our_keys();
    let latest = published(PUBLISHED[3]);
    // A filter value upstream does not have.
    let stricter = edited_spec(
        "enum: [active, expired]",
        "enum: [active, expired, revoked]",
    );
    let check = upstream::check_ledger(
        &upstream::deviations(&latest, &stricter, &keys),
        &committed_ledger(),
    );
    assert_eq!(check.missing.len(), 1, "{check:#?}");
    assert_eq!(
        check.missing[0].change.kind.to_string(),
        "request-enum-value-added"
    );
    assert_eq!(check.missing[0].change.operation, "list_keys");
    assert!(check.stale.is_empty());
    // Where upstream has nothing to compare with (its create body is
    // `oneOf: [Any, Any]`), changing what we say is a deviation too.
    for (from, to) in [
        (
            "          type: integer\n          format: int64\n          minimum: 1",
            "          type: number\n          minimum: 1",
        ),
        (
            "          type: string\n          description: What the key is for.",
            "          type: string\n          maxLength: 128\n          description: What the key is for.",
        ),
    ] {
        let check = upstream::check_ledger(
            &upstream::deviations(&latest, &edited_spec(from, to), &keys),
            &committed_ledger(),
        );
        assert_eq!(check.missing.len(), 1, "{to}: {check:#?}");
        assert_eq!(check.missing[0].change.operation, "create_key");
        assert!(check.missing[0].ours.is_some());
    }
    // A description is never a deviation.
    let reworded = edited_spec("What the key is for.", "What the key is used for.");
    let check = upstream::check_ledger(
        &upstream::deviations(&latest, &reworded, &keys),
        &committed_ledger(),
    );
    assert!(check.is_clean(), "{check:#?}");
    // Following upstream where we deviated makes the entry stale.
    let followed = edited_spec(
        "required: [api_key_id, key, comment, scopes]",
        "required: [api_key_id, key, comment]",
    );
    let check = upstream::check_ledger(
        &upstream::deviations(&latest, &followed, &keys),
        &committed_ledger(),
    );
    assert!(check.missing.is_empty(), "{check:#?}");
    assert_eq!(check.stale.len(), 1, "{check:#?}");
    assert_eq!(check.stale[0].0, "create-response-required");
}

// ---- Small hand-made documents ----

/// Our side of the hand-made cases: two operations.
fn small_keys() -> Vec<KeyOperation> {
    let ours = parse(
        r#"
openapi: 3.0.3
paths:
  /v1/things/{thing_id}:
    get: {operationId: get_thing}
    delete: {operationId: delete_thing}
"#,
    );
    upstream::key_operations(&ours)
}

fn parse(yaml: &str) -> Document {
    Document::parse(Path::new("case.yaml"), yaml).unwrap()
}

/// A 3.1 upstream document: the key path item, an unrelated path with a
/// dangling reference, and `schemas` for both.
fn document(version: &str, item: &str, schemas: &str) -> Document {
    parse(&format!(
        r##"
openapi: {version}
info: {{title: upstream, version: "1"}}
paths:
  /v1/things/{{thing_id}}:
{item}
  /v1/listen:
    post:
      operationId: listen
      callbacks:
        results:
          "{{$request.body#/callback}}":
            post:
              requestBody: {{content: {{application/json: {{schema: {{$ref: "#/components/schemas/Missing"}}}}}}}}
              responses: {{"200": {{description: ok}}}}
      responses: {{"200": {{description: ok}}}}
components:
  schemas:
{schemas}
"##
    ))
}

const THING: &str = r#"    Thing:
      type: object
      properties:
        id: {type: string}
        kind: {type: string, enum: [a, b]}
"#;

fn operations(parameters_on_item: &str, get_extra: &str) -> String {
    format!(
        r##"{parameters_on_item}
    get:
      operationId: whatever
{get_extra}
      responses:
        "200":
          description: ok
          content: {{application/json: {{schema: {{$ref: "#/components/schemas/Thing"}}}}}}
    delete:
      operationId: remove
      parameters:
        - {{name: thing_id, in: path, required: true, schema: {{type: string}}}}
      responses: {{"200": {{description: ok}}}}"##
    )
}

const PATH_PARAMETER: &str =
    "        - {name: thing_id, in: path, required: true, schema: {type: string}}";

fn base() -> Document {
    document(
        "3.1.0",
        &operations(
            "",
            &format!(
                "      parameters:\n{PATH_PARAMETER}\n        - {{name: verbose, in: query, schema: {{type: boolean}}}}"
            ),
        ),
        THING,
    )
}

#[test]
fn parameters_moved_between_path_item_and_operation_are_no_change() {
    // The path parameter moves up to the path item (where delete declares it
    // again, which overrides); the query parameter stays with get.
    let on_item = "    parameters:\n      - {name: thing_id, in: path, required: true, schema: {type: string}}";
    let moved = document(
        "3.1.0",
        &operations(
            on_item,
            "      parameters:\n        - {name: verbose, in: query, schema: {type: boolean}}",
        ),
        THING,
    );
    let review = upstream::review(&base(), &moved, &small_keys());
    assert!(review.changes.is_empty(), "{:#?}", review.changes);
    assert!(review.problems.is_empty());
}

#[test]
fn a_renamed_path_parameter_is_matched_and_no_change() {
    let renamed = document(
        "3.1.0",
        &operations(
            "",
            "      parameters:\n        - {name: thingId, in: path, required: true, schema: {type: string}}\n        - {name: verbose, in: query, schema: {type: boolean}}",
        )
        .replace("      parameters:\n        - {name: thing_id", "      parameters:\n        - {name: thingId"),
        THING,
    );
    let text = serde_json::to_string(renamed.root())
        .unwrap()
        .replace("/v1/things/{thing_id}", "/v1/things/{thingId}");
    let renamed = wrap(serde_json::from_str(&text).unwrap());
    let review = upstream::review(&base(), &renamed, &small_keys());
    let significant = significant(&review);
    assert!(significant.is_empty(), "{significant:?}");
    assert!(
        review
            .changes
            .iter()
            .any(|c| c.kind.to_string() == "upstream-name-changed"),
        "{:?}",
        review.changes
    );
}

#[test]
fn ignored_header_parameters_are_no_change_and_other_headers_are() {
    let headers = |names: &[&str]| {
        let mut extra = format!(
            "      parameters:\n{PATH_PARAMETER}\n        - {{name: verbose, in: query, schema: {{type: boolean}}}}"
        );
        for name in names {
            extra.push_str(&format!(
                "\n        - {{name: {name}, in: header, required: true, schema: {{type: string}}}}"
            ));
        }
        document("3.1.0", &operations("", &extra), THING)
    };
    let ignored = headers(&["Authorization", "accept", "Content-Type"]);
    let review = upstream::review(&base(), &ignored, &small_keys());
    assert!(review.changes.is_empty(), "{:#?}", review.changes);
    let custom = headers(&["X-Request-Tag"]);
    let review = upstream::review(&base(), &custom, &small_keys());
    assert_eq!(
        significant(&review),
        one("get_thing", "parameter-added-required", Breaking)
    );
}

#[test]
fn nullability_reads_the_same_in_3_0_and_3_1() {
    let v30 = document(
        "3.0.3",
        &operations(
            "",
            &format!(
                "      parameters:\n{PATH_PARAMETER}\n        - {{name: verbose, in: query, schema: {{type: boolean, nullable: true}}}}"
            ),
        ),
        "    Thing:\n      type: object\n      properties:\n        id: {type: string, nullable: true}\n        kind: {type: string, enum: [a, b]}\n",
    );
    let v31_forms = [
        // a type list with null
        "        id: {type: [string, \"null\"]}",
        // a null branch of anyOf
        "        id: {anyOf: [{type: string}, {type: \"null\"}]}",
        // a null branch of oneOf, the other through a $ref with siblings
        "        id: {oneOf: [{$ref: \"#/components/schemas/Id\", description: an id}, {type: \"null\"}]}",
    ];
    for form in v31_forms {
        let schemas = format!(
            "    Id: {{type: string}}\n    Thing:\n      type: object\n      properties:\n{form}\n        kind: {{const: a, enum: [a, b]}}\n"
        )
        .replace("{const: a, enum: [a, b]}", "{type: string, enum: [a, b]}");
        let v31 = document(
            "3.1.0",
            &operations(
                "",
                &format!(
                    "      parameters:\n{PATH_PARAMETER}\n        - {{name: verbose, in: query, schema: {{type: [boolean, \"null\"]}}}}"
                ),
            ),
            &schemas,
        );
        let review = upstream::review(&v30, &v31, &small_keys());
        assert_eq!(
            significant(&review),
            vec![],
            "{form}: {:#?}",
            review.changes
        );
    }
    // Losing the null is a change, classified by direction.
    let review = upstream::review(&v30, &base(), &small_keys());
    assert!(
        has(
            &review,
            "get_thing",
            "request-became-non-nullable",
            Breaking
        ),
        "{:#?}",
        review.changes
    );
    assert!(has(
        &review,
        "get_thing",
        "response-became-non-nullable",
        NonBreaking
    ));
}

#[test]
fn a_dangling_reference_outside_the_key_operations_is_not_our_business() {
    // `base()` has one, in /v1/listen's callback: nothing reports it.
    let extract = upstream::extract(&base(), &small_keys());
    assert!(extract.problems.is_empty(), "{:?}", extract.problems);
    assert!(extract.document.pointer("/paths/~1v1~1listen").is_none());
}

#[test]
fn a_broken_reference_inside_a_key_operation_is_reported_with_its_pointer() {
    let broken = document(
        "3.1.0",
        &operations("", &format!("      parameters:\n{PATH_PARAMETER}"))
            .replace("#/components/schemas/Thing", "#/components/schemas/Gone"),
        THING,
    );
    let review = upstream::review(&base(), &broken, &small_keys());
    assert_eq!(review.problems.len(), 1, "{:?}", review.problems);
    let problem = &review.problems[0];
    assert_eq!(problem.document, "new");
    assert_eq!(problem.problem.operation, "get_thing");
    assert_eq!(
        problem.problem.pointer,
        "/paths/~1v1~1things~1{thing_id}/get/responses/200/content/application~1json/schema"
    );
    assert!(
        problem
            .problem
            .message
            .contains("#/components/schemas/Gone")
    );
    // External references and references that lead back to themselves too.
    for (reference, says) in [
        ("other.yaml#/Thing", "another document"),
        ("#/components/schemas/Loop", "cycle"),
    ] {
        let broken = document(
            "3.1.0",
            &operations("", "").replace("#/components/schemas/Thing", reference),
            &format!("{THING}    Loop: {{$ref: \"#/components/schemas/Loop\"}}\n"),
        );
        let extract = upstream::extract(&broken, &small_keys());
        assert!(
            extract.problems.iter().any(|p| p.message.contains(says)),
            "{reference}: {:?}",
            extract.problems
        );
    }
}

#[test]
fn an_operation_missing_upstream_is_reported_not_a_crash() {
    let without_delete = parse(
        r#"
openapi: 3.1.0
paths:
  /v1/things/{thing_id}:
    get:
      parameters: [{name: thing_id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
"#,
    );
    let review = upstream::review(&base(), &without_delete, &small_keys());
    assert!(
        has(&review, "delete_thing", "operation-removed", Breaking),
        "{:#?}",
        review.changes
    );
    let review = upstream::review(&without_delete, &base(), &small_keys());
    assert!(has(&review, "delete_thing", "operation-added", NonBreaking));
    // A document with no paths at all, or not even a mapping.
    for nothing in [
        parse("openapi: 3.1.0\n"),
        parse("[1, 2]"),
        parse("openapi: 3.1.0\npaths: 7\n"),
    ] {
        let review = upstream::review(&base(), &nothing, &small_keys());
        assert!(has(&review, "get_thing", "operation-removed", Breaking));
    }
}

#[test]
fn changes_are_classified_as_a_reviewer_would() {
    let with = |thing: &str, extra: &str| {
        document(
            "3.1.0",
            &operations("", &format!("      parameters:\n{PATH_PARAMETER}\n{extra}")),
            thing,
        )
    };
    let old = with(
        THING,
        "        - {name: mode, in: query, schema: {type: string, enum: [x]}}",
    );
    // A widened request enum is non-breaking.
    let widened = with(
        THING,
        "        - {name: mode, in: query, schema: {type: string, enum: [x, y]}}",
    );
    assert_eq!(
        significant(&upstream::review(&old, &widened, &small_keys())),
        one("get_thing", "request-enum-value-added", NonBreaking)
    );
    // A request type widened from integer to number is non-breaking.
    let integer = with(
        THING,
        "        - {name: ttl, in: query, schema: {type: integer}}",
    );
    let number = with(
        THING,
        "        - {name: ttl, in: query, schema: {type: number}}",
    );
    assert_eq!(
        significant(&upstream::review(&integer, &number, &small_keys())),
        one("get_thing", "type-widened", NonBreaking)
    );
    // A changed response type is breaking.
    let retyped = with(
        &THING.replace("id: {type: string}", "id: {type: integer}"),
        "        - {name: mode, in: query, schema: {type: string, enum: [x]}}",
    );
    assert_eq!(
        significant(&upstream::review(&old, &retyped, &small_keys())),
        one("get_thing", "response-type-changed", Breaking)
    );
    // Descriptions, summaries, tags, titles, examples and extensions are info at most.
    let documented = with(
        &THING.replace(
            "        id: {type: string}",
            "        id: {type: string, description: the id, title: Id, examples: [abc], x-note: n}",
        ),
        "        - {name: mode, in: query, description: how, schema: {type: string, enum: [x]}}",
    );
    let documented = serde_json::to_string(documented.root()).unwrap().replace(
        r#""operationId":"whatever""#,
        r#""operationId":"whatever","summary":"s","tags":["t"],"x-internal":true"#,
    );
    let review = upstream::review(
        &old,
        &wrap(serde_json::from_str(&documented).unwrap()),
        &small_keys(),
    );
    assert_eq!(significant(&review), vec![], "{:#?}", review.changes);
    assert!(!review.changes.is_empty());
}

/// Every node of the key operations of a real document, replaced by each
/// kind of wrong value: the review reports or ignores it, and never panics.
#[test]
fn any_node_of_the_key_operations_replaced_by_a_wrong_value_never_panics() {
    fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
        match value {
            Value::Object(object) => {
                for (key, child) in object {
                    pointers(child, format!("{at}/{}", codegen::pointer_token(key)), out);
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    pointers(child, format!("{at}/{index}"), out);
                }
            }
            _ => {}
        }
        out.push(at);
    }
    let keys = our_keys();
    let original = upstream::extract(&published(PUBLISHED[1]), &keys).document;
    let reference = wrap(original.clone());
    let mut all = Vec::new();
    pointers(&original, String::new(), &mut all);
    assert!(all.len() > 200, "{}", all.len());
    // Each class once: a missing value, a scalar, a list holding a broken
    // reference, a reference to something that is not a schema.
    let wrong = [
        Value::Null,
        serde_json::json!(7),
        serde_json::json!([{ "$ref": "#/nowhere" }]),
        serde_json::json!({ "$ref": "#/components" }),
    ];
    for pointer in all.iter().filter(|pointer| !pointer.is_empty()) {
        for value in &wrong {
            let mut mutated = original.clone();
            *mutated.pointer_mut(pointer).unwrap() = value.clone();
            let mutated = wrap(mutated);
            upstream::review(&reference, &mutated, &keys);
            upstream::review(&mutated, &reference, &keys);
        }
    }
}
