# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A warehouse's projected stock of a product as a timeline: [(day, projected quantity
at the end of that day), ...], sorted, from today on (``sale.order.line.
_sop_projected_stock`` builds it). Plain functions, shared by the quotation's
"earliest full shipment" and the availability at confirmation."""

from odoo.tools import float_compare


def _free_from(timeline, taken, day):
    """The lowest projected quantity from ``day`` on, after what earlier demands took
    (``taken``: [(day, qty)], each lowering every day from its own)."""
    at_day = timeline[0][1]
    lowest = float("inf")
    for point_day, projected in timeline:
        if point_day <= day:
            at_day = projected
            continue
        lowest = min(lowest, projected - sum(q for d, q in taken if d <= point_day))
    return min(lowest, at_day - sum(q for d, q in taken if d <= day))


def _covered_day(timeline, taken, needed, day, rounding):
    """First day from ``day`` on from which ``needed`` stays free, or False."""
    for candidate in [day] + [d for d, _p in timeline if d > day]:
        free = _free_from(timeline, taken, candidate)
        if float_compare(free, needed, precision_rounding=rounding) >= 0:
            return candidate
    return False


def _add_to_timeline(timeline, day, delta):
    """Add ``delta`` to the projection from ``day`` on (a commitment, a receipt)."""
    if not any(d == day for d, _p in timeline):
        before = [p for d, p in timeline if d < day]
        timeline.append((day, before[-1] if before else timeline[0][1]))
        timeline.sort()
    timeline[:] = [(d, p + delta if d >= day else p) for d, p in timeline]
