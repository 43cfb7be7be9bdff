# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""EDIFACT DELFOR / DELJIT schedules (messages written from the UN/EDIFACT segment
definitions), received by the import wizard and by e-mail through Odoo's mail
gateway."""

import base64
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from odoo.tests import tagged

from ..edi.edifact import ScheduleEdifactReader
from .test_schedule_version import VersionCase


def d(day):
    return f"{day:%Y%m%d}"


def week(day):
    year, number, _weekday = day.isocalendar()
    return f"{year}{number:02d}"


@tagged("post_install", "-at_install")
class TestScheduleEdifact(VersionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "dispo@sop-customer.example"

    def _delfor(self, ref="AG-100", number="DF-1", doc_day=0, directory="D:96A"):
        """A DELFOR with UNA, one segment a line: the forecast of two items, the
        first by the customer's item number with cumulative figures, firm and
        forecast quantities (a date, a week, an earliest/latest pair), the second by
        our item number only."""
        return f"""UNA:+.? '
UNB+UNOC:3+4000001:14+4099999:14+{self.today:%y%m%d}:0800+{number}'
UNH+1+DELFOR:{directory}:UN'
BGM+241+{number}+9'
DTM+137:{d(self.day(doc_day))}:102'
NAD+BY+4000001::9'
NAD+SE+4099999::9'
NAD+ST+4000001-W1::9'
RFF+ON:{ref}'
GIS+37'
LIN+++C-100:IN'
PIA+1+SOP-STORE:SA'
IMD+F++:::Gear housing'
QTY+70:1250'
DTM+51:{self.today:%Y}0101:102'
RFF+AAK:LS-4711'
DTM+171:{d(self.day(-2))}:102'
SCC+1'
QTY+113:5:PCE'
DTM+2:{d(self.day(7))}:102'
SCC+4++W'
QTY+113:40:PCE'
DTM+2:{week(self.day(28))}:616'
QTY+113:30'
DTM+64:{d(self.day(42))}:102'
DTM+63:{d(self.day(46))}:102'
LIN+++SOP-BOLT:SA'
SCC+1'
QTY+113:250'
DTM+2:{d(self.day(10))}:102'
UNT+28+1'
UNZ+1+{number}'
""".encode()

    def _import(self, content, filename="schedule.edi", order=None):
        wizard = self.env["sale.order.schedule.import"].create(
            {
                "order_id": order.id if order else False,
                "file": base64.b64encode(content),
                "filename": filename,
            }
        )
        action = wizard.action_import()
        return self.Version.browse(action.get("res_id")) or self.Version.search(
            action["domain"]
        )

    def test_delfor_without_order_finds_its_agreement(self):
        order = self._agreement()
        version = self._import(self._delfor())
        self.assertEqual(len(version), 1)
        self.assertEqual(version.state, "applied", version.reason)
        self.assertEqual(
            (version.order_id, version.kind, version.source, version.name),
            (order, "forecast", "file", "DF-1"),
        )
        self.assertEqual(version.document_date, self.today)
        self.assertEqual(
            (version.buyer_code, version.ship_to_code), ("4000001", "4000001-W1")
        )
        self.assertEqual(version.attachment_id.name, "schedule.edi")
        self.assertEqual(version.attachment_id.raw, self._delfor())
        monday = self.day(28) - timedelta(days=self.day(28).weekday())
        self.assertEqual(
            self._schedule(order),
            {
                ("SOP-STORE", 7): (5.0, "firm", "released"),
                ("SOP-STORE", (monday - self.today).days): (
                    40.0,
                    "forecast",
                    "planned",
                ),
                ("SOP-STORE", 42): (30.0, "forecast", "planned"),
                ("SOP-BOLT", 10): (250.0, "firm", "released"),
            },
        )
        line = order.order_line.filtered(lambda sl: sl.product_id == self.product)
        self.assertEqual(
            (line.sop_customer_cum_qty, line.sop_customer_cum_note),
            (1250.0, "LS-4711"),
        )
        # The same file again: a duplicate, nothing changes.
        again = self._import(self._delfor())
        self.assertEqual(again.state, "rejected")
        self.assertIn("duplicate", again.reason)
        self.assertEqual(version.state, "applied")

    def test_six_digit_dates_without_a_format_code(self):
        """A DTM value of six digits without its format code (2379) may be a week
        (616, CCYYWW), a month (610, CCYYMM) or a date (101, YYMMDD): the SCC's
        frequency (C329/2013: W weekly, M monthly, Y daily) says which; without it
        only a value with one possible reading is read, else it is a problem (the
        version is held), never a guess."""

        def entries(dtms):
            text = "UNH+1+DELFOR:D:96A:UN'BGM+241+DF-9+9'LIN+++C-100:IN'"
            for frequency, value, fmt in dtms:
                text += f"SCC+4++{frequency}'QTY+113:1'DTM+2:{value}{fmt}'"
            text += "UNT+9+1'"
            [message] = ScheduleEdifactReader(self.env._).parse(text)
            [item] = message.items
            return [due for due, _qty, _firmness in item.entries], item.problems

        dates, problems = entries(
            [
                ("M", "202612", ""),  # December 2026: its first Monday
                ("W", "202612", ""),  # week 12 of 2026: its Monday
                ("Y", "261215", ""),  # 15 December 2026
                ("", "202650", ""),  # no month 50: week 50
                ("", "261215", ""),  # no year 2612: 15 December 2026
                ("", "202612", ":616"),  # the code decides
                ("", "202612", ":610"),
            ]
        )
        self.assertEqual(
            dates,
            [
                date(2026, 12, 7),
                date(2026, 3, 16),
                date(2026, 12, 15),
                date(2026, 12, 7),
                date(2026, 12, 15),
                date(2026, 3, 16),
                date(2026, 12, 7),
            ],
        )
        self.assertFalse(problems)
        # Week 12 or December: nothing says which.
        dates, problems = entries([("", "202612", "")])
        self.assertEqual(dates, [])
        self.assertEqual(len(problems), 1)
        self.assertIn("202612", problems[0])
        self.assertIn("ambiguous", problems[0])

    def test_week_buckets_on_the_type_weekday(self):
        self.type_schedule.schedule_bucket_day = "3"
        order = self._agreement()
        version = self._import(self._delfor(), order=order)
        self.assertEqual(version.state, "applied", version.reason)
        wednesday = self.day(28) + timedelta(days=2 - self.day(28).weekday())
        forecast = order.schedule_line_ids.filtered(
            lambda s: s.firmness == "forecast" and s.product_uom_qty == 40.0
        )
        self.assertEqual(forecast.date, wednesday)

    def test_deljit_without_una_on_one_line(self):
        """A DELJIT of the D04A directory, no UNA, no line breaks, the SCC after
        the quantity it qualifies, dates with a time: a JIT version overriding
        the forecast within its horizon."""
        order = self._agreement()
        self._import(self._delfor())
        deljit = (
            "UNB+UNOC:3+4000001:14+4099999:14+261130:0800+J1'"
            "UNH+77+DELJIT:D:04A:UN'"
            f"BGM+242+JIT-9+9'DTM+137:{d(self.day(1))}0600:203'"
            "NAD+BY+4000001::9'"
            "SEQ+3+1'"
            "LIN+++C-100:IN'RFF+ON:AG-100'"
            f"QTY+1:6:PCE'SCC+1'DTM+2:{d(self.day(7))}0800:203'"
            f"QTY+1:4:PCE'SCC+1'DTM+2:{d(self.day(8))}0800:203'"
            "QTY+70:1260'RFF+AAK:LS-4712'"
            "UNT+14+77'UNZ+1+J1'"
        ).encode()
        version = self._import(deljit, filename="call.txt", order=order)
        self.assertEqual(version.state, "applied", version.reason)
        self.assertEqual((version.kind, version.name), ("jit", "JIT-9"))
        schedule = self._schedule(order, self.product)
        self.assertEqual(schedule[("SOP-STORE", 7)], (6.0, "firm", "released"))
        self.assertEqual(schedule[("SOP-STORE", 8)], (4.0, "firm", "released"))
        self.assertEqual(schedule[("SOP-STORE", 42)], (30.0, "forecast", "planned"))
        line = order.order_line.filtered(lambda sl: sl.product_id == self.product)
        self.assertEqual(line.sop_customer_cum_note, "LS-4712")
        # The comparison with the forecast is per kind: the first JIT has none.
        self.assertFalse(version.previous_id)

    def test_one_interchange_several_agreements(self):
        first = self._agreement()
        second = self._agreement(ref="AG-200")
        content = (
            self._delfor().decode().replace("UNZ+1+DF-1'\n", "")
            + "UNH+2+DELFOR:D:97A:UN'BGM+241+DF-2+9'"
            + f"DTM+137:{d(self.today)}:102'NAD+BY+4000001::9'"
            + "LIN+++C-200:IN'RFF+ON:AG-200'"
            + f"QTY+113:12'DTM+2:{d(self.day(20))}:102'"
            + "LIN+++C-100:IN'RFF+ON:AG-200'"
            + f"QTY+113:3'DTM+2:{d(self.day(21))}:102'"
            + "UNT+9+2'UNZ+2+DF-1'"
        ).encode()
        versions = self._import(content)
        self.assertEqual(len(versions), 2)
        self.assertEqual(set(versions.mapped("state")), {"applied"})
        self.assertEqual(versions.order_id, first | second)
        self.assertEqual(
            self._schedule(second),
            {
                ("SOP-BOLT", 20): (12.0, "firm", "planned"),
                ("SOP-STORE", 21): (3.0, "firm", "planned"),
            },
        )

    # -- the mail alias ----------------------------------------------------------------
    def _mail(self, subject, attachments, sender=None, auth_results=None):
        """Deliver a message to the schedule alias as odoo-mailgate does
        (``auth_results``: the Authentication-Results our server wrote)."""
        alias = self.env.ref("sales_order_plus.mail_alias_schedule_inbox")
        domain = alias.alias_domain_id or self.env["mail.alias.domain"].search(
            [], limit=1
        )
        if not domain:
            domain = self.env["mail.alias.domain"].create({"name": "sop.example.com"})
        alias.alias_domain_id = domain
        message = EmailMessage()
        if auth_results:
            message["Authentication-Results"] = auth_results
        message["From"] = sender or f"Dispo <{self.customer.email}>"
        message["To"] = f"schedules@{domain.name}"
        message["Subject"] = subject
        message["Message-Id"] = make_msgid()
        message.set_content("Please find our delivery schedule attached.")
        for filename, content, subtype in attachments:
            message.add_attachment(
                content, maintype="application", subtype=subtype, filename=filename
            )
        res_id = self.env["mail.thread"].message_process(False, message.as_bytes())
        return self.env["sale.order.schedule.inbox"].browse(res_id)

    def test_mail_alias_turns_attachments_into_versions(self):
        order = self._agreement()
        # From the agreement's schedule sender, authenticated by our mail server:
        # applied at once (tests/test_mail_authentication.py has the other cases).
        order.sop_schedule_sender_emails = self.customer.email
        self.env["ir.config_parameter"].sudo().set_param(
            "sales_order_plus.mail_authserv_id", "mx.sop.example"
        )
        auth = "mx.sop.example; dmarc=pass header.from=sop-customer.example"
        inbox = self._mail(
            "DELFOR", [("delfor.edi", self._delfor(), "EDIFACT")], auth_results=auth
        )
        self.assertEqual(inbox.state, "matched", inbox.reason)
        version = inbox.version_ids
        self.assertEqual((version.order_id, version.source), (order, "mail"))
        self.assertEqual(version.state, "applied", version.reason)
        self.assertEqual(version.attachment_id.raw, self._delfor())
        # A CSV file names its agreement in the subject.
        csv = f"Product,Date,Quantity\nSOP-BOLT,{self.day(15)},33\n".encode()
        inbox = self._mail(
            "Schedule AG-100",
            [("schedule.csv", csv, "octet-stream")],
            auth_results=auth,
        )
        self.assertEqual(inbox.state, "matched", inbox.reason)
        self.assertEqual(inbox.version_ids.state, "applied", inbox.version_ids.reason)
        self.assertEqual(
            self._schedule(order, self.product_b),
            # Lines before the version's first date stay as they were.
            {
                ("SOP-BOLT", 10): (250.0, "firm", "released"),
                ("SOP-BOLT", 15): (33.0, "firm", "planned"),
            },
        )

    def test_mail_alias_unmatched_message_lands_in_the_list(self):
        self._agreement()
        inbox = self._mail(
            "Lieferabruf", [("delfor.edi", self._delfor(ref="AG-999"), "EDIFACT")]
        )
        self.assertEqual(inbox.state, "unmatched")
        self.assertIn("AG-999", inbox.reason)
        self.assertEqual(inbox.version_ids.state, "held")
        self.assertFalse(inbox.version_ids.order_id)
        empty = self._mail("Hello", [], sender="someone@else.example")
        self.assertEqual(empty.state, "unmatched")
        self.assertIn("no EDIFACT, CSV or XLSX attachment", empty.reason)
        unmatched = self.env["sale.order.schedule.inbox"].search(
            [("state", "=", "unmatched")]
        )
        self.assertEqual(unmatched & (inbox | empty), inbox | empty)

    # -- firmness through every channel --------------------------------------------
    def _delfor_calls(self, ref, number, calls, doc_day=0):
        """A DELFOR of C-100 with ``calls`` [(days from today, qty, SCC code)]."""
        body = "".join(
            f"SCC+{scc}'QTY+113:{qty}'DTM+2:{d(self.day(days))}:102'"
            for days, qty, scc in calls
        )
        return (
            f"UNA:+.? 'UNB+UNOC:3+4000001:14+4099999:14+{self.today:%y%m%d}:0800+"
            f"{number}'UNH+1+DELFOR:D:96A:UN'BGM+241+{number}+9'"
            f"DTM+137:{d(self.day(doc_day))}:102'NAD+BY+4000001::9'RFF+ON:{ref}'"
            f"LIN+++C-100:IN'{body}UNT+9+1'UNZ+1+{number}'"
        ).encode()

    def _open_moves(self, line):
        return line.move_ids.filtered(lambda m: m.state != "cancel")

    def _assert_forecast_not_delivered(self, order, days, qty):
        line = order.schedule_line_ids.filtered(
            lambda s: s.date == self.day(days) and not s.cancelled
        )
        self.assertEqual(
            (line.firmness, line.state, line.product_uom_qty),
            ("forecast", "planned", qty),
        )
        self.assertFalse(self._open_moves(line))
        released = order.schedule_line_ids.filtered(
            lambda s: s.date == self.day(days) and s.cancelled
        )
        # A delivery of the date made before is cancelled with its line.
        self.assertFalse(released.move_ids.filtered(lambda m: m.state != "cancel"))
        self.assertNotIn(
            self.day(days),
            [
                m.date_deadline.date()
                for m in order.picking_ids.move_ids
                if m.state not in ("cancel", "done") and m.product_id == self.product
            ],
        )

    def test_forecast_survives_the_import_wizard_on_an_existing_agreement(self):
        """The agreement's confirmation released its lines within the horizon; the
        customer's DELFOR then sends one of them as a forecast: it becomes a
        planned forecast line, its delivery is cancelled."""
        order = self._agreement(
            {self.product: [(self.day(7), 5.0), (self.day(10), 3.0)]}, ref="AG-300"
        )
        self.assertEqual(order.schedule_line_ids.mapped("state"), ["released"] * 2)
        version = self._import(
            self._delfor_calls("AG-300", "DF-30", [(7, 5, 4), (10, 3, 1)]),
            order=order,
        )
        self.assertEqual(version.state, "applied", version.reason)
        self._assert_forecast_not_delivered(order, 7, 5.0)
        firm = self._line(order, self.product, self.day(10))
        self.assertEqual((firm.firmness, firm.state), ("firm", "released"))
        self.assertEqual(self._open_moves(firm).product_uom_qty, 3.0)

    def test_forecast_survives_the_mail_and_the_held_version(self):
        """By mail: applied at once from an authenticated sender of the agreement;
        held (sender not proven) and applied by the salesperson from the list."""
        self.env["ir.config_parameter"].sudo().set_param(
            "sales_order_plus.mail_authserv_id", "mx.sop.example"
        )
        auth = "mx.sop.example; dmarc=pass header.from=sop-customer.example"
        for ref, auth_results in (("AG-301", auth), ("AG-302", None)):
            order = self._agreement({self.product: [(self.day(7), 5.0)]}, ref=ref)
            order.sop_schedule_sender_emails = self.customer.email
            content = self._delfor_calls(ref, f"DF-{ref}", [(7, 6, 4), (9, 2, 1)])
            self._mail(
                ref, [("delfor.edi", content, "EDIFACT")], auth_results=auth_results
            )
            version = self.Version.search([("order_id", "=", order.id)])
            if auth_results:
                self.assertEqual(version.state, "applied", version.reason)
            else:
                self.assertEqual(version.state, "held")
                version.with_user(self.salesman).action_apply()
            self._assert_forecast_not_delivered(order, 7, 6.0)
            firm = self._line(order, self.product, self.day(9))
            self.assertEqual((firm.firmness, firm.state), ("firm", "released"))

    def test_forecast_survives_a_csv_file(self):
        """A CSV file has no firmness: it changes quantities and dates, the
        firmness the customer's EDIFACT gave a date stays (wizard and mail); the
        dates it adds are firm."""
        self.env["ir.config_parameter"].sudo().set_param(
            "sales_order_plus.mail_authserv_id", "mx.sop.example"
        )
        auth = "mx.sop.example; dmarc=pass header.from=sop-customer.example"
        for ref, channel in (("AG-303", "wizard"), ("AG-304", "mail")):
            order = self._agreement({self.product: [(self.day(60), 1.0)]}, ref=ref)
            order.sop_schedule_sender_emails = self.customer.email
            first = self._import(
                self._delfor_calls(ref, f"DF-{ref}", [(7, 5, 4), (60, 1, 1)]),
                order=order,
            )
            self.assertEqual(first.state, "applied", first.reason)
            self._assert_forecast_not_delivered(order, 7, 5.0)
            csv = (
                "Product,Date,Quantity\n"
                f"SOP-STORE,{self.day(7)},8\n"
                f"SOP-STORE,{self.day(9)},2\n"
                f"SOP-STORE,{self.day(60)},1\n"
            ).encode()
            if channel == "wizard":
                wizard = self.env["sale.order.schedule.import"].create(
                    {
                        "order_id": order.id,
                        "file": base64.b64encode(csv),
                        "filename": "schedule.csv",
                    }
                )
                wizard.action_import()
            else:
                self._mail(
                    f"Schedule {ref}",
                    [(f"{ref}.csv", csv, "csv")],
                    auth_results=auth,
                )
                version = self.Version.search(
                    [("order_id", "=", order.id), ("source", "=", "mail")]
                )
                self.assertEqual(version.state, "applied", version.reason)
            self._assert_forecast_not_delivered(order, 7, 8.0)
            added = self._line(order, self.product, self.day(9))
            self.assertEqual((added.firmness, added.state), ("firm", "released"))
