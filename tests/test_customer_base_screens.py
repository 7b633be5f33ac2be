import datetime

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import CustomerBaseCommon

TODAY = datetime.date.today()


def days_ago(days):
    return TODAY - datetime.timedelta(days=days)


@tagged("post_install", "-at_install")
class TestWhatPeopleMeetOnScreen(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a salesperson who may read only her own orders and may not edit contacts
        cls.laura = new_test_user(
            cls.env, "cb_laura", groups="sales_team.group_sale_salesman", company_id=cls.company.id
        )
        cls.customer.user_id = cls.laura

    def recompute(self):
        self.env["sale.customer.base.engine"].recompute_customer_base()

    def test_ltv_is_the_margin_so_far_until_a_projection_means_something(self):
        self.order(self.customer, days_ago(20), 2947.5, cost=2000.0)  # one order: too early
        for age in (400, 300, 200, 100):  # four orders over 13 months: projected
            self.order(self.other, days_ago(age), 1000.0, cost=800.0)
        self.recompute()
        customer, other = self.customer.with_company(self.company), self.other.with_company(self.company)
        self.assertEqual(customer.ltv_basis, "too_early", "one order")
        self.assertAlmostEqual(customer.ltv, 947.5, 2, msg="its margin so far, not a 36-month projection")
        self.assertEqual(other.ltv_basis, "projected", "four orders over a year")
        expected = other.average_order_value * other.purchase_frequency * other.profitability * 36
        self.assertAlmostEqual(other.ltv, expected, 2, msg="S x C x P x T")

    def test_confirmed_order_makes_a_customer_that_odoo_lists_as_such(self):
        self.assertFalse(self.customer.customer_rank, "no order yet")
        self.order(self.customer, days_ago(3), 100.0, state="draft").action_confirm()
        self.assertEqual(self.customer.customer_rank, 1, "the confirmation raises the rank")
        found = self.env["res.partner"].search([("customer_rank", ">", 0), ("id", "=", self.customer.id)])
        self.assertEqual(found, self.customer, "the Customers menu's default filter shows it")

    def test_salesperson_records_loyalty_of_her_customer_without_editing_contacts(self):
        for age in (300, 200, 100, 10):
            self.order(self.customer, days_ago(age), 100.0)
        self.order(self.other, days_ago(10), 100.0)
        self.recompute()
        self.assertEqual(self.customer.with_company(self.company).customer_stage, "regular", "4 orders")
        Partner = self.env["res.partner"].with_user(self.laura).with_company(self.company)
        # crm (a dependency since the readiness on opportunities) lets every salesperson edit contacts
        # (its access_res_partner): the wizard is no longer her only way, but stays her way from the tab
        action = Partner.browse(self.customer.id).action_open_loyalty_update()
        form = Form(self.env[action["res_model"]].with_user(self.laura).with_context(**action["context"]))
        form.share_of_wallet = 85.0
        form.is_customer_advocate = False
        form.save().action_apply()
        customer = self.customer.with_company(self.company)
        self.assertEqual(customer.share_of_wallet, 85.0, "saved through her own path")
        self.assertEqual(customer.customer_stage, "loyal", "85% share of wallet: a regular customer becomes loyal")
        form = Form(
            self.env["sale.customer.loyalty.update"]
            .with_user(self.laura)
            .with_context(default_partner_id=self.other.id)
        )
        form.share_of_wallet = 90.0
        with self.assertRaisesRegex(AccessError, "not one of your customers"):
            form.save().action_apply()

    def test_loyalty_updates_and_the_refresh_queue_are_not_for_others(self):
        update = (
            self.env["sale.customer.loyalty.update"]
            .with_user(self.laura)
            .create({"partner_id": self.customer.id, "share_of_wallet": 50.0})
        )
        colleague = new_test_user(self.env, "cb_colleague", groups="sales_team.group_sale_salesman_all_leads")
        with self.assertRaises(AccessError, msg="another salesperson cannot read her update"):
            update.with_user(colleague).read(["share_of_wallet"])
        with self.assertRaises(AccessError, msg="nor apply it"):
            update.with_user(colleague).action_apply()
        with self.assertRaises(AccessError, msg="the refresh queue is the engine's"):
            self.env["sale.customer.base.refresh"].with_user(self.laura).search([])

    def test_salesperson_plans_follow_ups_on_customers_she_may_only_read(self):
        customer = self.customer.with_user(self.laura)
        activity = customer.activity_schedule("mail.mail_activity_data_call", summary="How did it go?")
        self.assertEqual(activity.res_id, self.customer.id, "scheduled without edit rights on the contact")
        action = activity.with_user(self.laura).action_feedback_schedule_next(feedback="Happy")
        self.assertFalse(activity.exists(), "the call is done")
        context = action["context"]
        following = (
            self.env["mail.activity"]
            .with_user(self.laura)
            .with_context(**context)
            .create({"summary": "Send the offer", "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id})
        )
        self.assertEqual(
            (following.res_model, following.res_id), ("res.partner", self.customer.id), "and the next one is planned"
        )

    def test_stages_come_in_lifecycle_order(self):
        self.order(self.customer, days_ago(500), 100.0)  # lost
        self.order(self.other, days_ago(5), 100.0)  # first purchase
        prospect = self.env["res.partner"].create({"name": "Prospect", "is_company": True})
        self.order(prospect, days_ago(1), 100.0, state="draft")
        self.recompute()
        # the Customer Base kanban and list (sale.customer.metrics), grouped by stage
        groups = (
            self.env["sale.customer.metrics"]
            .with_company(self.company)
            .web_read_group(
                [
                    ("partner_id", "in", (self.customer | self.other | prospect).ids),
                    ("company_id", "=", self.company.id),
                ],
                ["customer_stage"],
                ["customer_stage"],
            )["groups"]
        )
        self.assertEqual(
            [group["customer_stage"] for group in groups], ["prospect", "new", "lost"], "lifecycle order, not A-Z"
        )

    def test_after_an_order_the_ranking_is_shown_as_waiting_and_lost_customers_expect_nothing(self):
        self.order(self.customer, days_ago(600), 100.0)
        self.order(self.customer, days_ago(500), 100.0)
        self.recompute()
        customer = self.customer.with_company(self.company)
        self.assertEqual(customer.customer_stage, "lost", "silent for 500 days")
        self.assertFalse(customer.next_order_date, "no next order expected from a lost customer")
        self.assertFalse(customer.customer_base_ranks_pending, "ranked by the full recompute")
        self.order(self.other, days_ago(1), 100.0)
        other = self.other.with_company(self.company)
        self.assertEqual(other.customer_stage, "new", "refreshed at once")
        self.assertTrue(other.customer_base_ranks_pending, "its class and share wait for the nightly ranking")

    def test_customer_form_shows_revenue_by_month_and_opens_its_stage_changes(self):
        self.order(self.contact, days_ago(40), 250.0)
        self.order(self.customer, days_ago(2), 130.0)
        self.recompute()
        chart = self.customer.with_company(self.company).customer_revenue_chart
        self.assertEqual(str(chart).count("<rect"), 12, "one bar per month of the last year")
        self.assertIn("250", str(chart), "the contact's order counts for its company")
        self.assertFalse(self.other.with_company(self.company).customer_revenue_chart, "no order, no chart")
        colleague_view = self.other.with_user(self.laura).with_company(self.company)
        self.order(self.other, days_ago(2), 999.0)
        self.assertNotIn(
            "999", str(colleague_view.customer_revenue_chart or ""), "orders she may not read are not drawn"
        )
        action = self.customer.action_open_stage_changes()
        changes = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(changes.partner_id, self.customer, "the customer's own stage changes")
        self.assertTrue(changes, "its first classification at least")
