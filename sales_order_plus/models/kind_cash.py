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


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------------
    # Confirmation
    # ------------------------------------------------------------------
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
        self.filtered(lambda o: o.type_kind == "cash")._sop_cash_check_confirm()
        return res

    def _sop_cash_check_confirm(self):
        # Two confirmations of the same order at once (double click, retried call) are
        # stopped by the row lock of sale.order.action_confirm before this check.
        problems = []
        for order in self:
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
            if order.type_id.cash_handover == "counter":
                problems += order._sop_cash_stock_shortages()
        if problems:
            raise UserError(
                _("These cash sales cannot be confirmed:") + "\n" + "\n".join(problems)
            )

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
        self.filtered(lambda o: o.type_kind == "cash")._sop_cash_settle()
        return res

    def _sop_cash_settle(self):
        """Invoice, pay and (at the counter) hand over the confirmed cash sales."""
        for order in self:
            # The salesperson at the counter settles the sale; the invoice, payment and
            # delivery it implies do not need accounting or warehouse rights.
            order = order.sudo().with_company(order.company_id)
            invoice = order._create_invoices(grouped=True, final=True)
            invoice.action_post()
            order._sop_cash_pay(invoice)
            if order.type_id.cash_handover == "counter":
                order._sop_cash_hand_over()

    def _sop_cash_pay(self, invoice):
        """Pay the posted invoice in full in the cash journal, in the order's
        currency, with Odoo's payment wizard (which reconciles it)."""
        self.ensure_one()
        if invoice.currency_id.is_zero(invoice.amount_residual):
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
        other (pick, pack, ship), without backorder."""
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
            ready.with_context(
                skip_backorder=True,
                picking_ids_not_to_backorder=ready.ids,
                skip_sms=True,
            ).button_validate()
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
        """Confirm the selected quotations as cash sales (server action)."""
        return self._sop_confirm_quotations_of_kind(
            "cash",
            _(
                "Only quotations of a cash sale type can be settled as cash sales: "
                "%(orders)s."
            ),
        )


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.depends("order_id.type_kind")
    def _compute_qty_to_invoice(self):
        # A cash sale is paid in full at once: its lines are invoiced on ordered
        # quantities whatever the product's invoicing policy.
        res = super()._compute_qty_to_invoice()
        for line in self:
            if (
                line.order_id.type_kind == "cash"
                and line.state == "sale"
                and not line.display_type
            ):
                line.qty_to_invoice = line.product_uom_qty - line.qty_invoiced
        return res
