# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Shipment reports: idempotent per dispatch order and report reference (a file
with several dispatch orders under one reference, a reference reused on another
dispatch order or for other content), and the 2- and 3-step deliveries of a
logistics provider's warehouse processed as a chain."""

import base64

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_third_party_fulfilment import (
    FulfilmentCase,
    confirmed_3pl_order,
    shipment_csv,
)


@tagged("post_install", "-at_install")
class TestShipmentReportIdempotence(FulfilmentCase):
    def _api(self, dispatch, qty, report_ref, carrier="DPD", tracking=("0456",)):
        return (
            self.env["sale.third.party.dispatch"]
            .with_user(self.provider_api)
            .sop_report_shipment(
                dispatch.name,
                [{"product_code": "SOP-RACK", "quantity": qty}],
                carrier,
                list(tracking),
                "",
                report_ref,
            )
        )

    def test_file_with_two_dispatch_orders_under_one_reference(self):
        first = confirmed_3pl_order(self, qty=2.0).sop_dispatch_ids
        second = confirmed_3pl_order(self, qty=3.0).sop_dispatch_ids
        content = shipment_csv(
            [
                [first.name, "SOP-RACK", "2", "DPD", "111", "", "DAY-1"],
                [second.name, "SOP-RACK", "3", "DPD", "222", "", "DAY-1"],
            ]
        )
        self.env["sale.third.party.shipment.import"].create(
            {"file": base64.b64encode(content), "filename": "day.csv"}
        ).action_import()
        self.assertEqual((first.state, second.state), ("shipped", "shipped"))
        self.assertEqual(first.order_id.order_line.qty_delivered, 2.0)
        self.assertEqual(second.order_id.order_line.qty_delivered, 3.0)
        self.assertEqual(
            (first.report_ids.report_ref, second.report_ids.report_ref),
            ("DAY-1", "DAY-1"),
        )
        # The same file again changes nothing.
        self.env["sale.third.party.shipment.import"].create(
            {"file": base64.b64encode(content), "filename": "day.csv"}
        ).action_import()
        self.assertEqual(len(first.report_ids | second.report_ids), 2)
        self.assertEqual(second.order_id.order_line.qty_delivered, 3.0)

    def test_reference_reused_on_another_dispatch_order(self):
        first = confirmed_3pl_order(self, qty=2.0).sop_dispatch_ids
        second = confirmed_3pl_order(self, qty=3.0).sop_dispatch_ids
        self._api(first, 2, "R-1")
        result = self._api(second, 3, "R-1")
        self.assertEqual(result["reference"], second.name)
        self.assertEqual(result["state"], "shipped")
        self.assertEqual(second.order_id.order_line.qty_delivered, 3.0)
        self.assertEqual(first.order_id.order_line.qty_delivered, 2.0)

    def test_reference_reused_for_other_content_is_refused(self):
        dispatch = confirmed_3pl_order(self, qty=10.0).sop_dispatch_ids
        first = self._api(dispatch, 4, "R-7")
        # A retry with the same content: the same answer, nothing new.
        self.assertEqual(self._api(dispatch, 4.0, "R-7"), first)
        for qty, carrier, tracking in ((5, "DPD", ("0456",)), (4, "UPS", ("0456",))):
            with self.assertRaisesRegex(UserError, "R-7.*already") as error:
                self._api(dispatch, qty, "R-7", carrier, tracking)
            self.assertIn(dispatch.name, str(error.exception))
        self.assertEqual(len(dispatch.report_ids), 1)
        self.assertEqual(dispatch.order_id.order_line.qty_delivered, 4.0)


@tagged("post_install", "-at_install")
class TestShipmentMultiStep(FulfilmentCase):
    """A provider's warehouse with 2- or 3-step delivery: the provider picks, packs
    and ships; its report processes the whole chain, as Odoo validates it."""

    def _warehouse(self, code, steps):
        warehouse = self.env["stock.warehouse"].create(
            {
                "name": f"SOP 3PL {code}",
                "code": code,
                "sop_provider_id": self.provider.id,
                "delivery_steps": steps,
            }
        )
        self.env["stock.quant"]._update_available_quantity(
            self.rack, warehouse.lot_stock_id, 20.0
        )
        self.type_3pl.third_party_warehouse_id = warehouse
        return warehouse

    def _quants(self, warehouse):
        quants = self.env["stock.quant"].search(
            [
                ("product_id", "=", self.rack.id),
                ("location_id", "child_of", warehouse.view_location_id.id),
            ]
        )
        return {
            q.location_id: (q.quantity, q.reserved_quantity)
            for q in quants
            if q.quantity
        }

    def _check_chain(self, steps, count):
        warehouse = self._warehouse(f"M{count}", steps)
        order = confirmed_3pl_order(self, qty=10.0)
        # Odoo 18 creates the chain's first step (the pick) at confirmation and
        # pushes the next ones when it is done: the dispatch order hands the pick
        # over to the provider, who picks, packs and ships.
        dispatch = order.sop_dispatch_ids
        self.assertEqual(len(dispatch), 1)
        self.assertEqual(dispatch.partner_id, self.provider)
        self.assertEqual(dispatch.picking_id.picking_type_id, warehouse.pick_type_id)
        self.assertEqual(dispatch._sop_document()["lines"][0]["quantity"], 10.0)
        self._report(dispatch, 4, "C-1")
        self.assertEqual(dispatch.state, "partial")
        self.assertEqual(order.order_line.qty_delivered, 4.0)
        # Every step is done for 4, the pick keeps a backorder of 6; nothing
        # negative, the stock keeps the rest reserved for the backorder.
        done = order.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(len(done), count)
        self.assertEqual(
            done.picking_type_id,
            (warehouse.pick_type_id | warehouse.pack_type_id | warehouse.out_type_id)
            if count == 3
            else (warehouse.pick_type_id | warehouse.out_type_id),
        )
        self.assertEqual(set(done.move_ids.mapped("quantity")), {4.0})
        self.assertEqual(dispatch.picking_ids, order.picking_ids)
        backorder = dispatch.picking_id
        self.assertEqual(backorder.picking_type_id, warehouse.pick_type_id)
        self.assertEqual(backorder.move_ids.product_uom_qty, 6.0)
        self.assertEqual(self._quants(warehouse), {warehouse.lot_stock_id: (16.0, 6.0)})
        self.assertEqual(dispatch._sop_document()["lines"][0]["quantity"], 6.0)
        # The rest ships: the chain is done, 10 left the warehouse.
        self._report(dispatch, 6, "C-2")
        self.assertEqual(dispatch.state, "shipped")
        self.assertEqual(set(order.picking_ids.mapped("state")), {"done"})
        self.assertEqual(dispatch.picking_ids, order.picking_ids)
        self.assertEqual(order.order_line.qty_delivered, 10.0)
        self.assertEqual(self._quants(warehouse), {warehouse.lot_stock_id: (10.0, 0.0)})
        self.assertEqual(len(order.sop_dispatch_ids), 1)

    def _report(self, dispatch, qty, ref):
        dispatch.with_user(self.provider_portal)._sop_report_shipment(
            [{"product_code": "SOP-RACK", "quantity": qty}], report_ref=ref
        )

    def test_two_steps(self):
        self._check_chain("pick_ship", 2)

    def test_three_steps(self):
        self._check_chain("pick_pack_ship", 3)

    def test_only_the_reported_products_move_up_the_chain(self):
        warehouse = self._warehouse("MX", "pick_ship")
        bolt = self.env["product.product"].create(
            {"name": "SOP Bolt 3PL", "is_storable": True, "default_code": "SOP-B3"}
        )
        self.env["stock.quant"]._update_available_quantity(
            bolt, warehouse.lot_stock_id, 5.0
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "type_id": self.type_3pl.id,
                "order_line": [
                    Command.create({"product_id": self.rack.id, "product_uom_qty": 2}),
                    Command.create({"product_id": bolt.id, "product_uom_qty": 5}),
                ],
            }
        )
        order.action_confirm()
        dispatch = order.sop_dispatch_ids
        self._report(dispatch, 2, "O-1")
        pick = order.picking_ids.filtered(
            lambda p: p.picking_type_id == warehouse.pick_type_id and p.state == "done"
        )
        self.assertEqual(pick.move_ids.product_id, self.rack)
        self.assertEqual(order.order_line.mapped("qty_delivered"), [2.0, 0.0])
        self.assertEqual(self._quants(warehouse)[warehouse.lot_stock_id], (18.0, 0.0))
