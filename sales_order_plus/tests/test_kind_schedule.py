# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import io
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import SalesOrderPlusCase, trap_jobs


class ScheduleCase(SalesOrderPlusCase):
    """Fixtures of the delivery schedule tests: a second storable product invoiced on
    delivery, and helpers to build schedule orders and deliver their pickings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product_b = cls.env["product.product"].create(
            {
                "name": "SOP Bolt",
                "type": "consu",
                "is_storable": True,
                "list_price": 2.0,
                "invoice_policy": "delivery",
                "default_code": "SOP-BOLT",
                "barcode": "4006381333931",
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.product_b, cls.stock_location, 500.0
        )
        cls.type_schedule.schedule_release_horizon = 0
        cls.Schedule = cls.env["sale.order.schedule.line"]

    def _schedule_order(self, schedule, order_type=None, **vals):
        """``schedule``: {product: [(date, qty), ...]}; each line's quantity is the sum
        of its schedule."""
        vals.setdefault("partner_id", self.customer.id)
        vals["type_id"] = (order_type or self.type_schedule).id
        vals["order_line"] = [
            Command.create(
                {
                    "product_id": product.id,
                    "product_uom_qty": sum(qty for _d, qty in dates),
                    "schedule_line_ids": [
                        Command.create({"date": d, "product_uom_qty": qty})
                        for d, qty in dates
                    ],
                }
            )
            for product, dates in schedule.items()
        ]
        return self.env["sale.order"].create(vals)

    def _end_request(self):
        """What the end of a request does: post the gathered schedule revisions."""
        self.env.cr.precommit.run()

    def _release_cron(self):
        """The daily release as it runs: the scheduled action enqueues one job per
        agreement, the job runner runs them."""
        with trap_jobs() as trap:
            self.Schedule._cron_sop_schedule_release()
            trap.perform_enqueued_jobs()

    def _line(self, order, product, day):
        return order.schedule_line_ids.filtered(
            lambda s: s.product_id == product and s.date == day
        )

    def _picking(self, order, day):
        return order.picking_ids.filtered(
            lambda p: p.state != "cancel" and p.scheduled_date.date() == day
        )

    def _deliver(self, picking, quantities=None):
        """Validate ``picking`` with ``quantities`` ({product: qty}, default: all),
        keeping a backorder for the rest."""
        for move in picking.move_ids:
            move.quantity = (quantities or {}).get(
                move.product_id, move.product_uom_qty
            )
        picking.move_ids.picked = True
        res = picking.button_validate()
        if (
            isinstance(res, dict)
            and res.get("res_model") == "stock.backorder.confirmation"
        ):
            Form(
                self.env[res["res_model"]].with_context(**res["context"])
            ).save().process()
        self.assertEqual(picking.state, "done")

    def _return(self, picking, product, qty):
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_ids=picking.ids,
                active_id=picking.id,
                active_model="stock.picking",
            )
        ).save()
        wizard.product_return_moves.filtered(
            lambda r: r.product_id == product
        ).quantity = qty
        wizard.product_return_moves.filtered(lambda r: r.product_id != product).unlink()
        res = wizard.action_create_returns()
        returned = self.env["stock.picking"].browse(res["res_id"])
        self._deliver(returned)
        return returned


@tagged("post_install", "-at_install")
class TestKindSchedule(ScheduleCase):
    # ------------------------------------------------------------------
    # Confirmation
    # ------------------------------------------------------------------
    def test_procurement_overrides_do_not_depend_on_their_order(self):
        """Two overrides of ``sale.order.line._create_procurements`` split a line's
        procurement: by date (a delivery schedule's plan, kind_schedule.py) and into
        now and later (a partial confirmation, sale_order_line_availability.py). Each
        acts only on lines the other leaves alone, so the import order of
        models/__init__.py does not matter."""
        order = self._schedule_order({self.product: [(date(2030, 1, 10), 2.0)]})
        schedule_line = order.order_line
        # A partly promised line of a delivery schedule is never split by the
        # availability override ...
        schedule_line.sop_commit_full_date = "2030-02-01 08:00:00"
        self.assertFalse(schedule_line._sop_availability_splits())
        self.assertFalse(schedule_line._sop_availability_backordered())
        # ... and a partly promised line of another kind never by the schedule plan,
        # even inside a schedule launch.
        rush_line = self._create_order(self.type_rush, [(self.product, 2.0)]).order_line
        rush_line.sop_commit_full_date = "2030-02-01 08:00:00"
        self.assertTrue(rush_line._sop_availability_splits())
        self.assertTrue(rush_line._sop_availability_backordered())
        plan = ((0, rush_line.id, 1.0, 0),)
        self.assertIsNone(
            rush_line.with_context(
                sop_schedule_procure=plan
            )._sop_schedule_planned_here()
        )
        self.assertEqual(
            schedule_line.with_context(
                sop_schedule_procure=((0, schedule_line.id, 1.0, 0),)
            )._sop_schedule_planned_here(),
            [(0, schedule_line.id, 1.0, 0)],
        )

    @freeze_time("2030-01-01")
    def test_three_dates_three_pickings(self):
        d1, d2, d3 = date(2030, 1, 10), date(2030, 2, 10), date(2030, 3, 10)
        order = self._schedule_order(
            {
                self.product: [(d1, 2.0), (d2, 3.0), (d3, 5.0)],
                self.product_b: [(d1, 20.0), (d3, 40.0)],
            }
        )
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        pickings = order.picking_ids
        self.assertEqual(len(pickings), 3)
        self.assertEqual(
            sorted(p.scheduled_date.date() for p in pickings), [d1, d2, d3]
        )
        expected = {
            d1: {self.product: 2.0, self.product_b: 20.0},
            d2: {self.product: 3.0},
            d3: {self.product: 5.0, self.product_b: 40.0},
        }
        for day, quantities in expected.items():
            picking = self._picking(order, day)
            self.assertEqual(len(picking), 1, day)
            self.assertEqual(picking.sale_id, order)
            self.assertEqual(picking.partner_id, order.partner_shipping_id)
            self.assertEqual(picking.picking_type_id, self.warehouse.out_type_id)
            self.assertEqual(
                {m.product_id: m.product_uom_qty for m in picking.move_ids}, quantities
            )
            for move in picking.move_ids:
                self.assertEqual(move.date_deadline.date(), day)
                self.assertEqual(
                    move.schedule_line_id, self._line(order, move.product_id, day)
                )
                self.assertEqual(move.sale_line_id, move.schedule_line_id.order_line_id)
        self.assertEqual(set(order.schedule_line_ids.mapped("state")), {"released"})
        self.assertEqual(
            order.schedule_line_ids.move_ids.group_id.mapped("sop_schedule_date"),
            [d1, d2, d3],
        )
        # Relaunching Odoo's procurement adds nothing.
        order.order_line._action_launch_stock_rule()
        self.assertEqual(len(order.picking_ids.move_ids), 5)
        line_a = order.order_line.filtered(lambda sl: sl.product_id == self.product)
        self.assertEqual(line_a.schedule_qty, 10.0)
        self.assertEqual(line_a.schedule_qty_released, 10.0)
        self.assertEqual(line_a.schedule_qty_open, 10.0)

    @freeze_time("2030-01-01")
    def test_confirmation_check_lists_every_line(self):
        order = self._schedule_order(
            {
                self.product: [(date(2030, 1, 10), 2.0)],
                self.product_b: [(date(2029, 12, 1), 5.0)],  # in the past
            },
        )
        order.order_line.filtered(lambda sl: sl.product_id == self.product).write(
            {"product_uom_qty": 3.0}  # scheduled 2 of 3
        )
        other = self.env["product.product"].create(
            {"name": "SOP Unscheduled", "type": "consu", "default_code": "SOP-UNS"}
        )
        order.order_line = [
            Command.create({"product_id": other.id, "product_uom_qty": 1.0}),
            Command.create({"product_id": self.service.id, "product_uom_qty": 1.0}),
        ]
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        message = str(error.exception)
        self.assertIn("scheduled 2.0, ordered 3.0", message)
        self.assertIn("dates in the past", message)
        self.assertIn("SOP Unscheduled", message)
        self.assertIn("no schedule lines", message)
        self.assertNotIn("SOP Service", message)  # services need no schedule
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.picking_ids)
        self.assertFalse(order.schedule_line_ids.filtered("released"))

    @freeze_time("2030-01-01")
    def test_single_date_is_a_standard_delivery(self):
        order = self._schedule_order({self.product: [(date(2030, 1, 1), 4.0)]})
        order.order_line = [Command.create({"product_id": self.service.id})]
        with trap_jobs() as trap:
            order.action_confirm()
            # Reserved right after the commit, by the agreement's job.
            trap.perform_enqueued_jobs()
        self.assertEqual(len(order.picking_ids), 1)
        self.assertEqual(order.picking_ids.move_ids.product_uom_qty, 4.0)
        self.assertEqual(order.picking_ids.state, "assigned")
        self.assertEqual(order.delivery_status, "pending")

    # ------------------------------------------------------------------
    # Release horizon
    # ------------------------------------------------------------------
    def _run_release(self, cron):
        """The scheduled action enqueues one job per agreement; the jobs release."""
        with trap_jobs() as trap:
            cron.method_direct_trigger()
            trap.perform_enqueued_jobs()

    def test_horizon_release_by_scheduled_action(self):
        self.type_schedule.schedule_release_horizon = 14
        cron = self.env.ref("sales_order_plus.ir_cron_schedule_release")
        d1, d2, d3 = date(2030, 1, 5), date(2030, 1, 20), date(2030, 2, 20)
        with freeze_time("2030-01-01"):
            order = self._schedule_order(
                {self.product: [(d1, 1.0), (d2, 2.0), (d3, 3.0)]}
            )
            order.action_confirm()
            self.assertEqual(order.picking_ids.move_ids.product_uom_qty, 1.0)
            self.assertEqual(
                order.schedule_line_ids.mapped("state"),
                ["released", "planned", "planned"],
            )
            self._run_release(cron)  # nothing new is due
            self.assertEqual(len(order.picking_ids), 1)
        with freeze_time("2030-01-08"):
            self._run_release(cron)
            self.assertEqual(len(order.picking_ids), 2)
            self.assertEqual(self._picking(order, d2).move_ids.product_uom_qty, 2.0)
            self.assertEqual(self._line(order, self.product, d3).state, "planned")
            self._run_release(cron)  # a second run releases nothing twice
            self.assertEqual(len(order.picking_ids.move_ids), 2)
        with freeze_time("2030-02-10"):
            self._run_release(cron)
        self.assertEqual(len(order.picking_ids), 3)
        self.assertEqual([len(s.move_ids) for s in order.schedule_line_ids], [1, 1, 1])
        self.assertEqual(order.order_line.schedule_qty_released, 6.0)

    @freeze_time("2030-01-01")
    def test_release_twice_releases_once(self):
        self.type_schedule.schedule_release_horizon = 7
        order = self._schedule_order(
            {self.product: [(date(2030, 3, 1), 2.0), (date(2030, 4, 1), 3.0)]}
        )
        order.action_confirm()
        self.assertFalse(order.picking_ids)
        lines = order.schedule_line_ids
        self.assertEqual(lines._sop_schedule_release(), lines)
        self.assertFalse(lines._sop_schedule_release())
        lines.invalidate_recordset()
        self.assertFalse(lines._sop_schedule_lock_planned())
        order.order_line._action_launch_stock_rule()
        self.assertEqual([len(s.move_ids) for s in lines], [1, 1])
        self.assertEqual(len(order.picking_ids), 2)

    # ------------------------------------------------------------------
    # Delivered quantities
    # ------------------------------------------------------------------
    @freeze_time("2030-01-01")
    def test_partial_delivery_and_return(self):
        d1, d2 = date(2030, 1, 10), date(2030, 2, 10)
        order = self._schedule_order({self.product: [(d1, 4.0), (d2, 6.0)]})
        order.action_confirm()
        first, second = (
            self._line(order, self.product, d1),
            self._line(order, self.product, d2),
        )
        picking = self._picking(order, d1)
        self._deliver(picking, {self.product: 3.0})
        self.assertEqual(first.qty_delivered, 3.0)
        self.assertEqual(first.state, "released")
        self.assertEqual(first.qty_open, 1.0)
        backorder = picking.backorder_ids
        self.assertEqual(backorder.move_ids.schedule_line_id, first)
        self.assertEqual(backorder.move_ids.product_uom_qty, 1.0)
        self._deliver(backorder)
        self.assertEqual(first.state, "delivered")
        self.assertEqual(first.qty_delivered, 4.0)
        self._deliver(self._picking(order, d2))
        self.assertEqual(second.state, "delivered")
        line = order.order_line
        self.assertEqual(line.qty_delivered, 10.0)
        self.assertEqual(line.schedule_qty_open, 0.0)
        # A return to be refunded lowers the delivered quantity of its schedule line.
        self._return(picking, self.product, 2.0)
        self.assertEqual(first.qty_delivered, 2.0)
        self.assertEqual(first.state, "released")
        self.assertEqual(second.qty_delivered, 6.0)
        self.assertEqual(line.qty_delivered, 8.0)
        self.assertEqual(line.schedule_qty_open, 2.0)
        self.assertEqual(
            (
                line.schedule_qty,
                line.schedule_qty_released,
                line.qty_delivered,
                line.qty_invoiced,
                line.schedule_qty_open,
            ),
            (10.0, 10.0, 8.0, 0.0, 2.0),
        )

    @freeze_time("2030-01-01")
    def test_invoice_per_delivered_release(self):
        d1, d2 = date(2030, 1, 10), date(2030, 2, 10)
        order = self._schedule_order({self.product_b: [(d1, 30.0), (d2, 50.0)]})
        order.action_confirm()
        self.assertEqual(order.invoice_status, "no")
        self._deliver(self._picking(order, d1))
        invoice = order._create_invoices()
        self.assertEqual(invoice.invoice_line_ids.quantity, 30.0)
        self.assertEqual(invoice.amount_untaxed, 60.0)
        invoice.action_post()
        self.assertEqual(self._line(order, self.product_b, d1).qty_invoiced, 30.0)
        self.assertEqual(self._line(order, self.product_b, d2).qty_invoiced, 0.0)
        with self.assertRaises(UserError):  # nothing delivered, nothing to invoice
            order._create_invoices()
        self._deliver(self._picking(order, d2))
        second = order._create_invoices()
        self.assertEqual(second.invoice_line_ids.quantity, 50.0)
        second.action_post()
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual(self._line(order, self.product_b, d2).qty_invoiced, 50.0)
        self.assertEqual(order.order_line.qty_invoiced, 80.0)
        self.assertEqual(order.schedule_line_ids.mapped("qty_invoiced"), [30.0, 50.0])

    # ------------------------------------------------------------------
    # Revisions
    # ------------------------------------------------------------------
    @freeze_time("2030-01-01")
    def test_revision_quantity_follows_move(self):
        d1, d2 = date(2030, 1, 10), date(2030, 2, 10)
        # Reserved at release, as the delivery's operation type says.
        self.type_schedule.schedule_reservation = "release"
        order = self._schedule_order({self.product: [(d1, 4.0), (d2, 6.0)]})
        order.action_confirm()
        sched = self._line(order, self.product, d2)
        move = sched.move_ids
        self.assertEqual(move.quantity, 6.0)  # reserved
        sched.write({"product_uom_qty": 9.0})
        self.assertEqual(sched.move_ids, move)
        self.assertEqual(move.product_uom_qty, 9.0)
        self.assertEqual(move.quantity, 9.0)
        self.assertEqual(order.order_line.product_uom_qty, 13.0)
        self._end_request()
        self.assertEqual(order.schedule_revision, 1)
        message = order.message_ids[0]
        self.assertIn("revision 1", message.body)
        self.assertIn("6.0 → 9.0", message.body)
        sched.product_uom_qty = 2.0
        self.assertEqual(move.product_uom_qty, 2.0)
        self.assertEqual(move.quantity, 2.0)
        self.assertEqual(order.order_line.product_uom_qty, 6.0)
        self._end_request()
        self.assertEqual(order.schedule_revision, 2)
        self.assertEqual(len(order.picking_ids.move_ids), 2)

    @freeze_time("2030-01-01")
    def test_revision_date_change(self):
        d1, d2, d3 = date(2030, 1, 10), date(2030, 2, 10), date(2030, 3, 10)
        order = self._schedule_order(
            {self.product: [(d1, 1.0), (d2, 2.0)], self.product_b: [(d2, 5.0)]}
        )
        order.action_confirm()
        self.assertEqual(len(order.picking_ids), 2)
        sched_a = self._line(order, self.product, d2)
        sched_b = self._line(order, self.product_b, d2)
        old_picking = sched_a.move_ids.picking_id
        # To a new date: a new picking on that date.
        sched_a.date = d3
        self._end_request()
        new_picking = self._picking(order, d3)
        self.assertEqual(new_picking.move_ids, sched_a.move_ids)
        self.assertEqual(sched_a.move_ids.date_deadline.date(), d3)
        self.assertEqual(sched_a.move_ids.state, "assigned")
        self.assertEqual(old_picking.move_ids, sched_b.move_ids)
        # To an existing date: the picking of that date.
        sched_b.date = d1
        self.assertEqual(sched_b.move_ids.picking_id, self._picking(order, d1))
        self.assertFalse(old_picking.exists())  # emptied: removed
        self.assertEqual(len(order.picking_ids), 2)
        self._end_request()
        self.assertEqual(order.schedule_revision, 2)
        self.assertIn(
            "SOP Bolt: date 02/10/2030 → 01/10/2030", order.message_ids[0].body
        )
        with self.assertRaises(UserError):
            sched_b.date = date(2029, 12, 31)  # in the past

    @freeze_time("2030-01-01")
    def test_revision_cancel_and_add(self):
        d1, d2, d3 = date(2030, 1, 10), date(2030, 2, 10), date(2030, 3, 10)
        order = self._schedule_order({self.product: [(d1, 1.0), (d2, 2.0)]})
        order.action_confirm()
        sched = self._line(order, self.product, d2)
        picking = sched.move_ids.picking_id
        sched.action_cancel()
        self.assertEqual(sched.state, "cancelled")
        self.assertEqual(sched.move_ids.state, "cancel")
        self.assertEqual(picking.state, "cancel")
        self.assertEqual(order.order_line.product_uom_qty, 1.0)
        self._end_request()
        self.assertIn("Cancelled", order.message_ids[0].body)
        with self.assertRaises(UserError):
            sched.product_uom_qty = 5.0  # a cancelled line stays cancelled
        # Added after confirmation: released at once (horizon 0), its own picking.
        added = self.Schedule.create(
            {"order_line_id": order.order_line.id, "date": d3, "product_uom_qty": 4.0}
        )
        self.assertEqual(added.state, "released")
        self.assertEqual(self._picking(order, d3).move_ids.product_uom_qty, 4.0)
        self.assertEqual(order.order_line.product_uom_qty, 5.0)
        self._end_request()
        self.assertEqual(order.schedule_revision, 2)
        self.assertIn("Added", order.message_ids[0].body)
        # A planned line (beyond the horizon) is deleted without a trace in stock.
        self.type_schedule.schedule_release_horizon = 30
        planned = self.Schedule.create(
            {
                "order_line_id": order.order_line.id,
                "date": date(2030, 6, 1),
                "product_uom_qty": 1.0,
            }
        )
        self.assertEqual(planned.state, "planned")
        self.assertEqual(order.order_line.product_uom_qty, 6.0)
        self._end_request()
        planned.unlink()
        self.assertEqual(order.order_line.product_uom_qty, 5.0)
        with self.assertRaises(UserError):
            added.unlink()  # released: cancel it instead
        self._end_request()
        self.assertEqual(order.schedule_revision, 4)

    @freeze_time("2030-01-01")
    def test_revision_never_below_delivered(self):
        d1 = date(2030, 1, 10)
        order = self._schedule_order(
            {self.product: [(d1, 5.0), (date(2030, 2, 1), 1.0)]}
        )
        order.action_confirm()
        sched = self._line(order, self.product, d1)
        self._deliver(self._picking(order, d1), {self.product: 3.0})
        with self.assertRaises(ValidationError):
            sched.product_uom_qty = 2.0
        with self.assertRaises(UserError):
            sched.action_cancel()  # partly delivered
        self.assertEqual(sched.product_uom_qty, 5.0)
        # Down to what was delivered: the backorder goes, the line is delivered.
        backorder_move = sched.move_ids.filtered(lambda m: m.state != "done")
        sched.product_uom_qty = 3.0
        self.assertEqual(backorder_move.state, "cancel")
        self.assertEqual(sched.state, "delivered")
        self.assertEqual(order.order_line.product_uom_qty, 4.0)
        with self.assertRaises(UserError):
            sched.date = date(2030, 3, 1)  # delivered lines are closed
        with self.assertRaises(UserError):
            order.order_line.product_uom_qty = 10.0  # the schedule decides

    @freeze_time("2030-01-01")
    def test_revision_from_the_order_form_is_one_revision(self):
        d1, d2 = date(2030, 1, 10), date(2030, 2, 10)
        order = self._schedule_order({self.product: [(d1, 1.0), (d2, 2.0)]})
        order.action_confirm()
        with Form(order) as form:
            with form.schedule_line_ids.edit(0) as line:
                line.product_uom_qty = 3.0
            with form.schedule_line_ids.edit(1) as line:
                line.date = date(2030, 2, 20)
        self._end_request()
        self.assertEqual(order.schedule_revision, 1)
        body = order.message_ids[0].body
        self.assertIn("1.0 → 3.0", body)
        self.assertIn("02/10/2030 → 02/20/2030", body)
        self.assertEqual(order.message_ids[0].author_id, self.env.user.partner_id)
        self.assertEqual(order.order_line.product_uom_qty, 5.0)
        self.assertEqual(
            sorted(
                order.picking_ids.mapped(
                    lambda p: (p.scheduled_date.date(), p.move_ids.product_uom_qty)
                )
            ),
            [(d1, 3.0), (date(2030, 2, 20), 2.0)],
        )

    @freeze_time("2030-01-01")
    def test_line_added_to_confirmed_order(self):
        order = self._schedule_order({self.product: [(date(2030, 2, 1), 1.0)]})
        order.action_confirm()
        order.order_line = [
            Command.create({"product_id": self.product_b.id, "product_uom_qty": 7.0})
        ]
        new_line = order.order_line.filtered(lambda sl: sl.product_id == self.product_b)
        self.assertEqual(new_line.schedule_line_ids.date, date(2030, 1, 1))
        self.assertEqual(new_line.schedule_line_ids.state, "released")
        self.assertEqual(new_line.move_ids.product_uom_qty, 7.0)
        self.assertEqual(len(order.picking_ids), 2)

    @freeze_time("2030-01-01")
    def test_cancel_and_reconfirm(self):
        order = self._schedule_order(
            {self.product: [(date(2030, 1, 10), 1.0), (date(2030, 2, 1), 2.0)]}
        )
        order.action_confirm()
        order._action_cancel()
        self.assertEqual(set(order.picking_ids.mapped("state")), {"cancel"})
        self.assertEqual(set(order.schedule_line_ids.mapped("state")), {"planned"})
        order.action_draft()
        order.action_confirm()
        active = order.picking_ids.filtered(lambda p: p.state != "cancel")
        self.assertEqual(len(active), 2)
        self.assertEqual(sorted(active.move_ids.mapped("product_uom_qty")), [1.0, 2.0])

    @freeze_time("2030-01-01")
    def test_copy_keeps_active_schedule(self):
        order = self._schedule_order(
            {self.product: [(date(2030, 1, 10), 1.0), (date(2030, 2, 1), 2.0)]}
        )
        order.action_confirm()
        self._line(order, self.product, date(2030, 2, 1)).action_cancel()
        copy = order.copy()
        self.assertEqual(copy.schedule_line_ids.mapped("product_uom_qty"), [1.0])
        self.assertEqual(copy.schedule_line_ids.state, "planned")
        self.assertEqual(copy.order_line.product_uom_qty, 1.0)
        self.assertEqual(copy.schedule_revision, 0)

    # ------------------------------------------------------------------
    # Import
    # ------------------------------------------------------------------
    def _import(self, order, content, filename):
        wizard = self.env["sale.order.schedule.import"].create(
            {
                "order_id": order.id,
                "file": base64.b64encode(content),
                "filename": filename,
            }
        )
        return wizard.action_import()

    def _xlsx(self, rows):
        import openpyxl

        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    @freeze_time("2030-01-01")
    def test_import_csv_idempotent(self):
        order = self._create_order(
            self.type_schedule, lines=[(self.product, 1.0), (self.product_b, 1.0)]
        )
        content = (
            b"Internal Reference,Date,Quantity\n"
            b"SOP-STORE,2030-01-15,3\n"
            b"4006381333931,2030-01-15,10.5\n"  # barcode
            b"SOP-STORE,2030-02-15,7\n"
        )
        self._import(order, content, "schedule.csv")
        self.assertEqual(
            sorted(
                (s.product_id.default_code, str(s.date), s.product_uom_qty)
                for s in order.schedule_line_ids
            ),
            [
                ("SOP-BOLT", "2030-01-15", 10.5),
                ("SOP-STORE", "2030-01-15", 3.0),
                ("SOP-STORE", "2030-02-15", 7.0),
            ],
        )
        self.assertEqual(order.order_line.mapped("product_uom_qty"), [10.0, 10.5])
        before = order.schedule_line_ids
        self._import(order, content, "schedule.csv")
        self.assertEqual(order.schedule_line_ids, before)
        self.assertEqual(order.order_line.mapped("product_uom_qty"), [10.0, 10.5])
        order.action_confirm()
        self.assertEqual(len(order.picking_ids), 2)
        # On the confirmed order the same file changes nothing either: no revision.
        self._import(order, content, "schedule.csv")
        self._end_request()
        self.assertEqual(order.schedule_revision, 0)
        self.assertEqual(len(order.picking_ids.move_ids), 3)

    @freeze_time("2030-01-01")
    def test_import_xlsx_german_headers_revision(self):
        order = self._schedule_order({self.product: [(date(2030, 1, 15), 3.0)]})
        order.action_confirm()
        content = self._xlsx(
            [
                ["Artikelnummer", "Liefertermin", "Menge"],
                ["SOP-STORE", date(2030, 1, 15), 4],  # changed quantity
                ["SOP-STORE", "01.03.2030", "2,5"],  # new date, German formats
            ]
        )
        self._import(order, content, "lieferplan.xlsx")
        self.assertEqual(
            [(s.date, s.product_uom_qty, s.state) for s in order.schedule_line_ids],
            [(date(2030, 1, 15), 4.0, "released"), (date(2030, 3, 1), 2.5, "released")],
        )
        self.assertEqual(order.order_line.product_uom_qty, 6.5)
        self._end_request()
        self.assertEqual(order.schedule_revision, 1)  # one import, one revision
        self.assertEqual(
            sorted(order.picking_ids.move_ids.mapped("product_uom_qty")), [2.5, 4.0]
        )
        self._import(order, content, "lieferplan.xlsx")
        self._end_request()
        self.assertEqual(order.schedule_revision, 1)

    @freeze_time("2030-01-01")
    def test_import_bad_rows_import_nothing(self):
        order = self._create_order(self.type_schedule, lines=[(self.product, 1.0)])
        content = (
            b"Produkt;Datum;Menge\n"
            b"SOP-STORE;15.01.2030;3\n"  # good
            b"NOPE;15.01.2030;3\n"
            b"SOP-STORE;31.02.2030;3\n"
            b"SOP-STORE;2029-12-01;abc\n"
            b"SOP-BOLT;2030-01-20;1\n"  # not on the order
            b"SOP-STORE;2030-01-15;2\n"  # duplicate of row 2
        )
        with self.assertRaises(UserError) as error:
            self._import(order, content, "schedule.csv")
        message = str(error.exception)
        for expected in (
            "Row 3: product NOPE not found",
            "Row 4: invalid date 31.02.2030",
            "Row 5: date 2029-12-01 is in the past; invalid quantity abc",
            "Row 6: SOP-BOLT is not a goods line of this order",
            "Row 7: same product and date as row 2",
        ):
            self.assertIn(expected, message)
        self.assertNotIn("Row 2:", message)
        self.assertFalse(order.schedule_line_ids)
        with self.assertRaises(UserError) as error:
            self._import(order, b"Product,When\nSOP-STORE,2030-01-01\n", "x.csv")
        self.assertIn("date, quantity", str(error.exception))

    # ------------------------------------------------------------------
    # Report, access
    # ------------------------------------------------------------------
    @freeze_time("2030-01-01")
    def test_printed_schedule_has_cumulative_quantities(self):
        order = self._schedule_order(
            {self.product: [(date(2030, 1, 10), 2.0), (date(2030, 2, 10), 3.0)]}
        )
        rows = order._sop_schedule_report_rows()
        self.assertEqual([r["cumulative"] for r in rows], [2.0, 5.0])
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "sales_order_plus.action_report_delivery_schedule", order.ids
            )[0]
            .decode()
        )
        self.assertIn("Delivery Schedule", html)
        self.assertIn("5.00", html)
        self.assertIn("SOP Storable", html)

    @freeze_time("2030-01-01")
    def test_salesman_schedules_confirms_and_revises(self):
        order = self._schedule_order(
            {
                self.product: [(date(2030, 1, 10), 2.0)],
                self.product_b: [(date(2030, 2, 10), 3.0)],
            },
            user_id=self.salesman.id,
        ).with_user(self.salesman)
        order.action_confirm()
        self.assertEqual(len(order.picking_ids), 2)
        sched = order.schedule_line_ids.filtered(
            lambda s: s.product_id == self.product_b
        )
        sched.product_uom_qty = 4.0
        self.assertEqual(sched.move_ids.product_uom_qty, 4.0)
        sched.date = date(2030, 1, 10)  # joins the first delivery, the second goes
        self.assertEqual(len(order.picking_ids), 1)
        self.assertEqual(
            order.picking_ids.move_ids.mapped("product_uom_qty"), [2.0, 4.0]
        )
        self._end_request()
        self.assertEqual(order.message_ids[0].author_id, self.salesman.partner_id)
        self.assertTrue(
            self.env["sale.order.schedule.line"]
            .with_user(self.salesman)
            .search([("order_id", "=", order.id)])
        )

    @freeze_time("2026-12-07 23:30:00")
    def test_today_is_the_company_today_for_every_user(self):
        """At 23:30 UTC the company in Berlin is on 8 December, a salesperson in New
        York still on the 7th, one in Berlin on the 8th: the schedule's today (past
        dates, what is due, a version's dates) is the company's for both."""
        self.company.partner_id.tz = "Europe/Berlin"
        self.company.resource_calendar_id.tz = "Europe/Berlin"
        self.type_schedule.schedule_release_horizon = 1
        users = {
            tz: new_test_user(
                self.env,
                login=f"sop_salesman_{tz.split('/')[1].lower()}",
                groups="sales_team.group_sale_salesman_all_leads",
                tz=tz,
            )
            for tz in ("America/New_York", "Europe/Berlin")
        }
        today = date(2026, 12, 8)
        self.assertEqual(self.Schedule._sop_schedule_today(self.company), today)
        for tz, user in users.items():
            # The company's yesterday is in the past for both users.
            past = self._schedule_order({self.product_b: [(date(2026, 12, 7), 2.0)]})
            with self.assertRaisesRegex(UserError, "dates in the past"):
                past.with_user(user).action_confirm()
            # Today and tomorrow (the horizon of one day) are due for both.
            order = self._schedule_order(
                {
                    self.product_b: [
                        (today, 2.0),
                        (date(2026, 12, 9), 3.0),
                        (date(2026, 12, 10), 4.0),
                    ]
                }
            )
            order.with_user(user).action_confirm()
            self.assertEqual(
                order.schedule_line_ids.sorted("date").mapped("state"),
                ["released", "released", "planned"],
                tz,
            )
            line = order.schedule_line_ids.sorted("date")[0]
            with self.assertRaisesRegex(UserError, "in the past"):
                line.with_user(user).date = date(2026, 12, 7)
