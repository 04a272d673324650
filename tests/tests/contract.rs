//! Every fixture against the spec, the client and the generated types; every
//! example against its schema; a fixture for every declared response; and
//! a fixture or example for every property a response can carry.

use std::collections::BTreeSet;

use deepgram_keys_contract::fixtures::{self, Fixture};
use deepgram_keys_contract::sample::{self, Outcome, SchemaFit};
use deepgram_keys_contract::spec::Spec;

#[tokio::test]
async fn every_fixture_fits_the_spec_decodes_and_loses_nothing() {
    let spec = Spec::load().unwrap();
    let all = fixtures::all().unwrap();
    assert!(
        all.len() > 40,
        "the fixtures folder looks empty: {} files",
        all.len()
    );
    let mut failures = Vec::new();
    for fixture in &all {
        let report = sample::check(&spec, &fixture.operation, fixture.status, &fixture.body)
            .await
            .unwrap();
        let mut problems = Vec::new();
        match &report.schema {
            SchemaFit::Fits => {}
            other => problems.push(format!("schema: {other:?}")),
        }
        let expect_error = fixture.status >= 400;
        match (&report.outcome, expect_error) {
            (Outcome::Value(_), false) | (Outcome::ApiError(_), true) => {}
            (outcome, _) => problems.push(format!("client outcome: {outcome:?}")),
        }
        for loss in &report.lost {
            problems.push(format!(
                "{} lost: received {}, decoded {}",
                loss.pointer, loss.received, loss.decoded
            ));
        }
        if !report.ignored.is_empty() && !fixture.case.contains("unknown-fields") {
            problems.push(format!(
                "fields the spec does not name: {:?}",
                report.ignored
            ));
        }
        if fixture.case.contains("unknown-fields") && report.ignored.is_empty() {
            problems.push("an unknown-fields fixture with no unknown field".into());
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}:\n  {}",
                fixture.file.display(),
                problems.join("\n  ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_declared_response_has_a_fixture() {
    let spec = Spec::load().unwrap();
    let all = fixtures::all().unwrap();
    let mut missing = Vec::new();
    for operation in spec.operations() {
        let id = operation.id().unwrap_or("?");
        for declared in spec.declared_statuses(id) {
            let covered = all.iter().any(|fixture: &Fixture| {
                fixture.operation == id && Spec::covers(&declared, fixture.status)
            });
            if !covered {
                missing.push(format!("{id} {declared}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "add fixtures under tests/fixtures/ for: {missing:?}"
    );
}

#[test]
fn every_fixture_answers_a_declared_response() {
    let spec = Spec::load().unwrap();
    for fixture in fixtures::all().unwrap() {
        assert!(
            spec.response(&fixture.operation, fixture.status).is_some(),
            "{}: the spec declares no {} response for `{}`",
            fixture.file.display(),
            fixture.status,
            fixture.operation
        );
    }
}

#[test]
fn every_example_fits_its_schema() {
    let spec = Spec::load().unwrap();
    let examples = spec.examples();
    assert!(
        examples.len() >= 20,
        "only {} examples found",
        examples.len()
    );
    let mut failures = Vec::new();
    for example in examples {
        for violation in spec.violations(&example.schema, &example.value).unwrap() {
            failures.push(format!(
                "{} at {}: {}",
                example.pointer, violation.pointer, violation.message
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "examples that break their schema:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_operation_and_status_carries_an_example() {
    let spec = Spec::load().unwrap();
    let mut missing = Vec::new();
    for operation in spec.operations() {
        let id = operation.id().unwrap_or("?");
        for response in operation.responses() {
            let content = response.value["content"].as_object();
            for (media_type, media) in content.into_iter().flatten() {
                if media.get("example").is_none() {
                    missing.push(format!("{id} {} {media_type}", response.label));
                }
            }
        }
        if let Some(body) = operation.request_body() {
            for (media_type, media) in body["content"].as_object().into_iter().flatten() {
                if media.get("example").is_none() {
                    missing.push(format!("{id} request {media_type}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "add examples for: {missing:?}");
}

#[tokio::test]
async fn a_body_that_breaks_the_contract_is_reported() {
    let spec = Spec::load().unwrap();
    let body = br#"{"api_keys": [{"member": {"member_id": "m"}, "api_key": {"api_key_id": "k"}}]}"#;
    let report = sample::check(&spec, "list_keys", 200, body).await.unwrap();
    let SchemaFit::Violations(violations) = &report.schema else {
        panic!("expected violations, got {:?}", report.schema);
    };
    let pointers: Vec<&str> = violations.iter().map(|v| v.pointer.as_str()).collect();
    assert!(pointers.contains(&"/api_keys/0/member"), "{pointers:?}");
    assert!(pointers.contains(&"/api_keys/0/api_key"), "{pointers:?}");
    assert!(
        matches!(report.outcome, Outcome::Failed(_)),
        "{:?}",
        report.outcome
    );
    assert!(!report.decoded_without_loss());
}

#[tokio::test]
async fn a_bad_field_in_one_shape_is_named_and_unknown_fields_still_listed() {
    let spec = Spec::load().unwrap();
    let body = br#"{"member": {"member_id": "m", "email": "e"}, "shiny": 1,
        "api_key": {"api_key_id": "k", "comment": "c", "scopes": ["member"], "created": "last tuesday"}}"#;
    let report = sample::check(&spec, "get_key", 200, body).await.unwrap();
    let SchemaFit::Violations(violations) = &report.schema else {
        panic!("expected violations, got {:?}", report.schema);
    };
    let pointers: Vec<&str> = violations.iter().map(|v| v.pointer.as_str()).collect();
    assert_eq!(pointers, ["/api_key/created"], "{violations:?}");
    assert!(matches!(report.outcome, Outcome::Failed(_)));
    assert_eq!(report.ignored, ["/shiny"]);
}

/// Every property a `schema` (defined at `at`) can carry, by the pointer of
/// its definition.
fn properties_of(spec: &Spec, schema: &serde_json::Value, at: &str, found: &mut BTreeSet<String>) {
    let (schema, at) = definition(spec, schema, at);
    if !found.insert(at.clone()) {
        return;
    }
    for keyword in ["oneOf", "anyOf", "allOf"] {
        for (index, branch) in schema[keyword].as_array().into_iter().flatten().enumerate() {
            properties_of(spec, branch, &format!("{at}/{keyword}/{index}"), found);
        }
    }
    if let Some(items) = schema.get("items") {
        properties_of(spec, items, &format!("{at}/items"), found);
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let here = format!("{at}/properties/{}", codegen::pointer_token(name));
        found.insert(format!("{here} (property)"));
        properties_of(spec, property, &here, found);
    }
}

/// The properties `instance` sets (to anything but null), read with `schema`.
fn exercised(
    spec: &Spec,
    schema: &serde_json::Value,
    at: &str,
    instance: &serde_json::Value,
    seen: &mut BTreeSet<String>,
) {
    let (schema, at) = definition(spec, schema, at);
    for keyword in ["oneOf", "anyOf", "allOf"] {
        for (index, branch) in schema[keyword].as_array().into_iter().flatten().enumerate() {
            exercised(
                spec,
                branch,
                &format!("{at}/{keyword}/{index}"),
                instance,
                seen,
            );
        }
    }
    if let (Some(items), Some(values)) = (schema.get("items"), instance.as_array()) {
        for value in values {
            exercised(spec, items, &format!("{at}/items"), value, seen);
        }
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let value = &instance[name.as_str()];
        if !value.is_null() {
            let here = format!("{at}/properties/{}", codegen::pointer_token(name));
            seen.insert(format!("{here} (property)"));
            exercised(spec, property, &here, value, seen);
        }
    }
}

/// A schema and where it is defined, through `$ref`s.
fn definition<'a>(
    spec: &'a Spec,
    mut schema: &'a serde_json::Value,
    at: &str,
) -> (&'a serde_json::Value, String) {
    let mut at = at.to_owned();
    while let Some(reference) = schema["$ref"].as_str() {
        at = reference.trim_start_matches('#').to_owned();
        schema = spec.resolve(schema);
        if schema.get("$ref").is_some_and(|next| next == reference) {
            break;
        }
    }
    (schema, at)
}

#[test]
fn every_response_property_is_exercised_by_a_fixture_or_an_example() {
    let spec = Spec::load().unwrap();
    let mut possible = BTreeSet::new();
    for operation in spec.operations() {
        for response in operation.responses() {
            if let Some(schema) = response.json_schema() {
                properties_of(&spec, schema, &response.pointer, &mut possible);
            }
        }
    }
    let mut seen = BTreeSet::new();
    for fixture in fixtures::all().unwrap() {
        let Ok(body) = serde_json::from_slice::<serde_json::Value>(&fixture.body) else {
            continue;
        };
        let operation = spec.operation(&fixture.operation).unwrap();
        if let Some(response) = operation.response_for(fixture.status)
            && let Some(schema) = response.json_schema()
        {
            exercised(&spec, schema, &response.pointer, &body, &mut seen);
        }
    }
    for example in spec.examples() {
        let at = example.pointer.trim_end_matches("/example").to_owned();
        exercised(&spec, &example.schema, &at, &example.value, &mut seen);
    }
    let missing: Vec<&String> = possible
        .iter()
        .filter(|name| name.ends_with(" (property)") && !seen.contains(*name))
        .collect();
    assert!(
        missing.is_empty(),
        "response properties that no fixture or example sets; add a fixture under tests/fixtures/ that carries each:\n{}",
        missing
            .iter()
            .map(|name| name.trim_end_matches(" (property)"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        possible.len() > 10,
        "only {} schema places found",
        possible.len()
    );
}
