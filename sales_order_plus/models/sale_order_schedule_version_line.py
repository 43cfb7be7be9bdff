# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .integrity import in_internal_scope, refuse_non_finite
from .sale_order_schedule_version import OPEN_STATES, VERSION_WRITE
from .selections import FIRMNESS


class SaleOrderScheduleVersionLine(models.Model):
    """One dated quantity of a received schedule version, as the customer sent it
    (its item numbers), with the product and agreement line it was matched to."""

    _name = "sale.order.schedule.version.line"
    _description = "Delivery Schedule Version Line"
    _order = "version_id, product_id, date, id"

    version_id = fields.Many2one(
        comodel_name="sale.order.schedule.version",
        required=True,
        ondelete="cascade",
        index=True,
    )
    order_id = fields.Many2one(related="version_id.order_id", store=True)
    company_id = fields.Many2one(related="version_id.company_id", store=True)
    customer_code = fields.Char(string="Customer Item")
    supplier_code = fields.Char(string="Our Item")
    product_id = fields.Many2one(comodel_name="product.product", index=True)
    order_line_id = fields.Many2one(
        comodel_name="sale.order.line",
        string="Agreement Line",
        ondelete="set null",
        help="The agreement's sales line this product is scheduled on.",
    )
    date = fields.Date(required=True)
    product_uom_qty = fields.Float(
        string="Quantity", digits="Product Unit of Measure", required=True
    )
    firmness = fields.Selection(
        selection=FIRMNESS,
        default="firm",
        required=True,
    )
    customer_cum_qty = fields.Float(
        string="Customer's Cumulative Received",
        digits="Product Unit of Measure",
        help="The cumulative quantity the customer reports as received for this "
        "product (the same on each line of the product).",
    )
    has_customer_cum = fields.Boolean(
        help="The customer sent cumulative figures for this product."
    )
    customer_cum_note = fields.Char(
        string="Customer's Last Delivery Note",
        help="The last delivery note the customer reports as received for this "
        "product.",
    )

    def _sop_check_version_open(self, versions):
        """The lines of an applied (superseded, rejected) version are what was
        received: frozen, as its state. Only the version's own steps change them."""
        if self.env.su or in_internal_scope(versions, VERSION_WRITE):
            return
        closed = versions.filtered(lambda v: v.state not in OPEN_STATES)
        if closed:
            raise UserError(
                _(
                    "The lines of %(versions)s can no longer change (applied, "
                    "superseded or rejected): a new version replaces it.",
                    versions=", ".join(closed.mapped("display_name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        refuse_non_finite(self, vals_list)
        self._sop_check_version_open(
            self.env["sale.order.schedule.version"].browse(
                {vals["version_id"] for vals in vals_list if vals.get("version_id")}
            )
        )
        return super().create(vals_list)

    def write(self, vals):
        refuse_non_finite(self, [vals])
        versions = self.version_id
        if vals.get("version_id"):
            versions |= versions.browse(vals["version_id"])
        self._sop_check_version_open(versions)
        return super().write(vals)

    def unlink(self):
        self._sop_check_version_open(self.version_id)
        return super().unlink()
