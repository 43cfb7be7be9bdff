# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, fields, models
from odoo.tools import float_compare

from .integrity import raise_problems, refuse_derived_writes


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # Stored so that warehouse users filter and group transfers by order type and kind.
    sale_type_id = fields.Many2one(
        comodel_name="sale.order.type",
        string="Sale Order Type",
        related="sale_id.type_id",
        store=True,
        index="btree_not_null",
    )
    sale_type_kind = fields.Selection(
        string="Order Kind",
        related="sale_id.type_id.kind",
        store=True,
    )

    def write(self, vals):
        refuse_derived_writes(self, vals, ["sale_type_id", "sale_type_kind"])
        return super().write(vals)

    def _sop_validate_quantities(
        self, quantities, title=None, *, checks=True, backorder=True
    ):
        """Validate the transfers for ``quantities`` ({stock.move: quantity in the
        move's unit}): a move listed with a quantity is picked for it, one listed
        with none is not picked; moves not listed keep what they have. What is not
        validated goes to a backorder (``backorder=False``: it is cancelled).

        ``checks``: through ``button_validate``, with Odoo's sanity checks and
        pre-validation wizards (expiry, quality ...), which cannot be answered
        here; else straight ``_action_done``, for goods that left outside Odoo
        already (a provider's shipment report). A transfer that is not done after
        it is one error under ``title``: the caller's savepoint or transaction
        takes everything back."""
        picked = unpicked = self.env["stock.move"]
        for move, qty in quantities.items():
            rounding = move.product_uom.rounding
            if float_compare(move.quantity, qty, precision_rounding=rounding):
                move.quantity = qty
            if float_compare(qty, 0.0, precision_rounding=rounding) > 0:
                picked |= move
            else:
                unpicked |= move
        picked.picked = True
        unpicked.picked = False
        if checks:
            context = {"skip_backorder": True}
            if not backorder:
                context["picking_ids_not_to_backorder"] = self.ids
            action = self.with_context(**context).button_validate()
        else:
            action = self.with_context(cancel_backorder=not backorder)._action_done()
        stuck = self.filtered(lambda p: p.state != "done")
        if stuck:
            raise_problems(
                title or _("The transfers cannot be validated:"),
                [
                    _(
                        "Validating %(transfers)s asks for more input (%(step)s).",
                        transfers=", ".join(stuck.mapped("name")),
                        step=(isinstance(action, dict) and action.get("name"))
                        or _("no progress"),
                    )
                ],
            )
        return self
