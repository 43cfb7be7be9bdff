# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Refund at the counter: goods of a cash sale brought back; return receipt, credit
note and cash paid back in one transaction (the cash closing counts it)."""

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..models.integrity import lock_nowait, raise_problems


class SaleCashRefund(models.TransientModel):
    _name = "sale.cash.refund"
    _description = "Counter Refund"

    order_id = fields.Many2one(
        comodel_name="sale.order", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="order_id.company_id")
    currency_id = fields.Many2one(related="order_id.currency_id")
    journal_ids = fields.Many2many(
        comodel_name="account.journal", compute="_compute_journal_ids"
    )
    journal_id = fields.Many2one(
        comodel_name="account.journal",
        string="Pay Back From",
        compute="_compute_journal_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    line_ids = fields.One2many(
        comodel_name="sale.cash.refund.line",
        inverse_name="refund_id",
        string="Goods Returned",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )
    amount = fields.Monetary(
        string="To Pay Back",
        compute="_compute_amount",
        help="What the goods returned cost; the credit note's total is paid back.",
    )

    @api.depends("order_id")
    def _compute_journal_ids(self):
        for wizard in self:
            journals = (
                wizard.order_id._sop_cash_counter_journals()
                if wizard.order_id
                else self.env["account.journal"]
            )
            wizard.journal_ids = journals

    @api.depends("order_id")
    def _compute_journal_id(self):
        for wizard in self:
            wizard.journal_id = wizard.order_id._sop_cash_counter_journals()[:1]

    @api.depends("order_id")
    def _compute_line_ids(self):
        for wizard in self:
            commands = [Command.clear()]
            for line in wizard.order_id._sop_product_lines():
                if line.qty_delivered_method != "stock_move" or line.qty_delivered <= 0:
                    continue
                commands.append(
                    Command.create(
                        {
                            "sale_line_id": line.id,
                            "qty_returnable": line.qty_delivered,
                            "quantity": 0.0,
                        }
                    )
                )
            wizard.line_ids = commands

    @api.depends("line_ids.quantity")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = sum(
                line.sale_line_id.price_total
                / (line.sale_line_id.product_uom_qty or 1.0)
                * line.quantity
                for line in wizard.line_ids
            )

    def _check_refund(self):
        self.ensure_one()
        order = self.order_id
        problems = []
        if order.type_kind != "cash" or order.state != "sale":
            problems.append(
                _("%(order)s is not a confirmed cash sale.", order=order.name)
            )
        for line in self.line_ids:
            rounding = line.sale_line_id.product_uom.rounding
            if float_compare(line.quantity, 0.0, precision_rounding=rounding) < 0 or (
                float_compare(
                    line.quantity,
                    line.sale_line_id.qty_delivered,
                    precision_rounding=rounding,
                )
                > 0
            ):
                problems.append(
                    _(
                        "%(product)s: between 0 and %(qty)s can be returned.",
                        product=line.product_id.display_name,
                        qty=line.sale_line_id.qty_delivered,
                    )
                )
        if not any(line.quantity > 0 for line in self.line_ids):
            problems.append(_("no quantity to return."))
        journal = self.journal_id
        if journal.company_id not in order.company_id.parent_ids:
            problems.append(
                _("%(journal)s belongs to another company.", journal=journal.name)
            )
        elif journal.currency_id and journal.currency_id != order.currency_id:
            problems.append(
                _(
                    "%(journal)s only pays in %(journal_currency)s, the order is in "
                    "%(currency)s.",
                    journal=journal.name,
                    journal_currency=journal.currency_id.name,
                    currency=order.currency_id.name,
                )
            )
        elif journal not in order._sop_cash_counter_journals():
            # The view offers the counter's journals only; RPC is held to the same.
            problems.append(
                _(
                    "%(journal)s is not a counter journal of the type %(type)s.",
                    journal=journal.name,
                    type=order.type_id.name,
                )
            )
        raise_problems(
            _("%(order)s cannot be refunded at the counter:", order=order.name),
            problems,
        )

    def action_refund(self):
        """Return receipt, credit note and cash paid back; all or nothing."""
        self.ensure_one()
        order = self.order_id
        # The documents below are made as superuser: the caller must be allowed to
        # change the order first.
        order.check_access("write")
        lock_nowait(
            order,
            _(
                "%(order)s is being handed over or refunded at another counter. "
                "Reload the order and try again.",
                order=order.name,
            ),
        )
        order.invalidate_recordset()
        self._check_refund()
        quantities = {
            line.sale_line_id: line.quantity for line in self.line_ids if line.quantity
        }
        with self.env.cr.savepoint():
            sudo_order = order.sudo().with_company(order.company_id)
            sudo_order._sop_cash_return(quantities)
            # The returned quantities are no longer invoiceable: Odoo's own
            # invoicing makes the credit note of them.
            credit_note = sudo_order.with_context(
                raise_if_nothing_to_invoice=False
            )._create_invoices(final=True)
            if (
                len(credit_note) != 1
                or credit_note.move_type != "out_refund"
                or any(line.quantity < 0 for line in credit_note.invoice_line_ids)
            ):
                raise UserError(
                    _(
                        "%(order)s: the return does not make one credit note of the "
                        "goods returned (other quantities are still to invoice). "
                        "Nothing was refunded.",
                        order=order.name,
                    )
                )
            credit_note.action_post()
            sudo_order._sop_cash_register(
                credit_note, self.journal_id.sudo(), credit_note.amount_residual
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": credit_note.id,
            "view_mode": "form",
            "name": _("Credit Note"),
        }
