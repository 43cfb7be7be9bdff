#!/usr/bin/env bash
# Install / upgrade / uninstall check (`make lifecycle`, also run by `make test`):
# a throwaway database with sales, stock, dropshipping and OCA sale_order_type but
# without the add-on gets confirmed orders, deliveries (full and partial), invoices, a
# payment and a credit note; the add-on is installed, updated twice and uninstalled, and
# the figures, types and Odoo's standard flows are checked after each step
# (scripts/lifecycle_check.py). Prints PASS or FAIL; exit code 1 on failure.
source "$(dirname "$0")/env.sh"

DB=${LIFECYCLE_DB:-sop_lifecycle_$$}
BASE_MODULES=sale_management,sale_stock,stock_dropshipping,sale_order_type
LOG_DIR=$ROOT/var/log
mkdir -p "$LOG_DIR"
LOG=$LOG_DIR/lifecycle-$(date +%Y%m%d-%H%M%S).log
STATE=$(mktemp "${TMPDIR:-/tmp}/sop-lifecycle-XXXXXX.json")

[ -n "${SKIP_SETUP:-}" ] || bash "$ROOT/scripts/setup.sh"
bash "$ROOT/scripts/pg.sh" start
dropdb -h "$PGHOST" -p "$PGPORT" -U odoo --if-exists "$DB"
cleanup() {
    rm -f "$STATE"
    [ -n "${KEEP_DB:-}" ] || dropdb -h "$PGHOST" -p "$PGPORT" -U odoo --if-exists "$DB" \
        >/dev/null 2>&1 || true
}
trap cleanup EXIT

opts=(--addons-path="$ADDONS_PATH" --db_host="$PGHOST" --db_port="$PGPORT" --db_user=odoo
      --db_password=odoo -d "$DB" --log-level=warn --max-cron-threads=0 --logfile="$LOG")
start=$(date +%s)
failed=""
run() {  # run <label> <command...>: stops at the first failure
    [ -z "$failed" ] || return 0
    echo "== lifecycle: $1"
    shift
    if ! "$@" >>"$LOG.out" 2>&1; then
        failed=1
        tail -n 30 "$LOG.out" | sed 's/^/   /'
    fi
}
odoo_step() { "$PY" "$ROOT/scripts/lifecycle_check.py" "${opts[@]}" -- "$1" "$STATE"; }
odoo_update() {
    odoo_bin -d "$DB" --log-level=warn --max-cron-threads=0 --logfile="$LOG" "$@" \
        --stop-after-init
}

if [ -n "${LIFECYCLE_TEMPLATE:-}" ]; then
    # Development shortcut: a copy of a database made by an earlier first step.
    run "database copied from $LIFECYCLE_TEMPLATE" \
        createdb -h "$PGHOST" -p "$PGPORT" -U odoo -T "$LIFECYCLE_TEMPLATE" "$DB"
else
    run "database with $BASE_MODULES, demo data, no add-on" odoo_update -i "$BASE_MODULES"
fi
run "orders, deliveries, invoices, payment, credit note" odoo_step setup
run "install sales_order_plus" odoo_update -i sales_order_plus
run "check types and figures after install" odoo_step check
run "update sales_order_plus (1)" odoo_update -u sales_order_plus
run "update sales_order_plus (2)" odoo_update -u sales_order_plus
run "check types and figures after two updates" odoo_step check
run "orders of the add-on's types" odoo_step post
run "uninstall sales_order_plus" odoo_step uninstall
run "standard flow and pending deliveries after uninstall" odoo_step flow
grep -h -E '^[^ ]+ [^ ]+ [0-9]+ (ERROR|CRITICAL) ' "$LOG" "$LOG.out" 2>/dev/null \
    | cut -c1-300 | sed 's/^/   /' | head -20 | grep . && failed=1
grep -h -E '^(setup|check|post|uninstall|flow):' "$LOG.out" | sed 's/^/   /' || true

elapsed=$(( $(date +%s) - start ))
if [ -n "$failed" ]; then
    echo "lifecycle: FAIL in ${elapsed}s (log: ${LOG#"$ROOT"/}, ${LOG#"$ROOT"/}.out)"
    exit 1
fi
echo "lifecycle: PASS in ${elapsed}s"
