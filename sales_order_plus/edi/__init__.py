# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The file formats of the add-on, in plain Python (no ORM: importable and tested
without a database). Readers turn bytes into neutral documents (documents.py); the
models make records of them and wrap a :class:`FormatError` into a UserError with
its message translated (``error.translate(env._)``).

* text.py: the one text decoder (UTF-8 with or without BOM, else the format's
  single-byte encoding);
* rows.py: the one CSV/XLSX row reader, within caps (bytes, rows, columns, cells);
* dates.py: the one date parser (formats, EDIFACT DTM codes);
* edifact.py: DELFOR / DELJIT (D.96A, D.97A, D.04B);
* schedule_rows.py: a schedule as a file of rows;
* registry.py: the format of a file by its content.
"""

from .dates import IMPORT_FORMATS, ISO_FORMAT, parse_date, parse_edifact_date
from .documents import ScheduleDocument, ScheduleItem, ShipmentReport, shipment_reports
from .edifact import EdifactError, EdifactReader, looks_like_edifact
from .errors import FormatError
from .registry import CSV, EDIFACT, XLSX, detect_format
from .rows import MAX_FILE_MB, MAX_ROWS, check_size, read_records, read_rows
from .schedule_rows import ImportRow, parse_quantity, parse_schedule_rows
from .text import CSV_FALLBACK, EDIFACT_FALLBACK, decode_text

__all__ = [
    "CSV",
    "CSV_FALLBACK",
    "EDIFACT",
    "EDIFACT_FALLBACK",
    "IMPORT_FORMATS",
    "ISO_FORMAT",
    "MAX_FILE_MB",
    "MAX_ROWS",
    "XLSX",
    "EdifactError",
    "EdifactReader",
    "FormatError",
    "ImportRow",
    "ScheduleDocument",
    "ScheduleItem",
    "ShipmentReport",
    "check_size",
    "decode_text",
    "detect_format",
    "looks_like_edifact",
    "parse_date",
    "parse_edifact_date",
    "parse_quantity",
    "parse_schedule_rows",
    "read_records",
    "read_rows",
    "shipment_reports",
]
