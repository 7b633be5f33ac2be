"""Who owns a customer is a fact a salesperson cannot write herself (issue 21, items 1, 3 and 9).

With ``sale_crm`` every salesperson may edit contacts: the fields that decide who sees a
customer's figures, plan and feedback change only through sales managers, and "her customers"
(the salesperson assigned by a manager, or a confirmed order of hers) is the one definition of
the figures, the plans, the feedback and the worklists.
"""

import datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from ..models.res_partner import ORDER_FIGURE_FIELDS
from .common import CustomerBaseCommon

# as with sale_crm installed: salespeople may write contacts
SALESPERSON = "sales_team.group_sale_salesman,base.group_partner_manager"


@tagged("post_install", "-at_install")
class TestOwnershipIsNotSelfDeclared(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.anna = new_test_user(cls.env, "own_anna", groups=SALESPERSON, company_id=cls.company.id)
        cls.boris = new_test_user(cls.env, "own_boris", groups=SALESPERSON, company_id=cls.company.id)
        cls.manager = new_test_user(
            cls.env, "own_manager", groups="sales_team.group_sale_manager", company_id=cls.company.id
        )
        cls.other.user_id = cls.boris
        cls.customer.user_id = cls.anna
        today = datetime.date.today()
        for partner, user, amount in ((cls.customer, cls.anna, 300.0), (cls.other, cls.boris, 700.0)):
            for days in (400, 200, 10):
                order = cls.order(partner, today - datetime.timedelta(days=days), amount)
                order.user_id = user
        cls.env["sale.customer.base.engine"].recompute_customer_base()
        # the recompute opens the plan of the key account (70 % of the revenue)
        cls.plan = cls.env["sale.customer.key.account"].search(
            [("partner_id", "=", cls.other.id), ("company_id", "=", cls.company.id)]
        )
        cls.plan.manager_id = cls.boris

    def _as(self, user, record):
        return record.with_user(user).with_company(self.company)

    def test_a_salesperson_cannot_make_herself_owner_of_a_colleagues_customer(self):
        theirs = self._as(self.anna, self.other)
        for vals in (
            {"user_id": self.anna.id},
            {"key_account_manager_id": self.anna.id},
            {"key_account_reason": "potential"},
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "Only sales managers can change"):
                theirs.write(vals)
        imported = (
            self.env["res.partner"]
            .with_user(self.anna)
            .with_company(self.company)
            .load([".id", "user_id/.id"], [[str(self.other.id), str(self.anna.id)]])
        )
        self.assertFalse(imported["ids"], "an import is refused too")
        self.assertIn("Only sales managers", str(imported["messages"]), "with the reason")
        self.env.invalidate_all()
        self.assertEqual(self.other.user_id, self.boris, "the salesperson is unchanged")
        self.assertEqual(
            self.other.with_company(self.company).key_account_manager_id, self.boris, "the key account manager too"
        )
        # what she could open through it stays closed
        Plan = self.env["sale.customer.key.account"].with_user(self.anna)
        self.assertFalse(Plan.search([("id", "=", self.plan.id)]), "the colleague's key account plan stays hidden")
        self.assertFalse(self._as(self.anna, self.other).revenue_to_date, "the colleague's figures stay hidden")

    def test_the_form_refuses_the_claim_too(self):
        form = Form(self._as(self.anna, self.other))
        form.user_id = self.anna
        with self.assertRaisesRegex(AccessError, "Salesperson"):
            form.save()

    def test_unchanged_values_sent_back_by_a_client_are_no_claim(self):
        mine = self._as(self.anna, self.customer)
        mine.write({"user_id": self.anna.id, "comment": "same salesperson sent back"})
        self.assertEqual(self.customer.comment, "<p>same salesperson sent back</p>", "the write goes through")

    def test_a_sales_manager_assigns_and_the_key_account_manager_change_is_tracked(self):
        customer = self._as(self.manager, self.other).with_context(tracking_disable=False)
        customer.write({"user_id": self.anna.id, "key_account_manager_id": self.anna.id})
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking is written when the transaction commits
        self.env.invalidate_all()
        self.assertEqual(self.other.user_id, self.anna, "a manager assigns the salesperson")
        tracked = self.other.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "key_account_manager_id"
        )
        self.assertTrue(tracked, "the change of key account manager is in the chatter")
        # now hers by a manager's decision: figures and plan open
        self.assertEqual(self._as(self.anna, self.other).revenue_to_date, 2100.0, "her customer now")
        self.assertTrue(
            self.env["sale.customer.key.account"].with_user(self.anna).search([("id", "=", self.plan.id)]),
            "the plan of her customer",
        )

    def test_a_contact_she_adds_under_a_customer_opens_nothing(self):
        spy = (
            self.env["res.partner"]
            .with_user(self.anna)
            .create({"name": "Spy Contact", "parent_id": self.other.id, "user_id": self.anna.id})
        )
        self.assertEqual(spy.commercial_partner_id, self.other, "a contact of the colleague's customer")
        self.assertFalse(self._as(self.anna, self.other).is_own_customer, "not her customer")
        self.assertFalse(self._as(self.anna, self.other).revenue_to_date, "no figures through her contact")
        self.assertFalse(
            self.env["sale.customer.key.account"].with_user(self.anna).search([("id", "=", self.plan.id)]),
            "no plan through her contact",
        )

    def test_a_quotation_of_hers_is_no_ownership_but_a_confirmed_order_is(self):
        quotation = self.order(self.other, datetime.date.today(), 10.0, state="draft")
        quotation.user_id = self.anna
        self.env.invalidate_all()
        self.assertFalse(self._as(self.anna, self.other).revenue_to_date, "a draft quotation opens nothing")
        quotation.action_confirm()
        self.env.invalidate_all()
        self.assertTrue(self._as(self.anna, self.other).is_own_customer, "a confirmed order of hers: her customer")

    def test_she_cannot_take_over_a_confirmed_order(self):
        order = self.env["sale.order"].search([("partner_id", "=", self.other.id), ("state", "=", "sale")], limit=1)
        order.user_id = False  # unassigned: her "own documents" rule lets her write it
        with self.assertRaisesRegex(UserError, "Only sales managers can change the salesperson"):
            order.with_user(self.anna).write({"user_id": self.anna.id})
        order.with_user(self.manager).write({"user_id": self.anna.id})
        self.assertEqual(order.user_id, self.anna, "a manager reassigns the order")

    def test_a_new_partner_may_name_its_creator_only(self):
        Partner = self.env["res.partner"].with_user(self.anna)
        created = Partner.create({"name": "Converted Lead", "is_company": True, "user_id": self.anna.id})
        self.assertEqual(created.user_id, self.anna, "a new partner names its creator")
        with self.assertRaisesRegex(AccessError, "Key Account"):
            Partner.create({"name": "Self-made Key Account", "is_company": True, "key_account_reason": "potential"})

    def test_every_figure_of_a_colleagues_customer_is_blank_on_every_path(self):
        Partner = self.env["res.partner"].with_user(self.anna).with_company(self.company)
        shown = self.other.with_company(self.company)
        readable = sorted(fname for fname in ORDER_FIGURE_FIELDS if Partner._fields[fname].is_accessible(Partner.env))
        for fname in ("last_contact_date", "last_contact_channel", "rfm_recency", "rfm_score", "customer_p_alive"):
            self.assertIn(fname, readable, f"{fname} is one of the figures the rule hides")
        with_values = [fname for fname in readable if shown[fname]]
        self.assertIn("last_contact_date", with_values, "the manager sees the last contact (an order)")
        self.assertIn("rfm_recency", with_values, "and the RFM scores")
        self.env.invalidate_all()
        theirs = Partner.browse(self.other.id)
        values = theirs.read(readable)[0]
        self.assertEqual(
            [fname for fname in with_values if values[fname]], [], "read: nothing of the colleague's customer"
        )
        for fname in with_values:
            with self.subTest(fname=fname):
                # the value the manager reads: a search that could see it would find the customer
                value = shown[fname].id if Partner._fields[fname].type == "many2one" else shown[fname]
                self.assertFalse(
                    Partner.search([("id", "=", self.other.id), (fname, "=", value)]),
                    f"search on {fname} finds nothing",
                )
        Metrics = self.env["sale.customer.metrics"].with_user(self.anna).with_company(self.company)
        groups = Metrics._read_group([("partner_id", "=", self.other.id)], ["last_contact_channel"], ["__count"])
        self.assertEqual(groups, [], "group-by: the colleague's customer's row is not hers to group")
        wizard = (
            self.env["sale.customer.base.export"]
            .with_user(self.anna)
            .with_company(self.company)
            .create({"company_ids": [Command.set(self.company.ids)]})
        )
        customers = wizard._workbook_data().customers.set_index("partner_id")
        for column in ("last_contact_date", "rfm_recency", "p_alive", "temperature_contact_days"):
            if column in customers.columns:
                self.assertTrue(customers[column].isna()[self.other.id], f"workbook: no {column}")
        self.assertFalse(customers["rfm_recency"].isna()[self.customer.id], "her own customer keeps its RFM")


@tagged("post_install", "-at_install")
class TestHistoryRebuildSaysWhatItDid(CustomerBaseCommon):
    def test_a_rebuild_without_a_company_says_so(self):
        wizard = self.env["sale.customer.base.history.rebuild"].create({"company_ids": [Command.clear()]})
        with self.assertRaisesRegex(UserError, "none was chosen"):
            wizard.action_rebuild()

    def test_a_rebuild_of_a_company_not_hers_is_refused(self):
        manager = new_test_user(
            self.env, "rebuild_manager", groups="sales_team.group_sale_manager", company_id=self.company.id
        )
        elsewhere = self.env["res.company"].create({"name": "Not Her Company"})
        wizard = (
            self.env["sale.customer.base.history.rebuild"]
            .with_user(manager)
            .create({"company_ids": [Command.set(elsewhere.ids)]})
        )
        with self.assertRaisesRegex(AccessError, "Not Her Company"):
            wizard.action_rebuild()
