from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import CustomerBaseCommon


@tagged("post_install", "-at_install")
class TestCustomerBaseSettings(CustomerBaseCommon):
    def test_defaults(self):
        settings = self.company._customer_base_settings()
        self.assertEqual((settings.abc_a_percent, settings.abc_b_percent), (80.0, 95.0), "ABC 80 / 95")
        self.assertEqual(settings.window_months, 12, "12-month window")
        self.assertEqual(settings.lifetime_months, 36.0, "36-month lifetime")

    def test_nonsense_settings_are_refused_naming_the_field(self):
        cases = [
            ({"customer_base_abc_a_percent": 96.0}, "Class A Up To"),
            ({"customer_base_abc_b_percent": 120.0}, "between 0.1 and 100"),
            ({"customer_base_window_months": 0}, "Analysis Window"),
            ({"customer_base_lost_days": -5}, "Lost After"),
            ({"customer_base_at_risk_days": -1}, "At Risk After At Least .* between 0 and 3650"),
            ({"customer_base_dependency_high": 60.0}, "High Dependency From"),
        ]
        for vals, message in cases:
            # the savepoint is left (rolled back) before the error is caught
            with self.subTest(vals=vals), self.assertRaisesRegex(ValidationError, message), self.env.cr.savepoint():
                self.company.write(vals)

    def test_settings_form_writes_the_company(self):
        form = Form(self.env["res.config.settings"])
        form.customer_base_window_months = 6
        form.customer_base_xyz_method = "stability"
        form.save().execute()
        self.assertEqual(self.company.customer_base_window_months, 6, "window saved on the company")
        self.assertEqual(self.company._customer_base_settings().xyz_method, "stability", "method used by the engine")
