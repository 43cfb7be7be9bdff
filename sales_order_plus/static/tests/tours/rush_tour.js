/** @odoo-module **/
// A rush order as a salesperson enters it: new quotation, type "Rush Order", one
// line, confirm; the order is confirmed with its delivery date and one delivery.
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sop_rush_tour", {
    steps: () => [
        {
            content: "New quotation",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit SOP Tour Rush",
        },
        {
            trigger: ".ui-autocomplete a:contains(SOP Tour Rush Customer)",
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
            run: "edit SOP Tour Spare",
        },
        {
            trigger: ".ui-autocomplete a:contains(SOP Tour Spare Part)",
            run: "click",
        },
        {
            content: "Leave the line",
            trigger: "a[name=order_lines]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=tax_totals]:contains(40.00)",
        },
        {
            content: "Confirm",
            trigger: "button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The order is confirmed with one delivery",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Sales Order)",
        },
        {
            trigger: ".oe_stat_button[name=action_view_delivery]:contains(1)",
        },
        {
            content: "The delivery date is set",
            trigger: "a[name=other_information]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=commitment_date] input:value(/\\d/)",
        },
    ],
});
