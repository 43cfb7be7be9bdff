# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

# The kind is the behaviour of a type; everything else on the type is configuration.
# Each kind's behaviour lives in models/kind_<kind>.py, which overrides the steps of
# models/sale_order.py and Odoo's own hooks for the orders of its kind.
KINDS = [
    ("standard", "Standard"),
    ("cash", "Cash Sale"),
    ("rush", "Rush Order"),
    ("schedule", "Delivery Schedule"),
    ("third_party", "Third-Party Order"),
]

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
# The kinds that check availability, and their default policy (cash sales hand over
# what is on the counter; third-party orders ship from the vendor's stock).
KIND_AVAILABILITY_DEFAULTS = {
    "standard": "none",
    "rush": "partial",
    "schedule": "refuse",
}

# The triggers each kind offers, its default (today's behaviour) first. "At
# collection": the cash sale reserved now and paid when the customer collects it.
KIND_INVOICE_TRIGGERS = {
    "standard": ("manual",),
    "cash": ("confirmation", "collection"),
    "rush": ("delivery", "manual"),
    "schedule": ("manual",),
    "third_party": ("shipment", "vendor_bill", "manual"),
}


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
    # Cash sale settings
    # ------------------------------------------------------------------
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

    # ------------------------------------------------------------------
    # Rush order settings
    # ------------------------------------------------------------------
    rush_cutoff_time = fields.Float(
        string="Cutoff Time",
        default=14.0,
        help="Daily cutoff in the company's time zone: a rush order confirmed before "
        "it is delivered the same working day, after it the next working day of the "
        "company's calendar.",
    )
    rush_fee_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Rush Fee",
        domain="[('sale_ok', '=', True)]",
        help="Added once to a rush order at confirmation when it is not on it yet.",
    )

    @api.depends("kind")
    def _compute_invoice_trigger(self):
        for order_type in self:
            offered = KIND_INVOICE_TRIGGERS.get(order_type.kind, ("manual",))
            if order_type.invoice_trigger not in offered:
                order_type.invoice_trigger = offered[0]

    @api.depends("kind")
    def _compute_availability_policy(self):
        for order_type in self:
            if order_type.kind not in KIND_AVAILABILITY_DEFAULTS:
                order_type.availability_policy = "none"
            elif not order_type.availability_policy or (
                order_type.availability_policy == "none"
                and order_type.kind != "standard"
            ):
                order_type.availability_policy = KIND_AVAILABILITY_DEFAULTS[
                    order_type.kind
                ]

    @api.constrains("kind", "availability_policy")
    def _check_availability_policy(self):
        for order_type in self:
            checks = order_type.kind in KIND_AVAILABILITY_DEFAULTS
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
            offered = KIND_INVOICE_TRIGGERS.get(order_type.kind, ("manual",))
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

    @api.constrains("rush_cutoff_time")
    def _check_rush_cutoff_time(self):
        for order_type in self:
            if not 0.0 <= order_type.rush_cutoff_time < 24.0:
                raise ValidationError(
                    _("The cutoff time must lie between 00:00 and 23:59.")
                )

    # ------------------------------------------------------------------
    # Delivery schedule settings
    # ------------------------------------------------------------------
    schedule_release_horizon = fields.Integer(
        string="Release Horizon (days)",
        default=0,
        help="Schedule lines due within this many days from today are released to the "
        "warehouse (a delivery is created for them); a daily scheduled action releases "
        "the others as they come into the horizon. 0 releases every schedule line at "
        "confirmation.",
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

    # ------------------------------------------------------------------
    # Third-party order settings
    # ------------------------------------------------------------------
    third_party_auto_confirm = fields.Boolean(
        string="Confirm Purchase Orders Automatically",
        help="Third-party orders: the purchase orders created at confirmation are "
        "confirmed at once, unless the routing rule that chose the vendor says "
        "otherwise. Without it they stay requests for quotation.",
    )
    third_party_margin_guard = fields.Selection(
        selection=[("warn", "Warn"), ("block", "Block confirmation")],
        string="Vendor Cost at or Above Sale Price",
        default="warn",
        required=True,
        help="Third-party orders: what happens when a line's vendor cost (in the "
        "order currency) is at or above its sale price.",
    )

    third_party_fulfiller = fields.Selection(
        selection=[
            ("vendor", "Vendor (drop-ship)"),
            ("provider", "Logistics provider (3PL)"),
            ("own", "Our warehouse"),
        ],
        string="Fulfilled By",
        default="vendor",
        help="Third-party orders: who ships a line when no routing rule names a "
        "fulfiller.",
    )
    third_party_warehouse_id = fields.Many2one(
        comodel_name="stock.warehouse",
        string="Fulfilling Warehouse",
        help="Third-party orders fulfilled by a logistics provider (or our "
        "warehouse): the warehouse that ships, when no routing rule names one.",
    )
    third_party_ack_hours = fields.Integer(
        string="Hours to Acknowledge",
        default=24,
        help="Third-party orders: the salesperson gets an activity when the "
        "fulfiller has not acknowledged a dispatch order this many hours after it "
        "was sent (0: no reminder).",
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
