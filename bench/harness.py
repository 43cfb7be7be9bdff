"""Benchmark harness: times and SQL query counts of order flows, side by side.

Cases live in ``bench/cases_*.py``; each module defines functions named ``case_*``
taking a :class:`Bench`. A case builds its data untimed (``prepare``) and measures only
the flow (``run``), repeated, each repetition on fresh records. Query counts are exact
and stable; times are the median of the repetitions (these machines are noisy: read
ratios, which are measured in the same run, rather than absolute figures).
"""

import statistics
import time

import odoo
from odoo import Command, fields


class Bench:
    def __init__(self, env, repeat=5):
        self.env = env
        self.repeat = repeat
        self.rows = []  # (label, ms, queries, baseline label or None)
        self._seq = 0

    # -- measuring -----------------------------------------------------------------
    def measure(self, label, prepare, run, baseline=None, repeat=None):
        """Median time and query count of ``run(prepare())`` over the repetitions."""
        times, queries = [], []
        for _i in range(repeat or self.repeat):
            subject = prepare()
            self.env.flush_all()
            self.env.invalidate_all()
            q0, t0 = odoo.sql_db.sql_counter, time.perf_counter()
            run(subject)
            self.env.flush_all()
            times.append((time.perf_counter() - t0) * 1000)
            queries.append(odoo.sql_db.sql_counter - q0)
        row = (
            label,
            statistics.median(times),
            int(statistics.median(queries)),
            baseline,
        )
        self.rows.append(row)
        return row

    def row(self, label):
        return next(r for r in self.rows if r[0] == label)

    # -- fixtures --------------------------------------------------------------------
    def uid(self, prefix="B"):
        self._seq += 1
        return f"{prefix}{self._seq:05d}"

    def customer(self):
        return self.env["res.partner"].create({"name": f"Bench customer {self.uid()}"})

    def products(self, count, stock=1000.0, **vals):
        """``count`` storable products, each with ``stock`` units in the main stock."""
        values = {
            "type": "consu",
            "is_storable": True,
            "list_price": 10.0,
            "standard_price": 5.0,
            "invoice_policy": "order",
        }
        values.update(vals)
        products = self.env["product.product"].create(
            [dict(values, name=f"Bench product {self.uid('P')}") for _i in range(count)]
        )
        if stock and values.get("is_storable"):
            location = self.warehouse().lot_stock_id
            for product in products:
                self.env["stock.quant"]._update_available_quantity(
                    product, location, stock
                )
        return products

    def warehouse(self):
        return self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )

    def order(self, order_type, products, qty=1.0, partner=None, **vals):
        vals.update(
            partner_id=(partner or self.customer()).id,
            type_id=order_type.id,
            order_line=[
                Command.create({"product_id": p.id, "product_uom_qty": qty})
                for p in products
            ],
        )
        return self.env["sale.order"].create(vals)

    def ref(self, xmlid):
        return self.env.ref(xmlid)

    def today(self):
        return fields.Date.context_today(self.env.user)

    # -- report ----------------------------------------------------------------------
    def table(self):
        out = [
            "| case | ms | queries | ratio ms | ratio queries |",
            "|---|---:|---:|---:|---:|",
        ]
        for label, ms, queries, baseline in self.rows:
            ratio_ms = ratio_q = ""
            if baseline:
                _b, bms, bq, _bb = self.row(baseline)
                ratio_ms = f"{ms / bms:.2f}" if bms else ""
                ratio_q = f"{queries / bq:.2f}" if bq else ""
            out.append(f"| {label} | {ms:.0f} | {queries} | {ratio_ms} | {ratio_q} |")
        return "\n".join(out)
