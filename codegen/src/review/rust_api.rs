//! The Rust API a spec generates, and how it changed between two specs.
//!
//! What users of the `deepgram-keys` crate can name of the generated code is
//! what its `lib.rs` re-exports through `types` and `wire`, each item by name
//! ([`Exports`]); the rest of its API is hand-written. The generated `Client`
//! is private: its methods are what the hand-written layer calls, so a change
//! to them is a task for the maintainer (the hand-written layer must follow),
//! not a semver fact. So is a generated type nothing exports yet.
//!
//! A document that does not generate every type the crate exports is not a
//! version of the crate's spec (an example pair, another API): its types are
//! compared as if all were published under `types`, as progenitor's own
//! layout publishes them.

use std::collections::BTreeMap;

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::ToTokens;
use serde::Serialize;

use super::Bump;
use crate::client_crate::{
    self, CLIENT_LIB_PATH, Exports, GENERATED_CLIENT_TYPE, GENERATED_MODULE, GENERATED_TYPES,
};

/// Every kind of Rust API change, named in reports in kebab case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)] // each name is its documentation; `bump` says what it means
pub enum RustApiKind {
    TypeAdded,
    TypeRemoved,
    TypeChanged,
    FieldAdded,
    FieldRemoved,
    FieldRetyped,
    VariantAdded,
    VariantRemoved,
    VariantChanged,
    InternalsChanged,
    // The private generated `Client`: notes for the hand-written layer.
    MethodAdded,
    MethodRemoved,
    MethodSignatureChanged,
}

impl RustApiKind {
    /// The one table of bumps for the published API. Generated structs
    /// are exhaustive: a new field breaks struct literals, a new variant
    /// breaks exhaustive matches. The generated client's methods are not
    /// published, so they need no bump of their own.
    pub fn bump(self) -> Bump {
        use RustApiKind::*;
        match self {
            TypeAdded => Bump::Minor,
            TypeRemoved | TypeChanged | FieldAdded | FieldRemoved | FieldRetyped => Bump::Major,
            VariantAdded | VariantRemoved | VariantChanged => Bump::Major,
            InternalsChanged => Bump::Patch,
            MethodAdded | MethodRemoved | MethodSignatureChanged => Bump::None,
        }
    }
}

/// The kebab-case name reports use; the serde name is the one definition
/// of the spelling.
impl std::fmt::Display for RustApiKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(name)) => f.write_str(&name),
            _ => write!(f, "{self:?}"),
        }
    }
}

/// One change to the Rust API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RustApiChange {
    /// What kind.
    pub kind: RustApiKind,
    /// The item, e.g. `types::ApiKey::tags`.
    pub item: String,
    /// The bump it needs on its own.
    pub bump: Bump,
    /// The change in words.
    pub message: String,
}

/// How the Rust API changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RustApiDiff {
    /// Changes to what the published crate exposes.
    pub published: Vec<RustApiChange>,
    /// Changes to the private generated client, which the hand-written
    /// layer has to follow.
    pub generated_client: Vec<RustApiChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemKind {
    Type,
    Field,
    Variant,
    Method,
}

/// The items of generated code: path to (kind, signature).
type Api = BTreeMap<String, (ItemKind, String)>;

/// Compares the Rust API of two generated files.
pub fn compare(old: &syn::File, new: &syn::File) -> RustApiDiff {
    let (old_api, new_api) = (public_api(old), public_api(new));
    let mut changes = Vec::new();
    let parent = |path: &str| {
        path.rsplit_once("::")
            .map_or("", |(parent, _)| parent)
            .to_owned()
    };
    let is_new_type = |path: &str| {
        let parent = parent(path);
        !old_api.contains_key(&parent) && new_api.contains_key(&parent)
    };
    let is_old_type = |path: &str| {
        let parent = parent(path);
        old_api.contains_key(&parent) && !new_api.contains_key(&parent)
    };
    let mut push = |kind: RustApiKind, item: &str, message: String| {
        changes.push(RustApiChange {
            kind,
            item: item.to_owned(),
            bump: kind.bump(),
            message,
        });
    };
    for (path, (kind, signature)) in &old_api {
        match new_api.get(path) {
            None if matches!(kind, ItemKind::Field | ItemKind::Variant) && is_old_type(path) => {}
            None => push(
                match kind {
                    ItemKind::Type => RustApiKind::TypeRemoved,
                    ItemKind::Field => RustApiKind::FieldRemoved,
                    ItemKind::Variant => RustApiKind::VariantRemoved,
                    ItemKind::Method => RustApiKind::MethodRemoved,
                },
                path,
                format!("`{path}` was removed"),
            ),
            Some((_, new_signature)) if new_signature != signature => push(
                match kind {
                    ItemKind::Type => RustApiKind::TypeChanged,
                    ItemKind::Field => RustApiKind::FieldRetyped,
                    ItemKind::Variant => RustApiKind::VariantChanged,
                    ItemKind::Method => RustApiKind::MethodSignatureChanged,
                },
                path,
                format!("`{path}` changed from `{signature}` to `{new_signature}`"),
            ),
            Some(_) => {}
        }
    }
    for (path, (kind, signature)) in &new_api {
        if old_api.contains_key(path)
            || (matches!(kind, ItemKind::Field | ItemKind::Variant) && is_new_type(path))
        {
            continue;
        }
        let (change_kind, why) = match kind {
            ItemKind::Type => (RustApiKind::TypeAdded, ""),
            ItemKind::Method => (RustApiKind::MethodAdded, ""),
            ItemKind::Field => (RustApiKind::FieldAdded, " (breaks struct literals)"),
            ItemKind::Variant => (RustApiKind::VariantAdded, " (breaks exhaustive matches)"),
        };
        push(
            change_kind,
            path,
            format!("`{path}: {signature}` was added{why}"),
        );
    }
    let exports = Exports::of_client_crate()
        .ok()
        .filter(|exports| exports.all_generated_by(old) || exports.all_generated_by(new));
    let (mut published, mut generated_client) = (Vec::new(), Vec::new());
    for mut change in changes {
        match where_it_is(&change.item, exports) {
            Place::GeneratedClient => {
                change.message = format!(
                    "{}; the hand-written `Client` in generated-client/src/client.rs has to follow",
                    change.message
                );
                generated_client.push(change);
            }
            Place::Published(public) => {
                change.message = change.message.replacen(&change.item, &public, 1);
                change.item = public;
                published.push(change);
            }
            Place::Private(why) => {
                change.message = format!("{} (deliberately private: {why})", change.message);
                change.bump = Bump::None;
                generated_client.push(change);
            }
            Place::Unexported => {
                change.message = format!(
                    "{}; nothing exports it: re-export it through `types` or `wire` in {CLIENT_LIB_PATH}, or list it in `PRIVATE` in codegen/src/client_crate.rs",
                    change.message
                );
                change.bump = Bump::None;
                generated_client.push(change);
            }
        }
    }
    if published.is_empty() && strip_docs(old) != strip_docs(new) {
        published.push(RustApiChange {
            kind: RustApiKind::InternalsChanged,
            item: "(generated code)".into(),
            bump: RustApiKind::InternalsChanged.bump(),
            message: "the generated code changed without changing the published API".into(),
        });
    }
    RustApiDiff {
        published,
        generated_client,
    }
}

/// Where a generated item ends up in the client crate.
enum Place {
    /// A method of the private generated `Client`.
    GeneratedClient,
    /// Users name it by this path.
    Published(String),
    /// Its type is in [`client_crate::PRIVATE`], for this reason.
    Private(&'static str),
    /// Its type is generated but nothing exports it.
    Unexported,
}

/// Where `item` (a path of the API map) ends up: under the crate's
/// `exports`, or, for a document that is not a version of the crate's spec
/// (`None`), published as generated.
fn where_it_is(item: &str, exports: Option<&Exports>) -> Place {
    if item.starts_with(&generated_client_prefix()) {
        return Place::GeneratedClient;
    }
    let Some(exports) = exports else {
        return Place::Published(item.to_owned());
    };
    if let Some(public) = exports.public_path(item) {
        Place::Published(public)
    } else if let Some(why) = client_crate::why_private(item) {
        Place::Private(why)
    } else {
        Place::Unexported
    }
}

/// How the private generated client's methods are named in the API map:
/// `generated::Client::list_keys`.
fn generated_client_prefix() -> String {
    format!("{GENERATED_MODULE}::{GENERATED_CLIENT_TYPE}::")
}

fn public_api(file: &syn::File) -> Api {
    let mut api = Api::new();
    for item in &file.items {
        match item {
            syn::Item::Mod(module) if module.ident == GENERATED_TYPES => {
                collect_types(&module.ident.to_string(), module, &mut api)
            }
            syn::Item::Impl(block) if is_client(&block.self_ty) => {
                for item in &block.items {
                    if let syn::ImplItem::Fn(method) = item
                        && matches!(method.vis, syn::Visibility::Public(_))
                    {
                        let path = format!("{}{}", generated_client_prefix(), method.sig.ident);
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
    matches!(ty, syn::Type::Path(path) if path.path.is_ident(GENERATED_CLIENT_TYPE))
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
