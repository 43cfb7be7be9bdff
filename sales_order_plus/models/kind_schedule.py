# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Delivery schedule (Lieferplan): schedule lines, one delivery per due date, releases
and revisions.

How it hangs together:

* ``sale.order.line._action_launch_stock_rule`` (sale_stock) is where Odoo procures a
  confirmed line. For schedule orders it first releases the schedule lines due within
  the type's horizon; sale_stock's loop then procures what the released lines lack
  (``_get_qty_procurement``), one procurement per released schedule line, dated on it,
  in a procurement group per (order, due date, shipping address)
  (``_get_procurement_group``, ``_create_procurements``): Odoo's own stock rules build
  the moves and group them into one picking per date. Each move carries its
  ``schedule_line_id``.
* A daily scheduled action releases the lines that come into the horizon, each order in
  its own savepoint (a failing procurement becomes a warning activity on its order).
  Releasing locks the lines (``lock_available``: ``FOR UPDATE SKIP LOCKED``) and
  re-checks their state, so two runs never release a line twice.
* Changes to the schedule of a confirmed order (revisions) move, resize or cancel the
  pending moves and keep the sales line's quantity equal to its schedule; at the end of
  the transaction (``cr.precommit``) each changed order logs one revision in its
  chatter, with a revision number.
"""

import contextlib
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup

from odoo import SUPERUSER_ID, Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import (
    SQL,
    float_compare,
    float_is_zero,
    format_date,
    html2plaintext,
    plaintext2html,
)

from odoo.addons.queue_job.job import identity_exact
from odoo.addons.stock.models.stock_rule import ProcurementException

from .integrity import (
    has_internal_flag,
    internal_flag,
    lock_available,
    lock_claim,
    raise_problems,
    refuse_non_finite,
)

# Internal flag (models/integrity.py): Odoo's figures of one schedule line.
QTY_OF_DATE = "schedule_qty_of_date"
# Fields of a schedule line whose change on a confirmed order is a revision.
_REVISION_FIELDS = {
    "date",
    "product_uom_qty",
    "cancelled",
    "order_line_id",
    "firmness",
}
# Revision texts gathered per order in ``cr.precommit.data`` until the transaction ends.
_REVISIONS = "sales_order_plus.schedule_revisions"
# Rules found during one procurement run of schedule lines, in ``cr.cache``.
_RULE_CACHE = "sales_order_plus.schedule_rules"


@contextlib.contextmanager
def _procuring_locked_orders(orders):
    """sale_stock procures nothing for a locked order (a change made while locked waits
    for the unlock). Releasing a date is no change but the agreed delivery: inside the
    block Odoo's loop sees the orders open; the database keeps them locked."""
    locked = orders.filtered("locked")
    field = orders._fields["locked"]
    for order in locked:
        orders.env.cache.set(order, field, False)
    try:
        yield
    finally:
        locked.invalidate_recordset(["locked"])


class SaleOrder(models.Model):
    _inherit = "sale.order"

    schedule_line_ids = fields.One2many(
        comodel_name="sale.order.schedule.line",
        inverse_name="order_id",
        string="Delivery Schedule",
        copy=False,  # copied with their sales lines
    )
    schedule_revision = fields.Integer(
        readonly=True,
        copy=False,
        default=0,
        help="Raised by every change to the delivery schedule after confirmation.",
    )
    schedule_line_count = fields.Integer(compute="_compute_schedule_line_count")

    @api.depends("schedule_line_ids")
    def _compute_schedule_line_count(self):
        for order in self:
            order.schedule_line_count = len(order.schedule_line_ids)

    # ------------------------------------------------------------------
    # Confirmation
    # ------------------------------------------------------------------
    def _sop_check_confirm(self):
        res = super()._sop_check_confirm()
        self.filtered(lambda o: o.type_kind == "schedule")._sop_schedule_check_confirm()
        return res

    def _sop_credit_holdable(self):
        # Confirmed over the limit without a user (a job): the agreement is recorded
        # and its releases wait for the credit manager.
        return super()._sop_credit_holdable() | self.filtered(
            lambda o: o.type_kind == "schedule"
        )

    def _sop_credit_continue(self):
        res = super()._sop_credit_continue()
        # The hold is released: what came due meanwhile is released now, as the
        # nightly job does.
        self.filtered(
            lambda o: o.type_kind == "schedule" and o.state == "sale"
        )._sop_schedule_release_agreement()
        return res

    def _sop_schedule_check_confirm(self):
        """Every goods line is fully scheduled, on dates not in the past (the
        company's today)."""
        Schedule = self.env["sale.order.schedule.line"]
        problems = []
        for order in self:
            today = Schedule._sop_schedule_today(order.company_id)
            for line in order.order_line.filtered(
                lambda sl: sl._sop_schedule_is_scheduled()
            ):
                reasons = line._sop_schedule_incomplete_reasons(today)
                if reasons:
                    problems.append(
                        _(
                            "%(order)s, %(product)s: %(reasons)s",
                            order=order.name,
                            product=line.product_id.display_name,
                            reasons="; ".join(reasons),
                        )
                    )
        raise_problems(_("The delivery schedule is incomplete:"), problems)

    def _sop_availability_commit(self, lines, demands, promises):
        """Delivery schedules promise per schedule line: a line that cannot ship on
        its date moves to its earliest full date (reschedule, or nothing available
        on the date), or keeps what is available and passes the rest to a new
        schedule line on the date it becomes available (partial)."""
        new_lines = []
        for demand in demands:
            sched, promise = demand.key, promises[demand.key]
            if sched._name != "sale.order.schedule.line" or (
                promise.full_dt == promise.ship_dt
            ):
                continue
            full_day = demand.line._sop_availability_local(promise.full_dt).date()
            policy = sched.order_id.type_id.availability_policy
            if policy == "partial" and promise.qty > 0:
                new_lines.append(
                    {
                        "order_line_id": sched.order_line_id.id,
                        "date": full_day,
                        "product_uom_qty": sched.product_uom_qty - promise.qty,
                    }
                )
                sched.product_uom_qty = promise.qty
            else:
                sched.date = full_day
        if new_lines:
            self.env["sale.order.schedule.line"].create(new_lines)
        return super()._sop_availability_commit(lines, demands, promises)

    def _sop_availability_reschedule(self):
        if self.type_kind == "schedule":
            return  # its schedule lines moved, each on its own date (above)
        return super()._sop_availability_reschedule()

    def _action_cancel(self):
        res = super()._action_cancel()
        # Cancelled pickings took the releases with them: confirming again releases
        # by the horizon again.
        self.schedule_line_ids.filtered(
            lambda s: s.released and float_is_zero(s.qty_delivered, precision_digits=6)
        )._sop_schedule_set_released(False)
        return res

    # ------------------------------------------------------------------
    # Revisions
    # ------------------------------------------------------------------
    def write(self, vals):
        res = super().write(vals)
        if "type_id" in vals:
            self._sop_schedule_drop_foreign()
        return res

    def _sop_prepare_confirm(self):
        # A type whose kind changed under its quotations leaves schedule lines behind.
        res = super()._sop_prepare_confirm()
        self._sop_schedule_drop_foreign()
        return res

    def _sop_schedule_drop_foreign(self):
        """Drop the schedule lines of quotations that are no longer of kind schedule:
        Odoo delivers such an order's lines whole, the schedule would deliver them
        again."""
        self.filtered(
            lambda o: o.state in ("draft", "sent") and o.type_kind != "schedule"
        ).schedule_line_ids.unlink()

    @contextlib.contextmanager
    def _sop_schedule_revision_batch(self):
        """Post the revision gathered inside the block when it ends, before the
        transaction does (the import: one file, one revision, known at once)."""
        yield self
        self._sop_schedule_post_revisions()

    def _sop_schedule_log_revision(self, entries):
        """Gather ``entries`` (texts per order) until the transaction ends and post
        one revision per order then, as mail tracking does (``cr.precommit``): a form
        or an import changing several schedule lines makes one revision."""
        precommit = self.env.cr.precommit
        if _REVISIONS not in precommit.data:
            precommit.add(self._sop_schedule_post_revisions)
        gathered = precommit.data.setdefault(_REVISIONS, defaultdict(list))
        for order, texts in entries.items():
            gathered[order.id].extend(texts)

    def _sop_schedule_post_revisions(self):
        gathered = self.env.cr.precommit.data.pop(_REVISIONS, {})
        for order_id, texts in gathered.items():
            order = self.env["sale.order"].browse(order_id).exists()
            if not texts or not order:
                continue
            order.schedule_revision += 1
            items = Markup("").join(Markup("<li>%s</li>") % text for text in texts)
            order.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    _(
                        "Delivery schedule revision %(revision)s by %(user)s",
                        revision=order.schedule_revision,
                        user=self.env.user.name,
                    ),
                    items,
                ),
                subtype_xmlid="mail.mt_note",
            )
        # Called after the transaction's last flush: flush what was posted.
        self.env.flush_all()

    def _sop_schedule_report_release_failure(self, message):
        """One warning activity per order and failure (the job runs every night)."""
        self.ensure_one()
        warning = self.env.ref("mail.mail_activity_data_warning")
        note = plaintext2html(
            _(
                "The delivery schedule could not be released:\n%(error)s",
                error=message,
            )
        )
        known = self.activity_ids.filtered(
            lambda a: a.activity_type_id == warning
            and html2plaintext(a.note or "") == html2plaintext(note)
        )
        if not known:
            self.sudo().activity_schedule(
                "mail.mail_activity_data_warning",
                note=note,
                user_id=self.user_id.id or SUPERUSER_ID,
            )

    # ------------------------------------------------------------------
    # Figures and actions
    # ------------------------------------------------------------------
    def _sop_schedule_report_rows(self):
        """Schedule lines by date with the running total per product (printed)."""
        self.ensure_one()
        cumulative = defaultdict(float)
        delivered = defaultdict(float)
        rows = []
        for line in self.schedule_line_ids.filtered(lambda s: not s.cancelled).sorted(
            lambda s: (s.date, s.order_line_id.sequence, s.id)
        ):
            cumulative[line.order_line_id] += line.product_uom_qty
            delivered[line.order_line_id] += line.qty_delivered
            rows.append(
                {
                    "line": line,
                    "cumulative": cumulative[line.order_line_id],
                    "cumulative_delivered": delivered[line.order_line_id],
                }
            )
        return rows

    def _sop_schedule_release_agreement(self):
        """Job body (one job per agreement, enqueued by the daily scheduled action):
        release this agreement's lines that are due today."""
        lines = self.schedule_line_ids.filtered(
            lambda s: s.state == "planned" and s._sop_schedule_is_due()
        )
        return self._sop_schedule_release_lines(lines)

    def _sop_schedule_enqueue_reservation(self):
        """One job per agreement, after the commit of the release: reserve the
        deliveries whose reservation date has come (the identity key enqueues an
        agreement once while its job waits)."""
        for order in self:
            order.with_company(order.company_id).with_delay(
                description=self.env._(
                    "Reserve the due deliveries of %(order)s", order=order.name
                ),
                identity_key=identity_exact,
            )._sop_schedule_reserve()

    def _sop_schedule_reserve(self):
        """Job body: reserve this agreement's schedule moves whose reservation date
        has come, as Odoo's scheduler does for them every night."""
        moves = self.env["stock.move"].search(
            [
                ("schedule_line_id.order_id", "in", self.ids),
                ("state", "in", ("confirmed", "partially_available")),
                ("reservation_date", "<=", fields.Date.today()),
            ],
            order="reservation_date, priority desc, date, id",
        )
        moves._action_assign()
        return self.env._("%(count)s moves reserved", count=len(moves))

    def _sop_schedule_release_lines(self, lines):
        """Release ``lines`` of these agreements, a failing procurement reported on
        its order; a text for the job's result."""
        released = self.env["sale.order.schedule.line"]
        for _order, order_lines in (
            (lines & self.schedule_line_ids).grouped("order_id").items()
        ):
            released |= order_lines._sop_schedule_release_or_report()
        return self.env._("%(count)s schedule lines released", count=len(released))

    def action_sop_schedule_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_order_plus.action_sale_order_schedule_line"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {
            "default_order_id": self.id,
            "search_default_group_product": 1,
        }
        return action

    def action_sop_schedule_import(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Import Delivery Schedule"),
            "res_model": "sale.order.schedule.import",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    schedule_line_ids = fields.One2many(
        comodel_name="sale.order.schedule.line",
        inverse_name="order_line_id",
        string="Schedule Lines",
        copy=False,  # see copy_data: cancelled lines are not copied
    )
    schedule_qty = fields.Float(
        string="Scheduled",
        compute="_compute_schedule_qty",
        store=True,
        digits="Product Unit of Measure",
    )
    schedule_qty_released = fields.Float(
        string="Released",
        compute="_compute_schedule_qty",
        store=True,
        digits="Product Unit of Measure",
    )
    schedule_qty_open = fields.Float(
        string="Open",
        compute="_compute_schedule_qty",
        store=True,
        digits="Product Unit of Measure",
        help="Scheduled but not delivered yet.",
    )

    @api.depends(
        "schedule_line_ids.product_uom_qty",
        "schedule_line_ids.qty_released",
        "schedule_line_ids.cancelled",
        "qty_delivered",
    )
    def _compute_schedule_qty(self):
        for line in self:
            active = line.schedule_line_ids.filtered(lambda s: not s.cancelled)
            line.schedule_qty = sum(active.mapped("product_uom_qty"))
            line.schedule_qty_released = sum(active.mapped("qty_released"))
            line.schedule_qty_open = max(line.schedule_qty - line.qty_delivered, 0.0)

    @api.depends_context("sop_schedule_short_name")
    def _compute_display_name(self):
        # In the schedule tab the order is known: the product names the line.
        if not self.env.context.get("sop_schedule_short_name"):
            return super()._compute_display_name()
        for line in self:
            line.display_name = line.product_id.display_name or line.name

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if default and "schedule_line_ids" in default:
            return vals_list
        for line, vals in zip(self, vals_list, strict=True):
            vals["schedule_line_ids"] = [
                Command.create(
                    {
                        "date": s.date,
                        "product_uom_qty": s.product_uom_qty,
                        "firmness": s.firmness,
                    }
                )
                for s in line.schedule_line_ids
                if not s.cancelled
            ]
        return vals_list

    def _sop_schedule_incomplete_reasons(self, today):
        """Why the schedule of this line cannot be confirmed: no schedule, another
        total than the ordered quantity, dates in the past."""
        self.ensure_one()
        active = self.schedule_line_ids.filtered(lambda s: not s.cancelled)
        rounding = self.product_uom.rounding
        if not active:
            if float_is_zero(self.product_uom_qty, precision_rounding=rounding):
                return []
            return [_("no schedule lines")]
        reasons = []
        total = sum(active.mapped("product_uom_qty"))
        if float_compare(total, self.product_uom_qty, precision_rounding=rounding):
            reasons.append(
                _(
                    "scheduled %(scheduled)s, ordered %(ordered)s",
                    scheduled=total,
                    ordered=self.product_uom_qty,
                )
            )
        past = active.filtered(lambda s: s.date < today)
        if past:
            reasons.append(
                _(
                    "dates in the past: %(dates)s",
                    dates=", ".join(
                        format_date(self.env, d)
                        for d in sorted(set(past.mapped("date")))
                    ),
                )
            )
        return reasons

    def _sop_schedule_is_scheduled(self):
        """Goods line of a delivery schedule order: delivered by schedule lines."""
        self.ensure_one()
        return (
            self.order_id.type_kind == "schedule"
            and not self.display_type
            and self.product_id.type == "consu"
            and not self.is_expense
        )

    def write(self, vals):
        # The flag of _sop_schedule_sync_quantity, not a context key a client sends.
        if "product_uom_qty" in vals and not has_internal_flag(self, "schedule_sync"):
            scheduled = self.filtered(
                lambda sl: sl.state == "sale"
                and sl.schedule_line_ids
                and sl._sop_schedule_is_scheduled()
                and float_compare(
                    sl.product_uom_qty,
                    vals["product_uom_qty"],
                    precision_rounding=sl.product_uom.rounding,
                )
            )
            if scheduled:
                raise UserError(
                    _(
                        "The quantity of %(products)s follows its delivery schedule: "
                        "change the schedule lines instead.",
                        products=", ".join(scheduled.product_id.mapped("display_name")),
                    )
                )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Procurement: sale_stock's own loop, one procurement per released date
    # ------------------------------------------------------------------
    def _action_launch_stock_rule(self, previous_product_uom_qty=False):
        """Release what is due, then let sale_stock procure. For the schedule lines
        it asks for the missing quantity of the released dates only
        (``_get_qty_procurement``) and gets one procurement per date, in the date's
        group (``_get_procurement_group``, ``_create_procurements``): the plan of
        those dates travels in the context (``sop_schedule_procure``)."""
        scheduled = self.filtered(lambda sl: sl._sop_schedule_is_scheduled())
        if self.env.context.get("skip_procurement") or not scheduled:
            return super()._action_launch_stock_rule(previous_product_uom_qty)
        scheduled._sop_schedule_release_due()
        plan = scheduled._sop_schedule_procurement_plan()
        return super(
            SaleOrderLine, self.with_context(sop_schedule_procure=plan)
        )._action_launch_stock_rule(previous_product_uom_qty)

    def _sop_schedule_release_due(self):
        """Release the due dates of the lines: at confirmation, and whenever Odoo
        relaunches a line's procurement."""
        lines = self.filtered(lambda sl: sl.state == "sale" and not sl.order_id.locked)
        if not lines:
            return
        # A goods line added to a confirmed order gets one schedule line for today
        # (its creation releases and procures it).
        unscheduled = lines.filtered(
            lambda sl: not sl.schedule_line_ids
            and not float_is_zero(
                sl.product_uom_qty, precision_rounding=sl.product_uom.rounding
            )
        )
        if unscheduled:
            Schedule = self.env["sale.order.schedule.line"]
            Schedule.create(
                [
                    {
                        "order_line_id": sl.id,
                        "date": Schedule._sop_schedule_today(sl.company_id),
                        "product_uom_qty": sl.product_uom_qty,
                    }
                    for sl in unscheduled
                ]
            )
        due = lines.schedule_line_ids.filtered(
            lambda s: s.state == "planned" and s._sop_schedule_is_due()
        )
        held = due.order_id._sop_credit_hold_check(
            _("Release of the delivery schedule")
        )
        due = due.filtered(lambda s: s.order_id not in held)
        due._sop_schedule_lock_planned()._sop_schedule_set_released(True)

    def _sop_schedule_procurement_plan(self):
        """What the released dates of the lines still lack, and their groups:
        ((schedule line id, sales line id, quantity, group id), ...), hashable as a
        context value must be."""
        released = self.schedule_line_ids.filtered(
            lambda s: s.released and not s.cancelled
        )
        procured = released._sop_schedule_qty_procured()
        missing = released.filtered(
            lambda s: float_compare(
                s.product_uom_qty - procured[s.id],
                0.0,
                precision_rounding=s.order_line_id.product_uom.rounding,
            )
            > 0
        )
        groups = missing._sop_schedule_groups()
        return tuple(
            (
                sched.id,
                sched.order_line_id.id,
                sched.product_uom_qty - procured[sched.id],
                groups[sched._sop_schedule_group_key()].id,
            )
            for sched in missing
        )

    def _sop_schedule_planned_here(self):
        """This line's entries of the procurement plan in the context, or None
        outside a launch (Odoo's own rules apply then)."""
        plan = self.env.context.get("sop_schedule_procure")
        if plan is None or not self._sop_schedule_is_scheduled():
            return None
        return [entry for entry in plan if entry[1] == self.id]

    def _get_qty_procurement(self, previous_product_uom_qty=False):
        qty = self._sop_schedule_qty_procurement()
        if qty is None:
            return super()._get_qty_procurement(previous_product_uom_qty)
        return qty

    def _sop_schedule_qty_procurement(self):
        """The schedule's answer to ``_get_qty_procurement``, or None where Odoo's
        rules apply. Inside a launch: planned dates not released yet are not to be
        procured, so what sale_stock should procure is exactly what the released
        dates lack. For one date (``sop_schedule_line_id``, set by
        ``_sop_schedule_qty_procured``): what that date's moves hold. The flag only
        narrows what is counted; it permits nothing."""
        if not self._sop_schedule_is_scheduled():
            return None
        planned = self._sop_schedule_planned_here()
        if planned is not None:
            return self.product_uom_qty - sum(entry[2] for entry in planned)
        sched_id = self.env.context.get("sop_schedule_line_id")
        if sched_id:
            return self._sop_schedule_qty_procured_date(
                self.env["sale.order.schedule.line"].browse(sched_id)
            )
        return None

    def _sop_schedule_qty_procured_date(self, sched):
        """Quantity procured for the schedule line ``sched`` (sales unit): sale_stock's
        rule for a sales line (moves of the first rule, counted by their final
        location, minus refunded returns) on the date's moves, which
        ``_get_outgoing_incoming_moves`` keeps under ``sop_schedule_line_id``.

        The line-wide overrides of ``_get_qty_procurement`` below this add-on cannot
        tell one date from another (stock_dropshipping's counts the purchase lines of
        the whole sales line): add-ons that count a date differently extend this
        hook (sales_order_plus_sale_mrp: kits, by their parts)."""
        self.ensure_one()
        outgoing, incoming = self._get_outgoing_incoming_moves(strict=False)
        qty = 0.0
        for moves, sign in ((outgoing, 1), (incoming, -1)):
            for move in moves:
                done = move.quantity if move.state == "done" else move.product_uom_qty
                qty += sign * move.product_uom._compute_quantity(
                    done, self.product_uom, rounding_method="HALF-UP"
                )
        return qty

    def _get_procurement_group(self):
        planned = self._sop_schedule_planned_here()
        if not planned:
            return super()._get_procurement_group()
        # The group of a date (the order has none of its own): sale_stock passes it
        # on; each date's procurement gets its own group in _create_procurements.
        return self.env["procurement.group"].browse(planned[0][3])

    def _create_procurements(self, product_qty, procurement_uom, origin, values):
        # Only the lines of a delivery schedule, which the partial confirmation never
        # splits (_sop_availability_splits): the order of the two overrides does not
        # matter.
        planned = self._sop_schedule_planned_here()
        if planned is None:
            return super()._create_procurements(
                product_qty, procurement_uom, origin, values
            )
        procurements = []
        for sched_id, _line_id, qty, group_id in planned:
            sched = self.env["sale.order.schedule.line"].browse(sched_id)
            date_values = dict(
                values,
                group_id=self.env["procurement.group"].browse(group_id),
                schedule_line_id=sched_id,
                **sched._sop_schedule_dates(),
            )
            qty, uom = self.product_uom._adjust_uom_quantities(
                qty, self.product_id.uom_id
            )
            procurements += super()._create_procurements(qty, uom, origin, date_values)
        return procurements

    @api.model
    def _sop_availability_commitments(self, warehouse, products, today, order_ids):
        """Also the unreleased firm lines of confirmed delivery schedules shipping
        from ``warehouse``: no move yet, but commitments at their dates."""
        commitments = super()._sop_availability_commitments(
            warehouse, products, today, order_ids
        )
        schedule_lines = self.env["sale.order.schedule.line"].search(
            [
                ("product_id", "in", products.ids),
                ("state", "=", "planned"),
                # Forecast lines are planning only, never a delivery: no commitment.
                ("firmness", "=", "firm"),
                ("order_id.state", "=", "sale"),
                ("order_id.type_kind", "=", "schedule"),
                ("order_id.warehouse_id", "=", warehouse.id),
                ("order_id", "not in", list(order_ids)),
            ]
        )
        for sched in schedule_lines:
            line = sched.order_line_id
            lead = timedelta(days=sched.company_id.security_lead or 0)
            commitments.append(
                (
                    sched.product_id.id,
                    max(sched.date - lead, today),
                    line.product_uom._compute_quantity(
                        sched.product_uom_qty, sched.product_id.uom_id, round=False
                    ),
                )
            )
        return commitments

    def _sop_availability_splits(self):
        # Delivery schedules split their schedule lines instead (dated procurements).
        if self.order_id.type_kind == "schedule":
            return False
        return super()._sop_availability_splits()

    def _sop_availability_backordered(self):
        if self.order_id.type_kind == "schedule":
            return False
        return super()._sop_availability_backordered()

    def _sop_availability_demands(self):
        """A delivery schedule asks for its due schedule lines (inside the release
        horizon), each on its own date; the later ones are promised when they come
        into the horizon."""
        scheduled = self.filtered(lambda sl: sl._sop_schedule_is_scheduled())
        demands = super(SaleOrderLine, self - scheduled)._sop_availability_demands()
        Schedule = self.env["sale.order.schedule.line"]
        for line in scheduled._sop_availability_tracked():
            today = Schedule._sop_schedule_today(line.company_id)
            for sched in line.schedule_line_ids:
                if not (
                    sched.state == "planned"
                    and sched.firmness == "firm"
                    and sched._sop_schedule_is_due(today)
                ):
                    continue
                demands.append(
                    line._sop_availability_demand(
                        sched,
                        sched.product_uom_qty,
                        sched._sop_schedule_dates()["date_deadline"],
                        today,
                    )
                )
        return demands

    def _get_outgoing_incoming_moves(self, strict=True):
        outgoing, incoming = super()._get_outgoing_incoming_moves(strict=strict)
        sched_id = self.env.context.get("sop_schedule_line_id")
        # Only for _sop_schedule_qty_procured's own call: from a client the key would
        # hide the line's moves from Odoo (procured again, delivered unseen).
        if sched_id and has_internal_flag(
            self.env["sale.order.schedule.line"].browse(sched_id), QTY_OF_DATE
        ):
            # Odoo's figures of one schedule line: its moves among the sales line's.
            outgoing = outgoing.filtered(lambda m: m.schedule_line_id.id == sched_id)
            incoming = incoming.filtered(lambda m: m.schedule_line_id.id == sched_id)
        return outgoing, incoming

    def _sop_schedule_sync_quantity(self):
        """A confirmed schedule line's ordered quantity is the sum of its schedule."""
        # One write per new quantity: sale posts one chatter message per write and
        # order, and recomputes per write what depends on the quantity.
        by_total = defaultdict(lambda: self.browse())
        for line in self.filtered(lambda sl: sl.state == "sale"):
            total = line.schedule_qty  # the sum of its active schedule lines
            if float_compare(
                total,
                line.product_uom_qty,
                precision_rounding=line.product_uom.rounding,
            ):
                by_total[total] |= line
        for total, lines in by_total.items():
            with internal_flag(lines, "schedule_sync"):
                lines.with_context(skip_procurement=True).write(
                    {"product_uom_qty": total}
                )


class SaleOrderScheduleLine(models.Model):
    _inherit = "sale.order.schedule.line"

    # ------------------------------------------------------------------
    # Release
    # ------------------------------------------------------------------
    def _sop_schedule_is_due(self, today=None):
        self.ensure_one()
        # A forecast line is the customer's planning figure: never delivered.
        if self.order_id.type_kind != "schedule" or self.firmness == "forecast":
            return False
        today = today or self._sop_schedule_today(self.company_id)
        horizon = self.order_id.type_id.schedule_release_horizon or 0
        return horizon <= 0 or self.date <= today + timedelta(days=horizon)

    def _sop_schedule_lock_planned(self):
        """Lock the planned lines among ``self`` for this transaction and return them:
        planned, locked, and ours to release.

        Lines another transaction is releasing right now are skipped. A line another
        transaction released and committed after ours started raises a serialization
        failure rather than being released twice. No retry here: Odoo retries an RPC
        call that fails to serialize in a new transaction, which finds the line
        released; the nightly job, which Odoo does not retry, skips that order in its
        savepoint (_sop_schedule_release_or_report)."""
        locked = lock_available(self, SQL("state = 'planned'"))
        # Re-read under the lock: the cache may predate another transaction's release.
        locked.invalidate_recordset(["released", "cancelled", "state"])
        return locked.filtered(lambda s: s.state == "planned")

    def _sop_schedule_release(self):
        """Release the planned lines among ``self``: lock, mark, procure. Returns the
        lines this call released (never one another call released)."""
        lines = self.filtered(
            lambda s: s.order_id.type_kind == "schedule" and s.firmness != "forecast"
        )
        # Checked again at each release: over the limit, the order goes on credit
        # hold (activity) and its lines stay planned.
        held = lines.order_id._sop_credit_hold_check(
            _("Release of the delivery schedule")
        )
        lines = lines.filtered(
            lambda s: s.order_id not in held
        )._sop_schedule_lock_planned()
        if lines:
            lines._sop_schedule_set_released(True)
            lines._sop_schedule_procure()
        return lines

    @api.model
    def _cron_sop_schedule_release(self):
        """Daily: enqueue one release job per agreement (order) with schedule lines
        that came into their type's release horizon. The jobs run on any instance's
        job runner (channel ``root.sop_schedule_release``), each in its own
        transaction: one failing or slow agreement holds up no other. The identity
        key enqueues an agreement once while its job waits; the job releases what is
        due when it runs, under the lines' row locks, so a line is released once."""
        due = self._sop_schedule_due_lines()
        for order in due.order_id:
            order.with_company(order.company_id).with_delay(
                description=self.env._(
                    "Release the delivery schedule of %(order)s", order=order.name
                ),
                identity_key=identity_exact,
            )._sop_schedule_release_agreement()
        return True

    @api.model
    def _sop_schedule_due_lines(self, today=None):
        """Planned lines of confirmed delivery schedules inside their type's horizon
        (each company's today unless ``today`` is given)."""
        # The search bound: a day after UTC's today covers every company's today.
        bound = today or fields.Date.today() + timedelta(days=1)
        horizons = (
            self.env["sale.order.type"]
            .search([("kind", "=", "schedule")])
            .mapped("schedule_release_horizon")
        ) or [0]
        domain = [
            ("state", "=", "planned"),
            ("firmness", "=", "firm"),
            ("order_id.state", "=", "sale"),
            ("order_id.type_kind", "=", "schedule"),
            # Released by the credit manager (Release Credit Hold), not every night.
            ("order_id.sop_credit_hold", "=", False),
        ]
        if min(horizons) > 0:
            domain.append(("date", "<=", bound + timedelta(days=max(horizons))))
        return self.search(domain).filtered(lambda s: s._sop_schedule_is_due(today))

    def action_sop_schedule_release_now(self):
        """Release the selected planned lines now, whatever their date (server
        action): one job per agreement when many are selected."""
        self.check_access("write")
        lines = self.filtered(lambda s: s.state == "planned")
        result = lines.order_id._sop_run_or_enqueue(
            self.env._("Release delivery schedule lines"),
            lambda target, order: target._sop_schedule_release_lines(
                lines & order.schedule_line_ids
            ),
        )
        if isinstance(result, dict):
            return result
        return self.env["sale.order"]._sop_notification(result)

    def _sop_schedule_release_or_report(self):
        """Release ``self`` (lines of one order) in a savepoint of their own and
        return the lines released.

        A procurement that fails (no rule, no vendor for a product made to order ...)
        would fail the release every night. Instead this order's lines stay planned
        and its salesperson gets a warning activity, as Odoo's scheduler does for the
        replenishments it cannot run; the next run tries again. Other errors (a
        fault, a serialization failure) go up: queue_job retries the job in a new
        transaction, which skips what another one released meanwhile."""
        order = self.order_id
        try:
            with self.env.cr.savepoint():
                return self._sop_schedule_release()
        except (UserError, ProcurementException) as error:
            if isinstance(error, ProcurementException):
                texts = [text for _proc, text in error.procurement_exceptions]
            else:
                texts = [str(error)]
            order._sop_schedule_report_release_failure("\n".join(texts))
        return self.browse()

    # ------------------------------------------------------------------
    # Procurement
    # ------------------------------------------------------------------
    def _sop_schedule_dates(self):
        """date_planned and date_deadline of the moves: the due date at noon in the
        salesperson's time zone, planned earlier by the company's security lead time
        as Odoo does for commitment dates."""
        self.ensure_one()
        order = self.order_id
        tz = pytz.timezone(order.user_id.tz or self.env.user.tz or "UTC")
        deadline = (
            tz.localize(datetime.combine(self.date, time(12, 0)))
            .astimezone(pytz.utc)
            .replace(tzinfo=None)
        )
        planned = deadline - timedelta(days=order.company_id.security_lead)
        return {"date_planned": planned, "date_deadline": deadline}

    def _sop_schedule_group_key(self):
        self.ensure_one()
        return (self.order_id, self.date, self.order_id.partner_shipping_id)

    def _sop_schedule_groups(self):
        """One procurement group per (order, due date, shipping address): stock rules
        put the moves of one group in one picking per picking type."""
        groups = {}
        keys = {s._sop_schedule_group_key() for s in self}
        if not keys:
            return groups
        existing = self.env["procurement.group"].search(
            [
                ("sale_id", "in", list({k[0].id for k in keys})),
                ("sop_schedule_date", "in", list({k[1] for k in keys})),
            ]
        )
        for group in existing:
            groups.setdefault(
                (group.sale_id, group.sop_schedule_date, group.partner_id), group
            )
        missing = sorted(
            (k for k in keys if k not in groups), key=lambda k: (k[0].id, k[1])
        )
        if missing:
            vals_list = []
            for order, date, _partner in missing:
                vals = order.order_line[:1]._prepare_procurement_group_vals()
                vals.update(name=f"{order.name}/{date}", sop_schedule_date=date)
                vals_list.append(vals)
            for k, group in zip(
                missing, self.env["procurement.group"].create(vals_list), strict=True
            ):
                groups[k] = group
        return groups

    def _sop_schedule_qty_procured(self):
        """Quantity procured per schedule line (sales unit), asked of the sales line
        through Odoo's chain (``_get_qty_procurement``) for the one date
        (``sop_schedule_line_id``, honoured under the add-on's own flag; outside any
        launch's plan)."""
        with internal_flag(self, QTY_OF_DATE):
            return {
                sched.id: sched.order_line_id.with_context(
                    sop_schedule_line_id=sched.id, sop_schedule_procure=None
                )._get_qty_procurement(False)
                for sched in self
            }

    def _sop_schedule_procure(self):
        """Procure what the released lines among ``self`` lack, through sale_stock's
        loop on their sales lines."""
        lines = self.filtered(lambda s: s.released and not s.cancelled)
        if not lines:
            return
        sale_lines = lines.order_line_id
        with _procuring_locked_orders(sale_lines.order_id):
            sale_lines._action_launch_stock_rule()

    # ------------------------------------------------------------------
    # Revisions
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        confirmed = lines.filtered(lambda s: s.order_id.state == "sale")
        if confirmed:
            for line in confirmed:
                line._sop_schedule_check_revision({"date": line.date})
            entries = defaultdict(list)
            for line in confirmed:
                entries[line.order_id].append(
                    _(
                        "Added: %(product)s, %(date)s, %(qty)s",
                        product=line.product_id.display_name,
                        date=format_date(self.env, line.date),
                        qty=line.product_uom_qty,
                    )
                )
            confirmed._sop_schedule_apply()
            self.env["sale.order"]._sop_schedule_log_revision(entries)
        return lines

    def write(self, vals):
        # Before any comparison with it (the first override of write).
        refuse_non_finite(self, [vals])
        confirmed = self.filtered(lambda s: s.order_id.state == "sale")
        if not confirmed or not _REVISION_FIELDS & vals.keys():
            return super().write(vals)
        old = {
            line: (line.date, line.product_uom_qty, line.cancelled, line.order_line_id)
            for line in confirmed
        }
        changed = confirmed.filtered(
            lambda s: ("date" in vals and fields.Date.to_date(vals["date"]) != s.date)
            or (
                "product_uom_qty" in vals
                and float_compare(
                    vals["product_uom_qty"],
                    s.product_uom_qty,
                    precision_rounding=s.order_line_id.product_uom.rounding,
                )
            )
            or ("cancelled" in vals and bool(vals["cancelled"]) != s.cancelled)
            or ("order_line_id" in vals and vals["order_line_id"] != s.order_line_id.id)
            or ("firmness" in vals and vals["firmness"] != s.firmness)
        )
        changed._sop_schedule_check_revision(vals)
        firmness = {line: line.firmness for line in changed}
        res = super().write(vals)
        entries = defaultdict(list)
        for line in changed:
            entries[line.order_id] += line._sop_schedule_describe_change(old[line])
            if firmness[line] != line.firmness:
                entries[line.order_id].append(
                    _(
                        "%(product)s, %(date)s: %(firmness)s",
                        product=line.product_id.display_name,
                        date=format_date(self.env, line.date),
                        firmness=dict(
                            line._fields["firmness"]._description_selection(self.env)
                        )[line.firmness],
                    )
                )
        changed._sop_schedule_apply(old)
        self.env["sale.order"]._sop_schedule_log_revision(entries)
        return res

    def unlink(self):
        confirmed = self.filtered(lambda s: s.order_id.state == "sale")
        if confirmed.filtered("released"):
            raise UserError(
                _(
                    "Released schedule lines cannot be deleted: cancel them instead "
                    "(%(lines)s).",
                    lines=", ".join(
                        confirmed.filtered("released").mapped("display_name")
                    ),
                )
            )
        entries = defaultdict(list)
        for line in confirmed:
            entries[line.order_id].append(
                _(
                    "Removed: %(product)s, %(date)s, %(qty)s",
                    product=line.product_id.display_name,
                    date=format_date(self.env, line.date),
                    qty=line.product_uom_qty,
                )
            )
        # Browsed anew: prefetching through the deleted lines would read the sales
        # lines one by one.
        sale_lines = self.env["sale.order.line"].browse(confirmed.order_line_id.ids)
        res = super().unlink()
        sale_lines._sop_schedule_sync_quantity()
        self.env["sale.order"]._sop_schedule_log_revision(entries)
        return res

    def action_cancel(self):
        self.filtered(lambda s: not s.cancelled).write({"cancelled": True})
        return True

    def _sop_schedule_check_revision(self, vals):
        """Before anything is written: what a confirmed order's schedule may not do."""
        for line in self:
            if "product_uom_qty" in vals and (
                float_compare(
                    vals["product_uom_qty"],
                    line.qty_delivered,
                    precision_rounding=line.order_line_id.product_uom.rounding,
                )
                < 0
            ):
                raise ValidationError(
                    _(
                        "The quantity of %(line)s cannot drop below the %(qty)s "
                        "already delivered.",
                        line=line.display_name,
                        qty=line.qty_delivered,
                    )
                )
        raise_problems(
            _("This change of the delivery schedule is not possible:"),
            [
                problem
                for line in self
                for problem in line._sop_schedule_revision_problems(
                    vals, self._sop_schedule_today(line.company_id)
                )
            ],
        )

    def _sop_schedule_revision_problems(self, vals, today):
        self.ensure_one()
        name = self.display_name
        problems = []
        if self.cancelled:
            problems.append(_("%(line)s is cancelled.", line=name))
        elif self.state == "delivered":
            problems.append(_("%(line)s is already delivered.", line=name))
        if "order_line_id" in vals and self.released:
            problems.append(
                _("%(line)s is released: it cannot move to another line.", line=name)
            )
        if vals.get("cancelled") and not float_is_zero(
            self.qty_delivered, precision_digits=6
        ):
            problems.append(
                _(
                    "%(line)s is partly delivered: reduce its quantity to the "
                    "delivered %(qty)s instead of cancelling it.",
                    line=name,
                    qty=self.qty_delivered,
                )
            )
        date = fields.Date.to_date(vals.get("date")) or self.date
        if "date" in vals and date < today:
            problems.append(
                _(
                    "%(line)s: the date %(date)s is in the past.",
                    line=name,
                    date=format_date(self.env, date),
                )
            )
        return problems

    def _sop_schedule_describe_change(self, old):
        self.ensure_one()
        old_date, old_qty, old_cancelled, _old_line = old
        product = self.product_id.display_name
        texts = []
        if self.cancelled and not old_cancelled:
            return [
                _(
                    "Cancelled: %(product)s, %(date)s, %(qty)s",
                    product=product,
                    date=format_date(self.env, old_date),
                    qty=old_qty,
                )
            ]
        if old_date != self.date:
            texts.append(
                _(
                    "%(product)s: date %(old)s → %(new)s",
                    product=product,
                    old=format_date(self.env, old_date),
                    new=format_date(self.env, self.date),
                )
            )
        if float_compare(
            old_qty,
            self.product_uom_qty,
            precision_rounding=self.product_uom.rounding or 0.001,
        ):
            texts.append(
                _(
                    "%(product)s, %(date)s: quantity %(old)s → %(new)s",
                    product=product,
                    date=format_date(self.env, self.date),
                    old=old_qty,
                    new=self.product_uom_qty,
                )
            )
        return texts

    def _sop_schedule_apply(self, old=None):
        """Bring the stock moves and the sales lines in line with the changed schedule
        lines ``self`` (``old``: their values before the change)."""
        old = old or {}
        sale_lines = self.order_line_id | self.env["sale.order.line"].concat(
            *(values[3] for values in old.values())
        )
        cancelled = self.filtered(lambda s: s.cancelled)
        cancelled._sop_schedule_pending_moves()._action_cancel()
        active = self - cancelled
        active.filtered(
            lambda s: s.released and s in old and old[s][0] != s.date
        )._sop_schedule_redate()
        # What the change would release (due planned lines, increases of released
        # ones) passes the type's availability policy first, as at confirmation.
        released = active.filtered(lambda s: s.released)
        procured = released._sop_schedule_qty_procured()
        increases = {
            line: line.product_uom_qty - procured[line.id]
            for line in released
            if float_compare(
                line.product_uom_qty,
                procured[line.id],
                precision_rounding=line.order_line_id.product_uom.rounding,
            )
            > 0
        }
        active.filtered(
            lambda s: s.state == "planned" and s._sop_schedule_is_due()
        )._sop_schedule_check_availability(increases)
        active = active.exists()
        active.filtered(lambda s: s.released)._sop_schedule_resize()
        active.filtered(
            lambda s: s.state == "planned" and s._sop_schedule_is_due()
        )._sop_schedule_release()
        sale_lines._sop_schedule_sync_quantity()

    def _sop_schedule_check_availability(self, increases=None):
        """The type's availability policy for what a revision or a schedule version
        releases: the due planned lines ``self`` and ``increases`` ({released
        line: quantity added}), as confirmation applies it
        (models/sale_order_availability.py): a shortage no receipt covers, or any
        shortage under "refuse", refuses the change; "reschedule" moves a line to
        the day its whole quantity is covered; "partial" keeps what is there on the
        day and moves the rest to a new line on the day it is covered (a released
        line keeps its date: what its increase lacks goes to a new line)."""
        increases = increases or {}
        lines = (self | self.browse([line.id for line in increases])).filtered(
            lambda s: s.firmness == "firm"
            and s.order_id.type_id.availability_policy not in (False, "none")
            and s.order_line_id._sop_availability_checked()
        )
        tracked = lines.order_line_id._sop_availability_tracked()
        lines = lines.filtered(lambda s: s.order_line_id in tracked)
        if not lines:
            return
        demands = [
            sched.order_line_id._sop_availability_demand(
                sched,
                increases.get(sched, sched.product_uom_qty),
                sched._sop_schedule_dates()["date_deadline"],
                self._sop_schedule_today(sched.company_id),
            )
            for sched in lines
        ]
        # As at confirmation: two changes at once for the same goods, the second
        # one computes after the first committed.
        self.env.flush_all()
        lock_claim(lines.product_id)
        policies = {d.key: d.key.order_id.type_id.availability_policy for d in demands}
        promises = self.env["sale.order.line"]._sop_availability_promises(
            demands, {key for key, policy in policies.items() if policy == "partial"}
        )
        problems = []
        for demand in demands:
            promise = promises[demand.key]
            values = demand.line._sop_availability_message_values(demand, promise)
            if promise.full_dt is False:
                problems.append(
                    _(
                        "%(order)s, %(product)s: %(available)s of %(qty)s %(uom)s on "
                        "%(date)s; no planned receipt or vendor covers the rest",
                        **values,
                    )
                )
            elif policies[demand.key] == "refuse" and promise.full_dt != (
                promise.ship_dt
            ):
                problems.append(
                    _(
                        "%(order)s, %(product)s: %(available)s of %(qty)s %(uom)s on "
                        "%(date)s; the whole quantity from %(full_date)s",
                        **values,
                    )
                )
        raise_problems(
            _(
                "This change of the delivery schedule is not possible: the stock on "
                "hand, the planned receipts and the existing commitments do not "
                "cover these lines on their delivery date:"
            ),
            problems,
        )
        new_lines = []
        for demand in demands:
            sched, promise = demand.key, promises[demand.key]
            if promise.full_dt == promise.ship_dt:
                continue
            full_day = demand.line._sop_availability_local(promise.full_dt).date()
            partial = policies[sched] == "partial" and promise.qty > 0
            if sched in increases:
                kept = promise.qty if partial else 0.0
                rest = increases[sched] - kept
                sched.product_uom_qty -= rest
            elif partial:
                rest = sched.product_uom_qty - promise.qty
                sched.product_uom_qty = promise.qty
            else:
                sched.date = full_day
                continue
            existing = sched.order_line_id.schedule_line_ids.filtered(
                lambda s, day=full_day: s.date == day and not s.cancelled
            )
            if existing:
                # The day has its line already: it takes the rest.
                existing.product_uom_qty += rest
                continue
            new_lines.append(
                {
                    "order_line_id": sched.order_line_id.id,
                    "date": full_day,
                    "product_uom_qty": rest,
                }
            )
        if new_lines:
            self.create(new_lines)

    def _sop_schedule_pending_moves(self):
        return self.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))

    def _sop_schedule_redate(self):
        """Moved dates: the pending moves go to the picking of their new date."""
        if not self:
            return
        groups = self._sop_schedule_groups()
        old_pickings = self.env["stock.picking"]
        for line in self:
            moves = line._sop_schedule_pending_moves()
            if not moves:
                continue
            old_pickings |= moves.picking_id
            moves._do_unreserve()
            dates = line._sop_schedule_dates()
            moves.write(
                {
                    "date": dates["date_planned"],
                    "date_deadline": dates["date_deadline"],
                    "group_id": groups[line._sop_schedule_group_key()].id,
                    "picking_id": False,
                }
            )
            moves._assign_picking()
            moves._action_assign()
        # A delivery emptied by the revision is removed; sudo: salespeople revise
        # schedules but may not delete transfers in general.
        old_pickings.filtered(
            lambda p: not p.move_ids and p.state == "draft"
        ).sudo().unlink()

    def _sop_schedule_resize(self):
        """Changed quantities of released lines: an increase is procured (Odoo merges
        it into the pending move of the first step; after a pick, a new pick: a pushed
        move is never resized, it would ship what was not picked); a decrease shrinks
        the pending moves."""
        if not self:
            return
        procured = self._sop_schedule_qty_procured()
        missing = self.browse()
        for line in self:
            delta = line.product_uom_qty - procured[line.id]
            rounding = line.order_line_id.product_uom.rounding
            if float_compare(delta, 0.0, precision_rounding=rounding) > 0:
                missing |= line
            elif float_compare(delta, 0.0, precision_rounding=rounding) < 0:
                line._sop_schedule_shrink(-delta)
        missing._sop_schedule_procure()

    def _sop_schedule_shrink(self, qty):
        """Take ``qty`` (sales unit) off the pending moves to the customer, oldest
        first; a move left empty is cancelled."""
        self.ensure_one()
        sale_uom = self.order_line_id.product_uom
        moves = self._sop_schedule_pending_moves().filtered(
            lambda m: (m.location_final_id or m.location_dest_id)._is_outgoing()
        )
        for move in moves.sorted("id"):
            reduce = min(
                qty, move.product_uom._compute_quantity(move.product_uom_qty, sale_uom)
            )
            qty -= reduce
            left = move.product_uom_qty - sale_uom._compute_quantity(
                reduce, move.product_uom
            )
            if float_is_zero(left, precision_rounding=move.product_uom.rounding):
                move._action_cancel()
            else:
                move.product_uom_qty = left
                move._action_assign()
            if float_is_zero(qty, precision_rounding=sale_uom.rounding):
                break


class SaleOrderType(models.Model):
    _inherit = "sale.order.type"

    # "set default": the field is ours, the value never goes without it; were it to,
    # its types would become standard ones.
    kind = fields.Selection(
        selection_add=[("schedule", "Delivery Schedule"), ("third_party",)],
        ondelete={"schedule": "set default"},
    )
    schedule_release_horizon = fields.Integer(
        string="Release Horizon (days)",
        default=0,
        help="Schedule lines due within this many days from today are released to the "
        "warehouse (a delivery is created for them); a daily scheduled action releases "
        "the others as they come into the horizon. 0 releases every schedule line at "
        "confirmation.",
    )

    schedule_reservation = fields.Selection(
        selection=[
            ("release", "At Release"),
            ("by_date", "Before the Due Date"),
        ],
        string="Reserve Stock",
        default="by_date",
        required=True,
        help="When the stock of a released delivery is reserved. At Release: as the "
        "delivery's operation type says (usually at once). Before the Due Date: the "
        "given number of days before the date of the schedule line, by Odoo's "
        "scheduler, as an operation type reserving 'Before scheduled date' does; a "
        "year of schedule lines released at confirmation does not lock a year of "
        "stock.",
    )
    schedule_reservation_days = fields.Integer(
        string="Reserve Days Before",
        default=7,
        help="With Reserve Stock 'Before the Due Date': how many days before the "
        "date of its schedule line a delivery's stock is reserved.",
    )

    def _sop_availability_default(self):
        # A schedule line is promised whole on its date, or the revision is refused.
        if self.kind == "schedule":
            return "refuse"
        return super()._sop_availability_default()

    @api.constrains("schedule_reservation_days")
    def _check_schedule_reservation_days(self):
        if any(t.schedule_reservation_days < 0 for t in self):
            raise ValidationError(
                _("The days before the due date to reserve cannot be negative.")
            )


class ProcurementGroup(models.Model):
    _inherit = "procurement.group"

    sop_schedule_date = fields.Date(
        string="Schedule Date",
        index="btree_not_null",
        help="Due date of the delivery schedule lines procured in this group.",
    )

    @api.model
    def run(self, procurements, raise_user_error=True):
        if self.env.context.get("sop_schedule_procure") is None:
            return super().run(procurements, raise_user_error=raise_user_error)
        # A schedule's procurements repeat each product once per date: the rules
        # found for the first date serve the others (one rule search per product
        # instead of one per procurement). The cache lives for this run only.
        cache = self.env.cr.cache
        outer = _RULE_CACHE in cache
        if not outer:
            cache[_RULE_CACHE] = {}
        try:
            return super().run(procurements, raise_user_error=raise_user_error)
        finally:
            if not outer:
                cache.pop(_RULE_CACHE, None)

    def _search_rule_for_warehouses(
        self, route_ids, packaging_id, product_id, warehouse_ids, domain
    ):
        cache = self.env.cr.cache.get(_RULE_CACHE)
        if cache is None:
            return super()._search_rule_for_warehouses(
                route_ids, packaging_id, product_id, warehouse_ids, domain
            )
        key = (
            tuple(route_ids.ids) if route_ids else (),
            packaging_id.id if packaging_id else False,
            product_id.id,
            tuple(warehouse_ids.ids) if warehouse_ids else (),
            repr(domain),
            self.env.su,
        )
        if key not in cache:
            cache[key] = super()._search_rule_for_warehouses(
                route_ids, packaging_id, product_id, warehouse_ids, domain
            )
        return cache[key]

    @api.model
    def _get_moves_to_assign_domain(self, company_id):
        # The scheduler reserves a schedule's moves from their reservation date on,
        # whatever the operation type's own method (see _sop_schedule_reserve_date).
        return expression.AND(
            [
                super()._get_moves_to_assign_domain(company_id),
                [
                    "|",
                    ("schedule_line_id", "=", False),
                    ("reservation_date", "<=", fields.Date.today()),
                ],
            ]
        )


class StockRule(models.Model):
    _inherit = "stock.rule"

    def _get_custom_move_fields(self):
        return super()._get_custom_move_fields() + ["schedule_line_id"]


class StockMove(models.Model):
    _inherit = "stock.move"

    # Copied on purpose: backorders and returns stay on their schedule line.
    schedule_line_id = fields.Many2one(
        comodel_name="sale.order.schedule.line",
        string="Schedule Line",
        index="btree_not_null",
        ondelete="set null",
    )

    def _prepare_merge_moves_distinct_fields(self):
        return super()._prepare_merge_moves_distinct_fields() + ["schedule_line_id"]

    def _prepare_procurement_values(self):
        # Chained (pull) moves keep the link to the schedule line too.
        values = super()._prepare_procurement_values()
        values["schedule_line_id"] = self.schedule_line_id.id
        return values

    def _sop_schedule_reserve_date(self):
        """The day from which the stock of this schedule move is reserved, or None
        when its type reserves at release (the operation type's method applies)."""
        self.ensure_one()
        order_type = self.schedule_line_id.order_id.type_id
        if not self.schedule_line_id or order_type.schedule_reservation != "by_date":
            return None
        return fields.Date.to_date(self.date) - timedelta(
            days=order_type.schedule_reservation_days
        )

    def _trigger_scheduler(self):
        # Odoo searches the auto orderpoint of each move (sale_stock confirms all the
        # open pickings of an order after each procurement: a schedule's every date).
        # Only products with an auto orderpoint can find one, and one move per
        # product, locations and origin (the largest, which Odoo compares with the
        # orderpoint's minimum) triggers what all of them would.
        scheduled = self.filtered("schedule_line_id")
        if len(scheduled) < 2:
            return super()._trigger_scheduler()
        reordered = (
            self.env["stock.warehouse.orderpoint"]
            .search(
                [
                    ("product_id", "in", scheduled.product_id.ids),
                    ("trigger", "=", "auto"),
                    ("company_id", "in", scheduled.company_id.ids),
                ]
            )
            .product_id
        )
        representative = {}
        for move in scheduled.filtered(lambda m: m.product_id in reordered):
            key = (
                move.product_id,
                move.location_id,
                move.location_dest_id,
                move.company_id,
                move.origin,
            )
            if (
                key not in representative
                or move.product_qty > representative[key].product_qty
            ):
                representative[key] = move
        kept = self.browse([move.id for move in representative.values()])
        return super(StockMove, (self - scheduled) | kept)._trigger_scheduler()

    def _should_assign_at_confirm(self):
        # Reserved after the commit, by a job (_action_confirm), or later by Odoo's
        # scheduler: the release does not wait for quants, and releases of
        # different agreements do not contend on the same quants.
        if (
            self._sop_schedule_reserve_date() is None
            or self._should_bypass_reservation()
        ):
            return super()._should_assign_at_confirm()
        return False

    def _action_confirm(self, merge=True, merge_into=False):
        moves = super()._action_confirm(merge=merge, merge_into=merge_into)
        # Odoo dates the reservation of an 'at confirmation' operation type today;
        # a schedule move reserving by date says its own day (the scheduler's domain
        # and the move's form read it).
        by_day = defaultdict(lambda: self.env["stock.move"])
        pending = self.env["stock.move"]
        today = fields.Date.today()
        for move in moves.filtered(
            lambda m: m.schedule_line_id
            and m.state in ("confirmed", "waiting", "partially_available")
        ):
            reserve_date = move._sop_schedule_reserve_date()
            if not reserve_date:
                continue
            if reserve_date != move.reservation_date:
                by_day[reserve_date] |= move
            if reserve_date <= today and not move._should_bypass_reservation():
                pending |= move
        for reserve_date, day_moves in by_day.items():
            day_moves.write({"reservation_date": reserve_date})
        pending.schedule_line_id.order_id._sop_schedule_enqueue_reservation()
        return moves
