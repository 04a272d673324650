//! What `cargo xtask regen` costs: the project's spec, and synthetic specs of
//! 10, 100 and 1,000 operations, to show whether the cost of one more
//! operation stays flat as specs grow. `cargo xtask bench` runs it; it
//! prints its ratio as `ratio NAME VALUE`.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion};

/// A spec of `operations` operations, each with a path and a query
/// parameter, a response type of its own and a shared error type.
fn synthetic_spec(operations: usize) -> String {
    let mut spec =
        String::from("openapi: 3.0.3\ninfo: {title: Synthetic, version: \"1\"}\npaths:\n");
    for i in 0..operations {
        spec.push_str(&format!(
            "  /things{i}/{{thing_id}}:\n    get:\n      operationId: get_thing_{i}\n      description: Gets thing {i}.\n      parameters:\n        - {{name: thing_id, in: path, required: true, description: The id., schema: {{type: string}}}}\n        - {{name: verbose, in: query, description: More., schema: {{type: boolean}}}}\n      responses:\n        \"200\":\n          description: The thing.\n          content:\n            application/json:\n              schema: {{$ref: \"#/components/schemas/Thing{i}\"}}\n        \"404\":\n          description: Missing.\n          content:\n            application/json:\n              schema: {{$ref: \"#/components/schemas/Problem\"}}\n"
        ));
    }
    spec.push_str("components:\n  schemas:\n    Problem:\n      type: object\n      properties:\n        message: {type: string}\n");
    for i in 0..operations {
        spec.push_str(&format!(
            "    Thing{i}:\n      type: object\n      required: [id]\n      properties:\n        id: {{type: string}}\n        made: {{type: string, format: date-time}}\n        tags: {{type: array, items: {{type: string}}}}\n"
        ));
    }
    spec
}

fn generate(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/keys.yaml");
    group.bench_function("project_spec", |b| {
        b.iter(|| black_box(codegen::client_source(&project, "openapi/keys.yaml").unwrap()))
    });
    for operations in SIZES {
        let file = dir.path().join(format!("synthetic-{operations}.yaml"));
        std::fs::write(&file, synthetic_spec(operations)).unwrap();
        group.bench_with_input(
            BenchmarkId::new("synthetic", operations),
            &file,
            |b, file| b.iter(|| black_box(codegen::client_source(file, "synthetic.yaml").unwrap())),
        );
    }
    group.finish();
}

/// The synthetic spec sizes, in operations.
const SIZES: [usize; 3] = [10, 100, 1000];

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
    generate(&mut criterion);
    criterion.final_summary();
    // The cost of one more operation at 1,000 against at 100: total time
    // over operations would spread the fixed cost and hide growth.
    let [small, medium, large] = SIZES.map(|size| median(&format!("generate/synthetic/{size}")));
    if let (Some(small), Some(medium), Some(large)) = (small, medium, large) {
        let marginal_large = (large - medium) / (SIZES[2] - SIZES[1]) as f64;
        let marginal_medium = (medium - small) / (SIZES[1] - SIZES[0]) as f64;
        println!(
            "generate marginal cost per operation: {:.0} µs from 100 to 1000, {:.0} µs from 10 to 100",
            marginal_large / 1e3,
            marginal_medium / 1e3
        );
        println!(
            "ratio generate_marginal_1000_vs_100 {:.3}",
            marginal_large / marginal_medium
        );
    }
}
