//! `cargo xtask bench` and `cargo xtask footprint`: the performance figures
//! of BENCHMARKS.md, each a ratio against a baseline measured in the same run.

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

/// The median of one criterion benchmark, in nanoseconds.
fn median(benchmark: &str) -> anyhow::Result<f64> {
    let file = target_dir()
        .join("criterion")
        .join(benchmark)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("no criterion result at {}", file.display()))?;
    let estimates: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))?;
    estimates["median"]["point_estimate"]
        .as_f64()
        .with_context(|| format!("{} has no median", file.display()))
}

fn criterion(bench: &str, filter: &str) -> anyhow::Result<()> {
    run(cargo().current_dir(workspace_root()).args([
        "bench",
        "--package",
        "deepgram-keys-contract",
        "--bench",
        bench,
        "--",
        filter,
        "--warm-up-time",
        "1",
        "--measurement-time",
        "5",
    ]))
}

/// How many times the request benchmarks run, alternating which goes first.
/// On a loopback server the difference sought is a few microseconds of about
/// 250, smaller than the machine's drift between two runs; the median ratio
/// over alternating rounds cancels most of that drift.
const REQUEST_ROUNDS: usize = 3;

/// Runs the criterion benchmarks (request overhead, decoding, generation) at
/// a size that takes a few minutes on two cores, then prints the ratios.
pub fn bench() -> anyhow::Result<ExitCode> {
    let mut request_ratios = Vec::with_capacity(REQUEST_ROUNDS);
    for round in 0..REQUEST_ROUNDS {
        let mut order = [
            "request_overhead/handwritten",
            "request_overhead/deepgram_keys",
        ];
        if round % 2 == 1 {
            order.reverse();
        }
        for benchmark in order {
            criterion("client", benchmark)?;
        }
        request_ratios.push(
            median("request_overhead/deepgram_keys")? / median("request_overhead/handwritten")?,
        );
    }
    criterion("client", "decode_10k")?;
    criterion("generate", "generate")?;

    request_ratios.sort_by(f64::total_cmp);
    let rounds: Vec<String> = request_ratios
        .iter()
        .map(|ratio| format!("{ratio:.3}"))
        .collect();
    let ratio = |client: &str, baseline: &str| -> anyhow::Result<f64> {
        Ok(median(client)? / median(baseline)?)
    };
    let per_op_1000 = median("generate/synthetic/1000")? / 1000.0;
    let per_op_10 = median("generate/synthetic/10")? / 10.0;
    println!("request_overhead rounds: {}", rounds.join(" "));
    println!(
        "ratio request_overhead {:.3}",
        request_ratios[REQUEST_ROUNDS / 2]
    );
    println!(
        "ratio decode_10k_vs_handwritten {:.3}",
        ratio("decode_10k/deepgram_keys", "decode_10k/handwritten")?
    );
    println!(
        "ratio decode_10k_vs_value {:.3}",
        ratio("decode_10k/deepgram_keys", "decode_10k/value")?
    );
    println!(
        "ratio generate_per_op_1000_vs_10 {:.3}",
        per_op_1000 / per_op_10
    );
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

/// Unique crates in the normal dependency tree, the application excluded.
fn crate_count(manifest: &Path) -> anyhow::Result<usize> {
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
    let text = String::from_utf8_lossy(&output.stdout);
    let unique: std::collections::BTreeSet<&str> = text
        .lines()
        .skip(1)
        .filter_map(|line| line.split(" (").next())
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    Ok(unique.len())
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
    let baseline = application(
        &dir,
        "app-progenitor-template",
        "progenitor-client = \"=0.15.1\"\nreqwest = { version = \"0.13\", features = [\"json\", \"stream\"] }\nserde = { version = \"1\", features = [\"derive\"] }\nserde_json = \"1\"\nchrono = { version = \"0.4\", features = [\"serde\"] }\n",
        "fn main() {\n    let _ = reqwest::Client::new();\n}\n",
    )?;
    let (client_crates, baseline_crates) = (crate_count(&client)?, crate_count(&baseline)?);
    let client_seconds = clean_build_seconds(&client, &dir.join("target-deepgram-keys"))?;
    let baseline_seconds = clean_build_seconds(&baseline, &dir.join("target-baseline"))?;
    println!(
        "footprint deepgram-keys: {client_crates} crates, clean release build {client_seconds:.1} s"
    );
    println!(
        "footprint progenitor template: {baseline_crates} crates, clean release build {baseline_seconds:.1} s"
    );
    println!(
        "ratio footprint_crates {:.3}",
        client_crates as f64 / baseline_crates as f64
    );
    println!(
        "ratio footprint_build_time {:.3}",
        client_seconds / baseline_seconds
    );
    Ok(ExitCode::SUCCESS)
}
