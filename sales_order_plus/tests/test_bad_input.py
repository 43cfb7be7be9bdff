# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Bad input: each case gets a clear error and leaves nothing half-done.

Every row of ``BAD_INPUTS`` prepares a record, runs the bad action and expects an
exception of a given class whose message matches a pattern; then no record of the
``WATCHED_MODELS`` (transfers, stock moves, invoices, payments, purchase orders, ...)
was created or deleted, and the row's own ``then`` check holds (the order is still a
quotation, its type unchanged, ...). A row with ``kinds`` runs once per kind.

A kind adds its cases as rows, e.g. (cash)::

    BadInput(
        "cash journal of another company",
        kinds=("cash",),
        prepare=lambda t, kind: t.order(kind, journal=t.journal_company_b),
        act=lambda t, order: order.action_confirm(),
        message="journal",
        then=lambda t, order, kind: t.assertEqual(order.state, "draft"),
    )

and its models to ``WATCHED_MODELS`` (a model not installed yet is skipped).
"""

import base64
import io
import zipfile
from collections import namedtuple
from contextlib import closing
from datetime import timedelta
from unittest.mock import patch

import openpyxl
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import SalesOrderPlusCase
from .test_schedule_import import memory_capped
from .test_third_party_fulfilment import (
    confirmed_3pl_order,
    fulfilment_fixtures,
    shipment_csv,
)

KINDS = ("standard", "cash", "rush", "schedule", "third_party")
NON_STANDARD = ("cash", "rush", "schedule", "third_party")

# Records a failed action must not leave behind (nor delete).
WATCHED_MODELS = [
    "stock.picking",
    "stock.move",
    "stock.move.line",
    "account.move",
    "account.move.line",
    "account.payment",
    "purchase.order",
    "purchase.order.line",
    "sale.order.schedule.line",
    "sale.order.line",
    "procurement.group",
    "sale.third.party.rule",
    "account.bank.statement.line",
    "sale.cash.closing",
    "sale.third.party.dispatch.report",
]

BadInput = namedtuple(
    "BadInput",
    "name prepare act message kinds error then atomic",
    defaults=(None, UserError, None, False),
)


def _confirmed(t, kind):
    order = t.order(kind)
    order.action_confirm()
    return order


def _cancelled(t, kind):
    order = _confirmed(t, kind)
    order._action_cancel()
    return order


def _delivered(t, kind):
    order = _confirmed(t, kind)
    t.deliver(order)
    return order


def _requiring_reference(t, kind):
    t.kind_type(kind).required_field_ids = t.env["ir.model.fields"]._get(
        "sale.order", "client_order_ref"
    )
    return t.order(kind)


def _state_is(state):
    return lambda t, order, kind: t.assertEqual(order.state, state)


def _confirm(t, order):
    return order.action_confirm()


def _confirm_failing(model, method, error):
    """Confirm while ``model.method`` fails with ``error`` (a fault half way)."""

    def act(t, order):
        with patch.object(type(t.env[model]), method, side_effect=error):
            order.action_confirm()

    return act


def _nothing_paid(t, order, kind):
    t.assertEqual(order.state, "draft")
    t.assertFalse(order.invoice_ids)
    t.assertFalse(order.picking_ids)
    t.assertEqual(t.product.qty_available, 100.0)


def _schedule_unchanged(t, line, kind):
    t.assertEqual(line.date, t.today)
    t.assertEqual(line.product_uom_qty, 5.0)
    t.assertEqual(len(line.move_ids), 1)
    t.assertEqual(line.move_ids.product_uom_qty, 5.0)


def _scheduled(schedule):
    """A schedule quotation of 5 x product with ``schedule`` [(days from today,
    qty)]."""
    return lambda t, kind: t.order(
        "schedule", schedule=[(t.today + timedelta(days=d), q) for d, q in schedule]
    )


def _import(rows):
    """Import a CSV file of ``rows`` (code, date, qty) on the order."""

    def act(t, order):
        content = "Internal Reference,Date,Quantity\n" + "".join(
            f"{code},{day},{qty}\n" for code, day, qty in rows(t)
        )
        t.env["sale.order.schedule.import"].create(
            {
                "order_id": order.id,
                "file": base64.b64encode(content.encode()),
                "filename": "schedule.csv",
            }
        ).action_import()

    return act


def _import_file(content, filename="schedule.csv", **vals):
    """Import the file ``content(t)`` (bytes) on the order, with wizard ``vals``."""

    def act(t, order):
        t.env["sale.order.schedule.import"].create(
            {
                "order_id": order.id,
                "file": base64.b64encode(content(t)),
                "filename": filename,
                **vals,
            }
        ).action_import()

    return act


def _csv(text, tail=b""):
    """CSV file content: English headers, ``text(t)``, then the bytes ``tail``."""
    return lambda t: ("Internal Reference,Date,Quantity\n" + text(t)).encode() + tail


def _import_then_confirm(content):
    """Import ``content(t)`` without setting ordered quantities, then confirm: the
    confirmation compares the imported quantities with the ordered ones."""
    import_file = _import_file(content, set_quantities=False)

    def act(t, order):
        import_file(t, order)
        order.action_confirm()

    return act


def _xlsx(rows, cells=(), padding=0):
    """An XLSX workbook of ``rows``, plus ``cells`` [(row, column, value)] and a
    ``padding`` member of that many zero bytes (it unpacks to that size)."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    for row, column, value in cells:
        book.active.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    if padding:
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/padding.bin", bytes(padding))
    return out.getvalue()


def _memory_capped(act):
    """``act`` with a cap on the memory it may take (a MemoryError beyond)."""

    def capped(t, record):
        with memory_capped():
            return act(t, record)

    return capped


def _delivered_in_the_past(t, kind):
    """A schedule confirmed 10 days ago (2 due 9 days ago, 3 due in 10 days) whose
    first date was delivered: that date is in the past now."""
    first, second = t.today - timedelta(days=9), t.today + timedelta(days=10)
    with freeze_time(t.today - timedelta(days=10)):
        order = t.order("schedule", schedule=[(first, 2.0), (second, 3.0)])
        order.action_confirm()
        picking = order.picking_ids.filtered(lambda p: p.scheduled_date.date() == first)
        picking.move_ids.quantity = 2.0
        picking.move_ids.picked = True
        picking.button_validate()
    t.assertEqual(order.schedule_line_ids.mapped("state"), ["delivered", "released"])
    return order


def _schedule_as_delivered(t, order, kind):
    t.assertEqual(
        [(s.date, s.product_uom_qty, s.state) for s in order.schedule_line_ids],
        [
            (t.today - timedelta(days=9), 2.0, "delivered"),
            (t.today + timedelta(days=10), 3.0, "released"),
        ],
    )
    t.assertEqual(order.schedule_revision, 0)


def _vendor_rule_then_archived(t, kind):
    vendor = t.env["res.partner"].create({"name": "SOP Closed Vendor"})
    t.env["sale.third.party.rule"].create(
        {"name": "Closed vendor ships it", "vendor_id": vendor.id}
    )
    order = t.order("third_party")
    vendor.action_archive()
    return order


def _archived_price_list_vendor(t, kind):
    t.vendor.action_archive()
    return t.order("third_party")


def _margin_blocked(t, kind):
    t.type_third_party.third_party_margin_guard = "block"
    t.product.seller_ids.price = 120.0
    return t.order("third_party")


def _cash_journal(t, journal):
    t.type_cash.cash_payment_journal_id = journal
    return t.order("cash")


def _in_dozens(t, kind):
    order = t.order(kind, lines=[(t.no_stock, 3.0)])
    order.order_line.product_uom = t.env.ref("uom.product_uom_dozen")
    return order


def _archived_warehouse(t, kind):
    warehouse = t.env["stock.warehouse"].create({"name": "SOP Closed", "code": "SOPC"})
    order = t.order(kind, warehouse_id=warehouse.id)
    warehouse.active = False
    return order


BAD_INPUTS = [
    # --- quantities -------------------------------------------------------------------
    BadInput(
        "negative quantity",
        kinds=NON_STANDARD,
        prepare=lambda t, kind: t.order(kind, lines=[(t.product, -2.0)]),
        act=lambda t, order: order.action_confirm(),
        message="negative quantity on .*SOP Storable",
        then=_state_is("draft"),
    ),
    BadInput(
        "negative line beside a positive one",
        kinds=NON_STANDARD,
        prepare=lambda t, kind: t.order(
            kind, lines=[(t.product, 3.0), (t.service, -1.0)]
        ),
        act=lambda t, order: order.action_confirm(),
        message="negative quantity on .*SOP Service",
        then=_state_is("draft"),
    ),
    BadInput(
        "only zero quantities",
        kinds=NON_STANDARD,
        prepare=lambda t, kind: t.order(
            kind, lines=[(t.product, 0.0), (t.service, 0.0)]
        ),
        act=lambda t, order: order.action_confirm(),
        message="no line with a quantity to sell",
        then=_state_is("draft"),
    ),
    # --- incompletion -----------------------------------------------------------------
    BadInput(
        "required field missing",
        kinds=KINDS,
        prepare=_requiring_reference,
        act=lambda t, order: order.action_confirm(),
        message="required fields are missing:\n.*Customer Reference",
        then=_state_is("draft"),
    ),
    # --- order type -------------------------------------------------------------------
    BadInput(
        "type of another company on a new order",
        atomic=True,
        prepare=lambda t, kind: None,
        act=lambda t, _none: t._create_order(t.type_company_b),
        message="(?i)compan",
    ),
    BadInput(
        "type of another company on a quotation",
        prepare=lambda t, kind: t.order("rush"),
        act=lambda t, order: order.write({"type_id": t.type_company_b.id}),
        message="(?i)compan",
    ),
    BadInput(
        "type changed after confirmation",
        kinds=KINDS,
        prepare=_confirmed,
        act=lambda t, order: order.write(
            {"type_id": (t.type_cash if order.type_kind != "cash" else t.type_rush).id}
        ),
        message="type cannot be changed once the order is confirmed",
        then=lambda t, order, kind: t.assertEqual(order.type_id, t.kind_type(kind)),
    ),
    # --- state ------------------------------------------------------------------------
    BadInput(
        "confirming a confirmed order",
        kinds=KINDS,
        prepare=_confirmed,
        act=lambda t, order: order.action_confirm(),
        message="not in a state requiring confirmation",
        then=_state_is("sale"),
    ),
    BadInput(
        "confirming a cancelled order",
        kinds=KINDS,
        prepare=_cancelled,
        act=lambda t, order: order.action_confirm(),
        message="not in a state requiring confirmation",
        then=_state_is("cancel"),
    ),
    BadInput(
        "cancelling an order whose goods were delivered",
        kinds=NON_STANDARD,
        prepare=_delivered,
        act=lambda t, order: order.action_cancel(),
        message="already been delivered.*Return them first",
        then=_state_is("sale"),
    ),
    BadInput(
        "cancelling a delivered order through the cancel wizard",
        kinds=("rush",),
        prepare=_delivered,
        act=lambda t, order: t.env["sale.order.cancel"]
        .create({"order_id": order.id})
        .action_cancel(),
        message="already been delivered",
        then=_state_is("sale"),
    ),
    # --- cash sale -------------------------------------------------------------------
    BadInput(
        "cash journal of another company",
        prepare=lambda t, kind: _cash_journal(t, t.journal_company_b),
        act=_confirm,
        message="journal B Cash belongs to another company",
        then=_nothing_paid,
    ),
    BadInput(
        "cash journal in another currency",
        prepare=lambda t, kind: _cash_journal(t, t.journal_other_currency),
        act=_confirm,
        message="only takes payments in",
        then=_nothing_paid,
    ),
    BadInput(
        "cash sale of a product with no stock",
        prepare=lambda t, kind: t.order("cash", lines=[(t.no_stock, 1.0)]),
        act=_confirm,
        message="not enough SOP No Stock .*1.0 Units needed, 0.0 available",
        then=_state_is("draft"),
    ),
    BadInput(
        "cash sale whose payment fails",
        prepare=lambda t, kind: t.order("cash"),
        act=_confirm_failing(
            "account.payment.register",
            "_create_payments",
            UserError("Payment terminal offline"),
        ),
        message="Payment terminal offline",
        then=_nothing_paid,
    ),
    BadInput(
        "cash sale whose payment fails half way (posted, not reconciled)",
        prepare=lambda t, kind: t.order("cash"),
        act=_confirm_failing(
            "account.payment.register",
            "_reconcile_payments",
            RuntimeError("connection to the bank lost"),
        ),
        error=RuntimeError,
        message="connection to the bank lost",
        then=_nothing_paid,
    ),
    BadInput(
        "cash sale whose hand-over fails after the payment",
        prepare=lambda t, kind: t.order("cash"),
        act=_confirm_failing(
            "stock.picking", "_action_done", UserError("Scanner offline")
        ),
        message="Scanner offline",
        then=_nothing_paid,
    ),
    BadInput(
        "settling a quotation of another kind as a cash sale",
        kinds=("standard", "rush", "schedule", "third_party"),
        prepare=lambda t, kind: t.order(kind),
        act=lambda t, order: order.action_sop_cash_settle(),
        message="Only quotations of a cash sale type",
        then=_state_is("draft"),
    ),
    # --- rush order -------------------------------------------------------------------
    BadInput(
        "confirming a confirmed order as a rush order",
        prepare=lambda t, kind: _confirmed(t, "rush"),
        act=lambda t, order: order.action_sop_rush_confirm(),
        message="Only quotations of a rush order type",
        then=_state_is("sale"),
    ),
    # --- delivery schedule ------------------------------------------------------------
    BadInput(
        "schedule total below the ordered quantity",
        prepare=_scheduled([(1, 2.0), (8, 1.0)]),
        act=_confirm,
        message="SOP Storable: scheduled 3.0, ordered 5.0",
        then=_state_is("draft"),
    ),
    BadInput(
        "schedule total above the ordered quantity",
        prepare=_scheduled([(1, 5.0), (8, 1.0)]),
        act=_confirm,
        message="scheduled 6.0, ordered 5.0",
        then=_state_is("draft"),
    ),
    BadInput(
        "schedule order without schedule lines",
        prepare=_scheduled([]),
        act=_confirm,
        message="SOP Storable: no schedule lines",
        then=_state_is("draft"),
    ),
    BadInput(
        "schedule date in the past",
        prepare=_scheduled([(-1, 2.0), (3, 3.0)]),
        act=_confirm,
        message="dates in the past",
        then=_state_is("draft"),
    ),
    BadInput(
        "schedule date far beyond the horizon",
        atomic=True,
        prepare=lambda t, kind: t.order("schedule"),
        act=lambda t, order: order.order_line.write(
            {
                "schedule_line_ids": [
                    Command.create(
                        {
                            "date": t.today + relativedelta(years=11),
                            "product_uom_qty": 1.0,
                        }
                    )
                ]
            }
        ),
        error=ValidationError,
        message="more than 10 years ahead",
    ),
    BadInput(
        "schedule line with zero quantity",
        atomic=True,
        prepare=lambda t, kind: t.order("schedule"),
        act=lambda t, order: t.env["sale.order.schedule.line"].create(
            {
                "order_line_id": order.order_line.id,
                "date": t.today + timedelta(days=3),
                "product_uom_qty": 0.0,
            }
        ),
        error=ValidationError,
        message="must be positive",
    ),
    BadInput(
        "the same date twice in a schedule",
        atomic=True,
        prepare=lambda t, kind: t.order("schedule"),
        act=lambda t, order: t.env["sale.order.schedule.line"].create(
            {
                "order_line_id": order.order_line.id,
                "date": t.today,
                "product_uom_qty": 1.0,
            }
        ),
        error=ValidationError,
        message="scheduled twice",
    ),
    BadInput(
        "revision of a confirmed schedule to a past date",
        prepare=lambda t, kind: _confirmed(t, "schedule").schedule_line_ids,
        act=lambda t, line: line.write({"date": t.today - timedelta(days=1)}),
        message="is in the past",
        then=_schedule_unchanged,
    ),
    BadInput(
        "revision of a confirmed schedule far beyond the horizon",
        atomic=True,
        prepare=lambda t, kind: _confirmed(t, "schedule").schedule_line_ids,
        act=lambda t, line: line.write({"date": t.today + relativedelta(years=15)}),
        error=ValidationError,
        message="more than 10 years ahead",
        then=_schedule_unchanged,
    ),
    BadInput(
        "revision below the delivered quantity",
        prepare=lambda t, kind: _delivered(t, "schedule").schedule_line_ids,
        act=lambda t, line: line.write({"product_uom_qty": 2.0}),
        error=ValidationError,
        message="cannot drop below the 5.0 already delivered",
    ),
    BadInput(
        "deleting a released schedule line",
        prepare=lambda t, kind: _confirmed(t, "schedule").schedule_line_ids,
        act=lambda t, line: line.unlink(),
        message="Released schedule lines cannot be deleted",
        then=_schedule_unchanged,
    ),
    BadInput(
        "import: unknown product",
        prepare=_scheduled([]),
        act=_import(lambda t: [("NOPE-404", t.today, 5), ("SOP-STORE", t.today, 5)]),
        message="Row 2: product NOPE-404 not found",
        then=lambda t, order, kind: t.assertFalse(order.schedule_line_ids),
    ),
    BadInput(
        "import: date far beyond the horizon",
        prepare=_scheduled([]),
        act=_import(lambda t: [("SOP-STORE", t.today + relativedelta(years=12), 5)]),
        message="Row 2: date .* is more than 10 years ahead",
        then=lambda t, order, kind: t.assertFalse(order.schedule_line_ids),
    ),
    BadInput(
        "import: past date and bad quantity",
        prepare=_scheduled([]),
        act=_import(lambda t: [("SOP-STORE", t.today - timedelta(days=3), "x")]),
        message="is in the past; invalid quantity x",
        then=lambda t, order, kind: t.assertFalse(order.schedule_line_ids),
    ),
    BadInput(
        "import onto a confirmed standard order",
        prepare=lambda t, kind: _confirmed(t, "standard"),
        act=_import(lambda t: [("SOP-STORE", t.today, 5)]),
        message="Only open delivery schedule orders",
    ),
    BadInput(
        "import: 1,500 under English headers is fifteen hundred",
        atomic=True,
        prepare=lambda t, kind: t.order(
            "schedule", lines=[(t.product, 1.5)], schedule=[]
        ),
        act=_import_then_confirm(
            lambda t: b"Internal Reference,Date,Quantity\n"
            + f'SOP-STORE,{t.today + timedelta(days=1)},"1,500"\n'.encode()
        ),
        message="SOP Storable: scheduled 1500.0, ordered 1.5",
        then=_state_is("draft"),
    ),
    BadInput(
        "import: 1.500 under German headers is fifteen hundred",
        atomic=True,
        prepare=lambda t, kind: t.order(
            "schedule", lines=[(t.product, 1.5)], schedule=[]
        ),
        act=_import_then_confirm(
            lambda t: b"Artikelnummer;Liefertermin;Menge\n"
            + f"SOP-STORE;{t.today + timedelta(days=1)};1.500\n".encode()
        ),
        message="SOP Storable: scheduled 1500.0, ordered 1.5",
        then=_state_is("draft"),
    ),
    BadInput(
        "import: nan and inf quantities",
        prepare=_scheduled([]),
        act=_import(
            lambda t: [
                ("SOP-STORE", t.today + timedelta(days=d), qty)
                for d, qty in enumerate(("nan", "inf", "-Infinity", "1e999"))
            ]
        ),
        message="\n".join(
            f"Row {row}: invalid quantity {qty}"
            for row, qty in ((2, "nan"), (3, "inf"), (4, "-Infinity"), (5, "1e999"))
        ),
        then=lambda t, order, kind: t.assertFalse(order.schedule_line_ids),
    ),
    BadInput(
        "import: XLSX whose used range reaches XFD1048576",
        prepare=_scheduled([]),
        act=_memory_capped(
            _import_file(
                lambda t: _xlsx(
                    [
                        ["Internal Reference", "Date", "Quantity"],
                        ["SOP-STORE", t.today, 5],
                    ],
                    cells=[(1048576, 1, "SOP-STORE"), (1048576, 16384, 1)],
                ),
                filename="schedule.xlsx",
            )
        ),
        message="Row 1048576: .*at most 10000 rows",
        then=lambda t, order, kind: t.assertFalse(order.schedule_line_ids),
    ),
    BadInput(
        "import: more rows than the cap",
        prepare=_scheduled([]),
        act=_import(lambda t: [("SOP-STORE", t.today, 1)] * 10001),
        message="Row 10002: .*at most 10000 rows",
        then=lambda t, order, kind: t.assertFalse(order.schedule_line_ids),
    ),
    BadInput(
        "import: file larger than the cap",
        prepare=_scheduled([]),
        act=_import_file(
            _csv(lambda t: f"SOP-STORE,{t.today},5\n", b"\n" * 5 * 1024 * 1024)
        ),
        message="larger than 5 MB",
        then=lambda t, order, kind: t.assertFalse(order.schedule_line_ids),
    ),
    BadInput(
        "import: XLSX unpacking to more than the cap",
        prepare=_scheduled([]),
        act=_import_file(
            lambda t: _xlsx(
                [["Internal Reference", "Date", "Quantity"], ["SOP-STORE", t.today, 5]],
                padding=51 * 1024 * 1024,
            ),
            filename="schedule.xlsx",
        ),
        message="unpacks to more than 50 MB",
        then=lambda t, order, kind: t.assertFalse(order.schedule_line_ids),
    ),
    BadInput(
        "import: bytes that are neither UTF-8 nor Windows-1252",
        prepare=_scheduled([]),
        act=_import_file(_csv(lambda t: f"SOP-STORE,{t.today},", b"\x81\x8d\n")),
        message="neither UTF-8 nor Windows-1252 text",
        then=lambda t, order, kind: t.assertFalse(order.schedule_line_ids),
    ),
    BadInput(
        "import: over-long CSV field (a quotation mark not closed)",
        prepare=_scheduled([]),
        act=_import_file(
            _csv(lambda t: f'SOP-STORE,"{t.today},5\n', b"x" * 200000 + b"\n")
        ),
        message="Row 2: a cell is longer than 1000 characters",
        then=lambda t, order, kind: t.assertFalse(order.schedule_line_ids),
    ),
    BadInput(
        "import: the full file again after a date was delivered, one row wrong",
        prepare=_delivered_in_the_past,
        act=_import(
            lambda t: [
                ("SOP-STORE", t.today - timedelta(days=9), 2),  # delivered, past
                ("SOP-STORE", t.today + timedelta(days=10), 3),  # released
                ("NOPE-404", t.today + timedelta(days=10), 1),
            ]
        ),
        # Only the wrong row: the unchanged rows are no reason to refuse the file.
        message="^Nothing was imported; please correct these rows:\n"
        "Row 4: product NOPE-404 not found$",
        then=_schedule_as_delivered,
    ),
    # --- third-party order ------------------------------------------------------------
    BadInput(
        "third-party product without a vendor",
        prepare=lambda t, kind: t.order("third_party", lines=[(t.no_vendor, 2.0)]),
        act=_confirm,
        message="(?s)No vendor ships these products.*SOP No Vendor",
        then=_state_is("draft"),
    ),
    BadInput(
        "vendor rule pointing to a vendor archived since",
        prepare=_vendor_rule_then_archived,
        act=_confirm,
        message="(?s)archived vendor.*SOP Storable → SOP Closed Vendor "
        "\\(Closed vendor ships it\\)",
        then=_state_is("draft"),
    ),
    BadInput(
        "vendor rule saved with an archived vendor",
        atomic=True,
        prepare=lambda t, kind: t.env["res.partner"].create(
            {"name": "SOP Archived Vendor", "active": False}
        ),
        act=lambda t, vendor: t.env["sale.third.party.rule"].create(
            {"name": "To nobody", "vendor_id": vendor.id}
        ),
        error=ValidationError,
        message="vendor of a routing rule must be active",
    ),
    BadInput(
        "product's only vendor archived",
        prepare=_archived_price_list_vendor,
        act=_confirm,
        # Odoo's vendor choice skips archived vendors: the product has none left.
        message="(?s)No vendor ships these products.*SOP Storable",
        then=_state_is("draft"),
    ),
    BadInput(
        "vendor cost above the sale price on a blocking type",
        prepare=_margin_blocked,
        act=_confirm,
        message="vendor cost is at or above the sale price",
        then=_state_is("draft"),
    ),
    # --- delivery schedule: lines of other kinds, fields only the add-on writes -------
    BadInput(
        "schedule line on a line of a confirmed standard order",
        atomic=True,
        prepare=lambda t, kind: _confirmed(t, "standard"),
        act=lambda t, order: t.env["sale.order.schedule.line"].create(
            {
                "order_line_id": order.order_line.id,
                "date": t.today + timedelta(days=3),
                "product_uom_qty": 3.0,
            }
        ),
        error=ValidationError,
        message="Only delivery schedule orders have schedule lines",
        then=lambda t, order, kind: t.assertEqual(order.order_line.product_uom_qty, 5),
    ),
    BadInput(
        "a client marks a planned schedule line released",
        prepare=lambda t, kind: _planned_schedule_line(t),
        act=lambda t, line: line.write({"released": True}),
        message="Released of Delivery Schedule Line are set by",
        then=lambda t, line, kind: _still_planned(t, line),
    ),
    BadInput(
        "a client sets the state of a schedule line",
        prepare=lambda t, kind: _planned_schedule_line(t),
        act=lambda t, line: line.write({"state": "delivered"}),
        message="State of Delivery Schedule Line are set by",
        then=lambda t, line, kind: _still_planned(t, line),
    ),
    BadInput(
        "a client writes the figures of a schedule line",
        prepare=lambda t, kind: _confirmed(t, "schedule").schedule_line_ids,
        act=lambda t, line: line.write({"qty_delivered": 5.0, "qty_open": 0.0}),
        message="Delivered Qty, Open Qty of Delivery Schedule Line are set by",
        then=lambda t, line, kind: t.assertEqual(
            (line.state, line.qty_delivered, line.qty_open), ("released", 0.0, 5.0)
        ),
    ),
    BadInput(
        "a client creates a schedule line marked released",
        atomic=True,
        prepare=lambda t, kind: _planned_schedule_line(t).order_line_id,
        act=lambda t, sale_line: t.env["sale.order.schedule.line"].create(
            {
                "order_line_id": sale_line.id,
                "date": t.today + timedelta(days=60),
                "product_uom_qty": 1.0,
                "released": True,
                "state": "released",
            }
        ),
        message="Released, State of Delivery Schedule Line are set by",
    ),
    BadInput(
        "schedule line outside the agreement's validity",
        atomic=True,
        prepare=lambda t, kind: t.order(
            "schedule", sop_validity_to=t.today + timedelta(days=30)
        ),
        act=lambda t, order: t.env["sale.order.schedule.line"].create(
            {
                "order_line_id": order.order_line.id,
                "date": t.today + timedelta(days=60),
                "product_uom_qty": 1.0,
            }
        ),
        error=ValidationError,
        message="outside the validity of their agreement",
    ),
    BadInput(
        "agreement validity ending before it starts",
        atomic=True,
        prepare=lambda t, kind: t.order("schedule"),
        act=lambda t, order: order.write(
            {
                "sop_validity_from": t.today + timedelta(days=10),
                "sop_validity_to": t.today + timedelta(days=5),
            }
        ),
        error=ValidationError,
        message="before it starts",
    ),
]


# Schedule versions (EDIFACT): the bad version is kept, held or rejected with its
# reason; applying it is refused with that reason and the agreement is unchanged.
def _edi_agreement(t, received=()):
    """A confirmed schedule agreement AG-BAD: 5 x product in 10 days (released); the
    ``received`` messages applied to it first."""
    order = t.order(
        "schedule",
        schedule=[(t.today + timedelta(days=10), 5.0)],
        client_order_ref="AG-BAD",
    )
    order.action_confirm()
    for content in received:
        version = _edi_receive(t, content(t))
        t.assertEqual(version.state, "applied", version.reason)
    return order


def _edi_delfor(lines, ref="AG-BAD", number="BAD-1", doc_day=0):
    """A DELFOR of ``lines`` [(item, item type, qty, days from today)]."""

    def content(t):
        body = "".join(
            f"LIN+++{code}:{code_type}'QTY+113:{qty}'"
            f"DTM+2:{t.today + timedelta(days=days):%Y%m%d}:102'"
            for code, code_type, qty, days in lines
        )
        return (
            "UNA:+.? 'UNH+1+DELFOR:D:96A:UN'"
            f"BGM+241+{number}+9'"
            f"DTM+137:{t.today + timedelta(days=doc_day):%Y%m%d}:102'"
            f"RFF+ON:{ref}'{body}UNT+9+1'"
        ).encode()

    return content


_EDI_VALID = _edi_delfor([("SOP-STORE", "SA", 5, 10)])


def _edi_receive(t, content):
    return t.env["sale.order.schedule.version"]._sop_version_receive_edifact(
        content, "bad.edi", "edi"
    )


def _edi_apply(content):
    def act(t, order):
        version = _edi_receive(t, content(t))
        t.assertIn(version.state, ("held", "rejected"))
        version.action_apply()

    return act


def _edi_unchanged(state):
    def then(t, order, kind):
        version = t.env["sale.order.schedule.version"].search([], limit=1)
        t.assertEqual(version.state, state)
        t.assertTrue(version.reason)
        t.assertEqual(
            [(s.date, s.product_uom_qty, s.state) for s in order.schedule_line_ids],
            [(t.today + timedelta(days=10), 5.0, "released")],
        )
        t.assertEqual(order.order_line.product_uom_qty, 5.0)

    return then


BAD_INPUTS += [
    BadInput(
        "EDIFACT schedule with broken syntax",
        prepare=lambda t, kind: _edi_agreement(t),
        act=_edi_apply(lambda t: b"UNH+1+DELFOR:D:96A:UN'BGM+241+X+9'LIN+++A:IN"),
        message="The EDIFACT interchange cannot be read",
        then=_edi_unchanged("rejected"),
    ),
    BadInput(
        "EDIFACT schedule of an unknown agreement",
        prepare=lambda t, kind: _edi_agreement(t),
        act=_edi_apply(_edi_delfor([("SOP-STORE", "SA", 6, 10)], ref="AG-NONE")),
        message="No open delivery schedule agreement with the number AG-NONE",
        then=_edi_unchanged("held"),
    ),
    BadInput(
        "EDIFACT schedule with an unknown customer item beside a known one",
        prepare=lambda t, kind: _edi_agreement(t),
        act=_edi_apply(
            _edi_delfor([("SOP-STORE", "SA", 8, 10), ("C-999", "IN", 3, 12)])
        ),
        message="Unknown customer items: C-999",
        then=_edi_unchanged("held"),
    ),
    BadInput(
        "EDIFACT schedule older than the applied version",
        prepare=lambda t, kind: _edi_agreement(t, received=[_EDI_VALID]),
        act=_edi_apply(
            _edi_delfor([("SOP-STORE", "SA", 9, 10)], number="BAD-0", doc_day=-1)
        ),
        message="Older .* than the applied version",
        then=_edi_unchanged("rejected"),
    ),
    BadInput(
        "EDIFACT schedule received twice",
        prepare=lambda t, kind: _edi_agreement(t, received=[_EDI_VALID]),
        act=_edi_apply(_EDI_VALID),
        message="A duplicate of version",
        then=_edi_unchanged("rejected"),
    ),
    BadInput(
        "EDIFACT schedule with a negative quantity",
        prepare=lambda t, kind: _edi_agreement(t),
        act=_edi_apply(_edi_delfor([("SOP-STORE", "SA", -5, 10)])),
        message="negative quantity -5.0",
        then=_edi_unchanged("held"),
    ),
    BadInput(
        "EDIFACT schedule with an absurd quantity",
        prepare=lambda t, kind: _edi_agreement(t),
        act=_edi_apply(_edi_delfor([("SOP-STORE", "SA", 50000000000, 10)])),
        message="is not plausible",
        then=_edi_unchanged("held"),
    ),
    BadInput(
        "EDIFACT schedule with a date in the past",
        prepare=lambda t, kind: _edi_agreement(t),
        act=_edi_apply(_edi_delfor([("SOP-STORE", "SA", 5, -3)])),
        message="is in the past",
        then=_edi_unchanged("held"),
    ),
    # --- availability at confirmation -------------------------------------------------
    BadInput(
        "goods without stock, receipt or vendor",
        kinds=("rush", "schedule"),
        prepare=lambda t, kind: t.order(kind, lines=[(t.no_stock, 2.0)]),
        act=lambda t, order: order.action_confirm(),
        message="SOP No Stock: 0.0 of 2.0 Units .*no planned receipt or vendor",
        then=_state_is("draft"),
    ),
    BadInput(
        "dozens of goods without stock",
        kinds=("rush",),
        prepare=_in_dozens,
        act=lambda t, order: order.action_confirm(),
        message="SOP No Stock: 0.0 of 3.0 Dozens",
        then=_state_is("draft"),
    ),
    BadInput(
        "archived warehouse",
        kinds=("rush", "schedule"),
        prepare=_archived_warehouse,
        act=lambda t, order: order.action_confirm(),
        message="the warehouse SOP Closed is archived",
        then=_state_is("draft"),
    ),
    # --- cash sale at the counter: Pay and Hand Over, counter refund, closing ---------
    BadInput(
        "cash tendered less than the cash part",
        prepare=lambda t, kind: _hand_over_wizard(t, tendered=10.0),
        act=lambda t, wizard: wizard.action_hand_over(),
        message="10.00 tendered is less than the .*500.00 to pay in cash",
        then=lambda t, wizard, kind: _still_awaiting(t, wizard.order_id),
    ),
    BadInput(
        "hand-over paid into a journal of another company",
        prepare=lambda t, kind: _hand_over_wizard(t, journal=t.journal_company_b),
        act=lambda t, wizard: wizard.action_hand_over(),
        message="B Cash belongs to another company",
        then=lambda t, wizard, kind: _still_awaiting(t, wizard.order_id),
    ),
    BadInput(
        "hand-over paid into a journal of another currency",
        prepare=lambda t, kind: _hand_over_wizard(t, journal=t.journal_other_currency),
        act=lambda t, wizard: wizard.action_hand_over(),
        message="Foreign Cash only takes payments in",
        then=lambda t, wizard, kind: _still_awaiting(t, wizard.order_id),
    ),
    BadInput(
        "payments not adding up to what is due",
        prepare=lambda t, kind: _hand_over_wizard(t, amount=499.0),
        act=lambda t, wizard: wizard.action_hand_over(),
        message="the payments add up to .*499.00, .*500.00 is due",
        then=lambda t, wizard, kind: _still_awaiting(t, wizard.order_id),
    ),
    BadInput(
        "handing over more than reserved for the order",
        prepare=lambda t, kind: _hand_over_wizard(t, quantity=6.0),
        act=lambda t, wizard: wizard.action_hand_over(),
        message="SOP Storable: 1.0 Units more than the order still holds",
        then=lambda t, wizard, kind: _still_awaiting(t, wizard.order_id),
    ),
    BadInput(
        "collecting an order already collected (a second tablet)",
        prepare=lambda t, kind: _collected_twice(t),
        act=lambda t, wizard: wizard.action_hand_over(),
        message="is not awaiting collection",
    ),
    BadInput(
        "collecting a cancelled order",
        prepare=lambda t, kind: _cancelled_before_hand_over(t),
        act=lambda t, wizard: wizard.action_hand_over(),
        message="is not awaiting collection",
        then=lambda t, wizard, kind: t.assertEqual(wizard.order_id.state, "cancel"),
    ),
    BadInput(
        "counter refund of more than was delivered",
        prepare=lambda t, kind: _refund_wizard(t, 6.0),
        act=lambda t, wizard: wizard.action_refund(),
        message="SOP Storable: between 0 and 5.0 can be returned",
    ),
    BadInput(
        "a cash closing entered twice",
        prepare=lambda t, kind: _cash_closing(t).journal_id,
        act=lambda t, journal: t.env["sale.cash.closing"].create(
            {"journal_id": journal.id, "counted": 0.0}
        ),
        message="is already closed or being closed",
    ),
    BadInput(
        "closing a closed day again",
        prepare=lambda t, kind: _cash_closing(t, close=True),
        act=lambda t, closing: closing.action_close(),
        message="These cash closings are locked",
    ),
    BadInput(
        "a cash closing's opening balance typed down by the cashier",
        prepare=lambda t, kind: _cash_closing(t, close=True).journal_id,
        act=lambda t, journal: t.env["sale.cash.closing"]
        .with_user(_cashier(t))
        .create(
            {
                "journal_id": journal.id,
                "date": fields.Date.today() + timedelta(days=1),
                "opening_balance": -70.0,
            }
        ),
        message="set by the closing itself",
    ),
    BadInput(
        "a cash closing created closed",
        prepare=lambda t, kind: _cash_closing(t).journal_id,
        act=lambda t, journal: t.env["sale.cash.closing"]
        .with_user(_cashier(t))
        .create(
            {
                "journal_id": journal.id,
                "date": fields.Date.today() + timedelta(days=1),
                "state": "closed",
            }
        ),
        message="set by the closing itself",
    ),
    BadInput(
        "a journal-day closed per cashier and as a whole",
        prepare=lambda t, kind: _cash_closing(t).journal_id,
        act=lambda t, journal: t.env["sale.cash.closing"].create(
            {"journal_id": journal.id, "user_id": _cashier(t).id, "counted": 0.0}
        ),
        message="per cashier or as a whole, not both",
    ),
    BadInput(
        "counter refund paid back from a journal that is not the counter's",
        prepare=lambda t, kind: _refund_from_other_journal(t),
        act=lambda t, wizard: wizard.action_refund(),
        message="is not a counter journal of the type",
    ),
    BadInput(
        "closing a day with a collection still pending",
        prepare=lambda t, kind: _closing_with_pending_collection(t),
        act=lambda t, closing: closing.action_close(),
        message="still awaiting collection today",
        then=lambda t, closing, kind: t.assertEqual(closing.state, "draft"),
    ),
    # --- third-party fulfilment: shipment reports of fulfillers ----------------------
    BadInput(
        "shipment report for an unknown dispatch reference",
        prepare=lambda t, kind: _tpl_dispatch(t),
        act=lambda t, dispatch: _api_report(t, "DSP/NOPE", "SOP-RACK", 1),
        message="No dispatch order DSP/NOPE is addressed to SOP 3PL GmbH",
        then=lambda t, dispatch, kind: _nothing_shipped(t, dispatch),
    ),
    BadInput(
        "shipment report of an unknown product",
        prepare=lambda t, kind: _tpl_dispatch(t),
        act=lambda t, dispatch: _api_report(t, dispatch.name, "NO-SUCH", 1),
        message="Unknown product NO-SUCH",
        then=lambda t, dispatch, kind: _nothing_shipped(t, dispatch),
    ),
    BadInput(
        "shipment report of more than ordered",
        prepare=lambda t, kind: _tpl_dispatch(t),
        act=lambda t, dispatch: _api_report(t, dispatch.name, "SOP-RACK", 11),
        message="11.0 shipped is more than the 10.0 still to ship",
        then=lambda t, dispatch, kind: _nothing_shipped(t, dispatch),
    ),
    BadInput(
        "shipment report of a negative quantity",
        prepare=lambda t, kind: _tpl_dispatch(t),
        act=lambda t, dispatch: _api_report(t, dispatch.name, "SOP-RACK", -2),
        message="negative quantity",
        then=lambda t, dispatch, kind: _nothing_shipped(t, dispatch),
    ),
    BadInput(
        "shipment report for a cancelled order",
        prepare=lambda t, kind: _tpl_cancelled_dispatch(t),
        act=lambda t, dispatch: _api_report(t, dispatch.name, "SOP-RACK", 1),
        message="is cancelled",
        then=lambda t, dispatch, kind: t.assertFalse(dispatch.report_ids),
    ),
    BadInput(
        "shipment report for another provider's dispatch",
        prepare=lambda t, kind: _tpl_dispatch(t),
        act=lambda t, dispatch: _api_report(
            t, dispatch.name, "SOP-RACK", 1, user=_other_provider_api(t)
        ),
        message="is addressed to SOP Other 3PL",
        then=lambda t, dispatch, kind: _nothing_shipped(t, dispatch),
    ),
    BadInput(
        "shipment report through the API by a user without the API group",
        prepare=lambda t, kind: _tpl_dispatch(t),
        act=lambda t, dispatch: _api_report(
            t, dispatch.name, "SOP-RACK", 1, user=t.provider_portal
        ),
        error=AccessError,
        message="Only users of the group Third-party API",
        then=lambda t, dispatch, kind: _nothing_shipped(t, dispatch),
    ),
    BadInput(
        "shipment file with one bad row among good ones",
        prepare=lambda t, kind: _tpl_dispatch(t),
        act=lambda t, dispatch: _import_shipment(
            t,
            dispatch,
            [
                [dispatch.name, "SOP-RACK", "2", "DHL", "1", "", "F-9"],
                [dispatch.name, "NO-SUCH", "1", "DHL", "1", "", "F-9"],
            ],
        ),
        message="Unknown product NO-SUCH",
        then=lambda t, dispatch, kind: _nothing_shipped(t, dispatch),
    ),
    BadInput(
        "order of a logistics provider type without its warehouse",
        prepare=lambda t, kind: _tpl_quotation_without_warehouse(t),
        act=_confirm,
        message="(?s)No warehouse of a logistics provider.*SOP Pallet Rack",
        then=_state_is("draft"),
    ),
]


def _tpl_quotation_without_warehouse(t):
    fulfilment_fixtures(t, code="W3PL")
    t.type_3pl.third_party_warehouse_id = False
    return t.env["sale.order"].create(
        {
            "partner_id": t.customer.id,
            "type_id": t.type_3pl.id,
            "order_line": [Command.create({"product_id": t.rack.id})],
        }
    )


def _tpl_dispatch(t):
    """A confirmed order of a logistics provider and its dispatch order (sent)."""
    fulfilment_fixtures(t, code="B3PL")
    return confirmed_3pl_order(t).sop_dispatch_ids


def _tpl_cancelled_dispatch(t):
    dispatch = _tpl_dispatch(t)
    dispatch.order_id._action_cancel()
    return dispatch


def _other_provider_api(t):
    other = t.env["res.partner"].create({"name": "SOP Other 3PL", "is_company": True})
    user = new_test_user(
        t.env,
        login="sop_other_3pl_api",
        groups="base.group_portal,sales_order_plus.group_third_party_api",
    )
    user.partner_id.parent_id = other
    return user


def _api_report(t, reference, code, qty, user=None):
    return (
        t.env["sale.third.party.dispatch"]
        .with_user(user or t.provider_api)
        .sop_report_shipment(
            reference,
            [{"product_code": code, "quantity": qty}],
            "DHL",
            ["1"],
            "",
            "B-1",
        )
    )


def _import_shipment(t, dispatch, rows):
    return (
        t.env["sale.third.party.shipment.import"]
        .create({"file": base64.b64encode(shipment_csv(rows)), "filename": "s.csv"})
        .action_import()
    )


def _nothing_shipped(t, dispatch):
    t.assertEqual(dispatch.picking_ids.mapped("state"), ["assigned"])
    t.assertEqual(dispatch.state, "sent")
    t.assertFalse(dispatch.report_ids)
    t.assertEqual(dispatch.order_id.order_line.qty_delivered, 0.0)


@tagged("post_install", "-at_install")
class TestBadInput(SalesOrderPlusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["sale.order"])
        cls.company_b = cls.env["res.company"].create({"name": "SOP Bad Input B"})
        cls.type_company_b = cls.env["sale.order.type"].create(
            {"name": "B only", "kind": "rush", "company_id": cls.company_b.id}
        )
        cls.kind_types = {
            "standard": cls.type_standard,
            "cash": cls.type_cash,
            "rush": cls.type_rush,
            "schedule": cls.type_schedule,
            "third_party": cls.type_third_party,
        }
        # Every kind's orders are valid unless a case spoils them: stock (common),
        # a vendor for third-party lines, schedules released at confirmation, the
        # company's cash journal, goods handed over at the counter.
        cls.vendor = cls.env["res.partner"].create({"name": "SOP Bad Input Vendor"})
        cls.product.seller_ids = [
            Command.create({"partner_id": cls.vendor.id, "price": 40.0})
        ]
        cls.type_third_party.write(
            {
                "third_party_auto_confirm": False,
                "invoice_trigger": "shipment",
                "third_party_margin_guard": "warn",
            }
        )
        cls.type_schedule.schedule_release_horizon = 0
        cls.type_cash.write(
            {"cash_payment_journal_id": False, "cash_handover": "counter"}
        )
        cls.no_stock = cls.env["product.product"].create(
            {"name": "SOP No Stock", "is_storable": True, "list_price": 5.0}
        )
        cls.no_vendor = cls.env["product.product"].create(
            {"name": "SOP No Vendor", "type": "consu", "list_price": 5.0}
        )
        b_account = cls.env["account.account"].create(
            {
                "name": "B Cash",
                "code": "B5700",
                "account_type": "asset_cash",
                "company_ids": [Command.set(cls.company_b.ids)],
            }
        )
        cls.journal_company_b = cls.env["account.journal"].create(
            {
                "name": "B Cash",
                "code": "BCSH",
                "type": "cash",
                "company_id": cls.company_b.id,
                "default_account_id": b_account.id,
            }
        )
        other_currency = cls.env.ref("base.EUR")
        if other_currency == cls.company.currency_id:
            other_currency = cls.env.ref("base.CHF")
        other_currency.active = True
        cls.journal_other_currency = cls.env["account.journal"].create(
            {
                "name": "Foreign Cash",
                "code": "FCSH",
                "type": "cash",
                "company_id": cls.company.id,
                "currency_id": other_currency.id,
            }
        )

    # -- helpers the rows use ----------------------------------------------------------
    def kind_type(self, kind):
        return self.kind_types[kind]

    def order(self, kind, lines=None, schedule=None, **vals):
        """A quotation of ``kind``; schedule orders get their goods lines scheduled
        (``schedule``: [(date, qty)] for each line, default: all today)."""
        order = self._create_order(self.kind_type(kind), lines=lines, **vals)
        if kind == "schedule":
            for line in order.order_line.filtered(
                lambda sl: sl.product_uom_qty > 0 and sl._sop_schedule_is_scheduled()
            ):
                dates = (
                    schedule
                    if schedule is not None
                    else [(self.today, line.product_uom_qty)]
                )
                line.schedule_line_ids = [
                    Command.create({"date": day, "product_uom_qty": qty})
                    for day, qty in dates
                ]
        return order

    def deliver(self, order):
        """Ship what the order's transfers hold; a third-party order's goods leave
        from the vendor (the purchase orders are confirmed first)."""
        order.order_line.purchase_line_ids.order_id.filtered(
            lambda po: po.state in ("draft", "sent")
        ).button_confirm()
        pickings = order.picking_ids.filtered(lambda p: p.state != "done")
        if order.type_kind == "third_party":
            self.assertTrue(pickings and all(pickings.mapped("is_dropship")))
        for picking in pickings:
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
            picking.move_ids.picked = True
            picking.button_validate()
        self.assertTrue(order.order_line.filtered("qty_delivered"), "nothing delivered")

    def _counts(self):
        return {
            model: self.env[model]
            .sudo()
            .with_context(active_test=False)
            .search_count([])
            for model in WATCHED_MODELS
            if model in self.env
        }

    # -- the table ---------------------------------------------------------------------
    def _cases(self):
        for case in BAD_INPUTS:
            for kind in case.kinds or (None,):
                yield f"{case.name} [{kind}]" if kind else case.name, kind, case

    def test_bad_inputs(self):
        count = 0
        for name, kind, case in self._cases():
            # Each case in its own savepoint, rolled back at the end: cases do not
            # see each other's records or settings.
            with self.subTest(case=name), closing(self.env.cr.savepoint()):
                record = case.prepare(self, kind)
                before = self._counts()
                with self.assertRaisesRegex(case.error, case.message):
                    if case.atomic:
                        # Odoo checks constraints after writing, as for every model:
                        # the request's rollback takes the rows back (here a savepoint
                        # stands for the request's transaction).
                        with self.env.cr.savepoint():
                            case.act(self, record)
                    else:
                        case.act(self, record)
                # Checked right after the error, before any rollback: the checks ran
                # before the side effects.
                self.assertEqual(self._counts(), before, "records left behind")
                if case.then:
                    case.then(self, record, kind)
                count += 1
        self.assertGreaterEqual(count, 30)
        self.assertEqual(count, len(list(self._cases())))

    # -- Odoo's own rules, kept for standard orders ------------------------------------
    def test_standard_order_keeps_odoo_quantity_rules(self):
        """Plain Odoo confirms a negative line (a return or a discount) and skips zero
        lines in procurement: a standard order keeps doing so."""
        order = self.order(
            "standard", lines=[(self.product, 3.0), (self.service, -1.0)]
        )
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.amount_untaxed, 270.0)
        order = self.order("standard", lines=[(self.product, 0.0)])
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.picking_ids)

    def test_zero_line_beside_positive_ones_is_accepted(self):
        """A zero line is a harmless leftover on every kind: nothing is delivered."""
        for kind in NON_STANDARD:
            with self.subTest(kind=kind):
                order = self.order(
                    kind, lines=[(self.product, 2.0), (self.service, 0.0)]
                )
                order.action_confirm()
                self.assertEqual(order.state, "sale")
                if kind == "third_party":
                    # Bought from the vendor, who ships it: the purchase order.
                    self.assertEqual(
                        order.order_line.purchase_line_ids.product_qty, 2.0
                    )
                    self.assertFalse(order.picking_ids)
                else:
                    self.assertEqual(order.picking_ids.move_ids.product_uom_qty, 2.0)

    def test_standard_order_cancel_after_delivery_is_odoo_behaviour(self):
        """Odoo cancels an order whose delivery is done (its own tests rely on it): the
        done transfer stays done, nothing more is delivered or invoiced."""
        order = _delivered(self, "standard")
        picking = order.picking_ids
        order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(picking.state, "done")
        self.assertEqual(order.invoice_status, "no")

    def test_returned_goods_allow_cancelling(self):
        """Once the goods are back, an order of a kind can be cancelled."""
        order = _delivered(self, "rush")
        picking = order.picking_ids
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = 5.0
        returned = wizard._create_return()
        returned.move_ids.quantity = 5.0
        returned.move_ids.picked = True
        returned.button_validate()
        self.assertEqual(order.order_line.qty_delivered, 0.0)
        order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(order.state, "cancel")

    def test_section_and_note_lines_are_not_quantities(self):
        """Sections and notes (no product, no unit) neither count as lines to sell nor
        break the delivered check on cancel."""
        order = self.order("rush")
        order.order_line = [
            Command.create({"display_type": "line_section", "name": "Section"}),
            Command.create({"display_type": "line_note", "name": "Note"}),
        ]
        order.action_confirm()
        self.deliver(order)
        with self.assertRaisesRegex(UserError, "already been delivered"):
            order.action_cancel()
        only_notes = self.order("cash", lines=[(self.product, 0.0)])
        only_notes.order_line = [
            Command.create({"display_type": "line_note", "name": "Note"})
        ]
        with self.assertRaisesRegex(UserError, "no line with a quantity to sell"):
            only_notes.action_confirm()


# Helpers of the rows appended last (the rows call them when they run).
def _planned_schedule_line(t):
    """A confirmed schedule order whose only line is beyond the release horizon."""
    t.type_schedule.schedule_release_horizon = 7
    order = t.order("schedule", schedule=[(t.today + timedelta(days=30), 5.0)])
    order.action_confirm()
    return order.schedule_line_ids


def _still_planned(t, line):
    t.assertEqual((line.released, line.state), (False, "planned"))
    t.assertFalse(line.move_ids)


# Credit limits (models/sale_order_credit.py).
def _over_limit(t, kind):
    """Two quotations of a customer whose credit limit any order exceeds."""
    t.customer.sudo().write({"credit_limit": 1.0, "risk_sale_order_include": True})
    return t.order(kind) | t.order(kind)


def _held(t, kind):
    order = _confirmed(t, kind)
    order._sop_credit_set_hold("Bad input test")
    return order


def _held_purchase(t, kind):
    return _held(t, "third_party").order_line.purchase_line_ids.order_id


BAD_INPUTS += [  # noqa: E305
    BadInput(
        "several orders over the credit limit confirmed together",
        # Schedule and third-party orders are confirmed on credit hold instead.
        kinds=("standard", "rush"),
        prepare=_over_limit,
        # What a mass server action (or a job) runs: one error naming the orders.
        act=lambda t, orders: orders._sop_confirm_job(),
        message="exceed their customer's credit limit",
        then=lambda t, orders, kind: t.assertEqual(
            set(orders.mapped("state")), {"draft"}
        ),
    ),
    BadInput(
        "a client clears a credit hold",
        kinds=("schedule", "third_party"),
        prepare=_held,
        act=lambda t, order: order.write({"sop_credit_hold": False}),
        message="Release Credit Hold",
        then=lambda t, order, kind: t.assertTrue(order.sop_credit_hold),
    ),
    BadInput(
        "a credit hold released on an order not on hold",
        prepare=lambda t, kind: _confirmed(t, "rush"),
        act=lambda t, order: order.action_sop_credit_release(),
        message="not on credit hold",
    ),
    BadInput(
        "the purchase order of a third-party order on credit hold is confirmed",
        prepare=_held_purchase,
        act=lambda t, purchase: purchase.button_confirm(),
        message="credit hold",
        then=lambda t, purchase, kind: t.assertEqual(purchase.state, "draft"),
    ),
    BadInput(
        "the purchase order of a third-party order on credit hold is sent",
        prepare=_held_purchase,
        act=lambda t, purchase: purchase.action_rfq_send(),
        message="credit hold",
        then=lambda t, purchase, kind: t.assertEqual(purchase.state, "draft"),
    ),
]


def _collect_order(t):
    """A confirmed cash sale reserved for collection: 5 x 100, no taxes."""
    collect_type = t.env["sale.order.type"].create(
        {"name": "Bad input collect", "kind": "cash", "cash_handover": "collect"}
    )
    t.product.taxes_id = False
    order = t._create_order(collect_type, lines=[(t.product, 5.0)])
    order.action_confirm()
    return order


def _hand_over_wizard(t, tendered=0.0, journal=None, amount=None, quantity=None):
    wizard = t.env["sale.cash.handover"].create({"order_id": _collect_order(t).id})
    if quantity is not None:
        wizard.line_ids.quantity = quantity
    payment = wizard.payment_ids
    payment.amount = amount if amount is not None else wizard.amount_due
    if journal:
        payment.journal_id = journal
    wizard.amount_tendered = tendered
    return wizard


def _still_awaiting(t, order):
    t.assertTrue(order.sop_cash_awaiting_collection)
    t.assertFalse(order.invoice_ids)
    t.assertEqual(order.picking_ids.state, "assigned")


def _collected_twice(t):
    order = _collect_order(t)
    first, second = (
        t.env["sale.cash.handover"].create({"order_id": order.id}) for _i in range(2)
    )
    first.action_hand_over()
    return second


def _cancelled_before_hand_over(t):
    order = _collect_order(t)
    wizard = t.env["sale.cash.handover"].create({"order_id": order.id})
    order.with_context(disable_cancel_warning=True).action_cancel()
    return wizard


def _refund_wizard(t, quantity):
    order = t.order("cash")
    order.action_confirm()
    wizard = t.env["sale.cash.refund"].create({"order_id": order.id})
    wizard.line_ids.quantity = quantity
    return wizard


def _cashier(t):
    return new_test_user(
        t.env, login="bad_input_cashier", groups="sales_order_plus.group_sale_cashier"
    )


def _refund_from_other_journal(t):
    wizard = _refund_wizard(t, 1.0)
    wizard.journal_id = t.env["account.journal"].create(
        {"name": "Bad input bank", "code": "BIBK", "type": "bank"}
    )
    return wizard


def _cash_closing(t, close=False):
    journal = t.env["account.journal"].create(
        {"name": "Bad input drawer", "code": "BIDR", "type": "cash"}
    )
    closing = t.env["sale.cash.closing"].create(
        {"journal_id": journal.id, "counted": 0.0}
    )
    if close:
        closing.action_close()
    return closing


def _closing_with_pending_collection(t):
    order = _collect_order(t)
    order.commitment_date = fields.Datetime.now()
    return _cash_closing(t)


# --- numbers from outside: finite and bounded (issue 21, item 10) --------------------
_HUGE = "9" * 400  # digits only, but a float of it is infinite


def _version(t, kind):
    """A received version of a schedule agreement, one line of 4."""
    order = t.order("schedule", schedule=[(t.today + timedelta(days=10), 5.0)])
    return t.env["sale.order.schedule.version"].create(
        {
            "order_id": order.id,
            "name": "V-NAN",
            "line_ids": [
                Command.create(
                    {
                        "product_id": t.product.id,
                        "date": t.today + timedelta(days=10),
                        "product_uom_qty": 4.0,
                    }
                )
            ],
        }
    )


BAD_INPUTS += [  # noqa: E305
    *(
        BadInput(
            f"shipment report (API) of the quantity {qty!r}",
            prepare=lambda t, kind: _tpl_dispatch(t),
            act=lambda t, dispatch, qty=qty: _api_report(
                t, dispatch.name, "SOP-RACK", qty
            ),
            message=r"SOP Pallet Rack: the quantity .* is not a finite number",
            then=lambda t, dispatch, kind: _nothing_shipped(t, dispatch),
        )
        for qty in (float("nan"), float("inf"), "nan", "-Infinity", 1e300, _HUGE)
    ),
    *(
        BadInput(
            f"shipment file of the quantity {qty}",
            prepare=lambda t, kind: _tpl_dispatch(t),
            act=lambda t, dispatch, qty=qty: _import_shipment(
                t, dispatch, [[dispatch.name, "SOP-RACK", qty, "DHL", "1", "", "N-1"]]
            ),
            message=r"SOP Pallet Rack: the quantity .* is not a finite number",
            then=lambda t, dispatch, kind: _nothing_shipped(t, dispatch),
        )
        for qty in ("nan", "inf", "1e999")
    ),
    BadInput(
        "import: a quantity of 400 digits",
        prepare=_scheduled([]),
        act=_import(lambda t: [("SOP-STORE", t.today + timedelta(days=3), _HUGE)]),
        message=f"Row 2: invalid quantity {_HUGE}",
        then=lambda t, order, kind: t.assertFalse(order.schedule_line_ids),
    ),
    BadInput(
        "import: an absurd quantity",
        prepare=_scheduled([]),
        act=_import(
            lambda t: [("SOP-STORE", t.today + timedelta(days=3), "1000000000000")]
        ),
        message="Row 2: the quantity 1000000000000.0 is not plausible",
        then=lambda t, order, kind: t.assertFalse(order.schedule_line_ids),
    ),
    BadInput(
        "EDIFACT schedule with a quantity of 400 digits",
        prepare=lambda t, kind: _edi_agreement(t),
        act=_edi_apply(_edi_delfor([("SOP-STORE", "SA", _HUGE, 10)])),
        message="invalid quantity",
        then=_edi_unchanged("held"),
    ),
    BadInput(
        "a schedule line of nan over RPC",
        prepare=_scheduled([(3, 5.0)]),
        act=lambda t, order: t.env["sale.order.schedule.line"].create(
            {
                "order_line_id": order.order_line.id,
                "date": t.today + timedelta(days=4),
                "product_uom_qty": float("nan"),
            }
        ),
        error=ValidationError,
        message="Quantity of Delivery Schedule Line must be a finite number",
        then=lambda t, order, kind: t.assertEqual(
            order.schedule_line_ids.mapped("product_uom_qty"), [5.0]
        ),
    ),
    BadInput(
        "a schedule line changed to inf over RPC",
        prepare=lambda t, kind: _scheduled([(3, 5.0)])(t, kind).schedule_line_ids,
        act=lambda t, line: line.write({"product_uom_qty": float("inf")}),
        error=ValidationError,
        message="Quantity of Delivery Schedule Line must be a finite number",
        then=lambda t, line, kind: t.assertEqual(line.product_uom_qty, 5.0),
    ),
    BadInput(
        "a version line changed to -inf over RPC",
        prepare=_version,
        act=lambda t, version: version.line_ids.write(
            {"product_uom_qty": float("-inf")}
        ),
        error=ValidationError,
        message="must be a finite number",
        then=lambda t, version, kind: t.assertEqual(
            version.line_ids.product_uom_qty, 4.0
        ),
    ),
    BadInput(
        "a version created with a line of nan over RPC",
        prepare=lambda t, kind: _version(t, kind).order_id,
        act=lambda t, order: t.env["sale.order.schedule.version"].create(
            {
                "order_id": order.id,
                "name": "V-NAN-2",
                "line_ids": [
                    Command.create(
                        {
                            "product_id": t.product.id,
                            "date": t.today + timedelta(days=11),
                            "product_uom_qty": float("nan"),
                        }
                    )
                ],
            }
        ),
        error=ValidationError,
        message="must be a finite number",
    ),
]
