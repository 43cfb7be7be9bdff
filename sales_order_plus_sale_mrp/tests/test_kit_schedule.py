# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.sales_order_plus.tests.test_kind_schedule import ScheduleCase


@tagged("post_install", "-at_install")
class TestKitSchedule(ScheduleCase):
    """A kit (phantom bill of materials: 2 frames and 1 wheel per kit) on a delivery
    schedule: its parts are procured once per date, in the date's quantity of kits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.frame, cls.wheel = Product.create(
            [
                {"name": "SOP Kit Frame", "type": "consu", "is_storable": True},
                {"name": "SOP Kit Wheel", "type": "consu", "is_storable": True},
            ]
        )
        for part in cls.frame | cls.wheel:
            cls.env["stock.quant"]._update_available_quantity(
                part, cls.stock_location, 500.0
            )
        cls.kit = Product.create(
            {
                "name": "SOP Kit Cart",
                "type": "consu",
                "list_price": 50.0,
                "invoice_policy": "delivery",
            }
        )
        cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.kit.product_tmpl_id.id,
                "type": "phantom",
                "bom_line_ids": [
                    Command.create({"product_id": cls.frame.id, "product_qty": 2.0}),
                    Command.create({"product_id": cls.wheel.id, "product_qty": 1.0}),
                ],
            }
        )

    def _parts(self, sched):
        """{part: quantity} of the schedule line's moves that are not cancelled."""
        parts = {}
        for move in sched.move_ids.filtered(lambda m: m.state != "cancel"):
            parts[move.product_id] = parts.get(move.product_id, 0.0) + (
                move.product_uom_qty
            )
        return parts

    def _kits(self, qty):
        return {self.frame: 2.0 * qty, self.wheel: 1.0 * qty}

    @freeze_time("2030-01-01")
    def test_kit_procured_once_per_date(self):
        d1, d2 = date(2030, 1, 10), date(2030, 2, 10)
        order = self._schedule_order({self.kit: [(d1, 2.0), (d2, 3.0)]})
        order.action_confirm()
        self.assertEqual(self._parts(self._line(order, self.kit, d1)), self._kits(2))
        self.assertEqual(self._parts(self._line(order, self.kit, d2)), self._kits(3))
        self.assertEqual(len(order.picking_ids), 2)
        # Relaunching Odoo's procurement (what a quantity change or a reconfirmation
        # does) adds no part.
        order.order_line._action_launch_stock_rule()
        self.assertEqual(self._parts(self._line(order, self.kit, d1)), self._kits(2))
        self.assertEqual(self._parts(self._line(order, self.kit, d2)), self._kits(3))
        self.assertEqual(len(order.picking_ids.move_ids), 4)

    def test_release_adds_only_the_released_date(self):
        self.type_schedule.schedule_release_horizon = 14
        d1, d2 = date(2030, 1, 5), date(2030, 1, 20)
        with freeze_time("2030-01-01"):
            order = self._schedule_order({self.kit: [(d1, 2.0), (d2, 3.0)]})
            order.action_confirm()
            self.assertEqual(
                self._parts(self._line(order, self.kit, d1)), self._kits(2)
            )
            self.assertFalse(self._line(order, self.kit, d2).move_ids)
        with freeze_time("2030-01-08"):
            self._release_cron()
        self.assertEqual(self._line(order, self.kit, d2).state, "released")
        self.assertEqual(self._parts(self._line(order, self.kit, d1)), self._kits(2))
        self.assertEqual(self._parts(self._line(order, self.kit, d2)), self._kits(3))
        self.assertEqual(len(order.picking_ids), 2)

    @freeze_time("2030-01-01")
    def test_revision_procures_the_difference(self):
        d1, d2 = date(2030, 1, 10), date(2030, 2, 10)
        order = self._schedule_order({self.kit: [(d1, 2.0), (d2, 3.0)]})
        order.action_confirm()
        sched = self._line(order, self.kit, d1)
        sched.product_uom_qty = 5.0
        self.assertEqual(self._parts(sched), self._kits(5))
        self.assertEqual(self._parts(self._line(order, self.kit, d2)), self._kits(3))
        self.assertEqual(order.order_line.product_uom_qty, 8.0)
        self._end_request()
        # Down again: every part of the date shrinks by its share of the kits.
        sched.product_uom_qty = 1.0
        self.assertEqual(self._parts(sched), self._kits(1))
        self.assertEqual(self._parts(self._line(order, self.kit, d2)), self._kits(3))
        self.assertEqual(order.order_line.product_uom_qty, 4.0)
        self._end_request()
        self.assertEqual(order.schedule_revision, 2)
