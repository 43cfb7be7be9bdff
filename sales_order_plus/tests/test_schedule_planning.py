# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import format_date

from .test_kind_schedule import ScheduleCase


@tagged("post_install", "-at_install")
class TestSchedulePlanning(ScheduleCase):
    """Planned schedule lines are demand in Inventory > Replenishment and in the
    Forecasted report, without transfers; released ones count once, by their move."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Releases only what is due within 14 days: 30 days out stays planned.
        cls.type_schedule.schedule_release_horizon = 14
        cls.company.security_lead = 0.0
        # The reordering rules look 45 days ahead (Inventory > Settings > Time
        # Horizon): lead_days_date = today + 45.
        cls.env["ir.config_parameter"].sudo().set_param("stock.visibility_days", 45)
        cls.part = cls.env["product.product"].create(
            {"name": "SOP Planned Part", "type": "consu", "is_storable": True}
        )
        cls.today = fields.Date.context_today(cls.env["sale.order"])
        cls.orderpoint = cls.env["stock.warehouse.orderpoint"].create(
            {
                "product_id": cls.part.id,
                "warehouse_id": cls.warehouse.id,
                "location_id": cls.warehouse.lot_stock_id.id,
                "product_min_qty": 10.0,
                "product_max_qty": 100.0,
                "trigger": "manual",
            }
        )
        cls.warehouse_2 = cls.env["stock.warehouse"].create(
            {"name": "SOP Second Warehouse", "code": "SOP2"}
        )
        cls.orderpoint_2 = cls.env["stock.warehouse.orderpoint"].create(
            {
                "product_id": cls.part.id,
                "warehouse_id": cls.warehouse_2.id,
                "location_id": cls.warehouse_2.lot_stock_id.id,
                "product_min_qty": 10.0,
                "product_max_qty": 100.0,
                "trigger": "manual",
            }
        )

    def _figures(self, orderpoint):
        self.env.invalidate_all()
        return orderpoint.qty_forecast, orderpoint.qty_to_order

    def _forecast_report(self, warehouse):
        return (
            self.env["stock.forecasted_product_product"]
            .with_context(warehouse_id=warehouse.id)
            .get_report_values(docids=self.part.ids)["docs"]
        )

    @freeze_time("2026-12-07 23:30:00")
    def test_planned_line_raises_the_suggestion_once(self):
        # 23:30 UTC: the company (Brussels) is on 8 December, stock's window is
        # counted from UTC's today (stock's own lead_days_date); the schedule's
        # dates from the company's.
        today = self.Schedule._sop_schedule_today(self.company)
        self.assertEqual(str(today), "2026-12-08")
        in_30 = today + timedelta(days=30)
        in_60 = today + timedelta(days=60)
        self.orderpoint.invalidate_recordset()
        self.assertEqual(
            self.orderpoint.lead_days_date, fields.Date.today() + timedelta(45)
        )
        self.assertEqual(self._figures(self.orderpoint), (0.0, 100.0))

        order = self._schedule_order({self.part: [(in_30, 30.0), (in_60, 7.0)]})
        other = self._schedule_order(
            {self.part: [(in_30, 11.0)]}, warehouse_id=self.warehouse_2.id
        )
        # A quotation is no agreement yet: no demand.
        self.assertEqual(self._figures(self.orderpoint), (0.0, 100.0))
        (order | other).action_confirm()
        line_30 = self._line(order, self.part, in_30)
        self.assertEqual(line_30.state, "planned")
        self.assertFalse(order.picking_ids)

        # Inside the 45-day window: exactly its 30; the line 60 days out is beyond
        # the window, the other warehouse's line is the other rule's.
        self.assertEqual(self._figures(self.orderpoint), (-30.0, 130.0))
        self.assertEqual(self._figures(self.orderpoint_2), (-11.0, 111.0))

        # Released: the move counts, the line no more.
        line_30.action_sop_schedule_release_now()
        self.assertEqual(line_30.state, "released")
        self.assertEqual(line_30.move_ids.product_uom_qty, 30.0)
        self.assertEqual(self._figures(self.orderpoint), (-30.0, 130.0))
        self.assertEqual(self._figures(self.orderpoint_2), (-11.0, 111.0))

    def test_visibility_days_extend_the_suggestion(self):
        in_30 = self.today + timedelta(days=30)
        in_60 = self.today + timedelta(days=60)
        order = self._schedule_order({self.part: [(in_30, 30.0), (in_60, 7.0)]})
        order.action_confirm()
        self.assertEqual(self._figures(self.orderpoint), (-30.0, 130.0))
        # The suggestion with 20 visibility days looks 65 days ahead: both lines.
        self.assertEqual(
            self.orderpoint._get_qty_to_order(force_visibility_days=20), 137.0
        )

    def test_forecasted_report_lists_planned_lines(self):
        in_30 = self.today + timedelta(days=30)
        in_60 = self.today + timedelta(days=60)
        order = self._schedule_order({self.part: [(in_30, 30.0), (in_60, 7.0)]})
        other = self._schedule_order(
            {self.part: [(in_30, 11.0)]}, warehouse_id=self.warehouse_2.id
        )
        (order | other).action_confirm()

        docs = self._forecast_report(self.warehouse)
        self.assertEqual(docs["sop_schedule_qty"], 37.0)
        self.assertEqual(
            [
                (row["date"], row["order"]["id"], row["quantity"], row["warehouse"])
                for row in docs["sop_schedule_lines"]
            ],
            [
                (self._fmt(in_30), order.id, 30.0, self.warehouse.name),
                (self._fmt(in_60), order.id, 7.0, self.warehouse.name),
            ],
        )
        self.assertEqual(docs["qty"]["out"], 37.0)
        docs_2 = self._forecast_report(self.warehouse_2)
        self.assertEqual(docs_2["sop_schedule_qty"], 11.0)

        # Released, the line is a delivery among the report's moves.
        self._line(order, self.part, in_30).action_sop_schedule_release_now()
        docs = self._forecast_report(self.warehouse)
        self.assertEqual(docs["sop_schedule_qty"], 7.0)
        self.assertEqual(
            sum(line["quantity"] for line in docs["lines"] if line["move_out"]), 30.0
        )

    def test_other_company_does_not_count(self):
        company_b = self.env["res.company"].create({"name": "SOP Company B"})
        warehouse_b = self.env["stock.warehouse"].search(
            [("company_id", "=", company_b.id)], limit=1
        )
        in_30 = self.today + timedelta(days=30)
        self._schedule_order({self.part: [(in_30, 30.0)]}).action_confirm()
        orderpoint_b = (
            self.env["stock.warehouse.orderpoint"]
            .with_company(company_b)
            .create(
                {
                    "product_id": self.part.id,
                    "warehouse_id": warehouse_b.id,
                    "location_id": warehouse_b.lot_stock_id.id,
                    "product_min_qty": 10.0,
                    "product_max_qty": 100.0,
                    "trigger": "manual",
                }
            )
        )
        self.assertEqual(self._figures(orderpoint_b), (0.0, 100.0))
        self.assertEqual(self._figures(self.orderpoint), (-30.0, 130.0))

    def test_replenishment_report_adds_a_rule_for_schedule_demand(self):
        in_30 = self.today + timedelta(days=30)
        in_60 = self.today + timedelta(days=60)
        soon, later = self.env["product.product"].create(
            [
                {"name": "SOP Soon", "type": "consu", "is_storable": True},
                {"name": "SOP Later", "type": "consu", "is_storable": True},
            ]
        )
        self._schedule_order(
            {soon: [(in_30, 12.0)], later: [(in_60, 5.0)]}
        ).action_confirm()
        Orderpoint = self.env["stock.warehouse.orderpoint"]
        Orderpoint.action_open_orderpoints()
        self.env.invalidate_all()
        rules = Orderpoint.search([("product_id", "in", (soon | later).ids)])
        # Only the demand inside the 45-day window needs replenishing now.
        self.assertEqual(
            [(r.product_id, r.location_id, r.trigger, r.qty_to_order) for r in rules],
            [(soon, self.warehouse.lot_stock_id, "manual", 12.0)],
        )

    def test_warehouse_user_without_sales_rights_sees_the_demand(self):
        planner = new_test_user(
            self.env, login="sop_planner", groups="stock.group_stock_user"
        )
        in_30 = self.today + timedelta(days=30)
        self._schedule_order({self.part: [(in_30, 30.0)]}).action_confirm()
        self.assertEqual(
            self._figures(self.orderpoint.with_user(planner)), (-30.0, 130.0)
        )
        docs = (
            self.env["stock.forecasted_product_product"]
            .with_user(planner)
            .with_context(warehouse_id=self.warehouse.id)
            .get_report_values(docids=self.part.ids)["docs"]
        )
        self.assertEqual(docs["sop_schedule_qty"], 30.0)

    def test_demand_costs_the_same_queries_for_many_lines(self):
        def queries():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.assertTrue(self.orderpoint._quantity_in_progress())
            return self.env.cr.sql_log_count - before

        self._schedule_order(
            {self.part: [(self.today + timedelta(days=20), 1.0)]}
        ).action_confirm()
        queries()  # Odoo's caches (settings) filled
        one = queries()
        for first in (21, 31):
            self._schedule_order(
                {
                    self.part: [
                        (self.today + timedelta(days=first + n), 1.0) for n in range(10)
                    ]
                }
            ).action_confirm()
        self.assertEqual(self._figures(self.orderpoint)[0], -21.0)
        self.assertEqual(queries(), one)

    def _fmt(self, day):
        return format_date(self.env, day)


@tagged("post_install", "-at_install")
class TestSchedulePlanningTour(HttpCase):
    def test_forecasted_report_in_the_browser(self):
        customer = self.env["res.partner"].create({"name": "SOP Forecast Customer"})
        part = self.env["product.product"].create(
            {"name": "SOP Forecast Part", "type": "consu", "is_storable": True}
        )
        schedule_type = self.env.ref("sales_order_plus.type_delivery_schedule")
        schedule_type.schedule_release_horizon = 14
        day = fields.Date.today() + timedelta(days=30)
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "type_id": schedule_type.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": part.id,
                            "product_uom_qty": 30.0,
                            "schedule_line_ids": [
                                Command.create({"date": day, "product_uom_qty": 30.0})
                            ],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        self.assertEqual(order.schedule_line_ids.state, "planned")
        self.start_tour(
            f"/odoo/action-stock.product_template_action_product/"
            f"{part.product_tmpl_id.id}",
            "sop_schedule_forecast_tour",
            login="admin",
        )
