#!/bin/sh
# Start a local PostgreSQL for the tests, idempotently, and print the environment to use it.
#
#   eval "$(sh scripts/postgres-up.sh)"   # then: .venv/bin/python -m pytest -m postgres
#
# * Installs the Debian package `postgresql` when no server is installed (needs root, as in CI).
# * Uses the Debian cluster of the installed major version (creates it if missing), listening on
#   127.0.0.1 only (and its Unix socket), and starts it.
# * Creates the role and database below (the role may create databases: Django creates test_<name>).
# Progress goes to stderr; stdout carries only the `export` lines.
set -eu

DB_NAME="${DB_NAME:-review_engine}"
DB_USER="${DB_USER:-review_engine}"
DB_PASSWORD="${DB_PASSWORD:-review_engine}"
DB_PORT="${DB_PORT:-5432}"

say() { echo "postgres-up: $*" >&2; }

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    say "installing postgresql"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

VERSION="$(ls /usr/lib/postgresql | sort -n | tail -1)"
CLUSTER=main
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$VERSION $CLUSTER"; then
    say "creating cluster $VERSION/$CLUSTER"
    pg_createcluster "$VERSION" "$CLUSTER" --port "$DB_PORT" >&2
fi
CONF="/etc/postgresql/$VERSION/$CLUSTER/postgresql.conf"
if ! grep -q "^listen_addresses = '127.0.0.1'" "$CONF"; then
    echo "listen_addresses = '127.0.0.1'" >>"$CONF"
fi
PORT="$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $3}')"
if ! pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $4}' | grep -q online; then
    say "starting cluster $VERSION/$CLUSTER on 127.0.0.1:$PORT"
    pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi
i=0
until pg_isready -q -h 127.0.0.1 -p "$PORT"; do
    i=$((i + 1))
    [ "$i" -gt 30 ] && { say "server did not come up"; exit 1; }
    sleep 1
done

psql_admin() { su postgres -c "psql -q -v ON_ERROR_STOP=1 -p $PORT $*" >&2; }
if ! su postgres -c "psql -p $PORT -tAc \"SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'\"" | grep -q 1; then
    say "creating role $DB_USER"
    psql_admin "-c \"CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD'\""
fi
if ! su postgres -c "psql -p $PORT -tAc \"SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'\"" | grep -q 1; then
    say "creating database $DB_NAME"
    psql_admin "-c \"CREATE DATABASE $DB_NAME OWNER $DB_USER\""
fi

cat <<EOF
export DB=postgres
export DB_HOST=127.0.0.1
export DB_PORT=$PORT
export DB_NAME=$DB_NAME
export DB_USER=$DB_USER
export DB_PASSWORD=$DB_PASSWORD
EOF
