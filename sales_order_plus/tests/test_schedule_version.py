# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Schedule versions of a delivery schedule agreement: applying replaces the open
schedule (writing only what changed), firm and forecast lines, the JIT version's
horizon, the comparison, tolerances, the customer's cumulative figures."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.job import Job

from .common import trap_jobs
from .test_kind_schedule import ScheduleCase


class VersionCase(ScheduleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["sale.order"])
        cls.type_schedule.write(
            {"schedule_release_horizon": 14, "schedule_version_tolerance": False}
        )
        cls.customer.ref = "4000001"
        cls.Version = cls.env["sale.order.schedule.version"]
        for product, code in ((cls.product, "C-100"), (cls.product_b, "C-200")):
            cls.env["product.customerinfo"].create(
                {
                    "partner_id": cls.customer.id,
                    "product_tmpl_id": product.product_tmpl_id.id,
                    "product_code": code,
                }
            )

    def day(self, days):
        return self.today + timedelta(days=days)

    def _agreement(self, schedule=None, ref="AG-100", **vals):
        """A confirmed delivery schedule agreement (Customer Reference ``ref``)."""
        schedule = schedule or {
            self.product: [(self.day(60), 10.0)],
            self.product_b: [(self.day(60), 10.0)],
        }
        order = self._schedule_order(
            schedule, client_order_ref=ref, user_id=self.salesman.id, **vals
        )
        order.action_confirm()
        return order

    def _version(self, order, lines, kind="forecast", number="V1", days=0, **vals):
        """A received version of ``order``: ``lines`` [(product, days from today, qty,
        firmness)], checked and applied (or held, rejected)."""
        version = self.Version.create(
            {
                "order_id": order.id,
                "name": number,
                "document_date": self.day(days),
                "kind": kind,
                "source": "manual",
                "line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "customer_code": product.default_code,
                            "date": self.day(d),
                            "product_uom_qty": qty,
                            "firmness": firmness,
                        }
                    )
                    for product, d, qty, firmness in lines
                ],
                **vals,
            }
        )
        version._sop_version_receive()
        return version

    def _schedule(self, order, product=None):
        """{(product code, days from today): (qty, firmness, state)} of the active
        schedule lines."""
        return {
            (s.product_id.default_code, (s.date - self.today).days): (
                s.product_uom_qty,
                s.firmness,
                s.state,
            )
            for s in order.schedule_line_ids
            if not s.cancelled and (not product or s.product_id == product)
        }


@tagged("post_install", "-at_install")
class TestScheduleVersion(VersionCase):
    def test_forecast_version_replaces_the_open_schedule(self):
        order = self._agreement()
        version = self._version(
            order,
            [
                (self.product, 7, 5.0, "firm"),
                (self.product, 21, 8.0, "firm"),
                (self.product, 35, 20.0, "forecast"),
                (self.product_b, 60, 10.0, "firm"),
            ],
        )
        self.assertEqual(version.state, "applied", version.reason)
        self.assertEqual(
            self._schedule(order),
            {
                ("SOP-STORE", 7): (5.0, "firm", "released"),
                ("SOP-STORE", 21): (8.0, "firm", "planned"),
                ("SOP-STORE", 35): (20.0, "forecast", "planned"),
                ("SOP-BOLT", 60): (10.0, "firm", "planned"),
            },
        )
        # Only the firm line inside the horizon was delivered to the warehouse.
        self.assertEqual(order.picking_ids.move_ids.product_uom_qty, 5.0)
        self.assertEqual(order.order_line[0].product_uom_qty, 33.0)
        self.assertEqual(version.date_start, self.day(7))
        self.assertEqual(version.date_end, self.day(60))
        self.assertFalse(version.previous_id, "the first version compares with none")

    def test_second_version_changes_only_what_differs(self):
        order = self._agreement()
        first = self._version(
            order,
            [
                (self.product, 7, 5.0, "firm"),
                (self.product, 21, 8.0, "firm"),
                (self.product, 35, 20.0, "forecast"),
            ],
        )
        kept = order.schedule_line_ids.filtered(lambda s: s.date == self.day(7))
        move = kept.move_ids
        second = self._version(
            order,
            [
                (self.product, 7, 5.0, "firm"),
                (self.product, 21, 12.0, "firm"),
                (self.product, 42, 7.0, "forecast"),
            ],
            number="V2",
            days=1,
        )
        self.assertEqual(second.state, "applied", second.reason)
        self.assertEqual(first.state, "superseded")
        self.assertEqual(second.previous_id, first)
        self.assertEqual(
            self._schedule(order, self.product),
            {
                ("SOP-STORE", 7): (5.0, "firm", "released"),
                ("SOP-STORE", 21): (12.0, "firm", "planned"),
                ("SOP-STORE", 42): (7.0, "forecast", "planned"),
            },
        )
        # The unchanged released line and its delivery are the same records.
        self.assertEqual(
            order.schedule_line_ids.filtered(lambda s: s.date == self.day(7)), kept
        )
        self.assertEqual(kept.move_ids, move)
        self.assertEqual(move.product_uom_qty, 5.0)
        # The comparison: per product and date, old, new and the difference.
        self.assertEqual(
            [
                ((c.date - self.today).days, c.old_qty, c.new_qty, c.difference)
                for c in second.change_ids
            ],
            [(21, 8.0, 12.0, 4.0), (35, 20.0, 0.0, -20.0), (42, 0.0, 7.0, 7.0)],
        )
        self.assertEqual(second.change_count, 3)

    def test_released_lines_reduced_or_cancelled_delivered_untouched(self):
        order = self._agreement()
        self._version(
            order,
            [
                (self.product, 0, 4.0, "firm"),
                (self.product, 3, 10.0, "firm"),
                (self.product, 5, 6.0, "firm"),
            ],
        )
        today_line = order.schedule_line_ids.filtered(lambda s: s.date == self.today)
        picking = self._picking(order, self.today)
        picking.move_ids.quantity = 4.0
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(today_line.state, "delivered")
        line_5 = order.schedule_line_ids.filtered(lambda s: s.date == self.day(5))
        # The new version drops day 5 and halves day 3; today's line, delivered,
        # stays as it is even though the version asks for 9.
        version = self._version(
            order,
            [(self.product, 0, 9.0, "firm"), (self.product, 3, 5.0, "firm")],
            number="V2",
            days=1,
        )
        self.assertEqual(version.state, "applied", version.reason)
        self.assertEqual(
            self._schedule(order, self.product),
            {
                ("SOP-STORE", 0): (4.0, "firm", "delivered"),
                ("SOP-STORE", 3): (5.0, "firm", "released"),
            },
        )
        self.assertTrue(line_5.cancelled)
        self.assertEqual(line_5.move_ids.mapped("state"), ["cancel"])
        line_3 = order.schedule_line_ids.filtered(lambda s: s.date == self.day(3))
        self.assertEqual(
            sum(
                line_3.move_ids.filtered(lambda m: m.state != "cancel").mapped(
                    "product_uom_qty"
                )
            ),
            5.0,
        )
        self.assertEqual(today_line.qty_delivered, 4.0)

    def test_jit_version_overrides_the_forecast_within_its_horizon(self):
        order = self._agreement()
        self._version(
            order,
            [
                (self.product, 7, 10.0, "firm"),
                (self.product, 14, 10.0, "firm"),
                (self.product, 28, 10.0, "forecast"),
            ],
        )
        jit = self._version(
            order,
            [(self.product, 7, 12.0, "firm"), (self.product, 10, 9.0, "firm")],
            kind="jit",
            number="J1",
        )
        self.assertEqual(jit.state, "applied", jit.reason)
        self.assertEqual(
            self._schedule(order, self.product),
            {
                ("SOP-STORE", 7): (12.0, "firm", "released"),
                ("SOP-STORE", 10): (9.0, "firm", "released"),
                ("SOP-STORE", 14): (10.0, "firm", "released"),
                ("SOP-STORE", 28): (10.0, "forecast", "planned"),
            },
        )
        # A new forecast does not undo the JIT calls inside the JIT's horizon.
        forecast = self._version(
            order,
            [
                (self.product, 7, 1.0, "firm"),
                (self.product, 9, 1.0, "firm"),
                (self.product, 28, 15.0, "forecast"),
            ],
            number="V2",
            days=1,
        )
        self.assertEqual(forecast.state, "applied", forecast.reason)
        self.assertEqual(jit.state, "applied")
        self.assertEqual(
            self._schedule(order, self.product),
            {
                ("SOP-STORE", 7): (12.0, "firm", "released"),
                ("SOP-STORE", 10): (9.0, "firm", "released"),
                ("SOP-STORE", 28): (15.0, "forecast", "planned"),
            },
        )

    def test_jit_for_one_item_leaves_the_other_items_alone(self):
        """A JIT version overrides only the items it contains, each within its own
        dates: the other item's lines inside those dates (released ones among them)
        and a line a person changed stay as they are."""
        order = self._agreement()
        forecast = self._version(
            order,
            [
                (self.product, 7, 5.0, "firm"),
                (self.product, 10, 8.0, "firm"),
                (self.product, 30, 20.0, "forecast"),
                (self.product_b, 6, 4.0, "firm"),
                (self.product_b, 12, 6.0, "firm"),
                (self.product_b, 30, 7.0, "forecast"),
            ],
        )
        self.assertEqual(forecast.state, "applied", forecast.reason)
        # A person changes a planned line of the applied schedule.
        edited = self._line(order, self.product_b, self.day(30))
        edited.product_uom_qty = 8.0
        b_lines = order.schedule_line_ids.filtered(
            lambda s: s.product_id == self.product_b
        )
        b_moves = b_lines.move_ids
        self.assertEqual(len(b_moves), 2)
        before_b = self._schedule(order, self.product_b)
        jit = self._version(
            order,
            [(self.product, 5, 12.0, "firm"), (self.product, 13, 9.0, "firm")],
            kind="jit",
            number="J1",
        )
        self.assertEqual(jit.state, "applied", jit.reason)
        # Item B is not in the JIT: nothing of it changed, nothing cancelled.
        self.assertEqual(self._schedule(order, self.product_b), before_b)
        self.assertEqual(
            before_b,
            {
                ("SOP-BOLT", 6): (4.0, "firm", "released"),
                ("SOP-BOLT", 12): (6.0, "firm", "released"),
                ("SOP-BOLT", 30): (8.0, "forecast", "planned"),
            },
        )
        self.assertFalse(b_lines.filtered("cancelled"))
        self.assertNotIn("cancel", b_moves.mapped("state"))
        # Item A: the JIT decides its dates 5..13, the forecast the rest.
        self.assertEqual(
            self._schedule(order, self.product),
            {
                ("SOP-STORE", 5): (12.0, "firm", "released"),
                ("SOP-STORE", 13): (9.0, "firm", "released"),
                ("SOP-STORE", 30): (20.0, "forecast", "planned"),
            },
        )
        # A new forecast leaves the JIT's dates of item A alone, decides the rest.
        forecast_2 = self._version(
            order,
            [
                (self.product, 7, 1.0, "firm"),
                (self.product, 30, 25.0, "forecast"),
                (self.product_b, 6, 4.0, "firm"),
                (self.product_b, 12, 5.0, "firm"),
                (self.product_b, 30, 9.0, "forecast"),
            ],
            number="V2",
            days=1,
        )
        self.assertEqual(forecast_2.state, "applied", forecast_2.reason)
        self.assertEqual(
            self._schedule(order),
            {
                ("SOP-STORE", 5): (12.0, "firm", "released"),
                ("SOP-STORE", 13): (9.0, "firm", "released"),
                ("SOP-STORE", 30): (25.0, "forecast", "planned"),
                ("SOP-BOLT", 6): (4.0, "firm", "released"),
                ("SOP-BOLT", 12): (5.0, "firm", "released"),
                ("SOP-BOLT", 30): (9.0, "forecast", "planned"),
            },
        )

    def test_lines_of_a_decided_version_cannot_change(self):
        """Applied, superseded and rejected versions are the record of what the
        customer sent: their lines cannot be changed, added or removed (an edited
        line would be applied again with the next version)."""
        order = self._agreement()
        forecast = self._version(order, [(self.product, 7, 5.0, "firm")])
        self.assertEqual(forecast.state, "applied", forecast.reason)
        # As the salesperson would over RPC (the superuser's own steps may).
        as_user = forecast.with_user(self.salesman)
        with self.assertRaises(UserError):
            as_user.line_ids.product_uom_qty = 99.0
        with self.assertRaises(UserError):
            as_user.line_ids.unlink()
        with self.assertRaises(UserError):
            self.env["sale.order.schedule.version.line"].with_user(
                self.salesman
            ).create(
                {
                    "version_id": forecast.id,
                    "product_id": self.product.id,
                    "date": self.day(8),
                    "product_uom_qty": 1.0,
                }
            )
        self.assertEqual(forecast.line_ids.product_uom_qty, 5.0)
        # A held version's lines can still be put right before it is applied.
        held = self._version(
            order, [(self.product, -3, 5.0, "firm")], number="V2", days=1
        )
        self.assertEqual(held.state, "held")
        held.line_ids.date = self.day(3)
        held.action_apply()
        self.assertEqual(held.state, "applied")
        self.assertEqual(
            self._line(order, self.product, self.day(3)).product_uom_qty, 5.0
        )

    def test_first_version_compares_with_the_agreement_schedule(self):
        """No version applied before: the comparison is with the agreement's
        schedule lines the version decides (those its confirmation made)."""
        order = self._agreement()
        version = self._version(
            order,
            [(self.product, 7, 5.0, "firm"), (self.product, 60, 12.0, "forecast")],
        )
        self.assertEqual(version.state, "applied", version.reason)
        self.assertFalse(version.previous_id)
        self.assertTrue(version.compared_with_schedule)
        self.assertEqual(
            sorted(
                (
                    c.product_id.default_code,
                    (c.date - self.today).days,
                    c.old_qty,
                    c.new_qty,
                    c.old_firmness or False,
                    c.new_firmness or False,
                )
                for c in version.change_ids
            ),
            [
                ("SOP-STORE", 7, 0.0, 5.0, False, "firm"),
                ("SOP-STORE", 60, 10.0, 12.0, "firm", "forecast"),
            ],
        )
        # The next one compares with the version before, as ever.
        second = self._version(
            order, [(self.product, 7, 6.0, "firm")], number="V2", days=1
        )
        self.assertEqual(second.previous_id, version)
        self.assertFalse(second.compared_with_schedule)

    def test_applying_a_version_supersedes_the_older_held_ones(self):
        """A held version older than the one applied is superseded (it would undo
        newer figures) and its activity done; a newer held one stays held."""
        order = self._agreement()
        unproven = {"sender_problem": "Sender not proven."}
        old_held = self._version(
            order, [(self.product, 7, 5.0, "firm")], number="V1", days=1, **unproven
        )
        new_held = self._version(
            order, [(self.product, 7, 7.0, "firm")], number="V4", days=5, **unproven
        )
        jit_held = self._version(
            order,
            [(self.product, 7, 9.0, "firm")],
            kind="jit",
            number="J1",
            days=1,
            **unproven,
        )
        self.assertEqual((old_held | new_held | jit_held).mapped("state"), ["held"] * 3)
        self.assertTrue(old_held.activity_ids)
        applied = self._version(
            order, [(self.product, 7, 6.0, "firm")], number="V2", days=2
        )
        self.assertEqual(applied.state, "applied", applied.reason)
        self.assertEqual(old_held.state, "superseded")
        self.assertIn("V2", old_held.reason)
        self.assertFalse(old_held.activity_ids)
        # Newer, or of the other kind: still for a person to decide.
        self.assertEqual(new_held.state, "held")
        self.assertEqual(jit_held.state, "held")
        # Superseded without being applied: received again it is older than the
        # applied one, not a duplicate of an applied version.
        again = self._version(
            order, [(self.product, 7, 5.0, "firm")], number="V1", days=1
        )
        self.assertEqual(again.state, "rejected")
        self.assertIn("Older", again.reason)

    def test_forecast_lines_are_never_released(self):
        self.type_schedule.schedule_release_horizon = 0
        order = self._agreement()
        self._version(
            order,
            [(self.product, 2, 3.0, "forecast"), (self.product, 4, 2.0, "firm")],
        )
        forecast = order.schedule_line_ids.filtered(lambda s: s.date == self.day(2))
        self.assertEqual((forecast.firmness, forecast.state), ("forecast", "planned"))
        self._release_cron()
        forecast.action_sop_schedule_release_now()
        self.assertEqual(forecast.state, "planned")
        self.assertFalse(forecast.move_ids)
        # Made firm by the next version, it is released.
        self._version(
            order,
            [(self.product, 2, 3.0, "firm"), (self.product, 4, 2.0, "firm")],
            number="V2",
            days=1,
        )
        self.assertEqual((forecast.firmness, forecast.state), ("firm", "released"))
        self.assertEqual(forecast.move_ids.product_uom_qty, 3.0)

    def test_customer_cumulative_figures_on_the_agreement_line(self):
        order = self._agreement()
        version = self._version(order, [(self.product, 7, 5.0, "firm")])
        # The applied version's lines are its record (no change); the next version
        # brings the figures.
        version2 = version.copy({"name": "V2", "state": "received"})
        version2.line_ids.write(
            {
                "has_customer_cum": True,
                "customer_cum_qty": 1300.0,
                "customer_cum_note": "LS-4712",
            }
        )
        version2._sop_version_receive()
        self.assertEqual(version2.state, "applied", version2.reason)
        line = order.order_line.filtered(lambda sl: sl.product_id == self.product)
        self.assertEqual(line.sop_customer_cum_qty, 1300.0)
        self.assertEqual(line.sop_customer_cum_note, "LS-4712")
        # A product without figures in the version keeps its own.
        self.assertFalse(
            order.order_line.filtered(
                lambda sl: sl.product_id == self.product_b
            ).sop_customer_cum_note
        )

    def test_tolerance_holds_then_salesperson_applies_or_rejects(self):
        self.type_schedule.write(
            {
                "schedule_version_tolerance": True,
                "schedule_tolerance_qty_percent": 10.0,
                "schedule_tolerance_days_earlier": 2,
            }
        )
        order = self._agreement()
        self._version(
            order,
            [(self.product, 5, 10.0, "firm"), (self.product, 12, 10.0, "firm")],
        )
        before = self._schedule(order)
        # Inside tolerance (+5 % in the firm zone, 1 day earlier): applied at once.
        small = self._version(
            order,
            [(self.product, 5, 10.0, "firm"), (self.product, 11, 11.0, "firm")],
            number="V2",
            days=1,
        )
        self.assertEqual(small.state, "applied", small.reason)
        before = self._schedule(order)
        # +50 % inside the horizon: held, the salesperson gets an activity.
        big = self._version(
            order,
            [(self.product, 5, 20.0, "firm"), (self.product, 11, 11.0, "firm")],
            number="V3",
            days=2,
        )
        self.assertEqual(big.state, "held")
        self.assertIn("changes from 21.0 to 31.0", big.reason)
        self.assertEqual(big.activity_ids.user_id, self.salesman)
        self.assertEqual(self._schedule(order), before, "nothing applied")
        big.with_user(self.salesman).action_apply()
        self.assertEqual(big.state, "applied")
        self.assertFalse(big.activity_ids)
        self.assertEqual(self._schedule(order)[("SOP-STORE", 5)][0], 20.0)
        # 11 days' quantity wanted 6 days earlier: held, then rejected.
        early = self._version(
            order,
            [(self.product, 5, 31.0, "firm")],
            number="V4",
            days=3,
        )
        self.assertEqual(early.state, "held")
        self.assertIn("6 days earlier", early.reason)
        before = self._schedule(order)
        early.with_user(self.salesman).action_reject()
        self.assertEqual(early.state, "rejected")
        self.assertIn("Rejected by", early.reason)
        self.assertEqual(self._schedule(order), before)
        with self.assertRaisesRegex(UserError, "Only received or held versions"):
            early.action_apply()

    def test_many_versions_at_once_are_applied_in_jobs(self):
        orders = [self._agreement(ref=f"AG-J{i}") for i in range(6)]
        versions = self.Version.create(
            [
                {
                    "order_id": order.id,
                    "name": "M1",
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "date": self.day(30),
                                "product_uom_qty": 3.0,
                            }
                        )
                    ],
                }
                for order in orders
            ]
        )
        with trap_jobs() as trap:
            versions._sop_version_receive()
            trap.assert_jobs_count(6)
            self.assertEqual(set(versions.mapped("state")), {"received"})
            trap.perform_enqueued_jobs()
        self.assertEqual(set(versions.mapped("state")), {"applied"})
        self.assertEqual(orders[0].order_line[0].product_uom_qty, 3.0)

    def test_versions_in_jobs_identity_keys_exactly_once_in_order(self):
        """Many versions received at once: one job each with an identity key (a
        version waits in the queue once), each applied exactly once even when its
        job runs again, and versions of one agreement whose jobs run out of order
        end with the newer one applied, the older one rejected."""
        orders = [self._agreement(ref=f"AG-K{i}") for i in range(6)]

        def version_vals(order, number, days, qty):
            return {
                "order_id": order.id,
                "name": number,
                "document_date": self.day(days),
                "line_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "date": self.day(30),
                            "product_uom_qty": qty,
                        }
                    ),
                    Command.create(
                        {
                            "product_id": self.product_b.id,
                            "date": self.day(60),
                            "product_uom_qty": 10.0,
                        }
                    ),
                ],
            }

        versions = self.Version.create(
            [version_vals(order, "K1", 0, 4.0) for order in orders]
        )
        # A newer schedule of the first agreement (a later date) and one of the
        # second received later on the same date.
        newer = self.Version.create(version_vals(orders[0], "K2", 1, 5.0))
        later = self.Version.create(version_vals(orders[1], "K3", 0, 6.0))
        received = versions | newer | later
        with trap_jobs() as trap:
            received._sop_version_receive()
            trap.assert_jobs_count(8)
            self.assertEqual(
                {(job.method_name, str(job.kwargs)) for job in trap.enqueued_jobs},
                {("_sop_version_process", "{'in_job': True}")},
            )
            keys = {job.identity_key for job in trap.enqueued_jobs}
            self.assertEqual(len(keys), 8)
            self.assertNotIn(None, keys)
            self.assertEqual(
                {job.recordset for job in trap.enqueued_jobs}, set(received)
            )
            self.assertEqual(set(received.mapped("state")), {"received"})
        # Stored jobs: enqueuing again while they wait adds none.
        received._sop_version_receive()
        received._sop_version_receive()
        jobs = self.env["queue.job"].search(
            [("method_name", "=", "_sop_version_process")]
        )
        self.assertEqual(len(jobs), 8)
        self.assertEqual(set(jobs.mapped("channel")), {"root.sop_schedule_release"})
        by_version = {job.records: Job.load(self.env, job.uuid) for job in jobs}
        # Out of order: the newer versions' jobs run first.
        for version in (newer, later, *versions):
            by_version[version].perform()
        self.assertEqual(newer.state, "applied")
        self.assertEqual(later.state, "applied")
        self.assertEqual(versions[0].state, "rejected")
        self.assertIn("Older", versions[0].reason)
        self.assertEqual(versions[1].state, "rejected")
        self.assertIn("Received before the applied version", versions[1].reason)
        self.assertEqual(set(versions[2:].mapped("state")), {"applied"})
        code, code_b = self.product.default_code, self.product_b.default_code

        def quantities(order):
            return {key: qty for key, (qty, _f, _s) in self._schedule(order).items()}

        expected = {(code, 30): 4.0, (code_b, 60): 10.0}
        self.assertEqual(quantities(orders[0]), {**expected, (code, 30): 5.0})
        self.assertEqual(quantities(orders[1]), {**expected, (code, 30): 6.0})
        for order in orders[2:]:
            self.assertEqual(quantities(order), expected)
        # A job run again (its instance lost before it was marked done): nothing
        # is applied twice.
        lines = self.env["sale.order.schedule.line"].search(
            [("order_id", "in", [o.id for o in orders])]
        )
        applied_dates = received.mapped("applied_date")
        states = received.mapped("state")
        for job in by_version.values():
            job.perform()
        self.assertEqual(
            self.env["sale.order.schedule.line"].search(
                [("order_id", "in", [o.id for o in orders])]
            ),
            lines,
        )
        self.assertEqual(received.mapped("applied_date"), applied_dates)
        self.assertEqual(received.mapped("state"), states)
