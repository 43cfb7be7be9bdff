# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Schedule versions, applying: the plan of a checked version (the agreement's open
schedule replaced by the version's, a JIT's inside its horizon), the changes it
makes, applying them through the schedule lines' revision logic, the comparison with
the version before and the type's tolerances. Receiving:
models/sale_order_schedule_version_intake.py; checking:
models/sale_order_schedule_version.py."""

from collections import defaultdict
from datetime import date as Date
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import float_compare, float_is_zero, format_date

from .integrity import lock_claim, lock_wait, raise_problems
from .sale_order_schedule_version import own_step


class SaleOrderScheduleVersion(models.Model):
    _inherit = "sale.order.schedule.version"

    def _sop_version_plan(self):
        """{sales line: (ranges, {date: [qty, firmness]})}: what applying this
        version asks of the agreement's schedule, and the date ranges in which it
        decides.

        A JIT version (DELJIT) decides only the items it contains, each within its
        own first..last date of that item: the other items and the item's other
        dates stay as they are. A forecast version (DELFOR) decides its items from
        its first date on, except, for an item of a JIT version in force, that
        item's JIT dates (the JIT calls override the forecast there)."""
        self.ensure_one()
        if self.kind == "jit":
            windows, lines = self._sop_version_item_windows(self)
            return self._sop_version_plan_of(
                {sale_line: [window] for sale_line, window in windows.items()},
                lines,
            )
        windows = self._sop_version_jit_windows()
        ranges, lines = {}, defaultdict(list)
        for line in self.line_ids:
            sale_line = line.order_line_id
            window = windows.get(sale_line)
            if window and window[0] <= line.date <= window[1]:
                continue
            lines[sale_line].append(line)
        for sale_line in lines:
            window = windows.get(sale_line)
            ranges[sale_line] = self._sop_version_ranges_outside(
                self.date_start, window
            )
        return self._sop_version_plan_of(ranges, lines)

    @api.model
    def _sop_version_ranges_outside(self, start, window):
        """[(start, end)] from ``start`` on, without the dates of ``window``."""
        if not window:
            return [(start, Date.max)]
        ranges = []
        if start < window[0]:
            ranges.append((start, window[0] - timedelta(days=1)))
        if window[1] < Date.max:
            ranges.append((max(start, window[1] + timedelta(days=1)), Date.max))
        return ranges

    @api.model
    def _sop_version_item_windows(self, version):
        """({sales line: (first, last date)}, {sales line: [version lines]}) of
        the items of ``version``."""
        windows, lines = {}, defaultdict(list)
        for line in version.line_ids:
            sale_line = line.order_line_id
            lines[sale_line].append(line)
            first, last = windows.get(sale_line, (line.date, line.date))
            windows[sale_line] = (min(first, line.date), max(last, line.date))
        return windows, lines

    def _sop_version_jit_windows(self):
        """{sales line: (first, last date)} of the JIT calls in force on the
        agreement: per item, those of the newest JIT version (applied, or
        superseded by one without that item) whose dates are not over yet."""
        today = self.env["sale.order.schedule.line"]._sop_schedule_today(
            self.company_id
        )
        jits = self.search(
            [
                ("order_id", "=", self.order_id.id),
                ("kind", "=", "jit"),
                ("state", "in", ("applied", "superseded")),
                ("applied_date", "!=", False),
                ("date_end", ">=", today),
                ("id", "!=", self.id),
            ],
            order="applied_date desc, id desc",
        )
        windows = {}
        for jit in jits:
            for sale_line, window in self._sop_version_item_windows(jit)[0].items():
                windows.setdefault(sale_line, window)
        return windows

    @api.model
    def _sop_version_plan_of(self, ranges, lines):
        """The plan (see ``_sop_version_plan``) of ``ranges`` {sales line:
        [(start, end)]} and ``lines`` {sales line: [version lines]}: one entry per
        date, the quantities of a date added up (firm if one of them is). Each line
        is read once (a version has thousands)."""
        plan = {}
        for sale_line, item_ranges in ranges.items():
            if not sale_line:
                continue
            wanted = {}
            for line in lines.get(sale_line, []):
                entry = wanted.setdefault(line.date, [0.0, "forecast"])
                entry[0] += line.product_uom_qty
                if line.firmness == "firm":
                    entry[1] = "firm"
            rounding = sale_line.product_uom.rounding
            plan[sale_line] = (
                item_ranges,
                {
                    day: entry
                    for day, entry in wanted.items()
                    if not float_is_zero(entry[0], precision_rounding=rounding)
                },
            )
        return plan

    @api.model
    def _sop_version_in_ranges(self, day, ranges):
        return any(start <= day <= end for start, end in ranges)

    @api.model
    def _sop_version_changes(self, plan):
        """What the schedule lines must do for ``plan``: (values to create, [(line,
        values)] to write, lines to delete, lines to cancel). Delivered quantities
        stay: a delivered line is left alone, a partly delivered one keeps at least
        what was delivered; a released line no longer asked for is cancelled."""
        Line = self.env["sale.order.schedule.line"]
        to_create, to_write, to_unlink, to_cancel = [], [], Line, Line
        for sale_line, (ranges, wanted) in plan.items():
            rounding = sale_line.product_uom.rounding
            existing = {
                line.date: line
                for line in sale_line.schedule_line_ids
                if not line.cancelled and self._sop_version_in_ranges(line.date, ranges)
            }
            for day, (qty, firmness) in wanted.items():
                line = existing.get(day)
                if not line:
                    to_create.append(
                        {
                            "order_line_id": sale_line.id,
                            "date": day,
                            "product_uom_qty": qty,
                            "firmness": firmness,
                        }
                    )
                    continue
                if line.state == "delivered":
                    continue
                if (
                    line.released
                    and firmness == "forecast"
                    and float_is_zero(line.qty_delivered, precision_rounding=rounding)
                ):
                    # The customer turned a call into a planning figure: a
                    # forecast is never delivered, so the released line is
                    # cancelled with its delivery and the figure stays planned.
                    to_cancel |= line
                    to_create.append(
                        {
                            "order_line_id": sale_line.id,
                            "date": day,
                            "product_uom_qty": qty,
                            "firmness": firmness,
                        }
                    )
                    continue
                vals = {}
                qty = max(qty, line.qty_delivered)
                if float_compare(
                    qty, line.product_uom_qty, precision_rounding=rounding
                ):
                    vals["product_uom_qty"] = qty
                # A partly delivered line is on its way: it stays firm.
                if not line.released and line.firmness != firmness:
                    vals["firmness"] = firmness
                if vals:
                    to_write.append((line, vals))
            for day, line in existing.items():
                if day in wanted or line.state == "delivered":
                    continue
                if not line.released:
                    to_unlink |= line
                elif float_is_zero(line.qty_delivered, precision_rounding=rounding):
                    to_cancel |= line
                else:
                    to_write.append((line, {"product_uom_qty": line.qty_delivered}))
        return to_create, to_write, to_unlink, to_cancel

    @own_step
    def _sop_version_apply(self):
        """Apply this version to its agreement (within the caller's transaction or
        savepoint: all of it or nothing)."""
        self.ensure_one()
        order = self.order_id
        lock_wait(order)
        raise_problems(
            _("The version %(version)s cannot be applied:", version=self.display_name),
            self._sop_version_problems(),
        )
        plan = self._sop_version_plan()
        to_create, to_write, to_unlink, to_cancel = self._sop_version_changes(plan)
        Line = self.env["sale.order.schedule.line"]
        self._sop_version_claim_products(to_create, to_write)
        with order._sop_schedule_revision_batch():
            to_unlink.unlink()
            to_cancel.action_cancel()
            # Lines getting the same values are written together.
            grouped = defaultdict(lambda: Line)
            for line, vals in to_write:
                grouped[tuple(sorted(vals.items()))] |= line
            for vals, lines in grouped.items():
                lines.write(dict(vals))
            if to_create:
                Line.create(to_create)
        self._sop_version_write_cum()
        previous = self._sop_version_applied(order, self.kind)
        previous.write({"state": "superseded"})
        self._sop_version_supersede_older_held()
        self.write(
            {
                "state": "applied",
                "reason": False,
                "previous_id": previous.id or self.previous_id.id,
                "applied_date": fields.Datetime.now(),
            }
        )
        self.activity_feedback(["mail.mail_activity_data_todo"])

    def _sop_version_claim_products(self, to_create, to_write):
        """The availability checks of the changes claim their products batch by
        batch (lock_claim). Claimed here at once, in one order, two versions of
        agreements that share products wait for each other instead of deadlocking
        (each holding the products of its first batch, waiting for the other's)."""
        if self.order_id.type_id.availability_policy == "none":
            return
        products = (
            self.env["sale.order.schedule.line"]
            .browse([line.id for line, _vals in to_write])
            .product_id
            | self.env["sale.order.line"]
            .browse(
                [
                    vals["order_line_id"]
                    for vals in to_create
                    if vals.get("order_line_id")
                ]
            )
            .product_id
        )
        if products:
            self.env.flush_all()
            lock_claim(products)

    def _sop_version_supersede_older_held(self):
        """The held versions of the same agreement and kind older than this
        applied one are superseded: applied later they would undo newer figures
        (``_sop_version_refusal``). Their activities are done. (A received one
        waits for its job, which rejects it for the same reason.)"""
        self.ensure_one()
        candidates = self.search(
            [
                ("order_id", "=", self.order_id.id),
                ("kind", "=", self.kind),
                ("state", "=", "held"),
                ("id", "!=", self.id),
            ]
        )
        older = candidates.filtered(
            lambda v: (v.document_date or Date.min, v.id)
            < (self.document_date or Date.min, self.id)
        )
        for version in older:
            version.write(
                {
                    "state": "superseded",
                    "reason": "\n".join(
                        filter(
                            None,
                            [
                                version.reason,
                                _(
                                    "Superseded by the newer version %(version)s, "
                                    "applied.",
                                    version=self.display_name,
                                ),
                            ],
                        )
                    ),
                }
            )
            version.activity_feedback(["mail.mail_activity_data_todo"])

    def _sop_version_write_cum(self):
        """The customer's cumulative received quantity and last delivery note onto
        the agreement's lines (only those that changed)."""
        for sale_line, lines in (
            self.line_ids.filtered("has_customer_cum").grouped("order_line_id").items()
        ):
            if not sale_line:
                continue
            vals = {
                "sop_customer_cum_qty": lines[0].customer_cum_qty,
                "sop_customer_cum_note": lines[0].customer_cum_note or False,
            }
            if (
                float_compare(
                    sale_line.sop_customer_cum_qty,
                    vals["sop_customer_cum_qty"],
                    precision_rounding=sale_line.product_uom.rounding,
                )
                or (sale_line.sop_customer_cum_note or False)
                != vals["sop_customer_cum_note"]
            ):
                sale_line.write(vals)

    def _sop_version_compare(self):
        """Write the comparison with the applied version of the same kind: the
        products and dates whose quantity or firmness differ."""
        self.ensure_one()
        previous = self._sop_version_applied(self.order_id, self.kind)
        # The comparison is derived from the versions, as a computed field would be:
        # users read it, only this method writes it.
        self.change_ids.sudo().unlink()
        self.previous_id = previous
        # The first version of its kind: compared with the agreement's schedule it
        # replaces (the lines its confirmation or a person made).
        self.compared_with_schedule = not previous
        old = (
            self._sop_version_totals(previous)
            if previous
            else self._sop_version_schedule_totals()
        )
        new = self._sop_version_totals(self)
        vals_list = []
        for key in sorted(old.keys() | new.keys(), key=lambda k: (k[0], k[1])):
            old_qty, old_firmness = old.get(key, (0.0, False))
            new_qty, new_firmness = new.get(key, (0.0, False))
            if float_compare(old_qty, new_qty, precision_digits=6) or (
                old_firmness and new_firmness and old_firmness != new_firmness
            ):
                vals_list.append(
                    {
                        "version_id": self.id,
                        "product_id": key[0],
                        "date": key[1],
                        "old_qty": old_qty,
                        "new_qty": new_qty,
                        "difference": new_qty - old_qty,
                        "old_firmness": old_firmness,
                        "new_firmness": new_firmness,
                    }
                )
        self.env["sale.order.schedule.version.change"].sudo().create(vals_list)

    def _sop_version_schedule_totals(self):
        """{(product id, date): (qty, firmness)} of the agreement's active schedule
        lines within the dates this version decides (``_sop_version_plan``)."""
        self.ensure_one()
        totals = {}
        for sale_line, (ranges, _wanted) in self._sop_version_plan().items():
            for sched in sale_line.schedule_line_ids:
                if sched.cancelled or not self._sop_version_in_ranges(
                    sched.date, ranges
                ):
                    continue
                key = (sale_line.product_id.id, sched.date)
                qty, firmness = totals.get(key, (0.0, "forecast"))
                totals[key] = (
                    qty + sched.product_uom_qty,
                    "firm" if "firm" in (firmness, sched.firmness) else "forecast",
                )
        return totals

    @api.model
    def _sop_version_totals(self, version):
        totals = {}
        for line in version.line_ids.filtered("product_id"):
            qty, firmness = totals.get(
                (line.product_id.id, line.date), (0.0, "forecast")
            )
            totals[(line.product_id.id, line.date)] = (
                qty + line.product_uom_qty,
                "firm" if "firm" in (firmness, line.firmness) else "forecast",
            )
        return totals

    def _sop_version_tolerance_problems(self):
        """Changes beyond the type's tolerances inside the firm zone (today up to
        the release horizon): the firm quantity of a product changing by more than
        the allowed percentage, or a quantity wanted more days earlier than
        allowed. Checked against the schedule of the versions applied before; the
        first version of an agreement sets it."""
        self.ensure_one()
        order_type = self.order_id.type_id
        if not order_type.schedule_version_tolerance or not self.search_count(
            [("order_id", "=", self.order_id.id), ("state", "=", "applied")]
        ):
            return []
        today = self.env["sale.order.schedule.line"]._sop_schedule_today(
            self.order_id.company_id
        )
        horizon = order_type.schedule_release_horizon
        # 0 releases every line at once: the whole schedule is the firm zone.
        zone_end = Date.max if horizon <= 0 else today + timedelta(days=horizon)
        max_pct = order_type.schedule_tolerance_qty_percent
        max_days = order_type.schedule_tolerance_days_earlier
        problems = []
        for sale_line, (ranges, wanted) in self._sop_version_plan().items():
            product = sale_line.product_id.display_name
            old_lines = sale_line.schedule_line_ids.filtered(
                lambda s, ranges=ranges: not s.cancelled
                and s.firmness == "firm"
                and s.date >= today
                and self._sop_version_in_ranges(s.date, ranges)
            ).sorted("date")
            new_entries = sorted(
                (day, qty)
                for day, (qty, firmness) in wanted.items()
                if firmness == "firm" and day >= today
            )
            old_zone = sum(
                old_lines.filtered(lambda s: s.date <= zone_end).mapped(
                    "product_uom_qty"
                )
            )
            new_zone = sum(qty for day, qty in new_entries if day <= zone_end)
            if float_compare(old_zone, new_zone, precision_digits=6):
                change = abs(new_zone - old_zone) / old_zone * 100 if old_zone else None
                if change is None or change > max_pct:
                    # Worked out before the message: the term extraction does not
                    # read an f-string inside _().
                    change_text = _("new") if change is None else f"{change:+.1f} %"
                    problems.append(
                        _(
                            "%(product)s: the firm quantity inside the release "
                            "horizon changes from %(old)s to %(new)s (%(change)s; "
                            "tolerance %(max)s %%).",
                            product=product,
                            old=old_zone,
                            new=new_zone,
                            change=change_text,
                            max=max_pct,
                        )
                    )
            # Dates earlier: the day the old schedule reached each cumulative
            # quantity of the new one.
            old_cum, total = [], 0.0
            for line in old_lines:
                total += line.product_uom_qty
                old_cum.append((total, line.date))
            total = 0.0
            for day, qty in new_entries:
                total += qty
                if day > zone_end:
                    break
                old_day = next((d for cum, d in old_cum if cum >= total - 1e-6), None)
                if old_day and (old_day - day).days > max_days:
                    problems.append(
                        _(
                            "%(product)s: %(qty)s due on %(old)s are now wanted on "
                            "%(new)s, %(days)s days earlier (tolerance %(max)s "
                            "days).",
                            product=product,
                            qty=total,
                            old=format_date(self.env, old_day),
                            new=format_date(self.env, day),
                            days=(old_day - day).days,
                            max=max_days,
                        )
                    )
                    break
        return problems
