# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SQL query budgets of the kinds' confirmations and of the schedule release.

``make bench`` reports figures but fails on nothing; these tests fail when a change
makes a flow cost more queries than its budget. The data is bench/cases_all_kinds.py's:
one order of 10 storable lines per kind (schedule: 2 dates per line; third party: 2
vendors).

How the budgets were measured: ``assertQueryCount`` as Odoo's own performance tests use
it (``@users("admin")`` + ``@warmup``: the flow runs once to fill the ORM caches and is
rolled back, then runs again, counted, between two flushes), in a database with demo
data, on 2026-11-30. Budget = that count + about 5%, rounded up: counts shift by a few
queries with the database's history (e.g. the first invoice of a period), not by 5%.
Fewer queries than the budget only logs; a refactoring that lowers a count may lower
the budget with it.
"""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tests.common import users, warmup

from odoo.addons.queue_job.job import Job

from .common import SalesOrderPlusCase, trap_jobs

LINES = 10

# Measured count -> budget (see the module's docstring).
BUDGET_STANDARD = 198  # measured 188
BUDGET_CASH = 511  # measured 486
# Rush: +11 for the availability check (stock projection, schedule commitments,
# routes made to order, product locks, commitments written), a constant whatever the
# number of lines.
BUDGET_RUSH = 213  # measured 202 (191 before the availability check)
# measured 117 (329 before the stock was reserved after the commit, by a job, and
# the stock rules and orderpoints were searched once per product).
BUDGET_SCHEDULE = 125
# 12 weekly dates x 10 lines (120 moves, 12 pickings), reserved by a job after the
# commit: measured 323 (1,647 when every date was reserved at confirmation and the
# stock rules and orderpoints were searched per move).
BUDGET_SCHEDULE_TWELVE_WEEKS = 340
# measured 83; 93 with OCA product_customerinfo, whose product display names (the
# purchase lines') search the customers' item numbers beside the vendors'.
BUDGET_THIRD_PARTY = 98
# measured 139: 124 + 15 for the credit check of the release (OCA's risk figures of
# the customer, computed from account.move.line and sale.order.line read_groups;
# sale_financial_risk also stores risk_amount on the sales lines it writes).
# 76 since the release reserves after the commit, by a job.
BUDGET_SCHEDULE_RELEASE = 85


@tagged("post_install", "-at_install")
class TestQueryCounts(SalesOrderPlusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.products = cls.env["product.product"].create(
            [
                {
                    "name": f"SOP Counted {index}",
                    "type": "consu",
                    "is_storable": True,
                    "list_price": 10.0,
                    "standard_price": 5.0,
                    "invoice_policy": "order",
                }
                for index in range(LINES)
            ]
        )
        for product in cls.products:
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.stock_location, 1000.0
            )
        vendors = cls.env["res.partner"].create(
            [{"name": "SOP Counted Vendor A"}, {"name": "SOP Counted Vendor B"}]
        )
        for index, product in enumerate(cls.products):
            product.seller_ids = [
                Command.create({"partner_id": vendors[index % 2].id, "price": 5.0})
            ]
        # The shipped types as bench/cases_all_kinds.py uses them.
        cls.type_cash.write(
            {"cash_payment_journal_id": False, "cash_handover": "counter"}
        )
        cls.type_rush.write(
            {"rush_fee_product_id": False, "invoice_trigger": "delivery"}
        )
        cls.type_schedule.write(
            {
                "schedule_release_horizon": 0,
                "schedule_reservation": "by_date",
                "schedule_reservation_days": 7,
            }
        )
        cls.type_third_party.third_party_auto_confirm = False

    def _order(self, order_type, dates=None):
        """A 10-line order of ``order_type``; with ``dates``, one schedule line of 1
        unit per date on each line."""
        lines = []
        for product in self.products:
            vals = {"product_id": product.id, "product_uom_qty": 1.0}
            if dates:
                vals["product_uom_qty"] = float(len(dates))
                vals["schedule_line_ids"] = [
                    Command.create({"date": day, "product_uom_qty": 1.0})
                    for day in dates
                ]
            lines.append(Command.create(vals))
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "type_id": order_type.id,
                "order_line": lines,
            }
        )
        # Out of the count, as Odoo's tests do: the company's country (localisations
        # read it) and the order as the form would have loaded it.
        self.env.company.country_id.mapped("code")
        order.order_line.product_id.mapped("name")
        return order

    def _in_days(self, days):
        return fields.Date.context_today(self.env.user) + timedelta(days=days)

    @users("admin")
    @warmup
    def test_confirm_standard(self):
        order = self._order(self.type_standard)
        with self.assertQueryCount(admin=BUDGET_STANDARD):
            order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(len(order.picking_ids.move_ids), LINES)

    @users("admin")
    @warmup
    def test_confirm_cash_counter(self):
        order = self._order(self.type_cash)
        with self.assertQueryCount(admin=BUDGET_CASH):
            order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.invoice_ids.state, "posted")
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.picking_ids.state, "done")

    @users("admin")
    @warmup
    def test_confirm_rush(self):
        # A Wednesday morning (UTC) of this week, before the type's cutoff: the
        # delivery date is today, found without searching the calendar further.
        today = fields.Date.today()
        wednesday = today - timedelta(days=today.weekday()) + timedelta(days=2)
        with freeze_time(
            datetime.combine(wednesday, datetime.min.time()).replace(hour=8)
        ):
            order = self._order(self.type_rush)
            with self.assertQueryCount(admin=BUDGET_RUSH):
                order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.picking_ids.priority, "1")
        self.assertEqual(order.commitment_date.date(), wednesday)

    @users("admin")
    @warmup
    def test_confirm_schedule_two_dates(self):
        order = self._order(
            self.type_schedule, dates=[self._in_days(7), self._in_days(14)]
        )
        with self.assertQueryCount(admin=BUDGET_SCHEDULE):
            order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(len(order.picking_ids), 2)
        self.assertEqual(len(order.picking_ids.move_ids), 2 * LINES)

    @users("admin")
    @warmup
    def test_confirm_schedule_twelve_weeks(self):
        """12 weekly dates released at confirmation: the dates beyond the type's
        reservation days are not reserved, the stock rules and orderpoints are
        searched once per product, so the count grows with the pickings, not with
        the moves."""
        order = self._order(
            self.type_schedule,
            dates=[self._in_days(7 * week) for week in range(1, 13)],
        )
        with self.assertQueryCount(admin=BUDGET_SCHEDULE_TWELVE_WEEKS):
            order.action_confirm()
        self.assertEqual(len(order.picking_ids), 12)
        moves = order.picking_ids.move_ids
        self.assertEqual(len(moves), 12 * LINES)
        # Reserved after the commit, by a job: nothing inside the confirmation.
        self.assertFalse(moves.filtered(lambda m: m.state == "assigned"))

    @users("admin")
    @warmup
    def test_confirm_third_party_two_vendors(self):
        order = self._order(self.type_third_party)
        with self.assertQueryCount(admin=BUDGET_THIRD_PARTY):
            order.action_confirm()
        self.assertEqual(order.state, "sale")
        purchases = order.order_line.purchase_line_ids.order_id
        self.assertEqual(len(purchases), 2)
        self.assertEqual(len(purchases.order_line), LINES)

    @users("admin")
    @warmup
    def test_schedule_release_cron(self):
        """The daily release of 5 due schedule lines (one per order line)."""
        order_type = self.type_schedule.copy(
            {"name": "SOP Counted release", "schedule_release_horizon": 1}
        )
        order = self._order(order_type, dates=[self._in_days(5), self._in_days(40)])
        order.order_line[5:].schedule_line_ids.filtered(
            lambda s: s.date == self._in_days(5)
        ).date = self._in_days(41)
        order.action_confirm()
        Lines = self.env["sale.order.schedule.line"].sudo()
        # Whatever else is due today is released out of the count.
        with trap_jobs() as trap:
            Lines._cron_sop_schedule_release()
            trap.perform_enqueued_jobs()
        self.assertFalse(order.picking_ids)
        order_type.schedule_release_horizon = 10
        # As the scheduled action and its job run: as superuser. The scheduled action
        # enqueues one job per agreement (counted with the job's own INSERT), the job
        # releases.
        with self.assertQueryCount(admin=BUDGET_SCHEDULE_RELEASE):
            Lines._cron_sop_schedule_release()
            job = self.env["queue.job"].search(
                [("method_name", "=", "_sop_schedule_release_agreement")]
            )
            Job.load(self.env, job.uuid).perform()
        due = order.schedule_line_ids.filtered(lambda s: s.date == self._in_days(5))
        self.assertEqual(len(due), 5)
        self.assertEqual(set(due.mapped("state")), {"released"})
        self.assertEqual(len(order.picking_ids), 1)
        self.assertEqual(len(order.picking_ids.move_ids), 5)
