# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The daily scheduled actions now enqueue queue_job jobs. Their records are
``noupdate`` (an admin may have changed the interval), so the new code is written
here; nothing else of them changes."""


def migrate(cr, version):
    for xmlid, code in (
        ("ir_cron_schedule_release", "model._cron_sop_schedule_release()"),
        ("ir_cron_sale_consistency_notify", "model._cron_sop_notify_new_problems()"),
    ):
        cr.execute(
            """
            UPDATE ir_act_server SET code = %s
              FROM ir_cron c, ir_model_data d
             WHERE d.module = 'sales_order_plus' AND d.name = %s
               AND d.model = 'ir.cron' AND c.id = d.res_id
               AND ir_act_server.id = c.ir_actions_server_id
            """,
            (code, xmlid),
        )
