//! `cargo xtask spec-diff`: what a spec change means for clients on the wire,
//! for users of the Rust crate, and for the next version number.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, bail};
use codegen::{Bump, Change, RustChange, Severity};
use serde::Serialize;

/// Where the two specs come from.
pub enum Sides {
    /// Two files.
    Files(PathBuf, PathBuf),
    /// The workspace spec at a git revision, and in the working tree.
    Base(String),
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

#[derive(Serialize)]
struct Report {
    changes: Vec<Change>,
    rust_api: Vec<RustChange>,
    /// Why the Rust API could not be compared, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    rust_api_unavailable: Option<String>,
    semver: Bump,
}

pub fn run(sides: Sides, format: Format, allow_breaking: bool) -> anyhow::Result<ExitCode> {
    let ((old_label, old_text), (new_label, new_text)) = read_sides(&sides)?;
    let (old_file, new_file) = (Path::new(&old_label), Path::new(&new_label));
    // A file that is not OpenAPI 3.0 stops the comparison with regen's
    // error; one that is valid but beyond what the generator supports only
    // leaves out the Rust API.
    let old_spec = codegen::parse(old_file, &old_text)?;
    codegen::validate_openapi(old_file, &old_spec)?;
    let new_spec = codegen::parse(new_file, &new_text)?;
    codegen::validate_openapi(new_file, &new_spec)?;
    let changes = codegen::diff(&old_spec, &new_spec);
    let generated = codegen::generate_syntax(old_file, &old_spec)
        .and_then(|old_code| Ok((old_code, codegen::generate_syntax(new_file, &new_spec)?)));
    let (rust_api, rust_api_unavailable) = match generated {
        Ok((old_code, new_code)) => (codegen::rust_diff(&old_code, &new_code), None),
        Err(err) => (Vec::new(), Some(err.to_string())),
    };
    let semver = codegen::suggest_bump(&changes, &rust_api);
    let report = Report {
        changes,
        rust_api,
        rust_api_unavailable,
        semver,
    };
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Markdown => print!("{}", markdown(&report, &old_label, &new_label)),
    }
    let breaking = report
        .changes
        .iter()
        .any(|change| change.severity == Severity::Breaking);
    Ok(if breaking && !allow_breaking {
        eprintln!("spec-diff: breaking changes found; pass --allow-breaking if they are intended");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

type Side = (String, String);

fn read_sides(sides: &Sides) -> anyhow::Result<(Side, Side)> {
    let read = |path: &Path| -> anyhow::Result<Side> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the spec", path.display()))?;
        Ok((path.display().to_string(), text))
    };
    match sides {
        Sides::Files(old, new) => Ok((read(old)?, read(new)?)),
        Sides::Base(revision) => {
            let root = crate::regen::workspace_root();
            let spec = crate::regen::default_spec();
            let relative = spec
                .strip_prefix(&root)
                .unwrap_or(&spec)
                .to_string_lossy()
                .replace('\\', "/");
            let output = Command::new("git")
                .arg("-C")
                .arg(&root)
                .args(["show", &format!("{revision}:{relative}")])
                .output()
                .context("cannot run git")?;
            if !output.status.success() {
                bail!(
                    "cannot read {relative} at git revision `{revision}`: {}",
                    String::from_utf8_lossy(&output.stderr).trim()
                );
            }
            let old = (
                format!("{revision}:{relative}"),
                String::from_utf8(output.stdout).context("the spec is not UTF-8")?,
            );
            Ok((old, read(&spec)?))
        }
    }
}

fn markdown(report: &Report, old: &str, new: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Spec diff: `{old}` → `{new}`\n");
    let count = |severity| {
        report
            .changes
            .iter()
            .filter(|change| change.severity == severity)
            .count()
    };
    let _ = writeln!(
        out,
        "Suggested semver bump for `deepgram-keys`: **{}**. Changes: {} breaking, {} non-breaking, {} info; {} in the Rust API.\n",
        serde_json::to_value(report.semver)
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .unwrap_or_default(),
        count(Severity::Breaking),
        count(Severity::NonBreaking),
        count(Severity::Info),
        report.rust_api.len(),
    );
    if let Some(why) = &report.rust_api_unavailable {
        let _ = writeln!(
            out,
            "The Rust API was not compared, so the bump reflects the wire only: {why}\n"
        );
    }
    if report.changes.is_empty() && report.rust_api.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    let mut operations: Vec<&str> = report
        .changes
        .iter()
        .map(|change| change.operation.as_str())
        .collect();
    operations.dedup();
    let most_severe = |operation: &str| {
        report
            .changes
            .iter()
            .filter(|change| change.operation == operation)
            .map(|change| change.severity)
            .min()
    };
    operations.sort_by_key(|operation| (most_severe(operation), *operation));
    for operation in operations {
        let _ = writeln!(out, "### {operation}\n");
        let mut changes: Vec<&Change> = report
            .changes
            .iter()
            .filter(|change| change.operation == operation)
            .collect();
        changes.sort_by_key(|change| change.severity);
        for change in changes {
            let severity = match change.severity {
                Severity::Breaking => "**breaking**",
                Severity::NonBreaking => "non-breaking",
                Severity::Info => "info",
            };
            let _ = writeln!(
                out,
                "- {severity} `{}` at `{}`: {}",
                change.kind, change.pointer, change.message
            );
        }
        out.push('\n');
    }
    if !report.rust_api.is_empty() {
        out.push_str("### Rust API of `deepgram-keys`\n\n");
        let mut changes: Vec<&RustChange> = report.rust_api.iter().collect();
        changes.sort_by_key(|change| std::cmp::Reverse(change.bump));
        for change in changes {
            let bump = serde_json::to_value(change.bump)
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .unwrap_or_default();
            let _ = writeln!(out, "- {bump} `{}`: {}", change.kind, change.message);
        }
    }
    out
}
