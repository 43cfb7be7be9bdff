# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Pay and Hand Over: the customer pays (cash tendered, split across the type's
counter journals) and takes the goods, in one transaction."""

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, format_amount, format_date, formatLang

from ..models.integrity import lock_nowait, raise_problems


class SaleCashHandover(models.TransientModel):
    _name = "sale.cash.handover"
    _description = "Pay and Hand Over"

    order_id = fields.Many2one(
        comodel_name="sale.order", required=True, readonly=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(related="order_id.partner_id")
    company_id = fields.Many2one(related="order_id.company_id")
    currency_id = fields.Many2one(related="order_id.currency_id")
    line_ids = fields.One2many(
        comodel_name="sale.cash.handover.line",
        inverse_name="handover_id",
        string="Goods",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )
    payment_ids = fields.One2many(
        comodel_name="sale.cash.handover.payment",
        inverse_name="handover_id",
        string="Payments",
        compute="_compute_payment_ids",
        store=True,
        readonly=False,
    )
    journal_ids = fields.Many2many(
        comodel_name="account.journal",
        string="Counter Journals",
        compute="_compute_journal_ids",
    )
    amount_due = fields.Monetary(
        string="To Pay",
        compute="_compute_amount_due",
        help="What the goods handed over cost, less what the customer paid online "
        "or at confirmation.",
    )
    amount_paid = fields.Monetary(
        string="Paid", compute="_compute_amount_due", help="Sum of the payment lines."
    )
    amount_tendered = fields.Monetary(
        string="Cash Tendered",
        help="The cash the customer hands over; the change is given back.",
    )
    amount_change = fields.Monetary(
        string="Change Due", compute="_compute_amount_change"
    )

    @api.depends("order_id")
    def _compute_line_ids(self):
        for wizard in self:
            commands = [Command.clear()]
            for line in wizard.order_id._sop_product_lines():
                if line.qty_delivered_method != "stock_move":
                    continue
                moves = line.move_ids.filtered(
                    lambda m: m.picking_code == "outgoing"
                    and m.state not in ("done", "cancel")
                )
                open_qty = sum(
                    m.product_uom._compute_quantity(m.product_uom_qty, line.product_uom)
                    for m in moves
                )
                if open_qty <= 0:
                    continue
                commands.append(
                    Command.create(
                        {
                            "sale_line_id": line.id,
                            "qty_open": open_qty,
                            "quantity": open_qty,
                        }
                    )
                )
            wizard.line_ids = commands

    @api.depends("order_id")
    def _compute_journal_ids(self):
        for wizard in self:
            wizard.journal_ids = (
                wizard.order_id._sop_cash_counter_journals()
                if wizard.order_id
                else False
            )

    @api.depends("order_id")
    def _compute_payment_ids(self):
        # One line per counter journal (cash first): the cashier types the amounts,
        # the whole amount is proposed in cash.
        for wizard in self:
            wizard.payment_ids = [Command.clear()] + [
                Command.create({"journal_id": journal.id, "amount": 0.0})
                for journal in wizard.journal_ids
            ]

    @api.depends("line_ids.quantity", "payment_ids.amount")
    def _compute_amount_due(self):
        for wizard in self:
            order = wizard.order_id
            goods = 0.0
            if order.type_id.invoice_trigger == "collection":
                goods = sum(
                    line.sale_line_id.price_total
                    / (line.sale_line_id.product_uom_qty or 1.0)
                    * line.quantity
                    for line in wizard.line_ids
                )
                if not order._sop_cash_collected():
                    # Services are invoiced with the first collection.
                    goods += sum(
                        line.price_total
                        for line in order._sop_product_lines()
                        if line.qty_delivered_method != "stock_move"
                        and line.qty_invoiced < line.product_uom_qty
                    )
            open_invoices = sum(
                order._sop_cash_open_invoices().mapped("amount_residual")
            )
            due = goods + open_invoices - order._sop_cash_online_credit()
            wizard.amount_due = max(wizard.currency_id.round(due), 0.0)
            wizard.amount_paid = sum(wizard.payment_ids.mapped("amount"))

    @api.depends("amount_tendered", "payment_ids.amount", "payment_ids.journal_id")
    def _compute_amount_change(self):
        for wizard in self:
            cash = sum(
                p.amount for p in wizard.payment_ids if p.journal_id.type == "cash"
            )
            # No cash paid, no change: the card pays exactly.
            wizard.amount_change = (
                max(wizard.amount_tendered - cash, 0.0)
                if not wizard.currency_id.is_zero(cash)
                else 0.0
            )

    def _propose_cash(self):
        """Unless the cashier split the payment, the cash line takes all."""
        for wizard in self:
            first, others = wizard.payment_ids[:1], wizard.payment_ids[1:]
            if first and not any(others.mapped("amount")):
                first.amount = wizard.amount_due

    @api.onchange("line_ids")
    def _onchange_line_ids(self):
        self._propose_cash()

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        wizards.filtered(
            lambda w: not any(w.payment_ids.mapped("amount"))
        )._propose_cash()
        return wizards

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _check_payments(self, due):
        """The payment lines against what is due (the real invoice residual)."""
        self.ensure_one()
        order = self.order_id
        currency = self.currency_id
        problems = []
        allowed = order._sop_cash_counter_journals()
        for payment in self.payment_ids:
            journal = payment.journal_id
            if currency.compare_amounts(payment.amount, 0.0) < 0:
                problems.append(
                    _(
                        "%(journal)s: a payment cannot be negative.",
                        journal=journal.name,
                    )
                )
            if journal.company_id not in order.company_id.parent_ids:
                problems.append(
                    _(
                        "%(journal)s belongs to another company.",
                        journal=journal.name,
                    )
                )
            elif journal.currency_id and journal.currency_id != currency:
                problems.append(
                    _(
                        "%(journal)s only takes payments in %(journal_currency)s, "
                        "the order is in %(currency)s.",
                        journal=journal.name,
                        journal_currency=journal.currency_id.name,
                        currency=currency.name,
                    )
                )
            elif journal not in allowed:
                problems.append(
                    _(
                        "%(journal)s is not a counter journal of the type " "%(type)s.",
                        journal=journal.name,
                        type=order.type_id.name,
                    )
                )
        paid = sum(self.payment_ids.mapped("amount"))
        if currency.compare_amounts(paid, due) != 0:
            problems.append(
                _(
                    "the payments add up to %(paid)s, %(due)s is due.",
                    paid=format_amount(self.env, paid, currency),
                    due=format_amount(self.env, due, currency),
                )
            )
        cash = sum(p.amount for p in self.payment_ids if p.journal_id.type == "cash")
        if not currency.is_zero(self.amount_tendered) and currency.is_zero(cash):
            problems.append(
                _(
                    "%(tendered)s cash tendered, but nothing is paid in cash: "
                    "clear the cash tendered or pay in cash.",
                    tendered=format_amount(self.env, self.amount_tendered, currency),
                )
            )
        elif (
            self.amount_tendered
            and currency.compare_amounts(self.amount_tendered, cash) < 0
        ):
            problems.append(
                _(
                    "%(tendered)s tendered is less than the %(cash)s to pay in cash.",
                    tendered=format_amount(self.env, self.amount_tendered, currency),
                    cash=format_amount(self.env, cash, currency),
                )
            )
        raise_problems(
            _("%(order)s cannot be paid and handed over:", order=order.name), problems
        )

    # ------------------------------------------------------------------
    # The hand-over
    # ------------------------------------------------------------------
    def action_hand_over(self):
        """Deliver what is taken, invoice it, reconcile the online payments, take
        the payments; all or nothing. Then the cash receipt."""
        self.ensure_one()
        order = self.order_id
        # The documents below are made as superuser: the caller must be allowed to
        # change the order first.
        order.check_access("write")
        # Two tablets on the same order: the second one is refused at once.
        lock_nowait(
            order,
            _(
                "%(order)s is already being handed over at another counter. "
                "Reload the order to see the outcome.",
                order=order.name,
            ),
        )
        order.invalidate_recordset()
        order._sop_cash_check_collect()
        quantities = {}
        for line in self.line_ids:
            if (
                float_compare(
                    line.quantity, 0.0, precision_rounding=line.product_uom.rounding
                )
                < 0
            ):
                raise UserError(
                    _(
                        "%(product)s: the quantity to hand over cannot be negative.",
                        product=line.product_id.display_name,
                    )
                )
            quantities[line.sale_line_id] = (
                quantities.get(line.sale_line_id, 0.0) + line.quantity
            )
        # Checks on what the user typed before anything is written.
        self._check_payments(self.amount_due)
        with self.env.cr.savepoint():
            # The salesperson at the counter needs no warehouse or accounting
            # rights for the documents the hand-over implies.
            sudo_order = order.sudo().with_company(order.company_id)
            sudo_order._sop_cash_collect(quantities)
            invoices = sudo_order._sop_invoice_and_post(locked=True)
            invoices |= sudo_order._sop_cash_open_invoices()
            for invoice in invoices:
                sudo_order._sop_cash_reconcile_online(invoice)
            # The receipt is of this hand-over: what it invoiced and took.
            receipt_invoices = invoices
            invoices = invoices.filtered(
                lambda m: not m.currency_id.is_zero(m.amount_residual)
            )
            # The invoice is the truth (rounding per line, taxes): checked again.
            self._check_payments(sum(invoices.mapped("amount_residual")))
            payments = self.env["account.payment"]
            for payment in self.payment_ids.filtered("amount"):
                payments |= sudo_order._sop_cash_register(
                    invoices, payment.journal_id.sudo(), payment.amount
                )
            sudo_order.write(
                {
                    "sop_cash_tendered": self.amount_tendered,
                    "sop_cash_change": self.amount_change,
                }
            )
            sudo_order.message_post(
                body=self._hand_over_note(quantities, payments),
                subtype_xmlid="mail.mt_note",
            )
        # The receipt of this hand-over's invoices alone, not the wizard's context
        # (its defaults); no document layout set-up in the middle of the counter's
        # work.
        report = self.env.ref("sales_order_plus.action_report_cash_receipt_invoice")
        action = report.with_env(report.env(context={})).report_action(
            receipt_invoices, config=False
        )
        # The wizard closes once the receipt is downloaded (the counter goes on).
        action["close_on_report_download"] = True
        # No empty values: an integration calling the button over XML-RPC gets an
        # answer it can read (XML-RPC has no None).
        receipt = {key: value for key, value in action.items() if value is not None}
        # What was taken, at once on the screen; the receipt is downloaded after it
        # (the PDF is rendered by that download, not in this transaction).
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("%(order)s paid and handed over", order=order.name),
                "message": self._hand_over_summary(payments),
                "type": "success",
                "sticky": False,
                "next": receipt,
            },
        }

    def _hand_over_summary(self, payments):
        """Paid (by journal) and the change due, for the counter's screen; and the
        day the cash is booked on when the day's cash is already closed."""
        self.ensure_one()
        currency = self.currency_id
        paid = self.payment_ids.filtered("amount")
        summary = _(
            "Paid %(amount)s (%(journals)s).",
            amount=format_amount(self.env, sum(paid.mapped("amount")), currency),
            journals=", ".join(
                f"{p.journal_id.name} {format_amount(self.env, p.amount, currency)}"
                for p in paid
            )
            or _("nothing to pay"),
        )
        if self.amount_tendered:
            summary += " " + _(
                "Cash tendered %(tendered)s. Change due: %(change)s.",
                tendered=format_amount(self.env, self.amount_tendered, currency),
                change=format_amount(self.env, self.amount_change, currency),
            )
        today = self.env["sale.cash.closing"]._sop_cash_today(self.company_id)
        later = sorted({p.date for p in payments if p.date != today})
        if later:
            summary += " " + _(
                "Today's cash is closed: booked on %(date)s.",
                date=format_date(self.env, later[0]),
            )
        return summary

    def _hand_over_note(self, quantities, payments):
        """The chatter note of the hand-over: goods, payments by journal (and the
        day they are booked on), cash tendered, change."""
        self.ensure_one()
        currency = self.currency_id
        items = [
            _(
                "%(qty)s %(uom)s %(product)s handed over",
                qty=formatLang(self.env, qty, digits=2),
                uom=line.product_uom.name,
                product=line.product_id.display_name,
            )
            for line, qty in quantities.items()
            if qty
        ]
        today = self.env["sale.cash.closing"]._sop_cash_today(self.company_id)
        for payment in payments:
            item = _(
                "%(journal)s: %(amount)s",
                journal=payment.journal_id.name,
                amount=format_amount(self.env, payment.amount, payment.currency_id),
            )
            if payment.date != today:
                item += " " + _(
                    "(booked on %(date)s: the day's cash is closed)",
                    date=format_date(self.env, payment.date),
                )
            items.append(item)
        if self.amount_tendered:
            items.append(
                _(
                    "Cash tendered %(tendered)s, change %(change)s",
                    tendered=format_amount(self.env, self.amount_tendered, currency),
                    change=format_amount(self.env, self.amount_change, currency),
                )
            )
        return Markup("<p>%s</p><ul>%s</ul>") % (
            _("Paid and handed over at the counter:"),
            Markup().join(Markup("<li>%s</li>") % item for item in items),
        )
