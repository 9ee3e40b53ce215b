# Sourced by .ci/test and .ci/demo: a Python venv (.venv) with cfn-lint and moto[server],
# and a moto server on loopback. Defines functions only; the caller decides what a failure
# means (the demo stops; the tests go on outside CI and report what they skip).
#
#   ensure_venv  create .venv and install cfn-lint and moto[server] into it when missing;
#                sets VENV and exports CFN_LINT. Returns non-zero (with the reason on
#                stderr) when that cannot be done.
#   start_moto   a moto server on a free loopback port; sets MOTO_URL and MOTO_PID and
#                exports NO_PROXY for loopback.
#   stop_moto    stops it (for `trap stop_moto EXIT`).
VENV="${VENV:-$PWD/.venv}"

ensure_venv() {
    if [[ ! -x "$VENV/bin/python" ]]; then
        printf '==> creating %s\n' "$VENV" >&2
        python3 -m venv "$VENV" || {
            printf 'could not create %s with python3 -m venv (is python3-venv installed?)\n' "$VENV" >&2
            return 1
        }
    fi
    if ! "$VENV/bin/python" -c 'import cfnlint, moto.server, flask, flask_cors' >/dev/null 2>&1 \
        || [[ ! -x "$VENV/bin/cfn-lint" || ! -x "$VENV/bin/moto_server" ]]; then
        printf '==> installing cfn-lint and moto[server] into %s\n' "$VENV" >&2
        "$VENV/bin/pip" install --quiet --disable-pip-version-check 'cfn-lint' 'moto[server]' </dev/null || {
            printf 'could not install cfn-lint and moto[server] into %s (no access to PyPI?)\n' "$VENV" >&2
            return 1
        }
    fi
    export CFN_LINT="$VENV/bin/cfn-lint"
}

start_moto() {
    local port
    port="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    MOTO_URL="http://127.0.0.1:$port"
    MOTO_LOG="$(mktemp "${TMPDIR:-/tmp}/fnplan-moto.XXXXXX.log")"
    "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" </dev/null >"$MOTO_LOG" 2>&1 &
    MOTO_PID=$!
    local i
    for i in $(seq 1 300); do
        if curl -sf --noproxy '*' --max-time 2 -o /dev/null "$MOTO_URL/moto-api/"; then
            export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
            return 0
        fi
        if ! kill -0 "$MOTO_PID" 2>/dev/null; then
            printf 'moto_server exited early:\n' >&2
            tail -n 40 "$MOTO_LOG" >&2
            return 1
        fi
        sleep 0.1
    done
    printf 'moto_server did not answer on %s within 30 s\n' "$MOTO_URL" >&2
    return 1
}

stop_moto() {
    if [[ -n "${MOTO_PID:-}" ]] && kill -0 "$MOTO_PID" 2>/dev/null; then
        kill "$MOTO_PID" 2>/dev/null || true
        wait "$MOTO_PID" 2>/dev/null || true
    fi
    if [[ -n "${MOTO_LOG:-}" ]]; then
        rm -f "$MOTO_LOG"
    fi
    return 0
}
