# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
from contextlib import closing
from datetime import date, datetime, timedelta

import psycopg2
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from .common import CommittedCursorCase, SalesOrderPlusCase

# January 2026, Brussels (UTC+1): Wednesday 7th 11:00, before the 14:00 cutoff.
WEDNESDAY_11H = "2026-01-07 10:00:00"
NOW = datetime(2026, 1, 7, 10, 0)
# Friday 9th and Monday 12th, 8:00 in Brussels: the start of the working day.
FRIDAY_8H = datetime(2026, 1, 9, 7, 0)
MONDAY_8H = datetime(2026, 1, 12, 7, 0)
TUESDAY_8H = datetime(2026, 1, 13, 7, 0)


@tagged("post_install", "-at_install")
class TestAvailabilityAtConfirmation(SalesOrderPlusCase):
    """Availability at confirmation: what rush, schedule and (when the type says
    so) standard orders promise from stock, receipts and commitments."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Europe/Brussels"
        cls.company.security_lead = 0.0
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "SOP Brussels 40h", "tz": "Europe/Brussels", "company_id": False}
        )
        cls.company.resource_calendar_id = cls.calendar
        cls.type_rush.rush_fee_product_id = False
        cls.goods = cls._storable("SOP ATP goods", 5.0)
        cls.supplier_location = cls.env.ref("stock.stock_location_suppliers")
        cls.customer_location = cls.env.ref("stock.stock_location_customers")

    @classmethod
    def _storable(cls, name, on_hand, warehouse=None):
        product = cls.env["product.product"].create(
            {"name": name, "type": "consu", "is_storable": True, "list_price": 10}
        )
        if on_hand:
            cls.env["stock.quant"]._update_available_quantity(
                product, (warehouse or cls.warehouse).lot_stock_id, on_hand
            )
        return product

    def _receipt(self, product, qty, when, warehouse=None):
        """A planned receipt of ``qty`` on ``when`` (a confirmed incoming move)."""
        move = self.env["stock.move"].create(
            {
                "name": "SOP receipt",
                "product_id": product.id,
                "product_uom_qty": qty,
                "product_uom": product.uom_id.id,
                "location_id": self.supplier_location.id,
                "location_dest_id": (warehouse or self.warehouse).lot_stock_id.id,
                "date": when,
            }
        )
        move._action_confirm()
        return move

    def _rush(self, policy, lines, **vals):
        self.type_rush.availability_policy = policy
        return self._create_order(self.type_rush, lines=lines, **vals)

    # ------------------------------------------------------------------
    # Rush orders, per policy
    # ------------------------------------------------------------------
    @freeze_time(WEDNESDAY_11H)
    def test_rush_partial_confirms_stock_and_backorders_the_rest(self):
        self._receipt(self.goods, 10.0, datetime(2026, 1, 9, 9, 0))
        order = self._rush("partial", [(self.goods, 8.0)])
        line = order.order_line
        # Before confirming: the preview.
        self.assertEqual(line.sop_confirmed_qty, 5.0)
        self.assertEqual(line.sop_confirmed_date, NOW)
        self.assertEqual(line.sop_full_date, FRIDAY_8H)
        self.assertTrue(line.sop_short)

        order.action_confirm()

        self.assertEqual(order.sop_availability_state, "partial")
        self.assertEqual(
            (line.sop_confirmed_qty, line.sop_confirmed_date, line.sop_full_date),
            (5.0, NOW, FRIDAY_8H),
        )
        first = order.picking_ids.filtered(lambda p: not p.backorder_id)
        backorder = order.picking_ids - first
        self.assertEqual(first.move_ids.product_uom_qty, 5.0)
        self.assertEqual(first.state, "assigned")
        self.assertEqual(first.scheduled_date, NOW)
        self.assertEqual(backorder.backorder_id, first)
        self.assertEqual(backorder.move_ids.product_uom_qty, 3.0)
        self.assertEqual(backorder.move_ids.date_deadline, FRIDAY_8H)
        self.assertEqual(backorder.scheduled_date, FRIDAY_8H)
        self.assertFalse(backorder.move_ids.quantity)  # nothing taken now
        self.assertEqual(backorder.priority, "1")

    @freeze_time(WEDNESDAY_11H)
    def test_partial_in_two_steps_splits_the_pick(self):
        # Pick, then ship: the pick leaves the stock (Odoo creates the shipment when
        # it is done), its rest waits on a backorder of Friday.
        self.warehouse.delivery_steps = "pick_ship"
        self._receipt(self.goods, 10.0, datetime(2026, 1, 9, 9, 0))
        order = self._rush("partial", [(self.goods, 8.0)])
        order.action_confirm()
        moves = self.env["stock.move"].search(
            [
                ("product_id", "=", self.goods.id),
                ("group_id", "=", order.procurement_group_id.id),
            ]
        )
        pick = self.warehouse.pick_type_id
        self.assertEqual(
            sorted(
                (
                    m.picking_type_id,
                    m.product_uom_qty,
                    m.date_deadline,
                    m.picking_id.backorder_id.picking_type_id,
                )
                for m in moves
            ),
            [(pick, 3.0, FRIDAY_8H, pick), (pick, 5.0, NOW, pick.browse())],
        )

    @freeze_time(WEDNESDAY_11H)
    def test_rush_refuse_lists_short_lines_and_their_dates(self):
        self._receipt(self.goods, 10.0, datetime(2026, 1, 9, 9, 0))
        other = self._storable("SOP ATP other", 1.0)
        order = self._rush(
            "refuse", [(self.goods, 8.0), (other, 1.0), (self.service, 1.0)]
        )
        with self.assertRaisesRegex(UserError, "SOP ATP goods: 5.0 of 8.0") as error:
            order.action_confirm()
        self.assertIn("the whole quantity from 1/9/26, 8:00 AM", str(error.exception))
        self.assertNotIn("SOP ATP other", str(error.exception))
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.picking_ids)
        self.assertFalse(order.order_line.filtered("sop_commit_date"))

    @freeze_time(WEDNESDAY_11H)
    def test_rush_reschedule_moves_the_order_to_the_full_date(self):
        self._receipt(self.goods, 10.0, datetime(2026, 1, 9, 9, 0))
        order = self._rush("reschedule", [(self.goods, 8.0)])
        order.action_confirm()
        self.assertEqual(order.commitment_date, FRIDAY_8H)
        self.assertEqual(order.sop_availability_state, "full")
        self.assertEqual(order.order_line.sop_confirmed_qty, 8.0)
        self.assertEqual(order.order_line.sop_confirmed_date, FRIDAY_8H)
        self.assertEqual(order.picking_ids.scheduled_date, FRIDAY_8H)
        self.assertEqual(order.picking_ids.move_ids.product_uom_qty, 8.0)

    @freeze_time(WEDNESDAY_11H)
    def test_rush_in_stock_ships_today(self):
        order = self._rush("partial", [(self.goods, 5.0)])
        order.action_confirm()
        self.assertEqual(order.sop_availability_state, "full")
        self.assertEqual(len(order.picking_ids), 1)
        self.assertEqual(order.picking_ids.scheduled_date, NOW)
        self.assertFalse(order.order_line.sop_full_date)

    @freeze_time(WEDNESDAY_11H)
    def test_rush_without_receipt_is_refused_by_every_policy(self):
        for policy in ("partial", "reschedule", "refuse"):
            order = self._rush(policy, [(self.goods, 6.0)])
            with self.assertRaisesRegex(
                UserError, "no planned receipt or vendor covers"
            ):
                order.action_confirm()
            self.assertEqual(order.state, "draft")

    @freeze_time(WEDNESDAY_11H)
    def test_stock_promised_to_a_later_delivery_is_not_free(self):
        # 5 on hand, an open delivery takes 4 on Monday, 10 arrive on Tuesday: 1
        # is free now, the rest from Tuesday.
        out = self.env["stock.move"].create(
            {
                "name": "SOP open delivery",
                "product_id": self.goods.id,
                "product_uom_qty": 4.0,
                "product_uom": self.goods.uom_id.id,
                "location_id": self.stock_location.id,
                "location_dest_id": self.customer_location.id,
                "date": datetime(2026, 1, 12, 10, 0),
            }
        )
        out._action_confirm()
        self._receipt(self.goods, 10.0, datetime(2026, 1, 13, 9, 0))
        order = self._rush("partial", [(self.goods, 3.0)])
        self.assertEqual(order.order_line.sop_confirmed_qty, 1.0)
        self.assertEqual(order.order_line.sop_full_date, TUESDAY_8H)

    @freeze_time(WEDNESDAY_11H)
    def test_vendor_lead_time_when_no_receipt_is_planned(self):
        vendor = self.env["res.partner"].create({"name": "SOP ATP vendor"})
        self.goods.seller_ids = [
            Command.create({"partner_id": vendor.id, "delay": 5, "price": 1.0})
        ]
        order = self._rush("partial", [(self.goods, 8.0)])
        # Bought now, the rest arrives on Monday the 12th.
        self.assertEqual(order.order_line.sop_confirmed_qty, 5.0)
        self.assertEqual(order.order_line.sop_full_date, MONDAY_8H)

    def test_rush_after_cutoff_promises_the_next_working_day(self):
        with freeze_time("2026-01-09 14:30:00"):  # Friday 15:30, after the cutoff
            order = self._rush("partial", [(self.goods, 2.0)])
            order.action_confirm()
        self.assertEqual(order.order_line.sop_confirmed_date, MONDAY_8H)
        self.assertEqual(order.commitment_date, MONDAY_8H)

    # ------------------------------------------------------------------
    # Two orders for the last units
    # ------------------------------------------------------------------
    @freeze_time(WEDNESDAY_11H)
    def test_two_rush_orders_at_once_share_the_last_units(self):
        self._receipt(self.goods, 10.0, datetime(2026, 1, 9, 9, 0))
        self.type_rush.availability_policy = "partial"
        first = self._create_order(self.type_rush, lines=[(self.goods, 4.0)])
        second = self._create_order(self.type_rush, lines=[(self.goods, 4.0)])
        (first | second).action_confirm()
        self.assertEqual(first.sop_availability_state, "full")
        self.assertEqual(second.sop_availability_state, "partial")
        self.assertEqual(second.order_line.sop_confirmed_qty, 1.0)
        self.assertEqual(second.order_line.sop_full_date, FRIDAY_8H)

    @freeze_time(WEDNESDAY_11H)
    def test_confirmed_order_takes_the_stock_of_the_next(self):
        self.type_rush.availability_policy = "refuse"
        self._create_order(self.type_rush, lines=[(self.goods, 4.0)]).action_confirm()
        second = self._create_order(self.type_rush, lines=[(self.goods, 4.0)])
        self.assertEqual(second.order_line.sop_confirmed_qty, 1.0)
        with self.assertRaisesRegex(UserError, "no planned receipt or vendor covers"):
            second.action_confirm()

    # ------------------------------------------------------------------
    # Delivery schedules: their unreleased lines are commitments
    # ------------------------------------------------------------------
    def _schedule_order(self, product, rows, **vals):
        return self.env["sale.order"].create(
            dict(
                {
                    "partner_id": self.customer.id,
                    "type_id": self.type_schedule.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": sum(qty for _d, qty in rows),
                                "schedule_line_ids": [
                                    Command.create(
                                        {"date": day, "product_uom_qty": qty}
                                    )
                                    for day, qty in rows
                                ],
                            }
                        )
                    ],
                },
                **vals,
            )
        )

    @freeze_time(WEDNESDAY_11H)
    def test_rush_cannot_take_stock_a_firm_schedule_line_needs_next_week(self):
        self.type_schedule.schedule_release_horizon = 2
        schedule = self._schedule_order(self.goods, [(date(2026, 1, 14), 4.0)])
        schedule.action_confirm()
        self.assertEqual(schedule.schedule_line_ids.state, "planned")
        self.assertFalse(schedule.picking_ids)
        # 5 on hand, 4 promised to the schedule next Wednesday: 1 is free.
        order = self._rush("refuse", [(self.goods, 2.0)])
        self.assertEqual(order.order_line.sop_confirmed_qty, 1.0)
        with self.assertRaisesRegex(UserError, "SOP ATP goods: 1.0 of 2.0"):
            order.action_confirm()
        order = self._rush("refuse", [(self.goods, 1.0)])
        order.action_confirm()
        self.assertEqual(order.sop_availability_state, "full")

    @freeze_time(WEDNESDAY_11H)
    def test_forecast_schedule_lines_are_no_commitment(self):
        # Forecast lines are planning only (never delivered): the stock stays free.
        self.type_schedule.schedule_release_horizon = 2
        schedule = self._schedule_order(self.goods, [(date(2026, 1, 14), 4.0)])
        schedule.action_confirm()
        schedule.schedule_line_ids.firmness = "forecast"
        order = self._rush("refuse", [(self.goods, 5.0)])
        self.assertEqual(order.order_line.sop_confirmed_qty, 5.0)
        order.action_confirm()
        self.assertEqual(order.sop_availability_state, "full")

    @freeze_time(WEDNESDAY_11H)
    def test_schedule_checks_its_due_lines(self):
        self.type_schedule.schedule_release_horizon = 2
        self.type_schedule.availability_policy = "refuse"
        self._receipt(self.goods, 10.0, datetime(2026, 1, 12, 9, 0))
        order = self._schedule_order(
            self.goods, [(date(2026, 1, 8), 6.0), (date(2026, 2, 2), 20.0)]
        )
        # Only the due line (inside the horizon) is checked: 5 of 6 on Thursday.
        with self.assertRaisesRegex(UserError, "SOP ATP goods: 5.0 of 6.0"):
            order.action_confirm()
        self.type_schedule.availability_policy = "partial"
        order.action_confirm()
        self.assertEqual(
            sorted(
                (s.date, s.product_uom_qty, s.state) for s in order.schedule_line_ids
            ),
            [
                (date(2026, 1, 8), 5.0, "released"),
                (date(2026, 1, 12), 1.0, "planned"),
                (date(2026, 2, 2), 20.0, "planned"),
            ],
        )
        self.assertEqual(order.order_line.product_uom_qty, 26.0)
        self.assertEqual(order.picking_ids.move_ids.product_uom_qty, 5.0)

    @freeze_time(WEDNESDAY_11H)
    def test_schedule_reschedule_moves_the_line(self):
        self.type_schedule.schedule_release_horizon = 2
        self.type_schedule.availability_policy = "reschedule"
        self._receipt(self.goods, 10.0, datetime(2026, 1, 12, 9, 0))
        order = self._schedule_order(self.goods, [(date(2026, 1, 8), 6.0)])
        order.action_confirm()
        self.assertEqual(order.schedule_line_ids.date, date(2026, 1, 12))
        self.assertEqual(order.schedule_line_ids.state, "planned")

    def _import_csv(self, order, rows):
        self.goods.default_code = "SOP-ATP"
        content = "Product,Date,Quantity\n" + "".join(
            f"SOP-ATP,{day},{qty}\n" for day, qty in rows
        )
        return (
            self.env["sale.order.schedule.import"]
            .create(
                {
                    "order_id": order.id,
                    "file": base64.b64encode(content.encode()),
                    "filename": "revision.csv",
                }
            )
            .action_import()
        )

    @freeze_time(WEDNESDAY_11H)
    def test_schedule_revisions_apply_the_type_policy(self):
        """A revision of a confirmed schedule (typed in, a CSV file) releasing a
        line passes the type's policy as the confirmation does."""
        self.type_schedule.schedule_release_horizon = 2
        self.type_schedule.availability_policy = "refuse"
        self._receipt(self.goods, 10.0, datetime(2026, 1, 12, 9, 0))
        order = self._schedule_order(self.goods, [(date(2026, 2, 2), 20.0)])
        order.action_confirm()
        Schedule = self.env["sale.order.schedule.line"]
        # assertRaisesRegex keeps what was written: the savepoint undoes it.
        with (
            self.assertRaisesRegex(UserError, "SOP ATP goods: 5.0 of 6.0"),
            self.env.cr.savepoint(),
        ):
            Schedule.create(
                {
                    "order_line_id": order.order_line.id,
                    "date": date(2026, 1, 8),
                    "product_uom_qty": 6.0,
                }
            )
        with (
            self.assertRaisesRegex(UserError, "SOP ATP goods: 5.0 of 6.0"),
            self.env.cr.savepoint(),
        ):
            self._import_csv(order, [(date(2026, 1, 8), 6.0)])
        self.assertEqual(order.schedule_line_ids.mapped("date"), [date(2026, 2, 2)])
        self.assertFalse(order.picking_ids)
        # Partial: what is there on the day, the rest once the receipt covers it.
        self.type_schedule.availability_policy = "partial"
        self._import_csv(order, [(date(2026, 1, 8), 6.0)])
        self.assertEqual(
            sorted(
                (s.date, s.product_uom_qty, s.state) for s in order.schedule_line_ids
            ),
            [
                (date(2026, 1, 8), 5.0, "released"),
                (date(2026, 1, 12), 1.0, "planned"),
                (date(2026, 2, 2), 20.0, "planned"),
            ],
        )
        self.assertEqual(order.picking_ids.move_ids.product_uom_qty, 5.0)
        # Raising a released line is a release too: nothing left on the day.
        self.type_schedule.availability_policy = "refuse"
        released = order.schedule_line_ids.filtered(lambda s: s.state == "released")
        with (
            self.assertRaisesRegex(UserError, "SOP ATP goods: 0.0 of 1500.0"),
            self.env.cr.savepoint(),
        ):
            released.product_uom_qty = 1505.0
        self.assertEqual(released.product_uom_qty, 5.0)
        self.assertEqual(order.picking_ids.move_ids.product_uom_qty, 5.0)

    @freeze_time(WEDNESDAY_11H)
    def test_schedule_version_applies_the_type_policy(self):
        """A version releasing a line it brings: held with the shortage under
        "refuse"; under "reschedule" the line moves to the day it is covered."""
        self.type_schedule.schedule_release_horizon = 2
        self.type_schedule.availability_policy = "refuse"
        self._receipt(self.goods, 10.0, datetime(2026, 1, 12, 9, 0))
        order = self._schedule_order(self.goods, [(date(2026, 2, 2), 20.0)])
        order.action_confirm()
        version = self.env["sale.order.schedule.version"].create(
            {
                "order_id": order.id,
                "name": "V1",
                "document_date": date(2026, 1, 7),
                "kind": "forecast",
                "line_ids": [
                    Command.create(
                        {
                            "product_id": self.goods.id,
                            "date": day,
                            "product_uom_qty": qty,
                            "firmness": "firm",
                        }
                    )
                    for day, qty in ((date(2026, 1, 8), 6.0), (date(2026, 2, 2), 20.0))
                ],
            }
        )
        version._sop_version_receive()
        self.assertEqual(version.state, "held")
        self.assertIn("SOP ATP goods: 5.0 of 6.0", version.reason)
        self.assertEqual(order.schedule_line_ids.mapped("date"), [date(2026, 2, 2)])
        self.assertFalse(order.picking_ids)
        self.type_schedule.availability_policy = "reschedule"
        version.action_apply()
        self.assertEqual(version.state, "applied")
        self.assertEqual(
            sorted(
                (s.date, s.product_uom_qty, s.state) for s in order.schedule_line_ids
            ),
            [(date(2026, 1, 12), 6.0, "planned"), (date(2026, 2, 2), 20.0, "planned")],
        )
        self.assertFalse(order.picking_ids)

    # ------------------------------------------------------------------
    # Standard orders, warehouses, units, goods without stock
    # ------------------------------------------------------------------
    @freeze_time(WEDNESDAY_11H)
    def test_standard_order_checks_only_when_its_type_says_so(self):
        self.assertEqual(self.type_standard.availability_policy, "none")
        order = self._create_order(self.type_standard, lines=[(self.goods, 50.0)])
        self.assertFalse(order.order_line.sop_confirmed_date)
        order.action_confirm()
        self.assertFalse(order.sop_availability_state)
        self.type_standard.availability_policy = "refuse"
        order = self._create_order(self.type_standard, lines=[(self.goods, 50.0)])
        with self.assertRaisesRegex(UserError, "SOP ATP goods"):
            order.action_confirm()

    @freeze_time(WEDNESDAY_11H)
    def test_standard_order_respects_the_security_lead_time(self):
        # Delivery on Monday, goods needed 2 days before it: Friday's receipt is
        # in time, Monday's would not be.
        self.company.security_lead = 2.0
        self.type_standard.availability_policy = "refuse"
        self._receipt(self.goods, 10.0, datetime(2026, 1, 9, 9, 0))
        order = self._create_order(
            self.type_standard,
            lines=[(self.goods, 8.0)],
            commitment_date=datetime(2026, 1, 12, 11, 0),
        )
        order.action_confirm()
        self.assertEqual(order.sop_availability_state, "full")

    @freeze_time(WEDNESDAY_11H)
    def test_each_warehouse_promises_its_own_stock(self):
        other_wh = self.env["stock.warehouse"].create(
            {"name": "SOP ATP second", "code": "SOP2"}
        )
        product = self._storable("SOP ATP elsewhere", 10.0, warehouse=other_wh)
        self.type_rush.availability_policy = "refuse"
        there = self._create_order(
            self.type_rush, lines=[(product, 8.0)], warehouse_id=other_wh.id
        )
        here = self._create_order(self.type_rush, lines=[(product, 1.0)])
        self.assertEqual(there.order_line.sop_confirmed_qty, 8.0)
        self.assertEqual(here.order_line.sop_confirmed_qty, 0.0)
        there.action_confirm()
        self.assertEqual(there.sop_availability_state, "full")
        with self.assertRaisesRegex(UserError, "SOP ATP elsewhere: 0.0 of 1.0"):
            here.action_confirm()

    @freeze_time(WEDNESDAY_11H)
    def test_units_of_measure_whole_dozens(self):
        dozen = self.env.ref("uom.product_uom_dozen")
        product = self._storable("SOP ATP screws", 20.0)
        self._receipt(product, 24.0, datetime(2026, 1, 9, 9, 0))
        order = self._rush("partial", [(product, 2.0)])
        line = order.order_line
        line.product_uom = dozen
        # 20 units are one whole dozen now; the second dozen on Friday.
        self.assertEqual(line.sop_confirmed_qty, 1.0)
        self.assertEqual(line.sop_full_date, FRIDAY_8H)
        order.action_confirm()
        moves = order.picking_ids.move_ids
        # A dozen now, a dozen on Friday (in the product's unit).
        self.assertEqual(
            sorted((m.product_qty, m.date_deadline) for m in moves),
            [(12.0, NOW), (12.0, FRIDAY_8H)],
        )

    @freeze_time(WEDNESDAY_11H)
    def test_services_and_consumables_are_always_available(self):
        consumable = self.env["product.product"].create(
            {"name": "SOP ATP leaflet", "type": "consu", "is_storable": False}
        )
        order = self._rush("refuse", [(self.service, 3.0), (consumable, 500.0)])
        self.assertEqual(order.order_line.mapped("sop_confirmed_qty"), [3.0, 500.0])
        self.assertFalse(any(order.order_line.mapped("sop_short")))
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.sop_availability_state, "full")

    @freeze_time(WEDNESDAY_11H)
    def test_goods_to_order_or_dropshipped_are_not_promised_from_stock(self):
        mto = self.env.ref("stock.route_warehouse0_mto")
        mto.active = True
        self.goods.route_ids = [Command.link(mto.id)]
        dropshipped = self._storable("SOP ATP dropshipped", 0.0)
        dropshipped.route_ids = [
            Command.link(self.env.ref("stock_dropshipping.route_drop_shipping").id)
        ]
        order = self._rush("refuse", [(self.goods, 50.0), (dropshipped, 7.0)])
        self.assertEqual(order.order_line.mapped("sop_confirmed_qty"), [50.0, 7.0])
        self.assertFalse(any(order.order_line.mapped("sop_short")))

    @freeze_time(WEDNESDAY_11H)
    def test_archived_warehouse_is_refused(self):
        other_wh = self.env["stock.warehouse"].create(
            {"name": "SOP ATP closed", "code": "SOPX"}
        )
        order = self._rush("partial", [(self.goods, 1.0)], warehouse_id=other_wh.id)
        other_wh.active = False
        with self.assertRaisesRegex(UserError, "SOP ATP closed is archived"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")

    def test_policy_per_kind(self):
        self.assertEqual(self.type_rush.availability_policy, "partial")
        self.assertEqual(self.type_cash.availability_policy, "none")
        with self.assertRaises(ValidationError):
            self.type_rush.availability_policy = "none"
        with self.assertRaises(ValidationError):
            self.type_cash.availability_policy = "refuse"
        new_type = self.env["sale.order.type"].create(
            {"name": "SOP ATP schedule", "kind": "schedule"}
        )
        self.assertEqual(new_type.availability_policy, "refuse")

    @freeze_time(WEDNESDAY_11H)
    def test_form_preview_of_a_new_rush_order(self):
        self._receipt(self.goods, 10.0, datetime(2026, 1, 9, 9, 0))
        self.type_rush.availability_policy = "partial"
        with Form(self.env["sale.order"]) as form:
            form.partner_id = self.customer
            form.type_id = self.type_rush
            with form.order_line.new() as line:
                line.product_id = self.goods
                line.product_uom_qty = 8.0
                self.assertEqual(line.sop_confirmed_qty, 5.0)
                self.assertEqual(line.sop_full_date, FRIDAY_8H)

    def test_filter_by_availability_state(self):
        with freeze_time(WEDNESDAY_11H):
            self._receipt(self.goods, 10.0, datetime(2026, 1, 9, 9, 0))
            order = self._rush("partial", [(self.goods, 8.0)])
            order.action_confirm()
        found = self.env["sale.order"].search(
            [("sop_availability_state", "=", "partial")]
        )
        self.assertIn(order, found)


@tagged("post_install", "-at_install")
class TestAvailabilityAtConfirmationConcurrency(CommittedCursorCase):
    """Two sessions confirm rush orders for the last units at the same time: the
    test commits its own data through real cursors and deletes it at the end."""

    def _setup(self):
        with self._committed() as env:
            rush = env["sale.order.type"].create(
                {"name": "SOP ATP lab rush", "kind": "rush"}
            )
            partner = env["res.partner"].create({"name": "SOP ATP lab customer"})
            product = env["product.product"].create(
                {"name": "SOP ATP lab goods", "type": "consu", "is_storable": True}
            )
            warehouse = env["stock.warehouse"].search(
                [("company_id", "=", env.company.id)], limit=1
            )
            env["stock.quant"]._update_available_quantity(
                product, warehouse.lot_stock_id, 3.0
            )
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": partner.id,
                        "type_id": rush.id,
                        "order_line": [
                            Command.create(
                                {"product_id": product.id, "product_uom_qty": 3.0}
                            )
                        ],
                    }
                    for _i in range(2)
                ]
            )
            ids = {
                "orders": orders.ids,
                "type": rush.id,
                "partner": partner.id,
                "product": product.id,
            }
        return ids

    def test_last_units_never_promised_twice(self):
        ids = self._setup()
        try:
            with (
                closing(self.registry.cursor()) as cr1,
                closing(self.registry.cursor()) as cr2,
            ):
                first = self._env(cr1)["sale.order"].browse(ids["orders"][0])
                second = self._env(cr2)["sale.order"].browse(ids["orders"][1])
                # Both sessions see the 3 units free (their snapshots start here).
                self.assertEqual(first.order_line.sop_confirmed_qty, 3.0)
                self.assertEqual(second.order_line.sop_confirmed_qty, 3.0)
                first.action_confirm()
                cr1.commit()
                # The second computed from a snapshot before the first committed:
                # PostgreSQL refuses it; Odoo retries the request ...
                with self.assertRaises(psycopg2.errors.SerializationFailure):
                    second.action_confirm()
                cr2.rollback()
            # ... in a new transaction, which sees the units promised.
            with closing(self.registry.cursor()) as cr3:
                env = self._env(cr3)
                first, second = env["sale.order"].browse(ids["orders"])
                self.assertEqual(first.sop_availability_state, "full")
                self.assertEqual(second.order_line.sop_confirmed_qty, 0.0)
                with self.assertRaisesRegex(
                    UserError, "no planned receipt or vendor covers"
                ):
                    second.action_confirm()
                cr3.rollback()
        finally:
            self._cleanup(ids)


@tagged("post_install", "-at_install")
class TestAvailabilityTour(HttpCase):
    def test_availability_tour(self):
        partner = self.env["res.partner"].create({"name": "SOP Tour ATP Customer"})
        product = self.env["product.product"].create(
            {
                "name": "SOP Tour ATP Goods",
                "type": "consu",
                "is_storable": True,
                "list_price": 40.0,
                "taxes_id": False,
            }
        )
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        self.env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, 5.0
        )
        # 10 arrive in ten days (after any rush delivery date).
        self.env["stock.move"].create(
            {
                "name": "SOP tour receipt",
                "product_id": product.id,
                "product_uom_qty": 10.0,
                "product_uom": product.uom_id.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "date": fields.Datetime.now() + timedelta(days=10),
            }
        )._action_confirm()
        rush = self.env.ref("sales_order_plus.type_rush_order")
        rush.write({"rush_fee_product_id": False, "availability_policy": "partial"})
        self.start_tour("/odoo/sales", "sop_availability_tour", login="admin")
        order = self.env["sale.order"].search([("partner_id", "=", partner.id)])
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.sop_availability_state, "partial")
        line = order.order_line
        self.assertEqual((line.sop_confirmed_qty, line.product_uom_qty), (5.0, 8.0))
        self.assertGreater(line.sop_full_date, order.commitment_date)
        self.assertEqual(
            sorted(order.picking_ids.mapped(lambda p: p.move_ids.product_uom_qty)),
            [3.0, 5.0],
        )
