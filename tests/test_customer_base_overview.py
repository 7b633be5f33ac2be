import base64
import datetime
import io

import openpyxl
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import CustomerBaseCommon

TODAY = datetime.date(2026, 6, 30)
D = datetime.date


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestCustomerBaseOverview(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            "cb_overview_boss",
            groups="sales_team.group_sale_manager",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.salesman = new_test_user(
            cls.env,
            "cb_overview_sally",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        Partner = cls.env["res.partner"]
        # lost after 365 days of silence (the default), at risk after 90 days for a single order
        for month in range(12):
            cls.order(cls.customer, D(2025, 7, 15) + relativedelta(months=month), 100.0)  # regular
        cls.quiet = Partner.create({"name": "Quiet Customer", "is_company": True})
        cls.order(cls.quiet, D(2026, 2, 1), 300.0)  # at risk
        cls.gone = Partner.create({"name": "Gone Customer", "is_company": True})
        cls.order(cls.gone, D(2025, 3, 1), 400.0)  # lost on 2026-03-02
        cls.back = Partner.create({"name": "Back Customer", "is_company": True})
        for day, amount in ((D(2024, 1, 10), 50.0), (D(2025, 2, 1), 50.0), (D(2026, 5, 1), 250.0)):
            cls.order(cls.back, day, amount)  # lost on 2026-02-02, reactivated on 2026-05-01
        cls.newbie = Partner.create({"name": "Newbie Customer", "is_company": True})
        cls.order(cls.newbie, D(2026, 6, 15), 150.0)  # first purchase
        cls.order(cls.other, D(2026, 1, 10), 5000.0)  # the key account the company depends on
        cls.order(cls.other, D(2026, 4, 10), 5000.0)
        cls.env["sale.customer.base.engine"].recompute_customer_base()

    # ---- the board as the web client shows it

    def _open(self, user):
        """The overview's action, run as its menu runs it."""
        return self.env.ref("sale_customer_base.sale_customer_base_overview_action_open").with_user(user).run()

    def _tiles(self, user):
        """Each tile of the board: its model, views, domain and context, as the board reads them."""
        action = self._open(user)
        board = self.env[action["res_model"]].with_user(user)
        [(view_id, _mode)] = action["views"]
        arch = etree.fromstring(board.get_views([(view_id, "form")])["views"]["form"]["arch"])
        evaluation = {"context_today": lambda: TODAY, "relativedelta": relativedelta}
        tiles = {}
        for node in arch.iter("action"):
            # /web/action/load reads the tile's action as sudo, then the view runs as the user
            loaded = self.env["ir.actions.act_window"].sudo().browse(int(node.get("name")))._get_action_dict()
            mode = node.get("view_mode")
            model = self.env[loaded["res_model"]].with_user(user)
            view_id = next((vid for vid, vmode in loaded["views"] if vmode == mode), False)
            tiles[node.get("string")] = {
                "model": model,
                "mode": mode,
                "arch": etree.fromstring(model.get_views([(view_id, mode)])["views"][mode]["arch"]),
                "domain": safe_eval(node.get("domain", "[]"), evaluation),
                "context": safe_eval(node.get("context", "{}"), evaluation),
            }
        return tiles

    def _graph(self, tile):
        """``{group: value}`` of a graph tile, in the order it draws them."""
        model, context = tile["model"], tile["context"]
        measure = context["graph_measure"]
        spec = f"{measure}:{model._fields[measure].aggregator}"
        [groupby] = context["graph_groupbys"]
        groups = model.web_read_group(tile["domain"], [spec], [groupby], lazy=False)["groups"]
        return {group[groupby]: group[measure] for group in groups}

    def _pivot(self, tile):
        model, context = tile["model"], tile["context"]
        measures = context["pivot_measures"]
        specs = [f"{fname}:{model._fields[fname].aggregator}" for fname in measures]
        return model.read_group(tile["domain"], specs, context["pivot_row_groupby"], lazy=False)

    def _list(self, tile):
        arch = tile["arch"]
        fnames = [node.get("name") for node in arch.iter("field")]
        return tile["model"].search_read(
            tile["domain"], fnames, order=arch.get("default_order"), limit=int(arch.get("limit", 80))
        )

    # ---- the engine's figures, as the workbook's Summary writes them

    def _workbook(self):
        wizard = self.env["sale.customer.base.export"].with_user(self.manager).create({})
        wizard.action_export()
        return openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file)))

    def _summary_table(self, sheet, header):
        """``{label: values}`` of the Summary table under the header row starting with ``header``."""
        rows = list(sheet.iter_rows(values_only=True))
        start = next(index for index, row in enumerate(rows) if row[0] == header)
        table = {}
        for row in rows[start + 1 :]:
            if row[0] is None:
                break
            table[row[0]] = row[1:]
        return table

    def _sheet_rows(self, sheet):
        """Rows of the sheet's first table (a blank row ends it)."""
        rows = sheet.iter_rows(values_only=True)
        headers = next(rows)
        table = []
        for row in rows:
            if all(value is None for value in row):
                break
            table.append(dict(zip(headers, row, strict=True)))
        return table

    def _labels(self, model, fname):
        return dict(model._fields[fname]._description_selection(model.env))

    # ---- tests

    def test_overview_opens_for_sales_managers_only(self):
        action = self._open(self.manager)
        self.assertEqual(
            (action["res_model"], action["views"][0][1]), ("board.board", "form"), "a manager gets the board"
        )
        self.assertEqual(
            set(self._tiles(self.manager)),
            {
                "Last 12 Months: Customers Kept, Won and Lost",
                "CRR by Month",
                "Customers by Stage",
                "At Risk and Lost Now",
                "Key-Account Dependency",
                "Revenue by ABC Class",
            },
            "with every figure of the workbook's Summary",
        )
        with self.assertRaises(AccessError, msg="a salesperson cannot run it"):
            self._open(self.salesman)
        with self.assertRaisesRegex(AccessError, "for sales managers", msg="nor call it through RPC"):
            self.env["sale.customer.base.history"].with_user(self.salesman).action_open_overview()
        menu = self.env.ref("sale_customer_base.sale_customer_base_overview_menu")
        path = [int(menu_id) for menu_id in menu.parent_path.strip("/").split("/")]
        Menu = self.env["ir.ui.menu"]
        visible = Menu.with_user(self.manager)._visible_menu_ids()
        self.assertTrue(all(menu_id in visible for menu_id in path), "in a manager's menu, with its parents")
        visible = Menu.with_user(self.salesman)._visible_menu_ids()
        self.assertFalse(all(menu_id in visible for menu_id in path), "out of a salesperson's reach")

    def test_overview_shows_the_engines_figures(self):
        tiles = self._tiles(self.manager)
        workbook = self._workbook()
        summary = workbook["Summary"]
        kpis = {label: values[0] for label, values in self._summary_table(summary, "Indicator").items()}
        Report = self.env["sale.customer.base.report"]
        stage_labels = self._labels(Report, "customer_stage")

        stages = self._graph(tiles["Customers by Stage"])
        expected = {label: values[0] for label, values in self._summary_table(summary, "Stage").items() if values[0]}
        self.assertEqual(
            {stage_labels[stage]: count for stage, count in stages.items()}, expected, "customers by stage"
        )
        self.assertEqual(
            list(stages),
            ["new", "repeat", "regular", "at_risk", "lost", "reactivated"],
            "in lifecycle order, one stage each",
        )

        slipping = {row["customer_stage"]: row["customer_count"] for row in self._pivot(tiles["At Risk and Lost Now"])}
        self.assertEqual(
            (slipping["at_risk"], slipping["lost"]),
            (kpis["At-risk customers now"], kpis["Lost customers now"]),
            "at risk and lost now",
        )
        self.assertEqual((slipping["at_risk"], slipping["lost"]), (1, 1), "Quiet at risk, Gone lost")

        [flow] = self._pivot(tiles["Last 12 Months: Customers Kept, Won and Lost"])
        self.assertEqual(
            (
                flow["customers_start"],
                flow["customers_new"],
                flow["customers_reactivated"],
                flow["customers_lost"],
                flow["customers_end"],
                flow["revenue"],
            ),
            (
                kpis["Active at period start (S)"],
                kpis["New customers (N)"],
                kpis["Reactivated customers"],
                kpis["Lost customers"],
                kpis["Active at period end (E)"],
                kpis["Revenue in period"],
            ),
            "the flow of the last 12 months",
        )
        self.assertAlmostEqual(flow["crr"], kpis["CRR = (E - N) / S"] * 100, msg="and its CRR")

        crr = self._graph(tiles["CRR by Month"])
        retention = self._sheet_rows(workbook["Retention"])
        expected = {row["Month"]: None if row["CRR"] is None else round(row["CRR"] * 100, 6) for row in retention}
        self.assertEqual(
            {month: None if value is None else round(value, 6) for month, value in crr.items()},
            expected,
            "CRR by month, no point where nobody was active at the start",
        )
        self.assertEqual(len(crr), 12, "twelve months, the current one included")
        self.assertEqual(list(crr)[-1], "Jun 2026", "in time order")

        [top, *_rest] = self._list(tiles["Key-Account Dependency"])
        [key_account, *_others] = self._sheet_rows(workbook["Key accounts"])
        risk_labels = self._labels(Report, "dependency_risk")
        self.assertEqual(
            (top["partner_id"][1], round(top["revenue_share_ratio"], 6), risk_labels[top["dependency_risk"]]),
            (
                key_account["Customer"],
                round(key_account["Share of revenue"], 6),
                key_account["Dependency risk"],
            ),
            "the top customer's share and the risk it brings",
        )
        self.assertEqual(top["partner_id"][0], self.other.id, "Other makes most of the revenue")
        card = tiles["Key-Account Dependency"]["model"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="action_open_partner"', card, "a click on a customer opens a card that leads to it")

        abc = {abc: revenue for abc, revenue in self._graph(tiles["Revenue by ABC Class"]).items() if revenue}
        expected = {
            label.lower(): values[1] for label, values in self._summary_table(summary, "ABC class").items() if values[1]
        }
        self.assertEqual(abc, expected, "revenue by ABC class (a pie leaves out empty slices)")
