"""Read the delivery schedules of an EDIFACT interchange (DELFOR, DELJIT; D.96A,
D.97A, D.04B) into neutral documents (edi/documents.py); the schedule versions
are made of them (models/sale_order_schedule_version.py). Plain Python: problems
are texts made by ``translate`` (``env._`` on the ORM side).

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

from pydifact.exceptions import (
    EDISyntaxError,
    MissingImplementationWarning,
    ValidationError,
)
from pydifact.parser import Parser

from .dates import bucket_date, edifact_period, six_digit_format
from .documents import ScheduleDocument, ScheduleItem
from .errors import FormatError, _, identity_translate

# The qualifiers read, per directory of the message (UNH S009 0052:0054). The
# directories the add-on supports use the same code lists for these segments;
# a directory not listed is read with the latest one's.
_QUALIFIERS_D96A = {
    # QTY 6063: scheduled quantity (DELFOR 113, DELJIT 1); cumulative received.
    "schedule_qty": frozenset({"113", "1"}),
    "cum_qty": "70",
    # DTM 2005 of a scheduled quantity, by preference: delivery, shipment,
    # earliest, period start, latest, period end.
    "date_order": ("2", "10", "64", "158", "63", "159"),
    "document_date": "137",
    # 7143 item number types.
    "customer_item": frozenset({"IN", "BP"}),
    "supplier_item": frozenset({"SA", "VP"}),
    "gtin": frozenset({"EN", "SRV"}),
    # NAD 3035 parties; RFF 1153 references.
    "parties": {"BY": "buyer", "SE": "seller", "ST": "ship_to"},
    "agreement_ref": "ON",
    "cum_note_ref": "AAK",
    # SCC 4017: 1 firm, any other code a forecast.
    "firm": "1",
}
QUALIFIERS = {
    "D:96A": _QUALIFIERS_D96A,
    "D:97A": _QUALIFIERS_D96A,
    "D:04B": _QUALIFIERS_D96A,
}
DEFAULT_DIRECTORY = "D:04B"
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")

# The former names (models/schedule_edifact.py).
EdiItem = ScheduleItem
EdiMessage = ScheduleDocument


def looks_like_edifact(content):
    """True when the bytes start like an EDIFACT interchange or message."""
    head = content[:16].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:3] in (b"UNA", b"UNB", b"UNH")


class EdifactError(FormatError):
    """The interchange cannot be read (syntax)."""


def _component(segment, index, sub=0):
    """The text of data element ``index`` (component ``sub``) of ``segment``."""
    elements = segment.elements
    if index >= len(elements):
        return ""
    value = elements[index]
    if isinstance(value, list):
        return (value[sub] if sub < len(value) else "") or ""
    return (value if sub == 0 else "") or ""


class EdifactReader:
    """Read ``content`` (text) into :class:`ScheduleDocument` objects, once.

    ``translate`` is ``env._`` (problems are shown to the user); ``bucket_day`` the
    ISO weekday (1 Monday .. 7 Sunday) a week or period bucket is dated on by
    ``item.entries``; ``item.entries_on(day)`` dates them on another day without
    reading the interchange again.
    """

    def __init__(self, translate=identity_translate, bucket_day=1):
        self._ = translate
        self.bucket_day = bucket_day
        self.q = QUALIFIERS[DEFAULT_DIRECTORY]

    def parse(self, content):
        try:
            with warnings.catch_warnings():
                # pydifact warns for each directory it has no segment definitions of.
                warnings.simplefilter("ignore", MissingImplementationWarning)
                segments = list(Parser().parse(content))
        except (EDISyntaxError, ValidationError, ValueError) as error:
            # A malformed UNA or segment tag: pydifact's ValidationError or a bare
            # ValueError, beside its syntax error.
            raise EdifactError(
                _("The EDIFACT interchange cannot be read: %(error)s"), error=error
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
            raise EdifactError(_("The file holds no EDIFACT message (UNH segment)."))
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
        version, release = _component(segment, 1, 1), _component(segment, 1, 2)
        self.message = ScheduleDocument(
            message_type=_component(segment, 1, 0).upper(),
            directory=":".join(filter(None, (version, release))),
        )
        self.q = QUALIFIERS.get(
            self.message.directory.upper(), QUALIFIERS[DEFAULT_DIRECTORY]
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
            if qualifier in self.q["date_order"]:
                self.pending["dates"][qualifier] = segment
        elif self.item is None and qualifier == self.q["document_date"]:
            period = self._period(self.message, segment)
            self.message.date = period and bucket_date(*period, self.bucket_day)

    def _segment_nad(self, segment):
        attr = self.q["parties"].get(_component(segment, 0).upper())
        if attr:
            setattr(self.message, attr, _component(segment, 1, 0).strip())

    def _segment_rff(self, segment):
        qualifier = _component(segment, 0, 0).upper()
        value = _component(segment, 0, 1).strip()
        if qualifier == self.q["agreement_ref"]:
            if self.item is None:
                self.message.agreement = value
            else:
                self.item.agreement = value
        elif qualifier == self.q["cum_note_ref"] and self.item is not None:
            self.item.cum_note = value

    def _segment_lin(self, segment):
        self.item = ScheduleItem(
            agreement=self.message.agreement, bucket_day=self.bucket_day
        )
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
        firmness = "firm" if _component(segment, 0) == self.q["firm"] else "forecast"
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
        if qualifier == self.q["cum_qty"]:
            self.item.cum_qty = self._quantity(self.item, text)
        elif qualifier in self.q["schedule_qty"]:
            self.pending = {
                "qty": text,
                "firmness": self.firmness,
                "frequency": self.frequency,
                "dates": {},
            }

    def _item_number(self, item, code, code_type):
        code, code_type = (code or "").strip(), (code_type or "").strip().upper()
        if not code:
            return
        if code_type in self.q["supplier_item"]:
            item.supplier_code = item.supplier_code or code
        elif code_type in self.q["gtin"]:
            item.gtin = item.gtin or code
        elif code_type in self.q["customer_item"] or not code_type:
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
            (dates[q] for q in self.q["date_order"] if q in dates),
            None,
        )
        period = (
            self._period(item, segment, pending.get("frequency"))
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
        if qty is not None and period:
            item.periods.append((*period, qty, pending["firmness"]))

    def _period(self, holder, segment, frequency=""):
        """(first day, last day) of a DTM segment; None and a problem on ``holder``
        when it cannot be read. ``frequency``: the SCC's frequency code of the
        quantity (2013)."""
        text = _component(segment, 0, 1).strip()
        fmt = _component(segment, 0, 2).strip()
        if not fmt and len(text) == 6:
            fmt = six_digit_format(text, frequency)
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
            return edifact_period(text, fmt)
        except ValueError:
            holder.problems.append(
                self._(
                    "invalid date %(value)s (format %(format)s)",
                    value=text or "''",
                    format=fmt or "?",
                )
            )
            return None


# The former name (models/schedule_edifact.py).
ScheduleEdifactReader = EdifactReader
