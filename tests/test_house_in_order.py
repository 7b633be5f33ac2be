"""One definition per rule (issue 24): who may be given a company's customers, the open quotation."""

import datetime

import pandas as pd

from odoo import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import CustomerBaseCommon


@tagged("post_install", "-at_install")
class TestAssignableUsers(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        cls.seller = new_test_user(
            cls.env, "hio_seller", groups="sales_team.group_sale_salesman", company_id=company.id
        )
        cls.clerk = new_test_user(cls.env, "hio_clerk", groups="base.group_user", company_id=company.id)
        cls.archived = new_test_user(
            cls.env, "hio_archived", groups="sales_team.group_sale_salesman", company_id=company.id
        )
        cls.archived.active = False
        main = cls.env.ref("base.main_company")
        cls.elsewhere = new_test_user(
            cls.env,
            "hio_elsewhere",
            groups="sales_team.group_sale_salesman",
            company_id=main.id,
            company_ids=[Command.set(main.ids)],
        )
        cls.fallback = new_test_user(
            cls.env, "hio_fallback", groups="sales_team.group_sale_salesman", company_id=company.id
        )
        company.customer_base_contact_user_id = cls.fallback

    def test_one_rule_names_each_reason(self):
        users = self.seller | self.clerk | self.archived | self.elsewhere
        unfit = users._customer_base_unfit(self.company)
        self.assertEqual(unfit["no_sales"], self.clerk, "no Sales rights")
        self.assertEqual(unfit["archived"], self.archived, "archived")
        self.assertEqual(unfit["elsewhere"], self.elsewhere, "works for another company")
        self.assertEqual(users._customer_base_fit(self.company), self.seller, "only the active salesperson here")
        message = users._customer_base_unfit_message(self.company)
        self.assertIn("have no Sales rights: hio_clerk", message, "the message names each")
        self.assertIsNone(self.seller._customer_base_unfit_message(self.company), "nothing to say of a fit user")

    def test_service_policy_never_assigns_a_user_without_sales_rights(self):
        due = pd.DataFrame(
            {
                "user_id": [self.seller.id, self.clerk.id, self.archived.id],
                "key_account_manager_id": [None, None, None],
                "is_key_account": [False, False, False],
            },
            index=[1, 2, 3],
        )
        assignees = self.env["sale.customer.contact.engine"]._assignees(self.company, due)
        self.assertEqual(
            assignees,
            [self.seller.id, self.fallback.id, self.fallback.id],
            "the clerk without Sales rights and the archived user give way to the fallback user, as in the wizards",
        )


@tagged("post_install", "-at_install")
class TestOpenQuotation(CustomerBaseCommon):
    def test_one_definition_of_the_open_quotation(self):
        today = datetime.date.today()
        draft = self.order(self.customer, today, 100.0, state="draft")
        sent = self.order(self.other, today, 100.0, state="sent")
        self.order(self.customer, today, 100.0, state="cancel")
        self.order(self.customer, today, 100.0)  # confirmed
        Engine = self.env["sale.customer.base.engine"]

        def orders(**kwargs):
            query = Engine._open_quotations_sql(self.company, **kwargs)
            return {row[0] for row in self.env.execute_query(SQL("SELECT order_id FROM (%s) AS q", query))}

        self.assertEqual(orders(), {draft.id, sent.id}, "neither confirmed nor cancelled")
        self.assertEqual(orders(sent_only=True), {sent.id}, "an offer the customer holds")
        self.assertEqual(orders(partner_ids=[self.customer.id]), {draft.id}, "of the chosen customers")
        prospects = Engine._prospects(self.company)
        self.assertEqual(set(prospects), {self.customer.id, self.other.id}, "the engine's prospects read the same")


@tagged("post_install", "-at_install")
class TestWinBackWithoutWizard(CustomerBaseCommon):
    def test_search_and_launch_are_the_models(self):
        today = datetime.date.today()
        for days in (700, 600, 500, 400):
            self.order(self.customer, today - datetime.timedelta(days=days), 250.0)
        self.order(self.other, today - datetime.timedelta(days=5), 100.0)
        self.env["sale.customer.base.engine"].recompute_customer_base()
        Attempt = self.env["sale.customer.reactivation"].with_company(self.company)
        found = Attempt._winback_candidates(self.company, {"use_lost": True})
        self.assertEqual(found, {self.customer.id: "lost"}, "the lost customer, found by the model alone")
        lost = Attempt._winback_revenue_lost(self.company, self.customer, found, 90)
        caller = new_test_user(
            self.env, "hio_caller", groups="sales_team.group_sale_salesman", company_id=self.company.id
        )
        self.assertEqual(lost, {self.customer.id: 1000.0}, "what its last year of orders brought")
        attempts = Attempt._launch_winback(
            self.company,
            [{"partner_id": self.customer.id, "user_id": caller.id, "rule": "lost", "revenue_lost": 1000.0}],
        )
        self.assertEqual(attempts.partner_id, self.customer, "one attempt")
        self.assertEqual((attempts.outcome, attempts.company_id), ("pending", self.company), "pending, in the company")
        self.assertEqual(
            Attempt._winback_pending_partners(self.company, [self.customer.id]), {self.customer.id}, "now pending"
        )


@tagged("post_install", "-at_install")
class TestCampaignWithoutWizard(CustomerBaseCommon):
    def test_customers_and_launch_are_the_models(self):
        today = datetime.date.today()
        for days in (200, 100, 10):
            self.order(self.customer, today - datetime.timedelta(days=days), 300.0)
        self.env["sale.customer.base.engine"].recompute_customer_base()
        Campaign = self.env["sale.customer.campaign"].with_company(self.company)
        stage = self.customer.with_company(self.company).customer_stage
        found = Campaign._campaign_customers(self.company, {"stages": [stage]})
        self.assertEqual(found, self.customer, "the customer of that stage, found by the model alone")
        self.assertFalse(
            Campaign._campaign_customers(self.company, {"stages": [stage], "silent_days": 30}),
            "an order 10 days ago: not silent for 30 days",
        )
        seller = new_test_user(
            self.env, "hio_seller2", groups="sales_team.group_sale_salesman", company_id=self.company.id
        )
        campaign = Campaign._launch_campaign(
            {
                "name": "Spring check",
                "company_id": self.company.id,
                "user_id": seller.id,
                "date_deadline": today,
                "date_end": today + datetime.timedelta(days=60),
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
            },
            [{"partner_id": self.customer.id, "user_id": seller.id, "revenue": 300.0}],
        )
        self.assertEqual(campaign.line_ids.partner_id, self.customer, "one task")
        self.assertIn("1 customers over 1 users", campaign.message_ids[:1].body, "the chatter says what was launched")


@tagged("post_install", "-at_install")
class TestKeyAccountsPerManager(CustomerBaseCommon):
    def test_one_count_of_a_managers_key_accounts(self):
        manager = new_test_user(
            self.env, "hio_kam", groups="sales_team.group_sale_salesman", company_id=self.company.id
        )
        self.company.customer_base_max_key_accounts = 1
        third = self.env["res.partner"].create({"name": "Third Account", "is_company": True})
        for partner in (self.customer, self.other, third):
            self.order(partner, datetime.date.today(), 100.0)
        for partner in (self.customer, self.other):
            partner.with_company(self.company).write(
                {"key_account_reason": "reference", "key_account_manager_id": manager.id}
            )
        self.env["sale.customer.base.engine"].recompute_customer_base()
        Plans = self.env["sale.customer.key.account"].with_company(self.company)
        self.assertEqual(Plans._key_accounts_with(self.company, manager), 2, "two key accounts")
        plan = Plans.search([("partner_id", "=", self.customer.id), ("company_id", "=", self.company.id)])
        self.assertEqual(plan._managed_key_accounts(), 2, "the plan counts itself once")
        report = self.env["sale.customer.key.account.manager"].search(
            [("manager_id", "=", manager.id), ("company_id", "=", self.company.id)]
        )
        self.assertEqual((report.key_account_count, report.over_limit), (2, True), "the report reads the same")
        rows = self.env["sale.customer.base.report"].search(
            [("key_account_manager_id", "=", manager.id), ("company_id", "=", self.company.id)]
        )
        self.assertTrue(rows and all(rows.mapped("is_manager_over_limit")), "and the customer base report")
        third = third.with_company(self.company)
        draft = third.new({"key_account_manager_id": manager.id}, origin=third)
        warning = draft._onchange_key_account_manager_id()
        self.assertTrue(third.is_key_account, "a third of the revenue: a key account by its share")
        self.assertIn("would manage 3 key accounts", warning["warning"]["message"], "the customer's form counts it")
        self.assertEqual(
            Plans._key_accounts_with(self.company, manager, third, third.is_key_account), 3, "as the plans count"
        )
        self.assertEqual(
            Plans._key_accounts_with(self.company, manager, self.customer, True), 2, "a managed one counts once"
        )


@tagged("post_install", "-at_install")
class TestOneVocabulary(CustomerBaseCommon):
    def test_the_selections_are_the_packages_words(self):
        from ..analytics import vocabulary

        expected = {
            ("sale.customer.metrics", "customer_stage"): vocabulary.STAGE_LABELS,
            ("sale.customer.metrics", "abc_class"): vocabulary.ABC_CLASS_LABELS,
            ("sale.customer.metrics", "xyz_class"): vocabulary.XYZ_CLASS_LABELS,
            ("sale.customer.metrics", "customer_segment"): vocabulary.ABC_XYZ_SEGMENT_LABELS,
            ("sale.customer.metrics", "dependency_risk"): vocabulary.DEPENDENCY_RISK_LABELS,
            ("sale.customer.metrics", "ltv_basis"): vocabulary.LTV_BASIS_LABELS,
            ("sale.customer.metrics", "rfm_segment"): vocabulary.RFM_SEGMENT_LABELS,
            ("sale.customer.metrics", "customer_temperature"): vocabulary.TEMPERATURE_LABELS,
            ("sale.customer.metrics", "temperature_alert"): vocabulary.TEMPERATURE_ALERT_LABELS,
            ("sale.customer.metrics", "customer_stage_cause"): vocabulary.STAGE_CAUSE_LABELS,
            ("crm.lead", "readiness"): vocabulary.READINESS_LABELS,
            ("sale.customer.service.rule", "channel"): vocabulary.CONTACT_CHANNEL_LABELS,
        }
        for (model, fname), labels in expected.items():
            self.assertEqual(
                self.env[model]._fields[fname].selection, list(labels.items()), f"{model}.{fname}: the vocabulary's"
            )


@tagged("post_install", "-at_install")
class TestImportDirection(CustomerBaseCommon):
    def test_models_never_reach_back_to_wizards_or_reports(self):
        """Imports keep one direction: wizards and reports -> models -> the pure package."""
        import pathlib
        import re

        root = pathlib.Path(__file__).resolve().parents[1]
        # the models defined in wizards/ and reports/, by their files
        upper = {
            name
            for folder in ("wizards", "reports")
            for path in (root / folder).glob("*.py")
            for name in re.findall(r'^\s*_name = "([\w.]+)"', path.read_text(), re.MULTILINE)
        }
        self.assertIn("sale.customer.reactivation.wizard", upper, "the wizards are found")
        backwards = []
        for path in sorted((root / "models").glob("*.py")):
            text = path.read_text()
            if re.search(r"from \.\.(wizards|reports)", text):
                backwards.append(f"{path.name}: imports wizards or reports")
            for name in re.findall(r"env\[\"([\w.]+)\"\]", text):
                if name in upper:
                    backwards.append(f"{path.name}: uses {name}")
        for path in sorted((root / "analytics").rglob("*.py")):
            if re.search(r"^\s*(from|import) (odoo|\.\.(models|wizards|reports))", path.read_text(), re.MULTILINE):
                backwards.append(f"{path.relative_to(root)}: imports the addon or odoo")
        self.assertFalse(backwards, "nothing reaches back up")


@tagged("post_install", "-at_install")
class TestWorkbookWithoutWizard(CustomerBaseCommon):
    def test_the_workbook_data_is_the_reports(self):
        today = datetime.date.today()
        for days in (300, 30):
            self.order(self.customer, today - datetime.timedelta(days=days), 400.0)
        self.env["sale.customer.base.engine"].recompute_customer_base()
        data = self.env["sale.customer.base.workbook"]._workbook_data(
            self.company, today - datetime.timedelta(days=365), today, []
        )
        customers = data.customers.set_index("partner_id")
        self.assertEqual(customers.loc[self.customer.id, "order_count"], 2, "the customer's orders, without a wizard")
        self.assertEqual(data.company, self.company.name, "of the company asked for")
