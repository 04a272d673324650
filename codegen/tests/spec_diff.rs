//! One pair of small specs per rule under `tests/diff/`: each must report
//! exactly its change, with the right severity, Rust impact and semver bump.

use std::collections::BTreeSet;
use std::path::Path;

use codegen::{Bump, Severity};

use Bump::{Major, Minor, Patch};
use Severity::{Breaking, Info, NonBreaking};

struct Case {
    pair: &'static str,
    changes: &'static [(&'static str, Severity)],
    rust_api: &'static [(&'static str, Bump)],
    semver: Bump,
}

const fn case(
    pair: &'static str,
    changes: &'static [(&'static str, Severity)],
    rust_api: &'static [(&'static str, Bump)],
    semver: Bump,
) -> Case {
    Case {
        pair,
        changes,
        rust_api,
        semver,
    }
}

const CASES: &[Case] = &[
    case("identical", &[], &[], Bump::None),
    case("reordered-and-referenced", &[], &[], Bump::None),
    // Operations
    case(
        "operation-removed",
        &[("operation-removed", Breaking)],
        &[("method-removed", Major)],
        Major,
    ),
    case(
        "operation-added",
        &[("operation-added", NonBreaking)],
        &[("method-added", Minor)],
        Minor,
    ),
    case(
        "success-status-removed",
        &[
            ("response-status-added", NonBreaking),
            ("success-status-removed", Breaking),
        ],
        &[("internals-changed", Patch)],
        Major,
    ),
    // Parameters
    case(
        "parameter-added-required",
        &[("parameter-added-required", Breaking)],
        &[("method-signature-changed", Major)],
        Major,
    ),
    // Optional on the wire, but a new positional argument for Rust callers.
    case(
        "parameter-added-optional",
        &[("parameter-added-optional", NonBreaking)],
        &[("method-signature-changed", Major)],
        Major,
    ),
    case(
        "parameter-became-required",
        &[("parameter-became-required", Breaking)],
        &[("method-signature-changed", Major)],
        Major,
    ),
    case(
        "parameter-removed",
        &[("parameter-removed", Breaking)],
        &[("method-signature-changed", Major), ("type-removed", Major)],
        Major,
    ),
    case(
        "parameter-type-changed",
        &[("request-type-changed", Breaking)],
        &[("method-signature-changed", Major)],
        Major,
    ),
    case(
        "parameter-enum-value-removed",
        &[("request-enum-value-removed", Breaking)],
        &[("variant-removed", Major)],
        Major,
    ),
    case(
        "parameter-maximum-lowered",
        &[("bound-tightened", Breaking)],
        &[],
        Major,
    ),
    case(
        "parameter-minimum-raised",
        &[("bound-tightened", Breaking)],
        &[("method-signature-changed", Major)],
        Major,
    ),
    case(
        "parameter-maximum-raised",
        &[("bound-loosened", NonBreaking)],
        &[],
        Minor,
    ),
    case(
        "parameter-pattern-added",
        &[("pattern-changed", Breaking)],
        &[("method-signature-changed", Major), ("type-added", Minor)],
        Major,
    ),
    case(
        "parameter-default-changed",
        &[("default-changed", Breaking)],
        &[],
        Major,
    ),
    // Request body
    case(
        "request-body-became-required",
        &[("request-body-became-required", Breaking)],
        &[],
        Major,
    ),
    case(
        "request-property-added-required",
        &[("request-property-added-required", Breaking)],
        &[("field-added", Major)],
        Major,
    ),
    case(
        "request-property-added-optional",
        &[("request-property-added-optional", NonBreaking)],
        &[("field-added", Major)],
        Major,
    ),
    case(
        "request-property-became-required",
        &[("request-property-became-required", Breaking)],
        &[("field-retyped", Major)],
        Major,
    ),
    case(
        "request-property-became-non-nullable",
        &[("request-became-non-nullable", Breaking)],
        &[],
        Major,
    ),
    case(
        "request-property-type-changed",
        &[("request-type-changed", Breaking)],
        &[("field-retyped", Major)],
        Major,
    ),
    case(
        "request-enum-value-removed",
        &[("request-enum-value-removed", Breaking)],
        &[("variant-removed", Major)],
        Major,
    ),
    case(
        "request-enum-value-added",
        &[("request-enum-value-added", NonBreaking)],
        &[("variant-added", Major)],
        Major,
    ),
    // The server ignores unknown fields, so old requests still work; the
    // Rust struct loses a field.
    case(
        "request-property-removed",
        &[("request-property-removed", NonBreaking)],
        &[("field-removed", Major)],
        Major,
    ),
    case(
        "request-format-changed",
        &[("format-changed", Breaking)],
        &[("field-retyped", Major)],
        Major,
    ),
    case(
        "request-max-items-lowered",
        &[("bound-tightened", Breaking)],
        &[],
        Major,
    ),
    case(
        "request-min-length-added",
        &[("bound-tightened", Breaking)],
        &[("field-retyped", Major), ("type-added", Minor)],
        Major,
    ),
    case(
        "request-pattern-changed",
        &[("pattern-changed", Breaking)],
        &[("internals-changed", Patch)],
        Major,
    ),
    case(
        "request-media-type-removed",
        &[
            ("media-type-added", NonBreaking),
            ("media-type-removed", Breaking),
        ],
        &[("internals-changed", Patch)],
        Major,
    ),
    // Response body
    case(
        "response-required-property-removed",
        &[("response-required-property-removed", Breaking)],
        &[("field-removed", Major)],
        Major,
    ),
    case(
        "response-property-became-optional",
        &[("response-property-became-optional", Breaking)],
        &[("field-retyped", Major)],
        Major,
    ),
    case(
        "response-property-became-nullable",
        &[("response-became-nullable", Breaking)],
        &[],
        Major,
    ),
    case(
        "response-type-changed",
        &[("response-type-changed", Breaking)],
        &[("field-retyped", Major)],
        Major,
    ),
    // Harmless on the wire; a new variant breaks exhaustive matches in Rust.
    case(
        "response-enum-value-added",
        &[("response-enum-value-added", Info)],
        &[("variant-added", Major)],
        Major,
    ),
    case(
        "response-media-type-removed",
        &[
            ("media-type-added", NonBreaking),
            ("media-type-removed", Breaking),
        ],
        &[("method-signature-changed", Major)],
        Major,
    ),
    // Harmless on the wire; a new field breaks struct literals in Rust.
    case(
        "response-property-added",
        &[("response-property-added", NonBreaking)],
        &[("field-added", Major)],
        Major,
    ),
    // Security
    case(
        "security-scheme-changed",
        &[("security-scheme-changed", Breaking)],
        &[],
        Major,
    ),
    case(
        "security-requirement-changed",
        &[("security-requirement-changed", Breaking)],
        &[],
        Major,
    ),
    // Documentation
    case(
        "description-changed",
        &[("documentation-changed", Info)],
        &[],
        Patch,
    ),
    case("example-changed", &[("example-changed", Info)], &[], Patch),
    case(
        "info-and-servers-changed",
        &[("documentation-changed", Info), ("servers-changed", Info)],
        &[],
        Patch,
    ),
];

fn pair_dir(pair: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/diff")
        .join(pair)
}

#[test]
fn every_rule_reports_exactly_its_change() {
    for case in CASES {
        let side = |name: &str| {
            let file = pair_dir(case.pair).join(name);
            let document = codegen::load(&file).unwrap();
            let code =
                codegen::generate_syntax(&file, &document).unwrap_or_else(|err| panic!("{err}"));
            (document, code)
        };
        let ((old_spec, old_code), (new_spec, new_code)) = (side("old.yaml"), side("new.yaml"));
        let changes = codegen::diff(&old_spec, &new_spec);
        let rust_api = codegen::rust_diff(&old_code, &new_code);

        let reported: BTreeSet<(&str, Severity)> = changes
            .iter()
            .map(|change| (change.kind, change.severity))
            .collect();
        let expected: BTreeSet<(&str, Severity)> = case.changes.iter().copied().collect();
        assert_eq!(reported, expected, "{}: changes {changes:#?}", case.pair);

        let reported: BTreeSet<(&str, Bump)> = rust_api
            .iter()
            .map(|change| (change.kind, change.bump))
            .collect();
        let expected: BTreeSet<(&str, Bump)> = case.rust_api.iter().copied().collect();
        assert_eq!(reported, expected, "{}: Rust API {rust_api:#?}", case.pair);

        assert_eq!(
            codegen::suggest_bump(&changes, &rust_api),
            case.semver,
            "{}",
            case.pair
        );
        for change in &changes {
            assert!(change.pointer.starts_with('/'), "{}: {change:?}", case.pair);
            if case.pair.starts_with("parameter")
                || case.pair.starts_with("request")
                || case.pair.starts_with("response")
            {
                assert!(
                    change.operation.contains('('),
                    "{}: no operation named in {change:?}",
                    case.pair
                );
            }
        }
    }
}

#[test]
fn every_pair_on_disk_is_in_the_table() {
    let on_disk: BTreeSet<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    let listed: BTreeSet<String> = CASES.iter().map(|case| case.pair.to_owned()).collect();
    assert_eq!(on_disk, listed);
}

#[test]
fn the_project_spec_against_itself_reports_nothing() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/keys.yaml");
    let spec = codegen::load(&file).unwrap();
    let code = codegen::generate_syntax(&file, &spec).unwrap();
    assert!(codegen::diff(&spec, &spec).is_empty());
    assert!(codegen::rust_diff(&code, &code).is_empty());
}
