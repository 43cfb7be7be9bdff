# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

# The kind is the behaviour of a type; everything else on the type is configuration.
# Each kind is one file, models/kind_<kind>.py: it adds its value to ``kind``
# (``selection_add``), declares its own settings on the type and overrides the hooks
# below (``_sop_invoice_triggers``, ``_sop_availability_default``) and the steps of
# models/sale_order.py for the orders of its kind. This file names no kind. The
# ``selection_add`` of each kind is anchored on a kind loaded before it
# (models/__init__.py), which keeps the order shown: standard, cash sale, rush order,
# delivery schedule, third-party order. Its ``ondelete`` is "set default" (standard):
# the field and its values come from this add-on, so it never applies.
KINDS = [
    ("standard", "Standard"),
]


def kind_selection(records):
    """The kinds of order types, every kind's value included, with their labels in the
    user's language: the selection of the reports' kind columns (SQL views)."""
    kind = records.env["sale.order.type"]._fields["kind"]
    return kind._description_selection(records.env)


# When the customer invoice of an order is created and posted, and for what.
INVOICE_TRIGGERS = [
    ("confirmation", "At confirmation"),
    ("delivery", "On delivery"),
    ("shipment", "On the fulfiller's shipment"),
    ("vendor_bill", "On the vendor bill"),
    ("collection", "At collection"),
    ("manual", "Manually"),
]
# What confirming an order does with goods lines that cannot be met on their date.
AVAILABILITY_POLICIES = [
    ("none", "No check"),
    ("refuse", "Refuse the order"),
    ("partial", "Confirm what is available, backorder the rest"),
    ("reschedule", "Move to the earliest full date"),
]


class SaleOrderType(models.Model):
    _inherit = "sale.order.type"

    kind = fields.Selection(
        selection=KINDS,
        required=True,
        default="standard",
        index=True,
        help="Behaviour of the orders of this type at confirmation, delivery and "
        "invoicing. Standard orders behave as in plain Odoo.",
    )
    required_field_ids = fields.Many2many(
        comodel_name="ir.model.fields",
        relation="sale_order_type_required_field_rel",
        column1="type_id",
        column2="field_id",
        string="Required Before Confirmation",
        domain=[("model", "=", "sale.order"), ("store", "=", True)],
        help="Order fields that must be filled in before an order of this type can "
        "be confirmed (incompletion check).",
    )

    invoice_trigger = fields.Selection(
        selection=INVOICE_TRIGGERS,
        string="Invoice the Customer",
        compute="_compute_invoice_trigger",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        help="When the customer invoice is created and posted, and for which "
        "quantities. At confirmation: the ordered quantities (cash sale). On "
        "delivery: the delivered quantities, when a delivery is validated (rush "
        "order). On the fulfiller's shipment: the quantities the vendor shipped to "
        "the customer. On the vendor bill: the quantities the vendor billed. "
        "Manually: nobody invoices automatically; a rush order still invoices "
        "delivered goods only, other kinds follow Odoo's invoicing policy.",
    )

    # ------------------------------------------------------------------
    # Hooks of the kinds (models/kind_<kind>.py)
    # ------------------------------------------------------------------
    def _sop_invoice_triggers(self):
        """The invoicing triggers the kind of this type offers, its default (today's
        behaviour) first. Kinds override it for their own value."""
        self.ensure_one()
        return ("manual",)

    def _sop_availability_default(self):
        """The default availability policy of the kind of this type, or False when
        orders of the kind never check availability. The standard order checks only
        when its type says so; kinds override it for their own value."""
        self.ensure_one()
        return "none" if self.kind == "standard" else False

    @api.depends("kind")
    def _compute_invoice_trigger(self):
        for order_type in self:
            offered = order_type._sop_invoice_triggers()
            if order_type.invoice_trigger not in offered:
                order_type.invoice_trigger = offered[0]

    @api.depends("kind")
    def _compute_availability_policy(self):
        for order_type in self:
            default = order_type._sop_availability_default()
            if not default:
                order_type.availability_policy = "none"
            elif not order_type.availability_policy or (
                order_type.availability_policy == "none"
                and order_type.kind != "standard"
            ):
                order_type.availability_policy = default

    @api.constrains("kind", "availability_policy")
    def _check_availability_policy(self):
        for order_type in self:
            checks = bool(order_type._sop_availability_default())
            if (order_type.availability_policy != "none") != checks and (
                order_type.kind != "standard"
            ):
                raise ValidationError(
                    _(
                        "%(type)s: rush orders and delivery schedules always check "
                        "the availability of their goods; other kinds except the "
                        "standard order do not.",
                        type=order_type.name,
                    )
                )

    @api.constrains("kind", "invoice_trigger")
    def _check_invoice_trigger(self):
        labels = dict(self._fields["invoice_trigger"]._description_selection(self.env))
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for order_type in self:
            offered = order_type._sop_invoice_triggers()
            if order_type.invoice_trigger not in offered:
                raise ValidationError(
                    _(
                        "%(type)s: a %(kind)s invoices %(offered)s, not "
                        "%(trigger)s.",
                        type=order_type.name,
                        kind=kinds[order_type.kind],
                        offered=", ".join(labels[t] for t in offered),
                        trigger=labels[order_type.invoice_trigger],
                    )
                )

    # ------------------------------------------------------------------
    # Availability at confirmation
    # ------------------------------------------------------------------
    availability_policy = fields.Selection(
        selection=AVAILABILITY_POLICIES,
        string="Goods Not Available",
        compute="_compute_availability_policy",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        help="What confirming an order of this type does when the stock on hand, "
        "the planned receipts and the existing commitments cannot cover a goods "
        "line on its delivery date. No check: Odoo's behaviour. Refuse: the order "
        "is not confirmed; the message lists the short lines and their earliest "
        "dates. Partial: what is available is confirmed for the date, the rest goes "
        "to a backorder dated when it becomes available. Reschedule: the line's "
        "delivery date moves to the day its whole quantity is available.",
    )

    sop_kind_checks_availability = fields.Boolean(
        string="Kind Checks Availability",
        compute="_compute_sop_kind_checks_availability",
        help="Orders of this kind check the availability of their goods at "
        "confirmation (the standard order when its type says so).",
    )

    @api.depends("kind")
    def _compute_sop_kind_checks_availability(self):
        for order_type in self:
            order_type.sop_kind_checks_availability = bool(
                order_type._sop_availability_default()
            )

    # ------------------------------------------------------------------
    # Order management settings
    # ------------------------------------------------------------------
    is_contract = fields.Boolean(
        string="Contract",
        help="Confirmed orders of this type are locked (Odoo's lock): prices, "
        "quantities and products agreed with the customer can no longer change. "
        "A sales administrator can unlock an order.",
    )

    # ------------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------------
    def write(self, vals):
        if "kind" in vals:
            self._check_kind_change(vals["kind"])
        return super().write(vals)

    def _check_kind_change(self, new_kind):
        """A kind's behaviour has already acted on confirmed orders (payments, schedule
        lines, purchase orders): switching it under them would leave them half one kind,
        half another."""
        changing = self.filtered(lambda t: t.kind != new_kind)
        if not changing:
            return
        # Posted invoices and done transfers (of cancelled orders too) carry the
        # type, and the kinds read it on them.
        used = (
            self.env["sale.order"]
            .sudo()
            .search_count(
                [("type_id", "in", changing.ids), ("state", "=", "sale")], limit=1
            )
            or self.env["account.move"]
            .sudo()
            .search_count(
                [("sale_type_id", "in", changing.ids), ("state", "=", "posted")],
                limit=1,
            )
            or self.env["stock.picking"]
            .sudo()
            .search_count(
                [("sale_type_id", "in", changing.ids), ("state", "=", "done")],
                limit=1,
            )
        )
        if used:
            raise UserError(
                _(
                    "The kind of an order type cannot be changed while it has "
                    "confirmed orders, posted invoices or done transfers. Create a "
                    "new order type instead."
                )
            )
