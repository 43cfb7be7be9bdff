# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

from .integrity import risk_override


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    # OCA confirms the orders of an online payment over the limit (the customer
    # paid): its ``bypass_risk`` holds for these orders only, not for a context a
    # client sends (models/sale_order_credit.py).
    def _set_authorized(self, *args, **kwargs):
        with risk_override(self.sudo().sale_order_ids):
            return super()._set_authorized(*args, **kwargs)

    def _post_process(self):
        with risk_override(self.sudo().sale_order_ids):
            return super()._post_process()
