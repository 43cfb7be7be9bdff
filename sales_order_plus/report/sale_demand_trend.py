# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.sale_order_type import kind_selection


class SaleDemandTrend(models.Model):
    """Quantity sold per product, month and order kind (confirmed orders).

    A plain SQL view over ``sale_order_line``: always current, and one grouped scan
    of the confirmed lines is fast enough on 100,000 lines (see
    bench/cases_order_management.py).
    """

    _name = "sale.demand.trend"
    _description = "Sales Demand Trend"
    _auto = False
    _rec_name = "product_id"
    _order = "month desc, id desc"
    # Pending ORM writes to flush before the view is read.
    _depends = {
        "sale.order.line": [
            "order_id",
            "product_id",
            "product_uom",
            "product_uom_qty",
            "qty_delivered",
            "price_subtotal",
            "state",
            "display_type",
            "is_downpayment",
        ],
        "sale.order": [
            "date_order",
            "type_id",
            "type_kind",
            "company_id",
            "currency_rate",
        ],
        "product.product": ["product_tmpl_id"],
        "product.template": ["categ_id", "uom_id"],
        "uom.uom": ["factor"],
        "res.company": ["currency_id"],
    }

    month = fields.Date(readonly=True)
    product_id = fields.Many2one("product.product", string="Product", readonly=True)
    product_tmpl_id = fields.Many2one(
        "product.template", string="Product Template", readonly=True
    )
    categ_id = fields.Many2one(
        "product.category", string="Product Category", readonly=True
    )
    product_uom_id = fields.Many2one("uom.uom", string="Unit", readonly=True)
    type_id = fields.Many2one("sale.order.type", string="Order Type", readonly=True)
    type_kind = fields.Selection(
        selection=kind_selection, string="Order Kind", readonly=True
    )
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Currency", readonly=True)
    qty_ordered = fields.Float(
        string="Quantity Sold", digits="Product Unit of Measure", readonly=True
    )
    qty_delivered = fields.Float(
        string="Quantity Delivered", digits="Product Unit of Measure", readonly=True
    )
    amount_untaxed = fields.Monetary(
        string="Untaxed Amount", currency_field="currency_id", readonly=True
    )
    line_count = fields.Integer(string="Order Lines", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        # Quantities in the product's unit; amounts in the company's currency at the
        # order's rate. The month is taken in UTC, as in Odoo's sales analysis.
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW %s AS (
                SELECT MIN(line.id) AS id,
                       date_trunc('month', so.date_order)::date AS month,
                       line.product_id,
                       product.product_tmpl_id,
                       tmpl.categ_id,
                       tmpl.uom_id AS product_uom_id,
                       so.type_id,
                       so.type_kind,
                       so.company_id,
                       company.currency_id,
                       SUM(line.product_uom_qty / line_uom.factor * product_uom.factor)
                           AS qty_ordered,
                       SUM(line.qty_delivered / line_uom.factor * product_uom.factor)
                           AS qty_delivered,
                       SUM(line.price_subtotal
                           / COALESCE(NULLIF(so.currency_rate, 0), 1))
                           AS amount_untaxed,
                       COUNT(*) AS line_count
                  FROM sale_order_line line
                  JOIN sale_order so ON so.id = line.order_id
                  JOIN res_company company ON company.id = so.company_id
                  JOIN product_product product ON product.id = line.product_id
                  JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
                  JOIN uom_uom line_uom ON line_uom.id = line.product_uom
                  JOIN uom_uom product_uom ON product_uom.id = tmpl.uom_id
                 WHERE line.state = 'sale'
                   AND line.display_type IS NULL
                   AND line.is_downpayment IS NOT TRUE
                 GROUP BY date_trunc('month', so.date_order)::date,
                          line.product_id,
                          product.product_tmpl_id,
                          tmpl.categ_id,
                          tmpl.uom_id,
                          so.type_id,
                          so.type_kind,
                          so.company_id,
                          company.currency_id
            )
            """,
                SQL.identifier(self._table),
            )
        )
