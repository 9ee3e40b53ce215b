# Sourced by .ci/run and .ci/demo: a Python venv (.venv) with cfn-lint and moto[server],
# created and filled on first use, reused afterwards. Sets VENV and CFN_LINT.
VENV="${VENV:-$PWD/.venv}"
if [[ ! -x "$VENV/bin/python" ]]; then
    printf '==> creating %s\n' "$VENV" >&2
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import cfnlint, moto.server, flask, flask_cors' >/dev/null 2>&1 \
    || [[ ! -x "$VENV/bin/cfn-lint" || ! -x "$VENV/bin/moto_server" ]]; then
    printf '==> installing cfn-lint and moto[server] into %s\n' "$VENV" >&2
    "$VENV/bin/pip" install --quiet --disable-pip-version-check 'cfn-lint' 'moto[server]' </dev/null
fi
export CFN_LINT="$VENV/bin/cfn-lint"

# start_moto: a moto server on a free loopback port; sets MOTO_URL and MOTO_PID and
# stops it when the script exits.
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
