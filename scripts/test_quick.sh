#!/usr/bin/env bash
# Daily work: runs the tests named by TEST_TAGS in a copy of a template database that
# already has the add-ons installed (made once per checkout and module list, again with
# FRESH=1), after updating the add-ons in the copy: a minute or two instead of the full
# install of `make test`. It is no replacement for `make test` (which installs from
# scratch, runs Odoo's suites and lints).
#
#   TEST_TAGS=/sales_order_plus:TestKindCash bash scripts/test_quick.sh
#   MODULES=sales_order_plus,sale_mrp TEST_TAGS=/sale_mrp bash scripts/test_quick.sh
source "$(dirname "$0")/env.sh"

: "${TEST_TAGS:?set TEST_TAGS, e.g. /sales_order_plus:TestKindCash}"
MODULES=${MODULES:-sales_order_plus}
UPDATE=${UPDATE:-$MODULES}
TPL=sop_tpl_$(printf '%s' "$MODULES" | cksum | cut -d' ' -f1)
DB=sop_quick_$$
LOG_DIR=$ROOT/var/log
mkdir -p "$LOG_DIR"
LOG=$LOG_DIR/quick-$(date +%Y%m%d-%H%M%S)-$$.log

[ -n "${SKIP_SETUP:-}" ] || bash "$ROOT/scripts/setup.sh"
bash "$ROOT/scripts/pg.sh" start
exists() { psql -h "$PGHOST" -p "$PGPORT" -U odoo -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1; }
if [ -n "${FRESH:-}" ] || ! exists "$TPL"; then
    echo "== Template database $TPL: installing $MODULES (once)"
    dropdb -h "$PGHOST" -p "$PGPORT" -U odoo --if-exists "$TPL"
    rm -rf "$DATA_DIR/filestore/$TPL"
    odoo_bin -d "$TPL" -i "$MODULES" --stop-after-init --max-cron-threads=0 \
        --log-level=warn >"$LOG_DIR/template-$TPL.log" 2>&1 \
        || { tail -40 "$LOG_DIR/template-$TPL.log"; dropdb -h "$PGHOST" -p "$PGPORT" \
             -U odoo --if-exists "$TPL"; exit 1; }
fi
cleanup() {
    dropdb -h "$PGHOST" -p "$PGPORT" -U odoo --if-exists "$DB" >/dev/null 2>&1 || true
    rm -rf "$DATA_DIR/filestore/$DB"
}
[ -n "${KEEP_DB:-}" ] || trap cleanup EXIT
createdb -h "$PGHOST" -p "$PGPORT" -U odoo -T "$TPL" "$DB"
# The attachments (asset bundles among them) live in the filestore, beside the database.
[ -d "$DATA_DIR/filestore/$TPL" ] && mkdir -p "$DATA_DIR/filestore" \
    && cp -a "$DATA_DIR/filestore/$TPL" "$DATA_DIR/filestore/$DB"

echo "== Testing [$TEST_TAGS] in $DB (log: ${LOG#"$ROOT"/})"
start=$(date +%s)
set +e
odoo_bin -d "$DB" -u "$UPDATE" --test-enable --test-tags "$TEST_TAGS" \
    --stop-after-init --http-port="${QUICK_HTTP_PORT:-$((TEST_HTTP_PORT + 100))}" --log-level=test \
    --max-cron-threads=0 >"$LOG" 2>&1
rc=$?
set -e
elapsed=$(( $(date +%s) - start ))
grep -E ' (WARNING|ERROR|CRITICAL) |odoo\.tests\.(result|stats)|: skipped ' "$LOG" \
    | grep -v -E 'odoo.tests.stats: .* tests [0-9.]+s' | cut -c1-400 || true
python3 "$ROOT/scripts/test_summary.py" "$LOG" "$rc" "$elapsed"
