"""`make load`: Locust users create and confirm ORDERS orders of mixed kinds over
XML-RPC against Odoo served with --workers=2 on loopback, then every order is checked
against its kind's expected outcome. Locust prints its request statistics; this script
adds errors (goal 0), lost orders (goal 0) and orders not as expected (goal 0); exit
code 1 when any is not 0, or when RUN_TIME ends the run before all orders are done.

Usage (see scripts/load.sh, which creates and drops the database):
    python scripts/load.py DB [--orders 500] [--clients 4] [--run-time 600]

Locust runs in this process (headless, as a library): one ``User`` per client, each
with its own XML-RPC connection, picks one task set per order, weighted by the kind's
``share`` in KIND_PLAN; each task set creates and confirms one order of its kind.

Then the third-party mix: SHIPMENTS orders fulfilled by a logistics provider (3PL) are
confirmed, and CLIENTS clients of the provider's API user report their shipments
concurrently over XML-RPC (``sop_report_shipment``): each dispatch order in two parts,
each part sent twice by different clients. Goal: every order shipped and invoiced
exactly once for its quantity, two reports per dispatch (no lost or double validation).
"""

# Locust patches the standard library for gevent when imported: first, before anything
# else imports sockets, ssl or threads.
# isort: off
import locust  # noqa: F401
# isort: on

import argparse
import itertools
import os
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

import gevent
import gevent.queue
from locust import TaskSet, User, constant, task
from locust.env import Environment
from locust.exception import StopUser
from locust.stats import print_percentile_stats, print_stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rpc_lab  # noqa: E402

# What each kind's order must look like once confirmed: its state, its transfers (how
# many, their states and priorities), its invoices (how many, their state and payment
# state), the payments matched to them and its purchase orders (how many, from how many
# vendors). ``share`` is its weight in the mix; ``lines`` builds its order lines
# (fixtures, n) -> list of line values.
EMPTY = {"invoices": 0, "invoice_states": [], "payments": 0}
NO_PURCHASE = {"purchases": 0, "vendors": 0}
KIND_PLAN = {
    "standard": {
        "type": "sale_order_type.normal_sale_type",
        "share": 2,
        "expect": {
            "state": "sale",
            "pickings": 1,
            "picking_states": ["assigned"],
            "priorities": ["0"],
            **EMPTY,
            **NO_PURCHASE,
        },
    },
    # Counter sale: invoiced, paid in cash and handed over at confirmation.
    "cash": {
        "type": "sales_order_plus.type_cash_sale",
        "share": 1,
        "expect": {
            "state": "sale",
            "pickings": 1,
            "picking_states": ["done"],
            "priorities": ["0"],
            "invoices": 1,
            "invoice_states": ["posted/paid"],
            "payments": 1,
            **NO_PURCHASE,
        },
    },
    # Urgent transfer, invoiced only once delivered.
    "rush": {
        "type": "sales_order_plus.type_rush_order",
        "share": 1,
        "expect": {
            "state": "sale",
            "pickings": 1,
            "picking_states": ["assigned"],
            "priorities": ["1"],
            **EMPTY,
            **NO_PURCHASE,
        },
    },
    # Two due dates (today and in a week), released at once (horizon 0): one transfer
    # per date.
    "schedule": {
        "type": "sales_order_plus.type_delivery_schedule",
        "share": 1,
        "lines": lambda fixtures, n: schedule_lines(fixtures, n),
        "expect": {
            "state": "sale",
            "pickings": 2,
            "picking_states": ["assigned"],
            "priorities": ["0"],
            **EMPTY,
            **NO_PURCHASE,
        },
    },
    # Two products of two vendors: one request for quotation per vendor (the type does
    # not confirm them), no transfer of ours (the vendor ships once it is confirmed).
    "third_party": {
        "type": "sales_order_plus.type_third_party",
        "share": 1,
        "expect": {
            "state": "sale",
            "pickings": 0,
            "picking_states": [],
            "priorities": [],
            **EMPTY,
            "purchases": 2,
            "vendors": 2,
        },
    },
}


def plain_lines(fixtures, n):
    products = fixtures["products"]
    return [
        {
            "product_id": products[(n + k) % len(products)],
            "product_uom_qty": 1 + (n + k) % 3,
        }
        for k in range(2)
    ]


def schedule_lines(fixtures, n):
    """Each line delivered in two parts: 1 today, the rest in a week."""
    today = datetime.now(timezone.utc).date()
    lines = []
    for line in plain_lines(fixtures, n):
        qty = line["product_uom_qty"] + 1
        dates = [(today, 1), (today + timedelta(days=7), qty - 1)]
        line.update(
            product_uom_qty=qty,
            schedule_line_ids=[
                (0, 0, {"date": day.isoformat(), "product_uom_qty": part})
                for day, part in dates
            ],
        )
        lines.append(line)
    return lines


def order_vals(fixtures, types, kind, n, ref):
    lines = KIND_PLAN[kind].get("lines", plain_lines)(fixtures, n)
    return {
        "partner_id": fixtures["customers"][n % len(fixtures["customers"])],
        "type_id": types[kind],
        "client_order_ref": ref,
        "order_line": [(0, 0, line) for line in lines],
    }


class Run:
    """What the users share: the data, the order numbers handed out, the outcomes."""

    def __init__(self, db, fixtures, types, orders, run_id):
        self.db = db
        self.fixtures = fixtures
        self.types = types
        self.orders = orders
        self.run_id = run_id
        self.numbers = itertools.count()
        self.results = []  # (ref, kind, order id or None, error or None)


class KindOrders(TaskSet):
    """Creates and confirms one order of ``kind``, then lets the user pick again."""

    kind = None

    @task
    def create_and_confirm(self):
        self.user.order(self.kind)
        self.interrupt(reschedule=False)


# One task set per kind, picked in proportion to the kind's share.
KIND_TASK_SETS = {
    type(f"Orders_{kind}", (KindOrders,), {"kind": kind}): row["share"]
    for kind, row in KIND_PLAN.items()
}


class OrderUser(User):
    """One XML-RPC client creating and confirming orders, one after the other."""

    tasks = KIND_TASK_SETS
    wait_time = constant(0)
    shared = None  # the Run, set by run_locust()

    def on_start(self):
        self.rpc = rpc_lab.Client(self.host, self.shared.db)

    def call(self, name, model, method, *args):
        """One XML-RPC call, reported to Locust as a request named ``name``."""
        started = time.perf_counter()
        error = None
        try:
            return self.rpc.call(model, method, *args)
        except Exception as exc:  # reported to Locust, then to order()
            error = exc
            raise
        finally:
            self.environment.events.request.fire(
                request_type="xmlrpc",
                name=name,
                response_time=(time.perf_counter() - started) * 1000,
                response_length=0,
                exception=error,
                context={},
            )

    def order(self, kind):
        run = self.shared
        n = next(run.numbers)
        if n >= run.orders:
            raise StopUser()
        ref = f"LOAD-{run.run_id}-{n:05d}"
        vals = order_vals(run.fixtures, run.types, kind, n, ref)
        try:
            order_id = self.call(f"{kind}: create", "sale.order", "create", vals)
            self.call(f"{kind}: confirm", "sale.order", "action_confirm", [order_id])
            run.results.append((ref, kind, order_id, None))
        except Exception as error:  # every failure is counted, none stops the run
            run.results.append((ref, kind, None, error))


def _read(client, model, ids, fields):
    return (
        {r["id"]: r for r in client.call(model, "read", ids, fields=fields)}
        if ids
        else {}
    )


def check_orders(client, run_id, expected_refs):
    """Compare every order of this run with its kind's expectation."""
    rows = client.call(
        "sale.order",
        "search_read",
        [("client_order_ref", "=like", f"LOAD-{run_id}-%")],
        fields=["client_order_ref", "state", "type_kind", "picking_ids", "invoice_ids"],
    )
    pickings = _read(
        client,
        "stock.picking",
        [i for row in rows for i in row["picking_ids"]],
        ["state", "priority"],
    )
    invoices = _read(
        client,
        "account.move",
        [i for row in rows for i in row["invoice_ids"]],
        ["state", "payment_state", "matched_payment_ids"],
    )
    purchases = defaultdict(set)
    for pol in client.call(
        "purchase.order.line",
        "search_read",
        [("sale_order_id", "in", [row["id"] for row in rows])],
        fields=["sale_order_id", "order_id", "partner_id"],
    ):
        purchases[pol["sale_order_id"][0]].add(
            (pol["order_id"][0], pol["partner_id"][0])
        )
    paid = {"paid": "paid", "in_payment": "paid"}
    found = {row["client_order_ref"]: row for row in rows}
    wrong = []
    for ref, kind in expected_refs.items():
        row = found.get(ref)
        if not row:
            continue
        picks = [pickings[i] for i in row["picking_ids"]]
        moves = [invoices[i] for i in row["invoice_ids"]]
        got = {
            "state": row["state"],
            "pickings": len(picks),
            "picking_states": sorted({p["state"] for p in picks}),
            "priorities": sorted({p["priority"] for p in picks}),
            "invoices": len(moves),
            "invoice_states": sorted(
                {
                    f"{m['state']}/{paid.get(m['payment_state'], m['payment_state'])}"
                    for m in moves
                }
            ),
            "payments": sum(len(m["matched_payment_ids"]) for m in moves),
            "purchases": len({po for po, _vendor in purchases[row["id"]]}),
            "vendors": len({vendor for _po, vendor in purchases[row["id"]]}),
        }
        expect = KIND_PLAN[kind]["expect"]
        if got != expect or row["type_kind"] != kind:
            diff = {k: (v, expect.get(k)) for k, v in got.items() if v != expect.get(k)}
            wrong.append(f"{ref} ({kind}/{row['type_kind']}): got/expected {diff}")
    lost = sorted(set(expected_refs) - set(found))
    return len(rows), wrong, lost


# -- the third-party mix: concurrent shipment reports of a logistics provider ---------
TPL_API_LOGIN = "lab_3pl_api"
TPL_API_PASSWORD = "lab_3pl_api_password"  # a throwaway load database
TPL_PARTS = (1, 3)  # two shipments per dispatch order (4 units ordered)


def tpl_fixtures(env):
    """A logistics provider operating a warehouse with stock, a type it fulfils, and
    its API user (portal user of the provider, group Third-party API)."""
    provider = env["res.partner"].create({"name": "Lab 3PL", "is_company": True})
    warehouse = env["stock.warehouse"].create(
        {"name": "Lab 3PL Hall", "code": "L3PL", "sop_provider_id": provider.id}
    )
    product = env["product.product"].create(
        {
            "name": "Lab 3PL product",
            "default_code": "LAB-3PL",
            "type": "consu",
            "is_storable": True,
            "list_price": 20.0,
            "invoice_policy": "order",
        }
    )
    env["stock.quant"]._update_available_quantity(
        product, warehouse.lot_stock_id, 100000.0
    )
    order_type = env["sale.order.type"].create(
        {
            "name": "Lab 3PL Order",
            "kind": "third_party",
            "third_party_fulfiller": "provider",
            "third_party_warehouse_id": warehouse.id,
            "invoice_trigger": "shipment",
        }
    )
    user = env["res.users"].create(
        {
            "name": "Lab 3PL API",
            "login": TPL_API_LOGIN,
            "password": TPL_API_PASSWORD,
            "groups_id": [
                (
                    6,
                    0,
                    [
                        env.ref("base.group_portal").id,
                        env.ref("sales_order_plus.group_third_party_api").id,
                    ],
                )
            ],
        }
    )
    user.partner_id.parent_id = provider
    return {"product": product.id, "type": order_type.id}


class ApiClient(rpc_lab.Client):
    """An XML-RPC connection of the provider's API user."""

    def __init__(self, url, db):
        # Not super(): it logs in as the administrator.
        self.db = db
        common = rpc_lab.xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
        self.uid = common.authenticate(db, TPL_API_LOGIN, TPL_API_PASSWORD, {})
        if not self.uid:
            raise RuntimeError("authentication of the API user failed")
        self.models = rpc_lab.xmlrpc.client.ServerProxy(
            f"{url}/xmlrpc/2/object", allow_none=True
        )

    def call(self, model, method, *args, **kwargs):
        return self.models.execute_kw(
            self.db, self.uid, TPL_API_PASSWORD, model, method, list(args), kwargs
        )


def run_shipments(server, db, fixtures, tpl, count, clients):
    """Confirm ``count`` 3PL orders, then let ``clients`` API clients report their
    shipments concurrently (every report twice). Returns (elapsed, errors, wrong)."""
    admin = server.client()
    order_ids = []
    for n in range(count):
        order_id = admin.call(
            "sale.order",
            "create",
            {
                "partner_id": fixtures["customers"][n % len(fixtures["customers"])],
                "type_id": tpl["type"],
                "order_line": [
                    (0, 0, {"product_id": tpl["product"], "product_uom_qty": 4})
                ],
            },
        )
        admin.call("sale.order", "action_confirm", [order_id])
        order_ids.append(order_id)
    dispatches = admin.call(
        "sale.third.party.dispatch",
        "search_read",
        [("order_id", "in", order_ids)],
        fields=["name"],
    )
    reports = [
        (row["name"], f"{row['name']}-{part}", qty)
        for row in dispatches
        for part, qty in enumerate(TPL_PARTS)
        for _copy in range(2)
    ]
    random.shuffle(reports)
    queue = gevent.queue.Queue()
    for report in reports:
        queue.put(report)
    errors = []

    def client_loop():
        client = ApiClient(server.url, db)
        while True:
            try:
                reference, report_ref, qty = queue.get_nowait()
            except gevent.queue.Empty:
                return
            try:
                client.call(
                    "sale.third.party.dispatch",
                    "sop_report_shipment",
                    reference,
                    [{"product_code": "LAB-3PL", "quantity": qty}],
                    "DHL",
                    [report_ref],
                    "",
                    report_ref,
                )
            except Exception as error:  # counted, the run goes on
                errors.append((report_ref, error))

    started = time.perf_counter()
    gevent.joinall([gevent.spawn(client_loop) for _ in range(clients)])
    elapsed = time.perf_counter() - started
    # Every order shipped and invoiced once for its 4 units; two reports each.
    total = sum(TPL_PARTS)
    lines = admin.call(
        "sale.order.line",
        "search_read",
        [("order_id", "in", order_ids)],
        fields=["order_id", "qty_delivered", "qty_invoiced"],
    )
    done = Counter(
        row["dispatch_id"][0]
        for row in admin.call(
            "sale.third.party.dispatch.report",
            "search_read",
            [("order_id", "in", order_ids)],
            fields=["dispatch_id"],
        )
    )
    states = admin.call(
        "sale.third.party.dispatch",
        "search_read",
        [("order_id", "in", order_ids)],
        fields=["name", "state"],
    )
    wrong = [
        f"order {row['order_id'][1]}: delivered {row['qty_delivered']}, "
        f"invoiced {row['qty_invoiced']} (expected {total})"
        for row in lines
        if row["qty_delivered"] != total or row["qty_invoiced"] != total
    ] + [
        f"{row['name']}: {row['state']}, {done[row['id']]} reports"
        for row in states
        if row["state"] != "shipped" or done[row["id"]] != len(TPL_PARTS)
    ]
    if len(states) != count:
        wrong.append(f"{len(states)} dispatch orders for {count} orders")
    return elapsed, errors, wrong


def run_locust(server, run, clients, run_time):
    """Locust, headless: ``clients`` users until every order is done or ``run_time``
    seconds have passed. Returns the elapsed seconds and whether time ran out."""
    OrderUser.shared = run
    env = Environment(user_classes=[OrderUser], host=server.url, stop_timeout=60)
    runner = env.create_local_runner()
    started = time.perf_counter()
    runner.start(clients, spawn_rate=clients)
    timed_out = False
    while len(run.results) < run.orders:
        if time.perf_counter() - started > run_time:
            timed_out = True
            break
        gevent.sleep(0.2)
    runner.quit()
    elapsed = time.perf_counter() - started
    print_stats(env.stats, current=False)
    print_percentile_stats(env.stats)
    return elapsed, timed_out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument(
        "--orders", type=int, default=int(os.environ.get("ORDERS", 500))
    )
    parser.add_argument(
        "--clients", type=int, default=int(os.environ.get("CLIENTS", 4))
    )
    parser.add_argument(
        "--run-time",
        type=int,
        default=int(os.environ.get("RUN_TIME", 600)),
        help="seconds at most; the run stops then, done or not",
    )
    parser.add_argument(
        "--shipments",
        type=int,
        default=int(os.environ.get("SHIPMENTS", 40)),
        help="third-party mix: 3PL orders whose shipments the clients report",
    )
    parser.add_argument(
        "--log", default=os.environ.get("LOAD_LOG", "/tmp/sop-load.log")
    )
    args = parser.parse_args()

    print(f"== fixtures in {args.db}", flush=True)
    # One environment for both (Odoo's configuration is parsed once per process).
    fixtures, tpl = rpc_lab.with_env(
        args.db,
        lambda env: (
            rpc_lab.fixtures(env),
            tpl_fixtures(env) if args.shipments else None,
        ),
    )
    print(
        f"== Odoo --workers=2, Locust: {args.clients} users, {args.orders} orders "
        f"(shares {({k: row['share'] for k, row in KIND_PLAN.items()})}), "
        f"at most {args.run_time}s",
        flush=True,
    )
    with rpc_lab.OdooServer(args.db, args.log) as server:
        admin = server.client()
        types = {kind: admin.ref(row["type"]) for kind, row in KIND_PLAN.items()}
        run = Run(args.db, fixtures, types, args.orders, uuid.uuid4().hex[:8])
        elapsed, timed_out = run_locust(server, run, args.clients, args.run_time)
        expected = {ref: kind for ref, kind, _id, error in run.results if not error}
        found, wrong, lost = check_orders(admin, run.run_id, expected)
        ship_elapsed, ship_errors, ship_wrong = 0.0, [], []
        if tpl:
            print(
                f"== third-party mix: {args.shipments} 3PL orders, {args.clients} "
                "API clients reporting each shipment twice",
                flush=True,
            )
            ship_elapsed, ship_errors, ship_wrong = run_shipments(
                server, args.db, fixtures, tpl, args.shipments, args.clients
            )
        server_errors, conflicts = server.error_lines()

    errors = [(ref, kind, error) for ref, kind, _id, error in run.results if error]
    # An order the client never heard of but that exists is not lost; one it was told
    # exists but cannot be found is.
    created = len(expected)
    kinds = Counter(kind for _ref, kind, _id, _error in run.results)
    print(
        f"orders: {created}/{args.orders} created and confirmed in {elapsed:.1f}s "
        f"= {created / elapsed:.1f} orders/s ({dict(kinds)})"
    )
    if timed_out:
        print(f"run time of {args.run_time}s reached before all orders were done")
    print(f"errors: {len(errors)}")
    for ref, kind, error in itertools.islice(errors, 10):
        print(f"   {ref} {kind}: {rpc_lab.short(error)}")
    print(f"lost orders: {len(lost)}")
    print(f"orders not as expected: {len(wrong)}")
    for line in wrong[:10]:
        print(f"   {line}")
    if tpl:
        print(
            f"shipment reports: {len(TPL_PARTS) * 2 * args.shipments} calls in "
            f"{ship_elapsed:.1f}s, errors: {len(ship_errors)}, "
            f"lost or double validations: {len(ship_wrong)}"
        )
        for ref, error in ship_errors[:10]:
            print(f"   {ref}: {rpc_lab.short(error)}")
        for line in ship_wrong[:10]:
            print(f"   {line}")
    print(f"serialization conflicts retried by Odoo: {conflicts}")
    print(f"other server ERROR log lines: {len(server_errors)}")
    for line in server_errors[:10]:
        print(f"   {line}")
    ok = (
        not (errors or lost or wrong or server_errors or timed_out)
        and found == created
        and not (ship_errors or ship_wrong)
    )
    print(f"load: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
