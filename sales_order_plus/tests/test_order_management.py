# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tests.common import new_test_user

from .common import SalesOrderPlusCase


class OrderManagementCase(SalesOrderPlusCase):
    """Helpers to move orders through delivery and invoicing with Odoo's own flows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supplier_location = cls.env.ref("stock.stock_location_suppliers")
        cls.accountant = new_test_user(
            cls.env, login="sop_accountant", groups="account.group_account_invoice"
        )
        cls.salesman_all = new_test_user(
            cls.env,
            login="sop_salesman_all",
            groups="sales_team.group_sale_salesman_all_leads",
        )

    @classmethod
    def _confirm(cls, orders):
        """Confirm as plain Odoo does, whatever the kind: the kinds' own behaviours are
        tested in their files; these reports only read the kind."""
        order_class = type(cls.env["sale.order"])

        def common_checks_only(orders):
            orders._sop_check_required_fields()
            orders._sop_check_quantities()

        with (
            patch.object(order_class, "_sop_check_confirm", common_checks_only),
            patch.object(order_class, "_sop_after_confirm", lambda self: None),
        ):
            orders.action_confirm()
        return orders

    @classmethod
    def _storable(cls, name, stock=0.0, **vals):
        product = cls.env["product.product"].create(
            dict(
                {
                    "name": name,
                    "type": "consu",
                    "is_storable": True,
                    "list_price": 100.0,
                    "standard_price": 60.0,
                    "invoice_policy": "order",
                },
                **vals,
            )
        )
        if stock:
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.stock_location, stock
            )
        return product

    @classmethod
    def _receipt(cls, product, qty, date):
        """A confirmed receipt of ``qty`` planned on ``date``."""
        picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": cls.warehouse.in_type_id.id,
                "location_id": cls.supplier_location.id,
                "location_dest_id": cls.stock_location.id,
                "scheduled_date": date,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "product_uom": product.uom_id.id,
                            "location_id": cls.supplier_location.id,
                            "location_dest_id": cls.stock_location.id,
                            "date": date,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        return picking

    def _deliver(self, order, qty, backorder=True):
        """Deliver ``qty`` of the order's open delivery; the rest goes to a backorder,
        or is cancelled."""
        picking = order.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
            and p.location_dest_id.usage == "customer"
        )
        picking.move_ids.write({"quantity": qty, "picked": True})
        context = {"skip_backorder": True}
        if not backorder:
            context["picking_ids_not_to_backorder"] = picking.ids
        picking.with_context(**context).button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def _return(self, picking, qty, validate=True):
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_ids=picking.ids,
                active_id=picking.id,
                active_model="stock.picking",
            )
        ).save()
        wizard.product_return_moves.write({"quantity": qty, "to_refund": True})
        action = wizard.action_create_returns()
        return_picking = self.env["stock.picking"].browse(action["res_id"])
        if validate:
            return_picking.move_ids.write({"quantity": qty, "picked": True})
            return_picking.button_validate()
        return return_picking

    def _invoice(self, order, post=True, final=False):
        invoice = order._create_invoices(final=final)
        if post:
            invoice.action_post()
        return invoice

    def _credit_note(self, invoice, qty=None):
        """A posted credit note of ``invoice``, for ``qty`` units when given."""
        action = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "Test", "journal_id": invoice.journal_id.id})
            .refund_moves()
        )
        credit_note = self.env["account.move"].browse(action["res_id"])
        if qty is not None:
            credit_note.invoice_line_ids.quantity = qty
        credit_note.action_post()
        return credit_note


@tagged("post_install", "-at_install")
class TestAvailability(OrderManagementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.item = cls._storable("SOP Availability", stock=100.0)
        cls.today = fields.Date.context_today(cls.env.user)

    def _quotation(self, qty, days=0, product=None):
        return self._create_order(
            self.type_standard,
            lines=[(product or self.item, qty)],
            commitment_date=datetime.combine(
                self.today + timedelta(days=days), datetime.min.time()
            )
            + timedelta(hours=12),
        )

    def test_stock_on_hand_ships_today(self):
        line = self._quotation(50).order_line
        self.assertEqual(line.free_qty_today, 100.0)
        self.assertEqual(line.earliest_full_ship_date, self.today)
        self.assertFalse(line.is_late_to_ship)

    def test_late_until_planned_receipt(self):
        self._receipt(self.item, 100.0, self.today + timedelta(days=5))
        line = self._quotation(150, days=2).order_line
        self.assertEqual(line.earliest_full_ship_date, self.today + timedelta(days=5))
        self.assertTrue(line.is_late_to_ship)
        line.order_id.commitment_date += timedelta(days=4)
        self.assertFalse(line.is_late_to_ship)
        # More than all planned supply: no date.
        line.product_uom_qty = 250
        self.assertFalse(line.earliest_full_ship_date)
        self.assertTrue(line.is_late_to_ship)

    def test_goods_promised_to_a_later_delivery_are_not_free(self):
        """Odoo's forecast at today's date still shows 100, but 80 of them leave in
        three days for another customer: 50 more can only ship once stock arrives."""
        promised = self._quotation(80, days=3)
        promised.action_confirm()
        line = self._quotation(50).order_line
        self.assertEqual(line.virtual_available_at_date, 100.0)
        self.assertFalse(line.earliest_full_ship_date)
        self.assertTrue(line.is_late_to_ship)
        self._receipt(self.item, 40.0, self.today + timedelta(days=6))
        line.invalidate_recordset(["earliest_full_ship_date", "is_late_to_ship"])
        self.assertEqual(line.earliest_full_ship_date, self.today + timedelta(days=6))

    def test_lines_of_one_order_share_the_stock(self):
        order = self._quotation(60)
        order.order_line = [
            Command.create({"product_id": self.item.id, "product_uom_qty": 60})
        ]
        first, second = order.order_line
        self.assertFalse(first.is_late_to_ship)
        self.assertTrue(second.is_late_to_ship)

    def test_confirmed_line_follows_its_move(self):
        self._receipt(self.item, 100.0, self.today + timedelta(days=5))
        order = self._quotation(150, days=1)
        order.action_confirm()
        line = order.order_line
        self.assertEqual(
            line.earliest_full_ship_date,
            fields.Datetime.context_timestamp(line, line.forecast_expected_date).date(),
        )
        self.assertTrue(line.is_late_to_ship)
        # The receipt's 100 all went to the first order: a second one waits for stock.
        in_stock = self._storable("SOP In Stock", stock=20.0)
        confirmed = self._quotation(10, product=in_stock)
        confirmed.action_confirm()
        self.assertEqual(confirmed.order_line.earliest_full_ship_date, self.today)
        self.assertFalse(confirmed.order_line.is_late_to_ship)

    def test_no_query_per_line(self):
        products = self.env["product.product"]
        for index in range(12):
            products |= self._storable(f"SOP Batch {index}", stock=10.0)
        small = self._create_order(lines=[(p, 1.0) for p in products[:2]])
        large = self._create_order(lines=[(p, 1.0) for p in products])

        def queries(order):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            order.order_line.mapped("earliest_full_ship_date")
            return self.env.cr.sql_log_count - before

        queries(small)  # warm-up (caches of models, uoms, locations)
        self.assertEqual(queries(large), queries(small))
        self.assertTrue(all(large.order_line.mapped("earliest_full_ship_date")))


@tagged("post_install", "-at_install")
class TestDemandTrends(OrderManagementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.item = cls._storable("SOP Trend", stock=1000.0)
        cls.dozen = cls.env.ref("uom.product_uom_dozen")

    def _confirmed(self, order_type, qty, date, uom=None, product=None):
        order = self._create_order(
            order_type, lines=[(product or self.item, qty)], date_order=date
        )
        if uom:
            order.order_line.product_uom = uom
        self._confirm(order)
        # action_confirm sets the order date to now: the history is written back.
        order.date_order = date
        return order

    def test_monthly_quantity_per_kind(self):
        self._confirmed(self.type_standard, 10, "2025-01-10 10:00:00")
        self._confirmed(self.type_standard, 2, "2025-01-20 10:00:00", uom=self.dozen)
        self._confirmed(self.type_rush, 5, "2025-01-25 10:00:00")
        order = self._confirmed(self.type_standard, 7, "2025-02-03 10:00:00")
        self._deliver(order, 4)
        self._create_order(self.type_standard, lines=[(self.item, 99)])  # quotation
        rows = self.env["sale.demand.trend"].search_read(
            [("product_id", "=", self.item.id)],
            ["month", "type_kind", "qty_ordered", "qty_delivered", "line_count"],
            order="month, type_kind",
        )
        self.assertEqual(
            [
                (
                    r["month"],
                    r["type_kind"],
                    r["qty_ordered"],
                    r["qty_delivered"],
                    r["line_count"],
                )
                for r in rows
            ],
            [
                (fields.Date.to_date("2025-01-01"), "rush", 5.0, 0.0, 1),
                (fields.Date.to_date("2025-01-01"), "standard", 34.0, 0.0, 2),
                (fields.Date.to_date("2025-02-01"), "standard", 7.0, 4.0, 1),
            ],
        )
        groups = self.env["sale.demand.trend"].read_group(
            [("product_id", "=", self.item.id)], ["qty_ordered:sum"], ["type_kind"]
        )
        self.assertEqual(
            {g["type_kind"]: g["qty_ordered"] for g in groups},
            {"rush": 5.0, "standard": 41.0},
        )

    def test_sales_analysis_by_kind(self):
        self._confirmed(self.type_standard, 3, "2025-03-01 10:00:00")
        self._confirmed(self.type_schedule, 4, "2025-03-02 10:00:00")
        groups = self.env["sale.report"].read_group(
            [("product_id", "=", self.item.id)], ["product_uom_qty:sum"], ["type_kind"]
        )
        self.assertEqual(
            {g["type_kind"]: g["product_uom_qty"] for g in groups},
            {"standard": 3.0, "schedule": 4.0},
        )

    @freeze_time("2025-06-30 12:00:00")
    def test_fast_and_slow_movers(self):
        # Bought from a vendor: the rush order below, beyond the stock, is promised
        # on the vendor's lead time (a rush order never gets today without stock).
        vendor = self.env["res.partner"].create({"name": "SOP Fast Vendor"})
        fast = self._storable(
            "SOP Fast",
            stock=30.0,
            seller_ids=[Command.create({"partner_id": vendor.id, "price": 50.0})],
        )
        idle = self._storable("SOP Idle", stock=20.0)
        sold_out = self._storable("SOP Sold Out")
        self._confirmed(self.type_standard, 45, "2025-06-01 10:00:00", product=fast)
        self._confirmed(self.type_rush, 45, "2025-05-01 10:00:00", product=fast)
        self._confirmed(
            self.type_standard, 500, "2025-03-01 10:00:00", product=fast
        )  # >90d
        self._confirmed(
            self.type_standard, 50, "2025-03-01 10:00:00", product=idle
        )  # >90d
        self._confirmed(self.type_standard, 9, "2025-06-29 10:00:00", product=sold_out)
        self._create_order(self.type_standard, lines=[(idle, 5)])  # quotation only
        movers = self.env["sale.product.mover"]
        rows = {
            r["product_id"][0]: r
            for r in movers.search_read(
                [("product_id", "in", (fast + idle + sold_out).ids)],
                [
                    "product_id",
                    "qty_sold",
                    "qty_on_hand",
                    "days_of_cover",
                    "has_sales",
                    "has_stock",
                ],
            )
        }
        self.assertEqual(rows[fast.id]["qty_sold"], 90.0)
        self.assertEqual(rows[fast.id]["qty_on_hand"], 30.0)
        self.assertAlmostEqual(rows[fast.id]["days_of_cover"], 30.0)  # 30 / (90 / 90)
        self.assertEqual(rows[idle.id]["qty_sold"], 0.0)
        self.assertFalse(rows[idle.id]["days_of_cover"])
        self.assertEqual(rows[sold_out.id]["days_of_cover"], 0.0)
        stock_no_sales = movers.search(
            [
                ("has_stock", "=", True),
                ("has_sales", "=", False),
                ("id", "in", list(rows)),
            ]
        )
        self.assertEqual(stock_no_sales.product_id, idle)
        self.assertEqual(
            idle.id, movers.browse(idle.id).action_open_product()["res_id"]
        )

    def test_access_follows_sales_documents_rules(self):
        mine = self._confirmed(self.type_standard, 3, "2025-04-01 10:00:00")
        mine.user_id = self.salesman
        self._confirmed(self.type_rush, 4, "2025-04-02 10:00:00")
        # Own-documents salespeople see their own orders in Odoo's analysis...
        groups = (
            self.env["sale.report"]
            .with_user(self.salesman)
            .read_group(
                [("product_id", "=", self.item.id)],
                ["product_uom_qty:sum"],
                ["type_kind"],
            )
        )
        self.assertEqual(
            [(g["type_kind"], g["product_uom_qty"]) for g in groups],
            [("standard", 3.0)],
        )
        # ... but not company-wide trends, which all-documents users read.
        for model in ("sale.demand.trend", "sale.product.mover"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.salesman).search([])
            self.assertTrue(self.env[model].with_user(self.salesman_all).search([]))


@tagged("post_install", "-at_install")
class TestOrderAccounting(OrderManagementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        default_journal = cls.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.type_journal = default_journal.copy(
            {"name": "SOP Type Sales", "code": "SOPT"}
        )
        cls.kind_types = {
            kind: cls.env["sale.order.type"].create(
                {
                    "name": f"SOP {kind}",
                    "kind": kind,
                    "company_id": cls.company.id,
                    "journal_id": cls.type_journal.id,
                }
            )
            for kind in ("standard", "cash", "rush", "schedule", "third_party")
        }

    def test_type_journal_for_every_kind(self):
        """Every invoice of an order, the automatic ones of the kinds included, is
        prepared by _prepare_invoice, where OCA applies the type's journal."""
        for kind, order_type in self.kind_types.items():
            order = self._create_order(order_type, lines=[(self.service, 1.0)])
            values = order._prepare_invoice()
            self.assertEqual(values["journal_id"], self.type_journal.id, kind)
            self.assertEqual(values["sale_type_id"], order_type.id, kind)
        order = self._create_order(self.kind_types["standard"])
        self._confirm(order)
        invoice = self._invoice(order)
        self.assertEqual(invoice.journal_id, self.type_journal)
        self.assertEqual(invoice.sale_type_kind, "standard")

    def test_down_payment_and_credit_note_keep_the_journal(self):
        order = self._create_order(self.kind_types["standard"])
        self._confirm(order)
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "percentage", "amount": 10})
        )
        wizard.create_invoices()
        down_payment = order.invoice_ids
        self.assertEqual(len(down_payment), 1)
        self.assertEqual(down_payment.journal_id, self.type_journal)
        self.assertEqual(down_payment.sale_type_id, self.kind_types["standard"])
        down_payment.action_post()
        final = self._invoice(order)
        self.assertEqual(final.journal_id, self.type_journal)
        credit_note = self._credit_note(final)
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.journal_id, self.type_journal)
        self.assertEqual(credit_note.sale_type_id, self.kind_types["standard"])
        self.assertEqual(credit_note.sale_type_kind, "standard")

    def test_journal_items_and_invoice_analysis_by_kind(self):
        product = self._storable("SOP Invoiced", stock=10.0)
        rush = self._create_order(self.kind_types["rush"], lines=[(product, 2.0)])
        standard = self._create_order(
            self.kind_types["standard"], lines=[(product, 3.0)]
        )
        self._confirm(rush + standard)
        # A rush order is invoiced (and the invoice posted) by its delivery.
        self._deliver(rush, 2)
        self.assertEqual(rush.invoice_ids.state, "posted")
        invoices = rush.invoice_ids + self._invoice(standard)
        self._credit_note(invoices[0], qty=1)
        items = invoices.line_ids
        self.assertEqual(set(items.mapped("sale_type_kind")), {"rush", "standard"})
        self.assertEqual(
            self.env["account.move.line"]
            .search([("sale_type_kind", "=", "rush"), ("product_id", "=", product.id)])
            .move_id.sorted("id")
            .mapped("move_type"),
            ["out_invoice", "out_refund"],
        )
        groups = self.env["account.move.line"].read_group(
            [("product_id", "=", product.id)], ["quantity:sum"], ["sale_type_id"]
        )
        self.assertEqual(
            {g["sale_type_id"][0]: g["quantity"] for g in groups},
            {self.kind_types["rush"].id: 3.0, self.kind_types["standard"].id: 3.0},
        )
        analysis = self.env["account.invoice.report"].read_group(
            [("product_id", "=", product.id)], ["quantity:sum"], ["sale_type_kind"]
        )
        self.assertEqual(
            {g["sale_type_kind"]: g["quantity"] for g in analysis},
            {"rush": 1.0, "standard": 3.0},  # 2 invoiced - 1 credited
        )

    def test_contract_orders_are_locked(self):
        contract = self.env["sale.order.type"].create(
            {"name": "Framework Contract", "kind": "standard", "is_contract": True}
        )
        order = self._create_order(contract)
        order.action_confirm()
        self.assertTrue(order.locked)
        with self.assertRaises(UserError):
            order.order_line.price_unit = 1.0
        self.assertEqual(order.order_line.price_unit, 100.0)
        # Deliveries and invoices go on, as for any locked order.
        self._deliver(order, 5)
        self.assertTrue(self._invoice(order))
        self.assertEqual(order.invoice_status, "invoiced")
        other = self._create_order(self.type_standard)
        other.action_confirm()
        self.assertFalse(other.locked)
        other.order_line.price_unit = 1.0
