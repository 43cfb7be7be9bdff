#!/usr/bin/env bash
# `make load` / `make concurrency`: a throwaway database with the add-on (no demo data),
# then scripts/load.py (or the script given as $1) against Odoo with --workers=2 on
# loopback. ORDERS=500 CLIENTS=4 size the load (Locust users), RUN_TIME=600 bounds it
# in seconds; KEEP_DB=1 keeps the database; SKIP_SETUP=1 skips scripts/setup.sh.
source "$(dirname "$0")/env.sh"

SCRIPT=${1:-load.py}
DB=${RPC_DB:-sop_rpc_$$}
LOG_DIR=$ROOT/var/log
mkdir -p "$LOG_DIR"
LOG=$LOG_DIR/${SCRIPT%.py}-$(date +%Y%m%d-%H%M%S).log

[ -n "${SKIP_SETUP:-}" ] || bash "$ROOT/scripts/setup.sh"
bash "$ROOT/scripts/pg.sh" start
dropdb -h "$PGHOST" -p "$PGPORT" -U odoo --if-exists "$DB"
cleanup() {
    [ -n "${KEEP_DB:-}" ] || dropdb -h "$PGHOST" -p "$PGPORT" -U odoo --if-exists "$DB" \
        >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== database $DB with sales_order_plus, no demo data (log: ${LOG#"$ROOT"/})"
odoo_bin -d "$DB" -i sales_order_plus --without-demo=all --stop-after-init \
    --max-cron-threads=0 --log-level=warn --logfile="$LOG.install"
export PY
LOAD_LOG=$LOG "$PY" "$ROOT/scripts/$SCRIPT" "$DB" "${@:2}"
