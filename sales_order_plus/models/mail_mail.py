# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        # The mail queue sent (or could not send) a dispatch order's mail: the
        # dispatch order shows it.
        mails = self.filtered(lambda m: m.model == "sale.third.party.dispatch")
        if mails:
            dispatches = (
                self.env["sale.third.party.dispatch"]
                .sudo()
                .search(
                    [
                        ("send_message_id", "in", mails.mail_message_id.ids),
                        ("send_state", "=", "sending"),
                    ]
                )
            )
            for dispatch in dispatches:
                mine = mails.filtered(
                    lambda m, d=dispatch: m.mail_message_id == d.send_message_id
                    and d.partner_id in m.recipient_ids
                )
                if not mine:
                    continue
                if failure_type and dispatch.partner_id not in success_pids:
                    dispatch.write(
                        {
                            "send_state": "failed",
                            "send_error": failure_reason or failure_type,
                        }
                    )
                    dispatch._sop_send_failure_activity()
                else:
                    dispatch.write({"send_state": "sent", "send_error": False})
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
