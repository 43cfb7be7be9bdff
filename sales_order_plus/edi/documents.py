# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Neutral documents of the formats: what a reader yields, what the ORM side
turns into records (schedule versions, shipment reports). No format detail here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from .dates import bucket_date


@dataclass
class ScheduleItem:
    """One item of a received schedule with its scheduled quantities."""

    customer_code: str = ""
    supplier_code: str = ""
    gtin: str = ""
    agreement: str = ""
    cum_qty: float | None = None
    cum_note: str = ""
    # (first day, last day, quantity, firmness): a day, or a week, month or range
    # dated by the agreement's bucket weekday (entries_on).
    periods: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    bucket_day: int = 1

    def entries_on(self, bucket_day):
        """[(date, quantity, firmness)] with periods on ISO weekday ``bucket_day``."""
        return [
            (bucket_date(start, end, bucket_day), qty, firmness)
            for start, end, qty, firmness in self.periods
        ]

    @property
    def entries(self):
        return self.entries_on(self.bucket_day)


@dataclass
class ScheduleDocument:
    """One received schedule (an EDIFACT message, a file of rows)."""

    message_type: str = ""
    directory: str = ""
    number: str = ""
    date: date | None = None
    buyer: str = ""
    seller: str = ""
    ship_to: str = ""
    agreement: str = ""
    items: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def kind(self):
        return "jit" if self.message_type == "DELJIT" else "forecast"

    def items_by_agreement(self):
        """{agreement number: [items]}: an item's own number, else the
        document's."""
        grouped = defaultdict(list)
        for item in self.items:
            grouped[item.agreement or self.agreement].append(item)
        return grouped


@dataclass
class ShipmentReport:
    """One shipment a fulfiller reports for a dispatch order."""

    reference: str = ""
    report_ref: str = ""
    lines: list = field(default_factory=list)  # [{"product_code", "quantity"}]
    carrier: str = ""
    tracking: list = field(default_factory=list)
    ship_date: str = ""


def shipment_reports(records):
    """{(reference, report_ref): ShipmentReport} of a shipment confirmation's rows
    (dicts by lower-case header: reference, report_ref, product_code, quantity,
    carrier, tracking, ship_date)."""
    reports = {}
    for row in records:
        key = (row.get("reference", ""), row.get("report_ref", ""))
        report = reports.setdefault(key, ShipmentReport(*key))
        report.lines.append(
            {"product_code": row.get("product_code"), "quantity": row.get("quantity")}
        )
        report.carrier = report.carrier or row.get("carrier", "")
        report.ship_date = report.ship_date or row.get("ship_date", "")
        for ref in (row.get("tracking") or "").replace(";", ",").split(","):
            if ref.strip() and ref.strip() not in report.tracking:
                report.tracking.append(ref.strip())
    return reports
