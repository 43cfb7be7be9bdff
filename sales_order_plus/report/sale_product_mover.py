# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import _, fields, models
from odoo.tools import SQL

# Window of the "units sold" figure and of the days of cover.
MOVER_DAYS = 90


class SaleProductMover(models.Model):
    """Fast and slow movers: units sold in the last 90 days against stock on hand.

    One row per tracked (storable) product that has stock or recent sales in the
    companies selected in the company switcher. Built per query (``_table_query``, like
    Odoo's sales analysis) so that the 90-day window and the companies are those of
    the request; the aggregates read only the last 90 days of orders and the internal
    quants.
    """

    _name = "sale.product.mover"
    _description = "Fast and Slow Movers"
    _auto = False
    _rec_name = "product_id"
    _order = "qty_sold desc, id"
    # Pending ORM writes to flush before the query runs.
    _depends = {
        "sale.order.line": [
            "order_id",
            "product_id",
            "product_uom",
            "product_uom_qty",
            "display_type",
            "is_downpayment",
        ],
        "sale.order": ["date_order", "state", "company_id"],
        "stock.quant": ["product_id", "location_id", "company_id", "quantity"],
        "stock.location": ["usage"],
        "product.product": ["product_tmpl_id", "standard_price"],
        "product.template": ["categ_id", "uom_id", "is_storable"],
        "uom.uom": ["factor"],
    }

    product_id = fields.Many2one("product.product", string="Product", readonly=True)
    product_tmpl_id = fields.Many2one(
        "product.template", string="Product Template", readonly=True
    )
    categ_id = fields.Many2one(
        "product.category", string="Product Category", readonly=True
    )
    product_uom_id = fields.Many2one("uom.uom", string="Unit", readonly=True)
    qty_sold = fields.Float(
        string="Sold (90 days)",
        digits="Product Unit of Measure",
        readonly=True,
        help="Quantity of confirmed orders dated in the last 90 days, in the product's "
        "unit.",
    )
    qty_on_hand = fields.Float(
        string="On Hand", digits="Product Unit of Measure", readonly=True
    )
    days_of_cover = fields.Float(
        digits=(16, 1),
        readonly=True,
        aggregator=False,
        help="Days the stock on hand lasts at the average daily sales of the last 90 "
        "days. Empty without sales.",
    )
    stock_value = fields.Float(
        readonly=True,
        help="Stock on hand at the product's cost in the current company.",
    )
    has_sales = fields.Boolean(string="Sold in 90 Days", readonly=True)
    has_stock = fields.Boolean(string="In Stock", readonly=True)

    @property
    def _table_query(self):
        since = fields.Datetime.now() - timedelta(days=MOVER_DAYS)
        return SQL(
            """
            WITH sold AS (
                SELECT line.product_id,
                       SUM(line.product_uom_qty / line_uom.factor * product_uom.factor)
                           AS qty
                  FROM sale_order so
                  JOIN sale_order_line line ON line.order_id = so.id
                  JOIN product_product product ON product.id = line.product_id
                  JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
                  JOIN uom_uom line_uom ON line_uom.id = line.product_uom
                  JOIN uom_uom product_uom ON product_uom.id = tmpl.uom_id
                 WHERE so.state = 'sale'
                   AND so.date_order >= %(since)s
                   AND so.company_id IN %(companies)s
                   AND line.display_type IS NULL
                   AND line.is_downpayment IS NOT TRUE
                 GROUP BY line.product_id
            ), stock AS (
                SELECT quant.product_id, SUM(quant.quantity) AS qty
                  FROM stock_quant quant
                  JOIN stock_location location ON location.id = quant.location_id
                 WHERE location.usage = 'internal'
                   AND quant.company_id IN %(companies)s
                 GROUP BY quant.product_id
            )
            SELECT product.id AS id,
                   product.id AS product_id,
                   product.product_tmpl_id,
                   tmpl.categ_id,
                   tmpl.uom_id AS product_uom_id,
                   COALESCE(sold.qty, 0) AS qty_sold,
                   COALESCE(stock.qty, 0) AS qty_on_hand,
                   CASE WHEN sold.qty > 0
                        THEN GREATEST(COALESCE(stock.qty, 0), 0) / (sold.qty / %(days)s)
                   END AS days_of_cover,
                   COALESCE(stock.qty, 0)
                       * COALESCE((product.standard_price ->> %(company)s)::float, 0)
                       AS stock_value,
                   COALESCE(sold.qty, 0) > 0 AS has_sales,
                   COALESCE(stock.qty, 0) > 0 AS has_stock
              FROM (SELECT product_id FROM sold
                    UNION
                    SELECT product_id FROM stock WHERE qty <> 0) AS moving
              JOIN product_product product ON product.id = moving.product_id
              JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
                                            AND tmpl.is_storable
              LEFT JOIN sold ON sold.product_id = product.id
              LEFT JOIN stock ON stock.product_id = product.id
            """,
            since=since,
            companies=tuple(self.env.companies.ids),
            days=float(MOVER_DAYS),
            company=str(self.env.company.id),
        )

    def action_open_product(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Product"),
            "res_model": "product.product",
            "res_id": self.product_id.id,
            "view_mode": "form",
        }
