# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import SalesOrderPlusCase


@tagged("post_install", "-at_install")
class TestCashRegister(SalesOrderPlusCase):
    """The one way the cash kind pays invoices (the settlement, the hand-over
    wizard, the counter refund): Odoo's payment wizard."""

    def _posted_invoice(self):
        order = self._create_order(lines=[(self.service, 2.0)])
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.action_post()
        return order, invoice

    def test_what_is_left_by_default(self):
        order, invoice = self._posted_invoice()
        journal = order._sop_cash_journal()
        payments = order._sop_cash_register(invoice, journal)
        self.assertEqual(len(payments), 1)
        self.assertEqual(payments.journal_id, journal)
        self.assertAlmostEqual(payments.amount, invoice.amount_total)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_an_amount_leaves_the_rest_open(self):
        order, invoice = self._posted_invoice()
        journal = order._sop_cash_journal()
        payments = order._sop_cash_register(invoice, journal, 20.0)
        self.assertAlmostEqual(payments.amount, 20.0)
        self.assertEqual(invoice.payment_state, "partial")
        self.assertAlmostEqual(invoice.amount_residual, invoice.amount_total - 20.0)
