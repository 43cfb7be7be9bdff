# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from .integrity import refuse_derived_writes


class AccountMove(models.Model):
    _inherit = "account.move"

    # sale_type_id comes from OCA sale_order_type; the kind is stored beside it so that
    # accountants filter and group invoices by it.
    sale_type_kind = fields.Selection(
        string="Order Kind",
        related="sale_type_id.kind",
        store=True,
    )

    def write(self, vals):
        refuse_derived_writes(self, vals, ["sale_type_kind"])
        return super().write(vals)
