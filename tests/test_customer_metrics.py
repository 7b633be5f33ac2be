import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import CustomerBaseCommon

TODAY = datetime.date(2026, 6, 30)


def days_ago(days):
    return TODAY - datetime.timedelta(days=days)


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestCustomerMetrics(CustomerBaseCommon):
    def test_full_recompute_stores_every_metric(self):
        self.order(self.contact, days_ago(60), 300.0, cost=200.0)  # ordered by a contact: counts for the company
        self.order(self.customer, days_ago(30), 100.0, cost=50.0)
        self.order(self.customer, days_ago(10), 200.0, cost=100.0)
        self.order(self.other, days_ago(400), 1000.0)
        self.env["sale.customer.base.engine"].recompute_customer_base()

        customer = self.customer
        self.assertEqual(customer.customer_order_count, 3, "orders of the contact count for its company")
        self.assertEqual(customer.first_order_date, days_ago(60), "first order 60 days ago")
        self.assertEqual(customer.last_order_date, days_ago(10), "last order 10 days ago")
        self.assertEqual(customer.days_since_last_order, 10, "10 days since the last order")
        self.assertEqual(customer.median_order_interval, 25.0, "gaps of 30 and 20 days")
        self.assertEqual(customer.next_order_date, days_ago(10) + datetime.timedelta(days=25), "last + 25 days")
        self.assertAlmostEqual(customer.average_order_value, 200.0, msg="S = 600 / 3")
        self.assertAlmostEqual(customer.purchase_frequency, 3 / (60 / (365.25 / 12)), msg="C = 3 orders / 1.97 months")
        self.assertAlmostEqual(customer.profitability, 250.0 / 600.0, msg="P = margin 250 / revenue 600")
        self.assertEqual(customer.customer_lifetime_months, 36.0, "fixed lifetime")
        self.assertEqual(customer.ltv_basis, "too_early", "two months of history: too early to project")
        self.assertAlmostEqual(customer.ltv, 250.0, msg="LTV is the margin so far until S x C x P x T means something")
        self.assertAlmostEqual(customer.revenue_to_date, 600.0, msg="revenue to date")
        self.assertAlmostEqual(customer.margin_to_date, 250.0, msg="margin to date")
        self.assertEqual(customer.customer_stage, "regular", "three recent orders")
        self.assertEqual(customer.abc_class, "a", "the only customer with revenue in the window")
        self.assertEqual(customer.xyz_class, "x", "3 orders in under two months")
        self.assertEqual(customer.customer_segment, "AX", "segment")
        self.assertAlmostEqual(customer.revenue_share, 1.0, msg="all of the window revenue")
        self.assertEqual(customer.dependency_risk, "critical", "100 % of revenue")
        self.assertTrue(customer.is_key_account, "key account by share")
        self.assertEqual(self.other.customer_stage, "lost", "silent for 400 days")
        self.assertFalse(self.other.abc_class, "no revenue in the window, no class")
        self.assertEqual(self.other.dependency_risk, "none", "no window revenue")
        self.assertEqual(self.contact.customer_stage, "regular", "a contact shows its company's stage")
        self.assertEqual(self.contact.ltv, customer.ltv, "and its company's values")
        self.assertTrue(self.env.company.customer_base_last_run, "the run is dated")

    def test_values_are_kept_per_company_and_currency(self):
        company_b = self.env["res.company"].create(
            {"name": "Second Company", "currency_id": self.company.currency_id.id}
        )
        self.env.user.company_ids |= company_b
        eur = self.env.ref("base.EUR")
        eur.active = True
        rate_currency = eur if self.company.currency_id != eur else self.env.ref("base.USD")
        rate_currency.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": rate_currency.id, "rate": 2.0, "name": "2020-01-01", "company_id": self.company.id}
        )
        pricelist = self.env["product.pricelist"].create({"name": "Foreign", "currency_id": rate_currency.id})
        self.order(self.customer, days_ago(5), 500.0, pricelist=pricelist)  # 250 in company currency
        self.order(self.customer, days_ago(20), 100.0)
        self.order(self.customer, days_ago(3), 70.0, company=company_b)
        self.order(self.other, days_ago(3), 30.0, company=company_b)
        self.env["sale.customer.base.engine"].recompute_customer_base()

        self.assertAlmostEqual(self.customer.revenue_to_date, 350.0, msg="500 at rate 2 + 100 in company currency")
        self.assertEqual(self.customer.customer_order_count, 2, "orders of the current company only")
        in_b = self.customer.with_company(company_b)
        self.assertEqual(in_b.customer_order_count, 1, "one order in the second company")
        self.assertAlmostEqual(in_b.revenue_to_date, 70.0, msg="revenue in the second company")
        self.assertAlmostEqual(in_b.revenue_share, 0.7, msg="70 of the second company's 100")
        self.assertFalse(self.other.customer_stage, "no order in the first company: nothing shows there")
        self.assertEqual(self.other.with_company(company_b).customer_stage, "new", "a first purchase in the second")

    def test_confirming_and_cancelling_refresh_the_customer(self):
        self.order(self.customer, days_ago(40), 100.0)
        self.env["sale.customer.base.engine"].recompute_customer_base()
        self.assertEqual(self.customer.customer_stage, "new", "one order")
        quotation = self.order(self.customer, TODAY, 50.0, state="draft")
        quotation.action_confirm()
        self.assertEqual(self.customer.customer_order_count, 2, "the confirmation counts at once")
        self.assertEqual(self.customer.customer_stage, "repeat", "second order")
        self.assertEqual(self.customer.last_order_date, TODAY, "last order today")
        self.assertEqual(self.contact.customer_order_count, 2, "the contact follows")
        quotation._action_cancel()
        self.assertEqual(self.customer.customer_order_count, 1, "the cancelled order no longer counts")
        self.assertEqual(self.customer.customer_stage, "new", "back to one order")
        self.assertEqual(self.customer.abc_class, "a", "ABC waits for the next full run")

    def test_cancelling_the_only_order_clears_the_customer(self):
        order = self.order(self.other, days_ago(3), 80.0)
        self.assertEqual(self.other.customer_stage, "new", "the order counts as soon as it is created confirmed")
        order._action_cancel()
        self.assertFalse(self.other.customer_stage, "no order, no quotation: no stage")
        self.assertEqual(self.other.customer_order_count, 0, "no order")

    def test_quotation_makes_a_prospect(self):
        self.order(self.other, TODAY, 80.0, state="draft")
        self.assertEqual(self.other.customer_stage, "prospect", "a quotation without confirmed order")
        self.order(self.other, days_ago(1), 80.0, state="cancel")
        self.env["sale.customer.base.engine"].recompute_customer_base()
        self.assertEqual(self.other.customer_stage, "prospect", "cancelled orders change nothing")

    def test_archived_partner_orders_count(self):
        self.order(self.contact, days_ago(5), 100.0)
        self.contact.active = False
        self.env["sale.customer.base.engine"].recompute_customer_base()
        self.assertEqual(self.customer.customer_order_count, 1, "an archived contact's order still counts")

    def test_loyal_and_advocate_follow_manual_inputs(self):
        for age in (50, 30, 10):
            self.order(self.customer, days_ago(age), 100.0)
        self.assertEqual(self.customer.customer_stage, "regular", "three orders")
        self.customer.share_of_wallet = 90.0
        self.assertEqual(self.customer.customer_stage, "loyal", "90 % of its wallet, refreshed at once")
        self.other.referred_by_id = self.customer
        self.assertEqual(self.customer.referral_count, 1, "one referred customer")
        self.assertEqual(self.customer.customer_stage, "advocate", "loyal and referred a customer")

    def test_key_account_reason_and_manager_limit(self):
        self.order(self.customer, days_ago(5), 950.0)
        self.order(self.other, days_ago(5), 50.0)
        self.env["sale.customer.base.engine"].recompute_customer_base()
        self.assertFalse(self.other.is_key_account, "5 % of revenue")
        self.other.key_account_reason = "innovator"
        self.assertTrue(self.other.is_key_account, "a manager's reason makes it key")
        self.env.company.customer_base_max_key_accounts = 1
        self.customer.key_account_manager_id = self.env.user
        form_partner = self.other.new(origin=self.other)
        form_partner.key_account_manager_id = self.env.user
        warning = form_partner._onchange_key_account_manager_id()
        self.assertIn("warning", warning or {}, "going over the limit warns")
        self.other.key_account_manager_id = self.env.user
        self.assertEqual(self.other.key_account_manager_id, self.env.user, "the assignment is not blocked")

    def test_stage_change_is_tracked(self):
        self.order(self.customer, days_ago(40), 100.0)
        self.env["sale.customer.base.engine"].recompute_customer_base()
        self.assertEqual(self.customer.customer_stage, "new", "one order 40 days ago")
        with freeze_time(TODAY + datetime.timedelta(days=60)):
            self.env["sale.customer.base.engine"].recompute_customer_base()
        self.assertEqual(self.customer.customer_stage, "at_risk", "100 days after a single order")
        history = self.env["sale.customer.stage.history"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(
            [(change.old_stage, change.new_stage) for change in history],
            [("new", "at_risk"), (False, "new")],
            "first assignment and the transition are recorded",
        )
        tracking = self.env["mail.tracking.value"].search(
            [("mail_message_id.res_id", "=", self.customer.id), ("mail_message_id.model", "=", "res.partner")]
        )
        self.assertEqual(tracking.mapped("new_value_char"), ["At Risk"], "the chatter shows the transition")
