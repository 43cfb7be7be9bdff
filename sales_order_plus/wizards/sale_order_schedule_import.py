# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from .. import edi
from ..models.integrity import MAX_QUANTITY, raise_problems
from ..models.sale_order_schedule_line import SCHEDULE_HORIZON_YEARS

# The caps of a file (edi/rows.py), named here as before.
MAX_FILE_MB = edi.MAX_FILE_MB
MAX_ROWS = edi.MAX_ROWS


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
        included (edi/rows.py: the one reader, within its caps)."""
        self.ensure_one()
        content = self._file_content()
        try:
            return edi.read_rows(content, self._file_format(content))
        except edi.FormatError as error:
            raise UserError(error.translate(self.env._)) from error

    def _file_content(self):
        data = self.file or b""
        # Base64 is 4/3 of the file: a file far too large is refused undecoded.
        try:
            if len(data) * 3 // 4 > MAX_FILE_MB * 1024 * 1024 + 3:
                raise edi.rows.too_large_error()
            return edi.check_size(base64.b64decode(data))
        except edi.FormatError as error:
            raise UserError(error.translate(self.env._)) from error

    def _file_format(self, content):
        """``"edifact"``, ``"xlsx"`` or ``"csv"`` (edi/registry.py)."""
        return edi.detect_format(content, self.filename)

    # ------------------------------------------------------------------
    # Parsing: what the cells say
    # ------------------------------------------------------------------
    def _parse_rows(self, rows):
        """An :data:`edi.ImportRow` per data row of ``rows`` (the header row
        first)."""
        formats = self.env["sale.order.schedule.version"]._sop_version_date_formats()
        try:
            return edi.parse_schedule_rows(rows, formats)
        except edi.FormatError as error:
            raise UserError(error.translate(self.env._)) from error

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
        versions = self.env["sale.order.schedule.version"]._sop_version_receive_file(
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
