"""Rush order: confirmation against a standard order's, and the invoice after delivery
against the same steps done by hand."""


def case_rush_confirm(b):
    rush_type = b.ref("sales_order_plus.type_rush_order")
    rush_type.write({"rush_fee_product_id": False, "invoice_trigger": "delivery"})
    standard_type = b.ref("sale_order_type.normal_sale_type")
    # One set of products per flow, as in cases_cash.
    products, rush_products = b.products(10), b.products(10)
    baseline = "standard order: confirm (10 lines) [rush baseline]"
    b.measure(
        baseline,
        lambda: b.order(standard_type, products),
        lambda order: order.action_confirm(),
    )
    b.measure(
        "rush order: confirm (10 lines)",
        lambda: b.order(rush_type, rush_products),
        lambda order: order.action_confirm(),
        baseline=baseline,
    )


def case_rush_deliver(b):
    rush_type = b.ref("sales_order_plus.type_rush_order")
    rush_type.write({"rush_fee_product_id": False, "invoice_trigger": "delivery"})
    standard_type = b.ref("sale_order_type.normal_sale_type")
    products = {
        order_type: b.products(10, invoice_policy="delivery")
        for order_type in (standard_type, rush_type)
    }

    def confirmed(order_type):
        order = b.order(order_type, products[order_type])
        order.action_confirm()
        return order

    def validate(order):
        picking = order.picking_ids
        picking.move_ids.picked = True
        picking.button_validate()

    def by_hand(order):
        validate(order)
        order._create_invoices().action_post()

    baseline = "by hand: validate delivery+invoice+post (10 lines)"
    b.measure(baseline, lambda: confirmed(standard_type), by_hand)
    b.measure(
        "rush order: validate delivery, auto invoice (10 lines)",
        lambda: confirmed(rush_type),
        validate,
        baseline=baseline,
    )
