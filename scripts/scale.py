"""`make scale`: the schedule release as queue_job jobs across two Odoo instances, one
of which is killed hard while the jobs run.

1. A fresh database with the add-on (no demo data) and AGREEMENTS confirmed delivery
   schedules of LINES lines x DATES due dates each, none released yet.
2. nginx on loopback balances the job runner's calls over two Odoo instances
   (`--workers=2` each, `server_wide_modules=web,queue_job`), as a load balancer does
   in front of several application servers; both instances run queue_job's runner,
   one of them is elected (PostgreSQL advisory lock).
3. The scheduled action enqueues one job per agreement; while the jobs run, one
   instance is killed (SIGKILL, main process and workers) and started again later.
4. Checks, printed: every due line released exactly once, one delivery per agreement
   and date, no job lost (all done, or failed with a reason; none left started),
   jobs per instance, lines per second.
5. Applying received schedule versions (VERSIONS, default 200; 0 skips it): one
   received version for each of the first VERSIONS agreements (+1 on half of its
   lines, the rest unchanged, and a new date beyond the release horizon for its
   first product; the type's tolerance check off), all received at once: one job
   each. Instance A is killed hard again after KILL_AFTER of these jobs and
   restarted. Checks, printed: every version applied exactly once (none left
   received or held), each agreement's open schedule equals its version's lines
   (quantity per product and date), no job lost, jobs per instance, versions per
   second.

Exit status 1 on any loss, duplicate or difference.

Bounded: every wait has a deadline (TIMEOUT seconds in all); loopback only; the
servers, nginx and the database are stopped / dropped at the end (KEEP_DB=1 keeps
the database).
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta

import psutil

ROOT = os.environ["ROOT"]
DB = os.environ.get("SCALE_DB", "sop_scale")
AGREEMENTS = int(os.environ.get("AGREEMENTS", 200))
LINES = int(os.environ.get("LINES", 20))
DATES = int(os.environ.get("DATES", 3))
# Both phases with the defaults took 1,530 s on 2 shared cores.
TIMEOUT = int(os.environ.get("TIMEOUT", 2700))
KILL_AFTER = float(os.environ.get("KILL_AFTER", 0.25))  # share of jobs done
VERSIONS = min(int(os.environ.get("VERSIONS", 200)), AGREEMENTS)
RELEASE_JOB = "_sop_schedule_release_agreement"
VERSION_JOB = "_sop_version_process"
BASE_PORT = int(os.environ.get("SCALE_PORT", 18100))
PORTS = {"A": BASE_PORT + 1, "B": BASE_PORT + 2}
LB_PORT = BASE_PORT
PY = os.environ["PY"]
ODOO_BIN = os.path.join(os.environ["ODOO_SRC"], "odoo-bin")
DEADLINE = time.monotonic() + TIMEOUT


def odoo_args(*extra):
    return [
        PY,
        ODOO_BIN,
        f"--addons-path={os.environ['ADDONS_PATH']}",
        f"--db_host={os.environ['PGHOST']}",
        f"--db_port={os.environ['PGPORT']}",
        "--db_user=odoo",
        "--db_password=odoo",
        f"--data-dir={os.environ['DATA_DIR']}",
        *extra,
    ]


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def left():
    remaining = DEADLINE - time.monotonic()
    if remaining <= 0:
        raise TimeoutError(f"make scale: over its {TIMEOUT} s budget")
    return remaining


# ----------------------------------------------------------------------
# Database and data (through the ORM, in this process)
# ----------------------------------------------------------------------
def drop_database(check=True):
    subprocess.run(
        ["dropdb", "-h", os.environ["PGHOST"], "-p", os.environ["PGPORT"]]
        + ["-U", "odoo", "--if-exists", "--force", DB],
        check=check,
    )


def create_database():
    drop_database()
    log(f"installing sales_order_plus into {DB}")
    subprocess.run(
        odoo_args(
            "-d",
            DB,
            "-i",
            "sales_order_plus",
            "--without-demo=all",
            "--stop-after-init",
            "--max-cron-threads=0",
            "--log-level=warn",
        ),
        check=True,
        timeout=left(),
    )


def orm():
    import odoo
    from odoo import api

    odoo.tools.config.parse_config(
        [
            f"--addons-path={os.environ['ADDONS_PATH']}",
            f"--db_host={os.environ['PGHOST']}",
            f"--db_port={os.environ['PGPORT']}",
            "--db_user=odoo",
            "--db_password=odoo",
            f"--data-dir={os.environ['DATA_DIR']}",
        ]
    )
    registry = odoo.modules.registry.Registry(DB)
    return registry, api


def create_agreements(registry, api):
    """AGREEMENTS confirmed schedules; their dates lie beyond a 1-day horizon, so
    nothing is released at confirmation. Committed in batches."""
    from odoo import SUPERUSER_ID, Command

    today = date.today()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        order_type = env.ref("sales_order_plus.type_delivery_schedule")
        order_type.schedule_release_horizon = 1
        customer = env["res.partner"].create({"name": "Scale Customer"})
        products = env["product.product"].create(
            [
                {"name": f"Scale Part {i:02d}", "type": "consu", "is_storable": True}
                for i in range(LINES)
            ]
        )
        location = env["stock.warehouse"].search([], limit=1).lot_stock_id
        for product in products:
            env["stock.quant"]._update_available_quantity(
                product, location, AGREEMENTS * DATES * 10.0
            )
        cr.commit()
        ids = dict(type=order_type.id, customer=customer.id, products=products.ids)
    started = time.monotonic()
    batch = 25
    for first in range(0, AGREEMENTS, batch):
        left()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            products = env["product.product"].browse(ids["products"])
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": ids["customer"],
                        "type_id": ids["type"],
                        "client_order_ref": f"SCALE-{n}",
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "product_uom_qty": DATES * 2.0,
                                    "schedule_line_ids": [
                                        Command.create(
                                            {
                                                "date": today
                                                + timedelta(days=7 * d + 7),
                                                "product_uom_qty": 2.0,
                                            }
                                        )
                                        for d in range(DATES)
                                    ],
                                }
                            )
                            for product in products
                        ],
                    }
                    for n in range(first, min(first + batch, AGREEMENTS))
                ]
            )
            orders.action_confirm()
            cr.commit()
        log(f"  {min(first + batch, AGREEMENTS)}/{AGREEMENTS} agreements confirmed")
    log(f"data: {time.monotonic() - started:.0f} s")
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        # Every date is now inside the horizon: the release has all of them to do.
        order_type = env["sale.order.type"].browse(ids["type"])
        order_type.schedule_release_horizon = 7 * DATES + 7
        planned = env["sale.order.schedule.line"].search_count(
            [("state", "=", "planned")]
        )
        cr.commit()
    return planned


# ----------------------------------------------------------------------
# Servers
# ----------------------------------------------------------------------
def start_nginx(workdir):
    conf = os.path.join(workdir, "nginx.conf")
    with open(conf, "w") as f:
        f.write(
            f"""
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx.error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    upstream odoo {{
        server 127.0.0.1:{PORTS["A"]} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:{PORTS["B"]} max_fails=1 fail_timeout=5s;
    }}
    server {{
        listen 127.0.0.1:{LB_PORT};
        proxy_read_timeout 600s;
        proxy_next_upstream error timeout;
        location / {{ proxy_pass http://odoo; }}
    }}
}}
"""
        )
    return subprocess.Popen(["nginx", "-c", conf], start_new_session=True)


def start_instance(name, workdir):
    env = dict(
        os.environ,
        # The runner calls jobs through the load balancer, which spreads them.
        ODOO_QUEUE_JOB_HOST="127.0.0.1",
        ODOO_QUEUE_JOB_PORT=str(LB_PORT),
        # Per-database channels: the capacities come from the module's data.
        ODOO_QUEUE_JOB_MAX_CAPACITY="4",
    )
    env.pop("ODOO_QUEUE_JOB_CHANNELS", None)
    logfile = open(os.path.join(workdir, f"odoo-{name}.log"), "a")  # noqa: SIM115
    proc = subprocess.Popen(
        odoo_args(
            "-d",
            DB,
            f"--db-filter=^{DB}$",
            "--workers=2",
            "--max-cron-threads=0",
            f"--http-port={PORTS[name]}",
            f"--gevent-port={PORTS[name] + 10}",
            "--http-interface=127.0.0.1",
            "--load=web,queue_job",
            "--limit-time-real=600",
            "--limit-time-cpu=600",
            "--log-level=warn",
            "--log-handler=odoo.addons.queue_job.jobrunner.runner:INFO",
        ),
        env=env,
        stdout=logfile,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killed as a whole
    )
    log(f"instance {name}: pid {proc.pid}, port {PORTS[name]}")
    return proc


def kill_hard(proc):
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def stop(proc):
    if proc and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def worker_pids(proc):
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
        return {child.pid for child in children}
    except psutil.NoSuchProcess:
        return set()


# ----------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------
def job_states(cr, method=RELEASE_JOB):
    cr.execute(
        "SELECT state, count(*) FROM queue_job WHERE method_name = %s GROUP BY state",
        [method],
    )
    return dict(cr.fetchall())


def run_jobs(registry, procs, pids, workdir, method):
    """Wait for the jobs of ``method``; kill instance A hard after KILL_AFTER of
    them finished, start it again 15 s later. Returns the last job states."""
    killed = restarted = False
    while True:
        time.sleep(min(1.0, left()))
        for name, proc in procs.items():
            pids[name] |= worker_pids(proc)
        with registry.cursor() as cr:
            states = job_states(cr, method)
        total = sum(states.values())
        finished = states.get("done", 0) + states.get("failed", 0)
        if not killed and finished >= total * KILL_AFTER:
            log(f"killing instance A hard (SIGKILL) at {states}")
            kill_hard(procs["A"])
            killed = time.monotonic()
        if killed and not restarted and time.monotonic() - killed > 15:
            log(f"restarting instance A at {states}")
            procs["A"] = start_instance("A", workdir)
            restarted = True
        if finished == total and restarted:
            return states


def jobs_per_instance(cr, pids, method):
    """({instance: jobs run}, re-runs) of the jobs of ``method``. queue_job counts
    the first run as try 1: later tries are re-runs (serialization failures and
    lock conflicts postponed, jobs of the killed instance requeued)."""
    cr.execute(
        "SELECT worker_pid, count(*), sum(greatest(retry - 1, 0)) FROM queue_job"
        " WHERE method_name = %s GROUP BY worker_pid",
        [method],
    )
    per_instance = {name: 0 for name in pids}
    retried = 0
    for pid, count, retries in cr.fetchall():
        retried += retries or 0
        owner = next((n for n, ps in pids.items() if pid in ps), "?")
        per_instance[owner] = per_instance.get(owner, 0) + count
    return per_instance, retried


def job_problems(cr, method):
    problems = []
    states = job_states(cr, method)
    stuck = {s: n for s, n in states.items() if s not in ("done", "failed")}
    if stuck:
        problems.append(f"{method} jobs not finished: {stuck}")
    cr.execute(
        "SELECT count(*) FROM queue_job WHERE state = 'failed' AND method_name = %s"
        " AND coalesce(exc_message, exc_info, '') = ''",
        [method],
    )
    if cr.fetchone()[0]:
        problems.append(f"failed {method} jobs without a reason")
    return states, problems


# ----------------------------------------------------------------------
# Received schedule versions
# ----------------------------------------------------------------------
def create_versions(registry, api):
    """One received version for each of the first VERSIONS agreements: every
    schedule line of the agreement, +1 on every other one, and a new date for
    its first product beyond the release horizon (stays planned). Committed in
    batches; the versions are received (enqueued) at once afterwards."""
    from odoo import SUPERUSER_ID, Command

    today = date.today()
    new_day = today + timedelta(days=7 * DATES + 14)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        order_type = env.ref("sales_order_plus.type_delivery_schedule")
        # The figures are the point here, not the firm-zone tolerances.
        order_type.schedule_version_tolerance = False
        order_ids = (
            env["sale.order"]
            .search([("client_order_ref", "=like", "SCALE-%")], order="id")
            .ids[:VERSIONS]
        )
        cr.commit()
    version_ids = []
    batch = 25
    for first in range(0, len(order_ids), batch):
        left()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            vals_list = []
            for order in env["sale.order"].browse(order_ids[first : first + batch]):
                lines = []
                schedule = order.schedule_line_ids.filtered(
                    lambda s: not s.cancelled
                ).sorted(lambda s: (s.order_line_id.id, s.date))
                for n, line in enumerate(schedule):
                    lines.append(
                        {
                            "product_id": line.product_id.id,
                            "order_line_id": line.order_line_id.id,
                            "date": line.date,
                            "product_uom_qty": line.product_uom_qty + (n % 2),
                            "firmness": "firm",
                        }
                    )
                first_line = order.order_line.sorted("id")[:1]
                lines.append(
                    {
                        "product_id": first_line.product_id.id,
                        "order_line_id": first_line.id,
                        "date": new_day,
                        "product_uom_qty": 1.0,
                        "firmness": "firm",
                    }
                )
                vals_list.append(
                    {
                        "order_id": order.id,
                        "name": f"SCALE-V-{order.id}",
                        "document_date": today,
                        "kind": "forecast",
                        "source": "edi",
                        "line_ids": [Command.create(vals) for vals in lines],
                    }
                )
            version_ids += env["sale.order.schedule.version"].create(vals_list).ids
            cr.commit()
        log(f"  {len(version_ids)}/{len(order_ids)} versions received")
    return version_ids


def receive_versions(registry, api, version_ids):
    from odoo import SUPERUSER_ID

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["sale.order.schedule.version"].browse(version_ids)._sop_version_receive()
        cr.commit()
        states = job_states(cr, VERSION_JOB)
    log(f"versions received: {sum(states.values())} jobs enqueued")


def check_versions(registry, pids, version_ids, elapsed):
    problems = []
    with registry.cursor() as cr:
        cr.execute(
            "SELECT state, count(*) FROM sale_order_schedule_version"
            " WHERE id IN %s GROUP BY state",
            [tuple(version_ids)],
        )
        version_states = dict(cr.fetchall())
        applied = version_states.get("applied", 0)
        if applied != len(version_ids):
            problems.append(
                f"{applied} of {len(version_ids)} versions applied: {version_states}"
            )
        # Applied twice would supersede the version by itself or leave two applied
        # versions of one agreement.
        cr.execute(
            """SELECT count(*) FROM (
                 SELECT order_id FROM sale_order_schedule_version
                  WHERE state = 'applied' GROUP BY order_id HAVING count(*) > 1) dup"""
        )
        twice = cr.fetchone()[0]
        if twice:
            problems.append(f"{twice} agreements with several applied versions")
        # The open schedule (not cancelled, quantity per product and date) against
        # the version's lines, both ways.
        cr.execute(
            """WITH wanted AS (
                 SELECT v.order_id, l.product_id, l.date, sum(l.product_uom_qty) qty
                   FROM sale_order_schedule_version v
                   JOIN sale_order_schedule_version_line l ON l.version_id = v.id
                  WHERE v.id IN %(ids)s GROUP BY 1, 2, 3),
               open AS (
                 SELECT s.order_id, s.product_id, s.date, sum(s.product_uom_qty) qty
                   FROM sale_order_schedule_line s
                  WHERE s.order_id IN (SELECT order_id FROM wanted)
                    AND NOT coalesce(s.cancelled, false)
                  GROUP BY 1, 2, 3)
               SELECT count(DISTINCT coalesce(w.order_id, o.order_id))
                 FROM wanted w FULL JOIN open o
                   ON o.order_id = w.order_id AND o.product_id = w.product_id
                  AND o.date = w.date
                WHERE w.qty IS NULL OR o.qty IS NULL OR abs(w.qty - o.qty) > 1e-6""",
            {"ids": tuple(version_ids)},
        )
        different = cr.fetchone()[0]
        if different:
            problems.append(f"{different} agreements whose schedule differs from it")
        cr.execute(
            "SELECT count(*) FROM sale_order_schedule_version_line"
            " WHERE version_id IN %s",
            [tuple(version_ids)],
        )
        version_lines = cr.fetchone()[0]
        states, more = job_problems(cr, VERSION_JOB)
        problems += more
        per_instance, retried = jobs_per_instance(cr, pids, VERSION_JOB)
    print()
    print("| figure (received schedule versions) | value |")
    print("|---|---:|")
    print(
        f"| versions received at once / lines | {len(version_ids)} / {version_lines} |"
    )
    print(f"| versions applied | {applied} |")
    print(f"| agreements whose schedule differs from the version | {different} |")
    done, failed = states.get("done", 0), states.get("failed", 0)
    print(f"| jobs done / failed | {done} / {failed} |")
    print(f"| job re-runs (conflicts postponed, requeued after kill) | {retried} |")
    for name, count in sorted(per_instance.items()):
        print(f"| jobs run by instance {name} | {count} |")
    print(f"| wall time | {elapsed:.0f} s |")
    print(f"| versions applied per second | {applied / elapsed:.2f} |")
    print(flush=True)
    return problems


def main():
    workdir = tempfile.mkdtemp(prefix="sop-scale-")
    create_database()
    registry, api = orm()
    planned = create_agreements(registry, api)
    log(f"{AGREEMENTS} agreements, {planned} schedule lines due")
    from odoo import SUPERUSER_ID

    nginx = start_nginx(workdir)
    procs = {name: start_instance(name, workdir) for name in PORTS}
    pids = {name: set() for name in PORTS}
    version_ids, version_elapsed = [], 0.0
    try:
        time.sleep(5)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            started = time.time()
            env["sale.order.schedule.line"]._cron_sop_schedule_release()
            cr.commit()
            cr.execute("SELECT count(*) FROM queue_job")
            log(f"scheduled action: {cr.fetchone()[0]} jobs enqueued")
        states = run_jobs(registry, procs, pids, workdir, RELEASE_JOB)
        elapsed = time.time() - started
        log(f"all {sum(states.values())} release jobs finished: {states}")
        # Checked now: the versions add lines beyond the horizon (planned).
        problems = check(registry, planned, pids, elapsed)
        if VERSIONS:
            version_ids = create_versions(registry, api)
            started = time.time()
            receive_versions(registry, api, version_ids)
            states = run_jobs(registry, procs, pids, workdir, VERSION_JOB)
            version_elapsed = time.time() - started
            log(f"all {sum(states.values())} version jobs finished: {states}")
    finally:
        for proc in procs.values():
            stop(proc)
        stop(nginx)
    if version_ids:
        problems += check_versions(registry, pids, version_ids, version_elapsed)
    for problem in problems:
        print(f"FAIL: {problem}")
    print("scale check: " + ("FAILED" if problems else "OK"))
    ok = not problems
    import odoo

    registry.__class__.delete(DB)
    odoo.sql_db.close_db(DB)  # this process's connections, before the drop
    if not os.environ.get("KEEP_DB"):
        drop_database(check=False)
    return 0 if ok else 1


def check(registry, planned, pids, elapsed):
    problems = []
    with registry.cursor() as cr:
        cr.execute(
            "SELECT state, count(*) FROM sale_order_schedule_line GROUP BY state"
        )
        line_states = dict(cr.fetchall())
        if line_states.get("planned"):
            problems.append(f"{line_states['planned']} due lines not released")
        cr.execute(
            """SELECT count(*) FROM (
                 SELECT schedule_line_id FROM stock_move
                  WHERE schedule_line_id IS NOT NULL AND state != 'cancel'
                  GROUP BY schedule_line_id HAVING count(*) > 1) dup"""
        )
        twice = cr.fetchone()[0]
        if twice:
            problems.append(f"{twice} lines released more than once")
        cr.execute(
            """SELECT count(*) FROM sale_order_schedule_line l
                WHERE NOT EXISTS (SELECT 1 FROM stock_move m
                  WHERE m.schedule_line_id = l.id AND m.state != 'cancel')"""
        )
        no_move = cr.fetchone()[0]
        if no_move:
            problems.append(f"{no_move} lines without a delivery move")
        cr.execute(
            """SELECT count(*) FROM (
                 SELECT p.sale_id, p.scheduled_date::date FROM stock_picking p
                  WHERE p.state != 'cancel' AND p.sale_id IS NOT NULL
                  GROUP BY 1, 2 HAVING count(*) > 1) dup"""
        )
        dup_pickings = cr.fetchone()[0]
        if dup_pickings:
            problems.append(f"{dup_pickings} agreement dates with several deliveries")
        cr.execute("SELECT count(*) FROM stock_picking WHERE state != 'cancel'")
        pickings = cr.fetchone()[0]
        if pickings != AGREEMENTS * DATES:
            problems.append(f"{pickings} deliveries, {AGREEMENTS * DATES} expected")
        states, more = job_problems(cr, RELEASE_JOB)
        problems += more
        per_instance, retried = jobs_per_instance(cr, pids, RELEASE_JOB)
    released = line_states.get("released", 0) + line_states.get("delivered", 0)
    print()
    print("| figure | value |")
    print("|---|---:|")
    print(f"| agreements x lines x dates | {AGREEMENTS} x {LINES} x {DATES} |")
    print(f"| schedule lines due / released | {planned} / {released} |")
    print(f"| deliveries (one per agreement and date) | {pickings} |")
    done, failed = states.get("done", 0), states.get("failed", 0)
    print(f"| jobs done / failed | {done} / {failed} |")
    print(f"| job re-runs (conflicts postponed, requeued after kill) | {retried} |")
    for name, count in sorted(per_instance.items()):
        print(f"| jobs run by instance {name} | {count} |")
    print(f"| release wall time | {elapsed:.0f} s |")
    print(f"| lines released per second | {released / elapsed:.1f} |")
    print(flush=True)
    return problems


if __name__ == "__main__":
    sys.exit(main())
