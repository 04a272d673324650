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

mod error;
mod format;
mod generate;
mod load;
mod validate;

use std::path::Path;

pub use error::{Error, pointer, pointer_token};
pub use format::format;
pub use generate::generate;
pub use load::{load, parse};
pub use validate::validate;

/// Runs every stage on the spec at `file`. `spec_label` is how the header
/// names the spec (a path relative to the workspace root, so that the output
/// does not depend on where the checkout lives).
pub fn generate_source(file: &Path, spec_label: &str) -> Result<String, Error> {
    let document = load(file)?;
    let spec = validate(file, &document)?;
    let tokens = generate(file, &spec)?;
    format(file, spec_label, tokens)
}
