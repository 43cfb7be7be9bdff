# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Background work as queue_job jobs: what is enqueued (one job per agreement, per
company, per order of a mass action), identity keys, and the job bodies. The job
runner itself is queue_job's (proven across two instances by `make scale`)."""

import importlib.util
from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import common as odoo_test_common
from odoo.tests import tagged
from odoo.tools.misc import file_path

from odoo.addons.queue_job.job import Job

# queue_job's test helpers register themselves in a table of Odoo's test framework
# that Odoo 18.0 releases before September 2025 lack (it only silences a warning).
if not hasattr(odoo_test_common, "SETATTR_SOURCES"):
    odoo_test_common.SETATTR_SOURCES = {}
from odoo.addons.queue_job.tests.common import trap_jobs  # noqa: E402

from .test_kind_schedule import ScheduleCase


@tagged("post_install", "-at_install")
class TestJobs(ScheduleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_schedule.schedule_release_horizon = 7
        cls.today = date(2030, 1, 1)
        cls.SaleOrder = type(cls.env["sale.order"])

    def _agreement(self, *days):
        """A delivery schedule confirmed on ``self.today`` with one line per day
        from then; lines beyond the 7-day horizon stay planned."""
        with freeze_time(self.today):
            order = self._schedule_order(
                {self.product: [(self._day(d), 1.0) for d in days]}
            )
            order.action_confirm()
        return order

    def _day(self, days):
        return self.today + timedelta(days=days)

    def _release_jobs(self):
        return self.env["queue.job"].search(
            [("method_name", "=", "_sop_schedule_release_agreement")]
        )

    def _assert_jobs(self, trap, method_name, count):
        jobs = [j for j in trap.enqueued_jobs if j.method_name == method_name]
        self.assertEqual(len(jobs), count, f"{method_name} jobs")
        return jobs

    def _run(self, jobs):
        for job in jobs:
            Job.load(self.env, job.uuid).perform()

    @freeze_time("2030-01-15")
    def test_release_one_job_per_agreement(self):
        first = self._agreement(20, 30)
        second = self._agreement(21)
        far = self._agreement(40)
        with trap_jobs() as trap:
            self.Schedule._cron_sop_schedule_release()
            self._assert_jobs(trap, "_sop_schedule_release_agreement", 2)
            self.assertEqual(
                {job.recordset for job in trap.enqueued_jobs}, {first, second}
            )
            # Nothing is released before the jobs run.
            self.assertEqual(
                set((first | second).schedule_line_ids.mapped("state")), {"planned"}
            )
            trap.perform_enqueued_jobs()
        due = self._line(first, self.product, self._day(20))
        self.assertEqual(due.state, "released")
        self.assertEqual(len(due.move_ids), 1)
        later = self._line(first, self.product, self._day(30))
        self.assertEqual(later.state, "planned")
        self.assertEqual(second.schedule_line_ids.state, "released")
        self.assertEqual(far.schedule_line_ids.state, "planned")

    def test_release_identity_key_and_exactly_once(self):
        order = self._agreement(16, 17, 25)
        self.assertEqual(order.schedule_line_ids.mapped("state"), ["planned"] * 3)
        with freeze_time("2030-01-15"):
            self.Schedule._cron_sop_schedule_release()
            self.Schedule._cron_sop_schedule_release()  # the first job still waits
            jobs = self._release_jobs()
            self.assertEqual(len(jobs), 1)
            self.assertEqual(jobs.records, order)
            self.assertEqual(jobs.channel, "root.sop_schedule_release")
            job = Job.load(self.env, jobs.uuid)
            job.perform()
            self.assertEqual(
                order.schedule_line_ids.mapped("state"),
                ["released", "released", "planned"],
            )
            pickings = order.picking_ids
            self.assertEqual(len(pickings), 2)  # one delivery per date
            # Run again (a retry after a lost worker): nothing is released twice.
            self.assertEqual(job.perform(), "0 schedule lines released")
            self.assertEqual(order.picking_ids, pickings)
            self.assertEqual(len(order.schedule_line_ids.move_ids), 2)
            job.set_done()
            job.store()
        # A done job frees the key: the line due later gets the next job.
        with freeze_time("2030-01-20"):
            self.Schedule._cron_sop_schedule_release()
            jobs = self._release_jobs()
            self.assertEqual(len(jobs), 2)
            Job.load(self.env, (jobs - job.db_record()).uuid).perform()
        self.assertEqual(order.schedule_line_ids.mapped("state"), ["released"] * 3)
        self.assertEqual(len(order.picking_ids), 3)

    @freeze_time("2030-01-15")
    def test_release_failure_reported_on_the_order(self):
        order = self._agreement(16)
        other = self._agreement(17)
        # No stock rule can deliver any more when the first agreement's job runs.
        rules = self.warehouse.delivery_route_id.rule_ids
        rules.active = False
        self.Schedule._cron_sop_schedule_release()
        jobs = self._release_jobs()
        self.assertEqual(len(jobs), 2)
        other_job = jobs.filtered(lambda j: j.records == other)
        # A procurement the agreement cannot get is the order's problem, reported
        # on it as Odoo's scheduler does; the job ends and says what it did.
        job = Job.load(self.env, (jobs - other_job).uuid)
        self.assertEqual(job.perform(), "0 schedule lines released")
        self.assertEqual(order.schedule_line_ids.state, "planned")
        warning = order.activity_ids.filtered(
            lambda a: "could not be released" in (a.note or "")
        )
        self.assertEqual(len(warning), 1)
        # The other agreement's job is not held up by it.
        rules.active = True
        Job.load(self.env, other_job.uuid).perform()
        self.assertEqual(other.schedule_line_ids.state, "released")

    def test_failed_job_reason_and_activity(self):
        """A job that fails for good (an unexpected error, retries exhausted) keeps
        its reason on the job and puts an activity on the order (queue_job's
        on_fail_method of the job function)."""
        order = self._agreement(16)
        with freeze_time("2030-01-15"):
            self.Schedule._cron_sop_schedule_release()
        job = Job.load(self.env, self._release_jobs().uuid)
        self.assertEqual(job.job_config.on_fail_method_name, "_sop_job_failed")
        reason = "could not reach the database server"
        # What queue_job's controller does when a job raised and will not be retried.
        job.set_failed(exc_name="OperationalError", exc_message=reason)
        job.store()
        job.on_fail({"exc_name": "OperationalError", "exc_message": reason})
        self.assertEqual(self._release_jobs().state, "failed")
        self.assertEqual(self._release_jobs().exc_message, reason)
        activity = order.activity_ids.filtered(
            lambda a: a.summary == "Background job failed"
        )
        self.assertEqual(len(activity), 1)
        self.assertIn(reason, activity.note)

    @freeze_time("2030-01-01")
    def test_release_now_runs_at_once_or_in_jobs(self):
        order = self._agreement(30)
        other = self._agreement(31)
        line = order.schedule_line_ids
        action = line.action_sop_schedule_release_now()  # few: at once
        self.assertEqual(line.state, "released")
        self.assertEqual(action["params"]["message"], "1 schedule lines released")
        self.env["ir.config_parameter"].sudo().set_param(
            "sales_order_plus.job_batch_size", "0"
        )
        with trap_jobs() as trap:
            action = other.schedule_line_ids.action_sop_schedule_release_now()
            self.assertEqual(action["tag"], "display_notification")
            self._assert_jobs(trap, "_sop_schedule_release_lines", 1)
            self.assertEqual(other.schedule_line_ids.state, "planned")
            trap.perform_enqueued_jobs()
        self.assertEqual(other.schedule_line_ids.state, "released")

    def test_mass_confirmation_in_jobs(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "sales_order_plus.job_batch_size", "1"
        )
        self.type_rush.rush_fee_product_id = False
        orders = self._create_order(self.type_rush) | self._create_order(self.type_rush)
        with trap_jobs() as trap:
            orders.action_sop_rush_confirm()
            self._assert_jobs(trap, "_sop_confirm_job", 2)
            self.assertEqual(set(orders.mapped("state")), {"draft"})
            trap.perform_enqueued_jobs()
        self.assertEqual(set(orders.mapped("state")), {"sale"})
        self.assertEqual(orders.picking_ids.mapped("priority"), ["1", "1"])
        # One order: no job, confirmed at once.
        single = self._create_order(self.type_rush)
        with trap_jobs() as trap:
            single.action_sop_rush_confirm()
            trap.assert_jobs_count(0)
        self.assertEqual(single.state, "sale")

    def test_consistency_summary_one_job_per_company(self):
        Notification = self.env["sale.consistency.notification"]
        companies = self.env["res.company"].search([])
        with trap_jobs() as trap:
            Notification._cron_sop_notify_new_problems()
            self._assert_jobs(trap, "_sop_notify_new_problems", len(companies))
            self.assertEqual(
                {job.args[0] for job in trap.enqueued_jobs}, set(companies)
            )

    def test_migration_points_the_crons_at_the_jobs(self):
        """An installed database's noupdate scheduled actions get the new code."""
        cron = self.env.ref("sales_order_plus.ir_cron_sale_consistency_notify")
        cron.code = "model._sop_notify_new_problems()"  # as shipped by 18.0.1.0.0
        path = file_path("sales_order_plus/migrations/18.0.1.1.0/post-migration.py")
        spec = importlib.util.spec_from_file_location("sop_post_migration", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        self.env.flush_all()
        migration.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()  # the code is on the cron's server action
        self.assertEqual(cron.code, "model._cron_sop_notify_new_problems()")
