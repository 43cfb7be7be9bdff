# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Cash sale (Barverkauf): invoice, payment and hand-over at confirmation, all or
nothing.

Everything of the kind is here: the checks before confirmation, the chain after it
(invoice, payment, delivery), the invoicing rule of its lines and the server action.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from .integrity import lock_nowait


class SaleOrder(models.Model):
    _inherit = "sale.order"

    sop_cash_to_settle = fields.Boolean(
        string="Awaiting Settlement",
        compute="_compute_sop_cash_to_settle",
        help="A cash sale the customer confirmed (portal acceptance, online payment) "
        "and that the back office has not settled yet: invoice, payment (the online "
        "one first) and, at the counter, the hand-over of the goods.",
    )

    @api.depends(
        "type_kind",
        "state",
        "invoice_status",
        "invoice_ids.payment_state",
        "picking_ids.state",
    )
    def _compute_sop_cash_to_settle(self):
        for order in self:
            order.sop_cash_to_settle = (
                order.type_kind == "cash"
                and order.state == "sale"
                and (
                    order.invoice_status == "to invoice"
                    or order._sop_cash_open_invoices()
                    or (
                        order.type_id.cash_handover == "counter"
                        and any(
                            p.state not in ("done", "cancel") for p in order.picking_ids
                        )
                    )
                )
            )

    # ------------------------------------------------------------------
    # Confirmation
    # ------------------------------------------------------------------
    def _validate_order(self):
        # The customer accepts the quotation in the portal: a confirmation, not the
        # settlement at the counter (nobody took cash, the goods are on the shelf).
        return super(
            SaleOrder, self.with_context(sop_cash_customer_confirms=True)
        )._validate_order()

    def _sop_cash_settles_now(self):
        """Whether confirming settles the cash sale: only when the back office
        confirms it. The customer's own confirmation (portal acceptance, online
        payment) leaves the settlement to the back office (``sop_cash_to_settle``)."""
        return (
            not self.env.context.get("sop_cash_customer_confirms")
            and self.env.user._is_internal()
        )

    def action_confirm(self):
        if not any(order.type_kind == "cash" for order in self):
            return super().action_confirm()
        # All or nothing even when the caller catches the error and goes on (an
        # automation, a loop over orders): the savepoint takes back the order's
        # confirmation, invoice, payment and delivery together.
        with self.env.cr.savepoint():
            return super().action_confirm()

    def _sop_check_confirm(self):
        res = super()._sop_check_confirm()
        if self._sop_cash_settles_now():
            self.filtered(lambda o: o.type_kind == "cash")._sop_cash_check_confirm()
        return res

    def _sop_cash_check_confirm(self, hand_over_check=True):
        # Two confirmations of the same order at once (double click, retried call) are
        # stopped by the row lock of sale.order.action_confirm before this check.
        problems = []
        for order in self:
            if order.transaction_ids.filtered(lambda tx: tx.state == "authorized"):
                problems.append(
                    _(
                        "%(order)s: an online payment is authorized but not captured; "
                        "capture or cancel it first.",
                        order=order.name,
                    )
                )
            journal = order._sop_cash_journal()
            if not journal:
                problems.append(
                    _(
                        "%(order)s: no cash journal found for the company %(company)s; "
                        "set a payment journal on the order type %(type)s.",
                        order=order.name,
                        company=order.company_id.name,
                        type=order.type_id.name,
                    )
                )
            elif journal.company_id not in order.company_id.parent_ids:
                problems.append(
                    _(
                        "%(order)s: the journal %(journal)s belongs to another "
                        "company.",
                        order=order.name,
                        journal=journal.name,
                    )
                )
            elif not journal.inbound_payment_method_line_ids:
                problems.append(
                    _(
                        "%(order)s: the journal %(journal)s has no incoming payment "
                        "method.",
                        order=order.name,
                        journal=journal.name,
                    )
                )
            elif journal.currency_id and journal.currency_id != order.currency_id:
                problems.append(
                    _(
                        "%(order)s: the journal %(journal)s only takes payments in "
                        "%(journal_currency)s, the order is in %(currency)s.",
                        order=order.name,
                        journal=journal.name,
                        journal_currency=journal.currency_id.name,
                        currency=order.currency_id.name,
                    )
                )
            if hand_over_check and order.type_id.cash_handover == "counter":
                problems += order._sop_cash_stock_shortages()
        if problems:
            raise UserError(
                _("These cash sales cannot be confirmed:") + "\n" + "\n".join(problems)
            )

    def _sop_credit_exempt(self):
        # Paid at once (invoice and payment at confirmation, or online): no credit
        # is given, so no credit limit applies, on every path that confirms.
        return super()._sop_credit_exempt() | self.filtered(
            lambda o: o.type_kind == "cash"
        )

    def _sop_check_cancel(self):
        res = super()._sop_check_cancel()
        # Paid at once: a cancelled cash sale must not keep its paid invoice.
        self.filtered(lambda o: o.type_kind == "cash")._sop_check_invoices_credited()
        return res

    def _sop_cash_journal(self):
        """The type's payment journal, or the company's cash journal."""
        self.ensure_one()
        journal = self.type_id.cash_payment_journal_id
        if journal:
            return journal
        return self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self.company_id),
                ("type", "=", "cash"),
                ("currency_id", "in", (False, self.currency_id.id)),
            ],
            limit=1,
        )

    def _sop_cash_stock_shortages(self):
        """One message per storable product the warehouse cannot hand over now."""
        self.ensure_one()
        needed = {}
        for line in self.order_line:
            product = line.product_id
            if line.display_type or not product.is_storable:
                continue
            qty = line.product_uom._compute_quantity(
                line.product_uom_qty, product.uom_id
            )
            needed[product] = needed.get(product, 0.0) + qty
        if not needed:
            return []
        products = self.env["product.product"].concat(*needed)
        location = self.warehouse_id.lot_stock_id
        available = {
            product: product.free_qty
            for product in products.with_context(location=location.id)
        }
        problems = []
        for product, qty in needed.items():
            free = available[product]
            if float_compare(free, qty, precision_rounding=product.uom_id.rounding) < 0:
                problems.append(
                    _(
                        "%(order)s: not enough %(product)s in %(location)s: "
                        "%(qty)s %(uom)s needed, %(available)s available.",
                        order=self.name,
                        product=product.display_name,
                        location=location.display_name,
                        qty=qty,
                        uom=product.uom_id.name,
                        available=max(free, 0.0),
                    )
                )
        return problems

    def _sop_after_confirm(self):
        res = super()._sop_after_confirm()
        if self._sop_cash_settles_now():
            self.filtered(lambda o: o.type_kind == "cash")._sop_cash_settle()
        return res

    def _sop_cash_settle(self, confirming=True):
        """Invoice, pay and (at the counter) hand over the confirmed cash sales: what is
        not invoiced yet is invoiced; online payments of the order are reconciled first,
        the rest is paid in cash."""
        for order in self:
            # The salesperson at the counter settles the sale; the invoice, payment and
            # delivery it implies do not need accounting or warehouse rights.
            order = order.sudo().with_company(order.company_id)
            # The callers hold the order's row lock (confirmation, settlement).
            invoices = order._sop_invoice_and_post(locked=True)
            if not confirming:
                # Settled after the customer confirmed: an invoice Odoo posted for
                # the online payment meanwhile is paid too.
                invoices |= order._sop_cash_open_invoices()
            for invoice in invoices:
                order._sop_cash_reconcile_online(invoice)
                order._sop_cash_pay(invoice)
            if order.type_id.cash_handover == "counter":
                order._sop_cash_hand_over()

    def _sop_cash_open_invoices(self):
        """Posted customer invoices of the order with an amount left to pay."""
        return self._sop_cash_receipt_invoices().filtered(
            lambda m: m.move_type == "out_invoice"
            and not m.currency_id.is_zero(m.amount_residual)
        )

    def _sop_cash_reconcile_online(self, invoice):
        """Reconcile the open amounts of the order's online payments with the
        invoice (Odoo reconciles them itself only for invoices of the transaction)."""
        self.ensure_one()
        lines = self.transaction_ids.filtered(
            lambda tx: tx.state == "done"
        ).payment_id.move_id.line_ids.filtered(
            lambda ln: ln.account_id.account_type == "asset_receivable"
            and not ln.reconciled
            and ln.parent_state == "posted"
        )
        for line in lines:
            if invoice.currency_id.is_zero(invoice.amount_residual):
                break
            invoice.js_assign_outstanding_line(line.id)

    def _sop_cash_pay(self, invoice):
        """Pay what is left on the posted invoice in the cash journal, in the order's
        currency, with Odoo's payment wizard (which reconciles it)."""
        self.ensure_one()
        if invoice.currency_id.is_zero(invoice.amount_residual) or self._is_paid():
            return self.env["account.payment"]
        journal = self._sop_cash_journal()
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "journal_id": journal.id,
                    "currency_id": self.currency_id.id,
                    "payment_date": fields.Date.context_today(self),
                }
            )
        )
        return wizard._create_payments()

    def _sop_cash_hand_over(self):
        """Validate the order's transfers for the full quantities, one step after the
        other (pick, pack, ship), without backorder. A validation that asks for more
        (a wizard: expiry alert, quality check ...) or that does not move on is an
        error: the caller's savepoint takes the cash sale back whole."""
        self.ensure_one()
        pending = self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        while pending:
            ready = pending.filtered(lambda p: p.state == "assigned")
            if not ready:
                break
            moves = ready.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
            short = moves.filtered(
                lambda m: float_compare(
                    m.quantity,
                    m.product_uom_qty,
                    precision_rounding=m.product_uom.rounding,
                )
                < 0
            )
            if short:
                break
            moves.picked = True
            action = ready.with_context(
                skip_backorder=True,
                picking_ids_not_to_backorder=ready.ids,
                skip_sms=True,
            ).button_validate()
            stuck = ready.filtered(lambda p: p.state != "done")
            if stuck:
                raise UserError(
                    _(
                        "%(order)s cannot be handed over at the counter: validating "
                        "%(transfers)s asks for more input (%(step)s). Nothing was "
                        "settled.",
                        order=self.name,
                        transfers=", ".join(stuck.mapped("name")),
                        step=(isinstance(action, dict) and action.get("name"))
                        or _("no progress"),
                    )
                )
            pending = pending.filtered(lambda p: p.state not in ("done", "cancel"))
        if pending:
            raise UserError(
                _(
                    "%(order)s cannot be handed over at the counter: %(transfers)s "
                    "could not be validated for the full quantities.",
                    order=self.name,
                    transfers=", ".join(pending.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Cash receipt (report/cash_receipt.xml)
    # ------------------------------------------------------------------
    def _sop_cash_receipt_invoices(self):
        return self.invoice_ids.filtered(lambda m: m.state == "posted")

    def _sop_cash_receipt_payments(self):
        return self._sop_cash_receipt_invoices()._get_reconciled_payments()

    # ------------------------------------------------------------------
    # Server action
    # ------------------------------------------------------------------
    def action_sop_cash_settle(self):
        """Settle the selected cash sales (button, server action): quotations are
        confirmed and settled; confirmed cash sales awaiting settlement (accepted or
        paid online by the customer) are settled."""
        to_settle = self.filtered("sop_cash_to_settle")
        quotations = self - to_settle
        message = _(
            "Only quotations of a cash sale type, or cash sales awaiting settlement, "
            "can be settled: %(orders)s."
        )
        if quotations:
            # Refused before anything is written, as for the quotations.
            wrong = quotations.filtered(
                lambda o: o.type_kind != "cash" or o.state not in ("draft", "sent")
            )
            if wrong:
                raise UserError(message % {"orders": ", ".join(wrong.mapped("name"))})
        if to_settle:
            to_settle._sop_cash_settle_confirmed()
        if quotations:
            return quotations._sop_confirm_quotations_of_kind("cash", message)
        return True

    def _sop_cash_settle_confirmed(self):
        """Settle confirmed cash sales, all or nothing, once."""
        lock_nowait(
            self,
            _(
                "%(orders)s is being settled by another user or process. "
                "Please reload the order and try again.",
                orders=", ".join(self.mapped("name")),
            ),
        )
        # Another user may have settled it between the click and the lock.
        self.invalidate_recordset()
        settled = self.filtered(lambda o: not o.sop_cash_to_settle)
        if settled:
            raise UserError(
                _(
                    "These cash sales are no longer awaiting settlement: "
                    "%(orders)s.",
                    orders=", ".join(settled.mapped("name")),
                )
            )
        # The goods reserved for the order are not free stock: the hand-over itself
        # tells what is missing.
        self._sop_cash_check_confirm(hand_over_check=False)
        with self.env.cr.savepoint():
            self._sop_cash_settle(confirming=False)


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        # Paid online: the customer confirms; the cash sale waits for the back office
        # to settle it with this payment (no cash payment, no hand-over now).
        return super(
            PaymentTransaction, self.with_context(sop_cash_customer_confirms=True)
        )._check_amount_and_confirm_order()
