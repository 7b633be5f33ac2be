"""One row per customer and company: the engine's values, ready for pivots and graphs.

The partner's metrics are company dependent (jsonb keyed by company id); this
report unfolds them into plain columns, one row per customer of each company
the user works in, so that the ABC x XYZ matrix, the lifecycle funnel, the
key accounts and the salesperson portfolios are ordinary pivot and graph
views with sums and drill-down.
"""

from odoo import fields, models
from odoo.tools import SQL

from ..models.res_partner import ABC_CLASSES, DEPENDENCY_RISKS, SEGMENTS, STAGES, XYZ_CLASSES
from ..models.sale_customer_stage_history import lifecycle_position


class SaleCustomerBaseReport(models.Model):
    _name = "sale.customer.base.report"
    _description = "Customer Base Analysis"
    _auto = False
    _rec_name = "partner_id"
    _order = "revenue_window desc, partner_id"
    _depends = {
        "res.partner": [
            "active",
            "commercial_partner_id",
            "user_id",
            "key_account_manager_id",
            "customer_stage",
            "abc_class",
            "xyz_class",
            "customer_segment",
            "dependency_risk",
            "is_key_account",
            "last_order_date",
            "days_since_last_order",
            "customer_order_count",
            "revenue_window",
            "revenue_to_date",
            "revenue_share",
            "ltv",
        ],
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
                   v.key_account_manager_id IS NOT NULL
                       AND COUNT(*) FILTER (WHERE v.is_key_account)
                           OVER (PARTITION BY v.company_id, v.key_account_manager_id) > v.manager_limit
                       AS is_manager_over_limit
              FROM (%s) AS v
            """,
            self._row_id_sql("v"),
            self._query_customers(),
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
        """Customers of each company the user works in, one row per (customer, company)."""
        return SQL(
            """
            SELECT p.id AS partner_id,
                   c.id AS company_id,
                   c.currency_id,
                   c.customer_base_max_key_accounts AS manager_limit,
                   p.user_id,
                   u.sale_team_id AS team_id,
                   (p.key_account_manager_id ->> k.key)::int4 AS key_account_manager_id,
                   p.customer_stage ->> k.key AS customer_stage,
                   p.abc_class ->> k.key AS abc_class,
                   p.xyz_class ->> k.key AS xyz_class,
                   p.customer_segment ->> k.key AS customer_segment,
                   p.dependency_risk ->> k.key AS dependency_risk,
                   COALESCE((p.is_key_account ->> k.key)::bool, FALSE) AS is_key_account,
                   %(last_order_date)s AS last_order_date,
                   %(days_since_last_order)s AS days_since_last_order,
                   %(customer_order_count)s AS customer_order_count,
                   %(revenue_window)s AS revenue_window,
                   %(revenue_to_date)s AS revenue_to_date,
                   %(revenue_share)s AS revenue_share,
                   (p.ltv ->> k.key)::numeric AS ltv,
                   1 AS customer_count
              FROM res_company AS c
             CROSS JOIN LATERAL (SELECT c.id::text AS key) AS k
              JOIN res_partner AS p ON p.customer_stage ? k.key
              LEFT JOIN res_users AS u ON u.id = p.user_id
             WHERE c.id IN %(companies)s
               AND p.active
               AND p.id = p.commercial_partner_id
            """,
            companies=tuple(self.env.companies.ids),
            **self._figure_columns(),
        )

    def _figure_columns(self):
        """The order figures, empty for customers whose figures the user may not see (see res.partner)."""
        Partner = self.env["res.partner"]
        expressions = {
            "last_order_date": SQL("(p.last_order_date ->> k.key)::date"),
            "days_since_last_order": SQL("(p.days_since_last_order ->> k.key)::int4"),
            "customer_order_count": SQL("COALESCE((p.customer_order_count ->> k.key)::int4, 0)"),
            "revenue_window": SQL("COALESCE((p.revenue_window ->> k.key)::numeric, 0)"),
            "revenue_to_date": SQL("COALESCE((p.revenue_to_date ->> k.key)::numeric, 0)"),
            "revenue_share": SQL("COALESCE((p.revenue_share ->> k.key)::float8, 0) * 100"),
        }
        return {
            fname: Partner._customer_figure_sql("p", fname, expression, company=SQL("c.id"))
            for fname, expression in expressions.items()
        }

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
