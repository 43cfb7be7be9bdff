# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class SaleCashRefundLine(models.TransientModel):
    _name = "sale.cash.refund.line"
    _description = "Counter Refund: Goods"

    refund_id = fields.Many2one(
        comodel_name="sale.cash.refund", required=True, ondelete="cascade"
    )
    sale_line_id = fields.Many2one(
        comodel_name="sale.order.line", required=True, readonly=True
    )
    product_id = fields.Many2one(related="sale_line_id.product_id")
    product_uom = fields.Many2one(related="sale_line_id.product_uom")
    qty_returnable = fields.Float(
        string="Delivered", digits="Product Unit of Measure", readonly=True
    )
    quantity = fields.Float(string="Returned", digits="Product Unit of Measure")
