# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import csv
import io
import logging
import math
import re
import zipfile
from collections import namedtuple
from datetime import date, datetime
from itertools import islice

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..models.integrity import (
    MAX_NUMBER,
    MAX_QUANTITY,
    finite_quantity,
    raise_problems,
)
from ..models.sale_order_schedule_line import SCHEDULE_HORIZON_YEARS
from ..models.schedule_edifact import looks_like_edifact

_logger = logging.getLogger(__name__)

# Accepted column headers (lower case), English and German.
_HEADERS = {
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
# _parse_quantity): "1.500" is fifteen hundred and "1,5" one and a half.
_DECIMAL_COMMA_HEADERS = {"menge", "anzahl"}
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y")

# What one import reads at most, so that no file can take the server's memory or
# time (a schedule has a few thousand rows); the errors name these caps.
MAX_FILE_MB = 5  # the file as uploaded
MAX_UNPACKED_MB = 50  # a workbook unpacked (an XLSX file is a zip archive)
MAX_ROWS = 10000  # rows after the header
MAX_COLUMNS = 100  # cells further right are not read
MAX_CELL_CHARS = 1000  # a CSV cell: longer ones come from an unclosed quotation mark
# Excel's last row: openpyxl yields an empty row for each row number a sheet skips,
# so a forged row number would keep it yielding for ever.
_XLSX_LAST_ROW = 1048576

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


class SaleOrderScheduleImport(models.TransientModel):
    """Import the schedule lines of an order from a CSV or XLSX file.

    Every row is checked first; if one is wrong, all wrong rows are reported and nothing
    is imported. A row matches the order's schedule line of the same product and date,
    so importing a file again changes nothing.

    The steps: read the file's rows (:meth:`_read_rows`, one reader per format),
    parse them (:meth:`_parse_rows`), check them against the order
    (:meth:`_check_rows`), apply them (:meth:`_apply_rows`).
    """

    _name = "sale.order.schedule.import"
    _description = "Import Delivery Schedule"

    # Empty for an EDIFACT file: the agreements are found from its messages.
    order_id = fields.Many2one("sale.order", ondelete="cascade")
    file = fields.Binary(required=True)
    filename = fields.Char()
    set_quantities = fields.Boolean(
        string="Set ordered quantities",
        default=True,
        help="On a quotation, set each imported product's ordered quantity to the sum "
        "of its schedule. (A confirmed order's quantities always follow its schedule.)",
    )

    # ------------------------------------------------------------------
    # Reading: the file's rows, within the caps
    # ------------------------------------------------------------------
    def _read_rows(self):
        """[(row number, [cell values])] of the file's non-blank rows, header row
        included."""
        self.ensure_one()
        content = self._file_content()
        if self._file_format(content) == "xlsx":
            rows = self._read_xlsx(content)
        else:
            rows = self._read_csv(content)
        return self._capped_rows(rows)

    def _file_content(self):
        data = self.file or b""
        # Base64 is 4/3 of the file: a file far too large is refused undecoded.
        if len(data) * 3 // 4 > MAX_FILE_MB * 1024 * 1024 + 3:
            raise self._too_large_error()
        content = base64.b64decode(data)
        if len(content) > MAX_FILE_MB * 1024 * 1024:
            raise self._too_large_error()
        return content

    def _too_large_error(self):
        return UserError(
            _(
                "The file is larger than %(size)s MB. An import takes at most "
                "%(size)s MB and %(rows)s rows; split the file.",
                size=MAX_FILE_MB,
                rows=MAX_ROWS,
            )
        )

    def _file_format(self, content):
        """``"xlsx"`` (a zip archive, or named so) or ``"csv"``: the format whose
        reader :meth:`_read_rows` calls. Another format joins here, by content."""
        name = (self.filename or "").lower()
        if looks_like_edifact(content):
            return "edifact"
        if content[:2] == b"PK" or name.endswith((".xlsx", ".xlsm")):
            return "xlsx"
        return "csv"

    def _capped_rows(self, rows):
        """The non-blank rows of ``rows`` [(row number, cells)] cut to the first
        columns; a non-blank row after the last one an import takes is refused."""
        kept = []
        for number, cells in rows:
            cells = list(cells[:MAX_COLUMNS])
            # any(cells) first: a sheet's empty rows are many and cheap to skip.
            if not any(cells) or not any(str(c or "").strip() for c in cells):
                continue
            if number > MAX_ROWS + 1:
                raise UserError(
                    _(
                        "Row %(row)s: the file is too long. An import takes at most "
                        "%(rows)s rows and %(size)s MB; split the file.",
                        row=number,
                        rows=MAX_ROWS,
                        size=MAX_FILE_MB,
                    )
                )
            kept.append((number, cells))
        return kept

    def _read_xlsx(self, content):
        """[(row number, cells)] of the workbook's first sheet, read lazily."""
        import openpyxl  # shipped with Odoo's requirements

        # Before opening the workbook, which loads its shared strings whole.
        self._check_unpacked_size(content)
        try:
            book = openpyxl.load_workbook(
                io.BytesIO(content), read_only=True, data_only=True
            )
        except Exception as error:
            raise self._xlsx_error(error) from error
        sheet = book.worksheets[0]
        # The rows the sheet has, not the range it declares: a declared A1:XFD1048576
        # makes openpyxl pad every row to 16384 cells and yield 1048576 rows.
        sheet.reset_dimensions()
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        try:
            yield from islice(rows, _XLSX_LAST_ROW)
        except Exception as error:
            raise self._xlsx_error(error) from error
        finally:
            book.close()

    def _check_unpacked_size(self, content):
        """Refuse a workbook (a zip archive) that unpacks beyond the cap: the sizes
        the archive declares bound what unpacking yields (Python's zip reader stops
        there and checks)."""
        try:
            members = zipfile.ZipFile(io.BytesIO(content)).infolist()
        except zipfile.BadZipFile as error:
            raise self._xlsx_error(error) from error
        if sum(member.file_size for member in members) > MAX_UNPACKED_MB * 1024 * 1024:
            raise UserError(
                _(
                    "The workbook unpacks to more than %(unpacked)s MB. An import "
                    "reads at most %(unpacked)s MB unpacked, %(size)s MB as a file and "
                    "%(rows)s rows; save the schedule alone, or as CSV.",
                    unpacked=MAX_UNPACKED_MB,
                    size=MAX_FILE_MB,
                    rows=MAX_ROWS,
                )
            )

    def _xlsx_error(self, error):
        return UserError(
            _("The file cannot be read as an Excel workbook: %(error)s", error=error)
        )

    def _read_csv(self, content):
        """[(row number, cells)] of the CSV text, read lazily."""
        text = self._decode(content)
        try:
            dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        number = 0
        try:
            for number, row in enumerate(csv.reader(io.StringIO(text), dialect), 1):
                if any(len(cell) > MAX_CELL_CHARS for cell in row):
                    raise self._long_cell_error(number, MAX_CELL_CHARS)
                yield number, row
        except csv.Error as error:
            # The reader failed on the row after the last one it returned.
            if "field limit" in str(error):
                raise self._long_cell_error(
                    number + 1, csv.field_size_limit()
                ) from error
            raise UserError(
                _(
                    "Row %(row)s: the file cannot be read as CSV: %(error)s",
                    row=number + 1,
                    error=error,
                )
            ) from error

    def _long_cell_error(self, number, limit):
        return UserError(
            _(
                "Row %(row)s: a cell is longer than %(limit)s characters; is a "
                "quotation mark not closed?",
                row=number,
                limit=limit,
            )
        )

    def _decode(self, content):
        """The text of a CSV file in UTF-8 (Excel's "CSV UTF-8") or Windows-1252
        (Excel's plain CSV)."""
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            _logger.debug("Schedule import: not UTF-8, reading it as Windows-1252")
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError as error:
            # Windows-1252 leaves five bytes undefined: this one is in neither.
            # (No f-string inside _(): Odoo's term extraction cannot read it.)
            byte = f"0x{content[error.start]:02X}"
            raise UserError(
                _(
                    "The file is neither UTF-8 nor Windows-1252 text (byte "
                    "%(byte)s at position %(position)s). Save it as CSV UTF-8 or as "
                    "an Excel workbook (.xlsx).",
                    byte=byte,
                    position=error.start,
                )
            ) from None

    # ------------------------------------------------------------------
    # Parsing: what the cells say
    # ------------------------------------------------------------------
    def _parse_rows(self, rows):
        """An :data:`ImportRow` per data row of ``rows`` (the header row first)."""
        if not rows:
            raise UserError(_("The file is empty."))
        (_number, header), *data = rows
        columns = self._columns(header)
        decimal_comma = (
            str(header[columns["quantity"]]).strip().lower() in _DECIMAL_COMMA_HEADERS
        )

        def cell(cells, key):
            return cells[columns[key]] if columns[key] < len(cells) else None

        return [
            ImportRow(
                number=number,
                code=str(cell(cells, "product") or "").strip(),
                date_value=cell(cells, "date"),
                due=self._parse_date(cell(cells, "date")),
                qty_value=cell(cells, "quantity"),
                qty=self._parse_quantity(cell(cells, "quantity"), decimal_comma),
            )
            for number, cells in data
        ]

    def _columns(self, header):
        columns = {}
        for index, title in enumerate(header):
            title = str(title or "").strip().lower()
            for key, names in _HEADERS.items():
                if title in names and key not in columns:
                    columns[key] = index
        missing = [key for key in _HEADERS if key not in columns]
        if missing:
            raise UserError(
                _(
                    "Row 1: the columns %(missing)s are missing. Expected headers: "
                    "product (or internal reference, barcode; Produkt, Artikelnummer), "
                    "date (Datum, Liefertermin) and quantity (Menge).",
                    missing=", ".join(missing),
                )
            )
        return columns

    @api.model
    def _parse_date(self, value):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value or "").strip()
        lang_format = (
            self.env["res.lang"]._get_data(code=self.env.user.lang).date_format
        )
        for fmt in (*_DATE_FORMATS, lang_format):
            try:
                return datetime.strptime(text, fmt).date()
            except (ValueError, TypeError):
                continue
        return None

    @api.model
    def _parse_quantity(self, value, decimal_comma=False):
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
        return finite_quantity(text, MAX_NUMBER) if _NUMBER.fullmatch(text) else None

    # ------------------------------------------------------------------
    # Checking: every row against the order, all problems at once
    # ------------------------------------------------------------------
    def _check_rows(self, rows):
        """[(row number, sales line, date, quantity)] of the parsed ``rows``, or one
        UserError listing every wrong row."""
        self.ensure_one()
        order_lines = self._rows_order_lines(rows)
        Schedule = self.env["sale.order.schedule.line"]
        today = Schedule._sop_schedule_today(self.order_id.company_id)
        latest = Schedule._sop_schedule_latest_date()
        problems, checked, seen = [], [], {}
        for row in rows:
            line, reasons = order_lines[row.code]
            existing = self._existing_schedule_line(line, row.due)
            changed = not existing or self._quantity_differs(existing, row.qty)
            reasons = list(reasons)
            if changed:
                # A row that changes nothing is no reason to refuse, whatever its
                # date: the customer's full file sent again after deliveries.
                reasons += self._date_reasons(row.date_value, row.due, today, latest)
            reasons += self._quantity_reasons(row.qty_value, row.qty)
            if line and row.due:
                first = seen.setdefault((line.id, row.due), row.number)
                if first != row.number:
                    reasons.append(_("same product and date as row %(row)s", row=first))
            if existing and row.qty and changed:
                reasons += self._revision_reasons(existing, row.qty)
            if reasons:
                problems.append(
                    _(
                        "Row %(row)s: %(reasons)s",
                        row=row.number,
                        reasons="; ".join(reasons),
                    )
                )
            else:
                checked.append((row.number, line, row.due, row.qty))
        raise_problems(_("Nothing was imported; please correct these rows:"), problems)
        return checked

    def _rows_order_lines(self, rows):
        """{product code: (order line, reasons why none)} of the codes of ``rows``."""
        all_codes = {row.code for row in rows}
        codes = all_codes - {""}
        products = self.env["product.product"].search(
            ["|", ("default_code", "in", list(codes)), ("barcode", "in", list(codes))]
        )
        by_code = {}
        for product in products:
            for code in {product.default_code, product.barcode} & codes:
                by_code.setdefault(code, self.env["product.product"])
                by_code[code] |= product
        goods_lines = self.order_id.order_line.filtered(
            lambda sl: sl._sop_schedule_is_scheduled()
        )
        return {
            code: self._row_order_line(code, by_code, goods_lines) for code in all_codes
        }

    @api.model
    def _row_order_line(self, code, by_code, goods_lines):
        """The order line a row's product code designates, or the reasons why none."""
        if not code:
            return None, [_("no product")]
        products = by_code.get(code)
        if not products:
            return None, [_("product %(code)s not found", code=code)]
        if len(products) > 1:
            return None, [_("%(code)s matches several products", code=code)]
        lines = goods_lines.filtered(lambda sl: sl.product_id == products)
        if not lines:
            return None, [_("%(code)s is not a goods line of this order", code=code)]
        if len(lines) > 1:
            return None, [_("%(code)s is on several lines of this order", code=code)]
        return lines, []

    @api.model
    def _existing_schedule_line(self, line, due):
        """The schedule line of sales ``line`` on ``due``, if any."""
        if not line or not due:
            return None
        return line.schedule_line_ids.filtered(
            lambda s: s.date == due and not s.cancelled
        )

    @api.model
    def _quantity_differs(self, existing, qty):
        return qty is None or bool(
            float_compare(
                existing.product_uom_qty,
                qty,
                precision_rounding=existing.order_line_id.product_uom.rounding,
            )
        )

    @api.model
    def _date_reasons(self, value, due, today, latest):
        """Why a row's date (``value``, parsed: ``due``) cannot be scheduled."""
        if not due:
            return [_("invalid date %(value)s", value=value or "")]
        if due < today:
            return [_("date %(date)s is in the past", date=due)]
        if due > latest:
            return [
                _(
                    "date %(date)s is more than %(years)s years ahead",
                    date=due,
                    years=SCHEDULE_HORIZON_YEARS,
                )
            ]
        return []

    @api.model
    def _quantity_reasons(self, value, qty):
        """Why a row's quantity (``value``, parsed: ``qty``) cannot be scheduled."""
        if qty is None:
            return [_("invalid quantity %(value)s", value=value or "")]
        if qty <= 0:
            return [_("the quantity must be positive")]
        if qty > MAX_QUANTITY:
            return [_("the quantity %(qty)s is not plausible", qty=qty)]
        return []

    @api.model
    def _revision_reasons(self, existing, qty):
        """Why the schedule line ``existing`` cannot take the quantity ``qty``."""
        if existing.state == "delivered":
            return [_("this date is already delivered")]
        if qty < existing.qty_delivered:
            return [
                _("below the %(qty)s already delivered", qty=existing.qty_delivered)
            ]
        return []

    # ------------------------------------------------------------------
    # Importing
    # ------------------------------------------------------------------
    def action_import(self):
        self.ensure_one()
        content = self._file_content()
        if self._file_format(content) == "edifact":
            return self._import_edifact(content)
        order = self.order_id
        if not order:
            raise UserError(_("Choose the order the schedule is for."))
        if order.type_kind != "schedule" or order.state not in (
            "draft",
            "sent",
            "sale",
        ):
            raise UserError(
                _("Only open delivery schedule orders take an imported schedule.")
            )
        rows = self._check_rows(self._parse_rows(self._read_rows()))
        with order._sop_schedule_revision_batch() as order:
            created, updated = self._apply_rows(order, rows)
            if self.set_quantities and order.state in ("draft", "sent"):
                self._set_ordered_quantities({line for _n, line, _d, _q in rows})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "%(created)s schedule lines added, %(updated)s changed.",
                    created=created,
                    updated=updated,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _import_edifact(self, content):
        """An EDIFACT file becomes schedule versions (of this order, or of the
        agreements its messages name), checked and applied or held as when
        received by EDI: the versions are shown."""
        order = self.order_id
        if order and (order.type_kind != "schedule" or order.state != "sale"):
            raise UserError(
                _("An EDIFACT schedule applies to a confirmed delivery schedule.")
            )
        versions = self.env["sale.order.schedule.version"]._sop_version_receive_edifact(
            content, self.filename, "file", order=order or None
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_order_plus.action_sale_order_schedule_version"
        )
        if len(versions) == 1:
            action.update(res_id=versions.id, view_mode="form", views=[(False, "form")])
        else:
            action["domain"] = [("id", "in", versions.ids)]
        return action

    @api.model
    def _apply_rows(self, order, rows):
        """Create or resize the schedule lines of the checked ``rows`` in the
        environment of ``order`` (a revision batch); (created, updated)."""
        to_create, updated = [], 0
        for _number, line, due, qty in rows:
            existing = self._existing_schedule_line(line, due)
            if not existing:
                to_create.append(
                    {"order_line_id": line.id, "date": due, "product_uom_qty": qty}
                )
            elif self._quantity_differs(existing, qty):
                existing.with_env(order.env).write({"product_uom_qty": qty})
                updated += 1
        if to_create:
            self.env["sale.order.schedule.line"].with_env(order.env).create(to_create)
        return len(to_create), updated

    @api.model
    def _set_ordered_quantities(self, lines):
        """Set each quotation line's ordered quantity to the sum of its schedule."""
        for line in lines:
            total = line.schedule_qty  # the sum of its active schedule lines
            if float_compare(
                total,
                line.product_uom_qty,
                precision_rounding=line.product_uom.rounding,
            ):
                line.product_uom_qty = total
