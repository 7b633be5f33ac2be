import base64
import datetime
import io

import numpy as np
import openpyxl

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..models.sale_customer_metrics import RFM_FADING
from .common import CustomerBaseCommon


def base_rows(customers=40, seed=32):
    """(customer index, days ago, amount) of a base drawn from BG/NBD: rhythms from weekly to yearly."""
    rng = np.random.default_rng(seed)
    rows = []
    for customer in range(customers):
        age = int(rng.integers(200, 700))
        rate = rng.gamma(1.5, 1 / 60)  # orders per day
        drop = rng.beta(1, 4)
        amount = float(round(rng.uniform(50, 500)))
        rows.append((customer, age, amount))
        while True:
            age -= max(1, int(rng.exponential(1 / rate)))
            if age <= 0:
                break
            rows.append((customer, age, round(amount * float(rng.uniform(0.8, 1.2)), 2)))
            if rng.random() < drop:
                break
    return rows


@tagged("post_install", "-at_install")
class TestCustomerPrediction(CustomerBaseCommon):
    """P(alive), expected orders, predicted revenue and CLV, RFM, and staging by probability."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Customer Base Prediction B"})
        cls.env.user.company_ids |= cls.company_b
        cls.base = cls.env["res.partner"].create(
            [{"name": f"Base customer {n}", "is_company": True} for n in range(40)]
        )
        # a yearly buyer, last seen 390 days ago, and a weekly buyer silent for 50 days
        cls.yearly = cls.env["res.partner"].create({"name": "Yearly Buyer", "is_company": True})
        cls.weekly = cls.env["res.partner"].create({"name": "Weekly Buyer", "is_company": True})
        rows = [(cls.base[c], age, amount) for c, age, amount in base_rows()]
        rows += [(cls.yearly, age, 300.0) for age in (390, 750, 1110, 1470)]
        rows += [(cls.weekly, 50 + 7 * k, 40.0) for k in range(20)]
        cls._orders(cls.company, rows)
        # company B: the same customers at twice the amounts
        cls._orders(cls.company_b, [(partner, age, 2 * amount) for partner, age, amount in rows])

    @classmethod
    def _orders(cls, company, rows):
        today = fields.Date.context_today(cls.env["res.partner"])
        cls.env["sale.order"].with_company(company).create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "state": "sale",
                    "date_order": fields.Datetime.to_datetime(today - datetime.timedelta(days=age))
                    + datetime.timedelta(hours=10),
                    "order_line": [
                        Command.create(
                            {
                                "product_id": cls.product.id,
                                "product_uom_qty": 1,
                                "price_unit": amount,
                                "purchase_price": amount * 0.75,
                                "tax_id": False,
                            }
                        )
                    ],
                }
                for partner, age, amount in rows
            ]
        )

    def _recompute(self, company):
        return self.env["sale.customer.base.engine"].with_company(company)._recompute_company(company)

    def test_every_customer_gets_a_prediction_in_each_company(self):
        self._recompute(self.company)
        self._recompute(self.company_b)
        customers = self.base | self.yearly | self.weekly
        in_a, in_b = customers.with_company(self.company), customers.with_company(self.company_b)
        for partner in in_a | in_b:
            self.assertTrue(0 < partner.customer_p_alive <= 1, f"{partner.name}: P(alive) {partner.customer_p_alive}")
            self.assertTrue(partner.rfm_segment and len(partner.rfm_score) == 3, f"{partner.name}: RFM filled")
        self.assertGreater(sum(in_a.mapped("predicted_revenue_12m")), 0, "revenue expected from the base")
        for partner_a, partner_b in zip(in_a, in_b, strict=True):
            self.assertAlmostEqual(partner_a.customer_p_alive, partner_b.customer_p_alive, 6, "same rhythm, same P")
            self.assertAlmostEqual(
                partner_b.predicted_revenue_12m, 2 * partner_a.predicted_revenue_12m, 2, "B's amounts are doubled"
            )
            self.assertAlmostEqual(
                partner_a.predicted_margin_12m,
                0.25 * partner_a.predicted_revenue_12m,
                delta=0.001 * partner_a.predicted_revenue_12m,
                msg="25 % margin (costs rounded to cents)",
            )
        weekly = self.weekly.with_company(self.company)
        self.assertGreater(weekly.expected_orders_365, weekly.expected_orders_90, "a year holds more orders")
        fit = self.company.customer_base_prediction["mbgnbd"]
        self.assertEqual(fit["customers"], 42, "the company's fit is kept for the refreshes")
        self.assertIn("Fitted on 42 customers", self.company.customer_base_prediction_note, "the settings say so")

    def test_days_mode_keeps_todays_stages(self):
        self._recompute(self.company)
        yearly = self.yearly.with_company(self.company)
        self.assertEqual(yearly.customer_stage, "lost", "390 days without order")
        weekly = self.weekly.with_company(self.company)
        self.assertEqual(weekly.customer_stage, "regular", "50 days: not yet at risk by days")
        self.assertFalse(weekly.customer_at_risk_reason, "no reason for a customer not at risk")
        # one story on the form: where the model reads the customer otherwise, it says why
        self.assertGreater(yearly.customer_p_alive, 0.5, "the model still expects the yearly order")
        self.assertIn("own rhythm", yearly.customer_prediction_note, "lost by days, alive for the model: explained")
        self.assertEqual(yearly.customer_stage_cause, "silence", "lost by the day rules")
        self.assertLess(weekly.customer_p_alive, 0.5, "the weekly buyer's silence is long for its rhythm")
        self.assertIn("silence is long", weekly.customer_prediction_note, "regular by days, leaving for the model")
        base = self.base.with_company(self.company).filtered(
            lambda partner: (
                partner.customer_stage not in ("at_risk", "lost")
                and partner.customer_p_alive >= 0.5
                and partner.rfm_segment not in RFM_FADING
            )
        )
        self.assertTrue(base, "customers the stage and the model agree on")
        self.assertFalse(any(base.mapped("customer_prediction_note")), "nothing to explain where they agree")
        fading = self.base.with_company(self.company).filtered(
            lambda partner: partner.customer_stage not in ("at_risk", "lost") and partner.rfm_segment in RFM_FADING
        )
        self.assertTrue(fading, "active customers RFM ranks low next to the others")
        for partner in fading:
            self.assertIn("RFM ranks it against the other customers", partner.customer_prediction_note, partner.name)

    def test_an_untested_fit_shows_no_probability_and_says_why(self):
        """A base of half a year: the model is fitted but cannot be tested on the last half year."""
        company = self.env["res.company"].create({"name": "Customer Base Young Company"})
        self.env.user.company_ids |= company
        rows = [(self.base[c], age // 4, amount) for c, age, amount in base_rows()]  # all within 175 days
        self._orders(company, rows)
        self._recompute(company)
        stored = company.customer_base_prediction
        self.assertTrue(stored["mbgnbd"].get("r"), "the model could be fitted")
        self.assertEqual(stored["check"]["code"], "short_history", "but not tested: half a year of orders")
        partner = self.base.with_company(company).filtered("customer_order_count")[:1]
        self.assertFalse(partner.customer_p_alive, "no probability the model cannot back")
        self.assertFalse(partner.predicted_clv, "nor a predicted value")
        self.assertIn("No probability shown", partner.customer_prediction_note, "the customer's tab says why")
        self.assertIn("less than a year", company.customer_base_prediction_note, "and the settings")
        action = self.env.ref("sale_customer_base.sale_customer_metrics_action_slipping")
        Metrics = self.env["sale.customer.metrics"].with_company(company)
        self.assertFalse(
            Metrics.search([*eval(action.domain), ("company_id", "=", company.id)]), "nobody ranked without a model"
        )

    def test_probability_mode_follows_each_customers_rhythm(self):
        self.company.customer_base_stage_method = "probability"
        self._recompute(self.company)
        yearly, weekly = self.yearly.with_company(self.company), self.weekly.with_company(self.company)
        self.assertGreater(yearly.customer_p_alive, 0.5, "a yearly buyer a month late is probably still there")
        self.assertEqual(yearly.customer_stage, "regular", "neither at risk nor lost")
        self.assertLess(weekly.customer_p_alive, 0.5, "a weekly buyer silent 7 weeks may be leaving")
        self.assertEqual(weekly.customer_stage, "at_risk", "at risk below 50 %")
        self.assertIn("Bought every ~7 days, silent for 50 days", weekly.customer_at_risk_reason, "the reason shown")
        self.assertIn("likely still active", weekly.customer_at_risk_reason, "with the probability")
        # company B still stages by days
        self._recompute(self.company_b)
        self.assertEqual(self.yearly.with_company(self.company_b).customer_stage, "lost", "B keeps its day rules")

    def test_an_order_refreshes_the_prediction_with_the_companys_fit(self):
        self._recompute(self.company)
        weekly = self.weekly.with_company(self.company)
        before = weekly.customer_p_alive
        self.order(self.weekly, fields.Date.context_today(weekly), 40.0, cost=30.0)
        weekly.invalidate_recordset()
        self.assertGreater(weekly.customer_p_alive, before, "an order today: surely still a customer")
        self.assertGreater(weekly.customer_p_alive, 0.9, "scored with the last fit, not left empty")

    def test_a_salespersons_order_refreshes_the_prediction(self):
        self._recompute(self.company)
        salesperson = new_test_user(
            self.env,
            "cb16_sales_order",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        order = (
            self.env["sale.order"]
            .with_user(salesperson)
            .with_company(self.company)
            .create(
                {
                    "partner_id": self.weekly.id,
                    "user_id": salesperson.id,
                    "order_line": [
                        Command.create({"product_id": self.product.id, "price_unit": 40.0, "tax_id": False})
                    ],
                }
            )
        )
        order.action_confirm()  # the company's fit is a manager's field: read for her by the engine
        weekly = self.weekly.with_company(self.company)
        weekly.invalidate_recordset()
        self.assertGreater(weekly.customer_p_alive, 0.9, "her order makes the weekly buyer surely active again")
        with self.assertRaises(AccessError, msg="the fitted parameters are for managers"):
            self.company.with_user(salesperson).read(["customer_base_prediction"])

    def test_too_few_customers_give_no_prediction_and_say_why(self):
        company = self.env["res.company"].create({"name": "Customer Base Tiny"})
        self.env.user.company_ids |= company
        self._orders(company, [(self.other, 30, 100.0), (self.other, 10, 100.0)])
        self._recompute(company)
        other = self.other.with_company(company)
        self.assertFalse(other.customer_p_alive, "no model for one customer")
        self.assertEqual(other.customer_stage, "repeat", "the day rules still stage it")
        self.assertEqual(other.rfm_score, "111", "RFM needs no model: alone, nobody is worse")
        self.assertIn("No prediction: 1 customers", company.customer_base_prediction_note, "the reason")

    def test_salespeople_see_the_probability_not_the_predicted_money(self):
        self._recompute(self.company)
        salesperson = new_test_user(
            self.env, "cb16_sales", groups="sales_team.group_sale_salesman_all_leads", company_id=self.company.id
        )
        weekly = self.weekly.with_user(salesperson).with_company(self.company)
        self.assertTrue(weekly.customer_p_alive, "the probability helps every salesperson")
        self.assertTrue(weekly.rfm_segment, "and the RFM segment")
        for fname in ("predicted_revenue_12m", "predicted_margin_12m", "predicted_clv"):
            with self.assertRaises(AccessError, msg=f"{fname} is for managers"):
                weekly.read([fname])
        with self.assertRaises(AccessError, msg="nor by a search"):
            self.env["res.partner"].with_user(salesperson).search([("predicted_clv", ">", 0)])

    def test_own_documents_salesperson_sees_expected_orders_of_her_customers_only(self):
        self._recompute(self.company)
        salesperson = new_test_user(
            self.env,
            "cb16_sales_own",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.weekly.user_id = salesperson
        self.env.flush_all()  # the visibility is decided in SQL
        weekly, yearly = (self.weekly | self.yearly).with_user(salesperson).with_company(self.company)
        self.assertGreater(weekly.expected_orders_365, 0, "her customer's expected orders")
        self.assertFalse(yearly.expected_orders_365, "a colleague's customer's rhythm stays hidden")
        self.assertFalse(yearly.customer_p_alive, "nor the probability drawn from its orders")
        self.assertTrue(yearly.customer_stage, "the stage helps every salesperson")

    def test_engine_values_cannot_be_forged(self):
        self._recompute(self.company)
        weekly = self.weekly.with_company(self.company)
        before = weekly.customer_p_alive
        weekly.write({"customer_p_alive": 0.01, "rfm_segment": "champions"})
        weekly.invalidate_recordset()
        self.assertEqual(weekly.customer_p_alive, before, "written by the engine only")

    def test_probability_thresholds_must_rise(self):
        with self.assertRaises(ValidationError):
            self.company.write({"customer_base_lost_probability": 60.0, "customer_base_at_risk_probability": 50.0})
        with self.assertRaises(ValidationError):
            self.company.customer_base_clv_discount = 150.0

    def test_forecast_report_sums_by_segment_and_salesperson(self):
        self._recompute(self.company)
        # Customer Forecast: the rows of figures of the company
        Metrics = self.env["sale.customer.metrics"].with_company(self.company)
        domain = [("customer_p_alive", ">", 0), ("company_id", "=", self.company.id)]
        groups = Metrics._read_group(domain, ["rfm_segment"], ["predicted_revenue_12m:sum", "__count"])
        customers = Metrics.search(domain)
        self.assertEqual(sum(count for _segment, _total, count in groups), len(customers), "every customer once")
        self.assertAlmostEqual(
            sum(total for _segment, total, _count in groups),
            sum(customers.mapped("predicted_revenue_12m")),
            2,
            "the segments add up to the base's predicted revenue",
        )
        action = self.env.ref("sale_customer_base.sale_customer_metrics_action_slipping")
        slipping = Metrics.search(eval(action.domain), order="customer_value_at_risk desc")
        self.assertIn(self.weekly, slipping.partner_id, "the weekly buyer silent 7 weeks is slipping away")
        for row in slipping:
            self.assertTrue(
                row.customer_stage in ("at_risk", "lost") or row.customer_p_alive < 0.5,
                f"{row.partner_id.name}: at risk, lost or below 50 %",
            )
            self.assertAlmostEqual(
                row.customer_value_at_risk,
                row.predicted_clv / row.customer_p_alive * (1 - row.customer_p_alive),
                delta=1e-4 * row.customer_value_at_risk + 0.01,
                msg="the CLV it would bring if still active, times the chance it stopped",
            )

    def _export(self, user=None, **values):
        Export = self.env["sale.customer.base.export"]
        if user:
            Export = Export.with_user(user)
        today = fields.Date.context_today(Export)
        wizard = Export.with_company(self.company).create(
            {
                "date_from": today - datetime.timedelta(days=365),
                "company_ids": [Command.set(self.company.ids)],
                **values,
            }
        )
        wizard.action_export()
        return openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file)))

    def test_workbook_columns_and_forecast_sheet(self):
        self._recompute(self.company)
        today = fields.Date.context_today(self.env["res.partner"])
        workbook = self._export(calibration_date=today - datetime.timedelta(days=120))
        self.assertEqual(workbook.sheetnames[-1], "Forecast", "a Forecast sheet when a calibration date is given")
        sheet = workbook["Forecast"]
        labels = [row[0] for row in sheet.iter_rows(values_only=True)]
        self.assertIn("total", labels, "the holdout table with its total row")
        headers = [cell.value for cell in workbook["Customers"][1]]
        for header in ("Probability still active", "Predicted CLV (model)", "RFM segment"):
            self.assertIn(header, headers, f"column {header} for a manager")
        self.assertNotIn("Forecast", self._export().sheetnames, "no calibration date, no Forecast sheet")
        with self.assertRaises(UserError):
            self._export(calibration_date=today - datetime.timedelta(days=5000))

    def test_workbook_hides_predicted_money_from_salespeople(self):
        self._recompute(self.company)
        salesperson = new_test_user(
            self.env,
            "cb16_sales_export",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        headers = [cell.value for cell in self._export(user=salesperson)["Customers"][1]]
        self.assertIn("Probability still active", headers, "the probability is theirs")
        for header in ("Predicted revenue, 12 months", "Predicted margin, 12 months", "Predicted CLV (model)"):
            self.assertNotIn(header, headers, f"{header} is for managers")
