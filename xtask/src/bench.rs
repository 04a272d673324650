//! `cargo xtask bench` and `cargo xtask footprint`: the performance figures
//! of BENCHMARKS.md, each a ratio against a baseline measured in the same run.
//! The benchmarks live with the crates they measure; this only runs them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, bail};

use crate::regen::workspace_root;

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let status = command
        .status()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed with {status}");
    }
    Ok(())
}

/// The benchmarks, each in the crate it measures; each prints its own
/// `ratio NAME VALUE` lines.
const BENCHMARKS: [(&str, &str); 4] = [
    ("deepgram-keys", "client"),
    ("deepgram-keys-codegen", "generate"),
    ("deepgram-keys-codegen", "upstream"),
    ("deepgram-keys-codegen", "github"),
];

/// Runs the criterion benchmarks (request overhead, decoding, generation,
/// the upstream review) at
/// a size that takes a few minutes on two cores.
pub fn bench() -> anyhow::Result<ExitCode> {
    for (package, bench) in BENCHMARKS {
        run(cargo().current_dir(workspace_root()).args([
            "bench",
            "--package",
            package,
            "--bench",
            bench,
            "--",
            "--warm-up-time",
            "1",
            "--measurement-time",
            "5",
        ]))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// An application crate with `dependencies`, in its own workspace.
fn application(dir: &Path, name: &str, dependencies: &str, main: &str) -> anyhow::Result<PathBuf> {
    let crate_dir = dir.join(name);
    std::fs::create_dir_all(crate_dir.join("src"))?;
    std::fs::write(
        crate_dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{dependencies}\n[workspace]\n"
        ),
    )?;
    std::fs::write(crate_dir.join("src/main.rs"), main)?;
    Ok(crate_dir.join("Cargo.toml"))
}

/// The packages (`name vX.Y.Z`) in the normal dependency tree, the
/// application excluded.
fn packages(manifest: &Path) -> anyhow::Result<BTreeSet<String>> {
    let output = cargo()
        .args([
            "tree",
            "--edges",
            "normal",
            "--prefix",
            "none",
            "--manifest-path",
        ])
        .arg(manifest)
        .output()
        .context("cannot run cargo tree")?;
    if !output.status.success() {
        bail!(
            "cargo tree failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .skip(1)
        .filter_map(|line| line.split(" (").next())
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect())
}

/// The version of `package` in the workspace's lock file: the baseline uses
/// the same `progenitor-client` as the client, from the one place it is
/// pinned.
fn locked_version(package: &str) -> anyhow::Result<String> {
    let output = cargo()
        .current_dir(workspace_root())
        .args(["metadata", "--format-version", "1", "--locked"])
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|candidate| candidate["name"] == package)
        .and_then(|found| found["version"].as_str())
        .map(str::to_owned)
        .with_context(|| format!("{package} is not in the workspace's dependencies"))
}

/// Wall time of a clean release build, in seconds.
fn clean_build_seconds(manifest: &Path, target: &Path) -> anyhow::Result<f64> {
    if target.exists() {
        std::fs::remove_dir_all(target)?;
    }
    let started = Instant::now();
    run(cargo()
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(manifest)
        .arg("--target-dir")
        .arg(target))?;
    Ok(started.elapsed().as_secs_f64())
}

/// Crates and clean release build time of an application that depends on
/// `deepgram-keys`, against one built on progenitor's template dependencies
/// (reqwest with its default features), measured in the same run.
pub fn footprint() -> anyhow::Result<ExitCode> {
    let dir = target_dir().join("footprint");
    let client_path = workspace_root().join("generated-client");
    let client = application(
        &dir,
        "app-deepgram-keys",
        &format!(
            "deepgram-keys = {{ path = {:?} }}\n",
            client_path.to_string_lossy()
        ),
        "fn main() {\n    let _ = deepgram_keys::Client::builder();\n}\n",
    )?;
    let progenitor_client = locked_version("progenitor-client")?;
    let baseline = application(
        &dir,
        "app-progenitor-template",
        &format!(
            "progenitor-client = \"={progenitor_client}\"\nreqwest = {{ version = \"0.13\", features = [\"json\", \"stream\"] }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\nchrono = {{ version = \"0.4\", features = [\"serde\"] }}\n"
        ),
        "fn main() {\n    let _ = reqwest::Client::new();\n}\n",
    )?;
    let (client_packages, baseline_packages) = (packages(&client)?, packages(&baseline)?);
    let client_seconds = clean_build_seconds(&client, &dir.join("target-deepgram-keys"))?;
    let baseline_seconds = clean_build_seconds(&baseline, &dir.join("target-baseline"))?;
    let only = |these: &BTreeSet<String>, those: &BTreeSet<String>| {
        let names: Vec<&str> = these.difference(those).map(String::as_str).collect();
        format!("{} ({})", names.len(), names.join(", "))
    };
    println!(
        "footprint deepgram-keys: {} crates, clean release build {client_seconds:.1} s",
        client_packages.len()
    );
    println!(
        "footprint progenitor template (progenitor-client {progenitor_client}): {} crates, clean release build {baseline_seconds:.1} s",
        baseline_packages.len()
    );
    println!(
        "only in deepgram-keys: {}",
        only(&client_packages, &baseline_packages)
    );
    println!(
        "only in the template: {}",
        only(&baseline_packages, &client_packages)
    );
    println!(
        "ratio footprint_crates {:.3}",
        client_packages.len() as f64 / baseline_packages.len() as f64
    );
    println!(
        "ratio footprint_build_time {:.3}",
        client_seconds / baseline_seconds
    );
    Ok(ExitCode::SUCCESS)
}
