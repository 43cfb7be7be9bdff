#!/usr/bin/env bash
# `make test-compat`: Odoo's own suites of the modules that often sit beside the add-on
# (sale_mrp, stock_delivery, sale_stock_margin, purchase_stock) with the add-on and its
# glue add-ons (every sales_order_plus_* folder of this repository, e.g.
# sales_order_plus_sale_mrp) installed in one database, plus the glue add-ons' own tests.
#
# Two steps, so that every suite runs with everything installed (in one `-i`, Odoo would
# run a module's at_install tests before the add-on that depends on it is there):
#   1. a throwaway database with demo data and all the modules (no tests);
#   2. `-u` of the tested modules with --test-enable: their at_install tests, then the
#      post_install ones.
# The last line is "N passed, N failed"; the exit code is non-zero on any failed or
# erroring test, any ERROR/CRITICAL log line, any module left uninstalled and any
# WARNING that names one of this repository's add-ons (e.g. two fields of a model
# with the same label), counted as one more test.
#
#   scripts/test_compat.sh
#   COMPAT_MODULES=sale_mrp TEST_TAGS=/sale_mrp scripts/test_compat.sh   # narrower
source "$(dirname "$0")/env.sh"

COMPAT_MODULES=${COMPAT_MODULES:-sale_mrp,stock_delivery,sale_stock_margin,purchase_stock}
# The glue add-ons: their dependencies are among the modules above (auto_install).
GLUE=$(cd "$ROOT" && for m in sales_order_plus_*/__manifest__.py; do
    [ -e "$m" ] && dirname "$m"; done | paste -sd, -)
TESTED=$COMPAT_MODULES${GLUE:+,$GLUE}
MODULES=sales_order_plus,$TESTED
TEST_TAGS=${TEST_TAGS:-$(printf '/%s,' ${TESTED//,/ } | sed 's/,$//')}
DB=${TEST_DB:-sop_compat_$$}
LOG_DIR=$ROOT/var/log
mkdir -p "$LOG_DIR"
stamp=$(date +%Y%m%d-%H%M%S)
LOG=$LOG_DIR/compat-$stamp.log
INSTALL_LOG=$LOG_DIR/compat-install-$stamp.log

[ -n "${SKIP_SETUP:-}" ] || bash "$ROOT/scripts/setup.sh"
bash "$ROOT/scripts/pg.sh" start
dropdb -h "$PGHOST" -p "$PGPORT" -U odoo --if-exists "$DB"
cleanup() {
    dropdb -h "$PGHOST" -p "$PGPORT" -U odoo --if-exists "$DB" >/dev/null 2>&1 || true
    rm -rf "$DATA_DIR/filestore/$DB"
}
[ -n "${KEEP_DB:-}" ] || trap cleanup EXIT

start=$(date +%s)
echo "== Installing $MODULES in database $DB (log: ${INSTALL_LOG#"$ROOT"/})"
odoo_bin -d "$DB" -i "$MODULES" --stop-after-init --max-cron-threads=0 \
    --log-level=warn >"$INSTALL_LOG" 2>&1 \
    || { tail -40 "$INSTALL_LOG"; echo "FAIL: the install failed"; echo "0 passed, 1 failed"; exit 1; }
missing=$(psql -h "$PGHOST" -p "$PGPORT" -U odoo -d "$DB" -tAc \
    "SELECT string_agg(m, ',') FROM unnest(string_to_array('$MODULES', ',')) AS m
     WHERE m NOT IN (SELECT name FROM ir_module_module WHERE state = 'installed')")
if [ -n "$missing" ]; then
    echo "FAIL: not installed: $missing (a glue add-on whose dependencies are not listed?)"
    echo "0 passed, 1 failed"
    exit 1
fi

echo "== Testing [$TEST_TAGS] in database $DB (log: ${LOG#"$ROOT"/})"
set +e
odoo_bin -d "$DB" -u "$TESTED" --test-enable --test-tags "$TEST_TAGS" \
    --stop-after-init --http-port="$TEST_HTTP_PORT" --log-level=test \
    --max-cron-threads=0 >"$LOG" 2>&1
rc=$?
set -e
elapsed=$(( $(date +%s) - start ))
grep -E ' (WARNING|ERROR|CRITICAL) |odoo\.tests\.(result|stats)|: skipped ' "$LOG" \
    | grep -v -E 'odoo.tests.stats: .* tests [0-9.]+s' | cut -c1-400 || true
echo "== install + tests: ${elapsed}s"
# Odoo's warnings about our add-ons beside the others (a label clash, a field
# redefined differently) hurt nobody's tests but the user's screens.
ours=$(grep -h -E ' WARNING .*sales_order_plus' "$INSTALL_LOG" "$LOG" | cut -c1-400 || true)
warnings=0
if [ -n "$ours" ]; then
    echo "$ours"
    warnings=1
fi
python3 "$ROOT/scripts/test_summary.py" "$LOG" "$rc" "$elapsed" "add-on-warnings=$warnings"
