# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Delivery schedule as a standing agreement: validity, target quantities and our
cumulative delivered quantities (Fortschrittszahlen).

* Validity (from/to) on the order: a schedule line dated outside it is refused, and
  the release never releases a line outside it (``_sop_schedule_is_due``,
  ``_sop_schedule_release``).
* Target quantity per agreement line: a warning (never a block) when the scheduled
  or delivered total goes beyond it.
* Cumulative quantities: the year of the agreement starts on a day and month set on
  the type (1 January by default) or on the order. Our cumulative delivered quantity
  per agreement line counts the done deliveries minus refunded returns since the
  current start date, with the last delivery note sent; it starts again from zero on
  the next start date. It depends on today's date, so it is computed when read (not
  stored), for all lines read at once.
"""

import calendar
from datetime import date, datetime, time

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare, format_date

_MONTHS = [
    ("1", "January"),
    ("2", "February"),
    ("3", "March"),
    ("4", "April"),
    ("5", "May"),
    ("6", "June"),
    ("7", "July"),
    ("8", "August"),
    ("9", "September"),
    ("10", "October"),
    ("11", "November"),
    ("12", "December"),
]


class SaleOrderType(models.Model):
    _inherit = "sale.order.type"

    sop_cum_start_day = fields.Integer(
        string="Cumulative Start Day",
        default=1,
        help="Day of the month on which the cumulative quantities of the delivery "
        "schedules of this type start again from zero each year.",
    )
    sop_cum_start_month = fields.Selection(
        selection=_MONTHS,
        string="Cumulative Start Month",
        default="1",
        help="Month in which the cumulative quantities of the delivery schedules of "
        "this type start again from zero each year.",
    )

    @api.constrains("sop_cum_start_day", "sop_cum_start_month")
    def _check_sop_cum_start(self):
        for order_type in self:
            if order_type.kind != "schedule":
                continue
            order_type._sop_check_day_month(
                order_type.sop_cum_start_day, order_type.sop_cum_start_month or "1"
            )

    def _sop_check_day_month(self, day, month):
        """``day`` must exist in ``month`` (29 February does: leap years)."""
        self.ensure_one()
        if not 1 <= day <= calendar.monthrange(2024, int(month))[1]:
            raise ValidationError(
                self.env._(
                    "%(name)s: the cumulative quantities cannot start on day "
                    "%(day)s of %(month)s.",
                    name=self.display_name,
                    day=day,
                    month=dict(
                        self._fields["sop_cum_start_month"]._description_selection(
                            self.env
                        )
                    )[month],
                )
            )


class SaleOrder(models.Model):
    _inherit = "sale.order"

    sop_validity_from = fields.Date(
        string="Valid From",
        copy=False,
        help="First day of the delivery schedule agreement: no schedule line before.",
    )
    sop_validity_to = fields.Date(
        string="Valid To",
        copy=False,
        help="Last day of the delivery schedule agreement: no schedule line after.",
    )
    sop_cum_start_day = fields.Integer(
        string="Cumulative Start Day",
        help="Overrides the type's day on which the cumulative quantities start "
        "again (empty: the type's).",
    )
    sop_cum_start_month = fields.Selection(
        selection=_MONTHS,
        string="Cumulative Start Month",
        help="Overrides the type's month in which the cumulative quantities start "
        "again (empty: the type's).",
    )
    sop_cum_start_date = fields.Date(
        string="Cumulative Since",
        compute="_compute_sop_cum_start_date",
        help="Start of the current cumulative quantities: the last start day and "
        "month (of the order, else of its type) up to today.",
    )
    sop_agreement_line_ids = fields.One2many(
        comodel_name="sale.order.line",
        compute="_compute_sop_agreement_line_ids",
        string="Cumulative Quantities",
    )
    sop_target_warning = fields.Char(
        string="Target Warning", compute="_compute_sop_target_warning"
    )

    @api.depends(
        "sop_cum_start_day",
        "sop_cum_start_month",
        "type_id.sop_cum_start_day",
        "type_id.sop_cum_start_month",
    )
    def _compute_sop_cum_start_date(self):
        # The company's today: the customer and every user count from one date.
        Schedule = self.env["sale.order.schedule.line"]
        for order in self:
            order.sop_cum_start_date = (
                order._sop_cum_start_date(
                    Schedule._sop_schedule_today(order.company_id)
                )
                if order.type_kind == "schedule"
                else False
            )

    def _sop_cum_start_date(self, today):
        """The last start of the cumulative quantities on or before ``today``."""
        self.ensure_one()
        day = self.sop_cum_start_day or self.type_id.sop_cum_start_day or 1
        month = int(self.sop_cum_start_month or self.type_id.sop_cum_start_month or 1)

        def on(year):
            return date(year, month, min(day, calendar.monthrange(year, month)[1]))

        start = on(today.year)
        return start if start <= today else on(today.year - 1)

    @api.depends("order_line.schedule_line_ids")
    def _compute_sop_agreement_line_ids(self):
        for order in self:
            order.sop_agreement_line_ids = order.order_line.filtered(
                lambda sl: sl.id and sl._sop_schedule_is_scheduled()
            )

    @api.depends(
        "order_line.sop_target_qty",
        "order_line.schedule_qty",
        "order_line.qty_delivered",
    )
    def _compute_sop_target_warning(self):
        for order in self:
            beyond = order.order_line.filtered("sop_target_exceeded")
            order.sop_target_warning = (
                _(
                    "Beyond the target quantity: %(lines)s",
                    lines=", ".join(
                        self.env._(
                            "%(product)s (%(total)s of %(target)s)",
                            product=line.product_id.display_name,
                            total=line._sop_target_total(),
                            target=line.sop_target_qty,
                        )
                        for line in beyond
                    ),
                )
                if beyond
                else False
            )

    @api.constrains("sop_validity_from", "sop_validity_to")
    def _check_sop_validity(self):
        for order in self:
            if (
                order.sop_validity_from
                and order.sop_validity_to
                and order.sop_validity_to < order.sop_validity_from
            ):
                raise ValidationError(
                    _(
                        "The validity of %(order)s ends (%(end)s) before it starts "
                        "(%(start)s).",
                        order=order.display_name,
                        end=format_date(self.env, order.sop_validity_to),
                        start=format_date(self.env, order.sop_validity_from),
                    )
                )
        # Existing lines must lie inside the new validity.
        self.schedule_line_ids._check_sop_validity()

    @api.constrains("sop_cum_start_day", "sop_cum_start_month")
    def _check_sop_cum_start(self):
        for order in self.filtered(
            lambda o: o.sop_cum_start_day or o.sop_cum_start_month
        ):
            order.type_id._sop_check_day_month(
                order.sop_cum_start_day or order.type_id.sop_cum_start_day or 1,
                order.sop_cum_start_month or order.type_id.sop_cum_start_month or "1",
            )

    def _sop_validity_text(self):
        self.ensure_one()
        return _(
            "%(start)s to %(end)s",
            start=format_date(self.env, self.sop_validity_from)
            if self.sop_validity_from
            else "…",
            end=format_date(self.env, self.sop_validity_to)
            if self.sop_validity_to
            else "…",
        )

    def _sop_in_validity(self, day):
        self.ensure_one()
        return (not self.sop_validity_from or day >= self.sop_validity_from) and (
            not self.sop_validity_to or day <= self.sop_validity_to
        )


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    sop_target_qty = fields.Float(
        string="Target Quantity",
        digits="Product Unit of Measure",
        help="Quantity the delivery schedule agreement aims at: a warning shows when "
        "the scheduled or delivered total goes beyond it (it is not a limit).",
    )
    sop_target_exceeded = fields.Boolean(
        string="Beyond Target", compute="_compute_sop_target_exceeded"
    )
    sop_cum_start_date = fields.Date(
        related="order_id.sop_cum_start_date", string="Cumulative Since"
    )
    sop_cum_delivered_qty = fields.Float(
        string="Cumulative Delivered",
        compute="_compute_sop_cum_delivered",
        digits="Product Unit of Measure",
        help="Delivered to the customer since the start of the cumulative "
        "quantities, returns to be refunded deducted.",
    )
    sop_cum_last_picking_id = fields.Many2one(
        comodel_name="stock.picking",
        string="Last Delivery Note",
        compute="_compute_sop_cum_delivered",
        help="The last delivery sent since the start of the cumulative quantities.",
    )

    sop_cum_difference = fields.Float(
        string="Cumulative Difference",
        compute="_compute_sop_cum_difference",
        digits="Product Unit of Measure",
        help="Our cumulative delivered quantity minus the customer's cumulative "
        "received quantity of the latest applied schedule version: goods in transit, "
        "or a delivery the two sides see differently.",
    )

    @api.depends("sop_cum_delivered_qty", "sop_customer_cum_qty")
    def _compute_sop_cum_difference(self):
        for line in self:
            line.sop_cum_difference = (
                line.sop_cum_delivered_qty - line.sop_customer_cum_qty
            )

    def _sop_target_total(self):
        self.ensure_one()
        return max(self.schedule_qty, self.qty_delivered)

    @api.depends("sop_target_qty", "schedule_qty", "qty_delivered")
    def _compute_sop_target_exceeded(self):
        for line in self:
            line.sop_target_exceeded = bool(
                line.sop_target_qty
                and float_compare(
                    line._sop_target_total(),
                    line.sop_target_qty,
                    precision_rounding=line.product_uom.rounding or 0.001,
                )
                > 0
            )

    @api.depends(
        "move_ids.state",
        "move_ids.date",
        "move_ids.quantity",
        "order_id.sop_cum_start_date",
    )
    def _compute_sop_cum_delivered(self):
        # Odoo's rule for the delivered quantity (sale_stock's
        # _compute_qty_delivered) on the moves done since the start date. The
        # moves of all lines are read at once (prefetch), no query per line.
        Schedule = self.env["sale.order.schedule.line"]
        lines = self.filtered(
            lambda sl: sl._origin.id and sl.order_id.sop_cum_start_date
        )
        lines._origin.move_ids.fetch(["state", "date", "quantity", "picking_id"])
        for line in self:
            qty = 0.0
            last = self.env["stock.move"]
            if line in lines:
                # The start day begins at midnight in the company's time zone.
                tz = pytz.timezone(Schedule._sop_schedule_tz(line.company_id))
                since = (
                    tz.localize(
                        datetime.combine(line.order_id.sop_cum_start_date, time.min)
                    )
                    .astimezone(pytz.utc)
                    .replace(tzinfo=None)
                )
                outgoing, incoming = line._origin._get_outgoing_incoming_moves()
                for moves, sign in ((outgoing, 1), (incoming, -1)):
                    for move in moves:
                        if move.state != "done" or move.date < since:
                            continue
                        qty += sign * move.product_uom._compute_quantity(
                            move.quantity, line.product_uom, rounding_method="HALF-UP"
                        )
                        if sign > 0 and (
                            not last or (move.date, move.id) > (last.date, last.id)
                        ):
                            last = move
            line.sop_cum_delivered_qty = qty
            line.sop_cum_last_picking_id = last.picking_id


class SaleOrderScheduleLine(models.Model):
    _inherit = "sale.order.schedule.line"

    @api.constrains("date", "cancelled", "order_line_id")
    def _check_sop_validity(self):
        outside = self.filtered(
            lambda s: not s.cancelled
            and s.state in ("planned", "released")
            and s.date
            and not s.order_id._sop_in_validity(s.date)
        )
        if outside:
            raise ValidationError(
                _(
                    "These schedule lines are dated outside the validity of their "
                    "agreement: %(lines)s.",
                    lines="; ".join(
                        self.env._(
                            "%(line)s (%(order)s valid %(validity)s)",
                            line=line.display_name,
                            order=line.order_id.name,
                            validity=line.order_id._sop_validity_text(),
                        )
                        for line in outside
                    ),
                )
            )

    def _sop_schedule_is_due(self, today=None):
        return super()._sop_schedule_is_due(today=today) and (
            self.order_id._sop_in_validity(self.date)
        )

    def _sop_schedule_release(self):
        # Never release outside the validity (release now included).
        return super(
            SaleOrderScheduleLine,
            self.filtered(lambda s: s.order_id._sop_in_validity(s.date)),
        )._sop_schedule_release()
