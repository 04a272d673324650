//! Every spec-diff case under `tests/spec_diff/` must report exactly its
//! change, with the right severity, Rust impact and semver bump.

#[path = "spec_diff/cases.rs"]
mod cases;

use std::collections::BTreeSet;
use std::path::Path;

use codegen::Document;
use codegen::review::{self, Bump, ChangeKind, RustApiKind, Severity};

use Bump::{Major, Minor, Patch};
use ChangeKind::*;
use RustApiKind::{
    FieldAdded, FieldRemoved, FieldRetyped, InternalsChanged, MethodAdded, MethodRemoved,
    MethodSignatureChanged, TypeAdded, TypeRemoved, VariantAdded, VariantRemoved,
};
use Severity::{Breaking, Info, NonBreaking};

struct Case {
    name: &'static str,
    changes: &'static [(ChangeKind, Severity)],
    rust_api: &'static [(RustApiKind, Bump)],
    /// Changes to the private generated client: notes, never a bump.
    hand_written_layer: &'static [RustApiKind],
    semver: Bump,
}

const fn case(
    name: &'static str,
    changes: &'static [(ChangeKind, Severity)],
    rust_api: &'static [(RustApiKind, Bump)],
    hand_written_layer: &'static [RustApiKind],
    semver: Bump,
) -> Case {
    Case {
        name,
        changes,
        rust_api,
        hand_written_layer,
        semver,
    }
}

// Harmless on the wire can still break Rust callers: a new response field
// breaks struct literals, a new enum value exhaustive matches. A new
// optional query parameter changes only the private generated client.
#[rustfmt::skip]
const CASES: &[Case] = &[
    case("callback-parameter-added-required", &[(ParameterAddedRequired, NonBreaking)], &[], &[], Minor),
    case("callback-parameter-became-optional", &[(ParameterBecameOptional, Breaking)], &[], &[], Major),
    case("callback-parameter-became-required", &[(ParameterBecameRequired, NonBreaking)], &[], &[], Minor),
    case("callback-parameter-removed", &[(ParameterRemoved, Breaking)], &[], &[], Major),
    case("callback-removed", &[(CallbackRemoved, Breaking)], &[], &[], Major),
    case("callback-url-expression-changed", &[(CallbackAdded, NonBreaking), (CallbackRemoved, Breaking)], &[], &[], Major),
    case("header-parameter-name-case-changed", &[], &[(InternalsChanged, Patch)], &[], Patch),
    case("header-parameter-name-case-changed-back", &[], &[(InternalsChanged, Patch)], &[], Patch),
    case("parameter-content-media-type-changed", &[(MediaTypeAdded, NonBreaking), (MediaTypeRemoved, Breaking)], &[], &[], Major),
    case("parameter-content-schema-changed", &[(RequestTypeChanged, Breaking)], &[], &[], Major),
    case("parameter-schema-became-content", &[(ParameterSerializationChanged, Breaking)], &[], &[], Major),
    case("response-header-content-type-changed", &[(ResponseTypeChanged, Breaking)], &[], &[], Major),
    case("callback-request-property-added-required", &[(ResponsePropertyAdded, NonBreaking), (ResponsePropertyBecameRequired, NonBreaking)], &[], &[], Minor),
    case("description-changed", &[(DocumentationChanged, Info)], &[], &[], Patch),
    case("example-changed", &[(ExampleChanged, Info)], &[], &[], Patch),
    case("identical", &[], &[], &[], Bump::None),
    case("info-and-servers-changed", &[(DocumentationChanged, Info), (ServersChanged, Info)], &[], &[], Patch),
    case("operation-added", &[(OperationAdded, NonBreaking)], &[(InternalsChanged, Patch)], &[MethodAdded], Minor),
    case("operation-deprecated", &[(Deprecated, Info), (SunsetAdded, Info)], &[], &[], Patch),
    case("operation-removed", &[(OperationRemoved, Breaking)], &[(InternalsChanged, Patch)], &[MethodRemoved], Major),
    case("operation-removed-after-sunset", &[(OperationRemoved, Breaking)], &[(InternalsChanged, Patch)], &[MethodRemoved], Major),
    case("operation-stability-decreased", &[(StabilityDecreased, Breaking)], &[], &[], Major),
    case("operation-sunset-brought-forward", &[(SunsetBroughtForward, Breaking)], &[], &[], Major),
    case("operation-sunset-removed", &[(SunsetRemoved, Breaking)], &[], &[], Major),
    case("parameter-added-optional", &[(ParameterAddedOptional, NonBreaking)], &[(InternalsChanged, Patch)], &[MethodSignatureChanged], Minor),
    case("parameter-added-required", &[(ParameterAddedRequired, Breaking)], &[(InternalsChanged, Patch)], &[MethodSignatureChanged], Major),
    case("parameter-became-required", &[(ParameterBecameRequired, Breaking)], &[(InternalsChanged, Patch)], &[MethodSignatureChanged], Major),
    case("parameter-became-string", &[(BoundLoosened, NonBreaking), (DefaultChanged, Breaking), (TypeWidened, NonBreaking)], &[(InternalsChanged, Patch)], &[MethodSignatureChanged], Major),
    case("parameter-default-changed", &[(DefaultChanged, Breaking)], &[], &[], Major),
    case("parameter-enum-value-removed", &[(RequestEnumValueRemoved, Breaking)], &[(VariantRemoved, Major)], &[], Major),
    case("parameter-maximum-lowered", &[(BoundTightened, Breaking)], &[], &[], Major),
    case("parameter-maximum-raised", &[(BoundLoosened, NonBreaking)], &[], &[], Minor),
    case("parameter-minimum-raised", &[(BoundTightened, Breaking)], &[(InternalsChanged, Patch)], &[MethodSignatureChanged], Major),
    case("parameter-pattern-added", &[(PatternChanged, Breaking)], &[(TypeAdded, Minor)], &[MethodSignatureChanged], Major),
    case("parameter-removed", &[(ParameterRemoved, Breaking)], &[(TypeRemoved, Major)], &[MethodSignatureChanged], Major),
    case("parameter-sunset-unreadable", &[(Deprecated, Info), (LifecycleUnreadable, Breaking)], &[], &[], Major),
    case("parameter-type-changed", &[(RequestTypeChanged, Breaking)], &[(InternalsChanged, Patch)], &[MethodSignatureChanged], Major),
    case("path-parameter-renamed", &[(PathParameterRenamed, Info)], &[(InternalsChanged, Patch)], &[MethodSignatureChanged], Patch),
    case("reordered-and-referenced", &[], &[], &[], Bump::None),
    case("request-additional-properties-tightened", &[(BoundTightened, Breaking)], &[(FieldRetyped, Major), (TypeAdded, Minor)], &[], Major),
    case("request-all-of-annotation-added", &[(DocumentationChanged, Info)], &[(FieldRetyped, Major)], &[], Major),
    case("request-all-of-member-added", &[(AllOfMemberAdded, Breaking)], &[(InternalsChanged, Patch)], &[], Major),
    case("request-multiple-of-changed", &[(MultipleOfChanged, Breaking)], &[], &[], Major),
    case("request-multiple-of-divided", &[(MultipleOfLoosened, NonBreaking)], &[], &[], Minor),
    case("request-multiple-of-multiplied", &[(MultipleOfTightened, Breaking)], &[], &[], Major),
    case("request-unique-items-added", &[(UniqueItemsAdded, Breaking)], &[(FieldRetyped, Major)], &[], Major),
    case("request-unique-items-removed", &[(UniqueItemsRemoved, NonBreaking)], &[(FieldRetyped, Major)], &[], Major),
    case("response-multiple-of-added", &[(MultipleOfTightened, NonBreaking)], &[], &[], Minor),
    case("parameter-schema-wrapped-in-all-of", &[(DocumentationChanged, Info)], &[(TypeAdded, Minor)], &[MethodSignatureChanged], Minor),
    case("request-body-wrapped-in-all-of", &[], &[], &[], Bump::None),
    case("request-body-wrapped-member-gains-required", &[(DocumentationChanged, Info), (RequestPropertyAddedRequired, Breaking)], &[(FieldAdded, Major)], &[], Major),
    case("request-property-all-of-wrapper-dropped", &[(DocumentationChanged, Info)], &[], &[], Patch),
    case("request-property-ref-documented-in-all-of", &[(DocumentationChanged, Info)], &[], &[], Patch),
    case("response-body-all-of-wrapper-dropped", &[(DocumentationChanged, Info)], &[], &[], Patch),
    case("response-property-wrapped-in-all-of", &[], &[], &[], Bump::None),
    case("v31-ref-documented", &[(DocumentationChanged, Info)], &[], &[], Patch),
    case("request-object-split-into-all-of", &[], &[], &[], Bump::None),
    case("response-all-of-merged-back", &[], &[], &[], Bump::None),
    case("request-all-of-members-reordered", &[], &[], &[], Bump::None),
    case("request-split-property-added-required", &[(RequestPropertyAddedRequired, Breaking)], &[(FieldAdded, Major)], &[], Major),
    case("request-split-max-length-lowered", &[(BoundTightened, Breaking)], &[(InternalsChanged, Patch)], &[], Major),
    case("response-split-property-added", &[(ResponsePropertyAdded, NonBreaking)], &[(FieldAdded, Major)], &[], Major),
    case("request-body-became-required", &[(RequestBodyBecameRequired, Breaking)], &[], &[], Major),
    case("request-enum-value-added", &[(RequestEnumValueAdded, NonBreaking)], &[(VariantAdded, Major)], &[], Major),
    case("request-enum-value-removed", &[(RequestEnumValueRemoved, Breaking)], &[(VariantRemoved, Major)], &[], Major),
    case("request-extensible-enum-value-removed", &[(RequestEnumValueRemoved, Breaking)], &[], &[], Major),
    case("request-format-changed", &[(FormatChanged, Breaking)], &[(FieldRetyped, Major)], &[], Major),
    case("request-max-items-lowered", &[(BoundTightened, Breaking)], &[], &[], Major),
    case("request-media-type-beyond-generator", &[(MediaTypeRemoved, Breaking)], &[], &[], Major),
    case("request-media-type-removed", &[(MediaTypeAdded, NonBreaking), (MediaTypeRemoved, Breaking)], &[(InternalsChanged, Patch)], &[], Major),
    case("request-min-length-added", &[(BoundTightened, Breaking)], &[(FieldRetyped, Major), (TypeAdded, Minor)], &[], Major),
    case("request-pattern-changed", &[(PatternChanged, Breaking)], &[(InternalsChanged, Patch)], &[], Major),
    case("request-pattern-generalized", &[(PatternRemoved, NonBreaking)], &[(InternalsChanged, Patch)], &[], Minor),
    case("request-property-added-optional", &[(RequestPropertyAddedOptional, NonBreaking)], &[(FieldAdded, Major)], &[], Major),
    case("request-property-added-required", &[(RequestPropertyAddedRequired, Breaking)], &[(FieldAdded, Major)], &[], Major),
    case("request-property-became-non-nullable", &[(RequestBecameNonNullable, Breaking)], &[], &[], Major),
    case("request-property-became-required", &[(RequestPropertyBecameRequired, Breaking)], &[(FieldRetyped, Major)], &[], Major),
    case("request-property-removed", &[(RequestPropertyRemoved, NonBreaking)], &[(FieldRemoved, Major)], &[], Major),
    case("request-property-type-changed", &[(RequestTypeChanged, Breaking)], &[(FieldRetyped, Major)], &[], Major),
    case("request-read-only-property-required", &[], &[(FieldAdded, Major)], &[], Major),
    case("response-all-of-member-added", &[(AllOfMemberAdded, NonBreaking)], &[(InternalsChanged, Patch)], &[], Minor),
    case("request-media-type-case-changed", &[], &[], &[], Bump::None),
    case("response-media-type-case-changed", &[], &[], &[], Bump::None),
    case("response-media-type-charset-added", &[], &[], &[], Bump::None),
    case("response-range-became-status", &[(DocumentationChanged, Info), (ResponseTypeChanged, Breaking)], &[(InternalsChanged, Patch)], &[MethodSignatureChanged], Major),
    case("response-status-became-range", &[], &[(InternalsChanged, Patch)], &[], Patch),
    case("response-range-became-statuses", &[(DocumentationChanged, Info)], &[(InternalsChanged, Patch)], &[], Patch),
    case("response-statuses-became-range", &[], &[(InternalsChanged, Patch)], &[], Patch),
    case("response-enum-value-added", &[(ResponseEnumValueAdded, Breaking)], &[(VariantAdded, Major)], &[], Major),
    case("response-extensible-enum-value-added", &[(ResponseExtensibleEnumValueAdded, Info)], &[], &[], Patch),
    case("response-header-added", &[(ResponseHeaderAdded, NonBreaking)], &[], &[], Minor),
    case("response-header-became-optional", &[(ResponseHeaderBecameOptional, Breaking)], &[], &[], Major),
    case("response-header-required-removed", &[(ResponseRequiredHeaderRemoved, Breaking)], &[], &[], Major),
    case("response-header-type-changed", &[(ResponseTypeChanged, Breaking)], &[], &[], Major),
    case("response-header-max-length-lowered", &[(BoundTightened, NonBreaking)], &[], &[], Minor),
    case("response-header-max-length-raised", &[(BoundLoosened, Breaking)], &[(InternalsChanged, Patch)], &[], Major),
    case("response-media-type-removed", &[(MediaTypeAdded, NonBreaking), (MediaTypeRemoved, Breaking)], &[(InternalsChanged, Patch)], &[MethodSignatureChanged], Major),
    case("response-property-added", &[(ResponsePropertyAdded, NonBreaking)], &[(FieldAdded, Major)], &[], Major),
    case("response-property-became-nullable", &[(ResponseBecameNullable, Breaking)], &[], &[], Major),
    case("response-property-became-optional", &[(ResponsePropertyBecameOptional, Breaking)], &[(FieldRetyped, Major)], &[], Major),
    case("response-required-property-removed", &[(ResponseRequiredPropertyRemoved, Breaking)], &[(FieldRemoved, Major)], &[], Major),
    case("response-type-changed", &[(ResponseTypeChanged, Breaking)], &[(FieldRetyped, Major)], &[], Major),
    case("response-write-only-property-removed", &[], &[(FieldRemoved, Major)], &[], Major),
    case("security-alternative-added", &[(SecurityRequirementRemoved, NonBreaking), (SecuritySchemeAdded, NonBreaking)], &[], &[], Minor),
    case("security-requirement-added", &[(SecurityRequirementAdded, Breaking)], &[], &[], Major),
    case("security-requirement-removed", &[(SecurityRequirementRemoved, NonBreaking)], &[], &[], Minor),
    case("security-scheme-changed", &[(SecuritySchemeChanged, Breaking)], &[], &[], Major),
    case("parameter-serialization-changed", &[(ParameterSerializationChanged, Breaking)], &[], &[], Major),
    case("parameter-serialization-spelt-out", &[], &[], &[], Bump::None),
    case("request-media-type-schema-added", &[(ConstraintAdded, Breaking)], &[], &[], Major),
    case("response-media-type-schema-removed", &[(ConstraintRemoved, Breaking)], &[], &[], Major),
    case("security-scheme-scope-offered", &[], &[], &[], Bump::None),
    case("security-scope-added", &[(SecurityScopeAdded, Breaking)], &[], &[], Major),
    case("security-scope-removed", &[(SecurityScopeRemoved, NonBreaking)], &[], &[], Minor),
    case("success-status-removed", &[(ResponseStatusAdded, NonBreaking), (SuccessStatusRemoved, Breaking)], &[(InternalsChanged, Patch)], &[], Major),
    case("v31-condition-changed", &[(ConditionChanged, Breaking)], &[], &[], Major),
    case("v31-contains-added", &[(ConstraintAdded, Breaking)], &[], &[], Major),
    case("v31-content-encoding-changed", &[(ContentEncodingChanged, Breaking)], &[], &[], Major),
    case("v31-content-schema-added", &[(ConstraintAdded, Breaking)], &[], &[], Major),
    case("v31-dependent-required-added", &[(ConstraintAdded, Breaking)], &[], &[], Major),
    case("v31-dependent-schema-removed", &[(ConstraintRemoved, NonBreaking)], &[], &[], Minor),
    case("v31-discriminator-changed", &[(DiscriminatorMappingRemoved, Breaking), (DiscriminatorPropertyChanged, Breaking)], &[], &[], Major),
    case("v31-if-ref-renamed", &[], &[(TypeAdded, Minor), (TypeRemoved, Major)], &[], Major),
    case("v31-min-contains-raised", &[(BoundTightened, Breaking)], &[], &[], Major),
    case("v31-not-widened", &[(ConditionChanged, Breaking)], &[(InternalsChanged, Patch)], &[], Major),
    case("v31-not-ref-target-widened", &[(ConditionChanged, Breaking)], &[], &[], Major),
    case("v31-parameter-becomes-exploded-array", &[(TypeWidened, NonBreaking)], &[(TypeRemoved, Major)], &[MethodSignatureChanged], Major),
    case("v31-parameter-becomes-narrower-array", &[(TypeNarrowed, Breaking)], &[(TypeRemoved, Major)], &[MethodSignatureChanged], Major),
    case("v31-pattern-properties-tightened", &[(BoundTightened, Breaking)], &[], &[], Major),
    case("v31-prefix-items-removed", &[(RequestTypeChanged, Breaking)], &[], &[], Major),
    case("v31-property-names-added", &[(ConstraintAdded, Breaking)], &[], &[], Major),
    case("v31-then-property-required", &[(RequestPropertyAddedRequired, Breaking)], &[], &[], Major),
    case("v31-type-list-narrowed", &[(TypeNarrowed, Breaking)], &[(FieldRetyped, Major), (TypeRemoved, Major)], &[], Major),
    case("v31-unevaluated-properties-removed", &[(ConstraintRemoved, Breaking)], &[], &[], Major),
    case("v31-webhook-added", &[(WebhookAdded, NonBreaking)], &[], &[], Minor),
    case("v31-webhook-removed", &[(WebhookRemoved, Breaking)], &[], &[], Major),
    case("v31-webhook-response-property-removed", &[(ResponseRequiredPropertyRemoved, Breaking)], &[], &[], Major),
];

/// Cases with a side the generator refuses: the Rust API is left out.
const BEYOND_GENERATOR: &[&str] = &[
    "parameter-content-media-type-changed",
    "parameter-content-schema-changed",
    "parameter-schema-became-content",
    "request-media-type-beyond-generator",
    "request-media-type-case-changed",
    "request-media-type-schema-added",
    "response-media-type-schema-removed",
    "v31-not-ref-target-widened",
];

fn documents(name: &str) -> (Document, Document) {
    let (old, new) = cases::sides(name);
    (
        Document::new(format!("{name}/old"), old).normalized(),
        Document::new(format!("{name}/new"), new).normalized(),
    )
}

#[test]
fn every_case_reports_exactly_its_change() {
    for case in CASES {
        let (old, new) = documents(case.name);
        let report = review::review(&old, &new).unwrap_or_else(|err| panic!("{err}"));

        let reported: BTreeSet<(ChangeKind, Severity)> = report
            .changes
            .iter()
            .map(|change| (change.kind, change.severity))
            .collect();
        let expected: BTreeSet<(ChangeKind, Severity)> = case.changes.iter().copied().collect();
        assert_eq!(
            reported, expected,
            "{}: changes {:#?}",
            case.name, report.changes
        );

        let reported: BTreeSet<(RustApiKind, Bump)> = report
            .rust_api
            .iter()
            .map(|change| (change.kind, change.bump))
            .collect();
        let expected: BTreeSet<(RustApiKind, Bump)> = case.rust_api.iter().copied().collect();
        assert_eq!(
            reported, expected,
            "{}: Rust API {:#?}",
            case.name, report.rust_api
        );

        let reported: BTreeSet<RustApiKind> = report
            .hand_written_layer
            .iter()
            .map(|change| change.kind)
            .collect();
        let expected: BTreeSet<RustApiKind> = case.hand_written_layer.iter().copied().collect();
        assert_eq!(
            reported, expected,
            "{}: notes {:#?}",
            case.name, report.hand_written_layer
        );
        assert!(
            report
                .hand_written_layer
                .iter()
                .all(|note| note.bump == Bump::None)
        );

        assert_eq!(report.semver, case.semver, "{}", case.name);
        if !BEYOND_GENERATOR.contains(&case.name) {
            assert_eq!(report.rust_api_unavailable, None, "{}", case.name);
        }
        for change in &report.changes {
            assert!(change.pointer.starts_with('/'), "{}: {change:?}", case.name);
            if ["parameter", "request", "response"]
                .iter()
                .any(|prefix| case.name.starts_with(prefix))
            {
                assert!(
                    change.operation.contains('('),
                    "{}: no operation named in {change:?}",
                    case.name
                );
            }
        }
    }
}

#[test]
fn every_case_on_disk_is_in_the_table() {
    let listed: Vec<String> = CASES.iter().map(|case| case.name.to_owned()).collect();
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), listed.len(), "a case is listed twice");
    assert_eq!(cases::names(), sorted);
}

#[test]
fn a_spec_beyond_the_generator_still_gets_its_wire_diff() {
    let (old, new) = documents("request-media-type-beyond-generator");
    let report = review::review(&old, &new).unwrap();
    let why = report.rust_api_unavailable.unwrap();
    assert!(why.contains("2 media types"), "{why}");
}

#[test]
fn the_project_spec_against_itself_reports_nothing() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/keys.yaml");
    let spec = Document::load(&file).unwrap();
    let report = review::review(&spec, &spec).unwrap();
    assert!(report.changes.is_empty() && report.rust_api.is_empty());
    assert!(report.hand_written_layer.is_empty());
    assert_eq!(report.semver, Bump::None);
}

/// A request body `D0` whose schemas `D0`..`D{depth-1}` each have two
/// properties `l` and `r` referring to the next one, and whose last one
/// has type `last`: `2^depth` paths lead to it.
fn shared_chain(depth: usize, last: &str) -> Document {
    wrapped_chain(depth, last, "3.0.3", |next| next)
}

/// [`shared_chain`] in OpenAPI `version`, each `r` written as `wrap` makes
/// it of the `$ref` to the next schema.
fn wrapped_chain(
    depth: usize,
    last: &str,
    version: &str,
    wrap: fn(serde_json::Value) -> serde_json::Value,
) -> Document {
    let mut schemas = serde_json::Map::new();
    for level in 0..depth {
        let next = serde_json::json!({"$ref": format!("#/components/schemas/D{}", level + 1)});
        schemas.insert(
            format!("D{level}"),
            serde_json::json!({"type": "object", "properties": {"l": next, "r": wrap(next.clone())}}),
        );
    }
    schemas.insert(format!("D{depth}"), serde_json::json!({"type": last}));
    Document::new(
        "chain.yaml",
        serde_json::json!({
            "openapi": version,
            "info": {"title": "chain", "version": "1"},
            "paths": {"/d": {"post": {
                "operationId": "post_d",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/D0"}}}},
                "responses": {"204": {"description": "done"}},
            }}},
            "components": {"schemas": schemas},
        }),
    )
    .normalized()
}

#[test]
fn a_schema_shared_by_many_paths_is_compared_once_at_the_first() {
    // Compared path by path, this takes 2^40 comparisons.
    let depth = 40;
    let (old, new) = (
        shared_chain(depth, "string"),
        shared_chain(depth, "integer"),
    );
    let changes = review::http::compare(&old, &new);
    let first_path = "/properties/l".repeat(depth);
    let expected =
        format!("/paths/~1d/post/requestBody/content/application~1json/schema{first_path}/type");
    let reported: Vec<_> = changes
        .iter()
        .map(|change| (change.kind, change.severity, change.pointer.as_str()))
        .collect();
    assert_eq!(
        reported,
        [(RequestTypeChanged, Breaking, expected.as_str())],
        "{changes:#?}"
    );
}

#[test]
fn a_documented_reference_is_compared_where_its_target_is() {
    // Compared as a schema of their own, the wrappers would each be an
    // `allOf` member added; and a copy of each target, as 3.1 `$ref`
    // siblings were read, would be compared apart from the target itself.
    let depth = 40;
    let documented = |next| serde_json::json!({"allOf": [next], "description": "the next"});
    let documented_31 = |mut next: serde_json::Value| {
        next["description"] = "the next".into();
        next
    };
    for (version, wrap) in [
        ("3.0.3", documented as fn(_) -> _),
        ("3.1.0", documented_31),
    ] {
        let old = wrapped_chain(depth, "string", version, |next| next);
        let new = wrapped_chain(depth, "integer", version, wrap);
        let changes = review::http::compare(&old, &new);
        let expected = format!(
            "/paths/~1d/post/requestBody/content/application~1json/schema{}/type",
            "/properties/l".repeat(depth)
        );
        let (documentation, wire): (Vec<_>, Vec<_>) = changes
            .iter()
            .partition(|change| change.kind == DocumentationChanged);
        let wire: Vec<_> = wire
            .iter()
            .map(|change| (change.kind, change.pointer.as_str()))
            .collect();
        assert_eq!(wire, [(RequestTypeChanged, expected.as_str())], "{version}");
        // Each wrapper's description, once: where the first path meets it.
        assert_eq!(documentation.len(), depth, "{version}: {documentation:#?}");
        assert!(
            documentation
                .iter()
                .all(|change| change.pointer.ends_with("/properties/r/description")),
            "{version}: {documentation:#?}"
        );
    }
}

#[test]
fn a_change_behind_a_documenting_wrapper_is_named_inside_it() {
    let (old, new) = documents("request-body-wrapped-member-gains-required");
    let changes: Vec<_> = review::http::compare(&old, &new)
        .into_iter()
        .map(|change| (change.kind, change.pointer))
        .collect();
    let body = "/paths/~1things/post/requestBody/content/application~1json/schema";
    assert_eq!(
        changes,
        [
            (
                RequestPropertyAddedRequired,
                format!("{body}/allOf/0/properties/owner")
            ),
            (DocumentationChanged, format!("{body}/description")),
        ]
    );
}

#[test]
fn a_narrowing_hidden_in_a_split_is_named_in_its_member() {
    let body = "/paths/~1things/post/requestBody/content/application~1json/schema";
    for (name, kind, pointer) in [
        (
            "request-split-property-added-required",
            RequestPropertyAddedRequired,
            "/allOf/1/properties/owner",
        ),
        (
            "request-split-max-length-lowered",
            BoundTightened,
            "/allOf/0/properties/code/maxLength",
        ),
    ] {
        let (old, new) = documents(name);
        let changes: Vec<_> = review::http::compare(&old, &new)
            .into_iter()
            .filter(|change| change.operation.contains("create_thing"))
            .map(|change| (change.kind, change.pointer))
            .collect();
        assert_eq!(changes, [(kind, format!("{body}{pointer}"))], "{name}");
    }
}

#[test]
fn a_recursive_schema_is_compared_to_its_end() {
    let node = |value: &str| {
        Document::new(
            "node.yaml",
            serde_json::json!({
                "openapi": "3.0.3",
                "info": {"title": "node", "version": "1"},
                "paths": {"/n": {"get": {
                    "operationId": "get_n",
                    "responses": {"200": {"description": "a tree", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Node"}}}}},
                }}},
                "components": {"schemas": {"Node": {"type": "object", "properties": {
                    "value": {"type": value},
                    "next": {"$ref": "#/components/schemas/Node"},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                }}}},
            }),
        )
    };
    let changes = review::http::compare(&node("string"), &node("boolean"));
    let reported: Vec<_> = changes
        .iter()
        .map(|change| (change.kind, change.pointer.as_str()))
        .collect();
    assert_eq!(
        reported,
        [(
            ResponseTypeChanged,
            "/paths/~1n/get/responses/200/content/application~1json/schema/properties/value/type"
        )]
    );
}

/// A tree whose `next` is anything but a `Node` (a `not` that refers back
/// to the schema holding it), with `value` of type `value`.
fn negated_tree(value: &str) -> Document {
    Document::new(
        "negated.yaml",
        serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "negated", "version": "1"},
            "paths": {"/n": {"post": {
                "operationId": "post_n",
                "requestBody": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Node"}}}},
                "responses": {"204": {"description": "done"}},
            }}},
            "components": {"schemas": {"Node": {"type": "object", "properties": {
                "value": {"type": value},
                "next": {"not": {"$ref": "#/components/schemas/Node"}},
            }}}},
        }),
    )
}

#[test]
fn a_condition_that_refers_back_to_its_schema_is_judged_to_its_end() {
    // Judged afresh at each `not`, this recursed until the stack overflowed,
    // even comparing the document with itself.
    let same = review::http::compare(&negated_tree("string"), &negated_tree("string"));
    assert_eq!(same, []);
    let changes = review::http::compare(&negated_tree("string"), &negated_tree("integer"));
    let reported: Vec<_> = changes
        .iter()
        .map(|change| (change.kind, change.pointer.as_str()))
        .collect();
    let body = "/paths/~1n/post/requestBody/content/application~1json/schema";
    assert_eq!(
        reported,
        [
            (
                ConditionChanged,
                format!("{body}/properties/next/not").as_str()
            ),
            (
                RequestTypeChanged,
                format!("{body}/properties/value/type").as_str()
            ),
        ],
        "{changes:#?}"
    );
}

/// A request body `C0` whose schemas `C0`..`C{depth-1}` each have one
/// property `n` referring to the next one, the last of type `last`.
fn referenced_chain(depth: usize, last: &str) -> Document {
    let mut schemas = serde_json::Map::new();
    for level in 0..depth {
        let next = serde_json::json!({"$ref": format!("#/components/schemas/C{}", level + 1)});
        schemas.insert(
            format!("C{level}"),
            serde_json::json!({"type": "object", "properties": {"n": next}}),
        );
    }
    schemas.insert(format!("C{depth}"), serde_json::json!({"type": last}));
    Document::new(
        "deep.yaml",
        serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "deep", "version": "1"},
            "paths": {"/c": {"post": {
                "operationId": "post_c",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/C0"}}}},
                "responses": {"204": {"description": "done"}},
            }}},
            "components": {"schemas": schemas},
        }),
    )
}

#[test]
fn schemas_nested_too_deep_to_compare_fail_closed() {
    // Compared level by level, 3,000 levels overflowed the stack.
    let (old, new) = (
        referenced_chain(3_000, "string"),
        referenced_chain(3_000, "string"),
    );
    let kinds: Vec<_> = review::http::compare(&old, &new)
        .iter()
        .map(|change| (change.kind, change.severity))
        .collect();
    assert_eq!(kinds, [(SchemaTooDeep, Breaking)]);
    // Within the limit, the change at the end is found.
    let (old, new) = (
        referenced_chain(200, "string"),
        referenced_chain(200, "integer"),
    );
    let kinds: Vec<_> = review::http::compare(&old, &new)
        .iter()
        .map(|change| change.kind)
        .collect();
    assert_eq!(kinds, [RequestTypeChanged]);
}

#[test]
fn an_enum_of_many_values_is_compared_value_by_value() {
    // Searched list by list, 100,000 values took over a minute.
    let enumeration = |values: std::ops::Range<usize>| {
        let values: Vec<String> = values.map(|value| format!("v{value}")).collect();
        Document::new(
            "enum.yaml",
            serde_json::json!({
                "openapi": "3.0.3",
                "info": {"title": "enum", "version": "1"},
                "paths": {"/e": {"post": {
                    "operationId": "post_e",
                    "requestBody": {"content": {"application/json": {
                        "schema": {"type": "string", "enum": values}}}},
                    "responses": {"204": {"description": "done"}},
                }}},
            }),
        )
    };
    let changes = review::http::compare(&enumeration(0..100_000), &enumeration(1..100_001));
    let kinds: Vec<_> = changes.iter().map(|change| change.kind).collect();
    assert_eq!(kinds, [RequestEnumValueRemoved, RequestEnumValueAdded]);
    assert!(changes[0].message.contains("\"v0\""), "{changes:#?}");
    assert!(changes[1].message.contains("\"v100000\""), "{changes:#?}");
}

/// A query parameter, a request property and a response body, each with
/// the schema `schema` (the boolean schema `false`, or a typed one).
fn boolean_schemas(schema: serde_json::Value) -> Document {
    Document::new(
        "boolean.yaml",
        serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "boolean schemas", "version": "1"},
            "paths": {"/items": {"post": {
                "operationId": "create_item",
                "parameters": [{"name": "filter", "in": "query", "schema": schema}],
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object", "properties": {"name": schema},
                }}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}},
            }}},
        }),
    )
    .normalized()
}

#[test]
fn a_false_schema_admits_nothing_rather_than_everything() {
    let (nothing, text) = (
        boolean_schemas(serde_json::json!(false)),
        boolean_schemas(serde_json::json!({"type": "string"})),
    );
    let reported = |old: &Document, new: &Document| -> BTreeSet<(ChangeKind, Severity, String)> {
        review::http::compare(old, new)
            .into_iter()
            .map(|change| (change.kind, change.severity, change.pointer))
            .collect()
    };
    let at = |tail: &str| format!("/paths/~1items/post/{tail}");
    let (parameter, property, body) = (
        at("parameters/0/schema"),
        at("requestBody/content/application~1json/schema/properties/name"),
        at("responses/200/content/application~1json/schema"),
    );
    // From nothing to something: no value a client sent or read was valid.
    assert_eq!(
        reported(&nothing, &text),
        BTreeSet::from([
            (SchemaNoLongerFalse, NonBreaking, parameter.clone()),
            (SchemaNoLongerFalse, NonBreaking, property.clone()),
            (SchemaNoLongerFalse, NonBreaking, body.clone()),
        ])
    );
    // To nothing: requests narrow to none (breaking); a response narrows.
    assert_eq!(
        reported(&text, &nothing),
        BTreeSet::from([
            (SchemaBecameFalse, Breaking, parameter),
            (SchemaBecameFalse, Breaking, property),
            (SchemaBecameFalse, NonBreaking, body),
        ])
    );
}

/// `/pets` with `pets_security` as its own `security` (none: it inherits),
/// `/health` with `security: []`, and the document's `security`.
fn secured(
    document_security: Option<serde_json::Value>,
    pets_security: Option<serde_json::Value>,
) -> Document {
    let mut pets = serde_json::json!({"operationId": "list_pets", "responses": {"200": {"description": "ok"}}});
    if let Some(security) = pets_security {
        pets["security"] = security;
    }
    let mut root = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "security", "version": "1"},
        "paths": {
            "/pets": {"get": pets},
            "/health": {"get": {"operationId": "health", "security": [], "responses": {"200": {"description": "ok"}}}},
        },
        "components": {"securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}},
    });
    if let Some(security) = document_security {
        root["security"] = security;
    }
    Document::new("security.yaml", root).normalized()
}

#[test]
fn the_documents_security_matters_only_where_an_operation_inherits_it() {
    let api_key = || Some(serde_json::json!([{"apiKey": []}]));
    let anonymous = || Some(serde_json::json!([]));
    let reported = |old: &Document, new: &Document| -> Vec<(ChangeKind, Severity, String)> {
        review::http::compare(old, new)
            .into_iter()
            .map(|change| (change.kind, change.severity, change.pointer))
            .collect()
    };
    // Every operation has its own requirement: the document's reaches none.
    for pets in [api_key(), anonymous()] {
        let (old, new) = (secured(None, pets.clone()), secured(api_key(), pets));
        assert_eq!(reported(&old, &new), [], "{old:?}");
    }
    // `/pets` inherits it: a client that sent no credentials now must.
    let (old, new) = (secured(None, None), secured(api_key(), None));
    assert_eq!(
        reported(&old, &new),
        [(SecurityRequirementAdded, Breaking, "/security".to_owned())]
    );
    // `/pets` stops declaring `security: []` and inherits the document's.
    let (old, new) = (secured(api_key(), anonymous()), secured(api_key(), None));
    assert_eq!(
        reported(&old, &new),
        [(
            SecurityRequirementAdded,
            Breaking,
            "/paths/~1pets/get/security".to_owned()
        )]
    );
}

/// `GET /x` with a response under each of `keys`.
fn responding(keys: &[&str]) -> Document {
    let responses: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .map(|key| ((*key).to_owned(), serde_json::json!({"description": key})))
        .collect();
    Document::new(
        "responses.yaml",
        serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "responses", "version": "1"},
            "paths": {"/x": {"get": {"operationId": "get_x", "responses": responses}}},
        }),
    )
    .normalized()
}

#[test]
fn a_removed_default_beside_a_success_takes_only_errors_away() {
    let reported = |old: &[&str], new: &[&str]| -> Vec<(ChangeKind, Severity)> {
        review::http::compare(&responding(old), &responding(new))
            .into_iter()
            .map(|change| (change.kind, change.severity))
            .collect()
    };
    assert_eq!(
        reported(&["200", "default"], &["200"]),
        [(ErrorStatusRemoved, NonBreaking)]
    );
    assert_eq!(
        reported(&["2XX", "default"], &["2XX"]),
        [(ErrorStatusRemoved, NonBreaking)]
    );
    // Without another success, `default` described the successes too.
    assert_eq!(
        reported(&["404", "default"], &["404"]),
        [(SuccessStatusRemoved, Breaking)]
    );
}

/// A document whose only operation uses the HTTP security scheme `scheme`.
fn http_scheme(scheme: serde_json::Value) -> Document {
    Document::new(
        "schemes.yaml",
        serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "schemes", "version": "1"},
            "security": [{"auth": []}],
            "paths": {"/pets": {"get": {"operationId": "list_pets", "responses": {"200": {"description": "ok"}}}}},
            "components": {"securitySchemes": {"auth": scheme}},
        }),
    )
    .normalized()
}

#[test]
fn a_security_scheme_changes_only_with_what_a_client_sends() {
    let reported =
        |old: serde_json::Value, new: serde_json::Value| -> Vec<(ChangeKind, Severity)> {
            review::http::compare(&http_scheme(old), &http_scheme(new))
                .into_iter()
                .map(|change| (change.kind, change.severity))
                .collect()
        };
    let bearer = |format: &str| serde_json::json!({"type": "http", "scheme": "bearer", "bearerFormat": format});
    // `bearerFormat` is a hint for documentation.
    assert_eq!(
        reported(bearer("JWT"), bearer("opaque")),
        [(DocumentationChanged, Info)]
    );
    // HTTP authentication scheme names are case-insensitive.
    assert_eq!(
        reported(
            serde_json::json!({"type": "http", "scheme": "basic"}),
            serde_json::json!({"type": "http", "scheme": "Basic"})
        ),
        []
    );
    assert_eq!(
        reported(
            serde_json::json!({"type": "http", "scheme": "basic"}),
            serde_json::json!({"type": "http", "scheme": "bearer"})
        ),
        [(SecuritySchemeChanged, Breaking)]
    );
}

/// `POST /items` whose request body and 200 response are `application/json`
/// with `media` (the media type object).
fn media(media: serde_json::Value) -> Document {
    Document::new(
        "media.yaml",
        serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "media", "version": "1"},
            "paths": {"/items": {"post": {
                "operationId": "create_item",
                "requestBody": {"content": {"application/json": media}},
                "responses": {"200": {"description": "ok", "content": {"application/json": media}}},
            }}},
        }),
    )
    .normalized()
}

#[test]
fn a_media_type_schema_that_allows_everything_is_no_schema() {
    let reported =
        |old: serde_json::Value, new: serde_json::Value| -> Vec<(ChangeKind, Severity)> {
            review::http::compare(&media(old), &media(new))
                .into_iter()
                .map(|change| (change.kind, change.severity))
                .collect()
        };
    let none = serde_json::json!({});
    for everything in [
        serde_json::json!({"schema": true}),
        serde_json::json!({"schema": {}}),
    ] {
        assert_eq!(
            reported(none.clone(), everything.clone()),
            [],
            "{everything}"
        );
        assert_eq!(
            reported(everything.clone(), none.clone()),
            [],
            "{everything}"
        );
    }
    // A schema that constrains is still one.
    let object = serde_json::json!({"schema": {"type": "object"}});
    assert_eq!(
        reported(none, object),
        [(ConstraintAdded, Breaking), (ConstraintAdded, NonBreaking)]
    );
}

/// A 3.1 document whose one request body is `schema`.
fn request_body(schema: serde_json::Value) -> Document {
    Document::new(
        "body.yaml",
        serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "one body", "version": "1"},
            "paths": {"/items": {"post": {
                "operationId": "create_item",
                "requestBody": {"content": {"application/json": {"schema": schema}}},
                "responses": {"204": {"description": "created"}},
            }}},
        }),
    )
    .normalized()
}

#[test]
fn a_false_member_or_definition_is_no_annotation() {
    // rev-17: `false` has no keywords, so it passed for a member that only
    // annotates, and adding it (no value is valid any more) was documentation.
    let string = serde_json::json!({"type": "string"});
    let old = request_body(serde_json::json!({"allOf": [string, {"maxLength": 3}]}));
    let new = request_body(serde_json::json!({"allOf": [string, {"maxLength": 3}, false]}));
    let changes = review::http::compare(&old, &new);
    assert!(
        changes
            .iter()
            .any(|change| change.kind == AllOfMemberAdded && change.severity == Breaking),
        "{changes:#?}"
    );
    // A property defined in two members, the new definition `false`.
    let name = |schema: serde_json::Value| serde_json::json!({"properties": {"name": schema}});
    let old = request_body(serde_json::json!({"type": "object", "allOf": [name(string.clone())]}));
    let new = request_body(
        serde_json::json!({"type": "object", "allOf": [name(string.clone()), name(serde_json::json!(false))]}),
    );
    let changes = review::http::compare(&old, &new);
    assert!(
        changes.iter().any(|change| change.severity == Breaking),
        "{changes:#?}"
    );
}
#[test]
fn an_all_of_member_that_admits_nothing_is_no_split() {
    // rev-17: a `false` member merged as if it described properties.
    let name = serde_json::json!({"properties": {"name": {"type": "string"}}});
    let old = request_body(serde_json::json!({"type": "object", "allOf": [name]}));
    for nothing in [
        serde_json::json!(false),
        serde_json::json!({"allOf": [false]}),
    ] {
        let new = request_body(serde_json::json!({"type": "object", "allOf": [name, nothing]}));
        let changes = review::http::compare(&old, &new);
        assert!(
            changes.iter().any(|change| change.severity == Breaking),
            "{nothing}: {changes:#?}"
        );
    }
}

/// A 3.1 document whose request body has one property, `name`, with the
/// schema `name`, and a schema `Text` to refer to.
fn named(name: serde_json::Value) -> Document {
    Document::new(
        "named.yaml",
        serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "one property", "version": "1"},
            "paths": {"/items": {"post": {
                "operationId": "create_item",
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object", "properties": {"name": name},
                }}}},
                "responses": {"204": {"description": "created"}},
            }}},
            "components": {"schemas": {"Text": {"type": "string"}}},
        }),
    )
    .normalized()
}

#[test]
fn a_wrapper_with_a_lifecycle_promise_is_a_schema_of_its_own() {
    // rev-17: `x-stability-level` and `x-sunset` counted as documentation,
    // so a documenting wrapper was looked through and its promise lost.
    let text = serde_json::json!({"$ref": "#/components/schemas/Text"});
    let wrapped = |extension: &str, value: &str| {
        [
            serde_json::json!({"allOf": [text.clone()], extension: value}),
            serde_json::json!({"$ref": "#/components/schemas/Text", extension: value}),
        ]
    };
    for (extension, before, after, kind) in [
        ("x-stability-level", "stable", "alpha", StabilityDecreased),
        ("x-sunset", "2030-01-01", "2027-01-01", SunsetBroughtForward),
    ] {
        for (old, new) in wrapped(extension, before)
            .into_iter()
            .zip(wrapped(extension, after))
        {
            let changes = review::http::compare(&named(old.clone()), &named(new));
            assert!(
                changes
                    .iter()
                    .any(|change| change.kind == kind && change.severity == Breaking),
                "{old}: {changes:#?}"
            );
        }
    }
}

#[test]
fn members_nested_beyond_the_generator_leave_the_rust_api_out() {
    // rev-17: 2,000 nested members overflowed progenitor's stack (an abort,
    // no panic to catch); 600 took minutes.
    let mut schemas = serde_json::Map::new();
    for level in 0..100 {
        let next = serde_json::json!({"$ref": format!("#/components/schemas/M{}", level + 1)});
        let own = serde_json::json!({"properties": {format!("p{level}"): {"type": "string"}}});
        schemas.insert(
            format!("M{level}"),
            serde_json::json!({"allOf": [next, own]}),
        );
    }
    schemas.insert("M100".into(), serde_json::json!({"type": "object"}));
    let document = Document::new(
        "deep.yaml",
        serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "deep members", "version": "1"},
            "paths": {"/items": {"post": {
                "operationId": "create_item",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/M0"}}}},
                "responses": {"204": {"description": "created"}},
            }}},
            "components": {"schemas": schemas},
        }),
    )
    .normalized();
    let report = review::review(&document, &document).unwrap_or_else(|err| panic!("{err}"));
    let why = report.rust_api_unavailable.unwrap_or_default();
    assert!(why.contains("100 deep"), "{why:?}");
    assert!(report.changes.is_empty(), "{:#?}", report.changes);
}
