# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.exceptions import AccessError

from ..models.integrity import may_override_risk


class PartnerRiskExceededWiz(models.TransientModel):
    _inherit = "partner.risk.exceeded.wiz"

    def button_continue(self):
        # OCA shows "Continue" to risk managers only; over RPC anybody may call it.
        if not may_override_risk(self.env):
            raise AccessError(
                self.env._(
                    "Only risk managers and credit managers may go over the "
                    "customer's credit limit."
                )
            )
        return super().button_continue()
