# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Delivery schedule agreements and the versions the customer sends: the type's
tolerances and bucket rule, the versions on the agreement, the customer's cumulative
figures on its lines. The versions themselves: models/sale_order_schedule_version.py.
"""

from odoo import api, fields, models

_WEEKDAYS = [
    ("1", "Monday"),
    ("2", "Tuesday"),
    ("3", "Wednesday"),
    ("4", "Thursday"),
    ("5", "Friday"),
    ("6", "Saturday"),
    ("7", "Sunday"),
]


class SaleOrderType(models.Model):
    _inherit = "sale.order.type"

    schedule_version_tolerance = fields.Boolean(
        string="Hold Versions Outside Tolerance",
        help="A received schedule version whose firm quantities or dates change more "
        "than the tolerances below (inside the release horizon) is held for the "
        "salesperson instead of being applied at once.",
    )
    schedule_tolerance_qty_percent = fields.Float(
        string="Quantity Tolerance (%)",
        default=10.0,
        help="Largest change of a product's firm quantity inside the release "
        "horizon that is applied at once.",
    )
    schedule_tolerance_days_earlier = fields.Integer(
        string="Earlier Dates Tolerance (days)",
        default=2,
        help="Largest number of days a quantity may be wanted earlier than before "
        "and still be applied at once.",
    )
    schedule_bucket_day = fields.Selection(
        selection=_WEEKDAYS,
        string="Week Buckets Delivered On",
        default="1",
        help="A quantity the customer schedules for a week, month or date range is "
        "scheduled on this weekday of it (the period's first such day).",
    )


class SaleOrder(models.Model):
    _inherit = "sale.order"

    schedule_version_ids = fields.One2many(
        comodel_name="sale.order.schedule.version",
        inverse_name="order_id",
        string="Schedule Versions",
        copy=False,
    )
    schedule_version_count = fields.Integer(compute="_compute_schedule_version_count")

    @api.depends("schedule_version_ids")
    def _compute_schedule_version_count(self):
        for order in self:
            order.schedule_version_count = len(order.schedule_version_ids)

    def action_sop_schedule_versions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_order_plus.action_sale_order_schedule_version"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id, "default_source": "manual"}
        return action


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    sop_customer_cum_qty = fields.Float(
        string="Customer's Cumulative Received",
        digits="Product Unit of Measure",
        readonly=True,
        copy=False,
        help="The cumulative quantity the customer reported as received in the "
        "latest applied schedule version.",
    )
    sop_customer_cum_note = fields.Char(
        string="Customer's Last Delivery Note",
        readonly=True,
        copy=False,
        help="The last delivery note the customer reported as received in the latest "
        "applied schedule version.",
    )
