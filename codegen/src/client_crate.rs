//! Where the generator meets the client crate: every name one side assumes
//! of the other, in one place.
//!
//! The generated file is compiled inside `deepgram-keys` (the folder
//! `generated-client/`) as its private module `generated`. Its hand-written
//! layer provides what the generated code calls ([`INNER_TYPE`],
//! [`PATH_SEGMENT_ENCODER`], [`REPLACEMENTS`]), and its `lib.rs` chooses
//! which generated types users can name, through the modules in
//! [`PUBLISHED_MODULES`] ([`Exports`]). `codegen/tests/output/` is a second
//! crate that provides the same three names, so that the snapshot compiles.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The hand-written type every generated `Client` carries: per-call state
/// that the client layer's hooks use for auth, retries and error reporting.
pub const INNER_TYPE: &str = "crate::hooks::CallState";

/// The client crate's encoder of one path segment. progenitor's own
/// `encode_path` leaves `\` as it is, which URL parsers read as `/` in
/// `http(s)` URLs: an id such as `..\..\OTHER` would leave its segment. Every
/// call of it in the generated code is pointed here instead.
pub const PATH_SEGMENT_ENCODER: &str = "crate::path_segment::encode";

/// Schemas replaced by hand-written types of the client crate, with why.
pub const REPLACEMENTS: [(&str, &str); 1] = [
    // A new key's secret must never show up in `Debug` output or logs.
    ("ApiKeySecret", "crate::ApiKeySecret"),
];

/// The private module the client crate mounts the generated file as.
pub const GENERATED_MODULE: &str = "generated";

/// progenitor's name for the generated client type. It is private to the
/// client crate (the hand-written `Client` wraps it), so a change to its
/// methods is a task for the maintainer, not a semver fact.
pub const GENERATED_CLIENT_TYPE: &str = "Client";

/// The module progenitor puts every generated type in.
pub const GENERATED_TYPES: &str = "types";

/// The public modules of the client crate that re-export generated types.
pub const PUBLISHED_MODULES: [&str; 2] = ["types", "wire"];

/// Generated types the client crate deliberately does not export, each with
/// the reason. A generated type neither exported nor listed here fails the
/// test `every_generated_type_is_exported_or_deliberately_private`, and
/// spec-diff reports it as a task for the maintainer.
pub const PRIVATE: &[(&str, &str)] = &[];

/// The client crate's `lib.rs`, where [`Exports`] are read from. Compiled
/// in, so that a review always measures the exports of the same checkout.
const CLIENT_LIB: &str = include_str!("../../generated-client/src/lib.rs");

/// How reports name that file.
pub const CLIENT_LIB_PATH: &str = "generated-client/src/lib.rs";

/// Which generated types the client crate exports, and under which path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exports {
    /// The generated path (`types::CreateKeyRequest`) to the path users name
    /// (`wire::CreateKeyRequest`).
    by_generated: BTreeMap<String, String>,
}

impl Exports {
    /// The exports of the client crate's `lib.rs`.
    pub fn of_client_crate() -> Result<&'static Exports, String> {
        static EXPORTS: OnceLock<Result<Exports, String>> = OnceLock::new();
        EXPORTS
            .get_or_init(|| {
                Exports::parse(CLIENT_LIB).map_err(|err| format!("{CLIENT_LIB_PATH}: {err}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The exports of a `lib.rs`: every `pub use crate::generated::types::…`
    /// inside one of the [`PUBLISHED_MODULES`].
    pub fn parse(lib_rs: &str) -> Result<Exports, syn::Error> {
        let file = syn::parse_file(lib_rs)?;
        let mut exports = Exports::default();
        for item in &file.items {
            let syn::Item::Mod(module) = item else {
                continue;
            };
            let name = module.ident.to_string();
            if !PUBLISHED_MODULES.contains(&name.as_str()) || !is_public(&module.vis) {
                continue;
            }
            for item in module.content.iter().flat_map(|(_, items)| items) {
                if let syn::Item::Use(import) = item
                    && is_public(&import.vis)
                {
                    let mut imported = Vec::new();
                    flatten(&import.tree, String::new(), &mut imported);
                    for (path, exported_as) in imported {
                        if let Some(generated) = path
                            .strip_prefix("crate::")
                            .and_then(|path| path.strip_prefix(GENERATED_MODULE))
                            .and_then(|path| path.strip_prefix("::"))
                        {
                            exports
                                .by_generated
                                .insert(generated.to_owned(), format!("{name}::{exported_as}"));
                        }
                    }
                }
            }
        }
        Ok(exports)
    }

    /// Every export, as (generated path, public path).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_generated
            .iter()
            .map(|(generated, public)| (generated.as_str(), public.as_str()))
    }

    /// The public path of the generated item at `generated` (a type, or a
    /// field or variant under one), when its type is exported.
    pub fn public_path(&self, generated: &str) -> Option<String> {
        self.by_generated
            .iter()
            .filter_map(|(exported, public)| {
                let rest = generated.strip_prefix(exported.as_str())?;
                (rest.is_empty() || rest.starts_with("::")).then(|| format!("{public}{rest}"))
            })
            .next()
    }
}

/// Why the generated item at `generated` (a type, or a field or variant
/// under one) is deliberately private, when its type is in [`PRIVATE`].
pub fn why_private(generated: &str) -> Option<&'static str> {
    PRIVATE.iter().find_map(|(name, why)| {
        let rest = generated
            .strip_prefix(GENERATED_TYPES)?
            .strip_prefix("::")?
            .strip_prefix(name)?;
        (rest.is_empty() || rest.starts_with("::")).then_some(*why)
    })
}

/// The path of every public type in the generated `types` module, nested
/// modules included (`types::error::ConversionError`).
pub fn generated_types(generated: &syn::File) -> Vec<String> {
    fn collect(prefix: &str, items: &[syn::Item], out: &mut Vec<String>) {
        for item in items {
            let (ident, visibility) = match item {
                syn::Item::Struct(item) => (&item.ident, &item.vis),
                syn::Item::Enum(item) => (&item.ident, &item.vis),
                syn::Item::Type(item) => (&item.ident, &item.vis),
                syn::Item::Mod(module) if is_public(&module.vis) => {
                    if let Some((_, items)) = &module.content {
                        collect(&format!("{prefix}::{}", module.ident), items, out);
                    }
                    continue;
                }
                _ => continue,
            };
            if is_public(visibility) {
                out.push(format!("{prefix}::{ident}"));
            }
        }
    }
    let mut out = Vec::new();
    for item in &generated.items {
        if let syn::Item::Mod(module) = item
            && module.ident == GENERATED_TYPES
            && let Some((_, items)) = &module.content
        {
            collect(GENERATED_TYPES, items, &mut out);
        }
    }
    out
}

impl Exports {
    /// Whether `generated` generates every type these exports name: whether
    /// the client crate's `lib.rs` would compile against it, which is what
    /// tells a version of the crate's spec from any other document.
    pub fn all_generated_by(&self, generated: &syn::File) -> bool {
        let types = generated_types(generated);
        self.by_generated
            .keys()
            .all(|exported| types.contains(exported))
    }
}

/// Every path a use tree imports, with the name it is imported as.
fn flatten(tree: &syn::UseTree, prefix: String, out: &mut Vec<(String, String)>) {
    let join = |name: &str| {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}::{name}")
        }
    };
    match tree {
        syn::UseTree::Path(path) => flatten(&path.tree, join(&path.ident.to_string()), out),
        syn::UseTree::Name(name) => {
            let name = name.ident.to_string();
            out.push((join(&name), name));
        }
        syn::UseTree::Rename(rename) => {
            out.push((join(&rename.ident.to_string()), rename.rename.to_string()))
        }
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                flatten(tree, prefix.clone(), out);
            }
        }
        // A glob would export types nobody chose; lib.rs names each one.
        syn::UseTree::Glob(_) => {}
    }
}

fn is_public(visibility: &syn::Visibility) -> bool {
    matches!(visibility, syn::Visibility::Public(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_follow_the_modules_and_renames_of_lib_rs() {
        let exports = Exports::parse(
            "pub mod types { pub use crate::generated::types::{A, error::E}; }
             pub mod wire { pub use crate::generated::types::B as Wired; }
             mod hidden { pub use crate::generated::types::C; }
             pub mod other { pub use crate::generated::types::D; }
             pub use types::A;",
        )
        .unwrap();
        let all: Vec<_> = exports.iter().collect();
        assert_eq!(
            all,
            [
                ("types::A", "types::A"),
                ("types::B", "wire::Wired"),
                ("types::error::E", "types::E"),
            ]
        );
        assert_eq!(
            exports.public_path("types::A::field").as_deref(),
            Some("types::A::field")
        );
        assert_eq!(
            exports.public_path("types::AB"),
            None,
            "a prefix of a name is not the name"
        );
        assert_eq!(exports.public_path("types::C"), None);
    }

    #[test]
    fn the_client_crate_lib_rs_is_read() {
        let exports = Exports::of_client_crate().unwrap();
        assert_eq!(
            exports.public_path("types::CreateKeyRequest").as_deref(),
            Some("wire::CreateKeyRequest")
        );
        assert_eq!(
            exports.public_path("types::Member").as_deref(),
            Some("types::Member")
        );
    }
}
