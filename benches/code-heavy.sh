#!/usr/bin/env bash
# Commands on an app whose code is heavy: three functions, each with a ~40 MB
# node_modules of ~3,400 files (about 120 MB in all), as issue #13 measured it.
# Usage: benches/code-heavy.sh [RUNS]  (default 7). Release build; prints a Markdown table:
# wall-clock median and peak resident memory (GNU time) of lint, graph, the first render
# (no fingerprint cache), a repeated render (cache warm) and a render after one file changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --quiet
BIN="$PWD/target/release/fnplan"
RUNS="${1:-7}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# The app: deterministic pseudo-random file contents (incompressible, like real bundles).
python3 - "$TMP" <<'PY'
import os, random, sys
root = sys.argv[1]
rnd = random.Random(13)
for fn in ("api", "worker", "report"):
    base = os.path.join(root, "src", fn)
    os.makedirs(base, exist_ok=True)
    open(os.path.join(base, "index.js"), "w").write("exports.handler = async () => ({});\n")
    total = 0
    i = 0
    while total < 40 * 1024 * 1024:
        d = os.path.join(base, "node_modules", f"pkg{i // 20}", "lib")
        os.makedirs(d, exist_ok=True)
        size = rnd.choice([200, 1_000, 4_000, 12_000, 40_000])
        open(os.path.join(d, f"f{i}.js"), "wb").write(rnd.randbytes(size))
        total += size
        i += 1
spec = """version: 1
app: heavy
defaults:
  function: { runtime: nodejs22.x, timeout: 10, memory: 256, concurrency: 5, log_retention_days: 14 }
functions:
"""
for fn in ("api", "worker", "report"):
    spec += f"  {fn}: {{ handler: index.handler, code: src/{fn} }}\n"
open(os.path.join(root, "fnplan.yaml"), "w").write(spec)
PY
SPEC="$TMP/fnplan.yaml"
files=$(find "$TMP/src" -type f | wc -l)
bytes=$(du -sb "$TMP/src" | cut -f1)

# median_ms SETUP CMD...: median wall ms over $RUNS runs; SETUP runs before each (untimed).
median_ms() {
    python3 - "$RUNS" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, setup, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
t = []
for _ in range(runs):
    subprocess.run(["bash", "-c", setup], check=True)
    s = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t.append(time.perf_counter() - s)
print(f"{statistics.median(t) * 1000:.1f}")
PY
}
peak_mb() { # SETUP CMD...
    bash -c "$1"
    shift
    /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1/1024}'
}
COLD="rm -rf '$TMP/.fnplan'"
WARM="'$BIN' render '$SPEC' >/dev/null"
TOUCH="echo // >> '$TMP/src/worker/index.js'"

echo "code: 3 functions, $files files, $((bytes / 1024 / 1024)) MB; median of $RUNS"
echo
echo "| command | ms | peak MB |"
echo "|---|---:|---:|"
echo "| lint | $(median_ms true "$BIN" lint "$SPEC") | $(peak_mb true "$BIN" lint "$SPEC") |"
echo "| graph | $(median_ms true "$BIN" graph "$SPEC") | $(peak_mb true "$BIN" graph "$SPEC") |"
echo "| render, first (no cache) | $(median_ms "$COLD" "$BIN" render "$SPEC") | $(peak_mb "$COLD" "$BIN" render "$SPEC") |"
echo "| render, repeated | $(median_ms "$WARM" "$BIN" render "$SPEC") | $(peak_mb "$WARM" "$BIN" render "$SPEC") |"
echo "| render, one file changed | $(median_ms "$TOUCH" "$BIN" render "$SPEC") | $(peak_mb "$TOUCH" "$BIN" render "$SPEC") |"
