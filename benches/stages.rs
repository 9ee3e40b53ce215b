//! Per-stage timings on synthetic specs (`fnplan::synth::spec(n)`): load, lower, graph,
//! lint, render, writing the template as JSON, render --split, and plan's template diff.
//! In-process, so no startup or I/O cost; the whole-process view is `benches/cli.sh`.
//!
//! Run: `cargo bench --bench stages -- --warm-up-time 1 --measurement-time 3`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fnplan::lint::{LintContext, Selection};
use fnplan::source::SourceFile;
use fnplan::testing::{Spec, compile, compile_str};
use fnplan::{graph, lint, model, spec, synth, template};
use std::hint::black_box;

const SIZES: [usize; 2] = [100, 500];
/// The lint rule codes `lint_ignore` may name, as ops hands them to lowering.
static RULES: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| lint::rule_codes().collect());

fn file(n: usize) -> SourceFile {
    SourceFile::from_string("synth.yaml", synth::spec(n))
}

fn stages(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    for n in SIZES {
        let f = file(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &f, |b, f| {
            b.iter(|| spec::load(black_box(f)).expect("loads"))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("lower");
    for n in SIZES {
        let f = file(n);
        let raw = fnplan::testing::load(&f);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            let options = model::LowerOptions {
                stage: None,
                rule_codes: &RULES,
                today: fnplan::testing::today(),
            };
            b.iter(|| model::lower(black_box(&raw), &f, &options))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("graph");
    for n in SIZES {
        let m = compile(&file(n), None).model;
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| graph::build(black_box(&m)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("lint");
    for n in SIZES {
        let c = compile(&file(n), None);
        let stacks = fnplan::ops::compile::stacks_of(&c.template, None);
        let cx = LintContext {
            model: &c.model,
            graph: &c.graph,
            stacks: &stacks,
            code: &[],
            today: fnplan::testing::today(),
        };
        let sel = Selection::default();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| lint::lint(black_box(&cx), &sel))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("render");
    for n in SIZES {
        let c = compile(&file(n), None);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| template::render(black_box(&c.model), &c.graph, &c.keys))
        });
    }
    group.finish();

    // Writing the rendered template as pretty JSON (what `render` prints).
    let mut group = c.benchmark_group("write_json");
    for n in SIZES {
        let c = compile(&file(n), None);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| black_box(&c.template).to_json())
        });
    }
    group.finish();

    // `render --split`: render, group, chunk and rewrite into nested stacks.
    let mut group = c.benchmark_group("render_split");
    for n in SIZES {
        let c = compile(&file(n), None);
        let name = |id: &str| format!("{id}.json");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| template::render_split(black_box(&c.model), &c.graph, &c.keys, &name))
        });
    }
    group.finish();

    // Plan's offline diff: 500 deployed functions vs the same with every 10th function's
    // timeout changed (50 modified functions, the rest unchanged).
    let mut group = c.benchmark_group("plan_diff");
    let n = 500;
    let old = compile_str(&synth::spec(n), None).template;
    let new = compile_str(&changed_spec(n), None).template;
    let changes = fnplan::deploy::diff::plan_changes(Some(old.value()), new.value());
    assert!(
        !changes.changes.is_empty(),
        "the changed spec must produce changes"
    );
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(BenchmarkId::new("every_10th_timeout", n), |b| {
        b.iter(|| fnplan::deploy::diff::plan_changes(Some(black_box(old.value())), new.value()))
    });
    group.bench_function(BenchmarkId::new("identical", n), |b| {
        b.iter(|| fnplan::deploy::diff::plan_changes(Some(black_box(old.value())), old.value()))
    });
    group.finish();
}

/// `synth::spec(n)` with `timeout: 20` instead of 10 for f0, f10, f20, ...
fn changed_spec(n: usize) -> String {
    let mut spec = Spec::parse(&synth::spec(n)).expect("synth spec reads");
    for i in (0..n).step_by(10) {
        let timeout = spec
            .get_mut(&format!("functions.f{i}.timeout"))
            .expect("synth functions have a timeout");
        *timeout = serde_json::Value::from(20);
    }
    spec.yaml()
}

criterion_group!(benches, stages);
criterion_main!(benches);
