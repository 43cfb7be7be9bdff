# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Schedule import and the agreement's validity (models/kind_schedule_agreement.py):
a row dated outside the validity is listed with the other wrong rows."""

from odoo import models


class SaleOrderScheduleImport(models.TransientModel):
    _inherit = "sale.order.schedule.import"

    def _date_reasons(self, value, due, today, latest):
        # The import lists every wrong row at once: a date outside the agreement's
        # validity is one of them (the schedule line would refuse it anyway).
        reasons = super()._date_reasons(value, due, today, latest)
        order = self.order_id
        if not reasons and due and len(order) == 1 and not order._sop_in_validity(due):
            reasons.append(
                self.env._(
                    "date %(date)s is outside the validity of the agreement "
                    "(%(validity)s)",
                    date=due,
                    validity=order._sop_validity_text(),
                )
            )
        return reasons
