"""Capture the addon's main screens for ``static/description/`` (the app store page and the README).

Starts Odoo on a database where the addon is installed with its demo data,
logs in as the administrator in headless Chromium (Playwright for Python,
Debian's ``chromium``) and takes one picture per screen; the workbook's
*Summary* sheet is rendered by LibreOffice (``soffice``, ``pdftoppm``). The
customer form is also taken in Arabic, read right to left.

    python3 tools/screenshots.py --database DB --addons-path ODOO/odoo/addons,ADDONS

Needs: ``pip install playwright`` (no browser download: it drives
``/usr/bin/chromium``), Debian's ``chromium``, ``libreoffice-calc-nogui`` and
``poppler-utils``. The database is changed only as a user would change it: the
administrator's language is switched to Arabic and back, a win-back search is
left unconfirmed, and a workbook export is made.
"""

import argparse
import base64
import contextlib
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import xmlrpc.client

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "description"
VIEWPORT = {"width": 1440, "height": 900}
CUSTOMERS = "action-sale_customer_base.sale_customer_metrics_action"  # Sales > Orders > Customer Base
PARTNER = "res.partner"  # a customer's own form


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def odoo_server(database, addons_path, port):
    command = [
        sys.executable,
        "-m",
        "odoo",
        "-d",
        database,
        "--db_host=",
        f"--addons-path={addons_path}",
        f"--http-port={port}",
        f"--db-filter=^{database}$",
        "--log-level=warn",
        "--workers=0",
        "--max-cron-threads=0",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _second in range(120):
            with contextlib.suppress(OSError):
                xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/2/common").version()
                break
            if server.poll() is not None:
                raise SystemExit(f"error: Odoo stopped: {server.stderr.read().decode()[-2000:]}")
            time.sleep(1)
        else:
            raise SystemExit("error: Odoo did not answer within two minutes")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(30)


class Rpc:
    def __init__(self, url, database, login, password):
        self.database, self.password = database, password
        self.uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(database, login, password, {})
        if not self.uid:
            raise SystemExit(f"error: cannot log in as {login!r} on {database!r}")
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.database, self.uid, self.password, model, method, list(args), kwargs)


def showcase_customer(rpc):
    """A customer with a full Customer Base tab: a key account if there is one, else the biggest."""
    for domain in ([("is_key_account", "=", True)], [("customer_stage", "in", ["regular", "loyal", "repeat"])]):
        found = rpc("res.partner", "search", [*domain, ("is_company", "=", True)], order="id", limit=1)
        if found:
            return found[0]
    raise SystemExit("error: no customer with a stage: is the demo data installed and recomputed?")


def workbook_png(rpc, out):
    """The Summary sheet of a fresh export, rendered by LibreOffice."""
    wizard = rpc("sale.customer.base.export", "create", {})
    rpc("sale.customer.base.export", "action_export", [wizard])
    data = rpc("sale.customer.base.export", "read", [wizard], ["file"])[0]["file"]
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = pathlib.Path(tmp, "customer_base.xlsx")
        xlsx.write_bytes(base64.b64decode(data))
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, str(xlsx)],
            check=True,
            capture_output=True,
            timeout=180,
        )
        prefix = pathlib.Path(tmp, "summary")
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(xlsx.with_suffix(".pdf")),
                prefix,
            ],
            check=True,
            timeout=60,
        )
        out.write_bytes(prefix.with_suffix(".png").read_bytes())


def capture(url, rpc, password, out, lang_ar):
    from playwright.sync_api import sync_playwright

    customer = showcase_customer(rpc)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )

        def log_in():
            # a new session: the page's language and direction are the session's, set at login
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.goto(f"{url}/web/login")
            page.fill("input[name=login]", "admin")
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_selector(".o_main_navbar")
            return page

        page = log_in()

        def shot(name, path, ready, before=None):
            page.goto(f"{url}/odoo/{path}")
            page.wait_for_selector(ready, timeout=30000)
            if before:
                before()
            # the bus keeps a connection open: the network never idles; charts animate for a moment
            page.wait_for_timeout(2000)
            page.screenshot(path=str(out / f"{name}.png"))
            print(f"{name}.png")

        def customer_tab():
            page.click(".o_notebook .nav-link[name=customer_base]")
            page.wait_for_selector(".o_field_widget[name=customer_stage]")
            # the tab itself, not the address block above it
            page.evaluate("document.querySelector('.o_notebook').scrollIntoView()")

        shot("customer_form", f"{PARTNER}/{customer}", ".o_form_view", customer_tab)
        shot("customer_list", CUSTOMERS, ".o_kanban_renderer")
        shot("crr_graph", "action-sale_customer_base.sale_customer_base_history_action_open", ".o_view_controller")
        shot("abc_xyz_matrix", "action-sale_customer_base.sale_customer_base_report_action_matrix", ".o_pivot")

        def winback_preview():
            page.click(".modal button[name=action_preview]")
            page.wait_for_selector(".modal .o_field_widget[name=line_ids] .o_data_row")

        shot(
            "winback_preview",
            "action-sale_customer_base.sale_customer_reactivation_wizard_action",
            ".modal",
            winback_preview,
        )
        shot(
            "campaign_progress",
            "action-sale_customer_base.sale_customer_campaign_progress_action",
            ".o_view_controller",
        )

        if lang_ar:
            admin = rpc("res.users", "search", [("login", "=", "admin")])
            lang = rpc("res.users", "read", admin, ["lang"])[0]["lang"]
            rpc("res.users", "write", admin, {"lang": "ar_001"})
            try:
                page = log_in()
                shot("customer_form_ar", f"{PARTNER}/{customer}", ".o_form_view", customer_tab)
            finally:
                rpc("res.users", "write", admin, {"lang": lang})
        browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--password", default="admin", help="the administrator's password (demo: admin)")
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--no-arabic", action="store_true", help="skip the Arabic customer form")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with odoo_server(args.database, args.addons_path, free_port()) as url:
        rpc = Rpc(url, args.database, "admin", args.password)
        lang_ar = not args.no_arabic
        if lang_ar:
            # the language and the addon's Arabic terms, as Settings > Languages would add them
            ar = rpc("res.lang", "search", [("code", "=", "ar_001"), ("active", "in", [True, False])])
            wizard = rpc("base.language.install", "create", {"lang_ids": [(6, 0, ar)], "overwrite": True})
            rpc("base.language.install", "lang_install", [wizard])
        capture(url, rpc, args.password, out, lang_ar)
        workbook_png(rpc, out / "workbook_summary.png")
        print("workbook_summary.png")


if __name__ == "__main__":
    main()
