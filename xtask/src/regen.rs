//! `cargo xtask regen [--check] [--spec PATH] [--out PATH]`.
//!
//! Without `--spec` and `--out`, every file in [`TARGETS`] is regenerated
//! (or, with `--check`, compared); with either, the one file it names.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

/// The workspace root: xtask lives one level below it.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits inside the workspace")
        .to_owned()
}

/// Every generated file of the workspace, from the spec it is generated
/// from: the client, and the generator's snapshot, which
/// `codegen/tests/output` compiles against stand-ins of the client crate.
pub const TARGETS: [(&str, &str); 2] = [
    ("openapi/keys.yaml", "generated-client/src/generated.rs"),
    (
        "codegen/tests/output/widgets.yaml",
        "codegen/tests/output/src/widgets.rs",
    ),
];

pub fn default_spec() -> PathBuf {
    workspace_root().join(TARGETS[0].0)
}

pub fn default_out() -> PathBuf {
    workspace_root().join(TARGETS[0].1)
}

/// Every target: all are generated before any is written, so that a spec
/// that fails leaves every committed file as it was.
pub fn run_all(check: bool) -> anyhow::Result<ExitCode> {
    let root = workspace_root();
    let mut generated = Vec::new();
    for (spec, out) in TARGETS {
        let spec = root.join(spec);
        generated.push((generate(&spec)?, spec, root.join(out)));
    }
    let mut code = ExitCode::SUCCESS;
    for (source, spec, out) in generated {
        if update(&source, &spec, &out, check)? != ExitCode::SUCCESS {
            code = ExitCode::FAILURE;
        }
    }
    Ok(code)
}

/// How the generated header names `spec`: relative to the workspace root
/// when it lies inside it, so the output does not depend on the checkout's
/// location.
pub fn spec_label(spec: &Path) -> String {
    let absolute = std::path::absolute(spec).unwrap_or_else(|_| spec.to_owned());
    let label = absolute
        .strip_prefix(workspace_root())
        .map(Path::to_owned)
        .unwrap_or(absolute);
    label.to_string_lossy().replace('\\', "/")
}

/// What the spec at `spec` generates.
pub fn generate(spec: &Path) -> Result<String, codegen::Error> {
    codegen::client_source(spec, &spec_label(spec))
}

/// One spec to one file.
pub fn run(spec: &Path, out: &Path, check: bool) -> anyhow::Result<ExitCode> {
    update(&generate(spec)?, spec, out, check)
}

/// Writes `generated` to `out` (or, with `check`, reports whether it is
/// stale).
fn update(generated: &str, spec: &Path, out: &Path, check: bool) -> anyhow::Result<ExitCode> {
    let committed = match std::fs::read_to_string(out) {
        Ok(text) => Some(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", out.display())),
    };
    if committed.as_deref() == Some(generated) {
        println!("{} is up to date with {}", out.display(), spec.display());
        return Ok(ExitCode::SUCCESS);
    }
    if check {
        print!(
            "{}",
            stale_report(out, committed.as_deref().unwrap_or(""), generated)
        );
        return Ok(ExitCode::FAILURE);
    }
    write_atomically(out, generated)?;
    println!("wrote {} from {}", out.display(), spec.display());
    Ok(ExitCode::SUCCESS)
}

/// The unified diff from the committed file to what the spec generates, and
/// the command that fixes it.
fn stale_report(out: &Path, committed: &str, generated: &str) -> String {
    let name = out.display().to_string();
    let diff = similar::TextDiff::from_lines(committed, generated)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{name} (committed)"),
            &format!("{name} (from the spec)"),
        )
        .to_string();
    format!("{diff}\n{name} is stale: run `cargo xtask regen` and commit the result.\n")
}

/// Writes through a temporary file in the same directory and renames it into
/// place, so that a failure at any point leaves `out` as it was.
pub fn write_atomically(out: &Path, contents: &str) -> anyhow::Result<()> {
    let dir = match out.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".regen-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    temp.write_all(contents.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("cannot write a temporary file in {}", dir.display()))?;
    temp.persist(out)
        .with_context(|| format!("cannot replace {}", out.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The drift check as a test, so that a plain `cargo test` fails when a
    /// committed file (the client, the snapshot) no longer matches its spec.
    #[test]
    fn committed_files_match_their_specs() {
        for (spec, out) in TARGETS {
            let (spec, out) = (workspace_root().join(spec), workspace_root().join(out));
            let generated = generate(&spec).expect("the committed spec generates");
            let committed = std::fs::read_to_string(&out).expect("the file is committed");
            assert!(
                committed == generated,
                "{}",
                stale_report(&out, &committed, &generated)
            );
        }
    }

    #[test]
    fn generating_twice_gives_identical_bytes() {
        assert_eq!(
            generate(&default_spec()).unwrap(),
            generate(&default_spec()).unwrap()
        );
    }

    #[test]
    fn stale_report_shows_the_diff_and_the_fix() {
        let report = stale_report(Path::new("out.rs"), "a\nb\n", "a\nc\n");
        assert!(report.contains("-b\n+c\n"), "{report}");
        assert!(report.contains("run `cargo xtask regen`"), "{report}");
    }
}
