# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import io
import socket
from datetime import date, timedelta

from odoo import Command
from odoo.http import root
from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user
from odoo.tools.pdf import PdfFileReader

from .common import SalesOrderPlusCase

# A 1x1 PNG: the customer's signature.
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAA"
    "AABJRU5ErkJggg=="
)


def closed_url():
    """An address that refuses connections at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


class PdfCase(SalesOrderPlusCase, HttpCase):
    """Reports rendered by wkhtmltopdf into real PDFs.

    In test mode Odoo renders reports as HTML unless ``force_report_rendering`` is in
    the context. wkhtmltopdf fetches the style sheets and web fonts from ``report.url``
    (else ``web.base.url``, the test server of an HttpCase). Debian's wkhtmltopdf
    (unpatched Qt) draws the text of web fonts as outlines, leaving no text to read:
    the text is read from a second rendering without style sheets (``report.url``
    refusing), in the system fonts.
    """

    def _pdf_text(self, pdf):
        """The text of a PDF, words separated by single spaces."""
        self.assertTrue(pdf.startswith(b"%PDF-"), pdf[:60])
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        self.assertTrue(reader.pages)
        return " ".join(" ".join(page.extract_text() for page in reader.pages).split())

    def _render(self, report, records):
        """Render ``report`` with its style sheets, then without; returns the text."""
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        styled, report_type = Report._render_qweb_pdf(report, records.ids)
        self.assertEqual(report_type, "pdf")
        self._pdf_text(styled)
        self.env["ir.config_parameter"].set_param("report.url", closed_url())
        plain, report_type = Report._render_qweb_pdf(report, records.ids)
        self.env["ir.config_parameter"].set_param("report.url", False)
        return self._pdf_text(plain)


@tagged("post_install", "-at_install")
class TestReportPdf(PdfCase):
    """The add-on's reports and Odoo's quotation of its kinds as PDFs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_cash.write(
            {"cash_handover": "counter", "cash_payment_journal_id": False}
        )
        cls.type_schedule.schedule_release_horizon = 0

    def test_cash_receipt(self):
        order = self._create_order(self.type_cash, lines=[(self.product, 2.0)])
        order.action_confirm()
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        for report, records in (
            ("sales_order_plus.action_report_cash_receipt", order),
            ("sales_order_plus.action_report_cash_receipt_invoice", invoice),
        ):
            text = self._render(report, records)
            self.assertIn(order.name, text)
            self.assertIn(invoice.name, text)
            self.assertIn("SOP Storable", text)
            self.assertIn("200.00", text)

    def test_printed_delivery_schedule(self):
        first, second = (
            date.today() + timedelta(days=10),
            date.today() + timedelta(days=40),
        )
        order = self._create_order(
            self.type_schedule,
            lines=[(self.product, 5.0)],
        )
        order.order_line.schedule_line_ids = [
            Command.create({"date": first, "product_uom_qty": 2.0}),
            Command.create({"date": second, "product_uom_qty": 3.0}),
        ]
        text = self._render("sales_order_plus.action_report_delivery_schedule", order)
        self.assertIn("Delivery Schedule", text)
        self.assertIn(order.name, text)
        self.assertIn("SOP Storable", text)
        self.assertIn("2.00", text)
        self.assertIn("5.00", text)  # cumulative

    def test_quotation_of_each_kind(self):
        for order_type in (
            self.type_cash,
            self.type_rush,
            self.type_schedule,
            self.type_third_party,
        ):
            order = self._create_order(order_type, lines=[(self.product, 3.0)])
            text = self._render("sale.action_report_saleorder", order)
            self.assertIn(order.name, text)
            self.assertIn("SOP Storable", text)
            self.assertIn("300.00", text)


@tagged("post_install", "-at_install")
class TestPortalAcceptancePdf(PdfCase):
    def test_accept_quotation_in_portal_sends_pdf(self):
        portal_user = new_test_user(
            self.env,
            login="sop_portal_customer",
            groups="base.group_portal",
            email="sop.portal@example.com",
        )
        order = self._create_order(
            self.type_standard,
            partner_id=portal_user.partner_id.id,
            require_signature=True,
            require_payment=False,
        )
        order.action_quotation_sent()
        self.assertTrue(order._has_to_be_signed())
        # The test server answers one request at a time: wkhtmltopdf asking it for
        # the style sheets while it answers the acceptance would wait forever.
        self.env["ir.config_parameter"].set_param("report.url", closed_url())
        session = self.authenticate(portal_user.login, portal_user.login)
        # Real PDFs in the request too (see PdfCase).
        session.context["force_report_rendering"] = True
        root.session_store.save(session)
        result = self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept",
            {
                "access_token": order._portal_ensure_token(),
                "name": "SOP Customer",
                "signature": SIGNATURE,
            },
        )
        self.assertNotIn("error", result)
        self.env.invalidate_all()
        self.assertEqual(order.state, "sale")
        messages = order.message_ids.filtered(
            lambda m: m.attachment_ids.filtered(lambda a: a.name.endswith(".pdf"))
        )
        # The signed order in the chatter and the confirmation e-mail to the
        # customer, each with the order as a PDF.
        self.assertEqual(len(messages), 2)
        confirmation = messages.filtered(
            lambda m: portal_user.partner_id in m.partner_ids
        )
        self.assertEqual(len(confirmation), 1)
        for attachment in messages.attachment_ids:
            self.assertIn(order.name, self._pdf_text(attachment.raw))
