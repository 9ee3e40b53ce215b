#!/usr/bin/env bash
# Latency of `fnplan plan` on an unchanged, deployed stack of N generated functions
# (`fnplan synth N`), against a local moto started here on loopback: median wall time of
# RUNS plans, and per phase (from `FNPLAN_TIMINGS=1`, each phase's wall time on stderr).
# Usage: benches/plan-latency.sh [RUNS] [FNPLAN] [N]   (default 9 runs, the release build,
# N=50; give another binary, e.g. one built from an older commit, to compare before/after)
#
# N=50 is 453 resources, the most one stack holds; 100 functions (903 resources) need
# nested stacks (`--split`, add it to ARGS), which moto cannot deploy: it does not pass a
# parent's `Ref` of its own resource as a nested stack parameter ("Missing parameter HttpApi").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source .ci/venv.sh
trap stop_moto EXIT
RUNS="${1:-9}"
FNPLAN="${2:-}"
if [[ -z "$FNPLAN" ]]; then
    cargo build --release --quiet
    FNPLAN="$PWD/target/release/fnplan"
fi
N="${3:-50}"
TMP="$(mktemp -d)"
SPEC="$TMP/fnplan.yaml"
"$FNPLAN" synth "$N" >"$SPEC"
BUCKET=fnplan-bench-artifacts
start_moto
export AWS_ENDPOINT_URL="$MOTO_URL" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE

# The code the synth spec names (s3://synth-artifacts/fI.zip) and the artifact bucket
# (the template is over the inline limit: it goes there).
curl -sf -o /dev/null -X PUT "$MOTO_URL/synth-artifacts"
curl -sf -o /dev/null -X PUT "$MOTO_URL/$BUCKET"
for i in $(seq 0 $((N - 1))); do
    printf 'PK\005\006\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0' | curl -sf -o /dev/null -X PUT --data-binary @- "$MOTO_URL/synth-artifacts/f$i.zip"
done
ARGS=(--stage dev --artifact-bucket "$BUCKET")
"$FNPLAN" apply "$SPEC" "${ARGS[@]}" --auto-approve --progress plain >"$TMP/apply.log" 2>&1 || {
    cat "$TMP/apply.log" >&2
    exit 1
}

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>>"$TIMINGS"; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Median per phase of the `timing: NAME  at START ms  TOOK ms` lines in $1 (older builds
# print none), in the order of the last run.
phases() {
    local name
    sed -n 's/^timing: \(.*[^ ]\)  *at  *[0-9]* ms  *[0-9]* ms$/\1/p' "$1" | awk '!seen[$0]++' | while read -r name; do
        printf '| %s | %s |\n' "$name" "$(sed -n "s/^timing: $name  *at  *[0-9]* ms  *\([0-9]*\) ms$/\1/p" "$1" | median)"
    done
}
# One table: RUNS plans with the extra arguments given.
bench() {
    local label="$1" total=()
    shift
    TIMINGS="$TMP/timings.$RANDOM"
    : >"$TIMINGS"
    for _ in $(seq "$RUNS"); do
        total+=("$(FNPLAN_TIMINGS=1 ms "$FNPLAN" plan "$SPEC" "${ARGS[@]}" "$@")")
    done
    echo
    echo "| $label ($N functions, moto, $RUNS runs) | median ms |"
    echo "|---|---:|"
    echo "| whole process | $(printf '%s\n' "${total[@]}" | median) |"
    phases "$TIMINGS"
}

TIMINGS=/dev/null
"$FNPLAN" plan "$SPEC" "${ARGS[@]}" >/dev/null 2>&1 # warm moto
bench "plan, unchanged stack"
bench "plan --change-set always, unchanged stack" --change-set always
bench "plan --no-drift, unchanged stack" --no-drift
