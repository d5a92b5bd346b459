#!/bin/sh
# Start a local PostgreSQL for the tests, idempotently, and print the environment to use it.
#
#   eval "$(sh scripts/postgres-up.sh)"   # then: .venv/bin/python -m pytest -m "not e2e"
#
# * Installs the Debian package `postgresql` when no server is installed (needs root, as in CI).
# * Uses the Debian cluster of the installed major version (creates it if missing), listening on
#   127.0.0.1 only (and its Unix socket), and starts it.
# * Creates two roles, neither a superuser (docs/compliance.md, "What is guaranteed, against whom"):
#   - the owner ($DB_OWNER): runs migrate, owns the database and every table (and so the append-only
#     triggers), may create databases (Django creates test_<name>);
#   - the application role ($DB_APP_ROLE): what the server connects as. It owns nothing; after every migrate
#     the owner grants it SELECT/INSERT/UPDATE/DELETE on the application's tables but only SELECT/INSERT on the
#     audit events and SELECT/INSERT/UPDATE on the chain head (`manage.py grant_app_role`, run by post_migrate
#     when DB_APP_ROLE is set).
#   Whatever the application role owned before (this script used to make it the owner) goes to the owner.
# Progress goes to stderr; stdout carries only the `export` lines: DB=postgres with DB_*, and the same database
# as DATABASE_URL (which the settings prefer). DB_USER and DATABASE_URL are the owner (migrate, the tests);
# serve as the application role (DB_APP_ROLE, DB_APP_PASSWORD).
set -eu

DB_NAME="${DB_NAME:-review_engine}"
DB_OWNER="${DB_OWNER:-review_engine_owner}"
DB_OWNER_PASSWORD="${DB_OWNER_PASSWORD:-review_engine_owner}"
DB_APP_ROLE="${DB_APP_ROLE:-review_engine}"
DB_APP_PASSWORD="${DB_APP_PASSWORD:-review_engine}"
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
psql_value() { su postgres -c "psql -p $PORT -tAc \"$1\""; }
if [ -z "$(psql_value "SELECT 1 FROM pg_roles WHERE rolname = '$DB_OWNER'")" ]; then
    say "creating the owner role $DB_OWNER"
    psql_admin "-c \"CREATE ROLE $DB_OWNER LOGIN CREATEDB PASSWORD '$DB_OWNER_PASSWORD'\""
fi
if [ -z "$(psql_value "SELECT 1 FROM pg_roles WHERE rolname = '$DB_APP_ROLE'")" ]; then
    say "creating the application role $DB_APP_ROLE"
    psql_admin "-c \"CREATE ROLE $DB_APP_ROLE LOGIN PASSWORD '$DB_APP_PASSWORD'\""
fi
psql_admin "-c \"ALTER ROLE $DB_OWNER NOSUPERUSER NOCREATEROLE CREATEDB\""
psql_admin "-c \"ALTER ROLE $DB_APP_ROLE NOSUPERUSER NOCREATEROLE NOCREATEDB\""
if [ -z "$(psql_value "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]; then
    say "creating database $DB_NAME"
    psql_admin "-c \"CREATE DATABASE $DB_NAME OWNER $DB_OWNER\""
fi
# The application role owns nothing: its tables, and the databases it owns (leftover test databases), go to
# the owner. REASSIGN OWNED works per database (and on the databases themselves, which are shared objects).
OWNED="$(psql_value "SELECT datname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = '$DB_APP_ROLE'")"
for db in $DB_NAME $OWNED; do
    psql_admin "-d $db -c \"REASSIGN OWNED BY $DB_APP_ROLE TO $DB_OWNER\""
done

cat <<EOF
export DB=postgres
export DB_HOST=127.0.0.1
export DB_PORT=$PORT
export DB_NAME=$DB_NAME
export DB_USER=$DB_OWNER
export DB_PASSWORD=$DB_OWNER_PASSWORD
export DB_APP_ROLE=$DB_APP_ROLE
export DB_APP_PASSWORD=$DB_APP_PASSWORD
export DATABASE_URL=postgres://$DB_OWNER:$DB_OWNER_PASSWORD@127.0.0.1:$PORT/$DB_NAME
EOF
