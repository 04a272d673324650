//! Turns the hand-written OpenAPI spec into the formatted Rust source of the
//! `deepgram-keys` client.
//!
//! The work is split by stage so that each can be tested and reused (the
//! spec-diff tool loads and validates without generating):
//!
//! 1. [`load()`]: read YAML or JSON into a JSON value;
//! 2. [`validate()`]: check it is OpenAPI 3.0 that progenitor can handle;
//! 3. [`generate()`]: run progenitor with the client crate's settings;
//! 4. [`format()`]: format with prettyplease and prepend the `@generated` header.
//!
//! [`diff()`] and [`rust_diff()`] compare two specs, by their HTTP contract
//! and by the Rust API they generate, for `cargo xtask spec-diff`.

mod diff;
mod error;
mod format;
mod generate;
mod load;
mod rust_api;
mod validate;

use std::path::Path;

pub use diff::{Change, Severity, diff};
pub use error::{Error, pointer, pointer_token};
pub use format::format;
pub use generate::generate;
pub use load::{load, parse};
pub use rust_api::{Bump, RustChange, rust_diff};
pub use validate::{validate, validate_openapi};

/// The generated code for a parsed spec, as a syntax tree: what the
/// spec-diff tool compares. `file` names the spec in errors.
pub fn generate_syntax(file: &Path, document: &serde_json::Value) -> Result<syn::File, Error> {
    let spec = validate(file, document)?;
    let tokens = generate(file, &spec)?;
    syn::parse2(tokens).map_err(|err| Error::Format {
        file: file.to_owned(),
        message: err.to_string(),
    })
}

/// The semver bump a change needs: the larger of what the wire changes need
/// (breaking: major, non-breaking: minor, info: patch) and what the Rust API
/// changes need.
pub fn suggest_bump(changes: &[Change], rust_api: &[RustChange]) -> Bump {
    let wire = changes.iter().map(|change| match change.severity {
        Severity::Breaking => Bump::Major,
        Severity::NonBreaking => Bump::Minor,
        Severity::Info => Bump::Patch,
    });
    wire.chain(rust_api.iter().map(|change| change.bump))
        .max()
        .unwrap_or(Bump::None)
}

/// Runs every stage on the spec at `file`. `spec_label` is how the header
/// names the spec (a path relative to the workspace root, so that the output
/// does not depend on where the checkout lives).
pub fn generate_source(file: &Path, spec_label: &str) -> Result<String, Error> {
    let document = load(file)?;
    let spec = validate(file, &document)?;
    let tokens = generate(file, &spec)?;
    format(file, spec_label, tokens)
}
