"""The customer's figures in their own table (issue 22): who reads the rows, who writes them,
what the calendar changes and what a second run knows.

Visibility comes from the record rules of ``sale.customer.metrics`` (company, and "own
documents" salespeople: their customers) and its field groups: no per-field code, so the tests
walk every field of the model rather than a list.
"""

import datetime

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CustomerBaseCommon

SALESPERSON = "sales_team.group_sale_salesman"


@tagged("post_install", "-at_install")
class TestCustomerMetricsTable(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.anna = new_test_user(cls.env, "metrics_anna", groups=SALESPERSON, company_id=cls.company.id)
        cls.boris = new_test_user(cls.env, "metrics_boris", groups=SALESPERSON, company_id=cls.company.id)
        cls.manager = new_test_user(
            cls.env, "metrics_manager", groups="sales_team.group_sale_manager", company_id=cls.company.id
        )
        cls.customer.user_id = cls.anna
        cls.other.user_id = cls.boris
        today = datetime.date.today()
        for partner, amount in ((cls.customer, 300.0), (cls.other, 700.0)):
            for days in (120, 60, 10):
                cls.order(partner, today - datetime.timedelta(days=days), amount)
        # a second company and its own customer
        cls.company_b = cls.env["res.company"].create({"name": "Metrics Company B"})
        cls.env.user.company_ids |= cls.company_b
        cls.customer_b = cls.env["res.partner"].create({"name": "Only in B", "is_company": True})
        cls.order(cls.customer_b, today - datetime.timedelta(days=5), 50.0, company=cls.company_b)
        cls.env["sale.customer.base.engine"].recompute_customer_base()
        cls.Metrics = cls.env["sale.customer.metrics"].sudo()

    def _rows(self, user, company=None):
        company = company or self.company
        return self.env["sale.customer.metrics"].with_user(user).with_context(allowed_company_ids=company.ids)

    def test_one_row_per_company_and_customer(self):
        rows = self.Metrics.search([("partner_id", "in", (self.customer | self.other | self.customer_b).ids)])
        self.assertEqual(
            sorted((row.company_id.name, row.partner_id.name) for row in rows),
            [
                ("Customer Base Test Company", "Acme Customer"),
                ("Customer Base Test Company", "Other Customer"),
                ("Metrics Company B", "Only in B"),
            ],
            "a row per company where the customer bought, none for its contacts",
        )
        self.assertEqual(rows.filtered(lambda row: row.partner_id == self.customer).user_id, self.anna)
        self.assertEqual(self.customer.with_company(self.company).customer_metrics_id.partner_id, self.customer)
        self.assertEqual(
            self.contact.with_company(self.company).customer_order_count, 3, "a contact shows its company's row"
        )

    def test_rows_of_another_company_are_invisible_on_every_path(self):
        row_b = self.Metrics.search([("partner_id", "=", self.customer_b.id)])
        Rows = self._rows(self.manager)  # a manager of the first company only
        self.assertFalse(Rows.search([("partner_id", "=", self.customer_b.id)]), "search")
        self.assertFalse(Rows._read_group([("partner_id", "=", self.customer_b.id)], [], ["__count"])[0][0], "group")
        with self.assertRaises(AccessError):
            Rows.browse(row_b.id).read(["revenue_to_date"])
        partner = self.customer_b.with_user(self.manager).with_company(self.company)
        self.assertFalse(partner.customer_stage, "the partner shows the current company's row only")
        report = self.env["sale.customer.base.report"].with_user(self.manager)
        self.assertFalse(report.search([("partner_id", "=", self.customer_b.id)]), "the analysis neither")

    def test_a_colleagues_customer_row_is_invisible_field_by_field(self):
        mine = self.Metrics.search([("partner_id", "=", self.customer.id), ("company_id", "=", self.company.id)])
        theirs = self.Metrics.search([("partner_id", "=", self.other.id), ("company_id", "=", self.company.id)])
        Rows = self._rows(self.anna)
        self.assertEqual(Rows.search([("partner_id", "in", (self.customer | self.other).ids)]), mine)
        readable = [name for name, field in Rows._fields.items() if field.is_accessible(Rows.env)]
        self.assertIn("revenue_to_date", readable)
        self.assertNotIn("ltv", readable, "money figures are for managers (field groups)")
        Rows.browse(mine.id).read(readable)
        with self.assertRaises(AccessError):
            Rows.browse(theirs.id).read(["partner_id"])
        partner = self.other.with_user(self.anna).with_company(self.company)
        hidden = [
            name
            for name, field in partner._fields.items()
            if field.related and field.related.startswith("customer_metrics_id.") and field.is_accessible(partner.env)
        ]
        self.assertGreater(len(hidden), 25, "every figure drawn from orders goes through the rule")
        self.assertTrue(self.other.with_company(self.company).sudo().revenue_to_date, "the manager's view has them")
        values = partner.read(hidden)[0]
        self.assertEqual({name for name in hidden if values[name]}, set(), "nothing of a colleague's customer")
        self.assertEqual(
            partner.customer_stage,
            self.other.with_company(self.company).sudo().customer_stage,
            "the stage stays visible to every salesperson",
        )
        self.assertTrue(partner.customer_stage)

    def test_nobody_writes_the_rows_by_hand(self):
        row = self.Metrics.search([("partner_id", "=", self.customer.id), ("company_id", "=", self.company.id)])
        for user in (self.anna, self.manager):
            Rows = self._rows(user)
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Rows.browse(row.id).write({"customer_stage": "advocate"})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Rows.create({"company_id": self.company.id, "partner_id": self.other.id})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Rows.browse(row.id).unlink()
        self.assertEqual(row.customer_stage, self.customer.with_company(self.company).sudo().customer_stage)
        self.assertNotEqual(row.customer_stage, "advocate")

    def test_days_are_counted_when_read(self):
        row = self.Metrics.search([("partner_id", "=", self.customer.id), ("company_id", "=", self.company.id)])
        today = fields.Date.context_today(row)
        self.assertEqual(row.last_order_date, today - datetime.timedelta(days=10))
        self.assertEqual(row.days_since_last_order, 10)
        Rows = self.Metrics.with_context(allowed_company_ids=self.company.ids)
        scope = [("company_id", "=", self.company.id), ("partner_id", "in", (self.customer | self.other).ids)]
        self.assertEqual(len(Rows.search([*scope, ("days_since_last_order", ">", 9)])), 2, "10 days > 9")
        self.assertFalse(Rows.search([*scope, ("days_since_last_order", ">", 10)]), "not > 10")
        self.assertEqual(len(Rows.search([*scope, ("days_since_last_order", "<=", 10)])), 2)
        # a day later, nothing rewritten: the count moves by itself
        tomorrow = today + datetime.timedelta(days=1)
        with self.patch_today(tomorrow):
            row.invalidate_recordset(["days_since_last_order"])
            self.assertEqual(row.days_since_last_order, 11, "one day more, read from the same stored date")

    def patch_today(self, day):
        from unittest.mock import patch

        return patch.object(fields.Date, "context_today", lambda *args, **kwargs: day)

    def test_a_second_run_of_the_day_knows_nothing_changed_and_a_new_order_is_seen(self):
        Engine = self.env["sale.customer.base.engine"].sudo().with_company(self.company)
        first = Engine._recompute_company(self.company)
        self.assertTrue(first["unchanged"], "nothing changed since the class's recompute")
        self.assertEqual(first["customers"], 2)
        notification = Engine._customer_base_recomputed_notification([dict(first, company="C", seconds=0)])
        self.assertIn("nothing changed", notification["params"]["message"])
        self.order(self.other, datetime.date.today(), 10.0, state="draft")  # a quotation is a change too
        second = Engine._recompute_company(self.company)
        self.assertFalse(second["unchanged"], "a new quotation: computed anew")
        self.company.customer_base_at_risk_days = self.company.customer_base_at_risk_days + 1
        self.assertFalse(Engine._recompute_company(self.company)["unchanged"], "a setting changed")

    def test_the_prediction_is_fitted_once_a_day(self):
        fitted = self.company.sudo().customer_base_prediction
        self.assertEqual(fitted.get("fitted_on"), str(fields.Date.context_today(self.company)))
        Engine = self.env["sale.customer.base.engine"].sudo().with_company(self.company)
        self.order(self.other, datetime.date.today(), 10.0)
        with self.patch_fit() as fit:
            Engine._recompute_company(self.company)
        self.assertFalse(fit.called, "the second run of the day scores with the morning's fit")
        settings = self.env["res.config.settings"].create({})
        with self.patch_fit() as fit:
            settings.with_user(self.manager).with_company(self.company).action_refit_customer_base_prediction()
        self.assertTrue(fit.called, "Refit now fits again")
        with self.assertRaises(AccessError):
            settings.with_user(self.anna).action_refit_customer_base_prediction()

    def patch_fit(self):
        from unittest.mock import patch

        from ..analytics import prediction

        return patch.object(prediction, "fit_bgnbd", wraps=prediction.fit_bgnbd)

    def test_order_confirmation_queues_the_follow_up_for_the_job(self):
        newcomer = self.env["res.partner"].create({"name": "First Time Buyer", "is_company": True})
        order = (
            self.env["sale.order"]
            .with_context(customer_base_refresh_now=False)
            .create(
                {
                    "partner_id": newcomer.id,
                    "company_id": self.company.id,
                    "order_line": [Command.create({"product_id": self.product.id, "price_unit": 10.0})],
                }
            )
        )
        order.with_context(customer_base_refresh_now=False).action_confirm()
        self.assertTrue(order.customer_followup_pending, "confirmed: a follow-up to plan")
        self.assertFalse(order._customer_followup_activities(), "none planned in the salesperson's request")
        self.env["sale.customer.base.refresh"]._cron_refresh()
        self.assertFalse(order.customer_followup_pending)
        self.assertEqual(len(order._customer_followup_activities()), 1, "planned by the job")

    def test_merging_two_customers_keeps_one_row_with_both_histories(self):
        twin = self.env["res.partner"].create({"name": "Acme Customer (duplicate)", "is_company": True})
        self.order(twin, datetime.date.today() - datetime.timedelta(days=3), 200.0)
        Engine = self.env["sale.customer.base.engine"].sudo().with_company(self.company)
        Engine._recompute_company(self.company)
        rows = self.Metrics.search(
            [("partner_id", "in", (self.customer | twin).ids), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(len(rows), 2, "two customers, two rows")
        self.env["base.partner.merge.automatic.wizard"]._merge((self.customer | twin).ids, self.customer)
        # the merge moves the orders in SQL: the next run sees the partners changed and recomputes
        summary = Engine._recompute_company(self.company)
        self.assertFalse(summary["unchanged"])
        row = self.Metrics.search([("partner_id", "=", self.customer.id), ("company_id", "=", self.company.id)])
        self.assertEqual(len(row), 1, "one row left for the merged customer")
        self.assertEqual(row.customer_order_count, 4, "its three orders and the duplicate's")
        self.assertFalse(self.Metrics.search([("partner_id", "=", twin.id)]), "none for the partner merged away")
