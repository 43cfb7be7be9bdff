# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .sale_third_party_dispatch import tracking_html


class SaleThirdPartyDispatchReport(models.Model):
    """A shipment report processed for a dispatch order: its reference is unique per
    dispatch order, so that a report sent twice (a retry, a second click, the same
    file mailed again) is recognised and changes nothing, while one reference may
    cover the shipments of several dispatch orders (a day's file). The content's
    fingerprint tells a retry from another shipment under a reference already
    used, which is refused."""

    _name = "sale.third.party.dispatch.report"
    _description = "Third-Party Shipment Report"
    _order = "id desc"

    dispatch_id = fields.Many2one(
        comodel_name="sale.third.party.dispatch",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="dispatch_id.company_id", store=True)
    order_id = fields.Many2one(related="dispatch_id.order_id", store=True)
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Fulfiller", required=True, readonly=True
    )
    report_ref = fields.Char(string="Report Reference", required=True, readonly=True)
    channel = fields.Selection(
        selection=[
            ("portal", "Portal"),
            ("file", "File Upload"),
            ("mail", "Mail"),
            ("api", "API"),
        ],
        required=True,
        readonly=True,
    )
    picking_id = fields.Many2one(
        comodel_name="stock.picking", string="Validated Transfer", readonly=True
    )
    backorder_id = fields.Many2one(
        comodel_name="stock.picking", string="Backorder", readonly=True
    )
    carrier = fields.Char(readonly=True)
    tracking_refs = fields.Char(string="Tracking Numbers", readonly=True)
    tracking_html = fields.Html(
        string="Tracking", compute="_compute_tracking_html", sanitize=False
    )
    ship_date = fields.Date(readonly=True)
    summary = fields.Text(string="Shipped", readonly=True)
    content_hash = fields.Char(
        string="Fingerprint",
        readonly=True,
        help="Of the reported lines, carrier, tracking numbers and ship date: the "
        "same reference with other content is another shipment, refused.",
    )

    # Was unique per fulfiller (report_ref_partner_uniq, dropped by the migration
    # to 18.0.1.2.1).
    _sql_constraints = [
        (
            "report_ref_dispatch_uniq",
            "unique(dispatch_id, report_ref)",
            "A shipment report reference is processed once per dispatch order.",
        ),
    ]

    @api.depends("carrier", "tracking_refs")
    def _compute_tracking_html(self):
        for report in self:
            refs = [r for r in (report.tracking_refs or "").split(",") if r]
            report.tracking_html = tracking_html(report.carrier, refs)

    @api.model
    def _sop_processed(self, dispatch, report_ref, content_hash):
        """The report ``report_ref`` already processed for ``dispatch`` (a retry:
        the same content), or nothing; the same reference with other content is
        refused."""
        report = self.search(
            [("dispatch_id", "=", dispatch.id), ("report_ref", "=", report_ref)],
            limit=1,
        )
        # Reports processed before fingerprints were kept count as the same.
        if report and report.content_hash and report.content_hash != content_hash:
            raise UserError(
                _(
                    "The report reference %(ref)s was already used for another "
                    "shipment of %(dispatch)s (%(date)s, %(summary)s): nothing was "
                    "changed. A new shipment needs a new report reference.",
                    ref=report_ref,
                    dispatch=dispatch.name,
                    date=report.ship_date,
                    summary=(report.summary or "").replace("\n", ", "),
                )
            )
        return report

    def _sop_notify(self):
        """Tell the order's chatter and the customer (shipment notice with the
        tracking links)."""
        template = self.env.ref("sales_order_plus.mail_template_shipment_notice")
        # The fulfiller's user reporting must not become a follower of the order
        # (followers of an order read it in the portal).
        for report in self.sudo().with_context(mail_create_nosubscribe=True):
            order = report.order_id
            order.message_post(
                body=_(
                    "%(partner)s reported a shipment of %(dispatch)s (%(channel)s, "
                    "report %(ref)s): %(summary)s",
                    partner=report.partner_id.name,
                    dispatch=report.dispatch_id.name,
                    channel=dict(
                        self._fields["channel"]._description_selection(self.env)
                    )[report.channel],
                    ref=report.report_ref,
                    summary=report.summary.replace("\n", ", "),
                ),
            )
            body = template._render_field("body_html", report.ids, compute_lang=True)[
                report.id
            ]
            subject = template._render_field("subject", report.ids, compute_lang=True)[
                report.id
            ]
            order.message_post(
                body=Markup(body),
                subject=subject,
                partner_ids=order.partner_id.ids,
                # From us, not from the fulfiller's contact who reported.
                author_id=(order.user_id.partner_id or order.company_id.partner_id).id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def _sop_api_result(self):
        self.ensure_one()
        dispatch = self.dispatch_id
        return {
            "reference": dispatch.name,
            "state": dispatch.state,
            "report_ref": self.report_ref,
            "backorder": self.backorder_id.name or False,
        }
