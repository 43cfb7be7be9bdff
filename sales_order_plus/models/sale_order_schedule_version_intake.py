# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Schedule versions, intake: the bytes a channel received (a file uploaded, an
e-mail's attachment) read by the format layer (edi/) into documents, and the
documents made versions of their agreements, matched by agreement number, buyer and
item codes. Checking and applying: models/sale_order_schedule_version.py."""

import base64
from collections import defaultdict

from odoo import _, api, fields, models

from .. import edi
from .sale_order_schedule_version import own_step


class SaleOrderScheduleVersion(models.Model):
    _inherit = "sale.order.schedule.version"

    @api.model
    def _sop_version_attachment_vals(self, content, filename):
        return {
            "name": filename or "schedule.edi",
            "datas": base64.b64encode(content),
            "res_model": self._name,
        }

    @api.model
    def _sop_version_receive_file(
        self, content, filename, source, order=None, inbox=None
    ):
        """The one intake of every channel: versions of the file ``content``
        (bytes), by its format (edi/registry.py). An EDIFACT interchange names its
        agreements; a file of rows (CSV, XLSX) is for ``order``."""
        if edi.detect_format(content, filename) == edi.EDIFACT:
            return self._sop_version_receive_edifact(
                content, filename, source, order=order, inbox=inbox
            )
        return self._sop_version_receive_csv(
            content, filename, source, order, inbox=inbox
        )

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
        text = edi.decode_text(content, edi.EDIFACT_FALLBACK)
        try:
            # Read once: each agreement's type dates the weeks and periods
            # (item.entries_on its bucket weekday).
            messages = edi.EdifactReader(self.env._).parse(text)
        except edi.FormatError as error:
            return self._sop_version_unreadable(
                content, filename, source, order, inbox, error.translate(self.env._)
            )
        agreements = inbox._sop_inbox_agreements() if inbox else None
        vals_list = [
            self._sop_version_message_vals(
                message, agreement_ref, items, source, order, agreements, inbox
            )
            for message in messages
            for agreement_ref, items in self._sop_version_group_items(message).items()
        ]
        if not vals_list:
            return self._sop_version_unreadable(
                content,
                filename,
                source,
                order,
                inbox,
                _("The interchange holds no delivery schedule."),
            )
        versions = self.create(vals_list)
        for version in versions:
            version._sop_version_attach(content, filename)
        versions._sop_version_receive()
        return versions

    @api.model
    def _sop_version_unreadable(self, content, filename, source, order, inbox, reason):
        """One rejected version (the file attached) of a file that yields none."""
        version = self.create(
            {
                "order_id": order.id if order else False,
                "source": source,
                "state": "rejected",
                "reason": reason,
                "inbox_id": inbox.id if inbox else False,
            }
        )
        version._sop_version_attach(content, filename)
        return version

    @api.model
    def _sop_version_message_vals(
        self, message, agreement_ref, items, source, order, agreements, inbox
    ):
        """The values of the version of ``message``'s ``items`` of one agreement
        number; a duplicate of a version applied before is rejected."""
        agreement, partner, _found = self._sop_version_find_agreement(
            agreement_ref, message.buyer, order, agreements=agreements
        )
        bucket_day = int(agreement.type_id.schedule_bucket_day or 1)
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
        }
        if inbox:
            vals["inbox_id"] = inbox.id
            vals["sender_problem"] = inbox._sop_inbox_sender_problem(agreement)
        duplicate = self._sop_version_duplicate(
            agreement, message.kind, vals["name"], message.date
        )
        if duplicate:
            # Received again: kept (with its file) as rejected, its lines are those
            # of the version applied before.
            vals.update(state="rejected", reason=duplicate)
        else:
            vals["line_ids"] = [
                fields.Command.create(line_vals)
                for line_vals in self._sop_version_line_vals(
                    agreement or partner, items, bucket_day
                )
            ]
        return vals

    @api.model
    @own_step
    def _sop_version_receive_csv(self, content, filename, source, order, inbox=None):
        """A version of ``order`` from a CSV or XLSX file (the import's format:
        product, date, quantity; the firmness of the agreement's line of the date,
        a new date firm). ``inbox``: as for EDIFACT."""
        problems = []
        try:
            rows = edi.parse_schedule_rows(
                edi.read_rows(
                    edi.check_size(content), edi.detect_format(content, filename)
                ),
                self._sop_version_date_formats(),
            )
        except edi.FormatError as error:
            rows, problems = [], [error.translate(self.env._)]
        lines = self._sop_version_rows_line_vals(order, rows, problems)
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
    def _sop_version_rows_line_vals(self, order, rows, problems):
        """Version line values of a file's ``rows`` (edi.ImportRow) for ``order``;
        a row without a date or quantity is added to ``problems``."""
        lines = []
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
        return lines

    @api.model
    def _sop_version_date_formats(self):
        """The date formats of a schedule file: ISO and the German ones, then the
        user's language's."""
        lang = self.env["res.lang"]._get_data(code=self.env.user.lang)
        return (*edi.IMPORT_FORMATS, lang.date_format)

    @own_step
    def _sop_version_attach(self, content, filename):
        self.ensure_one()
        vals = self._sop_version_attachment_vals(content, filename)
        vals["res_id"] = self.id
        self.attachment_id = self.env["ir.attachment"].create(vals)

    @api.model
    def _sop_version_group_items(self, message):
        """{agreement number: [items]} of an EDIFACT message."""
        return message.items_by_agreement()

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
    def _sop_version_line_vals(self, agreement_or_partner, items, bucket_day=1):
        """Version line values of EDIFACT ``items``: one per item and date (the
        quantities of one date added up; firm if one of them is; weeks and periods
        on ISO weekday ``bucket_day``)."""
        merged = {}
        for item in items:
            for due, qty, firmness in item.entries_on(bucket_day):
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
