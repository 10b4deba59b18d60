#!/usr/bin/env bash
# A vulnerability scan of a local production-mode instance, as an attacker would run it.
#
#   bench/scan.sh              # about 10 minutes per side, three sides
#   bench/scan.sh 20           # 20 minutes per side
#   SCAN_SIDES="public iro" SCAN_MODULES=http_headers,xss,sql bench/scan.sh 5
#
# - wapiti (pinned, from PyPI) is installed into its own virtualenv ($SCAN_VENV, default
#   .scan-venv), never into the app's lock;
# - bench/scan_target.py serves the demo data from a scratch PostgreSQL database with
#   gunicorn -c gunicorn.conf.py, CONSULT_ENV=production, on 127.0.0.1;
# - three scans, each bounded in time: the public side (the rights pages, asking for help,
#   the short-code page, sign-in, and a child's journey from their link), then signed in
#   as the demo IRO, then as the demo admin;
# - the scope is that one address and port (wapiti's --scope folder on its root), and only
#   modules that need no outside endpoint are loaded (no ssrf, xxe, log4shell, takeover,
#   wapp, nikto); every connect() wapiti makes is traced, and any to an address other than
#   127.0.0.1 is printed and fails the run;
# - it prints wapiti's findings by category, and the server's answers by status with any
#   5xx by path (from gunicorn's access log). Reports stay in $SCAN_OUT (artifacts/scan).
#
# Needs PostgreSQL (TEST_POSTGRES_URL's server, default 127.0.0.1:5432), Redis on
# 127.0.0.1:6379 (database 12), python3.11, strace, and the app's .venv
# (README's test command).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WAPITI_VERSION=3.2.3  # the newest wapiti3 that runs on Python 3.11 (3.3 needs 3.12)
SCAN_VENV=${SCAN_VENV:-$ROOT/.scan-venv}
OUT=${SCAN_OUT:-$ROOT/artifacts/scan}
MINUTES=${1:-10}
POSTGRES_URL=${TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
# Everything that attacks the app itself; nothing that calls out to an endpoint, a DNS
# server or a downloaded database.
# Quick ones first: the time they leave goes to the slow injection modules at the end.
MODULES=${SCAN_MODULES:-http_headers,cookieflags,csp,methods,htaccess,csrf,backup,crlf,redirect,upload,file,exec,xss,permanentxss,sql}
SIDES=${SCAN_SIDES:-public iro admin}

if ! "$SCAN_VENV/bin/wapiti" --version 2>/dev/null | grep -q "Wapiti $WAPITI_VERSION"; then
    echo "Installing wapiti3==$WAPITI_VERSION into $SCAN_VENV"
    python3.11 -m venv "$SCAN_VENV"
    "$SCAN_VENV/bin/pip" install -q --disable-pip-version-check "wapiti3==$WAPITI_VERSION"
fi

rm -rf "$OUT"
mkdir -p "$OUT"
mkfifo "$OUT/stop"
"$ROOT/.venv/bin/python" "$ROOT/bench/scan_target.py" --out "$OUT" \
    --postgres-url "$POSTGRES_URL" < "$OUT/stop" > "$OUT/target.log" 2>&1 &
TARGET_PID=$!
exec 3>"$OUT/stop"
stop_target() {
    exec 3>&- || true
    wait "$TARGET_PID" || true
}
trap stop_target EXIT

for _ in $(seq 300); do
    [ -s "$OUT/target.json" ] && break
    kill -0 "$TARGET_PID" 2>/dev/null || { cat "$OUT/target.log"; exit 1; }
    sleep 1
done
[ -s "$OUT/target.json" ] || { echo "The instance did not start"; cat "$OUT/target.log"; exit 1; }
# A value of the target's JSON by its path of keys, e.g. `field sessions iro` (no eval).
field() { "$ROOT/.venv/bin/python" -c "import functools,json,sys; t=json.load(open('$OUT/target.json')); sys.stdout.write(str(functools.reduce(lambda d, k: d[k], sys.argv[1:], t)))" "$@"; }
BASE=$(field base)
echo "Scanning $BASE for $MINUTES minutes a side"
# Wapiti's own defaults for its out-of-band endpoints are its authors' servers, and it
# looks the DNS one up when it starts whatever the modules: all of them point at the
# instance itself (wapiti checks that the internal one answers).
NOWHERE=$BASE/healthz

# Wapiti's --max-attack-time leaves its own session database locked when it cuts a module
# short (wapiti 3.2.3 then dies without a report), so each module runs on its own, after
# one crawl, under `timeout`: a quarter of the time to crawl, then each module gets the
# time left divided by the modules left (a quick one leaves its time to the next). A
# module cut short loses only its own report, and the summary says so.
wapiti() {
    local name=$1 label=$2 seconds=$3
    shift 3
    local status=0
    timeout --kill-after=10 "$seconds" \
        strace -f -qq --seccomp-bpf -e trace=connect -o "$OUT/$name-$label.connect" \
        "$SCAN_VENV/bin/wapiti" --url "$BASE/" --scope folder --tasks 4 \
        --store-session "$OUT/session-$name" --store-config "$OUT/config" \
        --no-bugreport -v 1 -f json -o "$OUT/$name-$label.json" \
        --endpoint "$NOWHERE" --external-endpoint "$NOWHERE" --internal-endpoint "$NOWHERE" \
        --dns-endpoint 127.0.0.1 -x "$BASE/staff/sign-out" "$@" \
        > "$OUT/$name-$label.log" 2>&1 || status=$?
    [ "$status" -eq 124 ] && echo "$name: $label ran out of time (no report)"
    [ "$status" -ne 0 ] && [ "$status" -ne 124 ] && echo "$name: $label exited with $status"
    return 0
}

scan() {
    local name=$1
    shift
    local budget=$((MINUTES * 60)) started=$SECONDS
    local crawl=$((budget / 4))
    # The crawl, with the quickest module (headers) so that wapiti has one to run.
    wapiti "$name" crawl $((crawl + 60)) --flush-session --max-scan-time "$crawl" \
        -m http_headers "$@"
    local modules=(${MODULES//,/ })
    local left=${#modules[@]}
    for module in "${modules[@]}"; do
        [ "$module" = http_headers ] && { left=$((left - 1)); continue; }
        local remaining=$((budget - (SECONDS - started)))
        local share=$((remaining / left))
        [ "$share" -lt 45 ] && share=45
        wapiti "$name" "$module" "$share" --skip-crawl -m "$module" "$@"
        left=$((left - 1))
    done
}

for side in $SIDES; do
    case $side in
        public) scan public -s "$BASE/your-rights" -s "$BASE/ask-for-help" -s "$BASE/help-now" \
            -s "$BASE/code" -s "$BASE/staff/sign-in" -s "$(field child_link)" ;;
        iro) scan iro -C "$(field sessions iro)" -s "$BASE/staff/" \
            -s "$BASE/staff/requests" -s "$BASE/staff/reports/" ;;
        admin) scan admin -C "$(field sessions admin)" -s "$BASE/staff/" \
            -s "$BASE/staff/admin/users" -s "$BASE/staff/admin/audit" -s "$BASE/staff/council" ;;
    esac
done

stop_target
trap - EXIT
"$ROOT/.venv/bin/python" "$ROOT/bench/scan_report.py" "$OUT" $SIDES
