//! What `cargo xtask regen` costs: the project's spec, and synthetic specs of
//! 10, 100 and 1,000 operations, to show whether the cost per operation stays
//! flat as specs grow.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

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
        b.iter(|| black_box(codegen::generate_source(&project, "openapi/keys.yaml").unwrap()))
    });
    for operations in [10, 100, 1000] {
        let file = dir.path().join(format!("synthetic-{operations}.yaml"));
        std::fs::write(&file, synthetic_spec(operations)).unwrap();
        group.bench_with_input(
            BenchmarkId::new("synthetic", operations),
            &file,
            |b, file| {
                b.iter(|| black_box(codegen::generate_source(file, "synthetic.yaml").unwrap()))
            },
        );
    }
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
