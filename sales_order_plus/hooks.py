# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo.tools import SQL

from .report.sale_consistency_check import INDEXES

_logger = logging.getLogger(__name__)


def pre_init_hook(env):
    """Give every existing order without a type the default type (OCA's "Normal
    Order", kind standard once installed), before the add-on's stored fields are
    computed from it.

    Orders from before ``sale_order_type`` (or imported by SQL) may have no type. The
    type is written in SQL on purpose: through the ORM, OCA's computes that depend on
    ``type_id`` (payment terms, pricelist, warehouse, shipping policy, validity date,
    analytic distribution) would recompute the figures of confirmed orders.
    """
    normal = env.ref("sale_order_type.normal_sale_type", raise_if_not_found=False)
    env.cr.execute(
        """
        UPDATE sale_order so
           SET type_id = (
                SELECT t.id FROM sale_order_type t
                 WHERE t.active
                   AND (t.company_id IS NULL OR t.company_id = so.company_id)
                 ORDER BY t.id = %s DESC, t.id
                 LIMIT 1)
         WHERE so.type_id IS NULL
        """,
        [normal.id if normal else 0],
    )
    if env.cr.rowcount:
        _logger.info(
            "Order type set on %s existing orders without one", env.cr.rowcount
        )
    _fill_invoice_type_columns(env)


def uninstall_hook(env):
    """Keep the shipped order types that orders or invoices use, drop the indexes the
    add-on created on core tables, cancel the add-on's jobs not run yet."""
    _keep_used_types(env)
    _drop_indexes(env)
    _cancel_waiting_jobs(env)


def _keep_used_types(env):
    """Odoo deletes a module's records on uninstall; a type still referenced by orders
    cannot go (the orders keep their type, ``ondelete="restrict"``) and the failed
    deletion is logged as an error. Detaching such types from the add-on leaves them as
    plain OCA types, with their names, on the same orders.
    """
    data = env["ir.model.data"].search(
        [("module", "=", "sales_order_plus"), ("model", "=", "sale.order.type")]
    )
    type_ids = tuple(data.mapped("res_id")) or (0,)
    env.cr.execute(
        """
        SELECT type_id FROM sale_order WHERE type_id IN %(ids)s
         UNION
        SELECT sale_type_id FROM account_move WHERE sale_type_id IN %(ids)s
        """,
        {"ids": type_ids},
    )
    used = {row[0] for row in env.cr.fetchall()}
    kept = data.filtered(lambda d: d.res_id in used)
    if kept:
        _logger.info(
            "Order types kept after uninstall: %s", ", ".join(kept.mapped("name"))
        )
        kept.unlink()


def _cancel_waiting_jobs(env):
    """Jobs of the add-on not run yet would fail once its methods are gone: they are
    cancelled (kept in the job list, with their state saying so)."""
    functions = env["ir.model.data"].search(
        [("module", "=", "sales_order_plus"), ("model", "=", "queue.job.function")]
    )
    names = env["queue.job.function"].browse(functions.mapped("res_id")).mapped("name")
    jobs = env["queue.job"].search(
        [
            ("job_function_id.name", "in", names),
            ("state", "in", ("wait_dependencies", "pending", "enqueued")),
        ]
    )
    jobs.button_cancelled()


def _drop_indexes(env):
    """The consistency check's partial indexes live on Odoo's tables (stock moves,
    purchase lines, invoices): Odoo drops the add-on's views and columns, not them."""
    for name in INDEXES:
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))


def _fill_invoice_type_columns(env):
    """Create and fill the stored order type and kind of invoices and journal items
    in SQL before the ORM sees them: the ORM would otherwise recompute them record by
    record for every journal item of the database. Every existing type gets the kind
    "standard" (the kind's default) when the add-on installs."""
    cr = env.cr
    cr.execute(
        """
        ALTER TABLE account_move ADD COLUMN IF NOT EXISTS sale_type_kind varchar;
        ALTER TABLE account_move_line
            ADD COLUMN IF NOT EXISTS sale_type_id integer,
            ADD COLUMN IF NOT EXISTS sale_type_kind varchar;
        UPDATE account_move
           SET sale_type_kind = 'standard'
         WHERE sale_type_id IS NOT NULL;
        UPDATE account_move_line line
           SET sale_type_id = move.sale_type_id,
               sale_type_kind = 'standard'
          FROM account_move move
         WHERE move.id = line.move_id
           AND move.sale_type_id IS NOT NULL;
        """
    )
