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

The model is in three files: this one (fields, checking, buttons),
sale_order_schedule_version_intake.py (receiving: bytes -> documents -> versions)
and sale_order_schedule_version_apply.py (plan, changes, apply, tolerances).
"""

import functools
from collections import defaultdict
from datetime import date as Date

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from .integrity import (
    in_internal_scope,
    internal_scope,
    lock_claim,
    lock_nowait,
    lock_wait,
)

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
    # Receiving: models/sale_order_schedule_version_intake.py (bytes -> documents
    # -> versions); here the received versions are checked and applied.
    # ------------------------------------------------------------------
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
    # What applying does (plan, changes, apply, comparison, tolerances):
    # models/sale_order_schedule_version_apply.py
    # ------------------------------------------------------------------

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
