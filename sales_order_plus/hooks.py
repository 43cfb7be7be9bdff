# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

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
