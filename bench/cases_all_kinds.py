"""Every kind next to plain Odoo: one confirmed order of 10 lines each, same products.

The per-kind files measure each kind against its own plain-Odoo equivalent (the cash
chain by hand, a dropship order, 52 standard orders); this table puts the five kinds
side by side on the same 10-line order: what each kind's confirmation costs over a
standard one, documents included (cash: invoice, payment, delivery; schedule: one
delivery per date; third party: purchase orders instead of a delivery).
"""

from datetime import timedelta

from odoo import Command

LINES = 10


def case_all_kinds_10_lines(b):
    products = b.products(LINES, stock=100000.0)
    vendors = b.env["res.partner"].create(
        [{"name": f"Bench vendor {b.uid('V')}"} for _i in range(2)]
    )
    for index, product in enumerate(products):
        product.seller_ids = [
            Command.create({"partner_id": vendors[index % 2].id, "price": 5.0})
        ]
    standard = b.ref("sale_order_type.normal_sale_type")
    baseline = f"standard order: confirm ({LINES} lines) [all kinds baseline]"
    b.measure(
        baseline,
        lambda: b.order(standard, products),
        lambda order: order.action_confirm(),
    )
    cash = b.ref("sales_order_plus.type_cash_sale")
    rush = b.ref("sales_order_plus.type_rush_order")
    third_party = b.ref("sales_order_plus.type_third_party")
    schedule = b.ref("sales_order_plus.type_delivery_schedule")
    schedule.schedule_release_horizon = 0
    first = b.today() + timedelta(days=7)
    dates = [first, first + timedelta(weeks=1)]

    def schedule_order():
        return b.env["sale.order"].create(
            {
                "partner_id": b.customer().id,
                "type_id": schedule.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 2.0,
                            "schedule_line_ids": [
                                Command.create({"date": day, "product_uom_qty": 1.0})
                                for day in dates
                            ],
                        }
                    )
                    for product in products
                ],
            }
        )

    for label, prepare in (
        ("cash sale (counter, paid, handed over)", lambda: b.order(cash, products)),
        ("rush order", lambda: b.order(rush, products)),
        ("delivery schedule (2 dates, 2 deliveries)", schedule_order),
        (
            "third-party order (2 vendors, 2 RFQs)",
            lambda: b.order(third_party, products),
        ),
    ):
        b.measure(
            f"{label}: confirm ({LINES} lines)",
            prepare,
            lambda order: order.action_confirm(),
            baseline=baseline,
        )
