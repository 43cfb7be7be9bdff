# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Cash sale (Barverkauf): invoice, payment and hand-over at confirmation, all or
nothing.

Everything of the kind is here: the checks before confirmation, the chain after it
(invoice, payment, delivery), the invoicing rule of its lines and the server action.
"""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from .integrity import (
    has_internal_flag,
    internal_flag,
    lock_nowait,
    raise_problems,
)

# Internal flag (models/integrity.py): the customer confirms, not a context key.
CUSTOMER_CONFIRMS = "cash_customer_confirms"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    sop_cash_to_settle = fields.Boolean(
        string="Awaiting Settlement",
        compute="_compute_sop_cash_to_settle",
        help="A cash sale the customer confirmed (portal acceptance, online payment) "
        "and that the back office has not settled yet: invoice, payment (the online "
        "one first) and, at the counter, the hand-over of the goods.",
    )

    sop_cash_awaiting_collection = fields.Boolean(
        string="Awaiting Collection",
        compute="_compute_sop_cash_awaiting_collection",
        store=True,
        help="A cash sale reserved for the customer (or paid and left to pick up) "
        "whose goods have not all left the shop: the counter hands them over.",
    )
    sop_cash_collect_expired = fields.Boolean(
        string="Collection Expired",
        copy=False,
        readonly=True,
        help="The type's collection period has passed without collection: the "
        "salesperson got an activity (and the reservation may have been released).",
    )
    sop_cash_tendered = fields.Monetary(
        string="Cash Tendered",
        copy=False,
        readonly=True,
        help="Cash the customer handed over at the last collection (receipt).",
    )
    sop_cash_change = fields.Monetary(
        string="Change Given",
        copy=False,
        readonly=True,
        help="Change given back at the last collection (receipt).",
    )

    sop_cash_paid = fields.Boolean(
        string="Paid at the Counter",
        compute="_compute_sop_cash_paid",
        help="A cash sale with a posted invoice that is not credited: it has a "
        "receipt, and it is cancelled only after a credit note.",
    )
    sop_cash_refundable = fields.Boolean(
        string="Refundable at the Counter",
        compute="_compute_sop_cash_paid",
        help="A paid cash sale with goods delivered: the counter can take them back.",
    )

    @api.depends("type_kind", "state", "invoice_ids.state", "order_line.qty_delivered")
    def _compute_sop_cash_paid(self):
        for order in self:
            # A flag for the buttons: whoever sees the order, whatever invoices
            # they may read.
            invoices = order.sudo()._sop_cash_receipt_invoices()
            paid = (
                order.type_kind == "cash"
                and order.state == "sale"
                and not order.currency_id.is_zero(
                    sum(invoices.mapped("amount_total_signed"))
                )
            )
            order.sop_cash_paid = paid
            order.sop_cash_refundable = paid and any(
                line.qty_delivered > 0 for line in order._sop_product_lines()
            )

    @api.depends("type_kind", "state", "type_id.cash_handover", "picking_ids.state")
    def _compute_sop_cash_awaiting_collection(self):
        for order in self:
            order.sop_cash_awaiting_collection = (
                order.type_kind == "cash"
                and order.state == "sale"
                and order.type_id.cash_handover in ("collect", "pickup")
                and any(
                    p.picking_type_code == "outgoing"
                    and p.state not in ("done", "cancel")
                    for p in order.picking_ids
                )
            )

    @api.depends(
        "type_kind",
        "type_id.cash_handover",
        "state",
        "invoice_status",
        "invoice_ids.payment_state",
        "picking_ids.state",
    )
    def _compute_sop_cash_to_settle(self):
        for order in self:
            # Reserved for collection: paid and handed over by Pay and Hand Over.
            order.sop_cash_to_settle = (
                order.type_kind == "cash"
                and order.type_id.cash_handover != "collect"
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
        with internal_flag(self, CUSTOMER_CONFIRMS):
            return super()._validate_order()

    def _sop_cash_settles_now(self):
        """Whether confirming settles the cash sale: only when the back office
        confirms it. The customer's own confirmation (portal acceptance, online
        payment) leaves the settlement to the back office (``sop_cash_to_settle``)."""
        return (
            not has_internal_flag(self, CUSTOMER_CONFIRMS)
            and self.env.user._is_internal()
        )

    def _sop_confirm_atomic(self):
        # The confirmation of a cash sale books its invoice, payment and delivery:
        # a savepoint takes them back together with it.
        return super()._sop_confirm_atomic() or any(
            order.type_kind == "cash" for order in self
        )

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
            # Reserved for collection: the delivery is reserved by Odoo's
            # procurement, nothing is invoiced or paid before the customer comes.
            self.filtered(
                lambda o: o.type_kind == "cash" and o.type_id.cash_handover != "collect"
            )._sop_cash_settle()
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

    def _sop_cash_online_lines(self):
        """Receivable lines of the order's done online payments not reconciled yet."""
        self.ensure_one()
        return self.transaction_ids.filtered(
            lambda tx: tx.state == "done"
        ).payment_id.move_id.line_ids.filtered(
            lambda ln: ln.account_id.account_type == "asset_receivable"
            and not ln.reconciled
            and ln.parent_state == "posted"
        )

    def _sop_cash_reconcile_online(self, invoice):
        """Reconcile the open amounts of the order's online payments with the
        invoice (Odoo reconciles them itself only for invoices of the transaction)."""
        self.ensure_one()
        lines = self._sop_cash_online_lines()
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
        return self._sop_cash_register(invoice, self._sop_cash_journal())

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
            ready.with_context(skip_sms=True)._sop_validate_quantities(
                {move: move.quantity for move in moves},
                self._sop_cash_stuck_title(),
                backorder=False,
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

    def _sop_cash_receipts(self):
        """The invoices of the order's hand-overs (or of its settlement), oldest
        first: one receipt each, with what it handed over and took."""
        self.ensure_one()
        return (
            self._sop_cash_receipt_invoices()
            .filtered(lambda m: m.move_type == "out_invoice")
            .sorted("id")
        )

    # ------------------------------------------------------------------
    # Server action
    # ------------------------------------------------------------------
    def action_sop_cash_settle(self):
        """Settle the selected cash sales (button, server action): quotations are
        confirmed and settled; confirmed cash sales awaiting settlement (accepted or
        paid online by the customer) are settled."""
        self.check_access("write")
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

    # ------------------------------------------------------------------
    # Collection at the counter (wizards/sale_cash_handover.py)
    # ------------------------------------------------------------------
    def action_sop_cash_hand_over(self):
        """Open Pay and Hand Over for the order (form button, counter kanban)."""
        self.ensure_one()
        self.check_access("write")
        self._sop_cash_check_collect()
        return {
            "type": "ir.actions.act_window",
            "name": _("Pay and Hand Over"),
            "res_model": "sale.cash.handover",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _sop_cash_counter_journals(self):
        """The journals a payment at the counter may use."""
        self.ensure_one()
        journals = self.type_id.cash_journal_ids or self._sop_cash_journal()
        # The cash drawer first: it is proposed for the payment.
        return journals.sorted(lambda j: (j.type != "cash", j.sequence, j.id))

    def _sop_cash_online_credit(self):
        """What the customer paid online and no invoice took yet, in the order's
        currency."""
        self.ensure_one()
        return -sum(self._sop_cash_online_lines().mapped("amount_residual_currency"))

    def _sop_cash_collected(self):
        """Whether goods of the order have been handed over already."""
        return any(
            p.picking_type_code == "outgoing" and p.state == "done"
            for p in self.picking_ids
        )

    def _sop_cash_check_collect(self):
        """Refuse a hand-over of orders that are not awaiting collection (collected
        already, cancelled, another kind)."""
        problems = [
            self.env._(
                "%(order)s is not awaiting collection: it was collected or "
                "cancelled, or it is not a cash sale reserved for collection.",
                order=order.name,
            )
            for order in self
            if not order.sop_cash_awaiting_collection
        ]
        raise_problems(_("Nothing to hand over:"), problems)

    def _sop_cash_collect(self, quantities):
        """Hand over ``quantities`` ({sale line: quantity in the line's unit}) from
        the order's reserved deliveries; what is not taken stays reserved on a
        backorder. Raises (the caller's savepoint takes everything back) when the
        goods are not reserved or the validation asks for more input."""
        self.ensure_one()
        pickings = self.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing"
            and p.state not in ("done", "cancel")
        )
        # An expired reservation was released: the goods are reserved again.
        to_assign = pickings.filtered(lambda p: p.state != "assigned")
        if to_assign:
            to_assign.action_assign()
        wanted = dict(quantities)
        takes, problems = [], []
        moves = pickings.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        for move in moves.sorted("id"):
            line = move.sale_line_id
            want = line.product_uom._compute_quantity(
                wanted.get(line, 0.0), move.product_uom
            )
            take = min(want, move.product_uom_qty)
            if (
                float_compare(take, 0.0, precision_rounding=move.product_uom.rounding)
                <= 0
            ):
                continue
            if (
                float_compare(
                    take, move.quantity, precision_rounding=move.product_uom.rounding
                )
                > 0
            ):
                problems.append(
                    _(
                        "%(product)s: %(qty)s %(uom)s to hand over, %(reserved)s "
                        "reserved.",
                        product=move.product_id.display_name,
                        qty=take,
                        uom=move.product_uom.name,
                        reserved=move.quantity,
                    )
                )
                continue
            wanted[line] -= move.product_uom._compute_quantity(take, line.product_uom)
            takes.append((move, take))
        for line, left in wanted.items():
            if (
                float_compare(left, 0.0, precision_rounding=line.product_uom.rounding)
                > 0
            ):
                problems.append(
                    _(
                        "%(product)s: %(qty)s %(uom)s more than the order still "
                        "holds for collection.",
                        product=line.product_id.display_name,
                        qty=left,
                        uom=line.product_uom.name,
                    )
                )
        if not takes and not problems:
            problems.append(_("no quantity to hand over."))
        raise_problems(_("%(order)s cannot be handed over:", order=self.name), problems)
        to_validate = self.env["stock.picking"]
        for move, _take in takes:
            to_validate |= move.picking_id
        # Not taken: a backorder, reserved again by Odoo.
        to_validate.with_context(skip_sms=True)._sop_validate_quantities(
            dict(takes), self._sop_cash_stuck_title()
        )
        return to_validate

    def _sop_cash_stuck_title(self):
        self.ensure_one()
        return _(
            "%(order)s cannot be handed over at the counter; nothing was settled:",
            order=self.name,
        )

    def _sop_cash_register(self, invoices, journal, amount=None):
        """Pay the posted ``invoices`` (or refund, for credit notes) in ``journal``,
        in the order's currency, on the cash day, with Odoo's payment wizard, which
        reconciles it: what is left on them as the wizard proposes it (an early
        payment discount included), or ``amount`` in one payment, the rest staying
        open."""
        self.ensure_one()
        vals = {
            "journal_id": journal.id,
            "currency_id": self.currency_id.id,
            "payment_date": self.env["sale.cash.closing"]._sop_cash_payment_day(
                journal
            ),
        }
        if amount is not None:
            vals.update(
                amount=amount, group_payment=True, payment_difference_handling="open"
            )
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(vals)
            ._create_payments()
        )

    # ------------------------------------------------------------------
    # Refund at the counter (wizards/sale_cash_refund.py)
    # ------------------------------------------------------------------
    def action_sop_cash_refund(self):
        """Open the counter refund for goods of the cash sale brought back."""
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": _("Counter Refund"),
            "res_model": "sale.cash.refund",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _sop_cash_return(self, quantities):
        """Take back ``quantities`` ({sale line: quantity in the line's unit}) with
        Odoo's return wizard (quantities to refund on the order) and receive them
        at once, latest delivery first."""
        self.ensure_one()
        wanted = dict(quantities)
        returns = self.env["stock.picking"]
        done = self.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state == "done"
        )
        for picking in done.sorted("id", reverse=True):
            wizard = (
                self.env["stock.return.picking"]
                .with_context(active_id=picking.id, active_model="stock.picking")
                .create({"picking_id": picking.id})
            )
            taken = False
            for return_line in wizard.product_return_moves:
                line = return_line.move_id.sale_line_id
                want = line.product_uom._compute_quantity(
                    wanted.get(line, 0.0), return_line.uom_id
                )
                returnable = return_line.move_id.product_uom._compute_quantity(
                    return_line.move_id.quantity, return_line.uom_id
                )
                qty = max(min(want, returnable), 0.0)
                return_line.write({"quantity": qty, "to_refund": True})
                if qty:
                    wanted[line] -= return_line.uom_id._compute_quantity(
                        qty, line.product_uom
                    )
                    taken = True
            if not taken:
                continue
            new_picking = wizard._create_return()
            for move in new_picking.move_ids:
                move.quantity = move.product_uom_qty
            new_picking.move_ids.picked = True
            new_picking.with_context(skip_sms=True).button_validate()
            if new_picking.state != "done":
                raise UserError(
                    _(
                        "%(order)s: the return %(picking)s could not be received. "
                        "Nothing was refunded.",
                        order=self.name,
                        picking=new_picking.name,
                    )
                )
            returns |= new_picking
        left = [
            line.product_id.display_name
            for line, qty in wanted.items()
            if float_compare(qty, 0.0, precision_rounding=line.product_uom.rounding) > 0
        ]
        if left:
            raise UserError(
                _(
                    "%(order)s: more %(products)s returned than delivered.",
                    order=self.name,
                    products=", ".join(left),
                )
            )
        return returns

    # ------------------------------------------------------------------
    # Expiry of reservations (data/kind_cash_actions.xml)
    # ------------------------------------------------------------------
    @api.model
    def _cron_sop_cash_collection_expiry(self):
        """Orders reserved for collection beyond their type's collection period:
        an activity for the salesperson, and the reservation released when the
        type says so. Each order once."""
        types = self.env["sale.order.type"].search(
            [("kind", "=", "cash"), ("cash_collect_days", ">", 0)]
        )
        for order_type in types:
            limit = fields.Datetime.now() - timedelta(days=order_type.cash_collect_days)
            self.search(
                [
                    ("type_id", "=", order_type.id),
                    ("sop_cash_awaiting_collection", "=", True),
                    ("sop_cash_collect_expired", "=", False),
                    ("date_order", "<=", limit),
                ]
            )._sop_cash_expire()

    def _sop_cash_expire(self):
        for order in self:
            release = order.type_id.cash_expiry_release
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=order.user_id.id or self.env.uid,
                summary=_("Not collected"),
                note=_(
                    "%(order)s was not collected within %(days)s days.",
                    order=order.name,
                    days=order.type_id.cash_collect_days,
                )
                + (" " + _("The reservation was released.") if release else ""),
            )
            if release:
                order.picking_ids.filtered(
                    lambda p: p.picking_type_code == "outgoing"
                    and p.state not in ("done", "cancel")
                ).do_unreserve()
            order.sop_cash_collect_expired = True


class SaleOrderType(models.Model):
    _inherit = "sale.order.type"

    # "set default": the field is ours, the value never goes without it; were it to,
    # its types would become standard ones.
    kind = fields.Selection(
        selection_add=[("cash", "Cash Sale"), ("schedule",)],
        ondelete={"cash": "set default"},
    )
    # No check_company: a type shared by all companies may name one company's
    # journal; confirming an order of another company refuses it with a clear error.
    cash_payment_journal_id = fields.Many2one(
        comodel_name="account.journal",
        string="Payment Journal",
        domain="[('type', 'in', ('cash', 'bank'))]",
        help="Cash or bank journal that takes the payment of a cash sale. When empty, "
        "the company's cash journal is used.",
    )
    cash_handover = fields.Selection(
        selection=[
            ("counter", "At the counter"),
            ("ship", "Paid now, shipped"),
            ("collect", "Reserved now, paid at collection"),
            ("pickup", "Paid now, picked up later"),
        ],
        string="Hand-over",
        default="counter",
        required=True,
        help="At the counter: paid and handed over at confirmation (the delivery is "
        "validated). Paid now, shipped: paid at confirmation, normal delivery. "
        "Reserved now, paid at collection: confirmation reserves the goods, no "
        "invoice and no payment; the customer pays (or has paid online) and takes "
        "them at the counter (Pay and Hand Over). Paid now, picked up later: paid at "
        "confirmation, the goods wait reserved until the customer fetches them (a "
        "purchase paid at the till and collected later at the depot).",
    )
    cash_journal_ids = fields.Many2many(
        comodel_name="account.journal",
        relation="sale_order_type_cash_journal_rel",
        column1="type_id",
        column2="journal_id",
        string="Counter Payment Journals",
        domain="[('type', 'in', ('cash', 'bank'))]",
        help="The journals a payment at the counter (Pay and Hand Over) may be split "
        "across: the cash journal, a card terminal's bank journal ... When empty, the "
        "payment journal above (or the company's cash journal) only.",
    )
    cash_collect_days = fields.Integer(
        string="Collection Period (days)",
        help="Orders reserved for collection and not collected this many days after "
        "confirmation expire: the salesperson gets an activity (and the reservation "
        "is released when set below). 0: reservations never expire.",
    )
    cash_expiry_release = fields.Boolean(
        string="Release the Reservation at Expiry",
        help="When a reservation for collection expires, the goods are unreserved "
        "(the order and its delivery are kept; the hand-over reserves them again).",
    )

    def _sop_invoice_triggers(self):
        # "At collection": the cash sale reserved now and paid when the customer
        # collects it. Cash sales hand over what is on the counter: no availability
        # check (the default hook).
        if self.kind == "cash":
            return ("confirmation", "collection")
        return super()._sop_invoice_triggers()

    @api.depends("cash_handover")
    def _compute_invoice_trigger(self):
        res = super()._compute_invoice_trigger()
        # A cash sale is invoiced when it is paid: at confirmation, or at the
        # collection for the orders reserved for it.
        for order_type in self.filtered(lambda t: t.kind == "cash"):
            order_type.invoice_trigger = (
                "collection"
                if order_type.cash_handover == "collect"
                else "confirmation"
            )
        return res

    @api.constrains("kind", "cash_handover", "invoice_trigger")
    def _check_cash_handover_trigger(self):
        for order_type in self.filtered(lambda t: t.kind == "cash"):
            collect = order_type.cash_handover == "collect"
            if collect != (order_type.invoice_trigger == "collection"):
                raise ValidationError(
                    _(
                        "%(type)s: a cash sale reserved for collection is invoiced "
                        "at collection; the other hand-overs at confirmation.",
                        type=order_type.name,
                    )
                )

    @api.constrains("cash_collect_days")
    def _check_cash_collect_days(self):
        if any(t.cash_collect_days < 0 for t in self):
            raise ValidationError(_("The collection period cannot be negative."))


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.depends("order_id.picking_ids.state")
    def _compute_qty_to_invoice(self):
        return super()._compute_qty_to_invoice()

    def _sop_invoiceable_qty(self):
        qty = super()._sop_invoiceable_qty()
        if self.order_id.type_kind != "cash":
            return qty
        trigger = self.order_id.type_id.invoice_trigger
        if trigger == "collection":
            # What left the shop; services with the first collection.
            if self.qty_delivered_method == "stock_move":
                return self.qty_delivered
            return self.product_uom_qty if self.order_id._sop_cash_collected() else 0.0
        if trigger == "confirmation" and qty is not None:
            # Goods brought back to the counter are credited (counter refund).
            return qty - self._sop_cash_returned_qty()
        return qty

    def _sop_cash_returned_qty(self):
        """Quantity returned by the customer for a refund, in the line's unit."""
        self.ensure_one()
        moves = self.move_ids.filtered(
            lambda m: m.state == "done"
            and m.to_refund
            and m.origin_returned_move_id
            and m.location_dest_id.usage != "customer"
        )
        return sum(
            m.product_uom._compute_quantity(m.quantity, self.product_uom) for m in moves
        )


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        # Paid online: the customer confirms; the cash sale waits for the back office
        # to settle it with this payment (no cash payment, no hand-over now).
        with internal_flag(self.sudo().sale_order_ids, CUSTOMER_CONFIRMS):
            return super()._check_amount_and_confirm_order()
