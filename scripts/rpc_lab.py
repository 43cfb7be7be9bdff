"""A throwaway Odoo served with --workers=2 on loopback, for the load and concurrency
checks (scripts/load.py, scripts/concurrency_check.py).

The database is created (add-on installed, no demo data) by the calling shell script;
this module adds the fixtures through the ORM, starts and stops the server (only the
process it started), and hands out XML-RPC clients as external integrations use them.
Settings come from scripts/env.sh (ODOO_SRC, ADDONS_PATH, PGHOST, PGPORT, PY). Odoo
runs unpatched: its prefork master also starts the gevent websocket process.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import xmlrpc.client

LOGIN = PASSWORD = "admin"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_options(db):
    return [
        f"--addons-path={os.environ['ADDONS_PATH']}",
        f"--db_host={os.environ['PGHOST']}",
        f"--db_port={os.environ['PGPORT']}",
        "--db_user=odoo",
        "--db_password=odoo",
        f"--database={db}",
        f"--db-filter=^{db}$",
        "--max-cron-threads=0",
    ]


def with_env(db, function):
    """Run ``function(env)`` as superuser in ``db`` through the ORM, then commit."""
    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(odoo_options(db) + ["--log-level=warn"])
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        result = function(api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True}))
    odoo.sql_db.close_all()
    return result


def fixtures(env, products=10, customers=20, stock=100000.0):
    """Storable products with stock and a vendor price list (two vendors taking turns,
    so that a third-party order of two consecutive products buys from both),
    customers."""
    vendors = env["res.partner"].create(
        [{"name": f"Lab vendor {n}", "supplier_rank": 1} for n in range(2)]
    )
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", env.company.id)], limit=1
    )
    records = env["product.product"].create(
        [
            {
                "name": f"Lab product {n}",
                "default_code": f"LAB-{n:03d}",
                "type": "consu",
                "is_storable": True,
                "list_price": 10.0 + n,
                "standard_price": 5.0,
                "invoice_policy": "order",
                # Vendor bills on ordered quantities (a dropship has no receipt).
                "purchase_method": "purchase",
                "seller_ids": [(0, 0, {"partner_id": vendors[n % 2].id, "price": 5.0})],
            }
            for n in range(products)
        ]
    )
    for product in records:
        env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, stock
        )
    partners = env["res.partner"].create(
        [{"name": f"Lab customer {n}"} for n in range(customers)]
    )
    # A cash sale needs a cash journal (the chart of accounts installs one).
    assert env["account.journal"].search_count([("type", "=", "cash")]), "no cash"
    return {
        "products": records.ids,
        "customers": partners.ids,
        "vendors": vendors.ids,
        "vendor": vendors[0].id,
    }


class OdooServer:
    """``with OdooServer(db, log) as server:`` serves ``db`` on a free loopback port
    with two workers; leaving the block stops it."""

    def __init__(self, db, log_path, workers=2):
        self.db = db
        self.log_path = log_path
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def __enter__(self):
        command = [
            os.environ["PY"],
            os.path.join(os.environ["ODOO_SRC"], "odoo-bin"),
            *odoo_options(self.db),
            f"--workers={self.workers}",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            f"--gevent-port={free_port()}",
            f"--logfile={self.log_path}",
            "--log-level=warn",
            "--limit-time-real=300",
            "--limit-time-cpu=300",
        ]
        self.process = subprocess.Popen(command, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo exited with {self.process.returncode}")
            try:
                xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common").version()
                return self
            except OSError:
                time.sleep(1)
        self.__exit__(None, None, None)
        raise RuntimeError("Odoo did not answer within 120 s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            # The prefork master stops its workers on SIGTERM; only our own group.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)

    def client(self):
        return Client(self.url, self.db)

    def error_lines(self):
        """ERROR/CRITICAL lines of the server log (goal: none), and the number of
        serialization conflicts: PostgreSQL refusing one of two concurrent updates of
        the same row (Odoo logs the query as an ERROR, then retries the whole request;
        under load they come from Odoo's own stock reservation). A conflict whose retry
        failed as well reaches the client and is counted there as an error."""
        errors, conflicts = [], 0
        if not os.path.exists(self.log_path):
            return errors, conflicts
        with open(self.log_path, errors="replace") as log:
            lines = log.readlines()
        for index, line in enumerate(lines):
            if " ERROR " not in line[:60] and " CRITICAL " not in line[:60]:
                continue
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if "bad query" in line and "could not serialize access" in following:
                conflicts += 1
            else:
                errors.append(line.rstrip()[:300])
        return errors, conflicts


class Client:
    """One XML-RPC connection (not thread-safe: one per thread)."""

    def __init__(self, url, db):
        self.db = db
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
        self.uid = common.authenticate(db, LOGIN, PASSWORD, {})
        if not self.uid:
            raise RuntimeError("authentication failed")
        self.models = xmlrpc.client.ServerProxy(
            f"{url}/xmlrpc/2/object", allow_none=True
        )

    def call(self, model, method, *args, **kwargs):
        return self.models.execute_kw(
            self.db, self.uid, PASSWORD, model, method, list(args), kwargs
        )

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            fields=["res_id"],
        )
        return rows[0]["res_id"]


def fault_kind(error):
    """'user' for a clean business error (UserError, ValidationError, AccessError),
    'crash' for anything else (a traceback on the server)."""
    if isinstance(error, xmlrpc.client.Fault) and error.faultCode in (2, 3, 4):
        return "user"
    return "crash"


def short(error):
    text = error.faultString if isinstance(error, xmlrpc.client.Fault) else repr(error)
    return " ".join(text.split())[:200]


if __name__ == "__main__":
    sys.exit("helper module: see scripts/load.py and scripts/concurrency_check.py")
