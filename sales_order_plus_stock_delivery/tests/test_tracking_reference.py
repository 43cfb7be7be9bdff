# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from odoo.addons.sales_order_plus.tests.test_third_party_fulfilment import (
    FulfilmentCase,
    confirmed_3pl_order,
)


@tagged("post_install", "-at_install")
class TestTrackingReference(FulfilmentCase):
    """sales_order_plus and stock_delivery share the transfer's tracking reference."""

    def test_one_field_owned_by_both(self):
        field = self.env["ir.model.fields"]._get(
            "stock.picking", "carrier_tracking_ref"
        )
        owners = (
            self.env["ir.model.data"]
            .search([("model", "=", "ir.model.fields"), ("res_id", "=", field.id)])
            .mapped("module")
        )
        # Each add-on owns the field: uninstalling one keeps the column.
        self.assertIn("sales_order_plus", owners)
        self.assertIn("stock_delivery", owners)
        definition = self.env["stock.picking"]._fields["carrier_tracking_ref"]
        self.assertEqual(
            (definition.type, definition.string, definition.copy),
            ("char", "Tracking Reference", False),
        )

    def test_reported_tracking_is_stock_delivery_tracking(self):
        carrier = self.env["delivery.carrier"].create(
            {
                "name": "SOP Parcel Service",
                "product_id": self.env["product.product"]
                .create({"name": "SOP Parcel Fee", "type": "service"})
                .id,
                "tracking_url": "https://track.example.com/?id=<shipmenttrackingnumber>",
            }
        )
        order = confirmed_3pl_order(self, qty=4.0)
        dispatch = order.sop_dispatch_ids
        picking = dispatch.picking_id
        picking.carrier_id = carrier
        dispatch.sudo()._sop_report_shipment(
            [{"product_code": "SOP-RACK", "quantity": 4}],
            carrier="DPD",
            tracking_refs="0815",
            report_ref="R-1",
        )
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.carrier_tracking_ref, "0815")
        self.assertEqual(picking.sop_carrier, "DPD")
        self.assertEqual(picking.carrier_id, carrier)  # the delivery method stays
        self.assertEqual(
            carrier.get_tracking_link(picking), "https://track.example.com/?id=0815"
        )
        labels = self.env["stock.picking"]._fields
        self.assertNotEqual(labels["sop_carrier"].string, labels["carrier_id"].string)
