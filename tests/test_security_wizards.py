"""Who may see and drive the wizards, the exports, the win-back attempts and the campaigns.

Two companies: Alice and Bob sell in company A (own documents only), the boss
manages A and B, Carl manages B only.
"""

import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
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
        cls.env["res.partner"].sudo().with_company(cls.company)._recompute_customer_base_company(cls.company)

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
                        binary = self.env["ir.binary"].with_user(user).with_context(other.env.context)
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
        with self.assertRaises(AccessError, msg="nobody adds a candidate to another user's search"):
            self.env["sale.customer.reactivation.wizard.line"].with_user(self.alice).create(
                {"wizard_id": winback.id, "partner_id": self.customer.id}
            )
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
