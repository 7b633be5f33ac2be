import base64
import datetime
import io

import openpyxl
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from .common import CustomerBaseCommon

TODAY = datetime.date(2026, 6, 30)
D = datetime.date
HISTORY_FIELDS = [
    "period_type",
    "date",
    "date_end",
    "is_closed",
    "team_id",
    "user_id",
    "customers_start",
    "customers_end",
    "customers_new",
    "customers_lost",
    "customers_reactivated",
    "customers_retained",
    "order_count",
    "revenue",
    "crr",
    "retention_rate",
]


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestCustomerBaseReports(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.customer_base_lost_days = 100
        cls.History = cls.env["sale.customer.base.history"]
        cls.alice = new_test_user(
            cls.env,
            "cb_alice",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.manager = new_test_user(
            cls.env,
            "cb_boss",
            groups="sales_team.group_sale_manager",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )

    def setUp(self):
        super().setUp()
        # Acme: once in January, lost on April 21 (January 10 + 101 days)
        self.order(self.customer, D(2026, 1, 10), 100.0)
        # Other: January, lost on April 26 (January 15 + 101 days), back on May 25
        self.order(self.other, D(2026, 1, 15), 200.0)
        self.order(self.other, D(2026, 5, 25), 300.0)

    def _month(self, year, month):
        rows = self.History.search(
            [("company_id", "=", self.company.id), ("period_type", "=", "month"), ("date", "=", D(year, month, 1))]
        )
        totals = {name: sum(rows.mapped(name)) for name in HISTORY_FIELDS[6:14]}
        return totals

    def _rows(self):
        rows = self.History.search_read([("company_id", "=", self.company.id)], HISTORY_FIELDS, order="id")
        return sorted(
            (tuple(str(row[name]) for name in HISTORY_FIELDS) for row in rows),
        )

    def test_history_counts_customers_won_lost_and_back(self):
        self.History._rebuild(self.company, D(2026, 1, 1))
        january = self._month(2026, 1)
        self.assertEqual(
            (january["customers_start"], january["customers_new"], january["customers_end"]), (0, 2, 2), "two new"
        )
        self.assertEqual(self._month(2026, 2)["customers_retained"], 2, "both kept in February")
        april = self._month(2026, 4)
        self.assertEqual((april["customers_lost"], april["customers_end"]), (2, 0), "both lost in April")
        may = self._month(2026, 5)
        self.assertEqual(
            (may["customers_start"], may["customers_reactivated"], may["customers_end"]), (0, 1, 1), "one back in May"
        )
        self.assertEqual(may["revenue"], 300.0, "May's revenue")
        june = self.History.search(
            [("company_id", "=", self.company.id), ("period_type", "=", "month"), ("date", "=", D(2026, 6, 1))]
        )
        self.assertEqual(june.date_end, TODAY, "the month in progress ends today")
        self.assertFalse(june.is_closed, "and is not closed")
        year = self.History.search([("company_id", "=", self.company.id), ("period_type", "=", "year")])
        self.assertEqual(
            (year.customers_new, year.customers_lost, year.customers_reactivated, year.revenue),
            (2, 2, 1, 600.0),
            "2026 so far",
        )

    def test_customer_lost_and_won_back_inside_a_period_is_not_kept(self):
        comeback = self.env["res.partner"].create({"name": "Comeback Customer", "is_company": True})
        self.order(comeback, D(2025, 10, 1), 10.0)  # active on December 31, lost on January 10
        self.order(comeback, D(2026, 1, 20), 10.0)  # back ten days later
        self.order(comeback, D(2026, 4, 15), 10.0)
        self.History._rebuild(self.company, D(2026, 1, 1))
        january = self._month(2026, 1)
        self.assertEqual(
            (january["customers_start"], january["customers_lost"], january["customers_reactivated"]),
            (1, 1, 1),
            "January: Comeback active at the start, lost and won back",
        )
        self.assertEqual(january["customers_retained"], 0, "lost during January: not kept")
        rows = self.History.search([("company_id", "=", self.company.id), ("period_type", "=", "month")])
        [(crr, strict)] = self.History._read_group(
            [("id", "in", rows.ids), ("date", "=", D(2026, 1, 1))], [], ["crr:sum", "retention_rate:sum"]
        )
        self.assertEqual((crr, strict), (100.0, 0.0), "CRR (3 - 2) / 1 counts him, the strict retention does not")
        year = self.History.search([("company_id", "=", self.company.id), ("period_type", "=", "year")])
        self.assertEqual(
            (sum(year.mapped("customers_start")), sum(year.mapped("customers_retained"))),
            (1, 0),
            "2026: lost and won back inside the year, not kept",
        )

    def test_rebuilding_twice_gives_the_same_rows(self):
        self.History._rebuild(self.company, D(2026, 1, 1))
        first = self._rows()
        self.assertTrue(first, "the history has rows")
        self.History._rebuild(self.company, D(2026, 1, 1))
        self.assertEqual(self._rows(), first, "the same rows again, none doubled")
        self.History._rebuild(self.company, D(2026, 4, 15))
        self.assertEqual(self._rows(), first, "rebuilding a later span gives the same figures")

    def test_rebuild_picks_up_orders_imported_after_the_fact(self):
        self.History._rebuild(self.company, D(2026, 1, 1))
        self.order(self.customer, D(2026, 4, 10), 50.0)  # an order entered late keeps Acme active
        self.assertEqual(self._month(2026, 4)["customers_lost"], 2, "closed months stay as they were built")
        self.History._rebuild(self.company, D(2026, 4, 1))
        self.assertEqual(self._month(2026, 4)["customers_lost"], 1, "after the rebuild only Other is lost")
        self.assertEqual(self._month(2026, 4)["revenue"], 50.0, "and April has the late order")

    def test_rates_of_a_group_come_from_its_sums(self):
        self.History._rebuild(self.company, D(2026, 1, 1))
        domain = [("company_id", "=", self.company.id), ("period_type", "=", "month")]
        groups = {
            date: (crr, strict)
            for date, crr, strict in self.History._read_group(domain, ["date:month"], ["crr:sum", "retention_rate:sum"])
        }
        self.assertEqual(groups[D(2026, 2, 1)], (100.0, 100.0), "February: everyone kept")
        self.assertEqual(groups[D(2026, 4, 1)], (0.0, 0.0), "April: nobody kept")
        self.assertIs(groups[D(2026, 1, 1)][0], False, "no rate (not 0) without customers at the start")
        [(crr,)] = self.History._read_group([*domain, ("date", "in", [D(2026, 2, 1), D(2026, 4, 1)])], [], ["crr:sum"])
        self.assertEqual(crr, 0.0, "two months together: (E of April 0 - N 0) / S of February 2, not 100 + 0")

    def test_group_of_periods_counts_customers_at_its_start_and_end_not_their_sum(self):
        self.History._rebuild(self.company, D(2026, 1, 1))
        # S, E by month: Jan 0, 2; Feb 2, 2; Mar 2, 2; Apr 2, 0 (both lost); May 0, 1 (Other back); Jun 1, 1
        months = [("company_id", "=", self.company.id), ("period_type", "=", "month")]
        from_february = [*months, ("date", ">=", D(2026, 2, 1))]
        aggregates = ["customers_start:sum", "customers_end:sum", "customers_new:sum", "customers_lost:sum"]
        rates = ["crr:sum", "customers_retained:sum", "retention_rate:sum"]
        [(start, end, new, lost, crr, kept, strict)] = self.History._read_group(from_february, [], aggregates + rates)
        self.assertEqual(
            (start, end, new, lost), (2, 1, 0, 2), "S of February, E of June, N and lost added: not S 7 and E 6"
        )
        self.assertEqual(crr, 50.0, "CRR of the span from its figures: (1 - 0) / 2")
        self.assertIs(kept, False, "kept customers cannot be told from monthly rows: empty, not their sum")
        self.assertIs(strict, False, "so neither can the strict retention")
        [(start, end, crr, kept, strict)] = self.History._read_group(
            [*months, ("date", "=", D(2026, 2, 1))], [], ["customers_start:sum", "customers_end:sum", *rates]
        )
        self.assertEqual((start, end, crr, kept, strict), (2, 2, 100.0, 2, 100.0), "one month: its own figures")
        # as the pivot asks: its Total row and rows by salesperson
        [total] = self.History.read_group(from_february, ["customers_start", "customers_end", "crr"], [], lazy=False)
        self.assertEqual(
            (total["customers_start"], total["customers_end"], total["crr"]), (2, 1, 50.0), "the pivot's Total row"
        )
        by_user = self.History.read_group(from_february, ["customers_start", "customers_end"], ["user_id"], lazy=False)
        self.assertEqual(
            [(row["customers_start"], row["customers_end"]) for row in by_user], [(2, 1)], "and each salesperson's"
        )

    def test_periods_are_named_as_periods_and_sorted_in_time(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.order(self.other, D(2025, 12, 5), 10.0)
        self.History._rebuild(self.company, D(2025, 12, 1))
        rows = self.History.search([("company_id", "=", self.company.id)])
        names = {(row.period_type, row.date): row.period_name for row in rows}
        self.assertEqual(names[("month", D(2025, 12, 1))], "Dec 2025", "a month")
        self.assertEqual(names[("quarter", D(2026, 1, 1))], "Q1 2026", "a quarter")
        self.assertEqual(names[("year", D(2026, 1, 1))], "2026", "a year")
        french = rows.with_context(lang="fr_FR").filtered(lambda row: row.date == D(2026, 1, 1))
        self.assertIn("janv. 2026", french.mapped("period_name"), "month names in the reader's language")
        months = [("company_id", "=", self.company.id), ("period_type", "=", "month")]
        groups = self.History._read_group(months, ["period_name"], ["customers_new:sum"])
        self.assertEqual(
            [name for name, _new in groups],
            ["Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026", "Jun 2026"],
            "in time order, not alphabetical",
        )
        pivot = self.History.read_group(months, ["customers_new"], ["period_name"], orderby="period_name desc")
        self.assertEqual(pivot[0]["period_name"], "Jun 2026", "latest first when asked")

    def test_rates_without_customers_at_the_start_stay_empty(self):
        self.History._rebuild(self.company, D(2026, 1, 1))
        months = [("company_id", "=", self.company.id), ("period_type", "=", "month")]
        pivot = self.History.read_group(months, ["crr", "retention_rate"], ["date:month"], lazy=False)
        january = next(row for row in pivot if row["__range"]["date:month"]["from"] == "2026-01-01")
        self.assertEqual((january["crr"], january["retention_rate"]), (False, False), "pivot: empty cells")
        graph = self.History.web_read_group(months, ["crr:sum"], ["date:month"], lazy=False)["groups"]
        january = next(row for row in graph if row["__range"]["date:month"]["from"] == "2026-01-01")
        self.assertIsNone(january["crr"], "graph: no point (the chart would draw False as 0)")
        february = next(row for row in graph if row["__range"]["date:month"]["from"] == "2026-02-01")
        self.assertEqual(february["crr"], 100.0, "a month with customers at the start keeps its point")
        arch = self.History.get_view(self.env.ref("sale_customer_base.sale_customer_base_history_view_list").id)["arch"]
        for fname in ("crr", "retention_rate"):
            self.assertIn(f'name="{fname}" invisible="not customers_start"', arch, f"list: {fname} hidden without S")
        graph = etree.fromstring(self.History.get_views([(False, "graph")])["views"]["graph"]["arch"])
        self.assertEqual(graph.get("stacked"), "0", "rates of several salespeople side by side, never added up")

    def test_recompute_builds_the_history_and_the_report_refreshes_the_current_month(self):
        self.env["sale.customer.base.engine"].recompute_customer_base()
        self.assertEqual(self._month(2026, 1)["customers_new"], 2, "the first recompute builds the whole history")
        newcomer = self.env["res.partner"].create({"name": "Newcomer", "is_company": True})
        self.order(newcomer, TODAY, 80.0)
        self.assertEqual(self._month(2026, 6)["customers_new"], 0, "not yet counted")
        # as the menu does it: the server action, run by a sales manager
        server_action = self.env.ref("sale_customer_base.sale_customer_base_history_action_open")
        action = server_action.with_user(self.manager).run()
        self.assertEqual(action["res_model"], "sale.customer.base.history", "the CRR report opens")
        self.assertEqual(self._month(2026, 6)["customers_new"], 1, "the month in progress is live")

    def test_report_actions_open_with_their_views(self):
        self.env["sale.customer.base.engine"].recompute_customer_base()
        xml_ids = [
            "sale_customer_base_history_action",
            "sale_customer_base_history_action_salesperson",
            "sale_customer_base_report_action_matrix",
            "sale_customer_base_report_action_funnel",
            "sale_customer_base_report_action_key_accounts",
            "sale_customer_base_report_action_portfolio",
            "sale_customer_stage_history_action",
        ]
        for xml_id in xml_ids:
            action = (
                self.env["ir.actions.act_window"].with_user(self.manager)._for_xml_id(f"sale_customer_base.{xml_id}")
            )
            model = self.env[action["res_model"]].with_user(self.manager)
            views = model.get_views([(False, mode) for mode in action["view_mode"].split(",")])
            self.assertEqual(
                set(views["views"]), set(action["view_mode"].split(",")), f"{xml_id}: every view mode has a view"
            )
        report = self.env["sale.customer.base.report"].with_user(self.manager)
        groups = report._read_group([("company_id", "=", self.company.id)], ["customer_stage"], ["customer_count:sum"])
        self.assertEqual(dict(groups), {"lost": 1, "reactivated": 1}, "the funnel counts each customer once")
        matrix = report._read_group(
            [("company_id", "=", self.company.id)],
            ["abc_class", "xyz_class"],
            ["customer_count:sum", "revenue_window:sum"],
        )
        self.assertEqual(
            sum(revenue for _abc, _xyz, _count, revenue in matrix),
            self.customer.revenue_window + self.other.revenue_window,
            "the matrix holds the customers' window revenue",
        )

    def test_stages_come_in_lifecycle_order(self):
        newcomer = self.env["res.partner"].create({"name": "Newcomer", "is_company": True})
        self.order(newcomer, D(2026, 6, 1), 80.0)
        self.env["sale.customer.base.engine"].recompute_customer_base()
        report = self.env["sale.customer.base.report"].with_user(self.manager)
        domain = [("company_id", "=", self.company.id)]
        funnel = report._read_group(domain, ["customer_stage"], ["customer_count:sum"])
        self.assertEqual(
            [stage for stage, _count in funnel], ["new", "lost", "reactivated"], "first purchase before lost"
        )
        graph = report.web_read_group(domain, ["customer_count:sum"], ["customer_stage"], lazy=False)["groups"]
        self.assertEqual(
            [group["customer_stage"] for group in graph], ["new", "lost", "reactivated"], "so does the funnel graph"
        )
        changes = self.env["sale.customer.stage.history"]
        changes.search([("company_id", "=", self.company.id)]).unlink()
        rows = [
            (self.customer.id, "at_risk", "lost"),
            (self.customer.id, "repeat", "at_risk"),
            (self.other.id, "new", "repeat"),
            (newcomer.id, "prospect", "new"),
        ]
        values = SQL(", ").join(SQL("(%s, %s, %s)", *row) for row in rows)
        changes._insert_changes(
            self.company, TODAY, SQL("SELECT * FROM (VALUES %s) AS v(partner_id, old_stage, new_stage)", values)
        )
        domain = [("company_id", "=", self.company.id)]
        self.assertEqual(
            [stage for stage, _count in changes._read_group(domain, ["old_stage"], ["__count"])],
            ["prospect", "new", "repeat", "at_risk"],
            "from-stages in lifecycle order",
        )
        pivot = changes.read_group(domain, ["__count"], ["new_stage"])
        self.assertEqual([group["new_stage"] for group in pivot], ["new", "repeat", "at_risk", "lost"], "to-stages too")

    def test_stage_changes_show_a_first_classification_as_such(self):
        self.env["sale.customer.base.engine"].recompute_customer_base()
        changes = self.env["sale.customer.stage.history"].with_user(self.manager)
        domain = [("company_id", "=", self.company.id)]
        groups = changes.read_group(domain, ["__count"], ["from_stage"])
        self.assertEqual(
            [(group["from_stage"], group["from_stage_count"]) for group in groups],
            [("first", 2), ("lost", 1)],
            "both customers got a first stage (a from-stage of its own, not None, shown first), then Other came back",
        )
        labels = dict(changes._fields["from_stage"]._description_selection(changes.env))
        self.assertEqual(labels["first"], "First Classified", "the label the pivot shows")
        firsts = changes.search([*domain, ("from_stage", "=", "first")])
        self.assertEqual(firsts.mapped("old_stage"), [False, False], "the engine's record keeps no old stage")
        changes.env.cr.execute("UPDATE sale_customer_stage_history SET from_stage = NULL")
        changes.invalidate_model()
        changes.sudo().init()  # as after an upgrade
        self.assertEqual(
            sorted(changes.search(domain).mapped("from_stage")), ["first", "first", "lost"], "older rows filled in"
        )

    def _pivot_layout(self, xml_id):
        """Rows, columns and measures a pivot action opens on, as the web client reads them."""
        action = self.env["ir.actions.act_window"].with_user(self.manager)._for_xml_id(f"sale_customer_base.{xml_id}")
        context = safe_eval(action["context"], {"context_today": lambda: TODAY, "relativedelta": relativedelta})
        model = self.env[action["res_model"]].with_user(self.manager)
        arch = etree.fromstring(model.get_views([(False, "pivot")])["views"]["pivot"]["arch"])

        def arch_fields(kind):
            return [node.get("name") for node in arch.iter("field") if node.get("type") == kind]

        return (
            context.get("pivot_row_groupby", arch_fields("row")),
            context.get("pivot_column_groupby", arch_fields("col")),
            context.get("pivot_measures", arch_fields("measure")),
            context,
        )

    def test_salesperson_pivots_open_on_a_laptop_screen(self):
        rows, columns, measures, _context = self._pivot_layout("sale_customer_base_report_action_portfolio")
        self.assertEqual((rows, columns), (["user_id"], []), "portfolios: salespeople in rows, no column groups")
        self.assertLessEqual(len(measures), 6, "a handful of measures side by side")
        rows, columns, measures, context = self._pivot_layout("sale_customer_base_history_action_salesperson")
        self.assertEqual((rows, columns), (["user_id"], []), "retention: salespeople in rows, no year columns")
        self.assertEqual(
            measures[:5],
            ["customers_start", "customers_lost", "customers_end", "crr", "retention_rate"],
            "the figures a manager reads first",
        )
        self.assertLessEqual(len(measures), 6, "fits without scrolling sideways")
        self.assertTrue(
            context.get("search_default_years") and context.get("search_default_this_year"), "this year by default"
        )
        rows, columns, _measures, _context = self._pivot_layout("sale_customer_base_report_action_funnel")
        self.assertEqual((rows, columns), (["customer_stage"], []), "the funnel: stages only")

    def test_key_account_shares_read_as_percentages(self):
        self.env["sale.customer.base.engine"].recompute_customer_base()
        report = self.env["sale.customer.base.report"].with_user(self.manager)
        row = report.search([("company_id", "=", self.company.id), ("partner_id", "=", self.other.id)])
        self.assertAlmostEqual(
            row.revenue_share_ratio,
            self.other.revenue_share,
            msg="the share as a ratio, as the percentage widget reads",
        )
        self.assertAlmostEqual(row.revenue_share_ratio, 500 / 600, msg="Other's 500 of the window's 600")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale_customer_base.sale_customer_base_report_action_key_accounts"
        )
        list_view = next(view_id for view_id, mode in action["views"] if mode == "list")
        arch = etree.fromstring(report.get_views([(list_view, "list")])["views"]["list"]["arch"])
        share = arch.find(".//field[@name='revenue_share_ratio']")
        self.assertEqual(
            (share.get("widget"), share.get("string")),
            ("percentage", "Share"),
            "shown as 100.00 % under a short header",
        )
        for mode in ("pivot", "graph"):
            arch = etree.fromstring(report.get_views([(False, mode)])["views"][mode]["arch"])
            share = arch.find(".//field[@name='revenue_share_ratio']")
            self.assertEqual(share.get("widget"), "percentage", f"{mode}: shares with their % sign")

    def test_report_rows_keep_their_id_when_customers_are_added(self):
        """A list opened before a recompute must open the same customer after it."""
        Partner = self.env["res.partner"]
        self.env["sale.customer.base.engine"].recompute_customer_base()
        report = self.env["sale.customer.base.report"].with_user(self.manager)
        before = report.search([("company_id", "=", self.company.id), ("partner_id", "=", self.other.id)])
        # a partner with a smaller id than Other's becomes a customer: a numbering
        # of the rows in partner order would move Other one row down
        newcomer = Partner.search(
            [("id", "<", self.other.id), ("parent_id", "=", False), ("customer_stage", "=", False)], limit=1
        )
        self.assertTrue(newcomer, "an unclassified partner older than Other exists (the admin's company at least)")
        self.order(newcomer, D(2026, 5, 30), 50.0)
        self.env["sale.customer.base.engine"].recompute_customer_base()
        report.invalidate_model()
        after = report.search([("company_id", "=", self.company.id), ("partner_id", "=", self.other.id)])
        self.assertEqual(after.id, before.id)
        self.assertEqual(report.browse(before.id).partner_id, self.other)
        self.assertEqual(
            report.browse(before.id).action_open_partner()["res_id"], self.other.id, "open opens the same customer"
        )
        rows = report.search([("company_id", "=", self.company.id)])
        self.assertEqual(len(set(rows.ids)), len(rows), "one id per row")
        self.assertIn(newcomer, rows.partner_id)

    def test_key_account_managers_over_the_limit(self):
        self.company.customer_base_max_key_accounts = 1
        self.customer.key_account_manager_id = self.manager
        self.other.key_account_manager_id = self.manager
        self.env["sale.customer.base.engine"].recompute_customer_base()
        report = self.env["sale.customer.base.report"]
        over = report.search([("company_id", "=", self.company.id), ("is_manager_over_limit", "=", True)])
        self.assertEqual(over.partner_id, self.customer | self.other, "the manager holds two customers, one allowed")
        self.company.customer_base_max_key_accounts = 2
        self.assertFalse(
            report.search([("company_id", "=", self.company.id), ("is_manager_over_limit", "=", True)]), "within limit"
        )
        self.company.customer_base_max_key_accounts = 1
        self.company.customer_base_key_account_percent = 50
        self.env["sale.customer.base.engine"].recompute_customer_base()
        self.assertFalse(self.customer.with_company(self.company).is_key_account, "Acme's 17 % is no longer key")
        self.assertFalse(
            report.search([("company_id", "=", self.company.id), ("is_manager_over_limit", "=", True)]),
            "one key account and one other customer: within a limit of one key account",
        )

    # ---- Excel export

    def _export(self, wizard):
        wizard.action_export()
        return openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file)))

    def _table(self, sheet):
        rows = sheet.iter_rows(values_only=True)
        headers = next(rows)
        return [dict(zip(headers, row, strict=True)) for row in rows if any(value is not None for value in row)]

    def _kpis(self, workbook):
        values = {}
        for label, value, *_rest in workbook["Summary"].iter_rows(min_row=7, values_only=True):
            if label is None:
                break
            values[label] = value
        return values

    def test_export_of_a_list_selection(self):
        self.customer.name = '=HYPERLINK("http://example.com")'
        self.env["sale.customer.base.engine"].recompute_customer_base()
        wizard_form = Form(
            self.env["sale.customer.base.export"].with_context(active_model="res.partner", active_ids=[self.contact.id])
        )
        wizard_form.date_from = D(2026, 1, 1)
        wizard = wizard_form.save()
        self.assertEqual(wizard.partner_ids, self.customer, "the contact's company is the customer exported")
        workbook = self._export(wizard)
        self.assertEqual(wizard.file_name, "Customer base - Customer Base Test Company - 2026-06-30.xlsx", "name")
        customers = self._table(workbook["Customers"])
        self.assertEqual([row["Customer"] for row in customers], [self.customer.name], "only the selection")
        self.assertEqual(workbook["Customers"]["A2"].data_type, "s", "a formula-like name is written as text")
        self.assertIsInstance(customers[0]["Last order"], datetime.datetime, "dates are dates")
        self.assertEqual(customers[0]["Stage"], "Lost Customer", "stages in the user's words")
        kpis = self._kpis(workbook)
        self.assertEqual(
            (kpis["New customers (N)"], kpis["Lost customers"], kpis["Revenue in period"]),
            (1, 1, 100.0),
            "the period's flow of the selected customer only",
        )
        transitions = workbook["Lifecycle"]
        self.assertTrue(
            any(row[0] == "(none)" for row in transitions.iter_rows(values_only=True)), "stage changes are listed"
        )

    def test_export_reads_right_to_left_for_an_arabic_reader(self):
        self.env["res.lang"]._activate_lang("ar_001")
        self.env["sale.customer.base.engine"].recompute_customer_base()
        for lang, expected in (("en_US", False), ("ar_001", True)):
            # the web client's context carries the user's language
            Export = self.env["sale.customer.base.export"].with_user(self.manager).with_context(lang=lang)
            wizard = Export.create({"date_from": D(2026, 1, 1)})
            workbook = self._export(wizard)
            self.assertEqual(
                {sheet.sheet_view.rightToLeft or False for sheet in workbook.worksheets},
                {expected},
                f"{lang}: every sheet in the reader's direction",
            )

    def test_export_honours_what_a_salesperson_may_read(self):
        self.env["sale.customer.base.engine"].recompute_customer_base()
        self.other.user_id = self.alice
        theirs = self.order(self.other, D(2026, 6, 1), 40.0)
        theirs.user_id = self.alice
        self.env["sale.customer.base.engine"].recompute_customer_base()
        wizard = self.env["sale.customer.base.export"].with_user(self.alice).create({"date_from": D(2026, 1, 1)})
        workbook = self._export(wizard)
        headers = [cell.value for cell in workbook["Customers"][1]]
        self.assertNotIn("LTV", headers, "LTV is for managers")
        self.assertNotIn("Margin to date", headers, "margins are for managers")
        self.assertEqual(self._kpis(workbook)["Revenue in period"], 40.0, "only the orders the salesperson may read")
        boss = self._export(
            self.env["sale.customer.base.export"].with_user(self.manager).create({"date_from": D(2026, 1, 1)})
        )
        self.assertIn("LTV", [cell.value for cell in boss["Customers"][1]], "a manager gets LTV")
        self.assertEqual(self._kpis(boss)["Revenue in period"], 640.0, "and every order")

    def test_export_refuses_bad_choices(self):
        self.env["sale.customer.base.engine"].recompute_customer_base()
        Export = self.env["sale.customer.base.export"]
        with self.assertRaisesRegex(UserError, "starts on .* after its end"):
            Export.create({"date_from": D(2026, 6, 1), "date_to": D(2026, 5, 1)}).action_export()
        with self.assertRaisesRegex(UserError, "cannot end after today"):
            Export.create({"date_from": D(2026, 6, 1), "date_to": D(2026, 7, 1)}).action_export()
        stage = self.env.ref("sale_customer_base.sale_customer_base_tag_stage_loyal")
        with self.assertRaisesRegex(UserError, "No customer matches"):
            Export.create({"stage_tag_ids": [stage.id]}).action_export()
        euro = self.env.ref("base.EUR")
        euro.active = True
        other_company = self.env["res.company"].create({"name": "Euro Branch", "currency_id": euro.id})
        self.env.user.company_ids |= other_company
        wizard = Export.create({"company_ids": [self.company.id, other_company.id]})
        with self.assertRaisesRegex(UserError, "different currencies"):
            wizard.action_export()
        self.assertFalse(wizard.file, "nothing is produced")

    def test_export_says_what_is_wrong_before_the_click(self):
        wizard_form = Form(self.env["sale.customer.base.export"])
        self.assertFalse(wizard_form.error, "the default period fits")
        wizard_form.date_from = D(2026, 6, 20)
        wizard_form.date_to = D(2026, 6, 10)
        self.assertIn("after its end", wizard_form.error, "shown in the form as the dates are typed")
        wizard_form.date_to = D(2026, 6, 25)
        self.assertFalse(wizard_form.error)
        wizard_form.date_from = D(1, 1, 1)
        self.assertIn("at most 50 years", wizard_form.error)
