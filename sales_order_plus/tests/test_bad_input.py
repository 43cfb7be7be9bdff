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

from collections import namedtuple
from contextlib import closing

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SalesOrderPlusCase

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
]

BadInput = namedtuple(
    "BadInput",
    "name prepare act message kinds error then",
    defaults=(None, UserError, None),
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
]


@tagged("post_install", "-at_install")
class TestBadInput(SalesOrderPlusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
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

    # -- helpers the rows use ----------------------------------------------------------
    def kind_type(self, kind):
        return self.kind_types[kind]

    def order(self, kind, lines=None, **vals):
        return self._create_order(self.kind_type(kind), lines=lines, **vals)

    def deliver(self, order):
        for picking in order.picking_ids.filtered(lambda p: p.state != "done"):
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
                    case.act(self, record)
                # Checked right after the error, before any rollback: the checks ran
                # before the side effects.
                self.assertEqual(self._counts(), before, "records left behind")
                if case.then:
                    case.then(self, record, kind)
                count += 1
        self.assertGreaterEqual(count, 30)

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
