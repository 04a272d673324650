//! Stage 3: turn a validated spec into tokens with progenitor.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use openapiv3::OpenAPI;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;

use crate::error::Error;

/// The hand-written type every generated `Client` carries: per-call state that
/// the client layer's hooks use for auth, retries and error reporting.
const INNER_TYPE: &str = "crate::transport::CallState";

/// Schemas replaced by hand-written types of the client crate, with why.
const REPLACEMENTS: [(&str, &str); 1] = [
    // A new key's secret must never show up in `Debug` output or logs.
    ("ApiKeySecret", "crate::ApiKeySecret"),
];

/// Generates the client's tokens. progenitor panics on some shapes; a panic
/// that gets past the validator is caught here and returned as an error.
pub fn generate(file: &Path, spec: &OpenAPI) -> Result<proc_macro2::TokenStream, Error> {
    let mut settings = GenerationSettings::new();
    let inner_type: syn::Path = syn::parse_str(INNER_TYPE).expect("INNER_TYPE is a valid path");
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_tag(TagStyle::Merged)
        // A missing hooks implementation is then a compile error, not a
        // silently unauthenticated client.
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote!(#inner_type))
        .with_derive("PartialEq");
    for (schema, rust_type) in REPLACEMENTS {
        settings.with_replacement(schema, rust_type, std::iter::empty());
    }

    let unsupported = |message: String| {
        Error::Unsupported {
        file: file.to_owned(),
        message,
        hint: "simplify the construct it names (see README.md, \"Changing the spec\"), then run `cargo xtask regen` again".into(),
    }
    };
    match catch_unwind(AssertUnwindSafe(|| {
        Generator::new(&settings).generate_tokens(spec)
    })) {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(err)) => Err(unsupported(err.to_string())),
        Err(payload) => Err(unsupported(panic_message(payload.as_ref()))),
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "progenitor stopped without a message".to_owned())
}
