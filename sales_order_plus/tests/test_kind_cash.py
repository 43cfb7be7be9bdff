# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.account_payment.tests.common import AccountPaymentCommon

from .common import SalesOrderPlusCase

# A 1x1 PNG: the customer's signature in the portal.
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8"
    "AAAAASUVORK5CYII="
)


@tagged("post_install", "-at_install")
class TestKindCash(SalesOrderPlusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax = cls.env["account.tax"].create(
            {"name": "SOP VAT 20%", "amount": 20.0, "type_tax_use": "sale"}
        )
        cls.product.taxes_id = cls.tax
        cls.service.taxes_id = cls.tax
        cls.consumable = cls.env["product.product"].create(
            {"name": "SOP Bag", "type": "consu", "list_price": 1.0, "taxes_id": False}
        )
        cls.delivered_product = cls.env["product.product"].create(
            {
                "name": "SOP Delivered Policy",
                "type": "consu",
                "is_storable": True,
                "list_price": 50.0,
                "invoice_policy": "delivery",
                "taxes_id": False,
            }
        )
        cls.short_product = cls.env["product.product"].create(
            {
                "name": "SOP Short",
                "type": "consu",
                "is_storable": True,
                "list_price": 5.0,
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.delivered_product, cls.stock_location, 10.0
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.short_product, cls.stock_location, 2.0
        )
        cls.cash_journal = cls.env["account.journal"].search(
            [
                *cls.env["account.journal"]._check_company_domain(cls.company),
                ("type", "=", "cash"),
            ],
            limit=1,
        )
        cls.bank_journal = cls.env["account.journal"].search(
            [
                *cls.env["account.journal"]._check_company_domain(cls.company),
                ("type", "=", "bank"),
            ],
            limit=1,
        )
        cls.type_cash.write(
            {"cash_payment_journal_id": False, "cash_handover": "counter"}
        )

    def _order_documents(self, order):
        """Invoices, payments and transfers that exist for the order in the database."""
        invoices = self.env["account.move"].search(
            [("invoice_line_ids.sale_line_ids.order_id", "=", order.id)]
        )
        payments = self.env["account.payment"].search(
            [("partner_id", "=", order.partner_id.id)]
        )
        pickings = self.env["stock.picking"].search([("origin", "=", order.name)])
        return invoices, payments, pickings

    def test_counter_sale_invoiced_paid_delivered(self):
        order = self._create_order(
            self.type_cash,
            lines=[
                (self.product, 5.0),
                (self.service, 2.0),
                (self.consumable, 3.0),
                (self.delivered_product, 4.0),
            ],
        )
        # 5 x 100 + 2 x 30 taxed 20%, plus 3 x 1 and 4 x 50 untaxed.
        self.assertAlmostEqual(order.amount_total, 560.0 * 1.2 + 3.0 + 200.0)
        order.action_confirm()

        self.assertEqual(order.state, "sale")
        self.assertEqual(order.invoice_status, "invoiced")
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertAlmostEqual(invoice.amount_total, order.amount_total)
        payment = invoice._get_reconciled_payments()
        self.assertEqual(len(payment), 1)
        self.assertEqual(payment.journal_id, self.cash_journal)
        self.assertAlmostEqual(payment.amount, order.amount_total)

        picking = order.picking_ids
        self.assertEqual(len(picking), 1, "no backorder")
        self.assertEqual(picking.state, "done")
        for line in order.order_line:
            self.assertEqual(line.qty_invoiced, line.product_uom_qty, line.name)
            if line.product_id != self.service:
                self.assertEqual(line.qty_delivered, line.product_uom_qty, line.name)
        self.assertEqual(self.product.qty_available, 95.0)
        self.assertEqual(self.delivered_product.qty_available, 6.0)

    def test_type_journal_takes_the_payment(self):
        self.type_cash.cash_payment_journal_id = self.bank_journal
        order = self._create_order(self.type_cash)
        order.action_confirm()
        payment = order.invoice_ids._get_reconciled_payments()
        self.assertEqual(payment.journal_id, self.bank_journal)
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))

    def test_no_cash_journal_is_a_clear_error(self):
        self.env["account.journal"].search(
            [("type", "=", "cash"), ("company_id", "=", self.company.id)]
        ).active = False
        order = self._create_order(self.type_cash)
        with self.assertRaisesRegex(UserError, "no cash journal found"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        invoices, payments, pickings = self._order_documents(order)
        self.assertFalse(invoices or payments or pickings)

    def test_counter_shortage_names_each_product(self):
        order = self._create_order(
            self.type_cash,
            lines=[
                (self.product, 60.0),
                (self.product, 50.0),  # same product twice: 110 needed in total
                (self.short_product, 3.0),
                (self.service, 1.0),
            ],
        )
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        message = str(error.exception)
        self.assertIn("SOP Storable", message)
        self.assertIn("110.0 Units needed, 100.0 available", message)
        self.assertIn("SOP Short", message)
        self.assertIn("3.0 Units needed, 2.0 available", message)
        self.assertNotIn("SOP Service", message)
        self.assertEqual(order.state, "draft")
        invoices, payments, pickings = self._order_documents(order)
        self.assertFalse(invoices or payments or pickings)

    def test_pickup_delivery_waits_ready(self):
        self.type_cash.cash_handover = "pickup"
        # More than in stock is fine: only a counter sale hands the goods over now.
        order = self._create_order(self.type_cash, lines=[(self.product, 5.0)])
        order.action_confirm()
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.picking_ids.state, "assigned")
        self.assertEqual(order.order_line.qty_delivered, 0.0)
        # The customer collects later: the invoice is not touched by the delivery.
        order.picking_ids.button_validate()
        self.assertEqual(order.picking_ids.state, "done")
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertEqual(order.invoice_status, "invoiced")

    def test_ship_is_a_normal_delivery(self):
        self.type_cash.cash_handover = "ship"
        order = self._create_order(self.type_cash, lines=[(self.short_product, 3.0)])
        order.action_confirm()
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.picking_ids.state, "assigned")  # partially available
        self.assertEqual(order.picking_ids.move_ids.quantity, 2.0)

    def test_failure_in_the_chain_leaves_nothing_behind(self):
        order = self._create_order(
            self.type_cash, lines=[(self.product, 5.0), (self.service, 1.0)]
        )
        wizard_class = type(self.env["account.payment.register"])
        with (
            patch.object(
                wizard_class,
                "_create_payments",
                side_effect=UserError("Payment terminal offline"),
            ),
            self.assertRaisesRegex(UserError, "Payment terminal offline"),
        ):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        invoices, payments, pickings = self._order_documents(order)
        self.assertFalse(invoices, "the invoice was rolled back")
        self.assertFalse(payments)
        self.assertFalse(pickings, "the delivery was rolled back")
        self.assertEqual(self.product.qty_available, 100.0)
        # Once the terminal is back, the same quotation goes through.
        order.action_confirm()
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))

    def test_caller_catching_the_failure_keeps_nothing(self):
        """An automation that catches the error and goes on (no savepoint of its
        own, unlike assertRaises): the confirmation's savepoint
        (``_sop_confirm_atomic``) still takes back the order's documents."""
        order = self._create_order(
            self.type_cash, lines=[(self.product, 5.0), (self.service, 1.0)]
        )
        self.assertTrue(order._sop_confirm_atomic())
        self.assertFalse(self._create_order(self.type_standard)._sop_confirm_atomic())
        wizard_class = type(self.env["account.payment.register"])
        failed = False
        with patch.object(
            wizard_class,
            "_create_payments",
            side_effect=UserError("Payment terminal offline"),
        ):
            try:
                order.action_confirm()
            except UserError:
                failed = True
        self.assertTrue(failed)
        self.env.invalidate_all()
        self.assertEqual(order.state, "draft")
        invoices, payments, pickings = self._order_documents(order)
        self.assertFalse(invoices, "the invoice was rolled back")
        self.assertFalse(payments)
        self.assertFalse(pickings, "the delivery was rolled back")

    def test_confirming_twice_pays_once(self):
        order = self._create_order(self.type_cash)
        order.action_confirm()
        with self.assertRaises(UserError):
            order.action_confirm()
        with self.assertRaises(UserError):
            order.action_sop_cash_settle()
        invoices, payments, pickings = self._order_documents(order)
        self.assertEqual(len(invoices), 1)
        self.assertEqual(len(payments), 1)
        self.assertEqual(len(pickings), 1)

    def test_concurrent_confirmation_is_refused(self):
        """A second request confirming the same order while the first one holds it
        gets a clear error at once instead of paying a second time."""
        order = self.env.ref(
            "sales_order_plus.demo_order_cash", raise_if_not_found=False
        )
        if not order:
            self.skipTest("needs the committed demo quotation")
        self.assertEqual(order.state, "draft")
        with self.registry.cursor() as other_cr:
            other_cr.execute("SET LOCAL lock_timeout = '5s'")
            other_cr.execute(
                "SELECT id FROM sale_order WHERE id = %s FOR NO KEY UPDATE", [order.id]
            )
            with self.assertRaisesRegex(UserError, "being confirmed by another"):
                order.action_confirm()
            other_cr.rollback()
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.invoice_ids)

    @freeze_time("2026-03-10 23:30:00")
    def test_multi_currency_order_paid_in_its_currency(self):
        currency = self.env.ref("base.EUR")
        if currency == self.company.currency_id:
            currency = self.env.ref("base.CHF")
        currency.active = True
        # Dated before the order: the order's prices are converted at its date in
        # UTC, the invoice and payment at the company's day (from 23:00 UTC the
        # next day in Europe/Berlin); a rate of "today" would miss one of them.
        self.env["res.currency.rate"].create(
            {
                "name": fields.Date.today() - timedelta(days=1),
                "currency_id": currency.id,
                "rate": 2.0,
                "company_id": self.company.id,
            }
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "SOP foreign", "currency_id": currency.id}
        )
        order = self._create_order(
            self.type_cash,
            lines=[(self.product, 1.0), (self.service, 1.0)],
            pricelist_id=pricelist.id,
        )
        self.assertEqual(order.currency_id, currency)
        order.action_confirm()
        invoice = order.invoice_ids
        self.assertEqual(invoice.currency_id, currency)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        payment = invoice._get_reconciled_payments()
        self.assertEqual(payment.currency_id, currency)
        self.assertAlmostEqual(payment.amount, order.amount_total)
        self.assertAlmostEqual(order.amount_total, 130.0 * 2 * 1.2)

    def test_services_only(self):
        order = self._create_order(self.type_cash, lines=[(self.service, 3.0)])
        order.action_confirm()
        self.assertFalse(order.picking_ids)
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))

    def test_salesperson_settles_without_accounting_rights(self):
        order = self._create_order(self.type_cash, user_id=self.salesman.id)
        self.env.invalidate_all()  # read as the salesperson, not from the cache
        order.with_user(self.salesman).action_confirm()
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.picking_ids.state, "done")

    def test_cash_receipt_from_order_and_invoice(self):
        order = self._create_order(
            self.type_cash, lines=[(self.product, 2.0), (self.service, 1.0)]
        )
        order.action_confirm()
        invoice = order.invoice_ids
        report = self.env["ir.actions.report"]
        for action, res_ids in (
            ("sales_order_plus.action_report_cash_receipt", order.ids),
            ("sales_order_plus.action_report_cash_receipt_invoice", invoice.ids),
        ):
            html = report._render_qweb_html(action, res_ids)[0].decode()
            self.assertIn(order.name, html)
            self.assertIn(invoice.name, html)
            self.assertIn(self.cash_journal.name, html)
            self.assertIn("SOP Storable", html)
            self.assertIn("SOP VAT 20%", html)
            self.assertIn("276.00", html)  # total: 230 + 20% tax
            self.assertIn("46.00", html)  # tax amount
        binding = self.env.ref("sales_order_plus.action_report_cash_receipt")
        self.assertEqual(binding.binding_model_id.model, "sale.order")

    def test_server_action_settles_cash_quotations_only(self):
        orders = self._create_order(self.type_cash) | self._create_order(self.type_cash)
        action = self.env.ref("sales_order_plus.action_server_cash_settle")
        action.with_context(active_model="sale.order", active_ids=orders.ids).run()
        self.assertEqual(orders.mapped("state"), ["sale", "sale"])
        self.assertTrue(
            all(o.invoice_ids.payment_state in ("paid", "in_payment") for o in orders)
        )
        standard = self._create_order(self.type_standard)
        cash = self._create_order(self.type_cash)
        with self.assertRaisesRegex(UserError, standard.name):
            action.with_context(
                active_model="sale.order", active_ids=(standard | cash).ids
            ).run()
        self.assertEqual((standard | cash).mapped("state"), ["draft", "draft"])

    def _credit(self, invoice):
        """Full credit note of ``invoice``, posted (Odoo's reversal wizard)."""
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "SOP cancel"})
        )
        reversal.refund_moves()
        refund = invoice.reversal_move_ids
        refund.action_post()
        return refund

    def test_paid_pickup_sale_cannot_be_cancelled_before_credit_note(self):
        self.type_cash.cash_handover = "pickup"
        order = self._create_order(self.type_cash, lines=[(self.product, 2.0)])
        order.action_confirm()
        invoice = order.invoice_ids
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.picking_ids.state, "assigned")
        with self.assertRaisesRegex(UserError, "posted invoices .* not credited"):
            order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.picking_ids.state, "assigned")
        # Credited (the cash paid back is the shop's business): now it can go.
        self._credit(invoice)
        order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.picking_ids.state, "cancel")

    def test_paid_counter_sale_cannot_be_cancelled(self):
        order = self._create_order(self.type_cash, lines=[(self.product, 2.0)])
        order.action_confirm()
        with self.assertRaises(UserError):
            order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(order.state, "sale")
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))

    def test_counter_hand_over_wizard_rolls_back(self):
        """A validation answering with a wizard (an expiry alert, a quality check, an
        SMS prompt of modules not installed here) is a clear error, not an endless
        loop; the cash sale is taken back whole."""
        calls = []

        def pre_action_done_hook(pickings):
            calls.append(pickings.ids)
            if len(calls) > 3:
                raise AssertionError(f"validation retried {len(calls)} times")
            return {
                "type": "ir.actions.act_window",
                "res_model": "stock.picking",
                "name": "Confirm expired lots",
                "view_mode": "form",
                "target": "new",
            }

        order = self._create_order(self.type_cash, lines=[(self.product, 2.0)])
        with (
            patch.object(
                type(self.env["stock.picking"]),
                "_pre_action_done_hook",
                pre_action_done_hook,
            ),
            self.assertRaisesRegex(UserError, "asks for more input"),
        ):
            order.action_confirm()
        self.assertEqual(len(calls), 1)
        self.assertEqual(order.state, "draft")
        invoices, payments, pickings = self._order_documents(order)
        self.assertFalse(invoices or payments or pickings)
        self.assertEqual(self.product.qty_available, 100.0)


@tagged("post_install", "-at_install")
class TestKindCashTour(HttpCase):
    def test_cash_tour(self):
        partner = self.env["res.partner"].create({"name": "SOP Tour Cash Customer"})
        product = self.env["product.product"].create(
            {
                "name": "SOP Tour Counter Item",
                "type": "consu",
                "is_storable": True,
                "list_price": 25.0,
                "invoice_policy": "order",
                "taxes_id": False,
            }
        )
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        self.env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, 10.0
        )
        self.env.ref("sales_order_plus.type_cash_sale").cash_handover = "counter"
        self.start_tour("/odoo/sales", "sop_cash_tour", login="admin")
        order = self.env["sale.order"].search([("partner_id", "=", partner.id)])
        self.assertEqual(len(order), 1)
        self.assertEqual(order.type_id, self.env.ref("sales_order_plus.type_cash_sale"))
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.order_line.product_id, product)
        self.assertEqual(order.order_line.product_uom_qty, 3.0)
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.picking_ids.state, "done")
        self.assertEqual(product.qty_available, 7.0)


@tagged("post_install", "-at_install")
class TestKindCashPortal(HttpCase):
    """A cash quotation accepted by the customer in the portal is confirmed, not
    settled: nobody took cash and the goods are still on the shelf."""

    def setUp(self):
        super().setUp()
        self.type_cash = self.env.ref("sales_order_plus.type_cash_sale")
        self.type_cash.write(
            {"cash_handover": "counter", "cash_payment_journal_id": False}
        )
        self.customer = self.env["res.partner"].create(
            {"name": "SOP Portal Customer", "email": "portal.customer@example.com"}
        )
        self.product = self.env["product.product"].create(
            {
                "name": "SOP Portal Item",
                "type": "consu",
                "is_storable": True,
                "list_price": 40.0,
                "invoice_policy": "order",
                "taxes_id": False,
            }
        )
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        self.env["stock.quant"]._update_available_quantity(
            self.product, warehouse.lot_stock_id, 10.0
        )

    def _quotation(self):
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "type_id": self.type_cash.id,
                "require_signature": True,
                "require_payment": False,
                "validity_date": False,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 2.0}
                    )
                ],
            }
        )

    def _accept_in_portal(self, order):
        return self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept",
            {
                "access_token": order._portal_ensure_token(),
                "name": "SOP Portal Customer",
                "signature": SIGNATURE,
            },
        )

    def test_portal_acceptance_confirms_without_settling(self):
        order = self._quotation()
        result = self._accept_in_portal(order)
        self.assertNotIn("error", result)
        self.env.invalidate_all()
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.signature)
        self.assertFalse(order.invoice_ids, "no invoice before the sale is settled")
        self.assertFalse(
            self.env["account.payment"].search([("partner_id", "=", self.customer.id)]),
            "no cash payment nobody took",
        )
        self.assertEqual(order.picking_ids.state, "assigned", "goods still there")
        self.assertEqual(self.product.qty_available, 10.0)
        self.assertTrue(order.sop_cash_to_settle)
        # The customer comes to the counter: the back office settles the sale.
        order.action_sop_cash_settle()
        self.assertFalse(order.sop_cash_to_settle)
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice._get_reconciled_payments().journal_id.type, "cash")
        self.assertEqual(order.picking_ids.state, "done")
        self.assertEqual(self.product.qty_available, 8.0)
        # Settled once: a second click is refused and pays nothing more.
        with self.assertRaisesRegex(UserError, "awaiting settlement"):
            order.action_sop_cash_settle()
        self.assertEqual(len(invoice._get_reconciled_payments()), 1)

    def test_settling_with_goods_missing_rolls_back(self):
        order = self._quotation()
        self._accept_in_portal(order)
        self.env.invalidate_all()
        # Someone else took the reserved goods: the hand-over fails, nothing stays.
        order.picking_ids.do_unreserve()
        self.env["stock.quant"]._update_available_quantity(
            self.product, order.warehouse_id.lot_stock_id, -10.0
        )
        with self.assertRaisesRegex(UserError, "cannot be handed over"):
            order.action_sop_cash_settle()
        self.assertFalse(order.invoice_ids)
        self.assertTrue(order.sop_cash_to_settle)


@tagged("post_install", "-at_install")
class TestKindCashOnlinePayment(AccountPaymentCommon):
    """A cash quotation paid online: the online payment is the one reconciled with
    the invoice; no cash payment, no hand-over until the back office settles."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_cash = cls.env.ref("sales_order_plus.type_cash_sale")
        cls.type_cash.write(
            {"cash_handover": "counter", "cash_payment_journal_id": False}
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "SOP Online Item",
                "type": "consu",
                "is_storable": True,
                "list_price": 50.0,
                "invoice_policy": "order",
                "taxes_id": False,
            }
        )
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, warehouse.lot_stock_id, 10.0
        )

    def _paid_online(self, amount_share=1.0):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "type_id": self.type_cash.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 2.0}
                    )
                ],
            }
        )
        order.write({"require_payment": True, "prepayment_percent": amount_share})
        tx = self._create_transaction(
            flow="direct",
            amount=order.amount_total * amount_share,
            currency_id=order.currency_id.id,
            partner_id=order.partner_invoice_id.id,
            reference=f"SOP-{order.name}",
            sale_order_ids=[Command.set(order.ids)],
        )
        tx._set_done()
        tx._post_process()
        return order, tx

    def _cash_payments(self, order):
        return self.env["account.payment"].search(
            [("partner_id", "=", order.partner_id.id), ("journal_id.type", "=", "cash")]
        )

    def test_online_payment_confirms_then_settles_with_it(self):
        order, tx = self._paid_online()
        self.assertEqual(order.state, "sale")
        self.assertTrue(tx.payment_id)
        self.assertFalse(order.invoice_ids.filtered(lambda m: m.state == "posted"))
        self.assertFalse(self._cash_payments(order))
        self.assertEqual(order.picking_ids.state, "assigned")
        # At the counter: invoiced, the online payment reconciled, goods handed over.
        order.action_sop_cash_settle()
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice._get_reconciled_payments(), tx.payment_id)
        self.assertFalse(self._cash_payments(order))
        self.assertEqual(order.picking_ids.state, "done")

    def test_online_payment_with_automatic_invoice(self):
        self.env["ir.config_parameter"].sudo().set_param("sale.automatic_invoice", True)
        order, tx = self._paid_online()
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice._get_reconciled_payments(), tx.payment_id)
        self.assertFalse(self._cash_payments(order))
        self.assertEqual(order.picking_ids.state, "assigned")
        # The back office hands the goods over; nothing more is invoiced or paid.
        order.action_sop_cash_settle()
        self.assertEqual(order.invoice_ids, invoice)
        self.assertFalse(self._cash_payments(order))
        self.assertEqual(order.picking_ids.state, "done")

    def test_partial_online_payment_rest_in_cash(self):
        order, tx = self._paid_online(amount_share=0.5)
        self.assertEqual(order.state, "sale")
        order.action_sop_cash_settle()
        invoice = order.invoice_ids
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        cash = self._cash_payments(order)
        self.assertEqual(len(cash), 1)
        self.assertAlmostEqual(cash.amount, order.amount_total / 2)
        self.assertEqual(invoice._get_reconciled_payments(), tx.payment_id | cash)
