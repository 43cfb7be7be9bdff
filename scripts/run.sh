#!/usr/bin/env bash
# Serves the add-on with demo data on http://127.0.0.1:$HTTP_PORT (admin / admin).
# The first run creates the database; later runs reuse it (and update the add-on).
# Stopping the server (Ctrl-C) stops this checkout's PostgreSQL cluster too.
source "$(dirname "$0")/env.sh"

bash "$ROOT/scripts/setup.sh"
bash "$ROOT/scripts/pg.sh" start
trap 'bash "$ROOT/scripts/pg.sh" stop' EXIT

if psql -h "$PGHOST" -p "$PGPORT" -U odoo -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'" | grep -q 1; then
    init=(-u sales_order_plus)
else
    echo "== Creating database $DB_NAME with demo data"
    init=(-i sales_order_plus)
fi
echo "== Odoo on http://127.0.0.1:$HTTP_PORT  (login admin / admin), with queue_job's runner"
# queue_job as a server-wide module starts the job runner in this server (it works in
# the threaded server too); the runner calls the jobs back on this port.
ODOO_QUEUE_JOB_PORT=$HTTP_PORT odoo_bin -d "$DB_NAME" --db-filter="^$DB_NAME\$" "${init[@]}" \
    --load=web,queue_job --http-interface=127.0.0.1 --http-port="$HTTP_PORT" "$@"
