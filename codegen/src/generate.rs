//! Stage 3: turn a validated spec into tokens with progenitor.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use openapiv3::OpenAPI;
use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::{ToTokens, quote};

use crate::client_crate::{INNER_TYPE, PATH_SEGMENT_ENCODER, REPLACEMENTS};
use crate::document::Document;
use crate::error::Error;

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
        Err(payload) => {
            let message =
                panic_message(payload.as_ref()).unwrap_or("progenitor stopped without a message");
            return Err(unsupported(message.to_owned()));
        }
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

/// What a caught panic said, when it said it as text (`panic!` with a
/// literal or with formatting). Used here for progenitor's panics and by
/// xtask for its own.
pub fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
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

    #[test]
    fn a_panic_message_is_read_whatever_its_type() {
        let message =
            |payload: Box<dyn Any + Send>| panic_message(payload.as_ref()).map(str::to_owned);
        assert_eq!(
            message(Box::new("static text")).as_deref(),
            Some("static text")
        );
        assert_eq!(
            message(Box::new(format!("formatted {}", 1))).as_deref(),
            Some("formatted 1")
        );
        assert_eq!(message(Box::new(42)), None);
    }
}
