/** @odoo-module **/
// Copyright 2026 sales_order_plus developers
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
// The product's Forecasted report lists the planned delivery schedule lines (data
// from the Python test: one agreement of "SOP Forecast Customer", 30 units).
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("sop_schedule_forecast_tour", {
    steps: () => [
        {
            trigger: ".o_form_view",
            run: () => {
                // The stat button may sit in the overflow menu of a narrow screen.
                if (
                    !document.querySelector(
                        "button[name=action_product_tmpl_forecast_report]"
                    )
                ) {
                    const more = Array.from(
                        document.querySelectorAll(".o_control_panel_actions button")
                    ).find((button) => button.textContent.trim() === "More");
                    more?.click();
                }
            },
        },
        {
            content: "Open the Forecasted report",
            trigger: "button[name=action_product_tmpl_forecast_report]",
            run: "click",
        },
        {
            content: "The planned schedule lines are demand",
            trigger: "tr[name=sop_schedule_out]:contains(-30.00)",
        },
        {
            content: "One row per date and agreement, with its customer",
            trigger: "tr[name=sop_schedule_line]:contains(SOP Forecast Customer)",
        },
    ],
});
