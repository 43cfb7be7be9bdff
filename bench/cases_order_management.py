"""Order management reports on 100,000 order lines: first page of the demand trends,
the fast/slow movers and the consistency check, and their pivots, next to Odoo's own
sales analysis and order list on the same data.

The history is written with bulk SQL (20,000 orders of 5 lines, their stock moves,
invoices, a few credit notes and draft invoices) because the ORM would take far longer
than the measures; the figures it writes are the stored fields Odoo keeps on the lines.
Each report's queries are printed with EXPLAIN ANALYZE (stderr).
"""

import sys

from odoo.tools import SQL

ORDERS = 20_000
LINES_PER_ORDER = 5
PRODUCTS = 500
CUSTOMERS = 500


def _generate(b):
    env = b.env
    cr = env.cr
    company = env.company
    warehouse = b.warehouse()
    customer_location = env.ref("stock.stock_location_customers")
    unit = env.ref("uom.product_uom_unit")
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    income = journal.default_account_id
    types = [
        env.ref("sale_order_type.normal_sale_type"),
        env.ref("sales_order_plus.type_cash_sale"),
        env.ref("sales_order_plus.type_rush_order"),
        env.ref("sales_order_plus.type_delivery_schedule"),
        env.ref("sales_order_plus.type_third_party"),
    ]
    products = b.products(PRODUCTS, stock=0)
    partners = env["res.partner"].create(
        [{"name": f"Bench report customer {i}"} for i in range(CUSTOMERS)]
    )
    params = {
        "company": company.id,
        "currency": company.currency_id.id,
        "warehouse": warehouse.id,
        "stock": warehouse.lot_stock_id.id,
        "customer": customer_location.id,
        "unit": unit.id,
        "journal": journal.id,
        "income": income.id,
        "uid": env.uid,
        "orders": ORDERS,
        "lines": LINES_PER_ORDER,
        "products": products.ids,
        "partners": partners.ids,
        "types": [t.id for t in types],
        "kinds": [t.kind for t in types],
    }

    def run(query):
        cr.execute(query, params)  # psycopg2's own %(name)s parameters

    env.flush_all()
    # Orders over the last two years; one in twenty is still a quotation.
    run(
        """
        INSERT INTO sale_order (name, company_id, partner_id, partner_invoice_id,
            partner_shipping_id, date_order, picking_policy, state, type_id, type_kind,
            currency_id, currency_rate, user_id, warehouse_id, invoice_status, locked,
            create_uid, write_uid, create_date, write_date)
        SELECT 'BENCH/' || g, %(company)s, p, p, p,
               now() at time zone 'utc' - (g %% 730) * interval '1 day'
                   - (g %% 24) * interval '1 hour',
               'direct', CASE WHEN g %% 20 = 0 THEN 'draft' ELSE 'sale' END,
               (%(types)s::int[])[1 + g %% 5], (%(kinds)s::varchar[])[1 + g %% 5],
               %(currency)s, 1.0, %(uid)s, %(warehouse)s, 'no', false,
               %(uid)s, %(uid)s, now(), now()
          FROM generate_series(1, %(orders)s) g,
               LATERAL (SELECT (%(partners)s::int[])[1 + g %% array_length(
                   %(partners)s::int[], 1)] AS p) partner
        """
    )
    # Lines: 70 % delivered and invoiced, 15 % partly delivered with a backorder, 10 %
    # not delivered yet, 3 % delivered short without backorder, 2 % over-invoiced.
    run(
        """
        INSERT INTO sale_order_line (order_id, name, sequence, product_id, product_uom,
            product_uom_qty, price_unit, discount, price_subtotal, price_tax,
            price_total,
            price_reduce_taxexcl, customer_lead, state, company_id, currency_id,
            order_partner_id, qty_delivered_method, qty_delivered, qty_invoiced,
            qty_to_invoice, invoice_status, untaxed_amount_invoiced,
            untaxed_amount_to_invoice, is_downpayment, warehouse_id,
            create_uid, write_uid, create_date, write_date)
        SELECT o.id, 'Bench line', k, product, %(unit)s, qty, 10, 0, qty * 10, 0,
               qty * 10, 10, 0, o.state, %(company)s, %(currency)s, o.partner_id,
               'stock_move', delivered, invoiced,
               CASE WHEN o.state = 'sale' THEN qty - invoiced ELSE 0 END,
               CASE WHEN o.state <> 'sale' THEN 'no'
                    WHEN invoiced >= qty THEN 'invoiced' ELSE 'to invoice' END,
               invoiced * 10, (qty - invoiced) * 10, false, %(warehouse)s,
               %(uid)s, %(uid)s, now(), now()
          FROM sale_order o
          CROSS JOIN generate_series(1, %(lines)s) k
          CROSS JOIN LATERAL (
              SELECT (%(products)s::int[])[1 + (o.id * 7 + k) %% %(lines)s * 100
                         + (o.id / 3) %% 100] AS product,
                     (1 + (o.id + k) %% 10)::numeric AS qty,
                     (o.id * %(lines)s + k) %% 100 AS h) base
          CROSS JOIN LATERAL (
              SELECT CASE WHEN o.state <> 'sale' OR h BETWEEN 85 AND 94 THEN 0
                          WHEN h BETWEEN 70 AND 84 THEN GREATEST(qty - 1, 0)
                          WHEN h BETWEEN 95 AND 97 THEN qty - 1
                          ELSE qty END AS delivered,
                     CASE WHEN o.state <> 'sale' OR h BETWEEN 70 AND 94 THEN 0
                          WHEN h BETWEEN 95 AND 97 THEN qty - 1
                          WHEN h >= 98 THEN qty + 1
                          ELSE qty END AS invoiced) figures
         WHERE o.name LIKE 'BENCH/%%'
        """
    )
    run(
        """
        UPDATE sale_order o
           SET amount_untaxed = t.amount, amount_total = t.amount, amount_tax = 0,
               invoice_status = CASE WHEN o.state <> 'sale' THEN 'no'
                                     WHEN t.todo THEN 'to invoice'
                                     ELSE 'invoiced' END
          FROM (SELECT order_id, SUM(price_subtotal) AS amount,
                       bool_or(invoice_status = 'to invoice') AS todo
                  FROM sale_order_line GROUP BY order_id) t
         WHERE t.order_id = o.id AND o.name LIKE 'BENCH/%%'
        """
    )
    cr.execute("ANALYZE sale_order, sale_order_line")
    # Done deliveries, then the open ones (backorders and lines not delivered yet).
    run(
        """
        INSERT INTO stock_move (name, company_id, product_id, product_uom,
            product_uom_qty, product_qty, quantity, location_id, location_dest_id,
            procure_method, date, state, sale_line_id, warehouse_id, picked,
            create_uid, write_uid, create_date, write_date)
        SELECT 'Bench delivery', %(company)s, l.product_id, %(unit)s, m.qty, m.qty,
               m.qty,
               %(stock)s, %(customer)s, 'make_to_stock', o.date_order, m.state, l.id,
               %(warehouse)s, m.state = 'done', %(uid)s, %(uid)s, now(), now()
          FROM sale_order_line l
          JOIN sale_order o ON o.id = l.order_id
          CROSS JOIN LATERAL (
              SELECT l.qty_delivered AS qty, 'done' AS state
               WHERE l.qty_delivered > 0
              UNION ALL
              SELECT l.product_uom_qty - l.qty_delivered, 'confirmed'
               WHERE l.qty_delivered < l.product_uom_qty
                 AND (o.id * %(lines)s + l.sequence) %% 100 NOT BETWEEN 95 AND 97) m
         WHERE o.state = 'sale' AND o.name LIKE 'BENCH/%%'
        """
    )
    # One posted invoice per order with invoiced lines, its lines and their links.
    run(
        """
        INSERT INTO account_move (name, journal_id, currency_id, state, move_type,
            auto_post, date, invoice_date, partner_id, commercial_partner_id,
            company_id,
            sale_type_id, sale_type_kind, amount_untaxed, amount_total,
            amount_untaxed_signed, amount_total_signed, invoice_origin,
            create_uid, write_uid, create_date, write_date)
        SELECT 'BINV/' || o.id, %(journal)s, %(currency)s, 'posted', 'out_invoice',
               'no', o.date_order::date, o.date_order::date, o.partner_id, o.partner_id,
               %(company)s, o.type_id, o.type_kind, t.amount, t.amount, t.amount,
               t.amount, o.name, %(uid)s, %(uid)s, now(), now()
          FROM sale_order o
          JOIN (SELECT order_id, SUM(untaxed_amount_invoiced) AS amount
                  FROM sale_order_line WHERE qty_invoiced > 0 GROUP BY order_id) t
            ON t.order_id = o.id
         WHERE o.name LIKE 'BENCH/%%'
        """
    )
    run(
        """
        WITH inserted AS (
            INSERT INTO account_move_line (move_id, name, currency_id,
                company_currency_id, display_type, product_id, product_uom_id,
                quantity, price_unit, price_subtotal, price_total, balance,
                amount_currency, debit, credit, account_id, company_id, journal_id,
                parent_state, date, partner_id, sale_type_id, sale_type_kind,
                create_uid, write_uid, create_date, write_date)
            SELECT m.id, 'sol:' || l.id, %(currency)s, %(currency)s, 'product',
                   l.product_id, %(unit)s, l.qty_invoiced, 10,
                   l.untaxed_amount_invoiced, l.untaxed_amount_invoiced,
                   -l.untaxed_amount_invoiced, -l.untaxed_amount_invoiced, 0,
                   l.untaxed_amount_invoiced, %(income)s, %(company)s, %(journal)s,
                   'posted', m.date, m.partner_id, m.sale_type_id, m.sale_type_kind,
                   %(uid)s, %(uid)s, now(), now()
              FROM sale_order_line l
              JOIN sale_order o ON o.id = l.order_id
              JOIN account_move m ON m.name = 'BINV/' || o.id
             WHERE l.qty_invoiced > 0
            RETURNING id, name)
        INSERT INTO sale_order_line_invoice_rel (order_line_id, invoice_line_id)
        SELECT substr(name, 5)::int, id FROM inserted
        """
    )
    # A few credit notes (one in a hundred invoices) and draft invoices.
    for move_type, state, modulo in (
        ("out_refund", "posted", 100),
        ("out_invoice", "draft", 150),
    ):
        params.update(move_type=move_type, state=state, modulo=modulo)
        run(
            """
            WITH moves AS (
                INSERT INTO account_move (name, journal_id, currency_id, state,
                    move_type, auto_post, date, partner_id, company_id, sale_type_id,
                    sale_type_kind, invoice_origin, create_uid, write_uid, create_date,
                    write_date)
                SELECT 'BREF/' || %(move_type)s || '/' || o.id, %(journal)s,
                       %(currency)s, %(state)s, %(move_type)s, 'no', now()::date,
                       o.partner_id, %(company)s, o.type_id, o.type_kind, o.name,
                       %(uid)s, %(uid)s, now(), now()
                  FROM sale_order o
                 WHERE o.name LIKE 'BENCH/%%' AND o.id %% %(modulo)s = 0
                   AND o.state = 'sale'
                RETURNING id, invoice_origin, date, partner_id),
            lines AS (
                INSERT INTO account_move_line (move_id, name, currency_id,
                    display_type, product_id, quantity, price_unit, price_subtotal,
                    account_id, company_id, journal_id, parent_state, date,
                    partner_id, create_uid, write_uid, create_date, write_date)
                SELECT m.id, 'sol:' || l.id, %(currency)s, 'product', l.product_id, 1,
                       10, 10, %(income)s, %(company)s, %(journal)s, %(state)s, m.date,
                       m.partner_id, %(uid)s, %(uid)s, now(), now()
                  FROM moves m
                  JOIN sale_order o ON o.name = m.invoice_origin
                  JOIN sale_order_line l ON l.order_id = o.id AND l.sequence = 1
                RETURNING id, name)
            INSERT INTO sale_order_line_invoice_rel (order_line_id, invoice_line_id)
            SELECT substr(name, 5)::int, id FROM lines
            """
        )
    # Stock on hand for four products in five.
    run(
        """
        INSERT INTO stock_quant (product_id, location_id, company_id, quantity,
            reserved_quantity, in_date, create_uid, write_uid, create_date, write_date)
        SELECT p, %(stock)s, %(company)s, 50 + (p %% 7) * 40, 0, now(),
               %(uid)s, %(uid)s, now(), now()
          FROM unnest(%(products)s::int[]) p
         WHERE p %% 5 <> 0
        """
    )
    cr.execute(
        "ANALYZE sale_order, sale_order_line, stock_move, account_move, "
        "account_move_line, sale_order_line_invoice_rel, stock_quant"
    )
    env.invalidate_all()
    cr.execute("SELECT count(*) FROM sale_order_line WHERE name = 'Bench line'")
    print(f"-- generated {cr.fetchone()[0]} order lines", file=sys.stderr)


def _spec(model, names):
    fields = model._fields
    return {
        name: {"fields": {"display_name": {}}}
        if fields[name].type == "many2one"
        else {}
        for name in names
    }


def _explain(b, label, run):
    """Run ``run`` once, then EXPLAIN ANALYZE each query it sent to a report."""
    cr = b.env.cr
    executed = []
    execute = cr.execute

    def recorder(query, params=None, log_exceptions=True):
        executed.append((query, params))
        return execute(query, params, log_exceptions)

    b.env.invalidate_all()
    cr.execute = recorder
    try:
        run(None)
    finally:
        del cr.execute
    tables = ("sale_demand_trend", "sale_product_mover", "sale_consistency_check")
    for query, params in executed:
        if isinstance(query, SQL):
            query, params = query.code, query.params
        if not any(table in query for table in tables):
            continue
        cr.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params)
        plan = "\n".join(row[0] for row in cr.fetchall())
        print(f"\n==== {label}\n{query}\n---- plan\n{plan}", file=sys.stderr)


def case_order_management_reports(b):
    _generate(b)
    env = b.env
    trend = env["sale.demand.trend"]
    movers = env["sale.product.mover"]
    check = env["sale.consistency.check"]
    since = b.today().replace(day=1).replace(year=b.today().year - 1)
    trend_domain = [("month", ">=", since)]  # the action's default filter

    def first_page(model, domain, names):
        spec = _spec(model, names)
        return lambda _s: model.web_search_read(domain, spec, limit=80)

    cases = [
        (
            "plain Odoo: sales analysis pivot (sale.report, product x month)",
            lambda _s: env["sale.report"].read_group(
                [], ["product_uom_qty:sum"], ["product_id", "date:month"], lazy=False
            ),
            None,
        ),
        (
            "plain Odoo: orders list, first page (sale.order)",
            first_page(
                env["sale.order"],
                [("state", "=", "sale")],
                [
                    "name",
                    "date_order",
                    "partner_id",
                    "user_id",
                    "amount_total",
                    "state",
                ],
            ),
            None,
        ),
        (
            "demand trends: list, first page (12 months)",
            first_page(
                trend,
                trend_domain,
                [
                    "month",
                    "product_id",
                    "type_id",
                    "type_kind",
                    "qty_ordered",
                    "qty_delivered",
                    "product_uom_id",
                    "amount_untaxed",
                    "currency_id",
                ],
            ),
            "plain Odoo: orders list, first page (sale.order)",
        ),
        (
            "demand trends: graph/pivot read_group (month x kind)",
            lambda _s: trend.read_group(
                trend_domain,
                ["qty_ordered:sum"],
                ["month:month", "type_kind"],
                lazy=False,
            ),
            "plain Odoo: sales analysis pivot (sale.report, product x month)",
        ),
        (
            "demand trends: pivot read_group (product x month)",
            lambda _s: trend.read_group(
                trend_domain,
                ["qty_ordered:sum"],
                ["product_id", "month:month"],
                lazy=False,
            ),
            "plain Odoo: sales analysis pivot (sale.report, product x month)",
        ),
        (
            "fast/slow movers: list, first page",
            first_page(
                movers,
                [],
                [
                    "product_id",
                    "qty_sold",
                    "qty_on_hand",
                    "product_uom_id",
                    "days_of_cover",
                    "stock_value",
                    "has_sales",
                    "has_stock",
                ],
            ),
            "plain Odoo: orders list, first page (sale.order)",
        ),
        (
            "fast/slow movers: stock and no sales filter",
            first_page(
                movers,
                [("has_stock", "=", True), ("has_sales", "=", False)],
                ["product_id", "qty_sold", "qty_on_hand", "days_of_cover"],
            ),
            "plain Odoo: orders list, first page (sale.order)",
        ),
        (
            "consistency check: list, first page",
            first_page(
                check,
                [],
                [
                    "date_order",
                    "order_id",
                    "partner_id",
                    "type_id",
                    "problem",
                    "product_id",
                    "qty_expected",
                    "qty_actual",
                    "qty_difference",
                    "amount_difference",
                    "currency_id",
                ],
            ),
            "plain Odoo: orders list, first page (sale.order)",
        ),
        (
            "consistency check: pivot read_group (kind x problem)",
            lambda _s: check.read_group(
                [], ["amount_difference:sum"], ["type_kind", "problem"], lazy=False
            ),
            "plain Odoo: sales analysis pivot (sale.report, product x month)",
        ),
    ]
    for label, run, baseline in cases:
        b.measure(label, lambda: None, run, baseline=baseline)
    counts = check.read_group([], [], ["problem"])
    print(
        "-- consistency problems: "
        + ", ".join(f"{g['problem']} {g['problem_count']}" for g in counts)
        + f"; demand trend rows {trend.search_count([])}"
        + f"; movers {movers.search_count([])}",
        file=sys.stderr,
    )
    for label, run, _baseline in cases[2:]:
        _explain(b, label, run)
