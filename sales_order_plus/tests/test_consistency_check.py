# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from lxml import html

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from ..hooks import uninstall_hook
from ..report.sale_consistency_check import INDEXES
from .common import trap_jobs
from .test_order_management import OrderManagementCase


@tagged("post_install", "-at_install")
class TestConsistencyCheck(OrderManagementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.item = cls._storable("SOP Checked", stock=100.0)
        cls.by_delivery = cls._storable(
            "SOP Checked Delivery Policy", stock=100.0, invoice_policy="delivery"
        )
        cls.Check = cls.env["sale.consistency.check"]

    def _order(self, qty=10.0, product=None, order_type=None):
        order = self._create_order(
            order_type or self.type_standard, lines=[(product or self.item, qty)]
        )
        self._confirm(order)
        return order

    def _problems(self, orders):
        return {
            (
                p.problem,
                p.qty_difference if p.problem != "amount" else p.amount_difference,
            )
            for p in self.Check.search([("order_id", "in", orders.ids)])
        }

    def test_open_backorder_is_not_a_problem(self):
        order = self._order(10)
        self.assertEqual(self._problems(order), set())
        self._deliver(order, 4)
        self.assertEqual(order.order_line.qty_delivered, 4.0)
        self.assertEqual(self._problems(order), set())

    def test_cancelled_backorder(self):
        order = self._order(10)
        self._deliver(order, 4, backorder=False)
        problem = self.Check.search([("order_id", "=", order.id)])
        self.assertEqual(len(problem), 1)
        self.assertRecordValues(
            problem,
            [
                {
                    "problem": "delivery",
                    "order_line_id": order.order_line.id,
                    "product_id": self.item.id,
                    "qty_expected": 10.0,
                    "qty_actual": 4.0,
                    "qty_difference": -6.0,
                    "amount_difference": -600.0,
                    "partner_id": self.customer.id,
                    "type_id": self.type_standard.id,
                    "type_kind": "standard",
                }
            ],
        )
        action = problem.action_open_order()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("sale.order", order.id)
        )
        # Agreeing on the smaller quantity settles it.
        order.order_line.product_uom_qty = 4
        self.assertEqual(self._problems(order), set())

    def test_over_delivery(self):
        order = self._order(10)
        self._deliver(order, 12)
        self.assertEqual(self._problems(order), {("delivery", 2.0)})

    def test_return_and_credit_note(self):
        order = self._order(5, product=self.by_delivery)
        picking = self._deliver(order, 5)
        invoice = self._invoice(order)
        self.assertEqual(self._problems(order), set())
        # An open return already counts as going back.
        return_picking = self._return(picking, 2, validate=False)
        self.assertEqual(self._problems(order), {("delivery", -2.0)})
        return_picking.move_ids.write({"quantity": 2, "picked": True})
        return_picking.button_validate()
        self.assertEqual(order.order_line.qty_delivered, 3.0)
        # 5 invoiced for 3 delivered: over-invoiced until the credit note.
        self.assertEqual(self._problems(order), {("delivery", -2.0), ("invoice", 2.0)})
        self._credit_note(invoice, qty=2)
        self.assertEqual(order.order_line.qty_invoiced, 3.0)
        self.assertEqual(self._problems(order), {("delivery", -2.0)})

    def test_credit_note_on_a_quantity_still_due(self):
        order = self._order(5)
        self._deliver(order, 5)
        invoice = self._invoice(order)
        self.assertEqual(self._problems(order), set())
        self._credit_note(invoice, qty=1)
        problem = self.Check.search([("order_id", "=", order.id)])
        self.assertRecordValues(
            problem,
            [
                {
                    "problem": "invoice",
                    "qty_expected": 5.0,
                    "qty_actual": 4.0,
                    "qty_difference": -1.0,
                }
            ],
        )

    def test_invoice_total_differs_from_order_total(self):
        order = self._order(5)
        invoice = self._invoice(order, post=False)
        invoice.invoice_line_ids.price_unit = 90.0
        # A draft invoice is work in progress.
        self.assertEqual(self._problems(order), set())
        invoice.action_post()
        self.assertEqual(order.invoice_status, "invoiced")
        problem = self.Check.search([("order_id", "=", order.id)])
        self.assertRecordValues(
            problem,
            [
                {
                    "problem": "amount",
                    "order_line_id": False,
                    "amount_expected": 500.0,
                    "amount_actual": 450.0,
                    "amount_difference": -50.0,
                }
            ],
        )
        self.assertEqual(problem._sop_difference_label()[0], "-")

    def test_down_payment_and_foreign_currency_agree(self):
        order = self._order(5)
        self.env["sale.advance.payment.inv"].with_context(
            active_model="sale.order", active_ids=order.ids
        ).create(
            {"advance_payment_method": "fixed", "fixed_amount": 115.0}
        ).create_invoices()
        order.invoice_ids.action_post()
        self._invoice(order, final=True)  # deducts the down payment
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual(self._problems(order), set())
        # Forgetting to deduct it invoices the down payment twice.
        twice = self._order(5)
        self.env["sale.advance.payment.inv"].with_context(
            active_model="sale.order", active_ids=twice.ids
        ).create(
            {"advance_payment_method": "fixed", "fixed_amount": 115.0}
        ).create_invoices()
        down_payment = twice.invoice_ids
        down_payment.action_post()
        self._invoice(twice, final=False)
        self.assertTrue(down_payment.amount_untaxed)
        self.assertEqual(
            self._problems(twice), {("amount", down_payment.amount_untaxed)}
        )
        # An order in another currency, invoiced at another rate than the order's.
        currency = self.env.ref("base.EUR")
        if currency == self.company.currency_id:
            currency = self.env.ref("base.USD")
        currency.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": currency.id, "rate": 2.0, "name": "2020-01-01"}
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "SOP Foreign", "currency_id": currency.id}
        )
        foreign = self._create_order(self.type_standard, pricelist_id=pricelist.id)
        self._confirm(foreign)
        self.env["res.currency.rate"].create(
            {"currency_id": currency.id, "rate": 3.0, "name": fields.Date.today()}
        )
        self._invoice(foreign)
        self.assertEqual(foreign.invoice_status, "invoiced")
        self.assertEqual(self._problems(foreign), set())

    def test_unconfirmed_dropship_purchase_is_open(self):
        vendor = self.env["res.partner"].create({"name": "SOP Vendor"})
        product = self._storable(
            "SOP Dropshipped",
            seller_ids=[Command.create({"partner_id": vendor.id, "price": 10.0})],
            route_ids=[
                Command.link(self.env.ref("stock_dropshipping.route_drop_shipping").id)
            ],
        )
        order = self._order(3, product=product)
        purchase_line = self.env["purchase.order.line"].search(
            [("sale_line_id", "=", order.order_line.id)]
        )
        self.assertEqual(purchase_line.order_id.state, "draft")
        self.assertEqual(self._problems(order), set())
        purchase_line.order_id.button_confirm()  # the dropship move is now open
        self.assertEqual(self._problems(order), set())
        purchase_line.order_id.button_cancel()
        self.assertEqual(self._problems(order), {("delivery", -3.0)})

    def test_posted_invoice_of_cancelled_order(self):
        order = self._order(10)
        invoice = self._invoice(order)
        # The low-level cancel, as orders cancelled before cancelling was refused
        # (or by another module) were: the posted invoice stays.
        order._action_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(invoice.state, "posted")
        problem = self.Check.search([("order_id", "=", order.id)])
        self.assertRecordValues(
            problem,
            [
                {
                    "problem": "invoice",
                    "order_line_id": order.order_line.id,
                    "qty_expected": 0.0,
                    "qty_actual": 10.0,
                    "qty_difference": 10.0,
                    "amount_difference": 1000.0,
                }
            ],
        )
        # Crediting the invoice settles it.
        self._credit_note(invoice)
        self.assertEqual(self._problems(order), set())

    def test_purchase_line_in_vendor_unit(self):
        vendor = self.env["res.partner"].create({"name": "SOP Dozen Vendor"})
        product = self._storable(
            "SOP Bought by the Dozen",
            uom_po_id=self.env.ref("uom.product_uom_dozen").id,
            seller_ids=[Command.create({"partner_id": vendor.id, "price": 120.0})],
            route_ids=[
                Command.link(self.env.ref("stock_dropshipping.route_drop_shipping").id)
            ],
        )
        order = self._order(24, product=product)
        purchase_line = self.env["purchase.order.line"].search(
            [("sale_line_id", "=", order.order_line.id)]
        )
        self.assertEqual(
            (purchase_line.product_qty, purchase_line.product_uom_qty), (2.0, 24.0)
        )
        self.assertEqual(self._problems(order), set())

    def _validate(self, picking, qty):
        """Validate ``qty`` of ``picking``, the rest to a backorder."""
        picking.move_ids.write({"quantity": qty, "picked": True})
        picking.with_context(skip_backorder=True).button_validate()
        self.assertEqual(picking.state, "done")

    def _open_step(self, order, picking_type):
        return order.picking_ids.filtered(
            lambda p: p.picking_type_id == picking_type
            and p.state not in ("done", "cancel")
        )

    def test_two_step_delivery_counts_moves_by_final_destination(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self._order(10)
        pick = self._open_step(order, self.warehouse.pick_type_id)
        self.assertEqual(pick.location_dest_id, self.warehouse.wh_output_stock_loc_id)
        # Goods on their way to the customer through the output are not missing.
        self.assertEqual(self._problems(order), set())
        self._validate(pick, 4)
        self.assertEqual(self._problems(order), set())
        self._validate(self._open_step(order, self.warehouse.out_type_id), 4)
        self.assertEqual(order.order_line.qty_delivered, 4.0)
        self.assertEqual(self._problems(order), set())
        # The rest of the pick cancelled: 6 will never leave.
        self._open_step(order, self.warehouse.pick_type_id).action_cancel()
        self.assertEqual(self._problems(order), {("delivery", -6.0)})

    def test_three_step_delivery_counts_moves_by_final_destination(self):
        self.warehouse.delivery_steps = "pick_pack_ship"
        order = self._order(10)
        self.assertEqual(self._problems(order), set())
        self._validate(self._open_step(order, self.warehouse.pick_type_id), 10)
        pack = self._open_step(order, self.warehouse.pack_type_id)
        self.assertEqual(pack.location_dest_id, self.warehouse.wh_output_stock_loc_id)
        self.assertEqual(self._problems(order), set())
        self._validate(pack, 10)
        self.assertEqual(self._problems(order), set())
        self._validate(self._open_step(order, self.warehouse.out_type_id), 12)
        self.assertEqual(self._problems(order), {("delivery", 2.0)})

    def test_cash_pickup_invoiced_on_ordered_quantity(self):
        self.type_cash.write(
            {"cash_handover": "pickup", "cash_payment_journal_id": False}
        )
        order = self._create_order(self.type_cash, lines=[(self.by_delivery, 3.0)])
        order.action_confirm()
        self.assertEqual(order.order_line.qty_invoiced, 3.0)
        self.assertEqual(order.order_line.qty_delivered, 0.0)
        # Paid in full before collection: the kind invoices ordered quantities.
        self.assertEqual(self._problems(order), set())

    def test_third_party_invoiced_on_vendor_bill(self):
        vendor = self.env["res.partner"].create({"name": "SOP Billing Vendor"})
        product = self._storable(
            "SOP Billed by the Vendor",
            invoice_policy="delivery",
            purchase_method="purchase",
            seller_ids=[Command.create({"partner_id": vendor.id, "price": 40.0})],
        )
        self.type_third_party.write(
            {
                "third_party_auto_confirm": True,
                "invoice_trigger": "vendor_bill",
            }
        )
        order = self._create_order(self.type_third_party, lines=[(product, 5.0)])
        order.action_confirm()
        purchase = order.order_line.purchase_line_ids.order_id
        self.assertEqual(purchase.state, "purchase")
        purchase.action_create_invoice()
        purchase.invoice_ids.invoice_date = fields.Date.today()
        purchase.invoice_ids.action_post()
        self.assertEqual(order.order_line.qty_invoiced, 5.0)
        self.assertEqual(order.order_line.qty_delivered, 0.0)
        # Billed as the vendor billed, before the vendor shipped: as the kind wants.
        self.assertEqual(self._problems(order), set())

    def test_filters(self):
        rush_type = self.env["sale.order.type"].create(
            {"name": "SOP Rush", "kind": "rush"}
        )
        other = self.env["res.partner"].create({"name": "SOP Other Customer"})
        standard = self._order(10)
        rush = self._create_order(
            rush_type, lines=[(self.item, 10.0)], partner_id=other.id
        )
        self._confirm(rush)
        for order in standard + rush:
            self._deliver(order, 9, backorder=False)
        rush.date_order = "2024-05-10 10:00:00"
        orders = standard + rush
        base = [("order_id", "in", orders.ids)]
        self.assertEqual(
            self.Check.search(base + [("type_kind", "=", "rush")]).order_id, rush
        )
        self.assertEqual(
            self.Check.search(base + [("type_id", "=", rush_type.id)]).order_id, rush
        )
        self.assertEqual(
            self.Check.search(base + [("partner_id", "=", other.id)]).order_id, rush
        )
        self.assertEqual(
            self.Check.search(
                base
                + [
                    ("date_order", ">=", "2024-05-01"),
                    ("date_order", "<", "2024-06-01"),
                ]
            ).order_id,
            rush,
        )
        groups = self.Check.read_group(base, ["amount_difference:sum"], ["type_kind"])
        self.assertEqual(
            {g["type_kind"]: g["amount_difference"] for g in groups},
            {"standard": -100.0, "rush": -100.0},
        )

    def test_access(self):
        order = self._order(10)
        self._deliver(order, 4, backorder=False)
        domain = [("order_id", "=", order.id)]
        self.assertEqual(len(self.Check.with_user(self.accountant).search(domain)), 1)
        self.assertEqual(len(self.Check.with_user(self.sale_admin).search(domain)), 1)
        auditor = new_test_user(
            self.env, login="sop_auditor", groups="account.group_account_readonly"
        )
        self.assertEqual(len(self.Check.with_user(auditor).search(domain)), 1)
        for user in (self.salesman, self.salesman_all):
            with self.assertRaises(AccessError):
                self.Check.with_user(user).search(domain)
        # Another company's managers do not see it.
        company_b = self.env["res.company"].create({"name": "SOP Company B"})
        manager_b = new_test_user(
            self.env,
            login="sop_manager_b",
            groups="sales_team.group_sale_manager",
            company_id=company_b.id,
            company_ids=[company_b.id],
        )
        self.assertFalse(self.Check.with_user(manager_b).search(domain))

    def test_uninstall_drops_the_partial_indexes(self):
        def indexes():
            self.env.cr.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname IN %s",
                [tuple(INDEXES)],
            )
            return {row[0] for row in self.env.cr.fetchall()}

        self.assertEqual(indexes(), set(INDEXES))
        uninstall_hook(self.env)  # rolled back with the test
        self.assertEqual(indexes(), set())


@tagged("post_install", "-at_install")
class TestConsistencyNotification(OrderManagementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.item = cls._storable("SOP Notified", stock=100.0)
        cls.Notification = cls.env["sale.consistency.notification"]

    def _short_delivered_order(self, delivered):
        order = self._create_order(self.type_standard, lines=[(self.item, 10.0)])
        self._confirm(order)
        self._deliver(order, delivered, backorder=False)
        return order

    def _notified(self, messages, order):
        return messages.filtered(lambda m: order.name in m.body)

    def test_new_problems_are_notified_once(self):
        first = self._short_delivered_order(4)
        messages = self.Notification._sop_notify_new_problems()
        message = self._notified(messages, first)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.message_type, "user_notification")
        self.assertIn(self.sale_admin.partner_id, message.partner_ids)
        self.assertNotIn(self.salesman.partner_id, message.partner_ids)
        self.assertIn("-6.00", message.body)
        # The order is linked as Odoo links records in messages.
        links = html.fromstring(str(message.body)).xpath("//a[@data-oe-model]")
        self.assertEqual(
            [(a.get("data-oe-model"), a.get("data-oe-id"), a.text) for a in links],
            [("sale.order", str(first.id), first.name)],
        )
        self.assertEqual(
            self.Notification.search([("order_id", "=", first.id)]).message_id, message
        )
        # Nothing new: nothing is posted.
        self.assertFalse(self.Notification._sop_notify_new_problems())
        # Only the new problem is in the next summary.
        second = self._short_delivered_order(7)
        messages = self.Notification._sop_notify_new_problems()
        self.assertEqual(len(messages), 1)
        self.assertIn(second.name, messages.body)
        self.assertNotIn(first.name, messages.body)
        # A problem that changes is a new one: one unit comes back.
        self._return(first.picking_ids.filtered(lambda p: p.state == "done"), 1)
        messages = self.Notification._sop_notify_new_problems()
        self.assertEqual(len(messages), 1)
        self.assertIn(first.name, messages.body)
        self.assertIn("-7.00", messages.body)
        self.assertFalse(self.Notification._sop_notify_new_problems())

    def test_scheduled_and_server_actions(self):
        order = self._short_delivered_order(2)
        cron = self.env.ref("sales_order_plus.ir_cron_sale_consistency_notify")
        self.assertEqual(cron.model_id.model, "sale.consistency.notification")
        with trap_jobs() as trap:  # one job per company
            cron.method_direct_trigger()
            trap.perform_enqueued_jobs()
        notified = self.Notification.search([("order_id", "=", order.id)])
        self.assertEqual(len(notified), 1)
        self.assertEqual(notified.problem, "delivery")
        message_count = self.env["mail.message"].search_count([])
        server_action = self.env.ref(
            "sales_order_plus.action_server_sale_consistency_notify"
        )
        server_action.with_user(self.sale_admin).with_context(
            active_model="sale.consistency.check"
        ).run()
        self.assertEqual(self.env["mail.message"].search_count([]), message_count)
        self.assertEqual(
            self.Notification.search_count([("order_id", "=", order.id)]), 1
        )
        # Managers and accountants read what was notified.
        self.assertEqual(
            self.Notification.with_user(self.accountant).search(
                [("order_id", "=", order.id)]
            ),
            notified,
        )
