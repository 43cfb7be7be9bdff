# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.tools import float_is_zero


class SaleOrderScheduleLine(models.Model):
    _inherit = "sale.order.schedule.line"

    def _sop_schedule_shrink(self, qty):
        """A kit's date shrinks by ``qty`` kits (sales unit): each part's pending
        moves to the customer by its share of them, oldest first."""
        self.ensure_one()
        sale_line = self.order_line_id
        bom = sale_line._sop_kit_bom()
        if not bom:
            return super()._sop_schedule_shrink(qty)
        kits = sale_line.product_uom._compute_quantity(qty, bom.product_uom_id)
        _boms, parts = bom.explode(self.product_id, kits / bom.product_qty)
        moves = self._sop_schedule_pending_moves().filtered(
            lambda m: (m.location_final_id or m.location_dest_id)._is_outgoing()
        )
        for bom_line, data in parts:
            rounding = bom_line.product_id.uom_id.rounding
            left = bom_line.product_uom_id._compute_quantity(
                data["qty"], bom_line.product_id.uom_id
            )
            part_moves = moves.filtered(lambda m, bl=bom_line: m.bom_line_id == bl)
            for move in part_moves.sorted("id"):
                if float_is_zero(left, precision_rounding=rounding):
                    break
                reduce = min(left, move.product_qty)
                left -= reduce
                rest = move.product_qty - reduce
                if float_is_zero(rest, precision_rounding=rounding):
                    move._action_cancel()
                else:
                    move.product_uom_qty = move.product_id.uom_id._compute_quantity(
                        rest, move.product_uom
                    )
                    move._action_assign()
