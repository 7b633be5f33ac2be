import datetime

from odoo.exceptions import AccessError, UserError
from odoo.sql_db import db_connect
from odoo.tests import new_test_user, tagged

from .common import CustomerBaseCommon


@tagged("post_install", "-at_install")
class TestCustomerBaseJobs(CustomerBaseCommon):
    def _values(self, partners):
        return partners.read(
            ["customer_stage", "abc_class", "xyz_class", "ltv", "revenue_share", "customer_order_count"]
        )

    def test_cron_and_button_compute_the_same_values(self):
        today = datetime.date.today()
        for age, amount in ((200, 500.0), (100, 300.0), (20, 50.0)):
            self.order(self.customer, today - datetime.timedelta(days=age), amount)
        self.order(self.other, today - datetime.timedelta(days=5), 100.0)
        partners = self.customer | self.other
        self.env["sale.customer.base.engine"].recompute_customer_base()
        by_button = self._values(partners)
        self.env["res.partner"].invalidate_model()
        remaining = self.env["sale.customer.base.engine"]._cron_recompute()
        companies = self.env["res.company"].search_count([])
        self.assertEqual(remaining, companies - 1, "one company per call")
        while remaining:
            remaining = self.env["sale.customer.base.engine"]._cron_recompute()
        self.assertEqual(self._values(partners), by_button, "the nightly job gives the button's values")
        self.assertFalse(
            self.env["res.company"].search([("customer_base_pending", "=", True)]), "every company is done"
        )

    def test_second_recompute_of_a_company_is_refused(self):
        namespace = 418_202
        with db_connect(self.env.cr.dbname).cursor() as other_cr:
            other_cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", (namespace, self.company.id))
            with self.assertRaisesRegex(UserError, "being recomputed"):
                self.env["sale.customer.base.engine"].recompute_customer_base()

    def test_salesperson_sees_stage_but_not_value(self):
        self.order(self.customer, datetime.date.today(), 100.0)
        salesman = new_test_user(self.env, "cb_salesman", groups="sales_team.group_sale_salesman")
        manager = new_test_user(self.env, "cb_manager", groups="sales_team.group_sale_manager")
        customer = self.customer.with_user(salesman)
        self.assertEqual(customer.customer_stage, "new", "a salesperson sees the stage")
        with self.assertRaises(AccessError, msg="LTV is for managers"):
            customer.read(["ltv"])
        with self.assertRaises(AccessError, msg="recompute is for managers"):
            self.env["sale.customer.base.engine"].with_user(salesman).recompute_customer_base()
        self.assertEqual(self.customer.with_user(manager).read(["ltv"])[0]["ltv"], self.customer.ltv, "managers do")
        self.env["sale.customer.base.engine"].with_user(manager).recompute_customer_base()
