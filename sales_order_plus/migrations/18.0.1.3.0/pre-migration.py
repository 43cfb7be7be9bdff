# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Delivery schedule types reserve stock a few days before each date by default now.
Types that existed before keep reserving at release, as they did: the column is filled
before the module update, so Odoo keeps it instead of writing the new default."""

from odoo.tools.sql import column_exists, create_column


def migrate(cr, version):
    if not version or column_exists(cr, "sale_order_type", "schedule_reservation"):
        return
    create_column(cr, "sale_order_type", "schedule_reservation", "varchar")
    cr.execute("UPDATE sale_order_type SET schedule_reservation = 'release'")
