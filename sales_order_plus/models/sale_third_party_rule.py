# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .selections import FULFILLERS

# Precedence of a rule, most specific first: a rule naming products beats one naming
# categories, which beats one naming countries, which beats a rule without condition.
LEVELS = [
    ("product", "Products"),
    ("category", "Product Categories"),
    ("country", "Delivery Countries"),
    ("default", "Everything"),
]
LEVEL_RANK = {level: rank for rank, (level, _label) in enumerate(LEVELS)}


class SaleThirdPartyRule(models.Model):
    """Which vendor ships a third-party order line straight to the customer."""

    _name = "sale.third.party.rule"
    _description = "Third-Party Routing Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        default=lambda self: self.env.company,
        index=True,
        help="Leave empty to use the rule in every company.",
    )
    product_ids = fields.Many2many(
        comodel_name="product.product",
        string="Products",
        check_company=True,
        help="The rule applies to these products only.",
    )
    categ_ids = fields.Many2many(
        comodel_name="product.category",
        string="Product Categories",
        help="The rule applies to products of these categories and their "
        "subcategories only.",
    )
    country_ids = fields.Many2many(
        comodel_name="res.country",
        string="Delivery Countries",
        help="The rule applies when the order's delivery address is in one of these "
        "countries only.",
    )
    fulfiller = fields.Selection(
        selection=FULFILLERS,
        string="Fulfilled By",
        default="vendor",
        required=True,
        help="Who ships the matching lines: a vendor straight to the customer, a "
        "logistics provider from the warehouse it operates for us, or one of our "
        "own warehouses.",
    )
    warehouse_id = fields.Many2one(
        comodel_name="stock.warehouse",
        string="Warehouse",
        check_company=True,
        help="Logistics provider or own warehouse: the warehouse that ships.",
    )
    vendor_id = fields.Many2one(
        comodel_name="res.partner",
        string="Vendor",
        check_company=True,
        help="Vendor who receives the purchase order and ships to the customer. "
        "Its price comes from the product's vendor price list when it has one.",
    )
    auto_confirm = fields.Selection(
        selection=[
            ("type", "As set on the order type"),
            ("yes", "Confirm at once"),
            ("no", "Leave as request for quotation"),
        ],
        string="Confirm Purchase Order",
        default="type",
        required=True,
    )
    level = fields.Selection(
        selection=LEVELS,
        string="Applies To",
        compute="_compute_level",
        store=True,
        help="Rules naming products come first, then rules naming categories, then "
        "countries, then rules without condition; the sequence orders rules of the "
        "same level.",
    )

    @api.depends("product_ids", "categ_ids", "country_ids")
    def _compute_level(self):
        for rule in self:
            if rule.product_ids:
                rule.level = "product"
            elif rule.categ_ids:
                rule.level = "category"
            elif rule.country_ids:
                rule.level = "country"
            else:
                rule.level = "default"

    @api.constrains("fulfiller", "vendor_id", "warehouse_id")
    def _check_fulfiller(self):
        for rule in self:
            if rule.fulfiller == "vendor" and not rule.vendor_id:
                raise ValidationError(
                    _("%(rule)s: a drop-ship rule needs a vendor.", rule=rule.name)
                )
            if rule.fulfiller == "provider" and not rule.warehouse_id.sop_provider_id:
                raise ValidationError(
                    _(
                        "%(rule)s: a logistics provider rule needs a warehouse "
                        "operated by a provider.",
                        rule=rule.name,
                    )
                )
            if rule.fulfiller == "own" and not rule.warehouse_id:
                raise ValidationError(
                    _(
                        "%(rule)s: an own-warehouse rule needs a warehouse.",
                        rule=rule.name,
                    )
                )

    @api.constrains("vendor_id", "active")
    def _check_vendor_active(self):
        # An archived vendor takes no purchase orders: the rule would route lines to
        # nobody (archived after the rule was saved: refused at confirmation).
        archived = self.filtered(
            lambda r: r.active and r.vendor_id and not r.vendor_id.active
        )
        if archived:
            # Worked out outside _(): the term extraction stops at an f-string in it.
            rules = ", ".join(
                f"{rule.name} ({rule.vendor_id.display_name})" for rule in archived
            )
            raise ValidationError(
                _(
                    "The vendor of a routing rule must be active: %(rules)s.",
                    rules=rules,
                )
            )

    @api.model
    def _sop_rules_by_precedence(self, company):
        """Active rules of ``company``, most specific first: loaded once per
        confirmation, then matched in Python line by line."""
        rules = self.search([("company_id", "in", [company.id, False])])
        return rules.sorted(lambda r: (LEVEL_RANK[r.level], r.sequence, r.id))

    def _sop_matches(self, product, country):
        """Every condition set on the rule holds for ``product`` shipped to
        ``country`` (conditions left empty do not restrict)."""
        self.ensure_one()
        if self.product_ids and product not in self.product_ids:
            return False
        if self.categ_ids:
            path = product.categ_id.parent_path or ""
            if not any(path.startswith(categ.parent_path) for categ in self.categ_ids):
                return False
        if self.country_ids and country not in self.country_ids:
            return False
        return True
