# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
from ast import literal_eval
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .test_kind_schedule import ScheduleCase


@tagged("post_install", "-at_install")
class TestScheduleAgreement(ScheduleCase):
    """The schedule as a standing agreement: validity, target quantities, our
    cumulative delivered quantities since the cumulative start date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_schedule.write({"sop_cum_start_day": 1, "sop_cum_start_month": "1"})

    def _agreement(self, **vals):
        """Confirmed on 20 December 2030: 5 due that day, 3 on 5 January 2031,
        both released at once (horizon 0)."""
        with freeze_time("2030-12-20"):
            order = self._schedule_order(
                {self.product_b: [(date(2030, 12, 20), 5.0), (date(2031, 1, 5), 3.0)]},
                **vals,
            )
            order.action_confirm()
        return order

    def _cum(self, order):
        self.env.invalidate_all()
        line = order.order_line
        return (
            line.sop_cum_start_date,
            line.sop_cum_delivered_qty,
            line.sop_cum_last_picking_id,
        )

    def test_cumulative_since_start_date_and_reset(self):
        order = self._agreement()
        december = self._picking(order, date(2030, 12, 20))
        january = self._picking(order, date(2031, 1, 5))
        with freeze_time("2030-12-20 10:00"):
            self._deliver(december)
            self.assertEqual(self._cum(order), (date(2030, 1, 1), 5.0, december))
        # 1 January: the cumulative quantities start again; December's delivery is
        # last year's.
        with freeze_time("2031-01-05 10:00"):
            self.assertEqual(
                self._cum(order), (date(2031, 1, 1), 0.0, self.env["stock.picking"])
            )
            self._deliver(january)
            self.assertEqual(self._cum(order), (date(2031, 1, 1), 3.0, january))
            self._return(january, self.product_b, 1.0)
            self.assertEqual(self._cum(order), (date(2031, 1, 1), 2.0, january))
            # Odoo's delivered quantity is the agreement's whole life.
            self.assertEqual(order.order_line.qty_delivered, 7.0)
            # In the list across agreements.
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "sales_order_plus.action_sale_order_line_cumulative"
            )
            listed = self.env["sale.order.line"].search(
                literal_eval(action["domain"]) + [("order_id", "=", order.id)]
            )
            self.assertEqual(listed, order.order_line)
            self.assertEqual(listed.sop_cum_delivered_qty, 2.0)

    def test_cumulative_start_is_the_company_s_for_every_user(self):
        """At 23:30 UTC on 31 December the company in Berlin is in the new year, a
        user in New York still in the old one: both read the company's start date
        and the same delivered quantity since then."""
        self.company.partner_id.tz = "Europe/Berlin"
        self.company.resource_calendar_id.tz = "Europe/Berlin"
        order = self._agreement()
        users = [
            new_test_user(
                self.env,
                login=f"sop_cum_{tz.split('/')[1].lower()}",
                groups="sales_team.group_sale_salesman_all_leads",
                tz=tz,
            )
            for tz in ("America/New_York", "Europe/Berlin")
        ]
        # Delivered at 23:45 Berlin on 31 December: last year's; the one at 00:30
        # Berlin on 1 January: this year's, for every reader.
        with freeze_time("2030-12-31 22:45"):
            self._deliver(self._picking(order, date(2030, 12, 20)))
        january = self._picking(order, date(2031, 1, 5))
        with freeze_time("2030-12-31 23:30"):
            self._deliver(january)
            for user in users:
                self.env.invalidate_all()
                line = order.order_line.with_user(user)
                self.assertEqual(
                    (
                        line.sop_cum_start_date,
                        line.sop_cum_delivered_qty,
                        line.sop_cum_last_picking_id,
                    ),
                    (date(2031, 1, 1), 3.0, january),
                    user.tz,
                )

    def test_difference_to_the_customer_cumulative_quantity(self):
        # Ours since 1 January against the customer's figure of the latest applied
        # version: the difference is in transit (or disputed).
        self.type_schedule.schedule_version_tolerance = False
        order = self._agreement()
        with freeze_time("2031-01-05 10:00"):
            self._deliver(self._picking(order, date(2031, 1, 5)))
            version = self.env["sale.order.schedule.version"].create(
                {
                    "order_id": order.id,
                    "name": "V1",
                    "document_date": date(2031, 1, 5),
                    "kind": "forecast",
                    "source": "manual",
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": self.product_b.id,
                                "date": date(2031, 2, 3),
                                "product_uom_qty": 4.0,
                                "firmness": "firm",
                                "has_customer_cum": True,
                                "customer_cum_qty": 1.0,
                                "customer_cum_note": "LS-0815",
                            }
                        )
                    ],
                }
            )
            version._sop_version_receive()
            self.assertEqual(version.state, "applied", version.reason)
            self.env.invalidate_all()
            line = order.order_line
            self.assertEqual(
                (
                    line.sop_cum_delivered_qty,
                    line.sop_customer_cum_qty,
                    line.sop_customer_cum_note,
                    line.sop_cum_difference,
                ),
                (3.0, 1.0, "LS-0815", 2.0),
            )
            html = (
                self.env["ir.actions.report"]
                ._render_qweb_html(
                    "sales_order_plus.report_delivery_schedule", order.ids
                )[0]
                .decode()
            )
        self.assertIn("LS-0815", html)

    def test_start_date_of_the_order_overrides_the_type(self):
        order = self._agreement(sop_cum_start_day=1, sop_cum_start_month="7")
        with freeze_time("2030-12-20 10:00"):
            self._deliver(self._picking(order, date(2030, 12, 20)))
        with freeze_time("2031-01-05 10:00"):
            self._deliver(self._picking(order, date(2031, 1, 5)))
            start, qty, _picking = self._cum(order)
            self.assertEqual((start, qty), (date(2030, 7, 1), 8.0))

    def test_printed_schedule_shows_the_cumulative_quantities(self):
        order = self._agreement(
            sop_validity_from=date(2030, 12, 1), sop_validity_to=date(2031, 12, 31)
        )
        with freeze_time("2030-12-20 10:00"):
            picking = self._picking(order, date(2030, 12, 20))
            self._deliver(picking)
            html = (
                self.env["ir.actions.report"]
                ._render_qweb_html(
                    "sales_order_plus.report_delivery_schedule", order.ids
                )[0]
                .decode()
            )
        self.assertIn("Cumulative Quantities since", html)
        self.assertIn(picking.name, html)
        self.assertIn("12/31/2031", html)

    @freeze_time("2026-12-07 23:30:00")
    def test_target_quantity_warns_and_does_not_block(self):
        # 23:30 UTC: the company (Brussels) is on the next day already; its today
        # is the schedule's (UTC's today would be in the past).
        today = self.Schedule._sop_schedule_today(self.company)
        self.assertEqual(str(today), "2026-12-08")
        order = self._schedule_order({self.product_b: [(today, 5.0)]})
        order.order_line.sop_target_qty = 4.0
        self.assertTrue(order.order_line.sop_target_exceeded)
        self.assertIn("SOP Bolt", order.sop_target_warning)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        order.order_line.sop_target_qty = 5.0
        self.assertFalse(order.order_line.sop_target_exceeded)
        self.assertFalse(order.sop_target_warning)

    def test_validity_refuses_lines_outside(self):
        with freeze_time("2030-12-20"):
            order = self._schedule_order(
                {self.product_b: [(date(2030, 12, 20), 5.0)]},
                sop_validity_from=date(2030, 12, 1),
                sop_validity_to=date(2030, 12, 31),
            )
            with self.assertRaisesRegex(ValidationError, "outside the validity"):
                order.order_line.schedule_line_ids = [
                    Command.create({"date": date(2031, 1, 5), "product_uom_qty": 1})
                ]
            with self.assertRaisesRegex(ValidationError, "outside the validity"):
                order.sop_validity_to = date(2030, 12, 19)
            with self.assertRaisesRegex(ValidationError, "before it starts"):
                order.sop_validity_from = date(2031, 1, 1)

    def test_cumulative_list_costs_the_same_queries_for_more_agreements(self):
        def queries(orders):
            # As the list reads them: the lines by their ids.
            ids = orders.order_line.ids
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.env["sale.order.line"].browse(ids).mapped("sop_cum_delivered_qty")
            return self.env.cr.sql_log_count - before

        with freeze_time("2030-12-20 10:00"):
            orders = self._agreement() | self._agreement() | self._agreement()
            for order in orders:
                self._deliver(self._picking(order, date(2030, 12, 20)))
            queries(orders[:1])  # Odoo's caches filled
            self.assertEqual(queries(orders[:1]), queries(orders))
            self.assertEqual(
                orders.order_line.mapped("sop_cum_delivered_qty"), [5.0] * 3
            )

    def test_import_lists_rows_outside_the_validity(self):
        with freeze_time("2030-12-20"):
            order = self._schedule_order(
                {self.product_b: [(date(2030, 12, 20), 5.0)]},
                sop_validity_to=date(2030, 12, 31),
            )
            wizard = self.env["sale.order.schedule.import"].create(
                {
                    "order_id": order.id,
                    "file": base64.b64encode(
                        b"Internal Reference,Date,Quantity\n"
                        b"SOP-BOLT,2030-12-28,2\n"
                        b"SOP-BOLT,2031-01-05,3\n"
                    ),
                    "filename": "schedule.csv",
                }
            )
            with self.assertRaisesRegex(
                UserError, r"Row 3: date 2031-01-05 is outside the validity"
            ):
                wizard.action_import()
            self.assertEqual(
                order.schedule_line_ids.mapped("date"), [date(2030, 12, 20)]
            )
