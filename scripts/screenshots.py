"""PNGs of the add-on's key screens, taken in headless chromium as the admin sees them.

    python scripts/screenshots.py --url http://127.0.0.1:8069 --db sales_order_plus \
        [--out docs] [--only cash]

Run through ``make screenshots`` (scripts/screenshots.sh), which serves a fresh demo
database meanwhile. The demo quotations are confirmed over XML-RPC first, then each
entry of ``SCREENS`` is opened in Odoo's web client (logged in as admin with a session
cookie) and saved as ``<out>/<file>``. An entry whose action or record XML id does not
exist (yet) is skipped with a notice; any other failure fails the run. The README's
"Screens" table (between its ``screens`` markers) lists the PNGs of ``SCREENS`` that
exist in docs/.
"""

import argparse
import base64
import http.cookiejar
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import xmlrpc.client
from dataclasses import dataclass

import websocket  # websocket-client, which Odoo's HttpCase uses too


@dataclass
class Screen:
    file: str  # PNG name in the output folder
    title: str  # caption (README "Screens" section)
    action: str  # XML id of the window action that opens the view
    record: str = ""  # XML id of the record to open in its form ("" = the list)
    confirm: tuple = ()  # XML ids of quotations to confirm before the shot
    wait: str = ".o_action_manager .o_view_controller"  # CSS selector of a ready page


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
        "Delivery schedule lines across orders (Sales > Orders > Delivery Schedule)",
        "sales_order_plus.action_sale_order_schedule_line",
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
        "consistency_check.png",
        "Order / delivery / invoice consistency check",
        "sales_order_plus.sale_consistency_check_action",
        wait=".o_view_controller",
    ),
]

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--window-size=1440,900",
    "--hide-scrollbars",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--remote-allow-origins=*",
    "--remote-debugging-port=0",
]


class Odoo:
    """XML-RPC for data, a JSON-RPC login for the browser's session cookie."""

    def __init__(self, url, db, login, password):
        self.url, self.db, self.password = url.rstrip("/"), db, password
        common = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common")
        self.uid = common.authenticate(db, login, password, {})
        if not self.uid:
            raise SystemExit(f"Cannot log in as {login} on database {db} at {url}")
        self.models = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/object")
        self.login = login

    def call(self, model, method, *args, **kwargs):
        return self.models.execute_kw(
            self.db, self.uid, self.password, model, method, list(args), kwargs
        )

    def xmlid(self, xmlid):
        """(model, id) of an XML id, or None when it does not exist."""
        module, name = xmlid.split(".", 1)
        rows = self.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            fields=["model", "res_id"],
            limit=1,
        )
        return (rows[0]["model"], rows[0]["res_id"]) if rows else None

    def session_id(self):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        payload = {
            "jsonrpc": "2.0",
            "params": {"db": self.db, "login": self.login, "password": self.password},
        }
        request = urllib.request.Request(
            f"{self.url}/web/session/authenticate",
            json.dumps(payload).encode(),
            {"Content-Type": "application/json"},
        )
        with opener.open(request, timeout=60) as response:
            answer = json.load(response)
        if answer.get("error"):
            raise SystemExit(f"Login failed: {answer['error']}")
        return next(c.value for c in jar if c.name == "session_id")


class Chromium:
    """Headless Debian chromium driven through the DevTools protocol."""

    def __init__(self, binary):
        self.profile = tempfile.mkdtemp(prefix="sop-screens-")
        self.process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        for _i in range(300):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.1)
        else:
            self.close()
            raise SystemExit("chromium did not start (no DevToolsActivePort)")
        port = open(port_file).read().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as response:
            page = next(t for t in json.load(response) if t["type"] == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=120, suppress_origin=True
        )
        self._id = 0
        self.send("Page.enable")
        self.send("Network.enable")
        # The viewport itself 1440x900 (the window size includes the browser's frame)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=1440,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )

    def send(self, method, **params):
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True
        )
        return result.get("result", {}).get("value")

    def wait_for(self, selector, timeout=90):
        """Until ``selector`` is shown and Odoo has no request in flight."""
        check = (
            "!window.__sopOldPage && "
            f"!!document.querySelector({json.dumps(selector)}) && "
            "!document.querySelector('.o_loading_indicator, .o_blockUI') && "
            "!document.querySelector('.oe_login_form')"
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(check):
                return True
            if self.evaluate("!!document.querySelector('.oe_login_form')"):
                raise RuntimeError("the login page is shown: the session was refused")
            time.sleep(0.5)
        return False

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as png:
            png.write(base64.b64decode(data))

    def close(self):
        try:
            self.ws.close()
        except Exception:  # best effort at shutdown
            pass
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def confirm(odoo, xmlids):
    for xmlid in xmlids:
        ref = odoo.xmlid(xmlid)
        if not ref:
            continue
        model, res_id = ref
        [order] = odoo.call(model, "read", [res_id], fields=["state", "name"])
        if order["state"] in ("draft", "sent"):
            odoo.call(model, "action_confirm", [res_id])
            print(f"   confirmed {order['name']} ({xmlid})")


def update_readme(out):
    """The README's table of screens: two per row, in the order of ``SCREENS``."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    readme = os.path.join(root, "README.md")
    folder = os.path.relpath(os.path.abspath(out), root)
    cells = [
        f"![{s.title}]({folder}/{s.file}) {s.title}"
        for s in SCREENS
        if os.path.exists(os.path.join(out, s.file))
    ]
    if not os.path.exists(readme) or folder.startswith(".."):
        return
    rows = ["| | |", "|---|---|"]
    for i in range(0, len(cells), 2):
        rows.append(
            "| " + " | ".join(cells[i : i + 2] + [""] * (i + 2 > len(cells))) + " |"
        )
    with open(readme) as f:
        text = f.read()
    begin, end = "<!-- screens:begin -->", "<!-- screens:end -->"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = (
            head + begin + "\n" + "\n".join(rows) + "\n" + end + rest.split(end, 1)[1]
        )
        with open(readme, "w") as f:
            f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="sales_order_plus")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", default="docs")
    parser.add_argument("--only", default="", help="substring of the file names")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()

    odoo = Odoo(args.url, args.db, args.login, args.password)
    os.makedirs(args.out, exist_ok=True)
    browser = Chromium(args.chromium)
    made, skipped, failed = [], [], []
    try:
        browser.send(
            "Network.setCookie",
            name="session_id",
            value=odoo.session_id(),
            url=args.url,
            path="/",
        )
        for screen in SCREENS:
            if args.only not in screen.file:
                continue
            missing = [
                x for x in (screen.action, screen.record) if x and not odoo.xmlid(x)
            ]
            if missing:
                skipped.append(screen.file)
                print(f"-- {screen.file}: skipped, no {', '.join(missing)} yet")
                continue
            print(f"-- {screen.file}: {screen.title}")
            try:
                confirm(odoo, screen.confirm)
                url = f"{odoo.url}/odoo/action-{screen.action}"
                if screen.record:
                    url += f"/{odoo.xmlid(screen.record)[1]}"
                # Marks the current document, so that waiting ignores it
                browser.evaluate("window.__sopOldPage = true")
                browser.send("Page.navigate", url=url)
                if not browser.wait_for(screen.wait):
                    raise RuntimeError(f"{screen.wait} not shown within 90 s")
                time.sleep(1.5)  # let the chatter and images settle
                path = os.path.join(args.out, screen.file)
                browser.screenshot(path)
                made.append(path)
            except (RuntimeError, xmlrpc.client.Fault) as error:
                failed.append(screen.file)
                print(f"   FAILED: {str(error)[:500]}")
    finally:
        browser.close()
    update_readme(args.out)
    print(f"{len(made)} screenshots, {len(skipped)} skipped, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
