# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The schedule import wizard: how numbers, encodings and large files are read, and
that importing a file again changes nothing. Refused files are rows of
``test_bad_input.py``."""

import base64
import csv
import io
import resource
import zipfile
from contextlib import contextmanager
from datetime import date

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_kind_schedule import ScheduleCase


@contextmanager
def memory_capped(megabytes=1024):
    """Let the process take at most ``megabytes`` more address space inside the
    block (as Odoo's workers do with limit_memory_hard): reading a file whole where
    it should be read row by row fails with a MemoryError instead of taking the
    machine's memory."""
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * resource.getpagesize()
    limits = resource.getrlimit(resource.RLIMIT_AS)
    cap = used + megabytes * 1024 * 1024
    if limits[0] != resource.RLIM_INFINITY:
        cap = min(cap, limits[0])
    resource.setrlimit(resource.RLIMIT_AS, (cap, limits[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, limits)


@tagged("post_install", "-at_install")
class TestScheduleImport(ScheduleCase):
    def _import(self, order, content, filename="schedule.csv", **vals):
        wizard = self.env["sale.order.schedule.import"].create(
            {
                "order_id": order.id,
                "file": base64.b64encode(content),
                "filename": filename,
                **vals,
            }
        )
        return wizard.action_import()

    def _xlsx(self, rows, cells=()):
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        for row, column, value in cells:
            book.active.cell(row=row, column=column, value=value)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def _schedule(self, order):
        return [(s.date, s.product_uom_qty, s.state) for s in order.schedule_line_ids]

    # ------------------------------------------------------------------
    # Numbers
    # ------------------------------------------------------------------
    @freeze_time("2030-01-01")
    def test_numbers_follow_the_header_language(self):
        """The quantity column's header says how numbers are written: a thousands
        separator of that language groups digits by three; any other mark is the
        decimal mark, and with both marks the last one is."""
        cases = {
            b"Internal Reference,Date,Quantity\n": [
                ('"1,500"', 1500.0),
                ('"1,234,567"', 1234567.0),
                ('"1,234.5"', 1234.5),
                ("2.5", 2.5),
                ('"1,5"', 1.5),  # cannot group thousands: a decimal comma
                ('"0,500"', 0.5),
                ("1 500", 1500.0),
            ],
            b"Artikelnummer;Liefertermin;Menge\n": [
                ("1.500", 1500.0),
                ("1.234.567", 1234567.0),
                ("1.234,5", 1234.5),
                ("1,5", 1.5),
                ("2.5", 2.5),  # cannot group thousands: a decimal point
                ("1,500", 1.5),
                ("1\xa0500", 1500.0),
            ],
        }
        for header, quantities in cases.items():
            with self.subTest(header=header):
                separator = "," if header.startswith(b"Internal") else ";"
                order = self._create_order(self.type_schedule)
                days = [date(2030, 2, day) for day in range(1, len(quantities) + 1)]
                rows = "".join(
                    separator.join(("SOP-STORE", str(day), text)) + "\n"
                    for day, (text, _qty) in zip(days, quantities, strict=True)
                )
                self._import(order, header + rows.encode())
                self.assertEqual(
                    self._schedule(order),
                    [
                        (day, qty, "planned")
                        for day, (_text, qty) in zip(days, quantities, strict=True)
                    ],
                )

    @freeze_time("2030-01-01")
    def test_xlsx_cells(self):
        """Number cells are taken as they are, text cells by the header language; a
        number cell that is no finite number is refused."""
        order = self._create_order(self.type_schedule)
        content = self._xlsx(
            [
                ["Artikelnummer", "Liefertermin", "Menge"],
                ["SOP-STORE", date(2030, 1, 15), 1500],
                ["SOP-STORE", "16.01.2030", "1.500"],
                ["SOP-STORE", "17.01.2030", 2.5],
            ]
        )
        self._import(order, content, "lieferplan.xlsx")
        self.assertEqual(
            [qty for _d, qty, _s in self._schedule(order)], [1500.0, 1500.0, 2.5]
        )
        # Number cells too large for a float (openpyxl writes infinity empty, other
        # programs may not): the placeholders become them.
        content = self._xlsx(
            [
                ["Artikelnummer", "Liefertermin", "Menge"],
                ["SOP-STORE", date(2030, 1, 18), 123456789],
                ["SOP-STORE", date(2030, 1, 19), 987654321],
            ]
        )
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        sheet = "xl/worksheets/sheet1.xml"
        members[sheet] = (
            members[sheet]
            .replace(b">123456789<", b">1E999<")
            .replace(b">987654321<", b">-1E999<")
        )
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)
        with self.assertRaisesRegex(
            UserError, "Row 2: invalid quantity inf\nRow 3: invalid quantity -inf"
        ):
            self._import(order, out.getvalue(), "lieferplan.xlsx")

    # ------------------------------------------------------------------
    # Importing again
    # ------------------------------------------------------------------
    def test_reimport_after_delivery_changes_nothing(self):
        """The customer's full file, sent again after the first date was delivered
        (and is past), changes nothing; a changed future row is a revision."""
        order = self._create_order(self.type_schedule)
        content = (
            b"Internal Reference,Date,Quantity\n"
            b"SOP-STORE,2030-01-15,2\n"
            b"SOP-STORE,2030-02-15,3\n"
        )
        with freeze_time("2030-01-01"):
            self._import(order, content)
            order.action_confirm()
            self._deliver(self._picking(order, date(2030, 1, 15)))
        expected = [
            (date(2030, 1, 15), 2.0, "delivered"),
            (date(2030, 2, 15), 3.0, "released"),
        ]
        self.assertEqual(self._schedule(order), expected)
        with freeze_time("2030-01-20"):
            result = self._import(order, content)
            self.assertEqual(
                result["params"]["message"], "0 schedule lines added, 0 changed."
            )
            self.assertEqual(self._schedule(order), expected)
            self.assertEqual(order.schedule_revision, 0)
            self._import(order, content.replace(b"2030-02-15,3", b"2030-02-15,4"))
        self.assertEqual(
            self._schedule(order),
            [
                (date(2030, 1, 15), 2.0, "delivered"),
                (date(2030, 2, 15), 4.0, "released"),
            ],
        )
        self.assertEqual(order.schedule_revision, 1)
        self.assertEqual(order.order_line.product_uom_qty, 6.0)

    # ------------------------------------------------------------------
    # Reading files
    # ------------------------------------------------------------------
    @freeze_time("2030-01-01")
    def test_stray_cell_at_xfd1048576_is_not_read_whole(self):
        """A workbook whose used range reaches XFD1048576 (4 KB) is read row by row:
        its rows are imported without building the million-row range in memory."""
        order = self._create_order(self.type_schedule)
        content = self._xlsx(
            [
                ["Internal Reference", "Date", "Quantity"],
                ["SOP-STORE", "2030-01-15", 3],
            ],
            cells=[(1048576, 16384, "stray")],  # beyond the columns an import reads
        )
        with memory_capped():
            self._import(order, content, "schedule.xlsx")
        self.assertEqual(self._schedule(order), [(date(2030, 1, 15), 3.0, "planned")])

    @freeze_time("2030-01-01")
    def test_field_size_limit_of_the_process(self):
        """Where the process keeps Python's CSV field limit (Odoo's server raises it,
        a shell does not), a longer field is a clear error too."""
        order = self._create_order(self.type_schedule)
        content = b'Internal Reference,Date,Quantity\nSOP-STORE,"2030-01-15,3\n'
        content += b"x" * 140000
        limit = csv.field_size_limit(131072)
        try:
            with self.assertRaisesRegex(
                UserError, "Row 2: a cell is longer than 131072 characters"
            ):
                self._import(order, content)
        finally:
            csv.field_size_limit(limit)
        self.assertFalse(order.schedule_line_ids)

    @freeze_time("2030-01-01")
    def test_format_by_content_and_encoding(self):
        """A workbook is read as one whatever its name; a CSV file in UTF-8 or
        Windows-1252."""
        order = self._create_order(self.type_schedule)
        workbook = self._xlsx(
            [["Internal Reference", "Date", "Quantity"], ["SOP-STORE", "2030-01-15", 3]]
        )
        self._import(order, workbook, "export.csv")
        self.assertEqual(self._schedule(order), [(date(2030, 1, 15), 3.0, "planned")])
        text = (
            "Artikelnummer;Liefertermin;Menge;Bemerkung\nSOP-STORE;16.01.2030;2;Größe\n"
        )
        for encoding in ("utf-8", "cp1252"):
            with self.subTest(encoding=encoding):
                self._import(order, text.encode(encoding))
                self.assertEqual(
                    self._schedule(order)[-1], (date(2030, 1, 16), 2.0, "planned")
                )
