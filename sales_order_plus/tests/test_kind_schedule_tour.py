# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestKindScheduleTour(HttpCase):
    def test_schedule_tour(self):
        customer = self.env["res.partner"].create({"name": "SOP Tour Customer"})
        product = self.env["product.product"].create(
            {
                "name": "SOP Tour Product",
                "type": "consu",
                "is_storable": True,
                "list_price": 5,
            }
        )
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        self.env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, 100.0
        )
        self.env.ref(
            "sales_order_plus.type_delivery_schedule"
        ).schedule_release_horizon = 0
        self.start_tour("/odoo/sales", "sop_schedule_tour", login="admin")
        order = self.env["sale.order"].search([("partner_id", "=", customer.id)])
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.type_kind, "schedule")
        self.assertEqual(
            [(s.date, s.product_uom_qty, s.state) for s in order.schedule_line_ids],
            [(date(2035, 6, 1), 4.0, "released"), (date(2035, 7, 1), 6.0, "released")],
        )
        self.assertEqual(
            sorted(
                (p.scheduled_date.date(), p.move_ids.product_uom_qty)
                for p in order.picking_ids
            ),
            [(date(2035, 6, 1), 4.0), (date(2035, 7, 1), 6.0)],
        )
