# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class SaleCashClosingLine(models.Model):
    _name = "sale.cash.closing.line"
    _description = "Daily Cash Closing: Denomination"
    _order = "value desc"

    closing_id = fields.Many2one(
        comodel_name="sale.cash.closing", required=True, ondelete="cascade", index=True
    )
    currency_id = fields.Many2one(related="closing_id.currency_id")
    value = fields.Monetary(string="Coin/Bill Value", required=True)
    number = fields.Integer(string="Count")
    subtotal = fields.Monetary(compute="_compute_subtotal", store=True)

    @api.depends("value", "number")
    def _compute_subtotal(self):
        for line in self:
            line.subtotal = line.value * line.number

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.closing_id._check_open()
        return lines

    def write(self, vals):
        self.closing_id._check_open()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_open(self):
        self.closing_id._check_open()
