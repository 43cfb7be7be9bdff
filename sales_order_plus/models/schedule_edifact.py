# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Read the delivery schedules of an EDIFACT interchange (DELFOR, DELJIT; D.96A,
D.97A, D04A) into plain data; the schedule versions are made of it
(models/sale_order_schedule_version.py).

The syntax is pydifact's (UNA present or not, any terminators, line breaks between
segments); this module only maps segments to schedule data. Liberal in what it reads:
optional segments may be missing, several messages, agreements and LIN groups may
come in one interchange, segments the mapping does not know are skipped. Values it
cannot read become problems on the item (the version is held), never guesses.

Mapping (the qualifiers of the UN/EDIFACT directories):

* UNH message type: DELFOR -> forecast version, DELJIT -> JIT version.
* BGM C106/1004: the customer's schedule number. DTM 137: its date.
* NAD BY / SE / ST: buyer, seller and ship-to identifiers (C082/3039).
* RFF ON: the agreement number (the order's Customer Reference); before the first
  LIN for the whole message, inside a LIN group for that item.
* LIN C212 and PIA: item numbers by type: IN / BP buyer's item (the customer's),
  SA / VP supplier's (ours), EN / SRV GTIN.
* SCC 4017 (firmness: of the quantities that follow in DELFOR, of the quantity
  it follows in DELJIT): 1 firm; 2, 3, 4 and every
  other code forecast (production or material go-ahead and planning figures are
  not delivery calls). No SCC: firm.
* QTY 113 (DELFOR) and QTY 1 (DELJIT): a scheduled quantity, dated by the DTM that
  follows: 2 (delivery), 10 (shipment), 64 / 63 (earliest / latest: the earliest is
  taken), 158 / 159 (period start / end). Formats 102, 203, 204, 101, 616 (CCYYWW),
  610 (CCYYMM), 718 / 717 (date ranges).  A week, month or range becomes the type's
  bucket weekday within it (``bucket_day``). Without a format code (2379 is
  conditional in the directory, mandatory in the automotive guidelines) the length
  decides where it can: 8 digits 102, 12 203, 14 204, 17 718. Six digits are a week
  (616), a month (610) or a date (101): the SCC's frequency (C329/2013: W weekly, M
  monthly, Y daily) says which; without one only a value with a single possible
  reading is read ("202650": week 50, "261215": 15 December 2026), any other
  ("202612": week 12 or December) is a problem, never a guess.
* QTY 70 (cumulative quantity received) and RFF AAK (last delivery note received):
  the customer's cumulative figures of the item.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta

from pydifact.exceptions import EDISyntaxError, MissingImplementationWarning
from pydifact.parser import Parser

_SCHEDULE_QTY = {"113", "1"}
_DATE_QUALIFIERS = {"2", "10", "64", "63", "158", "159"}
_CUSTOMER_ITEM_TYPES = {"IN", "BP"}
_SUPPLIER_ITEM_TYPES = {"SA", "VP"}
_GTIN_TYPES = {"EN", "SRV"}
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def looks_like_edifact(content):
    """True when the bytes start like an EDIFACT interchange or message."""
    head = content[:16].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:3] in (b"UNA", b"UNB", b"UNH")


class EdifactError(Exception):
    """The interchange cannot be read (syntax)."""


@dataclass
class EdiItem:
    """One LIN group: an item with its scheduled quantities."""

    customer_code: str = ""
    supplier_code: str = ""
    gtin: str = ""
    agreement: str = ""
    cum_qty: float | None = None
    cum_note: str = ""
    # (date, quantity, firmness)
    entries: list = field(default_factory=list)
    problems: list = field(default_factory=list)


@dataclass
class EdiMessage:
    message_type: str = ""
    directory: str = ""
    number: str = ""
    date: date | None = None
    buyer: str = ""
    seller: str = ""
    ship_to: str = ""
    agreement: str = ""
    items: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def kind(self):
        return "jit" if self.message_type == "DELJIT" else "forecast"


def _component(segment, index, sub=0):
    """The text of data element ``index`` (component ``sub``) of ``segment``."""
    elements = segment.elements
    if index >= len(elements):
        return ""
    value = elements[index]
    if isinstance(value, list):
        return (value[sub] if sub < len(value) else "") or ""
    return (value if sub == 0 else "") or ""


class ScheduleEdifactReader:
    """Read ``content`` (text) into :class:`EdiMessage` objects.

    ``translate`` is ``env._`` (problems are shown to the user); ``bucket_day`` the
    ISO weekday (1 Monday .. 7 Sunday) a week or period bucket is dated on.
    """

    def __init__(self, translate, bucket_day=1):
        self._ = translate
        self.bucket_day = bucket_day

    def parse(self, content):
        try:
            with warnings.catch_warnings():
                # pydifact warns for each directory it has no segment definitions of.
                warnings.simplefilter("ignore", MissingImplementationWarning)
                segments = list(Parser().parse(content))
        except EDISyntaxError as error:
            raise EdifactError(
                self._("The EDIFACT interchange cannot be read: %(error)s", error=error)
            ) from error
        self.messages = []
        self.message = self.item = self.pending = None
        self.firmness, self.frequency = "firm", ""
        for segment in segments:
            if segment.tag in ("UNH", "UNT", "UNS", "LIN", "QTY", "GIS", "SEQ"):
                self._flush()
            if segment.tag != "UNH" and self.message is None:
                continue  # UNA, UNB and anything outside a message
            handler = getattr(self, f"_segment_{segment.tag.lower()}", None)
            if handler:
                handler(segment)
        self._flush()
        if not self.messages:
            raise EdifactError(
                self._("The file holds no EDIFACT message (UNH segment).")
            )
        for message in self.messages:
            if message.message_type not in ("DELFOR", "DELJIT"):
                message.problems.append(
                    self._(
                        "The message type %(type)s is not a delivery schedule "
                        "(DELFOR or DELJIT).",
                        type=message.message_type or "?",
                    )
                )
        return self.messages

    def _flush(self):
        """Close the scheduled quantity read so far (its dates follow it)."""
        if self.pending and self.item is not None:
            self._close_entry(self.item, self.pending)
        self.pending = None

    def _segment_unh(self, segment):
        self.message = EdiMessage(
            message_type=_component(segment, 1, 0).upper(),
            directory=":".join(
                filter(None, (_component(segment, 1, i) for i in (1, 2)))
            ),
        )
        self.messages.append(self.message)
        self.item, self.firmness, self.frequency = None, "firm", ""

    def _segment_unt(self, segment):
        self.message = self.item = None

    def _segment_bgm(self, segment):
        self.message.number = _component(segment, 1, 0).strip()

    def _segment_dtm(self, segment):
        qualifier = _component(segment, 0, 0)
        if self.pending is not None:
            if qualifier in _DATE_QUALIFIERS:
                self.pending["dates"][qualifier] = segment
        elif self.item is None and qualifier == "137":
            self.message.date = self._date(self.message, segment)

    def _segment_nad(self, segment):
        role = _component(segment, 0).upper()
        attr = {"BY": "buyer", "SE": "seller", "ST": "ship_to"}.get(role)
        if attr:
            setattr(self.message, attr, _component(segment, 1, 0).strip())

    def _segment_rff(self, segment):
        qualifier = _component(segment, 0, 0).upper()
        value = _component(segment, 0, 1).strip()
        if qualifier == "ON":
            if self.item is None:
                self.message.agreement = value
            else:
                self.item.agreement = value
        elif qualifier == "AAK" and self.item is not None:
            self.item.cum_note = value

    def _segment_lin(self, segment):
        self.item = EdiItem(agreement=self.message.agreement)
        self.message.items.append(self.item)
        self._item_number(
            self.item, _component(segment, 2, 0), _component(segment, 2, 1)
        )
        self.firmness, self.frequency = "firm", ""

    def _segment_pia(self, segment):
        if self.item is None:
            return
        for index in range(1, len(segment.elements)):
            self._item_number(
                self.item, _component(segment, index, 0), _component(segment, index, 1)
            )

    def _segment_scc(self, segment):
        firmness = "firm" if _component(segment, 0) == "1" else "forecast"
        # C329/2013: the buckets' frequency (W weekly, M monthly, Y daily).
        frequency = _component(segment, 2, 0).strip().upper()
        if self.pending is not None and not self.pending["dates"]:
            # DELJIT: the SCC follows the quantity it qualifies.
            self.pending.update(firmness=firmness, frequency=frequency)
        else:
            # DELFOR: the SCC opens a group of quantities.
            self._flush()
        self.firmness, self.frequency = firmness, frequency

    def _segment_qty(self, segment):
        if self.item is None:
            return
        qualifier = _component(segment, 0, 0)
        text = _component(segment, 0, 1)
        if qualifier == "70":
            self.item.cum_qty = self._quantity(self.item, text)
        elif qualifier in _SCHEDULE_QTY:
            self.pending = {
                "qty": text,
                "firmness": self.firmness,
                "frequency": self.frequency,
                "dates": {},
            }

    @staticmethod
    def _item_number(item, code, code_type):
        code, code_type = (code or "").strip(), (code_type or "").strip().upper()
        if not code:
            return
        if code_type in _SUPPLIER_ITEM_TYPES:
            item.supplier_code = item.supplier_code or code
        elif code_type in _GTIN_TYPES:
            item.gtin = item.gtin or code
        elif code_type in _CUSTOMER_ITEM_TYPES or not code_type:
            item.customer_code = item.customer_code or code

    def _quantity(self, item, text):
        text = (text or "").strip()
        # Digits only, but 400 of them are an infinite float.
        if not _NUMBER.fullmatch(text) or not math.isfinite(
            float(text.replace(",", "."))
        ):
            item.problems.append(
                self._(
                    "%(item)s: invalid quantity %(value)s",
                    item=item.customer_code or item.supplier_code or "?",
                    value=text or "''",
                )
            )
            return None
        return float(text.replace(",", "."))

    def _close_entry(self, item, pending):
        qty = self._quantity(item, pending["qty"])
        dates = pending["dates"]
        segment = next(
            (dates[q] for q in ("2", "10", "64", "158", "63", "159") if q in dates),
            None,
        )
        due = (
            self._date(item, segment, pending.get("frequency"))
            if segment is not None
            else None
        )
        if segment is None:
            item.problems.append(
                self._(
                    "%(item)s: a quantity without a delivery date",
                    item=item.customer_code or item.supplier_code or "?",
                )
            )
        if qty is not None and due:
            item.entries.append((due, qty, pending["firmness"]))

    def _date(self, holder, segment, frequency=""):
        """The date of a DTM segment (the bucket day of a week, month or range);
        None and a problem on ``holder`` when it cannot be read. ``frequency``: the
        SCC's frequency code of the quantity (2013)."""
        text = _component(segment, 0, 1).strip()
        fmt = _component(segment, 0, 2).strip()
        if not fmt and len(text) == 6:
            fmt = self._six_digit_format(text, frequency)
            if not fmt:
                holder.problems.append(
                    self._(
                        "the date %(value)s has no format code and is ambiguous (a "
                        "week CCYYWW, a month CCYYMM or a date YYMMDD): the sender "
                        "must send the format code (DTM 2379)",
                        value=text,
                    )
                )
                return None
        try:
            return self._parse_date(text, fmt)
        except ValueError:
            holder.problems.append(
                self._(
                    "invalid date %(value)s (format %(format)s)",
                    value=text or "''",
                    format=fmt or "?",
                )
            )
            return None

    def _six_digit_format(self, text, frequency):
        """The format of a 6-digit value without a format code: the one the SCC's
        frequency names, else the only one the value can be; None when several
        fit."""
        by_frequency = {"W": "616", "M": "610", "Y": "101"}.get(frequency)
        if by_frequency:
            return by_frequency
        fitting = []
        for fmt in ("616", "610", "101"):
            if fmt != "101" and text[:2] not in ("19", "20"):
                continue  # a schedule's year, not 2612
            try:
                self._parse_date(text, fmt)
            except ValueError:
                continue
            fitting.append(fmt)
        return fitting[0] if len(fitting) == 1 else None

    def _parse_date(self, text, fmt):
        if not text.isdigit() and fmt not in ("718", "717"):
            raise ValueError(text)
        if not fmt:
            # The format is conditional: read by the length where it is unambiguous
            # (six digits: _six_digit_format).
            fmt = {8: "102", 12: "203", 14: "204", 17: "718"}.get(len(text))
        if fmt == "102":
            return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        if fmt in ("203", "204"):
            return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        if fmt == "101":
            return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))
        if fmt == "616" and len(text) == 6:
            return date.fromisocalendar(int(text[:4]), int(text[4:6]), self.bucket_day)
        if fmt == "610" and len(text) == 6:
            start = date(int(text[:4]), int(text[4:6]), 1)
            end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            return self._bucket_date(start, end)
        if fmt in ("718", "717"):
            first, _sep, last = text.partition("-")
            if fmt == "717":
                first, last = "20" + first, "20" + last
            start = self._parse_date(first, "102")
            end = self._parse_date(last, "102") if last else start
            if end < start:
                raise ValueError(text)
            return self._bucket_date(start, end)
        raise ValueError(text)

    def _bucket_date(self, start, end):
        """The bucket weekday's first date in [start, end], or ``start``."""
        offset = (self.bucket_day - start.isoweekday()) % 7
        candidate = start + timedelta(days=offset)
        return candidate if candidate <= end else start
