# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestScheduleVersionTour(HttpCase):
    def test_schedule_version_tour(self):
        """Receive a version (held: +50 % inside the firm zone), see the comparison,
        apply it, see the new delivery."""
        schedule_type = self.env.ref("sales_order_plus.type_delivery_schedule")
        schedule_type.write(
            {
                "schedule_release_horizon": 0,
                "schedule_version_tolerance": True,
                "schedule_tolerance_qty_percent": 10.0,
            }
        )
        customer = self.env["res.partner"].create({"name": "SOP Tour Buyer"})
        product = self.env["product.product"].create(
            {"name": "SOP Tour Gear", "type": "consu", "is_storable": True}
        )
        # On hand: confirming promises the due schedule (availability check).
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        self.env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, 20.0
        )
        day = fields.Date.today() + timedelta(days=30)
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "type_id": schedule_type.id,
                "client_order_ref": "AG-TOUR",
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 10.0,
                            "schedule_line_ids": [
                                Command.create({"date": day, "product_uom_qty": 10.0})
                            ],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        Version = self.env["sale.order.schedule.version"]
        for number, qty in (("TOUR-V1", 10.0), ("TOUR-V2", 15.0)):
            Version.create(
                {
                    "order_id": order.id,
                    "name": number,
                    "document_date": fields.Date.today(),
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "date": day,
                                "product_uom_qty": qty,
                            }
                        )
                    ],
                }
            )._sop_version_receive()
        held = Version.search([("name", "=", "TOUR-V2")])
        self.assertEqual(held.state, "held")
        self.start_tour(
            "/odoo/action-sales_order_plus.action_sale_order_schedule_version",
            "sop_schedule_version_tour",
            login="admin",
        )
        self.assertEqual(held.state, "applied")
        self.assertEqual(
            [(s.date, s.product_uom_qty, s.state) for s in order.schedule_line_ids],
            [(day, 15.0, "released")],
        )
        moves = order.picking_ids.move_ids.filtered(lambda m: m.state != "cancel")
        self.assertEqual(sum(moves.mapped("product_uom_qty")), 15.0)
