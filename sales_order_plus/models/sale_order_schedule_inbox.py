# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from odoo import _, api, fields, models

from .schedule_edifact import looks_like_edifact


class SaleOrderScheduleInbox(models.Model):
    """An e-mail received on the delivery schedule alias (Odoo's mail gateway): each
    EDIFACT, CSV or XLSX attachment becomes a schedule version of its agreement. A
    message that yields no version of a known agreement is unmatched, with the
    reason, for a person to look at."""

    _name = "sale.order.schedule.inbox"
    _description = "Received Delivery Schedule E-mail"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _primary_email = "email_from"

    name = fields.Char(string="Subject", required=True, default="/")
    email_from = fields.Char(string="From")
    partner_id = fields.Many2one(comodel_name="res.partner", string="Sender")
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    state = fields.Selection(
        selection=[("matched", "Matched"), ("unmatched", "Unmatched")],
        default="unmatched",
        readonly=True,
        index=True,
    )
    reason = fields.Text(readonly=True)
    version_ids = fields.One2many(
        comodel_name="sale.order.schedule.version",
        inverse_name="inbox_id",
        string="Versions",
        readonly=True,
    )

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        values = dict(custom_values or {})
        values.setdefault("name", msg_dict.get("subject") or "/")
        values.setdefault("partner_id", msg_dict.get("author_id") or False)
        record = super().message_new(msg_dict, custom_values=values)
        record._sop_inbox_receive(msg_dict.get("attachments") or [])
        return record

    def _sop_inbox_receive(self, attachments):
        """Versions of the message's attachments; matched or not, with the
        reason."""
        self.ensure_one()
        Version = self.env["sale.order.schedule.version"]
        versions = Version
        reasons = []
        for attachment in attachments:
            name, content = attachment[0], attachment[1]
            if isinstance(content, str):
                content = content.encode()
            if looks_like_edifact(content):
                versions |= Version._sop_version_receive_edifact(content, name, "mail")
            elif (name or "").lower().endswith((".csv", ".xlsx")):
                order, reason = self._sop_inbox_agreement(name)
                if order:
                    versions |= Version._sop_version_receive_csv(
                        content, name, "mail", order
                    )
                else:
                    reasons.append(reason)
        versions.write({"inbox_id": self.id})
        if not versions and not reasons:
            reasons.append(_("The message has no EDIFACT, CSV or XLSX attachment."))
        reasons += [
            f"{version.display_name}: {version.reason}"
            for version in versions
            if not version.order_id
        ]
        self.write(
            {
                "state": "unmatched" if reasons else "matched",
                "reason": "\n".join(reasons) or False,
            }
        )

    def _sop_inbox_agreement(self, filename):
        """The agreement of a CSV or XLSX file: the sender's open delivery schedule
        whose Customer Reference is in the subject or file name, or the sender's only
        one."""
        orders = self.env["sale.order"].search(
            [
                ("type_kind", "=", "schedule"),
                ("state", "=", "sale"),
                (
                    "partner_id",
                    "child_of",
                    self.partner_id.commercial_partner_id.id or 0,
                ),
            ]
        )
        text = f"{self.name} {filename}"
        named = orders.filtered(
            lambda o: o.client_order_ref
            and re.search(rf"(?<!\w){re.escape(o.client_order_ref)}(?!\w)", text)
        )
        if len(named) == 1:
            return named, None
        if not named and len(orders) == 1:
            return orders, None
        return None, _(
            "%(file)s: no single open agreement of the sender %(sender)s is named "
            "in the subject or file name.",
            file=filename,
            sender=self.partner_id.display_name or self.email_from or "-",
        )

    def action_open_versions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_order_plus.action_sale_order_schedule_version"
        )
        action["domain"] = [("inbox_id", "=", self.id)]
        return action
