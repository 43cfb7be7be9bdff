# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Shipment report references are unique per dispatch order now, no longer per
fulfiller (one reference may cover a day's shipments of several dispatch orders):
the old constraint goes, Odoo adds the new one."""

from odoo.tools import SQL

TABLE = "sale_third_party_dispatch_report"
OLD = f"{TABLE}_report_ref_partner_uniq"


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL(
            "ALTER TABLE IF EXISTS %s DROP CONSTRAINT IF EXISTS %s",
            SQL.identifier(TABLE),
            SQL.identifier(OLD),
        )
    )
    cr.execute("DELETE FROM ir_model_constraint WHERE name = %s", (OLD,))
