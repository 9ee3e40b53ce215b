#!/usr/bin/env bash
# Wall time of fnplan's plan and apply on examples/orders against a local moto (started
# here on loopback), and of `aws cloudformation deploy` on the same packaged template.
# Usage: benches/deploy.sh [RUNS]   (default 5; needs .venv from .ci/run plus `pip install awscli`)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source .ci/venv.sh
trap stop_moto EXIT
RUNS="${1:-5}"
cargo build --release --quiet
FNPLAN="$PWD/target/release/fnplan"
AWS="$VENV/bin/aws"
[[ -x "$AWS" ]] || "$VENV/bin/pip" install --quiet awscli
SPEC=examples/orders/fnplan.yaml
BUCKET=fnplan-bench-artifacts
TMP="$(mktemp -d)"
start_moto
export AWS_ENDPOINT_URL="$MOTO_URL" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE

reset() {
    curl -sf -o /dev/null -X POST "$MOTO_URL/moto-api/reset"
    "$FNPLAN" bootstrap "$SPEC" --stage prod --artifact-bucket "$BUCKET" >/dev/null 2>&1
    curl -sf -o /dev/null -X PUT "$MOTO_URL/orders-artifacts"
    printf 'PK\005\006\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0' | curl -sf -o /dev/null -X PUT --data-binary @- "$MOTO_URL/orders-artifacts/reports.zip"
}
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Warm moto's CloudFormation (its first call takes ~2 s).
reset; "$FNPLAN" plan "$SPEC" --stage prod --artifact-bucket "$BUCKET" >/dev/null 2>&1 || true

plan_missing=(); apply=(); plan_same=(); cli=()
for _ in $(seq "$RUNS"); do
    reset
    plan_missing+=("$(ms "$FNPLAN" plan "$SPEC" --stage prod --artifact-bucket "$BUCKET")")
    apply+=("$(ms "$FNPLAN" apply "$SPEC" --stage prod --artifact-bucket "$BUCKET" --auto-approve --progress plain)")
    plan_same+=("$(ms "$FNPLAN" plan "$SPEC" --stage prod --artifact-bucket "$BUCKET")")
    # The same template and code through the AWS CLI (package output; code already uploaded).
    reset
    "$FNPLAN" package "$SPEC" --stage prod --artifact-bucket "$BUCKET" --out "$TMP/pkg" >/dev/null 2>&1
    "$FNPLAN" apply "$SPEC" --stage prod --artifact-bucket "$BUCKET" --auto-approve >/dev/null 2>&1 # uploads the zips
    "$FNPLAN" destroy "$SPEC" --stage prod --auto-approve >/dev/null 2>&1
    cli+=("$(ms "$AWS" cloudformation deploy --stack-name orders-prod --template-file "$TMP/pkg/orders-prod.json" --capabilities CAPABILITY_IAM --parameter-overrides ArtifactBucket="$BUCKET")")
done
echo "| step (examples/orders, stage prod, 54 resources, moto) | median ms of $RUNS |"
echo "|---|---:|"
echo "| fnplan plan, stack missing | $(printf '%s\n' "${plan_missing[@]}" | median) |"
echo "| fnplan apply --auto-approve (create, incl. change set and upload check) | $(printf '%s\n' "${apply[@]}" | median) |"
echo "| fnplan plan, no changes (templates equal: no change set needed) | $(printf '%s\n' "${plan_same[@]}" | median) |"
echo "| aws cloudformation deploy (create, same template) | $(printf '%s\n' "${cli[@]}" | median) |"
