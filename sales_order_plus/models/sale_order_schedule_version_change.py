# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from .selections import FIRMNESS


class SaleOrderScheduleVersionChange(models.Model):
    """A product and date whose quantity differs between a schedule version and the
    version it replaces: the comparison shown on the version, kept with it (written
    once when the version is checked, so it stays what the user decided on)."""

    _name = "sale.order.schedule.version.change"
    _description = "Delivery Schedule Version Comparison"
    _order = "version_id, product_id, date, id"

    version_id = fields.Many2one(
        comodel_name="sale.order.schedule.version",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="version_id.company_id", store=True)
    product_id = fields.Many2one(comodel_name="product.product", required=True)
    date = fields.Date(required=True)
    old_qty = fields.Float(string="Previous Qty", digits="Product Unit of Measure")
    new_qty = fields.Float(digits="Product Unit of Measure")
    difference = fields.Float(digits="Product Unit of Measure")
    old_firmness = fields.Selection(
        selection=FIRMNESS,
        string="Previous Firmness",
    )
    new_firmness = fields.Selection(selection=FIRMNESS)
