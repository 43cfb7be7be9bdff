#!/usr/bin/env bash
# Private PostgreSQL cluster for this checkout: `pg.sh start` (idempotent) / `pg.sh stop`.
source "$(dirname "$0")/env.sh"

PG_BIN=${PG_BIN:-$(dirname "$(command -v initdb || echo /usr/lib/postgresql/15/bin/initdb)")}

start() {
    if [ ! -f "$PGDIR/data/PG_VERSION" ]; then
        mkdir -p "$PGDIR/socket"
        [ "$(id -u)" = 0 ] && chown -R postgres: "$PGDIR"
        as_postgres "$PG_BIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 \
            --locale=C.UTF-8 >/dev/null
    fi
    if ! as_postgres "$PG_BIN/pg_ctl" -D "$PGDIR/data" status >/dev/null 2>&1; then
        # Tuned for throwaway test databases: durability is not needed here.
        as_postgres "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
            -o "-p $PGPORT -k $PGDIR/socket -c listen_addresses=127.0.0.1 -c fsync=off \
                -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
                -c shared_buffers=512MB" start >/dev/null
    fi
    psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -tAq -c \
        "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='odoo') THEN
           CREATE ROLE odoo LOGIN SUPERUSER PASSWORD 'odoo'; END IF; END\$\$;"
}

stop() {
    if [ -f "$PGDIR/data/PG_VERSION" ]; then
        as_postgres "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null 2>&1 || true
    fi
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
