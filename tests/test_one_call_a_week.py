import datetime

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import CustomerBaseCommon


@tagged("post_install", "-at_install")
class TestOneCallAWeek(CustomerBaseCommon):
    """One contact a week per customer across the service policy, win-back and campaigns (see
    ``sale.customer.contact.engine._contact_week_taken``). Not frozen in time: campaign progress
    counts what is overdue against the database's today."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.Engine = cls.env["sale.customer.contact.engine"].sudo().with_company(cls.company)

        def user(login, group="sales_team.group_sale_salesman"):
            return new_test_user(cls.env, login, groups=group, company_id=cls.company.id, company_ids=[cls.company.id])

        cls.ann = user("week_ann")
        cls.boss = user("week_boss", "sales_team.group_sale_manager")
        # the shipped policy is replaced by one rule: everybody, a call every 30 days
        Rule = cls.env["sale.customer.service.rule"].with_company(cls.company)
        Rule.search([("company_id", "=", cls.company.id)]).active = False
        Rule.create({"name": "Everybody", "company_id": cls.company.id, "cadence_days": 30, "channel": "call"})
        # Acme bought 100 days ago: 70 days late for its call. Other bought 5 days ago: not due.
        (cls.customer | cls.other).user_id = cls.ann
        cls.order(cls.customer, cls.today - datetime.timedelta(days=100), 1000.0)
        cls.order(cls.other, cls.today - datetime.timedelta(days=5), 500.0)
        cls.env["sale.customer.base.engine"].sudo().with_company(cls.company)._recompute_company(cls.company)

    def days(self, count):
        return self.today + datetime.timedelta(days=count)

    def policy_calls(self, partner):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id), ("summary", "=like", "Keep in touch%")]
        )

    def win_back(self, partners, due_in):
        """Win back ``partners`` (chosen by hand) with a call due in ``due_in`` days; the wizard."""
        wizard = (
            self.env["sale.customer.reactivation.wizard"]
            .with_user(self.boss)
            .with_company(self.company)
            .create(
                {
                    "company_id": self.company.id,
                    "partner_ids": [Command.set(partners.ids)],
                    "use_lost": False,
                    "use_at_risk": False,
                    "use_declining": False,
                    "use_stalled": False,
                    "date_deadline": self.days(due_in),
                }
            )
        )
        return wizard

    def campaign(self, partners, due_in):
        return (
            self.env["sale.customer.campaign.wizard"]
            .with_user(self.boss)
            .with_company(self.company)
            .create(
                {
                    "company_id": self.company.id,
                    "partner_ids": [Command.set(partners.ids)],
                    "summary": "New catalogue",
                    "date_deadline": self.days(due_in),
                }
            )
        )

    def done_call(self, partner, activity_type="mail.mail_activity_data_call"):
        """An activity a person scheduled on ``partner`` and marked done today."""
        activity = partner.activity_schedule(activity_type, user_id=self.ann.id)
        activity.with_user(self.ann)._action_done()

    def test_open_winback_call_in_3_days_blocks_todays_policy_call(self):
        wizard = self.win_back(self.customer, 3)
        wizard.action_preview()
        wizard.action_confirm()
        self.Engine._plan_company(self.company)
        self.assertFalse(self.policy_calls(self.customer), "a win-back call in 3 days: no policy call this week")
        self.assertEqual(
            self.customer.with_company(self.company).sudo().contact_days_overdue, 70, "it stays due for a later run"
        )

    def test_call_due_in_10_days_does_not_block_todays_call(self):
        wizard = self.win_back(self.customer, 10)
        wizard.action_preview()
        wizard.action_confirm()
        self.Engine._plan_company(self.company)
        self.assertEqual(
            self.policy_calls(self.customer).date_deadline, self.today, "10 days apart: another week, called today"
        )

    def test_campaign_this_week_skips_the_customer_the_policy_planned_and_says_so(self):
        self.Engine._plan_company(self.company)
        self.assertEqual(self.policy_calls(self.customer).date_deadline, self.today, "the policy calls Acme today")
        wizard = self.campaign(self.customer | self.other, 3)
        action = wizard.action_preview()
        self.assertEqual(wizard.line_ids.partner_id, self.other, "Acme is left out, Other stays")
        self.assertEqual(wizard.contacted_count, 1, "one customer left out")
        self.assertIn("Already contacted this week, left out: 1", wizard.plan_summary, "the preview says so")
        self.assertEqual(action["tag"], "display_notification", "and tells it when it opens")
        self.assertIn("1 customers are left out", action["params"]["message"], "how many")
        self.assertEqual(action["params"]["next"]["res_id"], wizard.id, "then shows the preview")
        campaign = self.env["sale.customer.campaign"].browse(wizard.action_launch()["res_id"])
        self.assertEqual(campaign.line_ids.partner_id, self.other, "the campaign calls Other only")
        self.assertIn(
            "1 customers already contacted this week were left out", campaign.message_ids[0].body, "its history says so"
        )
        with self.assertRaisesRegex(UserError, "The 1 customers matching these choices already have a call"):
            self.campaign(self.customer, 6).action_preview()
        wizard = self.campaign(self.customer, 7)
        wizard.action_preview()
        self.assertEqual(wizard.line_ids.partner_id, self.customer, "7 days after the policy's call: the next week")

    def test_activities_that_are_not_contacts_do_not_block(self):
        self.customer.activity_schedule("mail.mail_activity_data_todo", user_id=self.ann.id, date_deadline=self.today)
        self.contact.activity_schedule("mail.mail_activity_data_upload_document", user_id=self.ann.id)
        self.Engine._plan_company(self.company)
        self.assertEqual(len(self.policy_calls(self.customer)), 1, "a to-do and an upload are no calls")
        # a to-do done today does not count either; a call done today does
        self.done_call(self.other, "mail.mail_activity_data_todo")
        wizard = self.campaign(self.other, 0)
        wizard.action_preview()
        self.assertEqual(wizard.line_ids.partner_id, self.other, "a to-do done today: Other is called")
        self.done_call(self.other)
        with self.assertRaisesRegex(UserError, r"already contacted this week"):
            self.win_back(self.other, 0).action_preview()

    def test_winback_preview_leaves_out_customers_called_this_week(self):
        self.done_call(self.contact)  # Acme's buyer was called today
        wizard = self.win_back(self.customer | self.other, 6)
        action = wizard.action_preview()
        self.assertEqual(wizard.line_ids.partner_id, self.other, "Acme was called today: not again this week")
        self.assertEqual(wizard.contacted_count, 1, "one customer left out")
        self.assertIn("1 customers are left out", action["params"]["message"], "the preview says how many")
        # called meanwhile, through a campaign: the confirmation leaves it out too
        campaign = self.campaign(self.other, 6)
        campaign.action_preview()
        campaign.action_launch()
        with self.assertRaisesRegex(UserError, "since the preview"):
            wizard.action_confirm()

    def test_call_a_person_scheduled_on_a_contact_blocks_the_policy(self):
        self.contact.activity_schedule("mail.mail_activity_data_call", user_id=self.ann.id, date_deadline=self.days(2))
        self.Engine._plan_company(self.company)
        self.assertFalse(self.policy_calls(self.customer), "a call with Acme's buyer in 2 days: none today")

    def test_policy_never_plans_twice_while_its_call_is_open(self):
        self.Engine._plan_company(self.company)
        # the cap put it 10 days ahead, or the salesperson moved it: still the customer's call
        self.policy_calls(self.customer).date_deadline = self.days(10)
        self.Engine._plan_company(self.company)
        self.assertEqual(len(self.policy_calls(self.customer)), 1, "one policy call at a time")

    def test_the_rule_costs_the_same_for_1_or_40_customers(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Week {index}", "is_company": True} for index in range(40)]
        )
        for partner in partners[:10]:
            self.done_call(partner)
        one = self._queries(lambda: self.Engine._contact_week_taken({partners[0].id: self.today}))
        taken = set()
        forty = self._queries(
            lambda: taken.update(self.Engine._contact_week_taken(dict.fromkeys(partners.ids, self.today)))
        )
        self.assertEqual(taken, set(partners[:10].ids), "the ten called today")
        self.assertEqual(forty, one, "one query whatever the number of customers")
