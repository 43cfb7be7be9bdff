#!/usr/bin/env bash
# `make scale`: the schedule release as queue_job jobs on two Odoo instances behind a
# loopback nginx, one killed hard mid-run (scripts/scale.py says what is checked).
source "$(dirname "$0")/env.sh"
bash "$ROOT/scripts/setup.sh"
if ! command -v nginx >/dev/null 2>&1; then
    echo "== Installing Debian's nginx (the load balancer in front of the two instances)"
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null \
            || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
        # Debian starts its own nginx on port 80: not ours, stop it.
        (service nginx stop || true) >/dev/null 2>&1
    else
        echo "nginx is missing and we are not root: install it (apt-get install nginx)" >&2
        exit 1
    fi
fi
bash "$ROOT/scripts/pg.sh" start
export PATH=$PATH:/usr/sbin
cd "$ROOT"
"$PY" "$ROOT/scripts/scale.py" 2>&1 | tee "$ROOT/var/scale-last.txt"
exit "${PIPESTATUS[0]}"
