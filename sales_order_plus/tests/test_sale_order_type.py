# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import importlib.util

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tests.common import new_test_user
from odoo.tools.misc import file_path

from .common import SalesOrderPlusCase


@tagged("post_install", "-at_install")
class TestSaleOrderType(SalesOrderPlusCase):
    def test_shipped_types_one_per_kind(self):
        self.assertEqual(self.type_standard.kind, "standard")
        self.assertEqual(
            (
                self.type_cash
                + self.type_rush
                + self.type_schedule
                + self.type_third_party
            ).mapped("kind"),
            ["cash", "rush", "schedule", "third_party"],
        )
        self.assertEqual(self.type_cash.name, "Cash Sale")

    def test_kinds_in_order_on_the_type_and_in_the_reports(self):
        """Each kind adds its value in its own file (selection_add): the type still
        shows them in the same order, and the reports' kind columns (SQL views)
        label every kind, in the user's language."""
        expected = [
            ("standard", "Standard"),
            ("cash", "Cash Sale"),
            ("rush", "Rush Order"),
            ("schedule", "Delivery Schedule"),
            ("third_party", "Third-Party Order"),
        ]
        kind = self.env["sale.order.type"]._fields["kind"]
        self.assertEqual(kind._description_selection(self.env), expected)
        for model, name in (
            ("sale.report", "type_kind"),
            ("account.invoice.report", "sale_type_kind"),
            ("sale.consistency.check", "type_kind"),
            ("sale.demand.trend", "type_kind"),
        ):
            field = self.env[model]._fields[name]
            self.assertEqual(field._description_selection(self.env), expected, model)
        self.env["res.lang"]._activate_lang("de_DE")
        self.env["ir.module.module"]._load_module_terms(["sales_order_plus"], ["de_DE"])
        german = self.env["sale.report"].with_context(lang="de_DE")
        labels = dict(german._fields["type_kind"]._description_selection(german.env))
        self.assertEqual(labels["rush"], "Eilauftrag")

    def test_availability_page_for_the_kinds_that_check(self):
        """The type form shows the availability policy for the kinds that check
        (the kinds say so through their hook, not a list in the view)."""
        checks = {
            kind: self.env["sale.order.type"]
            .new({"name": kind, "kind": kind})
            .sop_kind_checks_availability
            for kind in ("standard", "cash", "rush", "schedule", "third_party")
        }
        self.assertEqual(
            checks,
            {
                "standard": True,
                "cash": False,
                "rush": True,
                "schedule": True,
                "third_party": False,
            },
        )
        with Form(self.env["sale.order.type"]) as form:
            form.name = "SOP Form"
            form.kind = "cash"
            self.assertFalse(form.sop_kind_checks_availability)
            form.kind = "rush"
            self.assertTrue(form.sop_kind_checks_availability)
            self.assertEqual(form.availability_policy, "partial")

    def test_type_names_translated_to_german(self):
        self.env["res.lang"]._activate_lang("de_DE")
        self.env["ir.module.module"]._load_module_terms(["sales_order_plus"], ["de_DE"])
        names = (
            (
                self.type_cash
                + self.type_rush
                + self.type_schedule
                + self.type_third_party
            )
            .with_context(lang="de_DE")
            .mapped("name")
        )
        self.assertEqual(
            names, ["Barverkauf", "Eilauftrag", "Lieferplan", "Streckengeschäft"]
        )

    def test_kind_stored_on_order_picking_and_invoice(self):
        order = self._create_order(self.type_rush)
        self.assertEqual(order.type_kind, "rush")
        self.assertEqual(
            self.env["sale.order"].search(
                [("type_kind", "=", "rush"), ("id", "=", order.id)]
            ),
            order,
        )
        order.action_confirm()
        picking = order.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.sale_type_id, self.type_rush)
        self.assertEqual(picking.sale_type_kind, "rush")
        self.assertEqual(
            self.env["stock.picking"].search(
                [("sale_type_id", "=", self.type_rush.id)]
            ),
            picking,
        )
        # A rush order is invoiced when its delivery is validated (kind_rush).
        picking.button_validate()
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.sale_type_id, self.type_rush)
        self.assertEqual(invoice.sale_type_kind, "rush")

    def test_type_defaults_apply_to_order(self):
        """OCA's type defaults (payment terms, warehouse) still apply with a kind."""
        term = self.env.ref("account.account_payment_term_30days")
        self.type_cash.payment_term_id = term
        with Form(self.env["sale.order"]) as form:
            form.partner_id = self.customer
            form.type_id = self.type_cash
            with form.order_line.new() as line:
                line.product_id = self.product
        order = form.save()
        self.assertEqual(order.payment_term_id, term)
        self.assertEqual(order.type_kind, "cash")

    @freeze_time("2026-12-07 23:30:00")
    def test_non_standard_kind_behaves_like_standard_order(self):
        """Until a kind defines behaviour, confirming it is plain Odoo (a delivery
        schedule with a single date delivers like a standard order)."""
        order = self._create_order(self.type_schedule, lines=[(self.product, 4.0)])
        # The company's today (the schedule's), not UTC's: see the test at 23:30.
        today = self.env["sale.order.schedule.line"]._sop_schedule_today()
        order.order_line.schedule_line_ids = [
            Command.create({"date": today, "product_uom_qty": 4.0})
        ]
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(len(order.picking_ids), 1)
        self.assertEqual(order.picking_ids.move_ids.product_uom_qty, 4.0)
        self.assertFalse(order.invoice_ids)

    def test_incompletion_check_lists_every_missing_field(self):
        fields_model = self.env["ir.model.fields"]
        self.type_rush.required_field_ids = fields_model._get(
            "sale.order", "client_order_ref"
        ) | fields_model._get("sale.order", "commitment_date")
        order = self._create_order(self.type_rush)
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        message = str(error.exception)
        self.assertIn(order.name, message)
        self.assertIn("Customer Reference", message)
        self.assertIn("Delivery Date", message)
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.picking_ids)
        # Completing one field is not enough; completing both is.
        order.client_order_ref = "PO-4711"
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        self.assertNotIn("Customer Reference", str(error.exception))
        order.commitment_date = fields.Datetime.now()
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_type_locked_after_confirmation(self):
        order = self._create_order(self.type_standard)
        order.type_id = self.type_rush  # a quotation may change its type
        self.assertEqual(order.type_kind, "rush")
        order.action_confirm()
        with self.assertRaises(UserError):
            order.type_id = self.type_cash
        self.assertEqual(order.type_id, self.type_rush)
        # Rewriting the same type is harmless (e.g. a form saving every field).
        order.write({"type_id": self.type_rush.id})
        # A partner change does not recompute the type of a confirmed order.
        other = self.env["res.partner"].create(
            {"name": "Other", "sale_type": self.type_cash.id}
        )
        order.partner_id = other
        self.assertEqual(order.type_id, self.type_rush)

    def test_kind_locked_while_type_has_confirmed_orders(self):
        new_type = self.env["sale.order.type"].create(
            {"name": "Counter", "kind": "cash"}
        )
        new_type.kind = "rush"  # unused yet: allowed
        order = self._create_order(new_type)
        order.action_confirm()
        with self.assertRaises(UserError):
            new_type.kind = "standard"
        self.assertEqual(new_type.kind, "rush")

    def test_kind_locked_while_cancelled_orders_left_documents(self):
        """Posted invoices and done transfers of cancelled orders carry the type: its
        kind stays (the kinds read it on them)."""
        delivered_type = self.type_standard.copy(
            {"name": "SOP Delivered Then Cancelled"}
        )
        order = self._create_order(delivered_type, lines=[(self.product, 1.0)])
        order.action_confirm()
        order.picking_ids.move_ids.quantity = 1.0
        order.picking_ids.move_ids.picked = True
        order.picking_ids.button_validate()
        order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(order.state, "cancel")
        with self.assertRaisesRegex(UserError, "kind of an order type cannot be"):
            delivered_type.kind = "cash"
        self.assertEqual(delivered_type.kind, "standard")

        invoiced_type = self.type_standard.copy({"name": "SOP Invoiced Then Cancelled"})
        order = self._create_order(invoiced_type, lines=[(self.service, 1.0)])
        order.action_confirm()
        order._create_invoices().action_post()
        order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(order.state, "cancel")
        with self.assertRaisesRegex(UserError, "kind of an order type cannot be"):
            invoiced_type.kind = "rush"
        # A type whose cancelled orders left nothing behind may change.
        unused_type = self.type_standard.copy({"name": "SOP Cancelled Only"})
        order = self._create_order(unused_type)
        order.action_confirm()
        order.with_context(disable_cancel_warning=True).action_cancel()
        unused_type.kind = "rush"
        self.assertEqual(unused_type.kind, "rush")

    def test_invoice_trigger_defaults_and_offers_per_kind(self):
        """One invoicing setting on the type: each kind's default reproduces its
        behaviour; a kind refuses the triggers it does not offer."""
        defaults = {
            kind: self.env["sale.order.type"]
            .create({"name": f"SOP {kind}", "kind": kind})
            .invoice_trigger
            for kind in ("standard", "cash", "rush", "schedule", "third_party")
        }
        self.assertEqual(
            defaults,
            {
                "standard": "manual",
                "cash": "confirmation",
                "rush": "delivery",
                "schedule": "manual",
                "third_party": "shipment",
            },
        )
        self.assertEqual(self.type_cash.invoice_trigger, "confirmation")
        self.assertEqual(self.type_third_party.invoice_trigger, "shipment")
        order_type = self.env["sale.order.type"].create(
            {"name": "SOP Trigger", "kind": "third_party"}
        )
        order_type.invoice_trigger = "vendor_bill"
        for trigger in ("confirmation", "delivery", "collection"):
            with self.assertRaisesRegex(ValidationError, "invoices"):
                order_type.invoice_trigger = trigger
        # A new kind brings its default when the old setting does not fit.
        order_type.kind = "rush"
        self.assertEqual(order_type.invoice_trigger, "delivery")
        order_type.invoice_trigger = "manual"
        order_type.kind = "third_party"
        self.assertEqual(order_type.invoice_trigger, "manual")
        with self.assertRaises(ValidationError):
            self.env["sale.order.type"].create(
                {"name": "SOP Wrong", "kind": "cash", "invoice_trigger": "manual"}
            )

    def test_migration_keeps_the_invoicing_settings(self):
        """18.0.1.1.0: the old settings (rush boolean, third-party selection) become
        the type's invoicing trigger."""
        path = file_path("sales_order_plus/migrations/18.0.1.1.0/pre-migration.py")
        spec = importlib.util.spec_from_file_location("sop_pre_migration", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        Type = self.env["sale.order.type"]
        types = {
            name: Type.create({"name": f"SOP {name}", "kind": kind})
            for name, kind in (
                ("cash", "cash"),
                ("rush_on", "rush"),
                ("rush_off", "rush"),
                ("tp_delivery", "third_party"),
                ("tp_bill", "third_party"),
                ("tp_manual", "third_party"),
                ("standard", "standard"),
            )
        }
        self.env.flush_all()
        cr = self.env.cr
        # The database of 18.0.1.0.0: the old columns, no trigger yet.
        cr.execute(
            """
            ALTER TABLE sale_order_type
                ADD COLUMN IF NOT EXISTS rush_invoice_on_delivery boolean,
                ADD COLUMN IF NOT EXISTS third_party_invoice_trigger varchar,
                DROP COLUMN invoice_trigger;
            """
        )
        old = {
            "rush_on": (True, "delivery"),
            "rush_off": (False, "delivery"),
            "tp_delivery": (True, "delivery"),
            "tp_bill": (True, "vendor_bill"),
            "tp_manual": (True, "manual"),
        }
        for name, (on_delivery, trigger) in old.items():
            cr.execute(
                "UPDATE sale_order_type SET rush_invoice_on_delivery = %s, "
                "third_party_invoice_trigger = %s WHERE id = %s",
                [on_delivery, trigger, types[name].id],
            )
        migration.migrate(cr, "18.0.1.0.0")
        Type.invalidate_model(["invoice_trigger"])
        self.assertEqual(
            {name: order_type.invoice_trigger for name, order_type in types.items()},
            {
                "cash": "confirmation",
                "rush_on": "delivery",
                "rush_off": "manual",
                "tp_delivery": "shipment",
                "tp_bill": "vendor_bill",
                "tp_manual": "manual",
                "standard": "manual",
            },
        )

    def test_sequence_follows_user_time_zone(self):
        """Same rule as Odoo's own numbering: the order date in the user's time zone
        picks the yearly date range (OCA's type numbering used UTC)."""
        sequence = self.env["ir.sequence"].create(
            {
                "name": "Rush numbering",
                "code": "sale.order",
                "prefix": "RU/%(range_year)s/",
                "use_date_range": True,
                "padding": 4,
            }
        )
        self.type_rush.sequence_id = sequence
        order = (
            self._create_order(self.type_rush)
            .with_context(tz="Europe/Brussels")
            .copy({"date_order": "2019-12-31 23:30:00"})
        )
        self.assertTrue(order.name.startswith("RU/2020/"), order.name)
        order = self._create_order(self.type_rush, date_order="2019-06-01 10:00:00")
        self.assertTrue(order.name.startswith("RU/2019/"), order.name)

    def test_access_rights(self):
        types = self.env["sale.order.type"]
        self.assertTrue(types.with_user(self.salesman).search([("kind", "=", "cash")]))
        with self.assertRaises(AccessError):
            types.with_user(self.salesman).create({"name": "Mine", "kind": "cash"})
        with self.assertRaises(AccessError):
            self.type_cash.with_user(self.salesman).write({"name": "Renamed"})
        created = types.with_user(self.sale_admin).create(
            {"name": "Shop", "kind": "cash"}
        )
        created.with_user(self.sale_admin).required_field_ids = self.env[
            "ir.model.fields"
        ]._get("sale.order", "client_order_ref")
        self.assertEqual(created.kind, "cash")
        # A salesperson confirms orders of any kind without rights on the type.
        order = self._create_order(self.type_cash, user_id=self.salesman.id)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_multi_company(self):
        company_b = self.env["res.company"].create({"name": "SOP Company B"})
        type_b = self.env["sale.order.type"].create(
            {"name": "B Rush", "kind": "rush", "company_id": company_b.id}
        )
        user_a = new_test_user(
            self.env,
            login="sop_admin_a",
            groups="sales_team.group_sale_manager",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        visible = self.env["sale.order.type"].with_user(user_a).search([])
        self.assertNotIn(type_b, visible)
        self.assertIn(self.type_rush, visible)  # shared types are seen by all
        with self.assertRaises(UserError):  # check_company: type of another company
            self._create_order(type_b)
