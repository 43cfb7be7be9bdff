"""`make concurrency`: the same XML-RPC call from two clients at the same instant
(threading.Barrier) against Odoo served with --workers=2, ROUNDS times per case.

Each case names its call, how many of the two may succeed, and what must exist
afterwards (no duplicate transfer, invoice, payment). The loser must get a clean
business error (a UserError, shown to the user; never a server traceback). Exit code 1
on any deviation.

Usage (see scripts/load.sh, which creates and drops the database):
    python scripts/concurrency_check.py DB [--rounds 5]

A kind adds its case to CASES, e.g. the cash sale (confirmation makes the invoice and
the payment), the schedule release or the vendor-bill posting of a third-party order.
"""

import argparse
import os
import re
import sys
import threading
from collections import Counter, namedtuple
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rpc_lab  # noqa: E402

# prepare(client, fixtures) -> subject; fire(client, subject, index) -> result (index:
# 0 or 1, which of the two clients); verify(client, subject) -> list of problems;
# successes: how many calls may succeed.
Case = namedtuple("Case", "name prepare fire verify successes")


def _quotation(type_xmlid):
    def prepare(client, fixtures):
        return client.call(
            "sale.order",
            "create",
            {
                "partner_id": fixtures["customers"][0],
                "type_id": client.ref(type_xmlid),
                "order_line": [
                    (
                        0,
                        0,
                        {"product_id": fixtures["products"][0], "product_uom_qty": 2},
                    )
                ],
            },
        )

    return prepare


def _confirm(client, order_id, _index=0):
    return client.call("sale.order", "action_confirm", [order_id])


def _order_documents(pickings=1, invoices=0, payments=0):
    def verify(client, order_id):
        order = client.call(
            "sale.order",
            "read",
            [order_id],
            fields=["state", "picking_ids", "invoice_ids"],
        )[0]
        got = {
            "state": order["state"],
            "pickings": len(order["picking_ids"]),
            "invoices": len(order["invoice_ids"]),
            "payments": 0,
        }
        if order["invoice_ids"]:
            moves = client.call(
                "account.move",
                "read",
                order["invoice_ids"],
                fields=["matched_payment_ids"],
            )
            got["payments"] = sum(len(m["matched_payment_ids"]) for m in moves)
        expect = {
            "state": "sale",
            "pickings": pickings,
            "invoices": invoices,
            "payments": payments,
        }
        return [] if got == expect else [f"order {order_id}: {got} != {expect}"]

    return verify


def _today():
    return datetime.now(timezone.utc).date()


# --- delivery schedule: the release job run by both workers at once -------------------
def _schedule_due_later(client, fixtures):
    """A confirmed schedule order whose four lines (two products, two dates) were not
    due at confirmation and are now: the next release job releases them."""
    type_id = client.call(
        "sale.order.type",
        "create",
        {"name": "Lab schedule", "kind": "schedule", "schedule_release_horizon": 7},
    )
    dates = [_today() + timedelta(days=30), _today() + timedelta(days=60)]
    order_id = client.call(
        "sale.order",
        "create",
        {
            "partner_id": fixtures["customers"][1],
            "type_id": type_id,
            "order_line": [
                (
                    0,
                    0,
                    {
                        "product_id": product,
                        "product_uom_qty": 5,
                        "schedule_line_ids": [
                            (0, 0, {"date": day.isoformat(), "product_uom_qty": qty})
                            for day, qty in zip(dates, (2, 3), strict=True)
                        ],
                    },
                )
                for product in fixtures["products"][:2]
            ],
        },
    )
    client.call("sale.order", "action_confirm", [order_id])
    # Now they fall into the horizon (as time would bring them).
    client.call("sale.order.type", "write", [type_id], {"schedule_release_horizon": 90})
    cron = client.call(
        "ir.cron",
        "read",
        [client.ref("sales_order_plus.ir_cron_schedule_release")],
        fields=["ir_actions_server_id"],
    )[0]
    lines = client.call(
        "sale.order.schedule.line", "search", [("order_id", "=", order_id)]
    )
    return {
        "order": order_id,
        "action": cron["ir_actions_server_id"][0],
        "lines": lines,
    }


def _run_release_job(client, subject, _index=0):
    # The nightly action only enqueues one job per agreement; what a job (or Release
    # Now on a few lines) runs is the release of the agreement's lines under their
    # row locks, here from two sessions at once. (The server action itself answers
    # None over XML-RPC, which cannot be marshalled.)
    return client.call(
        "sale.order.schedule.line", "action_sop_schedule_release_now", subject["lines"]
    )


def _released_once(client, subject):
    order_id = subject["order"]
    order = client.call("sale.order", "read", [order_id], fields=["picking_ids"])[0]
    lines = client.call(
        "sale.order.schedule.line",
        "search_read",
        [("order_id", "=", order_id)],
        fields=["state", "product_uom_qty", "move_ids", "date"],
    )
    moves = {
        m["id"]: m
        for m in client.call(
            "stock.move",
            "read",
            [m for line in lines for m in line["move_ids"]],
            fields=["product_uom_qty", "picking_id", "state"],
        )
    }
    problems = []
    if len(order["picking_ids"]) != 2:
        problems.append(f"order {order_id}: {len(order['picking_ids'])} transfers != 2")
    for line in lines:
        line_moves = [moves[m] for m in line["move_ids"]]
        if line["state"] != "released" or len(line_moves) != 1:
            problems.append(
                f"order {order_id} line {line['date']}: {line['state']}, "
                f"{len(line_moves)} moves"
            )
        elif line_moves[0]["product_uom_qty"] != line["product_uom_qty"]:
            problems.append(f"order {order_id} line {line['date']}: moved quantity")
    pickings_by_date = {}
    for line in lines:
        for move_id in line["move_ids"]:
            pickings_by_date.setdefault(line["date"], set()).add(
                moves[move_id]["picking_id"][0]
            )
    if any(len(p) != 1 for p in pickings_by_date.values()):
        problems.append(f"order {order_id}: transfers by date {pickings_by_date}")
    return problems


# --- third-party order billed on the vendor bill --------------------------------------
def _third_party_billed(parts):
    """A confirmed third-party order (2 units) whose confirmed purchase order has draft
    vendor bills of ``parts`` units each; the type invoices the customer when a vendor
    bill is posted."""

    def prepare(client, fixtures):
        type_id = client.call(
            "sale.order.type",
            "create",
            {
                "name": "Lab third-party on vendor bill",
                "kind": "third_party",
                "third_party_auto_confirm": True,
                "invoice_trigger": "vendor_bill",
            },
        )
        order_id = client.call(
            "sale.order",
            "create",
            {
                "partner_id": fixtures["customers"][2],
                "type_id": type_id,
                "order_line": [
                    (
                        0,
                        0,
                        {"product_id": fixtures["products"][0], "product_uom_qty": 2},
                    )
                ],
            },
        )
        client.call("sale.order", "action_confirm", [order_id])
        po_ids = client.call(
            "purchase.order", "search", [("order_line.sale_order_id", "=", order_id)]
        )
        bills = []
        for qty in parts:
            client.call("purchase.order", "action_create_invoice", po_ids)
            bill_id = client.call(
                "account.move",
                "search",
                [
                    ("move_type", "=", "in_invoice"),
                    ("line_ids.purchase_line_id.order_id", "in", po_ids),
                    ("id", "not in", bills),
                ],
            )[0]
            line_ids = client.call(
                "account.move.line",
                "search",
                [("move_id", "=", bill_id), ("purchase_line_id", "!=", False)],
            )
            client.call(
                "account.move",
                "write",
                [bill_id],
                {
                    "invoice_date": _today().isoformat(),
                    "invoice_line_ids": [(1, line_ids[0], {"quantity": qty})],
                },
            )
            bills.append(bill_id)
        return {"order": order_id, "bills": bills}

    return prepare


def _post_bill(client, subject, index=0):
    bills = subject["bills"]
    return client.call("account.move", "action_post", [bills[index % len(bills)]])


def _customer_invoiced(qty):
    """One customer invoice per posted bill, together exactly the billed ``qty``."""

    def verify(client, subject):
        order_id = subject["order"]
        bills = client.call("account.move", "read", subject["bills"], fields=["state"])
        line = client.call(
            "sale.order.line",
            "search_read",
            [("order_id", "=", order_id)],
            fields=["qty_invoiced", "invoice_lines"],
        )[0]
        invoice_lines = client.call(
            "account.move.line",
            "read",
            line["invoice_lines"],
            fields=["move_id", "quantity", "parent_state"],
        )
        posted_bills = sum(b["state"] == "posted" for b in bills)
        invoices = {il["move_id"][0] for il in invoice_lines}
        invoiced = sum(il["quantity"] for il in invoice_lines)
        problems = []
        if posted_bills != len(bills):
            problems.append(f"order {order_id}: {posted_bills} posted bills")
        if (
            len(invoices) != len(bills)
            or invoiced != qty
            or line["qty_invoiced"] != qty
        ):
            problems.append(
                f"order {order_id}: {len(invoices)} customer invoices for "
                f"{len(bills)} bills, {invoiced} invoiced != {qty}"
            )
        if any(il["parent_state"] != "posted" for il in invoice_lines):
            problems.append(f"order {order_id}: customer invoice not posted")
        return problems

    return verify


# --- availability: two rush orders for the last units ---------------------------------
def _rush_last_units(client, fixtures):
    """Two rush quotations for the same 3 last units of a product no vendor sells (no
    receipt, no lead time): only one of them can be promised today."""
    type_id = client.call(
        "sale.order.type",
        "create",
        {
            "name": "Lab rush last units",
            "kind": "rush",
            "availability_policy": "partial",
        },
    )
    product_id = client.call(
        "product.product",
        "create",
        {"name": "Lab last units", "type": "consu", "is_storable": True},
    )
    quant_id = client.call(
        "stock.quant",
        "create",
        {
            "product_id": product_id,
            "location_id": client.ref("stock.stock_location_stock"),
            "inventory_quantity": 3,
        },
    )
    client.call("stock.quant", "action_apply_inventory", [quant_id])
    orders = [
        client.call(
            "sale.order",
            "create",
            {
                "partner_id": fixtures["customers"][3 + n],
                "type_id": type_id,
                "order_line": [
                    (0, 0, {"product_id": product_id, "product_uom_qty": 3})
                ],
            },
        )
        for n in range(2)
    ]
    return {"orders": orders, "product": product_id}


def _confirm_own(client, subject, index=0):
    return client.call("sale.order", "action_confirm", [subject["orders"][index]])


def _promised_once(client, subject):
    orders = client.call(
        "sale.order",
        "read",
        subject["orders"],
        fields=["state", "sop_availability_state", "picking_ids"],
    )
    confirmed = [o for o in orders if o["state"] == "sale"]
    moves = client.call(
        "stock.move",
        "search_read",
        [("product_id", "=", subject["product"]), ("state", "!=", "cancel")],
        fields=["product_uom_qty"],
    )
    promised = sum(m["product_uom_qty"] for m in moves)
    problems = []
    if len(confirmed) != 1 or confirmed[0]["sop_availability_state"] != "full":
        problems.append(f"orders {subject['orders']}: {orders}")
    if promised != 3:
        problems.append(f"orders {subject['orders']}: {promised} units promised != 3")
    return problems


# --- cash sale reserved for collection: Pay and Hand Over on two tablets -------------
def _collect_order(client, fixtures):
    """A confirmed cash sale reserved for collection (no invoice, no payment yet)."""
    type_ids = client.call(
        "sale.order.type", "search", [("name", "=", "Lab click and collect")]
    )
    if type_ids:
        type_id = type_ids[0]
    else:
        type_id = client.call(
            "sale.order.type",
            "create",
            {
                "name": "Lab click and collect",
                "kind": "cash",
                "cash_handover": "collect",
            },
        )
    order_id = client.call(
        "sale.order",
        "create",
        {
            "partner_id": fixtures["customers"][2],
            "type_id": type_id,
            "order_line": [
                (0, 0, {"product_id": fixtures["products"][0], "product_uom_qty": 2})
            ],
        },
    )
    client.call("sale.order", "action_confirm", [order_id])
    return order_id


def _hand_over(client, order_id, _index=0):
    wizard_id = client.call("sale.cash.handover", "create", {"order_id": order_id})
    return client.call("sale.cash.handover", "action_hand_over", [wizard_id])


CASES = [
    Case(
        "confirm the same standard quotation from two sessions",
        prepare=_quotation("sale_order_type.normal_sale_type"),
        fire=_confirm,
        verify=_order_documents(pickings=1),
        successes=1,
    ),
    # Invoice, payment and hand-over in the confirmation: exactly once.
    Case(
        "confirm the same cash sale from two sessions",
        prepare=_quotation("sales_order_plus.type_cash_sale"),
        fire=_confirm,
        verify=_order_documents(pickings=1, invoices=1, payments=1),
        successes=1,
    ),
    Case(
        "confirm the same rush order from two sessions",
        prepare=_quotation("sales_order_plus.type_rush_order"),
        fire=_confirm,
        verify=_order_documents(pickings=1),
        successes=1,
    ),
    # Both runs succeed: each schedule line is released by one of them only (row
    # locks, SKIP LOCKED), one transfer per date, one move per line.
    Case(
        "release schedule lines from both workers at once",
        prepare=_schedule_due_later,
        fire=_run_release_job,
        verify=_released_once,
        successes=2,
    ),
    # Both sessions compute from the same 3 units: the second one fails to
    # serialize on the product's row lock, Odoo retries it, and it sees them taken
    # (no receipt, no vendor: refused).
    Case(
        "confirm two rush orders for the last units at once",
        prepare=_rush_last_units,
        fire=_confirm_own,
        verify=_promised_once,
        successes=1,
    ),
    Case(
        "post the same vendor bill of a third-party order from two sessions",
        prepare=_third_party_billed([2]),
        fire=_post_bill,
        verify=_customer_invoiced(2),
        successes=1,
    ),
    Case(
        "post two vendor bills of one third-party order at once",
        prepare=_third_party_billed([1, 1]),
        fire=_post_bill,
        verify=_customer_invoiced(2),
        successes=2,
    ),
    # Two tablets take the same customer's money and goods: one hand-over, one
    # invoice, one payment; the other tablet is told it is already being handed over.
    Case(
        "pay and hand over the same collect order from two tablets",
        prepare=_collect_order,
        fire=_hand_over,
        verify=_order_documents(pickings=1, invoices=1, payments=1),
        successes=1,
    ),
]


def fire_together(clients, fire, subject):
    """Both clients call ``fire`` once the barrier opens; returns their outcomes."""
    barrier = threading.Barrier(len(clients))
    outcomes = [None] * len(clients)

    def run(index, client):
        barrier.wait(timeout=60)
        try:
            outcomes[index] = ("ok", fire(client, subject, index))
        except Exception as error:  # the outcome is what we check
            outcomes[index] = (rpc_lab.fault_kind(error), rpc_lab.short(error))

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcomes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", 5)))
    parser.add_argument(
        "--log", default=os.environ.get("LOAD_LOG", "/tmp/sop-concurrency.log")
    )
    args = parser.parse_args()

    fixtures = rpc_lab.with_env(args.db, rpc_lab.fixtures)
    failures = 0
    with rpc_lab.OdooServer(args.db, args.log) as server:
        admin = server.client()
        clients = [server.client(), server.client()]
        for case in CASES:
            losers = Counter()
            problems = []
            for round_no in range(args.rounds):
                subject = case.prepare(admin, fixtures)
                outcomes = fire_together(clients, case.fire, subject)
                wins = [o for o in outcomes if o and o[0] == "ok"]
                if len(wins) != case.successes:
                    problems.append(
                        f"round {round_no}: {len(wins)} successes {outcomes}"
                    )
                for outcome in outcomes:
                    if outcome is None:
                        problems.append(f"round {round_no}: a call did not return")
                    elif outcome[0] == "crash":
                        problems.append(f"round {round_no}: server error {outcome[1]}")
                    elif outcome[0] == "user":
                        # One line per kind of message, whatever the order.
                        losers[re.sub(r"\w*\d\w*", "#", outcome[1])[:110]] += 1
                problems += case.verify(admin, subject)
            status = "FAIL" if problems else "PASS"
            failures += bool(problems)
            print(f"{status}: {case.name} ({args.rounds} rounds)")
            for message, count in losers.most_common():
                print(f"   loser x{count}: {message}")
            for problem in problems[:10]:
                print(f"   {problem}")
        server_errors, conflicts = server.error_lines()
    print(f"serialization conflicts retried by Odoo: {conflicts}")
    if server_errors:
        failures += 1
        print(f"FAIL: {len(server_errors)} ERROR lines in the server log")
        for line in server_errors[:10]:
            print(f"   {line}")
    print(f"concurrency: {'PASS' if not failures else 'FAIL'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
