import datetime

from odoo import Command, fields
from odoo.tests import tagged

from .common import CustomerBaseCommon


@tagged("post_install", "-at_install")
class TestEngineBatchCost(CustomerBaseCommon):
    """The engine's cost in queries does not grow with the number of customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warm, cls.small, cls.big = cls.env["res.company"].create(
            [{"name": f"Customer Base {size} Company"} for size in ("Warm-up", "Small", "Big")]
        )
        cls.env.user.company_ids |= cls.warm | cls.small | cls.big
        # every small customer makes 10 % of revenue: none is a key account here, so that both companies
        # compare the engine alone (key account plans have their own cost test, test_key_accounts.py)
        (cls.warm | cls.small | cls.big).customer_base_key_account_percent = 100.0
        cls._customers(cls.warm, 10)
        cls.small_customers = cls._customers(cls.small, 10)
        cls.big_customers = cls._customers(cls.big, 200)

    @classmethod
    def _customers(cls, company, count):
        partners = cls.env["res.partner"].create(
            [{"name": f"{company.name} customer {n}", "is_company": True} for n in range(count)]
        )
        today = datetime.date.today()
        cls.env["sale.order"].with_company(company).create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "state": "sale",
                    "date_order": fields.Datetime.to_datetime(today - datetime.timedelta(days=age)),
                    "order_line": [
                        Command.create(
                            {"product_id": cls.product.id, "product_uom_qty": 1, "price_unit": 100, "tax_id": False}
                        )
                    ],
                }
                for partner in partners
                for age in (90, 30)
            ]
        )
        return partners

    def test_recompute_of_a_company_costs_the_same_queries_for_10_or_200_customers(self):
        Engine = self.env["sale.customer.base.engine"]
        Engine.with_company(self.warm)._recompute_company(self.warm)  # caches filled, temporary table created
        small = self._queries(lambda: Engine.with_company(self.small)._recompute_company(self.small))
        big = self._queries(lambda: Engine.with_company(self.big)._recompute_company(self.big))
        self.assertEqual(
            self.big_customers[:1].with_company(self.big).customer_order_count, 2, "the big company is computed"
        )
        self.assertEqual(small, big, "as many queries for 200 customers as for 10")
        again = self._queries(lambda: Engine.with_company(self.big)._recompute_company(self.big))
        self.assertLessEqual(again, big, "nothing changed: nothing more to do")

    def test_refresh_costs_the_same_queries_for_10_or_200_customers(self):
        Engine = self.env["sale.customer.base.engine"]
        Engine.with_company(self.small)._recompute_company(self.small)
        Engine.with_company(self.big)._recompute_company(self.big)
        small = self._queries(lambda: Engine._refresh_customers(self.small, self.small_customers))
        big = self._queries(lambda: Engine._refresh_customers(self.big, self.big_customers))
        self.assertEqual(small, big, "one refresh of 200 customers costs the queries of 10")

    def test_a_second_recompute_writes_no_unchanged_customer(self):
        Engine = self.env["sale.customer.base.engine"].with_company(self.big)
        first = Engine._recompute_company(self.big)
        self.assertEqual(first["written"], 200, "every customer written the first time")
        second = Engine._recompute_company(self.big)
        self.assertEqual(second["written"], 0, "nothing changed, nothing written")
