//! `cargo xtask sample OPERATION_ID STATUS FILE`: what the client makes of a
//! response body captured from the real service.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use deepgram_keys_contract::sample;
use deepgram_keys_contract::spec::Spec;

pub fn run(spec: &Path, operation: &str, status: u16, file: &Path) -> anyhow::Result<ExitCode> {
    let body = std::fs::read(file)
        .with_context(|| format!("cannot read the sample body {}", file.display()))?;
    let spec = Spec::from_file(spec).map_err(anyhow::Error::msg)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let report = runtime
        .block_on(sample::check(&spec, operation, status, &body))
        .map_err(anyhow::Error::msg)?;
    println!(
        "{} as the {status} response to {operation}:",
        file.display()
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
