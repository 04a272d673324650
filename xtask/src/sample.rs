//! `cargo xtask sample OPERATION_ID STATUS FILE [--spec PATH]`: checks the
//! spec as every tool does, then runs the contract crate's `sample` binary,
//! which needs the client, so that only this command builds it.

use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::Context;
use codegen::{Document, Rules};

use crate::regen::workspace_root;

/// Said before cargo starts, since the first run builds for minutes
/// (BENCHMARKS.md, section 8, says what it builds).
const BUILDING: &str = "sample: building and running the contract crate's `sample` binary: the client \
(without TLS), jsonschema and wiremock; the first run in a fresh checkout builds about 190 crates \
and takes minutes (BENCHMARKS.md, section 8); later runs reuse that build";

pub fn run(spec: &Path, operation: &str, status: u16, file: &Path) -> anyhow::Result<ExitCode> {
    // The same verdict as regen and spec-diff, before anything is built.
    codegen::validate(&Document::load(spec)?, Rules::OpenApi)?;
    // cargo runs the binary from the workspace root, not from here.
    eprintln!("{BUILDING}");
    let file = std::path::absolute(file)?;
    let spec = std::path::absolute(spec)?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace_root())
        .args([
            "run",
            "--package",
            "deepgram-keys-contract",
            "--bin",
            "sample",
            "--",
        ])
        .arg(operation)
        .arg(status.to_string())
        .arg(&file)
        .arg("--spec")
        .arg(&spec)
        .status()
        .context("cannot run cargo")?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}
