/** @odoo-module **/
// At the counter on a tablet: the customer who reserved online comes to collect and
// pays half in cash, half on the card terminal; 60 tendered, 10 change.
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sop_cash_counter_tour", {
    steps: () => [
        {
            content: "The order awaits collection at the counter",
            trigger: ".o_kanban_record:contains(SOP Tour Collect Customer) .badge:contains(Awaiting Collection)",
        },
        {
            content: "Pay and hand over",
            trigger: ".o_kanban_record:contains(SOP Tour Collect Customer) button[name=action_sop_cash_hand_over]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=amount_due]:contains(100.00)",
        },
        {
            content: "Half in cash",
            trigger: ".modal .o_field_widget[name=payment_ids] .o_data_row:first-child .o_data_cell[name=amount]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=payment_ids] .o_selected_row .o_field_widget[name=amount] input",
            run: "edit 50",
        },
        {
            content: "Half on the card terminal",
            trigger: ".modal .o_field_widget[name=payment_ids] .o_data_row:nth-child(2) .o_data_cell[name=amount]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=payment_ids] .o_data_row:nth-child(2).o_selected_row .o_field_widget[name=amount] input",
            run: "edit 50",
        },
        {
            content: "Cash tendered",
            trigger: ".modal .o_field_widget[name=amount_tendered] input",
            run: "edit 60",
        },
        {
            trigger: ".modal .o_field_widget[name=amount_change]:contains(10.00)",
        },
        {
            trigger: ".modal .o_field_widget[name=amount_paid]:contains(100.00)",
        },
        {
            content: "Invoice, payments and delivery at once; the receipt is printed",
            trigger: ".modal button[name=action_hand_over]",
            run: "click",
        },
        {
            content: "The counter sees what was taken and the change due",
            trigger: ".o_notification:contains(Paid):contains(Change due):contains(10.00)",
            timeout: 30000,
        },
        {
            content: "Collected (once the receipt's PDF is rendered)",
            trigger: "body:not(:has(.modal)) .o_kanban_record:contains(SOP Tour Collect Customer) .badge:contains(Collected)",
            timeout: 30000,
        },
    ],
});
