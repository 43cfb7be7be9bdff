#!/usr/bin/env bash
# Runs the add-on's tests and Odoo's own suites with the add-on installed, in a throwaway
# database with demo data, the way Odoo's and OCA's CI do (one `-i` with --test-enable:
# each module's at_install tests run as it installs, post_install tests at the end).
#
#   scripts/test.sh                 # add-on + sale, sale_stock, sale_purchase,
#                                   # stock_dropshipping, sale_order_type suites
#   TEST_TAGS=/sales_order_plus scripts/test.sh     # the add-on's tests only
#
# Lint (scripts/lint.sh; LINT=0 skips it) runs first and the install / upgrade /
# uninstall check (scripts/lifecycle_check.sh; LIFECYCLE=0 skips it) last, each counted
# as one more test. The last line is "N passed, N failed"; the exit code is non-zero on
# any failed or erroring test, any skipped browser tour, any ERROR/CRITICAL log line and
# any failed lint or lifecycle check.
source "$(dirname "$0")/env.sh"

MODULES=${MODULES:-sales_order_plus}
TEST_TAGS=${TEST_TAGS:-/sales_order_plus,/sale,/sale_stock,/sale_purchase,/stock_dropshipping,/sale_order_type}
DB=${TEST_DB:-sop_test_$$}
LOG_DIR=$ROOT/var/log
mkdir -p "$LOG_DIR"
LOG=$LOG_DIR/test-$(date +%Y%m%d-%H%M%S).log

bash "$ROOT/scripts/setup.sh"
extra=()
if [ "${LINT:-1}" != 0 ]; then
    # Lint first (half a minute), but run the tests anyway: the verdict comes at the end.
    # The optional pylint checks never fail the lint: not worth their half minute here.
    lint_rc=0
    SKIP=${SKIP:-pylint_odoo_optional} bash "$ROOT/scripts/lint.sh" || lint_rc=$?
    extra+=("lint=$lint_rc")
fi
bash "$ROOT/scripts/pg.sh" start
dropdb -h "$PGHOST" -p "$PGPORT" -U odoo --if-exists "$DB"
cleanup() { dropdb -h "$PGHOST" -p "$PGPORT" -U odoo --if-exists "$DB" >/dev/null 2>&1 || true; }
[ -n "${KEEP_DB:-}" ] || trap cleanup EXIT

echo "== Testing [$TEST_TAGS] in database $DB (log: ${LOG#"$ROOT"/})"
start=$(date +%s)
set +e
odoo_bin -d "$DB" -i "$MODULES" --test-enable --test-tags "$TEST_TAGS" \
    --stop-after-init --http-port="$TEST_HTTP_PORT" --log-level=test \
    --max-cron-threads=0 >"$LOG" 2>&1
rc=$?
set -e
elapsed=$(( $(date +%s) - start ))

# Show what matters: problems and the per-run summaries.
grep -E ' (WARNING|ERROR|CRITICAL) |odoo\.tests\.(result|stats)|: skipped ' "$LOG" \
    | grep -v -E 'odoo.tests.stats: .* tests [0-9.]+s' | cut -c1-400 || true
# The install / upgrade / uninstall check counts as one more test (LIFECYCLE=0 skips
# it, as `make test-addon` does).
if [ "${LIFECYCLE:-1}" != 0 ]; then
    set +e
    SKIP_SETUP=1 bash "$ROOT/scripts/lifecycle_check.sh"
    extra+=("lifecycle=$?")
    set -e
fi
python3 "$ROOT/scripts/test_summary.py" "$LOG" "$rc" "$elapsed" "${extra[@]}"
