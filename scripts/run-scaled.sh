#!/bin/bash
# The scaled mode on one machine (README, "Scaled mode"): every piece of a multi-server deployment, on loopback.
#
#   make run-scaled          # or: bash scripts/run-scaled.sh; Ctrl-C stops everything it started
#
#   PostgreSQL  scripts/postgres-up.sh (started if down, stopped again on exit if this script started it)
#   Redis       redis-server on 127.0.0.1:$REDIS_PORT, the Celery broker (nothing persisted: the messages
#               themselves are outbox rows in PostgreSQL, re-queued by the worker if the broker loses them)
#   Celery      one worker with the beat schedule: `celery -A config worker -B`
#   gunicorn    two instances (gunicorn.conf.py) on 127.0.0.1:$BACKEND1_PORT and 127.0.0.1:$BACKEND2_PORT
#   haproxy     one address, http://127.0.0.1:$PROXY_PORT, least connections over both, each checked on /healthz
#
# Settings for a small machine (2 cores, the database on the same machine; README, "Scaled mode"):
#   * gunicorn: $GUNICORN_WORKERS processes x $GUNICORN_THREADS threads per instance (gthread). Processes give
#     the cores (the GIL keeps one process to one core's worth of Python); threads let a worker serve another
#     request while one waits on PostgreSQL or on a login's password hash (PBKDF2 releases the GIL), so a slow
#     page or a burst of logins no longer holds a whole worker. 2 x 4 per instance: 16 requests served at once
#     on 2 cores, more would only share the same CPU thinner and hold more connections.
#   * `--max-requests` 1000 with a jitter of up to 100 (gunicorn.conf.py): each worker is replaced after about a
#     thousand requests, at different moments, so a slow leak is bounded and the workers never restart together.
#   * Persistent database connections (DB_CONN_MAX_AGE, default 60 s here): a request no longer pays a new
#     PostgreSQL connection (authentication included); one per thread, 16 per instance, 32 in all.
#   * Server-side prepared statements (DB_PREPARE_THRESHOLD, default 5 here): a statement a connection has run
#     five times is prepared once and afterwards only executed, so PostgreSQL stops parsing and planning the
#     same SQL on every request; it pays off with the persistent connections above. The whole suite passes with
#     it on (`DB_PREPARE_THRESHOLD=5 make test-postgres`); bench/README.md has the transition with and without.
#   * Keep-alive: haproxy keeps the clients' connections open (`timeout http-keep-alive 10s`) and opens a fresh
#     one to gunicorn for each request (`option http-server-close`): on loopback that costs a fraction of a
#     millisecond, and it avoids reusing a connection gunicorn is closing (its keep-alive is 5 s), which would
#     fail a request.
#   * haproxy sends each backend at most what it can serve at once (`maxconn` = workers x threads) and queues the
#     rest itself (`timeout queue 30s`, then 503): a queued request goes to whichever backend frees a thread
#     first, instead of waiting in one gunicorn's backlog behind a slow page. `timeout server 90s` outlasts
#     gunicorn's own 60 s limit; health checks every 3 s with a 10 s timeout (a busy backend answers late, not
#     never), down after 3 misses, a retry on another server when a connection fails (`option redispatch`).
#
# haproxy rather than nginx: one foreground process from one file, and active health checks (nginx's open-source
# build only notices a dead backend when a request fails on it). Plain http on loopback: a TLS proxy goes in
# front in production. The database is migrated as the owner role (which grants the application role its
# rights) and the demo is loaded (`seed_demo`, idempotent; refused on a database holding other data); the
# servers and the worker connect as the application role. Generated files (proxy and Redis configuration, keys,
# logs, beat schedule) go under $SCALED_DIR (default .scaled/, ignored by git). Debian packages are installed
# when missing (needs root).
#
# Environment (defaults): PROXY_PORT 8080, BACKEND1_PORT 8001, BACKEND2_PORT 8002, REDIS_PORT 6390,
# DB_NAME review_engine, SCALED_DIR .scaled, GUNICORN_WORKERS 2, GUNICORN_THREADS 4, DB_CONN_MAX_AGE 60,
# DB_PREPARE_THRESHOLD 5,
# HAPROXY_QUEUE_TIMEOUT 30s, CELERY_CONCURRENCY 2, PYTHON .venv/bin/python,
# SCALED_DEMO true (false: serve the database as it is, e.g. one loaded by `manage.py seed_load`; `make bench`).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PROXY_PORT="${PROXY_PORT:-8080}"
BACKEND1_PORT="${BACKEND1_PORT:-8001}"
BACKEND2_PORT="${BACKEND2_PORT:-8002}"
REDIS_PORT="${REDIS_PORT:-6390}"
SCALED_DIR="$(mkdir -p "${SCALED_DIR:-$ROOT/.scaled}" && cd "${SCALED_DIR:-$ROOT/.scaled}" && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
BIN="$(dirname "$PYTHON")"
export GUNICORN_WORKERS="${GUNICORN_WORKERS:-2}"
export GUNICORN_THREADS="${GUNICORN_THREADS:-4}"
BACKEND_MAXCONN=$((GUNICORN_WORKERS * GUNICORN_THREADS))
HAPROXY_QUEUE_TIMEOUT="${HAPROXY_QUEUE_TIMEOUT:-30s}"
CELERY_CONCURRENCY="${CELERY_CONCURRENCY:-2}"

say() { echo "run-scaled: $*" >&2; }

apt_ensure() { # command-or-test, package
    if ! eval "$1" >/dev/null 2>&1; then
        say "installing $2"
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
    fi
}
apt_ensure "command -v redis-server" redis-server
apt_ensure "command -v haproxy" haproxy

PIDS=()
STARTED_POSTGRES=""
stop() {
    trap - INT TERM EXIT
    say "stopping"
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ -n "$STARTED_POSTGRES" ]; then
        say "stopping PostgreSQL $STARTED_POSTGRES (this script started it)"
        pg_ctlcluster $STARTED_POSTGRES stop || true
    fi
    say "stopped"
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

# --- PostgreSQL -------------------------------------------------------------------------------------------------
WAS_ONLINE="$(pg_lsclusters -h 2>/dev/null | awk '$4 == "online" {print $1" "$2}' | head -1 || true)"
eval "$(DB_NAME="${DB_NAME:-review_engine}" sh scripts/postgres-up.sh)"
if [ -z "$WAS_ONLINE" ]; then
    STARTED_POSTGRES="$(pg_lsclusters -h | awk '$4 == "online" {print $1" "$2}' | head -1)"
fi
OWNER_URL="postgres://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT/$DB_NAME"
APP_URL="postgres://$DB_APP_ROLE:$DB_APP_PASSWORD@$DB_HOST:$DB_PORT/$DB_NAME"

# --- Keys, generated once: every process signs and chains with the same ones -----------------------------------
umask 077
[ -s "$SCALED_DIR/secret-key" ] || "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$SCALED_DIR/secret-key"
[ -s "$SCALED_DIR/audit-hmac-key" ] || "$PYTHON" -c 'import secrets; print(secrets.token_hex(32))' >"$SCALED_DIR/audit-hmac-key"
umask 022

export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY_FILE="$SCALED_DIR/secret-key"
export AUDIT_HMAC_KEY_FILE="$SCALED_DIR/audit-hmac-key"
export AUDIT_ANCHOR_FILE="$SCALED_DIR/audit-anchors.jsonl"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export SITE_URL="http://127.0.0.1:$PROXY_PORT"
export PRIVATE_MEDIA_ROOT="${PRIVATE_MEDIA_ROOT:-$SCALED_DIR/private-media}"
export STATIC_ROOT="${STATIC_ROOT:-$ROOT/staticfiles}"
# Plain http on loopback, as `make run`: no https redirect, no secure-only cookies, no HSTS. The proxy appends
# the client's address to X-Forwarded-For (login throttling counts per address).
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0
export TRUST_X_FORWARDED_PROTO=false TRUST_X_FORWARDED_FOR=true

# --- The database and the static files --------------------------------------------------------------------------
say "migrating $DB_NAME (as $DB_USER)"
DATABASE_URL="$OWNER_URL" "$PYTHON" manage.py migrate --no-input -v 0
if [ "${SCALED_DEMO:-true}" = true ]; then
    DATABASE_URL="$OWNER_URL" "$PYTHON" manage.py seed_demo >&2
fi
"$PYTHON" manage.py collectstatic --no-input -v 0 2>"$SCALED_DIR/collectstatic.log"
export DATABASE_URL="$APP_URL"
export DB_CONN_MAX_AGE="${DB_CONN_MAX_AGE:-60}"
export DB_PREPARE_THRESHOLD="${DB_PREPARE_THRESHOLD:-5}"
unset DB_USER DB_PASSWORD
# From here on background work goes through Redis to the worker (the demo above was loaded inline).
export CELERY_BROKER_URL="redis://127.0.0.1:$REDIS_PORT/0"

# --- Redis ------------------------------------------------------------------------------------------------------
say "starting Redis on 127.0.0.1:$REDIS_PORT"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes --save "" --appendonly no \
    --dir "$SCALED_DIR" --logfile "$SCALED_DIR/redis.log" --daemonize no &
PIDS+=($!)

# --- One Celery worker, with beat -------------------------------------------------------------------------------
say "starting the Celery worker (with beat)"
"$BIN/celery" -A config worker -B --concurrency "$CELERY_CONCURRENCY" --loglevel INFO \
    --schedule "$SCALED_DIR/celerybeat-schedule" --hostname "worker@%h" >"$SCALED_DIR/celery.log" 2>&1 &
PIDS+=($!)

# --- Two gunicorn instances -------------------------------------------------------------------------------------
for port in "$BACKEND1_PORT" "$BACKEND2_PORT"; do
    say "starting gunicorn on 127.0.0.1:$port"
    GUNICORN_BIND="127.0.0.1:$port" "$BIN/gunicorn" -c gunicorn.conf.py >"$SCALED_DIR/gunicorn-$port.log" 2>&1 &
    PIDS+=($!)
done

# --- haproxy in front -------------------------------------------------------------------------------------------
cat >"$SCALED_DIR/haproxy.cfg" <<EOF
# Generated by scripts/run-scaled.sh; rewritten at every start.
global
    maxconn 1000
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    # Longer than gunicorn's own limit (GUNICORN_TIMEOUT, 60 s): gunicorn ends a stuck request first.
    timeout server 90s
    # Requests beyond what the gunicorn workers can take wait here (maxconn per server), not in their backlogs;
    # past this they are refused (503) rather than left waiting.
    timeout queue $HAPROXY_QUEUE_TIMEOUT
    # A busy backend answers its health check late, not never.
    timeout check 10s
    # Clients keep their connection between requests (a browser, locust); each request gets a fresh connection to
    # gunicorn (loopback, cheap), never one gunicorn is closing.
    timeout http-keep-alive 10s
    option forwardfor
    option http-server-close
    option redispatch
    retries 2
frontend web
    bind 127.0.0.1:$PROXY_PORT
    default_backend gunicorns
backend gunicorns
    balance leastconn
    option httpchk GET /healthz
    http-check send hdr Host 127.0.0.1
    http-check expect status 200
    # maxconn: what one instance serves at once (workers x threads); the rest waits in haproxy's queue.
    server app1 127.0.0.1:$BACKEND1_PORT check inter 3s fall 3 rise 1 maxconn $BACKEND_MAXCONN
    server app2 127.0.0.1:$BACKEND2_PORT check inter 3s fall 3 rise 1 maxconn $BACKEND_MAXCONN
EOF
haproxy -c -q -f "$SCALED_DIR/haproxy.cfg"
say "starting haproxy on 127.0.0.1:$PROXY_PORT"
haproxy -db -f "$SCALED_DIR/haproxy.cfg" >"$SCALED_DIR/haproxy.log" 2>&1 &
PIDS+=($!)

# --- Ready when both backends and the proxy answer /healthz -----------------------------------------------------
for url in "http://127.0.0.1:$BACKEND1_PORT/healthz" "http://127.0.0.1:$BACKEND2_PORT/healthz" \
    "http://127.0.0.1:$PROXY_PORT/healthz"; do
    for i in $(seq 1 90); do
        if "$PYTHON" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$url" 2>/dev/null; then
            break
        fi
        [ "$i" -eq 90 ] && { say "$url did not answer; logs in $SCALED_DIR"; exit 1; }
        sleep 1
    done
done
say "ready"
echo "Serving http://127.0.0.1:$PROXY_PORT (haproxy over gunicorn :$BACKEND1_PORT and :$BACKEND2_PORT; logs in $SCALED_DIR). Ctrl-C stops."
# Until Ctrl-C, or until one of the pieces exits (then everything stops).
wait -n "${PIDS[@]}" || true
say "a process exited; see the logs in $SCALED_DIR"
exit 1
