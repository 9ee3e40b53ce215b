//! Code fingerprints on a 120 MB app: a generated tree (three functions with a fake
//! `node_modules`, ~10,000 files of mixed sizes) in, timings of `measure` (metadata
//! only), a cold `fingerprint` (empty cache: every file read) and a warm one (cache
//! loaded from disk, nothing changed: nothing read) out; plus one zip of the same tree
//! for comparison. Files are in the page cache, so "cold" is cold for fnplan's cache,
//! not for the disk.
//!
//! Run: `cargo bench --bench fingerprint -- --warm-up-time 1 --measurement-time 5`
//! The tree is kept in `$TMPDIR/fnplan-bench-fingerprint` between runs.

use criterion::{Criterion, criterion_group, criterion_main};
use fnplan::package::{FingerprintCache, fingerprint, measure, package_dir};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

const FUNCTIONS: [&str; 3] = ["api", "worker", "web"];
/// Small files per function (node_modules' many little modules).
const SMALL: usize = 3_300;
/// Large files per function (bundles, native modules).
const LARGE: usize = 4;
/// Bump when the generator changes, so an old tree is rebuilt.
const VERSION: &str = "v1";

/// A tiny deterministic generator (no randomness needed, same tree on every machine).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn write(path: &Path, len: usize, rng: &mut Lcg, old: SystemTime) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let seed = rng.next() as u8;
    let body: Vec<u8> = (0..len)
        .map(|i| seed.wrapping_add((i % 251) as u8))
        .collect();
    std::fs::write(path, &body).expect("write");
    // Older than fnplan's 2 s "just modified" window, so the warm run hits the cache.
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(old))
        .expect("mtime");
}

/// One function's code: a handler, ~3,300 small modules (1..16 KB, ~8 KB on average)
/// in nested node_modules packages, and four 3.5 MB files: about 40 MB.
fn function(dir: &Path, rng: &mut Lcg, old: SystemTime) {
    write(&dir.join("index.js"), 2_000, rng, old);
    for i in 0..SMALL {
        let len = 1_024 + (rng.next() % (15 * 1_024)) as usize;
        let path = format!("node_modules/pkg{}/lib/sub{}/m{i}.js", i / 40, i % 4);
        write(&dir.join(path), len, rng, old);
    }
    for i in 0..LARGE {
        let path = format!("node_modules/native{i}/build/addon.node");
        write(&dir.join(path), 3_500 * 1_024, rng, old);
    }
}

/// The tree, built once and reused while its marker says it is complete.
fn tree() -> PathBuf {
    let root = std::env::temp_dir().join("fnplan-bench-fingerprint");
    let marker = root.join(format!("complete-{VERSION}"));
    if marker.is_file() {
        return root;
    }
    let _ = std::fs::remove_dir_all(&root);
    let old = SystemTime::now() - Duration::from_secs(3_600);
    let mut rng = Lcg(42);
    for f in FUNCTIONS {
        function(&root.join(f), &mut rng, old);
    }
    std::fs::write(&marker, "").expect("marker");
    root
}

fn dirs(root: &Path) -> Vec<PathBuf> {
    FUNCTIONS.iter().map(|f| root.join(f)).collect()
}

fn fingerprints(c: &mut Criterion) {
    let root = tree();
    let dirs = dirs(&root);
    let (files, bytes) = dirs.iter().fold((0, 0), |(n, b), d| {
        let m = measure(d).expect("within Lambda's limit");
        (n + m.files, b + m.unzipped)
    });
    eprintln!(
        "tree: {} files, {:.1} MB in {}",
        files,
        bytes as f64 / 1_048_576.0,
        root.display()
    );
    let cache_path = root.join("cache").join("fingerprints.json");
    let mut cache = FingerprintCache::load(&cache_path);
    for d in &dirs {
        fingerprint(d, &mut cache).expect("fingerprint");
    }
    cache.save().expect("save the cache");

    let mut group = c.benchmark_group("fingerprint_120mb");
    group.sample_size(10);
    group.bench_function("measure", |b| {
        b.iter(|| {
            for d in &dirs {
                black_box(measure(d).expect("measure"));
            }
        })
    });
    group.bench_function("cold", |b| {
        b.iter(|| {
            let mut cache = FingerprintCache::default();
            for d in &dirs {
                black_box(fingerprint(d, &mut cache).expect("fingerprint"));
            }
        })
    });
    group.bench_function("warm", |b| {
        b.iter(|| {
            let mut cache = FingerprintCache::load(&cache_path);
            for d in &dirs {
                black_box(fingerprint(d, &mut cache).expect("fingerprint"));
            }
            assert_eq!(cache.hashed_files(), 0, "a warm run reads no file");
            cache.save().expect("save");
        })
    });
    group.finish();

    // For comparison, once: what lowering does today (zip every code dir).
    let start = Instant::now();
    for d in &dirs {
        black_box(package_dir(d).expect("zip"));
    }
    eprintln!("zip (package_dir, one run): {:.2?}", start.elapsed());
}

criterion_group!(benches, fingerprints);
criterion_main!(benches);
