# Shared settings for the project's scripts; sourced, not run.
# Everything is derived from the checkout's path so that two checkouts (a session's work
# tree and CI's fresh clone) never share a PostgreSQL cluster or a database by accident.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_SRC=${ODOO_SRC:-/opt/odoo/18.0}
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python
# The cluster lives under the system temp dir: CI may clone into a folder the `postgres`
# user cannot enter, and initdb refuses to run as root.
_key=$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)
PGDIR=${PGDIR:-${TMPDIR:-/tmp}/sales_order_plus-pg-$_key}
PGPORT=${PGPORT:-$((55000 + _key % 4000))}
PGHOST=$PGDIR/socket
# Odoo's filestore and sessions, per checkout too: two checkouts using the same database
# name must not share (and garbage-collect) each other's attachments.
DATA_DIR=${DATA_DIR:-${TMPDIR:-/tmp}/sales_order_plus-data-$_key}
PGUSER_ODOO=odoo
DB_NAME=${DB_NAME:-sales_order_plus}
HTTP_PORT=${HTTP_PORT:-8069}
# Tests serve HTTP for the browser tours: one port per checkout, so checkouts test side by side.
TEST_HTTP_PORT=${TEST_HTTP_PORT:-$((9000 + _key % 1000))}
ADDONS_PATH=$ROOT,$ODOO_SRC/addons,$ODOO_SRC/odoo/addons
export ROOT ODOO_SRC VENV PY DATA_DIR PGDIR PGPORT PGHOST DB_NAME HTTP_PORT TEST_HTTP_PORT ADDONS_PATH

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pip, without the one warning a local package index prints for every package it does
# not hold: with a `file://` extra-index-url in the machine's pip configuration (e.g.
# file:///opt/pypi-more/simple, missing or holding a few packages), pip writes
# "WARNING: Location 'file:///.../<package>/' is ignored: it is neither a file nor a
# directory." per package and index (about 111 lines in a first `make setup`). Only that
# line is dropped; every other warning, error and pip's exit code stay.
pip_run() {
    "$PY" -m pip "$@" 2> >(grep -v -E "^WARNING: Location 'file://[^']*' is ignored" >&2)
}

odoo_bin() {
    "$PY" "$ODOO_SRC/odoo-bin" --addons-path="$ADDONS_PATH" \
        --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER_ODOO" --db_password=odoo --data-dir="$DATA_DIR" \
        "$@"
}
