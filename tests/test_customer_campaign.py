import datetime

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import CustomerBaseCommon


@tagged("post_install", "-at_install")
class TestCustomerCampaign(CustomerBaseCommon):
    """Not frozen in time: campaign progress counts what is overdue against the database's today."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.Wizard = cls.env["sale.customer.campaign.wizard"]
        cls.Campaign = cls.env["sale.customer.campaign"]

        def user(login, group="sales_team.group_sale_salesman"):
            return new_test_user(
                cls.env,
                login,
                groups=group,
                email=f"{login}@example.com",
                company_id=cls.company.id,
                company_ids=[cls.company.id],
            )

        cls.ann, cls.ben, cls.cat = user("cc_ann"), user("cc_ben"), user("cc_cat")
        cls.boss = user("cc_boss", "sales_team.group_sale_manager")
        # nine regular customers, revenue 900, 800, ... 100: three each for Ann, Ben and Cat
        cls.customers = cls.env["res.partner"].create(
            [
                {"name": f"Regular {index}", "is_company": True, "user_id": (cls.ann, cls.ben, cls.cat)[index % 3].id}
                for index in range(9)
            ]
        )
        for index, partner in enumerate(cls.customers):
            for months in (1, 2, 3):
                cls.order(partner, cls.today - datetime.timedelta(days=30 * months), (9 - index) * 100 / 3)
        cls.env["sale.customer.base.engine"].sudo().with_company(cls.company)._recompute_company(cls.company)

    def wizard(self, **values):
        wizard = self.Wizard.with_user(self.boss).with_company(self.company)
        values.setdefault("partner_ids", [Command.set(self.customers.ids)])
        return wizard.create({"company_id": self.company.id, "summary": "Call with the new catalogue", **values})

    def plan(self, **values):
        wizard = self.wizard(**values)
        wizard.action_preview()
        result = {}
        for line in wizard.line_ids:
            result.setdefault(line.user_id, []).append(line.partner_id)
        return wizard, result

    def counts(self, plan):
        return {user.login: len(partners) for user, partners in plan.items()}

    def launch(self, **values):
        wizard, _plan = self.plan(**values)
        action = wizard.action_launch()
        return self.Campaign.browse(action["res_id"])

    def test_absurd_day_counts_get_a_message_not_a_crash(self):
        with self.assertRaisesRegex(UserError, "number of days from 0 to 3650"):
            self.wizard(silent_days=10**9).action_preview()
        with self.assertRaisesRegex(UserError, "within the next ten years"):
            self.wizard(date_end=datetime.date.today() + datetime.timedelta(days=40_000)).action_preview()

    def test_own_salesperson(self):
        _wizard, plan = self.plan()
        self.assertEqual(self.counts(plan), {"cc_ann": 3, "cc_ben": 3, "cc_cat": 3})
        self.assertTrue(all(partner.user_id == user for user, partners in plan.items() for partner in partners))

    def test_own_salesperson_needs_a_fallback_user(self):
        self.customers[:2].user_id = False
        with self.assertRaisesRegex(UserError, "2 customers have no active salesperson"):
            self.plan()
        _wizard, plan = self.plan(fallback_user_id=self.boss.id)
        self.assertEqual(set(plan[self.boss]), set(self.customers[:2]))
        self.ann.active = False  # an archived salesperson counts as none: Ann's two others join the two
        with self.assertRaisesRegex(UserError, "4 customers have no active salesperson"):
            self.plan()

    def test_round_robin_balanced_and_single(self):
        users = [Command.set((self.ann | self.ben).ids)]
        _wizard, plan = self.plan(assign_mode="round_robin", user_ids=users)
        self.assertEqual(self.counts(plan), {"cc_ann": 5, "cc_ben": 4})
        self.assertEqual(plan[self.ann][0], self.customers[0], "biggest customer first")
        # Ann already has 5 open activities: Ben takes the first five, then they alternate
        for partner in self.customers[:5]:
            partner.activity_schedule("mail.mail_activity_data_todo", user_id=self.ann.id)
        _wizard, plan = self.plan(assign_mode="balanced", user_ids=users)
        self.assertEqual(self.counts(plan), {"cc_ann": 2, "cc_ben": 7})
        _wizard, plan = self.plan(assign_mode="single", user_ids=[Command.set(self.cat.ids)])
        self.assertEqual(self.counts(plan), {"cc_cat": 9})

    def test_caps_and_samples(self):
        users = [Command.set((self.ann | self.ben).ids)]
        wizard, plan = self.plan(assign_mode="round_robin", user_ids=users, use_cap=True, max_per_user=3)
        self.assertEqual(self.counts(plan), {"cc_ann": 3, "cc_ben": 3})
        self.assertEqual(wizard.left_out_count, 3, "the three smallest wait for another campaign")
        _wizard, plan = self.plan(use_sample=True, sample_per_user=2)
        self.assertEqual(self.counts(plan), {"cc_ann": 2, "cc_ben": 2, "cc_cat": 2})
        self.assertEqual(plan[self.ann], list(self.customers[0] | self.customers[3]), "Ann's two biggest")
        _wizard, plan = self.plan(use_sample=True, sample_per_user=2, sample_method="random")
        self.assertEqual(self.counts(plan), {"cc_ann": 2, "cc_ben": 2, "cc_cat": 2})
        self.assertTrue(all(p.user_id == user for user, partners in plan.items() for p in partners))

    def make_key_account(self, partner, manager):
        partner = partner.with_company(self.company)
        partner.write({"key_account_reason": "reference", "key_account_manager_id": manager.id})
        self.assertTrue(partner.is_key_account, f"{partner.name} is a key account")

    def test_even_spread_keeps_key_accounts_with_their_manager(self):
        # Regular 1 (800) is Ben's customer and a key account that Cat manages
        self.make_key_account(self.customers[1], self.cat)
        users = [Command.set((self.ann | self.ben).ids)]
        wizard, plan = self.plan(assign_mode="round_robin", user_ids=users)
        self.assertEqual(plan[self.cat], list(self.customers[1]), "the key account goes to its manager")
        self.assertEqual(self.counts(plan), {"cc_ann": 4, "cc_ben": 4, "cc_cat": 1}, "the eight others spread evenly")
        self.assertEqual(wizard.key_account_kept_count, 1, "the preview says one key account was kept")
        # all to one user, or each to its salesperson: the manager still keeps it
        for values in ({"assign_mode": "single", "user_ids": [Command.set(self.ann.ids)]}, {"assign_mode": "own"}):
            with self.subTest(mode=values["assign_mode"]):
                _wizard, plan = self.plan(**values)
                self.assertIn(self.customers[1], plan[self.cat])
        # the manager lets them go, knowingly
        wizard, plan = self.plan(assign_mode="round_robin", user_ids=users, key_accounts_to_others=True)
        self.assertEqual(self.counts(plan), {"cc_ann": 5, "cc_ben": 4}, "spread like the others")
        self.assertEqual(wizard.key_account_kept_count, 0)

    def test_key_account_of_an_archived_manager_is_spread(self):
        self.make_key_account(self.customers[1], self.cat)
        self.cat.active = False
        wizard, plan = self.plan(assign_mode="round_robin", user_ids=[Command.set((self.ann | self.ben).ids)])
        self.assertEqual(self.counts(plan), {"cc_ann": 5, "cc_ben": 4}, "nobody to keep it: spread")
        self.assertEqual(wizard.key_account_kept_count, 0)

    def test_every_window_the_campaign_opens_has_a_title(self):
        wizard = self.wizard()
        actions = {"preview": wizard.action_preview(), "back": wizard.action_back()}
        wizard.action_preview()
        actions["launch"] = wizard.action_launch()
        campaign = self.Campaign.browse(actions["launch"]["res_id"])
        actions["reassign"] = campaign.with_user(self.boss).action_reassign()
        actions["extend"] = campaign.with_user(self.boss).action_extend()
        titles = {step: action.get("name") for step, action in actions.items()}
        self.assertEqual(
            titles,
            {
                "preview": "Launch a Customer Campaign",
                "back": "Launch a Customer Campaign",
                "launch": campaign.name,
                "reassign": "Reassign Pending Tasks",
                "extend": "Extend Due Dates",
            },
            "a window without a name opens as a dialog without a title",
        )

    def test_criteria_select_the_customers(self):
        regular = self.env.ref("sale_customer_base.sale_customer_base_tag_stage_regular")
        wizard = self.wizard(partner_ids=False, stage_tag_ids=[Command.set(regular.ids)])
        wizard.action_preview()
        self.assertEqual(wizard.line_ids.partner_id, self.customers)
        wizard = self.wizard(partner_ids=False, salesperson_ids=[Command.set(self.cat.ids)])
        wizard.action_preview()
        self.assertEqual(wizard.line_ids.partner_id, self.customers.filtered(lambda p: p.user_id == self.cat))
        # a note logged today is a contact; the last orders are 30 days old
        self.customers[0].message_post(body="Called, all fine", message_type="comment")
        wizard = self.wizard(partner_ids=False, stage_tag_ids=[Command.set(regular.ids)], silent_days=5)
        wizard.action_preview()
        self.assertEqual(wizard.line_ids.partner_id, self.customers[1:])
        wizard = self.wizard(partner_ids=False, stage_tag_ids=[Command.set(regular.ids)], silent_days=40)
        with self.assertRaises(UserError, msg="everyone ordered within 40 days"):
            wizard.action_preview()

    def test_launch_creates_tasks_and_progress_follows_them(self):
        campaign = self.launch()
        # ordered a minute after the launch, inside the campaign window (whatever the time of day)
        order = self.order(self.customers[0], self.today, 1000.0)
        order.date_order = campaign.date_start + datetime.timedelta(minutes=1)
        self.assertEqual(len(campaign.line_ids), 9)
        activities = campaign.line_ids.activity_id
        self.assertEqual(len(activities), 9)
        self.assertEqual(set(activities.mapped("summary")), {"Call with the new catalogue"})
        for line in campaign.line_ids:
            self.assertEqual((line.activity_id.res_id, line.activity_id.user_id), (line.partner_id.id, line.user_id))
        progress = {row.user_id: row for row in campaign.progress_ids}
        self.assertEqual((progress[self.ann].assigned, progress[self.ann].pending), (3, 3))
        # Ann calls two customers, Ben's due date passes
        campaign.line_ids.filtered(lambda l: l.user_id == self.ann)[:2].activity_id.with_user(self.ann).action_done()
        ben_lines = campaign.line_ids.filtered(lambda l: l.user_id == self.ben)
        yesterday = self.today - datetime.timedelta(days=1)
        ben_lines.write({"date_deadline": yesterday})
        ben_lines.activity_id.write({"date_deadline": yesterday})
        self.env.invalidate_all()
        progress = {row.user_id: row for row in campaign.progress_ids}
        self.assertEqual((progress[self.ann].done, progress[self.ann].pending), (2, 1))
        self.assertEqual((progress[self.ben].overdue, progress[self.ben].pending), (3, 0))
        self.assertEqual((progress[self.ann].ordered, progress[self.ann].revenue), (1, 1000.0), "Regular 0 ordered")
        self.assertEqual(
            (campaign.customer_count, campaign.done_count, campaign.overdue_count, campaign.ordered_count),
            (9, 2, 3, 1),
        )
        self.assertAlmostEqual(campaign.done_percent, 200 / 9)

    def test_orders_count_from_the_launch_not_from_the_launch_day(self):
        campaign = self.launch(partner_ids=[Command.set(self.customers[:1].ids)])
        launch = datetime.datetime.combine(self.today, datetime.time(12))
        campaign.date_start = launch  # as if launched at noon
        for minutes, amount in ((-60, 300.0), (60, 500.0)):  # ordered an hour before, an hour after
            order = self.order(self.customers[0], self.today, amount)
            order.date_order = launch + datetime.timedelta(minutes=minutes)
        self.env.invalidate_all()
        progress = campaign.progress_ids
        self.assertEqual((progress.ordered, progress.revenue), (1, 500.0), "only the order after the launch counts")
        with self.assertRaises(UserError, msg="the launch is the engine's: not even a manager moves it"):
            campaign.with_user(self.boss).write({"date_start": datetime.datetime(2020, 1, 1)})

    def test_two_thousand_activities_in_one_go(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Bulk {index}", "is_company": True} for index in range(2000)]
        )
        campaign = self.launch(
            partner_ids=[Command.set(partners.ids)],
            assign_mode="round_robin",
            user_ids=[Command.set((self.ann | self.ben | self.cat).ids)],
        )
        counts = {
            user.login: count
            for user, count in self.env["mail.activity"]._read_group(
                [("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)], ["user_id"], ["__count"]
            )
        }
        self.assertEqual(counts, {"cc_ann": 667, "cc_ben": 667, "cc_cat": 666})
        self.assertEqual(campaign.customer_count, 2000)

    def test_reassign_extend_and_close(self):
        campaign = self.launch()
        ann_lines = campaign.line_ids.filtered(lambda l: l.user_id == self.ann)
        ann_lines[0].activity_id.action_done()
        Update = self.env["sale.customer.campaign.update"].with_user(self.boss)
        Update.create(
            {"campaign_id": campaign.id, "mode": "reassign", "from_user_id": self.ann.id, "to_user_id": self.cat.id}
        ).action_apply()
        self.assertEqual(ann_lines[1:].user_id, self.cat, "Ann's pending tasks go to Cat")
        self.assertEqual(ann_lines[1:].activity_id.user_id, self.cat, "with their activities")
        self.assertEqual(ann_lines[0].user_id, self.ann, "the task Ann did stays hers")
        later = self.today + datetime.timedelta(days=30)
        Update.create({"campaign_id": campaign.id, "mode": "extend", "date_deadline": later}).action_apply()
        pending = campaign.line_ids.filtered(lambda l: l.state == "pending")
        self.assertEqual(set(pending.activity_id.mapped("date_deadline")), {later})
        self.assertEqual(campaign.date_deadline, later)
        with self.assertRaises(UserError):
            Update.create(
                {"campaign_id": campaign.id, "mode": "extend", "date_deadline": self.today - datetime.timedelta(1)}
            ).action_apply()
        activities = pending.activity_id
        campaign.with_user(self.boss).action_close()
        self.assertEqual(campaign.state, "closed")
        self.assertEqual(set(pending.mapped("state")), {"cancelled"})
        self.assertFalse(activities.exists(), "withdrawn from the salespeople")
        self.assertEqual(ann_lines[0].state, "done", "done stays done")

    def test_rescheduling_or_handing_over_an_activity_moves_the_task(self):
        campaign = self.launch()
        line = campaign.line_ids.filtered(lambda l: l.user_id == self.ann)[0]
        later = self.today + datetime.timedelta(days=40)
        line.activity_id.with_user(self.ann).write({"date_deadline": later})
        self.assertEqual(line.date_deadline, later)
        line.activity_id.with_user(self.boss).write({"user_id": self.ben.id})
        self.assertEqual(line.user_id, self.ben, "Ben has it now, in the campaign too")

    def test_deleting_an_activity_withdraws_the_task(self):
        campaign = self.launch()
        line = campaign.line_ids[0]
        line.activity_id.unlink()
        self.assertEqual(line.state, "cancelled")

    def test_salespeople_see_only_their_own_tasks(self):
        campaign = self.launch()
        # Ann's customer only, three weeks later (one call a week at most)
        other = self.launch(
            partner_ids=[Command.set(self.customers[:1].ids)],
            date_deadline=self.today + datetime.timedelta(days=21),
        )
        Line = self.env["sale.customer.campaign.line"]
        self.assertEqual(
            Line.with_user(self.ben).search([]), campaign.line_ids.filtered(lambda l: l.user_id == self.ben)
        )
        self.assertEqual(self.Campaign.with_user(self.ben).search([]), campaign, "not the campaign without Ben")
        self.assertEqual(self.Campaign.with_user(self.boss).search([]), campaign | other)
        self.assertEqual(campaign.with_user(self.ben).progress_ids.user_id, self.ben, "only his own progress")
        with self.assertRaises(AccessError):
            campaign.with_user(self.ben).write({"name": "Mine now"})
        with self.assertRaises(AccessError):
            campaign.with_user(self.ben).action_close()
        with self.assertRaises(AccessError):
            self.Wizard.with_user(self.ben).create({"company_id": self.company.id})
        # his tasks are in his usual activities, and he can mark them done
        mine = self.env["mail.activity"].with_user(self.ben).search([("user_id", "=", self.ben.id)])
        self.assertEqual(len(mine), 3)
        mine[0].action_done()
        self.assertEqual(campaign.done_count, 1)

    def test_bad_choices_create_nothing(self):
        before = (self.Campaign.search_count([]), self.env["mail.activity"].search_count([]))
        yesterday = self.today - datetime.timedelta(days=1)
        archived = new_test_user(self.env, "cc_gone", groups="sales_team.group_sale_salesman")
        archived.active = False
        cases = {
            "due date past": {"date_deadline": yesterday},
            "window ends before today": {"date_end": yesterday},
            "no users to spread over": {"assign_mode": "round_robin"},
            "two users for one": {"assign_mode": "single", "user_ids": [Command.set((self.ann | self.ben).ids)]},
            "cap of 0": {"use_cap": True, "max_per_user": 0},
            "sample of 0": {"use_sample": True, "sample_per_user": 0},
            "archived user": {"assign_mode": "single", "user_ids": [Command.set(archived.ids)]},
            "no customers": {"partner_ids": False, "salesperson_ids": [Command.set(self.boss.ids)]},
        }
        for case, values in cases.items():
            with self.subTest(case=case), self.assertRaises(UserError):
                self.plan(**values)
        wizard, _plan = self.plan()
        wizard.line_ids[-1].user_id = False
        with self.assertRaises(UserError):
            wizard.action_launch()
        wizard.line_ids[-1].user_id = self.ann
        self.ann.active = False  # archived between the preview and the launch
        with self.assertRaisesRegex(UserError, "archived"):
            wizard.action_launch()
        self.assertEqual((self.Campaign.search_count([]), self.env["mail.activity"].search_count([])), before)
