# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from .integrity import refuse_derived_writes, risk_bypassed


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

    def _first_invoice_exception_msg(self):
        # OCA's check when posting: ``bypass_risk`` sent by a client is input, not a
        # permission (models/sale_order_credit.py).
        if self.env.context.get("bypass_risk") and not risk_bypassed(self):
            return super(
                AccountMove, self.with_context(bypass_risk=False)
            )._first_invoice_exception_msg()
        return super()._first_invoice_exception_msg()
