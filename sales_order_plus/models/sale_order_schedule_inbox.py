# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize, email_split

from .. import edi


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
    sender_authenticated = fields.Boolean(
        readonly=True,
        help="The message passed the authentication of our receiving mail server "
        "(DMARC, or DKIM of the sender's domain): the From address is the sender's.",
    )
    version_ids = fields.One2many(
        comodel_name="sale.order.schedule.version",
        inverse_name="inbox_id",
        string="Versions",
        readonly=True,
    )

    # The gateway's entry: what it passes (the authentication verdict among it) is
    # not for RPC clients to make up.
    @api.private
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        _sender, authenticated = self.env["mail.thread"]._sop_mail_sender(msg_dict)
        values = dict(custom_values or {})
        values.setdefault("name", msg_dict.get("subject") or "/")
        values.setdefault("partner_id", msg_dict.get("author_id") or False)
        values["sender_authenticated"] = authenticated
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
            if edi.detect_format(content, name) == edi.EDIFACT:
                versions |= Version._sop_version_receive_file(
                    content, name, "mail", inbox=self
                )
            elif (name or "").lower().endswith((".csv", ".xlsx")):
                order, reason = self._sop_inbox_agreement(name)
                if order:
                    versions |= Version._sop_version_receive_file(
                        content, name, "mail", order, inbox=self
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
        orders = self._sop_inbox_agreements()
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
            sender=self.email_from or self.partner_id.display_name or "-",
        )

    def _sop_inbox_agreements(self):
        """The open agreements the sender may send schedules for: those of the
        customers the sender is a contact of (by address), and those that have the
        sender's address set."""
        self.ensure_one()
        Order = self.env["sale.order"].sudo()
        sender = email_normalize(self.email_from or "")
        if not sender:
            return Order
        customers = (
            self.env["res.partner"]
            .sudo()
            .search([("email_normalized", "=", sender)])
            .commercial_partner_id
        )
        orders = Order.search(
            [
                ("type_kind", "=", "schedule"),
                ("state", "=", "sale"),
                "|",
                ("partner_id", "child_of", customers.ids or [0]),
                ("sop_schedule_sender_emails", "ilike", sender),
            ]
        )
        return orders.filtered(
            lambda o: o.partner_id.commercial_partner_id in customers
            or sender in o._sop_schedule_senders()
        )

    def _sop_inbox_sender_problem(self, order):
        """Why a version of this message for ``order`` (none: no agreement of the
        sender's) is not applied at once, or False."""
        self.ensure_one()
        sender = email_normalize(self.email_from or "") or self.email_from or "-"
        if not order:
            return _(
                "The sender %(sender)s has no open delivery schedule agreement of "
                "this number: only the customer's contacts and the addresses set on "
                "an agreement send its schedules.",
                sender=sender,
            )
        if sender not in order._sop_schedule_senders():
            return _(
                "%(sender)s is not one of the schedule senders set on %(order)s: "
                "held for a person to apply.",
                sender=sender,
                order=order.name,
            )
        if not self.sender_authenticated:
            return _(
                "The message from %(sender)s did not pass our mail server's "
                "authentication (no DMARC or DKIM pass of its domain): anybody can "
                "write this From address, so it is held for a person to apply.",
                sender=sender,
            )
        return False


class SaleOrder(models.Model):
    _inherit = "sale.order"

    sop_schedule_sender_emails = fields.Char(
        string="Schedule Senders",
        help="The customer's addresses that mail this agreement's delivery "
        "schedules (comma-separated). A mailed schedule from one of them that "
        "passed our mail server's authentication is applied at once; from the "
        "customer's other contacts, or without authentication, it is held for a "
        "person to apply.",
    )

    @api.constrains("sop_schedule_sender_emails")
    def _check_sop_schedule_sender_emails(self):
        for order in self.filtered("sop_schedule_sender_emails"):
            parts = [
                p for p in order.sop_schedule_sender_emails.split(",") if p.strip()
            ]
            invalid = [p.strip() for p in parts if not email_normalize(p)]
            if invalid:
                raise ValidationError(
                    _(
                        "Not an e-mail address among the schedule senders of "
                        "%(order)s: %(addresses)s",
                        order=order.name,
                        addresses=", ".join(invalid),
                    )
                )

    def _sop_schedule_senders(self):
        """The agreement's schedule sender addresses, normalized."""
        self.ensure_one()
        return {
            email_normalize(address)
            for address in email_split(self.sop_schedule_sender_emails or "")
            if email_normalize(address)
        }
