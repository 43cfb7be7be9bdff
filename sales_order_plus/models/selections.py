# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Selections that several models share, defined once (plain Python: importing it
changes no model's load order)."""

# Who ships a third-party line: a routing rule's, an order type's, the line's own.
FULFILLERS = [
    ("vendor", "Vendor (drop-ship)"),
    ("provider", "Logistics provider (3PL)"),
    ("own", "Our warehouse"),
]
# A dispatch order goes to someone else: the fulfillers but our own warehouse.
EXTERNAL_FULFILLERS = [item for item in FULFILLERS if item[0] != "own"]

# A delivery schedule's quantity: firm (to ship) or forecast (to plan with).
FIRMNESS = [("firm", "Firm"), ("forecast", "Forecast")]
