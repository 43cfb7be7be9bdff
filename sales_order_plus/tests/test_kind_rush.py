# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from .common import SalesOrderPlusCase

# January 2026 (Brussels is UTC+1): Wednesday 7th, Friday 9th, Monday 12th.
WEDNESDAY_11H_BRUSSELS = "2026-01-07 10:00:00"
WEDNESDAY_14H30_BRUSSELS = "2026-01-07 13:30:00"
FRIDAY_15H30_BRUSSELS = "2026-01-09 14:30:00"
SATURDAY_11H_BRUSSELS = "2026-01-10 10:00:00"
THURSDAY_8H_BRUSSELS = datetime(2026, 1, 8, 7, 0)
MONDAY_8H_BRUSSELS = datetime(2026, 1, 12, 7, 0)
TUESDAY_8H_BRUSSELS = datetime(2026, 1, 13, 7, 0)


@tagged("post_install", "-at_install")
class TestKindRush(SalesOrderPlusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Europe/Brussels"
        # Mon-Fri 8:00-12:00 and 13:00-17:00 in Brussels.
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "SOP Brussels 40h", "tz": "Europe/Brussels", "company_id": False}
        )
        cls.company.resource_calendar_id = cls.calendar
        cls.fee = cls.env["product.product"].create(
            {
                "name": "SOP Rush Fee",
                "type": "service",
                "list_price": 15.0,
                "invoice_policy": "order",
                "taxes_id": False,
            }
        )
        cls.product.taxes_id = False
        cls.type_rush.write(
            {
                "rush_cutoff_time": 14.0,
                "rush_fee_product_id": cls.fee.id,
                "invoice_trigger": "delivery",
            }
        )

    def _confirm(self, at, **vals):
        with freeze_time(at):
            order = self._create_order(self.type_rush, **vals)
            order.action_confirm()
        return order

    # ------------------------------------------------------------------
    # Delivery date, priority, fee
    # ------------------------------------------------------------------
    def test_before_cutoff_delivered_today(self):
        order = self._confirm(WEDNESDAY_11H_BRUSSELS)
        now = fields.Datetime.to_datetime(WEDNESDAY_11H_BRUSSELS)
        self.assertEqual(order.commitment_date, now)
        picking = order.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.scheduled_date, now)
        self.assertEqual(picking.priority, "1")
        self.assertEqual(picking.move_ids.priority, "1")
        fee_line = order.order_line.filtered(lambda line: line.product_id == self.fee)
        self.assertEqual(len(fee_line), 1)
        self.assertEqual(fee_line.price_unit, 15.0)
        self.assertEqual(order.amount_untaxed, 5 * 100.0 + 15.0)

    def test_after_cutoff_on_friday_delivered_monday(self):
        self.company.security_lead = 1.0  # a margin of normal orders, not of rush ones
        order = self._confirm(FRIDAY_15H30_BRUSSELS)
        self.assertEqual(order.commitment_date, MONDAY_8H_BRUSSELS)
        self.assertEqual(order.picking_ids.scheduled_date, MONDAY_8H_BRUSSELS)
        self.assertEqual(order.picking_ids.priority, "1")

    def test_moved_date_said_in_chatter(self):
        """A rush date that is not now says why in the chatter (a newcomer saw the
        date jump to Monday without a word); confirmed in time: nothing to say."""
        order = self._confirm(
            FRIDAY_15H30_BRUSSELS, commitment_date=datetime(2026, 1, 9, 16, 0)
        )
        self.assertEqual(order.commitment_date, MONDAY_8H_BRUSSELS)
        bodies = order.message_ids.mapped("body")
        said = [b for b in bodies if "Rush order: delivery date" in b]
        self.assertEqual(len(said), 1, bodies)
        self.assertIn("the next working day", said[0])
        self.assertIn("cutoff (14:00, Europe/Brussels)", said[0])
        self.assertIn("1/12/26, 8:00 AM", said[0])  # Monday, in Brussels
        self.assertIn("It was 1/9/26, 5:00 PM.", said[0])
        in_time = self._confirm(WEDNESDAY_11H_BRUSSELS)
        self.assertFalse(
            [
                b
                for b in in_time.message_ids.mapped("body")
                if "Rush order: delivery date" in b
            ]
        )

    def test_cutoff_in_company_time_zone(self):
        """14:30 in Brussels is past the cutoff, although it is 13:30 UTC and 8:30 for
        a user in New York."""
        self.env.user.tz = "America/New_York"
        order = self._confirm(WEDNESDAY_14H30_BRUSSELS)
        self.assertEqual(order.commitment_date, THURSDAY_8H_BRUSSELS)

    def test_cutoff_in_calendar_time_zone_when_company_has_none(self):
        """The company partner rarely has a time zone: the company calendar's decides,
        never the confirming user's (New York: 8:30, before the cutoff)."""
        self.company.partner_id.tz = False
        self.env.user.tz = "America/New_York"
        order = self._confirm(WEDNESDAY_14H30_BRUSSELS)
        self.assertEqual(order.commitment_date, THURSDAY_8H_BRUSSELS)
        # Without calendar: the company's time zone, then UTC (13:30: before 14:00).
        self.company.resource_calendar_id = False
        order = self._confirm(WEDNESDAY_14H30_BRUSSELS)
        self.assertEqual(
            order.commitment_date,
            fields.Datetime.to_datetime(WEDNESDAY_14H30_BRUSSELS),
        )
        self.company.partner_id.tz = "Europe/Brussels"
        order = self._confirm(WEDNESDAY_14H30_BRUSSELS)
        self.assertEqual(order.commitment_date, datetime(2026, 1, 7, 23, 0))

    def test_weekend_and_public_holiday_skipped(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "SOP holiday",
                "calendar_id": self.calendar.id,
                "date_from": "2026-01-11 23:00:00",
                "date_to": "2026-01-12 22:59:59",
            }
        )
        # Saturday morning, before the cutoff: not a working day.
        order = self._confirm(SATURDAY_11H_BRUSSELS)
        self.assertEqual(order.commitment_date, TUESDAY_8H_BRUSSELS)

    def test_fee_added_once(self):
        order = self._confirm(
            WEDNESDAY_11H_BRUSSELS, lines=[(self.product, 1.0), (self.fee, 1.0)]
        )
        self.assertEqual(len(order.order_line), 2)
        self.type_rush.rush_fee_product_id = False
        order = self._confirm(WEDNESDAY_11H_BRUSSELS)
        self.assertEqual(order.order_line.product_id, self.product)

    def test_cutoff_time_range(self):
        with self.assertRaises(ValidationError):
            self.type_rush.rush_cutoff_time = 24.5

    # ------------------------------------------------------------------
    # Invoice after delivery
    # ------------------------------------------------------------------
    def _deliver(self, picking, qty):
        picking.move_ids.quantity = qty
        picking.move_ids.picked = True
        action = picking.button_validate()
        if isinstance(action, dict):  # backorder wizard
            Form.from_action(self.env, action).save().process()

    def test_partial_delivery_invoices_what_was_delivered(self):
        order = self._confirm(WEDNESDAY_11H_BRUSSELS, lines=[(self.product, 10.0)])
        self.assertFalse(order.invoice_ids)
        picking = order.picking_ids
        self._deliver(picking, 4.0)

        self.assertEqual(picking.state, "done")
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        product_line = invoice.invoice_line_ids.filtered(
            lambda line: line.product_id == self.product
        )
        self.assertEqual(product_line.quantity, 4.0)
        fee_line = invoice.invoice_line_ids.filtered(
            lambda line: line.product_id == self.fee
        )
        self.assertEqual(fee_line.quantity, 1.0)
        self.assertAlmostEqual(invoice.amount_total, 4 * 100.0 + 15.0)

        backorder = order.picking_ids - picking
        self.assertEqual(len(backorder), 1)
        self.assertEqual(backorder.backorder_id, picking)
        self.assertEqual(backorder.priority, "1")
        self.assertEqual(backorder.move_ids.product_uom_qty, 6.0)

        self._deliver(backorder, 6.0)
        second = order.invoice_ids - invoice
        self.assertEqual(len(second), 1)
        self.assertEqual(second.state, "posted")
        self.assertEqual(second.invoice_line_ids.product_id, self.product)  # no 2nd fee
        self.assertEqual(second.invoice_line_ids.quantity, 6.0)
        self.assertEqual(order.invoice_status, "invoiced")

    def test_no_invoice_when_setting_off(self):
        self.type_rush.invoice_trigger = "manual"
        order = self._confirm(WEDNESDAY_11H_BRUSSELS, lines=[(self.product, 2.0)])
        self._deliver(order.picking_ids, 2.0)
        self.assertEqual(order.picking_ids.state, "done")
        self.assertFalse(order.invoice_ids)
        self.assertEqual(order.invoice_status, "to invoice")

    def test_warehouse_user_validates_and_invoice_follows(self):
        """Neither accounting rights nor read access to the order (a salesperson
        sees only his own orders) are needed to validate a rush delivery."""
        groups = self.env.ref("stock.group_stock_user") | self.env.ref(
            "sales_team.group_sale_salesman"
        )
        stock_user = self.env["res.users"].create(
            {
                "name": "SOP Warehouse",
                "login": "sop_warehouse",
                "groups_id": [(6, 0, groups.ids)],
            }
        )
        order = self._confirm(WEDNESDAY_11H_BRUSSELS, lines=[(self.product, 2.0)])
        self.assertNotEqual(order.user_id, stock_user)
        picking = order.picking_ids.with_user(stock_user)
        self.env.invalidate_all()  # read as the warehouse user, not from the cache
        with freeze_time(WEDNESDAY_11H_BRUSSELS):
            self.assertEqual(picking.sop_rush_urgency, "today")
        self._deliver(picking, 2.0)
        self.assertEqual(order.invoice_ids.state, "posted")

    def test_standard_order_not_invoiced_on_delivery(self):
        order = self._create_order(self.type_standard, lines=[(self.product, 2.0)])
        order.action_confirm()
        self._deliver(order.picking_ids, 2.0)
        self.assertFalse(order.invoice_ids)
        self.assertEqual(order.picking_ids.priority, "0")

    # ------------------------------------------------------------------
    # Rush orders list and server action
    # ------------------------------------------------------------------
    def test_rush_list_highlights_late_and_due_today(self):
        before_cutoff = self._confirm(WEDNESDAY_11H_BRUSSELS)
        after_cutoff = self._confirm(WEDNESDAY_14H30_BRUSSELS)  # due Thursday
        delivered = self._confirm(WEDNESDAY_11H_BRUSSELS, lines=[(self.product, 1.0)])
        self._deliver(delivered.picking_ids, 1.0)
        standard = self._create_order(self.type_standard)
        standard.action_confirm()

        action = self.env.ref("sales_order_plus.action_rush_pickings")
        listed = self.env["stock.picking"].search(safe_eval(action.domain))
        pickings = before_cutoff.picking_ids | after_cutoff.picking_ids
        others = delivered.picking_ids | standard.picking_ids
        self.assertEqual(listed & (pickings | others), pickings)

        def urgency():
            pickings.invalidate_recordset(["sop_rush_urgency"])
            return (
                before_cutoff.picking_ids.sop_rush_urgency,
                after_cutoff.picking_ids.sop_rush_urgency,
            )

        with freeze_time("2026-01-07 12:00:00"):  # 13:00 in Brussels
            self.assertEqual(urgency(), ("today", "later"))
        with freeze_time("2026-01-07 13:30:00"):  # past today's cutoff
            self.assertEqual(urgency(), ("late", "later"))
        with freeze_time("2026-01-08 08:00:00"):  # Thursday morning
            self.assertEqual(urgency(), ("late", "today"))
        self.assertFalse(standard.picking_ids.sop_rush_urgency)

    def test_server_action_confirms_rush_quotations_only(self):
        action = self.env.ref("sales_order_plus.action_server_rush_confirm")
        orders = self._create_order(self.type_rush) | self._create_order(self.type_rush)
        with freeze_time(WEDNESDAY_11H_BRUSSELS):
            action.with_context(active_model="sale.order", active_ids=orders.ids).run()
        self.assertEqual(orders.mapped("state"), ["sale", "sale"])
        self.assertEqual(orders.picking_ids.mapped("priority"), ["1", "1"])
        standard = self._create_order(self.type_standard)
        with self.assertRaisesRegex(UserError, standard.name):
            action.with_context(
                active_model="sale.order", active_ids=standard.ids
            ).run()
        self.assertEqual(standard.state, "draft")


@tagged("post_install", "-at_install")
class TestKindRushTour(HttpCase):
    def test_rush_tour(self):
        partner = self.env["res.partner"].create({"name": "SOP Tour Rush Customer"})
        product = self.env["product.product"].create(
            {
                "name": "SOP Tour Spare Part",
                "type": "consu",
                "is_storable": True,
                "list_price": 40.0,
                "taxes_id": False,
            }
        )
        # In stock: a rush order never promises today goods that are not there.
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        self.env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, 1.0
        )
        rush = self.env.ref("sales_order_plus.type_rush_order")
        rush.write({"rush_fee_product_id": False, "rush_cutoff_time": 23.99})
        started = fields.Datetime.now().replace(microsecond=0)
        self.start_tour("/odoo/sales", "sop_rush_tour", login="admin")
        order = self.env["sale.order"].search([("partner_id", "=", partner.id)])
        self.assertEqual(len(order), 1)
        self.assertEqual(order.type_id, rush)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.order_line.product_id, product)
        self.assertTrue(order.commitment_date >= started)
        picking = order.picking_ids
        self.assertEqual(picking.priority, "1")
        self.assertEqual(picking.scheduled_date, order.commitment_date)
