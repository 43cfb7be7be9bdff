# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Who may read, create, change and delete what the add-on adds.

One row per (user, record, operation, allowed): the expected outcome is what Odoo's
access rights and record rules decide, so that the add-on opens no hole (a related
field writing through to a record the user may not change, a sudo in a compute) and
closes no door (a warehouse user grouping transfers by order type).

To cover a new model or server action, add its records to ``_records``, its values to
``CREATE_VALS`` / ``WRITE_VALS`` / ``READ_FIELDS`` and its rows to ``MATRIX`` (and, for
a server action, to ``SERVER_ACTIONS``): ``test_every_new_model_is_in_the_matrix``
fails until every model the add-on creates has rows.
"""

from contextlib import closing

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import SalesOrderPlusCase

# Fields the add-on adds, read by the "read" operation.
READ_FIELDS = {
    "sale.order.type": ["name", "kind", "required_field_ids"],
    "sale.order": ["name", "type_id", "type_kind"],
    "stock.picking": ["name", "sale_type_id", "sale_type_kind"],
    "account.move": ["name", "sale_type_id", "sale_type_kind"],
}
# Groupings the add-on's stored fields are meant for ("group" operation).
GROUP_BY = {
    "sale.order": ["type_kind"],
    "stock.picking": ["sale_type_id", "sale_type_kind"],
    "account.move": ["sale_type_kind"],
}

REFUSED = "refused"  # allowed by the access rights, refused by the add-on (UserError)

# Rows: (user, record, operation, allowed). Operations: read (read + search), write
# (WRITE_VALS of the record), create (CREATE_VALS of the record's key, the record
# standing for its model), unlink, group (read_group by GROUP_BY of the model).
# allowed: True, False (AccessError) or REFUSED.
MATRIX = [
    # --- sale.order.type: configuration, sales administrators only -------------------
    ("salesman", "type_shared", "read", True),
    ("salesman", "type_company_a", "read", True),
    ("salesman", "type_shared", "write", False),
    ("salesman", "type_shared", "create", False),
    ("salesman", "type_unused", "unlink", False),
    ("sale_admin", "type_shared", "read", True),
    ("sale_admin", "type_unused", "write", True),
    ("sale_admin", "type_shared", "create", True),
    ("sale_admin", "type_unused", "unlink", True),
    ("accountant", "type_shared", "read", True),
    ("accountant", "type_unused", "write", False),
    ("accountant", "type_shared", "create", False),
    ("accountant", "type_unused", "unlink", False),
    ("stock_user", "type_unused", "write", False),
    ("stock_user", "type_shared", "create", False),
    ("portal", "type_shared", "read", False),
    ("portal", "type_unused", "write", False),
    ("portal", "type_shared", "create", False),
    ("company_b", "type_shared", "read", True),
    ("company_b", "type_company_a", "read", False),
    ("company_b", "type_company_a", "write", False),
    ("company_b", "type_company_a", "unlink", False),
    # --- sale.order: type and kind on orders; "own documents only" -----------------
    ("salesman", "order_own", "read", True),
    ("salesman", "order_own", "write", True),
    ("salesman", "order_own", "create", True),
    ("salesman", "order_own", "unlink", False),
    ("salesman", "order_kind", "write", REFUSED),
    ("salesman", "order_own", "group", True),
    ("salesman", "order_other", "read", False),
    ("salesman", "order_other", "write", False),
    ("sale_admin", "order_other", "read", True),
    ("sale_admin", "order_other", "write", True),
    ("sale_admin", "order_other", "unlink", True),
    ("accountant", "order_confirmed", "read", True),
    ("accountant", "order_own", "create", False),
    ("accountant", "order_other", "unlink", False),
    ("stock_user", "order_confirmed", "read", True),
    ("stock_user", "order_own", "create", False),
    ("portal", "order_portal", "read", True),
    ("portal", "order_portal", "write", False),
    ("portal", "order_other", "read", False),
    ("company_b", "order_other", "read", False),
    ("company_b", "order_other", "write", False),
    # --- stock.picking: stored type and kind of the order ----------------------------
    ("stock_user", "picking", "read", True),
    ("stock_user", "picking", "group", True),
    # Type and kind on a transfer are copies of the order's: nobody writes them there.
    ("stock_user", "picking_kind", "write", REFUSED),
    ("salesman", "picking", "read", True),
    ("salesman", "picking_kind", "write", REFUSED),
    ("sale_admin", "picking_kind", "write", REFUSED),
    ("accountant", "picking", "read", True),
    ("portal", "picking", "read", False),
    ("company_b", "picking", "read", False),
    ("sale_admin", "picking", "group", True),
    # --- account.move: kind on invoices ----------------------------------------------
    ("accountant", "invoice", "read", True),
    ("accountant", "invoice", "group", True),
    ("accountant", "invoice_kind", "write", REFUSED),
    ("salesman", "invoice", "read", True),
    ("salesman", "invoice_kind", "write", False),
    ("stock_user", "invoice", "read", False),
    ("portal", "invoice", "read", False),
    ("company_b", "invoice", "read", False),
]

# Server actions the add-on ships: xmlid -> users allowed to run them.
SERVER_ACTIONS = {}


@tagged("post_install", "-at_install")
class TestAccessMatrix(SalesOrderPlusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "SOP Access Company B"})
        cls.users = {
            "salesman": cls.salesman,
            "salesman_2": new_test_user(
                cls.env, login="sop_salesman_2", groups="sales_team.group_sale_salesman"
            ),
            "sale_admin": cls.sale_admin,
            "accountant": new_test_user(
                cls.env, login="sop_accountant", groups="account.group_account_invoice"
            ),
            "stock_user": new_test_user(
                cls.env, login="sop_stock_user", groups="stock.group_stock_user"
            ),
            "portal": new_test_user(
                cls.env, login="sop_portal", groups="base.group_portal"
            ),
            "company_b": new_test_user(
                cls.env,
                login="sop_company_b",
                groups="sales_team.group_sale_manager,account.group_account_invoice,"
                "stock.group_stock_user",
                company_id=cls.company_b.id,
                company_ids=[cls.company_b.id],
            ),
        }
        cls.records = cls._records()

    @classmethod
    def _records(cls):
        types = cls.env["sale.order.type"]
        order_own = cls._create_order(cls.type_rush, user_id=cls.salesman.id)
        order_other = cls._create_order(
            cls.type_rush, user_id=cls.users["salesman_2"].id
        )
        confirmed = cls._create_order(cls.type_rush, user_id=cls.salesman.id)
        confirmed.action_confirm()
        invoice = confirmed._create_invoices()
        portal_order = cls._create_order(
            cls.type_rush, partner_id=cls.users["portal"].partner_id.id
        )
        portal_order.action_confirm()
        return {
            "type_shared": cls.type_cash,
            "type_company_a": types.create(
                {"name": "A only", "kind": "rush", "company_id": cls.company.id}
            ),
            "type_unused": types.create({"name": "Unused", "kind": "cash"}),
            "order_own": order_own,
            "order_other": order_other,
            "order_confirmed": confirmed,
            "order_portal": portal_order,
            "picking": confirmed.picking_ids,
            "picking_kind": confirmed.picking_ids,
            "order_kind": order_own,
            "invoice": invoice,
            "invoice_kind": invoice,
        }

    def _write_vals(self, key):
        return {
            "type_unused": {"kind": "rush", "name": "Renamed"},
            "type_shared": {"name": "Renamed"},
            "type_company_a": {"kind": "cash"},
            "order_own": {"type_id": self.type_schedule.id},
            "order_other": {"type_id": self.type_schedule.id},
            "order_portal": {"client_order_ref": "changed by portal"},
            "picking_kind": {
                "sale_type_kind": "cash",
                "sale_type_id": self.type_cash.id,
            },
            "order_kind": {"type_kind": "cash"},
            "invoice_kind": {"sale_type_kind": "cash"},
        }[key]

    def _create_vals(self, key):
        return {
            "type_shared": {"name": "New type", "kind": "cash"},
            "order_own": {
                "partner_id": self.customer.id,
                "type_id": self.type_rush.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            },
        }[key]

    # -- the operations ----------------------------------------------------------------
    def _run(self, user, key, operation):
        """True when ``user`` may do ``operation`` on record ``key``, False on an
        AccessError, REFUSED on another UserError; any other error fails the test.
        Nothing of it is kept."""
        record = self.records[key].with_user(user)
        model = self.env[record._name].with_user(user)
        actions = {
            "read": lambda: record.read(READ_FIELDS[record._name]),
            "write": lambda: record.write(self._write_vals(key)),
            "create": lambda: model.create(self._create_vals(key)),
            "unlink": record.unlink,
            "group": lambda: model.read_group(
                [], ["__count"], GROUP_BY[record._name], lazy=False
            ),
        }
        with closing(self.env.cr.savepoint()):
            try:
                actions[operation]()
                self.env.flush_all()
                allowed = True
            except AccessError:
                allowed = False
            except UserError:
                allowed = REFUSED
        if operation == "read":
            # A record one may not read is not found either (or the search is refused).
            try:
                found = bool(model.search([("id", "=", record.id)]))
            except AccessError:
                found = False
            self.assertEqual(found, allowed, "search and read disagree")
        return allowed

    def test_matrix(self):
        for user_key, record_key, operation, expected in MATRIX:
            with self.subTest(user=user_key, record=record_key, operation=operation):
                allowed = self._run(self.users[user_key], record_key, operation)
                self.assertEqual(
                    allowed,
                    expected,
                    f"{user_key} {operation} {record_key}: "
                    f"{ {True: 'allowed', False: 'denied'}.get(allowed, allowed)}",
                )

    def test_matrix_records_are_real(self):
        """The rows test what they say: the records exist, belong where expected and
        the allowed writes really change the record."""
        records = self.records
        self.assertEqual(records["type_company_a"].company_id, self.company)
        self.assertFalse(records["type_shared"].company_id)
        self.assertEqual(records["picking"].sale_type_kind, "rush")
        self.assertEqual(records["invoice"].sale_type_kind, "rush")
        self.assertIn(
            self.users["portal"].partner_id, records["order_portal"].message_partner_ids
        )
        records["order_own"].with_user(self.salesman).write(
            self._write_vals("order_own")
        )
        self.assertEqual(records["order_own"].type_kind, "schedule")
        # The refused writes left transfer, invoice and type as they were.
        self.assertEqual(self.type_rush.kind, "rush")
        self.assertEqual(records["picking"].sale_type_kind, "rush")
        self.assertEqual(records["invoice"].sale_type_kind, "rush")

    def test_every_new_model_is_in_the_matrix(self):
        covered = {self.records[key]._name for _user, key, _op, _ok in MATRIX}
        new_models = {
            name
            for name in self.env.registry.models
            if self.env[name]._original_module == "sales_order_plus"
            and not self.env[name]._abstract
        }
        self.assertFalse(
            new_models - covered, "models of the add-on without access rows"
        )

    def test_server_actions_are_restricted(self):
        """Every server action of the add-on is limited to groups, and runs for its
        allowed users only."""
        actions = self.env["ir.model.data"].search(
            [("module", "=", "sales_order_plus"), ("model", "=", "ir.actions.server")]
        )
        for data in actions:
            action = self.env["ir.actions.server"].browse(data.res_id)
            xmlid = f"sales_order_plus.{data.name}"
            with self.subTest(action=xmlid):
                self.assertTrue(action.groups_id, f"{xmlid} is open to every user")
                self.assertIn(xmlid, SERVER_ACTIONS, f"{xmlid} has no access rows")
                for user_key, user in self.users.items():
                    self.assertEqual(
                        bool(action.groups_id & user.groups_id),
                        user_key in SERVER_ACTIONS[xmlid],
                        f"{user_key} and {xmlid}",
                    )
