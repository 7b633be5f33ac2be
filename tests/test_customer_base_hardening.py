import datetime
import time
import urllib.parse
from types import SimpleNamespace as Namespace
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError, ValidationError
from odoo.sql_db import db_connect
from odoo.tests import Form, new_test_user, tagged

from .common import CustomerBaseCommon

LOGGER = "odoo.addons.sale_customer_base.models.sale_customer_base_engine"


@tagged("post_install", "-at_install")
class TestEngineValuesAndOwnFigures(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "sales_team.group_sale_salesman,base.group_partner_manager"
        cls.anna = new_test_user(cls.env, "cb_anna", groups=groups, company_id=cls.company.id)
        cls.boris = new_test_user(cls.env, "cb_boris", groups=groups, company_id=cls.company.id)
        cls.all_docs = new_test_user(
            cls.env, "cb_all_docs", groups="sales_team.group_sale_salesman_all_leads", company_id=cls.company.id
        )
        cls.customer.user_id = cls.anna
        cls.other.user_id = cls.boris
        today = datetime.date.today()
        for partner, user, amount in ((cls.customer, cls.anna, 300.0), (cls.other, cls.boris, 700.0)):
            order = cls.order(partner, today - datetime.timedelta(days=10), amount)
            order.user_id = user
        cls.env["sale.customer.base.engine"].recompute_customer_base()

    def test_people_cannot_forge_engine_values(self):
        customer = self.other.with_user(self.anna).with_company(self.company)
        before = self.other.read(["customer_stage", "abc_class", "is_key_account", "revenue_to_date"])[0]
        history = self.env["sale.customer.stage.history"].search_count([("partner_id", "=", self.other.id)])
        customer.write(
            {
                "customer_stage": "advocate",
                "abc_class": "c",
                "is_key_account": False,
                "revenue_to_date": 1_000_000.0,
                "comment": "still saved",
            }
        )
        self.env.invalidate_all()
        self.assertEqual(
            self.other.read(["customer_stage", "abc_class", "is_key_account", "revenue_to_date"])[0],
            before,
            "the engine's values are unchanged by a person's write",
        )
        self.assertEqual(self.other.comment, "<p>still saved</p>", "the rest of the write goes through")
        self.assertEqual(
            self.env["sale.customer.stage.history"].search_count([("partner_id", "=", self.other.id)]),
            history,
            "no forged stage change in the history",
        )
        created = self.env["res.partner"].with_user(self.anna).create({"name": "Forged", "customer_stage": "loyal"})
        self.assertFalse(created.sudo().customer_stage, "a new partner gets no stage from its creator")

    def test_own_documents_salesperson_sees_figures_of_her_customers_only(self):
        Partner = self.env["res.partner"].with_user(self.anna).with_company(self.company)
        mine, theirs = Partner.browse(self.customer.id), Partner.browse(self.other.id)
        self.assertEqual(mine.revenue_to_date, 300.0, "her customer's revenue")
        self.assertFalse(theirs.revenue_to_date, "not a colleague's customer's revenue")
        self.assertFalse(theirs.last_order_date, "nor its last order")
        self.assertEqual(theirs.customer_stage, "new", "the stage stays visible")
        found = Partner.search([("revenue_to_date", ">", 0), ("id", "in", (self.customer | self.other).ids)])
        self.assertEqual(found, mine, "searching on revenue finds only her customers")
        # sums are made on the rows of figures (the Customer Base views), under their record rules
        Metrics = self.env["sale.customer.metrics"].with_user(self.anna).with_company(self.company)
        groups = Metrics._read_group(
            [("partner_id", "in", (self.customer | self.other).ids)],
            [],
            ["revenue_to_date:sum", "customer_order_count:sum"],
        )
        self.assertEqual(groups, [(300.0, 1)], "sums count her customers only")
        self.assertEqual(Metrics.search([]).partner_id, self.customer, "she lists her customers' rows only")
        report = self.env["sale.customer.base.report"].with_user(self.anna).with_company(self.company)
        rows = report.search_read(
            [("partner_id", "in", (self.customer | self.other).ids)], ["partner_id", "revenue_to_date"]
        )
        revenue = {row["partner_id"][0]: row["revenue_to_date"] for row in rows}
        self.assertEqual(revenue, {self.customer.id: 300.0, self.other.id: 0.0}, "the report hides them too")
        # "all documents" salespeople see everything, and the cache does not mix users
        self.assertEqual(theirs.with_user(self.all_docs).revenue_to_date, 700.0, "all-documents salesperson")
        self.assertFalse(theirs.revenue_to_date, "still hidden from her after a colleague's read")

    def test_own_documents_workbook_has_no_figures_of_colleagues_customers(self):
        wizard = (
            self.env["sale.customer.base.export"]
            .with_user(self.anna)
            .with_company(self.company)
            .create({"company_ids": [Command.set(self.company.ids)]})
        )
        customers = wizard._workbook_data().customers.set_index("partner_id")
        self.assertEqual(customers.loc[self.customer.id, "revenue_total"], 300.0, "her customer's revenue")
        self.assertTrue(customers["revenue_total"].isna()[self.other.id], "no revenue of a colleague's customer")

    def test_key_account_manager_limit_counts_key_accounts_only(self):
        self.company.customer_base_max_key_accounts = 1
        Partner = self.env["res.partner"].with_company(self.company)
        plain = Partner.create({"name": "Not Key", "is_company": True})
        plain.key_account_manager_id = self.boris
        self.order(plain, datetime.date.today(), 50.0)
        self.env["sale.customer.base.engine"].recompute_customer_base()
        self.assertFalse(Partner.browse(plain.id).is_key_account, "not a key account: 50 of 1,050")
        candidate = Partner.browse(self.other.id)
        form_partner = candidate.new(origin=candidate)
        form_partner.key_account_manager_id = self.boris
        self.assertFalse(form_partner._onchange_key_account_manager_id(), "a customer that is not key does not count")
        plain.key_account_reason = "potential"  # now a key account
        self.assertTrue(Partner.browse(plain.id).is_key_account, "key by reason")
        self.assertIn("warning", form_partner._onchange_key_account_manager_id() or {}, "one key account held")


@tagged("post_install", "-at_install")
class TestSettingsAndNightlyJob(CustomerBaseCommon):
    def test_settings_form_checks_the_values_entered_together(self):
        form = Form(self.env["res.config.settings"])
        form.customer_base_abc_a_percent = 96.0
        form.customer_base_abc_b_percent = 99.0
        form.save()
        self.assertEqual(
            (self.company.customer_base_abc_a_percent, self.company.customer_base_abc_b_percent),
            (96.0, 99.0),
            "a valid pair is saved although A is above the old B",
        )
        form = Form(self.env["res.config.settings"])
        form.customer_base_abc_a_percent = 95.0
        form.customer_base_abc_b_percent = 80.0
        with self.assertRaisesRegex(
            ValidationError, r"Class A Up To \(% of revenue\) \(95.0\) must be below .*\(80.0\)"
        ):
            form.save()

    def test_settings_that_would_break_the_nightly_job_are_refused(self):
        cases = [
            ({"customer_base_window_months": 99_999}, "Analysis Window .* between 1 and 120"),
            ({"customer_base_lost_days": 999_999}, "Lost After .* between 1 and 3650"),
            ({"customer_base_winback_days": 9_999_999}, "Won Back When Ordering Within .* between 1 and 3650"),
            ({"customer_base_lifetime_months": float("nan")}, "Customer Lifetime"),
            (
                {"customer_base_lost_days": 30, "customer_base_at_risk_days": 60},
                r"At Risk After .*\(60\) must be below",
            ),
        ]
        for vals, message in cases:
            with self.subTest(vals=vals), self.assertRaisesRegex(ValidationError, message), self.env.cr.savepoint():
                self.company.write(vals)

    def test_nightly_job_skips_a_broken_company_and_recomputes_the_others(self):
        healthy = self.env["res.company"].create({"name": "Healthy Company"})
        self.order(self.customer, datetime.date.today(), 100.0, company=healthy)
        # a value written around the checks (SQL, an old module...)
        self.env.cr.execute(
            "UPDATE res_company SET customer_base_window_months = 99999 WHERE id = %s", [self.company.id]
        )
        self.env.invalidate_all()
        Engine = self.env["sale.customer.base.engine"]
        with self.assertLogs(LOGGER, "ERROR") as logs:
            remaining = Engine._cron_recompute()
            while remaining:
                remaining = Engine._cron_recompute()
        self.assertIn(self.company.name, "\n".join(logs.output), "the broken company is named in the log")
        self.assertFalse(
            self.env["res.company"].search_count([("customer_base_pending", "=", True)]),
            "no company is left pending to block the next nights",
        )
        self.assertEqual(
            self.customer.with_company(healthy).customer_order_count, 1, "the company after it is recomputed"
        )


@tagged("post_install", "-at_install")
class TestRecomputeAndOrdersConcurrently(CustomerBaseCommon):
    """Two real transactions: a recompute holding the customers' rows, and a salesperson confirming an order."""

    def setUp(self):
        super().setUp()
        self.dbname = self.env.cr.dbname
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            # the main company: a company created and committed here could not be removed cleanly
            self.company_id = env.ref("base.main_company").id
            env = env(context=dict(env.context, allowed_company_ids=[self.company_id]))
            product = env["product.product"].create({"name": "Concurrent Product", "list_price": 10.0})
            partner = env["res.partner"].create({"name": "Concurrent Customer", "is_company": True})
            self.product_id, self.partner_id = product.id, partner.id
            self._order(env).action_confirm()
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self._drop_committed_records)

    def _order(self, env):
        return env["sale.order"].create(
            {
                "partner_id": self.partner_id,
                "company_id": self.company_id,
                "order_line": [Command.create({"product_id": self.product_id, "price_unit": 10.0, "tax_id": False})],
            }
        )

    def _drop_committed_records(self):
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["sale.customer.base.refresh"].search([("company_id", "=", self.company_id)]).unlink()
            orders = env["sale.order"].search([("partner_id", "=", self.partner_id)])
            orders._action_cancel()
            orders.unlink()
            env["sale.customer.stage.history"].search([("partner_id", "=", self.partner_id)]).unlink()
            env["res.partner"].browse(self.partner_id).unlink()
            env["product.product"].browse(self.product_id).product_tmpl_id.unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True, "allowed_company_ids": [self.company_id]})

    def _recompute(self, env):
        company = env["res.company"].browse(self.company_id)
        Engine = env["sale.customer.base.engine"].with_company(company)
        return Engine._compute_company(company, company._customer_base_settings())

    def test_order_confirmed_while_recompute_holds_the_rows_neither_waits_nor_fails(self):
        with db_connect(self.dbname).cursor() as recompute_cr, db_connect(self.dbname).cursor() as order_cr:
            recompute_cr.connection.set_isolation_level(1)  # READ COMMITTED, as the real recompute
            self._recompute(self._env(recompute_cr))  # rows written, not committed
            order_cr.execute("SET lock_timeout = '10s'")
            started = time.monotonic()
            order = self._order(self._env(order_cr))
            order.action_confirm()
            waited = time.monotonic() - started
            queued = self._env(order_cr)["sale.customer.base.refresh"].search([("partner_id", "=", self.partner_id)])
            order_cr.commit()  # pylint: disable=invalid-commit
            recompute_cr.commit()  # pylint: disable=invalid-commit
        self.assertLess(waited, 5, "the confirmation did not wait for the recompute")
        self.assertTrue(queued, "the customer waits for a refresh")
        with db_connect(self.dbname).cursor() as cr:
            env = self._env(cr)
            env["sale.customer.base.engine"]._refresh_deferred()
            partner = env["res.partner"].with_company(self.company_id).browse(self.partner_id)
            self.assertEqual(partner.customer_order_count, 2, "the deferred refresh counts the new order")
            self.assertFalse(env["sale.customer.base.refresh"].search_count([("partner_id", "=", self.partner_id)]))
            cr.commit()  # pylint: disable=invalid-commit

    def test_recompute_after_an_order_committed_during_its_run_does_not_fail(self):
        with db_connect(self.dbname).cursor() as recompute_cr, db_connect(self.dbname).cursor() as order_cr:
            recompute_cr.connection.set_isolation_level(1)
            recompute_cr.execute("SELECT 1")  # the recompute's transaction has begun
            order = self._order(self._env(order_cr))
            order.action_confirm()  # refreshes the customer's row and commits first
            order_cr.commit()  # pylint: disable=invalid-commit
            summary = self._recompute(self._env(recompute_cr))
            recompute_cr.commit()  # pylint: disable=invalid-commit
        self.assertGreaterEqual(summary["customers"], 1, "the recompute went through")
        with db_connect(self.dbname).cursor() as cr:
            partner = self._env(cr)["res.partner"].with_company(self.company_id).browse(self.partner_id)
            self.assertEqual(partner.customer_order_count, 2, "both orders counted")


@tagged("post_install", "-at_install")
class TestExportPeriods(CustomerBaseCommon):
    def test_export_refuses_a_period_from_year_one(self):
        self.order(self.customer, datetime.date.today(), 100.0)
        self.env["sale.customer.base.engine"].recompute_customer_base()
        Export = self.env["sale.customer.base.export"]
        for start in (datetime.date(1, 1, 1), datetime.date(1950, 1, 1)):
            wizard = Export.create({"date_from": start, "date_to": datetime.date.today()})
            with self.subTest(start=start), self.assertRaisesRegex(UserError, "at most 50 years starting after 1900"):
                wizard.action_export()
            self.assertFalse(wizard.file, "nothing is produced")

    def test_download_says_it_is_a_workbook_and_logs_no_warning(self):
        self.order(self.customer, datetime.date.today(), 100.0)
        self.env["sale.customer.base.engine"].recompute_customer_base()
        wizard = self.env["sale.customer.base.export"].create({})
        action = wizard.action_export()
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(action["url"]).query))
        # /web/content's own code, outside a request: only its checksum asks the request's env
        with self.assertNoLogs("odoo.tools.mimetypes", "WARNING"), patch("odoo.http.request", Namespace(env=self.env)):
            stream = self.env["ir.binary"]._get_stream_from(
                wizard, params["field"], filename_field=params["filename_field"], mimetype=params.get("mimetype")
            )
        self.assertEqual(
            stream.mimetype, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "an Excel workbook"
        )
        self.assertTrue(stream.download_name.endswith(".xlsx"), "named as one")
