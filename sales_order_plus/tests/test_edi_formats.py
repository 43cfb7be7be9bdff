# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The file format layer (edi/) on its own: plain Python, no database, no ORM."""

import io
import zipfile
from datetime import date

from odoo.tests import BaseCase, tagged

from .. import edi
from ..edi import dates, rows

DELFOR = (
    "UNA:+.? 'UNB+UNOC:3+BUYER:14+SELLER:14+261201:1200+1'"
    "UNH+1+DELFOR:D:96A:UN'BGM+241+DF-1+9'DTM+137:20261201:102'"
    "NAD+BY+4000001::9'NAD+ST+4000002::9'RFF+ON:SA-7'"
    "LIN+++C-100:IN'PIA+1+S-100:SA'QTY+70:120'RFF+AAK:DN-5'"
    "SCC+1'QTY+113:10'DTM+2:20261214:102'"
    "SCC+4++W'QTY+113:20'DTM+2:202652:616'"
    "LIN+++C-200:IN'RFF+ON:SA-8'SCC+4'QTY+113:5'DTM+158:202701:610'"
    "UNT+19+1'UNZ+1+1'"
)
DELJIT = (
    "UNH+7+DELJIT:D:04B:UN'BGM+242+JIT-3+9'DTM+137:202612011200:203'"
    "LIN+++C-100:BP'QTY+1:4'SCC+1'DTM+2:20261208:102'"
    "QTY+1:6'SCC+4'DTM+10:20261209:102'UNT+9+7'"
)


@tagged("post_install", "-at_install")
class TestEdiFormats(BaseCase):
    """Decoder, row reader and caps, dates, EDIFACT, format detection."""

    # Text decoder
    def test_decode_utf8_with_and_without_bom(self):
        self.assertEqual(edi.decode_text("Größe".encode()), "Größe")
        self.assertEqual(edi.decode_text(b"\xef\xbb\xbfGr\xc3\xb6\xc3\x9fe"), "Größe")

    def test_decode_falls_back_per_format(self):
        # Excel's plain CSV: Windows-1252 (0x80 the euro sign).
        self.assertEqual(edi.decode_text(b"\x80 5"), "€ 5")
        # EDIFACT UNOC: Latin-1, which reads every byte.
        self.assertEqual(edi.decode_text(b"\x81", edi.EDIFACT_FALLBACK), "\x81")

    def test_decode_refuses_what_it_cannot_read(self):
        with self.assertRaises(edi.FormatError) as caught:
            edi.decode_text(b"ab\x81")
        self.assertEqual(caught.exception.params, {"byte": "0x81", "position": 2})
        self.assertIn("neither UTF-8 nor Windows-1252", str(caught.exception))
        with self.assertRaises(edi.FormatError) as caught:
            edi.decode_text(b"caf\xe9", fallback=None)
        self.assertEqual(str(caught.exception), "The file is not a UTF-8 CSV file.")

    def test_error_is_translated_by_the_caller(self):
        error = edi.FormatError("Row %(row)s: x", row=3)
        self.assertEqual(
            error.translate(lambda msg, **kw: "Zeile {row}: x".format(**kw)),
            "Zeile 3: x",
        )

    # Row reader and caps
    def test_csv_rows_sniffed_and_blank_rows_skipped(self):
        content = b"product;date;quantity\n\nA;2026-12-08;5\n;;\nB;08.12.2026;7\n"
        self.assertEqual(
            edi.read_rows(content),
            [
                (1, ["product", "date", "quantity"]),
                (3, ["A", "2026-12-08", "5"]),
                (5, ["B", "08.12.2026", "7"]),
            ],
        )

    def test_csv_caps(self):
        wide = ",".join(str(i) for i in range(rows.MAX_COLUMNS + 20)).encode()
        [(_number, cells)] = edi.read_rows(wide)
        self.assertEqual(len(cells), rows.MAX_COLUMNS)
        with self.assertRaisesRegex(edi.FormatError, "Row 2: a cell is longer"):
            edi.read_rows(b"a,b\n" + b"x" * (rows.MAX_CELL_CHARS + 1) + b",1\n")
        long = b"a\n" + b"1\n" * (rows.MAX_ROWS + 1)
        with self.assertRaisesRegex(edi.FormatError, r"Row 10002: the file is too"):
            edi.read_rows(long)
        self.assertEqual(len(edi.read_rows(b"a\n" + b"1\n" * rows.MAX_ROWS)), 10001)
        with self.assertRaisesRegex(edi.FormatError, "larger than 5 MB"):
            edi.check_size(b"x" * (5 * 1024 * 1024 + 1))

    def test_xlsx_unpacked_cap_and_garbage(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            size = rows.MAX_UNPACKED_MB * 1024 * 1024 + 1
            archive.writestr("xl/big.xml", b"0" * size)
        with self.assertRaisesRegex(edi.FormatError, "unpacks to more than 50 MB"):
            edi.read_rows(buffer.getvalue(), edi.XLSX)
        with self.assertRaisesRegex(edi.FormatError, "cannot be read as an Excel"):
            edi.read_rows(b"PK not a zip", edi.XLSX)

    def test_xlsx_rows(self):
        import openpyxl

        book = openpyxl.Workbook()
        book.active.append(["Produkt", "Datum", "Menge"])
        book.active.append(["A", date(2026, 12, 8), "1.500"])
        buffer = io.BytesIO()
        book.save(buffer)
        [row] = edi.parse_schedule_rows(edi.read_rows(buffer.getvalue(), edi.XLSX))
        self.assertEqual((row.code, row.due, row.qty), ("A", date(2026, 12, 8), 1500))

    def test_schedule_rows(self):
        parsed = edi.parse_schedule_rows(
            edi.read_rows(b'Product,Date,Qty\nA,2026-12-08,"1,500"\nB,31.02.2026,x\n')
        )
        self.assertEqual(
            [(r.code, r.due, r.qty) for r in parsed],
            [("A", date(2026, 12, 8), 1500.0), ("B", None, None)],
        )
        with self.assertRaisesRegex(edi.FormatError, "columns quantity are missing"):
            edi.parse_schedule_rows(edi.read_rows(b"product,date\nA,2026-12-08\n"))
        with self.assertRaisesRegex(edi.FormatError, "The file is empty"):
            edi.parse_schedule_rows([])
        self.assertEqual(edi.parse_quantity("1,5", decimal_comma=True), 1.5)
        self.assertIsNone(edi.parse_quantity("1" * 400))
        self.assertIsNone(edi.parse_quantity("nan"))

    def test_shipment_records_and_reports(self):
        content = (
            b"\xef\xbb\xbfReference;Report_Ref;Product_Code;Quantity;Carrier;Tracking\n"
            b"D-1;R1;P1;2;DHL;T1,T2\nD-1;R1;P2;3;;T2\n"
        )
        reports = edi.shipment_reports(edi.read_records(content))
        report = reports[("D-1", "R1")]
        self.assertEqual(report.carrier, "DHL")
        self.assertEqual(report.tracking, ["T1", "T2"])
        self.assertEqual(
            report.lines,
            [
                {"product_code": "P1", "quantity": "2"},
                {"product_code": "P2", "quantity": "3"},
            ],
        )

    # Dates
    def test_dates_in_formats(self):
        self.assertEqual(edi.parse_date("2026-12-08"), date(2026, 12, 8))
        self.assertEqual(
            edi.parse_date("2026-12-08 10:30:00", leading=True), date(2026, 12, 8)
        )
        self.assertIsNone(edi.parse_date("2026-12-08 10:30:00"))
        self.assertEqual(
            edi.parse_date(" 8.12.26 ", edi.IMPORT_FORMATS), date(2026, 12, 8)
        )
        self.assertEqual(
            edi.parse_date("12/08/2026", (*edi.IMPORT_FORMATS, "%m/%d/%Y")),
            date(2026, 12, 8),
        )
        self.assertIsNone(edi.parse_date("31.02.2026", edi.IMPORT_FORMATS))
        self.assertIsNone(edi.parse_date(""))

    def test_edifact_date_codes(self):
        parse = edi.parse_edifact_date
        self.assertEqual(parse("20261208", "102"), date(2026, 12, 8))
        self.assertEqual(parse("202612081030", "203"), date(2026, 12, 8))
        self.assertEqual(parse("261208", "101"), date(2026, 12, 8))
        # Week 50 of 2026 on its Monday, or on the bucket weekday (Wednesday).
        self.assertEqual(parse("202650", "616"), date(2026, 12, 7))
        self.assertEqual(parse("202650", "616", 3), date(2026, 12, 9))
        # December 2026: its first Monday.
        self.assertEqual(parse("202612", "610"), date(2026, 12, 7))
        self.assertEqual(parse("20261209-20261220", "718"), date(2026, 12, 14))
        # A range without the bucket weekday: its first day.
        self.assertEqual(parse("20261209-20261211", "718"), date(2026, 12, 9))
        for text, fmt in (("20261232", "102"), ("202654", "616"), ("x", "102")):
            with self.assertRaises(ValueError):
                parse(text, fmt)
        self.assertEqual(dates.six_digit_format("202650"), "616")
        self.assertEqual(dates.six_digit_format("261215"), "101")
        self.assertIsNone(dates.six_digit_format("202612"))
        self.assertEqual(dates.six_digit_format("202612", "M"), "610")

    # EDIFACT
    def test_delfor(self):
        [message] = edi.EdifactReader().parse(DELFOR)
        self.assertEqual(
            (message.kind, message.directory, message.number, message.date),
            ("forecast", "D:96A", "DF-1", date(2026, 12, 1)),
        )
        self.assertEqual((message.buyer, message.ship_to), ("4000001", "4000002"))
        first, second = message.items
        self.assertEqual(
            (first.customer_code, first.supplier_code, first.agreement),
            ("C-100", "S-100", "SA-7"),
        )
        self.assertEqual((first.cum_qty, first.cum_note), (120.0, "DN-5"))
        self.assertEqual(
            first.entries,
            [
                (date(2026, 12, 14), 10.0, "firm"),
                (date(2026, 12, 21), 20.0, "forecast"),
            ],
        )
        # Another bucket weekday without reading the interchange again.
        self.assertEqual(first.entries_on(5)[1], (date(2026, 12, 25), 20.0, "forecast"))
        self.assertEqual(second.entries, [(date(2027, 1, 4), 5.0, "forecast")])
        grouped = message.items_by_agreement()
        self.assertEqual(
            {ref: [i.customer_code for i in items] for ref, items in grouped.items()},
            {"SA-7": ["C-100"], "SA-8": ["C-200"]},
        )
        self.assertFalse(message.problems or first.problems or second.problems)

    def test_deljit(self):
        [message] = edi.EdifactReader().parse(DELJIT)
        self.assertEqual((message.kind, message.directory), ("jit", "D:04B"))
        [item] = message.items
        self.assertEqual(
            item.entries,
            [(date(2026, 12, 8), 4.0, "firm"), (date(2026, 12, 9), 6.0, "forecast")],
        )

    def test_edifact_problems_and_errors(self):
        text = (
            "UNH+1+ORDERS:D:96A:UN'LIN+++C-1:IN'QTY+113:abc'DTM+2:20261208:102'"
            "QTY+113:5'DTM+2:202612'QTY+113:5'UNT+6+1'"
        )
        [message] = edi.EdifactReader().parse(text)
        self.assertIn("ORDERS is not a delivery schedule", message.problems[0])
        self.assertEqual(
            message.items[0].problems,
            [
                "C-1: invalid quantity abc",
                "the date 202612 has no format code and is ambiguous (a week CCYYWW, "
                "a month CCYYMM or a date YYMMDD): the sender must send the format "
                "code (DTM 2379)",
                "C-1: a quantity without a delivery date",
            ],
        )
        with self.assertRaisesRegex(edi.EdifactError, "holds no EDIFACT message"):
            edi.EdifactReader().parse("UNB+UNOC:3+A+B+261201:1200+1'UNZ+0+1'")
        with self.assertRaisesRegex(edi.EdifactError, "interchange cannot be read"):
            edi.EdifactReader().parse("'''")
        # A malformed service string advice or segment tag: refused, not a crash.
        for text in ("UNA'", "UNA:+.?'UNB+UNOC:3+A+B'"):
            with self.assertRaisesRegex(edi.EdifactError, "interchange cannot be read"):
                edi.EdifactReader().parse(text)

    # Format detection
    def test_detect_format(self):
        self.assertEqual(edi.detect_format(DELFOR.encode()), edi.EDIFACT)
        self.assertEqual(edi.detect_format(b"\xef\xbb\xbf\r\nUNH+1"), edi.EDIFACT)
        self.assertEqual(edi.detect_format(b"PK\x03\x04..."), edi.XLSX)
        self.assertEqual(edi.detect_format(b"", "plan.XLSX"), edi.XLSX)
        self.assertEqual(edi.detect_format(b"product;date;qty", "plan.txt"), edi.CSV)
