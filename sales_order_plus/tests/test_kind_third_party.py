# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, tagged
from odoo.tests.common import new_test_user

from .common import SalesOrderPlusCase


class ThirdPartyCase(SalesOrderPlusCase):
    """Vendors, products with vendor price lists and a customer shipping to Germany."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dropship_route = cls.env.ref("stock_dropshipping.route_drop_shipping")
        cls.germany = cls.env.ref("base.de")
        cls.france = cls.env.ref("base.fr")
        cls.delivery = cls.env["res.partner"].create(
            {
                "name": "SOP Customer Warehouse",
                "type": "delivery",
                "parent_id": cls.customer.id,
                "country_id": cls.germany.id,
            }
        )
        cls.vendor_a, cls.vendor_b, cls.vendor_c, cls.vendor_d = cls.env[
            "res.partner"
        ].create([{"name": f"SOP Vendor {letter}"} for letter in "ABCD"])
        cls.categ = cls.env["product.category"].create({"name": "SOP Furniture"})
        cls.subcateg = cls.env["product.category"].create(
            {"name": "SOP Chairs", "parent_id": cls.categ.id}
        )
        cls.product_a = cls._product("SOP Desk", cls.vendor_a, 40.0, categ=cls.categ)
        cls.product_b = cls._product("SOP Lamp", cls.vendor_b, 50.0)
        cls.tp_type = cls.type_third_party
        cls.tp_type.write(
            {
                "third_party_auto_confirm": False,
                "invoice_trigger": "shipment",
                "third_party_margin_guard": "warn",
            }
        )

    @classmethod
    def _product(cls, name, vendor=None, price=0.0, categ=None, **vals):
        vals.update(
            name=name,
            type="consu",
            list_price=100.0,
            standard_price=30.0,
            invoice_policy="order",
            purchase_method="purchase",
            categ_id=(categ or cls.env.ref("product.product_category_all")).id,
        )
        if vendor:
            vals["seller_ids"] = [
                Command.create({"partner_id": vendor.id, "price": price, "delay": 2})
            ]
        return cls.env["product.product"].create(vals)

    @classmethod
    def _tp_order(cls, lines=None, order_type=None, **vals):
        vals.setdefault("partner_shipping_id", cls.delivery.id)
        return cls._create_order(
            order_type or cls.tp_type,
            lines=lines or [(cls.product_a, 5.0), (cls.product_b, 2.0)],
            **vals,
        )

    def _rule(self, vendor, **vals):
        vals.setdefault("name", f"Rule {vendor.name}")
        return self.env["sale.third.party.rule"].create(dict(vals, vendor_id=vendor.id))

    def _vendor_of(self, order, product):
        return order.order_line.filtered(
            lambda line: line.product_id == product
        ).sop_vendor_id

    def _purchase(self, order, vendor=None):
        purchases = order.order_line.purchase_line_ids.order_id
        return (
            purchases.filtered(lambda po: po.partner_id == vendor)
            if vendor
            else purchases
        )

    def _validate(self, picking, quantities=None):
        """Validate ``picking`` shipping ``quantities`` ({product: qty}, all by
        default), keeping a backorder for the rest, as a user would."""
        for move in picking.move_ids:
            move.quantity = (quantities or {}).get(
                move.product_id, move.product_uom_qty
            )
            move.picked = True
        action = picking.button_validate()
        if isinstance(action, dict):  # backorder wizard
            Form.from_action(self.env, action).save().process()

    def _customer_invoices(self, order):
        return order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")


@tagged("post_install", "-at_install")
class TestThirdPartyRouting(ThirdPartyCase):
    def test_lines_take_dropship_route_and_vendor(self):
        order = self._tp_order(lines=[(self.product_a, 5.0), (self.service, 1.0)])
        line_a, line_service = order.order_line
        self.assertEqual(line_a.route_id, self.dropship_route)
        self.assertEqual(line_a.sop_vendor_id, self.vendor_a)
        self.assertEqual(line_a.sop_vendor_cost, 40.0)
        self.assertFalse(line_service.route_id)
        self.assertFalse(line_service.sop_vendor_id)
        # A standard order keeps its lines as they are.
        standard = self._create_order(self.type_standard, lines=[(self.product_a, 1.0)])
        self.assertFalse(standard.order_line.route_id)
        self.assertFalse(standard.order_line.sop_vendor_id)

    def test_route_follows_the_type_both_ways(self):
        order = self._tp_order(lines=[(self.product_a, 2.0)])
        line = order.order_line
        self.assertEqual(line.route_id, self.dropship_route)
        # Switched to a standard order: no dropship, no purchase, shipped from stock.
        order.type_id = self.type_standard
        self.assertFalse(line.route_id)
        self.assertFalse(line.sop_vendor_id)
        # Back to third-party: the route comes back.
        order.type_id = self.tp_type
        self.assertEqual(line.route_id, self.dropship_route)
        # Switched and confirmed at once (one RPC transaction): nothing is read in
        # between.
        order.type_id = self.type_standard
        order.action_confirm()
        self.assertFalse(line.route_id)
        self.assertFalse(line.purchase_line_ids)
        self.assertEqual(order.picking_ids.picking_type_id.code, "outgoing")
        self.assertFalse(order.picking_ids.is_dropship)

    def test_route_follows_a_change_of_the_types_kind(self):
        own_type = self.type_standard.copy({"name": "SOP Becomes Third-Party"})
        order = self._create_order(
            own_type,
            lines=[(self.product_a, 2.0)],
            partner_shipping_id=self.delivery.id,
        )
        self.assertFalse(order.order_line.route_id)
        own_type.kind = "third_party"
        self.assertEqual(order.order_line.route_id, self.dropship_route)
        own_type.kind = "standard"
        self.assertFalse(order.order_line.route_id)

    def test_route_of_the_type_kept(self):
        """OCA's sale_order_type puts the type's route on the lines: the kind does
        not override it."""
        route = self.env["stock.route"].create(
            {"name": "SOP Own Dropship", "sale_selectable": True, "company_id": False}
        )
        own_type = self.tp_type.copy({"name": "SOP Routed", "route_id": route.id})
        order = self._tp_order(order_type=own_type, lines=[(self.product_a, 1.0)])
        self.assertEqual(order.order_line.route_id, route)

    def test_rule_precedence(self):
        """Product over category over country over default; then the vendor price
        list; the sequence orders rules of one level."""
        chair = self._product("SOP Chair", self.vendor_d, 10.0, categ=self.subcateg)
        plain = self._product("SOP Plain", self.vendor_d, 10.0)
        self._rule(self.vendor_d, sequence=1)  # default
        self._rule(
            self.vendor_c, sequence=2, country_ids=[Command.set(self.germany.ids)]
        )
        self._rule(self.vendor_b, sequence=3, categ_ids=[Command.set(self.categ.ids)])
        self._rule(self.vendor_a, sequence=50, product_ids=[Command.set(chair.ids)])
        self._rule(self.vendor_c, sequence=40, product_ids=[Command.set(chair.ids)])
        order = self._tp_order(
            lines=[
                (chair, 1.0),
                (self.product_a, 1.0),
                (plain, 1.0),
                (self.product_b, 1.0),
            ]
        )
        self.assertEqual(
            self._vendor_of(order, chair), self.vendor_c
        )  # product, seq 40
        self.assertEqual(self._vendor_of(order, self.product_a), self.vendor_b)  # categ
        self.assertEqual(self._vendor_of(order, plain), self.vendor_c)  # country
        # Shipping to France: the country rule no longer applies, the default does.
        order.partner_shipping_id = self.env["res.partner"].create(
            {
                "name": "Paris",
                "type": "delivery",
                "parent_id": self.customer.id,
                "country_id": self.france.id,
            }
        )
        self.assertEqual(self._vendor_of(order, plain), self.vendor_d)
        self.assertEqual(self._vendor_of(order, self.product_b), self.vendor_d)
        # Without rules the product's vendor price list decides.
        self.env["sale.third.party.rule"].search([]).active = False
        order = self._tp_order(lines=[(chair, 1.0), (self.product_b, 1.0)])
        self.assertEqual(self._vendor_of(order, chair), self.vendor_d)
        self.assertEqual(self._vendor_of(order, self.product_b), self.vendor_b)

    def test_rule_checked_again_at_confirmation(self):
        order = self._tp_order(lines=[(self.product_b, 2.0)])
        self.assertEqual(self._vendor_of(order, self.product_b), self.vendor_b)
        self._rule(self.vendor_c, product_ids=[Command.set(self.product_b.ids)])
        order.action_confirm()
        self.assertEqual(self._vendor_of(order, self.product_b), self.vendor_c)
        self.assertEqual(self._purchase(order).partner_id, self.vendor_c)

    def test_rule_vendor_without_price_list(self):
        """A rule's vendor without price for the product gets the purchase order at
        the product cost (as Odoo prices a purchase line without vendor price)."""
        self._rule(self.vendor_c, product_ids=[Command.set(self.product_a.ids)])
        order = self._tp_order(lines=[(self.product_a, 4.0)])
        line = order.order_line
        self.assertEqual(line.sop_vendor_id, self.vendor_c)
        self.assertFalse(line.sop_supplierinfo_id)
        self.assertEqual(line.sop_vendor_cost, 30.0)
        order.action_confirm()
        purchase = self._purchase(order)
        self.assertEqual(purchase.partner_id, self.vendor_c)
        self.assertEqual(purchase.order_line.product_qty, 4.0)
        self.assertEqual(purchase.order_line.price_unit, 30.0)
        # The product's vendor list is not changed behind the user's back.
        self.assertEqual(self.product_a.seller_ids.partner_id, self.vendor_a)

    def test_fallback_cost_read_in_the_orders_company(self):
        """A rule's vendor without price: the cost is the product's in the order's
        company, not in the user's active company."""
        company_b = self.env["res.company"].create({"name": "SOP TP Cost Company"})
        self.product_a.with_company(company_b).standard_price = 150.0
        self._rule(
            self.vendor_c,
            company_id=company_b.id,
            product_ids=[Command.set(self.product_a.ids)],
        )
        order = self._tp_order(
            lines=[(self.product_a, 1.0)],
            company_id=company_b.id,
            partner_shipping_id=self.customer.id,
        )
        self.assertEqual(self.env.company, self.company)
        line = order.order_line
        self.assertEqual(line.sop_vendor_id, self.vendor_c)
        self.assertEqual(line.sop_vendor_cost, 150.0)
        self.assertTrue(line.sop_margin_alert)

    def test_rules_of_other_company_ignored(self):
        company_b = self.env["res.company"].create({"name": "SOP TP Company B"})
        self._rule(
            self.vendor_c,
            company_id=company_b.id,
            product_ids=[Command.set(self.product_a.ids)],
        )
        order = self._tp_order(lines=[(self.product_a, 1.0)])
        self.assertEqual(self._vendor_of(order, self.product_a), self.vendor_a)
        user_a = new_test_user(
            self.env,
            login="sop_tp_admin_a",
            groups="sales_team.group_sale_manager",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        self.assertFalse(
            self.env["sale.third.party.rule"]
            .with_user(user_a)
            .search([("company_id", "=", company_b.id)])
        )

    def test_rule_access_rights(self):
        rules = self.env["sale.third.party.rule"]
        rule = self._rule(self.vendor_a)
        self.assertEqual(rules.with_user(self.salesman).search([]), rule)
        with self.assertRaises(AccessError):
            rules.with_user(self.salesman).create(
                {"name": "Mine", "vendor_id": self.vendor_b.id}
            )
        rules.with_user(self.sale_admin).create(
            {"name": "Admin", "vendor_id": self.vendor_b.id}
        )


@tagged("post_install", "-at_install")
class TestThirdPartyPurchase(ThirdPartyCase):
    def test_two_vendors_two_purchase_orders(self):
        order = self._tp_order(
            lines=[(self.product_a, 5.0), (self.product_b, 2.0), (self.service, 1.0)]
        )
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        purchases = self._purchase(order)
        self.assertEqual(len(purchases), 2)
        self.assertEqual(purchases.partner_id, self.vendor_a | self.vendor_b)
        dropship_type = self.env["stock.picking.type"].search(
            [("code", "=", "dropship"), ("company_id", "=", self.company.id)]
        )
        for purchase in purchases:
            self.assertEqual(purchase.state, "draft")  # auto-confirm off
            self.assertEqual(purchase.dest_address_id, self.delivery)
            self.assertEqual(purchase.picking_type_id, dropship_type)
        line_a, line_b, line_service = order.order_line
        po_a = self._purchase(order, self.vendor_a)
        self.assertEqual(po_a.order_line.sale_line_id, line_a)
        self.assertEqual(po_a.order_line.product_qty, 5.0)
        self.assertEqual(po_a.order_line.price_unit, 40.0)
        self.assertEqual(
            self._purchase(order, self.vendor_b).order_line.sale_line_id, line_b
        )
        self.assertEqual(line_a.sop_purchase_order_ids, po_a)
        self.assertFalse(line_service.purchase_line_ids)
        self.assertFalse(order.picking_ids)  # the vendor ships once the PO is confirmed
        # Confirming the RFQ creates the dropship transfer to the customer.
        po_a.button_confirm()
        picking = order.picking_ids
        self.assertEqual(picking.picking_type_id, dropship_type)
        self.assertTrue(picking.is_dropship)
        self.assertEqual(picking.move_ids.sale_line_id, line_a)

    def test_missing_vendor_blocks_confirmation(self):
        no_vendor_1 = self._product("SOP Orphan One")
        no_vendor_2 = self._product("SOP Orphan Two")
        order = self._tp_order(
            lines=[(self.product_a, 1.0), (no_vendor_1, 1.0), (no_vendor_2, 1.0)]
        )
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        message = str(error.exception)
        self.assertIn("SOP Orphan One", message)
        self.assertIn("SOP Orphan Two", message)
        self.assertNotIn("SOP Desk", message)
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.order_line.purchase_line_ids)
        self.assertFalse(
            self.env["purchase.order"].search([("origin", "=", order.name)])
        )
        # A rule for the category completes the routing.
        no_vendor_1.categ_id = no_vendor_2.categ_id = self.categ
        self._rule(self.vendor_c, categ_ids=[Command.set(self.categ.ids)])
        order.action_confirm()
        self.assertEqual(self._purchase(order).partner_id, self.vendor_c)

    def test_auto_confirm_from_type_and_rule(self):
        self.tp_type.third_party_auto_confirm = True
        self._rule(
            self.vendor_b,
            auto_confirm="no",
            product_ids=[Command.set(self.product_b.ids)],
        )
        order = self._tp_order()
        order.action_confirm()
        po_a = self._purchase(order, self.vendor_a)
        po_b = self._purchase(order, self.vendor_b)
        self.assertEqual(po_a.state, "purchase")
        self.assertEqual(po_b.state, "draft")
        self.assertEqual(order.picking_ids, po_a.picking_ids)
        self.assertEqual(order.picking_ids.move_ids.product_uom_qty, 5.0)
        # A rule asking for confirmation wins over a type that does not.
        self.tp_type.third_party_auto_confirm = False
        self._rule(
            self.vendor_a,
            auto_confirm="yes",
            product_ids=[Command.set(self.product_a.ids)],
        )
        order = self._tp_order()
        order.action_confirm()
        self.assertEqual(self._purchase(order, self.vendor_a).state, "purchase")
        self.assertEqual(self._purchase(order, self.vendor_b).state, "draft")

    def test_salesman_confirms_third_party_order(self):
        self.tp_type.third_party_auto_confirm = True
        order = self._tp_order(user_id=self.salesman.id)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(
            self._purchase(order).mapped("state"), ["purchase", "purchase"]
        )

    def test_quantity_change_on_request_for_quotation(self):
        order = self._tp_order()
        order.action_confirm()
        line_a = order.order_line[0]
        po_a = self._purchase(order, self.vendor_a)
        po_a.write({"state": "sent"})  # a sent RFQ is no longer found by procurement
        line_a.product_uom_qty = 8.0
        self.assertEqual(po_a.order_line.product_qty, 8.0)
        order.write(
            {"order_line": [Command.update(line_a.id, {"product_uom_qty": 3.0})]}
        )
        self.assertEqual(po_a.order_line.product_qty, 3.0)
        self.assertEqual(self._purchase(order, self.vendor_a), po_a)  # no second PO
        self.assertEqual(line_a.sop_vendor_id, self.vendor_a)
        self.assertFalse(po_a.activity_ids)

    def test_quantity_increase_on_draft_rfq_keeps_its_price(self):
        """Why the kind carries an increase to a draft request for quotation itself:
        Odoo's procurement would merge it too (_run_buy, _find_candidate), but
        _update_purchase_order_line prices the line again from the vendor list: 0.0
        for a routing rule's vendor without price for the product."""
        self._rule(self.vendor_c, product_ids=[Command.set(self.product_a.ids)])
        order = self._tp_order(lines=[(self.product_a, 4.0)])
        order.action_confirm()
        purchase = self._purchase(order)
        self.assertEqual(purchase.state, "draft")
        self.assertEqual(purchase.order_line.price_unit, 30.0)
        order.order_line.product_uom_qty = 6.0
        self.assertEqual(self._purchase(order), purchase)  # no second RFQ
        self.assertEqual(purchase.order_line.product_qty, 6.0)
        self.assertEqual(purchase.order_line.price_unit, 30.0)

    def test_quantity_change_on_confirmed_purchase(self):
        self.tp_type.third_party_auto_confirm = True
        order = self._tp_order()
        order.action_confirm()
        line_a, line_b = order.order_line
        po_a = self._purchase(order, self.vendor_a)
        self.assertEqual(po_a.state, "purchase")
        # Increase: Odoo procures the difference in a new purchase order, confirmed
        # like the first one.
        line_a.product_uom_qty = 7.0
        purchases_a = self._purchase(order, self.vendor_a)
        self.assertEqual(len(purchases_a), 2)
        new_po = purchases_a - po_a
        self.assertEqual(new_po.order_line.product_qty, 2.0)
        self.assertEqual(new_po.state, "purchase")
        self.assertEqual(
            sum(
                order.picking_ids.move_ids.filtered(
                    lambda m: m.product_id == self.product_a
                ).mapped("product_uom_qty")
            ),
            7.0,
        )
        # Decrease: a confirmed PO cannot be changed without the vendor: one activity
        # for the buyer on each concerned PO, the PO quantities stay.
        po_b = self._purchase(order, self.vendor_b)
        line_b.product_uom_qty = 1.0
        self.assertEqual(po_b.order_line.product_qty, 2.0)
        self.assertEqual(len(po_b.activity_ids), 1)
        self.assertIn("1.0", po_b.activity_ids.note)
        self.assertIn("2.0", po_b.activity_ids.note)
        # Through the order form (sale_stock logs too): still exactly one activity.
        order.write(
            {"order_line": [Command.update(line_a.id, {"product_uom_qty": 4.0})]}
        )
        self.assertEqual(len((po_a | new_po).activity_ids), 2)
        self.assertEqual(len(po_a.activity_ids), 1)
        self.assertEqual(po_a.order_line.product_qty, 5.0)

    def test_cancel_order_cancels_rfqs_and_warns_on_confirmed(self):
        self._rule(
            self.vendor_a,
            auto_confirm="yes",
            product_ids=[Command.set(self.product_a.ids)],
        )
        order = self._tp_order()
        order.action_confirm()
        po_a = self._purchase(order, self.vendor_a)
        po_b = self._purchase(order, self.vendor_b)
        self.assertEqual((po_a.state, po_b.state), ("purchase", "draft"))
        order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(po_b.state, "cancel")
        self.assertFalse(po_b.activity_ids)
        self.assertEqual(po_a.state, "purchase")
        self.assertTrue(po_a.activity_ids)
        self.assertEqual(po_a.picking_ids.state, "cancel")
        # No "purchase order cancelled" warning on the order the user cancelled.
        self.assertFalse(order.activity_ids)

    def test_margin_guard_warns_or_blocks(self):
        self.product_b.seller_ids.price = 120.0  # above the sale price of 100
        order = self._tp_order()
        self.assertTrue(order.sop_margin_alert)
        line_a, line_b = order.order_line
        self.assertFalse(line_a.sop_margin_alert)
        self.assertTrue(line_b.sop_margin_alert)
        self.assertIn("SOP Lamp", order.sop_margin_alert_message)
        # Selling higher clears the alert.
        line_b.price_unit = 130.0
        self.assertFalse(order.sop_margin_alert)
        line_b.price_unit = 120.0  # equal: still no margin
        self.assertTrue(order.sop_margin_alert)
        # Warn: the order is confirmed with its alert.
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.sop_margin_alert)
        # Block: confirmation refused, nothing purchased.
        self.tp_type.third_party_margin_guard = "block"
        order = self._tp_order()
        self.assertTrue(order.sop_margin_alert)
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        self.assertIn("SOP Lamp", str(error.exception))
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.order_line.purchase_line_ids)
        # The vendor price, in another currency, is converted into the order's; the
        # price list is read again at confirmation.
        other = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("id", "!=", self.company.currency_id.id)], limit=1)
        )
        other.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": other.id, "rate": 2.0, "name": fields.Date.today()}
        )
        self.product_b.seller_ids.write({"currency_id": other.id, "price": 180.0})
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.order_line[1].sop_vendor_cost, 90.0)
        self.assertFalse(order.sop_margin_alert)
        self.assertEqual(self._purchase(order, self.vendor_b).currency_id, other)


@tagged("post_install", "-at_install")
class TestThirdPartyBilling(ThirdPartyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tp_type.third_party_auto_confirm = True

    def test_invoice_when_dropship_validated(self):
        journal = self.env["account.journal"].create(
            {"name": "Third-party sales", "code": "SOPTP", "type": "sale"}
        )
        # The type's journal applies (a type of the company: journals are per company).
        tp_type = self.tp_type.copy(
            {"company_id": self.company.id, "journal_id": journal.id}
        )
        order = self._tp_order(order_type=tp_type)
        order.action_confirm()
        self.assertFalse(order.invoice_ids)
        picking_a = self._purchase(order, self.vendor_a).picking_ids
        # The vendor ships 3 of 5: the customer is invoiced for 3 (not the 5 ordered).
        self._validate(picking_a, {self.product_a: 3.0})
        invoice = self._customer_invoices(order)
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.journal_id, journal)
        self.assertEqual(invoice.sale_type_id, tp_type)
        self.assertEqual(invoice.invoice_line_ids.product_id, self.product_a)
        self.assertEqual(invoice.invoice_line_ids.quantity, 3.0)
        # Invoicing again changes nothing: only what is not invoiced yet is invoiced.
        order._sop_third_party_invoice()
        self.assertEqual(len(self._customer_invoices(order)), 1)
        # The backorder, then the other vendor's delivery: one invoice each.
        self._validate(picking_a.backorder_ids)
        self._validate(self._purchase(order, self.vendor_b).picking_ids)
        invoices = self._customer_invoices(order)
        self.assertEqual(len(invoices), 3)
        self.assertEqual(invoices.mapped("state"), ["posted"] * 3)
        line_a, line_b = order.order_line
        self.assertEqual((line_a.qty_invoiced, line_b.qty_invoiced), (5.0, 2.0))
        self.assertEqual(order.invoice_status, "invoiced")

    def test_invoice_when_vendor_bill_posted(self):
        self.tp_type.invoice_trigger = "vendor_bill"
        order = self._tp_order()
        order.action_confirm()
        po_a = self._purchase(order, self.vendor_a)
        self._validate(po_a.picking_ids)
        self.assertFalse(order.invoice_ids)  # delivery is not the trigger
        self.assertEqual(order.order_line[0].qty_to_invoice, 0.0)
        po_a.action_create_invoice()
        bill = po_a.invoice_ids
        bill.invoice_date = fields.Date.today()
        bill.invoice_line_ids.quantity = 2.0  # the vendor bills 2 of 5 for now
        self.assertFalse(order.invoice_ids)  # a draft bill does not count
        bill.action_post()
        invoice = self._customer_invoices(order)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.invoice_line_ids.quantity, 2.0)
        self.assertEqual(invoice.invoice_line_ids.product_id, self.product_a)
        # The second bill invoices the rest, once.
        po_a.action_create_invoice()
        bill_2 = po_a.invoice_ids - bill
        bill_2.invoice_date = fields.Date.today()
        self.assertEqual(bill_2.invoice_line_ids.quantity, 3.0)
        bill_2.action_post()
        invoices = self._customer_invoices(order)
        self.assertEqual(len(invoices), 2)
        self.assertEqual(order.order_line[0].qty_invoiced, 5.0)
        order._sop_third_party_invoice()
        self.assertEqual(len(self._customer_invoices(order)), 2)

    def test_manual_billing(self):
        self.tp_type.invoice_trigger = "manual"
        order = self._tp_order()
        order.action_confirm()
        self._validate(self._purchase(order, self.vendor_a).picking_ids)
        self.assertFalse(order.invoice_ids)
        # Odoo's own invoicing policy applies (ordered quantities here).
        self.assertEqual(order.order_line.mapped("qty_to_invoice"), [5.0, 2.0])
        invoice = order._create_invoices()
        self.assertEqual(invoice.state, "draft")

    def test_vendor_billed_order_cannot_be_cancelled_before_credit_note(self):
        self.tp_type.invoice_trigger = "vendor_bill"
        order = self._tp_order(lines=[(self.product_a, 5.0)])
        order.action_confirm()
        po_a = self._purchase(order, self.vendor_a)
        po_a.action_create_invoice()
        bill = po_a.invoice_ids
        bill.invoice_date = fields.Date.today()
        bill.action_post()
        invoice = self._customer_invoices(order)
        self.assertEqual(invoice.state, "posted")
        self.assertFalse(order.picking_ids.filtered(lambda p: p.state == "done"))
        with self.assertRaisesRegex(UserError, "posted invoices .* not credited"):
            order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(order.state, "sale")
        self.assertEqual(po_a.state, "purchase")
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "SOP"})
        )
        reversal.refund_moves()
        invoice.reversal_move_ids.action_post()
        order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(order.state, "cancel")


@tagged("post_install", "-at_install")
class TestThirdPartyTour(HttpCase):
    def test_third_party_tour(self):
        vendor = self.env["res.partner"].create({"name": "SOP Tour Vendor"})
        customer = self.env["res.partner"].create({"name": "SOP Tour Customer"})
        product = self.env["product.product"].create(
            {
                "name": "SOP Tour Sofa",
                "type": "consu",
                "list_price": 500.0,
                "seller_ids": [
                    Command.create({"partner_id": vendor.id, "price": 300.0})
                ],
            }
        )
        self.env.ref(
            "sales_order_plus.type_third_party"
        ).third_party_auto_confirm = True
        self.start_tour(
            "/odoo/sales", "sales_order_plus_third_party_tour", login="admin"
        )
        order = self.env["sale.order"].search([("partner_id", "=", customer.id)])
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.type_kind, "third_party")
        self.assertEqual(order.order_line.product_id, product)
        self.assertEqual(order.order_line.sop_vendor_id, vendor)
        purchase = order.order_line.purchase_line_ids.order_id
        self.assertEqual(purchase.partner_id, vendor)
        self.assertEqual(purchase.state, "purchase")
        self.assertEqual(purchase.order_line.product_qty, 3.0)
        self.assertTrue(order.picking_ids.is_dropship)
