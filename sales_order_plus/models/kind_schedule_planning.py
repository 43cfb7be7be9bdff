# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Delivery schedule in planning: the planned (not yet released) schedule lines of
confirmed agreements are demand that purchasing and manufacturing plan for, although
no transfer exists for them yet.

* Reordering rules (Inventory > Replenishment): stock counts what is not yet in the
  forecast but belongs to it through ``_quantity_in_progress`` (purchase_stock adds
  its requests for quotation there). The planned schedule lines each rule's forecast
  window covers (until its ``lead_days_date``, plus the visibility days for the
  suggestion) are taken off there, so the forecast, the min/max suggestion and the
  scheduler's replenishment see them. The Replenishment report gives a product
  whose only demand is planned schedule lines a manual rule, as Odoo does for a
  negative forecast (``_get_orderpoint_action``).
* The product's Forecasted report lists them by date, warehouse and agreement beside
  sale_stock's quotations (``_get_report_header``) and counts them in "Forecasted with
  Pending".

A released line has moves, which Odoo's forecast counts: only lines in state
``planned`` count here, so nothing is counted twice. One grouped read per call.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import format_date


class SaleOrderScheduleLine(models.Model):
    _inherit = "sale.order.schedule.line"

    warehouse_id = fields.Many2one(
        related="order_id.warehouse_id", string="Warehouse", readonly=True
    )

    @api.model
    def _sop_schedule_planned_demand(
        self, products, companies, date_to=None, warehouses=None, by_order=False
    ):
        """Planned quantity of the unreleased lines of confirmed agreements, in the
        product's unit, keyed by (product, warehouse, planning date[, order]).

        The planning date is the date the release would plan the move on: the due
        date less the company's security lead time (``_sop_schedule_dates``).
        ``date_to``: only planning dates up to then. One grouped read, as superuser:
        planners need not read sales documents; the companies limit what counts."""
        if (products is not None and not products) or not companies:
            return {}
        domain = [
            ("state", "=", "planned"),
            ("order_id.state", "=", "sale"),
            ("company_id", "in", companies.ids),
        ]
        if products is not None:
            domain.append(("product_id", "in", products.ids))
        if date_to:
            # Planning dates lie before the due date: the due date is at most the
            # largest security lead time later.
            lead = max(companies.mapped("security_lead") or [0.0])
            domain.append(("date", "<=", date_to + timedelta(days=int(lead) + 1)))
        if warehouses is not None:
            domain.append(("order_id.warehouse_id", "in", warehouses.ids))
        groupby = [
            "product_id",
            "warehouse_id",
            "company_id",
            "product_uom",
            "date:day",
        ]
        if by_order:
            groupby.append("order_id")
        groups = self.sudo()._read_group(domain, groupby, ["product_uom_qty:sum"])
        demand = defaultdict(float)
        for product, warehouse, company, uom, day, *order, qty in groups:
            if not warehouse:
                continue
            planned = (
                datetime.combine(day, time(12)) - timedelta(days=company.security_lead)
            ).date()
            if date_to and planned > date_to:
                continue
            key = (product, warehouse, planned, *order)
            demand[key] += uom._compute_quantity(qty, product.uom_id, round=False)
        return demand


class StockWarehouseOrderpoint(models.Model):
    _inherit = "stock.warehouse.orderpoint"

    def _sop_schedule_demand(self, visibility_days=0):
        """Planned schedule quantity each reordering rule covers, in its unit:
        {orderpoint id: (until lead_days_date, until lead_days_date +
        visibility_days)}. A rule covers the warehouses whose stock location lies
        within its location."""
        orderpoints = self.filtered(
            lambda o: o.product_id and o.location_id and o.lead_days_date
        )
        if not orderpoints:
            return {}
        date_to = max(orderpoints.mapped("lead_days_date")) + timedelta(
            days=int(visibility_days)
        )
        demand = self.env["sale.order.schedule.line"]._sop_schedule_planned_demand(
            orderpoints.product_id, orderpoints.company_id, date_to=date_to
        )
        by_product = defaultdict(list)
        for (product, warehouse, planned), qty in demand.items():
            by_product[product].append((warehouse, planned, qty))
        result = {}
        for orderpoint in orderpoints:
            until_lead = until_visible = 0.0
            window = orderpoint.lead_days_date
            visible = window + timedelta(days=int(visibility_days))
            path = orderpoint.location_id.parent_path
            for warehouse, planned, qty in by_product.get(orderpoint.product_id, []):
                if warehouse.company_id != orderpoint.company_id or not (
                    warehouse.lot_stock_id.parent_path.startswith(path)
                ):
                    continue
                if planned <= window:
                    until_lead += qty
                if planned <= visible:
                    until_visible += qty
            uom = orderpoint.product_id.uom_id
            result[orderpoint.id] = tuple(
                uom._compute_quantity(qty, orderpoint.product_uom, round=False)
                for qty in (until_lead, until_visible)
            )
        return result

    def _quantity_in_progress(self):
        res = super()._quantity_in_progress()
        demand = self._sop_schedule_demand()
        for orderpoint_id, (until_lead, _visible) in demand.items():
            res[orderpoint_id] = res.get(orderpoint_id, 0.0) - until_lead
        return res

    def _get_orderpoint_action(self):
        action = super()._get_orderpoint_action()
        self._sop_schedule_add_manual_orderpoints()
        return action

    @api.model
    def _sop_schedule_add_manual_orderpoints(self):
        """Inventory > Replenishment: Odoo gives a product whose forecast is negative
        a manual reordering rule. A product whose only demand in a warehouse is planned
        schedule lines gets one as well; one that needs nothing within its window is
        removed again at once."""
        locations = self._get_orderpoint_locations()
        demand = self.env["sale.order.schedule.line"]._sop_schedule_planned_demand(
            None, locations.company_id
        )
        wanted = {
            (product, warehouse.lot_stock_id)
            for product, warehouse, _planned in demand
            if product.is_storable and warehouse.lot_stock_id in locations
        }
        if not wanted:
            return self.browse()
        products = self.env["product.product"].concat(*(p for p, _loc in wanted))
        existing = {
            (orderpoint.product_id, orderpoint.location_id)
            for orderpoint in self.with_context(active_test=False).search(
                [
                    ("product_id", "in", products.ids),
                    ("location_id", "in", locations.ids),
                ]
            )
        }
        vals_list = []
        for product, location in sorted(
            wanted, key=lambda pair: (pair[0].id, pair[1].id)
        ):
            if (product, location) in existing:
                continue
            vals = self._get_orderpoint_values(product.id, location.id)
            warehouse = location.warehouse_id
            vals.update(
                name=self.env._("Replenishment Report"),
                warehouse_id=warehouse.id,
                company_id=warehouse.company_id.id,
            )
            vals_list.append(vals)
        # As Odoo's report does: created by the superuser, so that the autovacuum
        # removes them once replenished.
        created = self.with_user(SUPERUSER_ID).create(vals_list).with_env(self.env)
        for orderpoint in created:
            orderpoint._set_default_route_id()
            orderpoint.qty_multiple = orderpoint._get_qty_multiple_to_order()
        unneeded = created.filtered(lambda o: o.qty_to_order <= 0.0)
        unneeded.unlink()
        return created - unneeded

    def _get_qty_to_order(
        self, force_visibility_days=False, qty_in_progress_by_orderpoint=None
    ):
        # The suggestion reads the forecast until lead_days_date + visibility days
        # but adds the quantity in progress of the rule's own window: the schedule
        # lines between the two dates are taken off as well.
        visibility_days = (
            self.visibility_days
            if force_visibility_days is False
            else force_visibility_days
        )
        if visibility_days and self.lead_days_date:
            in_progress = dict(qty_in_progress_by_orderpoint or {})
            if in_progress.get(self.id) is None:
                in_progress[self.id] = self._quantity_in_progress()[self.id]
            until_lead, until_visible = self._sop_schedule_demand(visibility_days).get(
                self.id, (0.0, 0.0)
            )
            in_progress[self.id] -= until_visible - until_lead
            qty_in_progress_by_orderpoint = in_progress
        return super()._get_qty_to_order(
            force_visibility_days=force_visibility_days,
            qty_in_progress_by_orderpoint=qty_in_progress_by_orderpoint,
        )


class StockForecastedProductProduct(models.AbstractModel):
    _inherit = "stock.forecasted_product_product"

    def _get_report_header(self, product_template_ids, product_ids, wh_location_ids):
        res = super()._get_report_header(
            product_template_ids, product_ids, wh_location_ids
        )
        if product_template_ids:
            products = (
                self.env["product.template"]
                .browse(product_template_ids)
                .product_variant_ids
            )
        else:
            products = self.env["product.product"].browse(product_ids)
        # The report's warehouse: the one whose stock location it covers.
        warehouses = self.env["stock.warehouse"].search(
            [("lot_stock_id", "in", wh_location_ids)]
        )
        demand = self.env["sale.order.schedule.line"]._sop_schedule_planned_demand(
            products, warehouses.company_id, warehouses=warehouses, by_order=True
        )
        rows = []
        total = 0.0
        for (product, warehouse, planned, order), qty in sorted(
            demand.items(), key=lambda item: (item[0][2], item[0][3].name)
        ):
            total += qty
            rows.append(
                {
                    "date": format_date(self.env, planned),
                    "warehouse": warehouse.name,
                    "product": product.display_name,
                    "quantity": qty,
                    "order": {"id": order.id, "name": order.name},
                    "partner": order.partner_id.display_name,
                }
            )
        res["sop_schedule_qty"] = total
        res["sop_schedule_lines"] = rows
        res["qty"]["out"] += total
        return res
