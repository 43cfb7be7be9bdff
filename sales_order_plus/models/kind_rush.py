# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Rush order (Eilauftrag): delivered the same working day when confirmed before the
type's cutoff, the next working day otherwise; urgent transfers; invoiced after
delivery.

Everything of the kind is here: the delivery date and rush fee at confirmation, the
procurement values of its lines, the urgency of its transfers, the invoice after
delivery and the server action.
"""

from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_datetime

# How far ahead the company's calendar is searched for the next working day.
RUSH_CALENDAR_WINDOW = timedelta(days=14)
RUSH_CALENDAR_WINDOWS = 8
ONE_DAY = timedelta(days=1)


def _sop_rush_tz(company):
    """The time zone of the company's calendar, else of the company (its partner's),
    else UTC: the cutoff is a rule of the company, never of whoever confirms."""
    return pytz.timezone(
        company.resource_calendar_id.tz or company.partner_id.tz or "UTC"
    )


def _sop_rush_hours(dt_local):
    return dt_local.hour + dt_local.minute / 60 + dt_local.second / 3600


class SaleOrderType(models.Model):
    _inherit = "sale.order.type"

    # "set default": the field is ours, the value never goes without it; were it to,
    # its types would become standard ones.
    kind = fields.Selection(
        selection_add=[("rush", "Rush Order"), ("schedule",)],
        ondelete={"rush": "set default"},
    )
    rush_cutoff_time = fields.Float(
        string="Cutoff Time",
        default=14.0,
        help="Daily cutoff in the company's time zone: a rush order confirmed before "
        "it is delivered the same working day, after it the next working day of the "
        "company's calendar.",
    )
    rush_fee_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Rush Fee",
        domain="[('sale_ok', '=', True)]",
        help="Added once to a rush order at confirmation when it is not on it yet.",
    )

    @api.constrains("rush_cutoff_time")
    def _check_rush_cutoff_time(self):
        for order_type in self:
            if not 0.0 <= order_type.rush_cutoff_time < 24.0:
                raise ValidationError(
                    _("The cutoff time must lie between 00:00 and 23:59.")
                )

    def _sop_invoice_triggers(self):
        if self.kind == "rush":
            return ("delivery", "manual")
        return super()._sop_invoice_triggers()

    def _sop_availability_default(self):
        # Partly now, the rest on a backorder: a rush order ships what is there.
        if self.kind == "rush":
            return "partial"
        return super()._sop_availability_default()


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------------
    # Confirmation
    # ------------------------------------------------------------------
    def _sop_prepare_confirm(self):
        # Before sale_stock launches procurement, so that the transfers take the
        # delivery date (commitment_date) as their scheduled date.
        res = super()._sop_prepare_confirm()
        self.filtered(lambda o: o.type_kind == "rush")._sop_rush_prepare()
        return res

    def _sop_rush_prepare(self):
        fee_lines = []
        for order in self:
            fee = order.type_id.rush_fee_product_id
            if fee and fee not in order.order_line.product_id:
                fee_lines.append(
                    {
                        "order_id": order.id,
                        "product_id": fee.id,
                        "product_uom_qty": 1.0,
                        "sequence": max(order.order_line.mapped("sequence"), default=0)
                        + 1,
                    }
                )
            delivery = rush_date = order._sop_rush_delivery_date()
            # Goods that are not there never ship today: a type that reschedules
            # moves the order to the day all of them are there.
            if order.type_id.availability_policy == "reschedule":
                committed = order.order_line.mapped("sop_commit_date")
                delivery = max([delivery] + [d for d in committed if d])
            previous = order.commitment_date
            order.commitment_date = delivery
            order._sop_rush_log_date(previous, rush_date, delivery)
        if fee_lines:
            # Part of the confirmation, not an "extra line" added afterwards.
            self.env["sale.order.line"].with_context(
                sale_no_log_for_new_lines=True
            ).create(fee_lines)

    def _sop_rush_delivery_date(self):
        """Now when confirmed before the cutoff on a working day, else the start of the
        next working day of the company's calendar (public holidays included)."""
        self.ensure_one()
        tz = _sop_rush_tz(self.company_id)
        now = fields.Datetime.now()
        now_local = pytz.utc.localize(now).astimezone(tz)
        today = now_local.date()
        before_cutoff = _sop_rush_hours(now_local) < self.type_id.rush_cutoff_time
        calendar = self.company_id.resource_calendar_id
        today_start = tz.localize(datetime.combine(today, time.min))
        tomorrow_start = tz.localize(datetime.combine(today + ONE_DAY, time.min))
        if not calendar:
            return now if before_cutoff else self._sop_rush_to_utc(tomorrow_start)
        if (
            before_cutoff
            and calendar._work_intervals_batch(today_start, tomorrow_start)[False]
        ):
            return now
        for window in range(RUSH_CALENDAR_WINDOWS):
            start = tomorrow_start + RUSH_CALENDAR_WINDOW * window
            intervals = calendar._work_intervals_batch(
                start, start + RUSH_CALENDAR_WINDOW
            )[False]
            first = next(iter(intervals), None)
            if first:
                return self._sop_rush_to_utc(first[0])
        raise UserError(
            _(
                "%(order)s: the calendar %(calendar)s has no working day in the "
                "coming weeks for the delivery.",
                order=self.name,
                calendar=calendar.name,
            )
        )

    def _sop_rush_log_date(self, previous, rush_date, delivery):
        """Say in the chatter why the delivery date is not now: after the cutoff or
        on a day off (the next working day), or later for the goods to be there."""
        self.ensure_one()
        now = fields.Datetime.now()
        if delivery == now:
            return
        tz = _sop_rush_tz(self.company_id)
        cutoff = self.type_id.rush_cutoff_time
        values = {
            "date": format_datetime(self.env, delivery, tz=tz.zone, dt_format="short"),
            "previous": previous
            and format_datetime(self.env, previous, tz=tz.zone, dt_format="short"),
            "cutoff": "{:02d}:{:02d}".format(*divmod(round(cutoff * 60), 60)),
            "tz": tz.zone,
        }
        if delivery > rush_date:
            reason = _(
                "Rush order: delivery date %(date)s, when every product is available "
                "(the type reschedules to availability).",
                **values,
            )
        else:
            reason = _(
                "Rush order: delivery date %(date)s, the next working day: confirmed "
                "after the type's cutoff (%(cutoff)s, %(tz)s) or on a day off of the "
                "company's calendar.",
                **values,
            )
        if previous and previous != delivery:
            reason += " " + _("It was %(previous)s.", **values)
        self.message_post(body=reason)

    @api.model
    def _sop_rush_to_utc(self, dt):
        return dt.astimezone(pytz.utc).replace(tzinfo=None)

    def _sop_after_confirm(self):
        res = super()._sop_after_confirm()
        # Backorders keep the priority (stock copies it).
        self.filtered(lambda o: o.type_kind == "rush").picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel") and p.priority != "1"
        ).priority = "1"
        return res

    # ------------------------------------------------------------------
    # Invoice after delivery
    # ------------------------------------------------------------------
    def _sop_rush_invoice_delivered(self):
        """Create and post the invoice of what has been delivered and not invoiced."""
        return self.filtered(
            lambda o: o.type_id.invoice_trigger == "delivery"
        )._sop_invoice_and_post()

    # ------------------------------------------------------------------
    # Server action
    # ------------------------------------------------------------------
    def action_sop_rush_confirm(self):
        """Confirm the selected quotations as rush orders (server action)."""
        return self._sop_confirm_quotations_of_kind(
            "rush",
            _(
                "Only quotations of a rush order type can be confirmed as rush "
                "orders: %(orders)s."
            ),
        )


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _prepare_procurement_values(self, group_id=False):
        values = super()._prepare_procurement_values(group_id=group_id)
        order = self.order_id
        if order.type_kind == "rush":
            values["priority"] = "1"
            if order.commitment_date:
                # Same-day delivery: no security lead time before the delivery date.
                values["date_planned"] = order.commitment_date
        return values

    # ------------------------------------------------------------------
    # Availability at confirmation (models/sale_order_line_availability.py)
    # ------------------------------------------------------------------
    def _sop_invoiceable_qty(self):
        qty = super()._sop_invoiceable_qty()
        if (
            qty is None
            and self.order_id.type_kind == "rush"
            and self.qty_delivered_method == "stock_move"
        ):
            # Invoiced by hand too, a rush order invoices delivered goods only;
            # services, such as the rush fee, keep their policy.
            return self.qty_delivered
        return qty

    def _sop_availability_ship_dt(self, known):
        order = self.order_id
        if order.type_kind != "rush":
            return super()._sop_availability_ship_dt(known)
        # The rush delivery date (today before the cutoff on a working day, else the
        # next working day), once per order.
        key = ("rush", order.id)
        if key not in known:
            known[key] = order._sop_rush_delivery_date()
        return known[key]

    def _sop_availability_lead(self):
        # Same-day delivery: no security lead time (_prepare_procurement_values).
        if self.order_id.type_kind == "rush":
            return 0
        return super()._sop_availability_lead()


class StockPicking(models.Model):
    _inherit = "stock.picking"

    sop_rush_urgency = fields.Selection(
        selection=[
            ("late", "Late"),
            ("today", "Due Today"),
            ("later", "Later"),
        ],
        string="Rush Urgency",
        compute="_compute_sop_rush_urgency",
        help="Late: a rush transfer due before today, or due today after today's "
        "cutoff. Due today: to ship today before the cutoff.",
    )

    @api.depends(
        "state", "scheduled_date", "sale_type_kind", "sale_type_id.rush_cutoff_time"
    )
    def _compute_sop_rush_urgency(self):
        now = fields.Datetime.now()
        for picking in self:
            if picking.sale_type_kind != "rush" or picking.state in ("done", "cancel"):
                picking.sop_rush_urgency = False
                continue
            tz = _sop_rush_tz(picking.company_id)
            now_local = pytz.utc.localize(now).astimezone(tz)
            due = pytz.utc.localize(picking.scheduled_date).astimezone(tz).date()
            # Warehouse users need not read order types.
            cutoff = picking.sale_type_id.sudo().rush_cutoff_time
            cutoff_passed = _sop_rush_hours(now_local) >= cutoff
            if due < now_local.date() or (due == now_local.date() and cutoff_passed):
                picking.sop_rush_urgency = "late"
            elif due == now_local.date():
                picking.sop_rush_urgency = "today"
            else:
                picking.sop_rush_urgency = "later"

    def _action_done(self):
        res = super()._action_done()
        rush = self.filtered(
            lambda p: p.state == "done"
            and p.picking_type_code == "outgoing"
            and p.sale_type_kind == "rush"
        )
        if rush:
            # Whoever validates may not read the order (a salesperson sees only his
            # own): the invoice follows the delivery all the same.
            rush.sudo().sale_id._sop_rush_invoice_delivered()
        return res
