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

import base64
from contextlib import closing
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import SalesOrderPlusCase
from .test_third_party_fulfilment import confirmed_3pl_order, fulfilment_fixtures

# Fields the add-on adds, read by the "read" operation.
READ_FIELDS = {
    "sale.order.type": ["name", "kind", "required_field_ids"],
    "sale.order": ["name", "type_id", "type_kind"],
    "stock.picking": ["name", "sale_type_id", "sale_type_kind"],
    "account.move": ["name", "sale_type_id", "sale_type_kind"],
    "sale.order.schedule.line": ["date", "product_uom_qty", "state", "order_id"],
    "sale.order.schedule.import": ["order_id", "filename"],
    "sale.third.party.rule": ["name", "vendor_id", "level", "company_id"],
    "sale.demand.trend": ["product_id", "month", "type_kind", "company_id"],
    "sale.product.mover": ["product_id", "qty_sold", "qty_on_hand", "stock_value"],
    "sale.consistency.check": ["order_id", "problem", "qty_difference", "company_id"],
    "sale.consistency.notification": ["problem_key", "order_id", "company_id"],
    "sale.order.schedule.version": ["name", "order_id", "state", "reason"],
    "sale.order.schedule.version.line": ["date", "product_uom_qty", "firmness"],
    "sale.order.schedule.version.change": ["date", "old_qty", "new_qty"],
    "sale.order.schedule.inbox": ["name", "state", "reason"],
    "sale.cash.handover": ["order_id", "amount_due"],
    "sale.cash.handover.line": ["sale_line_id", "quantity"],
    "sale.cash.handover.payment": ["journal_id", "amount"],
    "sale.cash.closing": ["journal_id", "date", "expected", "counted", "state"],
    "sale.cash.closing.line": ["value", "number", "subtotal"],
    "sale.cash.refund": ["order_id", "journal_id", "amount"],
    "sale.cash.refund.line": ["sale_line_id", "quantity"],
    "sale.third.party.dispatch": ["name", "state", "partner_id", "promised_date"],
    "sale.third.party.dispatch.report": ["report_ref", "channel", "dispatch_id"],
    "sale.third.party.shipment.import": ["filename", "dispatch_id"],
}
# Groupings the add-on's stored fields are meant for ("group" operation).
GROUP_BY = {
    "sale.order": ["type_kind"],
    "stock.picking": ["sale_type_id", "sale_type_kind"],
    "account.move": ["sale_type_kind"],
    "sale.order.schedule.line": ["state"],
    "sale.demand.trend": ["type_kind"],
}

REFUSED = "refused"  # allowed by the access rights, refused by the add-on (UserError)

# Rows: (user, record, operation, allowed). Operations: read (read + search), write
# (WRITE_VALS of the record), create (CREATE_VALS of the record's key, the record
# standing for its model), unlink, group (read_group by GROUP_BY of the model), import
# (schedule import wizard: create it for the key's order and import a file).
# allowed: True, False (AccessError, or a row the user's query does not show) or
# REFUSED.
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
    # --- sale.order.schedule.line: as the order lines (own documents) ----------------
    ("salesman", "schedule_line_own", "read", True),
    ("salesman", "schedule_line_own", "write", True),
    ("salesman", "schedule_line_own", "create", True),
    ("salesman", "schedule_line_own", "unlink", True),
    ("salesman", "schedule_line_own", "group", True),
    ("salesman", "schedule_line_other", "read", False),
    ("salesman", "schedule_line_other", "write", False),
    ("salesman", "schedule_line_other", "create", False),
    ("salesman", "schedule_line_other", "unlink", False),
    ("sale_admin", "schedule_line_other", "read", True),
    ("sale_admin", "schedule_line_other", "write", True),
    ("sale_admin", "schedule_line_other", "create", True),
    ("sale_admin", "schedule_line_other", "unlink", True),
    # Billing and the warehouse see the schedules (invoices, deliveries by date).
    ("accountant", "schedule_line_other", "read", True),
    ("accountant", "schedule_line_other", "write", False),
    ("accountant", "schedule_line_other", "create", False),
    ("accountant", "schedule_line_other", "unlink", False),
    ("stock_user", "schedule_line_other", "read", True),
    ("stock_user", "schedule_line_other", "group", True),
    ("stock_user", "schedule_line_other", "write", False),
    ("stock_user", "schedule_line_other", "create", False),
    ("portal", "schedule_line_own", "read", False),
    ("portal", "schedule_line_own", "write", False),
    ("company_b", "schedule_line_other", "read", False),
    ("company_b", "schedule_line_other", "write", False),
    ("company_b", "schedule_line_other", "unlink", False),
    # --- sale.order.schedule.import (wizard): who may import onto which order --------
    ("salesman", "schedule_import_own", "create", True),
    ("salesman", "schedule_import_own", "read", True),
    ("salesman", "schedule_import_own", "import", True),
    ("salesman", "schedule_import_other", "import", False),
    ("sale_admin", "schedule_import_other", "import", True),
    ("accountant", "schedule_import_own", "create", False),
    ("accountant", "schedule_import_own", "import", False),
    ("stock_user", "schedule_import_own", "import", False),
    ("portal", "schedule_import_own", "create", False),
    ("portal", "schedule_import_own", "import", False),
    ("company_b", "schedule_import_other", "import", False),
    # --- sale.third.party.rule: configuration, read by who routes and ships ----------
    ("salesman", "tp_rule", "read", True),
    ("salesman", "tp_rule", "write", False),
    ("salesman", "tp_rule", "create", False),
    ("salesman", "tp_rule", "unlink", False),
    ("sale_admin", "tp_rule", "read", True),
    ("sale_admin", "tp_rule", "write", True),
    ("sale_admin", "tp_rule", "create", True),
    ("sale_admin", "tp_rule", "unlink", True),
    ("accountant", "tp_rule", "read", False),
    ("accountant", "tp_rule", "write", False),
    ("stock_user", "tp_rule", "read", True),
    ("stock_user", "tp_rule", "write", False),
    ("portal", "tp_rule", "read", False),
    ("portal", "tp_rule", "create", False),
    ("company_b", "tp_rule", "read", False),
    ("company_b", "tp_rule", "write", False),
    ("company_b", "tp_rule", "unlink", False),
    ("company_b", "tp_rule_shared", "read", True),
    # --- sale.demand.trend (report): who sees all orders, in their companies ---------
    ("salesman", "demand_trend", "read", False),
    ("salesman", "demand_trend", "group", False),
    ("sale_admin", "demand_trend", "read", True),
    ("sale_admin", "demand_trend", "group", True),
    ("sale_admin", "demand_trend", "write", False),
    ("sale_admin", "demand_trend", "create", False),
    ("sale_admin", "demand_trend", "unlink", False),
    ("accountant", "demand_trend", "read", False),
    ("stock_user", "demand_trend", "read", False),
    ("portal", "demand_trend", "read", False),
    ("company_b", "demand_trend", "read", False),
    # --- sale.product.mover (report, per query): same audience -------------------
    ("salesman", "product_mover", "read", False),
    ("sale_admin", "product_mover", "read", True),
    ("sale_admin", "product_mover", "write", False),
    ("sale_admin", "product_mover", "unlink", False),
    ("accountant", "product_mover", "read", False),
    ("stock_user", "product_mover", "read", False),
    ("portal", "product_mover", "read", False),
    # Company B's query does not show company A's stock and sales.
    ("company_b", "product_mover", "read", False),
    # --- sale.consistency.check (report): sales administrators and billing ------------
    ("salesman", "consistency_check", "read", False),
    ("sale_admin", "consistency_check", "read", True),
    ("sale_admin", "consistency_check", "write", False),
    ("sale_admin", "consistency_check", "unlink", False),
    ("accountant", "consistency_check", "read", True),
    ("stock_user", "consistency_check", "read", False),
    ("portal", "consistency_check", "read", False),
    ("company_b", "consistency_check", "read", False),
    # --- sale.consistency.notification: written by the scheduled action only ---------
    ("salesman", "consistency_notification", "read", False),
    ("sale_admin", "consistency_notification", "read", True),
    ("sale_admin", "consistency_notification", "write", False),
    ("sale_admin", "consistency_notification", "create", False),
    ("sale_admin", "consistency_notification", "unlink", False),
    ("accountant", "consistency_notification", "read", True),
    ("accountant", "consistency_notification", "write", False),
    ("stock_user", "consistency_notification", "read", False),
    ("portal", "consistency_notification", "read", False),
    ("company_b", "consistency_notification", "read", False),
    # --- sale.order.schedule.version and its lines: as the schedule lines ------------
    ("salesman", "version_own", "read", True),
    ("salesman", "version_own", "write", True),
    ("salesman", "version_own", "create", True),
    ("salesman", "version_own", "unlink", False),
    ("salesman", "version_other", "read", False),
    ("salesman", "version_other", "write", False),
    ("sale_admin", "version_other", "read", True),
    ("sale_admin", "version_other", "write", True),
    ("sale_admin", "version_other", "unlink", True),
    ("accountant", "version_own", "read", False),
    ("stock_user", "version_own", "read", False),
    ("portal", "version_own", "read", False),
    ("company_b", "version_other", "read", False),
    ("company_b", "version_other", "write", False),
    ("salesman", "version_line_own", "read", True),
    ("salesman", "version_line_own", "write", True),
    ("salesman", "version_line_own", "create", True),
    ("salesman", "version_line_own", "unlink", True),
    ("salesman", "version_line_other", "read", False),
    ("sale_admin", "version_line_other", "read", True),
    ("portal", "version_line_own", "read", False),
    ("company_b", "version_line_other", "read", False),
    # The comparison is written by the version check only.
    ("salesman", "version_change", "read", True),
    ("salesman", "version_change", "write", False),
    ("salesman", "version_change", "create", False),
    ("salesman", "version_change", "unlink", False),
    ("sale_admin", "version_change", "write", False),
    ("sale_admin", "version_change", "unlink", True),
    ("portal", "version_change", "read", False),
    ("company_b", "version_change", "read", False),
    # --- sale.order.schedule.inbox: received e-mails, created by the mail gateway ----
    ("salesman", "schedule_inbox", "read", True),
    ("salesman", "schedule_inbox", "write", True),
    ("salesman", "schedule_inbox", "create", False),
    ("salesman", "schedule_inbox", "unlink", False),
    ("sale_admin", "schedule_inbox", "create", True),
    ("sale_admin", "schedule_inbox", "unlink", True),
    ("accountant", "schedule_inbox", "read", False),
    ("portal", "schedule_inbox", "read", False),
    ("company_b", "schedule_inbox", "read", False),
    # --- Pay and Hand Over (wizards): salespeople at the counter, nobody else ---------
    ("salesman", "cash_handover", "create", True),
    ("stock_user", "cash_handover", "create", False),
    ("accountant", "cash_handover", "create", False),
    ("portal", "cash_handover", "create", False),
    ("salesman", "cash_handover_line", "create", True),
    ("portal", "cash_handover_line", "create", False),
    ("salesman", "cash_handover_payment", "create", True),
    ("portal", "cash_handover_payment", "create", False),
    ("salesman", "cash_refund", "create", True),
    ("stock_user", "cash_refund", "create", False),
    ("portal", "cash_refund", "create", False),
    ("salesman", "cash_refund_line", "create", True),
    ("portal", "cash_refund_line", "create", False),
    # --- sale.cash.closing: cashiers and accountants close, salespeople do not --------
    ("salesman", "cash_closing", "read", False),
    ("salesman", "cash_closing", "create", False),
    ("salesman", "cash_closing", "write", False),
    ("sale_admin", "cash_closing", "create", False),
    ("accountant", "cash_closing", "read", True),
    ("accountant", "cash_closing", "write", False),
    ("accountant", "cash_closing", "create", False),
    ("stock_user", "cash_closing", "read", False),
    ("portal", "cash_closing", "read", False),
    ("company_b", "cash_closing", "read", False),
    ("salesman", "cash_closing_line", "read", False),
    ("salesman", "cash_closing_line", "write", False),
    ("accountant", "cash_closing_line", "read", True),
    ("accountant", "cash_closing_line", "write", False),
    ("portal", "cash_closing_line", "read", False),
    # --- sale.third.party.dispatch: the fulfiller's portal sees its own only ----------
    ("provider_portal", "dispatch", "read", True),
    ("provider_portal", "dispatch", "write", False),
    ("provider_portal", "dispatch", "create", False),
    ("provider_portal", "dispatch", "unlink", False),
    ("provider_portal", "order_other", "read", False),
    ("portal", "dispatch", "read", False),
    ("salesman", "dispatch", "read", True),
    # Its fields are the hand-over's and the fulfiller's (readonly over RPC too).
    ("salesman", "dispatch", "write", REFUSED),
    ("salesman", "dispatch", "create", False),
    ("salesman", "dispatch", "unlink", False),
    ("stock_user", "dispatch", "read", True),
    ("accountant", "dispatch", "read", False),
    ("company_b", "dispatch", "read", False),
    # The API user reports shipments (sop_report_shipment) and nothing else.
    ("provider_api", "dispatch", "write", False),
    ("provider_api", "dispatch", "create", False),
    ("provider_api", "dispatch_report", "read", False),
    ("provider_api", "order_other", "read", False),
    ("provider_api", "tp_rule", "read", False),
    ("provider_api", "picking", "read", False),
    ("provider_api", "shipment_import", "create", False),
    # --- sale.third.party.dispatch.report: processed shipment reports -----------------
    ("salesman", "dispatch_report", "read", True),
    ("salesman", "dispatch_report", "write", False),
    ("salesman", "dispatch_report", "unlink", False),
    ("stock_user", "dispatch_report", "read", True),
    ("provider_portal", "dispatch_report", "read", False),
    ("company_b", "dispatch_report", "read", False),
    # --- sale.third.party.shipment.import (wizard): we upload confirmations ----------
    ("stock_user", "shipment_import", "create", True),
    ("salesman", "shipment_import", "create", True),
    ("accountant", "shipment_import", "create", False),
    ("portal", "shipment_import", "create", False),
    ("provider_portal", "shipment_import", "create", False),
]

# Server actions the add-on ships: xmlid -> users allowed to run them. The actions of
# scheduled actions are limited to Settings administrators (base.group_system, which
# the cron's user __system__ has): nobody else may start them by hand (RPC on
# ir.actions.server.run), as only administrators may run a scheduled action.
_SALESPEOPLE = {"salesman", "salesman_2", "sale_admin", "company_b"}
SERVER_ACTIONS = {
    "sales_order_plus.action_server_cash_settle": _SALESPEOPLE,
    "sales_order_plus.action_server_rush_confirm": _SALESPEOPLE,
    "sales_order_plus.action_server_schedule_release_now": _SALESPEOPLE,
    "sales_order_plus.action_server_sale_consistency_notify": {
        "sale_admin",
        "company_b",
    },
    "sales_order_plus.ir_cron_sale_consistency_notify_ir_actions_server": set(),
    "sales_order_plus.ir_cron_schedule_release_ir_actions_server": set(),
    "sales_order_plus.ir_cron_cash_collection_expiry_ir_actions_server": set(),
    "sales_order_plus.ir_cron_third_party_escalate_ir_actions_server": set(),
}
# Server actions run by a scheduled action.
CRON_ACTIONS = {
    "sales_order_plus.ir_cron_sale_consistency_notify_ir_actions_server",
    "sales_order_plus.ir_cron_schedule_release_ir_actions_server",
    "sales_order_plus.ir_cron_cash_collection_expiry_ir_actions_server",
    "sales_order_plus.ir_cron_third_party_escalate_ir_actions_server",
}


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
        cls.users["credit_manager"] = new_test_user(
            cls.env,
            login="sop_credit_manager",
            groups="sales_team.group_sale_salesman_all_leads,"
            "sales_order_plus.group_sop_credit_manager",
        )
        cls.users["cashier"] = new_test_user(
            cls.env,
            login="sop_cashier",
            groups="sales_order_plus.group_sale_cashier",
        )
        cls.vendor = cls.env["res.partner"].create({"name": "SOP Matrix Vendor"})
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
        # A rush order is invoiced when its delivery is validated.
        cls._validate(confirmed.picking_ids)
        invoice = confirmed.invoice_ids
        portal_order = cls._create_order(
            cls.type_rush, partner_id=cls.users["portal"].partner_id.id
        )
        portal_order.action_confirm()
        schedule_own = cls._schedule_quotation(cls.salesman)
        schedule_other = cls._schedule_quotation(cls.users["salesman_2"])
        Import = cls.env["sale.order.schedule.import"]
        rules = cls.env["sale.third.party.rule"]
        # A standard order delivered short without backorder: a consistency problem.
        short = cls._create_order(cls.type_standard, user_id=cls.salesman.id)
        short.action_confirm()
        short.picking_ids.move_ids.quantity = 2.0
        cls._validate(short.picking_ids, backorder=False)
        problem = cls.env["sale.consistency.check"].search(
            [("order_id", "=", short.id)]
        )
        versions = cls.env["sale.order.schedule.version"]
        version_own = versions.create(cls._version_vals(schedule_own))
        version_other = versions.create(cls._version_vals(schedule_other))
        change = (
            cls.env["sale.order.schedule.version.change"]
            .sudo()
            .create(
                {
                    "version_id": version_own.id,
                    "product_id": cls.product.id,
                    "date": cls._in_days(10),
                    "old_qty": 5.0,
                    "new_qty": 4.0,
                    "difference": -1.0,
                }
            )
        )
        held = cls._create_order(cls.type_rush, user_id=cls.salesman.id)
        held.action_confirm()
        held._sop_credit_set_hold("Matrix")
        # Third-party fulfilment: a 3PL dispatch with one shipment reported.
        fulfilment_fixtures(cls, code="M3PL")
        cls.users["provider_portal"] = cls.provider_portal
        cls.users["provider_api"] = cls.provider_api
        dispatch = confirmed_3pl_order(cls).sop_dispatch_ids
        dispatch._sop_report_shipment(
            [{"product_code": "SOP-RACK", "quantity": 1}], report_ref="M-1"
        )
        return {
            "version_own": version_own,
            "version_other": version_other,
            "version_line_own": version_own.line_ids,
            "version_line_other": version_other.line_ids,
            "version_change": change,
            "schedule_inbox": cls.env["sale.order.schedule.inbox"].create(
                {"name": "Schedule", "email_from": "dispo@example.com"}
            ),
            "order_held": held,
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
            "schedule_order_own": schedule_own,
            "schedule_order_other": schedule_other,
            "schedule_line_own": schedule_own.schedule_line_ids,
            "schedule_line_other": schedule_other.schedule_line_ids,
            "schedule_import_own": Import.create(cls._import_vals(schedule_own)),
            "schedule_import_other": Import.create(cls._import_vals(schedule_other)),
            "tp_rule": rules.create(
                {
                    "name": "Company A vendor",
                    "vendor_id": cls.vendor.id,
                    "company_id": cls.company.id,
                }
            ),
            "tp_rule_shared": rules.create(
                {
                    "name": "Every company",
                    "vendor_id": cls.vendor.id,
                    "company_id": False,
                }
            ),
            "demand_trend": cls.env["sale.demand.trend"].search(
                [("product_id", "=", cls.product.id)], limit=1
            ),
            "product_mover": cls.env["sale.product.mover"].search(
                [("product_id", "=", cls.product.id)]
            ),
            "consistency_check": problem,
            "consistency_notification": cls.env["sale.consistency.notification"]
            .sudo()
            .create(
                {
                    "problem_key": f"matrix-{short.id}",
                    "problem": "delivery",
                    "order_id": short.id,
                    "company_id": cls.company.id,
                }
            ),
            "dispatch": dispatch,
            "dispatch_report": dispatch.report_ids,
            "shipment_import": cls.env["sale.third.party.shipment.import"].create(
                {"file": base64.b64encode(b"reference\n"), "dispatch_id": dispatch.id}
            ),
            **cls._cash_counter_records(),
        }

    @classmethod
    def _cash_counter_records(cls):
        """A collect order's Pay and Hand Over and a cash closing with a
        denomination."""
        collect_type = cls.env["sale.order.type"].create(
            {"name": "Matrix collect", "kind": "cash", "cash_handover": "collect"}
        )
        collect = cls._create_order(collect_type, user_id=cls.salesman.id)
        collect.action_confirm()
        handover = cls.env["sale.cash.handover"].create({"order_id": collect.id})
        closing = cls.env["sale.cash.closing"].create(
            {
                "date": fields.Date.today() - timedelta(days=1),
                "line_ids": [Command.create({"value": 10.0, "number": 2})],
            }
        )
        counter_sale = cls._create_order(cls.type_cash, user_id=cls.salesman.id)
        counter_sale.action_confirm()
        refund = cls.env["sale.cash.refund"].create({"order_id": counter_sale.id})
        return {
            "cash_counter_sale": counter_sale,
            "cash_refund": refund,
            "cash_refund_line": refund.line_ids,
            "cash_collect_order": collect,
            "cash_handover": handover,
            "cash_handover_line": handover.line_ids,
            "cash_handover_payment": handover.payment_ids,
            "cash_closing": closing,
            "cash_closing_line": closing.line_ids,
        }

    @classmethod
    def _validate(cls, pickings, backorder=True):
        for move in pickings.move_ids:
            move.quantity = move.quantity or move.product_uom_qty
        pickings.move_ids.picked = True
        if backorder:
            pickings.button_validate()
        else:
            pickings.with_context(
                skip_backorder=True, picking_ids_not_to_backorder=pickings.ids
            ).button_validate()

    @classmethod
    def _schedule_quotation(cls, user):
        return cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "type_id": cls.type_schedule.id,
                "user_id": user.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "product_uom_qty": 5.0,
                            "schedule_line_ids": [
                                Command.create(
                                    {"date": cls._in_days(10), "product_uom_qty": 5.0}
                                )
                            ],
                        }
                    )
                ],
            }
        )

    @classmethod
    def _version_vals(cls, order):
        return {
            "order_id": order.id,
            "name": "V1",
            "line_ids": [
                Command.create(
                    {
                        "product_id": cls.product.id,
                        "date": cls._in_days(10),
                        "product_uom_qty": 4.0,
                    }
                )
            ],
        }

    @classmethod
    def _in_days(cls, days):
        return fields.Date.today() + timedelta(days=days)

    @classmethod
    def _import_vals(cls, order):
        content = f"Internal Reference,Date,Quantity\nSOP-STORE,{cls._in_days(20)},3\n"
        return {
            "order_id": order.id,
            "file": base64.b64encode(content.encode()),
            "filename": "schedule.csv",
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
            "schedule_line_own": {"product_uom_qty": 4.0},
            "schedule_line_other": {"date": self._in_days(11)},
            "tp_rule": {"name": "Renamed rule"},
            "demand_trend": {"type_kind": "cash"},
            "product_mover": {"qty_sold": 1.0},
            "consistency_check": {"problem": "invoice"},
            "consistency_notification": {"problem_key": "changed"},
            "version_own": {"name": "Renamed"},
            "version_other": {"name": "Renamed"},
            "version_line_own": {"product_uom_qty": 2.0},
            "version_change": {"old_qty": 1.0},
            "schedule_inbox": {"name": "Renamed"},
            "order_held": {"sop_credit_hold": False},
            "cash_closing": {"counted": 5.0},
            "cash_closing_line": {"number": 3},
            "dispatch": {"promised_date": self._in_days(5)},
            "dispatch_report": {"carrier": "changed"},
        }[key]

    def _create_vals(self, key):
        records = self.records
        return {
            "type_shared": {"name": "New type", "kind": "cash"},
            "order_own": {
                "partner_id": self.customer.id,
                "type_id": self.type_rush.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            },
            "schedule_line_own": {
                "order_line_id": records["schedule_order_own"].order_line.id,
                "date": self._in_days(30),
                "product_uom_qty": 1.0,
            },
            "schedule_line_other": {
                "order_line_id": records["schedule_order_other"].order_line.id,
                "date": self._in_days(30),
                "product_uom_qty": 1.0,
            },
            "schedule_import_own": self._import_vals(records["schedule_order_own"]),
            "schedule_import_other": self._import_vals(records["schedule_order_other"]),
            "tp_rule": {"name": "New rule", "vendor_id": self.vendor.id},
            "demand_trend": {"product_id": self.product.id},
            "consistency_notification": {"problem_key": "new"},
            "version_own": self._version_vals(records["schedule_order_own"]),
            "version_line_own": {
                "version_id": records["version_own"].id,
                "date": self._in_days(12),
                "product_uom_qty": 1.0,
            },
            "version_change": {
                "version_id": records["version_own"].id,
                "product_id": self.product.id,
                "date": self._in_days(12),
            },
            "schedule_inbox": {"name": "New e-mail"},
            "cash_handover": {"order_id": records["cash_collect_order"].id},
            "cash_handover_line": {
                "handover_id": records["cash_handover"].id,
                "sale_line_id": records["cash_collect_order"].order_line.id,
                "quantity": 1.0,
            },
            "cash_handover_payment": {
                "handover_id": records["cash_handover"].id,
                "journal_id": records["cash_handover"].journal_ids[:1].id,
                "amount": 1.0,
            },
            "cash_closing": {"date": fields.Date.today() - timedelta(days=2)},
            "cash_refund": {"order_id": records["cash_counter_sale"].id},
            "cash_refund_line": {
                "refund_id": records["cash_refund"].id,
                "sale_line_id": records["cash_counter_sale"].order_line.id,
                "quantity": 1.0,
            },
            "dispatch": {
                "order_id": records["dispatch"].order_id.id,
                "company_id": self.company.id,
                "partner_id": self.provider.id,
                "fulfiller": "provider",
            },
            "shipment_import": {"file": base64.b64encode(b"reference\n")},
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
            "import": lambda: model.create(self._create_vals(key)).action_import(),
            "release_hold": lambda: record.action_sop_credit_release(),
            # The external API's model method, for a reference nobody has.
            "report_shipment": lambda: model.sop_report_shipment(
                "NO-SUCH-DISPATCH",
                [{"product_code": "SOP-RACK", "quantity": 1}],
                report_ref="M-API",
            ),
        }
        if operation.startswith("call:"):
            # A public method (button) called over RPC with no arguments.
            actions[operation] = getattr(record, operation.removeprefix("call:"))
        with closing(self.env.cr.savepoint()):
            try:
                result = actions[operation]()
                self.env.flush_all()
                # A row of a report the user's query does not show is not read.
                allowed = bool(result) if operation == "read" else True
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
        self.assertEqual(records["invoice"].state, "posted")
        self.assertEqual(records["schedule_line_own"].order_id.user_id, self.salesman)
        self.assertEqual(
            records["schedule_line_other"].order_id.user_id, self.users["salesman_2"]
        )
        self.assertEqual(records["tp_rule"].company_id, self.company)
        for key in (
            "demand_trend",
            "product_mover",
            "consistency_check",
            "consistency_notification",
        ):
            self.assertEqual(len(records[key]), 1, key)
            self.assertTrue(records[key].exists(), key)
        self.assertEqual(records["consistency_check"].problem, "delivery")
        # The salesman's import really adds the schedule line of the file.
        self.env["sale.order.schedule.import"].with_user(self.salesman).create(
            self._create_vals("schedule_import_own")
        ).action_import()
        self.assertEqual(records["schedule_order_own"].order_line.product_uom_qty, 8.0)
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
                    if user_key not in SERVER_ACTIONS[xmlid]:
                        # Started by hand (RPC), it is refused before it does a thing.
                        with (
                            closing(self.env.cr.savepoint()),
                            self.assertRaises(AccessError),
                        ):
                            action.with_user(user).with_context(
                                active_model=action.model_id.model, active_ids=[]
                            ).run()
        self.assertEqual(
            {f"sales_order_plus.{data.name}" for data in actions}, set(SERVER_ACTIONS)
        )

    def test_scheduled_actions_run_as_their_user(self):
        """The server actions of the add-on's scheduled actions are for administrators
        only, and the cron's own user is one: the jobs keep running."""
        admins = self.env.ref("base.group_system")
        for xmlid in CRON_ACTIONS:
            with self.subTest(action=xmlid):
                cron = self.env["ir.cron"].search(
                    [("ir_actions_server_id", "=", self.env.ref(xmlid).id)]
                )
                self.assertEqual(len(cron), 1)
                self.assertEqual(cron.groups_id, admins)
                self.assertIn(admins, cron.user_id.groups_id)
                with closing(self.env.cr.savepoint()):
                    cron.method_direct_trigger()

    # -- public methods: real outcomes behind the rows --------------------------------
    def test_fulfiller_portal_cannot_resolve_an_exception(self):
        dispatch = self.records["dispatch"]
        dispatch._sop_report_exception("The rack is damaged")
        self.assertEqual(dispatch.state, "exception")
        for user_key in ("provider_portal", "provider_api", "portal"):
            with self.subTest(user=user_key):
                with self.assertRaises(AccessError):
                    dispatch.with_user(self.users[user_key]).action_resolve_exception()
                self.assertEqual(dispatch.exception_reason, "The rack is damaged")
                self.assertEqual(dispatch.state, "exception")
        dispatch.with_user(self.salesman).action_resolve_exception()
        self.assertFalse(dispatch.exception_reason)
        self.assertNotEqual(dispatch.state, "exception")

    def test_refused_callers_change_nothing(self):
        dispatch = self.records["dispatch"]
        send_state = dispatch.send_state
        with self.assertRaises(AccessError):
            dispatch.with_user(self.users["provider_portal"]).action_send()
        self.assertEqual(dispatch.send_state, send_state)
        closing = self.records["cash_closing"]
        accountant = self.users["accountant"]  # reads closings, does not close
        with self.assertRaises(AccessError):
            closing.with_user(accountant).action_close()
        self.assertEqual(closing.state, "draft")
        self.assertFalse(closing.statement_line_id)


# Credit hold (models/sale_order_credit.py): released by credit managers only, with
# the button; the hold fields are refused to every write.
MATRIX += [
    ("salesman", "order_held", "release_hold", False),
    ("salesman", "order_held", "write", REFUSED),
    ("sale_admin", "order_held", "release_hold", False),
    ("sale_admin", "order_held", "write", REFUSED),
    ("accountant", "order_held", "release_hold", False),
    ("portal", "order_held", "release_hold", False),
    ("company_b", "order_held", "release_hold", False),
    ("credit_manager", "order_held", "read", True),
    ("credit_manager", "order_held", "write", REFUSED),
    ("credit_manager", "order_held", "release_hold", True),
]
# The credit manager is a salesperson too (the salespeople's server actions).
_SALESPEOPLE.add("credit_manager")


# Public methods (buttons, the API): every one checks the caller before its sudo. Rows:
# portal (a customer), the fulfiller's portal and API users, salespeople, a cashier.
_CALLERS = ("portal", "provider_portal", "provider_api", "salesman", "cashier")
_PUBLIC_METHODS = {
    # record key: {method: {user: expected}}; users not named: denied.
    "dispatch": {
        "action_send": {"salesman": True, "cashier": True},
        "action_resolve_exception": {"salesman": True, "cashier": True},
        "action_mark_delivered": {"salesman": True, "cashier": True},
    },
    "version_own": {
        # Let through the access check, then refused by the version's own checks.
        "action_apply": {"salesman": REFUSED, "cashier": REFUSED},
        "action_reject": {"salesman": True, "cashier": True},
        "action_open_attachment": {"salesman": True, "cashier": True},
    },
    "cash_closing": {
        "action_close": {"cashier": True},
        "action_print": {"cashier": True},
    },
    "cash_handover": {"action_hand_over": {"salesman": True, "cashier": True}},
    # Let through, then refused: nothing was brought back yet.
    "cash_refund": {"action_refund": {"salesman": REFUSED, "cashier": REFUSED}},
    "cash_collect_order": {
        "action_sop_cash_hand_over": {"salesman": True, "cashier": True},
        "action_confirm": {"salesman": REFUSED, "cashier": REFUSED},
    },
    "cash_counter_sale": {
        # Settled already: refused with the reason to who may settle.
        "action_sop_cash_settle": {"salesman": REFUSED, "cashier": REFUSED},
        "action_sop_cash_refund": {"salesman": True, "cashier": True},
    },
}
MATRIX += [
    (user, key, f"call:{method}", expected.get(user, False))
    for key, methods in _PUBLIC_METHODS.items()
    for method, expected in methods.items()
    for user in _CALLERS
]
MATRIX += [
    ("provider_api", "dispatch", "report_shipment", REFUSED),  # unknown reference
    ("provider_portal", "dispatch", "report_shipment", False),
    ("portal", "dispatch", "report_shipment", False),
    ("salesman", "dispatch", "report_shipment", False),
    ("cashier", "dispatch", "report_shipment", False),
]
# The cashier is a salesperson of every order (the salespeople's server actions).
_SALESPEOPLE.add("cashier")
