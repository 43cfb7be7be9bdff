# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The one row reader of CSV and XLSX files, within caps, so that no file can take
the server's memory or time (a schedule has a few thousand rows); the errors name
these caps."""

import csv
import io
import zipfile
from itertools import islice

from .errors import FormatError, _
from .text import CSV_FALLBACK, decode_text

MAX_FILE_MB = 5  # the file as uploaded
MAX_UNPACKED_MB = 50  # a workbook unpacked (an XLSX file is a zip archive)
MAX_ROWS = 10000  # rows after the header
MAX_COLUMNS = 100  # cells further right are not read
MAX_CELL_CHARS = 1000  # a CSV cell: longer ones come from an unclosed quotation mark
# Excel's last row: openpyxl yields an empty row for each row number a sheet skips,
# so a forged row number would keep it yielding for ever.
XLSX_LAST_ROW = 1048576


def too_large_error(max_mb=MAX_FILE_MB):
    return FormatError(
        _(
            "The file is larger than %(size)s MB. An import takes at most "
            "%(size)s MB and %(rows)s rows; split the file."
        ),
        size=max_mb,
        rows=MAX_ROWS,
    )


def check_size(content, max_mb=MAX_FILE_MB):
    """Refuse ``content`` (bytes) beyond ``max_mb``."""
    if len(content) > max_mb * 1024 * 1024:
        raise too_large_error(max_mb)
    return content


def read_rows(content, file_format="csv", fallback=CSV_FALLBACK, max_mb=MAX_FILE_MB):
    """[(row number, [cell values])] of the non-blank rows of ``content`` (bytes of
    ``file_format`` "csv" or "xlsx"), header row included, cut to the caps."""
    if file_format == "xlsx":
        rows = read_xlsx(content)
    else:
        rows = read_csv(decode_text(content, fallback))
    return capped_rows(rows, max_mb)


def capped_rows(rows, max_mb=MAX_FILE_MB):
    """The non-blank rows of ``rows`` [(row number, cells)] cut to the first
    columns; a non-blank row after the last one an import takes is refused."""
    kept = []
    for number, cells in rows:
        cells = list(cells[:MAX_COLUMNS])
        # any(cells) first: a sheet's empty rows are many and cheap to skip.
        if not any(cells) or not any(str(c or "").strip() for c in cells):
            continue
        if number > MAX_ROWS + 1:
            raise FormatError(
                _(
                    "Row %(row)s: the file is too long. An import takes at most "
                    "%(rows)s rows and %(size)s MB; split the file."
                ),
                row=number,
                rows=MAX_ROWS,
                size=max_mb,
            )
        kept.append((number, cells))
    return kept


def read_records(content, fallback=None, max_mb=MAX_FILE_MB):
    """The data rows of a CSV file as dicts {header (stripped, lower case): value
    (stripped)}: the first non-blank row is the header; cells beyond it are not
    read, missing ones are empty."""
    rows = read_rows(content, "csv", fallback=fallback, max_mb=max_mb)
    if not rows:
        return []
    (_number, header), *data = rows
    keys = [str(title or "").strip().lower() for title in header]
    return [
        {
            key: str(cells[index] if index < len(cells) else "").strip()
            for index, key in enumerate(keys)
            if key
        }
        for _number, cells in data
    ]


def read_xlsx(content):
    """[(row number, cells)] of the workbook's first sheet, read lazily."""
    import openpyxl  # shipped with Odoo's requirements

    # Before opening the workbook, which loads its shared strings whole.
    check_unpacked_size(content)
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True
        )
    except Exception as error:
        raise xlsx_error(error) from error
    sheet = book.worksheets[0]
    # The rows the sheet has, not the range it declares: a declared A1:XFD1048576
    # makes openpyxl pad every row to 16384 cells and yield 1048576 rows.
    sheet.reset_dimensions()
    rows = enumerate(sheet.iter_rows(values_only=True), start=1)
    try:
        yield from islice(rows, XLSX_LAST_ROW)
    except Exception as error:
        raise xlsx_error(error) from error
    finally:
        book.close()


def check_unpacked_size(content):
    """Refuse a workbook (a zip archive) that unpacks beyond the cap: the sizes
    the archive declares bound what unpacking yields (Python's zip reader stops
    there and checks)."""
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except zipfile.BadZipFile as error:
        raise xlsx_error(error) from error
    if sum(member.file_size for member in members) > MAX_UNPACKED_MB * 1024 * 1024:
        raise FormatError(
            _(
                "The workbook unpacks to more than %(unpacked)s MB. An import "
                "reads at most %(unpacked)s MB unpacked, %(size)s MB as a file and "
                "%(rows)s rows; save the schedule alone, or as CSV."
            ),
            unpacked=MAX_UNPACKED_MB,
            size=MAX_FILE_MB,
            rows=MAX_ROWS,
        )


def xlsx_error(error):
    return FormatError(
        _("The file cannot be read as an Excel workbook: %(error)s"), error=error
    )


def read_csv(text):
    """[(row number, cells)] of the CSV ``text``, read lazily; the delimiter (comma,
    semicolon or tab) is sniffed."""
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    number = 0
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), dialect), 1):
            if any(len(cell) > MAX_CELL_CHARS for cell in row):
                raise long_cell_error(number, MAX_CELL_CHARS)
            yield number, row
    except csv.Error as error:
        # The reader failed on the row after the last one it returned.
        if "field limit" in str(error):
            raise long_cell_error(number + 1, csv.field_size_limit()) from error
        raise FormatError(
            _("Row %(row)s: the file cannot be read as CSV: %(error)s"),
            row=number + 1,
            error=error,
        ) from error


def long_cell_error(number, limit):
    return FormatError(
        _(
            "Row %(row)s: a cell is longer than %(limit)s characters; is a "
            "quotation mark not closed?"
        ),
        row=number,
        limit=limit,
    )
