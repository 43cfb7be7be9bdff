# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class SaleCashHandoverLine(models.TransientModel):
    _name = "sale.cash.handover.line"
    _description = "Pay and Hand Over: Goods"

    handover_id = fields.Many2one(
        comodel_name="sale.cash.handover", required=True, ondelete="cascade"
    )
    sale_line_id = fields.Many2one(
        comodel_name="sale.order.line", required=True, readonly=True
    )
    product_id = fields.Many2one(related="sale_line_id.product_id")
    product_uom = fields.Many2one(related="sale_line_id.product_uom")
    qty_open = fields.Float(
        string="Reserved",
        digits="Product Unit of Measure",
        readonly=True,
        help="Still to be collected.",
    )
    quantity = fields.Float(
        string="Hand Over",
        digits="Product Unit of Measure",
        help="What the customer takes now; the rest stays reserved.",
    )
