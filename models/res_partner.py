"""Customer base metrics on partners.

Every metric is a company-dependent field (one value per company, stored in
a jsonb column keyed by company id) written only by the engine
(``sale.customer.base.engine``): people read, filter, sort and group them;
their own inputs (share of wallet, "recommends us", key account reason,
referred by) refresh the customer at once. Contacts mirror their commercial
partner's values.
"""

from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, Query, format_date, formatLang

from ..analytics.lifecycle import STAGE_LABELS
from ..analytics.rfm import SEGMENT_LABELS as RFM_SEGMENT_LABELS
from .crm_lead import READINESS, TEMPERATURES
from .sale_customer_base_engine import MANUAL_FIELDS, METRIC_FNAMES
from .sale_customer_contact_engine import CONTACT_CHANNELS, CONTACT_FNAMES

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
RFM_SEGMENTS = list(RFM_SEGMENT_LABELS.items())
MANUAL_FIELDS_SET = frozenset(MANUAL_FIELDS)
ENGINE_FIELDS = frozenset(METRIC_FNAMES) | frozenset(CONTACT_FNAMES)
# Engine values every salesperson sees: they say how to treat a customer without disclosing
# a colleague's sales. Every other engine value is drawn from the customer's orders, feedback
# or contacts and follows the "own documents" rule (``_customer_figures_visible_sql``): a value
# added to the engine is hidden from salespeople who do not work the customer unless it is
# named here.
SHARED_ENGINE_FIELDS = frozenset(
    {
        "customer_stage",
        "abc_class",
        "xyz_class",
        "customer_segment",
        "dependency_risk",
        "is_key_account",
        "is_key_account_team",
        "is_key_account_salesperson",
        "customer_temperature",
        "temperature_alert",
        "customer_base_ranks_pending",
        "customer_base_signature",
        "contact_rule_id",
    }
)
ORDER_FIGURE_FIELDS = ENGINE_FIELDS - SHARED_ENGINE_FIELDS
# Who may see a customer's figures, plan and feedback follows from who owns it: only sales
# managers change these (``_check_ownership_values``), whatever the client.
OWNERSHIP_FIELDS = ("user_id", "key_account_manager_id", "key_account_reason")
# Engine values carry no index (``index=False``): Odoo would give each company-dependent
# field a btree over the whole jsonb, which no search of ``field->company`` uses and
# which the engine's bulk UPDATE would have to maintain 26 times per customer.
ALERTS = [("complaint", "Complaint"), ("cooled", "Cooled down")]
SHARE_SOURCES = [("manual", "Set by hand"), ("feedback", "Customer's answer in a feedback")]


def _plain(value):
    """A field value as a client writes it: a record as its id, empty as False."""
    return value.id if isinstance(value, models.BaseModel) else value or False


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ---- engine values (company dependent, written by the engine only)
    customer_stage = fields.Selection(
        STAGES,
        company_dependent=True,
        index=False,
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
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="A: the customers making the first 80% of revenue in the analysis window, B: the next 15%, C: the rest.",
    )
    xyz_class = fields.Selection(
        XYZ_CLASSES,
        string="Regularity (XYZ)",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="X: buys every month, Y: at least every quarter, Z: irregular (or, depending on the settings, "
        "by how much its monthly revenue varies).",
    )
    customer_segment = fields.Selection(
        SEGMENTS,
        string="Segment",  # not "Customer Segment": the tab already says customer
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    customer_order_count = fields.Integer(
        "Confirmed Orders",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    window_order_count = fields.Integer(
        "Orders in Analysis Window",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    first_order_date = fields.Date(
        "First Order",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    last_order_date = fields.Date(
        "Last Order",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    days_since_last_order = fields.Integer(
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    median_order_interval = fields.Float(
        "Usual Days Between Orders",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Median number of days between two consecutive orders.",
    )
    next_order_date = fields.Date(
        "Next Order Expected",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Last order date plus the usual days between orders.",
    )
    average_order_value = fields.Float(
        "Average Order (S)",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    purchase_frequency = fields.Float(
        "Orders per Month (C)",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Confirmed orders divided by the months since the first order (at least one month).",
    )
    profitability = fields.Float(
        "Margin Rate (P)",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_manager",
        help="Margin divided by untaxed revenue, over all orders.",
    )
    customer_lifetime_months = fields.Float(
        "Customer Lifetime (T, months)",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="How long a customer stays, in months: fixed in the settings or estimated from lost customers.",
    )
    ltv = fields.Float(
        "Lifetime Value (LTV)",
        company_dependent=True,
        index=False,
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
        index=False,
        readonly=True,
        groups="sales_team.group_sale_manager",
        help="Whether the LTV is the projection or the margin earned so far, and why.",
    )
    revenue_to_date = fields.Float(
        "Revenue to Date",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    margin_to_date = fields.Float(
        "Margin to Date", company_dependent=True, index=False, readonly=True, groups="sales_team.group_sale_manager"
    )
    revenue_window = fields.Float(
        "Revenue in Analysis Window",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Untaxed revenue of the last months (12 by default, see the settings).",
    )
    revenue_share = fields.Float(
        "Share of Our Revenue",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The customer's revenue in the analysis window over the company's.",
    )
    dependency_risk = fields.Selection(
        DEPENDENCY_RISKS,
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="How much the company would suffer if this customer left: elevated from 20% of revenue, "
        "high from 40%, critical from 50%.",
    )
    is_key_account = fields.Boolean(
        "Key Account",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Makes at least 10% of revenue, or a manager gave a reason to treat it as key.",
    )
    is_key_account_team = fields.Boolean(
        "Key for Its Sales Team",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    is_key_account_salesperson = fields.Boolean(
        "Key for Its Salesperson",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    customer_base_ranks_pending = fields.Boolean(
        "Waiting for the Nightly Ranking",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Orders changed since the last full recompute: the revenue class, shares and key account status "
        "ranked over the whole base are updated tonight.",
    )
    customer_base_signature = fields.Char(
        company_dependent=True, index=False, readonly=True, groups="base.group_system", copy=False
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
    is_own_customer = fields.Boolean(
        "My Customer",
        compute="_compute_is_own_customer",
        search="_search_is_own_customer",
        groups="sales_team.group_sale_salesman",
        help="You are its salesperson, or it has a confirmed order of yours.",
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
    customer_base_refresh_pending = fields.Boolean(
        "Figures Being Updated",
        compute="_compute_customer_base_refresh_pending",
        groups="sales_team.group_sale_salesman",
        help="An order of this customer was confirmed or cancelled moments ago: its figures are being "
        "updated in the background and show in a few seconds.",
    )
    customer_base_computed_on = fields.Datetime(
        "Segments Computed On",
        compute="_compute_customer_base_display",
        groups="sales_team.group_sale_salesman",
        help="ABC classes, shares of revenue and key accounts are ranked over the whole customer base by the "
        "nightly job; counts, dates and stage are refreshed as soon as an order is confirmed or cancelled.",
    )

    # ---- prediction (issue 16): written by the engine, see analytics/prediction.py and rfm.py
    customer_p_alive = fields.Float(
        "Probability Still Active",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Model prediction (MBG/NBD) from the customer's own rhythm of orders: the chance it still buys from "
        "us. Empty when the company has too few repeat customers for the model.",
    )
    expected_orders_90 = fields.Float(
        "Expected Orders (90 days)",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Model prediction: orders (order days) expected from this customer in the next 90 days.",
    )
    expected_orders_365 = fields.Float(
        "Expected Orders (12 months)",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    predicted_revenue_12m = fields.Float(
        "Predicted Revenue (12 months)",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_manager",
        help="Model prediction: expected orders in the next 12 months x expected amount per order (Gamma-Gamma).",
    )
    predicted_margin_12m = fields.Float(
        "Predicted Margin (12 months)",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_manager",
    )
    predicted_clv = fields.Float(
        "Predicted CLV (model)",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_manager",
        help="Model prediction: margin expected from this customer over the next 3 years, discounted each year "
        "at the rate of the settings. The Lifetime Value (LTV) beside it is the formula S x C x P x T.",
    )
    rfm_recency = fields.Integer(
        "RFM Recency", company_dependent=True, index=False, readonly=True, groups="sales_team.group_sale_salesman"
    )
    rfm_frequency = fields.Integer(
        "RFM Frequency", company_dependent=True, index=False, readonly=True, groups="sales_team.group_sale_salesman"
    )
    rfm_monetary = fields.Integer(
        "RFM Monetary", company_dependent=True, index=False, readonly=True, groups="sales_team.group_sale_salesman"
    )
    rfm_score = fields.Char(
        "RFM Score",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Recency, frequency and monetary value, each 1 (lowest fifth of the customers) to 5 (highest fifth).",
    )
    rfm_segment = fields.Selection(
        RFM_SEGMENTS,
        "RFM Segment",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    customer_at_risk_reason = fields.Char(
        "Why At Risk or Lost",
        compute="_compute_customer_at_risk_reason",
        groups="sales_team.group_sale_salesman",
    )

    def init(self):
        super().init()
        # the engine mirrors its values on contacts, which are few beside companies:
        # this index finds them without reading every partner
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS res_partner_contact_commercial_partner_index
                ON res_partner (commercial_partner_id) WHERE id <> commercial_partner_id
            """
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
        confirmed = self.env["sale.customer.base.engine"]._confirmed_orders_sql(
            self.env.company,
            since=fields.Datetime.to_datetime(first),
            partner_ids=self.commercial_partner_id.ids,
            orders=self.env["sale.order"]._search([("company_id", "=", self.env.company.id)]),  # those she may read
        )
        rows = self.env.execute_query(
            SQL(
                "SELECT partner_id, date_trunc('month', date_order)::date, SUM(revenue) FROM (%s) AS o GROUP BY 1, 2",
                confirmed,
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
        return self.search([("id", "in", self.ids), ("is_own_customer", "=", True)])

    @api.model
    def _customer_base_domain(
        self,
        partners=None,
        teams=None,
        salespeople=None,
        stages=(),
        segments=(),
        abc_class=False,
        key_accounts_only=False,
        classified_only=True,
    ):
        """The customers a worklist or an export picks, as a domain: commercial
        partners (companies or individuals without a parent), narrowed by the
        choices every customer-base wizard offers. One definition so that the
        win-back search, a campaign and the workbook agree on who "the customers
        of team X in stage Y" are."""
        domain = ["|", ("parent_id", "=", False), ("is_company", "=", True)]
        if classified_only:
            domain.append(("customer_stage", "!=", False))
        if partners:
            domain.append(("id", "in", partners.commercial_partner_id.ids))
        if teams:
            domain.append(("user_id.sale_team_id", "in", teams.ids))
        if salespeople:
            domain.append(("user_id", "in", salespeople.ids))
        if stages:
            domain.append(("customer_stage", "in", list(stages)))
        if segments:
            domain.append(("customer_segment", "in", list(segments)))
        if abc_class:
            domain.append(("abc_class", "=", abc_class))
        if key_accounts_only:
            domain.append(("is_key_account", "=", True))
        return domain

    def action_open_reactivations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_reactivation_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    @api.depends_context("company")
    def _compute_customer_base_refresh_pending(self):
        queued = (
            self.env["sale.customer.base.refresh"]
            .sudo()
            .search([("company_id", "=", self.env.company.id), ("partner_id", "in", self.commercial_partner_id.ids)])
        )
        for partner in self:
            partner.customer_base_refresh_pending = partner.commercial_partner_id in queued.partner_id

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

    def _setup_complete(self):
        super()._setup_complete()
        # cached per user: the same customer may show figures to a manager and none to a salesperson
        for fname in ORDER_FIGURE_FIELDS:
            self._fields[fname]._depends_context = ("company", "uid")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._drop_engine_values(vals)
        self.browse()._check_ownership_values(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if "share_of_wallet" in vals:
            # where the share came from: a feedback answer, or a person on the form
            from_feedback = self.env.context.get("customer_feedback_share")
            vals = dict(
                vals,
                share_of_wallet_source="feedback" if from_feedback else "manual",
                share_of_wallet_date=from_feedback or fields.Date.context_today(self),
            )
        self._drop_engine_values(vals)
        self._check_ownership_values([vals])
        if not MANUAL_FIELDS_SET.intersection(vals):
            return super().write(vals)
        affected = self.commercial_partner_id | self.referred_by_id.commercial_partner_id
        res = super().write(vals)
        affected |= self.referred_by_id.commercial_partner_id
        self.env["sale.customer.base.engine"].sudo()._refresh_customers(self.env.company, affected)
        return res

    def _check_ownership_values(self, vals_list):
        """Refuse who owns a customer unless a sales manager sets it (``self``: the partners written,
        none on create).

        Salespeople may edit contacts (with ``sale_crm`` every one may), but the salesperson, the key
        account manager and the key account reason decide who reads a customer's figures, plan and
        feedback: only sales managers change them. A new partner may name its creator as salesperson
        (a lead converted by its salesperson): it has no orders, hence nothing to disclose.
        """
        if self.env.su or self.env.user.has_group("sales_team.group_sale_manager"):
            return
        for vals in vals_list:
            claimed = [
                fname
                for fname in OWNERSHIP_FIELDS
                if fname in vals
                and (
                    # a client may send back unchanged values: only a change is a claim
                    any(_plain(partner[fname]) != (vals[fname] or False) for partner in self.sudo())
                    if self
                    else vals[fname] and (fname, vals[fname]) != ("user_id", self.env.uid)
                )
            ]
            if claimed:
                raise AccessError(
                    self.env._(
                        "Only sales managers can change %(fields)s: they decide who sees a customer's "
                        "figures and plans. Ask a sales manager.",
                        fields=", ".join(self._fields[fname]._description_string(self.env) for fname in claimed),
                    )
                )

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
        expression, the current company by default) are the user's to see (her customers)."""
        return SQL(
            "%s IN %s",
            SQL.identifier(alias, "commercial_partner_id"),
            self._own_customers_sql(company if company is not None else self.env.company.id),
        )

    @api.model
    def _own_customers_sql(self, companies):
        """The user's customers in ``companies`` (an id, a list of ids or an SQL expression), as a
        parenthesised sub-select of commercial partner ids.

        Her customers are facts she cannot write herself: the customers whose salesperson she is
        (only sales managers assign it, see ``_check_ownership_values``; the customer's own row
        counts, not a contact she adds under it) and those with a confirmed order of hers.
        """
        # read from the database: what a request changed moments ago must count
        self.env["res.partner"].flush_model(["user_id", "commercial_partner_id"])
        self.env["sale.order"].flush_model(["user_id", "state", "company_id", "partner_id"])
        if isinstance(companies, SQL):
            company = SQL("= %s", companies)
        else:
            company = SQL("= ANY(%s)", [companies] if isinstance(companies, int) else list(companies))
        return SQL(
            """(
                SELECT own.id FROM res_partner AS own
                 WHERE own.user_id = %(uid)s AND own.id = own.commercial_partner_id
                 UNION
                SELECT sold.commercial_partner_id
                  FROM sale_order AS so JOIN res_partner AS sold ON sold.id = so.partner_id
                 WHERE so.user_id = %(uid)s AND so.state = 'sale' AND so.company_id %(company)s
            )""",
            uid=self.env.uid,
            company=company,
        )

    def _search_is_own_customer(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search “My Customer” with Yes or No."))
        # no sudo check: record rules search this as superuser for the user they apply to
        owned = Query(self.env, "own_customer", self._own_customers_sql(self.env.companies.ids))
        in_owned = (operator == "=") == value
        return [("commercial_partner_id", "in" if in_owned else "not in", owned)]

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_is_own_customer(self):
        owned = self.search([("id", "in", self.ids), ("is_own_customer", "=", True)])
        for partner in self:
            partner.is_own_customer = partner in owned

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
        Engine = self.env["sale.customer.base.engine"].sudo()
        companies = self.env.user.company_ids.sorted("id")
        return [Engine.with_company(company)._recompute_company(company) for company in companies]

    # ---- key account plans (sale_customer_key_account.py)
    key_account_plan_missing = fields.Boolean(
        "Key Account Without Plan",
        compute="_compute_key_account_plan_missing",
        search="_search_key_account_plan_missing",
        groups="sales_team.group_sale_salesman",
        help="A key account of the current company with no active plan there.",
    )

    @api.depends_context("company")
    def _compute_key_account_plan_missing(self):
        planned = set(
            self.env["sale.customer.key.account"]
            .sudo()
            .search([("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)])
            .partner_id.ids
        )
        for partner in self:
            partner.key_account_plan_missing = (
                not partner.parent_id and partner.is_key_account and partner.id not in planned
            )

    def _search_key_account_plan_missing(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search key accounts without plan with 'is set' or 'is not set'."))
        plans = self.env["sale.customer.key.account"].sudo()._search([("company_id", "=", self.env.company.id)])
        # the customers themselves, not their contacts (which mirror the key account flag)
        missing = [
            ("parent_id", "=", False),
            ("is_key_account", "=", True),
            ("id", "not in", plans.subselect("partner_id")),
        ]
        return missing if (operator == "=") == value else ["!", "&", "&", *missing]

    # ---- keeping in touch (company dependent, written by sale.customer.contact.engine only)
    contact_rule_id = fields.Many2one(
        "sale.customer.service.rule",
        "Service Rule",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The rule of the service policy that says how often this customer hears from us.",
    )
    last_contact_date = fields.Date(
        "Last Contact",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The latest activity done, note, email, meeting, order or quotation with the customer or its contacts.",
    )
    last_contact_channel = fields.Selection(
        CONTACT_CHANNELS,
        "Last Contact By",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    next_contact_date = fields.Date(
        "Next Contact Due",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="When the service rule wants the customer contacted again: today when never contacted.",
    )
    next_contact_channel = fields.Selection(
        CONTACT_CHANNELS,
        "Next Contact By",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    contact_days_overdue = fields.Integer(
        "Days Overdue",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Days since the next contact was due; 0 when on time.",
    )
    contact_yearly_cost = fields.Float(
        "Yearly Cost to Serve",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="What the contacts the service rule asks for cost a year (see the rule).",
    )
    contact_costs_more = fields.Boolean(
        "Costs More Than It Earns",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The yearly cost to serve is above the margin of the orders of the last 365 days.",
    )

    # ---- prediction (issue 16)
    @api.depends_context("company", "uid")
    @api.depends("customer_stage", "customer_p_alive", "median_order_interval", "days_since_last_order")
    def _compute_customer_at_risk_reason(self):
        """Why an at-risk or lost customer is one, in the salesperson's words."""
        by_probability = self.env.company.customer_base_stage_method == "probability"
        for partner in self:
            reason = False
            if partner.customer_stage in ("at_risk", "lost") and partner.days_since_last_order:
                silent = partner.days_since_last_order
                if partner.median_order_interval:
                    reason = self.env._(
                        "Bought every ~%(interval)s days, silent for %(silent)s days",
                        interval=round(partner.median_order_interval),
                        silent=silent,
                    )
                else:
                    reason = self.env._("One order, silent for %(silent)s days", silent=silent)
                if by_probability and partner.customer_p_alive:
                    reason = self.env._(
                        "%(reason)s: %(percent)s%% likely still active",
                        reason=reason,
                        percent=round(partner.customer_p_alive * 100),
                    )
            partner.customer_at_risk_reason = reason

    # ---- temperature, feedback and readiness (engine values written from the feedback answers,
    # see analytics/temperature.py); the share of wallet says where it came from

    # ---- engine values (company dependent, written by the engine only)
    customer_temperature = fields.Selection(
        TEMPERATURES,
        "Temperature",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="How warm the customer feels about us, from its feedback, complaints, cancellations and how long "
        "since we last heard from it: cold below 25, cool from 25, warm from 50, hot from 75.",
    )
    temperature_score = fields.Float(
        company_dependent=True, index=False, readonly=True, groups="sales_team.group_sale_salesman"
    )
    temperature_satisfaction = fields.Float(
        "Satisfaction (0-100)",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The mean 1-5 satisfaction of the latest feedback that gave one, on a 0-100 scale (weight 30).",
    )
    temperature_recommendation = fields.Float(
        "Recommendation (0-100)",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The latest 0-10 recommendation answer, times 10 (weight 30).",
    )
    temperature_complaints = fields.Integer(
        "Complaints in Window",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Feedback with a complaint in the analysis window: each takes half of this component (weight 15).",
    )
    temperature_cancellations = fields.Integer(
        "Cancellations and Returns in Window",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Cancelled orders and credit notes in the analysis window: each takes half of this component (weight 10).",
    )
    temperature_contact_days = fields.Integer(
        "Days Since Last Contact",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Days since the latest order or feedback (weight 15, zero after the days set in the settings).",
    )
    temperature_previous = fields.Selection(
        TEMPERATURES,
        "Temperature Before the Latest Feedback",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    temperature_cooled = fields.Boolean(
        "Cooled Down",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The latest feedback made the customer cooler by at least one level.",
    )
    temperature_alert = fields.Selection(
        ALERTS,
        "At Risk Because",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="A recent feedback holds a complaint, or made the customer cooler: an active customer is at risk "
        "before its orders stop.",
    )
    last_feedback_date = fields.Date(
        "Latest Feedback", company_dependent=True, index=False, readonly=True, groups="sales_team.group_sale_salesman"
    )
    feedback_advocate = fields.Boolean(
        "Promoter in Its Feedback",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Its latest recommendation is 9-10 and it referred a customer, or its previous answer was 9-10 too: "
        "a loyal customer counts as an advocate.",
    )
    # ---- inputs and their origin
    share_of_wallet_source = fields.Selection(
        SHARE_SOURCES,
        "Share of Wallet From",
        company_dependent=True,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    share_of_wallet_date = fields.Date(
        "Share of Wallet Given On", company_dependent=True, readonly=True, groups="sales_team.group_sale_salesman"
    )
    customer_do_not_contact = fields.Boolean(
        "Do Not Contact",
        tracking=True,
        groups="sales_team.group_sale_salesman",
        help="The customer asked not to be called: no follow-up is planned after its orders.",
    )
    customer_feedback_count = fields.Integer(
        "Feedback", compute="_compute_customer_feedback_count", groups="sales_team.group_sale_salesman"
    )
    customer_readiness = fields.Selection(
        READINESS,
        "Readiness",
        compute="_compute_customer_readiness",
        groups="sales_team.group_sale_salesman",
        help="The readiness of the prospect's latest open opportunity.",
    )

    def _compute_customer_feedback_count(self):
        groups = self.env["sale.customer.feedback"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.customer_feedback_count = counts.get(partner.commercial_partner_id.id, 0)

    def _compute_customer_readiness(self):
        leads = self.env["crm.lead"].search(
            [("partner_id", "child_of", self.commercial_partner_id.ids), ("readiness", "!=", False)],
            order="create_date desc, id desc",
        )
        readiness = {}
        for lead in leads:
            readiness.setdefault(lead.partner_id.commercial_partner_id.id, lead.readiness)
        for partner in self:
            partner.customer_readiness = readiness.get(partner.commercial_partner_id.id, False)

    def action_open_customer_feedback(self):
        self.ensure_one()
        customer = self.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_feedback_action")
        action["domain"] = [("partner_id", "=", customer.id)]
        action["context"] = {"default_partner_id": customer.id}
        return action

    def action_new_customer_feedback(self):
        self.ensure_one()
        return self.env["sale.customer.feedback"]._form_action(partner=self.commercial_partner_id)
