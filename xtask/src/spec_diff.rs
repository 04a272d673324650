//! `cargo xtask spec-diff`: reads the two specs, asks `codegen::review`
//! what the change means, prints the report and sets the exit code: 0
//! nothing breaking, 1 breaking; an error (a document that could not be
//! read) is 2, set by `main`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, bail};
use codegen::Document;

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

pub fn run(sides: Sides, format: Format, allow_breaking: bool) -> anyhow::Result<ExitCode> {
    let (old, new) = read_sides(&sides)?;
    let report = codegen::review::review(&old, &new)?;
    match format {
        Format::Json => println!("{}", report.to_json()),
        Format::Markdown => print!("{}", report.to_markdown()),
    }
    Ok(if report.is_breaking() && !allow_breaking {
        eprintln!(
            "spec-diff: breaking changes found (on the wire or in the Rust API); pass --allow-breaking if they are intended"
        );
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn read_sides(sides: &Sides) -> anyhow::Result<(Document, Document)> {
    // Read for review: with the files its references lead to, and OpenAPI
    // 3.1 and 3.0 normalised to one meaning.
    let read_file =
        |path: &Path| -> anyhow::Result<Document> { Ok(Document::load(path)?.normalized()) };
    match sides {
        Sides::Files(old, new) => Ok((read_file(old)?, read_file(new)?)),
        Sides::Base(revision) => {
            let spec = crate::regen::default_spec();
            let old = at_revision(revision, &spec)?;
            Ok((old, read_file(&spec)?))
        }
    }
}

/// The workspace spec as it was at git `revision`.
fn at_revision(revision: &str, spec: &Path) -> anyhow::Result<Document> {
    // `git show` would read a revision starting with `-` as an option.
    if revision.starts_with('-') || revision.is_empty() {
        bail!("`{revision}` is not a git revision: a revision cannot be empty or start with `-`");
    }
    let root = crate::regen::workspace_root();
    let relative = spec
        .strip_prefix(&root)
        .unwrap_or(spec)
        .to_string_lossy()
        .replace('\\', "/");
    let object = format!("{revision}:{relative}");
    let output = Command::new("git")
        .arg("-C")
        .arg(&root)
        .args(["show", "--end-of-options", &object])
        .output()
        .context("cannot run git")?;
    if !output.status.success() {
        bail!(
            "cannot read {relative} at git revision `{revision}`: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let text = String::from_utf8(output.stdout).context("the spec is not UTF-8")?;
    Ok(Document::parse(Path::new(&object), &text)?.normalized())
}
