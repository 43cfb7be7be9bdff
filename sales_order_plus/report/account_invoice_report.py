# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools import SQL

from ..models.sale_order_type import kind_selection


class AccountInvoiceReport(models.Model):
    """Customer invoice analysis by order kind (OCA's sale_order_type adds the type)."""

    _inherit = "account.invoice.report"
    _depends = {"account.move": ["sale_type_kind"]}

    sale_type_kind = fields.Selection(
        selection=kind_selection, string="Order Kind", readonly=True
    )

    def _select(self):
        return SQL("%s, move.sale_type_kind AS sale_type_kind", super()._select())
