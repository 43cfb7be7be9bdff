# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Credit limits per kind, on OCA's financial risk (sale_financial_risk).

OCA checks an order in ``action_confirm`` (``evaluate_risk_message``) and shows its
wizard, whose "Continue" (risk managers) confirms with ``bypass_risk``. This file adds
what the kinds need, as plain steps the kind files extend:

* ``_sop_credit_exempt``: orders that need no credit check (cash sales, kind_cash.py);
* ``_sop_credit_holdable``: orders that a confirmation without a user (a job, a server
  action on many orders) confirms on credit hold when over the limit, their deliveries
  or purchases waiting (schedule, third-party); the others are refused with one error;
* ``_sop_credit_hold_check``: later steps of a confirmed order (a schedule's release)
  check the customer again and put the order on hold instead of going on;
* ``_sop_credit_continue``: what a released hold resumes (releases, purchase orders).

The limits are those of the order's company (``credit_limit`` is per company); the
amounts are OCA's, over the user's companies (a job's: the order's company).

``bypass_risk`` in the context is input like any other (an RPC client sends what it
likes): it is honoured only for a user who may go over the limit (OCA's risk manager,
the credit manager, the system user of crons) or for records the add-on's own steps
flagged (``internal_flag``: a confirmation checked by ``_sop_confirm_job``, a hold
released, an online payment as OCA intends). What was checked at confirmation is
flagged the same way (``CREDIT_CHECKED``), never by a context key.
"""

from collections import defaultdict

from markupsafe import Markup

from odoo import SUPERUSER_ID, _, fields, models
from odoo.exceptions import AccessError, UserError

from .integrity import (
    CREDIT_MANAGER,
    has_internal_flag,
    internal_flag,
    raise_problems,
    risk_bypassed,
    risk_override,
)

# Internal flags (models/integrity.py), not context keys.
CREDIT_CHECKED = "credit_checked"
CREDIT_HOLD_WRITE = "credit_hold_write"
_HOLD_FIELDS = (
    "sop_credit_hold",
    "sop_credit_hold_reason",
    "sop_credit_hold_date",
    "sop_credit_release_date",
)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    sop_credit_hold = fields.Boolean(
        string="Credit Hold",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The customer was over the credit limit: deliveries not released yet "
        "and purchase orders to the vendor wait until a credit manager releases "
        "the hold.",
    )
    sop_credit_hold_reason = fields.Text(
        string="Credit Hold Reason", readonly=True, copy=False
    )
    sop_credit_hold_date = fields.Datetime(
        string="Credit Hold Since", readonly=True, copy=False
    )
    sop_credit_release_date = fields.Datetime(
        string="Credit Hold Released",
        readonly=True,
        copy=False,
        help="When a credit manager last released the order's credit hold.",
    )

    # ------------------------------------------------------------------
    # Plain steps (kinds extend them)
    # ------------------------------------------------------------------
    def _sop_credit_exempt(self):
        """The orders among ``self`` that need no credit check."""
        return self.browse()

    def _sop_credit_holdable(self):
        """The orders among ``self`` that a confirmation without a user confirms on
        credit hold when over the limit (the others are refused)."""
        return self.browse()

    def _sop_credit_continue(self):
        """Resume what the credit hold of the confirmed orders ``self`` held back
        (under ``risk_override`` when a credit manager releases the hold)."""

    # ------------------------------------------------------------------
    # OCA's check at confirmation
    # ------------------------------------------------------------------
    def evaluate_risk_message(self, partner):
        if self in self._sop_credit_exempt():
            return ""
        # The limit of the order's company, not of the user's current company.
        company = self.company_id
        return super(SaleOrder, self.with_company(company)).evaluate_risk_message(
            partner.with_company(company)
        )

    def action_confirm(self):
        if self.env.context.get("bypass_risk") and not risk_bypassed(self):
            # Sent by a client (a context key is input): OCA's check applies.
            return super(
                SaleOrder, self.with_context(bypass_risk=False)
            ).action_confirm()
        return super().action_confirm()

    def _action_confirm(self):
        # Checked by action_confirm (OCA's wizard, or _sop_confirm_job): the releases
        # at confirmation are not checked a second time.
        with internal_flag(self, CREDIT_CHECKED):
            return super()._action_confirm()

    def _sop_confirm_job(self):
        # One order confirmed by a user gets OCA's wizard. Many orders, or a job, have
        # nobody to answer it: OCA's check would leave them quotations silently (and
        # confirm only the first after "Continue").
        if risk_bypassed(self) or (
            len(self) == 1 and not self.env.context.get("job_uuid")
        ):
            return super()._sop_confirm_job()
        over = self._sop_credit_batch_problems()
        holdable = self.browse([order.id for order in over])._sop_credit_holdable()
        raise_problems(
            _(
                "These orders exceed their customer's credit limit; confirm them one "
                "by one (a credit manager may go over the limit):"
            ),
            [
                # self.env._: a comprehension has no frame to read the language from.
                self.env._(
                    "%(order)s: %(reason)s", order=order.name, reason=reason.strip()
                )
                for order, reason in over.items()
                if order not in holdable
            ],
        )
        for order in holdable:
            order._sop_credit_set_hold(over[order])
        # Checked here: the orders within the limit and those now on hold go on.
        with risk_override(self) as orders:
            return super(SaleOrder, orders)._sop_confirm_job()

    def _sop_credit_batch_problems(self):
        """{order: reason} of the quotations among ``self`` over their customer's
        limit, each checked by OCA's rule and, for several orders of one customer,
        together with the ones before it (OCA checks each one alone)."""
        problems = {}
        pending = defaultdict(float)
        quotations = self.filtered(lambda o: o.state in ("draft", "sent"))
        for order in quotations - quotations._sop_credit_exempt():
            company = order.company_id
            if company.allow_overrisk_sale_confirmation:
                continue
            order = order.with_company(company)
            partner = order.partner_invoice_id.commercial_partner_id.with_company(
                company
            )
            reason = order.evaluate_risk_message(partner)
            amount = order._sop_credit_amount(partner)
            key = (partner.id, company.id)
            if not reason and pending[key]:
                reason = order._sop_credit_cumulated_message(
                    partner, pending[key] + amount
                )
            if reason:
                problems[order] = reason
            else:
                pending[key] += amount
        return problems

    def _sop_credit_amount(self, partner):
        """The order's total in the customer's risk currency (as OCA converts it)."""
        self.ensure_one()
        return self.currency_id._convert(
            self.amount_total,
            partner.risk_currency_id,
            self.company_id,
            self.date_order.date()
            if self.date_order
            else fields.Date.context_today(self),
            round=False,
        )

    def _sop_credit_cumulated_message(self, partner, amount):
        """OCA's two limits of a sales order for ``amount`` (several orders)."""
        partner = partner.sudo()
        if partner.risk_sale_order_limit and (
            partner.risk_sale_order + amount > partner.risk_sale_order_limit
        ):
            return _("with the other orders confirmed together, the sales orders risk")
        if partner.risk_sale_order_include and (
            partner.risk_total + amount > partner.credit_limit
        ):
            return _("with the other orders confirmed together, the financial risk")
        return ""

    def _validate_order(self):
        res = super()._validate_order()
        # The customer accepted (portal) an order OCA's check did not confirm: the
        # salesperson must know, the customer believes it is confirmed.
        for order in self.filtered(lambda o: o.state in ("draft", "sent")):
            order.sudo().activity_schedule(
                "mail.mail_activity_data_warning",
                user_id=order.user_id.id or SUPERUSER_ID,
                summary=_("Accepted over the credit limit"),
                note=_(
                    "The customer accepted the quotation, but it exceeds the "
                    "customer's credit limit and was not confirmed. Confirm it (a "
                    "credit manager may go over the limit) or contact the customer."
                ),
            )
        return res

    # ------------------------------------------------------------------
    # Credit hold
    # ------------------------------------------------------------------
    def write(self, vals):
        # Written by the check and the release only (_sop_credit_write, superuser):
        # a context key would not do, an RPC client can send any context.
        if any(name in vals for name in _HOLD_FIELDS) and not (
            self.env.su and has_internal_flag(self, CREDIT_HOLD_WRITE)
        ):
            raise UserError(
                _(
                    "The credit hold is set by the credit check and released with "
                    '"Release Credit Hold" by a credit manager.'
                )
            )
        return super().write(vals)

    def _sop_credit_write(self, vals):
        """Write the hold fields, which ``write`` refuses to everyone else."""
        with internal_flag(self, CREDIT_HOLD_WRITE):
            self.sudo().write(vals)

    def _sop_credit_exceeded_message(self):
        """Why the customer of the confirmed order is over the limit now, or ''."""
        self.ensure_one()
        company = self.company_id
        partner = self.partner_invoice_id.commercial_partner_id.with_company(
            company
        ).sudo()
        # Risk fields are computed, not stored: figures of now, in this company.
        partner.invalidate_recordset()
        if not partner.risk_exception:
            return ""
        currency = partner.risk_currency_id
        return _(
            "%(partner)s is over the credit limit: risk %(risk)s, limit %(limit)s, "
            "exceeded by %(exceeded)s.",
            partner=partner.display_name,
            risk=currency.format(partner.risk_total),
            limit=currency.format(partner.credit_limit),
            exceeded=currency.format(partner.risk_amount_exceeded),
        )

    def _sop_credit_hold_check(self, step):
        """Check the customers of the confirmed orders ``self`` before ``step`` (a
        translated text: what would go on). Orders over the limit go on hold. Returns
        the orders on hold (before or now): ``step`` must wait for them."""
        held = self.filtered("sop_credit_hold")
        if risk_bypassed(self):
            return held
        to_check = (self - held - self._sop_credit_exempt()).filtered(
            lambda o: o.state == "sale"
            and not has_internal_flag(o, CREDIT_CHECKED)
            and not o.company_id.allow_overrisk_sale_confirmation
        )
        for order in to_check:
            reason = order._sop_credit_exceeded_message()
            if reason:
                order._sop_credit_set_hold(
                    _("%(step)s: %(reason)s", step=step, reason=reason)
                )
                held |= order
        return held

    def _sop_credit_set_hold(self, reason):
        """Put the order on credit hold; an activity tells its salesperson."""
        self.ensure_one()
        if self.sop_credit_hold:
            return
        # Set by the check, whoever triggered it (a job, a salesperson's revision).
        self._sop_credit_write(
            {
                "sop_credit_hold": True,
                "sop_credit_hold_reason": reason,
                "sop_credit_hold_date": fields.Datetime.now(),
            }
        )
        self.sudo().message_post(
            body=Markup("<p>%s</p><p>%s</p>") % (_("Put on credit hold."), reason),
            subtype_xmlid="mail.mt_note",
        )
        self.sudo().activity_schedule(
            "mail.mail_activity_data_warning",
            user_id=self.user_id.id or SUPERUSER_ID,
            summary=_("Credit hold"),
            note=reason,
        )

    def action_sop_credit_release(self):
        """Release the credit hold (credit managers): logged in the chatter, then
        what waited goes on (releases, purchase orders)."""
        if not self.env.su and not self.env.user.has_group(CREDIT_MANAGER):
            raise AccessError(_("Only credit managers can release a credit hold."))
        held = self.filtered("sop_credit_hold")
        if not held:
            raise UserError(
                _(
                    "These orders are not on credit hold: %(orders)s.",
                    orders=", ".join(self.mapped("name")),
                )
            )
        summary = _("Credit hold")
        for order in held:
            reason = order.sop_credit_hold_reason or ""
            order._sop_credit_write(
                {
                    "sop_credit_hold": False,
                    "sop_credit_hold_reason": False,
                    "sop_credit_hold_date": False,
                    "sop_credit_release_date": fields.Datetime.now(),
                }
            )
            order.message_post(
                body=Markup("<p>%s</p><p>%s</p>")
                % (
                    _(
                        "Credit hold released by %(user)s on %(date)s.",
                        user=self.env.user.name,
                        date=fields.Datetime.to_string(
                            fields.Datetime.context_timestamp(
                                order, fields.Datetime.now()
                            )
                        ),
                    ),
                    reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
            order.sudo().activity_ids.filtered(
                lambda a: a.summary == summary
            ).action_feedback(feedback=_("Credit hold released."))
        with risk_override(held) as released:
            released._sop_credit_continue()
        return True
