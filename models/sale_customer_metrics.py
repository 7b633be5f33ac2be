"""The customer's figures: one row per company and customer, written by the engine only.

Every value the engine computes for a customer (stage, classes, key account flags, counts,
dates, S/C/P/T and LTV, revenue and margin, prediction and RFM, temperature, last and next
contact, cost to serve) is a typed column of this table, one row per (company, commercial
partner), as crm keeps its lead scoring frequencies and OCA ``product_abc_classification``
its classes in tables of their own: the engine writes the rows that changed in one statement
(``sale.customer.base.engine._store``), record rules decide who reads them (the company, and
an "own documents" salesperson her own customers only), field groups keep the money figures
for managers. The partner shows the current company's row (``res.partner.customer_metrics_id``).

What a person types about a customer (share of wallet, key account reason and manager,
recommends us, referred by, do not contact) stays on the partner: it is edited on its form,
tracked in its chatter and imported with it, as any other property of the partner.
"""

import datetime

from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, format_date, formatLang
from odoo.tools.sql import create_index

from ..analytics.vocabulary import (
    ABC_CLASS_LABELS,
    ABC_XYZ_SEGMENT_LABELS,
    DEPENDENCY_RISK_LABELS,
    LTV_BASIS_LABELS,
    RFM_SEGMENT_LABELS,
    STAGE_CAUSE_LABELS,
    STAGE_LABELS,
    TEMPERATURE_ALERT_LABELS,
    XYZ_CLASS_LABELS,
)
from .crm_lead import TEMPERATURES

# the figures' words, once for the package and the addon (analytics/vocabulary.py)
STAGES = list(STAGE_LABELS.items())
ABC_CLASSES = list(ABC_CLASS_LABELS.items())
XYZ_CLASSES = list(XYZ_CLASS_LABELS.items())
SEGMENTS = list(ABC_XYZ_SEGMENT_LABELS.items())
DEPENDENCY_RISKS = list(DEPENDENCY_RISK_LABELS.items())
LTV_BASES = list(LTV_BASIS_LABELS.items())
RFM_SEGMENTS = list(RFM_SEGMENT_LABELS.items())
ALERTS = list(TEMPERATURE_ALERT_LABELS.items())
STAGE_CAUSES = list(STAGE_CAUSE_LABELS.items())
# RFM segments of a customer that buys (recently, often) against one that fades, next to the others
RFM_ACTIVE = ("champions", "loyal", "potential_loyalists", "new")
RFM_FADING = ("about_to_sleep", "at_risk", "cannot_lose", "hibernating", "lost")
CONTACT_CHANNELS = [
    ("visit", "Visit / meeting"),
    ("call", "Call"),
    ("email", "Email"),
    ("note", "Note"),
    ("activity", "Other activity"),
    ("quotation", "Quotation"),
    ("order", "Order"),
]
# counted from a stored date when read (``_compute_calendar_days``)
CALENDAR_FIELDS = frozenset({"days_since_last_order", "temperature_contact_days", "contact_days_overdue"})
# What every salesperson sees of any customer (res.partner shows them from the row whatever the
# record rules): how to treat a customer, without disclosing a colleague's sales. Every other
# column follows the record rules: a column added later is hidden from salespeople who do not
# work the customer unless it is named here.
SHARED_FIELDS = (
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
    "contact_rule_id",
)


class SaleCustomerMetrics(models.Model):
    _name = "sale.customer.metrics"
    _description = "Customer Figures"
    _rec_name = "partner_id"
    _order = "revenue_window desc, id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", "Customer", required=True, readonly=True, ondelete="cascade")
    user_id = fields.Many2one(
        "res.users",
        "Salesperson",
        related="partner_id.user_id",
        store=True,
        readonly=True,
        index="btree_not_null",
        help="The customer's salesperson.",
    )

    customer_stage = fields.Selection(
        STAGES,
        group_expand="_group_expand_customer_stage",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Where the customer stands, from its confirmed orders: first purchase, repeat, regular, loyal, "
        "advocate; at risk when silent longer than usual; lost after a long silence; reactivated when it "
        "came back after being lost.",
    )
    customer_order_count = fields.Integer(
        "Confirmed Orders",
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    first_order_date = fields.Date(
        "First Order",
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    last_order_date = fields.Date(
        "Last Order",
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    # values that move with the calendar are computed on read from the stored dates: a night
    # without orders does not rewrite every customer (see ``_compute_calendar_days``)
    days_since_last_order = fields.Integer(
        compute="_compute_calendar_days",
        search="_search_days_since_last_order",
        groups="sales_team.group_sale_salesman",
    )
    median_order_interval = fields.Float(
        "Usual Days Between Orders",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Median number of days between two consecutive orders.",
    )
    next_order_date = fields.Date(
        "Next Order Expected",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Last order date plus the usual days between orders.",
    )
    revenue_to_date = fields.Float(
        "Revenue to Date",
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    margin_to_date = fields.Float("Margin to Date", readonly=True, groups="sales_team.group_sale_manager")
    average_order_value = fields.Float(
        "Average Order (S)",
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    purchase_frequency = fields.Float(
        "Orders per Month (C)",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Confirmed orders divided by the months since the first order (at least one month).",
    )
    profitability = fields.Float(
        "Margin Rate (P)",
        readonly=True,
        groups="sales_team.group_sale_manager",
        help="Margin divided by untaxed revenue, over all orders.",
    )
    customer_lifetime_months = fields.Float(
        "Customer Lifetime (T, months)",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="How long a customer stays, in months: fixed in the settings or estimated from lost customers.",
    )
    ltv = fields.Float(
        "Lifetime Value (LTV)",
        readonly=True,
        groups="sales_team.group_sale_manager",
        help="Projected as average order x orders per month x margin rate x customer lifetime for customers "
        "with enough history (see the settings); for new and lost customers, the margin earned so far. "
        "Negative when the customer loses money.",
    )
    ltv_basis = fields.Selection(
        LTV_BASES,
        "LTV Basis",
        readonly=True,
        groups="sales_team.group_sale_manager",
        help="Whether the LTV is the projection or the margin earned so far, and why.",
    )
    # bookkeeping of the engine, not a figure: only in debug mode among the fields to filter on
    customer_base_ranks_pending = fields.Boolean(
        "Waiting for the Nightly Ranking",
        readonly=True,
        groups="base.group_no_one",
        help="Orders changed since the last full recompute: the revenue class, shares and key account status "
        "ranked over the whole base are updated tonight.",
    )
    revenue_window = fields.Float(
        "Revenue in Analysis Window",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Untaxed revenue of the last months (12 by default, see the settings).",
    )
    window_order_count = fields.Integer(
        "Orders in Analysis Window",
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    revenue_share = fields.Float(
        "Share of Our Revenue",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The customer's revenue in the analysis window over the company's.",
    )
    abc_class = fields.Selection(
        ABC_CLASSES,
        string="Revenue Class (ABC)",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="A: the customers making the first 80% of revenue in the analysis window, B: the next 15%, C: the rest.",
    )
    xyz_class = fields.Selection(
        XYZ_CLASSES,
        string="Regularity (XYZ)",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="X: buys every month, Y: at least every quarter, Z: irregular (or, depending on the settings, "
        "by how much its monthly revenue varies).",
    )
    customer_segment = fields.Selection(
        SEGMENTS,
        string="Segment",  # not "Customer Segment": the tab already says customer
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    dependency_risk = fields.Selection(
        DEPENDENCY_RISKS,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="How much the company would suffer if this customer left: elevated from 20% of revenue, "
        "high from 40%, critical from 50%.",
    )
    is_key_account = fields.Boolean(
        "Key Account",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Makes at least 10% of revenue, or a manager gave a reason to treat it as key.",
    )
    is_key_account_team = fields.Boolean(
        "Key for Its Sales Team",
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    is_key_account_salesperson = fields.Boolean(
        "Key for Its Salesperson",
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    customer_temperature = fields.Selection(
        TEMPERATURES,
        "Temperature",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="How warm the customer feels about us, from its feedback, complaints, cancellations and how long "
        "since we last heard from it: cold below 25, cool from 25, warm from 50, hot from 75.",
    )
    temperature_score = fields.Float(readonly=True, groups="sales_team.group_sale_salesman")
    temperature_satisfaction = fields.Float(
        "Satisfaction (0-100)",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The mean 1-5 satisfaction of the latest feedback that gave one, on a 0-100 scale (weight 30).",
    )
    temperature_recommendation = fields.Float(
        "Recommendation (0-100)",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The latest 0-10 recommendation answer, times 10 (weight 30).",
    )
    temperature_complaints = fields.Integer(
        "Complaints in Window",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Feedback with a complaint in the analysis window: each takes half of this component (weight 15).",
    )
    temperature_cancellations = fields.Integer(
        "Cancellations and Returns in Window",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Cancelled orders and credit notes in the analysis window: each takes half of this component (weight 10).",
    )
    customer_at_risk_reason = fields.Char(
        "Why At Risk or Lost",
        compute="_compute_customer_at_risk_reason",
        groups="sales_team.group_sale_salesman",
    )
    temperature_contact_date = fields.Date(
        "Last Order or Feedback",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The latest order or feedback of the customer.",
    )
    temperature_contact_days = fields.Integer(
        "Days Since Last Order or Feedback",
        compute="_compute_calendar_days",
        search="_search_temperature_contact_days",
        groups="sales_team.group_sale_salesman",
        help="Days since the latest order or feedback (weight 15, zero after the days set in the settings).",
    )
    temperature_previous = fields.Selection(
        TEMPERATURES,
        "Temperature Before the Latest Feedback",
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    temperature_cooled = fields.Boolean(
        "Cooled Down",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The latest feedback made the customer cooler by at least one level.",
    )
    temperature_alert = fields.Selection(
        ALERTS,
        "At Risk Because",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="A recent feedback holds a complaint, or made the customer cooler: an active customer is at risk "
        "before its orders stop.",
    )
    last_feedback_date = fields.Date("Latest Feedback", readonly=True, groups="sales_team.group_sale_salesman")
    feedback_advocate = fields.Boolean(
        "Promoter in Its Feedback",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Its latest recommendation is 9-10 and it referred a customer, or its previous answer was 9-10 too: "
        "a loyal customer counts as an advocate.",
    )
    customer_p_alive = fields.Float(
        "Probability Still Active",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Model prediction (MBG/NBD) from the customer's own rhythm of orders: the chance it still buys from "
        "us. Empty when the company has too few repeat customers for the model.",
    )
    expected_orders_90 = fields.Float(
        "Expected Orders (90 days)",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Model prediction: orders (order days) expected from this customer in the next 90 days.",
    )
    expected_orders_365 = fields.Float(
        "Expected Orders (12 months)",
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    predicted_revenue_12m = fields.Float(
        "Predicted Revenue (12 months)",
        readonly=True,
        groups="sales_team.group_sale_manager",
        help="Model prediction: expected orders in the next 12 months x expected amount per order (Gamma-Gamma).",
    )
    predicted_margin_12m = fields.Float(
        "Predicted Margin (12 months)",
        readonly=True,
        groups="sales_team.group_sale_manager",
    )
    predicted_clv = fields.Float(
        "Predicted CLV (model)",
        readonly=True,
        groups="sales_team.group_sale_manager",
        help="Model prediction: margin expected from this customer over the next 3 years, discounted each year "
        "at the rate of the settings. The Lifetime Value (LTV) beside it is the formula S x C x P x T.",
    )
    customer_value_at_risk = fields.Float(
        "Value at Risk",
        readonly=True,
        groups="sales_team.group_sale_manager",
        help="What the model expects this customer to bring if it still buys from us (predicted CLV divided by the "
        "probability it is still active), times the probability it has stopped: the margin you stand to lose. "
        "Customers to save first have the highest.",
    )
    customer_stage_cause = fields.Selection(
        STAGE_CAUSES,
        "At Risk or Lost By",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="What made the customer at risk or lost: its silence (the day rules), the model's probability "
        "(when the settings stage by it), or its latest feedback.",
    )
    prediction_note = fields.Char(
        "About the Prediction",
        compute="_compute_prediction_note",
        groups="sales_team.group_sale_salesman",
        help="Why the model's figures are not shown, or why they differ from the stage.",
    )
    rfm_recency = fields.Integer("RFM Recency", readonly=True, groups="sales_team.group_sale_salesman")
    rfm_frequency = fields.Integer("RFM Frequency", readonly=True, groups="sales_team.group_sale_salesman")
    rfm_monetary = fields.Integer("RFM Monetary", readonly=True, groups="sales_team.group_sale_salesman")
    rfm_score = fields.Char(
        "RFM Score",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Recency, frequency and monetary value, each 1 (lowest fifth of the customers) to 5 (highest fifth).",
    )
    rfm_segment = fields.Selection(
        RFM_SEGMENTS,
        "RFM Segment",
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    customer_base_signature = fields.Char(readonly=True, groups="base.group_no_one")
    contact_rule_id = fields.Many2one(
        "sale.customer.service.rule",
        "Service Rule",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The rule of the service policy that says how often this customer hears from us.",
    )
    last_contact_date = fields.Date(
        "Last Contact",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The latest activity done, note, email, meeting, order or quotation with the customer or its contacts.",
    )
    last_contact_channel = fields.Selection(
        CONTACT_CHANNELS,
        "Last Contact By",
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    next_contact_date = fields.Date(
        "Next Contact Due",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="When the service rule wants the customer contacted again: today when never contacted.",
    )
    next_contact_channel = fields.Selection(
        CONTACT_CHANNELS,
        "Next Contact By",
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    contact_days_overdue = fields.Integer(
        "Days Overdue",
        compute="_compute_calendar_days",
        search="_search_contact_days_overdue",
        groups="sales_team.group_sale_salesman",
        help="Days since the next contact was due; 0 when on time.",
    )
    contact_yearly_cost = fields.Float(
        "Yearly Cost to Serve",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="What the contacts the service rule asks for cost a year (see the rule).",
    )
    contact_costs_more = fields.Boolean(
        "Costs More Than It Earns",
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The yearly cost to serve is above the margin of the orders of the last 365 days.",
    )

    revenue_chart = fields.Html(
        "Revenue by Month",
        compute="_compute_revenue_chart",
        sanitize=False,  # built here from numbers and escaped month names only
        groups="sales_team.group_sale_salesman",
    )

    _sql_constraints = [
        ("company_partner_unique", "UNIQUE(company_id, partner_id)", "A customer has one row of figures per company."),
    ]

    def init(self):
        super().init()
        # lists filter and group the company's customers by these
        for column in ("customer_stage", "customer_segment", "abc_class"):
            create_index(self.env.cr, f"{self._table}_{column}_index", self._table, ["company_id", column])
        create_index(
            self.env.cr, f"{self._table}_key_account_index", self._table, ["company_id"], where="is_key_account"
        )

    @api.depends("last_order_date", "temperature_contact_date", "next_contact_date")
    @api.depends_context("tz")
    def _compute_calendar_days(self):
        today = fields.Date.context_today(self)
        for row in self:
            row.days_since_last_order = (today - row.last_order_date).days if row.last_order_date else 0
            row.temperature_contact_days = (
                (today - row.temperature_contact_date).days if row.temperature_contact_date else 0
            )
            row.contact_days_overdue = max(0, (today - row.next_contact_date).days) if row.next_contact_date else 0

    @api.depends_context("tz", "lang")
    @api.depends(
        "customer_stage",
        "customer_stage_cause",
        "customer_p_alive",
        "median_order_interval",
        "days_since_last_order",
        "last_feedback_date",
        "temperature_previous",
        "customer_temperature",
    )
    def _compute_customer_at_risk_reason(self):
        """Why an at-risk or lost customer is one, in the salesperson's words: the rule the engine used."""
        levels = dict(self._fields["customer_temperature"]._description_selection(self.env))
        for row in self:
            reason = False
            cause = row.customer_stage_cause
            if row.customer_stage not in ("at_risk", "lost") or not cause:
                pass
            elif cause == "complaint":
                reason = self.env._(
                    "A complaint in its feedback of %(date)s", date=format_date(self.env, row.last_feedback_date)
                )
            elif cause == "cooled":
                reason = self.env._(
                    "Cooled down in its feedback of %(date)s (%(before)s, now %(now)s)",
                    date=format_date(self.env, row.last_feedback_date),
                    before=levels.get(row.temperature_previous, ""),
                    now=levels.get(row.customer_temperature, ""),
                )
            elif row.days_since_last_order:
                silent = row.days_since_last_order
                if row.median_order_interval:
                    reason = self.env._(
                        "Bought every ~%(interval)s days, silent for %(silent)s days",
                        interval=round(row.median_order_interval),
                        silent=silent,
                    )
                else:
                    reason = self.env._("One order, silent for %(silent)s days", silent=silent)
                if cause == "probability" and row.customer_p_alive:
                    reason = self.env._(
                        "%(reason)s: %(percent)s%% likely still active",
                        reason=reason,
                        percent=round(row.customer_p_alive * 100),
                    )
            row.customer_at_risk_reason = reason

    @api.depends_context("lang")
    @api.depends("customer_stage", "customer_stage_cause", "customer_p_alive", "customer_order_count", "rfm_segment")
    def _compute_prediction_note(self):
        """One story on the form: why the model shows nothing, or why it (or the RFM segment) reads the
        customer otherwise than the stage does."""
        problems = {company: company.sudo()._customer_base_prediction_problem() for company in self.company_id}
        for row in self:
            note = False
            p_alive = row.customer_p_alive
            if not row.customer_order_count:
                pass
            elif problems.get(row.company_id):
                note = problems[row.company_id]
            elif not p_alive:
                note = self.env._("The model has not scored this customer yet: it does at the next computation.")
            elif row.customer_stage in ("at_risk", "lost") and row.customer_stage_cause in ("complaint", "cooled"):
                note = self.env._("At risk for its feedback; the model reads only its orders.")
            elif row.customer_stage in ("at_risk", "lost") and p_alive >= 0.5:
                note = self.env._(
                    "The stage counts the days without an order; the model judges by this customer's own rhythm "
                    "and by how seldom the company's customers stop buying, and still expects orders."
                )
            elif row.customer_stage not in ("at_risk", "lost") and p_alive < 0.5:
                note = self.env._(
                    "The model judges by this customer's own rhythm: its silence is long for how often it bought, "
                    "though not yet long enough for the day rules."
                )
            rfm = row._rfm_note()
            row.prediction_note = " ".join(part for part in (note, rfm) if part) or False

    def _rfm_note(self):
        """Why the RFM segment reads otherwise than the stage, when it does: RFM ranks a customer
        against the others, the stage by its own rhythm."""
        self.ensure_one()
        if not self.rfm_segment:
            return False
        segment = dict(self._fields["rfm_segment"]._description_selection(self.env)).get(self.rfm_segment)
        silent = self.customer_stage in ("at_risk", "lost")
        if silent and self.rfm_segment in RFM_ACTIVE:
            return self.env._(
                "RFM ranks it against the other customers (how recently, how often and how much they bought "
                "this year): %(segment)s next to them, though long silent for its own rhythm.",
                segment=segment,
            )
        if not silent and self.rfm_segment in RFM_FADING:
            return self.env._(
                "RFM ranks it against the other customers (how recently, how often and how much they bought "
                "this year): %(segment)s next to them, though its own rhythm keeps it active.",
                segment=segment,
            )
        return False

    @api.model
    def _days_domain(self, date_field, operator, value, overdue=False):
        """``(days since <date_field>) <operator> <value>`` as a condition on the date itself; no date
        counts as 0 days, and so does a date still to come when ``overdue``."""
        if operator not in ("=", "!=", "<", "<=", ">", ">=") or isinstance(value, bool) or value is None:
            raise UserError(self.env._("Compare a number of days with a number."))
        today = fields.Date.context_today(self)
        days = int(value)
        # more days since the date: an earlier date
        flipped = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}[operator]
        counted = [(date_field, flipped, today - datetime.timedelta(days=days))]
        if overdue:
            counted = expression.AND([[(date_field, "<", today)], counted])
        zero_matches = {"=": 0 == days, "!=": 0 != days, "<": 0 < days, "<=": 0 <= days, ">": 0 > days}.get(
            operator, 0 >= days
        )
        if not zero_matches:
            return counted
        zero = [[(date_field, "=", False)], [(date_field, ">=", today)]] if overdue else [[(date_field, "=", False)]]
        return expression.OR([*zero, counted])

    def _search_days_since_last_order(self, operator, value):
        return self._days_domain("last_order_date", operator, value)

    def _search_temperature_contact_days(self, operator, value):
        return self._days_domain("temperature_contact_date", operator, value)

    def _search_contact_days_overdue(self, operator, value):
        return self._days_domain("next_contact_date", operator, value, overdue=True)

    @api.depends_context("uid", "lang", "tz")
    def _compute_revenue_chart(self):
        """Bars of the last 12 months' confirmed revenue (company currency), from the orders the user may read."""
        today = fields.Date.context_today(self)
        first = today.replace(day=1) - relativedelta(months=11)
        months = [first + relativedelta(months=index) for index in range(12)]
        revenue = {}
        for company in self.company_id:
            confirmed = self.env["sale.customer.base.engine"]._confirmed_orders_sql(
                company,
                since=fields.Datetime.to_datetime(first),
                partner_ids=self.filtered(lambda row, company=company: row.company_id == company).partner_id.ids,
                orders=self.env["sale.order"]._search([("company_id", "=", company.id)]),  # those she may read
            )
            query = SQL(
                "SELECT partner_id, date_trunc('month', date_order)::date, SUM(revenue) FROM (%s) AS o GROUP BY 1, 2",
                confirmed,
            )
            for partner_id, month, amount in self.env.execute_query(query):
                revenue[company.id, partner_id, month] = amount
        for row in self:
            values = [float(revenue.get((row.company_id.id, row.partner_id.id, month), 0.0)) for month in months]
            row.revenue_chart = self._revenue_chart_svg(months, values) if any(values) else False

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

    def _group_expand_customer_stage(self, stages, domain):
        """Groups by stage come in lifecycle order (prospect ... advocate, at risk, lost, reactivated)."""
        order = [stage for stage, _label in STAGES]
        return sorted(set(stages), key=order.index)

    @api.model
    def _customer_figures_restricted(self):
        """Whether the user sees order figures of their own customers only (sales "own documents")."""
        return not self.env.su and not self.env.user.has_group("sales_team.group_sale_salesman_all_leads")

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

    @api.model
    def _partner_domain(
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

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "views": [(False, "form")],
        }
