import base64
import datetime
import io

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import CustomerBaseCommon

TODAY = datetime.date(2026, 6, 30)
ALARM = "sale_customer_base.mail_activity_type_key_account_alarm"


def ago(days):
    return TODAY - datetime.timedelta(days=days)


class KeyAccountCommon(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Plan = cls.env["sale.customer.key.account"]

        def user(login, group, company=None):
            company = company or cls.company
            return new_test_user(
                cls.env,
                login,
                groups=group,
                email=f"{login}@example.com",
                company_id=company.id,
                company_ids=[company.id],
            )

        cls.alice = user("ka_alice", "sales_team.group_sale_salesman")  # key account manager
        cls.bob = user("ka_bob", "sales_team.group_sale_salesman")  # sells to the key account
        cls.eve = user("ka_eve", "sales_team.group_sale_salesman")  # nothing to do with it
        cls.carol = user("ka_carol", "sales_team.group_sale_salesman")  # executive sponsor
        cls.boss = user("ka_boss", "sales_team.group_sale_manager")

    @classmethod
    def recompute(cls):
        cls.env["sale.customer.base.engine"].sudo().with_company(cls.company)._recompute_company(cls.company)

    def plan_of(self, partner):
        return self.Plan.with_context(active_test=False).search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    def alarms(self, plan):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "sale.customer.key.account"),
                ("res_id", "=", plan.id),
                ("activity_type_id", "=", self.env.ref(ALARM).id),
            ]
        )


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestKeyAccountPlans(KeyAccountCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"user_id": cls.bob.id, "key_account_manager_id": cls.alice.id})
        cls.other.user_id = cls.bob
        # Acme: an order every 40 days, the last one 60 days ago: silent beyond its own rhythm, 400 (16 %)
        for days, amount in ((140, 100.0), (100, 100.0), (60, 200.0)):
            cls.order(cls.customer, ago(days), amount)
        # Other: every month, on time, 600 (24 %, elevated dependency): no alarm
        for days in (20, 50, 80, 110, 140, 170):
            cls.order(cls.other, ago(days), 100.0)
        # ten small customers, 150 each (6 %)
        cls.small = cls.env["res.partner"].create(
            [{"name": f"Small {number}", "is_company": True} for number in range(10)]
        )
        for partner in cls.small:
            cls.order(partner, ago(30), 150.0)
        cls.recompute()

    def test_customer_passing_the_key_share_gets_a_plan_at_the_next_recompute(self):
        small = self.small[0]
        self.assertFalse(self.plan_of(small), "6 % of revenue: no plan")
        order = self.order(small, ago(5), 2000.0)
        self.recompute()
        plan = self.plan_of(small)
        self.assertTrue(plan.active and plan.is_key_account, "a key account now: an active plan")
        self.assertFalse(plan.kept_by_hand, "made by the recompute, not by a person")
        self.assertAlmostEqual(plan.current_revenue, 2150.0, msg="its revenue in the window, from the engine")
        self.assertAlmostEqual(plan.revenue_share, 2150.0 / 4500.0 * 100, places=4, msg="its share, in percent")
        order.state = "cancel"
        self.recompute()
        self.assertFalse(plan.active, "no longer key: the plan is archived")
        plan.sudo().kept_by_hand = True
        self.order(small, ago(4), 2000.0)
        self.recompute()
        self.assertTrue(plan.active, "key again: the same plan comes back")

    def test_plan_shows_the_accounts_open_opportunities_and_plans_visits_in_the_calendar(self):
        plan = self.plan_of(self.customer)
        Lead = self.env["crm.lead"]
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        Lead.create(
            [
                {"name": "Renewal", "type": "opportunity", "partner_id": self.contact.id},
                {"name": "Won deal", "type": "opportunity", "partner_id": self.customer.id, "stage_id": won_stage.id},
                {"name": "A lead", "type": "lead", "partner_id": self.customer.id},
                {"name": "Other's", "type": "opportunity", "partner_id": self.other.id},
            ]
        )
        plan.invalidate_recordset(["opportunity_count"])
        self.assertEqual(plan.opportunity_count, 1, "the open opportunity of its contact; not the won one nor a lead")
        action = plan.action_open_opportunities()
        self.assertEqual(Lead.search(action["domain"]).mapped("name"), ["Renewal"])
        with self.assertRaisesRegex(UserError, "sponsor"):
            plan.action_plan_executive_visit()
        decision_maker = self.env["res.partner"].create({"name": "Acme CEO", "parent_id": self.customer.id})
        plan.write(
            {
                "sponsor_id": self.carol.id,
                "next_review_date": TODAY + datetime.timedelta(days=20),
                "contact_ids": [Command.create({"partner_id": decision_maker.id, "role": "decision_maker"})],
            }
        )
        action = plan.action_plan_executive_visit()
        self.assertEqual(action["res_model"], "calendar.event")
        event = Form(self.env["calendar.event"].with_context(action["context"])).save()
        self.assertEqual(event.user_id, self.carol, "the sponsor's meeting")
        self.assertEqual(
            event.partner_ids,
            self.carol.partner_id | self.alice.partner_id | decision_maker,
            "with the manager and the customer's decision maker",
        )
        self.assertEqual(event.start.date(), TODAY + datetime.timedelta(days=20), "on the review day")
        self.assertEqual((event.res_model, event.res_id), (plan._name, plan.id), "linked to the plan")

    def test_key_accounts_without_plan_are_listed(self):
        Partner = self.env["res.partner"].with_company(self.company)
        self.assertFalse(Partner.search([("key_account_plan_missing", "=", True)]), "every key account has a plan")
        self.plan_of(self.customer).unlink()
        self.assertEqual(Partner.search([("key_account_plan_missing", "=", True)]), self.customer, "Acme lost it")
        self.assertTrue(Partner.browse(self.customer.id).key_account_plan_missing, "and says so")
        self.recompute()
        self.assertFalse(Partner.search([("key_account_plan_missing", "=", True)]), "the recompute makes it again")

    def test_plans_of_acme_and_other_made_with_the_manager_of_the_customer(self):
        plan = self.plan_of(self.customer)
        self.assertEqual(plan.manager_id, self.alice, "the key account manager of the customer")
        self.assertEqual(plan.dependency_risk, "none", "16 %: no dependency")
        self.assertEqual(self.plan_of(self.other).dependency_risk, "elevated", "24 %: elevated")
        with self.assertRaises(AccessError, msg="she does not hand her key account over herself"):
            plan.with_user(self.alice).manager_id = self.carol
        plan.with_user(self.boss).manager_id = self.carol
        self.assertEqual(
            self.customer.with_company(self.company).key_account_manager_id, self.carol, "the customer follows the plan"
        )

    def test_fourth_key_account_warns_its_manager(self):
        for partner in self.small[:2]:
            partner.with_company(self.company).write(
                {"key_account_reason": "potential", "key_account_manager_id": self.alice.id}
            )
        self.small[2].with_company(self.company).key_account_reason = "reference"
        plan = self.plan_of(self.small[2])
        self.assertTrue(plan.is_key_account, "a reason makes it key at once, with its plan")
        self.assertEqual(len(self.Plan.search([("manager_id", "=", self.alice.id)])), 3, "alice holds 3, the limit")
        with self.assertLogs("odoo.tests.form.onchange", "WARNING") as logs, Form(plan.with_user(self.boss)) as form:
            form.manager_id = self.alice
        self.assertIn("would manage 4 key accounts; the limit is 3", logs.output[0], "the manager is warned")
        self.assertTrue(plan.manager_over_limit, "the plan says so too")
        over = self.env["sale.customer.key.account.manager"].search([("manager_id", "=", self.alice.id)])
        self.assertEqual((over.key_account_count, over.over_limit), (4, True), "listed over the limit")

    def test_silent_key_account_gets_exactly_one_alarm(self):
        plan = self.plan_of(self.customer)
        alarms = self.alarms(plan)
        self.assertEqual(len(alarms), 1, "one alarm for one silence")
        self.assertEqual(alarms.user_id, self.alice, "for its manager")
        self.assertIn("No order for 60 days, while it usually orders every 40 days", str(alarms.note), "the figures")
        self.assertFalse(self.alarms(self.plan_of(self.other)), "on time: no alarm")
        self.recompute()
        self.assertEqual(len(self.alarms(plan)), 1, "the same silence: no second alarm")
        alarms.action_done()
        self.recompute()
        self.assertFalse(self.alarms(plan), "done, and the event is remembered: no repeat")

    def test_alarm_goes_to_manager_and_sponsor(self):
        plan = self.plan_of(self.small[3])
        self.assertFalse(plan, "not key yet")
        plan = self.Plan.with_user(self.boss).create(
            {"partner_id": self.small[3].id, "manager_id": self.alice.id, "sponsor_id": self.carol.id}
        )
        self.assertTrue(plan.kept_by_hand, "a plan made by hand is kept")
        # its only order was 30 days ago; two more make a 10-day rhythm, broken for 30 days
        self.order(self.small[3], ago(50), 150.0)
        self.order(self.small[3], ago(40), 150.0)
        self.recompute()
        self.assertEqual(self.alarms(plan).user_id, self.alice | self.carol, "the manager and the sponsor")
        self.recompute()
        self.assertEqual(len(self.alarms(plan)), 2, "once per event, for each")

    def test_silent_and_falling_at_once_is_one_activity_with_both_reasons(self):
        partner = self.env["res.partner"].create({"name": "Fading", "is_company": True})
        for days in (200, 170, 140, 110):
            self.order(partner, ago(days), 100.0)
        partner.with_company(self.company).write(
            {"key_account_reason": "potential", "key_account_manager_id": self.alice.id}
        )
        alarm = self.alarms(self.plan_of(partner))
        self.assertEqual(len(alarm), 1, "one activity for the manager")
        self.assertEqual(alarm.summary, "Key account drifting: Fading", "both events in one alarm")
        self.assertIn("No order for 110 days", str(alarm.note), "the silence")
        self.assertIn("(-100.0%)", str(alarm.note), "the drop: nothing in the last 90 days")

    def test_workbook_shows_plan_against_actual_as_the_user_may_read_it(self):
        plan = self.plan_of(self.customer)
        plan.write({"target_revenue": 800.0, "health": "4"})

        def key_accounts(user):
            wizard = self.env["sale.customer.base.export"].with_user(user).create({"date_from": ago(365)})
            wizard.action_export()
            book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file)))
            rows = book["Key accounts"].iter_rows(values_only=True)
            headers = next(rows)
            return {row[0]: dict(zip(headers, row, strict=True)) for row in rows if row[0]}

        acme = key_accounts(self.boss)["Acme Customer"]
        self.assertEqual(
            (acme["Target revenue"], acme["Target reached"], acme["Relationship health (1-5)"], acme["People map"]),
            (800.0, 0.5, 4, "Single-threaded"),
            "target, 400 of 800 reached, health and coverage of the plan",
        )
        theirs = key_accounts(self.eve)
        self.assertTrue(
            all(row["Target revenue"] is None for row in theirs.values()), "eve reads no plan: the columns stay empty"
        )

    def test_revenue_against_target_month_by_month(self):
        plan = self.plan_of(self.customer)
        plan.target_revenue = 1200.0
        Revenue = self.env["sale.customer.key.account.revenue"]
        groups = Revenue._read_group([("plan_id", "=", plan.id)], ["kind"], ["amount:sum", "__count"])
        self.assertEqual(
            {kind: (amount, count) for kind, amount, count in groups},
            {"revenue": (400.0, 3), "target": (300.0, 3)},
            "three months with orders: 400 sold against 3 x 100 targeted",
        )
        may = Revenue.search([("plan_id", "=", plan.id), ("month", "=", datetime.date(2026, 5, 1))])
        self.assertEqual(sorted(may.mapped("amount")), [100.0, 200.0], "May: 200 sold, 100 targeted")

    def test_people_map_coverage_flags_a_single_threaded_plan(self):
        plan = self.plan_of(self.customer)
        Contact = self.env["sale.customer.key.account.contact"]
        self.assertEqual(plan.coverage, "single_threaded", "nobody mapped")
        Contact.create({"plan_id": plan.id, "partner_id": self.contact.id, "role": "decision_maker"})
        self.assertEqual(plan.coverage, "single_threaded", "one contact, even the decision maker")
        second = self.env["res.partner"].create({"name": "Acme Engineer", "parent_id": self.customer.id})
        line = Contact.create({"plan_id": plan.id, "partner_id": second.id, "role": "user"})
        self.assertEqual((plan.contact_count, plan.coverage), (2, "covered"), "two contacts, one decides")
        line.role = "influencer"
        plan.contact_ids[0].role = "finance"
        self.assertEqual(plan.coverage, "single_threaded", "no known decision maker")
        with self.assertRaisesRegex(ValidationError, "does not work for Acme Customer"):
            Contact.create({"plan_id": plan.id, "partner_id": self.other.id, "role": "user"})

    def test_personal_notes_are_hidden_from_other_salespeople(self):
        plan = self.plan_of(self.customer)
        plan.sponsor_id = self.carol
        line = self.env["sale.customer.key.account.contact"].create(
            {"plan_id": plan.id, "partner_id": self.contact.id, "role": "decision_maker", "preferences": "Sailing"}
        )
        line.with_user(self.alice).personal_note = "Divorcing; do not mention family."
        for user in (self.alice, self.carol, self.boss):
            seen = line.with_user(user).read(["personal_note"])[0]["personal_note"]
            self.assertEqual(seen, "Divorcing; do not mention family.", f"{user.login} may read the note")
        # bob sells to Acme: he reads the plan and its people map, not the personal notes
        rows = (
            self.env["sale.customer.key.account.contact"]
            .with_user(self.bob)
            .search_read([("plan_id", "=", plan.id)], ["preferences", "personal_note"])
        )
        self.assertEqual([(row["preferences"], row["personal_note"]) for row in rows], [("Sailing", False)], "no note")
        self.assertEqual(
            self.Plan.with_user(self.bob).search([]).partner_id,
            self.customer | self.other,
            "he reads the plans of the accounts he sells to",
        )
        self.assertEqual(
            self.Plan.with_user(self.carol).search([]), plan, "the sponsor reads the plan she sponsors, only it"
        )
        notes = self.env["sale.customer.key.account.note"].with_user(self.bob)
        self.assertFalse(notes.search_read([], ["note"]), "the notes themselves are out of his reach")
        with self.assertRaises(AccessError):
            line.with_user(self.bob).personal_note = "Overwritten"
        with self.assertRaises(AccessError):
            plan.with_user(self.bob).target_revenue = 1.0
        self.assertFalse(self.Plan.with_user(self.eve).search([]), "eve neither sells to it nor manages it")

    def test_plans_stay_in_their_company(self):
        elsewhere = self.env["res.company"].create({"name": "Elsewhere"})
        manager = new_test_user(
            self.env,
            "ka_elsewhere",
            groups="sales_team.group_sale_manager",
            company_id=elsewhere.id,
            company_ids=[elsewhere.id],
        )
        plans = self.Plan.with_user(manager).with_context(allowed_company_ids=[elsewhere.id]).search([])
        self.assertFalse(plans, "a sales manager of another company sees none of these plans")

    def test_engine_figures_cannot_be_set_by_hand(self):
        plan = self.plan_of(self.customer)
        with self.assertRaisesRegex(Exception, "come from the customer's orders"):
            plan.with_user(self.boss).write({"current_revenue": 1e9})

    def test_health_is_kept_month_by_month(self):
        plan = self.plan_of(self.customer).with_user(self.alice)
        plan.health = "4"
        plan.health = "2"
        self.assertEqual(plan.health_ids.mapped("health"), ["2"], "one line a month, the last health set")
        with freeze_time(TODAY + datetime.timedelta(days=31)):
            plan.health = "3"
        self.assertEqual(
            plan.health_ids.sorted("month", reverse=True).mapped("health"), ["3", "2"], "a line for the new month"
        )
        self.assertEqual(plan.health_trend, "up", "from 2 to 3")

    def test_reviews_and_birthdays_become_activities_once(self):
        plan = self.plan_of(self.customer)
        plan.next_review_date = ago(-3)
        self.env["sale.customer.key.account.contact"].create(
            {"plan_id": plan.id, "partner_id": self.contact.id, "birthday": datetime.date(1980, 7, 4)}
        )
        before = set(plan.activity_ids.ids)
        self.Plan._cron_key_account_reminders()
        self.Plan._cron_key_account_reminders()
        new = plan.activity_ids.filtered(lambda activity: activity.id not in before)
        self.assertEqual(
            sorted(new.mapped("summary")),
            ["Birthday of Acme Buyer", "Review the key account plan of Acme Customer"],
            "one reminder each, for its manager",
        )
        self.assertEqual(new.user_id, self.alice, "the manager")
        self.assertEqual(sorted(new.mapped("date_deadline")), [ago(-3), ago(-4)], "on the day itself")

    def test_parted_well_counts_in_the_win_back_analysis(self):
        Attempt = self.env["sale.customer.reactivation"]
        attempts = Attempt.create(
            [{"partner_id": self.customer.id, "company_id": self.company.id, "user_id": self.alice.id}] * 2
        )
        self.assertTrue(attempts[0].is_key_account, "a key account's attempt shows the playbook")
        attempts[0].write(
            {
                "meeting_date": ago(2),
                "meeting_user_ids": [(6, 0, [self.alice.id, self.carol.id])],
                "counter_offer": "5 % off for a year",
                "referral_asked": True,
                "referred_partner_id": self.other.id,
            }
        )
        attempts[0].action_parted_well()
        attempts[1].action_refused()
        groups = Attempt._read_group([("id", "in", attempts.ids)], ["outcome"], ["__count", "parted_well_rate:avg"])
        self.assertEqual(
            {outcome: count for outcome, count, _rate in groups}, {"parted_well": 1, "refused": 1}, "by outcome"
        )
        total = Attempt._read_group([("id", "in", attempts.ids)], [], ["parted_well_rate:avg"])
        self.assertEqual(total[0][0], 50.0, "one of two attempts parted well")


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestKeyAccountDiversification(KeyAccountCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.user_id = cls.alice
        # Acme 300 of 1000 (30 %): elevated dependency
        cls.order(cls.customer, ago(10), 300.0)
        for number in range(7):
            cls.order(cls.env["res.partner"].create({"name": f"Filler {number}", "is_company": True}), ago(10), 100.0)
        cls.recompute()

    def diversification_tasks(self):
        return self.plan_of(self.customer).activity_ids.filtered(lambda a: a.summary.startswith("Diversify"))

    def test_top_customer_rising_to_high_dependency_gives_one_diversification_task(self):
        self.assertFalse(self.diversification_tasks(), "elevated: no task")
        self.order(self.customer, ago(5), 300.0)  # 600 of 1300: 46 %, high
        self.recompute()
        task = self.diversification_tasks()
        self.assertEqual(len(task), 1, "one task")
        self.assertEqual(task.user_id, self.boss, "for the sales manager of the company")
        # others must reach 600 / 40 % = 1500 in all: 200 more
        self.assertIn("below 40%", str(task.note), "the share to reach")
        self.assertIn("200.00", str(task.note), "the revenue others must add")
        self.recompute()
        self.assertEqual(len(self.diversification_tasks()), 1, "no second task for the same level")
        alarm = self.alarms(self.plan_of(self.customer))
        self.assertEqual(len(alarm), 1, "the dependency rise is also an alarm for the account")
        self.assertIn("from Elevated to High", str(alarm.note), "with the levels")


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestKeyAccountBatchCost(KeyAccountCommon):
    """Plans, figures and the alarm check of key accounts cost the same queries for 2 or 12 of them."""

    def _company_with_key_accounts(self, name, count):
        company = self.env["res.company"].create({"name": f"Key accounts {name}"})
        self.env.user.company_ids |= company
        partners = self.env["res.partner"].create(
            [{"name": f"Key {name} {n}", "is_company": True} for n in range(count)]
        )
        for partner in partners:
            for days in (70, 40, 10):  # a 30-day rhythm, on time: no alarm
                self.order(partner, ago(days), 100.0, company=company)
        partners.with_company(company).write(
            {"key_account_reason": "potential", "key_account_manager_id": self.alice.id}
        )
        return company

    def test_sync_costs_the_same_for_2_or_12_key_accounts(self):
        Plan = self.env["sale.customer.key.account"]
        as_of = TODAY
        warm, small, big = (self._company_with_key_accounts(name, n) for name, n in (("w", 2), ("s", 2), ("b", 12)))
        for company in (warm, small, big):  # plans made at the refresh after the reason was given
            self.assertTrue(Plan.search([("company_id", "=", company.id)]), "plans exist")
            Plan.search([("company_id", "=", company.id)]).sudo().write({"alarm_events": False})
        Plan._sync_key_accounts(warm, as_of)
        Activity = self.env["mail.activity"]
        before = Activity.search_count([("res_model", "=", Plan._name)])
        small_cost = self._queries(lambda: Plan._sync_key_accounts(small, as_of))
        big_cost = self._queries(lambda: Plan._sync_key_accounts(big, as_of))
        made = Activity.search_count([("res_model", "=", Plan._name)]) - before
        # each alarm costs what Odoo spends on an activity (its e-mail to the assignee): measured without
        self.assertEqual(made, 0, "on time: no alarm")
        self.assertEqual(small_cost, big_cost, "as many queries for 12 key accounts as for 2")
