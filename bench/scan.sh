#!/usr/bin/env bash
# A vulnerability scan of a local production-mode instance, as an attacker would run it.
#
#   bench/scan.sh              # about 4 minutes per side, three sides
#   bench/scan.sh 10           # 10 minutes per side
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
MINUTES=${1:-4}
POSTGRES_URL=${TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
# Everything that attacks the app itself; nothing that calls out to an endpoint, a DNS
# server or a downloaded database.
MODULES=backup,cookieflags,crlf,csp,csrf,exec,file,htaccess,http_headers,methods,permanentxss,redirect,sql,upload,xss

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

for _ in $(seq 120); do
    [ -s "$OUT/target.json" ] && break
    kill -0 "$TARGET_PID" 2>/dev/null || { cat "$OUT/target.log"; exit 1; }
    sleep 1
done
[ -s "$OUT/target.json" ] || { echo "The instance did not start"; cat "$OUT/target.log"; exit 1; }
field() { "$ROOT/.venv/bin/python" -c "import json,sys; t=json.load(open('$OUT/target.json')); print(eval(sys.argv[1]))" "$1"; }
BASE=$(field 't["base"]')
echo "Scanning $BASE for $MINUTES minutes a side"
# Wapiti's own defaults for its out-of-band endpoints are its authors' servers, and it
# looks the DNS one up when it starts whatever the modules: all of them point at the
# instance itself (wapiti checks that the internal one answers).
NOWHERE=$BASE/healthz

# A quarter of the time to crawl, the rest shared by the attack modules (wapiti bounds
# each part); `timeout` ends it all a minute after that whatever happens.
scan() {
    local name=$1
    shift
    local seconds=$((MINUTES * 60))
    local modules
    modules=$(echo "$MODULES" | tr ',' '\n' | wc -l)
    timeout --kill-after=30 $((seconds + 60)) \
        strace -f -qq -e trace=connect -o "$OUT/$name.connect" \
        "$SCAN_VENV/bin/wapiti" --url "$BASE/" --scope folder -m "$MODULES" \
        --max-scan-time $((seconds / 4)) --max-attack-time $((seconds * 3 / 4 / modules)) \
        --tasks 4 --flush-session --store-session "$OUT/session-$name" \
        --store-config "$OUT/config" --no-bugreport -v 1 -f json -o "$OUT/$name.json" \
        --endpoint "$NOWHERE" --external-endpoint "$NOWHERE" --internal-endpoint "$NOWHERE" \
        --dns-endpoint 127.0.0.1 \
        -x "$BASE/staff/sign-out" "$@" > "$OUT/$name.log" 2>&1 || echo "wapiti ($name) exited with $?"
}

scan public -s "$BASE/your-rights" -s "$BASE/ask-for-help" -s "$BASE/help-now" \
    -s "$BASE/code" -s "$BASE/staff/sign-in" -s "$(field 't["child_link"]')"
scan iro -C "$(field 't["sessions"]["iro"]')" -s "$BASE/staff/" -s "$BASE/staff/requests" \
    -s "$BASE/staff/reports/"
scan admin -C "$(field 't["sessions"]["admin"]')" -s "$BASE/staff/" \
    -s "$BASE/staff/admin/users" -s "$BASE/staff/admin/audit" -s "$BASE/staff/council"

stop_target
trap - EXIT
"$ROOT/.venv/bin/python" "$ROOT/bench/scan_report.py" "$OUT" public iro admin
