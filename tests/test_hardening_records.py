"""Every write path keeps the rules of the records it writes (issue 21, items 2, 4, 5 and 6).

A feedback obeys the "her customers" rule of *Update Loyalty*; calculated values are not
written by hand; the people named on plans, feedback, rules and health lines are salespeople
of the record's company; numbers and dates stay in their range, whatever the client.
"""

import datetime
import re
from contextlib import contextmanager

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import CustomerBaseCommon

# as with sale_crm installed: salespeople may write contacts
SALESPERSON = "sales_team.group_sale_salesman,base.group_partner_manager"


class HardeningRecordsCommon(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Records Company B"})
        cls.env.user.company_ids |= cls.company_b

        def user(login, name, groups, company=None):
            company = company or cls.company
            return new_test_user(
                cls.env, login, name=name, groups=groups, company_id=company.id, company_ids=[company.id]
            )

        cls.anna = user("rec_anna", "Anna Seller", SALESPERSON)
        cls.boris = user("rec_boris", "Boris Seller", SALESPERSON)
        cls.manager = user("rec_manager", "Mia Manager", "sales_team.group_sale_manager")
        cls.portal = user("rec_portal", "Paula Portal", "base.group_portal")
        cls.clerk = user("rec_clerk", "Carl Clerk", "base.group_user")  # internal, no Sales rights
        cls.stranger = user("rec_stranger", "Stan Elsewhere", SALESPERSON, cls.company_b)
        cls.customer.user_id = cls.anna
        cls.other.user_id = cls.boris
        cls.second = cls.env["res.partner"].create(
            {"name": "Anna Second Customer", "is_company": True, "user_id": cls.anna.id}
        )
        cls.foreign = cls.env["res.partner"].create(
            {"name": "Foreign Customer", "is_company": True, "company_id": cls.company_b.id}
        )

    def as_user(self, user, model):
        return self.env[model].with_user(user).with_company(self.company)

    @contextmanager
    def assertRefused(self, exception, pattern):
        """As in a request, a refusal rolls back what the call wrote before it was refused
        (Odoo's ``assertRaises`` opens a savepoint, ``assertRaisesRegex`` does not)."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertRegex(str(caught.exception), pattern)


@tagged("post_install", "-at_install")
class TestFeedbackKeepsTheLoyaltyRule(HardeningRecordsCommon):
    """Item 2: a feedback changes what *Update Loyalty* changes, under the same rule."""

    def feedback(self, user):
        return self.as_user(user, "sale.customer.feedback")

    def share(self, partner):
        return partner.with_company(self.company).share_of_wallet

    def test_feedback_on_a_colleagues_customer_is_refused(self):
        with self.assertRefused(AccessError, "Other Customer is not one of your customers"):
            self.feedback(self.anna).create(
                {"partner_id": self.other.id, "share_of_wallet": 90.0, "recommendation": "10", "complaint": True}
            )
        self.env.invalidate_all()
        self.assertFalse(self.share(self.other), "the colleague's customer keeps its share of wallet")
        self.assertFalse(
            self.env["sale.customer.feedback"].search([("partner_id", "=", self.other.id)]), "no answer recorded"
        )
        self.feedback(self.anna).create({"partner_id": self.customer.id, "share_of_wallet": 70.0})
        self.feedback(self.manager).create({"partner_id": self.other.id, "share_of_wallet": 40.0})
        self.env.invalidate_all()
        self.assertEqual(self.share(self.customer), 70.0, "her own customer's share, from her answer")
        self.assertEqual(self.share(self.other), 40.0, "a sales manager records any customer's feedback")

    def test_an_import_of_feedback_on_a_colleagues_customer_is_refused(self):
        result = self.feedback(self.anna).load(
            ["partner_id/.id", "share_of_wallet", "recommendation"], [[str(self.other.id), "90", "10"]]
        )
        self.assertFalse(result["ids"], "nothing imported")
        self.assertIn("not one of your customers", str(result["messages"]), "with the reason")
        self.env.invalidate_all()
        self.assertFalse(self.share(self.other), "the share of wallet is unchanged")

    def test_her_feedback_cannot_be_moved_onto_a_colleagues_customer(self):
        mine = self.feedback(self.anna).create({"partner_id": self.customer.id, "recommendation": "8"})
        with self.assertRefused(AccessError, "Other Customer is not one of your customers"):
            mine.write({"partner_id": self.other.id, "share_of_wallet": 80.0})
        self.env.invalidate_all()
        self.assertEqual(mine.partner_id, self.customer, "the answer stays with her customer")
        self.assertFalse(self.share(self.other), "the colleague's customer is untouched")

    def test_feedback_cannot_name_a_customer_she_may_not_read(self):
        self.assertFalse(self.foreign.with_user(self.anna).has_access("read"), "a customer of company B")
        with self.assertRefused(AccessError, "Referred a Customer"):
            self.feedback(self.anna).create({"partner_id": self.customer.id, "referred_partner_id": self.foreign.id})
        self.env.invalidate_all()
        self.assertFalse(self.foreign.referred_by_id, "the unreadable customer gets no Referred By")

    def test_feedback_cannot_set_referred_by_on_a_colleagues_customer(self):
        with self.assertRefused(AccessError, "Other Customer is not one of your customers"):
            self.feedback(self.anna).create({"partner_id": self.customer.id, "referred_partner_id": self.other.id})
        mine = self.feedback(self.anna).create({"partner_id": self.customer.id, "recommendation": "9"})
        with self.assertRefused(AccessError, "Other Customer is not one of your customers"):
            mine.write({"referred_partner_id": self.other.id})
        mine.write({"referred_partner_id": self.second.id})
        self.env.invalidate_all()
        self.assertFalse(self.other.referred_by_id, "the colleague's customer gets no Referred By")
        self.assertEqual(self.second.referred_by_id, self.customer, "her other customer was referred by the first")


@tagged("post_install", "-at_install")
class TestCalculatedValuesAreNotWrittenByHand(HardeningRecordsCommon):
    """Item 4: stored calculated values are refused with a message; an unchanged one is ignored."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = cls.env["sale.customer.key.account"].create(
            {"partner_id": cls.customer.id, "company_id": cls.company.id, "manager_id": cls.anna.id,
             "kept_by_hand": True}
        )  # fmt: skip

    def test_plan_figures_are_refused(self):
        Plan = self.as_user(self.manager, "sale.customer.key.account")
        plan = Plan.browse(self.plan.id)
        for vals, label in (
            ({"target_progress": 99.0}, "Target Reached (%)"),
            ({"health_score": 5}, "Health Score"),
            ({"health_trend": "up"}, "Health Trend"),
            ({"coverage": "covered"}, "Coverage"),
            ({"contact_count": 7}, "Mapped Contacts"),
            ({"decision_maker_count": 3}, "Decision Makers"),
            ({"review_reminded_date": "2026-01-01"}, "Review Reminded Date"),
        ):
            with self.subTest(vals=vals), self.assertRefused(UserError, re.escape(label)):
                plan.write(vals)
        with self.assertRefused(UserError, "Health Score"):
            Plan.create({"partner_id": self.other.id, "health_score": 5})
        self.env.invalidate_all()
        self.assertEqual(
            (self.plan.target_progress, self.plan.health_score, self.plan.coverage),
            (0.0, 0, "single_threaded"),
            "the plan keeps its calculated values",
        )
        self.plan.write({"current_revenue": 400.0})  # the engine's figure (as superuser)
        plan.write({"target_revenue": 800.0, "target_progress": 0.0})  # a client sending a value back
        self.env.invalidate_all()
        self.assertEqual(self.plan.target_progress, 50.0, "an unchanged value is no claim: 400 of 800 reached")

    def test_feedback_scores_and_salesperson_are_refused(self):
        Feedback = self.as_user(self.anna, "sale.customer.feedback")
        feedback = Feedback.create({"partner_id": self.customer.id, "satisfaction_product": "1"})
        for vals, label in (
            ({"satisfaction": 5.0}, "Satisfaction (1-5)"),
            ({"recommender": "promoter"}, "Recommender"),
            ({"salesperson_id": self.boris.id}, "Salesperson"),
            ({"share_applied": True}, "Sets the Share of Wallet"),
        ):
            with self.subTest(vals=vals), self.assertRefused(UserError, re.escape(label)):
                feedback.write(vals)
        with self.assertRefused(UserError, re.escape("Satisfaction (1-5)")):
            Feedback.create({"partner_id": self.customer.id, "satisfaction_product": "1", "satisfaction": 5.0})
        sent_back = Feedback.create({"partner_id": self.customer.id, "satisfaction_product": "4", "satisfaction": 0})
        self.env.invalidate_all()
        self.assertEqual(
            (feedback.satisfaction, feedback.salesperson_id, sent_back.satisfaction),
            (1.0, self.anna, 4.0),
            "scores and salesperson are worked out from the answers and the customer",
        )

    def test_opportunity_readiness_and_outcome_are_refused(self):
        lead = self.as_user(self.anna, "crm.lead").create(
            {
                "name": "Readiness",
                "type": "opportunity",
                "partner_id": self.customer.id,
                "user_id": self.anna.id,
                "readiness_need": "yes",
                "readiness_budget": "no",
                "readiness_urgency": "yes",
            }
        )
        for vals, label in (
            ({"readiness": "ready"}, "Readiness"),
            ({"readiness_temperature": "hot"}, "Temperature at First Contact"),
            ({"readiness_outcome": "won"}, "Outcome"),
        ):
            with self.subTest(vals=vals), self.assertRefused(UserError, label):
                lead.write(vals)
        self.env.invalidate_all()
        self.assertEqual(
            (lead.readiness, lead.readiness_temperature, lead.readiness_outcome),
            ("push", "warm", "open"),
            "a need without budget: needs a push, still open",
        )

    def test_the_planned_flag_is_set_by_the_planning_only(self):
        Activity = self.as_user(self.anna, "mail.activity")
        vals = {
            "res_model_id": self.env["ir.model"]._get_id("res.partner"),
            "res_id": self.customer.id,
            "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
            "user_id": self.anna.id,
            "summary": "Call",
        }
        with self.assertRefused(UserError, "Planned"):
            Activity.create(dict(vals, customer_planned=True))
        free = Activity.create(vals)
        with self.assertRefused(UserError, "Planned"):
            free.write({"customer_planned": True})
        self.env.invalidate_all()
        self.assertFalse(free.customer_planned, "her own activity stays unplanned")
        # the planning and the worklists create them as superuser
        planned = self.env["mail.activity"].sudo().create(dict(vals, customer_planned=True))
        self.assertTrue(planned.customer_planned, "the planning still sets it")


@tagged("post_install", "-at_install")
class TestPeopleAreCheckedOnTheServer(HardeningRecordsCommon):
    """Item 5: users named on the new records are active salespeople of the record's company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Plan = cls.env["sale.customer.key.account"]
        cls.plan_a = Plan.create(
            {"partner_id": cls.customer.id, "company_id": cls.company.id, "manager_id": cls.anna.id,
             "kept_by_hand": True}
        )  # fmt: skip
        cls.plan_b = Plan.create(
            {"partner_id": cls.other.id, "company_id": cls.company.id, "manager_id": cls.boris.id,
             "kept_by_hand": True}
        )  # fmt: skip
        cls.other_buyer = cls.env["res.partner"].create({"name": "Other Buyer", "parent_id": cls.other.id})
        cls.other_owner = cls.env["res.partner"].create({"name": "Other Owner", "parent_id": cls.other.id})
        Contact = cls.env["sale.customer.key.account.contact"]
        cls.line_a = Contact.create({"plan_id": cls.plan_a.id, "partner_id": cls.contact.id})
        cls.line_b = Contact.create({"plan_id": cls.plan_b.id, "partner_id": cls.other_buyer.id})

    def test_plan_sponsor_and_manager_are_salespeople_of_the_company(self):
        plan = self.as_user(self.manager, "sale.customer.key.account").browse(self.plan_a.id)
        for vals, pattern in (
            ({"sponsor_id": self.portal.id}, "Executive Sponsor.*Paula Portal"),
            ({"sponsor_id": self.stranger.id}, "Executive Sponsor.*Stan Elsewhere"),
            ({"manager_id": self.clerk.id}, "Key Account Manager.*Carl Clerk"),
            ({"manager_id": self.stranger.id}, "Key Account Manager.*Stan Elsewhere"),
        ):
            with self.subTest(vals=vals), self.assertRefused(ValidationError, pattern):
                plan.write(vals)
        form = Form(plan)
        form.sponsor_id = self.portal
        with self.assertRefused(ValidationError, "Paula Portal"):
            form.save()
        self.env.invalidate_all()
        self.assertEqual((self.plan_a.manager_id, self.plan_a.sponsor_id), (self.anna, self.env["res.users"]))
        plan.write({"sponsor_id": self.boris.id})
        self.assertEqual(self.plan_a.sponsor_id, self.boris, "a salesperson of the company may sponsor it")

    def test_the_plan_manager_cannot_hand_the_key_account_to_herself_or_a_colleague(self):
        plan = self.as_user(self.anna, "sale.customer.key.account").browse(self.plan_a.id)
        with self.assertRefused(AccessError, "Only sales managers can change Key Account Manager"):
            plan.write({"manager_id": self.boris.id})
        self.env.invalidate_all()
        self.assertEqual(
            self.customer.with_company(self.company).key_account_manager_id, self.anna, "the customer keeps hers"
        )
        self.as_user(self.manager, "sale.customer.key.account").browse(self.plan_a.id).write(
            {"manager_id": self.boris.id}
        )
        self.assertEqual(
            self.customer.with_company(self.company).key_account_manager_id, self.boris, "a manager hands it over"
        )

    def test_who_met_a_leaving_customer_and_a_campaign_responsible_are_salespeople(self):
        attempt = self.env["sale.customer.reactivation"].create(
            {"partner_id": self.customer.id, "company_id": self.company.id, "user_id": self.anna.id}
        )
        with self.assertRefused(ValidationError, "Paula Portal"):
            attempt.write({"meeting_user_ids": [Command.set(self.portal.ids)]})
        with self.assertRefused(ValidationError, "Stan Elsewhere"):
            self.env["sale.customer.campaign"].create(
                {
                    "name": "Spring",
                    "company_id": self.company.id,
                    "user_id": self.stranger.id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "date_deadline": datetime.date.today(),
                    "date_end": datetime.date.today() + datetime.timedelta(days=30),
                }
            )

    def test_a_message_is_not_made_planned_by_its_author(self):
        message = self.customer.with_user(self.anna).message_post(body="Called them", message_type="comment")
        with self.assertRefused(UserError, "Planned"):
            message.with_user(self.anna).write({"customer_planned": True})

    def test_feedback_asked_by_a_salesperson_of_the_company(self):
        Feedback = self.as_user(self.anna, "sale.customer.feedback")
        for user in (self.portal, self.stranger, self.clerk):
            with self.subTest(user=user.name), self.assertRefused(ValidationError, f"Asked By.*{user.name}"):
                Feedback.create({"partner_id": self.customer.id, "user_id": user.id})
        mine = Feedback.create({"partner_id": self.customer.id})
        with self.assertRefused(ValidationError, "Asked By.*Paula Portal"):
            mine.write({"user_id": self.portal.id})
        self.env.invalidate_all()
        self.assertEqual(mine.user_id, self.anna, "asked by her")

    def test_service_rule_salesperson_and_health_author_are_checked(self):
        Rule = self.as_user(self.manager, "sale.customer.service.rule")
        with self.assertRefused(ValidationError, "Salesperson.*Paula Portal"):
            Rule.create({"name": "Portal's customers", "cadence_days": 30, "user_id": self.portal.id})
        Health = self.as_user(self.manager, "sale.customer.key.account.health")
        with self.assertRefused(ValidationError, "Set By.*Stan Elsewhere"):
            Health.create(
                {"plan_id": self.plan_a.id, "month": "2026-01-01", "health": "3", "user_id": self.stranger.id}
            )

    def test_a_personal_note_cannot_be_moved_onto_a_plan_she_does_not_manage(self):
        note = self.as_user(self.anna, "sale.customer.key.account.note").create(
            {"contact_id": self.line_a.id, "note": "Loves sailing"}
        )
        with self.assertRefused(AccessError, "Contact"):
            note.write({"contact_id": self.line_b.id})
        line = self.as_user(self.anna, "sale.customer.key.account.contact").browse(self.line_a.id)
        with self.assertRefused(AccessError, "Plan: you may only move people"):
            line.write({"plan_id": self.plan_b.id, "partner_id": self.other_owner.id})
        self.env.invalidate_all()
        self.assertEqual(note.sudo().contact_id, self.line_a, "the note stays on her plan's contact")
        self.assertEqual(self.line_a.plan_id, self.plan_a, "the contact stays on her plan")
        self.assertFalse(
            self.env["sale.customer.key.account.note"].search([("plan_id", "=", self.plan_b.id)]),
            "no note reached the colleague's plan",
        )
        # a sales manager may move a note between plans
        note.with_user(self.manager).write({"contact_id": self.line_b.id})
        self.assertEqual(note.sudo().plan_id, self.plan_b, "moved by a sales manager")


@tagged("post_install", "-at_install")
class TestNumbersAndDatesHaveARange(HardeningRecordsCommon):
    """Item 6: out of range, NaN and infinity are refused with the field's name."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = cls.env["sale.customer.key.account"].create(
            {"partner_id": cls.customer.id, "company_id": cls.company.id, "manager_id": cls.anna.id,
             "kept_by_hand": True}
        )  # fmt: skip
        cls.rule = cls.env["sale.customer.service.rule"].create(
            {"name": "Range", "company_id": cls.company.id, "cadence_days": 30, "channel": "call"}
        )

    def test_service_rule_cadences_stay_within_ten_years(self):
        Rule = self.as_user(self.manager, "sale.customer.service.rule")
        for days in (0, -5, 3651, 10**9, float("nan"), float("inf")):
            with self.subTest(days=days), self.assertRefused(ValidationError, re.escape("Contact Every (days)")):
                Rule.create({"name": "Absurd", "cadence_days": days})
        rule = Rule.browse(self.rule.id)
        second = re.escape("Second Touch Every (days)")
        for days in (-1, 3651, float("inf")):
            with self.subTest(second=days), self.assertRefused(ValidationError, second):
                rule.write({"second_channel": "visit", "second_cadence_days": days})
        form = Form(Rule)
        form.name = "From the form"
        form.cadence_days = 100000
        with self.assertRefused(ValidationError, re.escape("Contact Every (days)")):
            form.save()
        rule.write({"cadence_days": 3650, "second_channel": "visit", "second_cadence_days": 1})
        self.env.invalidate_all()
        self.assertEqual((self.rule.cadence_days, self.rule.second_cadence_days), (3650, 1), "the bounds are kept")

    def test_plan_amounts_are_finite_and_positive(self):
        plan = self.as_user(self.manager, "sale.customer.key.account").browse(self.plan.id)
        for fname, label in (("target_revenue", "Target Yearly Revenue"), ("potential_revenue", "Potential Yearly")):
            for value in (float("nan"), float("inf"), -1.0, 1e16):
                with self.subTest(fname=fname, value=value), self.assertRefused(ValidationError, label):
                    plan.write({fname: value})
        plan.write({"target_revenue": 1e15, "potential_revenue": 0.0})  # the bounds themselves
        plan.write({"target_revenue": 250000.0})
        self.env.invalidate_all()
        self.assertEqual(
            (self.plan.target_revenue, self.plan.potential_revenue), (250000.0, 0.0), "amounts in range are kept"
        )

    def test_health_comes_from_its_selection(self):
        plan = self.as_user(self.manager, "sale.customer.key.account").browse(self.plan.id)
        for value in ("9", "0", "excellent"):
            with self.subTest(value=value), self.assertRefused(ValidationError, "Relationship Health"):
                plan.write({"health": value})
        Health = self.as_user(self.manager, "sale.customer.key.account.health")
        with self.assertRefused(ValidationError, "Relationship Health"):
            Health.create({"plan_id": self.plan.id, "month": "2026-01-01", "health": "6"})
        plan.write({"health": 4})  # as a number from an import or RPC
        self.env.invalidate_all()
        self.assertEqual(self.plan.health, "4", "a number of the scale is taken as the choice")

    def test_feedback_and_plan_dates_from_1900_on(self):
        feedback = self.as_user(self.anna, "sale.customer.feedback")
        with self.assertRefused(ValidationError, "Date"):
            feedback.create({"partner_id": self.customer.id, "date": datetime.date(1899, 12, 31)})
        plan = self.as_user(self.manager, "sale.customer.key.account").browse(self.plan.id)
        for fname, label in (("next_review_date", "Next Review Date"), ("target_date", "Target Date")):
            with self.subTest(fname=fname), self.assertRefused(ValidationError, label):
                plan.write({fname: "1066-10-14"})
        contact = self.as_user(self.manager, "sale.customer.key.account.contact")
        with self.assertRefused(ValidationError, "Birthday"):
            contact.create({"plan_id": self.plan.id, "partner_id": self.contact.id, "birthday": "1850-01-01"})
        plan.write({"next_review_date": "1900-01-01"})
        self.env.invalidate_all()
        self.assertEqual(self.plan.next_review_date, datetime.date(1900, 1, 1), "1900 itself is accepted")
