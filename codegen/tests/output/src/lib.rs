//! The generator's snapshot, compiled, in the manner of progenitor's own
//! `tests/output` crate.
//!
//! `src/widgets.rs` is what the generator makes of `widgets.yaml`: written
//! by `cargo xtask regen` and held to it by the drift check
//! (`cargo xtask regen --check`), so a change to the generator or to its
//! pinned dependencies shows up as a diff. Compiling it here, against
//! stand-ins for the three names the generated code takes from the client
//! crate (`codegen/src/client_crate.rs`: `INNER_TYPE`,
//! `PATH_SEGMENT_ENCODER`, `REPLACEMENTS`), makes a generator change that
//! produces code that does not build fail `cargo check --workspace` here,
//! on a spec small enough to read, as well as in the client crate.

/// Stand-in for the client crate's hooks: progenitor's hook contract with
/// no behaviour.
pub mod hooks {
    /// Stand-in for the per-call state every generated `Client` carries.
    #[derive(Debug, Clone, Default)]
    pub struct CallState;

    impl progenitor_client::ClientHooks<CallState> for crate::widgets::Client {}
}

/// Stand-in for the client crate's encoder of one path segment.
pub mod path_segment {
    /// progenitor's own encoder: what matters here is the signature.
    pub fn encode(segment: &str) -> String {
        progenitor_client::encode_path(segment)
    }
}

/// Stand-in for the hand-written type that replaces the `ApiKeySecret`
/// schema.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct ApiKeySecret(String);

// Written only by `cargo xtask regen`; its lints are the generator's.
#[allow(missing_docs, unused_imports, dead_code, clippy::all)]
#[rustfmt::skip]
pub mod widgets;
