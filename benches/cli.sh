#!/usr/bin/env bash
# Whole-process timings of `fnplan render`, `fnplan lint` and `fnplan render --split`
# (nested stacks written to a directory) on generated specs.
# Usage: benches/cli.sh [N ...]   (default: 10 100 500 2000). Prints a Markdown table:
# wall-clock median of 15 runs and peak resident memory (GNU time), release build.
# FNPLAN_BIN=path/to/fnplan measures another build instead of this checkout's.
# FNPLAN_BEFORE=path/to/old/fnplan adds "before" columns: the two builds run in turns
# (old, new, old, new, ...), so both see the same machine load; on a shared machine,
# timings taken minutes apart differ by more than most changes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ -n "${FNPLAN_BIN:-}" ]]; then
    BIN="$(realpath "$FNPLAN_BIN")"
else
    cargo build --release --quiet
    BIN="$PWD/target/release/fnplan"
fi
BEFORE=""
if [[ -n "${FNPLAN_BEFORE:-}" ]]; then
    BEFORE="$(realpath "$FNPLAN_BEFORE")"
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
RUNS=15
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10 100 500 2000)

# median_ms BIN... -- ARGS... -> the median wall ms of each BIN running ARGS, $RUNS runs
# each, in turns, timed in-process by Python (a shell timing with $(date) adds ~3 ms of
# its own forks; this adds the spawn only). Prints one figure per BIN.
median_ms() {
    python3 - "$RUNS" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, rest = int(sys.argv[1]), sys.argv[2:]
cut = rest.index("--")
bins, args = rest[:cut], rest[cut + 1:]
times = {b: [] for b in bins}
for _ in range(runs):
    for b in bins:
        s = time.perf_counter()
        subprocess.run([b, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[b].append(time.perf_counter() - s)
print(" ".join(f"{statistics.median(times[b]) * 1000:.1f}" for b in bins))
PY
}
peak_mb() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1/1024}'; }

if [[ -z "$BEFORE" ]]; then
    echo "| N functions | spec bytes | resources | render ms | render MB | lint ms | lint MB | split ms | split MB | nested stacks |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
else
    echo "| N functions | resources | command | before ms | now ms | before MB | now MB |"
    echo "|---:|---:|---|---:|---:|---:|---:|"
fi
for n in "${sizes[@]}"; do
    spec="$TMP/synth-$n.yaml"
    "$BIN" synth "$n" >"$spec"
    res=$("$BIN" render "$spec" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["Resources"]))')
    out="$TMP/split-$n"
    "$BIN" render "$spec" --split --out "$out" 2>/dev/null
    stacks=$(( $(ls "$out" | wc -l) - 1 ))
    if [[ -z "$BEFORE" ]]; then
        echo "| $n | $(wc -c <"$spec") | $res | $(median_ms "$BIN" -- render "$spec") | $(peak_mb "$BIN" render "$spec") | $(median_ms "$BIN" -- lint "$spec") | $(peak_mb "$BIN" lint "$spec") | $(median_ms "$BIN" -- render "$spec" --split --out "$out") | $(peak_mb "$BIN" render "$spec" --split --out "$out") | $stacks |"
        continue
    fi
    for cmd in "render" "lint" "render --split"; do
        # shellcheck disable=SC2206
        args=($cmd "$spec")
        [[ "$cmd" == "render --split" ]] && args=(render "$spec" --split --out "$out")
        read -r t_old t_new < <(median_ms "$BEFORE" "$BIN" -- "${args[@]}")
        echo "| $n | $res | $cmd | $t_old | $t_new | $(peak_mb "$BEFORE" "${args[@]}") | $(peak_mb "$BIN" "${args[@]}") |"
    done
done
echo
read -r v_bin v_true < <(median_ms "$BIN" /bin/true -- --version)
echo "fnplan --version: $v_bin ms (median of $RUNS; starting /bin/true the same way: $v_true ms)"
