#!/usr/bin/env bash
# Whole-process timings of `fnplan render`, `fnplan lint` and `fnplan render --split`
# (nested stacks written to a directory) on generated specs.
# Usage: benches/cli.sh [N ...]   (default: 10 100 500 2000). Prints a Markdown table:
# wall-clock median of 15 runs and peak resident memory (GNU time), release build.
# FNPLAN_BIN=path/to/fnplan measures another build (an older one, for a before/after).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ -n "${FNPLAN_BIN:-}" ]]; then
    BIN="$(realpath "$FNPLAN_BIN")"
else
    cargo build --release --quiet
    BIN="$PWD/target/release/fnplan"
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
RUNS=15
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10 100 500 2000)

median_ms() { # command... -> median wall ms over $RUNS runs, timed in-process by Python
    # (a shell timing with $(date) adds ~3 ms of its own forks; this adds the spawn only).
    python3 - "$RUNS" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
t = []
for _ in range(runs):
    s = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t.append(time.perf_counter() - s)
print(f"{statistics.median(t) * 1000:.1f}")
PY
}
peak_mb() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1/1024}'; }

echo "| N functions | spec bytes | resources | render ms | render MB | lint ms | lint MB | split ms | split MB | nested stacks |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
    spec="$TMP/synth-$n.yaml"
    "$BIN" synth "$n" >"$spec"
    res=$("$BIN" render "$spec" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["Resources"]))')
    out="$TMP/split-$n"
    "$BIN" render "$spec" --split --out "$out" 2>/dev/null
    stacks=$(( $(ls "$out" | wc -l) - 1 ))
    echo "| $n | $(wc -c <"$spec") | $res | $(median_ms "$BIN" render "$spec") | $(peak_mb "$BIN" render "$spec") | $(median_ms "$BIN" lint "$spec") | $(peak_mb "$BIN" lint "$spec") | $(median_ms "$BIN" render "$spec" --split --out "$out") | $(peak_mb "$BIN" render "$spec" --split --out "$out") | $stacks |"
done
echo
echo "fnplan --version: $(median_ms "$BIN" --version) ms (median of $RUNS; starting /bin/true the same way: $(median_ms /bin/true) ms)"
