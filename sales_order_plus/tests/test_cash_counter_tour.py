# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestCashCounterTour(HttpCase):
    def test_collect_paid_half_cash_half_card(self):
        env = self.env
        company = env.company
        # No layout set up: the hand-over does not open Odoo's layout wizard.
        company.external_report_layout_id = False
        Journal = env["account.journal"]
        cash = Journal.search(
            [*Journal._check_company_domain(company), ("type", "=", "cash")], limit=1
        )
        card = Journal.create(
            {"name": "SOP Card Terminal", "code": "SOPCT", "type": "bank"}
        )
        collect_type = env["sale.order.type"].create(
            {
                "name": "SOP Tour Collect",
                "kind": "cash",
                "cash_handover": "collect",
                "cash_journal_ids": [Command.set((cash | card).ids)],
            }
        )
        product = env["product.product"].create(
            {
                "name": "SOP Tour Mattress",
                "is_storable": True,
                "list_price": 50.0,
                "invoice_policy": "order",
                "taxes_id": False,
            }
        )
        warehouse = env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )
        env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, 5.0
        )
        order = env["sale.order"].create(
            {
                "partner_id": env["res.partner"]
                .create({"name": "SOP Tour Collect Customer"})
                .id,
                "type_id": collect_type.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 2.0})
                ],
            }
        )
        order.action_confirm()
        self.assertTrue(order.sop_cash_awaiting_collection)
        self.start_tour(
            "/odoo/action-sales_order_plus.action_sale_cash_counter",
            "sop_cash_counter_tour",
            login="admin",
        )
        self.env.invalidate_all()
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(
            sorted(
                (p.journal_id.name, p.amount)
                for p in invoice._get_reconciled_payments()
            ),
            sorted([(card.name, 50.0), (cash.name, 50.0)]),
        )
        self.assertEqual(order.picking_ids.state, "done")
        self.assertEqual((order.sop_cash_tendered, order.sop_cash_change), (60.0, 10.0))
        self.assertFalse(order.sop_cash_awaiting_collection)
        self.assertIn("Cash tendered", order.message_ids[0].body)
