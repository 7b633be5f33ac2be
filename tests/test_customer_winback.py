import datetime

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import format_date
from odoo.tools.safe_eval import safe_eval

from .common import CustomerBaseCommon

TODAY = datetime.date(2026, 6, 30)
D = datetime.date


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestCustomerWinBack(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.customer_base_lost_days = 100
        cls.Wizard = cls.env["sale.customer.reactivation.wizard"]
        cls.Attempt = cls.env["sale.customer.reactivation"]

        def user(login, group):
            return new_test_user(
                cls.env,
                login,
                groups=group,
                email=f"{login}@example.com",
                company_id=cls.company.id,
                company_ids=[cls.company.id],
            )

        cls.alice = user("wb_alice", "sales_team.group_sale_salesman")
        cls.bob = user("wb_bob", "sales_team.group_sale_salesman")
        cls.boss = user("wb_boss", "sales_team.group_sale_manager")

        def customer(name, salesperson):
            return cls.env["res.partner"].create(
                {"name": name, "is_company": True, "user_id": salesperson.id, "email": f"{name.lower()}@example.com"}
            )

        cls.customer.user_id = cls.alice  # Acme: bought once in January, lost
        cls.risky = customer("Risky", cls.alice)  # monthly until April, silent for 90 days: at risk
        cls.shrinking = customer("Shrinking", cls.bob)  # 1000 in the previous 90 days, 400 in the last 90
        cls.thinking = customer("Thinking", cls.bob)  # quotation sent two months ago, never confirmed
        cls.steady = customer("Steady", cls.bob)  # buys every month the same: nothing to win back
        cls.order(cls.customer, D(2026, 1, 10), 300.0)
        for day in (D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1)):
            cls.order(cls.risky, day, 100.0)
        cls.order(cls.shrinking, D(2026, 2, 15), 1000.0)
        cls.order(cls.shrinking, D(2026, 6, 1), 400.0)
        cls.order(cls.thinking, D(2026, 5, 1), 250.0, state="sent")
        for month in range(1, 7):
            cls.order(cls.steady, D(2026, month, 20), 200.0)
        cls.env["sale.customer.base.engine"].sudo().with_company(cls.company)._recompute_company(cls.company)

    def wizard(self, **values):
        wizard = self.Wizard.with_user(self.boss).with_company(self.company)
        return wizard.create({"company_id": self.company.id, **values})

    def candidates(self, wizard):
        wizard.action_preview()
        return {line.partner_id: line for line in wizard.line_ids}

    def test_absurd_day_counts_get_a_message_not_a_crash(self):
        for values in ({"decline_days": 10**9}, {"stalled_days": 10**9}, {"decline_days": -1}):
            with self.subTest(values=values), self.assertRaisesRegex(UserError, "number of days from 0 to 3650"):
                self.wizard(**values).action_preview()
        wizard = self.wizard(date_deadline=datetime.date.today() + datetime.timedelta(days=40_000))
        with self.assertRaisesRegex(UserError, "within the next ten years"):
            wizard.action_preview()

    def test_stages_of_the_sample(self):
        partners = self.env["res.partner"].with_company(self.company)
        stages = {p.name: p.customer_stage for p in partners.browse((self.customer | self.risky | self.steady).ids)}
        self.assertEqual(stages, {"Acme Customer": "lost", "Risky": "at_risk", "Steady": "regular"})

    def test_each_rule_finds_its_customers(self):
        found = self.candidates(self.wizard())
        self.assertEqual(
            {partner.name: line.rule for partner, line in found.items()},
            {"Acme Customer": "lost", "Risky": "at_risk", "Shrinking": "declining", "Thinking": "stalled"},
        )
        shrinking = found[self.shrinking]
        self.assertEqual(shrinking.revenue_lost, 600.0, "1000 before, 400 now")
        self.assertEqual(found[self.customer].last_order_date, D(2026, 1, 10))
        self.assertEqual(found[self.customer].days_silent, 171)
        self.assertEqual(found[self.customer].user_id, self.alice, "the customer's salesperson calls")

    def test_each_rule_can_be_switched_off(self):
        rules = {
            "use_lost": "lost",
            "use_at_risk": "at_risk",
            "use_declining": "declining",
            "use_stalled": "stalled",
        }
        for rule, name in rules.items():
            with self.subTest(rule=rule):
                found = self.candidates(self.wizard(**{rule: False}))
                self.assertNotIn(name, {line.rule for line in found.values()})
        # Acme and Risky bought only in the previous 90 days: their revenue dropped by 100% too
        found = self.candidates(self.wizard(use_lost=False))
        self.assertEqual(found[self.customer].rule, "declining")
        found = self.candidates(self.wizard(use_lost=False, use_declining=False))
        self.assertEqual(set(found), {self.risky, self.thinking})

    def test_thresholds_of_the_rules(self):
        found = self.candidates(self.wizard(use_lost=False, use_at_risk=False, decline_percent=61.0))
        self.assertNotIn(self.shrinking, found, "a 60% drop is below 61%")
        found = self.candidates(self.wizard(use_lost=False, use_at_risk=False, decline_percent=60.0))
        self.assertIn(self.shrinking, found, "and reaches 60%")
        stalled_only = {"use_lost": False, "use_at_risk": False, "use_declining": False}
        self.assertEqual(set(self.candidates(self.wizard(**stalled_only, stalled_days=60))), {self.thinking})
        with self.assertRaises(UserError, msg="a quotation sent 60 days ago is not stalled for 61 days"):
            self.wizard(**stalled_only, stalled_days=61).action_preview()

    def test_filters(self):
        found = self.candidates(self.wizard(salesperson_ids=[Command.set(self.bob.ids)]))
        self.assertEqual(set(found), {self.shrinking, self.thinking})
        found = self.candidates(self.wizard(min_revenue=1000.0))
        self.assertEqual(set(found), {self.shrinking}, "revenue to date 1400")
        found = self.candidates(self.wizard(abc_class="a"))
        self.assertIn(self.shrinking, found, "Shrinking makes 44% of the revenue: class A")
        self.assertNotIn(self.customer, found, "Acme makes 9%")

    def test_selected_customers_are_searched_and_proposed(self):
        wizard = (
            self.Wizard.with_user(self.boss)
            .with_company(self.company)
            .with_context(active_model="res.partner", active_ids=(self.steady | self.customer).ids)
        )
        form = Form(wizard)
        record = form.save()
        found = self.candidates(record)
        self.assertEqual({p: line.rule for p, line in found.items()}, {self.customer: "lost", self.steady: "chosen"})
        record.action_back()
        record.include_selected = False
        self.assertEqual(set(self.candidates(record)), {self.customer})

    def test_confirm_creates_attempts_activities_and_emails(self):
        key_account = self.env["res.partner"].with_company(self.company).browse(self.shrinking.id)
        key_account.write({"key_account_reason": "potential", "key_account_manager_id": self.boss.id})
        self.assertTrue(key_account.is_key_account)
        self.customer.write({"user_id": False, "email": "acme@example.com"})  # no salesperson: to the fallback
        self.risky.email = False  # and Risky no email address
        wizard = self.wizard(fallback_user_id=self.bob.id, send_email=True)
        found = self.candidates(wizard)
        self.assertEqual(found[self.customer].user_id, self.bob, "fallback user")
        self.assertEqual(found[self.shrinking].user_id, self.boss, "key account manager")
        found[self.thinking].selected = False
        action = wizard.action_confirm()
        attempts = self.Attempt.search(action["domain"])
        self.assertEqual(
            {a.partner_id: (a.user_id, a.rule, a.outcome) for a in attempts},
            {
                self.customer: (self.bob, "lost", "pending"),
                self.risky: (self.alice, "at_risk", "pending"),
                self.shrinking: (self.boss, "declining", "pending"),
            },
        )
        for attempt in attempts:
            activity = attempt.activity_id
            self.assertEqual((activity.res_model, activity.res_id), ("res.partner", attempt.partner_id.id))
            self.assertEqual(activity.user_id, attempt.user_id)
            self.assertIn(attempt.user_id.partner_id, attempt.message_partner_ids, "the caller follows it")
            self.assertEqual(activity.activity_type_id, self.env.ref("sale_customer_base.mail_activity_type_winback"))
            email = attempt.message_ids.filtered(lambda m: m.message_type == "comment")
            if attempt.partner_id == self.risky:
                self.assertFalse(email, "no address, no email")
                self.assertIn("No email sent", attempt.message_ids[0].body, "and the attempt says so")
                continue
            self.assertEqual(len(email), 1, "one email asking what went wrong")
            self.assertIn(attempt.partner_id, email.partner_ids)
            self.assertIn("what went wrong", email.subject)
        self.assertEqual(attempts.filtered(lambda a: a.partner_id == self.shrinking).revenue_lost, 600.0)
        self.assertFalse(self.Attempt.search([("partner_id", "=", self.thinking.id)]), "unticked: left alone")
        # a second search skips the customers being won back
        again = self.wizard(fallback_user_id=self.bob.id)
        self.assertEqual(set(self.candidates(again)), {self.thinking})
        self.assertEqual(again.skipped_count, 3)

    def test_revenue_lost_of_a_long_lost_customer_is_its_last_year(self):
        gone = self.env["res.partner"].create({"name": "Gone", "is_company": True, "user_id": self.alice.id})
        self.order(gone, D(2024, 1, 15), 1000.0)  # more than a year before its last order: not counted
        self.order(gone, D(2025, 2, 1), 500.0)
        self.order(gone, D(2025, 4, 1), 700.0)  # its last order, 455 days ago
        self.env["sale.customer.base.engine"].sudo().with_company(self.company)._recompute_company(self.company)
        found = self.candidates(self.wizard())
        self.assertEqual(found[gone].rule, "lost")
        self.assertEqual(found[gone].revenue_lost, 1200.0, "what its last year of orders brought in")
        self.assertEqual(found[self.customer].revenue_lost, 300.0, "Acme's only order")
        self.assertEqual(found[self.risky].revenue_lost, 300.0, "Risky's three orders")
        self.assertEqual(found[self.shrinking].revenue_lost, 600.0, "a declining customer: what it buys less")
        self.assertEqual(found[self.thinking].revenue_lost, 0.0, "never bought")
        self.assertEqual(
            list(found)[:2], [gone, self.customer], "the lost customers, the one that brought in most first"
        )

    def test_an_earlier_refusal_is_shown_on_the_candidate(self):
        self.attempt(self.customer, D(2026, 2, 1), "parted_well")
        self.attempt(self.customer, D(2026, 3, 1), "refused", user_id=self.bob.id)
        self.attempt(self.risky, D(2026, 3, 1), "no_answer")
        found = self.candidates(self.wizard())
        self.assertEqual(
            found[self.customer].earlier_attempt,
            f"Refused on {format_date(self.env, D(2026, 3, 1))}",
            "the latest attempt that ended with a no, whoever made it",
        )
        self.assertFalse(found[self.risky].earlier_attempt, "no answer is not a no")
        self.assertFalse(found[self.shrinking].earlier_attempt, "never tried")

    def why_texts(self, rule):
        """The headings and reason placeholders of the attempt form's "why" part a user sees for an
        attempt found by ``rule``."""
        attempt = self.Attempt.create({"partner_id": self.customer.id, "company_id": self.company.id, "rule": rule})
        arch = etree.fromstring(self.Attempt.get_view(view_type="form")["arch"])
        values = {field: attempt[field] for field in ("rule", "outcome", "is_key_account")}

        def shown(node):
            return not any(
                safe_eval(n.get("invisible"), values) for n in (node, *node.iterancestors()) if n.get("invisible")
            )

        texts = []
        for node in arch.xpath("//sheet//group[.//field[@name='reason_id']]"):
            texts += [node.get("string")] if node.get("string") and shown(node) else []
            for child in node.iter("separator", "field"):
                if shown(child) and (child.tag == "separator" or child.get("name") == "reason_id"):
                    texts.append(child.get("string") if child.tag == "separator" else child.get("placeholder"))
        return texts

    def test_a_stalled_quotation_asks_why_it_stalled(self):
        self.assertEqual(self.why_texts("stalled"), ["Why Did the Quotation Stall?", "Why did the quotation stall?"])
        self.assertEqual(self.why_texts("lost"), ["Why They Left", "Why did they leave?"])
        # the caller's activity asks the same
        wizard = self.wizard(use_lost=False, use_at_risk=False)
        found = self.candidates(wizard)
        wizard.action_confirm()
        summaries = {partner: line.partner_id.activity_ids.summary for partner, line in found.items()}
        self.assertEqual(summaries[self.thinking], "Follow up the quotation: find out why it stalled")
        self.assertEqual(summaries[self.shrinking], "Win back: find out why they left")

    def test_key_accounts_to_a_senior_user(self):
        partner = self.env["res.partner"].with_company(self.company).browse(self.customer.id)
        partner.key_account_reason = "reference"
        found = self.candidates(self.wizard(key_account_assign="senior", senior_user_id=self.boss.id))
        self.assertEqual(found[self.customer].user_id, self.boss)
        self.assertEqual(found[self.risky].user_id, self.alice)

    def attempt(self, partner, day, outcome="pending", **values):
        return self.Attempt.create(
            {"partner_id": partner.id, "company_id": self.company.id, "date": day, "outcome": outcome, **values}
        )

    def test_an_order_after_the_attempt_wins_the_customer_back(self):
        attempt = self.attempt(self.customer, D(2026, 6, 1))
        self.assertEqual(attempt.window_end, D(2026, 8, 30), "90 days by default")
        order = self.order(self.customer, D(2026, 6, 20), 500.0, state="draft")
        self.assertEqual(attempt.outcome, "pending", "a quotation is not an order")
        order.action_confirm()
        self.assertEqual(attempt.outcome, "won")
        self.assertEqual(attempt.won_order_id, order)
        self.assertEqual(attempt.won_date, TODAY, "confirming dates the order today")
        self.assertEqual(attempt.recovered_revenue, 500.0)
        second = self.order(self.contact, TODAY, 100.0)  # an order of one of its contacts counts too
        self.assertEqual(attempt.recovered_revenue, 600.0)
        self.assertEqual(attempt.won_order_id, order, "the first order stays the one that won it back")
        order._action_cancel()
        self.assertEqual((attempt.outcome, attempt.won_order_id, attempt.recovered_revenue), ("won", second, 100.0))
        self.assertEqual(attempt.won_date, TODAY, "won back by the contact's order now")
        second._action_cancel()
        self.assertEqual((attempt.outcome, attempt.won_order_id.id, attempt.recovered_revenue), ("pending", False, 0))

    def test_orders_outside_the_window_do_not_count(self):
        self.company.customer_base_winback_days = 10
        attempt = self.attempt(self.customer, D(2026, 6, 1))
        refused = self.attempt(self.risky, D(2026, 6, 1), outcome="refused")
        self.order(self.customer, D(2026, 6, 15), 500.0)  # 14 days later: too late
        self.order(self.risky, D(2026, 6, 5), 80.0)  # refused, then ordered after all
        self.assertEqual(attempt.outcome, "pending", "ordered after the window")
        self.assertEqual(attempt.recovered_revenue, 0.0, "nothing recovered in the window")
        self.assertEqual(
            (refused.outcome, refused.recovered_revenue), ("refused", 0.0), "a refused attempt keeps its outcome"
        )

    def test_an_order_wins_back_the_latest_open_attempt_once(self):
        refused = self.attempt(self.customer, D(2026, 5, 20), outcome="refused")
        unanswered = self.attempt(self.customer, D(2026, 5, 25), outcome="no_answer")
        call = self.customer.activity_schedule(
            "sale_customer_base.mail_activity_type_winback", user_id=self.alice.id, summary="Win back"
        )
        latest = self.attempt(self.customer, D(2026, 6, 1), activity_id=call.id)
        order = self.order(self.customer, D(2026, 6, 20), 100.0)
        self.assertEqual(
            (latest.outcome, latest.won_order_id, latest.recovered_revenue),
            ("won", order, 100.0),
            "the latest open attempt is won back",
        )
        self.assertEqual((refused.outcome, refused.recovered_revenue), ("refused", 0.0), "refused stays refused")
        self.assertEqual(
            (unanswered.outcome, unanswered.recovered_revenue), ("no_answer", 0.0), "the order counts once"
        )
        [(recovered,)] = self.Attempt._read_group([("company_id", "=", self.company.id)], [], ["recovered_revenue:sum"])
        self.assertEqual(recovered, 100.0, "100 recovered in the analysis, not 300")
        self.assertFalse(call.active, "the win-back call is done (kept in the history: its type keeps done ones)")
        done = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", self.customer.id), ("subtype_id.internal", "=", True)],
            limit=1,
        )
        self.assertIn(f"Won back by order {order.name}", str(done.body), "with the result as its feedback")
        order._action_cancel()
        self.assertEqual(
            (latest.outcome, latest.recovered_revenue, unanswered.outcome, refused.outcome),
            ("pending", 0.0, "no_answer", "refused"),
            "a cancelled order undoes the win, and only it",
        )

    def test_nightly_job_catches_orders_imported_confirmed(self):
        attempt = self.attempt(self.customer, D(2026, 6, 1))
        self.env.cr.execute(
            "UPDATE sale_order SET date_order = %s WHERE id = %s",
            (datetime.datetime(2026, 6, 10, 9), self.order(self.customer, D(2026, 5, 1), 70.0).id),
        )
        self.env.invalidate_all()
        self.assertEqual(attempt.outcome, "pending", "a date changed behind the ORM's back is not seen")
        self.env["sale.customer.base.engine"].sudo().with_company(self.company)._recompute_company(self.company)
        self.assertEqual((attempt.outcome, attempt.recovered_revenue), ("won", 70.0))

    def test_report_win_back_rate_and_revenue_by_salesperson(self):
        won = self.attempt(self.customer, D(2026, 6, 1))
        won.user_id = self.alice
        lost = self.attempt(self.risky, D(2026, 6, 1), outcome="no_answer")
        lost.user_id = self.alice
        self.attempt(self.shrinking, D(2026, 6, 1)).user_id = self.bob
        self.order(self.customer, D(2026, 6, 20), 500.0)
        groups = {
            user: (count, rate, revenue)
            for user, count, rate, revenue in self.Attempt._read_group(
                [("company_id", "=", self.company.id)],
                ["user_id"],
                ["__count", "won_back_rate:avg", "recovered_revenue:sum"],
            )
        }
        self.assertEqual(groups[self.alice], (2, 50.0, 500.0))
        self.assertEqual(groups[self.bob], (1, 0.0, 0.0))
        for xmlid in (
            "sale_customer_base.sale_customer_reactivation_action",
            "sale_customer_base.sale_customer_reactivation_action_analysis",
        ):
            action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
            for view_type in action["view_mode"].split(","):
                self.Attempt.get_view(view_type=view_type)

    def test_salespeople_win_back_their_own_customers(self):
        wizard = self.Wizard.with_user(self.alice).with_company(self.company).create({"company_id": self.company.id})
        wizard.action_preview()
        self.assertEqual(wizard.line_ids.partner_id, self.customer | self.risky, "Alice's lost and at-risk ones")
        action = wizard.action_confirm()
        self.assertEqual(self.Attempt.with_user(self.alice).search(action["domain"]).user_id, self.alice)

    def test_salespeople_see_their_own_attempts(self):
        mine = self.attempt(self.customer, D(2026, 6, 1))  # Alice's customer
        theirs = self.attempt(self.shrinking, D(2026, 6, 1))  # Bob's customer
        theirs.user_id = self.bob
        visible = self.Attempt.with_user(self.alice).search([("company_id", "=", self.company.id)])
        self.assertEqual(visible, mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.alice).reason_id = self.env.ref(
                "sale_customer_base.sale_customer_reactivation_reason_price"
            )
        mine.with_user(self.alice).write(
            {
                "reason_id": self.env.ref("sale_customer_base.sale_customer_reactivation_reason_price").id,
                "product_feedback": "Too expensive for what it does",
            }
        )
        mine.with_user(self.alice).action_refused()
        self.assertEqual(mine.outcome, "refused")
        self.assertEqual(self.Attempt.with_user(self.boss).search_count([("company_id", "=", self.company.id)]), 2)

    def test_bad_choices(self):
        cases = {
            "nothing to look for": {
                "use_lost": False,
                "use_at_risk": False,
                "use_declining": False,
                "use_stalled": False,
            },
            "drop above 100%": {"decline_percent": 150.0},
            "zero-day comparison": {"decline_days": 0},
            "zero-day quotation": {"stalled_days": 0},
            "due date past": {"date_deadline": D(2026, 6, 29)},
            "no chosen user": {"assign_to": "user"},
            "no senior user": {"key_account_assign": "senior"},
            "no template": {"send_email": True, "mail_template_id": False},
        }
        for case, values in cases.items():
            with self.subTest(case=case), self.assertRaises(UserError):
                self.wizard(**values).action_preview()
        with self.assertRaises(UserError):
            self.wizard(salesperson_ids=[Command.set(self.boss.ids)]).action_preview()  # no customers
        archived = new_test_user(self.env, "wb_gone", groups="sales_team.group_sale_salesman")
        archived.active = False
        with self.assertRaises(UserError):
            self.wizard(assign_to="user", user_id=archived.id).action_preview()

    def test_nothing_ticked_or_nobody_to_call_creates_nothing(self):
        wizard = self.wizard()
        self.candidates(wizard)
        wizard.line_ids.selected = False
        with self.assertRaises(UserError):
            wizard.action_confirm()
        wizard.line_ids.selected = True
        wizard.line_ids[0].user_id = False
        activities = self.env["mail.activity"].search_count([])
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertFalse(self.Attempt.search([("company_id", "=", self.company.id)]), "no attempt created")
        self.assertEqual(self.env["mail.activity"].search_count([]), activities, "no activity created")
