//! Turns the hand-written OpenAPI spec into the formatted Rust source of the
//! `deepgram-keys` client, and reviews changes to that spec.
//!
//! Every tool reads the spec through one model, [`Document`]: `$ref`
//! resolution with cycle detection, operations with their merged
//! parameters, response keys and their classes, media types, JSON pointers.
//!
//! Regeneration is split by stage so that each can be tested and reused:
//!
//! 1. [`Document::load`]: read YAML or JSON, and the files its `$ref`s lead
//!    to, into one document;
//! 2. [`generator_input()`]: check it is OpenAPI 3.0 ([`Rules::OpenApi`])
//!    that progenitor can handle ([`Rules::Generator`]), as [`validate()`]
//!    does, and hand progenitor its model of it;
//! 3. [`generate()`]: run progenitor with the client crate's settings;
//! 4. [`format()`]: format with prettyplease and prepend the `@generated` header.
//!
//! [`review`] compares two specs, by their HTTP contract and by the Rust API
//! they generate, for `cargo xtask spec-diff`; it reads any OpenAPI 3.x
//! document and lists what is not valid in it as warnings ([`findings()`]).

pub mod client_crate;
pub mod document;
mod error;
mod format;
mod generate;
pub mod review;
pub mod upstream;
mod validate;

use std::path::Path;

pub use document::{Dialect, Document, normalize, pointer, pointer_token};
pub use error::Error;
pub use format::format;
pub use generate::{generate, panic_message};
pub use validate::{Rules, findings, generator_input, readable, validate};

/// The client that `document` generates, as a syntax tree: what the review
/// of the Rust API compares.
pub fn client_syntax(document: &Document) -> Result<syn::File, Error> {
    let spec = generator_input(document)?;
    let tokens = generate(document, &spec)?;
    syn::parse2(tokens).map_err(|err| Error::Format {
        file: document.file().to_owned(),
        message: err.to_string(),
    })
}

/// The client that the spec at `file` generates, as formatted source: every
/// stage, as `cargo xtask regen` runs them. `spec_label` is how the header
/// names the spec (a path relative to the workspace root, so that the output
/// does not depend on where the checkout lives).
pub fn client_source(file: &Path, spec_label: &str) -> Result<String, Error> {
    let document = Document::load(file)?;
    let spec = generator_input(&document)?;
    let tokens = generate(&document, &spec)?;
    format(file, spec_label, tokens)
}
