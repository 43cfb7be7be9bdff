# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""One invoicing rule: the type's ``invoice_trigger`` replaces the cash sale's fixed
rule, the rush order's ``rush_invoice_on_delivery`` and the third-party order's
``third_party_invoice_trigger``. Filled before the module update so that Odoo finds
the column filled and keeps the settings instead of computing the defaults.

The kinds' settings pages still name the old fields in the database; Odoo validates
them with the type's form before it reloads them, so they are dropped here and
created again from their files."""

from odoo.tools.sql import column_exists, create_column


def migrate(cr, version):
    if not version or not column_exists(cr, "sale_order_type", "kind"):
        return
    if not column_exists(cr, "sale_order_type", "invoice_trigger"):
        create_column(cr, "sale_order_type", "invoice_trigger", "varchar")
    # Each kind's behaviour until now.
    cr.execute(
        """
        UPDATE sale_order_type
           SET invoice_trigger = CASE kind
                   WHEN 'cash' THEN 'confirmation'
                   WHEN 'rush' THEN 'delivery'
                   WHEN 'third_party' THEN 'shipment'
                   ELSE 'manual'
               END
         WHERE invoice_trigger IS NULL
        """
    )
    # The settings of the rush and third-party types.
    if column_exists(cr, "sale_order_type", "rush_invoice_on_delivery"):
        cr.execute(
            """
            UPDATE sale_order_type
               SET invoice_trigger = 'manual'
             WHERE kind = 'rush' AND rush_invoice_on_delivery IS FALSE
            """
        )
    if column_exists(cr, "sale_order_type", "third_party_invoice_trigger"):
        cr.execute(
            """
            UPDATE sale_order_type
               SET invoice_trigger = third_party_invoice_trigger
             WHERE kind = 'third_party'
               AND third_party_invoice_trigger IN ('vendor_bill', 'manual')
            """
        )
    cr.execute(
        """
        DELETE FROM ir_ui_view
         WHERE id IN (
               SELECT res_id FROM ir_model_data
                WHERE module = 'sales_order_plus'
                  AND model = 'ir.ui.view'
                  AND name IN (
                      'sale_order_type_form_view_rush',
                      'sale_order_type_form_view_third_party'
                  )
         )
        """
    )
