//! What `cargo xtask upstream diff` costs on two full upstream documents of
//! about 6,000 lines, against only parsing the same two files: reviewing
//! should cost little more than reading. And what comparing a chain of 24
//! schemas, each referring twice to the next (2^24 paths to the last one),
//! costs against parsing it: each shared schema is compared once. `cargo
//! xtask bench` runs it; it prints its ratios as `ratio NAME VALUE`.

use std::hint::black_box;
use std::path::Path;

use codegen::Document;
use criterion::Criterion;

fn upstream_diff(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |relative: &str| std::fs::read_to_string(root.join(relative)).unwrap();
    let old = read("openapi/upstream/published/deepgram-openapi-2026-04-12-0474c15.yml");
    let new = read("openapi/upstream/published/deepgram-openapi-2026-07-15-b0ac81e.yml");
    let ours = read("openapi/keys.yaml");
    let parse = |text: &str| Document::parse(Path::new("bench.yml"), text).unwrap();

    let mut group = c.benchmark_group("upstream_diff");
    group.sample_size(20);
    group.bench_function("parse_only", |b| {
        b.iter(|| black_box((parse(&old), parse(&new))))
    });
    // Everything the command does after reading the files: parse both
    // documents and our spec, extract, normalise and compare.
    group.bench_function("diff", |b| {
        b.iter(|| {
            let keys = codegen::upstream::key_operations(&parse(&ours));
            black_box(codegen::upstream::review(&parse(&old), &parse(&new), &keys))
        })
    });
    group.finish();
}

/// The JSON text of a spec whose request body `D0` has properties `l` and
/// `r` referring to `D1`, and so on to `D{depth}`, of type `last`.
fn shared_chain(depth: usize, last: &str) -> String {
    let mut schemas = serde_json::Map::new();
    for level in 0..depth {
        let next = serde_json::json!({"$ref": format!("#/components/schemas/D{}", level + 1)});
        schemas.insert(
            format!("D{level}"),
            serde_json::json!({"type": "object", "properties": {"l": next, "r": next}}),
        );
    }
    schemas.insert(format!("D{depth}"), serde_json::json!({"type": last}));
    serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "chain", "version": "1"},
        "paths": {"/d": {"post": {
            "operationId": "post_d",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/D0"}}}},
            "responses": {"204": {"description": "done"}},
        }}},
        "components": {"schemas": schemas},
    })
    .to_string()
}

fn shared_schemas(c: &mut Criterion) {
    let (old, new) = (shared_chain(24, "string"), shared_chain(24, "integer"));
    let parse = |text: &str| Document::parse(Path::new("chain.json"), text).unwrap();
    let mut group = c.benchmark_group("shared_schemas");
    group.sample_size(20);
    group.bench_function("parse_only", |b| {
        b.iter(|| black_box((parse(&old), parse(&new))))
    });
    group.bench_function("diff", |b| {
        b.iter(|| black_box(codegen::review::http::compare(&parse(&old), &parse(&new))))
    });
    group.finish();
}

/// Where criterion keeps its results for this benchmark.
fn results_dir() -> std::path::PathBuf {
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
    upstream_diff(&mut criterion);
    shared_schemas(&mut criterion);
    criterion.final_summary();
    if let (Some(diff), Some(parse)) = (
        median("upstream_diff/diff"),
        median("upstream_diff/parse_only"),
    ) {
        println!(
            "upstream diff {:.1} ms, parsing the two documents {:.1} ms",
            diff / 1e6,
            parse / 1e6
        );
        println!("ratio upstream_diff_vs_parse {:.3}", diff / parse);
    }
    if let (Some(diff), Some(parse)) = (
        median("shared_schemas/diff"),
        median("shared_schemas/parse_only"),
    ) {
        println!("ratio shared_schemas_diff_vs_parse {:.3}", diff / parse);
    }
}
