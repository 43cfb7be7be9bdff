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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rpc_lab  # noqa: E402

# prepare(client, fixtures) -> subject; fire(client, subject) -> result;
# verify(client, subject) -> list of problems; successes: how many calls may succeed.
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


def _confirm(client, order_id):
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


CASES = [
    Case(
        "confirm the same standard quotation from two sessions",
        prepare=_quotation("sale_order_type.normal_sale_type"),
        fire=_confirm,
        verify=_order_documents(pickings=1),
        successes=1,
    ),
    # Today the kinds behave as standard orders; each kind's branch tightens its row.
    Case(
        "confirm the same cash sale from two sessions",
        prepare=_quotation("sales_order_plus.type_cash_sale"),
        fire=_confirm,
        verify=_order_documents(pickings=1, invoices=0, payments=0),
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
            outcomes[index] = ("ok", fire(client, subject))
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
