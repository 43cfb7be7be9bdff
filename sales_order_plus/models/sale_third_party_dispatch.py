# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Dispatch orders: the hand-over of a third-party order's part to its fulfiller.

One dispatch per transfer a third party carries out: the delivery of a warehouse
operated by a logistics provider (3PL), or the drop-ship transfer of a vendor's
purchase order. Backorders of that transfer stay on the same dispatch. The state
follows the transfers (shipped, partially shipped) and the fulfiller's answers
(acknowledged with a promised date, exception).

The hand-over (the delivery slip PDF, the CSV and JSON files, the mail to the
fulfiller) runs after the confirmation, in a job per dispatch order (queue_job,
retried on failure); Odoo's mail queue sends the mail. ``send_state`` shows where it
is: to send (job waiting), sending (mail in the queue), sent, send failed (why).

Every feedback channel (portal, CSV file uploaded or mailed to the alias, external
API) ends in ``_sop_report_shipment``: it checks the report, validates the transfer
(backorder for the rest), records carrier and tracking and tells the customer.
"""

import csv
import hashlib
import io
import json
from collections import defaultdict
from datetime import timedelta

import psycopg2
from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_is_zero

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from .. import edi
from .integrity import (
    MAX_QUANTITY,
    finite_quantity,
    has_internal_flag,
    internal_flag,
    lock_wait,
    raise_problems,
)
from .selections import EXTERNAL_FULFILLERS

# The dispatch order's own fields: written by its steps (hand-over, the fulfiller's
# reports, the buttons), as superuser or under this internal flag; readonly in the
# form and refused over RPC.
DISPATCH_WRITE = "third_party_dispatch_write"
_OWN_FIELDS = (
    "name",
    "company_id",
    "order_id",
    "partner_id",
    "fulfiller",
    "purchase_id",
    "picking_ids",
    "requested_date",
    "state",
    "sent_date",
    "send_state",
    "send_error",
    "send_message_id",
    "ack_deadline",
    "ack_date",
    "promised_date",
    "delivered_date",
    "exception_reason",
    "carrier",
    "tracking_refs",
    "report_ids",
    "escalated_ack",
    "escalated_ship",
)

DISPATCH_STATES = [
    ("to_send", "To Send"),
    ("sent", "Sent"),
    ("acknowledged", "Acknowledged"),
    ("partial", "Partially Shipped"),
    ("shipped", "Shipped"),
    ("delivered", "Delivered"),
    ("exception", "Exception"),
]
# Columns of the dispatch order file (CSV) and of the shipment confirmation file.
DISPATCH_CSV_COLUMNS = [
    "reference",
    "order",
    "customer_reference",
    "product_code",
    "product",
    "quantity",
    "unit",
    "ship_to_name",
    "ship_to_street",
    "ship_to_zip",
    "ship_to_city",
    "ship_to_country",
    "requested_date",
]
# A shipment confirmation has a few hundred rows at most.
SHIPMENT_MAX_FILE_MB = 2
# Public tracking pages of common carriers ({ref}: the tracking number).
CARRIER_TRACKING_URLS = {
    "dhl": "https://www.dhl.com/de-en/home/tracking.html?tracking-id={ref}",
    "dpd": "https://tracking.dpd.de/parcelstatus?query={ref}",
    "gls": "https://gls-group.com/DE/en/parcel-tracking?match={ref}",
    "ups": "https://www.ups.com/track?tracknum={ref}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={ref}",
}


class SaleThirdPartyDispatch(models.Model):
    _name = "sale.third.party.dispatch"
    _description = "Third-Party Dispatch Order"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, readonly=True, index=True
    )
    order_id = fields.Many2one(
        comodel_name="sale.order",
        string="Sales Order",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    user_id = fields.Many2one(
        related="order_id.user_id", string="Salesperson", store=True
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Fulfiller",
        required=True,
        readonly=True,
        index=True,
        help="The logistics provider or vendor who ships this part of the order.",
    )
    fulfiller = fields.Selection(
        selection=EXTERNAL_FULFILLERS,
        string="Fulfiller Kind",
        required=True,
        readonly=True,
    )
    purchase_id = fields.Many2one(
        comodel_name="purchase.order", string="Purchase Order", readonly=True
    )
    picking_ids = fields.One2many(
        comodel_name="stock.picking",
        inverse_name="sop_dispatch_id",
        string="Transfers",
        readonly=True,
    )
    picking_id = fields.Many2one(
        comodel_name="stock.picking",
        string="Open Transfer",
        compute="_compute_picking_id",
        help="The transfer still to ship (a backorder after a partial shipment).",
    )
    ship_to_id = fields.Many2one(
        related="order_id.partner_shipping_id", string="Ship To"
    )
    client_order_ref = fields.Char(related="order_id.client_order_ref")
    requested_date = fields.Datetime(readonly=True)
    state = fields.Selection(
        selection=DISPATCH_STATES,
        compute="_compute_state",
        store=True,
        index=True,
        tracking=True,
    )
    sent_date = fields.Datetime(readonly=True, copy=False)
    send_state = fields.Selection(
        selection=[
            ("to_send", "To Send"),
            ("sending", "Sending"),
            ("sent", "Sent"),
            ("failed", "Send Failed"),
        ],
        string="Mail to the Fulfiller",
        readonly=True,
        copy=False,
        help="To Send: the hand-over waits for its job (documents, mail). Sending: "
        "the mail is in the outgoing mail queue. Sent: the mail server accepted it. "
        "Send Failed: see why, then Send Again.",
    )
    send_error = fields.Text(readonly=True, copy=False)
    send_message_id = fields.Many2one(
        comodel_name="mail.message", readonly=True, copy=False, index="btree_not_null"
    )
    ack_deadline = fields.Datetime(
        string="Acknowledge By",
        readonly=True,
        copy=False,
        help="Sent date plus the hours the order type gives to acknowledge.",
    )
    ack_date = fields.Datetime(string="Acknowledged On", readonly=True, copy=False)
    promised_date = fields.Date(readonly=True, copy=False, tracking=True)
    delivered_date = fields.Datetime(readonly=True, copy=False)
    exception_reason = fields.Text(readonly=True, copy=False, tracking=True)
    carrier = fields.Char(readonly=True, copy=False)
    tracking_refs = fields.Char(string="Tracking Numbers", readonly=True, copy=False)
    report_ids = fields.One2many(
        comodel_name="sale.third.party.dispatch.report",
        inverse_name="dispatch_id",
        string="Shipment Reports",
        readonly=True,
    )
    document_html = fields.Html(
        string="Dispatch Lines",
        compute="_compute_document_html",
        sanitize=False,
        help="What to ship, as the dispatch order mail lists it (no prices).",
    )
    escalated_ack = fields.Boolean(readonly=True, copy=False)
    escalated_ship = fields.Boolean(readonly=True, copy=False)
    is_late_ack = fields.Boolean(
        string="Late to Acknowledge",
        compute="_compute_is_late",
        search="_search_is_late_ack",
    )
    is_late_ship = fields.Boolean(
        string="Late to Ship",
        compute="_compute_is_late",
        search="_search_is_late_ship",
    )

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)", "The reference is unique."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(vals.get("company_id"))
                    .next_by_code("sale.third.party.dispatch")
                    or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        if self and not self.env.su and not has_internal_flag(self, DISPATCH_WRITE):
            refused = [name for name in _OWN_FIELDS if name in vals]
            if refused:
                # Who may not write the record at all gets Odoo's access error.
                self.check_access("write")
                raise UserError(
                    _(
                        "%(fields)s of a dispatch order are set by the hand-over and "
                        "the fulfiller's reports, not by hand.",
                        fields=", ".join(
                            self._fields[name]._description_string(self.env)
                            for name in refused
                        ),
                    )
                )
        return super().write(vals)

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for dispatch in self:
            dispatch.access_url = f"/my/dispatch/{dispatch.id}"
        return res

    @api.depends("picking_ids.state")
    def _compute_picking_id(self):
        for dispatch in self:
            dispatch.picking_id = dispatch.picking_ids.filtered(
                lambda p: p.state not in ("done", "cancel")
            ).sorted("id")[:1]

    @api.depends(
        "picking_ids.state",
        "sent_date",
        "ack_date",
        "delivered_date",
        "exception_reason",
    )
    def _compute_state(self):
        for dispatch in self:
            states = set(dispatch.picking_ids.mapped("state"))
            done = "done" in states
            open_ = bool(states - {"done", "cancel"})
            if dispatch.exception_reason or (states and states <= {"cancel"}):
                dispatch.state = "exception"
            elif done and not open_:
                dispatch.state = "delivered" if dispatch.delivered_date else "shipped"
            elif done:
                dispatch.state = "partial"
            elif dispatch.ack_date:
                dispatch.state = "acknowledged"
            elif dispatch.sent_date:
                dispatch.state = "sent"
            else:
                dispatch.state = "to_send"

    def _compute_document_html(self):
        for dispatch in self:
            lines = dispatch._sop_document()["lines"] if dispatch.id else []
            dispatch.document_html = Markup("<ul>%s</ul>") % Markup("").join(
                Markup("<li>%s %s %s %s</li>")
                % (
                    f"{line['quantity']:g}",
                    line["unit"],
                    line["product_code"],
                    line["product"],
                )
                for line in lines
            )

    def _compute_is_late(self):
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        for dispatch in self:
            dispatch.is_late_ack = bool(
                dispatch.state == "sent"
                and dispatch.ack_deadline
                and dispatch.ack_deadline < now
            )
            dispatch.is_late_ship = bool(
                dispatch.state in ("acknowledged", "partial")
                and dispatch.promised_date
                and dispatch.promised_date < today
            )

    def _search_is_late_ack(self, operator, value):
        domain = [("state", "=", "sent"), ("ack_deadline", "<", fields.Datetime.now())]
        return domain if (operator == "=") == bool(value) else ["!", *domain]

    def _search_is_late_ship(self, operator, value):
        domain = [
            ("state", "in", ("acknowledged", "partial")),
            ("promised_date", "<", fields.Date.context_today(self)),
        ]
        if (operator == "=") == bool(value):
            return domain
        return ["!", "&", *domain]

    # ------------------------------------------------------------------
    # The document the fulfiller receives (no customer prices)
    # ------------------------------------------------------------------
    def _sop_document_lines(self):
        """One entry per product of the dispatch: ordered, shipped and open
        quantities (in the product's unit), summed over the transfer and backorders.
        With several delivery steps (pick, pack, ship) ordered is what the first
        step takes and shipped what the last one delivered."""
        self.ensure_one()
        lines = {}
        moves = self.sudo().picking_ids.move_ids.filtered(lambda m: m.state != "cancel")
        for move in moves:
            first = not (move.move_orig_ids & moves)
            last = not move.location_final_id or move.location_dest_id._child_of(
                move.location_final_id
            )
            if not first and not last:
                continue
            product = move.product_id
            entry = lines.setdefault(
                product,
                {
                    "product_id": product.id,
                    "product_code": product.default_code or "",
                    "product": product.name,
                    "unit": product.uom_id.name,
                    "ordered": 0.0,
                    "shipped": 0.0,
                },
            )
            if first:
                entry["ordered"] += move.product_uom._compute_quantity(
                    move.product_uom_qty, product.uom_id
                )
            if last and move.state == "done":
                entry["shipped"] += move.product_uom._compute_quantity(
                    move.quantity, product.uom_id
                )
        result = list(lines.values())
        for entry in result:
            entry["open"] = max(entry["ordered"] - entry["shipped"], 0.0)
        return result

    def _sop_document(self):
        """The dispatch order as a dict: the JSON file, and the CSV's rows."""
        self.ensure_one()
        ship_to = self.sudo().ship_to_id
        return {
            "reference": self.name,
            "order": self.order_id.name,
            "customer_reference": self.sudo().client_order_ref or "",
            "fulfiller": self.partner_id.name,
            "requested_date": fields.Datetime.to_string(self.requested_date) or "",
            "ship_to": {
                "name": ship_to.name or "",
                "street": ship_to.street or "",
                "street2": ship_to.street2 or "",
                "zip": ship_to.zip or "",
                "city": ship_to.city or "",
                "country": ship_to.country_id.code or "",
                "phone": ship_to.phone or "",
            },
            "lines": [
                {
                    "product_code": line["product_code"],
                    "product": line["product"],
                    "quantity": line["open"],
                    "unit": line["unit"],
                }
                for line in self._sop_document_lines()
                if line["open"] > 0
            ],
        }

    def _sop_document_csv(self):
        document = self._sop_document()
        ship_to = document["ship_to"]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(DISPATCH_CSV_COLUMNS)
        for line in document["lines"]:
            writer.writerow(
                [
                    document["reference"],
                    document["order"],
                    document["customer_reference"],
                    line["product_code"],
                    line["product"],
                    line["quantity"],
                    line["unit"],
                    ship_to["name"],
                    ship_to["street"],
                    ship_to["zip"],
                    ship_to["city"],
                    ship_to["country"],
                    document["requested_date"],
                ]
            )
        return buffer.getvalue()

    def _sop_document_attachments(self):
        """Delivery slip (PDF), CSV and JSON of the dispatch, attached to it."""
        self.ensure_one()
        dispatch = self.sudo()
        pdf, _type = (
            self.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf("stock.action_report_delivery", dispatch.picking_id.ids)
        )
        filename = dispatch.name.replace("/", "_")
        files = [
            (f"{filename}.pdf", pdf, "application/pdf"),
            (f"{filename}.csv", dispatch._sop_document_csv().encode(), "text/csv"),
            (
                f"{filename}.json",
                json.dumps(dispatch._sop_document(), indent=2).encode(),
                "application/json",
            ),
        ]
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": name,
                        "raw": content,
                        "mimetype": mimetype,
                        "res_model": self._name,
                        "res_id": self.id,
                    }
                    for name, content, mimetype in files
                ]
            )
        )

    # ------------------------------------------------------------------
    # Hand-over
    # ------------------------------------------------------------------
    def action_send(self):
        """Mail the dispatch order to the fulfiller (again, when already sent)."""
        # Public methods check the caller before their sudo (a fulfiller's portal
        # user reads its dispatch orders, it does not change them).
        self.check_access("write")
        self._sop_send()
        return True

    def _sop_send(self):
        """Hand the dispatch orders over after the commit: one job each (identity
        key: enqueued once while it waits), nothing rendered or mailed here."""
        for dispatch in self.sudo():
            if not dispatch.picking_id:
                continue
            dispatch.send_state = "to_send"
            dispatch.with_company(dispatch.company_id).with_delay(
                description=self.env._(
                    "Send the dispatch order %(dispatch)s", dispatch=dispatch.name
                ),
                identity_key=identity_exact,
            )._sop_send_job()

    def _sop_send_job(self):
        """The job: the documents are rendered and attached, the mail to the
        fulfiller goes to Odoo's mail queue (which sends it). A failure (the PDF
        renderer, a template) is tried again later; after the last try
        ``_sop_send_failed`` shows it on the dispatch order."""
        self.ensure_one()
        dispatch = self.sudo()
        if not dispatch.picking_id or dispatch.order_id.state == "cancel":
            dispatch.send_state = False
            return _("Nothing left to send.")
        try:
            with self.env.cr.savepoint():
                dispatch._sop_send_mail()
        except psycopg2.Error:
            raise  # queue_job retries serialization failures itself
        except Exception as error:
            raise RetryableJobError(
                _(
                    "%(dispatch)s could not be sent: %(error)s",
                    dispatch=dispatch.name,
                    error=error,
                )
            ) from error
        return True

    def _sop_send_mail(self):
        self.ensure_one()
        template = self.env.ref("sales_order_plus.mail_template_dispatch_order")
        self._portal_ensure_token()
        attachments = self._sop_document_attachments()
        body = template._render_field("body_html", self.ids, compute_lang=True)[self.id]
        subject = template._render_field("subject", self.ids, compute_lang=True)[
            self.id
        ]
        # Into the mail queue, not sent from this transaction.
        message = self.with_context(mail_notify_force_send=False).message_post(
            body=Markup(body),
            subject=subject,
            partner_ids=self.partner_id.ids,
            attachment_ids=attachments.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        queued = (
            self.env["mail.mail"]
            .sudo()
            .search_count([("mail_message_id", "=", message.id)])
        )
        vals = {
            # No mail at all: the fulfiller reads it in Odoo's inbox.
            "send_state": "sending" if queued else "sent",
            "send_message_id": message.id,
            "send_error": False,
        }
        if not self.sent_date:
            hours = self.order_id.type_id.third_party_ack_hours
            now = fields.Datetime.now()
            vals.update(
                sent_date=now,
                ack_deadline=now + timedelta(hours=hours) if hours else False,
            )
        self.write(vals)
        if queued:
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()

    def _sop_send_failed(self, exc_name=None, exc_message=None, **kwargs):
        """The hand-over job failed for good (queue_job's ``on_fail_method``): the
        dispatch order says why and the salesperson gets an activity."""
        for dispatch in self.sudo():
            dispatch.write(
                {"send_state": "failed", "send_error": exc_message or exc_name}
            )
            dispatch._sop_send_failure_activity()

    def _sop_send_failure_activity(self):
        self.ensure_one()
        self.activity_schedule(
            "mail.mail_activity_data_warning",
            user_id=self.user_id.id or self.env.ref("base.user_admin").id,
            summary=_("Dispatch order not sent: %(dispatch)s", dispatch=self.name),
            note=self.send_error or "",
        )

    def _sop_acknowledge(self, promised_date):
        """The fulfiller accepts the dispatch and promises a ship date."""
        self.ensure_one()
        promised = self._sop_parse_date(promised_date)
        problems = []
        if not promised:
            problems.append(_("A promised ship date (YYYY-MM-DD) is required."))
        problems += self._sop_check_open()
        raise_problems(
            _("%(dispatch)s cannot be acknowledged:", dispatch=self.name), problems
        )
        self.sudo().write(
            {"ack_date": fields.Datetime.now(), "promised_date": promised}
        )
        self.sudo().message_post(
            body=_(
                "%(partner)s acknowledged the dispatch order, ship date promised for "
                "%(date)s.",
                partner=self.partner_id.name,
                date=promised,
            )
        )

    def _sop_report_exception(self, reason):
        """The fulfiller cannot ship as asked: the salesperson decides."""
        self.ensure_one()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Please describe the problem."))
        dispatch = self.sudo()
        dispatch.exception_reason = reason
        dispatch.order_id.activity_schedule(
            "mail.mail_activity_data_warning",
            user_id=dispatch.user_id.id or self.env.ref("base.user_admin").id,
            summary=_("Fulfiller reports a problem: %(dispatch)s", dispatch=self.name),
            note=reason,
        )

    def action_resolve_exception(self):
        self.check_access("write")
        self.sudo().exception_reason = False
        return True

    def action_mark_delivered(self):
        self.check_access("write")
        shipped = self.filtered(lambda d: d.state == "shipped")
        with internal_flag(shipped, DISPATCH_WRITE):
            shipped.write({"delivered_date": fields.Datetime.now()})

    # ------------------------------------------------------------------
    # Shipment reports (portal, file, mail, API)
    # ------------------------------------------------------------------
    @api.model
    def sop_report_shipment(
        self,
        reference,
        lines,
        carrier=None,
        tracking_refs=None,
        ship_date=None,
        report_ref=None,
    ):
        """External API: report a shipment of dispatch order ``reference``.

        For the users of the group "Third-party API" (a provider's system), who may
        report the shipments of dispatch orders addressed to their own company only.
        ``lines``: ``[{"product_code": "...", "quantity": 2.0}, ...]``; ``carrier``:
        text; ``tracking_refs``: list of tracking numbers; ``ship_date``:
        ``YYYY-MM-DD``; ``report_ref``: the caller's unique reference of this
        report (a repeated report with the same reference changes nothing). Returns
        ``{"reference", "state", "report_ref", "backorder"}``.
        """
        if not self.env.user.has_group("sales_order_plus.group_third_party_api"):
            raise AccessError(
                _("Only users of the group Third-party API may report shipments.")
            )
        dispatch = self._sop_find_for_partner(reference, self.env.user.partner_id)
        report = dispatch._sop_report_shipment(
            lines,
            carrier=carrier,
            tracking_refs=tracking_refs,
            ship_date=ship_date,
            report_ref=report_ref,
            channel="api",
        )
        return report._sop_api_result()

    @api.model
    def _sop_find_for_partner(self, reference, partner):
        """The dispatch ``reference`` addressed to ``partner``'s company; one error
        for an unknown reference and another fulfiller's, so that nobody learns the
        references of others."""
        commercial = partner.commercial_partner_id
        dispatch = self.sudo().search(
            [
                ("name", "=", str(reference or "").strip()),
                ("partner_id", "child_of", commercial.id),
            ],
            limit=1,
        )
        if not dispatch:
            raise UserError(
                _(
                    "No dispatch order %(reference)s is addressed to %(partner)s.",
                    reference=reference,
                    partner=commercial.name,
                )
            )
        return dispatch

    @api.model
    def _sop_parse_date(self, value):
        # ISO, the date of an ISO date-time too (as fields.Date.to_date).
        return edi.parse_date(value, leading=True) or False

    def _sop_check_open(self):
        """Problems that forbid any report on the dispatch."""
        self.ensure_one()
        order = self.sudo().order_id
        if order.state == "cancel":
            return [_("The sales order %(order)s is cancelled.", order=order.name)]
        if not self.sudo().picking_id:
            return [
                _(
                    "%(dispatch)s has nothing left to ship (%(state)s).",
                    dispatch=self.name,
                    state=dict(
                        self._fields["state"]._description_selection(self.env)
                    ).get(self.state),
                )
            ]
        return []

    def _sop_parse_lines(self, lines):
        """{product: quantity} of the report and the problems found in it."""
        self.ensure_one()
        problems = []
        quantities = {}
        open_by_product = {
            line["product_id"]: line for line in self._sop_document_lines()
        }
        products = self.env["product.product"].sudo().browse(list(open_by_product))
        precision = self.env["decimal.precision"].precision_get(
            "Product Unit of Measure"
        )
        if not isinstance(lines, list | tuple) or not lines:
            return quantities, [_("The report has no lines.")]
        for raw in lines:
            raw = raw if isinstance(raw, dict) else {}
            code = str(raw.get("product_code") or raw.get("product") or "").strip()
            product = products.filtered(
                lambda p, code=code: code
                and code in (p.default_code, p.barcode, str(p.id))
            )[:1]
            if not product:
                problems.append(
                    _(
                        "Unknown product %(code)s: it is not on %(dispatch)s.",
                        code=code or "?",
                        dispatch=self.name,
                    )
                )
                continue
            try:
                qty = float(raw.get("quantity"))
            except (TypeError, ValueError):
                problems.append(
                    _(
                        "%(product)s: the quantity %(qty)s is not a number.",
                        product=product.display_name,
                        qty=raw.get("quantity"),
                    )
                )
                continue
            if finite_quantity(qty) is None:
                # nan, infinity, absurd: Odoo's rounding would fail on them.
                problems.append(
                    _(
                        "%(product)s: the quantity %(qty)s is not a finite number "
                        "of at most %(max)s.",
                        product=product.display_name,
                        qty=raw.get("quantity"),
                        max=format(MAX_QUANTITY, "g"),
                    )
                )
                continue
            if float_compare(qty, 0.0, precision_digits=precision) < 0:
                problems.append(
                    _(
                        "%(product)s: negative quantity %(qty)s.",
                        product=product.display_name,
                        qty=qty,
                    )
                )
                continue
            quantities[product] = quantities.get(product, 0.0) + qty
        for product, qty in quantities.items():
            open_qty = open_by_product[product.id]["open"]
            if float_compare(qty, open_qty, precision_digits=precision) > 0:
                problems.append(
                    _(
                        "%(product)s: %(qty)s shipped is more than the %(open)s "
                        "still to ship; over-shipments are refused.",
                        product=product.display_name,
                        qty=qty,
                        open=open_qty,
                    )
                )
        if not problems and all(
            float_is_zero(qty, precision_digits=precision)
            for qty in quantities.values()
        ):
            problems.append(_("The report ships nothing."))
        return quantities, problems

    def _sop_report_shipment(
        self,
        lines,
        carrier=None,
        tracking_refs=None,
        ship_date=None,
        report_ref=None,
        channel="portal",
    ):
        """Record a shipment of the fulfiller (every channel ends here).

        The caller has checked who reports (portal rule, API group, mail sender).
        Idempotent by ``report_ref`` per dispatch order: a report already
        processed returns its record and changes nothing; the same reference with
        other content (lines, carrier, tracking, date) is refused. A new report
        is checked
        as a whole (nothing is done when one line is wrong), then the open transfer
        is validated for the reported quantities (a backorder keeps the rest),
        carrier and tracking go on the transfer, the order's chatter and the
        customer are told, and the kind's billing follows the validation.
        """
        self.ensure_one()
        dispatch = self.sudo()
        Report = self.env["sale.third.party.dispatch.report"].sudo()
        report_ref = str(report_ref or "").strip()
        if not report_ref:
            raise UserError(_("The report needs a report reference (report_ref)."))
        partner = dispatch.partner_id.commercial_partner_id
        if isinstance(tracking_refs, str):
            tracking_refs = tracking_refs.replace(";", ",").replace("\n", ",")
            tracking_refs = tracking_refs.split(",")
        tracking = [str(ref).strip() for ref in tracking_refs or [] if str(ref).strip()]
        content_hash = dispatch._sop_report_fingerprint(
            lines, carrier, tracking, ship_date
        )
        previous = Report._sop_processed(dispatch, report_ref, content_hash)
        if previous:
            return previous
        # Two reports of one dispatch at once (portal and API, several clients):
        # the second waits, then finds the transfer validated (or is retried).
        self.env.flush_all()
        lock_wait(dispatch)
        lock_wait(dispatch.picking_id)
        previous = Report._sop_processed(dispatch, report_ref, content_hash)
        if previous:
            return previous
        problems = dispatch._sop_check_open()
        shipped_on = dispatch._sop_parse_date(ship_date) if ship_date else False
        if ship_date and not shipped_on:
            problems.append(
                _("The ship date %(date)s is not a date (YYYY-MM-DD).", date=ship_date)
            )
        if not problems:
            quantities, line_problems = dispatch._sop_parse_lines(lines)
            problems += line_problems
        raise_problems(
            _(
                "The shipment report %(ref)s for %(dispatch)s is refused, nothing "
                "was changed:",
                ref=report_ref,
                dispatch=dispatch.name,
            ),
            problems,
        )
        picking = dispatch.picking_id
        dispatch._sop_validate_transfer(picking, quantities)
        carrier = str(carrier or "").strip()
        picking.write(
            {
                "sop_carrier": carrier or picking.sop_carrier,
                "carrier_tracking_ref": ",".join(tracking)
                or picking.carrier_tracking_ref,
            }
        )
        report = Report.create(
            {
                "dispatch_id": dispatch.id,
                "partner_id": partner.id,
                "report_ref": report_ref,
                "content_hash": content_hash,
                "channel": channel,
                "picking_id": picking.id,
                "backorder_id": picking.backorder_ids[:1].id,
                "carrier": carrier,
                "tracking_refs": ",".join(tracking),
                "ship_date": shipped_on or fields.Date.context_today(self),
                "summary": "\n".join(
                    f"{product.display_name}: {qty:g}"
                    for product, qty in quantities.items()
                    if qty
                ),
            }
        )
        dispatch.write(
            {
                "carrier": carrier or dispatch.carrier,
                "tracking_refs": ",".join(
                    filter(None, [dispatch.tracking_refs, ",".join(tracking)])
                ),
            }
        )
        report._sop_notify()
        return report

    def _sop_report_fingerprint(self, lines, carrier, tracking, ship_date):
        """A digest of what a report says (products and quantities, carrier,
        tracking numbers, ship date), the same for a retry of it in whatever form
        (codes or ids, 2 or "2.0", the order of lines and numbers)."""
        self.ensure_one()
        products = {}
        for line in self._sop_document_lines():
            product = self.env["product.product"].sudo().browse(line["product_id"])
            for code in (product.default_code, product.barcode, str(product.id)):
                if code:
                    products.setdefault(code, product.id)
        shipped = defaultdict(float)
        others = []
        for raw in lines if isinstance(lines, list | tuple) else []:
            raw = raw if isinstance(raw, dict) else {}
            code = str(raw.get("product_code") or raw.get("product") or "").strip()
            try:
                shipped[products.get(code, code)] += float(raw.get("quantity"))
            except (TypeError, ValueError):
                others.append([code, str(raw.get("quantity"))])
        content = {
            "lines": sorted([str(key), repr(qty)] for key, qty in shipped.items()),
            "unreadable": sorted(others),
            "carrier": str(carrier or "").strip().casefold(),
            "tracking": sorted(set(tracking)),
            "ship_date": str(self._sop_parse_date(ship_date) or ship_date or ""),
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()

    def _sop_validate_transfer(self, picking, quantities):
        """Validate ``picking`` for ``quantities`` ({product: qty in its unit}),
        with Odoo's own backorder logic for what is not shipped. In a warehouse of
        2 or 3 delivery steps the provider picked, packed and shipped: each next
        step Odoo pushes from the done moves is validated in turn for what they
        passed on, and belongs to this dispatch order."""
        moves = picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        taken_qty = {}
        for move in moves:
            remaining = quantities.get(move.product_id, 0.0)
            demand = move.product_uom._compute_quantity(
                move.product_uom_qty, move.product_id.uom_id
            )
            taken = min(remaining, demand)
            quantities[move.product_id] = remaining - taken
            taken_qty[move] = move.product_id.uom_id._compute_quantity(
                taken, move.product_uom
            )
        # The provider shipped already: no wizard of Odoo's to answer.
        picking._sop_validate_quantities(taken_qty, checks=False)
        done = moves.filtered(lambda m: m.state == "done")
        following = done.move_dest_ids.filtered(
            lambda m: m.state not in ("done", "cancel")
        )
        for next_picking in following.picking_id:
            next_picking.sop_dispatch_id = self
            passed = defaultdict(float)
            for move in done.filtered(
                lambda m, p=next_picking: m.move_dest_ids & p.move_ids
            ):
                passed[move.product_id] += move.product_uom._compute_quantity(
                    move.quantity, move.product_id.uom_id
                )
            self._sop_validate_transfer(next_picking, passed)

    # ------------------------------------------------------------------
    # Shipment confirmations mailed to the alias (mail gateway)
    # ------------------------------------------------------------------
    # The gateway's entry: what it passes (the authentication verdict among it) is
    # not for RPC clients to make up.
    @api.private
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A fulfiller mails shipment confirmation CSVs to the dispatch alias: each
        report of the files is processed for the dispatch orders addressed to the
        sender's company. The mail then lands on the (first) dispatch's chatter.

        The From header alone proves nothing: the reports are processed only when
        the message passed our mail server's authentication
        (models/mail_authentication.py); else nothing is shipped and the
        salesperson gets an activity to check them and import the file."""
        sender, authenticated = self.env["mail.thread"]._sop_mail_sender(msg_dict)
        partners = (
            self.env["res.partner"].sudo().search([("email_normalized", "=", sender)])
            if sender
            else self.env["res.partner"]
        )
        files = [
            attachment
            for attachment in msg_dict.get("attachments") or []
            if (attachment.fname or "").lower().endswith(".csv")
        ]
        if not partners or not files:
            raise UserError(
                _(
                    "A shipment confirmation needs a CSV file from the address of a "
                    "known fulfiller contact (%(sender)s).",
                    sender=msg_dict.get("email_from"),
                )
            )
        dispatches = held = self.browse()
        # All the reports of the mail or none: the incoming mail servers commit
        # after a message that failed too.
        with self.env.cr.savepoint():
            for attachment in files:
                reports = edi.shipment_reports(read_shipment_csv(attachment.content))
                for (reference, report_ref), report in reports.items():
                    dispatch = self.browse()
                    for partner in partners:
                        dispatch = self._sop_find_or_none(reference, partner)
                        if dispatch:
                            break
                    if not dispatch:
                        dispatch = self._sop_find_for_partner(reference, partners[0])
                    dispatches |= dispatch
                    if not authenticated:
                        held |= dispatch
                        continue
                    dispatch._sop_report_shipment(
                        report.lines,
                        carrier=report.carrier,
                        tracking_refs=report.tracking,
                        ship_date=report.ship_date,
                        report_ref=report_ref,
                        channel="mail",
                    )
        for dispatch in held:
            dispatch.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=dispatch.user_id.id or self.env.ref("base.user_admin").id,
                summary=_(
                    "Check the shipment mailed for %(dispatch)s", dispatch=dispatch.name
                ),
                note=_(
                    "A shipment confirmation for %(dispatch)s came by mail from "
                    "%(sender)s, but the message did not pass our mail server's "
                    "authentication: anybody can write this From address, so "
                    "nothing was shipped. Check it with the fulfiller, then import "
                    "the file attached to the mail on %(first)s (Import Shipment "
                    "Confirmation).",
                    dispatch=dispatch.name,
                    sender=sender,
                    first=dispatches[:1].name,
                ),
            )
        return dispatches[:1]

    @api.model
    def _sop_find_or_none(self, reference, partner):
        try:
            return self._sop_find_for_partner(reference, partner)
        except UserError:
            return self.browse()

    # ------------------------------------------------------------------
    # Escalation
    # ------------------------------------------------------------------
    @api.model
    def _cron_sop_escalate(self):
        """An activity for the salesperson when a fulfiller is late to acknowledge
        or to ship (once per dispatch and reason)."""
        late_ack = self.search(
            [("is_late_ack", "=", True), ("escalated_ack", "=", False)]
        )
        for dispatch in late_ack:
            dispatch._sop_escalate(
                _(
                    "%(partner)s has not acknowledged %(dispatch)s (due %(deadline)s).",
                    partner=dispatch.partner_id.name,
                    dispatch=dispatch.name,
                    deadline=dispatch.ack_deadline,
                )
            )
        late_ack.escalated_ack = True
        late_ship = self.search(
            [("is_late_ship", "=", True), ("escalated_ship", "=", False)]
        )
        for dispatch in late_ship:
            dispatch._sop_escalate(
                _(
                    "%(partner)s has not shipped %(dispatch)s by the promised "
                    "%(date)s.",
                    partner=dispatch.partner_id.name,
                    dispatch=dispatch.name,
                    date=dispatch.promised_date,
                )
            )
        late_ship.escalated_ship = True

    def _sop_escalate(self, note):
        self.ensure_one()
        self.order_id.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=self.user_id.id or self.env.ref("base.user_admin").id,
            summary=_("Third-party fulfilment late: %(dispatch)s", dispatch=self.name),
            note=note,
        )


def tracking_html(carrier, refs):
    """Tracking numbers as links to the carrier's tracking page when it is known."""
    pattern = CARRIER_TRACKING_URLS.get((carrier or "").strip().lower())
    items = []
    for ref in refs:
        if pattern:
            url = pattern.format(ref=ref)
            items.append(Markup('<a href="%s">%s</a>') % (url, ref))
        else:
            items.append(escape(ref))
    return Markup(", ").join(items)


def read_shipment_csv(content):
    """Rows of a shipment confirmation CSV (bytes, UTF-8) as dicts by lower-case
    header (edi/rows.py: the one reader, within its caps)."""
    return edi.read_records(content, fallback=None, max_mb=SHIPMENT_MAX_FILE_MB)
