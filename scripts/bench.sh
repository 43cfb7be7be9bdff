#!/usr/bin/env bash
# `make bench`: one table of milliseconds and SQL queries per flow, each kind next to
# plain Odoo, measured in one run against the same database (rolled back afterwards).
# BENCH_FILTER=cash limits the cases; BENCH_REPEAT=5 sets the repetitions. A full run
# (no filter) also writes the table to docs/benchmark.md and the README.
source "$(dirname "$0")/env.sh"
BENCH_DB=${BENCH_DB:-sop_bench}

bash "$ROOT/scripts/setup.sh"
bash "$ROOT/scripts/pg.sh" start
if psql -h "$PGHOST" -p "$PGPORT" -U odoo -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='$BENCH_DB'" | grep -q 1; then
    init=(-u sales_order_plus)
else
    init=(-i sales_order_plus)
fi
# Install or update the add-on (no demo data: the cases make their own).
odoo_bin -d "$BENCH_DB" "${init[@]}" --without-demo=all --stop-after-init \
    --log-level=warn --max-cron-threads=0
"$PY" "$ROOT/bench/run.py" --addons-path="$ADDONS_PATH" --data-dir="$DATA_DIR" --db_host="$PGHOST" \
    --db_port="$PGPORT" --db_user=odoo --db_password=odoo -d "$BENCH_DB" \
    --log-level=warn -- ${BENCH_FILTER:-}
