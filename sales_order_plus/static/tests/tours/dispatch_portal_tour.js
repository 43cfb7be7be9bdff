/** @odoo-module **/
// Copyright 2026 sales_order_plus developers
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
// A logistics provider's contact opens the dispatch order in the portal, acknowledges
// it with a ship date and reports a partial shipment with tracking. Data comes from
// the Python test (TestThirdPartyFulfilmentHttp.test_portal_tour).

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sop_dispatch_portal_tour", {
    steps: () => [
        {
            content: "Open the dispatch order",
            trigger: "a.o_sop_dispatch_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "No price is shown",
            trigger: ".o_sop_dispatch:not(:contains(80.00))",
        },
        {
            content: "Promise a ship date",
            trigger: "input[name=promised_date]",
            run() {
                this.anchor.value = "2035-03-01";
            },
        },
        {
            content: "Acknowledge",
            trigger: "button.o_sop_acknowledge",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Acknowledged",
            trigger: ".o_sop_dispatch_message:contains(acknowledged)",
        },
        {
            content: "Ship 2 racks now",
            trigger: "input[name='qty_SOP-RACK']",
            run: "edit 2",
        },
        {
            content: "Carrier",
            trigger: "input[name=carrier]",
            run: "edit DHL",
        },
        {
            content: "Tracking number",
            trigger: "input[name=tracking_refs]",
            run: "edit TRK-1",
        },
        {
            content: "Report the shipment",
            trigger: "button.o_sop_ship",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Shipment recorded, the rest stays open",
            trigger: ".o_sop_dispatch_message:contains(shipment recorded)",
        },
        {
            content: "Partially shipped",
            trigger: ".o_sop_dispatch_state:contains(Partially Shipped)",
        },
    ],
});
