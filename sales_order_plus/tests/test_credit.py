# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Credit limits per kind, on OCA's financial risk: cash sales exempt, the other kinds
checked at confirmation (OCA's wizard, or one error / a hold without a user), a
schedule's releases checked again, the third-party purchase orders held, and the
credit manager who releases a hold."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user

from .common import trap_jobs
from .test_kind_third_party import ThirdPartyCase

WIZARD = "partner.risk.exceeded.wiz"
LOW = 1.0  # any order is over this limit
HIGH = 1_000_000.0


class CreditCase(ThirdPartyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_cash.write(
            {"cash_payment_journal_id": False, "cash_handover": "counter"}
        )
        cls.type_rush.rush_fee_product_id = False
        # Due within 5 days: a line today is released at confirmation, one in 10
        # days waits.
        cls.type_schedule.schedule_release_horizon = 5
        cls.tp_type.third_party_auto_confirm = True
        cls.credit_manager = new_test_user(
            cls.env,
            login="sop_credit_manager",
            groups="sales_team.group_sale_salesman_all_leads,"
            "sales_order_plus.group_sop_credit_manager",
        )
        cls.Schedule = cls.env["sale.order.schedule.line"]

    def _limit(self, limit, partner=None, company=None, **includes):
        """The customer's credit limit (in ``company``), sales orders included."""
        partner = (partner or self.customer).with_company(company or self.company)
        partner.sudo().write(
            dict(includes, credit_limit=limit, risk_sale_order_include=True)
        )

    def _schedule(self, *days, **vals):
        today = fields.Date.context_today(self.env.user)
        vals.setdefault("partner_id", self.customer.id)
        return self.env["sale.order"].create(
            dict(
                vals,
                type_id=self.type_schedule.id,
                order_line=[
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": float(len(days)),
                            "schedule_line_ids": [
                                Command.create(
                                    {
                                        "date": today + timedelta(days=d),
                                        "product_uom_qty": 1.0,
                                    }
                                )
                                for d in days
                            ],
                        }
                    )
                ],
            )
        )

    def _quotation(self, kind):
        if kind == "schedule":
            return self._schedule(0, 10)
        if kind == "third_party":
            return self._tp_order()
        return self._create_order(getattr(self, f"type_{kind}"))

    def _assert_wizard(self, result):
        self.assertIsInstance(result, dict, "OCA's over-risk wizard expected")
        self.assertEqual(result.get("res_model"), WIZARD)
        return self.env[WIZARD].browse(result["res_id"])

    def _release_hold(self, orders, user=None):
        return orders.with_user(user or self.credit_manager).action_sop_credit_release()


@tagged("post_install", "-at_install")
class TestCredit(CreditCase):
    # ------------------------------------------------------------------
    # Cash sales: exempt on every path that confirms
    # ------------------------------------------------------------------
    def test_cash_exempt_confirm_and_settle_over_limit(self):
        # Draft invoices count too: OCA's check when posting the invoice sees it.
        self._limit(LOW, risk_invoice_draft_include=True)
        order = self._create_order(self.type_cash)
        result = order.action_confirm()
        self.assertNotIsInstance(result, dict)
        self.assertEqual(order.state, "sale")
        # Invoiced and paid at once: the invoice is posted although the customer is
        # over the limit (OCA's invoice wizard would have left it draft).
        self.assertEqual(order.invoice_ids.state, "posted")
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.picking_ids.state, "done")
        self.assertFalse(order.sop_credit_hold)

    def test_cash_exempt_server_action_and_jobs_over_limit(self):
        self._limit(LOW)
        single = self._create_order(self.type_cash)
        self.assertFalse(single.action_sop_cash_settle())
        self.assertEqual(single.state, "sale")
        self.assertEqual(single.invoice_ids.state, "posted")
        pair = self._create_order(self.type_cash) | self._create_order(self.type_cash)
        pair.action_sop_cash_settle()  # several at once: no wizard, no refusal
        self.assertEqual(set(pair.mapped("state")), {"sale"})
        self.env["ir.config_parameter"].sudo().set_param(
            "sales_order_plus.job_batch_size", "0"
        )
        queued = self._create_order(self.type_cash)
        with trap_jobs() as trap:
            queued.action_sop_cash_settle()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(queued.state, "sale")
        self.assertEqual(queued.invoice_ids.state, "posted")

    def test_cash_exempt_customer_acceptance_over_limit(self):
        self._limit(LOW)
        order = self._create_order(self.type_cash, require_signature=False)
        order.action_quotation_sent()
        # What the portal's acceptance (and online payment) call, as the customer.
        order.sudo()._validate_order()
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.sop_cash_to_settle)
        order.action_sop_cash_settle()
        self.assertEqual(order.invoice_ids.state, "posted")

    def test_customer_acceptance_over_limit_tells_the_salesperson(self):
        self._limit(LOW)
        order = self._create_order(self.type_rush, user_id=self.salesman.id)
        order.action_quotation_sent()
        order.sudo()._validate_order()
        self.assertEqual(order.state, "sent")
        activity = order.activity_ids.filtered(
            lambda a: a.summary == "Accepted over the credit limit"
        )
        self.assertEqual(activity.user_id, self.salesman)

    # ------------------------------------------------------------------
    # Rush, schedule, third-party: checked at confirmation
    # ------------------------------------------------------------------
    def test_kinds_checked_by_the_wizard_then_continue(self):
        self._limit(LOW)
        for kind in ("rush", "schedule", "third_party", "standard"):
            with self.subTest(kind=kind):
                order = self._quotation(kind)
                wizard = self._assert_wizard(order.action_confirm())
                self.assertEqual(order.state, "draft")
                self.assertFalse(order.picking_ids)
                self.assertEqual(wizard.partner_id, self.customer)
                # A risk manager continues: confirmed (bypass_risk), no hold.
                wizard.button_continue()
                self.assertEqual(order.state, "sale")
                self.assertFalse(order.sop_credit_hold)
                if kind == "third_party":
                    self.assertEqual(
                        set(self._purchase(order).mapped("state")), {"purchase"}
                    )

    def test_within_limit_confirms_without_wizard(self):
        self._limit(HIGH)
        for kind in ("rush", "schedule", "third_party"):
            with self.subTest(kind=kind):
                order = self._quotation(kind)
                self.assertNotIsInstance(order.action_confirm(), dict)
                self.assertEqual(order.state, "sale")
                self.assertFalse(order.sop_credit_hold)
        self.assertEqual(set(self._purchase(order).mapped("state")), {"purchase"})

    def test_server_action_on_many_orders_refused_with_all_names(self):
        self._limit(LOW)
        orders = self._create_order(self.type_rush) | self._create_order(self.type_rush)
        with self.assertRaisesRegex(UserError, "exceed their customer's credit") as e:
            orders.action_sop_rush_confirm()
        for name in orders.mapped("name"):
            self.assertIn(name, str(e.exception))
        self.assertEqual(set(orders.mapped("state")), {"draft"})
        # One order: OCA's wizard, as for the button.
        self._assert_wizard(orders[0].action_sop_rush_confirm())

    def test_orders_confirmed_together_count_together(self):
        # Each order alone is within the limit, both together are not.
        amount = self._create_order(self.type_rush).amount_total
        self._limit(amount * 1.5)
        orders = self._create_order(self.type_rush) | self._create_order(self.type_rush)
        with self.assertRaisesRegex(UserError, orders[1].name):
            orders.action_sop_rush_confirm()
        self.assertEqual(set(orders.mapped("state")), {"draft"})
        orders[0].action_sop_rush_confirm()
        self.assertEqual(orders[0].state, "sale")

    def test_rush_in_a_job_over_limit_fails_clearly(self):
        self._limit(LOW)
        self.env["ir.config_parameter"].sudo().set_param(
            "sales_order_plus.job_batch_size", "0"
        )
        order = self._create_order(self.type_rush)
        with trap_jobs() as trap:
            order.action_sop_rush_confirm()
            trap.assert_jobs_count(1)
            # The job fails with the reason (queue_job then tells the salesperson).
            with self.assertRaisesRegex(UserError, order.name):
                trap.perform_enqueued_jobs()
        self.assertEqual(order.state, "draft")

    # ------------------------------------------------------------------
    # Holds: schedule releases, third-party purchase orders
    # ------------------------------------------------------------------
    def test_schedule_release_over_limit_held_with_activity(self):
        self._limit(HIGH)
        order = self._schedule(0, 10, user_id=self.salesman.id)
        order.action_confirm()
        due_later = order.schedule_line_ids.filtered(lambda s: s.state == "planned")
        self.assertEqual(len(due_later), 1)
        # The customer stopped paying: over the limit when the next date comes due.
        self._limit(LOW)
        with freeze_time(fields.Date.today() + timedelta(days=10)):
            with trap_jobs() as trap:
                self.Schedule._cron_sop_schedule_release()
                trap.assert_jobs_count(1)
                trap.perform_enqueued_jobs()
            self.assertEqual(due_later.state, "planned", "held, not released")
            self.assertTrue(order.sop_credit_hold)
            self.assertIn("over the credit limit", order.sop_credit_hold_reason)
            self.assertTrue(order.sop_credit_hold_date)
            activity = order.activity_ids.filtered(lambda a: a.summary == "Credit hold")
            self.assertEqual(activity.user_id, self.salesman)
            # Not every night again: the held order waits for the credit manager.
            with trap_jobs() as trap:
                self.Schedule._cron_sop_schedule_release()
                trap.assert_jobs_count(0)
            # Nor by hand.
            due_later.action_sop_schedule_release_now()
            self.assertEqual(due_later.state, "planned")
            # The credit manager releases the hold: the release goes on.
            self._release_hold(order)
            self.assertFalse(order.sop_credit_hold)
            self.assertEqual(due_later.state, "released")
            self.assertEqual(len(due_later.move_ids), 1)
            self.assertFalse(
                order.activity_ids.filtered(lambda a: a.summary == "Credit hold")
            )
        log = order.message_ids.filtered(
            lambda m: "Credit hold released by" in (m.body or "")
        )
        self.assertEqual(log.author_id, self.credit_manager.partner_id)

    def test_schedule_revision_release_checked(self):
        self._limit(HIGH)
        order = self._schedule(0, 10)
        order.action_confirm()
        self._limit(LOW)
        later = order.schedule_line_ids.filtered(lambda s: s.state == "planned")
        # Moved into the horizon by a revision: a release, checked.
        later.date = fields.Date.today() + timedelta(days=3)
        self.assertEqual(later.state, "planned")
        self.assertTrue(order.sop_credit_hold)

    def test_schedule_confirmed_in_a_job_over_limit_is_held(self):
        self._limit(LOW)
        self.env["ir.config_parameter"].sudo().set_param(
            "sales_order_plus.job_batch_size", "0"
        )
        order = self._schedule(0, 10)
        with trap_jobs() as trap:
            order._sop_run_or_enqueue("Confirm", lambda t, o: t._sop_confirm_job())
            trap.perform_enqueued_jobs()
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.sop_credit_hold)
        self.assertEqual(set(order.schedule_line_ids.mapped("state")), {"planned"})
        self.assertFalse(order.picking_ids)
        self._release_hold(order)
        today = fields.Date.context_today(self.env.user)
        self.assertEqual(
            {(s.date - today).days: s.state for s in order.schedule_line_ids},
            {0: "released", 10: "planned"},
        )
        self.assertEqual(len(order.picking_ids), 1)

    def test_third_party_purchase_held_until_release(self):
        self._limit(LOW)
        orders = self._tp_order() | self._tp_order()
        # Many orders confirmed at once: recorded on credit hold, nothing bought yet.
        orders._sop_confirm_job()
        self.assertEqual(set(orders.mapped("state")), {"sale"})
        self.assertEqual(orders.mapped("sop_credit_hold"), [True, True])
        purchases = self._purchase(orders)
        self.assertTrue(purchases)
        self.assertEqual(set(purchases.mapped("state")), {"draft"})
        purchase = purchases[0]
        with self.assertRaisesRegex(UserError, "credit hold"):
            purchase.button_confirm()
        with self.assertRaisesRegex(UserError, "credit hold"):
            purchase.action_rfq_send()
        self.assertEqual(purchase.state, "draft")
        self._release_hold(orders)
        self.assertEqual(set(purchases.mapped("state")), {"purchase"})

    def test_third_party_purchase_confirmed_later_checked_again(self):
        self._limit(HIGH)
        self.tp_type.third_party_auto_confirm = False
        order = self._tp_order(user_id=self.salesman.id)
        order.action_confirm()
        purchases = self._purchase(order)
        self.assertEqual(set(purchases.mapped("state")), {"draft"})
        # The customer bought more meanwhile (a risk manager let it go over the
        # limit) before the buyer orders from the vendor. OCA counts no risk for the
        # dropshipped lines until they have moves: the other order makes the risk.
        self._limit(LOW)
        other = self._create_order(self.type_standard)
        other.with_context(bypass_risk=True).action_confirm()
        result = purchases.button_confirm()
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(set(purchases.mapped("state")), {"draft"})
        self.assertTrue(order.sop_credit_hold)
        self.assertIn("Purchase order to the vendor", order.sop_credit_hold_reason)
        self.assertEqual(
            order.activity_ids.filtered(lambda a: a.summary == "Credit hold").user_id,
            self.salesman,
        )
        self._release_hold(order)
        # Released: the buyer confirms (the type does not confirm them itself).
        self.assertEqual(set(purchases.mapped("state")), {"draft"})
        self.assertTrue(order.sop_credit_release_date)
        purchases.button_confirm()
        self.assertEqual(set(purchases.mapped("state")), {"purchase"})
        self.assertFalse(order.sop_credit_hold)

    # ------------------------------------------------------------------
    # Who releases
    # ------------------------------------------------------------------
    def test_only_credit_managers_release(self):
        self._limit(LOW)
        order = self._tp_order(user_id=self.salesman.id)
        (order | self._tp_order())._sop_confirm_job()
        self.assertTrue(order.sop_credit_hold)
        for user in (self.salesman, self.sale_admin):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self._release_hold(order, user)
                self.assertTrue(order.sop_credit_hold)
        # Nor around the button: the hold fields are written by the check only.
        with self.assertRaisesRegex(UserError, "Release Credit Hold"):
            order.with_user(self.sale_admin).with_context(
                sop_credit_hold_write=True
            ).write({"sop_credit_hold": False})
        self.assertTrue(order.sop_credit_hold)
        self.assertIn(
            self.env.ref("sales_order_plus.group_sop_credit_manager"),
            self.env.ref("base.user_admin").groups_id,
        )
        self._release_hold(order)
        self.assertFalse(order.sop_credit_hold)
        with self.assertRaisesRegex(UserError, "not on credit hold"):
            self._release_hold(order)

    # ------------------------------------------------------------------
    # Multi-company: the limit of the order's company
    # ------------------------------------------------------------------
    def test_limit_of_the_orders_company(self):
        company_b = self.env["res.company"].create({"name": "SOP Credit Company B"})
        self.env.user.company_ids |= company_b
        self._limit(LOW)
        self._limit(HIGH, company=company_b)
        both = self.env["sale.order"].with_context(
            allowed_company_ids=[self.company.id, company_b.id]
        )
        # Confirmed from company A (the user's current company): company B's limit.
        order_b = both.with_company(company_b).create(
            {
                "partner_id": self.customer.id,
                "company_id": company_b.id,
                "order_line": [
                    Command.create({"product_id": self.service.id, "price_unit": 50})
                ],
            }
        )
        order_b = order_b.with_context(
            allowed_company_ids=[self.company.id, company_b.id]
        )
        self.assertEqual(order_b.env.company, self.company)
        self.assertNotIsInstance(order_b.action_confirm(), dict)
        self.assertEqual(order_b.state, "sale")
        order_a = both.create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create({"product_id": self.service.id, "price_unit": 50})
                ],
            }
        )
        self._assert_wizard(order_a.action_confirm())
        self.assertEqual(order_a.state, "draft")


@tagged("post_install", "-at_install")
class TestCreditContextKeys(CreditCase):
    """A context key from a client is input, never a permission: ``bypass_risk`` and
    the former "already checked" key skip nothing for a user who may not go over the
    limit (issue 21, item 2)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.risk_manager = new_test_user(
            cls.env,
            login="sop_risk_manager",
            groups="sales_team.group_sale_salesman_all_leads,"
            "account_financial_risk.group_account_financial_risk_manager",
        )
        cls.buyer = new_test_user(
            cls.env,
            login="sop_buyer",
            groups="purchase.group_purchase_user,stock.group_stock_user",
        )
        cls.forged = {"bypass_risk": True, "sop_credit_checked": True}

    def test_salesperson_confirm_with_bypass_risk_gets_the_wizard(self):
        self._limit(LOW)
        for kind in ("rush", "standard", "schedule", "third_party"):
            with self.subTest(kind=kind):
                order = self._quotation(kind)
                order.user_id = self.salesman
                result = (
                    order.with_user(self.salesman)
                    .with_context(**self.forged)
                    .action_confirm()
                )
                self._assert_wizard(result)
                self.assertEqual(order.state, "draft")
                self.assertFalse(order.picking_ids)

    def test_salesperson_mass_confirm_with_bypass_risk_refused(self):
        self._limit(LOW)
        orders = self._create_order(
            self.type_rush, user_id=self.salesman.id
        ) | self._create_order(self.type_rush, user_id=self.salesman.id)
        with self.assertRaisesRegex(UserError, "exceed their customer's credit"):
            orders.with_user(self.salesman).with_context(
                **self.forged
            ).action_sop_rush_confirm()
        self.assertEqual(set(orders.mapped("state")), {"draft"})

    def test_wizard_continue_only_for_who_may_override(self):
        self._limit(LOW)
        order = self._create_order(self.type_rush, user_id=self.salesman.id)
        wizard = self._assert_wizard(order.with_user(self.salesman).action_confirm())
        with self.assertRaises(AccessError):
            wizard.with_user(self.salesman).button_continue()
        self.assertEqual(order.state, "draft")
        # OCA's risk manager continues: confirmed over the limit, as OCA intends.
        wizard.with_user(self.risk_manager).button_continue()
        self.assertEqual(order.state, "sale")
        # The same user's bypass_risk over RPC is the same decision.
        other = self._create_order(self.type_standard, user_id=self.risk_manager.id)
        other.with_user(self.risk_manager).with_context(
            bypass_risk=True
        ).action_confirm()
        self.assertEqual(other.state, "sale")

    def test_forged_keys_do_not_release_an_over_limit_schedule(self):
        self._limit(HIGH)
        order = self._schedule(0, 10, user_id=self.salesman.id)
        order.action_confirm()
        later = order.schedule_line_ids.filtered(lambda s: s.state == "planned")
        self._limit(LOW)
        with freeze_time(fields.Date.today() + timedelta(days=10)):
            later.with_user(self.salesman).with_context(
                **self.forged
            ).action_sop_schedule_release_now()
            self.assertEqual(later.state, "planned")
            self.assertFalse(later.move_ids)
            self.assertTrue(order.sop_credit_hold)

    def test_forged_keys_do_not_confirm_the_vendor_po(self):
        self._limit(HIGH)
        self.tp_type.third_party_auto_confirm = False
        order = self._tp_order(user_id=self.salesman.id)
        order.action_confirm()
        purchases = self._purchase(order)
        self._limit(LOW)
        other = self._create_order(self.type_standard)
        other.with_context(bypass_risk=True).action_confirm()  # the system user
        purchases.with_user(self.buyer).with_context(**self.forged).button_confirm()
        self.assertEqual(set(purchases.mapped("state")), {"draft"})
        self.assertTrue(order.sop_credit_hold)

    def test_forged_keys_do_not_post_an_over_limit_invoice(self):
        self._limit(LOW, risk_invoice_open_include=True)
        accountant = new_test_user(
            self.env, login="sop_credit_acc", groups="account.group_account_invoice"
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_line_ids": [
                    Command.create({"product_id": self.service.id, "price_unit": 50})
                ],
            }
        )
        for context in ({}, self.forged):
            with self.subTest(context=context):
                result = (
                    invoice.with_user(accountant).with_context(**context).action_post()
                )
                self.assertIsInstance(result, dict, "OCA's over-risk wizard expected")
                self.assertEqual(result.get("res_model"), WIZARD)
                self.assertEqual(invoice.state, "draft")


@tagged("post_install", "-at_install")
class TestCreditContextKeysRpc(HttpCase):
    """The same over XML-RPC, as an external system would send it."""

    def test_xmlrpc_bypass_risk_confirms_nothing(self):
        salesman = new_test_user(
            self.env,
            login="sop_rpc_salesman",
            password="sop_rpc_salesman",
            groups="sales_team.group_sale_salesman",
        )
        customer = self.env["res.partner"].create({"name": "SOP RPC Customer"})
        customer.write({"credit_limit": LOW, "risk_sale_order_include": True})
        service = self.env["product.product"].create(
            {"name": "SOP RPC Service", "type": "service", "list_price": 30.0}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": salesman.id,
                "order_line": [Command.create({"product_id": service.id})],
            }
        )
        models = self.xmlrpc_object
        for context in (
            {"bypass_risk": True},
            {"bypass_risk": True, "sop_credit_checked": True, "job_uuid": "x"},
        ):
            with self.subTest(context=context):
                models.execute_kw(
                    self.env.cr.dbname,
                    salesman.id,
                    "sop_rpc_salesman",
                    "sale.order",
                    "action_confirm",
                    [[order.id]],
                    {"context": context},
                )
                order.invalidate_recordset()
                self.assertEqual(order.state, "draft")
