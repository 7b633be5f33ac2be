"""Customer base metrics on partners.

Every metric is a company-dependent field (one value per company, stored in
a jsonb column keyed by company id) written only by the engine: the values
are computed by :mod:`..analytics` from one set-based read of the confirmed
orders and written back with a few ``UPDATE ... FROM jsonb_to_recordset``
statements. Contacts mirror their commercial partner's values.
"""

import datetime
import io
import logging
import time

import pandas as pd
from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape
from psycopg2 import errors
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules import module
from odoo.tools import SQL, format_date, formatLang, mute_logger

from ..analytics import customer_metrics
from ..analytics.lifecycle import STAGE_LABELS
from ..analytics.settings import RANGES, in_range
from .sale_order import ORDER_MARGIN, ORDER_REVENUE

_logger = logging.getLogger(__name__)

STAGES = list(STAGE_LABELS.items())
ABC_CLASSES = [("a", "A"), ("b", "B"), ("c", "C")]
XYZ_CLASSES = [("x", "X"), ("y", "Y"), ("z", "Z")]
SEGMENTS = [(abc + xyz, abc + xyz) for abc in "ABC" for xyz in "XYZ"]
DEPENDENCY_RISKS = [("none", "None"), ("elevated", "Elevated"), ("high", "High"), ("critical", "Critical")]
LTV_BASES = [
    ("projected", "Projected (S x C x P x T)"),
    ("too_early", "Too early to project: margin so far"),
    ("lost", "Lost: value realised"),
]
KEY_ACCOUNT_REASONS = [
    ("potential", "Growth Potential"),
    ("reference", "Reputation / Reference"),
    ("innovator", "Innovator"),
    ("demanding", "Demanding Customer"),
]
# analytics column -> (res.partner field, SQL type of its value)
METRIC_FIELDS = {
    "customer_stage": ("customer_stage", "varchar"),
    "order_count": ("customer_order_count", "int4"),
    "first_order_date": ("first_order_date", "date"),
    "last_order_date": ("last_order_date", "date"),
    "days_since_last_order": ("days_since_last_order", "int4"),
    "median_order_interval": ("median_order_interval", "float8"),
    "next_order_date": ("next_order_date", "date"),
    "revenue_total": ("revenue_to_date", "float8"),
    "margin_total": ("margin_to_date", "float8"),
    "average_order_value": ("average_order_value", "float8"),
    "purchase_frequency": ("purchase_frequency", "float8"),
    "profitability": ("profitability", "float8"),
    "customer_lifetime_months": ("customer_lifetime_months", "float8"),
    "ltv": ("ltv", "float8"),
    "ltv_basis": ("ltv_basis", "varchar"),
    "ranks_pending": ("customer_base_ranks_pending", "bool"),
    "revenue_window": ("revenue_window", "float8"),
    "orders_window": ("window_order_count", "int4"),
    "revenue_share": ("revenue_share", "float8"),
    "abc_class": ("abc_class", "varchar"),
    "xyz_class": ("xyz_class", "varchar"),
    "customer_segment": ("customer_segment", "varchar"),
    "dependency_risk": ("dependency_risk", "varchar"),
    "is_key_account": ("is_key_account", "bool"),
    "is_key_account_team": ("is_key_account_team", "bool"),
    "is_key_account_salesperson": ("is_key_account_salesperson", "bool"),
}
# Inputs a person gives that the stage or the key account flag depend on
MANUAL_FIELDS = ("share_of_wallet", "is_customer_advocate", "key_account_reason", "referred_by_id")
MANUAL_FIELDS_SET = frozenset(MANUAL_FIELDS)
ENGINE_FIELDS = frozenset(fname for fname, _type in METRIC_FIELDS.values())
# Figures drawn from the customer's orders: a salesperson who may read only her own
# orders sees them only for her customers (see ``_customer_figures_visible_sql``).
# Stage, segments, key account status and dependency stay visible to every salesperson:
# they say how to treat a customer without disclosing a colleague's sales.
# cached per user: the same customer may show figures to a manager and none to a salesperson
FIGURE_CONTEXT = ("company", "uid")
ORDER_FIGURE_FIELDS = frozenset(
    {
        "customer_order_count",
        "window_order_count",
        "first_order_date",
        "last_order_date",
        "days_since_last_order",
        "median_order_interval",
        "next_order_date",
        "average_order_value",
        "purchase_frequency",
        "revenue_to_date",
        "revenue_window",
        "revenue_share",
    }
)
WRITE_BATCH_SIZE = 20000  # partners per UPDATE statement
LOCK_NAMESPACE = 418_202  # pg advisory lock namespace of the full recompute (per company)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ---- engine values (company dependent, written by the engine only)
    customer_stage = fields.Selection(
        STAGES,
        company_dependent=True,
        group_expand="_group_expand_customer_stage",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Where the customer stands, from its confirmed orders: first purchase, repeat, regular, loyal, "
        "advocate; at risk when silent longer than usual; lost after a long silence; reactivated when it "
        "came back after being lost.",
    )
    abc_class = fields.Selection(
        ABC_CLASSES,
        string="Revenue Class (ABC)",
        company_dependent=True,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="A: the customers making the first 80% of revenue in the analysis window, B: the next 15%, C: the rest.",
    )
    xyz_class = fields.Selection(
        XYZ_CLASSES,
        string="Regularity (XYZ)",
        company_dependent=True,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="X: buys every month, Y: at least every quarter, Z: irregular (or, depending on the settings, "
        "by how much its monthly revenue varies).",
    )
    customer_segment = fields.Selection(
        SEGMENTS,
        string="Segment",  # not "Customer Segment": the tab already says customer
        company_dependent=True,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    customer_order_count = fields.Integer(
        "Confirmed Orders",
        company_dependent=True,
        depends_context=FIGURE_CONTEXT,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    window_order_count = fields.Integer(
        "Orders in Analysis Window",
        company_dependent=True,
        depends_context=FIGURE_CONTEXT,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    first_order_date = fields.Date(
        "First Order",
        company_dependent=True,
        depends_context=FIGURE_CONTEXT,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    last_order_date = fields.Date(
        "Last Order",
        company_dependent=True,
        depends_context=FIGURE_CONTEXT,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    days_since_last_order = fields.Integer(
        company_dependent=True, depends_context=FIGURE_CONTEXT, readonly=True, groups="sales_team.group_sale_salesman"
    )
    median_order_interval = fields.Float(
        "Usual Days Between Orders",
        company_dependent=True,
        depends_context=FIGURE_CONTEXT,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Median number of days between two consecutive orders.",
    )
    next_order_date = fields.Date(
        "Next Order Expected",
        company_dependent=True,
        depends_context=FIGURE_CONTEXT,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Last order date plus the usual days between orders.",
    )
    average_order_value = fields.Float(
        "Average Order (S)",
        company_dependent=True,
        depends_context=FIGURE_CONTEXT,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    purchase_frequency = fields.Float(
        "Orders per Month (C)",
        company_dependent=True,
        depends_context=FIGURE_CONTEXT,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Confirmed orders divided by the months since the first order (at least one month).",
    )
    profitability = fields.Float(
        "Margin Rate (P)",
        company_dependent=True,
        readonly=True,
        groups="sales_team.group_sale_manager",
        help="Margin divided by untaxed revenue, over all orders.",
    )
    customer_lifetime_months = fields.Float(
        "Customer Lifetime (T, months)",
        company_dependent=True,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="How long a customer stays, in months: fixed in the settings or estimated from lost customers.",
    )
    ltv = fields.Float(
        "Lifetime Value (LTV)",
        company_dependent=True,
        readonly=True,
        groups="sales_team.group_sale_manager",
        help="Projected as average order x orders per month x margin rate x customer lifetime for customers "
        "with enough history (see the settings); for new and lost customers, the margin earned so far. "
        "Negative when the customer loses money.",
    )
    ltv_basis = fields.Selection(
        LTV_BASES,
        "LTV Basis",
        company_dependent=True,
        readonly=True,
        groups="sales_team.group_sale_manager",
        help="Whether the LTV is the projection or the margin earned so far, and why.",
    )
    revenue_to_date = fields.Float(
        "Revenue to Date",
        company_dependent=True,
        depends_context=FIGURE_CONTEXT,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    margin_to_date = fields.Float(
        "Margin to Date", company_dependent=True, readonly=True, groups="sales_team.group_sale_manager"
    )
    revenue_window = fields.Float(
        "Revenue in Analysis Window",
        company_dependent=True,
        depends_context=FIGURE_CONTEXT,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Untaxed revenue of the last months (12 by default, see the settings).",
    )
    revenue_share = fields.Float(
        "Share of Our Revenue",
        company_dependent=True,
        depends_context=FIGURE_CONTEXT,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The customer's revenue in the analysis window over the company's.",
    )
    dependency_risk = fields.Selection(
        DEPENDENCY_RISKS,
        company_dependent=True,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="How much the company would suffer if this customer left: elevated from 20% of revenue, "
        "high from 40%, critical from 50%.",
    )
    is_key_account = fields.Boolean(
        "Key Account",
        company_dependent=True,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Makes at least 10% of revenue, or a manager gave a reason to treat it as key.",
    )
    is_key_account_team = fields.Boolean(
        "Key for Its Sales Team", company_dependent=True, readonly=True, groups="sales_team.group_sale_salesman"
    )
    is_key_account_salesperson = fields.Boolean(
        "Key for Its Salesperson", company_dependent=True, readonly=True, groups="sales_team.group_sale_salesman"
    )
    customer_base_ranks_pending = fields.Boolean(
        "Waiting for the Nightly Ranking",
        company_dependent=True,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Orders changed since the last full recompute: the revenue class, shares and key account status "
        "ranked over the whole base are updated tonight.",
    )
    # ---- inputs a person gives
    key_account_reason = fields.Selection(
        KEY_ACCOUNT_REASONS,
        company_dependent=True,
        tracking=True,
        groups="sales_team.group_sale_salesman",
        help="Makes the customer a key account whatever its revenue.",
    )
    key_account_manager_id = fields.Many2one(
        "res.users",
        company_dependent=True,
        tracking=True,
        groups="sales_team.group_sale_salesman",
        domain="[('share', '=', False)]",
    )
    share_of_wallet = fields.Float(
        "Share of Wallet (%)",
        company_dependent=True,
        tracking=True,
        groups="sales_team.group_sale_salesman",
        help="Your estimate of how much of what this customer buys in our line of business it buys from us. "
        "From 80% a regular customer counts as loyal.",
    )
    is_customer_advocate = fields.Boolean(
        "Recommends Us",
        company_dependent=True,
        tracking=True,
        groups="sales_team.group_sale_salesman",
        help="A loyal customer that recommends us is an advocate, even without a recorded referral.",
    )
    referred_by_id = fields.Many2one(
        "res.partner", index="btree_not_null", tracking=True, groups="sales_team.group_sale_salesman"
    )
    referral_count = fields.Integer(
        "Referred Customers", compute="_compute_referral_count", groups="sales_team.group_sale_salesman"
    )
    reactivation_count = fields.Integer(
        "Win-Back Attempts", compute="_compute_reactivation_count", groups="sales_team.group_sale_salesman"
    )

    # ---- display helpers
    customer_revenue_chart = fields.Html(
        "Revenue by Month",
        compute="_compute_customer_revenue_chart",
        sanitize=False,  # built here from numbers and escaped month names only
        groups="sales_team.group_sale_salesman",
    )
    customer_base_currency_id = fields.Many2one(
        "res.currency", compute="_compute_customer_base_display", groups="sales_team.group_sale_salesman"
    )
    customer_base_computed_on = fields.Datetime(
        "Segments Computed On",
        compute="_compute_customer_base_display",
        groups="sales_team.group_sale_salesman",
        help="ABC classes, shares of revenue and key accounts are ranked over the whole customer base by the "
        "nightly job; counts, dates and stage are refreshed as soon as an order is confirmed or cancelled.",
    )

    @property
    def _mail_post_access(self):
        # Salespeople log calls and plan follow-ups on the customers they work, which they
        # may read but often not edit (contact editing is a right of its own): posting and
        # scheduling activities ask for read access from them, write access from others.
        return "read" if self.env.user.has_group("sales_team.group_sale_salesman") else "write"

    def _group_expand_customer_stage(self, stages, domain):
        """Groups by stage come in lifecycle order (prospect ... advocate, at risk, lost, reactivated)."""
        order = [stage for stage, _label in STAGES]
        return sorted(set(stages), key=order.index)

    @api.depends_context("company", "uid")
    def _compute_customer_revenue_chart(self):
        """Bars of the last 12 months' confirmed revenue (company currency), from the orders the user may read."""
        today = fields.Date.context_today(self)
        first = today.replace(day=1) - relativedelta(months=11)
        months = [first + relativedelta(months=index) for index in range(12)]
        orders = self.env["sale.order"]._search(
            [
                ("partner_id", "child_of", self.commercial_partner_id.ids),
                ("state", "=", "sale"),
                ("company_id", "=", self.env.company.id),
                ("date_order", ">=", fields.Datetime.to_datetime(first)),
            ]
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT p.commercial_partner_id, date_trunc('month', so.date_order)::date, SUM(%(revenue)s)
                  FROM sale_order AS so JOIN res_partner AS p ON p.id = so.partner_id
                 WHERE so.id IN %(orders)s
                 GROUP BY 1, 2
                """,
                revenue=ORDER_REVENUE,
                orders=orders.subselect(),
            )
        )
        revenue = {(partner_id, month): amount for partner_id, month, amount in rows}
        for partner in self:
            values = [float(revenue.get((partner.commercial_partner_id.id, month), 0.0)) for month in months]
            partner.customer_revenue_chart = self._revenue_chart_svg(months, values) if any(values) else False

    @api.model
    def _revenue_chart_svg(self, months, values):
        """A small bar chart (inline SVG, nothing to load) of ``values`` by month."""
        width, height, bar = 360, 90, 24  # pixels
        top = max(max(values), 1e-9)
        bars = []
        for index, (month, value) in enumerate(zip(months, values, strict=True)):
            bar_height = max(0.0, value) / top * (height - 24)
            x = index * (width / 12) + 3
            label = escape(format_date(self.env, month, date_format="MMM"))
            amount = escape(formatLang(self.env, value, digits=0))
            bars.append(
                f"<g><title>{label}: {amount}</title>"
                f'<rect x="{x:.1f}" y="{height - 14 - bar_height:.1f}" width="{bar}" height="{bar_height:.1f}" '
                f'fill="#71639e"/>'
                f'<text x="{x + bar / 2:.1f}" y="{height - 2}" font-size="9" text-anchor="middle">{label}</text></g>'
            )
        svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">'
        return Markup(svg + "".join(bars) + "</svg>")

    def action_open_stage_changes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_stage_history_action")
        action.update(
            domain=[("partner_id", "=", self.commercial_partner_id.id)],
            context={},
            view_mode="list,pivot,graph",
            views=[(False, "list"), (False, "pivot"), (False, "graph")],
        )
        return action

    def _compute_referral_count(self):
        groups = self.env["res.partner"]._read_group(
            [("referred_by_id", "child_of", self.commercial_partner_id.ids)],
            ["referred_by_id"],
            ["__count"],
        )
        counts = {}
        for referrer, count in groups:
            commercial = referrer.commercial_partner_id.id
            counts[commercial] = counts.get(commercial, 0) + count
        for partner in self:
            partner.referral_count = counts.get(partner.commercial_partner_id.id, 0)

    def _compute_reactivation_count(self):
        groups = self.env["sale.customer.reactivation"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.reactivation_count = counts.get(partner.commercial_partner_id.id, 0)

    def action_open_loyalty_update(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Loyalty of %(customer)s", customer=self.commercial_partner_id.display_name),
            "res_model": "sale.customer.loyalty.update",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def _customer_base_worked_by_user(self):
        """The partners of ``self`` whose customer the user works: all for "all documents"
        salespeople and managers, her own customers for "own documents" salespeople."""
        if not self._customer_figures_restricted():
            return self
        rows = self.env.execute_query(
            SQL(
                "SELECT id FROM res_partner AS p WHERE p.id = ANY(%s) AND %s",
                self.ids,
                self._customer_figures_visible_sql("p"),
            )
        )
        return self.browse(row[0] for row in rows)

    def action_open_reactivations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_reactivation_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    @api.depends_context("company")
    def _compute_customer_base_display(self):
        for partner in self:
            partner.customer_base_currency_id = self.env.company.currency_id
            partner.customer_base_computed_on = self.env.company.customer_base_last_run

    @api.constrains("share_of_wallet")
    def _check_share_of_wallet(self):
        for partner in self:
            if not 0 <= (partner.share_of_wallet or 0.0) <= 100:
                raise ValidationError(
                    self.env._(
                        "The share of wallet of %(customer)s is a percentage between 0 and 100, not %(value)s.",
                        customer=partner.display_name,
                        value=partner.share_of_wallet,
                    )
                )

    @api.onchange("key_account_manager_id")
    def _onchange_key_account_manager_id(self):
        manager = self.key_account_manager_id
        if not manager:
            return None
        limit = self.env.company.customer_base_max_key_accounts
        held = self.search_count(
            [
                ("key_account_manager_id", "=", manager.id),
                ("is_key_account", "=", True),
                ("is_company", "=", True),
                ("id", "!=", self._origin.id),
            ]
        )
        if held < limit:
            return None
        return {
            "warning": {
                "title": self.env._("Too many key accounts"),
                "message": self.env._(
                    "%(manager)s already manages %(count)s key accounts; the limit is %(limit)s. "
                    "You can save anyway, or choose another manager.",
                    manager=manager.name,
                    count=held,
                    limit=limit,
                ),
            }
        }

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._drop_engine_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._drop_engine_values(vals)
        if not MANUAL_FIELDS_SET.intersection(vals):
            return super().write(vals)
        affected = self.commercial_partner_id | self.referred_by_id.commercial_partner_id
        res = super().write(vals)
        affected |= self.referred_by_id.commercial_partner_id
        affected.sudo()._refresh_customer_metrics(self.env.company)
        return res

    @api.model
    def _drop_engine_values(self, vals):
        """Remove the engine's values from ``vals``: they are written by the engine only (in SQL).

        ``readonly`` only hides them in forms; an import, an RPC ``write`` or a copy would
        otherwise forge a stage (and its history), a key account flag or revenue.
        """
        for fname in ENGINE_FIELDS.intersection(vals):
            del vals[fname]

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        sql = super()._field_to_sql(alias, fname, query, flush)
        # every read, search, sort, group and aggregate of the field passes here
        return self._customer_figure_sql(alias, fname, sql)

    @api.model
    def _customer_figures_restricted(self):
        """Whether the user sees order figures of their own customers only (sales "own documents")."""
        return not self.env.su and not self.env.user.has_group("sales_team.group_sale_salesman_all_leads")

    @api.model
    def _customer_figures_visible_sql(self, alias, company=None):
        """Condition on ``alias`` (a res_partner row): its order figures in ``company`` (an SQL
        expression, the current company by default) are the user's to see.

        As for sales orders, a salesperson with "own documents only" sees the figures of her
        customers: those whose salesperson she is, or with an order of hers in the company.
        """
        return SQL(
            """%(partner)s IN (
                SELECT own.commercial_partner_id FROM res_partner AS own WHERE own.user_id = %(uid)s
                 UNION
                SELECT sold.commercial_partner_id
                  FROM sale_order AS so JOIN res_partner AS sold ON sold.id = so.partner_id
                 WHERE so.user_id = %(uid)s AND so.company_id = %(company)s
            )""",
            partner=SQL.identifier(alias, "commercial_partner_id"),
            uid=self.env.uid,
            company=company if company is not None else self.env.company.id,
        )

    @api.model
    def _customer_figure_sql(self, alias, fname, expression, company=None):
        """``expression`` (the value of order figure ``fname`` of ``alias``), or NULL where the
        user may not see it: for SQL that reads the columns without ``_field_to_sql``."""
        if fname not in ORDER_FIGURE_FIELDS or not self._customer_figures_restricted():
            return expression
        return SQL("CASE WHEN %s THEN %s END", self._customer_figures_visible_sql(alias, company), expression)

    def action_recompute_customer_base(self):
        return self._customer_base_recomputed_notification(self.recompute_customer_base())

    @api.model
    def _customer_base_recomputed_notification(self, summaries):
        """A notification saying what a recompute did, leaving the user where they were."""
        lines = [
            self.env._(
                "%(company)s: %(customers)s customers from %(orders)s orders in %(seconds)s s.",
                company=summary["company"],
                customers=summary["customers"],
                orders=summary["orders"],
                seconds=summary["seconds"],
            )
            for summary in summaries
        ]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Customer base recomputed"),
                "message": "\n".join(lines),
                "sticky": False,
            },
        }

    # ---- engine
    @api.model
    def recompute_customer_base(self):
        """Recompute the customer base of every company the user may access.

        :return: one summary per company (``company_id``, ``company`` name, ``customers``, ``orders``,
            ``lifetime`` in months, ``seconds``)
        """
        if not (self.env.su or self.env.user.has_group("sales_team.group_sale_manager")):
            raise AccessError(self.env._("Only sales managers can recompute the customer base."))
        return [
            self.sudo().with_company(company)._recompute_customer_base_company(company)
            for company in self.env.user.company_ids.sorted("id")
        ]

    @api.model
    def _cron_recompute_customer_base(self):
        """Nightly: recompute one company per call, the scheduler calling again while some remain.

        A run starts by marking every company pending; a company is unmarked once
        done, so an interrupted run resumes where it stopped. A company that fails
        (bad data, a setting written around the checks) is logged and skipped: the
        others are recomputed, and it is tried again the next night.
        """
        companies = self.env["res.company"].sudo()
        pending = companies.search([("customer_base_pending", "=", True)], order="id")
        if not pending:
            # every company, on purpose: a new nightly run (companies are few)
            pending = companies.search([], order="id")  # pylint: disable=no-search-all
            pending.customer_base_pending = True
        company = pending[0]
        try:
            with self.env.cr.savepoint():
                self.sudo().with_company(company)._recompute_customer_base_company(company)
        except UserError as error:
            # another recompute of this company is running: it does the job
            _logger.info("Customer base of %s not recomputed: %s", company.name, error)
        except Exception:
            _logger.exception(
                "Customer base of %s could not be recomputed; the other companies go on, it is tried again next night",
                company.name,
            )
            self.env.invalidate_all()
        company.customer_base_pending = False
        self.env["ir.cron"]._notify_progress(done=1, remaining=len(pending) - 1)
        return len(pending) - 1

    def _recompute_customer_base_company(self, company):
        """Recompute every customer of ``company`` (ranks included) and return a summary.

        The work runs in a transaction of its own at READ COMMITTED, committed once the
        company is done (all its values or none): orders confirmed meanwhile neither make
        it fail with a serialization error nor wait for it (see ``_refresh_customer_metrics``).
        At install, in tests, or when the caller's uncommitted data must be seen (context key
        ``customer_base_same_transaction``), it runs in the current transaction.
        """
        started = time.monotonic()
        settings = company._customer_base_settings()
        registry = self.env.registry
        if not registry.ready or module.current_test or self.env.context.get("customer_base_same_transaction"):
            summary = self._compute_customer_base_company(company, settings)
        else:
            with registry.cursor() as cr:
                cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
                summary = self.with_env(self.env(cr=cr))._compute_customer_base_company(company, settings)
            self.env.invalidate_all()
            self._refresh_deferred_customers(company)
        # the company is written here, in the caller's transaction, which may hold its row
        company.write(
            {"customer_base_lifetime_estimated": summary["lifetime"], "customer_base_last_run": fields.Datetime.now()}
        )
        summary.update(company_id=company.id, company=company.name, seconds=round(time.monotonic() - started, 1))
        _logger.info(
            "Customer base of %s recomputed: %s customers from %s orders in %.1f s",
            company.name,
            summary["customers"],
            summary["orders"],
            summary["seconds"],
        )
        return summary

    def _compute_customer_base_company(self, company, settings):
        """Read, compute and store every customer of ``company`` in the current transaction."""
        company = company.with_env(self.env)
        self._lock_customer_base(company)
        as_of = fields.Date.context_today(self)
        orders = self._customer_base_orders(company, as_of)
        result = customer_metrics(
            orders,
            as_of,
            settings,
            prospects=self._customer_base_prospects(company),
            manual=self._customer_base_manual_inputs(company),
        )
        self._store_customer_metrics(company, as_of, result.metrics)
        self.env["sale.customer.base.history"]._refresh_open_periods(company, force=True)
        # orders imported already confirmed never pass through a confirmation
        self.env["sale.customer.reactivation"]._update_won_back(company=company)
        return {"customers": len(result.metrics), "orders": len(orders), "lifetime": result.lifetime_months}

    def _refresh_customer_metrics(self, company):
        """Refresh these commercial partners' own values in ``company`` after an order changed.

        Values ranked over the whole base (ABC class, share of revenue, key
        for team or salesperson) keep the value of the last full recompute.
        Customers whose rows a recompute is writing right now are not waited
        for: they are queued and refreshed as soon as it is done.
        """
        partners = self.commercial_partner_id
        if not partners:
            return
        ids = partners.ids
        if not self._lock_customer_rows(ids):
            self.env["sale.customer.base.refresh"]._defer(company, ids)
            return
        settings = company._customer_base_settings()
        as_of = fields.Date.context_today(self)
        estimated = company.customer_base_lifetime_estimated
        use_estimate = settings.lifetime_method == "estimated" and in_range(estimated, *RANGES["lifetime_months"])
        result = customer_metrics(
            self._customer_base_orders(company, as_of, ids),
            as_of,
            settings,
            prospects=self._customer_base_prospects(company, ids),
            manual=self._customer_base_manual_inputs(company, ids),
            ranks=self._customer_base_ranks(company, ids),
            lifetime_months=estimated if use_estimate else None,
        )
        self._store_customer_metrics(company, as_of, result.metrics, ids)

    def _lock_customer_rows(self, partner_ids):
        """Lock the rows of these commercial partners and their contacts, or say they are busy.

        A full recompute holds the rows it writes until it commits; waiting for it would
        keep a salesperson's order confirmation spinning, and the row it then finds
        changed would fail her transaction (repeatable read).
        """
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%s) FOR NO KEY UPDATE NOWAIT",
                        list(partner_ids),
                    )
                )
        except (errors.LockNotAvailable, errors.SerializationFailure):
            return False
        return True

    @api.model
    def _refresh_deferred_customers(self, company=None):
        """Refresh the customers queued while a recompute held their rows."""
        Queue = self.env["sale.customer.base.refresh"].sudo()
        domain = [("company_id", "=", company.id)] if company else []
        for queued_company, partners in Queue._read_group(domain, ["company_id"], ["partner_id:recordset"]):
            Queue.search([("company_id", "=", queued_company.id), ("partner_id", "in", partners.ids)]).unlink()
            partners.sudo()._refresh_customer_metrics(queued_company)

    def _store_customer_metrics(self, company, as_of, metrics, partner_ids=None):
        """Write ``metrics`` for ``company``, clear customers that no longer have any, mirror
        the values on contacts and record stage changes (all customers when ``partner_ids`` is None)."""
        old_stages = self._customer_base_stages(company, partner_ids)
        cleared = old_stages.index.difference(metrics.index)
        self._write_customer_metrics(company, metrics, cleared)
        self._sync_customer_metrics_to_contacts(partner_ids)
        self._track_customer_stages(company, as_of, old_stages, metrics["customer_stage"])

    def _lock_customer_base(self, company):
        """Take the company's recompute lock until the end of the transaction."""
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", LOCK_NAMESPACE, company.id))
        if not self.env.cr.fetchone()[0]:
            raise UserError(
                self.env._(
                    "The customer base of %(company)s is being recomputed right now. "
                    "Its values will be up to date in a few minutes.",
                    company=company.name,
                )
            )

    # ---- reads (one query each, whatever the number of customers)
    def _partner_filter(self, alias, partner_ids):
        if partner_ids is None:
            return SQL()
        return SQL("AND %s = ANY(%s)", SQL.identifier(alias, "commercial_partner_id"), list(partner_ids))

    def _customer_base_orders(self, company, as_of, partner_ids=None):
        """Confirmed orders of ``company`` up to ``as_of``, amounts in company currency."""
        self.env["sale.order"].flush_model(
            ["state", "company_id", "partner_id", "date_order", "amount_untaxed", "margin", "currency_rate"]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        until = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min)
        # date_order is stored in UTC: its ::date is the UTC date of the order.
        query = SQL(
            """
            SELECT p.commercial_partner_id AS partner_id,
                   so.id AS order_id,
                   so.date_order::date - DATE '1970-01-01' AS day,
                   %(revenue)s AS revenue,
                   %(margin)s AS margin,
                   so.team_id,
                   so.user_id
              FROM sale_order AS so
              JOIN res_partner AS p ON p.id = so.partner_id
             WHERE so.state = 'sale'
               AND so.company_id = %(company)s
               AND so.date_order < %(until)s
               %(partners)s
            """,
            company=company.id,
            until=until,
            partners=self._partner_filter("p", partner_ids),
            revenue=ORDER_REVENUE,
            margin=ORDER_MARGIN,
        )
        return self._customer_base_frame(query)

    def _customer_base_frame(self, query):
        """Run ``query`` and return its rows as a DataFrame.

        COPY streams the rows as CSV: for a million orders it is several times
        faster and lighter than fetching Python tuples.
        """
        buffer = io.StringIO()
        statement = self.env.cr.mogrify(query).decode()
        self.env.cr.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv, HEADER)", buffer)
        buffer.seek(0)
        return pd.read_csv(buffer)

    def _customer_base_prospects(self, company, partner_ids=None):
        """Commercial partners with draft or sent quotations in ``company``."""
        query = SQL(
            """
            SELECT DISTINCT p.commercial_partner_id
              FROM sale_order AS so
              JOIN res_partner AS p ON p.id = so.partner_id
             WHERE so.state IN ('draft', 'sent') AND so.company_id = %(company)s %(partners)s
            """,
            company=company.id,
            partners=self._partner_filter("p", partner_ids),
        )
        return [partner_id for (partner_id,) in self.env.execute_query(query)]

    def _customer_base_manual_inputs(self, company, partner_ids=None):
        """Share of wallet, advocate flag, key account reason and referrals given by people."""
        self.env["res.partner"].flush_model([*MANUAL_FIELDS, "commercial_partner_id"])
        key = str(company.id)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT p.id,
                       (p.share_of_wallet->>%(key)s)::float8,
                       COALESCE((p.is_customer_advocate->>%(key)s)::bool, FALSE),
                       (p.key_account_reason->>%(key)s) IS NOT NULL,
                       (SELECT COUNT(DISTINCT referred.commercial_partner_id)
                          FROM res_partner AS referred
                          JOIN res_partner AS referrer ON referrer.id = referred.referred_by_id
                         WHERE referrer.commercial_partner_id = p.id
                           AND referred.commercial_partner_id <> p.id)
                  FROM res_partner AS p
                 WHERE p.id = p.commercial_partner_id
                   AND (p.share_of_wallet ? %(key)s OR p.is_customer_advocate ? %(key)s
                        OR p.key_account_reason ? %(key)s
                        OR p.id IN (SELECT r.commercial_partner_id
                                      FROM res_partner AS r
                                      JOIN res_partner AS c ON c.referred_by_id = r.id))
                   %(partners)s
                """,
                key=key,
                partners=self._partner_filter("p", partner_ids),
            )
        )
        return pd.DataFrame(
            [row[1:] for row in rows],
            index=pd.Index([row[0] for row in rows], name="partner_id"),
            columns=["share_of_wallet", "is_advocate", "key_account_reason", "referral_count"],
        )

    def _customer_base_ranks(self, company, partner_ids):
        """Stored values ranked over the whole base, for a refresh of a few customers."""
        key = str(company.id)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT id, abc_class->>%(key)s, (revenue_share->>%(key)s)::float8,
                       (is_key_account_team->>%(key)s)::bool, (is_key_account_salesperson->>%(key)s)::bool
                  FROM res_partner
                 WHERE id = ANY(%(ids)s)
                """,
                key=key,
                ids=list(partner_ids),
            )
        )
        return pd.DataFrame(
            [row[1:] for row in rows],
            index=pd.Index([row[0] for row in rows], name="partner_id"),
            columns=["abc_class", "revenue_share", "is_key_account_team", "is_key_account_salesperson"],
        )

    def _customer_base_stages(self, company, partner_ids=None):
        """Stage currently stored on commercial partners having values in ``company``."""
        key = str(company.id)
        self.env["res.partner"].flush_model(["customer_stage", "customer_order_count"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT id, customer_stage->>%(key)s
                  FROM res_partner AS p
                 WHERE p.id = p.commercial_partner_id
                   AND (p.customer_stage ? %(key)s OR p.customer_order_count ? %(key)s)
                   %(partners)s
                """,
                key=key,
                partners=self._partner_filter("p", partner_ids),
            )
        )
        return pd.Series(
            [row[1] for row in rows], index=pd.Index([row[0] for row in rows], name="partner_id"), dtype=object
        )

    # ---- writes (set-based)
    def _write_customer_metrics(self, company, metrics, cleared=()):
        """Store ``metrics`` (analytics frame) for ``company``; remove the values of ``cleared``."""
        key = str(company.id)
        frame = pd.DataFrame({"id": metrics.index.astype("int64")})
        for column, (fname, sql_type) in METRIC_FIELDS.items():
            values = metrics[column].reset_index(drop=True)
            if sql_type == "date":
                values = pd.to_datetime(values).dt.strftime("%Y-%m-%d")
            elif sql_type == "int4":
                values = values.round().astype("Int64")
            elif sql_type == "bool":
                values = values.astype(object).where(values.notna(), None).astype(bool)
            frame[fname] = values
        fnames = [fname for fname, _type in METRIC_FIELDS.values()]
        columns = SQL(", ").join(
            SQL("%s %s", SQL.identifier(fname), SQL(sql_type)) for fname, sql_type in METRIC_FIELDS.values()
        )
        assignments = SQL(", ").join(
            SQL(
                "%(field)s = COALESCE(p.%(field)s, '{}'::jsonb) || jsonb_build_object(%(key)s, v.%(field)s)",
                field=SQL.identifier(fname),
                key=key,
            )
            for fname in fnames
        )
        for start in range(0, len(frame), WRITE_BATCH_SIZE):
            payload = frame.iloc[start : start + WRITE_BATCH_SIZE].to_json(orient="records", date_format="iso")
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE res_partner AS p SET %(assignments)s
                      FROM jsonb_to_recordset(%(payload)s::jsonb) AS v(id int4, %(columns)s)
                     WHERE p.id = v.id
                    """,
                    assignments=assignments,
                    payload=payload,
                    columns=columns,
                )
            )
        if len(cleared):
            removals = SQL(", ").join(
                SQL("%(field)s = %(field)s - %(key)s", field=SQL.identifier(fname), key=key) for fname in fnames
            )
            self.env.cr.execute(
                SQL(
                    "UPDATE res_partner SET %s WHERE id = ANY(%s)",
                    removals,
                    [int(partner_id) for partner_id in cleared],
                )
            )
        self.env["res.partner"].invalidate_model(fnames)

    def _sync_customer_metrics_to_contacts(self, partner_ids=None):
        """Give contacts the values of their commercial partner (all companies)."""
        fnames = [SQL.identifier(fname) for fname, _type in METRIC_FIELDS.values()]
        contact_columns = SQL(", ").join(SQL("c.%s", fname) for fname in fnames)
        parent_columns = SQL(", ").join(SQL("p.%s", fname) for fname in fnames)
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner AS c SET (%(targets)s) = (%(parents)s)
                  FROM res_partner AS p
                 WHERE c.commercial_partner_id = p.id AND c.id <> p.id
                   AND (%(contacts)s) IS DISTINCT FROM (%(parents)s)
                   %(partners)s
                """,
                targets=SQL(", ").join(fnames),
                parents=parent_columns,
                contacts=contact_columns,
                partners=SQL() if partner_ids is None else SQL("AND p.id = ANY(%s)", list(partner_ids)),
            )
        )
        self.env["res.partner"].invalidate_model([fname for fname, _type in METRIC_FIELDS.values()])

    def _track_customer_stages(self, company, as_of, old_stages, new_stages):
        """Record stage changes in the stage history and in the partners' chatter."""
        old = old_stages.reindex(old_stages.index.union(new_stages.index))
        new = new_stages.reindex(old.index)
        changed = old.index[(old.fillna("") != new.fillna("")).to_numpy()]
        if not len(changed):
            return
        changes = pd.DataFrame(
            {
                "partner_id": changed.astype("int64"),
                "old_stage": old[changed].to_numpy(),
                "new_stage": new[changed].to_numpy(),
            }
        )
        self.env["sale.customer.stage.history"]._insert_changes(company, as_of, changes)
        transitions = changes[changes["old_stage"].notna()]
        if not transitions.empty:
            self._log_stage_transitions(company, transitions)

    def _log_stage_transitions(self, company, transitions):
        """Post the stage transitions in the chatter, as tracking messages (one create for all)."""
        labels = dict(self._fields["customer_stage"]._description_selection(self.env))
        field = self.env["ir.model.fields"]._get("res.partner", "customer_stage")
        note = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        author = self.env.user.partner_id.id
        body = (
            self.env._("Customer stage in %(company)s", company=company.name)
            if len(self.env.user.company_ids) > 1
            else ""
        )
        self.env["mail.message"].sudo().create(
            [
                {
                    "model": "res.partner",
                    "res_id": int(row.partner_id),
                    "message_type": "notification",
                    "subtype_id": note,
                    "author_id": author,
                    "body": body,
                    "tracking_value_ids": [
                        Command.create(
                            {
                                "field_id": field.id,
                                "old_value_char": labels.get(row.old_stage, row.old_stage or ""),
                                "new_value_char": labels.get(row.new_stage, "")
                                if isinstance(row.new_stage, str)
                                else "",
                            }
                        )
                    ],
                }
                for row in transitions.itertuples(index=False)
            ]
        )
