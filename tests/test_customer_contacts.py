import base64
import datetime
import io

import openpyxl

from odoo import fields
from odoo.api import call_kw
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import CustomerBaseCommon


@tagged("post_install", "-at_install")
class TestCustomerContacts(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.Engine = cls.env["sale.customer.contact.engine"].sudo().with_company(cls.company)
        cls.Rule = cls.env["sale.customer.service.rule"].with_company(cls.company)
        cls.call_type = cls.env.ref("mail.mail_activity_data_call")

        def user(login, group="sales_team.group_sale_salesman"):
            return new_test_user(cls.env, login, groups=group, company_id=cls.company.id, company_ids=[cls.company.id])

        cls.ann = user("kit_ann")
        cls.boss = user("kit_boss", "sales_team.group_sale_manager")
        # the shipped policy is replaced by one rule: everybody, a call every 30 days
        cls.Rule.search([("company_id", "=", cls.company.id)]).active = False
        cls.rule = cls.Rule.create(
            {"name": "Everybody", "company_id": cls.company.id, "cadence_days": 30, "channel": "call"}
        )
        cls.customer.user_id = cls.ann
        cls.order(cls.customer, cls.today - datetime.timedelta(days=100), 1000.0)
        cls.env["sale.customer.base.engine"].sudo().with_company(cls.company)._recompute_company(cls.company)

    def log(self, partner, days_ago, **values):
        """A message in the chatter of ``partner``, dated ``days_ago`` days back."""
        message = partner.message_post(body="Talked", **values)
        message.sudo().date = fields.Datetime.now() - datetime.timedelta(days=days_ago)
        return message

    def open_activities(self, partner):
        return self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "=", partner.id)])

    def customer_in_company(self):
        return self.customer.with_company(self.company).sudo()

    def test_shipped_policy_for_a_new_company(self):
        rules = self.Rule.with_context(active_test=False).search([("company_id", "=", self.company.id)])
        self.assertEqual(len(rules), 7, "six shipped rules (archived here) and the test's own")
        key = rules.filtered(lambda rule: rule.key_account == "yes")
        self.assertEqual(
            (key.cadence_days, key.channel, key.second_channel, key.second_cadence_days),
            (14, "call", "visit", 90),
            "key accounts: a call every 14 days and a visit every 90",
        )

    def test_called_40_days_ago_gets_exactly_one_call_and_a_second_run_none(self):
        self.log(self.customer, 40, message_type="comment", subtype_xmlid="mail.mt_note",
                 mail_activity_type_id=self.call_type.id)  # fmt: skip
        self.assertEqual(self.Engine._plan_company(self.company), 1, "one contact planned")
        customer = self.customer_in_company()
        self.assertEqual(customer.last_contact_date, self.today - datetime.timedelta(days=40), "the call")
        self.assertEqual(customer.last_contact_channel, "call", "by phone")
        self.assertEqual(customer.contact_days_overdue, 10, "due 30 days after the call: 10 days late")
        activity = self.open_activities(self.customer)
        self.assertEqual(len(activity), 1, "one activity")
        self.assertEqual(activity.activity_type_id, self.call_type, "a call")
        self.assertEqual(activity.user_id, self.ann, "for the salesperson")
        self.assertTrue(activity.customer_planned, "planned")
        self.assertEqual(activity.date_deadline, self.today, "today")
        self.assertEqual(self.Engine._plan_company(self.company), 0, "the second run plans nothing")
        self.assertEqual(len(self.open_activities(self.customer)), 1, "still one activity")

    def test_marking_done_moves_next_due_by_the_cadence(self):
        self.log(self.customer, 40, message_type="comment", subtype_xmlid="mail.mt_note",
                 mail_activity_type_id=self.call_type.id)  # fmt: skip
        self.Engine._plan_company(self.company)
        activity = self.open_activities(self.customer)
        messages, _next = activity.with_user(self.ann)._action_done(feedback="Ordered next month")
        customer = self.customer_in_company()
        self.assertEqual(customer.last_contact_date, self.today, "called today")
        self.assertEqual(customer.next_contact_date, self.today + datetime.timedelta(days=30), "next in 30 days")
        self.assertEqual(customer.contact_days_overdue, 0, "on time")
        self.assertTrue(messages.customer_planned, "the trace of the done activity stays planned")

    def test_email_or_note_in_the_chatter_of_a_contact_counts(self):
        self.log(self.contact, 3, message_type="comment", subtype_xmlid="mail.mt_comment")
        self.Engine._compute_company(self.company)
        customer = self.customer_in_company()
        self.assertEqual(customer.last_contact_date, self.today - datetime.timedelta(days=3), "the email")
        self.assertEqual(customer.last_contact_channel, "email", "sent from the chatter")
        self.assertEqual(self.Engine._plan_company(self.company), 0, "contacted 3 days ago: not due")

    def test_automatic_notifications_do_not_count(self):
        self.log(self.customer, 1, message_type="notification", subtype_xmlid="mail.mt_note")
        self.Engine._compute_company(self.company)
        self.assertEqual(
            self.customer_in_company().last_contact_date,
            self.today - datetime.timedelta(days=100),
            "the order stays the last contact",
        )

    def test_cap_spreads_50_due_customers_over_days(self):
        self.company.customer_base_contact_daily_cap = 20
        # Acme, 70 days late, would take one of Ann's places: without salesperson nor fallback it waits
        self.customer.user_id = False
        partners = self.env["res.partner"].create(
            [{"name": f"Due {index}", "is_company": True, "user_id": self.ann.id} for index in range(50)]
        )
        # a stage makes them customers of the company; never contacted, they are due today
        self.env["sale.customer.metrics"].sudo().create(
            [
                {"company_id": self.company.id, "partner_id": partner.id, "customer_stage": "regular"}
                for partner in partners
            ]
        )
        self.env["res.partner"].invalidate_model()
        self.Engine._plan_company(self.company)
        activities = self.env["mail.activity"].search(
            [("res_id", "in", partners.ids), ("res_model", "=", "res.partner")]
        )
        per_day = {}
        for activity in activities:
            per_day[activity.date_deadline] = per_day.get(activity.date_deadline, 0) + 1
        day = datetime.timedelta(days=1)
        self.assertEqual(
            per_day, {self.today: 20, self.today + day: 20, self.today + 2 * day: 10}, "20 a day, then the last 10"
        )

    def test_second_touch_and_key_account_manager(self):
        self.env.cr.execute(
            SQL(
                "UPDATE sale_customer_metrics SET is_key_account = TRUE WHERE company_id = %s AND partner_id = %s",
                self.company.id,
                self.customer.id,
            )
        )
        self.env["sale.customer.metrics"].invalidate_model()
        self.customer_in_company().key_account_manager_id = self.boss
        self.Rule.create({"name": "Key", "company_id": self.company.id, "sequence": 1, "key_account": "yes",
                          "cadence_days": 14, "channel": "call", "second_channel": "visit",
                          "second_cadence_days": 90})  # fmt: skip
        # a call 8 days ago (one a week at most: a call this week would hold the visit back)
        self.log(self.customer, 8, message_type="comment", subtype_xmlid="mail.mt_note",
                 mail_activity_type_id=self.call_type.id)  # fmt: skip
        self.Engine._plan_company(self.company)
        activity = self.open_activities(self.customer)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_meeting"), "never visited")
        self.assertEqual(activity.user_id, self.boss, "for the key account manager")

    def test_cost_to_serve_and_costs_more_than_it_earns(self):
        self.company.write({"customer_base_contact_call_cost": 1.0, "customer_base_contact_unit_value": 100.0})
        self.Engine._compute_company(self.company)
        customer = self.customer_in_company()
        self.assertAlmostEqual(customer.contact_yearly_cost, round(365 / 30 * 100, 2), 2, "12.2 calls at 100")
        # margin of the order: 1000 - cost 75 = 925, below 1216.67
        self.assertTrue(customer.contact_costs_more, "costs more than the year's margin")
        Partner = self.env["res.partner"].with_company(self.company)
        self.assertIn(self.customer, Partner.search([("contact_costs_more", "=", True)]), "found by the filter")
        groups = self.env["sale.customer.metrics"]._read_group(
            [("contact_rule_id", "!=", False), ("company_id", "=", self.company.id)], ["contact_rule_id"], ["__count"]
        )
        self.assertIn((self.rule, 1), groups, "grouped by rule")

    def test_lost_customers_are_left_to_win_back(self):
        lost = self.env["res.partner"].create({"name": "Gone", "is_company": True})
        self.order(lost, self.today - datetime.timedelta(days=500), 100.0)
        self.env["sale.customer.base.engine"].sudo().with_company(self.company)._recompute_company(self.company)
        self.assertFalse(lost.with_company(self.company).sudo().contact_rule_id, "no rule for a lost customer")

    def test_validation(self):
        with self.assertRaises(ValidationError):
            self.rule.cadence_days = 0
        with self.assertRaises(ValidationError):
            self.rule.write({"second_channel": "visit", "second_cadence_days": 0})
        with self.assertRaises(ValidationError):
            self.company.customer_base_contact_visit_cost = -1
        with self.assertRaises(ValidationError):
            self.company.customer_base_contact_daily_cap = 0
        nobody = self.Rule.create(
            {"name": "Nobody", "company_id": self.company.id, "abc_class": "a", "cadence_days": 5, "sequence": 99}
        )
        self.Engine._compute_company(self.company)
        self.assertEqual(nobody.customer_count, 0, "a rule that matches nothing is allowed, and shows it")

    def test_engine_fields_cannot_be_written(self):
        self.customer_in_company().write({"contact_days_overdue": 99, "last_contact_date": "2000-01-01"})
        customer = self.customer_in_company()
        self.assertEqual(customer.contact_days_overdue, 70, "written only by the engine: still 70 days late")
        self.assertEqual(customer.last_contact_date, self.today - datetime.timedelta(days=100), "still the order")

    def test_planned_and_free_activities(self):
        free = self.customer.activity_schedule("mail.mail_activity_data_call", user_id=self.ann.id)
        self.log(self.customer, 40, message_type="comment", subtype_xmlid="mail.mt_note",
                 mail_activity_type_id=self.call_type.id)  # fmt: skip
        free_messages, _next = free._action_done()
        self.assertFalse(free_messages.customer_planned, "an activity a person scheduled is free")
        # the free call was done today: nothing is due, make it due with a shorter memory
        self.rule.cadence_days = 1
        self.env["mail.message"].sudo().search([("id", "in", free_messages.ids)]).date = (
            fields.Datetime.now() - datetime.timedelta(days=8)  # last week: one call a week at most
        )
        self.Engine._plan_company(self.company)
        planned = self.open_activities(self.customer)
        self.assertTrue(planned.customer_planned, "the policy's activity is planned")
        done, _next = planned._action_done()
        self.assertTrue(done.customer_planned, "and so is its trace")

    def test_salesperson_reads_the_policy_manager_edits_and_plans(self):
        self.assertTrue(self.Rule.with_user(self.ann).search([("id", "=", self.rule.id)]), "a salesperson reads")
        with self.assertRaises(AccessError):
            self.rule.with_user(self.ann).cadence_days = 10
        with self.assertRaises(AccessError):
            self.env["sale.customer.contact.engine"].with_user(self.ann).with_company(
                self.company
            ).action_plan_contacts()
        self.rule.with_user(self.boss).cadence_days = 10
        result = (
            self.env["sale.customer.contact.engine"]
            .with_user(self.boss)
            .with_company(self.company)
            .action_plan_contacts()
        )
        self.assertEqual(result["tag"], "display_notification", "the manager plans")
        # as the list's header button calls it: with the selected rules' ids
        Rule = self.Rule.with_user(self.boss).with_company(self.company)
        for ids in ([self.rule.id], []):
            result = call_kw(Rule, "action_plan_contacts", [ids], {})
            self.assertEqual(
                result["params"]["message"], "No contact is due today.", "Plan Today's Contacts answers, planned"
            )

    def test_other_company_rules_are_out_of_reach(self):
        other_company = self.env["res.company"].create({"name": "Contacts Other Company"})
        foreign = self.Rule.sudo().search([("company_id", "=", other_company.id)], limit=1)
        self.assertTrue(foreign, "the other company has its shipped policy")
        visible = self.Rule.with_user(self.boss).search([("id", "=", foreign.id)])
        self.assertFalse(visible, "a manager of this company does not see the other company's policy")

    def test_reports_coverage_activity_and_offers(self):
        self.log(self.customer, 40, message_type="comment", subtype_xmlid="mail.mt_note",
                 mail_activity_type_id=self.call_type.id)  # fmt: skip
        never = self.env["res.partner"].create({"name": "Never", "is_company": True, "user_id": self.ann.id})
        self.order(never, self.today, 10.0, state="sent")
        # the nightly recompute makes the quotation's customer a prospect, then plans
        self.env["sale.customer.base.engine"].sudo().with_company(self.company)._recompute_company(self.company)
        self.Engine._plan_company(self.company)
        Coverage = self.env["sale.customer.contact.coverage"].with_company(self.company)
        rows = {row.partner_id: row for row in Coverage.search([("company_id", "=", self.company.id)])}
        self.assertEqual(rows[self.customer].contact_status, "overdue", "called 40 days ago, every 30 days")
        self.assertEqual(rows[self.customer].days_overdue, 10, "10 days late")
        self.assertEqual(rows[never].contact_status, "on_time", "the quotation sent today is a contact")
        groups = Coverage._read_group(
            [("company_id", "=", self.company.id)], ["rule_id"], ["customer_count:sum", "on_time_percent:avg"]
        )
        self.assertEqual(groups, [(self.rule, 2, 50.0)], "2 customers, half on time")
        # the planned call done by Ann, and a free one
        self.open_activities(self.customer).with_user(self.ann)._action_done()
        self.customer.activity_schedule("mail.mail_activity_data_call", user_id=self.ann.id).with_user(
            self.ann
        )._action_done()
        Activity = self.env["sale.customer.activity.report"].with_user(self.ann).with_company(self.company)
        [(calls, planned, target)] = Activity._read_group(
            [("kind", "=", "activity")], [], ["call_count:sum", "planned_percent:avg", "planned_target:avg"]
        )
        self.assertEqual((calls, planned, target), (2, 50.0, 60.0), "2 calls, one planned: 50 % against 60 %")
        offers = (
            self.env["sale.customer.offer.report"]
            .with_company(self.company)
            .search([("company_id", "=", self.company.id)])
        )
        self.assertEqual(offers.partner_id, never, "the quotation sent is in negotiation")
        self.assertEqual(offers.amount, 10.0, "its untaxed amount")
        self.assertFalse(
            self.env["sale.customer.contact.coverage"].with_user(self.ann).search([("partner_id", "=", self.other.id)]),
            "a salesperson sees only her customers",
        )

    def test_workbook_contact_coverage_sheet(self):
        self.log(self.customer, 40, message_type="comment", subtype_xmlid="mail.mt_note",
                 mail_activity_type_id=self.call_type.id)  # fmt: skip
        self.Engine._compute_company(self.company)
        wizard = self.env["sale.customer.base.export"].with_user(self.boss).with_company(self.company).create({})
        wizard.action_export()
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file)))
        sheet = book["Contact coverage"]
        header = [cell.value for cell in sheet[1]]
        first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
        self.assertEqual(
            (first["Service rule"], first["Customers"], first["Overdue"]), ("Everybody", 1, 1), "Acme, 10 days late"
        )

    def test_confirmed_order_is_a_contact_at_once(self):
        self.assertEqual(self.customer_in_company().contact_days_overdue, 70, "the order of 100 days ago, 70 late")
        order = self.order(self.customer, self.today, 50.0, state="draft")
        order.action_confirm()
        customer = self.customer_in_company()
        self.assertEqual(customer.last_contact_date, self.today, "the order confirmed today")
        self.assertEqual(customer.last_contact_channel, "order", "by an order")
        self.assertEqual(customer.contact_days_overdue, 0, "no longer late")
