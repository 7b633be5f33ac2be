from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..analytics import Settings
from ..analytics.prediction_trust import PredictionCheck
from ..analytics.settings import CONTACT_RANGES, RANGES, in_range, setting_problems

# Company field -> analytics.Settings attribute
SETTINGS_FIELDS = {
    "customer_base_window_months": "window_months",
    "customer_base_abc_a_percent": "abc_a_percent",
    "customer_base_abc_b_percent": "abc_b_percent",
    "customer_base_xyz_method": "xyz_method",
    "customer_base_xyz_x_months": "xyz_x_months",
    "customer_base_xyz_y_months": "xyz_y_months",
    "customer_base_xyz_x_variation": "xyz_x_variation",
    "customer_base_xyz_y_variation": "xyz_y_variation",
    "customer_base_lost_days": "lost_days",
    "customer_base_at_risk_days": "at_risk_min_days",
    "customer_base_at_risk_single_days": "at_risk_single_order_days",
    "customer_base_loyal_share": "loyal_share_of_wallet",
    "customer_base_lifetime_method": "lifetime_method",
    "customer_base_lifetime_months": "lifetime_months",
    "customer_base_ltv_min_orders": "ltv_min_orders",
    "customer_base_ltv_min_months": "ltv_min_months",
    "customer_base_key_account_percent": "key_account_percent",
    "customer_base_dependency_elevated": "dependency_elevated_percent",
    "customer_base_dependency_high": "dependency_high_percent",
    "customer_base_dependency_critical": "dependency_critical_percent",
    "customer_base_key_account_drop": "key_account_drop_percent",
    "customer_base_key_account_reminder_days": "key_account_reminder_days",
    "customer_base_stage_method": "stage_method",
    "customer_base_at_risk_probability": "at_risk_probability",
    "customer_base_lost_probability": "lost_probability",
    "customer_base_clv_discount": "clv_discount_percent",
    "customer_base_temperature_contact_days": "temperature_contact_days",
    "customer_base_feedback_alert_days": "feedback_alert_days",
}
# what a recompute writes on the company: not settings
RUN_FIELDS = {
    "customer_base_last_run",
    "customer_base_pending",
    "customer_base_prediction",
    "customer_base_fingerprint",
    "customer_base_lifetime_estimated",
}
SETTING_NAMES = {attribute: name for name, attribute in SETTINGS_FIELDS.items()}
# Settings of the addon that the engine does not use, with their accepted range
COMPANY_RANGES = {
    "customer_base_max_key_accounts": (1, 1000),  # key accounts per manager
    "customer_base_winback_days": (1, 3650),  # days
}
COMPANY_RANGES.update({f"customer_base_{name}": bounds for name, bounds in CONTACT_RANGES.items()})
# the follow-up call after a sale (sale_order.py)
FOLLOWUP_RANGES = {
    "customer_followup_first_days": (1, 365),  # days after the confirmation of a first order
    "customer_followup_repeat_days": (0, 365),  # days after a repeat order; 0: no follow-up
}


class ResCompany(models.Model):
    _inherit = "res.company"

    customer_base_window_months = fields.Integer("Analysis Window (months)", default=12)
    customer_base_abc_a_percent = fields.Float("Class A Up To (% of revenue)", default=80.0)
    customer_base_abc_b_percent = fields.Float("Class B Up To (% of revenue)", default=95.0)
    customer_base_xyz_method = fields.Selection(
        [("frequency", "Purchase frequency"), ("stability", "Revenue stability")],
        string="Regularity (XYZ) Based On",
        default="frequency",
        required=True,
    )
    customer_base_xyz_x_months = fields.Float("Class X: an Order Every (months)", default=1.0)
    customer_base_xyz_y_months = fields.Float("Class Y: an Order Every (months)", default=3.0)
    customer_base_xyz_x_variation = fields.Float("Class X: Revenue Varies Up To (%)", default=10.0)
    customer_base_xyz_y_variation = fields.Float("Class Y: Revenue Varies Up To (%)", default=25.0)
    customer_base_lost_days = fields.Integer("Lost After (days without order)", default=365)
    customer_base_at_risk_days = fields.Integer("At Risk After At Least (days)", default=60)
    customer_base_at_risk_single_days = fields.Integer("One-Order Customer At Risk After (days)", default=90)
    customer_base_loyal_share = fields.Float("Loyal From Share of Wallet (%)", default=80.0)
    customer_base_lifetime_method = fields.Selection(
        [("fixed", "Fixed"), ("estimated", "Estimated from lost customers")],
        string="Customer Lifetime",
        default="fixed",
        required=True,
    )
    customer_base_lifetime_months = fields.Float("Customer Lifetime (months)", default=36.0)
    customer_base_ltv_min_orders = fields.Integer(
        "Project LTV From (orders)",
        default=2,
        help="Below this many orders, the LTV shown is the margin earned so far: too early to project.",
    )
    customer_base_ltv_min_months = fields.Float(
        "Project LTV After (months)",
        default=3.0,
        help="Before this many months since the first order, the LTV shown is the margin earned so far.",
    )
    customer_base_key_account_percent = fields.Float("Key Account From (% of revenue)", default=10.0)
    customer_base_max_key_accounts = fields.Integer("Key Accounts per Manager", default=3)
    customer_base_dependency_elevated = fields.Float("Elevated Dependency From (%)", default=20.0)
    customer_base_dependency_high = fields.Float("High Dependency From (%)", default=40.0)
    customer_base_dependency_critical = fields.Float("Critical Dependency From (%)", default=50.0)
    customer_base_key_account_drop = fields.Float(
        "Key Account Alarm When 90 Days' Revenue Falls By More Than (%)",
        default=30.0,
        help="Revenue of a key account in the last 90 days against the 90 days before.",
    )
    customer_base_key_account_reminder_days = fields.Integer(
        "Key Account Reminders Ahead (days)",
        default=7,
        help="Reviews of key account plans and birthdays of their contacts become activities this many days ahead.",
    )
    # Written by the engine at each full recompute
    customer_base_winback_days = fields.Integer(
        "Won Back When Ordering Within (days)",
        default=90,
        help="A customer contacted to be won back counts as won back when they confirm an order within this "
        "many days of the attempt; the revenue of that window is the recovered revenue.",
    )
    customer_base_lifetime_estimated = fields.Float("Customer Lifetime Used (months)", readonly=True)
    customer_base_last_run = fields.Datetime("Customer Base Computed On", readonly=True)
    # Set for every company when the nightly job starts, cleared once the company
    # is done: an interrupted run resumes with the companies still pending.
    customer_base_pending = fields.Boolean(readonly=True)
    # ---- prediction (issue 16)
    customer_base_stage_method = fields.Selection(
        [("days", "Days without an order"), ("probability", "Probability still active")],
        string="At Risk / Lost By",
        default="days",
        required=True,
        help="Days without an order: the fixed day rules. Probability still active: each customer judged by its "
        "own rhythm (model prediction); customers the model cannot judge keep the day rules.",
    )
    customer_base_at_risk_probability = fields.Float("At Risk Below (% probability still active)", default=50.0)
    customer_base_lost_probability = fields.Float("Lost Below (% probability still active)", default=10.0)
    customer_base_clv_discount = fields.Float(
        "Predicted CLV Discount Rate (% per year)",
        default=10.0,
        help="Margin expected in later years counts for less: each year is divided by (1 + rate) once more.",
    )
    # the models fitted at the last full recompute (parameters, or why none), see analytics/prediction.py
    # (managers: the spend model's parameters tell the mean order of the company)
    customer_base_prediction = fields.Json(readonly=True, copy=False, groups="sales_team.group_sale_manager")
    # what the last recompute's figures were made of (see sale.customer.base.engine._fingerprint)
    customer_base_fingerprint = fields.Char(
        "Inputs of the Last Recompute", readonly=True, copy=False, groups="base.group_system"
    )
    customer_base_prediction_note = fields.Char(
        "Prediction Model", compute="_compute_customer_base_prediction_note", groups="sales_team.group_sale_manager"
    )

    def _compute_customer_base_prediction_note(self):
        for company in self:
            stored = company.customer_base_prediction or {}
            fit = stored.get("mbgnbd") or {}
            problem = company._customer_base_prediction_problem()
            if not fit or fit.get("fitted") is False:
                company.customer_base_prediction_note = problem
                continue
            note = self.env._(
                "Fitted on %(customers)s customers (MBG/NBD r %(r)s, alpha %(alpha)s weeks, a %(a)s, b %(b)s)",
                customers=fit.get("customers"),
                r=format(fit["r"], ".3g"),
                alpha=format(fit["alpha"], ".3g"),
                a=format(fit["a"], ".3g"),
                b=format(fit["b"], ".3g"),
            )
            company.customer_base_prediction_note = f"{note}. {problem}" if problem else note

    def _customer_base_prediction_problem(self):
        """Why the model's figures are not shown in this company, in the user's words (False when
        they are): no fit, or a fit that failed its test on the last half year
        (``analytics/prediction_trust.py``)."""
        self.ensure_one()
        stored = self.customer_base_prediction or {}
        fit = stored.get("mbgnbd") or {}
        if not fit:
            return self.env._("No prediction yet: the customer base has not been computed.")
        if fit.get("fitted") is False:
            return self.env._("No prediction: %(reason)s", reason=fit.get("reason", ""))
        check = PredictionCheck.from_dict(stored.get("check"))
        if check.trusted:
            return False
        weeks = check.weeks
        if check.code == "short_history":
            return self.env._(
                "No probability shown: the orders span less than a year, too short to test the model on its "
                "last %(weeks)s weeks.",
                weeks=weeks,
            )
        if check.code == "no_fit":
            return self.env._(
                "No probability shown: the model cannot be fitted on the orders before the last %(weeks)s weeks, "
                "so it cannot be tested.",
                weeks=weeks,
            )
        if check.code == "few_purchases":
            return self.env._(
                "No probability shown: only %(actual)s repeat orders in the last %(weeks)s weeks, too few to test "
                "the model on.",
                actual=round(check.actual),
                weeks=weeks,
            )
        if check.code == "total_error":
            return self.env._(
                "No probability shown: fitted on the orders before the last %(weeks)s weeks, the model expected "
                "%(predicted)s repeat orders in them and %(actual)s came.",
                weeks=weeks,
                predicted=round(check.predicted),
                actual=round(check.actual),
            )
        if check.code == "weak_ranking":
            return self.env._(
                "No probability shown: tested on the last %(weeks)s weeks, the model did not tell the customers "
                "who ordered from those who did not.",
                weeks=weeks,
            )
        return self.env._("No probability shown: the model has not been tested yet; it is at the next computation.")

    @api.constrains(*SETTINGS_FIELDS, "customer_base_max_key_accounts", "customer_base_winback_days")
    def _check_customer_base_settings(self):
        for company in self:
            problems = company._customer_base_setting_problems()
            if problems:
                raise ValidationError("\n".join(problems))

    def _customer_base_setting_problems(self):
        """Messages, in the user's words and quoting the values entered, for settings that make no sense.

        The rules are the engine's (:func:`..analytics.settings.setting_problems`), so that what is
        saved here is what the nightly job accepts.
        """
        self.ensure_one()
        values = {attribute: self[name] for name, attribute in SETTINGS_FIELDS.items()}
        values.update({name: self[name] for name in COMPANY_RANGES})
        problems = setting_problems(values) + setting_problems(values, ranges=COMPANY_RANGES, rising=())
        return [self._customer_base_problem_message(problem) for problem in problems]

    def _customer_base_problem_message(self, problem):
        def label(attribute):
            name = SETTING_NAMES.get(attribute, attribute)
            return self._fields[name]._description_string(self.env)

        if problem.kind == "range":
            # formatted first: the translation extractor reads the call's arguments as plain names
            low, high = format(problem.low, "g"), format(problem.high, "g")
            return self.env._(
                "%(field)s must be between %(low)s and %(high)s, not %(value)s.",
                field=label(problem.name),
                low=low,
                high=high,
                value=problem.value,
            )
        if problem.kind == "order":
            return self.env._(
                "%(low)s (%(low_value)s) must be below %(high)s (%(high_value)s).",
                low=label(problem.name),
                low_value=problem.value,
                high=label(problem.other),
                high_value=problem.other_value,
            )
        return self.env._("%(field)s: choose one of the proposed values.", field=label(problem.name))

    def _customer_base_lifetime_in_use(self):
        """The customer lifetime T (months) the LTV of this company's customers uses: the estimate
        of the last full recompute when the settings ask for it and it is sound, else the fixed one."""
        self.ensure_one()
        estimate = self.customer_base_lifetime_estimated
        if self.customer_base_lifetime_method == "estimated" and in_range(estimate, *RANGES["lifetime_months"]):
            return estimate
        return self.customer_base_lifetime_months

    def _customer_base_settings(self):
        """The analytics settings of this company."""
        self.ensure_one()
        return Settings(**{attribute: self[name] for name, attribute in SETTINGS_FIELDS.items()})

    def _customer_base_settings_signature(self):
        """Every setting of the customer base of this company, as a string: a change of any makes
        the next recompute compute anew (``sale.customer.base.engine._fingerprint``)."""
        self.ensure_one()
        company = self.sudo()
        names = sorted(
            name
            for name, field in self._fields.items()
            if name.startswith(("customer_base_", "customer_followup_")) and field.store and name not in RUN_FIELDS
        )
        return repr([company[name].id if company._fields[name].type == "many2one" else company[name] for name in names])

    # ---- keeping in touch (service policy)
    customer_base_contact_visit_cost = fields.Float("Cost of a Visit (call units)", default=100.0)
    customer_base_contact_call_cost = fields.Float("Cost of a Call (call units)", default=1.0)
    customer_base_contact_email_cost = fields.Float("Cost of an Email (call units)", default=0.01)
    customer_base_contact_unit_value = fields.Float(
        "Value of a Call Unit",
        default=10.0,
        help="What a call costs the company (in its currency): the cost to serve of a customer is in call "
        "units times this value.",
    )
    customer_base_contact_daily_cap = fields.Integer(
        "Planned Contacts per Salesperson and Day",
        default=20,
        help="The daily planning gives nobody more contacts than this on one day; the rest goes to the next days.",
    )
    customer_base_contact_plan_days = fields.Integer(
        "Plan Contacts Over (days)",
        default=14,
        help="How many days ahead the daily planning fills, at most the daily cap a day per person; due "
        "customers that do not fit wait for a later night.",
    )
    customer_base_contact_planned_target = fields.Float(
        "Target Share of Planned Activities (%)",
        default=60.0,
        help="The share of a salesperson's activities done that should come from the plan (service policy, "
        "campaigns, win-back); the rest is free.",
    )
    customer_base_contact_user_id = fields.Many2one(
        "res.users",
        "Contacts Without Salesperson Go To",
        domain="[('share', '=', False)]",
        help="Who gets the due contacts of customers that have no salesperson (and no key account manager).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # a new company starts with the shipped service policy, as the existing ones did at install
        self.env["sale.customer.service.rule"]._install_default_rules(companies)
        return companies

    @api.constrains(*(f"customer_base_{name}" for name in CONTACT_RANGES))
    def _check_customer_base_contact_settings(self):
        self._check_customer_base_settings()

    def _customer_base_channel_costs(self):
        """Cost of one contact by channel, in call units."""
        self.ensure_one()
        return {
            "visit": self.customer_base_contact_visit_cost,
            "call": self.customer_base_contact_call_cost,
            "email": self.customer_base_contact_email_cost,
        }

    # ---- follow-up after a sale, customer temperature
    customer_followup_first_days = fields.Integer(
        "Follow-up After a First Order (days)",
        default=7,
        help="Days after the confirmation of a customer's first order when the follow-up call is planned.",
    )
    customer_followup_repeat_days = fields.Integer(
        "Follow-up After a Repeat Order (days)",
        default=30,
        help="Days after the confirmation of a repeat order when the follow-up call is planned; 0: none.",
    )
    customer_followup_user_id = fields.Many2one(
        "res.users",
        "Follow-up Calls By",
        domain=[("share", "=", False)],
        help="Customer service person who calls the customers after their orders; empty: the order's salesperson.",
    )
    customer_base_temperature_contact_days = fields.Integer(
        "Temperature: Cold After (days without contact)",
        default=180,
        help="Days without an order or a feedback after which contact no longer warms the customer.",
    )
    customer_base_feedback_alert_days = fields.Integer(
        "Complaint Keeps a Customer At Risk (days)",
        default=90,
        help="Days during which a complaint, or a feedback that made the customer cooler, keeps it at risk.",
    )

    @api.constrains(*FOLLOWUP_RANGES)
    def _check_customer_followup_settings(self):
        for company in self:
            values = {name: company[name] for name in FOLLOWUP_RANGES}
            problems = setting_problems(values, ranges=FOLLOWUP_RANGES, rising=())
            if problems:
                raise ValidationError("\n".join(company._customer_base_problem_message(p) for p in problems))
