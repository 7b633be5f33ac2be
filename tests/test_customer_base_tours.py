"""The screens in a real browser: what a salesperson and a manager click every day.

The tours themselves are in ``static/tests/tours/sale_customer_base_tours.js``; each
test here makes the data, runs one tour as the user it is written for, and checks
in the database what the clicks did.
"""

import datetime

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestCustomerBaseTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the users' own company: the web client opens in it
        cls.company = cls.env.ref("base.main_company")
        cls.seller = new_test_user(
            cls.env,
            "cb_tour_seller",
            name="Tour Seller",
            groups="sales_team.group_sale_salesman,base.group_partner_manager",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.manager = new_test_user(
            cls.env,
            "cb_tour_manager",
            name="Tour Manager",
            groups="sales_team.group_sale_manager,base.group_partner_manager",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Tour Consulting Day", "type": "service", "list_price": 100.0, "standard_price": 60.0}
        )
        Partner = cls.env["res.partner"]
        cls.regular = Partner.create({"name": "Tour Regular Customer", "is_company": True, "user_id": cls.seller.id})
        cls.lost = Partner.create({"name": "Tour Lost Customer", "is_company": True, "user_id": cls.seller.id})
        today = fields.Date.today()
        cls._order(cls.regular, today - datetime.timedelta(days=40))
        cls._order(cls.regular, today - datetime.timedelta(days=10))
        cls._order(cls.lost, today - datetime.timedelta(days=500))
        cls.env["sale.customer.base.engine"].recompute_customer_base()

    @classmethod
    def _order(cls, partner, day):
        cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "user_id": cls.seller.id,
                "date_order": fields.Datetime.to_datetime(day) + datetime.timedelta(hours=10),
                "state": "sale",
                "order_line": [
                    Command.create({"product_id": cls.product.id, "price_unit": 100.0, "product_uom_qty": 1})
                ],
            }
        )

    def test_salesperson_reads_the_customer_base_tab(self):
        self.assertEqual(self.regular.with_company(self.company).customer_stage, "repeat")
        self.start_tour(
            f"/odoo/res.partner/{self.regular.id}", "sale_customer_base_salesperson_tab", login="cb_tour_seller"
        )

    def test_manager_wins_back_a_lost_customer(self):
        self.start_tour(
            "/odoo/action-sale_customer_base.sale_customer_reactivation_wizard_action",
            "sale_customer_base_winback",
            login="cb_tour_manager",
        )
        attempt = self.env["sale.customer.reactivation"].search([("partner_id", "=", self.lost.id)])
        self.assertEqual(len(attempt), 1, "one attempt for the lost customer")
        self.assertEqual(attempt.user_id, self.seller, "the customer's salesperson calls")
        self.assertFalse(
            self.env["sale.customer.reactivation"].search([("partner_id", "=", self.regular.id)]),
            "the active customer is left alone",
        )

    def test_manager_launches_a_campaign(self):
        self.start_tour(
            "/odoo/action-sale_customer_base.sale_customer_campaign_wizard_action",
            "sale_customer_base_campaign",
            login="cb_tour_manager",
        )
        campaign = self.env["sale.customer.campaign"].search([("name", "=", "Tour autumn calls")])
        self.assertEqual(len(campaign), 1)
        self.assertEqual(set(campaign.line_ids.partner_id.ids), {self.regular.id, self.lost.id})
        self.assertEqual(campaign.line_ids.user_id, self.seller)

    def test_manager_exports_the_workbook(self):
        self.start_tour(
            "/odoo/action-sale_customer_base.sale_customer_base_export_action",
            "sale_customer_base_export",
            login="cb_tour_manager",
        )
        export = self.env["sale.customer.base.export"].search([("create_uid", "=", self.manager.id)])
        self.assertEqual(len(export), 1)
        self.assertTrue(export.file_name.endswith(".xlsx"))
        self.assertTrue(export.file, "the workbook was built")

    @mute_logger("odoo.http")  # the refused value is logged as the user error it is
    def test_settings_refuse_a_bad_value_and_save_a_good_one(self):
        self.company.customer_base_lost_days = 365
        self.start_tour("/odoo/action-sale.action_sale_config_settings", "sale_customer_base_settings", login="admin")
        self.assertEqual(self.company.customer_base_lost_days, 400)
