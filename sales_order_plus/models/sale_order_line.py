# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import api, fields, models

from .stock_projection import _covered_day

# Pending move states that Odoo's forecast (virtual_available) counts.
PENDING_MOVE_STATES = ("waiting", "confirmed", "assigned", "partially_available")


class SaleOrderLine(models.Model):
    """Availability at order entry.

    sale_stock already gives each line the on-hand and free quantity, the forecast at
    the delivery date and, once confirmed, the moves' expected date
    (``_compute_qty_at_date``). What it lacks is the answer to "when can the whole
    quantity leave?": the earliest day from which the warehouse's projected stock
    covers the line for good, i.e. without taking goods promised to later deliveries.
    """

    _inherit = "sale.order.line"

    earliest_full_ship_date = fields.Date(
        string="Earliest Full Shipment",
        compute="_compute_earliest_full_ship_date",
        help="First day from which the warehouse's forecast (stock on hand, planned "
        "receipts and deliveries) covers the whole quantity of this line. Empty "
        "when no planned receipt covers it.",
    )
    is_late_to_ship = fields.Boolean(
        string="Cannot Ship on Time",
        compute="_compute_earliest_full_ship_date",
        help="The whole quantity cannot ship on the requested delivery date.",
    )

    @api.depends(
        "product_id",
        "customer_lead",
        "product_uom_qty",
        "product_uom",
        "order_id.commitment_date",
        "move_ids",
        "move_ids.forecast_expected_date",
        "move_ids.forecast_availability",
        "warehouse_id",
        "state",
    )
    def _compute_earliest_full_ship_date(self):
        self.earliest_full_ship_date = False
        self.is_late_to_ship = False
        shown = self.filtered(lambda line: line.display_qty_widget and line.product_id)
        quotations = shown.filtered(lambda line: line.state in ("draft", "sent"))
        (shown - quotations)._sop_ship_date_from_moves()
        quotations._sop_ship_date_from_forecast()

    def _sop_requested_day(self):
        """The requested delivery day in the user's time zone (sale_stock's date)."""
        self.ensure_one()
        if not self.scheduled_date:
            return None
        return fields.Datetime.context_timestamp(self, self.scheduled_date).date()

    def _sop_ship_date_from_moves(self):
        """Confirmed lines: Odoo's forecast of their own delivery moves decides."""
        today = fields.Date.context_today(self)
        for line in self:
            if line.forecast_expected_date:
                earliest = fields.Datetime.context_timestamp(
                    line, line.forecast_expected_date
                ).date()
            elif line.free_qty_today >= line.qty_to_deliver:
                earliest = today
            else:
                earliest = False
            line.earliest_full_ship_date = earliest
            requested = line._sop_requested_day()
            line.is_late_to_ship = not earliest or bool(
                requested and earliest > requested
            )

    def _sop_ship_date_from_forecast(self):
        """Quotation lines: walk the warehouse's projected stock day by day.

        One batch per warehouse (like ``_compute_qty_at_date``): on-hand quantities and
        two grouped reads of the pending moves in and out of the warehouse, per product
        and day, whatever the number of lines.
        """
        today = fields.Date.context_today(self)
        for warehouse, lines in self.grouped("warehouse_id").items():
            if not warehouse:
                continue
            products = lines.product_id.with_context(warehouse_id=warehouse.id)
            timelines = self._sop_projected_stock(products, today)
            # Earlier lines of the batch take their share first, as sale_stock does.
            needed = defaultdict(float)
            for line in lines:
                product = line.product_id
                needed[product.id] += line.product_uom._compute_quantity(
                    line.product_uom_qty, product.uom_id
                )
                # The availability's own "first day from which it stays free",
                # with nothing taken yet: the earlier lines are in ``needed``.
                earliest = _covered_day(
                    timelines[product.id],
                    [],
                    needed[product.id],
                    today,
                    product.uom_id.rounding,
                )
                line.earliest_full_ship_date = earliest
                requested = line._sop_requested_day()
                line.is_late_to_ship = not earliest or bool(
                    requested and earliest > max(requested, today)
                )

    @api.model
    def _sop_projected_stock(self, products, today):
        """{product id: [(day, projected quantity at the end of that day), ...]} from
        today on, with the locations of the warehouse in ``products``' context."""
        _quant_domain, in_domain, out_domain = products._get_domain_locations()
        deltas = defaultdict(lambda: defaultdict(float))
        moves = self.env["stock.move"]
        for domain, sign in ((in_domain, 1), (out_domain, -1)):
            groups = moves._read_group(
                [
                    ("product_id", "in", products.ids),
                    ("state", "in", PENDING_MOVE_STATES),
                ]
                + domain,
                ["product_id", "date:day"],
                ["product_qty:sum"],
            )
            for product, day, qty in groups:
                # Overdue moves are expected today.
                deltas[product.id][max(fields.Date.to_date(day), today)] += sign * qty
        timelines = {}
        for product in products:
            projected = product.qty_available
            timeline = [(today, projected + deltas[product.id].pop(today, 0.0))]
            for day, delta in sorted(deltas[product.id].items()):
                timeline.append((day, timeline[-1][1] + delta))
            timelines[product.id] = timeline
        return timelines
