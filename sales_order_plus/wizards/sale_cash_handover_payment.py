# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class SaleCashHandoverPayment(models.TransientModel):
    _name = "sale.cash.handover.payment"
    _description = "Pay and Hand Over: Payment"

    handover_id = fields.Many2one(
        comodel_name="sale.cash.handover", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="handover_id.currency_id")
    journal_id = fields.Many2one(
        comodel_name="account.journal",
        required=True,
    )
    journal_type = fields.Selection(related="journal_id.type")
    amount = fields.Monetary()
