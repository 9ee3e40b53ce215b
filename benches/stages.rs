//! Per-stage timings on synthetic specs (`fnplan::synth::spec(n)`): load, lower, graph,
//! lint, render, render --split, and plan's template diff. In-process, so no startup or
//! I/O cost; the whole-process view is `benches/cli.sh`.
//!
//! Run: `cargo bench --bench stages -- --warm-up-time 1 --measurement-time 3`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fnplan::lint::{LintContext, Selection};
use fnplan::source::SourceFile;
use fnplan::template::Template;
use fnplan::{graph, lint, model, spec, synth, template};
use std::hint::black_box;

const SIZES: [usize; 2] = [100, 500];
/// The lint rule codes `lint_ignore` may name, as ops hands them to lowering.
static RULES: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| lint::rule_codes().collect());

fn file(n: usize) -> SourceFile {
    SourceFile::from_string("synth.yaml", synth::spec(n))
}

/// Spec text -> rendered template, panicking on any error (the synthetic spec is valid).
fn compile(text: String) -> Template {
    let file = SourceFile::from_string("synth.yaml", text);
    let raw = spec::load(&file).expect("synthetic spec loads");
    let (m, _) = model::lower(&raw, &file, None, &RULES);
    let m = m.expect("synthetic spec lowers");
    let g = graph::build(&m);
    template::render(&m, &g, &Default::default())
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
        let raw = spec::load(&f).expect("loads");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| model::lower(black_box(&raw), &f, None, &RULES))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("graph");
    for n in SIZES {
        let f = file(n);
        let raw = spec::load(&f).expect("loads");
        let m = model::lower(&raw, &f, None, &RULES).0.expect("lowers");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| graph::build(black_box(&m)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("lint");
    for n in SIZES {
        let f = file(n);
        let raw = spec::load(&f).expect("loads");
        let m = model::lower(&raw, &f, None, &RULES).0.expect("lowers");
        let g = graph::build(&m);
        let t = template::render(&m, &g, &Default::default());
        let stacks = fnplan::ops::compile::stacks_of(&t, None);
        let cx = LintContext {
            model: &m,
            graph: &g,
            stacks: &stacks,
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
        let f = file(n);
        let raw = spec::load(&f).expect("loads");
        let m = model::lower(&raw, &f, None, &RULES).0.expect("lowers");
        let g = graph::build(&m);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| template::render(black_box(&m), &g, &Default::default()))
        });
    }
    group.finish();

    // `render --split`: render, group, chunk and rewrite into nested stacks.
    let mut group = c.benchmark_group("render_split");
    for n in SIZES {
        let f = file(n);
        let raw = spec::load(&f).expect("loads");
        let m = model::lower(&raw, &f, None, &RULES).0.expect("lowers");
        let g = graph::build(&m);
        let name = |id: &str| format!("{id}.json");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| template::render_split(black_box(&m), &g, &Default::default(), &name))
        });
    }
    group.finish();

    // Plan's offline diff: 500 deployed functions vs the same with every 10th function's
    // timeout changed (50 modified functions, the rest unchanged).
    let mut group = c.benchmark_group("plan_diff");
    let n = 500;
    let old = compile(synth::spec(n));
    let new = compile(changed_spec(n));
    let changes = fnplan::deploy::diff::plan_changes(Some(&old.value), &new.value);
    assert!(
        !changes.changes.is_empty(),
        "the changed spec must produce changes"
    );
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(BenchmarkId::new("every_10th_timeout", n), |b| {
        b.iter(|| fnplan::deploy::diff::plan_changes(Some(black_box(&old.value)), &new.value))
    });
    group.bench_function(BenchmarkId::new("identical", n), |b| {
        b.iter(|| fnplan::deploy::diff::plan_changes(Some(black_box(&old.value)), &old.value))
    });
    group.finish();
}

/// `synth::spec(n)` with `timeout: 20` instead of 10 for f0, f10, f20, ...
fn changed_spec(n: usize) -> String {
    let text = synth::spec(n);
    let mut out = String::with_capacity(text.len());
    let mut func: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix("  f").and_then(|r| r.strip_suffix(":\n")) {
            func = name.parse().ok();
        }
        if line == "    timeout: 10\n" && func.is_some_and(|i| i % 10 == 0) {
            out.push_str("    timeout: 20\n");
        } else {
            out.push_str(line);
        }
    }
    assert_ne!(
        out, text,
        "synth::spec format changed: no timeout line rewritten"
    );
    out
}

criterion_group!(benches, stages);
criterion_main!(benches);
