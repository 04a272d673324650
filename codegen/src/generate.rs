//! Stage 3: turn a validated spec into tokens with progenitor.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use openapiv3::OpenAPI;
use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::{ToTokens, quote};

use crate::document::Document;
use crate::error::Error;

/// The hand-written type every generated `Client` carries: per-call state that
/// the client layer's hooks use for auth, retries and error reporting.
const INNER_TYPE: &str = "crate::hooks::CallState";

/// The client crate's encoder of one path segment. progenitor's own
/// `encode_path` leaves `\` as it is, which URL parsers read as `/` in
/// `http(s)` URLs: an id such as `..\..\OTHER` would leave its segment. Every
/// call of it in the generated code is pointed here instead.
const PATH_SEGMENT_ENCODER: &str = "crate::path_segment::encode";

/// Schemas replaced by hand-written types of the client crate, with why.
const REPLACEMENTS: [(&str, &str); 1] = [
    // A new key's secret must never show up in `Debug` output or logs.
    ("ApiKeySecret", "crate::ApiKeySecret"),
];

/// Generates the client's tokens. progenitor panics on some shapes; a panic
/// that gets past the validator is caught here and returned as an error.
pub fn generate(document: &Document, spec: &OpenAPI) -> Result<TokenStream, Error> {
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
        file: document.file().to_owned(),
        message,
        hint: "simplify the construct it names (see README.md, \"Changing the spec\"), then run `cargo xtask regen` again".into(),
    }
    };
    let tokens = match catch_unwind(AssertUnwindSafe(|| {
        Generator::new(&settings).generate_tokens(spec)
    })) {
        Ok(Ok(tokens)) => tokens,
        Ok(Err(err)) => return Err(unsupported(err.to_string())),
        Err(payload) => return Err(unsupported(panic_message(payload.as_ref()))),
    };
    let encoder: TokenStream = syn::parse_str::<syn::Path>(PATH_SEGMENT_ENCODER)
        .expect("PATH_SEGMENT_ENCODER is a valid path")
        .into_token_stream();
    let (tokens, rewritten) = replace_calls(tokens, "encode_path", &encoder);
    let has_path_parameters = spec.paths.paths.keys().any(|path| path.contains('{'));
    if has_path_parameters && rewritten == 0 {
        return Err(Error::Unsupported {
            file: document.file().to_owned(),
            message: "progenitor no longer calls `encode_path` for path parameters, so ids would not go through the client's own segment encoder".into(),
            hint: "find the function progenitor now uses and point `replace_calls` in codegen/src/generate.rs at it".into(),
        });
    }
    Ok(tokens)
}

/// Replaces every call `name(...)` in `tokens` with a call of `replacement`,
/// returning the new tokens and how many calls were replaced. An `name` that
/// is not followed by parentheses (an import, say) is left alone.
fn replace_calls(
    tokens: TokenStream,
    name: &str,
    replacement: &TokenStream,
) -> (TokenStream, usize) {
    let mut replaced = 0;
    let mut out = Vec::new();
    let mut trees = tokens.into_iter().peekable();
    while let Some(tree) = trees.next() {
        match tree {
            TokenTree::Ident(ident)
                if ident == name
                    && matches!(trees.peek(), Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis) =>
            {
                out.extend(replacement.clone());
                replaced += 1;
            }
            TokenTree::Group(group) => {
                let (inner, count) = replace_calls(group.stream(), name, replacement);
                let mut rebuilt = Group::new(group.delimiter(), inner);
                rebuilt.set_span(group.span());
                out.push(TokenTree::Group(rebuilt));
                replaced += count;
            }
            other => out.push(other),
        }
    }
    (out.into_iter().collect(), replaced)
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "progenitor stopped without a message".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_replaced_and_imports_left_alone() {
        let tokens = quote! {
            use progenitor_client::{encode_path, ClientHooks};
            fn f() { format!("{}/{}", encode_path(&a.to_string()), g(encode_path(&b))) }
        };
        let encoder = quote!(crate::path_segment::encode);
        let (rewritten, count) = replace_calls(tokens, "encode_path", &encoder);
        assert_eq!(count, 2);
        let expected = quote! {
            use progenitor_client::{encode_path, ClientHooks};
            fn f() { format!("{}/{}", crate::path_segment::encode(&a.to_string()), g(crate::path_segment::encode(&b))) }
        };
        assert_eq!(rewritten.to_string(), expected.to_string());
    }
}
