# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Which format a received file is, by its content (the name only where the
content cannot tell). Another format joins here."""

from .edifact import looks_like_edifact

EDIFACT, XLSX, CSV = "edifact", "xlsx", "csv"


def detect_format(content, filename=""):
    """``"edifact"``, ``"xlsx"`` (a zip archive, or named so) or ``"csv"``."""
    name = (filename or "").lower()
    if looks_like_edifact(content):
        return EDIFACT
    if content[:2] == b"PK" or name.endswith((".xlsx", ".xlsm")):
        return XLSX
    return CSV
