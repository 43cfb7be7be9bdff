# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import uuid
from urllib.parse import quote

from odoo import _, fields, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

DISPATCH_MODEL = "sale.third.party.dispatch"


class DispatchPortal(CustomerPortal):
    """Dispatch orders for the fulfiller's portal users: each sees the dispatch
    orders addressed to their own company (record rule), without prices, and
    acknowledges or reports shipments through ``_sop_acknowledge`` and
    ``_sop_report_shipment``."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "dispatch_count" in counters:
            Dispatch = request.env[DISPATCH_MODEL]
            values["dispatch_count"] = (
                Dispatch.search_count([]) if Dispatch.has_access("read") else 0
            )
        return values

    @http.route(
        ["/my/dispatch", "/my/dispatch/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_dispatches(self, page=1, **kw):
        Dispatch = request.env[DISPATCH_MODEL]
        if not Dispatch.has_access("read"):
            return request.redirect("/my")
        total = Dispatch.search_count([])
        pager = portal_pager(url="/my/dispatch", total=total, page=page, step=20)
        dispatches = Dispatch.search([], limit=20, offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "dispatches": dispatches.sudo(),
                "page_name": "dispatch",
                "pager": pager,
                "default_url": "/my/dispatch",
            }
        )
        return request.render("sales_order_plus.portal_my_dispatches", values)

    def _sop_dispatch(self, dispatch_id, access_token=None):
        return self._document_check_access(DISPATCH_MODEL, dispatch_id, access_token)

    @http.route(
        ["/my/dispatch/<int:dispatch_id>"], type="http", auth="public", website=True
    )
    def portal_my_dispatch(self, dispatch_id, access_token=None, message=None, **kw):
        try:
            dispatch = self._sop_dispatch(dispatch_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            dispatch,
            access_token,
            {
                "dispatch": dispatch,
                "lines": dispatch._sop_document_lines(),
                "page_name": "dispatch",
                "message": message,
                "report_ref": f"portal-{uuid.uuid4().hex[:12]}",
                "access_token": access_token,
                "today": fields.Date.context_today(dispatch).isoformat(),
            },
            "my_dispatch_history",
            False,
        )
        return request.render("sales_order_plus.portal_my_dispatch", values)

    def _sop_back(self, dispatch, access_token, message):
        url = f"/my/dispatch/{dispatch.id}?message={quote(message)}"
        if access_token:
            url += f"&access_token={quote(access_token)}"
        return request.redirect(url)

    @http.route(
        ["/my/dispatch/<int:dispatch_id>/acknowledge"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_dispatch_acknowledge(
        self, dispatch_id, access_token=None, promised_date=None, **kw
    ):
        try:
            dispatch = self._sop_dispatch(dispatch_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        try:
            dispatch._sop_acknowledge(promised_date)
        except UserError as error:
            return self._sop_back(dispatch, access_token, str(error))
        return self._sop_back(dispatch, access_token, _("Thank you, acknowledged."))

    @http.route(
        ["/my/dispatch/<int:dispatch_id>/ship"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_dispatch_ship(self, dispatch_id, access_token=None, **post):
        try:
            dispatch = self._sop_dispatch(dispatch_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        lines = [
            {"product_code": key[len("qty_") :], "quantity": value or 0}
            for key, value in post.items()
            if key.startswith("qty_")
        ]
        try:
            dispatch._sop_report_shipment(
                lines,
                carrier=post.get("carrier"),
                tracking_refs=post.get("tracking_refs"),
                ship_date=post.get("ship_date"),
                report_ref=post.get("report_ref"),
                channel="portal",
            )
        except UserError as error:
            return self._sop_back(dispatch, access_token, str(error))
        return self._sop_back(
            dispatch, access_token, _("Thank you, shipment recorded.")
        )

    @http.route(
        ["/my/dispatch/<int:dispatch_id>/exception"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_dispatch_exception(self, dispatch_id, access_token=None, reason=None):
        try:
            dispatch = self._sop_dispatch(dispatch_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        try:
            dispatch._sop_report_exception(reason)
        except UserError as error:
            return self._sop_back(dispatch, access_token, str(error))
        return self._sop_back(
            dispatch, access_token, _("Thank you, we will get back to you.")
        )
