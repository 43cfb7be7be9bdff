# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Schedule versions: each delivery schedule the customer sends (EDIFACT DELFOR /
DELJIT, a file, an e-mail, typed in) is kept as a version of its agreement (a
confirmed order of kind schedule).

A version is received, checked and then applied, held or rejected:

* rejected (final): it cannot be applied at all (unreadable, older than the applied
  version, a duplicate of a version already applied: receiving it again changes
  nothing);
* held: something needs a person (unknown agreement or item, impossible quantities or
  dates, changes beyond the type's tolerances); an activity goes to the salesperson,
  who applies or rejects it;
* applied: the agreement's open schedule is replaced by the version's (with the JIT
  version's lines inside its horizon), through the schedule lines' revision logic
  (models/kind_schedule.py), writing only what changed; the version it replaces is
  superseded.
"""

import base64
import functools
from collections import defaultdict
from datetime import date as Date
from datetime import timedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, float_is_zero, format_date

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from .integrity import (
    in_internal_scope,
    internal_scope,
    lock_claim,
    lock_nowait,
    lock_wait,
    raise_problems,
)
from .schedule_edifact import EdifactError, ScheduleEdifactReader

# A quantity beyond this is a misplaced decimal mark or a field shift, not a call.
ABSURD_QTY = 1e9
# Versions received at once beyond which each is checked and applied in a job.
VERSION_JOB_THRESHOLD = 5

_KINDS = [("forecast", "Forecast (DELFOR)"), ("jit", "Just in Time (DELJIT)")]
# Versions whose content (lines, number, kind) may still change.
OPEN_STATES = ("received", "held")
# Internal scope (models/integrity.py) of the version's own steps: receiving,
# checking, applying, rejecting write these fields; nobody else does.
VERSION_WRITE = "schedule_version_write"
_SYSTEM_FIELDS = (
    "state",
    "reason",
    "import_problems",
    "attachment_id",
    "change_ids",
    "previous_id",
    "applied_date",
    "inbox_id",
    "sender_problem",
    "source",
)
_APPLIED_FIELDS = ("applied_date", "previous_id", "change_ids")
_CONTENT_FIELDS = (
    "name",
    "document_date",
    "order_id",
    "partner_id",
    "agreement_ref",
    "buyer_code",
    "ship_to_code",
    "kind",
    "line_ids",
)


def own_step(method):
    """Run ``method`` as one of the version's own steps (``VERSION_WRITE``): a Python
    flag for the call, nothing an RPC client can send."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with internal_scope(self.env["sale.order.schedule.version"], VERSION_WRITE):
            return method(self, *args, **kwargs)

    return wrapper


class SaleOrderScheduleVersion(models.Model):
    _name = "sale.order.schedule.version"
    _description = "Delivery Schedule Version"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(
        string="Schedule Number",
        required=True,
        default="/",
        help="The customer's number of this schedule (EDIFACT BGM).",
    )
    document_date = fields.Date(
        string="Schedule Date", help="The customer's date of this schedule (DTM 137)."
    )
    order_id = fields.Many2one(
        comodel_name="sale.order",
        string="Agreement",
        index=True,
        ondelete="cascade",
        domain="[('type_kind', '=', 'schedule'), ('state', '=', 'sale')]",
        tracking=True,
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        help="The agreement's company (set from it).",
    )
    user_id = fields.Many2one(related="order_id.user_id", string="Salesperson")
    agreement_ref = fields.Char(
        string="Agreement Number",
        help="The agreement the customer named (EDIFACT RFF ON): the order's "
        "Customer Reference.",
    )
    buyer_code = fields.Char(string="Buyer Identifier", help="EDIFACT NAD BY.")
    ship_to_code = fields.Char(string="Ship-to Identifier", help="EDIFACT NAD ST.")
    kind = fields.Selection(selection=_KINDS, required=True, default="forecast")
    source = fields.Selection(
        selection=[
            ("edi", "EDI"),
            ("file", "File"),
            ("manual", "Manual"),
            ("mail", "E-mail"),
        ],
        required=True,
        default="manual",
    )
    state = fields.Selection(
        selection=[
            ("received", "Received"),
            ("held", "Held"),
            ("applied", "Applied"),
            ("superseded", "Superseded"),
            ("rejected", "Rejected"),
        ],
        required=True,
        default="received",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    reason = fields.Text(
        readonly=True,
        copy=False,
        help="Why the version is held or rejected.",
    )
    import_problems = fields.Text(
        readonly=True,
        copy=False,
        help="What could not be read in the received file.",
    )
    attachment_id = fields.Many2one(
        comodel_name="ir.attachment", string="Received File", readonly=True, copy=False
    )
    line_ids = fields.One2many(
        comodel_name="sale.order.schedule.version.line",
        inverse_name="version_id",
        string="Lines",
        copy=True,
    )
    change_ids = fields.One2many(
        comodel_name="sale.order.schedule.version.change",
        inverse_name="version_id",
        string="Comparison",
        readonly=True,
    )
    previous_id = fields.Many2one(
        comodel_name="sale.order.schedule.version",
        string="Compared With",
        readonly=True,
        copy=False,
        help="The applied version of the same kind this version was compared with "
        "(and replaces when applied).",
    )
    compared_with_schedule = fields.Boolean(
        string="Compared with the Schedule",
        readonly=True,
        copy=False,
        help="No version of this kind was applied before: the comparison is with "
        "the agreement's schedule lines this version decides.",
    )
    date_start = fields.Date(
        string="First Date", compute="_compute_dates", store=True, readonly=True
    )
    date_end = fields.Date(
        string="Last Date", compute="_compute_dates", store=True, readonly=True
    )
    applied_date = fields.Datetime(readonly=True, copy=False)
    line_count = fields.Integer(compute="_compute_counts")
    change_count = fields.Integer(compute="_compute_counts")
    inbox_id = fields.Many2one(
        comodel_name="sale.order.schedule.inbox",
        string="E-mail",
        ondelete="set null",
        readonly=True,
        copy=False,
    )
    sender_problem = fields.Text(
        string="Sender Not Proven",
        readonly=True,
        copy=False,
        help="Why the channel of this version cannot prove who sent it (a mailed "
        "schedule): it is held for a person to apply instead of applied at once.",
    )

    @api.depends("order_id")
    def _compute_partner_id(self):
        for version in self:
            if version.order_id:
                version.partner_id = version.order_id.partner_id

    def _sop_version_own_write(self):
        """Whether the version's own steps (or the superuser) are writing."""
        return self.env.su or in_internal_scope(self, VERSION_WRITE)

    @api.model_create_multi
    def create(self, vals_list):
        # Readonly in the form is not enough: over RPC a client would create a
        # version "applied" that was never applied.
        if not self._sop_version_own_write() and any(
            vals.get("state", "received") != "received"
            or any(vals.get(name) for name in _APPLIED_FIELDS)
            for vals in vals_list
        ):
            raise UserError(
                _("A new version is received; applying it is what makes it applied.")
            )
        # The agreement's company; a plain field rather than a precomputed one: a
        # precomputation would build the thousands of lines in memory first.
        for vals in vals_list:
            if vals.get("order_id"):
                vals["company_id"] = (
                    self.env["sale.order"].browse(vals["order_id"]).company_id.id
                )
        return super().create(vals_list)

    def write(self, vals):
        if self and not self._sop_version_own_write():
            # Who may not write the version at all gets Odoo's access error.
            self.check_access("write")
            system = [name for name in _SYSTEM_FIELDS if name in vals]
            if system:
                raise UserError(
                    _(
                        "%(fields)s of a schedule version are set by receiving, "
                        "applying or rejecting it, not by hand.",
                        fields=", ".join(
                            self._fields[name]._description_string(self.env)
                            for name in system
                        ),
                    )
                )
            closed = self.filtered(lambda v: v.state not in OPEN_STATES)
            if closed and any(name in vals for name in _CONTENT_FIELDS):
                raise UserError(
                    _(
                        "%(versions)s can no longer change (applied, superseded or "
                        "rejected): a new version replaces it.",
                        versions=", ".join(closed.mapped("display_name")),
                    )
                )
        if vals.get("order_id"):
            vals = dict(
                vals,
                company_id=self.env["sale.order"]
                .browse(vals["order_id"])
                .company_id.id,
            )
        return super().write(vals)

    @api.depends("line_ids.date")
    def _compute_dates(self):
        for version in self:
            dates = version.line_ids.mapped("date")
            version.date_start = min(dates) if dates else False
            version.date_end = max(dates) if dates else False

    @api.depends("line_ids", "change_ids")
    def _compute_counts(self):
        for version in self:
            version.line_count = len(version.line_ids)
            version.change_count = len(version.change_ids)

    @api.depends("name", "order_id", "kind")
    def _compute_display_name(self):
        kinds = dict(_KINDS)
        for version in self:
            parts = [version.order_id.name, version.name]
            version.display_name = " / ".join(p for p in parts if p and p != "/") or (
                kinds.get(version.kind) or ""
            )

    # ------------------------------------------------------------------
    # Receiving
    # ------------------------------------------------------------------
    @api.model
    def _sop_version_attachment_vals(self, content, filename):
        return {
            "name": filename or "schedule.edi",
            "datas": base64.b64encode(content),
            "res_model": self._name,
        }

    @api.model
    @own_step
    def _sop_version_receive_edifact(
        self, content, filename, source, order=None, inbox=None
    ):
        """Versions of the EDIFACT interchange ``content`` (bytes): one per message
        and agreement, each with the file attached; an unreadable file becomes one
        rejected version. They are checked and applied (or held) at once, or in
        jobs when many arrive together. ``inbox``: the e-mail it came with, whose
        sender decides which agreements it may address and whether its versions
        are applied at once (``sale.order.schedule.inbox``)."""
        text = self._sop_version_decode(content)
        agreements = inbox._sop_inbox_agreements() if inbox else None
        inbox_vals = {"inbox_id": inbox.id} if inbox else {}
        try:
            messages = ScheduleEdifactReader(self.env._).parse(text)
        except EdifactError as error:
            version = self.create(
                {
                    "order_id": order.id if order else False,
                    "source": source,
                    "state": "rejected",
                    "reason": str(error),
                    **inbox_vals,
                }
            )
            version._sop_version_attach(content, filename)
            return version
        vals_list = []
        readers = {}
        for index, message in enumerate(messages):
            for agreement_ref, items in self._sop_version_group_items(message).items():
                agreement, partner, _found = self._sop_version_find_agreement(
                    agreement_ref, message.buyer, order, agreements=agreements
                )
                bucket_day = int(agreement.type_id.schedule_bucket_day or 1)
                if bucket_day != 1:
                    # Weeks and periods are dated by the agreement's type: read the
                    # message again with its weekday.
                    if bucket_day not in readers:
                        readers[bucket_day] = ScheduleEdifactReader(
                            self.env._, bucket_day
                        ).parse(text)
                    items = self._sop_version_group_items(readers[bucket_day][index])[
                        agreement_ref
                    ]
                # The agreement's own problems are told when it is checked
                # (_sop_version_problems): a person may still choose it.
                problems = list(message.problems)
                problems += [p for item in items for p in item.problems]
                vals = {
                    "name": message.number or "/",
                    "document_date": message.date,
                    "kind": message.kind,
                    "source": source,
                    "order_id": agreement.id,
                    "partner_id": partner.id,
                    "agreement_ref": agreement_ref,
                    "buyer_code": message.buyer,
                    "ship_to_code": message.ship_to,
                    "import_problems": "\n".join(problems) or False,
                    **inbox_vals,
                }
                if inbox:
                    vals["sender_problem"] = inbox._sop_inbox_sender_problem(agreement)
                duplicate = self._sop_version_duplicate(
                    agreement, message.kind, vals["name"], message.date
                )
                if duplicate:
                    # Received again: kept (with its file) as rejected, its lines
                    # are those of the version applied before.
                    vals.update(state="rejected", reason=duplicate)
                else:
                    vals["line_ids"] = [
                        fields.Command.create(line_vals)
                        for line_vals in self._sop_version_line_vals(
                            agreement or partner, items
                        )
                    ]
                vals_list.append(vals)
        if not vals_list:
            version = self.create(
                {
                    "order_id": order.id if order else False,
                    "source": source,
                    "state": "rejected",
                    "reason": _("The interchange holds no delivery schedule."),
                    **inbox_vals,
                }
            )
            version._sop_version_attach(content, filename)
            return version
        versions = self.create(vals_list)
        for version in versions:
            version._sop_version_attach(content, filename)
        versions._sop_version_receive()
        return versions

    @api.model
    @own_step
    def _sop_version_receive_csv(self, content, filename, source, order, inbox=None):
        """A version of ``order`` from a CSV or XLSX file (the import's format:
        product, date, quantity; the firmness of the agreement's line of the date,
        a new date firm). ``inbox``: as for EDIFACT."""
        wizard = self.env["sale.order.schedule.import"].new(
            {
                "order_id": order.id,
                "file": base64.b64encode(content),
                "filename": filename,
            }
        )
        problems, lines = [], []
        try:
            rows = wizard._parse_rows(wizard._read_rows())
        except UserError as error:
            rows, problems = [], [str(error)]
        for row in rows:
            if row.due is None or row.qty is None:
                problems.append(
                    _(
                        "Row %(row)s: invalid date or quantity (%(date)s, %(qty)s)",
                        row=row.number,
                        date=row.date_value or "",
                        qty=row.qty_value or "",
                    )
                )
                continue
            lines.append(
                {
                    "customer_code": row.code,
                    "supplier_code": row.code,
                    "date": row.due,
                    "product_uom_qty": row.qty,
                    "firmness": "firm",
                }
            )
        lines = self._sop_version_resolve_vals(order, lines)
        # A file of rows has no firmness: a date keeps the one the agreement's
        # schedule has (a forecast from the customer's EDIFACT stays one), a new
        # date is firm.
        firmness = {
            (sched.order_line_id.id, sched.date): sched.firmness
            for sched in order.schedule_line_ids
            if not sched.cancelled
        }
        for vals in lines:
            vals["firmness"] = firmness.get(
                (vals.get("order_line_id"), vals["date"]), "firm"
            )
        version = self.create(
            {
                "name": filename or "/",
                "document_date": self.env[
                    "sale.order.schedule.line"
                ]._sop_schedule_today(order.company_id),
                "kind": "forecast",
                "source": source,
                "order_id": order.id,
                "import_problems": "\n".join(problems) or False,
                "line_ids": [fields.Command.create(vals) for vals in lines],
                "inbox_id": inbox.id if inbox else False,
                "sender_problem": inbox._sop_inbox_sender_problem(order)
                if inbox
                else False,
            }
        )
        version._sop_version_attach(content, filename)
        version._sop_version_receive()
        return version

    @api.model
    def _sop_version_decode(self, content):
        # UNOC and older syntax levels are Latin-1; UNOY is UTF-8.
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return content.decode("latin-1")

    @own_step
    def _sop_version_attach(self, content, filename):
        self.ensure_one()
        vals = self._sop_version_attachment_vals(content, filename)
        vals["res_id"] = self.id
        self.attachment_id = self.env["ir.attachment"].create(vals)

    @api.model
    def _sop_version_group_items(self, message):
        """{agreement number: [items]} of an EDIFACT message."""
        grouped = defaultdict(list)
        for item in message.items:
            grouped[item.agreement or message.agreement].append(item)
        return grouped

    @api.model
    def _sop_version_find_agreement(
        self, agreement_ref, buyer_code, order=None, agreements=None
    ):
        """(agreement, customer, problems) for an agreement number and the buyer's
        identifier (the partner's reference, barcode or VAT number); among
        ``agreements`` only when given (those the sender may address)."""
        orders = self.env["sale.order"]
        partner = self.env["res.partner"]
        if buyer_code:
            partner = partner.search(
                [
                    "|",
                    "|",
                    ("ref", "=", buyer_code),
                    ("barcode", "=", buyer_code),
                    ("vat", "=", buyer_code),
                ],
                limit=2,
            ).commercial_partner_id
            if len(partner) > 1:
                partner = partner.browse()
        if order:
            if agreement_ref and order.client_order_ref != agreement_ref:
                return (
                    orders,
                    order.partner_id,
                    [
                        _(
                            "The message is for agreement %(ref)s, not for "
                            "%(order)s (Customer Reference %(own)s).",
                            ref=agreement_ref,
                            order=order.name,
                            own=order.client_order_ref or "-",
                        )
                    ],
                )
            return order, order.partner_id, []
        if agreement_ref:
            orders = orders.search(
                [
                    ("client_order_ref", "=", agreement_ref),
                    ("type_kind", "=", "schedule"),
                    ("state", "=", "sale"),
                ]
            )
            if partner:
                orders = orders.filtered(
                    lambda o: o.partner_id.commercial_partner_id == partner
                )
            if agreements is not None:
                orders &= agreements
        if len(orders) == 1:
            return orders, orders.partner_id, []
        return (
            orders.browse(),
            partner,
            [
                _(
                    "No open delivery schedule agreement with the number %(ref)s "
                    "for the buyer %(buyer)s.",
                    ref=agreement_ref or "-",
                    buyer=partner.display_name or buyer_code or "-",
                )
                if not orders
                else _(
                    "Several agreements have the number %(ref)s: %(orders)s.",
                    ref=agreement_ref,
                    orders=", ".join(orders.mapped("name")),
                )
            ],
        )

    @api.model
    def _sop_version_line_vals(self, agreement_or_partner, items):
        """Version line values of EDIFACT ``items``: one per item and date (the
        quantities of one date added up; firm if one of them is)."""
        merged = {}
        for item in items:
            for due, qty, firmness in item.entries:
                key = (item.customer_code, item.supplier_code or item.gtin, due)
                vals = merged.setdefault(
                    key,
                    {
                        "customer_code": item.customer_code,
                        "supplier_code": item.supplier_code or item.gtin,
                        "date": due,
                        "product_uom_qty": 0.0,
                        "firmness": firmness,
                        "customer_cum_qty": item.cum_qty or 0.0,
                        "customer_cum_note": item.cum_note or False,
                        "has_customer_cum": item.cum_qty is not None
                        or bool(item.cum_note),
                    },
                )
                vals["product_uom_qty"] += qty
                if firmness == "firm":
                    vals["firmness"] = "firm"
        order = (
            agreement_or_partner
            if agreement_or_partner._name == "sale.order"
            else self.env["sale.order"]
        )
        partner = (
            order.partner_id
            if order
            else agreement_or_partner
            if agreement_or_partner._name == "res.partner"
            else self.env["res.partner"]
        )
        return self._sop_version_resolve_vals(order, list(merged.values()), partner)

    @api.model
    def _sop_version_resolve_vals(self, order, vals_list, partner=None):
        """Fill product and agreement line of version line values from the
        customer's item number (OCA product_customerinfo) or ours (internal
        reference, barcode)."""
        partner = (partner or order.partner_id).commercial_partner_id
        by_customer = self._sop_version_products_by_customer_code(
            partner, {v["customer_code"] for v in vals_list if v.get("customer_code")}
        )
        by_ours = self._sop_version_products_by_our_code(
            {v["supplier_code"] for v in vals_list if v.get("supplier_code")}
        )
        goods = self._sop_version_goods_lines(order)
        for vals in vals_list:
            product = (
                self.env["product.product"].browse(vals.get("product_id"))
                or by_customer.get(vals.get("customer_code"))
                or by_ours.get(vals.get("supplier_code"))
            )
            if product:
                vals["product_id"] = product.id
                vals["order_line_id"] = goods.get(product.id, False)
        return vals_list

    @api.model
    def _sop_version_goods_lines(self, order):
        """{product id: sales line id} of the agreement's goods lines (a product on
        several lines is matched to none: the version cannot say which)."""
        lines = defaultdict(list)
        for line in order.order_line.filtered(
            lambda sl: sl._sop_schedule_is_scheduled()
        ):
            lines[line.product_id.id].append(line.id)
        return {product: ids[0] for product, ids in lines.items() if len(ids) == 1}

    @api.model
    def _sop_version_products_by_customer_code(self, partner, codes):
        if not codes or not partner:
            return {}
        infos = self.env["product.customerinfo"].search(
            [
                ("partner_id", "child_of", partner.commercial_partner_id.id),
                ("product_code", "in", list(codes)),
            ]
        )
        found = defaultdict(lambda: self.env["product.product"])
        for info in infos:
            found[info.product_code] |= (
                info.product_id or info.product_tmpl_id.product_variant_ids
            )
        return {
            code: products for code, products in found.items() if len(products) == 1
        }

    @api.model
    def _sop_version_products_by_our_code(self, codes):
        if not codes:
            return {}
        products = self.env["product.product"].search(
            ["|", ("default_code", "in", list(codes)), ("barcode", "in", list(codes))]
        )
        found = defaultdict(lambda: self.env["product.product"])
        for product in products:
            for code in {product.default_code, product.barcode} & codes:
                found[code] |= product
        return {
            code: products for code, products in found.items() if len(products) == 1
        }

    @own_step
    def _sop_version_receive(self):
        """Check and apply the received versions: at once, or one job each when
        many arrive together (an interchange of many agreements)."""
        received = self.filtered(lambda v: v.state == "received")
        if len(received) <= VERSION_JOB_THRESHOLD:
            received._sop_version_process()
            return
        # Oldest first: with free capacity the jobs start in this order. The identity
        # key enqueues a version once while its job waits.
        for version in received.sorted(lambda v: (v.document_date or Date.min, v.id)):
            version.with_company(version.company_id).with_delay(
                description=self.env._(
                    "Apply the delivery schedule version %(version)s",
                    version=version.display_name,
                ),
                identity_key=identity_exact,
            )._sop_version_process(in_job=True)

    # ------------------------------------------------------------------
    # Checking
    # ------------------------------------------------------------------
    @own_step
    def _sop_version_process(self, in_job=False):
        """Check each received version, oldest first: reject, hold or apply it.

        Under the locks of the agreement and the version (``_sop_version_lock``),
        with the version's state read again: a version another job or instance
        applied, held or rejected meanwhile is skipped. Versions of one agreement
        whose jobs run out of order: the newer one applied first makes the older
        one rejected (``_sop_version_refusal``)."""
        versions = self.filtered(lambda v: v.state == "received")
        for version in versions.sorted(lambda v: (v.document_date or Date.min, v.id)):
            version._sop_version_lock(in_job)
            version.invalidate_recordset(["state"])
            if version.state != "received":
                continue
            version._sop_version_resolve()
            refusal = version._sop_version_refusal(automatic=True)
            if refusal:
                version._sop_version_close("rejected", refusal)
                continue
            problems = version._sop_version_problems()
            # Received by a channel that cannot prove its sender: a person applies.
            if version.sender_problem:
                problems.append(version.sender_problem)
            if problems:
                version._sop_version_hold(problems)
                continue
            version._sop_version_compare()
            problems = version._sop_version_tolerance_problems()
            if problems:
                version._sop_version_hold(problems)
                continue
            try:
                with self.env.cr.savepoint():
                    version._sop_version_apply()
            except (UserError, ValidationError) as error:
                # Nothing of it was applied (the savepoint): a person decides.
                version._sop_version_hold([str(error)])
        return True

    def _sop_version_lock(self, in_job=False):
        """Lock the agreement and this version until the end of the transaction,
        and mark the agreement changed: a transaction that read the agreement's
        versions before ours committed fails to serialize and runs again (it then
        sees this version applied). In a job another job holding them makes this
        one retry later (queue_job's retry pattern) instead of waiting; at once (a
        few versions) it waits."""
        self.ensure_one()
        order = self.order_id
        if in_job:
            message = self.env._(
                "The delivery schedule version %(version)s or its agreement is "
                "being processed by another job; retried later.",
                version=self.display_name,
            )
            # Not counted as a try: the other job ends soon, and serialization
            # failures (retried by queue_job outside its count) must not make
            # a lock conflict the try that fails the job for good.
            retry = functools.partial(RetryableJobError, ignore_retry=True)
            lock_nowait(order, message, error=retry)
            lock_nowait(self, message, error=retry)
        else:
            lock_wait(order)
            lock_wait(self)
        lock_claim(order)

    def _sop_version_resolve(self):
        """Match the lines not matched yet (an item added to the customer's item
        numbers since, an agreement chosen by hand)."""
        for version in self:
            order = version.order_id
            lines = version.line_ids.filtered(
                lambda line, order=order: not line.product_id
                or line.order_line_id.order_id != order
            )
            if not lines:
                continue
            vals_list = version._sop_version_resolve_vals(
                order,
                [
                    {
                        "customer_code": line.customer_code,
                        "supplier_code": line.supplier_code,
                        "product_id": line.product_id.id,
                    }
                    for line in lines
                ],
                version.partner_id,
            )
            by_vals = defaultdict(lambda: self.env["sale.order.schedule.version.line"])
            for line, vals in zip(lines, vals_list, strict=True):
                key = (vals.get("product_id", False), vals.get("order_line_id", False))
                by_vals[key] |= line
            for (product_id, order_line_id), group in by_vals.items():
                group.write(
                    {
                        "product_id": product_id,
                        "order_line_id": order_line_id,
                    }
                )

    def _sop_version_applied(self, order, kind):
        return self.search(
            [
                ("order_id", "=", order.id),
                ("kind", "=", kind),
                ("state", "=", "applied"),
                ("id", "!=", self.id),
            ],
            order="id desc",
            limit=1,
        )

    def _sop_version_refusal(self, automatic=False):
        """Why this version can never be applied (rejected), or None. ``automatic``
        (received, not a person's decision): a version received before the applied
        one of the same date is older too (jobs may run out of order)."""
        self.ensure_one()
        if not self.order_id:
            return None
        duplicate = self._sop_version_duplicate(
            self.order_id, self.kind, self.name, self.document_date
        )
        if duplicate:
            return duplicate
        applied = self._sop_version_applied(self.order_id, self.kind)
        if (
            applied.document_date
            and self.document_date
            and self.document_date < applied.document_date
        ):
            return _(
                "Older (%(date)s) than the applied version %(version)s of "
                "%(applied)s: it would undo newer figures.",
                date=format_date(self.env, self.document_date),
                version=applied.display_name,
                applied=format_date(self.env, applied.document_date),
            )
        if (
            automatic
            and applied
            and applied.id > self.id
            and applied.document_date == self.document_date
        ):
            return _(
                "Received before the applied version %(version)s of the same date "
                "(%(date)s): it would undo newer figures.",
                version=applied.display_name,
                date=format_date(self.env, self.document_date),
            )
        return None

    def _sop_version_duplicate(self, order, kind, number, document_date):
        """Why a version of this number and date is a duplicate (one was applied
        before), or None."""
        if not order or not number or number == "/":
            return None
        done = self.search(
            [
                ("order_id", "=", order.id),
                ("kind", "=", kind),
                ("name", "=", number),
                ("document_date", "=", document_date),
                ("state", "in", ("applied", "superseded")),
                # Applied once (a held version superseded unapplied is none).
                ("applied_date", "!=", False),
                ("id", "not in", self.ids),
            ],
            limit=1,
        )
        if not done:
            return None
        return _(
            "A duplicate of version %(version)s, received before and applied: "
            "nothing was changed.",
            version=done.display_name,
        )

    def _sop_version_problems(self):
        """What must be put right before this version can be applied."""
        self.ensure_one()
        problems = []
        if self.import_problems:
            problems.append(self.import_problems)
        order = self.order_id
        if not order:
            _agreement, _partner, found = self._sop_version_find_agreement(
                self.agreement_ref, self.buyer_code
            )
            problems += found
            problems.append(
                _(
                    "No agreement: choose the order this schedule belongs to "
                    "(agreement number %(ref)s).",
                    ref=self.agreement_ref or "-",
                )
            )
            return problems
        if order.type_kind != "schedule" or order.state != "sale":
            problems.append(
                _(
                    "%(order)s is not a confirmed delivery schedule.",
                    order=order.name,
                )
            )
        if not self.line_ids:
            problems.append(_("The version has no schedule lines."))
        unknown = sorted(
            {
                line.customer_code or line.supplier_code or "-"
                for line in self.line_ids
                if not line.product_id
            }
        )
        if unknown:
            problems.append(
                _(
                    "Unknown customer items: %(codes)s (add them to the products' "
                    "customer item numbers).",
                    codes=", ".join(unknown),
                )
            )
        missing = self.line_ids.filtered(
            lambda line: line.product_id and not line.order_line_id
        ).product_id
        if missing:
            problems.append(
                _(
                    "Not on the agreement %(order)s (or on several of its lines): "
                    "%(products)s.",
                    order=order.name,
                    products=", ".join(missing.mapped("display_name")),
                )
            )
        Schedule = self.env["sale.order.schedule.line"]
        today = Schedule._sop_schedule_today(order.company_id)
        latest = Schedule._sop_schedule_latest_date()
        for line in self.line_ids:
            qty, day = line.product_uom_qty, line.date
            if 0 <= qty <= ABSURD_QTY and today <= day <= latest:
                continue
            item = line.product_id.display_name or line.customer_code or "-"
            when = format_date(self.env, day)
            if qty < 0:
                problems.append(
                    _(
                        "%(item)s, %(date)s: negative quantity %(qty)s.",
                        item=item,
                        date=when,
                        qty=qty,
                    )
                )
            elif qty > ABSURD_QTY:
                problems.append(
                    _(
                        "%(item)s, %(date)s: the quantity %(qty)s is not plausible.",
                        item=item,
                        date=when,
                        qty=qty,
                    )
                )
            if day < today:
                problems.append(
                    _(
                        "%(item)s: the date %(date)s is in the past.",
                        item=item,
                        date=when,
                    )
                )
            elif day > latest:
                problems.append(
                    _(
                        "%(item)s: the date %(date)s is too far ahead.",
                        item=item,
                        date=when,
                    )
                )
        return problems

    @own_step
    def _sop_version_hold(self, problems):
        self.ensure_one()
        self._sop_version_close("held", "\n".join(problems))
        if self.order_id:
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Check the delivery schedule version"),
                note=_(
                    "The version %(version)s was held:\n%(reason)s",
                    version=self.display_name,
                    reason=self.reason,
                ),
                user_id=self.order_id.user_id.id or SUPERUSER_ID,
            )

    @own_step
    def _sop_version_close(self, state, reason=False):
        self.write({"state": state, "reason": reason})

    # ------------------------------------------------------------------
    # What applying does
    # ------------------------------------------------------------------
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

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    @own_step
    def action_apply(self):
        """Apply held (or received) versions, beyond the tolerances: the
        salesperson's decision. Anything still wrong is refused as a whole."""
        self.check_access("write")
        for version in self:
            if version.state not in ("received", "held"):
                raise UserError(
                    _(
                        "Only received or held versions can be applied: %(version)s "
                        "is %(state)s. %(reason)s",
                        version=version.display_name,
                        state=dict(
                            self._fields["state"]._description_selection(self.env)
                        )[version.state],
                        reason=version.reason or "",
                    )
                )
            version._sop_version_resolve()
            refusal = version._sop_version_refusal()
            if refusal:
                raise UserError(refusal)
            version._sop_version_compare()
            version._sop_version_apply()
        return True

    @own_step
    def action_reject(self):
        self.check_access("write")
        for version in self:
            if version.state not in ("received", "held"):
                raise UserError(
                    _(
                        "Only received or held versions can be rejected: %(version)s.",
                        version=version.display_name,
                    )
                )
            reason = _("Rejected by %(user)s.", user=self.env.user.name)
            version._sop_version_close(
                "rejected", "\n".join(filter(None, [version.reason, reason]))
            )
            version.activity_feedback(["mail.mail_activity_data_todo"])
        return True

    def action_open_attachment(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.attachment_id.id}?download=true",
            "target": "self",
        }
