# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from odoo.addons.queue_job.job import identity_exact

from .integrity import (
    lock_nowait,
    lock_wait,
    raise_problems,
    refuse_derived_writes,
    risk_override,
)

# Mass actions on more orders than this run as one background job per order
# (queue_job); fewer run at once, so the user sees the outcome (system parameter
# sales_order_plus.job_batch_size).
JOB_BATCH_SIZE = 20


class SaleOrder(models.Model):
    """The confirmation pipeline shared by every kind.

    Its steps, in the order they run (this is the one place that says it): plain
    methods that each kind file (``models/kind_<kind>.py``) overrides; it calls
    ``super()`` and acts on ``self.filtered(lambda o: o.type_kind == "<kind>")``, as
    OCA's sale_order_type and Odoo's sale_stock extend ``sale.order``. Each kind acts
    on its own orders, so the order in which the kinds' overrides of one step run
    (the import order of models/__init__.py) does not matter.

    ``action_confirm``:

    1. ``_sop_confirm_atomic``: whether the whole confirmation runs in a savepoint
       (all or nothing even when the caller catches the error and goes on);
    2. the row locks of the orders (a second confirmation gets a clear error);
    3. ``_sop_check_confirm``: the checks, before Odoo writes anything (required
       fields, quantities; the kinds' own, the credit check of
       models/sale_order_credit.py);
    4. ``_sop_promise_confirm``: after every check, the promise of the goods
       (models/sale_order_availability.py; it may refuse too);
    5. Odoo writes the state, then ``_action_confirm``:

       a. ``_sop_prepare_confirm``: before sale_stock launches procurement (dates,
          extra lines the procurement must see);
       b. Odoo's and sale_stock's confirmation: procurement, transfers, purchases;
       c. ``_sop_after_confirm``: after procurement (invoices, payments, hand-over,
          backorders, transfer priorities).

    ``action_cancel``: ``_sop_check_cancel``, before Odoo's cancel wizard.

    Invoicing (``sale.order.line``): ``_sop_invoiceable_qty``, per the type's
    trigger. The type's hooks (models/sale_order_type.py): ``_sop_invoice_triggers``,
    ``_sop_availability_default``; availability (models/sale_order_line_availability
    .py): ``_sop_availability_*``; credit (models/sale_order_credit.py):
    ``_sop_credit_*``. A kind that overrides none of them behaves like a standard
    order.
    """

    _inherit = "sale.order"

    type_kind = fields.Selection(
        string="Order Kind",
        related="type_id.kind",
        store=True,
        index=True,
    )

    # ------------------------------------------------------------------
    # Numbering
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New") and vals.get("type_id"):
                sequence = (
                    self.env["sale.order.type"].browse(vals["type_id"]).sequence_id
                )
                if sequence:
                    # Same date rule as sale.order.create: the order date in the user's
                    # time zone picks the date range (OCA's numbering uses UTC).
                    vals["name"] = sequence.next_by_id(
                        sequence_date=self._sop_sequence_date(vals)
                    )
        return super().create(vals_list)

    @api.model
    def _sop_sequence_date(self, vals):
        if not vals.get("date_order"):
            return None
        return fields.Datetime.context_timestamp(
            self, fields.Datetime.to_datetime(vals["date_order"])
        )

    # ------------------------------------------------------------------
    # Type locked after confirmation
    # ------------------------------------------------------------------
    def _compute_sale_type_id(self):
        # A confirmed order keeps its type even when its partner or company changes.
        locked = self.filtered(
            lambda o: o.state in ("sale", "cancel") and o._origin.type_id
        )
        for order in locked:
            order.type_id = order._origin.type_id
        return super(SaleOrder, self - locked)._compute_sale_type_id()

    def write(self, vals):
        refuse_derived_writes(self, vals, ["type_kind"])
        if "type_id" in vals:
            self._check_type_change(vals["type_id"])
        return super().write(vals)

    def _check_type_change(self, new_type_id):
        locked = self.filtered(
            lambda o: o.state in ("sale", "cancel")
            and o.type_id.id != (new_type_id or False)
        )
        if locked:
            raise UserError(
                _(
                    "The order type cannot be changed once the order is confirmed: "
                    "%(orders)s.",
                    orders=", ".join(locked.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Confirmation pipeline
    # ------------------------------------------------------------------
    def action_confirm(self):
        def confirm():
            # Two sessions confirming the same order at once: the second one gets a
            # clear retryable error at once instead of a duplicate run (or a long
            # wait).
            lock_nowait(
                self,
                _(
                    "%(orders)s is being confirmed by another user or process. "
                    "Please reload the order and try again.",
                    orders=", ".join(self.mapped("name")),
                ),
            )
            # Checks first: nothing is written when one fails.
            quotations = self.filtered(lambda o: o.state in ("draft", "sent"))
            quotations._sop_check_confirm()
            quotations._sop_promise_confirm()
            return super(SaleOrder, self).action_confirm()

        if not self._sop_confirm_atomic():
            return confirm()
        # All or nothing even when the caller catches the error and goes on (an
        # automation, a loop over orders): the savepoint takes back the orders'
        # confirmation and what the kinds did with it together.
        with self.env.cr.savepoint():
            return confirm()

    def _action_confirm(self):
        self._sop_prepare_confirm()
        res = super()._action_confirm()
        self._sop_after_confirm()
        return res

    def _should_be_locked(self):
        # Orders of a contract type are locked once confirmed, as an agreement is.
        return self.type_id.is_contract or super()._should_be_locked()

    def _sop_check_confirm(self):
        """Refuse the confirmation of quotations ``self`` before anything is written
        (kinds add their checks)."""
        self._sop_check_required_fields()
        self._sop_check_quantities()

    def _sop_confirm_atomic(self):
        """Whether the confirmation of ``self`` runs in a savepoint of its own (kinds
        that write documents beyond Odoo's at confirmation say so)."""
        return False

    def _sop_promise_confirm(self):
        """Promise the goods of quotations ``self`` once every check passed (the
        availability at confirmation, models/sale_order_availability.py): it may
        still refuse, and writes only what it promises."""

    def _sop_prepare_confirm(self):
        """The kinds' work on the orders ``self`` once they are confirmed, before
        procurement is launched (what the transfers must take: dates, lines)."""

    def _sop_after_confirm(self):
        """The kinds' work once the orders ``self`` are confirmed and procured
        (invoices, payments, hand-over, transfer priorities)."""

    def _sop_check_quantities(self):
        """Kinds act on quantities (pay, deliver by date, buy from a vendor): a negative
        line (which plain Odoo accepts as a return or a discount) or an order with
        nothing to sell would make them pay back, deliver or buy nonsense. Standard
        orders keep Odoo's behaviour."""
        problems = []
        for order in self._sop_of_a_kind():
            lines = order._sop_product_lines()
            negative = lines.filtered(lambda ln: ln._sop_sign("product_uom_qty") < 0)
            if negative:
                problems.append(
                    _(
                        "%(order)s: negative quantity on %(products)s",
                        order=order.name,
                        products=", ".join(negative.product_id.mapped("display_name")),
                    )
                )
            elif not any(line._sop_sign("product_uom_qty") > 0 for line in lines):
                problems.append(
                    _("%(order)s: no line with a quantity to sell", order=order.name)
                )
        raise_problems(
            _(
                "These orders cannot be confirmed: orders of this type need "
                "positive quantities (record returns and discounts on a standard "
                "order or a credit note)."
            ),
            problems,
        )

    # ------------------------------------------------------------------
    # Cancellation
    # ------------------------------------------------------------------
    def action_cancel(self):
        # Before Odoo's cancel wizard: the user learns at once what blocks the cancel.
        self._sop_check_cancel()
        return super().action_cancel()

    def _sop_check_cancel(self):
        """A kind's order whose goods have left (and not come back) cannot be cancelled:
        stock would be out with nothing to invoice. Standard orders keep Odoo's
        behaviour (cancel allowed, done transfers stay, the cancel wizard warns)."""
        delivered = self._sop_of_a_kind().filtered(
            lambda o: o.state == "sale"
            and any(ln._sop_sign("qty_delivered") > 0 for ln in o._sop_product_lines())
        )
        if delivered:
            raise UserError(
                _(
                    "Goods of these orders have already been delivered: %(orders)s. "
                    "Return them first, or keep the order and issue a credit note.",
                    orders=", ".join(delivered.mapped("name")),
                )
            )

    def _sop_check_invoices_credited(self):
        """Refuse to cancel orders ``self`` whose posted customer invoices are not
        credited: a paid or billed sale would stay in the books of a cancelled order
        (kinds that invoice on their own call it from ``_sop_check_cancel``)."""
        uncredited = self.filtered(
            lambda o: o.state == "sale"
            and not o.company_id.currency_id.is_zero(
                sum(
                    move.amount_total_signed
                    for move in o.invoice_ids
                    if move.state == "posted"
                )
            )
        )
        if uncredited:
            raise UserError(
                _(
                    "These orders have posted invoices that are not credited: "
                    "%(orders)s. Issue a credit note (and pay back what was paid) "
                    "first, then cancel the order.",
                    orders=", ".join(uncredited.mapped("name")),
                )
            )

    def _sop_invoice_and_post(self, grouped=True, locked=False):
        """Create and post the customer invoices of what is invoiceable on the
        confirmed orders ``self`` (the type's invoicing trigger, when the kind's
        event comes: a settlement, a delivery, a shipment, a vendor bill).
        Idempotent: only what is not invoiced yet is invoiced, and the order rows are
        locked so that two runs never invoice twice. Run as superuser: the invoice
        follows whoever validated or posted, it is not a right they need (the type's
        journal applies through OCA sale_order_type's _prepare_invoice). ``locked``:
        the caller already holds the orders' row locks."""
        orders = self.sudo().filtered(lambda o: o.state == "sale")
        moves = self.env["account.move"].sudo()
        if not orders:
            return moves
        if not locked:
            self.env.flush_all()
            lock_wait(orders)
        invoiceable = orders.filtered(
            lambda o: any(
                line._sop_sign("qty_to_invoice") > 0
                for line in o.order_line
                if not line.display_type
            )
        )
        for company, company_orders in invoiceable.grouped("company_id").items():
            # final: down payments are deducted, as the consistency check expects.
            moves |= company_orders.with_company(company)._create_invoices(
                grouped=grouped, final=True
            )
        # The order's credit was checked when it was confirmed; its invoice turns the
        # order's risk into invoice risk. OCA's over-risk wizard would leave it draft.
        with risk_override(moves) as to_post:
            to_post.action_post()
        return moves

    def _sop_of_a_kind(self):
        """The orders whose type has a kind other than standard."""
        return self.filtered(lambda o: o.type_kind and o.type_kind != "standard")

    def _sop_product_lines(self):
        return self.order_line.filtered(
            lambda line: not line.display_type and not line.is_downpayment
        )

    def _sop_confirm_quotations_of_kind(self, kind, message):
        """Confirm the orders when all are quotations of ``kind`` (the kinds' server
        actions); else raise ``message`` (translated, with ``%(orders)s``) naming the
        others. Many orders are confirmed by one job each."""
        self.check_access("write")
        wrong = self.filtered(
            lambda o: o.type_kind != kind or o.state not in ("draft", "sent")
        )
        if wrong:
            raise UserError(message % {"orders": ", ".join(wrong.mapped("name"))})
        result = self._sop_run_or_enqueue(
            _("Confirm the order"), lambda target, order: target._sop_confirm_job()
        )
        # A server action shows what it returns: an action (the jobs' notification,
        # a wizard of the confirmation) or nothing.
        return result if isinstance(result, dict) else False

    def _sop_confirm_job(self):
        """The mass confirmation of the orders (at once, or one job per order in its
        own transaction)."""
        return self.action_confirm()

    # ------------------------------------------------------------------
    # Background jobs (queue_job)
    # ------------------------------------------------------------------
    def _sop_run_or_enqueue(self, description, call):
        """Run ``call(target, order)`` at once on all the orders (``target`` and
        ``order`` are then ``self``), or, for more orders than the batch size, as one
        job per order (``target`` is the order's delayable). Returns ``call``'s
        result, or a notification of the jobs enqueued."""
        batch_size = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("sales_order_plus.job_batch_size", JOB_BATCH_SIZE)
        )
        if len(self) <= batch_size:
            return call(self, self)
        for order in self:
            call(
                order.with_company(order.company_id).with_delay(
                    description=f"{description}: {order.name}",
                    identity_key=identity_exact,
                ),
                order,
            )
        return self._sop_notification(
            _(
                "%(count)s orders are processed in the background; each order's "
                "chatter shows a failure.",
                count=len(self),
            )
        )

    @api.model
    def _sop_notification(self, message):
        """A client action showing ``message`` (what a server action returns)."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _sop_job_failed(self, exc_name=None, exc_message=None, **kwargs):
        """A background job of these orders failed for good (queue_job's
        ``on_fail_method``): an activity tells the salesperson why, as Odoo's
        scheduler does for procurement exceptions."""
        for order in self:
            order.activity_schedule(
                "mail.mail_activity_data_warning",
                user_id=order.user_id.id or self.env.uid,
                summary=_("Background job failed"),
                note=exc_message or exc_name or "",
            )

    def _sop_missing_required_fields(self):
        """Labels of the type's required fields that are empty on this order."""
        self.ensure_one()
        return [
            field.field_description
            for field in self.type_id.required_field_ids
            if field.name in self._fields and not self[field.name]
        ]

    def _sop_check_required_fields(self):
        problems = []
        for order in self:
            missing = order._sop_missing_required_fields()
            if missing:
                problems.append(
                    _(
                        "%(order)s: %(fields)s",
                        order=order.name,
                        fields=", ".join(missing),
                    )
                )
        raise_problems(
            _("These orders cannot be confirmed, required fields are missing:"),
            problems,
        )


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.depends("order_id.type_id.invoice_trigger", "order_id.type_kind")
    def _compute_qty_to_invoice(self):
        # One invoicing rule for every kind: the type's trigger says which quantity
        # is invoiceable (none: Odoo's invoicing policy). Kinds add the fields their
        # rule reads to the dependencies (an override calling super()).
        res = super()._compute_qty_to_invoice()
        for line in self:
            if line.state != "sale" or line.display_type:
                continue
            qty = line._sop_invoiceable_qty()
            if qty is not None:
                line.qty_to_invoice = qty - line.qty_invoiced
        return res

    def _sop_invoiceable_qty(self):
        """The quantity of the line the type's invoicing trigger makes invoiceable, or
        None when Odoo's invoicing policy applies. Kinds override it for their
        triggers and rules (super() first)."""
        self.ensure_one()
        trigger = self.order_id.type_id.invoice_trigger
        if trigger == "confirmation":
            # Paid in full at once: ordered quantities, whatever the product policy.
            return self.product_uom_qty
        if trigger == "delivery" and self.qty_delivered_method == "stock_move":
            # Paid after delivery; services keep their policy.
            return self.qty_delivered
        return None

    def _sop_sign(self, field_name):
        """-1, 0 or 1: the sign of a quantity field, at the line's unit rounding."""
        self.ensure_one()
        return float_compare(
            self[field_name], 0.0, precision_rounding=self.product_uom.rounding or 0.01
        )
