# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import Counter, defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, float_is_zero

from .integrity import refuse_derived_writes, refuse_non_finite
from .selections import FIRMNESS

# Set by the add-on only: ``released`` by the release (and a cancelled order), the
# rest by Odoo's recomputation from the moves. A client writing them makes a line claim
# a release or a delivery that has no move, and it is never delivered.
_SYSTEM_FIELDS = [
    "released",
    "state",
    "qty_released",
    "qty_delivered",
    "qty_invoiced",
    "qty_open",
]

# How far ahead a delivery may be scheduled: a date beyond is a typing error (2062 for
# 2026, 20027), not an agreement. Long framework contracts stay well within.
SCHEDULE_HORIZON_YEARS = 10


class SaleOrderScheduleLine(models.Model):
    """One agreed delivery of a sales line: a date and a quantity (Lieferplan).

    The behaviour (release, procurement, revisions) lives in models/kind_schedule.py;
    this file holds the data and its figures.
    """

    _name = "sale.order.schedule.line"
    _description = "Delivery Schedule Line"
    _order = "date, order_id, order_line_id, id"
    _rec_names_search = ["order_id", "product_id"]

    order_line_id = fields.Many2one(
        comodel_name="sale.order.line",
        string="Sales Line",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('product_id.type', '=', 'consu'), ('display_type', '=', False), "
        "('order_id.type_kind', '=', 'schedule')]",
    )
    order_id = fields.Many2one(
        related="order_line_id.order_id", store=True, index=True, string="Order"
    )
    product_id = fields.Many2one(
        related="order_line_id.product_id", store=True, index=True, string="Product"
    )
    partner_id = fields.Many2one(
        related="order_id.partner_id", store=True, string="Customer", index=True
    )
    company_id = fields.Many2one(
        related="order_id.company_id", store=True, index=True, string="Company"
    )
    product_uom = fields.Many2one(related="order_line_id.product_uom", string="Unit")
    date = fields.Date(string="Delivery Date", required=True, index=True)
    product_uom_qty = fields.Float(
        string="Quantity", digits="Product Unit of Measure", required=True
    )
    firmness = fields.Selection(
        selection=FIRMNESS,
        default="firm",
        required=True,
        index=True,
        help="Firm: delivered when it comes into the release horizon. Forecast: the "
        "customer's planning figure, never released nor delivered until a later "
        "schedule version makes it firm.",
    )
    released = fields.Boolean(
        readonly=True,
        copy=False,
        help="Released to the warehouse: a delivery exists for this date.",
    )
    cancelled = fields.Boolean(readonly=True, copy=False)
    state = fields.Selection(
        selection=[
            ("planned", "Planned"),
            ("released", "Released"),
            ("delivered", "Delivered"),
            ("cancelled", "Cancelled"),
        ],
        compute="_compute_state",
        store=True,
        index=True,
        default="planned",
    )
    move_ids = fields.One2many(
        comodel_name="stock.move", inverse_name="schedule_line_id", string="Stock Moves"
    )
    qty_released = fields.Float(
        string="Released Qty",
        compute="_compute_state",
        store=True,
        digits="Product Unit of Measure",
    )
    qty_delivered = fields.Float(
        string="Delivered Qty",
        compute="_compute_qty_delivered",
        store=True,
        digits="Product Unit of Measure",
    )
    qty_invoiced = fields.Float(
        string="Invoiced Qty",
        compute="_compute_qty_invoiced",
        store=True,
        digits="Product Unit of Measure",
        help="The sales line's invoiced quantity spread over its schedule lines by "
        "date (first come, first invoiced).",
    )
    qty_open = fields.Float(
        string="Open Qty",
        compute="_compute_state",
        store=True,
        digits="Product Unit of Measure",
    )
    qty_cumulative = fields.Float(
        string="Cumulative Qty",
        compute="_compute_qty_cumulative",
        digits="Product Unit of Measure",
        help="Scheduled quantity of this sales line up to and including this date.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        refuse_non_finite(self, vals_list)
        # A new line starts planned and without figures: a client sending others is
        # refused as on write.
        for vals in vals_list:
            given = [
                name
                for name in _SYSTEM_FIELDS
                if vals.get(name) and vals[name] != "planned"
            ]
            if given:
                raise UserError(
                    self._sop_schedule_system_fields_message()
                    % {
                        "fields": ", ".join(
                            self._fields[name]._description_string(self.env)
                            for name in given
                        ),
                        "model": self.env["ir.model"]._get(self._name).name,
                    }
                )
        return super().create(vals_list)

    def write(self, vals):
        refuse_derived_writes(
            self,
            vals,
            _SYSTEM_FIELDS,
            message=self._sop_schedule_system_fields_message(),
        )
        return super().write(vals)

    def _sop_schedule_system_fields_message(self):
        return _(
            "%(fields)s of %(model)s are set by the release and the deliveries: "
            "change the date or the quantity of the line instead."
        )

    def _sop_schedule_set_released(self, released):
        """Mark the lines released (or not), below ``write``, as a recomputation
        writes: ``write`` refuses ``released`` to everyone, since an RPC client can
        send any context key; only the add-on's release and cancel call this."""
        if not self:
            return
        self.flush_recordset()
        self._write({"released": released})
        self.invalidate_recordset(["released"])
        self.modified(["released"])

    @api.depends("product_id", "date")
    def _compute_display_name(self):
        for line in self:
            line.display_name = (
                f"{line.product_id.display_name or ''} "
                f"{fields.Date.to_string(line.date) or ''}".strip()
            )

    @api.depends("released", "cancelled", "product_uom_qty", "qty_delivered")
    def _compute_state(self):
        for line in self:
            rounding = line.order_line_id.product_uom.rounding or 0.001
            if line.cancelled:
                line.state = "cancelled"
            elif (
                line.released
                and float_compare(
                    line.qty_delivered,
                    line.product_uom_qty,
                    precision_rounding=rounding,
                )
                >= 0
                and not float_is_zero(line.product_uom_qty, precision_rounding=rounding)
            ):
                line.state = "delivered"
            elif line.released:
                line.state = "released"
            else:
                line.state = "planned"
            active = not line.cancelled
            line.qty_released = (
                line.product_uom_qty if active and line.released else 0.0
            )
            line.qty_open = (
                max(line.product_uom_qty - line.qty_delivered, 0.0) if active else 0.0
            )

    @api.depends(
        "move_ids.state",
        "move_ids.quantity",
        "move_ids.product_uom",
        "move_ids.to_refund",
        "move_ids.location_dest_id",
    )
    def _compute_qty_delivered(self):
        # Odoo's own rule for a sales line (done outgoing moves minus returns to be
        # refunded), applied per schedule line: computed once per sales line.
        delivered = defaultdict(float)
        for sale_line in self.order_line_id:
            outgoing, incoming = sale_line._get_outgoing_incoming_moves()
            uom = sale_line.product_uom
            for moves, sign in ((outgoing, 1), (incoming, -1)):
                for move in moves.filtered(lambda m: m.state == "done"):
                    delivered[move.schedule_line_id.id] += (
                        sign
                        * move.product_uom._compute_quantity(
                            move.quantity, uom, rounding_method="HALF-UP"
                        )
                    )
        for line in self:
            line.qty_delivered = delivered.get(line._origin.id or line.id, 0.0)

    @api.depends(
        "order_line_id.qty_invoiced",
        "order_line_id.schedule_line_ids.product_uom_qty",
        "order_line_id.schedule_line_ids.date",
        "order_line_id.schedule_line_ids.cancelled",
    )
    def _compute_qty_invoiced(self):
        allocated = {}
        for sale_line in self.order_line_id:
            remaining = sale_line.qty_invoiced
            active = sale_line.schedule_line_ids.filtered(lambda s: not s.cancelled)
            active = active.sorted(lambda s: (s.date, s.id))
            for sched in active:
                share = min(max(remaining, 0.0), sched.product_uom_qty)
                allocated[sched.id] = share
                remaining -= share
            if active and remaining > 0:
                # Invoiced beyond the schedule: shown on the last date.
                allocated[active[-1].id] += remaining
        for line in self:
            line.qty_invoiced = allocated.get(line.id, 0.0)

    @api.depends(
        "order_line_id.schedule_line_ids.product_uom_qty",
        "order_line_id.schedule_line_ids.date",
        "order_line_id.schedule_line_ids.cancelled",
    )
    def _compute_qty_cumulative(self):
        for line in self:
            siblings = line.order_line_id.schedule_line_ids.filtered(
                lambda s, line=line: not s.cancelled
                and (s.date, s.id or 0) <= (line.date, line.id or 0)
            )
            line.qty_cumulative = sum(siblings.mapped("product_uom_qty"))

    @api.constrains("product_uom_qty", "cancelled")
    def _check_quantity(self):
        for line in self:
            rounding = line.order_line_id.product_uom.rounding or 0.001
            if (
                not line.cancelled
                and float_compare(
                    line.product_uom_qty, 0.0, precision_rounding=rounding
                )
                <= 0
            ):
                raise ValidationError(
                    _(
                        "The quantity of the schedule line %(line)s must be positive; "
                        "cancel the line instead.",
                        line=line.display_name,
                    )
                )
            if (
                float_compare(
                    line.product_uom_qty,
                    line.qty_delivered,
                    precision_rounding=rounding,
                )
                < 0
            ):
                raise ValidationError(
                    _(
                        "The quantity of the schedule line %(line)s cannot drop below "
                        "the %(delivered)s already delivered.",
                        line=line.display_name,
                        delivered=line.qty_delivered,
                    )
                )

    @api.model
    def _sop_schedule_tz(self, company=None):
        """The time zone of the company's calendar days: a schedule's dates are the
        company's (its warehouse ships by them), whoever reads or writes them."""
        company = company or self.env.company
        return (
            company.resource_calendar_id.tz
            or company.partner_id.tz
            or self.env.user.tz
            or "UTC"
        )

    @api.model
    def _sop_schedule_today(self, company=None):
        """Today in the company's time zone: the one "today" of the schedules (due,
        past, horizons), the same for every user and for the nightly job."""
        return fields.Date.context_today(
            self.with_context(tz=self._sop_schedule_tz(company))
        )

    @api.model
    def _sop_schedule_latest_date(self):
        return self._sop_schedule_today() + relativedelta(years=SCHEDULE_HORIZON_YEARS)

    @api.constrains("date")
    def _check_date_horizon(self):
        latest = self._sop_schedule_latest_date()
        too_far = self.filtered(lambda s: not s.cancelled and s.date > latest)
        if too_far:
            raise ValidationError(
                _(
                    "Delivery dates more than %(years)s years ahead are not accepted "
                    "(latest %(latest)s): %(lines)s.",
                    years=SCHEDULE_HORIZON_YEARS,
                    latest=fields.Date.to_string(latest),
                    lines=", ".join(too_far.mapped("display_name")),
                )
            )

    @api.constrains("order_line_id", "date", "cancelled")
    def _check_unique_date(self):
        for sale_line in self.order_line_id:
            dates = Counter(
                sale_line.schedule_line_ids.filtered(lambda s: not s.cancelled).mapped(
                    "date"
                )
            )
            duplicates = {d for d, count in dates.items() if count > 1}
            if duplicates:
                raise ValidationError(
                    _(
                        "%(product)s is scheduled twice on %(dates)s: change the "
                        "quantity of the existing schedule line instead.",
                        product=sale_line.product_id.display_name,
                        dates=", ".join(
                            fields.Date.to_string(d) for d in sorted(duplicates)
                        ),
                    )
                )

    @api.constrains("order_line_id")
    def _check_goods_line(self):
        for line in self:
            # On an order of another kind Odoo delivers the line's whole quantity
            # itself: a schedule line would deliver it a second time.
            if line.order_id.type_kind != "schedule":
                raise ValidationError(
                    _(
                        "Only delivery schedule orders have schedule lines: %(order)s "
                        "is of type %(type)s.",
                        order=line.order_id.display_name,
                        type=line.order_id.type_id.display_name,
                    )
                )
            if line.order_line_id.display_type or line.product_id.type != "consu":
                raise ValidationError(
                    _(
                        "Only goods are delivered by schedule: %(line)s is not a goods "
                        "line.",
                        line=line.order_line_id.display_name,
                    )
                )
