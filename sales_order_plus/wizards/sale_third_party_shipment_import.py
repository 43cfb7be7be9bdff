# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import binascii

from odoo import _, fields, models
from odoo.exceptions import UserError

from .. import edi
from ..models.sale_third_party_dispatch import (
    SHIPMENT_MAX_FILE_MB as MAX_FILE_MB,
)
from ..models.sale_third_party_dispatch import (
    read_shipment_csv,
)


class SaleThirdPartyShipmentImport(models.TransientModel):
    """A fulfiller's shipment confirmation CSV (readme/USAGE.md), uploaded by us: each
    report of the file is processed as if the fulfiller had sent it."""

    _name = "sale.third.party.shipment.import"
    _description = "Import a Shipment Confirmation"

    dispatch_id = fields.Many2one(
        comodel_name="sale.third.party.dispatch",
        string="Dispatch Order",
        help="When set, the file may only report shipments of this dispatch order.",
    )
    file = fields.Binary(required=True)
    filename = fields.Char()

    def action_import(self):
        self.ensure_one()
        # Whoever may not change transfers does not validate them through a file.
        self.env["stock.picking"].check_access("write")
        try:
            content = base64.b64decode(self.file or b"", validate=True)
        except (binascii.Error, ValueError):
            raise UserError(_("The file is not readable.")) from None
        if len(content) > MAX_FILE_MB * 1024 * 1024:
            raise UserError(_("The file is larger than %(size)s MB.", size=MAX_FILE_MB))
        try:
            reports = edi.shipment_reports(read_shipment_csv(content))
        except edi.FormatError as error:
            raise UserError(error.translate(self.env._)) from None
        if not reports:
            raise UserError(_("The file has no shipment rows."))
        Dispatch = self.env["sale.third.party.dispatch"]
        done = Dispatch
        for (reference, report_ref), report in reports.items():
            dispatch = Dispatch.search([("name", "=", reference)], limit=1)
            if not dispatch or (self.dispatch_id and dispatch != self.dispatch_id):
                raise UserError(
                    _(
                        "Unknown dispatch order %(reference)s (report %(ref)s); "
                        "nothing was imported.",
                        reference=reference or "?",
                        ref=report_ref or "?",
                    )
                )
            # Reported as superuser: the importer must be allowed to change it.
            dispatch.check_access("write")
            dispatch._sop_report_shipment(
                report.lines,
                carrier=report.carrier,
                tracking_refs=report.tracking,
                ship_date=report.ship_date,
                report_ref=report_ref,
                channel="file",
            )
            done |= dispatch
        return {
            "type": "ir.actions.act_window",
            "res_model": Dispatch._name,
            "view_mode": "list,form",
            "domain": [("id", "in", done.ids)],
            "name": _("Dispatch Orders"),
        }
