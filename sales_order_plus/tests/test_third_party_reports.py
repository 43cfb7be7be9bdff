# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Shipment reports: idempotent per dispatch order and report reference (a file
with several dispatch orders under one reference, a reference reused on another
dispatch order or for other content), and the 2- and 3-step deliveries of a
logistics provider's warehouse processed as a chain."""

import base64

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
