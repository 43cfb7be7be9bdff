# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # Stored so that journal items are filtered and grouped by order type and kind.
    # Journal items are the biggest table of a database: hooks.pre_init_hook creates and
    # fills both columns in SQL, so that installing does not recompute every line.
    sale_type_id = fields.Many2one(
        comodel_name="sale.order.type",
        string="Sale Order Type",
        related="move_id.sale_type_id",
        store=True,
        index="btree_not_null",
    )
    sale_type_kind = fields.Selection(
        string="Order Kind",
        related="move_id.sale_type_kind",
        store=True,
    )
