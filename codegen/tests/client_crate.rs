//! The boundary between the generator and the client crate
//! (`codegen/src/client_crate.rs`): every generated type is published or
//! deliberately private, and spec-diff's Rust API review reports what the
//! crate really exports.

use std::path::{Path, PathBuf};

use codegen::Document;
use codegen::client_crate::{self, Exports, PRIVATE};
use codegen::review::{self, Bump, RustApiKind};
use serde_json::json;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn committed_client() -> syn::File {
    let text = std::fs::read_to_string(workspace().join("generated-client/src/generated.rs"))
        .expect("the client is committed");
    syn::parse_file(&text).expect("the committed client parses")
}

#[test]
fn every_generated_type_is_exported_or_deliberately_private() {
    let exports = Exports::of_client_crate().unwrap();
    let generated = client_crate::generated_types(&committed_client());
    assert!(
        generated.len() > 5,
        "the generated types were not found: {generated:?}"
    );
    let unaccounted: Vec<&String> = generated
        .iter()
        .filter(|path| {
            exports.public_path(path).is_none() && client_crate::why_private(path).is_none()
        })
        .collect();
    assert!(
        unaccounted.is_empty(),
        "generated but neither exported through `types` or `wire` in generated-client/src/lib.rs nor listed in client_crate::PRIVATE: {unaccounted:?}"
    );
    for (generated_path, public) in exports.iter() {
        assert!(
            generated.iter().any(|path| path == generated_path),
            "{public} re-exports {generated_path}, which is not generated"
        );
    }
    for (name, why) in PRIVATE {
        let path = format!("types::{name}");
        assert!(
            generated.contains(&path),
            "PRIVATE lists {name}, which is not generated"
        );
        assert!(
            exports.public_path(&path).is_none(),
            "{name} is listed private but exported"
        );
        assert!(!why.is_empty(), "{name}: say why it is private");
    }
}

/// The workspace spec, and the same spec with `change` applied to its JSON.
fn workspace_spec_and(change: impl FnOnce(&mut serde_json::Value)) -> (Document, Document) {
    let file = workspace().join("openapi/keys.yaml");
    let old = Document::load(&file).unwrap();
    let mut value = old.root().clone();
    change(&mut value);
    (old, Document::new(file, value))
}

#[test]
fn a_new_schema_nothing_exports_is_a_task_not_a_published_type() {
    let (old, new) = workspace_spec_and(|spec| {
        spec["components"]["schemas"]["Unexported"] = json!({
            "type": "object",
            "description": "Nothing re-exports this.",
            "properties": {"note": {"type": "string", "description": "A note."}}
        });
    });
    let report = review::review(&old, &new).unwrap();
    assert!(
        report
            .rust_api
            .iter()
            .all(|change| change.kind == RustApiKind::InternalsChanged),
        "published: {:#?}",
        report.rust_api
    );
    let task = report
        .hand_written_layer
        .iter()
        .find(|change| change.item == "types::Unexported")
        .unwrap_or_else(|| panic!("no task: {:#?}", report.hand_written_layer));
    assert_eq!(task.kind, RustApiKind::TypeAdded);
    assert_eq!(task.bump, Bump::None);
    assert!(
        task.message.contains("generated-client/src/lib.rs"),
        "{}",
        task.message
    );
}

#[test]
fn a_change_is_named_by_the_path_users_write() {
    let (old, new) = workspace_spec_and(|spec| {
        for schema in ["CreateKeyRequest", "Member"] {
            spec["components"]["schemas"][schema]["properties"]["extra"] =
                json!({"type": "string", "description": "Added."});
        }
    });
    let report = review::review(&old, &new).unwrap();
    let items: Vec<&str> = report
        .rust_api
        .iter()
        .map(|change| change.item.as_str())
        .collect();
    assert!(
        items.contains(&"wire::CreateKeyRequest::extra"),
        "{items:?}"
    );
    assert!(items.contains(&"types::Member::extra"), "{items:?}");
    let added = report
        .rust_api
        .iter()
        .find(|change| change.item == "wire::CreateKeyRequest::extra")
        .unwrap();
    assert_eq!(added.bump, Bump::Major);
    assert!(
        added.message.starts_with("`wire::CreateKeyRequest::extra:"),
        "{}",
        added.message
    );
}
