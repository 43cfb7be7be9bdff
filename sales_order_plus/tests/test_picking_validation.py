# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SalesOrderPlusCase


@tagged("post_install", "-at_install")
class TestPickingValidation(SalesOrderPlusCase):
    """The one partial validation of transfers the kinds share (the counter's
    hand-over, a provider's shipment report)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["product.product"].create(
            {"name": "SOP Other", "is_storable": True, "list_price": 10.0}
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.other, cls.stock_location, 100.0
        )

    def _delivery(self):
        order = self._create_order(lines=[(self.product, 5.0), (self.other, 3.0)])
        order.action_confirm()
        picking = order.picking_ids
        picking.action_assign()
        moves = {m.product_id: m for m in picking.move_ids}
        return picking, moves[self.product], moves[self.other]

    def _check_partial(self, checks):
        picking, move, other = self._delivery()
        picking._sop_validate_quantities({move: 2.0, other: 0.0}, checks=checks)
        self.assertEqual(picking.state, "done")
        self.assertEqual(move.quantity, 2.0)
        backorder = picking.backorder_ids
        self.assertEqual(len(backorder), 1)
        self.assertEqual(other.picking_id, backorder)
        self.assertEqual(
            sorted(backorder.move_ids.mapped("product_uom_qty")), [3.0, 3.0]
        )
        self.assertEqual(backorder.state, "assigned")

    def test_partial_with_checks_backorders_the_rest(self):
        self._check_partial(checks=True)

    def test_partial_without_checks_backorders_the_rest(self):
        self._check_partial(checks=False)

    def test_no_backorder_cancels_the_rest(self):
        picking, move, other = self._delivery()
        picking._sop_validate_quantities({move: 2.0, other: 0.0}, backorder=False)
        self.assertEqual(picking.state, "done")
        self.assertFalse(picking.backorder_ids)
        self.assertEqual(other.state, "cancel")

    def test_stuck_is_one_error(self):
        picking, move, other = self._delivery()
        wizard = {"type": "ir.actions.act_window", "name": "Confirm expired lots"}
        with (
            patch.object(
                type(self.env["stock.picking"]),
                "_pre_action_done_hook",
                lambda pickings: wizard,
            ),
            self.assertRaisesRegex(
                UserError,
                rf"^Blocked:\nValidating {picking.name} asks for more input "
                r"\(Confirm expired lots\)\.$",
            ),
        ):
            picking._sop_validate_quantities({move: 5.0}, "Blocked:")
