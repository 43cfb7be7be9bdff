# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A schedule as a file of rows (CSV or XLSX): product, date, quantity; headers in
English or German."""

import math
import re
from collections import namedtuple

from .dates import IMPORT_FORMATS, parse_date
from .errors import FormatError, _

# Accepted column headers (lower case), English and German.
HEADERS = {
    "product": {
        "product",
        "internal reference",
        "reference",
        "default code",
        "barcode",
        "produkt",
        "artikel",
        "artikelnummer",
        "interne referenz",
        "referenz",
    },
    "date": {
        "date",
        "delivery date",
        "due date",
        "datum",
        "liefertermin",
        "lieferdatum",
    },
    "quantity": {"quantity", "qty", "menge", "anzahl"},
}
# Quantity headers that say the file writes numbers the German way (see
# parse_quantity): "1.500" is fifteen hundred and "1,5" one and a half.
DECIMAL_COMMA_HEADERS = {"menge", "anzahl"}
# What any number field of the add-on takes at all (models/integrity.py MAX_NUMBER).
MAX_NUMBER = 1e15

# A quantity once its thousands separators are gone and its decimal mark is "."
# (ASCII digits only: no "nan", "inf" or "1e999").
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
# Digits grouped by three with the given thousands separator: "1,500", "12.345.678".
_GROUPED = {
    mark: re.compile(r"[+-]?[1-9]\d{0,2}(?:" + re.escape(mark) + r"\d{3})+", re.ASCII)
    for mark in ",."
}

# A data row as read: its cells' texts and what they mean (None: not understood).
ImportRow = namedtuple("ImportRow", "number code date_value due qty_value qty")


def parse_schedule_rows(rows, date_formats=IMPORT_FORMATS):
    """An :data:`ImportRow` per data row of ``rows`` [(row number, cells)] (the
    header row first)."""
    if not rows:
        raise FormatError(_("The file is empty."))
    (_number, header), *data = rows
    columns = schedule_columns(header)
    decimal_comma = (
        str(header[columns["quantity"]]).strip().lower() in DECIMAL_COMMA_HEADERS
    )

    def cell(cells, key):
        return cells[columns[key]] if columns[key] < len(cells) else None

    return [
        ImportRow(
            number=number,
            code=str(cell(cells, "product") or "").strip(),
            date_value=cell(cells, "date"),
            due=parse_date(cell(cells, "date"), date_formats),
            qty_value=cell(cells, "quantity"),
            qty=parse_quantity(cell(cells, "quantity"), decimal_comma),
        )
        for number, cells in data
    ]


def schedule_columns(header):
    """{"product" | "date" | "quantity": column index} of the header row."""
    columns = {}
    for index, title in enumerate(header):
        title = str(title or "").strip().lower()
        for key, names in HEADERS.items():
            if title in names and key not in columns:
                columns[key] = index
    missing = [key for key in HEADERS if key not in columns]
    if missing:
        raise FormatError(
            _(
                "Row 1: the columns %(missing)s are missing. Expected headers: "
                "product (or internal reference, barcode; Produkt, Artikelnummer), "
                "date (Datum, Liefertermin) and quantity (Menge)."
            ),
            missing=", ".join(missing),
        )
    return columns


def parse_quantity(value, decimal_comma=False):
    """``value`` as a finite number, or None.

    Which mark separates thousands follows the language of the quantity header
    (``decimal_comma``: German "Menge"), not the user's: the file says how it is
    written, and a German user may well upload the customer's English file. Under
    English headers "1,500" is fifteen hundred and "1.5" one and a half; under
    German ones "1.500" is fifteen hundred and "1,5" one and a half. A thousands
    separator groups digits by three, so a mark that does not ("1,5" under English
    headers) is the decimal mark; with both marks the last one is ("1.234,5").
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    text = "".join(str(value or "").split())  # "1 500", Excel's no-break spaces
    thousands, decimal = (".", ",") if decimal_comma else (",", ".")
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
    elif thousands in text and not _GROUPED[thousands].fullmatch(text):
        thousands, decimal = decimal, thousands
    text = text.replace(thousands, "").replace(decimal, ".")
    # 400 digits are digits, and an infinite float.
    if not _NUMBER.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) and abs(number) <= MAX_NUMBER else None
