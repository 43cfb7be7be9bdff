"""Third-party orders against plain Odoo dropshipping of the same lines."""

from odoo import Command


def _dropship_products(b, count=50, vendors=5):
    """``count`` products, each with a price list entry of one of ``vendors``."""
    partners = b.env["res.partner"].create(
        [{"name": f"Bench vendor {b.uid('V')}"} for _i in range(vendors)]
    )
    products = b.products(count, stock=0.0)
    for index, product in enumerate(products):
        product.seller_ids = [
            Command.create({"partner_id": partners[index % vendors].id, "price": 5.0})
        ]
    return products


def case_third_party_confirm(b):
    products = _dropship_products(b)
    route = b.ref("stock_dropshipping.route_drop_shipping")
    standard = b.ref("sale_order_type.normal_sale_type")
    third_party = b.ref("sales_order_plus.type_third_party")
    third_party.third_party_auto_confirm = False  # RFQs, as plain Odoo leaves them

    def plain_dropship_order():
        order = b.order(standard, products)
        order.order_line.route_id = route
        return order

    baseline = "plain Odoo dropship: confirm (50 lines, 5 vendors)"
    b.measure(baseline, plain_dropship_order, lambda order: order.action_confirm())
    b.measure(
        "third-party order: confirm (50 lines, 5 vendors)",
        lambda: b.order(third_party, products),
        lambda order: order.action_confirm(),
        baseline=baseline,
    )

    # Both again with the purchase orders confirmed (dropship transfers created).
    def confirm_with_purchases(order):
        order.action_confirm()
        order.order_line.purchase_line_ids.order_id.button_confirm()

    baseline = "plain Odoo dropship: confirm + confirm POs (50 lines, 5 vendors)"
    b.measure(baseline, plain_dropship_order, confirm_with_purchases)

    def auto_confirming_order():
        third_party.third_party_auto_confirm = True
        return b.order(third_party, products)

    b.measure(
        "third-party order: confirm, POs auto-confirmed (50 lines, 5 vendors)",
        auto_confirming_order,
        lambda order: order.action_confirm(),
        baseline=baseline,
    )
    third_party.third_party_auto_confirm = False
