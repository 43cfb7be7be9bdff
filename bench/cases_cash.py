"""Cash sale: one confirmation settles everything, against the same steps done by hand
through Odoo's standard API on a standard order."""


def _cash_journal(b):
    journal = b.env["account.journal"]
    return journal.search(
        [*journal._check_company_domain(b.env.company), ("type", "=", "cash")], limit=1
    )


def case_cash_sale(b):
    cash_type = b.ref("sales_order_plus.type_cash_sale")
    cash_type.write({"cash_handover": "counter", "cash_payment_journal_id": False})
    standard_type = b.ref("sale_order_type.normal_sale_type")
    # One set of products per flow: deliveries pile up stock history on a product,
    # which would slow down whichever flow runs second.
    products, cash_products = b.products(10), b.products(10)
    journal = _cash_journal(b)

    def by_hand(order):
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.action_post()
        b.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"journal_id": journal.id})._create_payments()
        picking = order.picking_ids
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True).button_validate()

    baseline = "by hand: confirm+invoice+post+pay+deliver (10 lines)"
    b.measure(baseline, lambda: b.order(standard_type, products), by_hand)
    b.measure(
        "cash sale (counter): confirm (10 lines)",
        lambda: b.order(cash_type, cash_products),
        lambda order: order.action_confirm(),
        baseline=baseline,
    )
