# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Availability at confirmation (available-to-promise) of the goods lines.

What a line can be promised comes from the warehouse's projected stock (stock on
hand, planned receipts, reservations and open deliveries: the pending moves, as
``_sop_projected_stock`` reads them) minus the commitments the kinds add that have no
move yet (``_sop_availability_commitments``). One batch per warehouse: a fixed number
of queries whatever the number of lines.

Each demand (a sales line, or a part of it the kind dates on its own) takes its
share in turn: the quantity that stays free from its day on, without taking goods that
later commitments need; then, when that is not the whole quantity, the first day from
which the whole quantity (or the rest, for a partial confirmation) stays covered.
The kinds say which day is asked for (``_sop_availability_ship_dt``) and how many days
before it the goods must be in the warehouse (``_sop_availability_lead``).
"""

from collections import defaultdict, namedtuple
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import float_compare, float_round

from .stock_projection import _add_to_timeline, _covered_day, _free_from

# One demand on the projected stock. key: the record the promise belongs to (a sales
# line or a schedule line); qty: in the product's unit; uom_qty: in the line's unit;
# day: the day the goods must be in the warehouse; ship_dt: the delivery asked for
# (UTC datetime); lead: days between the two.
Demand = namedtuple("Demand", "key line product qty uom_qty day ship_dt lead")
# The promise: qty (line's unit) confirmed for ship_dt; full_dt: when the whole
# quantity (partial: the rest) can ship, False when no planned receipt covers it.
Promise = namedtuple("Promise", "qty ship_dt full_dt")

# How far ahead the company's calendar is searched for the next working day.
CALENDAR_WINDOW = timedelta(days=14)
CALENDAR_WINDOWS = 8


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # Written at confirmation: what the company promised (the preview of a quotation
    # is computed, below).
    sop_commit_qty = fields.Float(
        string="Committed Quantity",
        digits="Product Unit of Measure",
        readonly=True,
        copy=False,
    )
    sop_commit_date = fields.Datetime(
        string="Committed Date", readonly=True, copy=False
    )
    sop_commit_full_date = fields.Datetime(
        string="Committed Full Date", readonly=True, copy=False
    )
    sop_confirmed_qty = fields.Float(
        string="Confirmed Qty",
        digits="Product Unit of Measure",
        compute="_compute_sop_confirmed",
        help="Quantity that can ship on the delivery date: for a quotation, what the "
        "stock on hand, the planned receipts and the existing commitments leave now; "
        "once confirmed, what the confirmation promised.",
    )
    sop_confirmed_date = fields.Datetime(
        string="Confirmed Date",
        compute="_compute_sop_confirmed",
        help="Delivery date of the confirmed quantity.",
    )
    sop_full_date = fields.Datetime(
        string="Rest On",
        compute="_compute_sop_confirmed",
        help="When the rest (the whole quantity, for a type that does not confirm "
        "partly) can ship; empty when everything ships on the confirmed date or no "
        "planned receipt covers the rest.",
    )
    sop_short = fields.Boolean(
        string="Short",
        compute="_compute_sop_confirmed",
        help="The whole quantity cannot ship on the requested date.",
    )

    @api.depends(
        "product_id",
        "product_uom_qty",
        "product_uom",
        "state",
        "warehouse_id",
        "order_id.commitment_date",
        "order_id.type_id",
        "sop_commit_qty",
        "sop_commit_date",
        "sop_commit_full_date",
    )
    def _compute_sop_confirmed(self):
        self.sop_confirmed_qty = 0.0
        self.sop_confirmed_date = False
        self.sop_full_date = False
        self.sop_short = False
        checked = self.filtered(lambda line: line._sop_availability_checked())
        confirmed = checked.filtered(lambda line: line.state == "sale")
        for line in confirmed:
            line.sop_confirmed_qty = line.sop_commit_qty
            line.sop_confirmed_date = line.sop_commit_date
            line.sop_full_date = line.sop_commit_full_date
            line.sop_short = bool(line.sop_commit_full_date)
        quotations = (checked - confirmed).filtered(
            lambda line: line.state in ("draft", "sent")
        )
        # New lines of a form have no id yet: the preview still reads the stock.
        for line, promise in quotations._sop_availability_preview().items():
            line.sop_confirmed_qty = promise.qty
            line.sop_confirmed_date = promise.ship_dt
            line.sop_short = bool(
                promise.full_dt and promise.full_dt != promise.ship_dt
            ) or (promise.full_dt is False)
            line.sop_full_date = promise.full_dt if line.sop_short else False

    # ------------------------------------------------------------------
    # Which lines, which days (the kinds override)
    # ------------------------------------------------------------------
    def _sop_availability_checked(self):
        """A line whose order type checks availability and that sells goods."""
        self.ensure_one()
        return bool(
            not self.display_type
            and not self.is_downpayment
            and self.product_id
            and self.order_id.type_id.availability_policy not in (False, "none")
        )

    def _sop_availability_tracked(self):
        """The lines among ``self`` whose goods' stock is counted: services and
        consumables (no stock tracking) are always available; goods made or bought
        to order, or shipped by the vendor (dropship), come with their own
        procurement, not from the stock."""
        goods = self.filtered(
            lambda line: line.product_id.type == "consu" and line.product_id.is_storable
        )
        if not goods:
            return goods
        to_order = self.env["stock.route"].search(
            [
                "|",
                ("rule_ids.procure_method", "=", "make_to_order"),
                ("rule_ids.location_src_id.usage", "=", "supplier"),
            ]
        )
        # Once per product, not per line.
        product_to_order = {
            product: bool(
                to_order & (product.route_ids | product.categ_id.total_route_ids)
            )
            for product in goods.product_id
        }
        return goods.filtered(
            lambda line: not product_to_order[line.product_id]
            and not (to_order & line.route_id)
        )

    def _sop_availability_ship_dt(self, known):
        """The delivery asked for: the delivery date of the order, else sale_stock's
        expected date (order date plus the customer lead time). ``known``: dates the
        batch already found (a kind computing one per order keeps it there)."""
        self.ensure_one()
        return self.order_id.commitment_date or self._expected_date()

    def _sop_availability_lead(self):
        """Days the goods must be in the warehouse before the delivery: the
        company's security lead time, as sale_stock plans the moves."""
        self.ensure_one()
        return int(self.order_id.company_id.security_lead or 0)

    def _sop_availability_demands(self):
        """The demands of the goods lines among ``self`` on the projected stock."""
        today = fields.Date.context_today(self)
        demands = []
        known = {}
        for line in self._sop_availability_tracked():
            if line.product_uom_qty <= 0:
                continue
            ship_dt = line._sop_availability_ship_dt(known)
            demands.append(
                line._sop_availability_demand(
                    line, line.product_uom_qty, ship_dt, today
                )
            )
        return demands

    def _sop_availability_demand(self, key, uom_qty, ship_dt, today):
        self.ensure_one()
        lead = self._sop_availability_lead()
        ship_day = self._sop_availability_local(ship_dt).date()
        return Demand(
            key=key,
            line=self,
            product=self.product_id,
            qty=self.product_uom._compute_quantity(
                uom_qty, self.product_id.uom_id, round=False
            ),
            uom_qty=uom_qty,
            day=max(ship_day - timedelta(days=lead), today),
            ship_dt=ship_dt,
            lead=lead,
        )

    def _sop_availability_local(self, dt):
        """``dt`` (UTC) in the time zone of the company's calendar."""
        company = self.order_id.company_id or self.env.company
        tz = pytz.timezone(
            company.resource_calendar_id.tz or company.partner_id.tz or "UTC"
        )
        return pytz.utc.localize(dt).astimezone(tz)

    # ------------------------------------------------------------------
    # The computation
    # ------------------------------------------------------------------
    def _sop_availability_preview(self):
        """{line: Promise} of the quotation lines ``self``, as their type's policy
        would confirm them now."""
        demands = self._sop_availability_demands()
        split = {
            d.key
            for d in demands
            if d.line.order_id.type_id.availability_policy == "partial"
        }
        return self._sop_availability_by_line(
            demands, self._sop_availability_promises(demands, split)
        )

    def _sop_availability_by_line(self, demands, promises):
        """{line: Promise} of the lines ``self``: their demands' promises summed per
        sales line (a schedule line is one demand); lines without a demand (services,
        consumables) ship whole on their date."""
        result = {}
        known = {}
        by_line = defaultdict(list)
        for demand in demands:
            by_line[demand.line].append(demand)
        tracked = self.filtered(
            lambda line: line not in by_line
        )._sop_availability_tracked()
        for line in self:
            line_demands = by_line[line]
            if not line_demands:
                if line in tracked:
                    continue  # nothing to promise (no quantity)
                ship_dt = line._sop_availability_ship_dt(known)
                result[line] = Promise(line.product_uom_qty, ship_dt, ship_dt)
                continue
            qty = line.product_uom_qty - sum(d.uom_qty for d in line_demands)
            qty += sum(promises[d.key].qty for d in line_demands)
            ship_dt = min(d.ship_dt for d in line_demands)
            full = [promises[d.key].full_dt for d in line_demands]
            if all(promises[d.key].full_dt == d.ship_dt for d in line_demands):
                full_dt = ship_dt
            else:
                full_dt = False if False in full else max(full)
            result[line] = Promise(qty, ship_dt, full_dt)
        return result

    @api.model
    def _sop_availability_promises(self, demands, split_keys=()):
        """{demand key: Promise}, one batch per warehouse. ``split_keys``: demands
        confirmed partly (what is free on the day, the rest when it is covered); the
        others take their whole quantity on the day it is covered."""
        today = fields.Date.context_today(self)
        promises = {}
        days = {}  # working days found, per (company, day)
        by_warehouse = defaultdict(list)
        for demand in demands:
            by_warehouse[demand.line.warehouse_id].append(demand)
        for warehouse, wh_demands in by_warehouse.items():
            products = (
                self.env["product.product"]
                .browse({d.product.id for d in wh_demands})
                .with_context(warehouse_id=warehouse.id)
            )
            timelines = self._sop_projected_stock(products, today)
            # Their own commitments are demands (a form's new order has no id yet).
            orders = {
                d.line.order_id.id
                for d in wh_demands
                if isinstance(d.line.order_id.id, int)
            }
            for product_id, day, qty in self._sop_availability_commitments(
                warehouse, products, today, orders
            ):
                _add_to_timeline(timelines[product_id], day, -qty)
            taken = defaultdict(list)
            # Earlier days first, then the order of the lines (as sale_stock does).
            for demand in sorted(
                wh_demands, key=lambda d: (d.day, d.line.order_id.id, d.line.sequence)
            ):
                qty, day = self._sop_availability_take(
                    demand,
                    timelines[demand.product.id],
                    taken[demand.product.id],
                    demand.key in split_keys,
                )
                if day is False:
                    # No planned receipt: what a vendor delivers in its lead time.
                    day = self._sop_availability_replenished(demand, today)
                if day is None:
                    full_dt = demand.ship_dt
                elif day is False:
                    full_dt = False
                else:
                    full_dt = demand.line._sop_availability_delivery_dt(
                        day + timedelta(days=demand.lead), days
                    )
                promises[demand.key] = Promise(qty, demand.ship_dt, full_dt)
        return promises

    @api.model
    def _sop_availability_take(self, demand, timeline, taken, split):
        """(quantity that ships on the day, in the line's unit; the day the whole
        quantity, or the rest when ``split``, is covered: None when it all ships on
        the day, False when no planned receipt covers it). What the demand takes is
        added to ``taken``."""
        line, uom = demand.line, demand.product.uom_id
        free = max(_free_from(timeline, taken, demand.day), 0.0)
        if float_compare(free, demand.qty, precision_rounding=uom.rounding) >= 0:
            taken.append((demand.day, demand.qty))
            return demand.uom_qty, None
        now_uom = uom._compute_quantity(free, line.product_uom, rounding_method="DOWN")
        if line.product_uom.factor < uom.factor:
            # Sold in a bigger unit than it is stocked in (a dozen): whole ones ship,
            # a dozen is not opened.
            now_uom = float_round(
                now_uom, precision_rounding=1.0, rounding_method="DOWN"
            )
        now_uom = min(now_uom, demand.uom_qty)
        rest = demand.qty
        if split and now_uom > 0:
            now = line.product_uom._compute_quantity(now_uom, uom, round=False)
            taken.append((demand.day, now))
            rest -= now
        day = _covered_day(timeline, taken, rest, demand.day, uom.rounding)
        if day:
            taken.append((day, rest))
        return now_uom, day

    @api.model
    def _sop_availability_replenished(self, demand, today):
        """The day goods bought now arrive (the shortest delivery lead time of the
        product's vendors for the company): None when that is in time for the
        demand, False without a vendor."""
        company = demand.line.order_id.company_id
        delays = [
            seller.delay
            for seller in demand.product.seller_ids
            if not seller.company_id or seller.company_id == company
        ]
        if not delays:
            return False
        # Bought today, the goods arrive on another day at the earliest.
        arrival = today + timedelta(days=max(min(delays), 1))
        # Beyond the vendor's lead time, the whole quantity can be bought in time.
        return None if arrival <= demand.day else arrival

    @api.model
    def _sop_availability_commitments(self, warehouse, products, today, order_ids):
        """[(product id, day, quantity in the product's unit)]: commitments of
        ``products`` in ``warehouse`` that have no move yet (other than those of the
        orders ``order_ids``, whose own are demands), on the day their goods must be
        in the warehouse. Kinds add theirs (super() first); none here."""
        return []

    def _sop_availability_delivery_dt(self, day, known):
        """The start of the first working day of the company's calendar from ``day``
        on (UTC), or the day's midnight without a calendar. ``known``: the days
        already found, per (company, day)."""
        self.ensure_one()
        company = self.order_id.company_id or self.env.company
        key = (company.id, day)
        if key not in known:
            known[key] = self._sop_availability_working_start(company, day)
        return known[key]

    def _sop_availability_working_start(self, company, day):
        tz = pytz.timezone(
            company.resource_calendar_id.tz or company.partner_id.tz or "UTC"
        )
        start = tz.localize(datetime.combine(day, time.min))
        calendar = company.resource_calendar_id
        if calendar:
            for window in range(CALENDAR_WINDOWS):
                begin = start + CALENDAR_WINDOW * window
                intervals = calendar._work_intervals_batch(
                    begin, begin + CALENDAR_WINDOW
                )[False]
                first = next(iter(intervals), None)
                if first:
                    start = first[0]
                    break
        return start.astimezone(pytz.utc).replace(tzinfo=None)

    # ------------------------------------------------------------------
    # Partial confirmation: the rest on a backorder
    # ------------------------------------------------------------------
    def _sop_availability_splits(self):
        """A line confirmed partly (the rest on its own date) procured for the first
        time. Kinds that split otherwise override it."""
        self.ensure_one()
        return bool(self.sop_commit_full_date and not self.move_ids)

    def _sop_availability_backordered(self):
        """A line confirmed partly whose rest goes to a backorder transfer of its
        own after procurement. Kinds that split otherwise override it."""
        self.ensure_one()
        return bool(self.sop_commit_full_date)

    def _create_procurements(self, product_qty, procurement_uom, origin, values):
        # Never a line a kind splits otherwise (``_sop_availability_splits``): the
        # order of this override and the kinds' does not matter (test in
        # test_kind_schedule.py).
        if not self._sop_availability_splits():
            return super()._create_procurements(
                product_qty, procurement_uom, origin, values
            )
        now = self.product_uom._compute_quantity(
            self.sop_commit_qty, procurement_uom, round=False
        )
        rest = product_qty - now
        deadline = self.sop_commit_full_date
        later = dict(
            values,
            date_deadline=deadline,
            date_planned=deadline - timedelta(days=self._sop_availability_lead()),
        )
        procurements = []
        rounding = procurement_uom.rounding
        if float_compare(now, 0.0, precision_rounding=rounding) > 0:
            procurements += super()._create_procurements(
                now, procurement_uom, origin, values
            )
        if float_compare(rest, 0.0, precision_rounding=rounding) > 0:
            procurements += super()._create_procurements(
                rest, procurement_uom, origin, later
            )
        return procurements

    def _sop_availability_backorder(self):
        """Move the moves of the rest of the partly confirmed lines ``self`` (all the
        steps of the warehouse's delivery route) to a backorder transfer of their
        date, unreserved: what was not promised for now is not taken now."""
        moves_by_picking = defaultdict(lambda: self.env["stock.move"])
        for line in self:
            moves = line.order_id.picking_ids.move_ids.filtered(
                lambda m, line=line: m.product_id == line.product_id
                and m.date_deadline == line.sop_commit_full_date
                and m.state not in ("done", "cancel")
            )
            for move in moves:
                moves_by_picking[(move.picking_id, move.date_deadline)] |= move
        for (picking, _deadline), moves in moves_by_picking.items():
            if moves == picking.move_ids:
                continue  # nothing promised now on this transfer: it is the backorder
            backorder = picking._create_backorder_picking()
            moves._do_unreserve()
            moves.write({"picking_id": backorder.id})
            picking.message_post(
                body=self.env._(
                    "The backorder %(backorder)s takes what ships when it becomes "
                    "available.",
                    backorder=backorder._get_html_link(),
                )
            )
