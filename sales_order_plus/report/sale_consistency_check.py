# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models, tools
from odoo.tools import SQL, formatLang

from ..models.sale_consistency_notification import PROBLEMS
from ..models.sale_order_type import kind_selection

# Partial indexes on core tables (dropped by the uninstall hook): the aggregates of the
# check only read open customer moves, active dropship RFQ lines and credit notes, a
# small part of their tables.
INDEXES = {
    "sop_stock_move_open_sale_line_idx": """
        stock_move (sale_line_id)
        WHERE sale_line_id IS NOT NULL AND state NOT IN ('done', 'cancel')""",
    "sop_purchase_line_rfq_sale_line_idx": """
        purchase_order_line (sale_line_id)
        WHERE sale_line_id IS NOT NULL AND state IN ('draft', 'sent', 'to approve')""",
    "sop_account_move_customer_draft_refund_idx": """
        account_move (id)
        WHERE move_type IN ('out_invoice', 'out_refund')
          AND (state = 'draft' OR (move_type = 'out_refund' AND state <> 'cancel'))""",
}


class SaleConsistencyCheck(models.Model):
    """Confirmed orders whose order, deliveries and invoices disagree, and cancelled
    orders that keep invoiced quantities: one row per problem.

    * ``delivery`` (per line of a confirmed order delivered by stock moves): delivered
      plus still open deliveries (by their final destination, so that the pick and
      pack steps count; minus open returns to refund, plus unconfirmed dropship
      purchase lines) differs from the ordered quantity: an over-delivery, or a
      backorder that was cancelled while the order still promises the goods, or a
      return.
    * ``invoice`` (per line): more is invoiced than the line's invoicing rule allows
      (Odoo's invoicing policy as the order's kind overrides it: the line's quantity
      to invoice turned negative; nothing at all on a cancelled order), or a credit
      note took back quantities that the rule still counts as due. Quantities simply
      waiting to be invoiced are Odoo's "To Invoice" backlog, not an inconsistency.
    * ``amount`` (per confirmed order, once fully invoiced and without draft
      invoices): the posted invoices minus credit notes (untaxed, converted to the
      order's currency by Odoo at the invoice date) differ from the order's untaxed
      total.

    A plain SQL view over stored figures of sale_order_line (qty_delivered,
    qty_invoiced, qty_to_invoice, untaxed_amount_invoiced, price_subtotal) plus small
    aggregates (open moves, unconfirmed dropship lines, credit notes, draft
    invoices), each read through a partial index: always current, no refresh job, one
    pass over the lines, fast on 100,000 lines (see the readme and the benchmark).
    """

    _name = "sale.consistency.check"
    _description = "Sales Consistency Check"
    _auto = False
    _rec_name = "order_id"
    _order = "date_order desc, id desc"
    # Pending ORM writes to flush before the view is read.
    _depends = {
        "sale.order.line": [
            "order_id",
            "product_id",
            "product_uom",
            "product_uom_qty",
            "qty_delivered",
            "qty_delivered_method",
            "qty_invoiced",
            "qty_to_invoice",
            "untaxed_amount_invoiced",
            "price_subtotal",
            "price_reduce_taxexcl",
            "invoice_lines",
            "state",
            "display_type",
            "is_downpayment",
        ],
        "sale.order": [
            "state",
            "invoice_status",
            "amount_untaxed",
            "currency_id",
            "partner_id",
            "type_id",
            "type_kind",
            "user_id",
            "team_id",
            "company_id",
            "date_order",
        ],
        "stock.move": [
            "sale_line_id",
            "state",
            "product_qty",
            "location_id",
            "location_dest_id",
            "location_final_id",
            "to_refund",
            "origin_returned_move_id",
        ],
        "stock.location": ["usage"],
        "purchase.order.line": [
            "sale_line_id",
            "state",
            "product_uom_qty",
            "move_dest_ids",
        ],
        "account.move": ["move_type", "state"],
        "account.move.line": ["move_id"],
        "product.product": ["product_tmpl_id"],
        "product.template": ["type", "uom_id"],
        "uom.uom": ["factor", "rounding"],
        "res.currency": ["rounding"],
    }

    problem = fields.Selection(selection=PROBLEMS, readonly=True)
    problem_key = fields.Char(
        readonly=True,
        help="Identifies the problem and its difference: a problem is notified once.",
    )
    order_id = fields.Many2one("sale.order", string="Order", readonly=True)
    order_line_id = fields.Many2one(
        "sale.order.line", string="Order Line", readonly=True
    )
    product_id = fields.Many2one("product.product", string="Product", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    type_id = fields.Many2one("sale.order.type", string="Order Type", readonly=True)
    type_kind = fields.Selection(
        selection=kind_selection, string="Order Kind", readonly=True
    )
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    date_order = fields.Datetime(string="Order Date", readonly=True)
    product_uom_id = fields.Many2one("uom.uom", string="Unit", readonly=True)
    qty_expected = fields.Float(
        string="Expected Quantity", digits="Product Unit of Measure", readonly=True
    )
    qty_actual = fields.Float(
        string="Actual Quantity", digits="Product Unit of Measure", readonly=True
    )
    qty_difference = fields.Float(
        string="Quantity Difference", digits="Product Unit of Measure", readonly=True
    )
    currency_id = fields.Many2one("res.currency", string="Currency", readonly=True)
    amount_expected = fields.Monetary(string="Expected Amount", readonly=True)
    amount_actual = fields.Monetary(string="Actual Amount", readonly=True)
    amount_difference = fields.Monetary(
        readonly=True,
        help="Untaxed value of the difference in the order's currency (quantity "
        "differences at the line's net unit price).",
    )

    def init(self):
        cr = self.env.cr
        for name, definition in INDEXES.items():
            cr.execute(
                SQL(
                    "CREATE INDEX IF NOT EXISTS %s ON %s",
                    SQL.identifier(name),
                    SQL(definition),
                )
            )
        tools.drop_view_if_exists(cr, self._table)
        cr.execute(
            SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )

    @api.model
    def _query(self):
        """The view: each step's problems with their order's fields."""
        return SQL(
            """
            WITH open_moves AS (%(open_moves)s),
                 open_rfq AS (%(open_rfq)s),
                 %(invoices)s,
                 line_problems AS (%(line_problems)s),
                 order_problems AS (%(order_problems)s),
                 problems AS (%(problems)s)
            SELECT p.id,
                   p.problem,
                   concat_ws(':', p.problem, p.order_id, p.line_id,
                             ROUND(COALESCE(p.qty_actual - p.qty_expected,
                                            p.amount_actual - p.amount_expected
                                           )::numeric, 4)) AS problem_key,
                   p.order_id,
                   p.line_id AS order_line_id,
                   p.product_id,
                   p.uom_id AS product_uom_id,
                   p.qty_expected,
                   p.qty_actual,
                   p.qty_actual - p.qty_expected AS qty_difference,
                   COALESCE(p.amount_expected, p.qty_expected * p.price)
                       AS amount_expected,
                   COALESCE(p.amount_actual, p.qty_actual * p.price) AS amount_actual,
                   COALESCE(p.amount_actual - p.amount_expected,
                            (p.qty_actual - p.qty_expected) * p.price)
                       AS amount_difference,
                   so.currency_id,
                   so.partner_id,
                   so.type_id,
                   so.type_kind,
                   so.user_id,
                   so.team_id,
                   so.company_id,
                   so.date_order
              FROM problems p
              JOIN sale_order so ON so.id = p.order_id
            """,
            open_moves=self._query_open_moves(),
            open_rfq=self._query_open_rfq(),
            invoices=self._query_invoices(),
            line_problems=self._query_line_problems(),
            order_problems=self._query_order_problems(),
            problems=self._query_problems(),
        )

    @api.model
    def _query_open_moves(self):
        """Quantity per order line on its way to or back from the customer."""
        return SQL(
            """
            -- Open deliveries count as coming, open returns to refund as going
            -- back, in the product's unit. Like Odoo's delivered quantity, a
            -- re-delivery of a return that was not refunded does not count. A
            -- delivery in 2 or 3 steps is one open move at a time (the next step
            -- is pushed when one is done), bound for the customer by its final
            -- destination.
            SELECT move.sale_line_id,
                   SUM(CASE WHEN dest.usage = 'customer' AND src.usage <> 'customer'
                                 AND (move.origin_returned_move_id IS NULL
                                      OR move.to_refund)
                                THEN move.product_qty
                            WHEN src.usage = 'customer' AND dest.usage <> 'customer'
                                 AND move.to_refund
                                THEN -move.product_qty
                            ELSE 0 END) AS qty
              FROM stock_move move
              JOIN stock_location src ON src.id = move.location_id
              JOIN stock_location dest
                ON dest.id = COALESCE(move.location_final_id, move.location_dest_id)
             WHERE move.sale_line_id IS NOT NULL
               AND move.state NOT IN ('done', 'cancel')
             GROUP BY move.sale_line_id
            """
        )

    @api.model
    def _query_open_rfq(self):
        """Quantity per order line on dropship RFQs without moves yet."""
        return SQL(
            """
            -- A dropship line has no move until its purchase order is confirmed;
            -- product_uom_qty is in the product's unit (product_qty in the
            -- vendor's).
            SELECT pol.sale_line_id, SUM(pol.product_uom_qty) AS qty
              FROM purchase_order_line pol
             WHERE pol.sale_line_id IS NOT NULL
               AND pol.state IN ('draft', 'sent', 'to approve')
               AND NOT EXISTS (
                   SELECT 1 FROM stock_move_created_purchase_line_rel rel
                    WHERE rel.created_purchase_line_id = pol.id)
             GROUP BY pol.sale_line_id
            """
        )

    @api.model
    def _query_invoices(self):
        """Three named queries of the WITH list: customer_moves, invoiced_lines (order
        lines on them) and credited (order lines on a credit note)."""
        return SQL(
            """
            customer_moves AS (
                -- Draft customer invoices and credit notes: few, by a partial index.
                SELECT id, move_type, state
                  FROM account_move
                 WHERE move_type IN ('out_invoice', 'out_refund')
                   AND (state = 'draft'
                        OR (move_type = 'out_refund' AND state <> 'cancel'))
            ), invoiced_lines AS (
                SELECT rel.order_line_id, am.move_type, am.state
                  FROM customer_moves am
                  JOIN account_move_line aml ON aml.move_id = am.id
                  JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = aml.id
            ), credited AS (
                SELECT DISTINCT order_line_id
                  FROM invoiced_lines
                 WHERE move_type = 'out_refund'
            )
            """
        )

    @api.model
    def _query_line_problems(self):
        """Delivery and invoice problems per order line."""
        return SQL(
            """
            -- One pass over the confirmed lines (and the invoiced lines of
            -- cancelled orders); each may have a delivery and an invoice problem.
            -- What is due to be invoiced is the line's own figure (qty_invoiced +
            -- qty_to_invoice): Odoo's invoicing policy as each kind overrides it.
            SELECT line.id AS line_id, line.order_id, line.product_id,
                   line.product_uom AS uom_id, line.price_reduce_taxexcl AS price,
                   figures.problem, figures.qty_expected, figures.qty_actual,
                   NULL::numeric AS amount_expected, NULL::numeric AS amount_actual
              FROM sale_order_line line
              JOIN product_product product ON product.id = line.product_id
              JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
              JOIN uom_uom line_uom ON line_uom.id = line.product_uom
              JOIN uom_uom product_uom ON product_uom.id = tmpl.uom_id
              LEFT JOIN open_moves ON open_moves.sale_line_id = line.id
              LEFT JOIN open_rfq ON open_rfq.sale_line_id = line.id
              LEFT JOIN credited ON credited.order_line_id = line.id
             CROSS JOIN LATERAL (
                   VALUES ('delivery', line.product_uom_qty,
                           line.qty_delivered
                           + (COALESCE(open_moves.qty, 0)
                              + COALESCE(open_rfq.qty, 0))
                             / product_uom.factor * line_uom.factor),
                          ('invoice',
                           CASE WHEN line.state = 'cancel' THEN 0
                                ELSE line.qty_invoiced + line.qty_to_invoice END,
                           line.qty_invoiced)
                   ) AS figures (problem, qty_expected, qty_actual)
             WHERE (line.state = 'sale'
                    OR (line.state = 'cancel' AND line.qty_invoiced <> 0))
               AND line.display_type IS NULL
               AND line.is_downpayment IS NOT TRUE
               AND tmpl.type <> 'combo'
               AND CASE figures.problem
                   WHEN 'delivery' THEN
                        line.state = 'sale'
                        AND line.qty_delivered_method = 'stock_move'
                        AND ABS(figures.qty_actual - figures.qty_expected)
                            >= line_uom.rounding / 2
                   ELSE figures.qty_actual - figures.qty_expected
                            >= line_uom.rounding / 2
                        OR (figures.qty_expected - figures.qty_actual
                                >= line_uom.rounding / 2
                            AND credited.order_line_id IS NOT NULL)
                   END
            """
        )

    @api.model
    def _query_order_problems(self):
        """Orders whose invoiced total differs from their untaxed total."""
        return SQL(
            """
            -- Only lines whose invoiced amount differs from their subtotal move
            -- the order's invoiced total away from its untaxed total.
            SELECT so.id AS order_id, so.amount_untaxed,
                   SUM(line.untaxed_amount_invoiced - line.price_subtotal) AS diff,
                   currency.rounding
              FROM sale_order so
              JOIN sale_order_line line ON line.order_id = so.id
              JOIN res_currency currency ON currency.id = so.currency_id
             WHERE so.state = 'sale'
               AND so.invoice_status = 'invoiced'
               AND line.untaxed_amount_invoiced <> line.price_subtotal
               AND so.id NOT IN (
                   SELECT sol.order_id
                     FROM invoiced_lines drafts
                     JOIN sale_order_line sol ON sol.id = drafts.order_line_id
                    WHERE drafts.state = 'draft')
             GROUP BY so.id, so.amount_untaxed, currency.rounding
            HAVING ABS(SUM(line.untaxed_amount_invoiced - line.price_subtotal))
                   >= currency.rounding / 2
            """
        )

    @api.model
    def _query_problems(self):
        """Line and order problems in one shape, with stable ids."""
        return SQL(
            """
            SELECT line_id * 4 + CASE problem WHEN 'delivery' THEN 1 ELSE 2 END
                       AS id,
                   problem, order_id, line_id, product_id, uom_id, qty_expected,
                   qty_actual, price, amount_expected, amount_actual
              FROM line_problems
            UNION ALL
            SELECT order_id * 4 + 3, 'amount', order_id, NULL, NULL, NULL, NULL,
                   NULL, NULL, amount_untaxed, amount_untaxed + diff
              FROM order_problems
            """
        )

    def action_open_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Sales Order"),
            "res_model": "sale.order",
            "res_id": self.order_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def _sop_difference_label(self):
        """The signed difference as read in a summary: "+2.00 Units", "-10.00 €"."""
        self.ensure_one()
        if self.problem == "amount":
            label = formatLang(
                self.env, abs(self.amount_difference), currency_obj=self.currency_id
            )
            difference = self.amount_difference
        else:
            digits = self.env["decimal.precision"].precision_get(
                "Product Unit of Measure"
            )
            quantity = formatLang(self.env, abs(self.qty_difference), digits=digits)
            label = f"{quantity} {self.product_uom_id.name}"
            difference = self.qty_difference
        return ("+" if difference > 0 else "-") + label
