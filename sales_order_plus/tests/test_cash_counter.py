# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The counter: hand-over modes, Pay and Hand Over (split payments, change, partial
collection), expiry of reservations, online-paid collection."""

import re
from datetime import date, timedelta

from freezegun import freeze_time
from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tests.common import new_test_user
from odoo.tools.safe_eval import safe_eval

from odoo.addons.account_payment.tests.common import AccountPaymentCommon

from .common import SalesOrderPlusCase


class CounterMixin:
    """Fixtures shared by the counter tests: a collect type paid in cash or on the
    card terminal's bank journal, goods without taxes (round amounts)."""

    @classmethod
    def _counter_setup(cls):
        Journal = cls.env["account.journal"]
        company_domain = Journal._check_company_domain(cls.env.company)
        cls.cash_journal = Journal.search(
            [*company_domain, ("type", "=", "cash")], limit=1
        )
        cls.card_journal = Journal.search(
            [*company_domain, ("type", "=", "bank")], limit=1
        )
        # A drawer of its own: the day's figures are the test's payments only.
        Account = cls.env["account.account"]
        cls.loss_account = Account.create(
            {"name": "SOP Cash Loss", "code": "SOP6990", "account_type": "expense"}
        )
        cls.profit_account = Account.create(
            {"name": "SOP Cash Gain", "code": "SOP7990", "account_type": "income_other"}
        )
        cls.cash_journal = Journal.create(
            {
                "name": "SOP Counter Drawer",
                "code": "SOPD",
                "type": "cash",
                "loss_account_id": cls.loss_account.id,
                "profit_account_id": cls.profit_account.id,
            }
        )
        cls.type_collect = cls.env["sale.order.type"].create(
            {
                "name": "SOP Click and Collect",
                "kind": "cash",
                "cash_handover": "collect",
                "cash_journal_ids": [
                    Command.set((cls.cash_journal | cls.card_journal).ids)
                ],
            }
        )
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.mattress = cls.env["product.product"].create(
            {
                "name": "SOP Mattress",
                "is_storable": True,
                "list_price": 100.0,
                "invoice_policy": "order",
                "taxes_id": False,
            }
        )
        cls.pillow = cls.env["product.product"].create(
            {
                "name": "SOP Pillow",
                "is_storable": True,
                "list_price": 20.0,
                "invoice_policy": "order",
                "taxes_id": False,
            }
        )
        for product in (cls.mattress, cls.pillow):
            cls.env["stock.quant"]._update_available_quantity(
                product, warehouse.lot_stock_id, 50.0
            )

    def _collect_order(self, lines=None, order_type=None, partner=None):
        order = self.env["sale.order"].create(
            {
                "partner_id": (partner or self.customer).id,
                "type_id": (order_type or self.type_collect).id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty})
                    for product, qty in (lines or [(self.mattress, 2.0)])
                ],
            }
        )
        order.action_confirm()
        return order

    def _wizard(self, order, payments=None, quantities=None, tendered=0.0):
        """Pay and Hand Over as the counter fills it in: ``payments`` [(journal,
        amount)] replace the proposed line, ``quantities`` {product: qty}."""
        wizard = self.env["sale.cash.handover"].create({"order_id": order.id})
        if quantities is not None:
            for line in wizard.line_ids:
                line.quantity = quantities.get(line.product_id, 0.0)
        if payments is not None:
            wizard.payment_ids = [Command.clear()] + [
                Command.create({"journal_id": journal.id, "amount": amount})
                for journal, amount in payments
            ]
        else:
            wizard._propose_cash()
        wizard.amount_tendered = tendered
        return wizard

    def _payments(self, order):
        return order.invoice_ids._get_reconciled_payments()


@tagged("post_install", "-at_install")
class TestCashCounter(CounterMixin, SalesOrderPlusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._counter_setup()
        cls.cashier = new_test_user(
            cls.env,
            login="sop_cashier",
            groups="sales_order_plus.group_sale_cashier",
        )

    # -- the modes ---------------------------------------------------------------------
    def test_collect_reserves_without_invoice_or_payment(self):
        self.assertEqual(self.type_collect.invoice_trigger, "collection")
        order = self._collect_order()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.invoice_ids)
        self.assertFalse(
            self.env["account.payment"].search([("partner_id", "=", self.customer.id)])
        )
        self.assertEqual(order.picking_ids.state, "assigned")
        self.assertEqual(order.picking_ids.move_ids.quantity, 2.0)
        self.assertTrue(order.sop_cash_awaiting_collection)
        self.assertFalse(order.sop_cash_to_settle)
        self.assertEqual(order.invoice_status, "no")

    def test_each_mode(self):
        """counter: paid and handed over; ship: paid, delivery waits; pickup: paid,
        awaiting collection, handed over without payment; collect: reserved."""
        expected = {
            "counter": ("done", True, False),
            "ship": ("assigned", True, False),
            "pickup": ("assigned", True, True),
            "collect": ("assigned", False, True),
        }
        for mode, (picking_state, paid, awaiting) in expected.items():
            with self.subTest(mode=mode):
                self.type_collect.cash_handover = mode
                self.assertEqual(
                    self.type_collect.invoice_trigger,
                    "collection" if mode == "collect" else "confirmation",
                )
                order = self._collect_order()
                self.assertEqual(order.picking_ids.state, picking_state)
                self.assertEqual(bool(self._payments(order)), paid)
                self.assertEqual(order.sop_cash_awaiting_collection, awaiting)
        # Pick-up: prepaid, the hand-over charges nothing and delivers.
        self.type_collect.cash_handover = "pickup"
        order = self._collect_order()
        wizard = self._wizard(order)
        self.assertEqual(wizard.amount_due, 0.0)
        wizard.payment_ids = [Command.clear()]
        wizard.action_hand_over()
        self.assertEqual(order.picking_ids.state, "done")
        self.assertEqual(len(self._payments(order)), 1)
        self.assertFalse(order.sop_cash_awaiting_collection)

    # -- pay and hand over -------------------------------------------------------------
    def test_half_cash_half_card_with_change(self):
        order = self._collect_order([(self.mattress, 2.0)])
        self.assertEqual(order.amount_total, 200.0)
        wizard = self._wizard(
            order,
            payments=[(self.cash_journal, 100.0), (self.card_journal, 100.0)],
            tendered=150.0,
        )
        self.assertEqual(wizard.amount_due, 200.0)
        self.assertEqual(wizard.amount_change, 50.0)
        action = wizard.action_hand_over()["params"]["next"]
        invoice = order.invoice_ids
        self.assertEqual(
            action["report_name"], "sales_order_plus.report_cash_receipt_invoice"
        )
        self.assertEqual(action["context"], {"active_ids": invoice.ids})
        self.assertNotIn(None, action.values())
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_total, 200.0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        payments = self._payments(order)
        self.assertEqual(
            sorted((p.journal_id.type, p.amount) for p in payments),
            [("bank", 100.0), ("cash", 100.0)],
        )
        self.assertEqual(order.picking_ids.state, "done")
        self.assertEqual(self.mattress.qty_available, 48.0)
        self.assertFalse(order.sop_cash_awaiting_collection)
        self.assertEqual(
            (order.sop_cash_tendered, order.sop_cash_change), (150.0, 50.0)
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "sales_order_plus.action_report_cash_receipt", order.ids
            )[0]
            .decode()
        )
        self.assertIn("Cash Tendered", html)
        self.assertIn("150.00", html)
        self.assertIn("50.00", html)
        self.assertIn(self.card_journal.name, html)

    def test_hand_over_feedback_and_chatter(self):
        """After Pay and Hand Over the counter sees what was taken and the change
        due, the order's chatter keeps it; the receipt follows as a download (no
        PDF rendered in the hand-over's transaction, no layout wizard)."""
        self.env.company.external_report_layout_id = False
        order = self._collect_order([(self.mattress, 2.0)])
        wizard = self._wizard(
            order,
            payments=[(self.cash_journal, 100.0), (self.card_journal, 100.0)],
            tendered=150.0,
        )
        report_class = type(self.env["ir.actions.report"])
        original = report_class._render_qweb_pdf

        def no_pdf(*args, **kwargs):
            raise AssertionError("PDF rendered inside the hand-over")

        report_class._render_qweb_pdf = no_pdf
        try:
            action = wizard.action_hand_over()
        finally:
            report_class._render_qweb_pdf = original
        self.assertEqual(action["tag"], "display_notification")
        message = action["params"]["message"]
        self.assertIn("200.00", message)
        self.assertIn("Change due", message)
        self.assertIn("50.00", message)
        self.assertEqual(action["params"]["type"], "success")
        receipt = action["params"]["next"]
        self.assertEqual(receipt["type"], "ir.actions.report")
        self.assertEqual(receipt["context"]["active_ids"], order.invoice_ids.ids)
        self.assertTrue(receipt["close_on_report_download"])
        note = order.message_ids.filtered(lambda m: "Cash tendered" in (m.body or ""))
        self.assertEqual(len(note), 1)
        for text in (
            self.cash_journal.name,
            self.card_journal.name,
            "100.00",
            "150.00",
            "50.00",
            "SOP Mattress",
        ):
            self.assertIn(text, note.body)
        self.assertTrue(note.subtype_id.internal)
        # The closing's report neither opens the layout wizard.
        closing = self._closing(counted=100.0)
        self.assertEqual(
            closing.with_user(self.env.ref("base.user_admin")).action_print()["type"],
            "ir.actions.report",
        )

    def test_proposed_payment_is_the_amount_due(self):
        order = self._collect_order([(self.mattress, 1.0), (self.pillow, 2.0)])
        wizard = self.env["sale.cash.handover"].create({"order_id": order.id})
        self.assertEqual(wizard.journal_ids, self.cash_journal | self.card_journal)
        self.assertEqual(
            [(p.journal_id, p.amount) for p in wizard.payment_ids],
            [(self.cash_journal, 140.0), (self.card_journal, 0.0)],
        )
        self.assertEqual(
            sorted(
                (ln.product_id.name, ln.qty_open, ln.quantity) for ln in wizard.line_ids
            ),
            [("SOP Mattress", 1.0, 1.0), ("SOP Pillow", 2.0, 2.0)],
        )
        wizard.action_hand_over()
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))

    def test_partial_collection_rest_stays_reserved(self):
        order = self._collect_order([(self.mattress, 3.0), (self.pillow, 2.0)])
        wizard = self._wizard(
            order, quantities={self.mattress: 1.0, self.pillow: 2.0}, payments=[]
        )
        self.assertEqual(wizard.amount_due, 140.0)
        wizard.payment_ids = [
            Command.create({"journal_id": self.cash_journal.id, "amount": 140.0})
        ]
        wizard.action_hand_over()
        invoice = order.invoice_ids
        self.assertEqual(invoice.amount_total, 140.0)
        self.assertEqual(
            sorted(
                (ln.product_id.name, ln.quantity) for ln in invoice.invoice_line_ids
            ),
            [("SOP Mattress", 1.0), ("SOP Pillow", 2.0)],
        )
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        done = order.picking_ids.filtered(lambda p: p.state == "done")
        backorder = order.picking_ids - done
        self.assertEqual(len(done), 1)
        self.assertEqual(backorder.state, "assigned")
        self.assertEqual(backorder.backorder_id, done)
        self.assertEqual(
            [(m.product_id, m.product_uom_qty, m.quantity) for m in backorder.move_ids],
            [(self.mattress, 2.0, 2.0)],
        )
        self.assertTrue(order.sop_cash_awaiting_collection)
        # The rest, another day.
        wizard = self._wizard(order)
        self.assertEqual(wizard.amount_due, 200.0)
        wizard.action_hand_over()
        self.assertEqual(len(order.invoice_ids), 2)
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertFalse(order.sop_cash_awaiting_collection)
        self.assertEqual(self.mattress.qty_available, 47.0)

    def _receipt_html(self, action):
        # Pay and Hand Over: the receipt follows its notification.
        action = action.get("params", {}).get("next", action)
        report = self.env["ir.actions.report"]._get_report(action["report_name"])
        return (
            self.env["ir.actions.report"]
            ._render_qweb_html(report, action["context"]["active_ids"])[0]
            .decode()
        )

    def test_partial_hand_over_receipt_shows_that_hand_over(self):
        """2 of 3 handed over: the receipt shows the 2 units and what was paid for
        them, and the seller (name, address, VAT id) in its body."""
        self.company.write({"vat": "DE123456788", "street": "Kassenweg 7"})
        order = self._collect_order([(self.pillow, 3.0)])
        first = self._wizard(order, quantities={self.pillow: 2.0}, tendered=50.0)
        self.assertEqual(first.amount_due, 40.0)
        html = self._receipt_html(first.action_hand_over())
        self.assertRegex(html, r"2\.00\s*(<[^>]*>\s*)*Units")
        self.assertIn("40.00", html)
        self.assertIn("10.00", html)  # change
        self.assertNotIn("60.00", html)
        self.assertNotRegex(html, r"3\.00\s*(<[^>]*>\s*)*Units")
        page = html[html.index('class="page"') :]
        self.assertIn(self.company.name, page)
        self.assertIn("Kassenweg 7", page)
        self.assertIn("DE123456788", page)
        html = self._receipt_html(self._wizard(order).action_hand_over())
        self.assertRegex(html, r"1\.00\s*(<[^>]*>\s*)*Units")
        self.assertIn("20.00", html)
        self.assertNotIn("40.00", html)
        # The order's receipt: each hand-over on its own page.
        html = self._receipt_html(
            self.env.ref("sales_order_plus.action_report_cash_receipt").report_action(
                order, config=False
            )
        )
        self.assertEqual(html.count('class="page"'), 2)

    def test_failure_takes_everything_back(self):
        """The payment fails after the delivery and the invoice: nothing stays."""
        order = self._collect_order()
        wizard = self._wizard(order)
        register = type(self.env["account.payment.register"])
        original = register._create_payments

        def failing(wizard_self):
            original(wizard_self)
            raise UserError("card terminal offline")  # pylint: disable=translation-required

        register._create_payments = failing
        try:
            with self.assertRaisesRegex(UserError, "card terminal offline"):
                wizard.action_hand_over()
        finally:
            register._create_payments = original
        self.assertFalse(order.invoice_ids)
        self.assertEqual(order.picking_ids.state, "assigned")
        self.assertTrue(order.sop_cash_awaiting_collection)
        self.assertFalse(order.sop_cash_tendered)

    # -- expiry ------------------------------------------------------------------------
    def _age(self, order, days):
        order.date_order = fields.Datetime.now() - timedelta(days=days)

    def test_expiry_activity_then_release(self):
        self.type_collect.write({"cash_collect_days": 3, "cash_expiry_release": True})
        old, recent = self._collect_order(), self._collect_order()
        self._age(old, 4)
        self._age(recent, 1)
        self.env["sale.order"]._cron_sop_cash_collection_expiry()
        self.assertTrue(old.sop_cash_collect_expired)
        self.assertEqual(len(old.activity_ids), 1)
        self.assertEqual(old.activity_ids.summary, "Not collected")
        self.assertEqual(old.picking_ids.state, "confirmed")
        self.assertEqual(old.picking_ids.move_ids.quantity, 0.0)
        self.assertEqual(old.state, "sale")
        self.assertTrue(old.sop_cash_awaiting_collection)
        self.assertFalse(recent.sop_cash_collect_expired or recent.activity_ids)
        self.assertEqual(recent.picking_ids.state, "assigned")
        # Once only.
        self.env["sale.order"]._cron_sop_cash_collection_expiry()
        self.assertEqual(len(old.activity_ids), 1)
        # The customer comes after all: reserved again and handed over.
        self._wizard(old).action_hand_over()
        self.assertEqual(old.picking_ids.state, "done")
        self.assertIn(old.invoice_ids.payment_state, ("paid", "in_payment"))

    def test_expiry_without_release_keeps_the_reservation(self):
        self.type_collect.write({"cash_collect_days": 2, "cash_expiry_release": False})
        order = self._collect_order()
        self._age(order, 5)
        self.env["sale.order"]._cron_sop_cash_collection_expiry()
        self.assertEqual(len(order.activity_ids), 1)
        self.assertEqual(order.picking_ids.state, "assigned")

    def test_cron_runs(self):
        cron = self.env.ref("sales_order_plus.ir_cron_cash_collection_expiry")
        self.type_collect.write({"cash_collect_days": 1, "cash_expiry_release": True})
        order = self._collect_order()
        self._age(order, 2)
        cron.method_direct_trigger()
        self.assertTrue(order.sop_cash_collect_expired)

    # -- refusals ----------------------------------------------------------------------
    def test_collect_twice_and_cancelled_refused(self):
        order = self._collect_order()
        self._wizard(order).action_hand_over()
        with self.assertRaisesRegex(UserError, "not awaiting collection"):
            order.action_sop_cash_hand_over()
        other = self._collect_order()
        wizard = self._wizard(other)
        other.with_context(disable_cancel_warning=True).action_cancel()
        with self.assertRaisesRegex(UserError, "not awaiting collection"):
            wizard.action_hand_over()
        self.assertFalse(other.invoice_ids)

    def test_sales_app_still_opens_on_the_orders(self):
        # The Sales app opens its first menu: the counter comes after Orders (the
        # app's own tours, and its users, expect the quotations first).
        first = self.env["ir.ui.menu"].search(
            [("parent_id", "=", self.env.ref("sale.sale_menu_root").id)],
            order="sequence, id",
            limit=1,
        )
        self.assertEqual(first, self.env.ref("sale.sale_order_menu"))

    def test_counter_menu_for_salespeople_only(self):
        portal = new_test_user(
            self.env, login="sop_counter_portal", groups="base.group_portal"
        )
        counter = self.env.ref("sales_order_plus.menu_sale_cash_counter")
        closing = self.env.ref("sales_order_plus.menu_sale_cash_closing")
        Menu = self.env["ir.ui.menu"]
        self.assertIn(counter.id, Menu.with_user(self.salesman)._visible_menu_ids())
        self.assertNotIn(closing.id, Menu.with_user(self.salesman)._visible_menu_ids())
        # Portal users read no menu at all; as the menu is computed for them:
        self.assertNotIn(counter.id, Menu.with_user(portal).sudo()._visible_menu_ids())
        action = self.env.ref("sales_order_plus.action_sale_cash_counter")
        self.assertEqual(
            action.groups_id, self.env.ref("sales_team.group_sale_salesman")
        )
        # The counter finds a collect order by its customer's phone.
        self.customer.phone = "+41 44 555 12 34"
        order = self._collect_order()
        found = self.env["sale.order"].search(
            [
                *safe_eval(action.domain),
                ("sop_cash_awaiting_collection", "=", True),
                "|",
                ("partner_id.phone", "ilike", "555 12 34"),
                ("partner_id.mobile", "ilike", "555 12 34"),
            ]
        )
        self.assertEqual(found, order)

    def _header_buttons(self, order, view="form", path="//header//button"):
        """The labels of the order form's header buttons (or of ``view``'s buttons
        at ``path``) shown for ``order``: each button's ``invisible`` expression
        evaluated with the record's values."""
        view_id = False
        if view != "form":
            view_id = self.env.ref(f"sales_order_plus.sale_cash_counter_{view}_view").id
        arch = order.get_views([(view_id, view)])["views"][view]["arch"]
        buttons = etree.fromstring(arch).xpath(path)
        names = set()
        for button in buttons:
            names |= set(re.findall(r"[a-z_]+", button.get("invisible") or ""))
        names &= set(order._fields)
        values = {
            name: (value[0] if isinstance(value, tuple) else value)
            for name, value in order.read(sorted(names))[0].items()
        }
        values.update(id=order.id, context={}, uid=self.env.uid)
        return {
            button.get("string") or button.text
            for button in buttons
            if not safe_eval(button.get("invisible") or "False", dict(values))
        }

    def test_header_buttons_fit_the_state(self):
        order = self._collect_order([(self.pillow, 2.0)])
        unpaid = self._header_buttons(order)
        self.assertIn("Pay and Hand Over", unpaid)
        self.assertIn("Cancel", unpaid)
        for label in ("Create Invoice", "Counter Refund", "Cash Receipt"):
            self.assertNotIn(label, unpaid)
        for view in ("kanban", "list"):
            self.assertEqual(
                self._header_buttons(order, view, "//button"), {"Pay and Hand Over"}
            )
        self._wizard(order, quantities={self.pillow: 1.0}).action_hand_over()
        partly = self._header_buttons(order)
        for label in ("Pay and Hand Over", "Counter Refund", "Cash Receipt"):
            self.assertIn(label, partly)
        for label in ("Create Invoice", "Cancel"):
            self.assertNotIn(label, partly)
        self._wizard(order).action_hand_over()
        paid = self._header_buttons(order)
        self.assertNotIn("Pay and Hand Over", paid)
        self.assertNotIn("Cancel", paid)
        self.assertIn("Cash Receipt", paid)
        for view in ("kanban", "list"):
            self.assertEqual(
                self._header_buttons(order, view, "//button"), {"Print Receipt"}
            )

    # -- counter refund and daily closing ----------------------------------------------
    def _refund(self, order, quantities, journal=None):
        wizard = self.env["sale.cash.refund"].create({"order_id": order.id})
        for line in wizard.line_ids:
            line.quantity = quantities.get(line.product_id, 0.0)
        if journal:
            wizard.journal_id = journal
        wizard.action_refund()
        return wizard

    def test_counter_refund(self):
        self.type_collect.cash_handover = "counter"
        order = self._collect_order([(self.mattress, 1.0), (self.pillow, 3.0)])
        invoice = order.invoice_ids
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.pillow.qty_available, 47.0)
        self._refund(order, {self.pillow: 2.0})
        credit_note = order.invoice_ids - invoice
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.amount_total, 40.0)
        self.assertEqual(credit_note.invoice_line_ids.product_id, self.pillow)
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"))
        refund_payment = credit_note._get_reconciled_payments()
        self.assertEqual(refund_payment.payment_type, "outbound")
        self.assertEqual(refund_payment.journal_id, self.cash_journal)
        self.assertEqual(refund_payment.amount, 40.0)
        returned = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "incoming"
        )
        self.assertEqual(returned.state, "done")
        self.assertEqual(self.pillow.qty_available, 49.0)
        pillow_line = order.order_line.filtered(lambda ln: ln.product_id == self.pillow)
        self.assertEqual(pillow_line.qty_delivered, 1.0)
        self.assertEqual(pillow_line.qty_invoiced, 1.0)
        # Settled: nothing left to invoice or settle, no second refund of it.
        self.assertEqual(order.order_line.mapped("qty_to_invoice"), [0.0, 0.0])
        self.assertFalse(order.sop_cash_to_settle)
        with self.assertRaisesRegex(UserError, "between 0 and 1"):
            self._refund(order, {self.pillow: 2.0})

    def test_refund_pays_back_from_a_counter_journal_only(self):
        self.type_collect.cash_handover = "counter"
        order = self._collect_order([(self.pillow, 1.0)])
        other_bank = self.env["account.journal"].create(
            {"name": "SOP Other Bank", "code": "SOPOB", "type": "bank"}
        )
        with self.assertRaisesRegex(UserError, "not a counter journal"):
            self._refund(order, {self.pillow: 1.0}, journal=other_bank)
        self.assertEqual(len(order.invoice_ids), 1)
        self._refund(order, {self.pillow: 1.0}, journal=self.card_journal)
        paid_back = order.invoice_ids._get_reconciled_payments().filtered(
            lambda p: p.payment_type == "outbound"
        )
        self.assertEqual(paid_back.journal_id, self.card_journal)

    def test_card_only_payment_records_no_change(self):
        """Cash tendered while nothing is paid in cash is no change to give."""
        order = self._collect_order()
        wizard = self._wizard(
            order, payments=[(self.card_journal, 200.0)], tendered=50.0
        )
        self.assertEqual(wizard.amount_change, 0.0)
        with self.assertRaisesRegex(UserError, "nothing is paid in cash"):
            wizard.action_hand_over()
        self.assertEqual(order.picking_ids.state, "assigned")
        wizard.amount_tendered = 0.0
        wizard.action_hand_over()
        self.assertEqual(order.sop_cash_change, 0.0)

    def test_closing_lines_of_another_company_hidden(self):
        closing = self._closing(line_ids=[Command.create({"value": 10.0, "number": 2})])
        company_b = self.env["res.company"].create({"name": "SOP Company B"})
        cashier_b = new_test_user(
            self.env,
            login="sop_cashier_b",
            groups="sales_order_plus.group_sale_cashier",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        Line = self.env["sale.cash.closing.line"].with_user(cashier_b)
        self.assertFalse(Line.search([("id", "in", closing.line_ids.ids)]))
        with self.assertRaises(AccessError):
            closing.line_ids.with_user(cashier_b).read(["value", "number"])
        with self.assertRaises(AccessError):
            closing.line_ids.with_user(cashier_b).write({"number": 99})

    def _closing(self, user=None, **vals):
        Closing = self.env["sale.cash.closing"].with_user(user or self.cashier)
        return Closing.create({"journal_id": self.cash_journal.id, **vals})

    def test_closing_with_difference(self):
        order = self._collect_order([(self.mattress, 2.0), (self.pillow, 1.0)])
        self._wizard(
            order,
            payments=[(self.cash_journal, 120.0), (self.card_journal, 100.0)],
            tendered=150.0,
        ).action_hand_over()
        self._refund(order, {self.pillow: 1.0})
        self._closing(
            date=self.env["sale.cash.closing"]._sop_cash_today() - timedelta(days=1),
            counted=50.0,
        ).action_close()
        closing = self._closing(
            line_ids=[
                Command.create({"value": 100.0, "number": 1}),
                Command.create({"value": 20.0, "number": 1}),
                Command.create({"value": 5.0, "number": 5}),
            ],
        )
        self.assertEqual((closing.cash_in, closing.cash_out), (120.0, 20.0))
        self.assertEqual(closing.expected, 150.0)
        self.assertEqual(closing.counted, 145.0)
        self.assertEqual(closing.difference, -5.0)
        closing.action_close()
        self.assertEqual(closing.state, "closed")
        # The cashier sees what the form and the report show, without accounting
        # rights.
        self.env.invalidate_all()
        as_cashier = closing.with_user(self.cashier)
        self.assertEqual(
            len(
                as_cashier.web_read(
                    {"payment_ids": {"fields": {"name": {}, "amount": {}}}}
                )[0]["payment_ids"]
            ),
            2,
        )
        # The booked line itself is for the accountants (the form hides it).
        view = self.env.ref("sales_order_plus.sale_cash_closing_form_view")
        arch = as_cashier.get_views([(view.id, "form")])["views"]["form"]["arch"]
        self.assertNotIn("statement_line_id", arch)
        self.env["ir.actions.report"].with_user(self.cashier)._render_qweb_html(
            "sales_order_plus.action_report_sale_cash_closing", closing.ids
        )
        # The accountant's view of what was booked.
        closing = closing.with_env(self.env)
        line = closing.statement_line_id
        self.assertEqual(line.journal_id, self.cash_journal)
        self.assertEqual(line.amount, -5.0)
        self.assertEqual(line.move_id.state, "posted")
        loss = line.move_id.line_ids.filtered(
            lambda ml: ml.account_id == self.loss_account
        )
        self.assertEqual(loss.debit, 5.0)
        self.assertTrue(line.is_reconciled)
        # Locked: no change, no second closing, no second booking.
        with self.assertRaisesRegex(UserError, "locked"):
            closing.with_user(self.cashier).counted = 150.0
        with self.assertRaisesRegex(UserError, "locked"):
            closing.with_user(self.cashier).action_close()
        with self.assertRaisesRegex(UserError, "closed once"):
            self._closing()
        self.assertEqual(
            self.env["account.bank.statement.line"].search_count(
                [("journal_id", "=", self.cash_journal.id)]
            ),
            2,  # yesterday's +50.00 (nothing expected) and today's -5.00
        )
        # The next day opens with what was counted.
        tomorrow = self._closing(date=closing.date + timedelta(days=1))
        self.assertEqual(tomorrow.opening_balance, 145.0)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "sales_order_plus.action_report_sale_cash_closing", closing.ids
            )[0]
            .decode()
        )
        self.assertIn("145.00", html)
        self.assertIn("150.00", html)
        self.assertIn("Difference", html)

    def test_closing_without_difference_books_nothing(self):
        order = self._collect_order([(self.pillow, 1.0)])
        self._wizard(order).action_hand_over()
        closing = self._closing(counted=20.0)
        closing.action_close()
        self.assertEqual(closing.difference, 0.0)
        self.assertFalse(closing.statement_line_id)

    def test_cash_day_is_the_company_day_late_in_the_evening(self):
        """At 23:30 UTC it is already the next day in the company's time zone: the
        payment taken at the counter and the closing the cashier opens (a user
        without a time zone: UTC) fall on the same day, the company's."""
        self.env.company.resource_calendar_id.tz = "Europe/Berlin"
        self.env.user.tz = "Europe/Berlin"
        self.cashier.tz = False
        with freeze_time("2026-03-10 23:30:00"):
            order = self._collect_order([(self.pillow, 1.0)])
            self._wizard(order).action_hand_over()
            closing = self._closing(counted=20.0)
            self.assertEqual(self._payments(order).date, date(2026, 3, 11))
            self.assertEqual(closing.date, date(2026, 3, 11))
            self.assertEqual(closing.cash_in, 20.0)
            self.assertEqual(closing.difference, 0.0)

    def test_opening_balance_is_the_previous_count(self):
        """A cashier cannot type the opening down to hide a shortage (100 -> 70):
        the opening is the previous closing's count, for every user."""
        yesterday = self._closing(
            date=self.env["sale.cash.closing"]._sop_cash_today() - timedelta(days=1),
            counted=100.0,
        )
        yesterday.action_close()
        manager = new_test_user(
            self.env,
            login="sop_cash_manager",
            groups="sales_order_plus.group_sale_cashier,account.group_account_manager",
        )
        for user in (self.cashier, manager):
            with self.assertRaisesRegex(UserError, "Opening Balance"):
                self._closing(user=user, opening_balance=70.0)
        closing = self._closing(counted=70.0)
        self.assertEqual(closing.opening_balance, 100.0)
        for user in (self.cashier, manager):
            with self.assertRaisesRegex(UserError, "Opening Balance"):
                closing.with_user(user).write({"opening_balance": 70.0})
        self.assertEqual(closing.opening_balance, 100.0)
        self.assertEqual(closing.difference, -30.0)
        closing.action_close()
        self.assertEqual(closing.statement_line_id.amount, -30.0)

    def test_opening_follows_a_later_closed_previous_day(self):
        """Today opened before yesterday was closed: the opening is yesterday's
        count once it is closed."""
        today = self.env["sale.cash.closing"]._sop_cash_today()
        yesterday = self._closing(date=today - timedelta(days=1), counted=80.0)
        closing = self._closing(counted=80.0)
        self.assertEqual(closing.opening_balance, 0.0)
        yesterday.action_close()
        self.assertEqual(closing.opening_balance, 80.0)
        self.assertEqual(closing.difference, 0.0)

    def test_closing_state_and_booking_only_by_the_closing(self):
        """A closing created closed would never book its difference: state and
        booking fields are refused from users, in create and write."""
        order = self._collect_order([(self.pillow, 1.0)])
        self._wizard(order).action_hand_over()
        line = self.env["account.bank.statement.line"].create(
            {"journal_id": self.cash_journal.id, "amount": 1.0, "payment_ref": "x"}
        )
        protected = {
            "state": "closed",
            "statement_line_id": line.id,
            "closed_by_id": self.cashier.id,
            "date_closed": fields.Datetime.now(),
        }
        for name, value in protected.items():
            with self.assertRaisesRegex(UserError, "set by the closing itself"):
                self._closing(counted=0.0, **{name: value})
        closing = self._closing(counted=0.0)
        for name, value in protected.items():
            with self.assertRaisesRegex(UserError, "set by the closing itself"):
                closing.write({name: value})
        self.assertEqual(closing.state, "draft")
        self.assertFalse(closing.statement_line_id)
        self.assertEqual(closing.copy_data()[0].get("state", "draft"), "draft")
        closing.with_env(self.env).unlink()
        # The form as the cashier fills it in still saves (it sends none of them).
        form = Form(self.env["sale.cash.closing"].with_user(self.cashier))
        form.journal_id = self.cash_journal
        form.counted = 0.0
        closing = form.save()
        closing.action_close()
        self.assertEqual(closing.state, "closed")
        self.assertEqual(closing.statement_line_id.amount, -20.0)

    def test_closing_converts_foreign_payments(self):
        """100 in another currency is counted in the drawer's currency at the
        payment's rate, not as 100."""
        currency = self.env.ref("base.EUR")
        if currency == self.company.currency_id:
            currency = self.env.ref("base.CHF")
        currency.active = True
        self.env["res.currency.rate"].create(
            {
                "name": self.env["sale.cash.closing"]._sop_cash_today()
                - timedelta(days=1),
                "currency_id": currency.id,
                "rate": 2.0,
                "company_id": self.company.id,
            }
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "SOP foreign", "currency_id": currency.id}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "type_id": self.type_collect.id,
                "pricelist_id": pricelist.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.pillow.id,
                            "product_uom_qty": 1.0,
                            "price_unit": 100.0,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        self._wizard(order).action_hand_over()
        payment = self._payments(order)
        self.assertEqual((payment.currency_id, payment.amount), (currency, 100.0))
        closing = self._closing(counted=50.0)
        self.assertEqual(closing.currency_id, self.company.currency_id)
        self.assertEqual(closing.cash_in, 50.0)
        self.assertEqual(closing.expected, 50.0)
        self.assertEqual(closing.difference, 0.0)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "sales_order_plus.action_report_sale_cash_closing", closing.ids
            )[0]
            .decode()
        )
        self.assertIn("50.00", html)

    def test_cash_after_the_closing_goes_to_the_next_day(self):
        """Cash taken after the day's closing is dated the next open day and that
        day's closing counts it; the closed day keeps its figures."""
        first = self._collect_order([(self.pillow, 1.0)])
        self._wizard(first).action_hand_over()
        today = self._closing(counted=20.0)
        today.action_close()
        late = self._collect_order([(self.mattress, 1.0)])
        action = self._wizard(late).action_hand_over()
        self.assertIn("Today's cash is closed: booked on", action["params"]["message"])
        payment = self._payments(late)
        self.assertEqual(payment.date, today.date + timedelta(days=1))
        self.assertEqual((today.cash_in, today.difference), (20.0, 0.0))
        with self.assertRaisesRegex(UserError, "closed once"):
            self._closing(counted=100.0)
        tomorrow = self._closing(date=today.date + timedelta(days=1), counted=120.0)
        self.assertEqual(tomorrow.payment_ids, payment)
        self.assertEqual(
            (tomorrow.opening_balance, tomorrow.cash_in, tomorrow.difference),
            (20.0, 100.0, 0.0),
        )

    def test_closing_with_pending_collection_refused(self):
        order = self._collect_order()
        order.commitment_date = fields.Datetime.now()
        closing = self._closing(counted=0.0)
        with self.assertRaisesRegex(
            UserError, f"awaiting collection today: {order.name}"
        ):
            closing.action_close()
        self.assertEqual(closing.state, "draft")
        self._wizard(order).action_hand_over()
        closing.counted = 200.0
        closing.action_close()
        self.assertEqual(closing.state, "closed")

    def test_closing_per_cashier(self):
        """A cashier's closing counts the payments that cashier took."""
        mine, theirs = self._collect_order(), self._collect_order([(self.pillow, 1.0)])
        for order in (mine, theirs):
            order.user_id = self.salesman
        self._wizard(mine.with_user(self.cashier)).with_user(
            self.cashier
        ).action_hand_over()
        self._wizard(theirs.with_user(self.salesman)).with_user(
            self.salesman
        ).action_hand_over()
        own = self._closing(user_id=self.cashier.id)
        self.assertEqual(own.cash_in, 200.0)
        self.assertIn(self.cashier.name, own.name)
        own.with_env(self.env).unlink()
        whole = self._closing(user_id=False)
        self.assertEqual(whole.cash_in, 220.0)

    def test_journal_day_closed_per_cashier_or_as_a_whole(self):
        """The same cash closed per cashier and for the whole journal would book its
        difference twice: a journal-day is closed one way only."""
        order = self._collect_order([(self.pillow, 1.0)])
        self._wizard(order.with_user(self.cashier)).with_user(
            self.cashier
        ).action_hand_over()
        own = self._closing(user_id=self.cashier.id, counted=10.0)
        with self.assertRaisesRegex(UserError, "per cashier or as a whole"):
            self._closing(user_id=False, counted=10.0)
        own.action_close()
        with self.assertRaisesRegex(UserError, "per cashier or as a whole"):
            self._closing(user_id=False, counted=10.0)
        # The other way round, on the next day: the whole drawer opens with what
        # the cashiers counted.
        next_day = own.date + timedelta(days=1)
        whole = self._closing(user_id=False, date=next_day, counted=20.0)
        self.assertEqual(whole.opening_balance, 10.0)
        with self.assertRaisesRegex(UserError, "per cashier or as a whole"):
            self._closing(user_id=self.cashier.id, date=next_day)
        # Moved onto a day closed the other way: refused too.
        other = self._closing(user_id=self.cashier.id, date=next_day + timedelta(1))
        with (
            self.assertRaisesRegex(UserError, "per cashier or as a whole"),
            self.env.cr.savepoint(),
        ):
            other.date = next_day
        whole.action_close()
        self.assertEqual(
            self.env["account.bank.statement.line"].search_count(
                [("journal_id", "=", self.cash_journal.id)]
            ),
            2,  # -10.00 (own, 20.00 expected), +10.00 (the next day: 10.00 + 0.00)
        )

    def test_salesperson_cannot_close(self):
        with self.assertRaises(AccessError):
            self._closing(user=self.salesman, counted=1.0)
        closing = self._closing(counted=0.0)
        with self.assertRaises(AccessError):
            closing.with_user(self.salesman).action_close()

    def test_salesperson_hands_over(self):
        order = self._collect_order()
        order.user_id = self.salesman
        wizard = self._wizard(order.with_user(self.salesman))
        action = wizard.with_user(self.salesman).action_hand_over()
        self.assertEqual(order.picking_ids.state, "done")
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))
        # The salesperson's form offers the receipt, which they can print.
        self.env.invalidate_all()
        self.assertTrue(order.with_user(self.salesman).sop_cash_paid)
        html = (
            self.env["ir.actions.report"]
            .with_user(self.salesman)
            ._render_qweb_html(
                action["params"]["next"]["report_name"],
                action["params"]["next"]["context"]["active_ids"],
            )[0]
            .decode()
        )
        self.assertIn(self.cash_journal.name, html)


@tagged("post_install", "-at_install")
class TestCashCounterOnlinePayment(CounterMixin, AccountPaymentCommon):
    """Reserved online and paid through the portal: at collection nothing more is
    charged, the online payment is the one reconciled."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.partner
        cls._counter_setup()

    def test_online_paid_collection(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "type_id": self.type_collect.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.mattress.id, "product_uom_qty": 2.0}
                    )
                ],
            }
        )
        order.write({"require_payment": True, "prepayment_percent": 1.0})
        tx = self._create_transaction(
            flow="direct",
            amount=order.amount_total,
            currency_id=order.currency_id.id,
            partner_id=order.partner_invoice_id.id,
            reference=f"SOP-{order.name}",
            sale_order_ids=[Command.set(order.ids)],
        )
        tx._set_done()
        tx._post_process()
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.sop_cash_awaiting_collection)
        self.assertFalse(order.invoice_ids.filtered(lambda m: m.state == "posted"))
        wizard = self.env["sale.cash.handover"].create({"order_id": order.id})
        self.assertEqual(wizard.amount_due, 0.0)
        self.assertEqual(wizard.payment_ids.mapped("amount"), [0.0, 0.0])
        wizard.action_hand_over()
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice._get_reconciled_payments(), tx.payment_id)
        self.assertFalse(
            self.env["account.payment"].search(
                [
                    ("partner_id", "=", self.partner.id),
                    ("id", "!=", tx.payment_id.id),
                ]
            )
        )
        self.assertEqual(order.picking_ids.state, "done")
