# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import closing, contextmanager

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import common as odoo_test_common
from odoo.tests.common import TransactionCase, new_test_user

# queue_job's test helpers register themselves in a table of Odoo's test framework
# that Odoo 18.0 releases before September 2025 lack (it only silences a warning).
if not hasattr(odoo_test_common, "SETATTR_SOURCES"):
    odoo_test_common.SETATTR_SOURCES = {}
from odoo.addons.queue_job.tests.common import trap_jobs  # noqa: E402, F401


class SalesOrderPlusCase(TransactionCase):
    """Shared fixtures: a customer, a storable and a service product with stock, the
    shipped order types, a salesperson and a sales administrator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.customer = cls.env["res.partner"].create({"name": "SOP Customer"})
        cls.product = cls.env["product.product"].create(
            {
                "name": "SOP Storable",
                "type": "consu",
                "is_storable": True,
                "list_price": 100.0,
                "standard_price": 60.0,
                "invoice_policy": "order",
                "default_code": "SOP-STORE",
            }
        )
        cls.service = cls.env["product.product"].create(
            {"name": "SOP Service", "type": "service", "list_price": 30.0}
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.stock_location, 100.0
        )
        cls.type_standard = cls.env.ref("sale_order_type.normal_sale_type")
        cls.type_cash = cls.env.ref("sales_order_plus.type_cash_sale")
        cls.type_rush = cls.env.ref("sales_order_plus.type_rush_order")
        cls.type_schedule = cls.env.ref("sales_order_plus.type_delivery_schedule")
        # As the shipped type comes in a new database (one updated from before
        # 18.0.1.3.0 keeps reserving at release).
        cls.type_schedule.write(
            {"schedule_reservation": "by_date", "schedule_reservation_days": 7}
        )
        cls.type_third_party = cls.env.ref("sales_order_plus.type_third_party")
        cls.salesman = new_test_user(
            cls.env, login="sop_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.sale_admin = new_test_user(
            cls.env, login="sop_sale_admin", groups="sales_team.group_sale_manager"
        )

    @classmethod
    def _create_order(cls, order_type=None, lines=None, **vals):
        lines = lines or [(cls.product, 5.0)]
        vals.setdefault("partner_id", cls.customer.id)
        if order_type:
            vals["type_id"] = order_type.id
        vals["order_line"] = [
            Command.create({"product_id": product.id, "product_uom_qty": qty})
            for product, qty in lines
        ]
        return cls.env["sale.order"].create(vals)


class CommittedCursorCase(TransactionCase):
    """Two sessions (workers, users) at once: other connections cannot see the test
    transaction, so these tests commit their own data through real cursors of the
    registry (``_committed``) and delete it at the end (``_cleanup``)."""

    def _env(self, cr):
        # A lock held too long by the test fails the test instead of hanging it.
        cr.execute("SET LOCAL lock_timeout = '20s'")
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    @contextmanager
    def _committed(self):
        """A superuser environment on a new cursor, committed at the end."""
        with closing(self.registry.cursor()) as cr:
            yield self._env(cr)
            cr.commit()  # pylint: disable=invalid-commit

    def _cleanup(self, ids):
        """Delete what ``_committed`` created: ``ids`` has the ``orders`` (a list),
        their ``type``, ``partner`` and ``product``."""
        with self._committed() as env:
            orders = env["sale.order"].browse(ids["orders"])
            pickings = orders.picking_ids
            orders._action_cancel()
            groups = env["procurement.group"].search([("sale_id", "in", orders.ids)])
            pickings.unlink()
            groups.unlink()
            orders.unlink()
            product = env["product.product"].browse(ids["product"])
            env["stock.quant"].sudo().search([("product_id", "=", product.id)]).unlink()
            env["stock.move.line"].search([("product_id", "=", product.id)]).unlink()
            env["stock.move"].search([("product_id", "=", product.id)]).unlink()
            template = product.product_tmpl_id
            product.unlink()
            template.unlink()
            env["res.partner"].browse(ids["partner"]).unlink()
            env["sale.order.type"].browse(ids["type"]).unlink()
