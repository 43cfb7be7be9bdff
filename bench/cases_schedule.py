"""Delivery schedule: confirming an order of 20 lines x N weekly dates (one picking per
date), against plain Odoo confirming 20 lines (one picking), and how it grows with N;
the 52 dates against the same 1,040 moves in plain Odoo (52 orders of 20 lines). The
shipped type reserves each date 7 days before it (Reserve Stock), as a new type does."""

from datetime import timedelta

from odoo import Command

LINES = 20


def _schedule_order(b, order_type, products, dates):
    return b.env["sale.order"].create(
        {
            "partner_id": b.customer().id,
            "type_id": order_type.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_uom_qty": float(len(dates)),
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


def case_schedule_confirm(b):
    standard = b.ref("sale_order_type.normal_sale_type")
    schedule = b.ref("sales_order_plus.type_delivery_schedule")
    # Release every date at confirmation; reserve as a new type does.
    schedule.write(
        {
            "schedule_release_horizon": 0,
            "schedule_reservation": "by_date",
            "schedule_reservation_days": 7,
        }
    )
    products = b.products(LINES, stock=100000.0)
    baseline = f"standard order: confirm ({LINES} lines, 1 picking)"
    b.measure(
        baseline,
        lambda: b.order(standard, products, qty=52.0),
        lambda order: order.action_confirm(),
    )
    # The same 1,040 moves in plain Odoo: 52 standard orders of 20 lines, the
    # baseline of the 52 dates (issue: at most half of it, time and queries).
    many = f"standard: 52 orders x {LINES} lines confirmed (52 pickings)"
    b.measure(
        many,
        lambda: b.env["sale.order"].concat(
            *(b.order(standard, products, qty=1.0) for _i in range(52))
        ),
        lambda orders: orders.action_confirm(),
        baseline=baseline,
        repeat=2,
    )
    start = b.today() + timedelta(days=7)
    for weeks in (13, 26, 52):
        dates = [start + timedelta(weeks=w) for w in range(weeks)]

        def check(order, weeks=weeks):
            order.action_confirm()
            assert len(order.picking_ids) == weeks, len(order.picking_ids)
            assert len(order.picking_ids.move_ids) == LINES * weeks

        b.measure(
            f"schedule: confirm {LINES} lines x {weeks} dates ({weeks} pickings)",
            lambda dates=dates: _schedule_order(b, schedule, products, dates),
            check,
            baseline=many if weeks == 52 else baseline,
            repeat=3 if weeks < 52 else 2,
        )
