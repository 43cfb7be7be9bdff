"""Plain Odoo's standard order: the reference every kind is compared with."""


def case_standard_order(b):
    order_type = b.ref("sale_order_type.normal_sale_type")
    products = b.products(10)
    b.measure(
        "standard order: confirm (10 lines)",
        lambda: b.order(order_type, products),
        lambda order: order.action_confirm(),
    )
