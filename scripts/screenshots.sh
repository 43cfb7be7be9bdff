#!/usr/bin/env bash
# `make screenshots`: PNGs of the key screens into docs/, and the README's "Screens"
# table. Installs the add-on with demo data into a fresh database ($SCREENSHOT_DB,
# default sop_screens) and runs the screenshot test in it
# (sales_order_plus/tests/test_screenshots.py, tag sop_screenshots, not part of
# `make test`): Odoo's HttpCase serves the database and drives the system chromium.
# SCREENSHOT_OUT (default docs/) and SCREENSHOT_ONLY (part of the file names) are passed
# on; KEEP_DB=1 keeps the database; SKIP_SETUP=1 skips scripts/setup.sh.
source "$(dirname "$0")/env.sh"
SCREENSHOT_DB=${SCREENSHOT_DB:-sop_screens}
export SCREENSHOT_OUT=${SCREENSHOT_OUT:-$ROOT/docs} SCREENSHOT_ONLY=${SCREENSHOT_ONLY:-}

[ -n "${SKIP_SETUP:-}" ] || bash "$ROOT/scripts/setup.sh"
bash "$ROOT/scripts/pg.sh" start
mkdir -p "$ROOT/var/log"
LOG=$ROOT/var/log/screenshots-$(date +%Y%m%d-%H%M%S).log
dropdb -h "$PGHOST" -p "$PGPORT" -U odoo --if-exists "$SCREENSHOT_DB"
cleanup() {
    [ -n "${KEEP_DB:-}" ] || dropdb -h "$PGHOST" -p "$PGPORT" -U odoo --if-exists \
        "$SCREENSHOT_DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== Database $SCREENSHOT_DB with demo data, then the screenshots (log: ${LOG#"$ROOT"/})"
set +e
odoo_bin -d "$SCREENSHOT_DB" -i sales_order_plus --test-enable \
    --test-tags sop_screenshots --stop-after-init --http-port="$TEST_HTTP_PORT" \
    --max-cron-threads=0 --log-level=test >"$LOG" 2>&1
rc=$?
set -e
grep -E ' (ERROR|CRITICAL) |screenshots in |: skipped, no |odoo\.tests\.result' "$LOG" \
    | cut -c1-400 || true
if [ "$rc" != 0 ] || grep -qE ' (ERROR|CRITICAL) ' "$LOG"; then
    echo "screenshots: FAIL"
    exit 1
fi
grep -q 'screenshots in ' "$LOG" || { echo "screenshots: none taken"; exit 1; }
echo "screenshots: done"
