#!/usr/bin/env bash
# Whole-process comparison: AWS SAM's translator (aws-sam-translator, the Python library
# behind `sam build`/the AWS::Serverless transform) vs `fnplan render`, on the same app.
# fnplan renders `fnplan synth N`; SAM translates its twin from benches/sam_twin.py
# (HttpApi + JWT authorizer; per function an HttpApi route and an SQS trigger on its own
# queue with a DLQ). SAM runs offline with an empty managed-policy map.
# Usage: benches/sam-compare.sh [N ...]   (default: 1 100 500)
# Env: SAM_RUNS (default 1), FNPLAN_RUNS (default 5). Prints a Markdown table of medians.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/python -c 'import samtranslator' 2>/dev/null || .venv/bin/pip install --quiet aws-sam-translator
cargo build --release --quiet
BIN="$ROOT/target/release/fnplan"
PY="$ROOT/.venv/bin/python"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
SAM_RUNS="${SAM_RUNS:-1}"
FNPLAN_RUNS="${FNPLAN_RUNS:-5}"
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1 100 500)

median_ms() { # runs command... -> median wall ms (last output kept in $TMP/out); fails if the command fails
    local runs=$1; shift
    local t=()
    for _ in $(seq "$runs"); do
        local s e
        s=$(date +%s%N)
        "$@" >"$TMP/out"
        e=$(date +%s%N)
        t+=($(( (e - s) / 1000 )))
    done
    printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}
count() { python3 -c 'import json,sys; print(len(json.load(sys.stdin)["Resources"]))'; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
samv=$("$PY" -c 'import samtranslator; print(samtranslator.__version__)')
pyv=$("$PY" -c 'import platform; print(platform.python_version())')
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, ${cpu:-unknown CPU}; $("$BIN" --version), aws-sam-translator $samv (Python $pyv)."
echo "Wall-clock, whole process: SAM median of $SAM_RUNS, fnplan median of $FNPLAN_RUNS."
echo
echo "| N functions | SAM resources | SAM translate ms | fnplan resources | fnplan render ms | ratio |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
    spec="$TMP/synth-$n.yaml" sam="$TMP/sam-$n.json"
    "$BIN" synth "$n" >"$spec"
    "$PY" benches/sam_twin.py "$n" >"$sam"
    median_ms "$SAM_RUNS" "$PY" benches/sam_translate.py "$sam" >"$TMP/ms"
    sms=$(<"$TMP/ms") sres=$(count <"$TMP/out")
    median_ms "$FNPLAN_RUNS" "$BIN" render "$spec" >"$TMP/ms"
    fms=$(<"$TMP/ms") fres=$(count <"$TMP/out")
    ratio=$(awk -v a="$sms" -v b="$fms" 'BEGIN {printf "%.0fx", a/b}')
    echo "| $n | $sres | $sms | $fres | $fms | $ratio |"
done
