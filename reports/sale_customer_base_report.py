"""One row per customer and company: the engine's values, ready for pivots and graphs.

The rows of ``sale.customer.metrics`` of each company the user works in, with
the salesperson's team and the key account manager's limit, so that the ABC x XYZ matrix, the lifecycle funnel, the
key accounts and the salesperson portfolios are ordinary pivot and graph
views with sums and drill-down.
"""

from odoo import fields, models
from odoo.tools import SQL

from ..models.sale_customer_metrics import ABC_CLASSES, DEPENDENCY_RISKS, SEGMENTS, STAGES, XYZ_CLASSES
from ..models.sale_customer_stage_history import lifecycle_position


class SaleCustomerBaseReport(models.Model):
    _name = "sale.customer.base.report"
    _description = "Customer Base Analysis"
    _auto = False
    _rec_name = "partner_id"
    _order = "revenue_window desc, partner_id"
    _depends = {
        "sale.customer.key.account": ["manager_id", "company_id", "is_key_account", "active"],
        "sale.customer.metrics": [
            "company_id",
            "partner_id",
            "user_id",
            "customer_stage",
            "abc_class",
            "xyz_class",
            "customer_segment",
            "dependency_risk",
            "is_key_account",
            "last_order_date",
            "customer_order_count",
            "revenue_window",
            "revenue_to_date",
            "revenue_share",
            "ltv",
        ],
        "res.partner": ["active", "key_account_manager_id"],
        "res.company": ["currency_id", "customer_base_max_key_accounts"],
        "res.users": ["sale_team_id"],
    }

    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True, help="Sales team of the customer's salesperson.")
    key_account_manager_id = fields.Many2one("res.users", readonly=True)
    customer_stage = fields.Selection(STAGES, "Lifecycle Stage", readonly=True)
    abc_class = fields.Selection(ABC_CLASSES, "Revenue Class (ABC)", readonly=True)
    xyz_class = fields.Selection(XYZ_CLASSES, "Regularity (XYZ)", readonly=True)
    customer_segment = fields.Selection(SEGMENTS, "Segment", readonly=True)
    dependency_risk = fields.Selection(DEPENDENCY_RISKS, readonly=True)
    is_key_account = fields.Boolean("Key Account", readonly=True)
    is_manager_over_limit = fields.Boolean(
        "Manager Over the Limit",
        readonly=True,
        help="The key account manager looks after more key accounts than the company allows.",
    )
    last_order_date = fields.Date(readonly=True)
    days_since_last_order = fields.Integer(readonly=True, aggregator="avg")
    customer_order_count = fields.Integer("Orders", readonly=True)
    revenue_window = fields.Monetary("Revenue in Window", readonly=True)
    revenue_to_date = fields.Monetary(readonly=True)
    revenue_share = fields.Float("Share of Our Revenue (%)", readonly=True)
    revenue_share_ratio = fields.Float(
        "Share of Revenue",
        readonly=True,
        help="The customer's revenue in the analysis window over the company's (shown as a percentage).",
    )
    ltv = fields.Monetary("LTV", readonly=True, groups="sales_team.group_sale_manager")
    customer_count = fields.Integer("Customers", readonly=True)
    at_risk_count = fields.Integer("At-Risk Customers", readonly=True)
    lost_count = fields.Integer("Lost Customers", readonly=True)
    key_account_count = fields.Integer("Key Accounts", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT %s AS id,
                   v.*,
                   v.revenue_share / 100.0 AS revenue_share_ratio,
                   CASE WHEN v.customer_stage = 'at_risk' THEN 1 ELSE 0 END AS at_risk_count,
                   CASE WHEN v.customer_stage = 'lost' THEN 1 ELSE 0 END AS lost_count,
                   CASE WHEN v.is_key_account THEN 1 ELSE 0 END AS key_account_count,
                   -- the limit counts key accounts only (a manager may follow other customers)
                   COALESCE(k.key_account_count > v.manager_limit, FALSE) AS is_manager_over_limit
              FROM (%s) AS v
              LEFT JOIN (%s) AS k ON k.company_id = v.company_id AND k.manager_id = v.key_account_manager_id
            """,
            self._row_id_sql("v"),
            self._query_customers(),
            self.env["sale.customer.key.account"]._key_accounts_per_manager_sql(),
        )

    @staticmethod
    def _row_id_sql(alias):
        """A row's id from its customer and company alone (Cantor's pairing, one
        integer per pair): a numbering of the rows would shift when a customer
        is added, and a list opened before would then open the wrong customer."""
        return SQL(
            "(%(p)s + %(c)s) * (%(p)s + %(c)s + 1) / 2 + %(c)s",
            p=SQL("%s.partner_id::int8", SQL.identifier(alias)),
            c=SQL("%s.company_id::int8", SQL.identifier(alias)),
        )

    def _query_customers(self):
        """Customers of each company the user works in, one row per (customer, company); the order
        figures empty where the user may not see them (the record rules of ``sale.customer.metrics``)."""
        Metrics = self.env["sale.customer.metrics"]
        Metrics.flush_model()
        self.env["res.partner"].flush_model(["active", "user_id", "key_account_manager_id"])
        readable = Metrics._search([("company_id", "in", self.env.companies.ids)])
        return SQL(
            """
            SELECT m.partner_id,
                   m.company_id,
                   c.currency_id,
                   c.customer_base_max_key_accounts AS manager_limit,
                   m.user_id,
                   u.sale_team_id AS team_id,
                   (p.key_account_manager_id ->> m.company_id::text)::int4 AS key_account_manager_id,
                   m.customer_stage,
                   m.abc_class,
                   m.xyz_class,
                   m.customer_segment,
                   m.dependency_risk,
                   COALESCE(m.is_key_account, FALSE) AS is_key_account,
                   mine.last_order_date,
                   %(today)s - mine.last_order_date AS days_since_last_order,
                   COALESCE(mine.customer_order_count, 0) AS customer_order_count,
                   COALESCE(mine.revenue_window, 0)::numeric AS revenue_window,
                   COALESCE(mine.revenue_to_date, 0)::numeric AS revenue_to_date,
                   COALESCE(mine.revenue_share, 0) * 100 AS revenue_share,
                   mine.ltv::numeric AS ltv,
                   1 AS customer_count
              FROM sale_customer_metrics AS m
              JOIN res_company AS c ON c.id = m.company_id
              JOIN res_partner AS p ON p.id = m.partner_id
              LEFT JOIN sale_customer_metrics AS mine ON mine.id = m.id AND mine.id IN %(readable)s
              LEFT JOIN res_users AS u ON u.id = m.user_id
             WHERE m.company_id IN %(companies)s
               AND m.customer_stage IS NOT NULL
               AND p.active
            """,
            companies=tuple(self.env.companies.ids),
            readable=readable.subselect(),
            today=fields.Date.context_today(self),
        )

    def _read_group_orderby(self, order, groupby_terms, query):
        # stages in lifecycle order (prospect first), as the funnel reads
        if "customer_stage" in groupby_terms:
            groupby_terms = {**groupby_terms, "customer_stage": lifecycle_position(groupby_terms["customer_stage"])}
        return super()._read_group_orderby(order, groupby_terms, query)

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "views": [(False, "form")],
        }
