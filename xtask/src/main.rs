//! `cargo xtask`: the maintainers' command line, a thin layer over `codegen`.
//!
//! Exit codes: 0 on success, 1 when the command fails for a reason the user
//! can fix (a bad spec, a stale client), 2 for bad arguments. The review
//! commands (`spec-diff`, `upstream`) say more, for a CI to act on: 0
//! nothing breaking, 1 breaking (or, for `upstream check`, something to
//! review), 2 a document could not be read. Never 101: the generator's
//! panics are caught and reported as errors.

mod bench;
mod regen;
mod sample;
mod spec_diff;
mod upstream;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Maintainer commands for the deepgram-keys workspace"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the client and the generator's snapshot from their specs (or, with --check, verify they are up to date).
    ///
    /// Without --spec and --out: openapi/keys.yaml to
    /// generated-client/src/generated.rs, and
    /// codegen/tests/output/widgets.yaml to codegen/tests/output/src/widgets.rs.
    Regen {
        /// Write nothing; show a diff and fail if a committed file is stale.
        #[arg(long)]
        check: bool,
        /// The spec to generate from [default: openapi/keys.yaml, when --out is given].
        #[arg(long, value_name = "PATH")]
        spec: Option<PathBuf>,
        /// The file to write, or compare with under --check [default: generated-client/src/generated.rs, when --spec is given].
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
    /// Run the criterion benchmarks and print each ratio against its baseline.
    Bench,
    /// Count the crates and time a clean release build of an application using deepgram-keys, against progenitor's template.
    Footprint,
    /// Review a spec change: breaking changes, the Rust API impact, the semver bump.
    ///
    /// With OLD and NEW, compares two files; with --base, the workspace spec
    /// at that git revision against the working tree; with neither, HEAD
    /// against the working tree. Any OpenAPI 3.x document is reviewed; what
    /// is not valid in it is listed as a warning. Relative `$ref`s to files
    /// inside the spec's folder are followed; nothing is fetched.
    ///
    /// Exit status: 0 nothing breaking (or --allow-breaking), 1 breaking,
    /// 2 a document could not be read (not OpenAPI 3.x, Swagger 2.0, a
    /// `$ref` to a URL, a missing file or one outside the spec's folder).
    SpecDiff {
        /// The spec before the change.
        #[arg(requires = "new", conflicts_with = "base")]
        old: Option<PathBuf>,
        /// The spec after the change.
        new: Option<PathBuf>,
        /// Compare the workspace spec at this git revision with the working tree.
        #[arg(long, value_name = "GIT_REF")]
        base: Option<String>,
        /// How to print the report.
        #[arg(long, value_enum, default_value = "markdown")]
        format: spec_diff::Format,
        /// Exit 0 even when a change is breaking.
        #[arg(long)]
        allow_breaking: bool,
    },
    /// Follow Deepgram's published OpenAPI document: what changed in the key operations, and where our spec deliberately differs.
    #[command(subcommand)]
    Upstream(UpstreamCommand),
    /// Check a response body captured from the service: does the client decode it without loss?
    Sample {
        /// The operation that returned it (an operationId of the spec).
        operation_id: String,
        /// The HTTP status it came with.
        #[arg(value_parser = clap::value_parser!(u16).range(100..=599))]
        status: u16,
        /// The file holding the body, byte for byte.
        file: PathBuf,
        /// The spec to check it against.
        #[arg(long, value_name = "PATH", default_value_os_t = regen::default_spec())]
        spec: PathBuf,
    },
}

/// The exit status of a review command that could not read a document.
pub fn unreadable() -> ExitCode {
    ExitCode::from(2)
}

/// Where the last panic happened.
static LAST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

#[derive(Subcommand)]
enum UpstreamCommand {
    /// What changed in the key operations between two upstream documents (3.0 or 3.1).
    ///
    /// Exit status: 0 nothing breaking, 1 breaking, 2 a document (or a part
    /// of its key operations) could not be read.
    Diff {
        /// The document before (a file or an https:// URL).
        old: String,
        /// The document after (a file or an https:// URL).
        new: String,
        /// How to print the report.
        #[arg(long, value_enum, default_value = "markdown")]
        format: spec_diff::Format,
        /// Our spec, whose operations are looked up upstream.
        #[arg(long, value_name = "PATH", default_value_os_t = regen::default_spec())]
        spec: PathBuf,
    },
    /// Compare the published document with the recorded extract and, through the ledger of deviations, with our spec.
    ///
    /// Exit status: 0 nothing changed upstream and every deviation is in
    /// the ledger, 1 something to review, 2 a document (or a part of its key
    /// operations) could not be read.
    Check {
        /// The document (a file or an https:// URL).
        #[arg(default_value = upstream::DEFAULT_URL)]
        source: String,
        /// How to print the report.
        #[arg(long, value_enum, default_value = "markdown")]
        format: spec_diff::Format,
        #[command(flatten)]
        files: UpstreamFiles,
    },
    /// Record a reviewed upstream version as the new extract.
    Accept {
        /// The document (a file or an https:// URL).
        source: String,
        #[command(flatten)]
        files: UpstreamFiles,
    },
}

#[derive(clap::Args)]
struct UpstreamFiles {
    /// Our spec, whose operations are looked up upstream.
    #[arg(long, value_name = "PATH", default_value_os_t = regen::default_spec())]
    spec: PathBuf,
    /// The recorded extract of the last reviewed upstream version.
    #[arg(long, value_name = "PATH", default_value_os_t = upstream::default_extract())]
    extract: PathBuf,
    /// The ledger of deliberate deviations.
    #[arg(long, value_name = "PATH", default_value_os_t = upstream::default_ledger())]
    ledger: PathBuf,
}

impl From<UpstreamFiles> for upstream::Files {
    fn from(files: UpstreamFiles) -> Self {
        Self {
            spec: files.spec,
            extract: files.extract,
            ledger: files.ledger,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // progenitor reports some unsupported specs by panicking; codegen turns
    // those panics into errors, and the default hook would still print them.
    // The hook only remembers where the last panic happened, for the report
    // below when one is not caught.
    std::panic::set_hook(Box::new(|info| {
        if let (Some(location), Ok(mut last)) = (info.location(), LAST_PANIC.lock()) {
            *last = Some(location.to_string());
        }
    }));
    // A review command that cannot finish could not read a document: 2, so
    // that a CI never takes it for "breaking" (1).
    let failure = match &cli.command {
        Command::SpecDiff { .. } | Command::Upstream(_) => unreadable(),
        _ => ExitCode::FAILURE,
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| match cli.command {
        Command::Regen {
            check,
            spec: None,
            out: None,
        } => regen::run_all(check),
        Command::Regen { check, spec, out } => regen::run(
            &spec.unwrap_or_else(regen::default_spec),
            &out.unwrap_or_else(regen::default_out),
            check,
        ),
        Command::Bench => bench::bench(),
        Command::Footprint => bench::footprint(),
        Command::SpecDiff {
            old,
            new,
            base,
            format,
            allow_breaking,
        } => {
            let sides = match (old, new) {
                (Some(old), Some(new)) => spec_diff::Sides::Files(old, new),
                _ => spec_diff::Sides::Base(base.unwrap_or_else(|| "HEAD".into())),
            };
            spec_diff::run(sides, format, allow_breaking)
        }
        Command::Upstream(command) => match command {
            UpstreamCommand::Diff {
                old,
                new,
                format,
                spec,
            } => upstream::diff(&old, &new, &spec, format),
            UpstreamCommand::Check {
                source,
                format,
                files,
            } => upstream::check(&source, &files.into(), format),
            UpstreamCommand::Accept { source, files } => upstream::accept(&source, &files.into()),
        },
        Command::Sample {
            operation_id,
            status,
            file,
            spec,
        } => sample::run(&spec, &operation_id, status, &file),
    }));
    match outcome {
        Ok(Ok(code)) => code,
        Ok(Err(err)) => {
            eprintln!("error: {err:#}");
            failure
        }
        Err(payload) => {
            let message = codegen::panic_message(payload.as_ref())
                .unwrap_or("(the panic carried no message)");
            let location = LAST_PANIC
                .lock()
                .ok()
                .and_then(|last| last.clone())
                .unwrap_or_else(|| "an unknown place".into());
            eprintln!(
                "error: xtask stopped on an internal error at {location}: {message}\nplease report it with the command you ran"
            );
            failure
        }
    }
}
