# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The dispatch order's hand-over runs after the confirmation, as a job: the
confirmation renders no PDF and sends no mail; the job (one per dispatch order,
retried) renders the documents and leaves the mail to Odoo's mail queue; the
dispatch order shows where its hand-over is (to send, sending, sent, send failed).
The queries of a third-party confirmation do not grow with the number of vendors
beyond those of Odoo's own purchase orders."""

import logging
from unittest.mock import patch

import odoo
from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_mail_server import IrMailServer
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from .common import SalesOrderPlusCase, trap_jobs
from .test_third_party_fulfilment import FulfilmentCase

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestDispatchHandover(FulfilmentCase):
    def _order(self, qty=4.0):
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "user_id": self.salesman.id,
                "type_id": self.type_3pl.id,
                "order_line": [
                    Command.create({"product_id": self.rack.id, "product_uom_qty": qty})
                ],
            }
        )

    def _files(self, dispatch):
        return self.env["ir.attachment"].search(
            [("res_model", "=", dispatch._name), ("res_id", "=", dispatch.id)]
        )

    def _outgoing(self, dispatch):
        return self.env["mail.mail"].search(
            [("mail_message_id", "in", self._dispatch_mail(dispatch).ids)]
        )

    def test_confirmation_enqueues_the_handover(self):
        order = self._order()
        with trap_jobs() as trap:
            order.action_confirm()
            dispatch = order.sop_dispatch_ids
            self.assertEqual(len(dispatch), 1)
            trap.assert_jobs_count(1, only=dispatch._sop_send_job)
            trap.assert_enqueued_job(
                dispatch._sop_send_job,
                properties={"identity_key": identity_exact},
            )
            # Nothing rendered nor mailed inside the confirmation.
            self.assertEqual(
                (dispatch.state, dispatch.send_state), ("to_send", "to_send")
            )
            self.assertFalse(self._files(dispatch))
            self.assertFalse(self._dispatch_mail(dispatch))
            trap.perform_enqueued_jobs()
        # The job rendered the documents and queued the mail.
        mail = self._dispatch_mail(dispatch)
        self.assertEqual(len(mail), 1)
        self.assertEqual(len(mail.attachment_ids), 3)
        self.assertEqual(dispatch.state, "sent")
        self.assertEqual(dispatch.send_state, "sending")
        outgoing = self._outgoing(dispatch)
        self.assertEqual(outgoing.state, "outgoing")
        # Odoo's mail queue sends it.
        self.env["mail.mail"].process_email_queue(outgoing.ids)
        self.assertEqual(dispatch.send_state, "sent")
        self.assertFalse(dispatch.send_error)

    def test_one_job_per_dispatch_order(self):
        order = self._order()
        order.action_confirm()  # stored job, not run
        dispatch = order.sop_dispatch_ids
        dispatch.action_send()
        dispatch.action_send()
        jobs = self.env["queue.job"].search(
            [("model_name", "=", dispatch._name), ("method_name", "=", "_sop_send_job")]
        )
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs.records, dispatch)
        self.assertEqual(jobs.channel, "root.sop_dispatch_send")

    def test_rendering_failure_is_retried_then_shown(self):
        order = self._order()
        with trap_jobs() as trap:
            order.action_confirm()
        dispatch = order.sop_dispatch_ids
        Report = type(self.env["ir.actions.report"])
        with (
            patch.object(
                Report, "_render_qweb_pdf", side_effect=UserError("wkhtmltopdf died")
            ),
            self.assertRaisesRegex(RetryableJobError, "wkhtmltopdf died"),
        ):
            trap.enqueued_jobs[0].perform()
        self.assertFalse(self._dispatch_mail(dispatch))
        self.assertEqual(dispatch.send_state, "to_send")
        # The last try failed: queue_job calls the job's on_fail method.
        function = self.env["queue.job.function"].search(
            [("name", "=", "<sale.third.party.dispatch>._sop_send_job")]
        )
        self.assertEqual(function.on_fail_method, "_sop_send_failed")
        dispatch._sop_send_failed(
            exc_name="odoo.addons.queue_job.exception.FailedJobError",
            exc_message="Max. retries (5) reached: wkhtmltopdf died",
        )
        self.assertEqual(dispatch.send_state, "failed")
        self.assertIn("wkhtmltopdf died", dispatch.send_error)
        self.assertEqual(dispatch.activity_ids.user_id, self.salesman)
        # Send again: a new job, the error stays until it is sent.
        with trap_jobs() as trap:
            dispatch.action_send()
            trap.assert_jobs_count(1, only=dispatch._sop_send_job)
            self.assertEqual(dispatch.send_state, "to_send")
            trap.perform_enqueued_jobs()
        self.assertEqual(dispatch.send_state, "sending")
        self.assertFalse(dispatch.send_error)

    def test_mail_server_failure_is_shown(self):
        order = self._order()
        with trap_jobs() as trap:
            order.action_confirm()
            trap.perform_enqueued_jobs()
        dispatch = order.sop_dispatch_ids
        outgoing = self._outgoing(dispatch)
        with (
            patch.object(
                IrMailServer, "send_email", side_effect=OSError("Connection refused")
            ),
            mute_logger("odoo.addons.mail.models.mail_mail"),
        ):
            outgoing.send(raise_exception=False)
        self.assertEqual(dispatch.send_state, "failed")
        self.assertIn("Connection refused", dispatch.send_error)

    def test_nothing_left_to_ship_is_not_sent(self):
        order = self._order()
        with trap_jobs() as trap:
            order.action_confirm()
            order.sop_dispatch_ids.with_user(self.provider_portal)._sop_report_shipment(
                [{"product_code": "SOP-RACK", "quantity": 4}], report_ref="S-1"
            )
            trap.perform_enqueued_jobs()
        dispatch = order.sop_dispatch_ids
        self.assertFalse(self._dispatch_mail(dispatch))
        self.assertFalse(dispatch.send_state)


@tagged("post_install", "-at_install")
class TestThirdPartyQueryGrowth(SalesOrderPlusCase):
    """Queries of a third-party confirmation (purchase orders confirmed at once,
    dispatch orders to each vendor) against plain Odoo's dropship confirmation with
    the purchase orders confirmed by hand, for 2 and for 4 vendors."""

    LINES = 8

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendors = cls.env["res.partner"].create(
            [
                {"name": f"SOP Growth Vendor {i}", "email": f"v{i}@vendor.example"}
                for i in range(4)
            ]
        )
        cls.products = cls.env["product.product"].create(
            [
                {
                    "name": f"SOP Growth {i}",
                    "type": "consu",
                    "is_storable": True,
                    "list_price": 10.0,
                    "standard_price": 5.0,
                }
                for i in range(cls.LINES)
            ]
        )
        cls.route = cls.env.ref("stock_dropshipping.route_drop_shipping")
        cls.type_third_party.third_party_auto_confirm = True

    def _set_vendors(self, count):
        for index, product in enumerate(self.products):
            product.seller_ids = [
                Command.clear(),
                Command.create(
                    {"partner_id": self.vendors[index % count].id, "price": 5.0}
                ),
            ]

    def _order(self, order_type):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "type_id": order_type.id,
                "order_line": [
                    Command.create({"product_id": p.id, "product_uom_qty": 1.0})
                    for p in self.products
                ],
            }
        )
        if order_type == self.type_standard:
            order.order_line.route_id = self.route
        return order

    def _queries(self, order_type, vendors):
        """Queries of the flow (the second run: the first fills the caches)."""
        self._set_vendors(vendors)
        counts = []
        for _run in range(2):
            order = self._order(order_type)
            self.env.flush_all()
            self.env.invalidate_all()
            before = odoo.sql_db.sql_counter
            order.action_confirm()
            if order_type == self.type_standard:
                order.order_line.purchase_line_ids.order_id.button_confirm()
            self.env.flush_all()
            counts.append(odoo.sql_db.sql_counter - before)
            purchases = order.order_line.purchase_line_ids.order_id
            self.assertEqual(len(purchases), vendors)
            self.assertEqual(set(purchases.mapped("state")), {"purchase"})
        return counts[-1]

    def test_queries_per_vendor_as_plain_odoo(self):
        plain = {n: self._queries(self.type_standard, n) for n in (2, 4)}
        addon = {n: self._queries(self.type_third_party, n) for n in (2, 4)}
        per_vendor_plain = (plain[4] - plain[2]) / 2
        per_vendor_addon = (addon[4] - addon[2]) / 2
        _logger.info("queries: plain Odoo %s, third-party order %s", plain, addon)
        # Each vendor costs what Odoo's purchase order costs, plus its dispatch
        # order and its job (measured 6 queries: the dispatch's insert and number,
        # the transfer's link, the job's identity search and insert), not a
        # rendered PDF and a mail (152 queries per vendor before).
        self.assertLessEqual(
            per_vendor_addon,
            per_vendor_plain + 8,
            f"plain Odoo {plain}, third-party order {addon}",
        )
        self.assertLessEqual(addon[4], plain[4] * 1.1, f"{plain}, {addon}")
