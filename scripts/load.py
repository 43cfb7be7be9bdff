"""`make load`: CLIENTS XML-RPC clients create and confirm ORDERS orders of mixed kinds
against Odoo served with --workers=2, then every order is checked against its kind's
expected outcome. Prints orders per second, errors (goal 0) and lost orders (goal 0);
exit code 1 when either is not 0 or an order is not as expected.

Usage (see scripts/load.sh, which creates and drops the database):
    python scripts/load.py DB [--orders 500] [--clients 4]
"""

import argparse
import itertools
import os
import sys
import threading
import time
import uuid
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rpc_lab  # noqa: E402

# What each kind's order must look like once confirmed: its state and how many
# transfers, invoices, payments and purchase orders it has. ``share`` is its weight in
# the mix; ``vals`` adds kind-specific order values (client, fixtures, n) -> dict.
# Today every kind falls back to standard behaviour; each kind's branch tightens its
# row (e.g. cash: 1 invoice, 1 payment; third_party: 0 transfers of ours, 1 PO).
KIND_PLAN = {
    "standard": {
        "type": "sale_order_type.normal_sale_type",
        "share": 2,
        "expect": {
            "state": "sale",
            "pickings": 1,
            "invoices": 0,
            "payments": 0,
            "purchases": 0,
        },
    },
    "cash": {
        "type": "sales_order_plus.type_cash_sale",
        "share": 1,
        "expect": {
            "state": "sale",
            "pickings": 1,
            "invoices": 0,
            "payments": 0,
            "purchases": 0,
        },
    },
    "rush": {
        "type": "sales_order_plus.type_rush_order",
        "share": 1,
        "expect": {
            "state": "sale",
            "pickings": 1,
            "invoices": 0,
            "payments": 0,
            "purchases": 0,
        },
    },
    "schedule": {
        "type": "sales_order_plus.type_delivery_schedule",
        "share": 1,
        "expect": {
            "state": "sale",
            "pickings": 1,
            "invoices": 0,
            "payments": 0,
            "purchases": 0,
        },
    },
    "third_party": {
        "type": "sales_order_plus.type_third_party",
        "share": 1,
        "expect": {
            "state": "sale",
            "pickings": 1,
            "invoices": 0,
            "payments": 0,
            "purchases": 0,
        },
    },
}


def plan(orders):
    """The kind of each order, interleaved by share (deterministic)."""
    cycle = [kind for kind, row in KIND_PLAN.items() for _i in range(row["share"])]
    return [cycle[n % len(cycle)] for n in range(orders)]


def order_vals(client, fixtures, types, kind, n, ref):
    products = fixtures["products"]
    vals = {
        "partner_id": fixtures["customers"][n % len(fixtures["customers"])],
        "type_id": types[kind],
        "client_order_ref": ref,
        "order_line": [
            (
                0,
                0,
                {
                    "product_id": products[(n + k) % len(products)],
                    "product_uom_qty": 1 + (n + k) % 3,
                },
            )
            for k in range(2)
        ],
    }
    extra = KIND_PLAN[kind].get("vals")
    if extra:
        vals.update(extra(client, fixtures, n))
    return vals


def run_client(server, fixtures, types, jobs, results, lock):
    client = server.client()
    for n, kind, ref in jobs:
        started = time.perf_counter()
        try:
            order_id = client.call(
                "sale.order",
                "create",
                order_vals(client, fixtures, types, kind, n, ref),
            )
            client.call("sale.order", "action_confirm", [order_id])
            outcome = (ref, kind, order_id, None)
        except Exception as error:  # every failure is counted, none stops the run
            outcome = (ref, kind, None, error)
        with lock:
            results.append(outcome + (time.perf_counter() - started,))


def check_orders(client, run_id, expected_refs):
    """Compare every order of this run with its kind's expectation."""
    rows = client.call(
        "sale.order",
        "search_read",
        [("client_order_ref", "=like", f"LOAD-{run_id}-%")],
        fields=[
            "client_order_ref",
            "state",
            "type_kind",
            "picking_ids",
            "invoice_ids",
            "purchase_order_count",
        ],
    )
    invoice_ids = [i for row in rows for i in row["invoice_ids"]]
    payments = {}
    if invoice_ids:
        for move in client.call(
            "account.move", "read", invoice_ids, fields=["matched_payment_ids"]
        ):
            payments[move["id"]] = len(move["matched_payment_ids"])
    found = {row["client_order_ref"]: row for row in rows}
    wrong = []
    for ref, kind in expected_refs.items():
        row = found.get(ref)
        if not row:
            continue
        got = {
            "state": row["state"],
            "pickings": len(row["picking_ids"]),
            "invoices": len(row["invoice_ids"]),
            "payments": sum(payments.get(i, 0) for i in row["invoice_ids"]),
            "purchases": row["purchase_order_count"],
        }
        expect = KIND_PLAN[kind]["expect"]
        if got != expect or row["type_kind"] != kind:
            wrong.append(f"{ref} ({kind}/{row['type_kind']}): {got} != {expect}")
    lost = sorted(set(expected_refs) - set(found))
    return len(rows), wrong, lost


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
        "--log", default=os.environ.get("LOAD_LOG", "/tmp/sop-load.log")
    )
    args = parser.parse_args()

    print(f"== fixtures in {args.db}", flush=True)
    fixtures = rpc_lab.with_env(args.db, rpc_lab.fixtures)
    run_id = uuid.uuid4().hex[:8]
    kinds = plan(args.orders)
    jobs = [(n, kind, f"LOAD-{run_id}-{n:05d}") for n, kind in enumerate(kinds)]
    print(
        f"== Odoo --workers=2, {args.clients} XML-RPC clients, {args.orders} orders "
        f"({dict(Counter(kinds))})",
        flush=True,
    )
    with rpc_lab.OdooServer(args.db, args.log) as server:
        admin = server.client()
        types = {kind: admin.ref(row["type"]) for kind, row in KIND_PLAN.items()}
        results, lock = [], threading.Lock()
        threads = [
            threading.Thread(
                target=run_client,
                args=(server, fixtures, types, jobs[c :: args.clients], results, lock),
            )
            for c in range(args.clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        expected = {
            ref: kind for ref, kind, order_id, error, _s in results if not error
        }
        found, wrong, lost = check_orders(admin, run_id, expected)
        server_errors, conflicts = server.error_lines()

    errors = [(ref, kind, error) for ref, kind, _id, error, _s in results if error]
    # An order the client never heard of but that exists is not lost; one it was told
    # exists but cannot be found is.
    created = len(expected)
    latencies = sorted(s for *_r, s in results)
    print(
        f"orders: {created}/{args.orders} created and confirmed in {elapsed:.1f}s "
        f"= {created / elapsed:.1f} orders/s"
    )
    print(
        f"latency per order (create + confirm): median "
        f"{latencies[len(latencies) // 2] * 1000:.0f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms"
    )
    print(f"errors: {len(errors)}")
    for ref, kind, error in itertools.islice(errors, 10):
        print(f"   {ref} {kind}: {rpc_lab.short(error)}")
    print(f"lost orders: {len(lost)}")
    print(f"orders not as expected: {len(wrong)}")
    for line in wrong[:10]:
        print(f"   {line}")
    print(f"serialization conflicts retried by Odoo: {conflicts}")
    print(f"other server ERROR log lines: {len(server_errors)}")
    for line in server_errors[:10]:
        print(f"   {line}")
    ok = not (errors or lost or wrong or server_errors) and found == created
    print(f"load: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
