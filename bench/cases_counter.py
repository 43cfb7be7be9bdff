"""The counter: Pay and Hand Over of a 10-line order reserved for collection (half
cash, half card), against the same steps done by hand through Odoo's standard API
(validate the delivery, invoice, post, two payments) on a confirmed standard order."""

from odoo import Command


def _journals(b):
    journal = b.env["account.journal"]
    domain = journal._check_company_domain(b.env.company)
    return (
        journal.search([*domain, ("type", "=", "cash")], limit=1),
        journal.search([*domain, ("type", "=", "bank")], limit=1),
    )


def case_counter_pay_and_hand_over(b):
    cash, card = _journals(b)
    collect_type = b.env["sale.order.type"].create(
        {
            "name": "Bench click and collect",
            "kind": "cash",
            "cash_handover": "collect",
            "cash_journal_ids": [Command.set((cash | card).ids)],
        }
    )
    standard_type = b.ref("sale_order_type.normal_sale_type")
    # One set of products per flow (stock history would slow the second one).
    products, counter_products = b.products(10), b.products(10)

    def confirmed(order_type, items):
        def prepare():
            order = b.order(order_type, items)
            order.action_confirm()
            return order

        return prepare

    def by_hand(order):
        picking = order.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        invoice = order._create_invoices()
        invoice.action_post()
        half = invoice.amount_total / 2
        for journal, amount in ((cash, half), (card, invoice.amount_residual - half)):
            b.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create(
                {
                    "journal_id": journal.id,
                    "amount": amount,
                    "payment_difference_handling": "open",
                }
            )._create_payments()

    def hand_over(order):
        # As at the counter: the wizard lists the cash and card lines, the cashier
        # types the two amounts and the cash tendered.
        wizard = b.env["sale.cash.handover"].create({"order_id": order.id})
        half = wizard.amount_due / 2
        cash_line, card_line = wizard.payment_ids
        wizard.write(
            {
                "amount_tendered": half + 10.0,
                "payment_ids": [
                    Command.update(cash_line.id, {"amount": half}),
                    Command.update(card_line.id, {"amount": wizard.amount_due - half}),
                ],
            }
        )
        wizard.action_hand_over()

    baseline = "by hand: deliver+invoice+post+pay cash+pay card (10 lines)"
    b.measure(baseline, confirmed(standard_type, products), by_hand)
    b.measure(
        "counter: pay and hand over, half cash half card (10 lines)",
        confirmed(collect_type, counter_products),
        hand_over,
        baseline=baseline,
    )
