# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, fields, models
from odoo.exceptions import UserError

# The kind is the behaviour of a type; everything else on the type is configuration.
# Each kind's behaviour lives in ``sale.order`` methods named ``_sop_<step>_<kind>``
# (see models/sale_order.py for the steps).
KINDS = [
    ("standard", "Standard"),
    ("cash", "Cash Sale"),
    ("rush", "Rush Order"),
    ("schedule", "Delivery Schedule"),
    ("third_party", "Third-Party Order"),
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

    # ------------------------------------------------------------------
    # Cash sale settings
    # ------------------------------------------------------------------

    # ------------------------------------------------------------------
    # Rush order settings
    # ------------------------------------------------------------------

    # ------------------------------------------------------------------
    # Delivery schedule settings
    # ------------------------------------------------------------------

    # ------------------------------------------------------------------
    # Third-party order settings
    # ------------------------------------------------------------------

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
        used = self.env["sale.order"].sudo().search_count(
            [("type_id", "in", changing.ids), ("state", "=", "sale")], limit=1
        )
        if used:
            raise UserError(
                _(
                    "The kind of an order type cannot be changed while it has "
                    "confirmed orders. Create a new order type instead."
                )
            )
