# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo.tests import BaseCase, tagged

from ..models.stock_projection import _add_to_timeline, _covered_day, _free_from

D1, D2, D3, D4 = (date(2026, 3, day) for day in (2, 3, 4, 5))


@tagged("post_install", "-at_install")
class TestStockProjection(BaseCase):
    """The one "first day from which the quantity stays covered", shared by the
    quotation's earliest full shipment and the availability at confirmation."""

    timeline = [(D1, 5.0), (D2, 2.0), (D3, 12.0), (D4, 8.0)]

    def test_covered_day(self):
        # 3 are free on D1 only if nothing later drops below: D2 has 2.
        self.assertEqual(_covered_day(self.timeline, [], 2.0, D1, 0.01), D1)
        self.assertEqual(_covered_day(self.timeline, [], 3.0, D1, 0.01), D3)
        self.assertEqual(_covered_day(self.timeline, [], 8.0, D1, 0.01), D3)
        self.assertFalse(_covered_day(self.timeline, [], 9.0, D1, 0.01))

    def test_taken_lowers_from_its_day(self):
        taken = [(D3, 4.0)]
        self.assertEqual(_free_from(self.timeline, taken, D3), 4.0)
        self.assertEqual(_covered_day(self.timeline, taken, 4.0, D1, 0.01), D3)

    def test_add_to_timeline(self):
        timeline = list(self.timeline)
        _add_to_timeline(timeline, date(2026, 3, 6), -3.0)
        self.assertEqual(timeline[-1], (date(2026, 3, 6), 5.0))
