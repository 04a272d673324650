//! `sample OPERATION_ID STATUS FILE [--spec PATH]`: what the client makes of
//! a response body captured from the real service. `cargo xtask sample`
//! runs it, so that the maintainer's other commands never build the client,
//! its TLS stack or the mock server this needs.
//!
//! Exit codes: 0 when the client decodes the body without loss, 1 when it
//! fails on it or loses part of it (or the spec or the file is unusable),
//! 2 for bad arguments.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use deepgram_keys_contract::sample;
use deepgram_keys_contract::spec::{Spec, spec_file};

/// Check a response body captured from the service: does the client decode it without loss?
#[derive(Parser)]
#[command(name = "cargo xtask sample")]
struct Args {
    /// The operation that returned it.
    operation_id: String,
    /// The HTTP status it came with.
    #[arg(value_parser = clap::value_parser!(u16).range(100..=599))]
    status: u16,
    /// The file holding the body, byte for byte.
    file: PathBuf,
    /// The spec to check it against.
    #[arg(long, value_name = "PATH", default_value_os_t = spec_file())]
    spec: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let body = std::fs::read(&args.file)
        .map_err(|err| format!("cannot read the sample body {}: {err}", args.file.display()))?;
    let spec = Spec::from_file(&args.spec)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))?;
    let (operation, status) = (args.operation_id.as_str(), args.status);
    let report = runtime.block_on(sample::check(&spec, operation, status, &body))?;
    println!(
        "{} as the {status} response to {operation}:",
        args.file.display()
    );
    print!("{}", report.render());
    if report.decoded_without_loss() {
        println!("verdict: the client decodes this body without loss");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("verdict: the client fails on this body or loses part of it; see 2 and 4 above");
        Ok(ExitCode::FAILURE)
    }
}
