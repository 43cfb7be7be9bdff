/** @odoo-module **/
// A rush order for more than is in stock, as a salesperson enters it: before
// confirming, the line shows the quantity confirmed now and the date of the rest;
// confirmed, the order is partly confirmed.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("sop_availability_tour", {
    steps: () => [
        {
            content: "New quotation",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit SOP Tour ATP",
        },
        {
            trigger: ".ui-autocomplete a:contains(SOP Tour ATP Customer)",
            run: "click",
        },
        {
            content: "Order type: rush order",
            trigger: ".o_field_widget[name=type_id] input",
            run: "edit Rush Order",
        },
        {
            trigger: ".ui-autocomplete a:contains(Rush Order)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=type_kind]:contains(Rush Order)",
        },
        {
            content: "Add a line",
            trigger: "a:contains(Add a product)",
            run: "click",
        },
        {
            trigger: ".o_selected_row div[name=product_template_id] input",
            run: "edit SOP Tour ATP",
        },
        {
            trigger: ".ui-autocomplete a:contains(SOP Tour ATP Goods)",
            run: "click",
        },
        {
            content: "8 units, 5 of them in stock",
            trigger: ".o_selected_row div[name=product_uom_qty] input",
            run: "edit 8",
        },
        {
            content: "Leave the line",
            trigger: "a[name=order_lines]",
            run: "click",
        },
        {
            content: "Before confirming: 5 confirmed now ...",
            trigger: ".o_data_row td[name=sop_confirmed_qty]:contains(5.00)",
        },
        {
            content: "... and the date of the rest",
            trigger: ".o_data_row td[name=sop_full_date]:contains(/20)",
        },
        {
            content: "Confirm",
            trigger: "button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The order is partly confirmed",
            trigger: ".o_field_widget[name=sop_availability_state]:contains(Partly confirmed)",
        },
        {
            trigger: ".oe_stat_button[name=action_view_delivery]:contains(2)",
        },
    ],
});
