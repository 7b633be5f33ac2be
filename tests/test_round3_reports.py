"""What people met in round 3: period names in a language installed later, the people map, the
Sales Activity report, Plan Next Step before the answers, and what the install does."""

import datetime
import logging
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo import SUPERUSER_ID
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .. import _check_rtlcss, post_init_hook
from .common import CustomerBaseCommon

TODAY = datetime.date(2026, 6, 30)
D = datetime.date
HOOK_LOGGER = "odoo.addons.sale_customer_base"


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestRound3Reports(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ann = new_test_user(
            cls.env,
            "r3_ann",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )

    def arch(self, model, view_type):
        return etree.fromstring(self.env[model].get_views([(False, view_type)])["views"][view_type]["arch"])

    # ---- CRR history in the reader's language
    def test_period_names_follow_a_language_installed_after_the_history(self):
        History = self.env["sale.customer.base.history"]
        self.order(self.customer, D(2026, 1, 10), 100.0)
        self.assertNotIn("fr_FR", dict(self.env["res.lang"].get_installed()), "French comes after the history")
        History._rebuild(self.company, D(2026, 1, 1))
        self.env["res.lang"]._activate_lang("fr_FR")
        January = [("company_id", "=", self.company.id), ("date", "=", D(2026, 1, 1))]
        french = History.with_context(lang="fr_FR").search(January)
        self.assertEqual(
            {(row.period_type, row.period_name) for row in french},
            {("month", "janv. 2026"), ("quarter", "T1 2026"), ("year", "2026")},
            "French readers see French periods without a rebuild",
        )
        months = [("company_id", "=", self.company.id), ("period_type", "=", "month")]
        groups = History.with_context(lang="fr_FR")._read_group(months, ["period_name"], ["customers_new:sum"])
        self.assertEqual(groups[0][0], "janv. 2026", "the pivot's rows too, still in time order")
        english = History.with_context(lang="en_US").search(January).filtered(lambda row: row.period_type == "month")
        self.assertEqual(english.period_name, "Jan 2026", "English readers keep theirs")

    # ---- install
    def test_install_makes_customers_of_partners_with_earlier_confirmed_orders(self):
        self.order(self.contact, D(2026, 5, 2), 100.0)  # ordered by Acme's buyer: Acme is the customer
        self.order(self.customer, D(2026, 6, 2), 100.0)
        self.order(self.other, D(2026, 6, 3), 100.0, state="draft")
        loyal = self.env["res.partner"].create({"name": "Loyal Customer", "is_company": True})
        self.order(loyal, D(2026, 6, 4), 100.0)
        # as on a database whose orders were confirmed before the addon raised ranks
        partners = self.customer | self.contact | self.other | loyal
        self.env.cr.execute(SQL("UPDATE res_partner SET customer_rank = 0 WHERE id IN %s", tuple(partners.ids)))
        self.env.cr.execute(SQL("UPDATE res_partner SET customer_rank = 5 WHERE id = %s", loyal.id))
        partners.invalidate_recordset(["customer_rank"])
        self.assertFalse(self.customer.customer_rank, "no rank before the install")
        post_init_hook(self.env)
        self.assertEqual(self.customer.customer_rank, 2, "a customer, one rank per confirmed order")
        self.assertFalse(self.other.customer_rank, "a quotation makes no customer")
        self.assertEqual(loyal.customer_rank, 5, "a rank already earned is left alone")
        customers = self.env["res.partner"].search([("customer_rank", ">", 0), ("id", "in", partners.ids)])
        self.assertEqual(customers, self.customer | loyal, "the Customers menu's default filter shows them")

    def test_install_says_once_that_right_to_left_languages_need_rtlcss(self):
        with patch("shutil.which", return_value=None), self.assertLogs(HOOK_LOGGER, logging.INFO) as logs:
            _check_rtlcss(self.env)
        self.assertEqual(len(logs.records), 1, "one line")
        self.assertEqual(logs.records[0].levelno, logging.INFO, "no right-to-left language yet: information")
        self.assertIn("npm install -g rtlcss", logs.output[0], "says how to install it")
        self.assertIn("Arabic, Hebrew, Persian", logs.output[0], "and for whom")
        self.env["res.lang"]._activate_lang("ar_001")
        with patch("shutil.which", return_value=None), self.assertLogs(HOOK_LOGGER, logging.INFO) as logs:
            _check_rtlcss(self.env)
        self.assertEqual(logs.records[0].levelno, logging.WARNING, "Arabic active without the tool: a warning")
        with patch("shutil.which", return_value="/usr/bin/rtlcss"), self.assertNoLogs(HOOK_LOGGER, logging.INFO):
            _check_rtlcss(self.env)

    # ---- key account plan
    def test_people_map_lists_people_by_their_own_names_and_roles_in_full(self):
        plan = self.env["sale.customer.key.account"].create({"partner_id": self.customer.id})
        line = self.env["sale.customer.key.account.contact"].create(
            {"plan_id": plan.id, "partner_id": self.contact.id, "role": "decision_maker"}
        )
        self.assertEqual(line.partner_id.display_name, "Acme Customer, Acme Buyer", "the contact's display name")
        self.assertEqual(line.contact_name, "Acme Buyer", "the person's own name")
        people = self.arch("sale.customer.key.account", "form").find(".//field[@name='contact_ids']")
        columns = [
            node
            for node in people.find("list").iter("field")
            if node.get("column_invisible") not in ("True", "1") and node.get("widget") != "handle"
        ]
        self.assertEqual(
            [node.get("name") for node in columns[:2]], ["contact_name", "role"], "first who, then the role"
        )
        role = columns[1]
        self.assertTrue(role.get("width"), "the role's column keeps its width: Decision Maker in full")
        shown = [node.get("name") for node in columns if node.get("optional") != "hide"]
        self.assertLessEqual(len(shown), 6, "few columns, none squeezed; the long texts are in the form")
        self.assertFalse(people.find("list").get("editable"), "a line opens in a form")
        self.assertIsNotNone(people.find("form//field[@name='partner_id']"), "where the contact is chosen")

    def test_key_account_shares_read_with_a_percent_sign(self):
        plan = self.env["sale.customer.key.account"].create({"partner_id": self.customer.id})
        plan.write({"revenue_share": 35.2, "share_of_wallet": 60.0})
        self.assertAlmostEqual(plan.revenue_share_ratio, 0.352, msg="35.2 % as the percentage widget reads it")
        self.assertAlmostEqual(plan.share_of_wallet_ratio, 0.6, msg="60 % likewise")
        for view_type in ("list", "form"):
            arch = self.arch("sale.customer.key.account", view_type)
            for fname in ("revenue_share_ratio", "share_of_wallet_ratio"):
                node = arch.find(f".//field[@name='{fname}']")
                self.assertEqual(node.get("widget"), "percentage", f"{view_type}: {fname} with its % sign")
            self.assertIsNone(arch.find(".//field[@name='revenue_share']"), f"{view_type}: no bare number")

    # ---- Sales Activity
    def test_sales_activity_leaves_out_odoobot_and_targets_of_weeks_without_activity(self):
        quotation = self.order(self.other, D(2026, 6, 1), 10.0, state="draft")
        won = self.order(self.customer, D(2026, 6, 2), 20.0)
        (quotation | won).user_id = self.ann
        by_odoobot = self.order(self.other, D(2026, 6, 3), 30.0)
        by_odoobot.user_id = SUPERUSER_ID
        # Ann's week of 1 June: two quotations, one won, no activity done; her call is done today
        for order, day in ((quotation, D(2026, 6, 1)), (won, D(2026, 6, 2))):
            self.env.cr.execute(SQL("UPDATE sale_order SET create_date = %s WHERE id = %s", day, order.id))
        self.customer.activity_schedule("mail.mail_activity_data_call", user_id=self.ann.id).with_user(
            self.ann
        )._action_done()
        # an activity OdooBot marks done: automated work
        self.customer.activity_schedule("mail.mail_activity_data_todo", user_id=SUPERUSER_ID)._action_done()
        self.env.flush_all()
        Activity = self.env["sale.customer.activity.report"]
        self.assertFalse(Activity.search([("user_id", "=", SUPERUSER_ID)]), "OdooBot has no row")
        domain = [("company_id", "=", self.company.id)]
        self.assertEqual(Activity.search(domain).user_id, self.ann, "Ann's work only")
        weeks = Activity._read_group(
            domain, ["date:week"], ["quotation_count:sum", "won_count:sum", "activity_count:sum", "planned_target:avg"]
        )
        self.assertEqual(
            sorted((counts for _week, *counts in weeks), key=str),
            [[0, 0, 1, 60.0], [2, 1, 0, False]],
            "the target beside the activities done, and none in a week without",
        )

    def test_sales_activity_pivot_opens_on_a_laptop_screen(self):
        arch = self.arch("sale.customer.activity.report", "pivot")
        fields_of = {
            kind: [node.get("name") for node in arch.iter("field") if node.get("type") == kind]
            for kind in ("row", "col", "measure")
        }
        self.assertEqual(fields_of["row"], ["user_id", "date"], "salespeople, their weeks beneath")
        self.assertEqual(fields_of["col"], [], "no week columns multiplying the measures")
        self.assertLessEqual(len(fields_of["measure"]), 7, "a handful of measures side by side")
        self.assertIn("planned_target", fields_of["measure"], "the planned share beside its target")

    # ---- Plan Next Step
    def test_plan_next_step_is_offered_before_the_answers_and_says_which_are_left(self):
        arch = self.arch("crm.lead", "form")
        button = arch.find(".//button[@name='action_plan_readiness_step']")
        self.assertFalse(button.get("invisible"), "the button shows while questions are unanswered")
        lead = self.env["crm.lead"].create(
            {"name": "Fit-out", "type": "opportunity", "partner_id": self.other.id, "readiness_need": "yes"}
        )
        with self.assertRaises(UserError) as caught:
            lead.action_plan_readiness_step()
        self.assertIn("Answer the three questions", str(caught.exception), "says what to do")
        self.assertIn("Fit-out (Budget, Urgency)", str(caught.exception), "and which questions are left")
        self.assertFalse(lead.activity_ids, "nothing planned")
