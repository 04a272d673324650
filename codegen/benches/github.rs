//! spec-diff of GitHub's OpenAPI 3.0.3 document against itself: the review
//! of a large real document (about 450 paths and 600 schemas, 3 MB), from
//! reading the files to the report, against only parsing the same two files.
//!
//! The document is `generated/api.github.com.json` of the npm package
//! `@octokit/openapi`, pinned below; the benchmark fetches it with `npm
//! pack` (npm checks the package's integrity) into the target directory
//! once, or reads the file `GITHUB_OPENAPI` names. `cargo xtask bench` runs
//! it; it prints its figures as `ratio NAME VALUE`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;

use codegen::Document;
use criterion::Criterion;

/// The pinned package version: its document has a property named `$ref`
/// (at `/components/schemas/scim-group-list-enterprise/properties/Resources/
/// items/properties/members/items/properties/$ref`), which the reader must
/// take as a property.
const PACKAGE: &str = "@octokit/openapi@2.2.1";

fn document() -> PathBuf {
    if let Some(file) = std::env::var_os("GITHUB_OPENAPI") {
        return file.into();
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("octokit-openapi-2.2.1");
    let file = dir.join("package/generated/api.github.com.json");
    if !file.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let run = |command: &mut Command| {
            let status = command
                .status()
                .unwrap_or_else(|err| panic!("{command:?}: {err}"));
            assert!(status.success(), "{command:?} failed with {status}");
        };
        run(Command::new("npm")
            .args(["pack", "--silent", "--pack-destination"])
            .arg(&dir)
            .arg(PACKAGE));
        run(Command::new("tar")
            .arg("xzf")
            .arg(dir.join("octokit-openapi-2.2.1.tgz"))
            .arg("-C")
            .arg(&dir));
    }
    file
}

fn self_diff(c: &mut Criterion) {
    let file = document();
    let text = std::fs::read_to_string(&file).unwrap();
    let read = || Document::parse(&file, &text).unwrap().normalized();
    let mut group = c.benchmark_group("github_self_diff");
    group.sample_size(10);
    group.bench_function("parse_only", |b| b.iter(|| black_box((read(), read()))));
    group.bench_function("diff", |b| {
        b.iter(|| {
            let report = codegen::review::review(&read(), &read()).unwrap();
            assert!(!report.is_breaking());
            black_box(report)
        })
    });
    group.finish();
}

fn results_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("criterion")
}

/// The median of one benchmark of this run, in nanoseconds.
fn median(id: &str) -> Option<f64> {
    let file = results_dir().join(id).join("new/estimates.json");
    let estimates: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).ok()?).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}

fn main() {
    let mut criterion = Criterion::default()
        .output_directory(&results_dir())
        .configure_from_args();
    self_diff(&mut criterion);
    criterion.final_summary();
    if let (Some(diff), Some(parse)) = (
        median("github_self_diff/diff"),
        median("github_self_diff/parse_only"),
    ) {
        println!(
            "GitHub self-diff {:.0} ms, reading the two documents {:.0} ms",
            diff / 1e6,
            parse / 1e6
        );
        println!("ratio github_self_diff_vs_parse {:.3}", diff / parse);
    }
}
