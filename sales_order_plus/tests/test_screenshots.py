# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""PNGs of the add-on's key screens for the README (``make screenshots``).

Not a test of behaviour and not part of ``make test`` (no ``standard`` tag): run it
alone with ``--test-tags sop_screenshots`` (scripts/screenshots.sh does, in a fresh
demo database). Odoo's HttpCase serves the database and drives the system chromium;
the demo quotations are confirmed in the test's transaction, so the database is left
as it was. Each entry of ``SCREENS`` is opened in the web client as admin and saved as
``$SCREENSHOT_OUT/<file>`` (default: the repository's docs/); ``$SCREENSHOT_ONLY``
keeps the entries whose file name contains it. An entry whose action or record XML id
does not exist (yet) is skipped with a notice. The README's "Screens" table (between
its ``screens`` markers) then lists the PNGs of ``SCREENS`` that exist.
"""

import base64
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser, new_test_user

_logger = logging.getLogger(__name__)

REPOSITORY = Path(__file__).resolve().parents[2]


@dataclass
class Screen:
    file: str  # PNG name in the output folder
    title: str  # caption (README "Screens" section)
    action: str  # XML id of the window action that opens the view
    record: str = ""  # XML id of the record to open in its form ("" = the list)
    confirm: tuple = ()  # XML ids of quotations to confirm before the shot
    wait: str = ".o_action_manager .o_view_controller"  # CSS selector of a ready page
    # A page outside the web client (the portal): callable(test) -> (login, path),
    # shot as that user; the action is then not used.
    portal: object = None


# The screens, in README order. Extend freely: an entry whose XML ids are missing is
# skipped with a notice, so entries for views of other branches can wait here.
SCREENS = [
    Screen(
        "order_types.png",
        "Order types: the configuration, one kind per type",
        "sale_order_type.sot_sale_order_type_action",
        wait=".o_list_view",
    ),
    Screen(
        "order_type_form.png",
        "An order type: kind, required fields, the kind's settings",
        "sale_order_type.sot_sale_order_type_action",
        record="sales_order_plus.type_cash_sale",
        wait=".o_form_view",
    ),
    Screen(
        "order_cash.png",
        "Cash sale (Barverkauf), confirmed",
        "sale.action_orders",
        record="sales_order_plus.demo_order_cash",
        confirm=("sales_order_plus.demo_order_cash",),
        wait=".o_form_view",
    ),
    Screen(
        "order_rush.png",
        "Rush order (Eilauftrag), confirmed",
        "sale.action_orders",
        record="sales_order_plus.demo_order_rush",
        confirm=("sales_order_plus.demo_order_rush",),
        wait=".o_form_view",
    ),
    Screen(
        "order_rush_availability.png",
        "Rush order before confirming: the quantity confirmed now and the date of "
        "the rest",
        "sale.action_orders",
        record="sales_order_plus.demo_order_rush_availability",
        wait=".o_form_view",
    ),
    Screen(
        "order_schedule.png",
        "Delivery schedule (Lieferplan), confirmed",
        "sale.action_orders",
        record="sales_order_plus.demo_order_schedule",
        confirm=("sales_order_plus.demo_order_schedule",),
        wait=".o_form_view",
    ),
    Screen(
        "order_third_party.png",
        "Third-party order (Streckengeschäft), confirmed",
        "sale.action_orders",
        record="sales_order_plus.demo_order_third_party",
        confirm=("sales_order_plus.demo_order_third_party",),
        wait=".o_form_view",
    ),
    Screen(
        "delivery_schedule.png",
        "Delivery schedule lines across orders "
        "(Sales > Delivery Schedules > Schedule Lines)",
        "sales_order_plus.action_sale_order_schedule_line",
        wait=".o_view_controller",
    ),
    Screen(
        "schedule_version.png",
        "A schedule version held beyond the tolerance: the comparison with the "
        "previous version",
        "sales_order_plus.action_sale_order_schedule_version",
        record="sales_order_plus.demo_schedule_version_2",
        wait=".o_form_view",
    ),
    Screen(
        "schedule_versions.png",
        "Schedule versions received from the customers (Sales > Delivery "
        "Schedules > Schedule Versions)",
        "sales_order_plus.action_sale_order_schedule_version",
        wait=".o_view_controller",
    ),
    Screen(
        "cumulative_quantities.png",
        "Cumulative quantities per agreement line "
        "(Sales > Delivery Schedules > Cumulative Quantities)",
        "sales_order_plus.action_sale_order_line_cumulative",
        confirm=("sales_order_plus.demo_order_schedule",),
        wait=".o_view_controller",
    ),
    Screen(
        "rush_orders.png",
        "Rush orders still to deliver (Inventory > Operations > Rush Orders)",
        "sales_order_plus.action_rush_pickings",
        wait=".o_view_controller",
    ),
    Screen(
        "third_party_rules.png",
        "Third-party routing rules",
        "sales_order_plus.sale_third_party_rule_action",
        wait=".o_view_controller",
    ),
    Screen(
        "demand_trends.png",
        "Demand trends: quantity sold per product and month, by kind",
        "sales_order_plus.sale_demand_trend_action",
        wait=".o_view_controller",
    ),
    Screen(
        "order_credit_hold.png",
        "A delivery schedule on credit hold: banner, Release Credit Hold",
        "sale.action_orders",
        record="sales_order_plus.demo_order_credit_hold",
        confirm=("sales_order_plus.demo_order_credit_hold",),
        wait=".o_form_view",
    ),
    Screen(
        "consistency_check.png",
        "Order / delivery / invoice consistency check",
        "sales_order_plus.sale_consistency_check_action",
        wait=".o_view_controller",
    ),
    Screen(
        "cash_counter.png",
        "The counter (tablet): orders awaiting collection and today's cash sales",
        "sales_order_plus.action_sale_cash_counter",
        confirm=("sales_order_plus.demo_order_cash",),
        wait=".o_kanban_view",
    ),
    Screen(
        "cash_closing.png",
        "Daily cash closing per cash journal",
        "sales_order_plus.action_sale_cash_closing",
        wait=".o_view_controller",
    ),
    Screen(
        "third_party_fulfilment.png",
        "Third-party fulfilment: dispatch orders to providers and vendors "
        "(Sales > Fulfilment > Dispatch Orders)",
        "sales_order_plus.action_sale_third_party_dispatch",
        confirm=("sales_order_plus.demo_order_third_party",),
        wait=".o_view_controller",
    ),
]

# The portal as a fulfiller's contact sees it (last: the browser logs in as them).
SCREENS.append(
    Screen(
        "third_party_portal.png",
        "The portal of a vendor's contact: a dispatch order to acknowledge and ship",
        "",
        confirm=("sales_order_plus.demo_order_third_party",),
        portal=lambda test: test._dispatch_portal(),
        wait=".o_sop_dispatch",
    )
)


def update_readme(out):
    """The README's table of screens: two per row, in the order of ``SCREENS``."""
    readme = REPOSITORY / "README.md"
    folder = os.path.relpath(out, REPOSITORY)
    if not readme.exists() or folder.startswith(".."):
        return
    cells = [
        f"![{s.title}]({folder}/{s.file}) {s.title}"
        for s in SCREENS
        if (out / s.file).exists()
    ]
    rows = ["| | |", "|---|---|"]
    for i in range(0, len(cells), 2):
        rows.append(
            "| " + " | ".join(cells[i : i + 2] + [""] * (i + 2 > len(cells))) + " |"
        )
    text = readme.read_text()
    begin, end = "<!-- screens:begin -->", "<!-- screens:end -->"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = (
            head + begin + "\n" + "\n".join(rows) + "\n" + end + rest.split(end, 1)[1]
        )
        readme.write_text(text)


@tagged("post_install", "-at_install", "-standard", "sop_screenshots")
class TestScreenshots(HttpCase):
    browser_size = "1440x900"

    def test_screenshots(self):
        out = Path(os.environ.get("SCREENSHOT_OUT") or REPOSITORY / "docs").resolve()
        only = os.environ.get("SCREENSHOT_ONLY", "")
        out.mkdir(parents=True, exist_ok=True)
        admin = self.env.ref("base.user_admin")
        browser = ChromeBrowser(self)
        made = []
        try:
            self.authenticate("admin", "admin", browser=browser)
            # As a user sees the pages, without the scrollbars headless chromium draws.
            browser._websocket_request(
                "Emulation.setScrollbarsHidden", params={"hidden": True}
            )
            for screen in SCREENS:
                if only not in screen.file:
                    continue
                missing = [
                    xmlid
                    for xmlid in (screen.action, screen.record)
                    if xmlid and not self.env.ref(xmlid, raise_if_not_found=False)
                ]
                if missing:
                    _logger.info("%s: skipped, no %s yet", screen.file, missing)
                    continue
                with self.subTest(screen=screen.file):
                    for xmlid in screen.confirm:
                        order = self.env.ref(xmlid).with_user(admin)
                        if order.state in ("draft", "sent"):
                            order.action_confirm()
                    url = None
                    if screen.portal:
                        # The last page's requests (readonly routes among them)
                        # finish first: they share the test cursor.
                        self._wait_remaining_requests()
                        login, url = screen.portal(self)
                        self.env.flush_all()
                        self.authenticate(login, login, browser=browser)
                    self.env.flush_all()
                    self._shoot(browser, screen, out / screen.file, url=url)
                    made.append(screen.file)
        finally:
            browser.stop()
            self._wait_remaining_requests()
        update_readme(out)
        _logger.info("%d screenshots in %s: %s", len(made), out, ", ".join(made))

    def _dispatch_portal(self):
        """(login, path) of the demo third-party order's dispatch order, seen by a
        portal contact of its vendor."""
        order = self.env.ref("sales_order_plus.demo_order_third_party")
        if not order.sop_dispatch_ids:
            # The drop-ship purchase order waits for the buyer: confirmed, its
            # dispatch order goes to the vendor.
            order.order_line.purchase_line_ids.order_id.button_confirm()
        dispatch = order.sop_dispatch_ids[:1]
        self.assertTrue(dispatch, "the demo third-party order has no dispatch order")
        user = new_test_user(
            self.env, login="sop_screens_vendor", groups="base.group_portal"
        )
        user.partner_id.parent_id = dispatch.partner_id.commercial_partner_id
        return user.login, f"/my/dispatch/{dispatch.id}"

    def _shoot(self, browser, screen, path, url=None):
        if url:
            url = self.base_url() + url
        else:
            url = f"{self.base_url()}/odoo/action-{screen.action}"
        if screen.record:
            url += f"/{self.env.ref(screen.record).id}"
        # Marks the current document, so that waiting ignores it.
        browser._websocket_request(
            "Runtime.evaluate", params={"expression": "window.__sopOldPage = true"}
        )
        browser.navigate_to(url, wait_stop=True)
        ready = (
            f"!window.__sopOldPage && !!document.querySelector("
            f"{json.dumps(screen.wait)})"
        )
        self.assertTrue(
            browser._wait_ready(ready, timeout=90),
            f"{screen.file}: {screen.wait} not shown within 90 s",
        )
        time.sleep(1.5)  # let the chatter and images settle
        shot = browser._websocket_request(
            "Page.captureScreenshot", params={"format": "png"}, timeout=30
        )
        path.write_bytes(base64.b64decode(shot["data"]))
