# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Third-party orders (Streckengeschäft): a vendor ships straight to the customer.

Built on Odoo's dropship route: storable and consumable lines of a third-party order
take ``stock_dropshipping.route_drop_shipping``; the vendor chosen by the routing rules
(``sale.third.party.rule``) reaches ``stock.rule._run_buy`` as ``supplierinfo_id`` in
the procurement values, so Odoo itself creates one purchase order per vendor, shipping
to the customer, each line linked to its sales line.

Each line has a fulfiller (``sop_fulfiller``, from the routing rule, else the type): a
vendor (drop-ship, above), a logistics provider (3PL) shipping from a warehouse it
operates for us (``stock.warehouse.sop_provider_id``; the line's warehouse goes to
procurement), or our own warehouse. Each transfer of a provider or vendor becomes a
dispatch order (``models/sale_third_party_dispatch.py``) when it exists.

Where things happen:

* routing: ``sale.order.line._compute_route_id`` / ``_compute_sop_vendor_id`` /
  ``_compute_warehouse_id`` / ``_prepare_procurement_values``;
* hand-over: ``sale.order._sop_third_party_handover`` (after procurement and when a
  drop-ship purchase order is confirmed);
* confirmation: ``sale.order._sop_check_confirm`` (missing vendors, margin
  guard), then ``sale.order.line._action_launch_stock_rule`` (purchase orders through
  procurement, auto-confirmation, quantity changes carried to the purchase orders);
* cancellation: ``sale.order._action_cancel``;
* billing: ``stock.picking._action_done`` and ``account.move._post`` call
  ``sale.order._sop_third_party_invoice``; ``qty_to_invoice`` follows the type's
  ``invoice_trigger`` (``models/sale_order.py``).
"""

from odoo import Command, _, api, fields, models
from odoo.tools import float_is_zero

from .integrity import has_internal_flag, internal_flag, raise_problems
from .sale_third_party_dispatch import DISPATCH_STATES
from .selections import FULFILLERS

# Purchase order states in which a line can still be changed without asking the vendor.
RFQ_STATES = ("draft", "sent", "to approve")


class SaleOrderType(models.Model):
    _inherit = "sale.order.type"

    # "set default": the field is ours, the value never goes without it; were it to,
    # its types would become standard ones.
    kind = fields.Selection(
        selection_add=[("third_party", "Third-Party Order")],
        ondelete={"third_party": "set default"},
    )
    third_party_auto_confirm = fields.Boolean(
        string="Confirm Purchase Orders Automatically",
        help="Third-party orders: the purchase orders created at confirmation are "
        "confirmed at once, unless the routing rule that chose the vendor says "
        "otherwise. Without it they stay requests for quotation.",
    )
    third_party_margin_guard = fields.Selection(
        selection=[("warn", "Warn"), ("block", "Block confirmation")],
        string="Vendor Cost at or Above Sale Price",
        default="warn",
        required=True,
        help="Third-party orders: what happens when a line's vendor cost (in the "
        "order currency) is at or above its sale price.",
    )

    third_party_fulfiller = fields.Selection(
        selection=FULFILLERS,
        string="Fulfilled By",
        default="vendor",
        help="Third-party orders: who ships a line when no routing rule names a "
        "fulfiller.",
    )
    third_party_warehouse_id = fields.Many2one(
        comodel_name="stock.warehouse",
        string="Fulfilling Warehouse",
        help="Third-party orders fulfilled by a logistics provider (or our "
        "warehouse): the warehouse that ships, when no routing rule names one.",
    )
    third_party_ack_hours = fields.Integer(
        string="Hours to Acknowledge",
        default=24,
        help="Third-party orders: the salesperson gets an activity when the "
        "fulfiller has not acknowledged a dispatch order this many hours after it "
        "was sent (0: no reminder).",
    )

    def _sop_invoice_triggers(self):
        # Third-party orders ship from the vendor's stock: no availability check (the
        # default hook).
        if self.kind == "third_party":
            return ("shipment", "vendor_bill", "manual")
        return super()._sop_invoice_triggers()


class SaleOrder(models.Model):
    _inherit = "sale.order"

    sop_margin_alert = fields.Boolean(
        string="Vendor Cost Alert",
        compute="_compute_sop_margin_alert",
        store=True,
        help="A third-party line costs as much or more from its vendor than it sells.",
    )
    sop_margin_alert_message = fields.Text(
        string="Vendor Cost Alert Message",
        compute="_compute_sop_margin_alert_message",
    )

    sop_dispatch_ids = fields.One2many(
        comodel_name="sale.third.party.dispatch",
        inverse_name="order_id",
        string="Dispatch Orders",
        groups="sales_team.group_sale_salesman,stock.group_stock_user",
    )

    @api.depends("order_line.sop_margin_alert")
    def _compute_sop_margin_alert(self):
        for order in self:
            order.sop_margin_alert = any(order.order_line.mapped("sop_margin_alert"))

    @api.depends("order_line.sop_margin_alert")
    def _compute_sop_margin_alert_message(self):
        for order in self:
            order.sop_margin_alert_message = order._sop_third_party_margin_text()

    def _sop_third_party_margin_text(self):
        self.ensure_one()
        return "\n".join(
            _(
                "%(product)s: vendor cost %(cost)s, sale price %(price)s",
                product=line.product_id.display_name,
                cost=self.currency_id.format(line.sop_vendor_cost),
                price=self.currency_id.format(line.price_reduce_taxexcl),
            )
            for line in self.order_line.filtered("sop_margin_alert")
        )

    # ------------------------------------------------------------------
    # Confirmation
    # ------------------------------------------------------------------
    def _sop_check_confirm(self):
        res = super()._sop_check_confirm()
        self.filtered(
            lambda o: o.type_kind == "third_party"
        )._sop_third_party_check_confirm()
        return res

    def _sop_third_party_check_confirm(self):
        """Every dropshipped line has a vendor and, when the type blocks, sells above
        its vendor cost; checked before anything is written or purchased."""
        fulfilled = self.order_line.filtered(
            lambda line: line._sop_third_party_is_fulfilled()
        )
        # Routing rules may have changed since the quotation was written.
        fulfilled._sop_third_party_refresh_vendor()
        lines = fulfilled.filtered(lambda line: line._sop_third_party_is_dropship())
        self._sop_third_party_check_warehouses(fulfilled - lines)
        problems = []
        for order in self:
            missing = order.order_line.filtered(
                lambda line: line in lines and not line.sop_vendor_id
            )
            if missing:
                problems.append(
                    _(
                        "%(order)s: %(products)s",
                        order=order.name,
                        products=", ".join(missing.product_id.mapped("display_name")),
                    )
                )
        raise_problems(
            _(
                "No vendor ships these products to the customer. Add a routing "
                "rule (Sales / Configuration / Third-party Routing) or a vendor "
                "on the product:"
            ),
            problems,
        )
        raise_problems(
            _(
                "These lines go to an archived vendor; restore the vendor or "
                "change the routing rule or the product's vendors:"
            ),
            [
                self.env._(
                    "%(order)s: %(product)s → %(vendor)s (%(origin)s)",
                    order=line.order_id.name,
                    product=line.product_id.display_name,
                    vendor=line.sop_vendor_id.display_name,
                    origin=line.sop_third_party_rule_id.name
                    or self.env._("vendor price list"),
                )
                for line in lines
                if not line.sop_vendor_id.active
            ],
        )
        raise_problems(
            _("The vendor cost is at or above the sale price:"),
            [
                f"{order.name}\n{order._sop_third_party_margin_text()}"
                for order in self
                if order.sop_margin_alert
                and order.type_id.third_party_margin_guard == "block"
            ],
        )

    def _sop_credit_holdable(self):
        # Confirmed over the limit without a user (a job): the order is recorded and
        # its purchase orders wait, as requests for quotation, for the credit manager.
        return super()._sop_credit_holdable() | self.filtered(
            lambda o: o.type_kind == "third_party"
        )

    def _sop_credit_continue(self):
        res = super()._sop_credit_continue()
        # The hold is released: the requests for quotation held back are confirmed
        # when their rule or type says so.
        released = self.filtered(
            lambda o: o.type_kind == "third_party" and o.state == "sale"
        )
        released.sudo().order_line.purchase_line_ids.order_id._sop_third_party_auto_confirm()
        # ... and the dispatch orders to logistics providers held back go out.
        released._sop_third_party_handover()
        return res

    def _sop_third_party_check_warehouses(self, lines):
        """Lines a logistics provider ships need the provider's warehouse."""
        raise_problems(
            _(
                "No warehouse of a logistics provider is set for these lines; set "
                "one on the routing rule or the order type:"
            ),
            [
                self.env._(
                    "%(order)s: %(product)s",
                    order=line.order_id.name,
                    product=line.product_id.display_name,
                )
                for line in lines
                if line.sop_fulfiller == "provider"
                and not line.sop_fulfiller_warehouse_id.sop_provider_id
            ],
        )

    # ------------------------------------------------------------------
    # Hand-over to the fulfillers
    # ------------------------------------------------------------------
    def _sop_third_party_handover(self):
        """Create a dispatch order for each transfer of a third party (a provider's
        delivery, a vendor's drop-ship) that has none yet, and send it."""
        Dispatch = self.env["sale.third.party.dispatch"].sudo()
        new = Dispatch
        if not self:
            return new
        # Nothing goes to a fulfiller for an order on credit hold: its dispatch
        # orders go out when a credit manager releases it (_sop_credit_continue).
        for order in self.sudo().filtered(
            lambda o: o.type_kind == "third_party"
            and o.state == "sale"
            and not o.sop_credit_hold
        ):
            for picking in order.picking_ids.filtered(
                lambda p: not p.sop_dispatch_id and p.state not in ("done", "cancel")
            ):
                # The next step of a dispatched transfer stays on its dispatch.
                previous = picking.move_ids.move_orig_ids.picking_id.sop_dispatch_id
                if previous:
                    picking.sop_dispatch_id = previous[:1]
                    continue
                partner, fulfiller, purchase = picking._sop_third_party_fulfiller()
                if not partner:
                    continue
                new |= Dispatch.create(
                    {
                        "company_id": order.company_id.id,
                        "order_id": order.id,
                        "partner_id": partner.id,
                        "fulfiller": fulfiller,
                        "purchase_id": purchase.id,
                        "requested_date": order.commitment_date
                        or picking.scheduled_date,
                        "picking_ids": [Command.link(picking.id)],
                    }
                )
        new._sop_send()
        return new

    def _log_decrease_ordered_quantity(self, documents, cancel=False):
        if not cancel and any(o.type_kind == "third_party" for o in self):
            # The third-party lines already put the activity on the purchase orders
            # that need one (_sop_third_party_log_decrease): no second one.
            documents = {
                key: context
                for key, context in documents.items()
                if key[0]._name != "purchase.order"
            }
        return super()._log_decrease_ordered_quantity(documents, cancel=cancel)

    # ------------------------------------------------------------------
    # Cancellation
    # ------------------------------------------------------------------
    def _sop_check_cancel(self):
        res = super()._sop_check_cancel()
        # Invoiced on the vendor's shipment or bill: the customer invoice must be
        # credited before the order goes.
        self.filtered(
            lambda o: o.type_kind == "third_party"
        )._sop_check_invoices_credited()
        return res

    def _action_cancel(self):
        self.filtered(
            lambda o: o.type_kind == "third_party"
        )._sop_third_party_cancel_purchases()
        # sale_stock then cancels the open dropship transfers and sale_purchase puts an
        # activity on the purchase orders still confirmed (the vendor must be told).
        return super()._action_cancel()

    def _sop_third_party_cancel_purchases(self):
        """Requests for quotation of cancelled orders are cancelled (or their lines set
        to zero when they also serve other orders)."""
        purchase_lines = self.sudo().order_line.purchase_line_ids.filtered(
            lambda pol: pol.state in RFQ_STATES
        )
        to_cancel = self.env["purchase.order"].sudo()
        for purchase in purchase_lines.order_id:
            others = purchase.order_line.filtered(
                lambda pol: not pol.display_type
                and pol.sale_line_id.order_id not in self
            )
            if others:
                (purchase.order_line & purchase_lines).product_qty = 0.0
            else:
                to_cancel |= purchase
        # No "purchase order cancelled" warning back on the orders being cancelled.
        with internal_flag(to_cancel, "third_party_cancelling"):
            to_cancel.button_cancel()

    # ------------------------------------------------------------------
    # Billing
    # ------------------------------------------------------------------
    def _sop_third_party_invoice(self):
        """Create and post the customer invoice for what became invoiceable (shipped
        or vendor-billed quantities), orders of one customer together."""
        return self._sop_invoice_and_post(grouped=False)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    sop_vendor_id = fields.Many2one(
        comodel_name="res.partner",
        string="Vendor",
        compute="_compute_sop_vendor_id",
        store=True,
        help="Third-party orders: the vendor who ships this line to the customer.",
    )
    sop_supplierinfo_id = fields.Many2one(
        comodel_name="product.supplierinfo",
        string="Vendor Price List Entry",
        compute="_compute_sop_vendor_id",
        store=True,
        ondelete="set null",
    )
    sop_third_party_rule_id = fields.Many2one(
        comodel_name="sale.third.party.rule",
        string="Routing Rule",
        compute="_compute_sop_vendor_id",
        store=True,
        ondelete="set null",
    )
    sop_vendor_cost = fields.Monetary(
        string="Vendor Cost",
        compute="_compute_sop_vendor_id",
        store=True,
        help="Unit cost of the vendor in the order currency and unit of measure.",
    )
    sop_margin_alert = fields.Boolean(
        string="Vendor Cost Alert",
        compute="_compute_sop_margin_alert",
        store=True,
    )
    sop_fulfiller = fields.Selection(
        selection=FULFILLERS,
        string="Fulfilled By",
        compute="_compute_sop_vendor_id",
        store=True,
        help="Third-party orders: who ships this line (routing rule, else the order "
        "type).",
    )
    sop_fulfiller_warehouse_id = fields.Many2one(
        comodel_name="stock.warehouse",
        string="Fulfilling Warehouse",
        compute="_compute_sop_vendor_id",
        store=True,
        ondelete="set null",
    )
    sop_fulfiller_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Fulfiller",
        compute="_compute_sop_fulfiller_partner_id",
    )
    sop_dispatch_state = fields.Selection(
        selection=DISPATCH_STATES,
        string="Hand-over",
        compute="_compute_sop_dispatch_state",
    )
    sop_purchase_order_ids = fields.Many2many(
        comodel_name="purchase.order",
        string="Purchase Orders",
        compute="_compute_sop_purchase_order_ids",
        groups="purchase.group_purchase_user",
    )

    # ------------------------------------------------------------------
    # Routing
    # ------------------------------------------------------------------
    def _sop_third_party_is_fulfilled(self):
        """Storable and consumable lines of third-party orders are shipped by the
        fulfiller the routing chooses (vendor, logistics provider or us)."""
        self.ensure_one()
        return (
            self.order_id.type_kind == "third_party"
            and not self.display_type
            and self.product_id.type == "consu"
        )

    def _sop_third_party_is_dropship(self):
        """The lines a vendor ships straight to the customer."""
        self.ensure_one()
        return self._sop_third_party_is_fulfilled() and self.sop_fulfiller in (
            "vendor",
            False,
        )

    def _compute_sop_fulfiller_partner_id(self):
        for line in self:
            if line.sop_fulfiller == "vendor":
                line.sop_fulfiller_partner_id = line.sop_vendor_id
            else:
                line.sop_fulfiller_partner_id = (
                    line.sop_fulfiller_warehouse_id.sop_provider_id
                )

    def _compute_sop_dispatch_state(self):
        for line in self:
            dispatches = line.sudo().move_ids.picking_id.sop_dispatch_id
            line.sop_dispatch_state = dispatches.sorted("id")[:1].state

    @api.depends("sop_fulfiller_warehouse_id")
    def _compute_warehouse_id(self):
        # A line shipped from a provider's (or another own) warehouse is available
        # and procured there.
        res = super()._compute_warehouse_id()
        for line in self:
            if line.sop_fulfiller in ("provider", "own") and (
                line.sop_fulfiller_warehouse_id
            ):
                line.warehouse_id = line.sop_fulfiller_warehouse_id
        return res

    @api.depends(
        "order_id.type_id", "order_id.type_kind", "product_id", "sop_fulfiller"
    )
    def _compute_route_id(self):
        # OCA's sale_order_type puts the type's own route on the lines; the kind adds
        # the dropship route when the type carries none, and takes it back from a
        # quotation that is no longer third-party (type switched, kind changed).
        res = super()._compute_route_id()
        route = self.env.ref("stock_dropshipping.route_drop_shipping", False)
        if not route:
            return res
        for line in self:
            if line.order_id.type_id.route_id:
                continue
            if line._sop_third_party_is_dropship():
                line.route_id = route
            elif (
                line.route_id == route
                and not line.move_ids
                and not line.sudo().purchase_line_ids
            ):
                # Not procured yet (the recomputation may run once confirmed).
                line.route_id = False
        return res

    @api.depends(
        "product_id",
        "product_uom",
        "product_uom_qty",
        "company_id",
        "order_id.type_kind",
        "order_id.partner_shipping_id.country_id",
        "order_id.currency_id",
        "order_id.type_id.third_party_fulfiller",
        "order_id.type_id.third_party_warehouse_id",
    )
    def _compute_sop_vendor_id(self):
        rules_by_company = {}
        for line in self:
            if line.state == "sale" and (
                line.sop_vendor_id or line.sop_fulfiller_warehouse_id
            ):
                # The fulfiller of a confirmed line already has its transfer.
                continue
            if not line._sop_third_party_is_fulfilled():
                line.sop_vendor_id = False
                line.sop_supplierinfo_id = False
                line.sop_third_party_rule_id = False
                line.sop_vendor_cost = 0.0
                line.sop_fulfiller = False
                line.sop_fulfiller_warehouse_id = False
                continue
            company = line.order_id.company_id
            if company not in rules_by_company:
                rules_by_company[company] = self.env[
                    "sale.third.party.rule"
                ]._sop_rules_by_precedence(company)
            rule, vendor, supplierinfo = line._sop_third_party_select_vendor(
                rules_by_company[company]
            )
            order_type = line.order_id.type_id
            fulfiller = rule.fulfiller or order_type.third_party_fulfiller or "vendor"
            line.sop_third_party_rule_id = rule
            line.sop_fulfiller = fulfiller
            if fulfiller != "vendor":
                line.sop_fulfiller_warehouse_id = (
                    rule.warehouse_id
                    or order_type.third_party_warehouse_id
                    or (line.order_id.warehouse_id if fulfiller == "own" else False)
                )
                line.sop_vendor_id = False
                line.sop_supplierinfo_id = False
                line.sop_vendor_cost = 0.0
                continue
            line.sop_fulfiller_warehouse_id = False
            line.sop_vendor_id = vendor
            line.sop_supplierinfo_id = supplierinfo
            line.sop_vendor_cost = line._sop_third_party_cost(vendor, supplierinfo)

    def _sop_third_party_refresh_vendor(self):
        fields_to_compute = [
            self._fields[name]
            for name in (
                "sop_vendor_id",
                "sop_supplierinfo_id",
                "sop_third_party_rule_id",
                "sop_vendor_cost",
                "sop_fulfiller",
                "sop_fulfiller_warehouse_id",
            )
        ]
        before = {
            line: (line.sop_fulfiller, line.sop_fulfiller_warehouse_id) for line in self
        }
        for field in fields_to_compute:
            self.env.add_to_compute(field, self)
        # add_to_compute does not reach the fields depending on these (margin alert;
        # route and warehouse, recomputed only where the fulfiller changed: the
        # warehouse of a routed line costs a rule search).
        self.modified(["sop_vendor_id", "sop_vendor_cost"])
        self.filtered(
            lambda line: (line.sop_fulfiller, line.sop_fulfiller_warehouse_id)
            != before[line]
        ).modified(["sop_fulfiller", "sop_fulfiller_warehouse_id"])

    def _sop_third_party_select_vendor(self, rules):
        """(rule, vendor, supplier info) of the line: the first matching rule by
        precedence, else the product's vendor price list as Odoo's dropship uses it."""
        self.ensure_one()
        product = self.product_id.with_company(self.order_id.company_id)
        country = self.order_id.partner_shipping_id.country_id
        rule = next((r for r in rules if r._sop_matches(product, country)), rules[:0])
        if rule.fulfiller not in (False, "vendor") or (
            not rule
            and self.order_id.type_id.third_party_fulfiller not in (False, "vendor")
        ):
            return rule, rule.vendor_id.browse(), self.env["product.supplierinfo"]
        vendor = rule.vendor_id
        supplierinfo = self._sop_third_party_seller(product, vendor)
        if not vendor:
            vendor = supplierinfo.partner_id
        return rule, vendor, supplierinfo

    def _sop_third_party_seller(self, product, vendor):
        """Same choice as ``stock.rule._run_buy``: the best valid price list entry,
        else any entry of the company (for ``vendor`` only when given)."""
        company = self.order_id.company_id
        date = max(
            (self.order_id.commitment_date or fields.Datetime.now()).date(),
            fields.Date.context_today(self),
        )
        seller = product._select_seller(
            partner_id=vendor or False,
            quantity=self.product_uom_qty,
            date=date,
            uom_id=self.product_uom,
        )
        if not seller:
            seller = product._prepare_sellers(False).filtered(
                lambda s: (not s.company_id or s.company_id == company)
                and (not vendor or s.partner_id in (vendor | vendor.parent_id))
            )[:1]
        return seller

    def _sop_third_party_cost(self, vendor, supplierinfo):
        """Vendor unit cost in the order's currency and the line's unit: the price list
        price, or the product cost when the vendor has no price for it (as the purchase
        order line then does)."""
        self.ensure_one()
        if not vendor:
            return 0.0
        order = self.order_id
        date = (order.date_order or fields.Datetime.now()).date()
        if supplierinfo:
            price = supplierinfo.price * (1 - (supplierinfo.discount or 0.0) / 100.0)
            price = supplierinfo.product_uom._compute_price(price, self.product_uom)
            currency = supplierinfo.currency_id
        else:
            # The cost is per company: the order's, not the user's active one.
            product = self.product_id.with_company(order.company_id)
            price = product.uom_id._compute_price(
                product.standard_price, self.product_uom
            )
            currency = product.cost_currency_id
        return currency._convert(price, order.currency_id, order.company_id, date)

    @api.depends("sop_vendor_cost", "sop_vendor_id", "price_reduce_taxexcl")
    def _compute_sop_margin_alert(self):
        for line in self:
            line.sop_margin_alert = bool(
                line.sop_vendor_id
                and line.product_uom_qty
                and line.currency_id.compare_amounts(
                    line.sop_vendor_cost, line.price_reduce_taxexcl
                )
                >= 0
            )

    @api.depends("purchase_line_ids.order_id")
    def _compute_sop_purchase_order_ids(self):
        for line in self:
            line.sop_purchase_order_ids = line.purchase_line_ids.order_id

    # ------------------------------------------------------------------
    # Procurement
    # ------------------------------------------------------------------
    def _prepare_procurement_values(self, group_id=False):
        values = super()._prepare_procurement_values(group_id=group_id)
        if self.sop_vendor_id and self._sop_third_party_is_dropship():
            # _run_buy takes the vendor from here instead of choosing one itself.
            values["supplierinfo_id"] = (
                self.sop_supplierinfo_id
                or self._sop_third_party_vendor_only_supplierinfo()
            )
        elif (
            self.sop_fulfiller in ("provider", "own")
            and self.sop_fulfiller_warehouse_id
            and self._sop_third_party_is_fulfilled()
        ):
            # Shipped from the provider's warehouse: its delivery route and stock.
            values["warehouse_id"] = self.sop_fulfiller_warehouse_id
            if values.get("route_ids") == self.env.ref(
                "stock_dropshipping.route_drop_shipping", False
            ):
                values["route_ids"] = self.env["stock.route"]
        return values

    def _sop_third_party_vendor_only_supplierinfo(self):
        """An unsaved price list entry for a rule's vendor that has no price for the
        product: _run_buy needs one to address the purchase order; the purchase line
        then takes the product cost, as Odoo does for a vendor without price."""
        company = self.order_id.company_id
        vendor = self.sop_vendor_id
        return self.env["product.supplierinfo"].new(
            {
                "partner_id": vendor.id,
                "company_id": company.id,
                "currency_id": (
                    vendor.with_company(company).property_purchase_currency_id
                    or company.currency_id
                ).id,
                "delay": 0,
            }
        )

    def _action_launch_stock_rule(self, previous_product_uom_qty=False):
        if self.env.context.get("skip_procurement"):
            return super()._action_launch_stock_rule(previous_product_uom_qty)
        lines = self.filtered(
            lambda line: line.state == "sale" and line._sop_third_party_is_dropship()
        )
        synced = lines._sop_third_party_sync_purchase(previous_product_uom_qty)
        purchases_before = lines.sudo().purchase_line_ids.order_id
        res = super(SaleOrderLine, self - synced)._action_launch_stock_rule(
            previous_product_uom_qty
        )
        lines.invalidate_recordset(["purchase_line_ids"])
        new_purchases = lines.sudo().purchase_line_ids.order_id - purchases_before
        new_purchases._sop_third_party_auto_confirm()
        # The third parties' parts are ready: their dispatch orders go out.
        if lines or any(o.type_kind == "third_party" for o in self.order_id):
            self.order_id.filtered(
                lambda o: o.type_kind == "third_party"
            )._sop_third_party_handover()
        return res

    def _sop_third_party_wants_auto_confirm(self):
        """The rule that chose the vendor decides, else the order type."""
        self.ensure_one()
        rule = self.sop_third_party_rule_id
        if rule and rule.auto_confirm != "type":
            return rule.auto_confirm == "yes"
        return self.order_id.type_id.third_party_auto_confirm

    def _sop_third_party_sync_purchase(self, previous_product_uom_qty):
        """Carry a quantity change of confirmed lines to their purchase orders.

        Requests for quotation are updated directly. A decrease a confirmed purchase
        order cannot absorb becomes an activity for its buyer. An increase without a
        request for quotation is left to procurement (Odoo then creates one). Returns
        the lines handled here, which procurement must skip.
        """
        synced = self.browse()
        decreased = {}
        precision = self.env["decimal.precision"].precision_get(
            "Product Unit of Measure"
        )
        for line in self:
            purchase_lines = line.sudo().purchase_line_ids.filtered(
                lambda pol, product=line.product_id: pol.state != "cancel"
                and pol.product_id == product
            )
            if not purchase_lines:
                continue  # first procurement
            procured = line._get_qty_procurement(previous_product_uom_qty)
            delta = line.product_uom_qty - procured
            if float_is_zero(delta, precision_digits=precision):
                continue
            editable = purchase_lines.filtered(lambda pol: pol.state in RFQ_STATES)
            editable = editable.sorted("id", reverse=True)
            if delta > 0:
                if editable:
                    pol = editable[0]
                    pol.product_qty += line.product_uom._compute_quantity(
                        delta, pol.product_uom
                    )
                    synced |= line
                continue
            remaining = -delta
            for pol in editable:
                available = pol.product_uom._compute_quantity(
                    pol.product_qty, line.product_uom
                )
                taken = min(available, remaining)
                pol.product_qty -= line.product_uom._compute_quantity(
                    taken, pol.product_uom
                )
                remaining -= taken
            if not float_is_zero(remaining, precision_digits=precision):
                old_qty = (previous_product_uom_qty or {}).get(line.id, procured)
                decreased[line] = old_qty
            synced |= line
        if decreased:
            self._sop_third_party_log_decrease(decreased)
        return synced

    def _sop_third_party_log_decrease(self, decreased):
        """Activity on each confirmed purchase order whose line now exceeds the sales
        line (Odoo cannot change a confirmed PO without the vendor)."""
        lines = self.browse([line.id for line in decreased])
        purchase_lines = lines.sudo().purchase_line_ids.filtered(
            lambda pol: pol.state not in RFQ_STATES + ("cancel",)
        )
        for purchase in purchase_lines.order_id:
            sale_lines = (purchase.order_line & purchase_lines).sale_line_id
            purchase._activity_schedule_with_view(
                "mail.mail_activity_data_warning",
                user_id=purchase.user_id.id or self.env.uid,
                views_or_xmlid="sale_purchase.exception_purchase_on_sale_quantity_decreased",
                render_context={
                    "sale_lines": sale_lines,
                    "sale_orders": sale_lines.order_id,
                    "origin_values": {line.id: qty for line, qty in decreased.items()},
                },
            )

    # ------------------------------------------------------------------
    # Billing
    # ------------------------------------------------------------------
    @api.depends(
        "purchase_line_ids.invoice_lines.move_id.state",
        "purchase_line_ids.invoice_lines.quantity",
    )
    def _compute_qty_to_invoice(self):
        return super()._compute_qty_to_invoice()

    def _sop_invoiceable_qty(self):
        trigger = self.order_id.type_id.invoice_trigger
        if trigger not in ("shipment", "vendor_bill"):
            return super()._sop_invoiceable_qty()
        # Lines a logistics provider (or we) ship count on shipment too.
        if not self._sop_third_party_is_fulfilled():
            return None
        if trigger == "vendor_bill" and self._sop_third_party_is_dropship():
            return self._sop_third_party_vendor_billed_qty()
        return self.qty_delivered

    def _sop_third_party_vendor_billed_qty(self):
        """Quantity on posted vendor bills (minus refunds), in the line's unit."""
        self.ensure_one()
        qty = 0.0
        for aml in self.sudo().purchase_line_ids.invoice_lines:
            if aml.move_id.state != "posted":
                continue
            billed = aml.product_uom_id._compute_quantity(
                aml.quantity, self.product_uom
            )
            qty += -billed if aml.move_id.move_type == "in_refund" else billed
        return qty


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    def _sop_third_party_auto_confirm(self):
        """Confirm the new purchase orders whose lines all ask for it (rule, else
        order type)."""
        for purchase in self.filtered(
            lambda po: po.state in ("draft", "sent")
            and not po._sop_third_party_credit_held()
        ):
            sale_lines = purchase.order_line.sale_line_id
            if sale_lines and all(
                line._sop_third_party_wants_auto_confirm() for line in sale_lines
            ):
                purchase.button_confirm()

    def _sop_third_party_credit_held(self):
        """The customer orders of these purchase orders that are on credit hold."""
        return self.sudo().order_line.sale_line_id.order_id.filtered("sop_credit_hold")

    def _sop_third_party_check_credit_hold(self):
        """Nothing goes to the vendor for a customer order on credit hold."""
        # Before the customer orders are read as superuser: the caller's own right.
        self.check_access("write")
        problems = [
            self.env._(
                "%(purchase)s: %(orders)s",
                purchase=purchase.name,
                orders=", ".join(
                    purchase._sop_third_party_credit_held().mapped("name")
                ),
            )
            for purchase in self
            if purchase._sop_third_party_credit_held()
        ]
        raise_problems(
            _(
                "These purchase orders cannot be confirmed or sent to the vendor: "
                "their customer orders are on credit hold until a credit manager "
                "releases them:"
            ),
            problems,
        )

    def button_confirm(self):
        self._sop_third_party_check_credit_hold()
        # Ordering from the vendor is where a third-party order exposes the
        # supplier: the customer is checked again (not at the order's own
        # confirmation, checked already, nor after a credit manager released its
        # hold). Over the limit, the customer order goes on credit hold (activity)
        # and its purchase orders stay requests for quotation.
        orders = self.sudo().order_line.sale_line_id.order_id.filtered(
            lambda o: o.type_kind == "third_party" and not o.sop_credit_release_date
        )
        orders._sop_credit_hold_check(_("Purchase order to the vendor"))
        blocked = self.filtered(lambda po: po._sop_third_party_credit_held())
        confirmed = self - blocked
        res = super(PurchaseOrder, confirmed).button_confirm() if confirmed else True
        # A drop-ship purchase order confirmed by hand: its transfer now exists
        # (sudo: a buyer need not read sales orders).
        confirmed.sudo().order_line.sale_line_id.order_id.filtered(
            lambda o: o.type_kind == "third_party"
        )._sop_third_party_handover()
        if not blocked:
            return res
        return self.env["sale.order"]._sop_notification(
            _(
                "Not confirmed, the customer is over the credit limit and the "
                "customer order is now on credit hold: %(purchases)s.",
                purchases=", ".join(blocked.mapped("name")),
            )
        )

    def button_approve(self, force=False):
        self._sop_third_party_check_credit_hold()
        return super().button_approve(force=force)

    def action_rfq_send(self):
        self._sop_third_party_check_credit_hold()
        return super().action_rfq_send()

    def _activity_cancel_on_sale(self):
        if has_internal_flag(self, "third_party_cancelling"):
            return None
        return super()._activity_cancel_on_sale()


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    @api.model
    def _prepare_purchase_order_line_from_procurement(
        self,
        product_id,
        product_qty,
        product_uom,
        location_dest_id,
        name,
        origin,
        company_id,
        values,
        po,
    ):
        res = super()._prepare_purchase_order_line_from_procurement(
            product_id,
            product_qty,
            product_uom,
            location_dest_id,
            name,
            origin,
            company_id,
            values,
            po,
        )
        supplier = values.get("supplier")
        if supplier and not supplier.id and not res.get("price_unit"):
            # A rule's vendor without price for the product: let the line compute
            # the product cost, as a purchase line without vendor price does.
            res.pop("price_unit", None)
        return res


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    sop_provider_id = fields.Many2one(
        comodel_name="res.partner",
        string="Operated by (Logistics Provider)",
        help="A logistics provider (3PL) operates this warehouse: third-party "
        "orders shipped from it are handed over to the provider as dispatch orders.",
    )


class StockPicking(models.Model):
    _inherit = "stock.picking"

    sop_dispatch_id = fields.Many2one(
        comodel_name="sale.third.party.dispatch",
        string="Dispatch Order",
        index="btree_not_null",
        readonly=True,
        # copy: a backorder stays on the dispatch of its transfer.
    )
    # Not "Carrier": stock_delivery's carrier_id (a delivery method) has that label.
    sop_carrier = fields.Char(
        string="Reported Carrier",
        copy=False,
        help="The carrier the fulfiller named in its shipment report.",
    )
    # The same field as stock_delivery's, defined identically (type, label, copy):
    # with both installed they are one column that both fill, and uninstalling either
    # add-on keeps it for the other (each owns the field's ir.model.data).
    carrier_tracking_ref = fields.Char(string="Tracking Reference", copy=False)

    def _sop_third_party_fulfiller(self):
        """(partner, kind, purchase order) of the third party who ships this
        transfer, or empty when we ship it ourselves."""
        self.ensure_one()
        if self.is_dropship:
            purchase = self.move_ids.purchase_line_id.order_id[:1]
            return purchase.partner_id.commercial_partner_id, "vendor", purchase
        provider = self.picking_type_id.warehouse_id.sop_provider_id
        # With 2 or 3 delivery steps Odoo creates the pick at confirmation and
        # pushes the next steps when it is done: the provider gets the chain from
        # its first step on.
        if provider and (
            self.picking_type_id.code == "outgoing"
            or any(move.location_final_id.usage == "customer" for move in self.move_ids)
        ):
            return (
                provider.commercial_partner_id,
                "provider",
                self.env["purchase.order"],
            )
        return self.env["res.partner"], False, self.env["purchase.order"]

    def _action_done(self):
        res = super()._action_done()
        # sudo: whoever validates (a warehouse user) need not read sales orders; the
        # invoice follows the shipment, not the user's rights.
        orders = (
            self.sudo()
            .filtered(
                lambda p: p.state == "done"
                and (p.is_dropship or p.picking_type_id.code == "outgoing")
            )
            .move_ids.sale_line_id.order_id.filtered(
                lambda o: o.type_kind == "third_party"
                and o.type_id.invoice_trigger == "shipment"
            )
        )
        orders._sop_third_party_invoice()
        return res


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        bills = posted.filtered(lambda m: m.move_type == "in_invoice")
        if bills:
            orders = (
                bills.sudo().invoice_line_ids.purchase_line_id.sale_line_id.order_id
            )
            orders.filtered(
                lambda o: o.type_kind == "third_party"
                and o.type_id.invoice_trigger == "vendor_bill"
            )._sop_third_party_invoice()
        return posted
