# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Third-party fulfilment end to end: a vendor drop-ships, a logistics provider (3PL)
ships from the warehouse it operates for us, both in one order; dispatch orders go
out by mail, shipments come back through the portal, a file (upload or mail) and
the external API (real XML-RPC); late fulfillers reach the salesperson."""

import base64
import csv
import io
import json
from datetime import timedelta
from email.message import EmailMessage

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user

from .common import trap_jobs
from .test_kind_third_party import ThirdPartyCase


def fulfilment_fixtures(cls, code="S3PL"):
    """A logistics provider operating a warehouse of ours (with stock of a rack), its
    portal contact and API user, and a third-party type fulfilled by the provider.
    ``cls``: a test class or case with ``env``."""
    env = cls.env
    cls.provider = env["res.partner"].create(
        {"name": "SOP 3PL GmbH", "is_company": True, "email": "ops@3pl.example.com"}
    )
    cls.provider_wh = env["stock.warehouse"].create(
        {
            "name": "SOP 3PL Hall",
            "code": code,
            "sop_provider_id": cls.provider.id,
            "partner_id": cls.provider.id,
        }
    )
    cls.rack = env["product.product"].create(
        {
            "name": "SOP Pallet Rack",
            "type": "consu",
            "is_storable": True,
            "list_price": 80.0,
            "standard_price": 20.0,
            "invoice_policy": "order",
            "default_code": "SOP-RACK",
        }
    )
    env["stock.quant"]._update_available_quantity(
        cls.rack, cls.provider_wh.lot_stock_id, 50.0
    )
    cls.type_3pl = env["sale.order.type"].create(
        {
            "name": "SOP 3PL Order",
            "kind": "third_party",
            "third_party_fulfiller": "provider",
            "third_party_warehouse_id": cls.provider_wh.id,
            "invoice_trigger": "shipment",
            "third_party_ack_hours": 24,
        }
    )
    cls.provider_portal = new_test_user(
        env,
        login="sop_3pl_portal",
        groups="base.group_portal",
        email="pia@3pl.example.com",
    )
    cls.provider_portal.partner_id.parent_id = cls.provider
    cls.provider_api = new_test_user(
        env,
        login="sop_3pl_api",
        groups="base.group_portal,sales_order_plus.group_third_party_api",
    )
    cls.provider_api.partner_id.parent_id = cls.provider
    cls.customer.email = "customer@example.com"


def confirmed_3pl_order(case, qty=10.0, **context):
    order = (
        case.env["sale.order"]
        .with_context(**context)
        .create(
            {
                "partner_id": case.customer.id,
                "type_id": case.type_3pl.id,
                "order_line": [
                    Command.create({"product_id": case.rack.id, "product_uom_qty": qty})
                ],
            }
        )
    )
    confirm_and_hand_over(order, **context)
    return order


def confirm_and_hand_over(order, **job_context):
    """Confirm ``order`` and run the dispatch orders' hand-over jobs, as the job
    runner does after the commit (tests/test_third_party_handover.py tests them).
    ``job_context``: for the jobs (a stored job keeps a few context keys only)."""
    with trap_jobs() as trap:
        order.action_confirm()
        for job in trap.enqueued_jobs:
            job.recordset = job.recordset.with_context(**job_context)
        trap.perform_enqueued_jobs()


def shipment_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "reference",
            "product_code",
            "quantity",
            "carrier",
            "tracking",
            "ship_date",
            "report_ref",
        ]
    )
    writer.writerows(rows)
    return buffer.getvalue().encode()


class FulfilmentCase(ThirdPartyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        fulfilment_fixtures(cls)
        cls.vendor_a.email = "orders@vendor-a.example.com"
        cls.vendor_portal = new_test_user(
            cls.env, login="sop_vendor_portal", groups="base.group_portal"
        )
        cls.vendor_portal.partner_id.parent_id = cls.vendor_a

    def _dispatch_mail(self, dispatch):
        return dispatch.message_ids.filtered(
            lambda m: m.message_type == "comment"
            and dispatch.partner_id in m.partner_ids
        )

    def _customer_notices(self, order):
        return order.message_ids.filtered(
            lambda m: m.message_type == "comment" and order.partner_id in m.partner_ids
        )


@tagged("post_install", "-at_install")
class TestThirdPartyFulfilment(FulfilmentCase):
    def test_vendor_acknowledges_ships_customer_invoiced_and_notified(self):
        self.tp_type.third_party_auto_confirm = True
        order = self._tp_order(lines=[(self.product_a, 5.0)])
        confirm_and_hand_over(order)
        dispatch = order.sop_dispatch_ids
        self.assertEqual(len(dispatch), 1)
        self.assertEqual(dispatch.fulfiller, "vendor")
        self.assertEqual(dispatch.partner_id, self.vendor_a)
        self.assertTrue(dispatch.picking_ids.is_dropship)
        self.assertEqual(dispatch.state, "sent")
        self.assertEqual(order.order_line.sop_fulfiller, "vendor")
        self.assertEqual(order.order_line.sop_fulfiller_partner_id, self.vendor_a)
        self.assertEqual(order.order_line.sop_dispatch_state, "sent")
        # The vendor's contact acknowledges (as the portal does) ...
        promised = fields.Date.today() + timedelta(days=3)
        as_vendor = dispatch.with_user(self.vendor_portal)
        as_vendor._sop_acknowledge(str(promised))
        self.assertEqual(
            (dispatch.state, dispatch.promised_date), ("acknowledged", promised)
        )
        # ... and ships with tracking.
        as_vendor._sop_report_shipment(
            [{"product_code": str(self.product_a.id), "quantity": 5}],
            carrier="DHL",
            tracking_refs="00340434161094042557, 00340434161094042558",
            report_ref="V-1",
        )
        picking = dispatch.picking_ids
        self.assertEqual(picking.state, "done")
        self.assertEqual(
            picking.carrier_tracking_ref, "00340434161094042557,00340434161094042558"
        )
        self.assertEqual(dispatch.state, "shipped")
        self.assertEqual(order.order_line.qty_delivered, 5.0)
        invoice = self._customer_invoices(order)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.invoice_line_ids.quantity, 5.0)
        notice = self._customer_notices(order)
        self.assertEqual(len(notice), 1)
        self.assertIn("tracking-id=00340434161094042557", notice.body)
        self.assertIn("00340434161094042558", notice.body)

    def test_3pl_partial_file_then_rest_backorder_and_invoices(self):
        order = confirmed_3pl_order(self)
        dispatch = order.sop_dispatch_ids
        first = dispatch.picking_id
        wizard = self.env["sale.third.party.shipment.import"].create(
            {
                "dispatch_id": dispatch.id,
                "file": base64.b64encode(
                    shipment_csv(
                        [[dispatch.name, "SOP-RACK", "4", "DPD", "0123", "", "F-1"]]
                    )
                ),
                "filename": "shipment.csv",
            }
        )
        wizard.action_import()
        self.assertEqual(first.state, "done")
        self.assertEqual(first.move_ids.quantity, 4.0)
        self.assertEqual(first.carrier_tracking_ref, "0123")
        backorder = dispatch.picking_id
        self.assertEqual(backorder.backorder_id, first)
        self.assertEqual(backorder.move_ids.product_uom_qty, 6.0)
        self.assertEqual(dispatch.state, "partial")
        self.assertEqual(order.order_line.qty_delivered, 4.0)
        self.assertEqual(self._customer_invoices(order).invoice_line_ids.quantity, 4.0)
        self.assertEqual(dispatch.report_ids.channel, "file")
        # The rest, as the provider's system reports it.
        result = (
            self.env["sale.third.party.dispatch"]
            .with_user(self.provider_api)
            .sop_report_shipment(
                dispatch.name,
                [{"product_code": "SOP-RACK", "quantity": 6}],
                "DPD",
                ["0456"],
                str(fields.Date.today()),
                "A-1",
            )
        )
        self.assertEqual(result["state"], "shipped")
        self.assertEqual(backorder.state, "done")
        self.assertEqual(order.order_line.qty_delivered, 10.0)
        invoices = self._customer_invoices(order)
        self.assertEqual(
            sorted(invoices.invoice_line_ids.mapped("quantity")), [4.0, 6.0]
        )
        self.assertTrue(all(m.state == "posted" for m in invoices))
        self.assertEqual(len(self._customer_notices(order)), 2)

    def test_shipment_mailed_to_the_alias(self):
        order = confirmed_3pl_order(self, qty=3.0)
        dispatch = order.sop_dispatch_ids
        # The provider's mail passed our server's authentication (DMARC).
        self.env["ir.config_parameter"].sudo().set_param(
            "sales_order_plus.mail_authserv_id", "mx.sop.example"
        )
        message = EmailMessage()
        message["Authentication-Results"] = (
            "mx.sop.example; dmarc=pass header.from=3pl.example.com"
        )
        message["From"] = "Pia <pia@3pl.example.com>"
        message["To"] = "dispatch@example.com"
        message["Subject"] = f"Shipped {dispatch.name}"
        message["Message-Id"] = "<sop-3pl-1@3pl.example.com>"
        message.set_content("Shipment confirmation attached.")
        message.add_attachment(
            shipment_csv([[dispatch.name, "SOP-RACK", "3", "GLS", "777", "", "M-1"]]),
            maintype="text",
            subtype="csv",
            filename="shipment.csv",
        )
        thread_id = self.env["mail.thread"].message_process(
            "sale.third.party.dispatch", message.as_string()
        )
        self.assertEqual(thread_id, dispatch.id)
        self.assertEqual(dispatch.state, "shipped")
        self.assertEqual(dispatch.report_ids.channel, "mail")
        self.assertEqual(order.order_line.qty_delivered, 3.0)
        # The same mail again (the provider's retry) changes nothing.
        message.replace_header("Message-Id", "<sop-3pl-2@3pl.example.com>")
        self.env["mail.thread"].message_process(
            "sale.third.party.dispatch", message.as_string()
        )
        self.assertEqual(len(dispatch.report_ids), 1)
        self.assertEqual(len(self._customer_invoices(order)), 1)
        # A stranger's mail is refused.
        message.replace_header("From", "someone@elsewhere.example.com")
        message.replace_header("Message-Id", "<sop-3pl-3@elsewhere.example.com>")
        with self.assertRaisesRegex(UserError, "known fulfiller contact"):
            self.env["sale.third.party.dispatch"].message_new(
                {
                    "email_from": "someone@elsewhere.example.com",
                    "attachments": [],
                }
            )

    def test_mixed_lines_one_order(self):
        self.tp_type.third_party_auto_confirm = True
        self._rule(
            self.provider,
            fulfiller="provider",
            warehouse_id=self.provider_wh.id,
            product_ids=[Command.set(self.rack.ids)],
        )
        self.env["sale.third.party.rule"].create(
            {
                "name": "Ours",
                "fulfiller": "own",
                "warehouse_id": self.warehouse.id,
                "product_ids": [Command.set(self.product.ids)],
            }
        )
        order = self._tp_order(
            lines=[(self.product_a, 2.0), (self.rack, 3.0), (self.product, 1.0)]
        )
        by_product = {line.product_id: line for line in order.order_line}
        self.assertEqual(
            [
                by_product[p].sop_fulfiller
                for p in (self.product_a, self.rack, self.product)
            ],
            ["vendor", "provider", "own"],
        )
        self.assertEqual(by_product[self.product_a].route_id, self.dropship_route)
        self.assertFalse(by_product[self.rack].route_id)
        confirm_and_hand_over(order)
        pickings = order.picking_ids
        self.assertEqual(len(pickings), 3)
        self.assertEqual(
            pickings.filtered("is_dropship").move_ids.product_id, self.product_a
        )
        self.assertEqual(
            pickings.filtered(
                lambda p: p.picking_type_id.warehouse_id == self.provider_wh
            ).move_ids.product_id,
            self.rack,
        )
        self.assertEqual(
            pickings.filtered(
                lambda p: p.picking_type_id.warehouse_id == self.warehouse
                and not p.is_dropship
            ).move_ids.product_id,
            self.product,
        )
        dispatches = order.sop_dispatch_ids
        self.assertEqual(sorted(dispatches.mapped("fulfiller")), ["provider", "vendor"])
        self.assertEqual(by_product[self.rack].sop_dispatch_state, "sent")
        self.assertEqual(by_product[self.product_a].sop_dispatch_state, "sent")
        self.assertFalse(by_product[self.product].sop_dispatch_state)
        self.assertEqual(by_product[self.product].sop_fulfiller_partner_id.id, False)
        # The provider ships its line: only that line is delivered and invoiced.
        provider_dispatch = dispatches.filtered(lambda d: d.fulfiller == "provider")
        provider_dispatch.with_user(self.provider_portal)._sop_report_shipment(
            [{"product_code": "SOP-RACK", "quantity": 3}], report_ref="X-1"
        )
        self.assertEqual(
            [
                by_product[p].qty_delivered
                for p in (self.product_a, self.rack, self.product)
            ],
            [0.0, 3.0, 0.0],
        )
        self.assertEqual(
            self._customer_invoices(order).invoice_line_ids.product_id, self.rack
        )

    def test_idempotent_reports(self):
        order = confirmed_3pl_order(self)
        dispatch = order.sop_dispatch_ids
        Dispatch = self.env["sale.third.party.dispatch"].with_user(self.provider_api)
        lines = [{"product_code": "SOP-RACK", "quantity": 4}]
        first = Dispatch.sop_report_shipment(
            dispatch.name, lines, None, [], None, "R-1"
        )
        pickings = dispatch.picking_ids
        again = Dispatch.sop_report_shipment(
            dispatch.name, lines, None, [], None, "R-1"
        )
        self.assertEqual(again, first)
        self.assertEqual(dispatch.picking_ids, pickings)
        self.assertEqual(order.order_line.qty_delivered, 4.0)
        self.assertEqual(len(dispatch.report_ids), 1)
        self.assertEqual(len(self._customer_invoices(order)), 1)
        # Same reference through the portal: the same report, nothing new.
        dispatch.with_user(self.provider_portal)._sop_report_shipment(
            lines, report_ref="R-1"
        )
        self.assertEqual(order.order_line.qty_delivered, 4.0)
        self.assertEqual(len(self._customer_notices(order)), 1)

    def test_escalation_cron(self):
        order = confirmed_3pl_order(self)
        dispatch = order.sop_dispatch_ids
        Dispatch = self.env["sale.third.party.dispatch"]
        self.assertFalse(dispatch.is_late_ack)
        Dispatch._cron_sop_escalate()
        self.assertFalse(order.activity_ids)
        dispatch.ack_deadline = fields.Datetime.now() - timedelta(hours=1)
        self.assertIn(dispatch, Dispatch.search([("is_late_ack", "=", True)]))
        Dispatch._cron_sop_escalate()
        self.assertEqual(len(order.activity_ids), 1)
        self.assertEqual(order.activity_ids.user_id, order.user_id)
        self.assertIn("not acknowledged", str(order.activity_ids.note))
        Dispatch._cron_sop_escalate()
        self.assertEqual(len(order.activity_ids), 1, "escalated once")
        # Acknowledged with a date that then passes without a shipment.
        dispatch.with_user(self.provider_portal)._sop_acknowledge(
            str(fields.Date.today())
        )
        self.assertFalse(dispatch.is_late_ack)
        dispatch.promised_date = fields.Date.today() - timedelta(days=1)
        self.assertIn(dispatch, Dispatch.search([("is_late_ship", "=", True)]))
        self.env.ref(
            "sales_order_plus.ir_cron_third_party_escalate"
        ).method_direct_trigger()
        self.assertEqual(len(order.activity_ids), 2)
        self.assertIn("not shipped", str(order.activity_ids.mapped("note")))
        # Shipped: no longer late.
        dispatch.with_user(self.provider_portal)._sop_report_shipment(
            [{"product_code": "SOP-RACK", "quantity": 10}], report_ref="E-1"
        )
        self.assertNotIn(dispatch, Dispatch.search([("is_late_ship", "=", True)]))

    def test_exception_reported_by_the_fulfiller(self):
        order = confirmed_3pl_order(self)
        dispatch = order.sop_dispatch_ids
        dispatch.with_user(self.provider_portal)._sop_report_exception(
            "Rack damaged, new one in two weeks"
        )
        self.assertEqual(dispatch.state, "exception")
        self.assertIn("damaged", str(order.activity_ids.note))
        dispatch.action_resolve_exception()
        self.assertEqual(dispatch.state, "sent")

    def test_portal_user_sees_own_dispatches_only(self):
        order = confirmed_3pl_order(self)
        dispatch = order.sop_dispatch_ids
        Dispatch = self.env["sale.third.party.dispatch"]
        self.assertEqual(Dispatch.with_user(self.provider_portal).search([]), dispatch)
        self.assertFalse(Dispatch.with_user(self.vendor_portal).search([]))
        with self.assertRaises(AccessError):
            dispatch.with_user(self.vendor_portal).read(["name"])
        with self.assertRaises(AccessError):
            dispatch.with_user(self.provider_portal).write({"promised_date": False})
        with self.assertRaises(AccessError):
            order.with_user(self.provider_portal).read(["amount_total"])
        # Reporting a shipment does not make the provider's user a follower of the
        # order (who would then read it, prices included, in the portal).
        dispatch.with_user(self.provider_portal)._sop_report_shipment(
            [{"product_code": "SOP-RACK", "quantity": 1}], report_ref="P-1"
        )
        self.assertNotIn(
            self.provider_portal.partner_id, order.sudo().message_partner_ids
        )
        with self.assertRaises(AccessError):
            order.with_user(self.provider_portal).read(["amount_total"])

    def test_no_dispatch_order_while_on_credit_hold(self):
        # Confirmed without a user (a job) over the customer's credit limit: the
        # order is held and the logistics provider hears nothing until a credit
        # manager releases it.
        self.customer.sudo().write(
            {"credit_limit": 1.0, "risk_sale_order_include": True}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "type_id": self.type_3pl.id,
                "order_line": [
                    Command.create({"product_id": self.rack.id, "product_uom_qty": 2})
                ],
            }
        )
        order.with_context(job_uuid="credit-hold")._sop_confirm_job()
        self.assertEqual((order.state, order.sop_credit_hold), ("sale", True))
        self.assertTrue(order.picking_ids)
        self.assertFalse(order.sop_dispatch_ids)
        with trap_jobs() as trap:
            order.with_user(self.env.ref("base.user_admin")).action_sop_credit_release()
            trap.perform_enqueued_jobs()
        self.assertFalse(order.sop_credit_hold)
        self.assertEqual(len(order.sop_dispatch_ids), 1)
        self.assertTrue(self._dispatch_mail(order.sop_dispatch_ids))


@tagged("post_install", "-at_install")
class TestThirdPartyFulfilmentPdf(FulfilmentCase, HttpCase):
    """The dispatch mail with the real delivery slip PDF. An HttpCase, as
    tests/test_report_pdf.py: wkhtmltopdf fetches the report's assets from the test
    server, which serves them with the test's cursor (from a TransactionCase the
    request waits on the test's uncommitted asset bundle, and wkhtmltopdf hangs)."""

    def test_3pl_dispatch_mailed_with_documents_without_prices(self):
        # A real PDF (tests otherwise get the report's HTML).
        order = confirmed_3pl_order(self, force_report_rendering=True)
        line = order.order_line
        self.assertEqual(line.sop_fulfiller, "provider")
        self.assertEqual(line.warehouse_id, self.provider_wh)
        self.assertEqual(line.sop_fulfiller_partner_id, self.provider)
        self.assertFalse(line.route_id)
        self.assertFalse(line.purchase_line_ids)
        picking = order.picking_ids
        self.assertEqual(picking.picking_type_id.warehouse_id, self.provider_wh)
        self.assertEqual(picking.location_id, self.provider_wh.lot_stock_id)
        dispatch = order.sop_dispatch_ids
        self.assertEqual(dispatch.picking_id, picking)
        self.assertEqual(dispatch.partner_id, self.provider)
        self.assertEqual(dispatch.state, "sent")
        self.assertTrue(dispatch.ack_deadline > dispatch.sent_date)
        mail = self._dispatch_mail(dispatch)
        self.assertEqual(len(mail), 1)
        self.assertIn(dispatch.get_portal_url().split("?")[0], mail.body)
        files = {a.mimetype: a for a in mail.attachment_ids}
        self.assertEqual(
            set(files), {"application/pdf", "text/csv", "application/json"}
        )
        self.assertTrue(files["application/pdf"].raw.startswith(b"%PDF"))
        rows = list(csv.DictReader(io.StringIO(files["text/csv"].raw.decode())))
        self.assertEqual(len(rows), 1)
        self.assertEqual(
            (rows[0]["reference"], rows[0]["product_code"], rows[0]["quantity"]),
            (dispatch.name, "SOP-RACK", "10.0"),
        )
        document = json.loads(files["application/json"].raw)
        self.assertEqual(document["order"], order.name)
        self.assertEqual(document["lines"][0]["quantity"], 10.0)
        # No customer prices in any file.
        for content in (files["text/csv"].raw, files["application/json"].raw):
            self.assertNotIn(b"80.0", content)
            self.assertNotIn(b"price", content.lower())


@tagged("post_install", "-at_install")
class TestThirdPartyFulfilmentHttp(HttpCase):
    """The external API over real XML-RPC and the portal tour."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "SOP Http Customer"})
        fulfilment_fixtures(cls, code="H3PL")

    def _xmlrpc_report(self, login, *args):
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, login, {})
        self.assertTrue(uid)
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            uid,
            login,
            "sale.third.party.dispatch",
            "sop_report_shipment",
            list(args),
        )

    def test_api_over_xmlrpc(self):
        order = confirmed_3pl_order(self, qty=5.0)
        dispatch = order.sop_dispatch_ids
        lines = [{"product_code": "SOP-RACK", "quantity": 2}]
        result = self._xmlrpc_report(
            "sop_3pl_api", dispatch.name, lines, "UPS", ["1Z999"], "2030-01-02", "X-1"
        )
        self.assertEqual(result["state"], "partial")
        self.assertTrue(result["backorder"])
        self.assertEqual(order.order_line.qty_delivered, 2.0)
        # A retry of the same report over the wire changes nothing.
        again = self._xmlrpc_report(
            "sop_3pl_api", dispatch.name, lines, "UPS", ["1Z999"], "2030-01-02", "X-1"
        )
        self.assertEqual(again["backorder"], result["backorder"])
        self.assertEqual(order.order_line.qty_delivered, 2.0)
        # The portal user without the API group may not call it; the API user may
        # not read anything else.
        with self.assertRaisesRegex(Exception, "Third-party API"):
            self._xmlrpc_report(
                "sop_3pl_portal", dispatch.name, lines, "", [], "", "X-2"
            )
        uid = self.xmlrpc_common.authenticate(
            self.env.cr.dbname, "sop_3pl_api", "sop_3pl_api", {}
        )
        with self.assertRaisesRegex(Exception, "doesn't have 'read' access"):
            self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                uid,
                "sop_3pl_api",
                "sale.order",
                "read",
                [order.ids, ["amount_total"]],
            )

    def test_portal_tour(self):
        order = confirmed_3pl_order(self, qty=5.0)
        dispatch = order.sop_dispatch_ids
        self.start_tour(
            "/my/dispatch", "sop_dispatch_portal_tour", login="sop_3pl_portal"
        )
        self.assertEqual(dispatch.promised_date.isoformat(), "2035-03-01")
        self.assertEqual(dispatch.state, "partial")
        self.assertEqual(order.order_line.qty_delivered, 2.0)
        self.assertEqual(
            dispatch.picking_ids.filtered(
                lambda p: p.state == "done"
            ).carrier_tracking_ref,
            "TRK-1",
        )
        self.assertEqual(dispatch.report_ids.channel, "portal")
