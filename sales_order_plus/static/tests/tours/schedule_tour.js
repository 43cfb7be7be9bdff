/** @odoo-module **/
// Delivery schedule, as a user would: a quotation of the delivery schedule type, one
// product, two schedule lines, confirm, two deliveries.
import {registry} from "@web/core/registry";
import tourUtils from "@sale/js/tours/tour_utils";

function addScheduleLine(date, quantity) {
    const row = "div[name=schedule_line_ids] .o_selected_row";
    return [
        {
            content: "Add a schedule line",
            trigger: "div[name=schedule_line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Choose the sales line",
            trigger: `${row} div[name=order_line_id] input`,
            run: "edit SOP Tour",
        },
        {
            trigger: "ul.ui-autocomplete a:contains(SOP Tour Product)",
            run: "click",
        },
        {
            content: `Deliver on ${date}`,
            trigger: `${row} div[name=date] input`,
            run: `edit ${date}`,
        },
        {
            content: `Deliver ${quantity}`,
            trigger: `${row} div[name=product_uom_qty] input`,
            run: `edit ${quantity}`,
        },
        {
            content: "Leave the row",
            trigger: "a[name=sop_schedule]",
            run: "click",
        },
        {
            content: "The schedule line is kept",
            trigger: `div[name=schedule_line_ids] .o_data_row:not(.o_selected_row):contains(${date})`,
        },
    ];
}

registry.category("web_tour.tours").add("sop_schedule_tour", {
    steps: () => [
        ...tourUtils.createNewSalesOrder(),
        ...tourUtils.selectCustomer("SOP Tour Customer"),
        {
            content: "Choose the delivery schedule type",
            trigger: ".o_field_widget[name=type_id] input",
            run: "edit Delivery Schedule",
        },
        {
            trigger: "ul.ui-autocomplete a:contains(Delivery Schedule)",
            run: "click",
        },
        ...tourUtils.addProduct("SOP Tour Product"),
        {
            content: "Order 10",
            trigger: ".o_selected_row div[name=product_uom_qty] input",
            run: "edit 10",
        },
        ...tourUtils.clickSomewhereElse(),
        {
            content: "Save the quotation",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "Open the delivery schedule",
            trigger: "a.nav-link:contains(Delivery Schedule)",
            run: "click",
        },
        ...addScheduleLine("06/01/2035", "4"),
        ...addScheduleLine("07/01/2035", "6"),
        {
            content: "Save the schedule",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "Confirm the order",
            trigger: ".o_form_statusbar button[name=action_confirm]",
            run: "click",
        },
        {
            content: "Two deliveries, one per date",
            trigger: "button[name=action_view_delivery] .o_stat_value:contains(2)",
        },
        {
            content: "The schedule lines are released",
            trigger: "div[name=schedule_line_ids] .o_data_row:contains(Released)",
        },
    ],
});
