# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The one date parser of received files: texts in given formats (ISO and the
schedule import's), and EDIFACT DTM values by their format code (2379)."""

from datetime import date, datetime, timedelta

ISO_FORMAT = "%Y-%m-%d"
# A schedule file's dates (the import adds the user's language format).
IMPORT_FORMATS = (ISO_FORMAT, "%d.%m.%Y", "%d.%m.%y")
# EDIFACT format codes of a day, and of a period dated by the bucket weekday.
EDIFACT_DAY_FORMATS = ("102", "203", "204", "101")
EDIFACT_PERIOD_FORMATS = ("616", "610", "718", "717")
# The format of a DTM value without a format code, where its length is
# unambiguous (six digits: six_digit_format).
_FORMAT_BY_LENGTH = {8: "102", 12: "203", 14: "204", 17: "718"}


def parse_date(value, formats=(ISO_FORMAT,), leading=False):
    """The date of ``value`` (a date, a datetime or a text in one of ``formats``),
    or None. ``leading``: read only the first ten characters (the date of an ISO
    date-time, as Odoo's ``fields.Date.to_date``)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if leading:
        text = text[:10]
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except (ValueError, TypeError):
            continue
    return None


def edifact_period(text, fmt):
    """(first day, last day) of the DTM value ``text`` in format ``fmt`` (a day:
    both the same); ValueError when it cannot be read."""
    if not text.isdigit() and fmt not in ("718", "717"):
        raise ValueError(text)
    if not fmt:
        fmt = _FORMAT_BY_LENGTH.get(len(text))
    if fmt in ("102", "203", "204"):
        day = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        return day, day
    if fmt == "101":
        day = date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))
        return day, day
    if fmt == "616" and len(text) == 6:
        start = date.fromisocalendar(int(text[:4]), int(text[4:6]), 1)
        return start, start + timedelta(days=6)
    if fmt == "610" and len(text) == 6:
        start = date(int(text[:4]), int(text[4:6]), 1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return start, end
    if fmt in ("718", "717"):
        first, _sep, last = text.partition("-")
        if fmt == "717":
            first, last = "20" + first, "20" + last
        start = edifact_period(first, "102")[0]
        end = edifact_period(last, "102")[0] if last else start
        if end < start:
            raise ValueError(text)
        return start, end
    raise ValueError(text)


def bucket_date(start, end, bucket_day=1):
    """The first date of ISO weekday ``bucket_day`` in [start, end], or ``start``
    (a day is itself)."""
    offset = (bucket_day - start.isoweekday()) % 7
    candidate = start + timedelta(days=offset)
    return candidate if candidate <= end else start


def parse_edifact_date(text, fmt, bucket_day=1):
    """The date of a DTM value: a day as it is, a week, month or range on its
    bucket weekday; ValueError when it cannot be read."""
    return bucket_date(*edifact_period(text, fmt), bucket_day)


def six_digit_format(text, frequency=""):
    """The format of a 6-digit DTM value without a format code: the one the SCC's
    frequency (C329/2013: W weekly, M monthly, Y daily) names, else the only one the
    value can be; None when several fit."""
    by_frequency = {"W": "616", "M": "610", "Y": "101"}.get(frequency)
    if by_frequency:
        return by_frequency
    fitting = []
    for fmt in ("616", "610", "101"):
        if fmt != "101" and text[:2] not in ("19", "20"):
            continue  # a schedule's year, not 2612
        try:
            edifact_period(text, fmt)
        except ValueError:
            continue
        fitting.append(fmt)
    return fitting[0] if len(fitting) == 1 else None
