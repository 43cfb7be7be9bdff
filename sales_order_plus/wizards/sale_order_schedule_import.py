# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import csv
import io
from datetime import date, datetime

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..models.sale_order_schedule_line import SCHEDULE_HORIZON_YEARS

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
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y")


class SaleOrderScheduleImport(models.TransientModel):
    """Import the schedule lines of an order from a CSV or XLSX file.

    Every row is checked first; if one is wrong, all wrong rows are reported and nothing
    is imported. A row matches the order's schedule line of the same product and date,
    so importing a file again changes nothing.
    """

    _name = "sale.order.schedule.import"
    _description = "Import Delivery Schedule"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    file = fields.Binary(required=True)
    filename = fields.Char()
    set_quantities = fields.Boolean(
        string="Set ordered quantities",
        default=True,
        help="On a quotation, set each imported product's ordered quantity to the sum "
        "of its schedule. (A confirmed order's quantities always follow its schedule.)",
    )

    # ------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------
    def _read_rows(self):
        """[(row number, [cell values])] of the file, header row included."""
        self.ensure_one()
        content = base64.b64decode(self.file or b"")
        name = (self.filename or "").lower()
        if name.endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
            return self._read_xlsx(content)
        return self._read_csv(content)

    def _read_xlsx(self, content):
        import openpyxl  # shipped with Odoo's requirements

        try:
            book = openpyxl.load_workbook(
                io.BytesIO(content), read_only=True, data_only=True
            )
        except Exception as error:
            raise UserError(
                _(
                    "The file cannot be read as an Excel workbook: %(error)s",
                    error=error,
                )
            ) from error
        sheet = book.worksheets[0]
        return [
            (number, list(row))
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]

    def _read_csv(self, content):
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        try:
            dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return [
            (number, row)
            for number, row in enumerate(
                csv.reader(io.StringIO(text), dialect), start=1
            )
        ]

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
    def _parse_quantity(self, value):
        if isinstance(value, int | float):
            return float(value)
        text = str(value or "").strip().replace(" ", "")
        if "," in text and "." in text:
            # 1.234,5 (German) or 1,234.5 (English): the last mark is the decimal one.
            if text.rfind(",") > text.rfind("."):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", "")
        else:
            text = text.replace(",", ".")
        try:
            return float(text)
        except ValueError:
            return None

    # ------------------------------------------------------------------
    # Checking
    # ------------------------------------------------------------------
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

    def _check_rows(self):
        """Parsed rows [(row number, sales line, date, quantity)], or UserError
        listing every wrong row."""
        self.ensure_one()
        order = self.order_id
        rows = [
            (n, r) for n, r in self._read_rows() if any(str(c or "").strip() for c in r)
        ]
        if not rows:
            raise UserError(_("The file is empty."))
        columns = self._columns(rows[0][1])
        rows = rows[1:]
        cell = lambda row, key: (  # noqa: E731
            row[columns[key]] if columns[key] < len(row) else None
        )
        codes = {str(cell(r, "product") or "").strip() for _n, r in rows} - {""}
        products = self.env["product.product"].search(
            ["|", ("default_code", "in", list(codes)), ("barcode", "in", list(codes))]
        )
        by_code = {}
        for product in products:
            for code in {product.default_code, product.barcode} & codes:
                by_code.setdefault(code, self.env["product.product"])
                by_code[code] |= product
        goods_lines = order.order_line.filtered(
            lambda sl: sl._sop_schedule_is_scheduled()
        )
        today = fields.Date.context_today(self)
        latest = self.env["sale.order.schedule.line"]._sop_schedule_latest_date()
        errors, parsed, seen = [], [], {}
        for number, row in rows:
            code = str(cell(row, "product") or "").strip()
            line, reasons = self._row_order_line(code, by_code, goods_lines)
            due = self._parse_date(cell(row, "date"))
            reasons += self._date_reasons(cell(row, "date"), due, today, latest)
            qty = self._parse_quantity(cell(row, "quantity"))
            if qty is None:
                reasons.append(
                    _("invalid quantity %(value)s", value=cell(row, "quantity") or "")
                )
            elif qty <= 0:
                reasons.append(_("the quantity must be positive"))
            if line and due:
                key = (line.id, due)
                if key in seen:
                    reasons.append(
                        _("same product and date as row %(row)s", row=seen[key])
                    )
                seen.setdefault(key, number)
                existing = line.schedule_line_ids.filtered(
                    lambda s, d=due: s.date == d and not s.cancelled
                )
                if (
                    existing
                    and qty
                    and float_compare(
                        existing.product_uom_qty,
                        qty,
                        precision_rounding=line.product_uom.rounding,
                    )
                ):
                    if existing.state == "delivered":
                        reasons.append(_("this date is already delivered"))
                    elif qty < existing.qty_delivered:
                        reasons.append(
                            _(
                                "below the %(qty)s already delivered",
                                qty=existing.qty_delivered,
                            )
                        )
            if reasons:
                errors.append(
                    _(
                        "Row %(row)s: %(reasons)s",
                        row=number,
                        reasons="; ".join(reasons),
                    )
                )
            else:
                parsed.append((number, line, due, qty))
        if errors:
            raise UserError(
                _("Nothing was imported; please correct these rows:")
                + "\n"
                + "\n".join(errors)
            )
        return parsed

    # ------------------------------------------------------------------
    # Importing
    # ------------------------------------------------------------------
    def action_import(self):
        self.ensure_one()
        order = self.order_id
        if order.type_kind != "schedule" or order.state not in (
            "draft",
            "sent",
            "sale",
        ):
            raise UserError(
                _("Only open delivery schedule orders take an imported schedule.")
            )
        parsed = self._check_rows()
        Schedule = self.env["sale.order.schedule.line"]
        created = updated = 0
        with order._sop_schedule_revision_batch() as order:
            to_create = []
            for _number, line, due, qty in parsed:
                existing = line.schedule_line_ids.filtered(
                    lambda s, d=due: s.date == d and not s.cancelled
                )
                if not existing:
                    to_create.append(
                        {"order_line_id": line.id, "date": due, "product_uom_qty": qty}
                    )
                elif float_compare(
                    existing.product_uom_qty,
                    qty,
                    precision_rounding=line.product_uom.rounding,
                ):
                    existing.with_env(order.env).write({"product_uom_qty": qty})
                    updated += 1
            if to_create:
                Schedule.with_env(order.env).create(to_create)
                created = len(to_create)
            if self.set_quantities and order.state in ("draft", "sent"):
                for line in {line for _n, line, _d, _q in parsed}:
                    total = sum(
                        line.schedule_line_ids.filtered(
                            lambda s: not s.cancelled
                        ).mapped("product_uom_qty")
                    )
                    if float_compare(
                        total,
                        line.product_uom_qty,
                        precision_rounding=line.product_uom.rounding,
                    ):
                        line.product_uom_qty = total
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
