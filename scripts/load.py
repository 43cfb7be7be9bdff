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
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

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


def plan(orders):
    """The kind of each order, interleaved by share (deterministic)."""
    cycle = [kind for kind, row in KIND_PLAN.items() for _i in range(row["share"])]
    return [cycle[n % len(cycle)] for n in range(orders)]


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


def run_client(server, fixtures, types, jobs, results, lock):
    client = server.client()
    for n, kind, ref in jobs:
        started = time.perf_counter()
        try:
            order_id = client.call(
                "sale.order",
                "create",
                order_vals(fixtures, types, kind, n, ref),
            )
            client.call("sale.order", "action_confirm", [order_id])
            outcome = (ref, kind, order_id, None)
        except Exception as error:  # every failure is counted, none stops the run
            outcome = (ref, kind, None, error)
        with lock:
            results.append(outcome + (time.perf_counter() - started,))


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
