# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _get_qty_procurement(self, previous_product_uom_qty=False):
        # sale_mrp counts a kit's parts over the whole sales line: a scheduled line is
        # counted by its schedule (per date), whichever add-on Odoo loads last.
        qty = self._sop_schedule_qty_procurement()
        if qty is not None:
            return qty
        return super()._get_qty_procurement(previous_product_uom_qty)

    def _sop_kit_bom(self):
        """The line's kit (phantom bill of materials), as sale_mrp finds it; sudo as
        sale_mrp's: salespeople need not read manufacturing data."""
        self.ensure_one()
        return (
            self.env["mrp.bom"]
            .sudo()
            ._bom_find(
                self.product_id, bom_type="phantom", company_id=self.company_id.id
            )[self.product_id]
        )

    def _sop_schedule_qty_procured_date(self, sched):
        """A kit's date: the whole kits its parts' moves make up (sale_mrp's count,
        ``_compute_kit_quantities``, on the date's moves and the date's quantity)."""
        bom = self._sop_kit_bom()
        if not bom:
            return super()._sop_schedule_qty_procured_date(sched)
        moves = sched.move_ids.filtered(
            lambda m: m.sale_line_id == self and m.state != "cancel" and not m.scrapped
        )
        kit_qty = self.product_uom._compute_quantity(
            sched.product_uom_qty, bom.product_uom_id
        )
        qty = moves._compute_kit_quantities(
            self.product_id, kit_qty, bom, self._get_incoming_outgoing_moves_filter()
        )
        return bom.product_uom_id._compute_quantity(qty, self.product_uom)
