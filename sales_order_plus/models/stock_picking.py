# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from .integrity import refuse_derived_writes


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # Stored so that warehouse users filter and group transfers by order type and kind.
    sale_type_id = fields.Many2one(
        comodel_name="sale.order.type",
        string="Sale Order Type",
        related="sale_id.type_id",
        store=True,
        index="btree_not_null",
    )
    sale_type_kind = fields.Selection(
        string="Order Kind",
        related="sale_id.type_id.kind",
        store=True,
    )

    def write(self, vals):
        refuse_derived_writes(self, vals, ["sale_type_id", "sale_type_kind"])
        return super().write(vals)
