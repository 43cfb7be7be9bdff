# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from ..models.sale_order_type import kind_selection


class SaleReport(models.Model):
    """Sales analysis by order kind (OCA's sale_order_type adds the type)."""

    _inherit = "sale.report"
    _depends = {"sale.order": ["type_kind"]}

    type_kind = fields.Selection(
        selection=kind_selection, string="Order Kind", readonly=True
    )

    def _select_additional_fields(self):
        res = super()._select_additional_fields()
        res["type_kind"] = "s.type_kind"
        return res

    def _group_by_sale(self):
        return super()._group_by_sale() + ", s.type_kind"
