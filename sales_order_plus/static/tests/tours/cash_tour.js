/** @odoo-module **/
// A cash sale at the counter, as a salesperson enters it: new quotation, type
// "Cash Sale", one line, confirm; the order comes back confirmed with its invoice.
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sop_cash_tour", {
    steps: () => [
        {
            content: "New quotation",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit SOP Tour Cash",
        },
        {
            trigger: ".ui-autocomplete a:contains(SOP Tour Cash Customer)",
            run: "click",
        },
        {
            content: "Order type: cash sale",
            trigger: ".o_field_widget[name=type_id] input",
            run: "edit Cash Sale",
        },
        {
            trigger: ".ui-autocomplete a:contains(Cash Sale)",
            run: "click",
        },
        {
            content: "The kind shows beside the type",
            trigger: ".o_field_widget[name=type_kind]:contains(Cash Sale)",
        },
        {
            content: "Add a line",
            trigger: "a:contains(Add a product)",
            run: "click",
        },
        {
            trigger: ".o_selected_row div[name=product_template_id] input",
            run: "edit SOP Tour Counter",
        },
        {
            trigger: ".ui-autocomplete a:contains(SOP Tour Counter Item)",
            run: "click",
        },
        {
            trigger: ".o_selected_row div[name=product_uom_qty] input",
            run: "edit 3",
        },
        {
            content: "Leave the line",
            trigger: "a[name=order_lines]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=tax_totals]:contains(75.00)",
        },
        {
            content: "Confirm: invoice, payment and hand-over",
            trigger: "button[name=action_confirm]:not(.o_invisible_modifier)",
            run: "click",
        },
        {
            content: "The order is confirmed and invoiced",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Sales Order)",
        },
        {
            trigger: ".oe_stat_button[name=action_view_invoice]:contains(1)",
        },
        {
            content: "The receipt can be printed",
            trigger: "button:contains(Cash Receipt)",
        },
    ],
});
