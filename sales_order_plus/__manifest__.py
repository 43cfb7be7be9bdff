# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Sales Order Plus",
    "summary": "Order kinds with behaviour: cash sale, rush order, "
    "delivery schedule and third-party (dropship) order",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "website": "https://github.com/sales-order-plus/sales_order_plus",
    "author": "sales_order_plus developers",
    "license": "AGPL-3",
    "depends": [
        "sale_management",
        "sale_stock",
        "stock_dropshipping",
        "sale_order_type",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/sales_order_plus_security.xml",
        "data/sale_order_type_data.xml",
        "views/sale_order_type_views.xml",
        "views/sale_order_views.xml",
        "views/stock_picking_views.xml",
        "views/account_move_views.xml",
        "report/cash_receipt.xml",
        "views/kind_cash_views.xml",
        "data/kind_cash_actions.xml",
        "views/kind_rush_views.xml",
        "data/kind_rush_actions.xml",
    ],
    "demo": [
        "demo/sale_order_demo.xml",
    ],
    "assets": {
        "web.assets_tests": ["sales_order_plus/static/tests/tours/*"],
    },
    "installable": True,
    "application": False,
}
