"""Availability at confirmation: a 50-line rush order confirmed with the check against
the same order without it, and the check alone for 5 and 50 lines (its queries do not
grow with the lines: one batch per warehouse)."""


def _rush_types(b):
    rush_type = b.ref("sales_order_plus.type_rush_order")
    rush_type.write(
        {
            "rush_fee_product_id": False,
            "invoice_trigger": "delivery",
            "availability_policy": "partial",
        }
    )
    unchecked = rush_type.copy({"name": "Bench rush without check"})
    # A rush type without the check is refused by its constraint: the baseline is
    # written below the ORM, for the measure only (the bench rolls back).
    b.env.cr.execute(
        "UPDATE sale_order_type SET availability_policy = 'none' WHERE id = %s",
        [unchecked.id],
    )
    unchecked.invalidate_recordset(["availability_policy"])
    return rush_type, unchecked


def case_availability_rush_confirm(b):
    rush_type, unchecked = _rush_types(b)
    # One set of products per flow, as in cases_rush.
    products, checked_products = b.products(50, stock=10.0), b.products(50, stock=10.0)
    baseline = "rush order: confirm (50 lines) without availability check"
    b.measure(
        baseline,
        lambda: b.order(unchecked, products),
        lambda order: order.action_confirm(),
    )
    b.measure(
        "rush order: confirm (50 lines) with availability check",
        lambda: b.order(rush_type, checked_products),
        lambda order: order.action_confirm(),
        baseline=baseline,
    )


def case_availability_check_lines(b):
    rush_type, _unchecked = _rush_types(b)
    products = b.products(50, stock=1000.0)
    baseline = "availability check alone (5 lines)"
    b.measure(
        baseline,
        lambda: b.order(rush_type, products[:5]),
        lambda order: order._sop_availability_confirm(),
    )
    b.measure(
        "availability check alone (50 lines)",
        lambda: b.order(rush_type, products),
        lambda order: order._sop_availability_confirm(),
        baseline=baseline,
    )
