# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Fields readonly in the views are readonly over RPC too: a version's state and
what applying wrote, the lines of an applied version, a dispatch order's fields are
written by their own steps only (issue 21, suspected item). And a context key of the
add-on's own steps changes nothing when a client sends it (item 2)."""

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SalesOrderPlusCase
from .test_schedule_version import VersionCase
from .test_third_party_fulfilment import FulfilmentCase, confirmed_3pl_order


@tagged("post_install", "-at_install")
class TestVersionReadonlyOverRpc(VersionCase):
    def _applied(self):
        order = self._agreement()
        version = self._version(order, [(self.product, 30, 8.0, "firm")])
        self.assertEqual(version.state, "applied", version.reason)
        return version

    def test_applied_version_refuses_state_and_applied_fields(self):
        version = self._applied().with_user(self.salesman)
        applied_date = version.applied_date
        for vals in (
            {"state": "received"},
            {"state": "rejected"},
            {"applied_date": False},
            {"reason": "edited"},
            {"previous_id": False},
            {"name": "V1-edited"},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                version.write(vals)
        self.assertEqual(version.state, "applied")
        self.assertEqual(version.applied_date, applied_date)
        self.assertEqual(version.name, "V1")

    def test_applied_version_lines_are_frozen(self):
        version = self._applied()
        line = version.line_ids.with_user(self.salesman)
        with self.assertRaises(UserError):
            line.write({"product_uom_qty": 99.0})
        with self.assertRaises(UserError):
            line.unlink()
        with self.assertRaises(UserError):
            line.create(
                {
                    "version_id": version.id,
                    "product_id": self.product.id,
                    "date": self.day(40),
                    "product_uom_qty": 5.0,
                }
            )
        self.assertEqual(version.line_ids.mapped("product_uom_qty"), [8.0])

    def test_received_version_not_marked_applied_by_a_write(self):
        order = self._agreement()
        Version = self.Version.with_user(self.salesman)
        with self.assertRaises(UserError):
            Version.create({"order_id": order.id, "name": "V-FAKE", "state": "applied"})
        version = Version.create(
            {
                "order_id": order.id,
                "name": "V2",
                "kind": "forecast",
                "line_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "date": self.day(30),
                            "product_uom_qty": 8.0,
                        }
                    )
                ],
            }
        )
        for vals in ({"state": "applied"}, {"applied_date": fields.Datetime.now()}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                version.write(vals)
        self.assertEqual(version.state, "received")
        # Its content stays the salesperson's to edit until it is applied.
        version.line_ids.product_uom_qty = 7.0
        version.name = "V2-edited"
        # Applying (the button) writes state and applied fields itself.
        version.action_apply()
        self.assertEqual(version.state, "applied")
        self.assertTrue(version.applied_date)
        self.assertEqual(self._schedule(order, self.product)[("SOP-STORE", 30)][0], 7.0)


@tagged("post_install", "-at_install")
class TestDispatchReadonlyOverRpc(FulfilmentCase):
    def test_dispatch_fields_refused_to_a_salesperson(self):
        dispatch = confirmed_3pl_order(self).sop_dispatch_ids
        dispatch._sop_report_exception("The rack is damaged")
        before = dispatch.read(
            ["state", "exception_reason", "promised_date", "sent_date"]
        )[0]
        as_salesman = dispatch.with_user(self.salesman)
        for vals in (
            {"exception_reason": False},
            {"state": "delivered"},
            {"delivered_date": fields.Datetime.now()},
            {"promised_date": fields.Date.today()},
            {"sent_date": False},
            {"carrier": "forged", "tracking_refs": "1Z"},
            {"partner_id": self.customer.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                as_salesman.write(vals)
        self.assertEqual(
            dispatch.read(["state", "exception_reason", "promised_date", "sent_date"])[
                0
            ],
            before,
        )
        self.assertFalse(dispatch.delivered_date)
        # The buttons still write what they own.
        as_salesman.action_resolve_exception()
        self.assertFalse(dispatch.exception_reason)
        dispatch._sop_report_shipment(
            [{"product_code": "SOP-RACK", "quantity": 10}], report_ref="RO-1"
        )
        self.assertEqual(dispatch.state, "shipped")
        as_salesman.action_mark_delivered()
        self.assertEqual(dispatch.state, "delivered")
        self.assertTrue(dispatch.delivered_date)


@tagged("post_install", "-at_install")
class TestScheduleContextKeyOverRpc(SalesOrderPlusCase):
    def test_schedule_line_key_does_not_hide_the_moves(self):
        """``sop_schedule_line_id`` narrows Odoo's figures to one schedule line for
        the add-on's own count; sent by a client on a quantity change it would hide
        the line's moves, and Odoo would procure the whole quantity again."""
        order = self._create_order(self.type_standard, user_id=self.salesman.id)
        order.action_confirm()
        line = order.order_line
        self.assertEqual(sum(line.move_ids.mapped("product_uom_qty")), 5.0)
        line.with_user(self.salesman).with_context(sop_schedule_line_id=12345).write(
            {"product_uom_qty": 6.0}
        )
        moves = line.move_ids.filtered(lambda m: m.state != "cancel")
        self.assertEqual(sum(moves.mapped("product_uom_qty")), 6.0)
