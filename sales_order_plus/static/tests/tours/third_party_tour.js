/** @odoo-module **/
// Copyright 2026 sales_order_plus developers
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
// A salesperson enters a third-party order: the vendor shows on the line, confirming
// sends the purchase order to the vendor. Data comes from the Python test.

import { registry } from "@web/core/registry";
import tourUtils from "@sale/js/tours/tour_utils";

registry.category("web_tour.tours").add("sales_order_plus_third_party_tour", {
    steps: () => [
        ...tourUtils.createNewSalesOrder(),
        ...tourUtils.selectCustomer("SOP Tour Customer"),
        {
            content: "Pick the third-party order type",
            trigger: ".o_field_widget[name=type_id] input",
            run: "edit Third-Party Order",
        },
        {
            trigger: 'ul.ui-autocomplete > li > a:contains("Third-Party Order")',
            run: "click",
        },
        {
            content: "The kind shows beside the type",
            trigger: ".o_field_widget[name=type_kind]:contains(Third-Party Order)",
        },
        ...tourUtils.addProduct("SOP Tour Sofa"),
        {
            content: "Order 3 units",
            trigger: ".o_selected_row div[name=product_uom_qty] input",
            run: "edit 3 && press Tab",
        },
        {
            content: "The routing chose the product's vendor",
            trigger: '.o_data_row td[name=sop_vendor_id]:contains("SOP Tour Vendor")',
        },
        ...tourUtils.clickSomewhereElse(),
        {
            content: "Confirm the order",
            trigger: "button[name=action_confirm]:enabled",
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Sales Order)",
        },
        {
            content: "The vendor's purchase order shows on the line",
            trigger: ".o_data_row td[name=sop_purchase_order_ids] .o_tag:contains(P0)",
        },
    ],
});
