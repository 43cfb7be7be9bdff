# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Sales Order Plus - Kits (sale_mrp)",
    "summary": "Kits (phantom bills of materials) on delivery schedules: "
    "procured once per date",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "website": "https://github.com/sales-order-plus/sales_order_plus",
    "author": "sales_order_plus developers",
    "license": "AGPL-3",
    "depends": ["sales_order_plus", "sale_mrp"],
    "installable": True,
    "auto_install": True,
}
