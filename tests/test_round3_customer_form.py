"""One customer form, one story: hidden figures are blank and say why, contacts show their
company's key account manager, the at-risk reason is the rule used, values waiting for the
nightly ranking say so (issue 23, items 2, 5, 7 and 11)."""

import datetime

from lxml import etree

from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from ..models.res_partner import ORDER_FIGURE_FIELDS
from .common import CustomerBaseCommon

SALESPERSON = "sales_team.group_sale_salesman"
TODAY = datetime.date.today()


@tagged("post_install", "-at_install")
class TestCustomerFormStory(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.anna = new_test_user(cls.env, "story_anna", groups=SALESPERSON, company_id=cls.company.id)
        cls.boris = new_test_user(cls.env, "story_boris", groups=SALESPERSON, company_id=cls.company.id)
        cls.manager = new_test_user(
            cls.env, "story_manager", groups="sales_team.group_sale_manager", company_id=cls.company.id
        )
        cls.customer.user_id = cls.anna
        cls.other.user_id = cls.boris
        for partner, user in ((cls.customer, cls.anna), (cls.other, cls.boris)):
            for days in (300, 240, 180, 120, 60, 10):
                cls.order(partner, TODAY - datetime.timedelta(days=days), 500.0).user_id = user
        cls.env["sale.customer.base.engine"].recompute_customer_base()

    def _as(self, user, record):
        return record.with_user(user).with_company(self.company)

    def _shown_fields(self, user, record, page="customer_base"):
        """The field names the form shows ``user`` on ``record``'s tab ``page``: the arch ``user``
        gets (field groups applied), each node's ``invisible`` and its parents' evaluated on the
        values ``user`` reads."""
        view = self._as(user, record.env["res.partner"]).get_views([(False, "form")])["views"]["form"]
        arch = etree.fromstring(view["arch"])
        nodes = arch.xpath(f"//page[@name='{page}']//field")
        names = {node.get("name") for node in arch.xpath("//field")}
        readable = [name for name in names if name in record._fields]
        values = self._as(user, record).read(readable)[0]
        values = {name: value[0] if isinstance(value, tuple) else value for name, value in values.items()}
        shown = set()
        for node in nodes:
            hidden = False
            for element in [node, *node.iterancestors()]:
                expression = element.get("invisible")
                if expression and safe_eval(expression, {**values, "context": {}, "uid": user.id}):
                    hidden = True
                    break
            if not hidden:
                shown.add(node.get("name"))
        return shown, arch

    def test_a_colleagues_customer_shows_blanks_not_zeros_and_says_why(self):
        theirs = self._as(self.anna, self.other)
        self.assertTrue(theirs.customer_figures_hidden, "Boris's customer: its order figures are not Anna's")
        self.assertEqual(theirs.customer_stage, "regular", "she sees its stage")
        shown, arch = self._shown_fields(self.anna, self.other)
        zeros = sorted(shown & ORDER_FIGURE_FIELDS)
        self.assertFalse(zeros, f"figures she may not see are not shown as 0 or empty: {zeros}")
        self.assertIn("customer_stage", shown, "the stage tells what she may know")
        explanation = arch.xpath("//div[@invisible='not customer_figures_hidden']")
        self.assertTrue(explanation, "a line on the tab")
        self.assertIn("Orders of other salespeople are not shown", "".join(explanation[0].itertext()), "says why")

    def test_her_own_customer_shows_its_figures_under_a_heading_she_reads(self):
        mine = self._as(self.anna, self.customer)
        self.assertFalse(mine.customer_figures_hidden, "her customer")
        self.assertEqual(mine.customer_order_count, 6, "its orders")
        shown, arch = self._shown_fields(self.anna, self.customer)
        self.assertIn("customer_order_count", shown, "her customer's orders are shown")
        self.assertIn("revenue_to_date", shown, "and its revenue")
        headings = {group.get("string") for group in arch.xpath("//page[@name='customer_base']//group[@string]")}
        self.assertNotIn("Lifetime Value", headings, "no heading for the LTV she may not see")
        self.assertIn("Order Value", headings, "the group named for what she sees")
        _shown, manager_arch = self._shown_fields(self.manager, self.customer)
        manager_headings = {g.get("string") for g in manager_arch.xpath("//page[@name='customer_base']//group")}
        self.assertIn("Lifetime Value", manager_headings, "the manager's LTV group")

    def test_a_contact_shows_its_companys_key_account_manager(self):
        self.customer.with_company(self.company).key_account_manager_id = self.manager
        contact = self._as(self.anna, self.contact)
        self.assertEqual(contact.customer_key_account_manager_id, self.manager, "the company's manager")
        shown, _arch = self._shown_fields(self.anna, self.contact)
        self.assertIn("customer_key_account_manager_id", shown, "on the contact's tab")
        self.assertNotIn("key_account_manager_id", shown, "not the contact's own, empty, field")
        shown_company, _arch = self._shown_fields(self.anna, self.customer)
        self.assertIn("key_account_manager_id", shown_company, "the company edits its own")

    def test_the_at_risk_reason_is_the_rule_used(self):
        # customers who bought once, long ago: the complaining customer ranks high next to them (RFM)
        for name in ("Once A", "Once B", "Once C"):
            once = self.env["res.partner"].create({"name": name, "is_company": True})
            self.order(once, TODAY - datetime.timedelta(days=200), 50.0)
        self.env["sale.customer.feedback"].create(
            {"partner_id": self.customer.id, "complaint": True, "complaint_note": "Late", "recommendation": "4"}
        )
        self.env["sale.customer.base.engine"].recompute_customer_base()
        customer = self.customer.with_company(self.company)
        self.assertEqual(customer.customer_stage, "at_risk", "a complaint makes an active customer at risk")
        self.assertEqual(customer.customer_stage_cause, "complaint", "the feedback, not its silence")
        self.assertIn("A complaint in its feedback of", customer.customer_at_risk_reason, "said so")
        self.assertNotIn("silent", customer.customer_at_risk_reason, "not the days, which are fine")
        silent = self.env["res.partner"].create({"name": "Silent Customer", "is_company": True})
        for days in (400, 370, 340, 310, 280, 250):
            self.order(silent, TODAY - datetime.timedelta(days=days), 100.0)
        self.env["sale.customer.base.engine"].recompute_customer_base()
        silent = silent.with_company(self.company)
        self.assertEqual((silent.customer_stage, silent.customer_stage_cause), ("at_risk", "silence"), "by days")
        self.assertIn("Bought every ~30 days, silent for 250 days", silent.customer_at_risk_reason, "its rhythm")
        # the RFM segment ranks the complaining customer among the others: it says why it reads "active"
        customer.invalidate_recordset()
        self.assertIn(customer.rfm_segment, ("champions", "loyal", "potential_loyalists"), "recent, frequent")
        self.assertIn("RFM ranks it against the other customers", customer.customer_prediction_note, "explained")
        self.assertNotIn("RFM ranks", silent.customer_prediction_note or "", "RFM agrees on the silent one")

    def test_one_last_contact_figure(self):
        labels = {
            self.env["res.partner"]._fields[name].get_description(self.env)["string"]
            for name in ("last_contact_date", "temperature_contact_date", "temperature_contact_days")
        }
        self.assertEqual(
            len([label for label in labels if "Last Contact" in label]), 1, f"one 'last contact': {labels}"
        )

    def test_values_waiting_for_the_nightly_ranking_say_so(self):
        back = self.env["res.partner"].create({"name": "Back Again", "is_company": True})
        for days in (900, 870):
            self.order(back, TODAY - datetime.timedelta(days=days), 100.0)
        self.env["sale.customer.base.engine"].recompute_customer_base()
        self.order(back, TODAY, 100.0)  # refreshed at once: counts and stage, not the class
        back = back.with_company(self.company)
        self.assertEqual(back.customer_stage, "reactivated", "won back by the order")
        self.assertTrue(back.customer_base_ranks_pending, "its class waits for the nightly ranking")
        self.assertFalse(back.abc_class, "not ranked yet")
        _shown, arch = self._shown_fields(self.manager, back)
        notes = arch.xpath("//span[contains(@invisible, 'customer_base_ranks_pending')]")
        values = {
            "abc_class": back.abc_class,
            "customer_segment": back.customer_segment,
            "customer_base_ranks_pending": True,
        }
        visible = [note for note in notes if not safe_eval(note.get("invisible"), values)]
        self.assertEqual(len(visible), 2, "class and segment each say 'ranked tonight'")
        self.assertIn("ranked tonight", "".join(visible[0].itertext()), "beside the empty value")

    def test_kanban_badge_and_repeat_filter(self):
        views = self.env["res.partner"].get_views([(False, "kanban"), (False, "search")])["views"]
        kanban = etree.fromstring(views["kanban"]["arch"])
        self.assertTrue(kanban.xpath("//span[@invisible='not is_key_account']"), "the key account badge on cards")
        search = etree.fromstring(views["search"]["arch"])
        repeat = search.xpath("//filter[@name='customer_stage_repeat']")
        self.assertTrue(repeat, "a Repeat filter")
        twice = self.env["res.partner"].create({"name": "Twice", "is_company": True})
        for days in (40, 8):
            self.order(twice, TODAY - datetime.timedelta(days=days), 100.0)
        found = self.env["res.partner"].with_company(self.company).search(safe_eval(repeat[0].get("domain")))
        self.assertIn(twice, found, "the repeat buyer is found")
        self.assertEqual(set(found.mapped("customer_stage")), {"repeat"}, "and only repeat buyers")
        metrics_search = self.env["sale.customer.metrics"].get_views([(False, "search")])["views"]["search"]
        self.assertIn("customer_stage_repeat", metrics_search["arch"], "in the Customer Base search too")
        group_bys = etree.fromstring(views["search"]["arch"]).xpath("//filter[contains(@context, 'group_by')]")
        salesperson = [f for f in group_bys if "'user_id'" in f.get("context").replace('"', "'")]
        self.assertEqual(len(salesperson), 1, "Salesperson once under Group By")

    def test_technical_fields_are_not_offered_as_filters(self):
        for model in ("res.partner", "sale.customer.metrics"):
            offered = {
                name
                for name, field in self.env[model].with_user(self.manager).fields_get(attributes=["searchable"]).items()
                if field["searchable"]
            }
            for name in ("customer_base_signature", "customer_base_ranks_pending"):
                self.assertNotIn(name, offered, f"{model}.{name}: bookkeeping, not a filter for a manager")
