/** @odoo-module **/
// A schedule version the customer sent, held beyond the tolerance: the salesperson
// opens it, reads the comparison, applies it and sees the agreement's new schedule
// and deliveries.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("sop_schedule_version_tour", {
    steps: () => [
        {
            content: "Open the held version",
            trigger: ".o_data_row:contains(TOUR-V2) td[name=name]",
            run: "click",
        },
        {
            content: "The reason it is held",
            trigger: "div[name=reason]:contains(changes from 10.0 to 15.0)",
        },
        {
            content: "The comparison: 10 before, 15 now, 5 more",
            trigger:
                "div[name=change_ids] .o_data_row:contains(SOP Tour Gear):contains(15.00):contains(5.00)",
        },
        {
            content: "Apply it",
            trigger: "button[name=action_apply]",
            run: "click",
        },
        {
            content: "Applied",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Applied)",
        },
        {
            content: "Open the agreement",
            trigger: "div[name=order_id] a.o_form_uri",
            run: "click",
        },
        {
            content: "Its delivery schedule",
            trigger: "a[name=sop_schedule]",
            run: "click",
        },
        {
            content: "The new quantity, released",
            trigger:
                "div[name=schedule_line_ids] .o_data_row:contains(15.00):contains(Released)",
        },
        {
            content: "Its deliveries",
            trigger: "button[name=action_view_delivery]",
            run: "click",
        },
        {
            content: "The delivery of the new quantity",
            trigger: ".o_list_view .o_data_row, .o_form_view div[name=move_ids_without_package]",
        },
    ],
});
