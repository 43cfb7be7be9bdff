# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
from pathlib import Path

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tests.common import new_test_user

# A menu path as the docs write it: *Sales > Orders > Quotations*, *Sales / Orders /
# Quotations* (three names at least: *Sales / Administrator* is a group), or in the
# screenshots' captions (Sales > Orders > Quotations); it may wrap to the next line.
MENU_PATH = re.compile(
    r"\*([^*>/]+(?: > [^*>/]+)+)\*"
    r"|\*([^*>/]+(?: / [^*>/]+){2,})\*"
    r"|\(([A-Z][^()>*]+(?: > [^()>*]+)+)\)"
)
# Paths starting with an app's name must exist; others (*Actions > ...*) are not menus.
APPS = {
    "en_US": {
        "Sales",
        "Inventory",
        "Invoicing",
        "Accounting",
        "Purchase",
        "Settings",
        "Job Queue",
    },
    "de_DE": {
        "Verkauf",
        "Lager",
        "Rechnungsstellung",
        "Buchhaltung",
        "Einkauf",
        "Einstellungen",
        "Job-Warteschlange",
    },
}


@tagged("post_install", "-at_install")
class TestDocsMenus(TransactionCase):
    """Every menu path that the README and the readme/ fragments name (*Sales > Orders
    > Quotations*) is a menu the user sees, in English and in German."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("de_DE")
        # The German names of the menus, from the modules that define menus.
        menu_modules = cls.env["ir.model.data"].search([("model", "=", "ir.ui.menu")])
        cls.env["ir.module.module"]._load_module_terms(
            sorted(set(menu_modules.mapped("module"))), ["de_DE"], overwrite=True
        )
        addon = Path(get_module_path("sales_order_plus"))
        cls.docs = {
            "en_US": [addon.parent / "README.md", *sorted(addon.glob("readme/*.md"))],
            "de_DE": sorted(addon.glob("readme/de/*.md")),
        }

    def _resolve(self, names, lang):
        """Whether ``names`` is a menu path: each name a child of the one before (or
        a grandchild, under a section header of the dropdown); after a settings menu
        the rest names the settings page's sections."""
        Menu = self.env["ir.ui.menu"].with_context(
            lang=lang, **{"ir.ui.menu.full_list": True}
        )
        menus = Menu.search([("parent_id", "=", False)]).filtered(
            lambda m: m.name == names[0]
        )
        for name in names[1:]:
            if any(
                m.action
                and m.action._name == "ir.actions.act_window"
                and m.action.res_model == "res.config.settings"
                for m in menus
            ):
                return True
            found = menus.child_id.filtered(lambda m, n=name: m.name == n)
            found = found or menus.child_id.child_id.filtered(
                lambda m, n=name: m.name == n
            )
            if not found:
                return False
            menus = found
        return bool(menus)

    def test_menu_paths_exist(self):
        checked, missing = 0, []
        for lang, paths in self.docs.items():
            for path in paths:
                if not path.exists():  # README.md: not part of an installed wheel
                    continue
                text = path.read_text()
                for match in MENU_PATH.finditer(text):
                    path_text = " ".join(next(g for g in match.groups() if g).split())
                    sep = " / " if match.group(2) else " > "
                    names = [n.strip() for n in path_text.split(sep)]
                    if names[0] not in APPS[lang]:
                        continue
                    checked += 1
                    if not self._resolve(names, lang):
                        lineno = text.count("\n", 0, match.start()) + 1
                        missing.append(f"{path.name}:{lineno}: {path_text}")
        self.assertGreater(checked, 20)
        self.assertFalse(missing, "menu paths the screen does not show")


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """What a newcomer meets in the demo database."""

    def _demo(self, model):
        data = self.env["ir.model.data"].search(
            [("module", "=", "sales_order_plus"), ("model", "=", model)]
        )
        return self.env[model].browse(data.mapped("res_id")).exists()

    def test_demo_quotations_are_in_my_quotations(self):
        """*Sales > Orders > Quotations* opens on *My Quotations* (the salesperson is
        the user): the demo orders belong to the administrator who logs in, not to
        OdooBot who loaded them."""
        orders = self._demo("sale.order")
        if not orders:
            self.skipTest("no demo data")
        admin = self.env.ref("base.user_admin")
        self.assertEqual(orders.user_id, admin)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale.action_quotations_with_onboarding"
        )
        self.assertIn("search_default_my_quotation", action["context"])
        mine = (
            self.env["sale.order"]
            .with_user(admin)
            .search([("user_id", "=", admin.id), ("id", "in", orders.ids)])
        )
        self.assertEqual(mine, orders)

    def test_demo_held_version_matches_its_type(self):
        """The demo version held beyond the tolerance cites the tolerance of its
        type, which holds versions."""
        held = self.env.ref(
            "sales_order_plus.demo_schedule_version_2", raise_if_not_found=False
        )
        if not held:
            self.skipTest("no demo data")
        order_type = held.order_id.type_id
        self.assertEqual(held.state, "held")
        self.assertTrue(order_type.schedule_version_tolerance)
        self.assertIn(
            f"tolerance {order_type.schedule_tolerance_qty_percent} %", held.reason
        )


@tagged("post_install", "-at_install")
class TestMenus(TransactionCase):
    """The add-on's screens sit in menus of their own in the Sales app, as Odoo groups
    its own (Orders, To Invoice, Products, Reporting), not as a flat list under
    Sales > Orders."""

    def _children(self, xmlid, user=None):
        Menu = self.env["ir.ui.menu"]
        visible = Menu.with_user(user)._visible_menu_ids() if user else None
        children = self.env.ref(xmlid).child_id
        if visible is not None:
            children = children.filtered(lambda m: m.id in visible)
        return children.sorted(lambda m: (m.sequence, m.id))

    def _xmlids(self, menus):
        return [m.get_external_id()[m.id] for m in menus]

    def test_sales_orders_holds_odoo_entries_only(self):
        ours = [
            x
            for x in self._xmlids(self._children("sale.sale_order_menu"))
            if x.startswith("sales_order_plus.")
        ]
        self.assertEqual(ours, [], "add-on entries among Sales > Orders")

    def test_kind_menus(self):
        self.assertEqual(
            self._xmlids(self._children("sales_order_plus.menu_sale_schedule_root")),
            [
                "sales_order_plus.menu_sale_order_schedule_line",
                "sales_order_plus.menu_sale_order_line_cumulative",
                "sales_order_plus.menu_sale_order_schedule_version",
                "sales_order_plus.menu_sale_order_schedule_inbox",
                "sales_order_plus.menu_sale_order_schedule_import_edifact",
            ],
        )
        self.assertEqual(
            self._xmlids(self._children("sales_order_plus.menu_sale_counter_root")),
            [
                "sales_order_plus.menu_sale_cash_counter",
                "sales_order_plus.menu_sale_cash_closing",
            ],
        )
        self.assertEqual(
            self._xmlids(self._children("sales_order_plus.menu_sale_fulfilment_root")),
            [
                "sales_order_plus.menu_sale_rush_pickings",
                "sales_order_plus.menu_sale_third_party_dispatch",
            ],
        )
        root = self.env.ref("sale.sale_menu_root")
        for xmlid in ("schedule_root", "counter_root", "fulfilment_root"):
            menu = self.env.ref(f"sales_order_plus.menu_sale_{xmlid}")
            self.assertEqual(menu.parent_id, root)
            # Between Odoo's Orders (10) and To Invoice (20).
            self.assertTrue(10 < menu.sequence < 20)

    def test_salesperson_sees_the_menus_but_not_the_closing(self):
        salesman = new_test_user(
            self.env, login="sop_menu_salesman", groups="sales_team.group_sale_salesman"
        )
        visible = self.env["ir.ui.menu"].with_user(salesman)._visible_menu_ids()
        for xmlid in (
            "menu_sale_schedule_root",
            "menu_sale_order_schedule_line",
            "menu_sale_counter_root",
            "menu_sale_cash_counter",
            "menu_sale_fulfilment_root",
            "menu_sale_rush_pickings",
        ):
            self.assertIn(self.env.ref(f"sales_order_plus.{xmlid}").id, visible, xmlid)
        self.assertNotIn(
            self.env.ref("sales_order_plus.menu_sale_cash_closing").id, visible
        )
