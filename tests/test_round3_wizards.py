import base64
import datetime
import io

import openpyxl
from freezegun import freeze_time
from lxml import etree

from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval

from .common import CustomerBaseCommon

TODAY = datetime.date(2026, 6, 30)
D = datetime.date
MENU_ARROW = " \u203a "  # between the menus of a path in the help texts (single right-pointing angle quote)


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestEmptyStatesAndExport(CustomerBaseCommon):
    """What the lists say before there is anything to show, and the Excel export's dialog."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, group):
            return new_test_user(cls.env, login, groups=group, company_id=cls.company.id, company_ids=[cls.company.id])

        cls.seller = user("r3_seller", "sales_team.group_sale_salesman")
        cls.boss = user("r3_boss", "sales_team.group_sale_manager")
        cls.customer.user_id = cls.seller
        cls.order(cls.customer, D(2026, 3, 10), 300.0)
        cls.order(cls.other, D(2026, 5, 10), 200.0)
        cls.env["sale.customer.base.engine"].sudo().with_company(cls.company)._recompute_company(cls.company)

    def default_search(self, xmlid, user):
        """The records ``user`` sees when opening the action ``xmlid``: its domain and the default
        filters of its context (``search_default_<filter>``), as the web client applies them."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        context = safe_eval(action.get("context") or "{}", {"uid": user.id})
        Model = self.env[action["res_model"]].with_user(user)
        search = etree.fromstring(Model.get_view(view_type="search")["arch"])
        values = {"uid": user.id, "context_today": lambda: datetime.datetime(2026, 6, 30), "datetime": safe_datetime}
        domain = safe_eval(action.get("domain") or "[]", values)
        for key, value in context.items():
            if key.startswith("search_default_") and value:
                (node,) = search.xpath(f"//filter[@name='{key.removeprefix('search_default_')}']")
                if node.get("domain"):
                    domain += safe_eval(node.get("domain"), values)
        self.env.invalidate_all()
        return Model.search(domain)

    def test_win_back_attempts_show_the_attempts_there_are(self):
        Attempt = self.env["sale.customer.reactivation"]
        refused = Attempt.create(
            {"partner_id": self.customer.id, "company_id": self.company.id, "user_id": self.seller.id}
        )
        refused.action_refused()
        xmlid = "sale_customer_base.sale_customer_reactivation_action"
        self.assertIn(refused, self.default_search(xmlid, self.boss), "the manager sees the attempts of her team")
        self.assertIn(refused, self.default_search(xmlid, self.seller), "the caller sees her refused attempt")
        help_text = self.env.ref(xmlid).help
        self.assertNotIn("yet", help_text, "the empty list may be a filter's doing: it does not claim there is none")
        menu = self.env.ref("sale_customer_base.sale_customer_reactivation_wizard_menu")
        self.assertIn(MENU_ARROW.join(menu.complete_name.split("/")), help_text, "where attempts come from")

    def test_campaign_progress_points_to_the_launch_menu(self):
        menu = self.env.ref("sale_customer_base.sale_customer_campaign_wizard_menu")
        path = MENU_ARROW.join(menu.complete_name.split("/"))
        self.assertEqual(path.split(MENU_ARROW), ["Sales", "Orders", "Launch Customer Campaign"])
        help_text = self.env.ref("sale_customer_base.sale_customer_campaign_progress_action").help or ""
        self.assertIn(path, help_text, "the empty progress report names the menu that launches a campaign")

    def export(self, **values):
        Export = self.env["sale.customer.base.export"].with_user(self.boss)
        return Export.create({"date_from": D(2026, 1, 1), "company_ids": [self.company.id], **values})

    def test_export_dialog_closes_after_the_download(self):
        wizard = self.export()
        action = wizard.action_export()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn("download=true", action["url"])
        # the web client (action_service.js) honours ``close`` only for an url it opens in a new window
        self.assertEqual((action.get("target"), action.get("close")), ("new", True), "the dialog closes")

    def test_export_form_lists_every_sheet_of_the_workbook(self):
        for values in ({}, {"calibration_date": D(2026, 4, 1)}):
            with self.subTest(values=values):
                wizard = self.export(**values)
                wizard.action_export()
                written = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file))).sheetnames
                listed = wizard._workbook_sheets()
                self.assertEqual(
                    [name for name, _when in listed if name in written],
                    written,
                    "every sheet written is listed, in the workbook's order",
                )
                self.assertFalse(
                    [name for name, when in listed if not when and name not in written],
                    "a sheet listed without a condition is always written",
                )
                for name, _when in listed:
                    self.assertIn(name, wizard.sheet_list, "the form shows the list")
                self.assertEqual("Forecast" in written, bool(values), "the Forecast sheet only with a day to check")
