"""Who may see and drive the wizards, the exports, the win-back attempts and the campaigns.

Two companies: Alice and Bob sell in company A (own documents only), the boss
manages A and B, Carl manages B only.
"""

import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import CustomerBaseCommon

TODAY = datetime.date(2026, 6, 30)
D = datetime.date


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestSecurityWizards(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Customer Base Second Company"})
        cls.env.user.company_ids |= cls.company_b
        cls.company.customer_base_lost_days = 100

        def user(login, groups, companies):
            return new_test_user(
                cls.env,
                login,
                groups=groups,
                email=f"{login}@example.com",
                company_id=companies[0].id,
                company_ids=[company.id for company in companies],
            )

        cls.alice = user("sec_alice", "sales_team.group_sale_salesman", cls.company)
        cls.bob = user("sec_bob", "sales_team.group_sale_salesman", cls.company)
        cls.boss = user("sec_boss", "sales_team.group_sale_manager", cls.company | cls.company_b)
        cls.carl = user("sec_carl", "sales_team.group_sale_manager", cls.company_b)
        cls.customer.user_id = cls.alice  # Acme: lost
        cls.other.user_id = cls.bob  # Other Customer: lost too
        cls.order(cls.customer, D(2026, 1, 10), 300.0)
        cls.order(cls.other, D(2026, 2, 10), 500.0)
        cls.env["sale.customer.base.engine"].recompute_customer_base()

    def as_boss(self, model):
        return self.env[model].with_user(self.boss).with_company(self.company)

    def assertOnlyItsCreatorReaches(self, record, values, field=None):
        """Nobody but the creator lists, reads, downloads or changes ``record``."""
        for user in (self.alice, self.carl):
            other = record.with_user(user).with_context(allowed_company_ids=user.company_ids.ids)
            with self.subTest(model=record._name, user=user.login):
                if other.browse().has_access("read"):  # the model itself may be for managers only
                    self.assertFalse(
                        other.search_read([("id", "in", record.ids)], ["id"]), "another user does not list it"
                    )
                with self.assertRaises(AccessError, msg="nor reads it"):
                    other.read([field or "id"])
                if field:
                    with self.assertRaises(AccessError, msg="nor downloads its file through /web/content"):
                        binary = self.env["ir.binary"].with_user(user).with_context(**other.env.context)
                        binary._find_record(res_model=record._name, res_id=record.id, field=field)
                with self.assertRaises(AccessError, msg="nor changes it"):
                    other.write(values)
        creator = record.with_user(record.create_uid)
        self.assertEqual(creator.search([("id", "in", record.ids)]), creator, "its creator reaches it")

    def test_exports_are_their_creators_own(self):
        export = self.as_boss("sale.customer.base.export").create({"date_from": D(2026, 1, 1)})
        export.action_export()
        self.assertTrue(export.file, "the manager's workbook is stored on the export")
        self.assertOnlyItsCreatorReaches(export, {"file_name": "mine.xlsx"}, field="file")

    def test_open_wizards_and_their_lines_are_their_creators_own(self):
        winback = self.as_boss("sale.customer.reactivation.wizard").create({"company_id": self.company.id})
        winback.action_preview()
        self.assertEqual(winback.line_ids.partner_id, self.customer | self.other, "the manager's candidates")
        self.assertOnlyItsCreatorReaches(winback, {"summary": "Mine now"})
        self.assertOnlyItsCreatorReaches(winback.line_ids, {"user_id": self.alice.id})
        campaign = self.as_boss("sale.customer.campaign.wizard").create(
            {"company_id": self.company.id, "partner_ids": [Command.set((self.customer | self.other).ids)]}
        )
        campaign.action_preview()
        self.assertOnlyItsCreatorReaches(campaign, {"name": "Mine now"})
        self.assertOnlyItsCreatorReaches(campaign.line_ids, {"user_id": self.carl.id})
        rebuild = self.as_boss("sale.customer.base.history.rebuild").create({"company_ids": self.company.ids})
        self.assertOnlyItsCreatorReaches(rebuild, {"date_from": D(2026, 2, 1)})
        launched = self.env["sale.customer.campaign"].browse(campaign.action_launch()["res_id"])
        update = self.as_boss("sale.customer.campaign.update").create({"campaign_id": launched.id, "mode": "extend"})
        self.assertOnlyItsCreatorReaches(update, {"date_deadline": D(2026, 7, 30)})

    def test_candidates_come_from_the_search_and_stay_her_customers(self):
        wizard = (
            self.env["sale.customer.reactivation.wizard"]
            .with_user(self.alice)
            .with_company(self.company)
            .create({"company_id": self.company.id})
        )
        Line = self.env["sale.customer.reactivation.wizard.line"].with_user(self.alice)
        with self.assertRaises(UserError, msg="a hand-made candidate, here a colleague's customer"):
            Line.create({"wizard_id": wizard.id, "partner_id": self.other.id, "rule": "lost"})
        wizard.action_preview()
        line = wizard.line_ids
        self.assertEqual(line.partner_id, self.customer, "her own lost customer")
        for case, values in {
            "customer": {"partner_id": self.other.id},
            "revenue lost": {"revenue_lost": 1_000_000.0},
            "rule": {"rule": "declining"},
            "stage": {"stage": "loyal"},
            "last order": {"last_order_date": D(2020, 1, 1)},
        }.items():
            with self.subTest(case=case), self.assertRaises(UserError, msg="the search's figures"):
                line.write(values)
        line.write({"selected": True, "user_id": self.bob.id})
        self.assertEqual(line.user_id, self.bob, "she may hand the call to Bob")
        # Acme changes hands before she confirms: a manager gives Bob the customer and its orders
        # (a confirmed order of hers would keep it hers)
        self.customer.user_id = self.bob
        self.env["sale.order"].search([("partner_id", "child_of", self.customer.id)]).user_id = self.bob
        with self.assertRaisesRegex(UserError, "Acme Customer", msg="re-checked at confirmation"):
            wizard.action_confirm()
        self.assertFalse(
            self.env["sale.customer.reactivation"].search([("partner_id", "=", self.customer.id)]), "no attempt"
        )
        campaign = self.as_boss("sale.customer.campaign.wizard").create(
            {"company_id": self.company.id, "partner_ids": [Command.set(self.customer.ids)]}
        )
        campaign.action_preview()
        for case, values in {"customer": {"partner_id": self.other.id}, "revenue": {"revenue": 1_000_000.0}}.items():
            with self.subTest(case=case), self.assertRaises(UserError, msg="the plan's figures"):
                campaign.line_ids.write(values)
        with self.assertRaises(UserError, msg="nor a hand-made task"):
            self.env["sale.customer.campaign.wizard.line"].with_user(self.boss).create(
                {"wizard_id": campaign.id, "partner_id": self.other.id}
            )
        campaign.line_ids.user_id = self.alice
        self.assertEqual(campaign.line_ids.user_id, self.alice, "the manager chooses who works the customer")

    def test_people_record_the_answer_and_the_orders_the_outcome(self):
        Attempt = self.env["sale.customer.reactivation"]
        attempt = Attempt.create({"partner_id": self.customer.id, "company_id": self.company.id, "date": TODAY})
        order = self.order(self.other, D(2026, 2, 10), 50.0)
        engine_values = {
            "outcome 'won'": {"outcome": "won"},
            "recovered revenue": {"recovered_revenue": 1_000_000.0},
            "won date": {"won_date": TODAY},
            "won order": {"won_order_id": order.id},
            "rule": {"rule": "lost"},
            "stage": {"stage": "lost"},
            "last order": {"last_order_date": D(2025, 1, 1)},
            "revenue lost": {"revenue_lost": 99_999.0},
            "window": {"window_end": D(2030, 1, 1)},
        }
        for user in (self.alice, self.boss):
            for case, values in engine_values.items():
                with self.subTest(user=user.login, case=case), self.assertRaises(UserError, msg="the engine's"):
                    attempt.with_user(user).write(values)
        with self.assertRaises(UserError, msg="not even a manager sets the LTV at the attempt"):
            attempt.with_user(self.boss).write({"ltv": 5000.0})
        self.assertEqual(
            (attempt.outcome, attempt.recovered_revenue, attempt.rule), ("pending", 0.0, "chosen"), "nothing written"
        )
        mine = attempt.with_user(self.alice)
        for outcome in ("refused", "no_answer", "pending"):
            mine.write({"outcome": outcome})
            self.assertEqual(attempt.outcome, outcome, "the salesperson closes or reopens her attempt")
        with self.assertRaises(UserError, msg="an attempt stays on its customer"):
            mine.write({"partner_id": self.other.id})
        self.order(self.customer, TODAY, 100.0)
        self.assertEqual((attempt.outcome, attempt.recovered_revenue), ("won", 100.0), "won back by the order")
        with self.assertRaises(UserError, msg="the outcome of a won attempt follows the orders"):
            mine.action_refused()
        self.assertEqual(attempt.outcome, "won", "still won back")

    def test_attempts_are_created_on_own_customers_without_engine_values(self):
        Attempt = self.env["sale.customer.reactivation"].with_user(self.alice).with_company(self.company)
        for case, values in {
            "won": {"outcome": "won"},
            "recovered revenue": {"recovered_revenue": 1_000_000.0},
            "revenue lost": {"revenue_lost": 5000.0},
        }.items():
            with self.subTest(case=case), self.assertRaises(UserError, msg="the engine's values"):
                Attempt.create({"partner_id": self.customer.id, **values})
        with self.assertRaises(AccessError, msg="Bob's customer is not Alice's to win back"):
            Attempt.create({"partner_id": self.other.id})
        with self.assertRaises(AccessError, msg="not even calling them herself"):
            Attempt.create({"partner_id": self.other.id, "user_id": self.alice.id})
        mine = Attempt.create({"partner_id": self.customer.id, "rule": "chosen", "recovered_revenue": 0.0})
        self.assertEqual((mine.rule, mine.user_id), ("chosen", self.alice), "her own customer, chosen by hand")
        ours = self.env["sale.customer.reactivation"].with_user(self.boss).with_company(self.company)
        self.assertTrue(ours.create({"partner_id": self.other.id}), "a manager wins back any customer")

    def test_customers_kept_for_another_company_stay_out_of_its_campaigns(self):
        kept = self.env["res.partner"].create({"name": "Kept by A", "is_company": True, "company_id": self.company.id})
        in_b = {"company_id": self.company_b.id, "partner_ids": [Command.set(kept.ids)]}
        Campaign = self.env["sale.customer.campaign.wizard"].with_user(self.boss).with_company(self.company_b)
        wizard = Campaign.create({**in_b, "assign_mode": "single", "user_ids": [Command.set(self.boss.ids)]})
        self.assertIn("Kept by A", wizard.error, "the form says so before the click")
        with self.assertRaisesRegex(UserError, "Kept by A", msg="a company-B campaign does not work A's customer"):
            wizard.action_preview()
        WinBack = self.env["sale.customer.reactivation.wizard"].with_user(self.boss).with_company(self.company_b)
        with self.assertRaisesRegex(UserError, "Kept by A", msg="nor does a company-B win-back"):
            WinBack.create(in_b).action_preview()
        # a customer kept for A between the preview and the launch
        free = self.env["res.partner"].create({"name": "Free Customer", "is_company": True})
        wizard = Campaign.create(
            {
                **in_b,
                "partner_ids": [Command.set(free.ids)],
                "assign_mode": "single",
                "user_ids": [Command.set(self.boss.ids)],
            }
        )
        wizard.action_preview()
        free.company_id = self.company
        with self.assertRaisesRegex(UserError, "Free Customer", msg="checked again at the launch"):
            wizard.action_launch()
        self.assertFalse(
            self.env["sale.customer.campaign"].search([("company_id", "=", self.company_b.id)]), "nothing launched"
        )

    def test_work_goes_to_active_salespeople_of_the_company(self):
        def user(login, groups, active=True):
            found = new_test_user(self.env, login, groups=groups, company_id=self.company.id)
            found.active = active
            return found

        unfit = {
            "portal or public": user("sec_portal", "base.group_portal"),
            "no Sales rights": user("sec_clerk", "base.group_user"),
            "archived": user("sec_gone", "sales_team.group_sale_salesman", active=False),
            "do not work for": self.carl,  # a manager of company B only
        }
        WinBack = self.env["sale.customer.reactivation.wizard"].with_user(self.boss).with_company(self.company)
        Campaign = self.env["sale.customer.campaign.wizard"].with_user(self.boss).with_company(self.company)
        customers = [Command.set((self.customer | self.other).ids)]
        for reason, wrong in unfit.items():
            winback_choices = {
                "caller": {"assign_to": "user", "user_id": wrong.id},
                "fallback": {"fallback_user_id": wrong.id},
                "senior": {"key_account_assign": "senior", "senior_user_id": wrong.id},
            }
            for case, values in winback_choices.items():
                with self.subTest(reason=reason, case=case):
                    wizard = WinBack.create({"company_id": self.company.id, **values})
                    self.assertIn(wrong.name, wizard.error or "", "the form names them before the click")
                    with self.assertRaisesRegex(UserError, reason, msg="the server refuses them"):
                        wizard.action_preview()
            campaign_choices = {
                "round robin": {"assign_mode": "round_robin", "user_ids": [Command.set((self.alice | wrong).ids)]},
                "fallback": {"assign_mode": "own", "fallback_user_id": wrong.id},
            }
            for case, values in campaign_choices.items():
                with self.subTest(reason=reason, case=case):
                    wizard = Campaign.create({"company_id": self.company.id, "partner_ids": customers, **values})
                    with self.assertRaisesRegex(UserError, reason, msg="nobody dropped silently, nobody unfit"):
                        wizard.action_preview()

    def test_lines_attempts_and_tasks_go_to_active_salespeople_of_the_company(self):
        clerk = new_test_user(
            self.env, "sec_clerk", groups="base.group_user", company_id=self.company.id, name="Clara Clerk"
        )
        self.other.user_id = clerk  # a salesperson in name only
        wizard = self.as_boss("sale.customer.reactivation.wizard").create(
            {"company_id": self.company.id, "fallback_user_id": self.bob.id}
        )
        wizard.action_preview()
        lines = {line.partner_id: line for line in wizard.line_ids}
        self.assertEqual(lines[self.other].user_id, self.bob, "a salesperson without Sales rights counts as none")
        lines[self.customer].user_id = clerk
        self.assertIn(clerk.name, wizard.error, "the preview names them before the click")
        with self.assertRaisesRegex(UserError, clerk.name, msg="and the confirmation refuses them"):
            wizard.action_confirm()
        lines[self.customer].user_id = self.alice
        self.assertFalse(wizard.error, "nothing left to say")
        attempts = self.env["sale.customer.reactivation"].search(wizard.action_confirm()["domain"])
        self.assertEqual(len(attempts), 2, "both customers to be won back")
        # assertRaisesRegex, unlike assertRaises, rolls nothing back
        with (
            self.assertRaisesRegex(ValidationError, clerk.name, msg="an attempt goes to a salesperson"),
            self.env.cr.savepoint(),
        ):
            attempts[0].with_user(self.boss).user_id = clerk
        self.assertEqual(attempts.user_id, self.alice | self.bob, "the callers stay")
        campaign_wizard = self.as_boss("sale.customer.campaign.wizard").create(
            {"company_id": self.company.id, "partner_ids": [Command.set(self.customer.ids)]}
        )
        campaign_wizard.action_preview()
        campaign = self.env["sale.customer.campaign"].browse(campaign_wizard.action_launch()["res_id"])
        with (
            self.assertRaisesRegex(ValidationError, clerk.name, msg="so does a campaign task"),
            self.env.cr.savepoint(),
        ):
            campaign.line_ids.with_user(self.boss).user_id = clerk
        update = self.as_boss("sale.customer.campaign.update").create(
            {"campaign_id": campaign.id, "mode": "reassign", "from_user_id": self.alice.id, "to_user_id": clerk.id}
        )
        self.assertIn(clerk.name, update.error, "the reassignment names them before the click")
        with self.assertRaisesRegex(UserError, clerk.name, msg="and refuses them"):
            update.action_apply()
        self.assertEqual(campaign.line_ids.user_id, self.alice, "the task stays Alice's")

    def test_rights_are_checked_before_acting_as_superuser(self):
        History = self.env["sale.customer.base.history"]
        History.search([("company_id", "=", self.company.id)]).unlink()
        clerk = new_test_user(self.env, "sec_clerk", groups="base.group_user", company_id=self.company.id)
        with self.assertRaises(AccessError, msg="an employee without Sales rights does not rebuild the history"):
            History.with_user(clerk).with_company(self.company).action_open_retention()
        self.assertFalse(History.search_count([("company_id", "=", self.company.id)]), "nothing built")
        History.with_user(self.boss).with_company(self.company).action_open_retention()
        self.assertTrue(
            History.search_count([("company_id", "=", self.company.id)]), "a manager opening the report does"
        )
        with self.assertRaises(AccessError, msg="nor does a salesperson through the rebuild wizard"):
            self.env["sale.customer.base.history.rebuild"].with_user(self.alice).create({}).action_rebuild()
