//! `cargo xtask upstream diff|check|accept`: following Deepgram's published
//! OpenAPI document. The work is `codegen::upstream`'s; this reads files and
//! URLs, prints and sets exit codes.
//!
//! A URL is fetched with the `curl` command, not an HTTP client compiled into
//! xtask: `cargo xtask regen` builds this binary, and a TLS stack would cost
//! every regeneration its build time for a command run once a day.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, bail};
use codegen::Document;
use codegen::review::{Severity, changes_markdown};
use codegen::upstream::{self, KeyOperation, Ledger, LedgerCheck, RecordedSource, Review};
use serde::Serialize;

use crate::regen::{spec_label, workspace_root};
use crate::spec_diff::Format;

/// Where Deepgram publishes the document: `openapi.yml` of its public
/// `deepgram-api-specs` repository, the mirror of the developer site's.
pub const DEFAULT_URL: &str =
    "https://raw.githubusercontent.com/deepgram/deepgram-api-specs/main/openapi.yml";

pub fn default_extract() -> PathBuf {
    workspace_root().join("openapi/upstream/keys.yaml")
}

pub fn default_ledger() -> PathBuf {
    workspace_root().join("openapi/upstream/deviations.yaml")
}

/// A document read from a file or a URL.
struct Source {
    /// How reports name it: the path or URL as given.
    label: String,
    bytes: Vec<u8>,
    document: Document,
}

fn is_url(location: &str) -> bool {
    location.starts_with("https://") || location.starts_with("http://")
}

fn read(location: &str) -> anyhow::Result<Source> {
    let bytes = if is_url(location) {
        fetch(location)?
    } else {
        std::fs::read(location).with_context(|| format!("{location}: cannot read the document"))?
    };
    let text = std::str::from_utf8(&bytes)
        .with_context(|| format!("{location}: the document is not UTF-8 text"))?;
    let document = Document::parse(Path::new(location), text)?;
    // An error page or a Swagger 2.0 document is not "every key operation
    // removed": it could not be read (exit 2).
    codegen::readable(&document)?;
    Ok(Source {
        label: location.to_owned(),
        bytes,
        document,
    })
}

/// Fetches `url` with curl: HTTPS only (also after redirects), a time limit,
/// and a failure for any error status.
fn fetch(url: &str) -> anyhow::Result<Vec<u8>> {
    let output = Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--fail",
            "--location",
            "--proto",
            "=https",
            "--proto-redir",
            "=https",
            "--max-time",
            "120",
            "--",
            url,
        ])
        .output()
        .context("cannot run curl, which fetches URLs: install it, or pass a file")?;
    if !output.status.success() {
        bail!(
            "{url}: cannot fetch the document: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(output.stdout)
}

/// Our spec's operations: the key operations looked up upstream.
fn keys(spec: &Path) -> anyhow::Result<(Document, Vec<KeyOperation>)> {
    let ours = Document::load(spec)?;
    let keys = upstream::key_operations(&ours);
    if keys.is_empty() {
        bail!("{}: the spec has no operations to look up", spec.display());
    }
    Ok((ours, keys))
}

#[derive(Serialize)]
struct DiffReport<'a> {
    old: &'a str,
    new: &'a str,
    #[serde(flatten)]
    review: &'a Review,
}

pub fn diff(old: &str, new: &str, spec: &Path, format: Format) -> anyhow::Result<ExitCode> {
    let (_, keys) = keys(spec)?;
    let (old_source, new_source) = (read(old)?, read(new)?);
    let review = upstream::review(&old_source.document, &new_source.document, &keys);
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&DiffReport {
                old,
                new,
                review: &review
            })?
        ),
        Format::Markdown => {
            println!("## Upstream diff of the key operations: `{old}` → `{new}`\n");
            print!("{}", problems_markdown(&review));
            if review.changes.is_empty() {
                println!("No changes.");
            } else {
                print!("{}", changes_markdown(&review.changes));
            }
        }
    }
    let breaking = review
        .changes
        .iter()
        .any(|change| change.severity == Severity::Breaking);
    Ok(if !review.problems.is_empty() {
        crate::unreadable()
    } else if breaking {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn problems_markdown(review: &Review) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if review.problems.is_empty() {
        return out;
    }
    out.push_str("### Cannot be read inside the key operations\n\n");
    for sided in &review.problems {
        let problem = &sided.problem;
        let _ = writeln!(
            out,
            "- {} document, `{}` at `{}`: {}",
            sided.document, problem.operation, problem.pointer, problem.message
        );
    }
    out.push('\n');
    out
}

/// The files `check` and `accept` read and write.
pub struct Files {
    pub spec: PathBuf,
    pub extract: PathBuf,
    pub ledger: PathBuf,
}

#[derive(Serialize)]
struct CheckReport<'a> {
    source: &'a str,
    recorded: Option<RecordedSource>,
    /// Changes upstream since the recorded extract.
    changes: &'a Review,
    /// The ledger against the upstream document and our spec.
    ledger: &'a LedgerCheck,
}

pub fn check(location: &str, files: &Files, format: Format) -> anyhow::Result<ExitCode> {
    let (ours, keys) = keys(&files.spec)?;
    let source = read(location)?;
    let recorded = Document::load(&files.extract).with_context(|| {
        "no recorded extract: record the reviewed version with `cargo xtask upstream accept FILE|URL`"
    })?;
    let header = upstream::recorded_source(recorded.root());
    // (a) Upstream against the version a maintainer last reviewed.
    let changes = upstream::review(&recorded, &source.document, &keys);
    let extract_changed = upstream::extract(&recorded, &keys).document
        != upstream::extract(&source.document, &keys).document;
    // (b) Upstream against our spec, through the ledger.
    let ledger = Ledger::load(&files.ledger)?;
    let deviations = upstream::deviations(&source.document, &ours, &keys);
    let ledger_check = upstream::check_ledger(&deviations, &ledger);

    let unchanged = !extract_changed && changes.changes.is_empty() && changes.problems.is_empty();
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&CheckReport {
                source: &source.label,
                recorded: header.clone(),
                changes: &changes,
                ledger: &ledger_check,
            })?
        ),
        Format::Markdown => print!(
            "{}",
            check_markdown(
                &source,
                header.as_ref(),
                &changes,
                unchanged,
                &ledger_check,
                files
            )
        ),
    }
    Ok(if !changes.problems.is_empty() {
        crate::unreadable()
    } else if unchanged && ledger_check.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn check_markdown(
    source: &Source,
    header: Option<&RecordedSource>,
    changes: &Review,
    unchanged: bool,
    ledger: &LedgerCheck,
    files: &Files,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "## Upstream check: `{}`\n", source.label);
    let recorded = header.map_or_else(
        || "the recorded extract (no header)".to_owned(),
        |header| {
            format!(
                "the version recorded on {} from `{}`",
                header.date, header.source
            )
        },
    );
    let sha256 = upstream::sha256_hex(&source.bytes);
    if unchanged {
        let same_document = header.is_some_and(|header| header.sha256 == sha256);
        let _ = writeln!(
            out,
            "The key operations are unchanged since {recorded}{}.\n",
            if same_document {
                " (the very same document)"
            } else {
                "; the document changed elsewhere"
            }
        );
    } else {
        let _ = writeln!(
            out,
            "### Changed upstream since {recorded}\n\nReview, then record with `cargo xtask upstream accept {}`.\n",
            source.label
        );
        out.push_str(&problems_markdown(changes));
        if changes.changes.is_empty() {
            out.push_str("The key operations changed in parts the review does not classify (extensions, for example).\n\n");
        } else {
            out.push_str(&changes_markdown(&changes.changes));
        }
    }
    if ledger.is_clean() {
        let _ = writeln!(
            out,
            "Every deviation of `{}` from it is in `{}`.",
            spec_label(&files.spec),
            spec_label(&files.ledger)
        );
        return out;
    }
    if !ledger.missing.is_empty() {
        let _ = writeln!(
            out,
            "### Deviations missing from the ledger\n\n`{}` differs from upstream here, and `{}` does not say why. Add an entry (what upstream says, what we say, why, evidence, and each difference with its operation, kind, pointer and, where shown, `ours` fingerprint) or follow upstream:\n",
            spec_label(&files.spec),
            spec_label(&files.ledger)
        );
        for found in &ledger.missing {
            let change = &found.change;
            let ours = found
                .ours
                .as_ref()
                .map(|ours| format!(" (ours: `{ours}`)"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- `{}` `{}` at `{}`{ours}: {}",
                change.operation, change.kind, change.pointer, change.message
            );
        }
        out.push('\n');
    }
    if !ledger.stale.is_empty() {
        let _ = writeln!(
            out,
            "### Ledger entries that no longer apply\n\nOur spec and upstream now agree here: remove these from `{}`.\n",
            spec_label(&files.ledger)
        );
        for (id, difference) in &ledger.stale {
            let _ = writeln!(
                out,
                "- `{id}`: `{}` `{}` at `{}`",
                difference.operation, difference.kind, difference.pointer
            );
        }
    }
    out
}

pub fn accept(location: &str, files: &Files) -> anyhow::Result<ExitCode> {
    let (_, keys) = keys(&files.spec)?;
    let source = read(location)?;
    let extract = upstream::extract(&source.document, &keys);
    if !extract.problems.is_empty() {
        for problem in &extract.problems {
            eprintln!(
                "error: {location}: operation `{}` at {}: {}",
                problem.operation, problem.pointer, problem.message
            );
        }
        bail!("{location}: the key operations cannot be read; nothing was recorded");
    }
    let header = RecordedSource {
        source: location.to_owned(),
        date: chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
            .format("%Y-%m-%d")
            .to_string(),
        sha256: upstream::sha256_hex(&source.bytes),
    };
    let text = upstream::record(&extract.document, &header)
        .with_context(|| format!("{location}: cannot write the extract as YAML"))?;
    crate::regen::write_atomically(&files.extract, &text)?;
    println!(
        "recorded the key operations of {location} in {}",
        files.extract.display()
    );
    Ok(ExitCode::SUCCESS)
}
