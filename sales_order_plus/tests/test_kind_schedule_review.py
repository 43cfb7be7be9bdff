# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Defects of the delivery schedule found by the code review (issue 11)."""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_kind_schedule import ScheduleCase


@tagged("post_install", "-at_install")
class TestKindScheduleOnlyOnScheduleOrders(ScheduleCase):
    """Item 1: schedule lines exist only on orders of kind schedule."""

    @freeze_time("2030-01-01")
    def test_type_switched_away_drops_the_schedule(self):
        # Trigger A: a schedule quotation switched to a normal order and confirmed.
        self.type_schedule.schedule_release_horizon = 7
        order = self._schedule_order(
            {self.product: [(date(2030, 1, 5), 4.0), (date(2030, 2, 10), 6.0)]}
        )
        order.type_id = self.type_standard
        order.action_confirm()
        with freeze_time("2030-02-05"):
            self._release_cron()
        moves = order.picking_ids.move_ids.filtered(lambda m: m.state != "cancel")
        self.assertEqual(sum(moves.mapped("product_uom_qty")), 10.0)
        self.assertEqual(order.order_line.product_uom_qty, 10.0)
        self.assertFalse(order.schedule_line_ids)

    @freeze_time("2030-01-01")
    def test_schedule_line_refused_on_a_standard_order(self):
        # Trigger B: Delivery Schedule > New on a line of a confirmed standard order.
        order = self._create_order(self.type_standard, lines=[(self.product, 2.0)])
        order.action_confirm()
        pickings = order.picking_ids
        with self.assertRaisesRegex(ValidationError, "delivery schedule orders"):
            self.Schedule.create(
                {
                    "order_line_id": order.order_line.id,
                    "date": date(2030, 1, 10),
                    "product_uom_qty": 3.0,
                }
            )
        self.assertEqual(order.picking_ids, pickings)
        self.assertEqual(order.order_line.product_uom_qty, 2.0)
        self.assertEqual(pickings.move_ids.product_uom_qty, 2.0)

    @freeze_time("2030-01-01")
    def test_release_job_ignores_lines_of_other_kinds(self):
        # Lines left from before the rule (an order whose type changed in the
        # database): the job does not release them.
        self.type_schedule.schedule_release_horizon = 7
        order = self._schedule_order({self.product: [(date(2030, 2, 10), 3.0)]})
        order.action_confirm()
        self.assertFalse(order.picking_ids)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sale_order SET type_id = %s, type_kind = 'standard' WHERE id = %s",
            (self.type_standard.id, order.id),
        )
        order.invalidate_recordset()
        line = order.schedule_line_ids
        self.assertFalse(line._sop_schedule_is_due(date(2030, 2, 10)))
        with freeze_time("2030-02-05"):
            self._release_cron()
        self.assertEqual(line.state, "planned")
        self.assertFalse(order.picking_ids)


@tagged("post_install", "-at_install")
class TestKindScheduleReleaseFailures(ScheduleCase):
    """Item 5: one failing procurement does not stop the nightly release."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_schedule.schedule_release_horizon = 7
        mto = cls.env.ref("stock.route_warehouse0_mto")
        mto.active = True
        buy = cls.env.ref("purchase_stock.route_warehouse0_buy")
        # Made to order and bought, but nobody sells it to us: procurement fails.
        cls.no_vendor = cls.env["product.product"].create(
            {
                "name": "SOP MTO No Vendor",
                "is_storable": True,
                "route_ids": [Command.set((mto | buy).ids)],
            }
        )
        # Bought, but taken from stock for a sale: its vendor is removed before the
        # release (the review's trigger).
        vendor = cls.env["res.partner"].create({"name": "SOP Gone Vendor"})
        cls.vendor_gone = cls.env["product.product"].create(
            {
                "name": "SOP Vendor Gone",
                "is_storable": True,
                "route_ids": [Command.set(buy.ids)],
                "seller_ids": [Command.create({"partner_id": vendor.id})],
            }
        )

    def test_failing_order_reported_others_released(self):
        day = date(2030, 1, 20)
        with freeze_time("2030-01-01"):
            failing = self._schedule_order({self.no_vendor: [(day, 1.0)]})
            good = self._schedule_order({self.product: [(day, 2.0)]})
            gone = self._schedule_order({self.vendor_gone: [(day, 3.0)]})
            (failing | good | gone).action_confirm()
            self.assertFalse((failing | good | gone).picking_ids)
            self.vendor_gone.seller_ids.unlink()
        with freeze_time("2030-01-15"):
            self._release_cron()
            self._release_cron()  # the next night
        self.assertEqual(good.schedule_line_ids.state, "released")
        self.assertEqual(good.picking_ids.move_ids.product_uom_qty, 2.0)
        # A product taken from stock does not need its vendor to be released.
        self.assertEqual(gone.schedule_line_ids.state, "released")
        self.assertEqual(gone.picking_ids.move_ids.product_uom_qty, 3.0)
        # The failing order is left planned, with one warning for its salesperson.
        self.assertEqual(failing.schedule_line_ids.state, "planned")
        self.assertFalse(failing.picking_ids)
        warning = self.env.ref("mail.mail_activity_data_warning")
        activities = failing.activity_ids.filtered(
            lambda a: a.activity_type_id == warning
        )
        self.assertEqual(len(activities), 1)
        self.assertIn("SOP MTO No Vendor", str(activities.note))
        self.assertFalse(good.activity_ids)


@tagged("post_install", "-at_install")
class TestKindScheduleMultiStepRevision(ScheduleCase):
    """Item 7: quantity raised after the pick in 2- and 3-step deliveries."""

    def _finish(self, sched):
        """Validate the schedule line's transfers step by step until none is open."""
        for _step in range(6):
            pending = sched.move_ids.filtered(
                lambda m: m.state not in ("done", "cancel")
            ).picking_id
            if not pending:
                return
            for picking in pending.filtered(lambda p: p.state == "assigned"):
                self._deliver(picking)
        self.fail("transfers left open")

    def _check_raise_after_pick(self, steps):
        self.warehouse.delivery_steps = steps
        # Each step's stock reserved at release: the steps are validated as they come.
        self.type_schedule.schedule_reservation = "release"
        d1 = date(2030, 1, 10)
        order = self._schedule_order(
            {self.product: [(d1, 2.0), (date(2030, 2, 10), 1.0)]}
        )
        order.action_confirm()
        sched = self._line(order, self.product, d1)
        self._deliver(sched.move_ids.picking_id)  # the pick
        pushed = sched.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        self.assertEqual(pushed.product_uom_qty, 2.0)
        pick_type = self.warehouse.pick_type_id

        def open_picks():
            return sched.move_ids.filtered(
                lambda m: m.state not in ("done", "cancel")
                and m.picking_type_id == pick_type
            )

        sched.product_uom_qty = 5.0
        self.assertEqual(pushed.product_uom_qty, 2.0)  # not resized
        self.assertEqual(sum(open_picks().mapped("product_uom_qty")), 3.0)
        # A second revision adds its own difference, not the gap again.
        sched.product_uom_qty = 6.0
        self.assertEqual(pushed.product_uom_qty, 2.0)
        self.assertEqual(sum(open_picks().mapped("product_uom_qty")), 4.0)
        self.assertEqual(order.order_line.product_uom_qty, 7.0)
        self._finish(sched)
        self.assertEqual(sched.qty_delivered, 6.0)
        self.assertEqual(sched.state, "delivered")
        shipped = sched.move_ids.filtered(
            lambda m: m.state == "done" and m.location_dest_id._is_outgoing()
        )
        self.assertEqual(sum(shipped.mapped("quantity")), 6.0)

    @freeze_time("2030-01-01")
    def test_two_steps_raise_after_pick(self):
        self._check_raise_after_pick("pick_ship")

    @freeze_time("2030-01-01")
    def test_three_steps_raise_after_pick(self):
        self._check_raise_after_pick("pick_pack_ship")


@tagged("post_install", "-at_install")
class TestKindScheduleProcurementHooks(ScheduleCase):
    """Releases go through sale_stock's procurement loop (issue 12, item 2)."""

    def test_release_on_a_locked_order(self):
        # Contract types lock their orders at confirmation; sale_stock procures
        # nothing for locked orders, a release still delivers its date.
        self.type_schedule.write({"schedule_release_horizon": 7, "is_contract": True})
        d1, d2 = date(2030, 1, 5), date(2030, 2, 10)
        with freeze_time("2030-01-01"):
            order = self._schedule_order({self.product: [(d1, 1.0), (d2, 2.0)]})
            order.action_confirm()
        self.assertTrue(order.locked)
        with freeze_time("2030-02-05"):
            self._release_cron()
        self.assertTrue(order.locked)
        self.assertEqual(self._line(order, self.product, d2).state, "released")
        self.assertEqual(self._picking(order, d2).move_ids.product_uom_qty, 2.0)

    def test_made_to_order_and_bought_per_date(self):
        # Made to order and bought: a later date is procured by its own quantity.
        self.type_schedule.schedule_release_horizon = 7
        mto = self.env.ref("stock.route_warehouse0_mto")
        mto.active = True
        buy = self.env.ref("purchase_stock.route_warehouse0_buy")
        vendor = self.env["res.partner"].create({"name": "SOP MTO Vendor"})
        product = self.env["product.product"].create(
            {
                "name": "SOP MTO Bought",
                "is_storable": True,
                "route_ids": [Command.set((mto | buy).ids)],
                "seller_ids": [Command.create({"partner_id": vendor.id})],
            }
        )
        d1, d2 = date(2030, 1, 5), date(2030, 2, 10)
        with freeze_time("2030-01-01"):
            order = self._schedule_order({product: [(d1, 1.0), (d2, 2.0)]})
            order.action_confirm()
        purchase_lines = self.env["purchase.order.line"].search(
            [("product_id", "=", product.id)]
        )
        self.assertEqual(sum(purchase_lines.mapped("product_qty")), 1.0)
        with freeze_time("2030-02-05"):
            self._release_cron()
        second = self._line(order, product, d2)
        self.assertEqual(second.state, "released")
        self.assertEqual(sum(second.move_ids.mapped("product_uom_qty")), 2.0)
        purchase_lines = self.env["purchase.order.line"].search(
            [("product_id", "=", product.id)]
        )
        self.assertEqual(sum(purchase_lines.mapped("product_qty")), 3.0)
