# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Availability at confirmation: the type's policy when goods are short.

In the confirmation pipeline (models/sale_order.py): ``_sop_promise_confirm``, after
every kind's checks, computes the promises of the goods lines
(models/sale_order_line_availability.py) under row locks on their products, refuses,
or writes what is promised (and moves the dates); ``_sop_after_confirm`` puts the part
promised later on a backorder transfer of its own. Standard orders check only when
their type says so; the kinds add their days, dates and commitments (the hooks
``_sop_availability_*`` of models/sale_order_line_availability.py, overridden in
models/kind_<kind>.py).
"""

from collections import defaultdict

from odoo import _, api, fields, models
from odoo.tools import float_compare, format_datetime

from .integrity import lock_claim, raise_problems


class SaleOrder(models.Model):
    _inherit = "sale.order"

    sop_availability_policy = fields.Selection(
        related="type_id.availability_policy", string="Availability Policy"
    )
    sop_availability_state = fields.Selection(
        selection=[
            ("full", "Fully confirmed"),
            ("partial", "Partly confirmed"),
            ("none", "Not confirmed"),
        ],
        string="Availability",
        compute="_compute_sop_availability_state",
        store=True,
        index=True,
        help="What the confirmation promised for the goods on their delivery date "
        "(types that check availability): all of them, part of them (the rest on a "
        "backorder), or none of them.",
    )

    @api.depends(
        "state",
        "order_line.sop_commit_qty",
        "order_line.sop_commit_date",
        "order_line.product_uom_qty",
    )
    def _compute_sop_availability_state(self):
        for order in self:
            lines = order._sop_product_lines().filtered(
                lambda line: line.sop_commit_date
            )
            if order.state != "sale" or not lines:
                order.sop_availability_state = False
                continue
            short = lines.filtered(
                lambda line: float_compare(
                    line.sop_commit_qty,
                    line.product_uom_qty,
                    precision_rounding=line.product_uom.rounding,
                )
                < 0
            )
            if not short:
                order.sop_availability_state = "full"
            elif short == lines and not any(line.sop_commit_qty > 0 for line in lines):
                order.sop_availability_state = "none"
            else:
                order.sop_availability_state = "partial"

    # ------------------------------------------------------------------
    # Confirmation
    # ------------------------------------------------------------------
    def _sop_promise_confirm(self):
        res = super()._sop_promise_confirm()
        self._sop_availability_confirm()
        return res

    def _sop_availability_confirm(self):
        """Promise the goods of the checked orders among ``self``: refuse the short
        lines of a refusing type (all problems at once), else write the promises."""
        orders = self.filtered(
            lambda o: o.type_id.availability_policy not in (False, "none")
        )
        if not orders:
            return
        lines = orders._sop_product_lines().filtered(
            lambda line: line._sop_availability_checked()
        )
        problems = [
            _(
                "%(order)s: the warehouse %(warehouse)s is archived; choose another "
                "one.",
                order=order.name,
                warehouse=order.warehouse_id.display_name,
            )
            for order in orders
            if order.warehouse_id and not order.warehouse_id.active
        ]
        raise_problems(_("These orders cannot be confirmed:"), problems)
        demands = lines._sop_availability_demands()
        # Two checks at once for the same goods: the second one computes again after
        # the first committed (its promise is then in the moves it reads).
        self.env.flush_all()
        lock_claim(self.env["product.product"].browse({d.product.id for d in demands}))
        split = {
            d.key
            for d in demands
            if d.line.order_id.type_id.availability_policy == "partial"
        }
        promises = lines._sop_availability_promises(demands, split)
        for demand in demands:
            promise = promises[demand.key]
            policy = demand.line.order_id.type_id.availability_policy
            if promise.full_dt is False:
                problems.append(
                    _(
                        "%(order)s, %(product)s: %(available)s of %(qty)s %(uom)s on "
                        "%(date)s; no planned receipt or vendor covers the rest",
                        **demand.line._sop_availability_message_values(demand, promise),
                    )
                )
            elif policy == "refuse" and promise.full_dt != promise.ship_dt:
                problems.append(
                    _(
                        "%(order)s, %(product)s: %(available)s of %(qty)s %(uom)s on "
                        "%(date)s; the whole quantity from %(full_date)s",
                        **demand.line._sop_availability_message_values(demand, promise),
                    )
                )
        raise_problems(
            _(
                "These orders cannot be confirmed: the stock on hand, the planned "
                "receipts and the existing commitments do not cover these lines on "
                "their delivery date:"
            ),
            problems,
        )
        orders._sop_availability_commit(lines, demands, promises)

    def _sop_availability_commit(self, lines, demands, promises):
        """Write the promises on the lines (kinds: and on their dates)."""
        reschedule = lines.filtered(
            lambda line: line.order_id.type_id.availability_policy == "reschedule"
        )
        # One write per distinct promise, not per line.
        by_values = defaultdict(lambda: self.env["sale.order.line"])
        for line, promise in lines._sop_availability_by_line(demands, promises).items():
            if line in reschedule or promise.full_dt == promise.ship_dt:
                values = (line.product_uom_qty, promise.full_dt, False)
            else:
                values = (promise.qty, promise.ship_dt, promise.full_dt)
            by_values[values] |= line
        for (qty, date, full_date), same in by_values.items():
            same.write(
                {
                    "sop_commit_qty": qty,
                    "sop_commit_date": date,
                    "sop_commit_full_date": full_date,
                }
            )
        for order in reschedule.order_id:
            order._sop_availability_reschedule()

    def _sop_availability_reschedule(self):
        """Move the delivery date of the order to the latest full date of its lines
        (a kind that sets the delivery date itself at confirmation weighs the full
        dates there)."""
        self.ensure_one()
        latest = max(
            (d for d in self.order_line.mapped("sop_commit_date") if d), default=False
        )
        if latest and latest > (self.commitment_date or self.expected_date or latest):
            self.commitment_date = latest

    def _sop_after_confirm(self):
        res = super()._sop_after_confirm()
        self.order_line.filtered(
            lambda line: line._sop_availability_backordered()
        )._sop_availability_backorder()
        return res


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _sop_availability_message_values(self, demand, promise):
        self.ensure_one()
        return {
            "order": self.order_id.name,
            "product": self.product_id.display_name,
            "available": promise.qty,
            "qty": demand.uom_qty,
            "uom": self.product_uom.name,
            "date": format_datetime(self.env, promise.ship_dt, dt_format="short"),
            "full_date": promise.full_dt
            and format_datetime(self.env, promise.full_dt, dt_format="short"),
        }
