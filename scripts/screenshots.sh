#!/usr/bin/env bash
# `make screenshots`: PNGs of the key screens into docs/ (scripts/screenshots.py).
# By default it creates a fresh demo database ($SCREENSHOT_DB, default sop_screens),
# serves it on a private port while chromium takes the pictures, then stops. To use a
# server that already runs (e.g. `make run`): SCREENSHOT_URL=http://127.0.0.1:8069
# SCREENSHOT_DB=sales_order_plus make screenshots (this confirms its demo quotations).
source "$(dirname "$0")/env.sh"
SCREENSHOT_DB=${SCREENSHOT_DB:-sop_screens}
SCREENSHOT_PORT=${SCREENSHOT_PORT:-$((TEST_HTTP_PORT + 1000))}
SCREENSHOT_OUT=${SCREENSHOT_OUT:-$ROOT/docs}

bash "$ROOT/scripts/setup.sh"
if [ -n "${SCREENSHOT_URL:-}" ]; then
    exec "$PY" "$ROOT/scripts/screenshots.py" --url "$SCREENSHOT_URL" \
        --db "$SCREENSHOT_DB" --out "$SCREENSHOT_OUT" "$@"
fi

bash "$ROOT/scripts/pg.sh" start
mkdir -p "$ROOT/var/log"
LOG=$ROOT/var/log/screenshots-$(date +%Y%m%d-%H%M%S).log
dropdb -h "$PGHOST" -p "$PGPORT" -U odoo --if-exists "$SCREENSHOT_DB"
echo "== Creating database $SCREENSHOT_DB with demo data (log: ${LOG#"$ROOT"/})"
odoo_bin -d "$SCREENSHOT_DB" -i sales_order_plus --stop-after-init \
    --max-cron-threads=0 >"$LOG" 2>&1

echo "== Serving it on http://127.0.0.1:$SCREENSHOT_PORT for the screenshots"
"$PY" "$ODOO_SRC/odoo-bin" --addons-path="$ADDONS_PATH" --data-dir="$DATA_DIR" --db_host="$PGHOST" \
    --db_port="$PGPORT" --db_user=odoo --db_password=odoo -d "$SCREENSHOT_DB" \
    --db-filter="^$SCREENSHOT_DB\$" --http-interface=127.0.0.1 \
    --http-port="$SCREENSHOT_PORT" --max-cron-threads=0 >>"$LOG" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _i in $(seq 120); do
    "$PY" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$SCREENSHOT_PORT/web/health', timeout=5)" \
        2>/dev/null && break
    kill -0 "$server" 2>/dev/null || { tail -20 "$LOG"; exit 1; }
    sleep 1
done
"$PY" "$ROOT/scripts/screenshots.py" --url "http://127.0.0.1:$SCREENSHOT_PORT" \
    --db "$SCREENSHOT_DB" --out "$SCREENSHOT_OUT" "$@"
