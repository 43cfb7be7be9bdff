# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from .mail_authentication import AUTHSERV_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sop_mail_authserv_id = fields.Char(
        string="Trusted Mail Authentication",
        config_parameter=AUTHSERV_PARAM,
        help="The authserv-id with which your receiving mail server writes the "
        "Authentication-Results header (e.g. mx.example.com; several "
        "comma-separated). Only these headers prove a sender: a delivery schedule "
        "or a shipment confirmation mailed without them is held for a person.",
    )
