# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SalesOrderPlusCase


@tagged("post_install", "-at_install")
class TestI18n(SalesOrderPlusCase):
    """German (i18n/de.po) reaches every kind of term: records, fields, selections,
    views, reports, actions, menus and the messages raised from Python."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("de_DE")
        # sale's terms too: the incompletion check names Odoo's own field labels.
        cls.env["ir.module.module"]._load_module_terms(
            ["sale", "sales_order_plus"], ["de_DE"], overwrite=True
        )
        cls.env_de = cls.env(context=dict(cls.env.context, lang="de_DE"))

    def test_shipped_type_names_and_descriptions(self):
        types = (
            self.type_cash + self.type_rush + self.type_schedule + self.type_third_party
        ).with_env(self.env_de)
        self.assertEqual(
            types.mapped("name"),
            ["Barverkauf", "Eilauftrag", "Lieferplan", "Streckengeschäft"],
        )
        self.assertEqual(
            self.type_cash.with_env(self.env_de).description,
            "Der Kunde zahlt sofort: Rechnung, Zahlung und Übergabe bei der "
            "Bestätigung.",
        )
        # The English source stays untouched.
        self.assertEqual(self.type_third_party.name, "Third-Party Order")

    def test_kind_selection_and_field_labels(self):
        fields_de = self.env_de["sale.order.type"].fields_get(
            ["kind", "rush_cutoff_time", "schedule_release_horizon", "cash_handover"],
            ["string", "selection"],
        )
        self.assertEqual(
            dict(fields_de["kind"]["selection"]),
            {
                "standard": "Standard",
                "cash": "Barverkauf",
                "rush": "Eilauftrag",
                "schedule": "Lieferplan",
                "third_party": "Streckengeschäft",
            },
        )
        self.assertEqual(fields_de["kind"]["string"], "Abwicklungsart")
        self.assertEqual(fields_de["rush_cutoff_time"]["string"], "Annahmeschluss")
        self.assertEqual(
            fields_de["schedule_release_horizon"]["string"], "Abrufhorizont (Tage)"
        )
        self.assertEqual(fields_de["cash_handover"]["string"], "Übergabe")
        self.assertEqual(
            dict(fields_de["cash_handover"]["selection"])["counter"], "An der Kasse"
        )
        line_fields = self.env_de["sale.order.line"].fields_get(
            ["schedule_line_ids", "sop_vendor_id", "sop_third_party_rule_id"],
            ["string"],
        )
        self.assertEqual(line_fields["schedule_line_ids"]["string"], "Einteilungen")
        self.assertEqual(line_fields["sop_vendor_id"]["string"], "Lieferant")
        self.assertEqual(
            line_fields["sop_third_party_rule_id"]["string"], "Zuordnungsregel"
        )
        self.assertEqual(
            self.env_de["ir.model"]._get("sale.order.schedule.line").name,
            "Lieferplaneinteilung",
        )

    def test_views_actions_and_menus(self):
        arch = self.env_de["sale.order.type"].get_views([(False, "form")])["views"][
            "form"
        ]["arch"]
        self.assertIn('string="Auftragsvollständigkeit"', arch)
        self.assertIn('string="Auftragsverwaltung"', arch)
        self.assertNotIn("Order Completeness", arch)
        ref = self.env_de.ref
        self.assertEqual(
            ref("sales_order_plus.action_server_cash_settle").name,
            "Als Barverkauf abwickeln",
        )
        self.assertEqual(
            ref("sales_order_plus.action_server_rush_confirm").name,
            "Als Eilauftrag bestätigen",
        )
        self.assertEqual(
            ref("sales_order_plus.menu_sale_consistency_check").name,
            "Konsistenzprüfung",
        )
        self.assertEqual(
            ref("sales_order_plus.menu_sale_product_mover").name,
            "Schnell- und Langsamdreher",
        )

    def test_report_in_the_customer_language(self):
        self.customer.lang = "de_DE"
        order = self._create_order(self.type_schedule)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "sales_order_plus.action_report_delivery_schedule", order.ids
            )[0]
            .decode()
        )
        for term in ("Lieferplan", "Auftragsdatum:", "Kumuliert geliefert"):
            self.assertIn(term, html)
        self.assertNotIn("Cumulative Delivered", html)

    def test_incompletion_check_message(self):
        fields_model = self.env["ir.model.fields"]
        self.type_rush.required_field_ids = fields_model._get(
            "sale.order", "client_order_ref"
        )
        order = self._create_order(self.type_rush).with_env(self.env_de)
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        self.assertEqual(
            str(error.exception),
            "Diese Aufträge können nicht bestätigt werden, Pflichtfelder fehlen:\n"
            f"{order.name}: Kundenreferenz",
        )
        self.assertEqual(order.state, "draft")

    def test_cash_sale_without_journal_message(self):
        self.env["account.journal"].search(
            [("type", "=", "cash"), ("company_id", "=", self.company.id)]
        ).active = False
        order = self._create_order(self.type_cash).with_env(self.env_de)
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        self.assertEqual(
            str(error.exception),
            "Diese Barverkäufe können nicht bestätigt werden:\n"
            f"{order.name}: Für das Unternehmen {self.company.name} wurde kein "
            "Kassenjournal gefunden; hinterlegen Sie ein Zahlungsjournal in der "
            "Auftragsart Barverkauf.",
        )
        self.assertFalse(order.invoice_ids)

    def test_constraint_message(self):
        with self.assertRaisesRegex(
            UserError, "Der Annahmeschluss muss zwischen 00:00 und 23:59 Uhr liegen."
        ):
            self.type_rush.with_env(self.env_de).write({"rush_cutoff_time": 24.5})
