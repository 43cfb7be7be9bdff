# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models



class SaleOrderScheduleVersionLine(models.Model):
    """One dated quantity of a received schedule version, as the customer sent it
    (its item numbers), with the product and agreement line it was matched to."""

    _name = "sale.order.schedule.version.line"
    _description = "Delivery Schedule Version Line"
    _order = "version_id, product_id, date, id"

    version_id = fields.Many2one(
        comodel_name="sale.order.schedule.version",
        required=True,
        ondelete="cascade",
        index=True,
    )
    order_id = fields.Many2one(related="version_id.order_id", store=True)
    company_id = fields.Many2one(related="version_id.company_id", store=True)
    customer_code = fields.Char(string="Customer Item")
    supplier_code = fields.Char(string="Our Item")
    product_id = fields.Many2one(comodel_name="product.product", index=True)
    order_line_id = fields.Many2one(
        comodel_name="sale.order.line",
        string="Agreement Line",
        ondelete="set null",
        help="The agreement's sales line this product is scheduled on.",
    )
    date = fields.Date(required=True)
    product_uom_qty = fields.Float(
        string="Quantity", digits="Product Unit of Measure", required=True
    )
    firmness = fields.Selection(
        selection=[("firm", "Firm"), ("forecast", "Forecast")],
        default="firm",
        required=True,
    )
    customer_cum_qty = fields.Float(
        string="Customer's Cumulative Received",
        digits="Product Unit of Measure",
        help="The cumulative quantity the customer reports as received for this "
        "product (the same on each line of the product).",
    )
    has_customer_cum = fields.Boolean(
        help="The customer sent cumulative figures for this product."
    )
    customer_cum_note = fields.Char(
        string="Customer's Last Delivery Note",
        help="The last delivery note the customer reports as received for this "
        "product.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        versions = self.env["sale.order.schedule.version"].browse(
            {vals.get("version_id") for vals in vals_list if vals.get("version_id")}
        )
        versions._sop_version_check_lines_editable()
        return super().create(vals_list)

    def write(self, vals):
        self.version_id._sop_version_check_lines_editable()
        return super().write(vals)

    def unlink(self):
        self.version_id._sop_version_check_lines_editable()
        return super().unlink()
