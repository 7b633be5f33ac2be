"""Around the sale: readiness on opportunities, the follow-up after each order, feedback, temperature."""

import base64
import datetime
import io

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import CustomerBaseCommon

TODAY = datetime.date(2026, 6, 30)
D = datetime.date


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestCustomerFeedback(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.followup_type = cls.env.ref("sale_customer_base.mail_activity_type_customer_followup")
        cls.Feedback = cls.env["sale.customer.feedback"].with_company(cls.company)

    def followups(self, partner):
        orders = self.env["sale.order"].search([("partner_id", "child_of", partner.id)])
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "sale.order"),
                ("res_id", "in", orders.ids),
                ("activity_type_id", "=", self.followup_type.id),
            ]
        )

    def confirm(self, partner, amount=100.0):
        order = self.order(partner, TODAY, amount, state="draft")
        order.action_confirm()
        return order

    def regular(self, partner):
        """Three monthly orders: a regular customer."""
        for days in (70, 40, 10):
            self.order(partner, TODAY - datetime.timedelta(days=days), 100.0)

    def stage(self, partner):
        return partner.with_company(self.company).customer_stage

    # ---- follow-up after the sale
    def test_first_order_gets_one_followup_and_a_second_order_none(self):
        first = self.confirm(self.customer)
        followups = self.followups(self.customer)
        self.assertEqual(len(followups), 1, "a first order is always followed up")
        self.assertEqual(followups.res_id, first.id, "on the order")
        self.assertEqual(followups.date_deadline, TODAY + datetime.timedelta(days=7), "7 days after confirmation")
        self.confirm(self.customer)
        self.assertEqual(len(self.followups(self.customer)), 1, "a follow-up is already planned: no second one")

    def test_one_confirmation_of_many_orders_plans_one_followup_per_customer(self):
        first = self.order(self.customer, TODAY, 10.0, state="draft")
        latest = self.order(self.contact, TODAY, 20.0, state="draft")  # its contact buys for Acme
        other = self.order(self.other, TODAY, 30.0, state="draft")
        (first | latest | other).action_confirm()
        self.assertEqual(self.followups(self.customer).res_id, latest.id, "one for Acme, on its latest order")
        self.assertEqual(self.followups(self.other).res_id, other.id, "one for the other customer")
        self.assertEqual(
            self.followups(self.customer).date_deadline, TODAY + datetime.timedelta(days=7), "both orders are its first"
        )

    def test_repeat_order_followup_after_30_days_or_none(self):
        self.order(self.customer, D(2026, 1, 10), 100.0)
        self.confirm(self.customer)
        self.assertEqual(
            self.followups(self.customer).date_deadline,
            TODAY + datetime.timedelta(days=30),
            "a repeat order is followed up after 30 days",
        )
        self.order(self.other, D(2026, 1, 10), 100.0)
        self.company.customer_followup_repeat_days = 0
        self.confirm(self.other)
        self.assertFalse(self.followups(self.other), "repeat follow-ups switched off")

    def test_followup_goes_to_customer_service_and_not_to_customers_who_said_no(self):
        service = new_test_user(self.env, "fb_service", groups="sales_team.group_sale_salesman")
        self.company.customer_followup_user_id = service
        self.confirm(self.customer)
        self.assertEqual(self.followups(self.customer).user_id, service, "the company's customer service calls")
        self.other.customer_do_not_contact = True
        order = self.confirm(self.other)
        self.assertFalse(self.followups(self.other), "the customer asked not to be contacted")
        with self.assertRaisesRegex(UserError, "asked not to be contacted"):
            order.action_schedule_customer_followup()

    def test_cancelled_order_loses_its_followup_and_cannot_get_one(self):
        order = self.confirm(self.customer)
        order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertFalse(self.followups(self.customer), "nothing to follow up on a cancelled sale")
        with self.assertRaisesRegex(UserError, "Only confirmed orders are followed up"):
            order.action_schedule_customer_followup()

    def test_done_and_schedule_next_opens_the_feedback_form(self):
        order = self.confirm(self.customer)
        followup = self.followups(self.customer)
        self.assertTrue(followup.customer_followup, "the web client's Done knows it is a follow-up call")
        todo = order.activity_schedule("mail.mail_activity_data_todo", summary="Send the invoice")
        self.assertFalse(todo.customer_followup, "other activities keep their Done")
        action = followup.action_feedback_schedule_next(feedback="Called, all fine")
        self.assertEqual(action["res_model"], "sale.customer.feedback", "the feedback form opens")
        self.assertEqual(action["context"]["default_order_id"], order.id, "about the order followed up")
        self.assertEqual(action["context"]["default_partner_id"], self.customer.id, "of its customer")
        self.assertFalse(self.followups(self.customer), "the follow-up is done")
        feedback = Form(self.Feedback.with_context(**action["context"]))
        feedback.satisfaction_product = "4"
        feedback.recommendation = "8"
        self.assertEqual(feedback.save().order_id, order, "the form is filled from the action")

    # ---- feedback feeds the loyalty ladder
    def test_share_of_wallet_answer_makes_a_regular_customer_loyal(self):
        self.regular(self.customer)
        self.assertEqual(self.stage(self.customer), "regular", "three orders")
        feedback = self.Feedback.create({"partner_id": self.customer.id, "share_of_wallet": 85.0})
        customer = self.customer.with_company(self.company)
        self.assertTrue(feedback.share_applied, "nobody set the share by hand later")
        self.assertEqual(customer.share_of_wallet, 85.0, "the answer becomes the share of wallet")
        self.assertEqual(customer.share_of_wallet_source, "feedback", "and says where it came from")
        self.env["sale.customer.base.engine"].recompute_customer_base()
        self.assertEqual(self.stage(self.customer), "loyal", "85 % is above the 80 % of a loyal customer")

    def test_share_set_by_hand_later_is_kept(self):
        customer = self.customer.with_company(self.company)
        customer.share_of_wallet = 40.0
        feedback = self.Feedback.create(
            {"partner_id": self.customer.id, "share_of_wallet": 90.0, "date": TODAY - datetime.timedelta(days=3)}
        )
        self.assertFalse(feedback.share_applied, "a person set the share after the customer answered")
        self.assertEqual(customer.share_of_wallet, 40.0, "the person's share stays")
        self.assertEqual(customer.share_of_wallet_source, "manual", "set by hand")

    def test_two_promoter_answers_make_a_loyal_customer_an_advocate(self):
        self.regular(self.customer)
        self.Feedback.create(
            {"partner_id": self.customer.id, "share_of_wallet": 90.0, "recommendation": "9", "date": D(2026, 6, 1)}
        )
        self.assertEqual(self.stage(self.customer), "loyal", "one promoter answer is not yet an advocate")
        self.Feedback.create({"partner_id": self.customer.id, "recommendation": "10"})
        self.assertEqual(self.stage(self.customer), "advocate", "two 9-10 answers in a row")
        self.assertTrue(self.customer.with_company(self.company).feedback_advocate, "the reason is shown")

    def test_complaint_makes_an_active_customer_at_risk_with_the_reason(self):
        self.regular(self.customer)
        self.Feedback.create(
            {
                "partner_id": self.customer.id,
                "complaint": True,
                "complaint_note": "Late delivery",
                "recommendation": "5",
            }
        )
        customer = self.customer.with_company(self.company)
        self.assertEqual(customer.customer_stage, "at_risk", "a complaint, before the orders stop")
        self.assertEqual(customer.temperature_alert, "complaint", "the reason shown")
        self.assertEqual(customer.temperature_complaints, 1, "one complaint in the window")
        self.assertTrue(customer.customer_temperature, "the customer has a temperature")

    def test_temperature_components_on_the_customer(self):
        self.order(self.customer, TODAY - datetime.timedelta(days=20), 100.0)
        self.order(self.customer, TODAY - datetime.timedelta(days=5), 100.0, state="cancel")
        self.Feedback.create(
            {
                "partner_id": self.customer.id,
                "satisfaction_product": "5",
                "satisfaction_service": "3",
                "recommendation": "10",
                "date": TODAY - datetime.timedelta(days=10),
            }
        )
        customer = self.customer.with_company(self.company)
        self.assertAlmostEqual(customer.temperature_satisfaction, 75.0, msg="mean 4 of 5 is 75 / 100")
        self.assertAlmostEqual(customer.temperature_recommendation, 100.0, msg="10 of 10")
        self.assertEqual(customer.temperature_cancellations, 1, "the cancelled order counts")
        self.assertEqual(customer.temperature_contact_days, 10, "the feedback is the latest contact")
        contact = 100 * (1 - 10 / 180)
        expected = (30 * 75 + 30 * 100 + 15 * 100 + 10 * 50 + 15 * contact) / 100
        self.assertAlmostEqual(customer.temperature_score, expected, places=4, msg="weighted components")
        self.assertEqual(customer.customer_temperature, "hot", f"score {expected:.1f}")

    # ---- bad input
    def assertRefused(self, pattern, vals):
        """Creating feedback with ``vals`` fails with a message matching ``pattern``, and writes nothing."""
        with self.assertRaises(ValidationError) as caught:
            self.Feedback.create(vals)
        self.assertRegex(str(caught.exception), pattern)

    def test_bad_answers_are_refused_with_a_clear_message(self):
        self.assertRefused("answered from 0 to 10, not 11", {"partner_id": self.customer.id, "recommendation": 11})
        self.assertRefused("answered from 1 to 5, not 0", {"partner_id": self.customer.id, "satisfaction_product": "0"})
        self.assertRefused("between 0 and 100", {"partner_id": self.customer.id, "share_of_wallet": 120})
        draft = self.order(self.customer, TODAY, 10.0, state="draft")
        self.assertRefused("is not confirmed", {"partner_id": self.customer.id, "order_id": draft.id})
        company_b = self.env["res.company"].create({"name": "Feedback Other Company"})
        foreign = self.env["res.partner"].create({"name": "Foreign", "is_company": True, "company_id": company_b.id})
        self.assertRefused("customer of Feedback Other Company", {"partner_id": foreign.id})
        self.assertFalse(self.Feedback.search([("partner_id", "in", (self.customer | foreign).ids)]), "nothing written")
        self.assertFalse(self.customer.with_company(self.company).share_of_wallet, "no share set either")

    def test_settings_out_of_range_are_refused_naming_the_field(self):
        with self.assertRaises(ValidationError) as caught:
            self.company.customer_followup_first_days = 0
        self.assertIn("Follow-up After a First Order (days) must be between 1 and 365", str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            self.company.customer_base_feedback_alert_days = 0
        self.assertIn("Complaint Keeps a Customer At Risk (days)", str(caught.exception), "the field is named")
        self.company.customer_base_feedback_alert_days = 5
        self.assertEqual(self.company._customer_base_settings().feedback_alert_days, 5, "the engine reads it")

    # ---- readiness on opportunities
    def lead(self, **answers):
        return self.env["crm.lead"].create(
            {"name": "Fit-out", "type": "opportunity", "partner_id": self.other.id, **answers}
        )

    def test_readiness_and_the_next_step_it_proposes(self):
        ready = self.lead(readiness_need="yes", readiness_budget="yes", readiness_urgency="yes")
        push = self.lead(readiness_need="yes", readiness_budget="no", readiness_urgency="yes")
        self.assertEqual((ready.readiness, push.readiness), ("ready", "push"), "from the three answers")
        self.assertEqual(ready.readiness_temperature, "hot", "ready is hot at first contact")
        (ready | push).action_plan_readiness_step()
        self.assertEqual(ready.activity_ids.summary, "Make the offer now", "ready: the offer now")
        self.assertEqual(push.activity_ids.summary, "Time-limited offer", "a push: a time-limited offer")
        self.assertIn("budget", push.activity_ids.note, "the note names what is missing")
        self.assertEqual(push.activity_ids.date_deadline, TODAY + datetime.timedelta(days=14), "offer valid 14 days")

    def test_not_now_needs_a_reason_and_comes_back_on_the_revisit_date(self):
        with self.assertRaises(ValidationError) as caught:
            self.lead(readiness_need="no", readiness_budget="yes", readiness_urgency="no")
        self.assertIn("choose why", str(caught.exception), "the message says what to do")
        reason = self.env.ref("sale_customer_base.sale_customer_readiness_reason_contract")
        lead = self.lead(
            readiness_need="no",
            readiness_budget="yes",
            readiness_urgency="no",
            readiness_reason_id=reason.id,
            readiness_revisit_date=D(2027, 1, 15),
        )
        lead.action_plan_readiness_step()
        self.assertEqual(lead.activity_ids.date_deadline, D(2027, 1, 15), "come back on the revisit date")
        self.assertIn(reason.name, lead.activity_ids.note, "the reason is kept in the note")
        self.assertEqual(self.other.with_company(self.company).customer_readiness, "not_now", "shown on the prospect")

    def test_next_step_needs_the_three_answers(self):
        lead = self.lead(readiness_need="yes", readiness_budget="yes")
        self.assertFalse(lead.readiness, "one answer missing: no readiness")
        with self.assertRaisesRegex(UserError, "Answer the three questions"):
            lead.action_plan_readiness_step()
        self.assertFalse(lead.activity_ids, "nothing planned")

    # ---- report
    def test_feedback_report_nps_is_promoters_minus_detractors(self):
        for score in ("10", "9", "8", "3"):
            self.Feedback.create({"partner_id": self.customer.id, "recommendation": score, "satisfaction_product": "4"})
        self.Feedback.create({"partner_id": self.customer.id, "satisfaction_product": "2"})
        self.env.flush_all()
        [(nps, satisfaction, count)] = self.env["sale.customer.feedback.report"]._read_group(
            [("partner_id", "=", self.customer.id)], [], ["nps:avg", "satisfaction:avg", "feedback_count:sum"]
        )
        self.assertAlmostEqual(nps, 25.0, msg="50 % promoters - 25 % detractors; the unanswered one left out")
        self.assertAlmostEqual(satisfaction, 3.6, msg="mean of 4, 4, 4, 4, 2")
        self.assertEqual(count, 5, "five answers")

    def test_workbook_feedback_sheet(self):
        self.order(self.customer, D(2026, 6, 1), 100.0)
        self.Feedback.create(
            {
                "partner_id": self.customer.id,
                "recommendation": "0",
                "buy_more": "A yearly contract",
                "complaint": True,
                "complaint_note": "Late",
            }
        )
        self.env["sale.customer.base.engine"].recompute_customer_base()
        wizard = self.env["sale.customer.base.export"].create({"date_from": D(2026, 1, 1)})
        wizard.action_export()
        workbook = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file)))
        sheet = workbook["Feedback"]
        headers = [cell.value for cell in sheet[1]]
        [answer] = [
            dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2, max_row=2, values_only=True)
        ]
        self.assertEqual(answer["Customer"], self.customer.name, "the answer of the customer exported")
        self.assertEqual(answer["Recommendation (0-10)"], 0, "a 0 answer is an answer, not an empty cell")
        self.assertEqual(answer["What would make them buy more"], "A yearly contract", "in the customer's words")
        self.assertEqual(answer["Complaint"], "Yes", "the complaint")


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestCustomerFeedbackAccess(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Feedback Company B"})
        cls.env.user.company_ids |= cls.company_b
        cls.alice = new_test_user(
            cls.env,
            "fb_alice",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.boss = new_test_user(
            cls.env,
            "fb_boss",
            groups="sales_team.group_sale_manager",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.customer.user_id = cls.alice
        Feedback = cls.env["sale.customer.feedback"]
        cls.own = Feedback.with_company(cls.company).create({"partner_id": cls.customer.id, "recommendation": "9"})
        cls.others = Feedback.with_company(cls.company).create({"partner_id": cls.other.id, "recommendation": "2"})
        cls.foreign = Feedback.with_company(cls.company_b).create({"partner_id": cls.other.id, "recommendation": "5"})

    def visible(self, user, model="sale.customer.feedback"):
        return self.env[model].with_user(user).with_context(allowed_company_ids=user.company_ids.ids).search([])

    def test_salesperson_sees_the_feedback_of_her_customers(self):
        self.assertEqual(self.visible(self.alice), self.own, "her customer's, not a colleague's")
        report = self.visible(self.alice, "sale.customer.feedback.report")
        self.assertEqual(report.feedback_id, self.own, "the analysis shows her customers' too")

    def test_salesperson_records_feedback_on_her_customer(self):
        feedback = (
            self.env["sale.customer.feedback"]
            .with_user(self.alice)
            .with_company(self.company)
            .create({"partner_id": self.customer.id, "share_of_wallet": 70.0, "satisfaction_service": "5"})
        )
        self.assertEqual(feedback.user_id, self.alice, "asked by her")
        self.assertEqual(self.customer.with_company(self.company).share_of_wallet, 70.0, "the share is set for her")

    def test_salesperson_sees_temperature_but_not_order_figures_of_a_colleagues_customer(self):
        colleagues = self.env["res.partner"].create({"name": "Colleague's Customer", "is_company": True})
        colleagues.user_id = self.boss
        self.order(colleagues, TODAY - datetime.timedelta(days=30), 100.0)
        self.env["sale.customer.feedback"].with_company(self.company).create(
            {"partner_id": colleagues.id, "recommendation": "10", "date": TODAY - datetime.timedelta(days=40)}
        )
        theirs = colleagues.with_user(self.alice).with_company(self.company)
        self.assertEqual(theirs.customer_temperature, "hot", "the temperature says how to treat the customer")
        self.assertFalse(theirs.temperature_contact_days, "days since the last order are a colleague's figure")
        boss = colleagues.with_user(self.boss).with_company(self.company)
        self.assertEqual(boss.temperature_contact_days, 30, "her own customer's figure")

    def test_manager_sees_all_of_her_companies_only(self):
        self.assertEqual(self.visible(self.boss), self.own | self.others, "all of company A, none of B")
