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
# - the signed-in crawls leave out the staff side's `lang` links and all but three of the
#   4,212 voice-clip pages, and the attacks get one request per route, method and set of
#   parameter names (bench/scan_prune.py says what exactly, and why it is still covered);
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
# Quick ones first: the time they leave goes to the slow injection modules at the end,
# file and exec last (76 and 70 requests per parameter; sql 25; xss one, and more only
# where that one comes back in the page).
# permanentxss runs with xss, in the same wapiti (it needs xss's taints: run alone, wapiti
# 3.2.3 prints "Missing dependencies for module permanentxss: xss" and attacks nothing).
MODULES=${SCAN_MODULES:-http_headers,cookieflags,csp,methods,htaccess,csrf,backup,crlf,redirect,upload,sql,xss,permanentxss,file,exec}
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
# The instance listens on 127.0.0.1, and wapiti is given it as `localhost` (/etc/hosts, no
# DNS): wapiti 3.2.3's backup module makes a page's backup names by replacing the page's
# file name everywhere in the whole address, so for /staff/children/1 it asked for
# http://1.bak27.0.0.1.bak:port/staff/children/1.bak, a name the resolver was asked for
# (the third run's lookups). With `localhost` a number replaced in the address lands in
# the port, which is then no port at all, and no request is made.
local_name() { sed 's#^http://127\.0\.0\.1:#http://localhost:#'; }
BASE=$(field base | local_name)
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
        strace -f -qq --seccomp-bpf -e trace=connect,sendto,sendmsg,sendmmsg -s 96 -x \
        -o "$OUT/$name-$label.connect" \
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
    # One of each route's forms and query strings is left for the attacks (see
    # bench/scan_prune.py): the list of what was kept, and for how many, is in $name-pruned.txt.
    if [ "$name" != public ]; then
        "$ROOT/.venv/bin/python" "$ROOT/bench/scan_prune.py" "$OUT/session-$name" \
            "$OUT/target.json" > "$OUT/$name-pruned.txt"
        echo "$name: $(tail -n 1 "$OUT/$name-pruned.txt")"
    fi
    local modules=(${MODULES//,/ })
    local left=${#modules[@]}
    local with_xss=""
    [[ ",$MODULES," == *,xss,* && ",$MODULES," == *,permanentxss,* ]] && with_xss=yes
    for module in "${modules[@]}"; do
        [ "$module" = http_headers ] && { left=$((left - 1)); continue; }
        [ "$module" = permanentxss ] && [ -n "$with_xss" ] && continue
        local remaining=$((budget - (SECONDS - started)))
        local share=$((remaining / left))
        [ "$share" -lt 45 ] && share=45
        if [ "$module" = xss ] && [ -n "$with_xss" ]; then
            share=$((share * 2))
            wapiti "$name" xss+permanentxss "$share" --skip-crawl -m xss,permanentxss "$@"
            left=$((left - 2))
        else
            wapiti "$name" "$module" "$share" --skip-crawl -m "$module" "$@"
            left=$((left - 1))
        fi
    done
}

# The signed-in sides leave alone the staff side's `lang` links (the staff side never reads
# it; the public side's scan attacks it) and the voice-clip pages but one language's first
# slot of each child form (a page and a form for each of 324 slots in 13 languages, one
# view): bench/scan_prune.py says why each is still covered.
SIGNED_IN_EXCLUSIONS=()
while IFS= read -r pattern; do
    SIGNED_IN_EXCLUSIONS+=(-x "$pattern")
done < <("$ROOT/.venv/bin/python" "$ROOT/bench/scan_prune.py" --exclusions "$OUT/target.json" \
    | local_name)

for side in $SIDES; do
    case $side in
        public) scan public -s "$BASE/your-rights" -s "$BASE/ask-for-help" -s "$BASE/help-now" \
            -s "$BASE/code" -s "$BASE/staff/sign-in" -s "$(field child_link | local_name)" ;;
        iro) scan iro -C "$(field sessions iro)" "${SIGNED_IN_EXCLUSIONS[@]}" -s "$BASE/staff/" \
            -s "$BASE/staff/requests" -s "$BASE/staff/reports/" ;;
        admin) scan admin -C "$(field sessions admin)" "${SIGNED_IN_EXCLUSIONS[@]}" \
            -s "$BASE/staff/" -s "$BASE/staff/admin/users" -s "$BASE/staff/admin/audit" \
            -s "$BASE/staff/council" ;;
    esac
done

stop_target
trap - EXIT
"$ROOT/.venv/bin/python" "$ROOT/bench/scan_report.py" "$OUT" $SIDES
