//! The public Rust API a spec generates, and how it changed between two
//! specs: what a user of the `deepgram-keys` crate will notice.

use std::collections::BTreeMap;

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::ToTokens;
use serde::Serialize;

/// A semver level, from no release needed to a breaking one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Nothing changed.
    None,
    /// Documentation or internals only.
    Patch,
    /// Additions only.
    Minor,
    /// Existing code may stop compiling or working.
    Major,
}

/// One change to the public Rust API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RustChange {
    /// What kind, e.g. `field-added`.
    pub kind: &'static str,
    /// The item, e.g. `types::ApiKey::tags`.
    pub item: String,
    /// The bump it needs on its own.
    pub bump: Bump,
    /// The change in words.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemKind {
    Type,
    Field,
    Variant,
    Method,
}

/// The public items of generated code: path to (kind, signature).
type Api = BTreeMap<String, (ItemKind, String)>;

/// Compares the Rust API of two generated files.
pub fn rust_diff(old: &syn::File, new: &syn::File) -> Vec<RustChange> {
    let (old_api, new_api) = (public_api(old), public_api(new));
    let mut changes = Vec::new();
    let is_new_type = |path: &str| {
        let parent = path.rsplit_once("::").map_or("", |(parent, _)| parent);
        !old_api.contains_key(parent) && new_api.contains_key(parent)
    };
    let is_old_type = |path: &str| {
        let parent = path.rsplit_once("::").map_or("", |(parent, _)| parent);
        old_api.contains_key(parent) && !new_api.contains_key(parent)
    };
    for (path, (kind, signature)) in &old_api {
        match new_api.get(path) {
            None if matches!(kind, ItemKind::Field | ItemKind::Variant) && is_old_type(path) => {}
            None => changes.push(RustChange {
                kind: match kind {
                    ItemKind::Type => "type-removed",
                    ItemKind::Field => "field-removed",
                    ItemKind::Variant => "variant-removed",
                    ItemKind::Method => "method-removed",
                },
                item: path.clone(),
                bump: Bump::Major,
                message: format!("`{path}` was removed"),
            }),
            Some((_, new_signature)) if new_signature != signature => changes.push(RustChange {
                kind: match kind {
                    ItemKind::Type => "type-changed",
                    ItemKind::Field => "field-retyped",
                    ItemKind::Variant => "variant-changed",
                    ItemKind::Method => "method-signature-changed",
                },
                item: path.clone(),
                bump: Bump::Major,
                message: format!("`{path}` changed from `{signature}` to `{new_signature}`"),
            }),
            Some(_) => {}
        }
    }
    for (path, (kind, signature)) in &new_api {
        if old_api.contains_key(path)
            || (matches!(kind, ItemKind::Field | ItemKind::Variant) && is_new_type(path))
        {
            continue;
        }
        let (change_kind, bump, why) = match kind {
            ItemKind::Type => ("type-added", Bump::Minor, ""),
            ItemKind::Method => ("method-added", Bump::Minor, ""),
            // Generated structs are exhaustive: code that builds one with a
            // struct literal, or matches every variant, stops compiling.
            ItemKind::Field => ("field-added", Bump::Major, " (breaks struct literals)"),
            ItemKind::Variant => ("variant-added", Bump::Major, " (breaks exhaustive matches)"),
        };
        changes.push(RustChange {
            kind: change_kind,
            item: path.clone(),
            bump,
            message: format!("`{path}: {signature}` was added{why}"),
        });
    }
    if changes.is_empty() && strip_docs(old) != strip_docs(new) {
        changes.push(RustChange {
            kind: "internals-changed",
            item: "(generated code)".into(),
            bump: Bump::Patch,
            message: "the generated code changed without changing its public API".into(),
        });
    }
    changes
}

fn public_api(file: &syn::File) -> Api {
    let mut api = Api::new();
    for item in &file.items {
        match item {
            syn::Item::Mod(module) if module.ident == "types" => {
                collect_types(&module.ident.to_string(), module, &mut api)
            }
            syn::Item::Impl(block) if is_client(&block.self_ty) => {
                for item in &block.items {
                    if let syn::ImplItem::Fn(method) = item
                        && matches!(method.vis, syn::Visibility::Public(_))
                    {
                        let path = format!("Client::{}", method.sig.ident);
                        api.insert(path, (ItemKind::Method, tokens(&method.sig)));
                    }
                }
            }
            _ => {}
        }
    }
    api
}

fn collect_types(prefix: &str, module: &syn::ItemMod, api: &mut Api) {
    for item in module.content.iter().flat_map(|(_, items)| items) {
        match item {
            syn::Item::Struct(structure) if is_public(&structure.vis) => {
                let path = format!("{prefix}::{}", structure.ident);
                api.insert(
                    path.clone(),
                    (
                        ItemKind::Type,
                        format!("struct{}", tokens(&structure.generics)),
                    ),
                );
                for (index, field) in structure.fields.iter().enumerate() {
                    let name = field
                        .ident
                        .as_ref()
                        .map_or_else(|| index.to_string(), ToString::to_string);
                    let visibility = if is_public(&field.vis) { "pub " } else { "" };
                    api.insert(
                        format!("{path}::{name}"),
                        (
                            ItemKind::Field,
                            format!("{visibility}{}", tokens(&field.ty)),
                        ),
                    );
                }
            }
            syn::Item::Enum(enumeration) if is_public(&enumeration.vis) => {
                let path = format!("{prefix}::{}", enumeration.ident);
                api.insert(
                    path.clone(),
                    (
                        ItemKind::Type,
                        format!("enum{}", tokens(&enumeration.generics)),
                    ),
                );
                for variant in &enumeration.variants {
                    api.insert(
                        format!("{path}::{}", variant.ident),
                        (ItemKind::Variant, tokens(&variant.fields)),
                    );
                }
            }
            syn::Item::Type(alias) if is_public(&alias.vis) => {
                api.insert(
                    format!("{prefix}::{}", alias.ident),
                    (ItemKind::Type, tokens(&alias.ty)),
                );
            }
            syn::Item::Mod(inner) if is_public(&inner.vis) => {
                collect_types(&format!("{prefix}::{}", inner.ident), inner, api)
            }
            _ => {}
        }
    }
}

fn is_public(visibility: &syn::Visibility) -> bool {
    matches!(visibility, syn::Visibility::Public(_))
}

fn is_client(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(path) if path.path.is_ident("Client"))
}

/// The item as compact Rust text: `Option<types::KeyStatus>`, not the
/// token stream's `Option < types :: KeyStatus >`.
fn tokens(item: &impl ToTokens) -> String {
    let spaced = item.to_token_stream().to_string();
    let chars: Vec<char> = spaced.chars().collect();
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '\'';
    let mut out = String::with_capacity(spaced.len());
    for (index, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let before = index.checked_sub(1).map(|i| chars[i]);
            let after = chars.get(index + 1).copied();
            if before.is_some_and(is_word) && after.is_some_and(is_word) {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
    }
    out.replace("::", "\0")
        .replace(':', ": ")
        .replace('\0', "::")
        .replace(',', ", ")
        .replace("->", " -> ")
}

/// The file with every `#[doc = ...]` attribute removed, to tell a
/// docs-only change from a change to the code.
fn strip_docs(file: &syn::File) -> String {
    without_docs(file.to_token_stream()).to_string()
}

fn without_docs(stream: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut trees = stream.into_iter().peekable();
    while let Some(tree) = trees.next() {
        match tree {
            TokenTree::Punct(hash)
                if hash.as_char() == '#' && trees.peek().is_some_and(is_doc_attribute) =>
            {
                trees.next();
            }
            TokenTree::Group(group) => {
                let mut stripped = Group::new(group.delimiter(), without_docs(group.stream()));
                stripped.set_span(group.span());
                out.push(TokenTree::Group(stripped));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

fn is_doc_attribute(tree: &TokenTree) -> bool {
    match tree {
        TokenTree::Group(group) if group.delimiter() == Delimiter::Bracket => {
            matches!(group.stream().into_iter().next(), Some(TokenTree::Ident(ident)) if ident == "doc")
        }
        _ => false,
    }
}
