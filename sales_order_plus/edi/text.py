# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The one text decoder of received files."""

from .errors import FormatError, _

# The single-byte encoding a file is read in when it is not UTF-8, per format:
# Excel's plain CSV is Windows-1252; EDIFACT's UNOC and older syntax levels are
# Latin-1 (UNOY is UTF-8); a fulfiller's shipment report must be UTF-8 (None).
CSV_FALLBACK = "cp1252"
EDIFACT_FALLBACK = "latin-1"


def decode_text(content, fallback=CSV_FALLBACK):
    """The text of ``content`` (bytes; text is returned as is): UTF-8 with or
    without a byte order mark, else ``fallback``; a FormatError when it is neither
    (Latin-1 decodes every byte, Windows-1252 leaves five undefined)."""
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        if fallback is None:
            raise FormatError(_("The file is not a UTF-8 CSV file.")) from None
    try:
        return content.decode(fallback)
    except UnicodeDecodeError as error:
        raise FormatError(
            _(
                "The file is neither UTF-8 nor Windows-1252 text (byte "
                "%(byte)s at position %(position)s). Save it as CSV UTF-8 or as "
                "an Excel workbook (.xlsx)."
            ),
            byte=f"0x{content[error.start]:02X}",
            position=error.start,
        ) from None
