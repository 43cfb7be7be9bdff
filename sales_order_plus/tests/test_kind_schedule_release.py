# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import closing
from datetime import date, timedelta

import psycopg2
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CommittedCursorCase, trap_jobs
from .test_kind_schedule import ScheduleCase


@tagged("post_install", "-at_install")
class TestKindScheduleConcurrentRelease(CommittedCursorCase):
    """Two workers release the same schedule lines at the same time."""

    def _setup_committed_order(self):
        with self._committed() as env:
            order_type = env["sale.order.type"].create(
                {
                    "name": "SOP concurrency",
                    "kind": "schedule",
                    "schedule_release_horizon": 1,
                }
            )
            partner = env["res.partner"].create({"name": "SOP concurrency customer"})
            product = env["product.product"].create(
                {"name": "SOP concurrency", "type": "consu"}
            )
            today = fields.Date.context_today(env.user)
            order = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "type_id": order_type.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": 3.0,
                                "schedule_line_ids": [
                                    Command.create(
                                        {
                                            "date": today + timedelta(days=30),
                                            "product_uom_qty": 1.0,
                                        }
                                    ),
                                    Command.create(
                                        {
                                            "date": today + timedelta(days=60),
                                            "product_uom_qty": 2.0,
                                        }
                                    ),
                                ],
                            }
                        )
                    ],
                }
            )
            order.action_confirm()
            ids = {
                "orders": order.ids,
                "type": order_type.id,
                "partner": partner.id,
                "product": product.id,
                "lines": order.schedule_line_ids.ids,
            }
        return ids

    def test_two_workers_release_once(self):
        ids = self._setup_committed_order()
        try:
            with (
                closing(self.registry.cursor()) as cr1,
                closing(self.registry.cursor()) as cr2,
            ):
                lines1 = self._env(cr1)["sale.order.schedule.line"].browse(ids["lines"])
                lines2 = self._env(cr2)["sale.order.schedule.line"].browse(ids["lines"])
                # Both transactions see the lines planned (their snapshots start here).
                self.assertEqual(lines1.mapped("state"), ["planned", "planned"])
                self.assertEqual(lines2.mapped("state"), ["planned", "planned"])
                # Worker 1 releases and holds the row locks until it commits.
                self.assertEqual(lines1._sop_schedule_release(), lines1)
                self.assertEqual(len(lines1.move_ids), 2)
                # Worker 2 skips the locked lines instead of waiting or releasing them.
                self.assertFalse(lines2._sop_schedule_release())
                cr1.commit()
                # Worker 1 committed after worker 2's snapshot: worker 2 fails to
                # serialize, leaving no warning on the order; queue_job runs the job
                # again (Odoo an RPC call) in a new transaction, which sees the lines
                # released.
                lines2.invalidate_recordset()
                with self.assertRaises(psycopg2.errors.SerializationFailure):
                    lines2._sop_schedule_release_or_report()
                self.assertFalse(lines2.order_id.activity_ids)
                with self.assertRaises(psycopg2.errors.SerializationFailure):
                    lines2._sop_schedule_release()
                cr2.rollback()
            with closing(self.registry.cursor()) as cr3:
                env = self._env(cr3)
                lines = env["sale.order.schedule.line"].browse(ids["lines"])
                self.assertFalse(lines._sop_schedule_release())  # a later run
                # queue_job's own "run now" mode: the jobs run inside the cron.
                env["sale.order.schedule.line"].with_context(
                    queue_job__no_delay=True
                )._cron_sop_schedule_release()
                self.assertEqual(lines.mapped("state"), ["released", "released"])
                self.assertEqual([len(line.move_ids) for line in lines], [1, 1])
                self.assertEqual(
                    sorted(lines.move_ids.mapped("product_uom_qty")), [1.0, 2.0]
                )
                self.assertEqual(
                    len(env["sale.order"].browse(ids["orders"][0]).picking_ids), 2
                )
                cr3.rollback()
        finally:
            self._cleanup(ids)


@tagged("post_install", "-at_install")
class TestKindScheduleMultiStep(ScheduleCase):
    @freeze_time("2030-01-01")
    def test_pick_ship_one_picking_per_date_and_step(self):
        self.warehouse.delivery_steps = "pick_ship"
        d1, d2 = date(2030, 1, 10), date(2030, 2, 10)
        order = self._schedule_order({self.product: [(d1, 2.0), (d2, 3.0)]})
        order.action_confirm()
        lines = order.schedule_line_ids
        procured = lines._sop_schedule_qty_procured()
        self.assertEqual([procured[line.id] for line in lines], [2.0, 3.0])
        moves = lines.move_ids
        picks = moves.picking_id.filtered(
            lambda p: p.picking_type_id == self.warehouse.pick_type_id
        )
        self.assertEqual(len(picks), 2)
        self.assertEqual(sorted(p.scheduled_date.date() for p in picks), [d1, d2])
        order.order_line._action_launch_stock_rule()
        self.assertEqual(lines.move_ids, moves)  # nothing procured twice
        # Pick, then ship the first date: it is delivered.
        first = lines[0]
        pick = first.move_ids.picking_id
        self._deliver(pick)
        ship = first.move_ids.filtered(
            lambda m: m.state not in ("done", "cancel")
        ).picking_id
        self.assertEqual(ship.picking_type_id, self.warehouse.out_type_id)
        self._deliver(ship)
        self.assertEqual(first.qty_delivered, 2.0)
        self.assertEqual(first.state, "delivered")
        self.assertEqual(lines[1].qty_delivered, 0.0)
        self.assertEqual(order.order_line.qty_delivered, 2.0)


@tagged("post_install", "-at_install")
class TestKindScheduleReservation(ScheduleCase):
    """A released delivery reserves its stock a few days before its date (the type's
    Reserve Stock), not a year of stock at confirmation."""

    def _moves(self, order, day):
        return self._line(order, self.product, day).move_ids

    @freeze_time("2030-01-01")
    def test_reserved_days_before_the_due_date_by_the_scheduler(self):
        d1, d2 = date(2030, 1, 5), date(2030, 2, 10)
        order = self._schedule_order({self.product: [(d1, 4.0), (d2, 6.0)]})
        with trap_jobs() as trap:
            order.action_confirm()
            near, far = self._moves(order, d1), self._moves(order, d2)
            self.assertEqual(len(order.picking_ids), 2)  # both dates released
            # Nothing reserved inside the confirmation: one job after the commit.
            self.assertEqual((near.state, near.quantity), ("confirmed", 0.0))
            trap.assert_jobs_count(1, only=order._sop_schedule_reserve)
            trap.perform_enqueued_jobs()
        self.assertEqual((near.state, near.quantity), ("assigned", 4.0))
        self.assertEqual((far.state, far.quantity), ("confirmed", 0.0))
        self.assertEqual(far.reservation_date, date(2030, 2, 3))
        Group = self.env["procurement.group"]
        with freeze_time("2030-02-02"):
            Group.run_scheduler()
        self.assertEqual((far.state, far.quantity), ("confirmed", 0.0))
        with freeze_time("2030-02-03"):
            Group.run_scheduler()
        self.assertEqual((far.state, far.quantity), ("assigned", 6.0))

    @freeze_time("2030-01-01")
    def test_reserved_at_release(self):
        self.type_schedule.schedule_reservation = "release"
        d1, d2 = date(2030, 1, 5), date(2030, 2, 10)
        order = self._schedule_order({self.product: [(d1, 4.0), (d2, 6.0)]})
        order.action_confirm()
        self.assertEqual(self._moves(order, d1).quantity, 4.0)
        self.assertEqual(self._moves(order, d2).quantity, 6.0)

    @freeze_time("2030-01-01")
    def test_two_steps_the_pick_reserves_by_date(self):
        self.warehouse.delivery_steps = "pick_ship"
        d1, d2 = date(2030, 1, 3), date(2030, 3, 1)
        order = self._schedule_order({self.product: [(d1, 2.0), (d2, 3.0)]})
        with trap_jobs() as trap:
            order.action_confirm()
            trap.perform_enqueued_jobs()
        pick_type = self.warehouse.pick_type_id
        near = self._moves(order, d1).filtered(lambda m: m.picking_type_id == pick_type)
        far = self._moves(order, d2).filtered(lambda m: m.picking_type_id == pick_type)
        self.assertEqual(near.quantity, 2.0)
        self.assertEqual(far.quantity, 0.0)
        self.assertEqual(far.reservation_date, date(2030, 2, 22))
        with freeze_time("2030-02-22"):
            self.env["procurement.group"].run_scheduler()
        self.assertEqual(far.quantity, 3.0)

    @freeze_time("2030-01-01")
    def test_negative_days_refused(self):
        with self.assertRaises(ValidationError):
            self.type_schedule.schedule_reservation_days = -1

    @freeze_time("2030-01-01")
    def test_auto_orderpoint_triggered_once_per_product(self):
        """The orderpoints of a schedule's products are still triggered at
        confirmation (one move per product and locations is enough to find them)."""
        vendor = self.env["res.partner"].create({"name": "SOP Replenisher"})
        buy = self.env.ref("purchase_stock.route_warehouse0_buy")
        product = self.env["product.product"].create(
            {
                "name": "SOP Reordered",
                "type": "consu",
                "is_storable": True,
                # Both dates within the vendor's lead time: the orderpoint covers them.
                "seller_ids": [Command.create({"partner_id": vendor.id, "delay": 20})],
                "route_ids": [Command.set(buy.ids)],
            }
        )
        self.env["stock.warehouse.orderpoint"].create(
            {
                "product_id": product.id,
                "warehouse_id": self.warehouse.id,
                "location_id": self.stock_location.id,
                "trigger": "auto",
                "product_min_qty": 10.0,
                "product_max_qty": 10.0,
            }
        )
        self.env["stock.quant"]._update_available_quantity(
            product, self.stock_location, 8.0
        )
        order = self._schedule_order(
            {product: [(date(2030, 1, 5), 2.0), (date(2030, 1, 12), 3.0)]}
        )
        order.action_confirm()
        purchase = self.env["purchase.order.line"].search(
            [("product_id", "=", product.id)]
        )
        self.assertEqual(purchase.partner_id, vendor)
        # 8 in stock, 5 to deliver within the vendor's lead time: 7 up to 10.
        self.assertEqual(sum(purchase.mapped("product_qty")), 7.0)
