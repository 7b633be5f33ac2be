"""Key account plans: one per key account and company.

The engine flags key accounts; after each recompute (and each refresh after an
order) ``_sync_key_accounts`` gives every key account a plan, archives the plans
of customers no longer key (unless kept by hand), copies the engine's figures
onto the plans in one UPDATE, and checks the alarm rules of
:mod:`..analytics.key_accounts`: each new event gives one alarm activity to the
plan's manager and sponsor. A company whose top customer reaches high or
critical dependency gets one diversification task for its sales manager.
"""

import datetime

import pandas as pd
from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount

from ..analytics.key_accounts import account_alarms, coverage, dependency_rank, diversification_need
from .guards import MAX_AMOUNT, check_calculated_values, check_people, check_ranges
from .sale_customer_metrics import DEPENDENCY_RISKS
from .sale_order import OPEN_QUOTATION_STATES

HEALTH = [
    ("1", "1 - Broken"),
    ("2", "2 - Strained"),
    ("3", "3 - Neutral"),
    ("4", "4 - Good"),
    ("5", "5 - Excellent"),
]
HEALTH_TRENDS = [("up", "Improving"), ("flat", "Stable"), ("down", "Worsening")]
COVERAGE = [("covered", "Covered"), ("single_threaded", "Single-Threaded")]
# Written by the engine's sync only (as superuser); people cannot forge them
ENGINE_FIELDS = (
    "current_revenue",
    "revenue_share",
    "dependency_risk",
    "is_key_account",
    "share_of_wallet",
    "alarm_events",
    "diversification_risk",
)
# Worked out by Odoo (computes, the nightly reminders): ``readonly`` only hides them in forms
CALCULATED_FIELDS = (
    "target_progress",
    "health_score",
    "health_trend",
    "contact_count",
    "decision_maker_count",
    "coverage",
    "review_reminded_date",
)
PEOPLE_FIELDS = ("manager_id", "sponsor_id")
AMOUNT_FIELDS = dict.fromkeys(("potential_revenue", "target_revenue"), (0, MAX_AMOUNT))
DATE_FIELDS = ("target_date", "next_review_date")
ALARM_ACTIVITY = "sale_customer_base.mail_activity_type_key_account_alarm"


class SaleCustomerKeyAccount(models.Model):
    _name = "sale.customer.key.account"
    _description = "Key Account Plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "current_revenue desc, id"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    active = fields.Boolean(default=True, tracking=True)
    kept_by_hand = fields.Boolean(
        "Keep Even When Not Key",
        tracking=True,
        help="A plan made by hand, or kept: it stays when the customer is no longer a key account. "
        "Otherwise the nightly recompute archives it.",
    )
    manager_id = fields.Many2one(
        "res.users",
        "Key Account Manager",
        compute="_compute_manager_id",
        inverse="_inverse_manager_id",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
        help="The customer's key account manager (the same as on the customer).",
    )
    sponsor_id = fields.Many2one(
        "res.users",
        "Executive Sponsor",
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
        help="Someone from the company's management who visits the account and hears its alarms.",
    )
    potential_revenue = fields.Monetary("Potential Yearly Revenue", tracking=True)
    target_revenue = fields.Monetary("Target Yearly Revenue", tracking=True)
    target_date = fields.Date(tracking=True)
    # copied from the customer by the engine (see ``_sync_key_accounts``)
    current_revenue = fields.Monetary(
        "Revenue in Window", readonly=True, help="Untaxed revenue of the analysis window (12 months by default)."
    )
    revenue_share = fields.Float("Share of Our Revenue (%)", readonly=True, aggregator="max")
    dependency_risk = fields.Selection(DEPENDENCY_RISKS, readonly=True)
    is_key_account = fields.Boolean("Key Account Now", readonly=True)
    share_of_wallet = fields.Float("Share of Wallet (%)", readonly=True, aggregator="avg")
    # the two shares as ratios, for the percentage widget: "35.2 %" rather than a bare 35.20
    revenue_share_ratio = fields.Float("Share of Our Revenue", compute="_compute_share_ratios")
    share_of_wallet_ratio = fields.Float("Share of Wallet", compute="_compute_share_ratios")
    target_progress = fields.Float(
        "Target Reached (%)",
        compute="_compute_target_progress",
        store=True,
        aggregator="avg",
        help="Revenue in the window over the target yearly revenue.",
    )
    next_review_date = fields.Date(tracking=True)
    health = fields.Selection(HEALTH, "Relationship Health", tracking=True, help="Set at each review, 1 to 5.")
    health_score = fields.Integer(compute="_compute_health_score", store=True, aggregator="avg")
    health_ids = fields.One2many("sale.customer.key.account.health", "plan_id", "Health History")
    health_trend = fields.Selection(HEALTH_TRENDS, compute="_compute_health_trend", store=True)
    strategy_notes = fields.Html()
    contact_ids = fields.One2many("sale.customer.key.account.contact", "plan_id", "People Map")
    contact_count = fields.Integer("Mapped Contacts", compute="_compute_coverage", store=True)
    decision_maker_count = fields.Integer("Decision Makers", compute="_compute_coverage", store=True)
    coverage = fields.Selection(
        COVERAGE,
        compute="_compute_coverage",
        store=True,
        help="Single-threaded: at most one mapped contact, or no known decision maker.",
    )
    manager_over_limit = fields.Boolean(compute="_compute_manager_over_limit")
    quotation_count = fields.Integer("Open Quotations", compute="_compute_quotation_count")
    opportunity_count = fields.Integer("Open Opportunities", compute="_compute_opportunity_count")
    review_reminded_date = fields.Date(readonly=True, copy=False)
    alarm_events = fields.Char(readonly=True, copy=False, groups="base.group_system")
    diversification_risk = fields.Selection(DEPENDENCY_RISKS, readonly=True, copy=False, groups="base.group_system")

    _sql_constraints = [
        ("partner_company_uniq", "unique(partner_id, company_id)", "A customer has one key account plan per company.")
    ]

    @api.depends("partner_id", "company_id", "partner_id.key_account_manager_id")
    def _compute_manager_id(self):
        for plan in self:
            partner = plan.partner_id.sudo().with_company(plan.company_id)
            plan.manager_id = partner.key_account_manager_id

    def _inverse_manager_id(self):
        # the plan's write was allowed by its rules: the customer follows as superuser, once the
        # customer's own rule is kept (only sales managers change who manages a key account)
        for plan in self:
            plan.partner_id.with_company(plan.company_id)._check_ownership_values(
                [{"key_account_manager_id": plan.manager_id.id}]
            )
            partner = plan.partner_id.sudo().with_company(plan.company_id)
            if partner.key_account_manager_id != plan.manager_id:
                partner.key_account_manager_id = plan.manager_id

    @api.depends("revenue_share", "share_of_wallet")
    def _compute_share_ratios(self):
        for plan in self:
            plan.revenue_share_ratio = plan.revenue_share / 100.0
            plan.share_of_wallet_ratio = plan.share_of_wallet / 100.0

    @api.depends("current_revenue", "target_revenue")
    def _compute_target_progress(self):
        for plan in self:
            plan.target_progress = plan.target_revenue and plan.current_revenue / plan.target_revenue * 100.0

    @api.depends("health")
    def _compute_health_score(self):
        for plan in self:
            plan.health_score = int(plan.health or 0)

    @api.depends("health_ids.month", "health_ids.health")
    def _compute_health_trend(self):
        for plan in self:
            history = plan.health_ids.sorted("month", reverse=True)
            if len(history) < 2:
                plan.health_trend = False
                continue
            last, before = int(history[0].health), int(history[1].health)
            plan.health_trend = "up" if last > before else "down" if last < before else "flat"

    @api.depends("contact_ids.role")
    def _compute_coverage(self):
        for plan in self:
            plan.contact_count = len(plan.contact_ids)
            plan.decision_maker_count = len(plan.contact_ids.filtered(lambda c: c.role == "decision_maker"))
            plan.coverage = coverage(plan.contact_count, plan.decision_maker_count)

    @api.depends("manager_id", "company_id")
    def _compute_manager_over_limit(self):
        for plan in self:
            plan.manager_over_limit = bool(plan.manager_id) and plan._managed_key_accounts() > (
                plan.company_id.customer_base_max_key_accounts
            )

    def _compute_quotation_count(self):
        groups = self.env["sale.order"]._read_group(
            [("state", "in", OPEN_QUOTATION_STATES), ("partner_id.commercial_partner_id", "in", self.partner_id.ids)],
            ["partner_id", "company_id"],
            ["__count"],
        )
        counts = {}
        for partner, company, count in groups:
            key = (partner.commercial_partner_id.id, company.id)
            counts[key] = counts.get(key, 0) + count
        for plan in self:
            plan.quotation_count = counts.get((plan.partner_id.id, plan.company_id.id), 0)

    def _opportunity_domain(self):
        self.ensure_one()
        return [
            ("type", "=", "opportunity"),
            ("partner_id.commercial_partner_id", "=", self.partner_id.id),
            ("company_id", "in", (False, self.company_id.id)),
        ]

    def _compute_opportunity_count(self):
        # open: active and not won (lost opportunities are archived by crm)
        groups = self.env["crm.lead"]._read_group(
            [
                ("type", "=", "opportunity"),
                ("stage_id.is_won", "=", False),
                ("partner_id.commercial_partner_id", "in", self.partner_id.ids),
            ],
            ["partner_id", "company_id"],
            ["__count"],
        )
        counts = {}
        for partner, company, count in groups:
            counts.setdefault(partner.commercial_partner_id.id, []).append((company.id, count))
        for plan in self:
            plan.opportunity_count = sum(
                count
                for company_id, count in counts.get(plan.partner_id.id, [])
                if company_id in (False, plan.company_id.id)
            )

    def action_open_opportunities(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_opportunities")
        action["domain"] = [*self._opportunity_domain(), ("stage_id.is_won", "=", False)]
        action["context"] = {"default_partner_id": self.partner_id.id, "default_type": "opportunity"}
        return action

    @api.model
    def _key_accounts_per_manager_sql(self):
        """THE count of key accounts per manager, as an SQL sub-query (``company_id``, ``manager_id``,
        ``key_account_count``): the active plans of key accounts, by their manager (the customer's key
        account manager in that company); plans kept by hand for other customers do not count. The
        limit of the settings, the plan's and the customer's warnings and both reports read it."""
        self.flush_model(["manager_id", "company_id", "is_key_account", "active"])
        return SQL(
            """
            SELECT company_id, manager_id, count(*) AS key_account_count
              FROM sale_customer_key_account
             WHERE active AND is_key_account AND manager_id IS NOT NULL
             GROUP BY company_id, manager_id
            """
        )

    @api.model
    def _key_accounts_with(self, company, manager, partner=None, is_key_account=False):
        """The key accounts of ``company`` that ``manager`` would manage with ``partner`` (a commercial
        partner, counted once, when ``is_key_account``)."""
        rows = self.env.execute_query(
            SQL(
                "SELECT key_account_count FROM (%s) AS k WHERE company_id = %s AND manager_id = %s",
                self._key_accounts_per_manager_sql(),
                company.id,
                manager.id,
            )
        )
        held = rows[0][0] if rows else 0
        if partner:
            already = self.sudo().search_count(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("manager_id", "=", manager.id),
                    ("is_key_account", "=", True),
                ]
            )
            held += (1 if is_key_account else 0) - already
        return held

    def _managed_key_accounts(self, manager=None):
        """Key accounts of the plan's company that ``manager`` (the plan's by default) manages, this one included
        when it is a key account (``_key_accounts_with``)."""
        self.ensure_one()
        manager = manager or self.manager_id
        return self._key_accounts_with(self.company_id, manager, self.partner_id, self.is_key_account)

    @api.onchange("manager_id")
    def _onchange_manager_id(self):
        """Warn when the manager chosen would hold more key accounts than the company allows."""
        manager = self.manager_id
        if not manager:
            return None
        limit = self.company_id.customer_base_max_key_accounts
        held = self._managed_key_accounts(manager)
        if held <= limit:
            return None
        return {
            "warning": {
                "title": self.env._("Too many key accounts"),
                "message": self.env._(
                    "With this one, %(manager)s would manage %(count)s key accounts; the limit is %(limit)s. "
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
            self._check_ranges(vals)
            if not self.env.su:
                self._check_person_values(vals)
                # a plan a person makes is theirs to keep, key account or not
                vals.setdefault("kept_by_hand", True)
        plans = super().create(vals_list)
        if not self.env.su:
            check_people(plans, [fname for fname in PEOPLE_FIELDS if any(vals.get(fname) for vals in vals_list)])
        plans.filtered("health")._record_health()
        return plans

    def write(self, vals):
        self._check_ranges(vals)
        if not self.env.su:
            self._check_person_values(vals)
        res = super().write(vals)
        if not self.env.su:
            check_people(self, [fname for fname in PEOPLE_FIELDS if vals.get(fname)])
        if vals.get("health"):
            self._record_health()
        return res

    def _check_ranges(self, vals):
        check_ranges(self, vals, numbers=AMOUNT_FIELDS, dates=DATE_FIELDS, choices={"health": HEALTH})

    def _check_person_values(self, vals):
        claimed = [name for name in ENGINE_FIELDS if name in vals]
        if claimed:
            raise UserError(
                self.env._(
                    "%(fields)s of a key account plan come from the customer's orders: they cannot be set by hand.",
                    fields=", ".join(self._fields[name]._description_string(self.env) for name in claimed),
                )
            )
        check_calculated_values(self, vals, CALCULATED_FIELDS)
        if self and any(
            name in vals and any(plan[name].id != vals[name] for plan in self) for name in ("partner_id", "company_id")
        ):
            raise UserError(
                self.env._("The customer and the company of a key account plan cannot be changed: make another plan.")
            )

    def _record_health(self):
        """Keep the health of this month in the history (one line per plan and month, the last one set)."""
        History = self.env["sale.customer.key.account.health"].sudo()
        month = fields.Date.context_today(self).replace(day=1)
        existing = {
            line.plan_id.id: line for line in History.search([("plan_id", "in", self.ids), ("month", "=", month)])
        }
        new = []
        for plan in self:
            if plan.id in existing:
                existing[plan.id].write({"health": plan.health, "user_id": self.env.uid})
            else:
                new.append({"plan_id": plan.id, "month": month, "health": plan.health, "user_id": self.env.uid})
        History.create(new)

    # ---- actions
    def action_open_quotations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_quotations_with_onboarding")
        action["domain"] = [
            ("state", "in", OPEN_QUOTATION_STATES),
            ("partner_id.commercial_partner_id", "=", self.partner_id.id),
            ("company_id", "=", self.company_id.id),
        ]
        action["context"] = {"default_partner_id": self.partner_id.id}
        return action

    def action_open_growth(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale_customer_base.sale_customer_key_account_revenue_action"
        )
        action["domain"] = [("plan_id", "=", self.id)]
        action["display_name"] = self.env._("Revenue against target: %(customer)s", customer=self.partner_id.name)
        return action

    def action_plan_executive_visit(self):
        """A meeting of the executive sponsor with the account, in the calendar: the event form opens
        filled in (sponsor, key account manager and the customer's decision makers as attendees, at the
        next review or in two weeks) and is saved, with its invitations, when the user confirms it."""
        self.ensure_one()
        if not self.sponsor_id:
            raise UserError(self.env._("Choose the executive sponsor of the plan first: the visit is theirs."))
        day = self.next_review_date or fields.Date.context_today(self) + datetime.timedelta(days=14)
        start = datetime.datetime.combine(day, datetime.time(9, 0))
        attendees = (
            self.sponsor_id.partner_id
            | self.manager_id.partner_id
            | self.contact_ids.filtered(lambda line: line.role == "decision_maker").partner_id
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Executive Visit"),
            "res_model": "calendar.event",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_name": self.env._("Executive visit: %(customer)s", customer=self.partner_id.name),
                "default_user_id": self.sponsor_id.id,
                "default_partner_ids": [fields.Command.set(attendees.ids)],
                "default_start": fields.Datetime.to_string(start),
                "default_stop": fields.Datetime.to_string(start + datetime.timedelta(hours=2)),
                "default_res_model": self._name,
                "default_res_id": self.id,
            },
        }

    # ---- engine
    @api.model
    def _sync_key_accounts(self, company, as_of, orders=None, partner_ids=None, key_accounts=None):
        """After the engine stored the values of ``company`` (of ``partner_ids`` only after an order):
        plans for new key accounts, archived plans for former ones, figures copied, alarms checked.

        ``orders`` is the engine's frame of confirmed orders (``partner_id``, ``day``, ``revenue``) and
        ``key_accounts`` its key account flags by customer, in memory; read here when not given.
        """
        Plans = self.sudo().with_context(tracking_disable=True, mail_create_nolog=True, active_test=False)
        Plans.env["res.partner"].flush_model()
        Plans.env["sale.customer.metrics"].flush_model()
        Plans.flush_model()
        if key_accounts is not None:
            keys = [int(partner_id) for partner_id in key_accounts.index[key_accounts.eq(True).to_numpy()]]
        else:
            scope = SQL() if partner_ids is None else SQL("AND partner_id = ANY(%s)", list(partner_ids))
            keys = [
                row[0]
                for row in Plans.env.execute_query(
                    SQL(
                        "SELECT partner_id FROM sale_customer_metrics WHERE company_id = %s AND is_key_account %s",
                        company.id,
                        scope,
                    )
                )
            ]
        domain = [("company_id", "=", company.id)]
        if partner_ids is not None:
            domain.append(("partner_id", "in", list(partner_ids)))
        plans = Plans.search(domain)
        planned = set(plans.partner_id.ids)
        Plans.create([{"partner_id": pid, "company_id": company.id} for pid in keys if pid not in planned])
        plans.filtered(lambda plan: not plan.active and plan.partner_id.id in set(keys)).active = True
        plans.filtered(
            lambda plan: plan.active and not plan.kept_by_hand and plan.partner_id.id not in set(keys)
        ).active = False
        Plans._copy_figures(company, partner_ids)
        active = Plans.search([*domain, ("active", "=", True)])
        if active:
            Plans._check_alarms(company, as_of, active, orders)
        if partner_ids is None:
            Plans._check_diversification(company)

    @api.model
    def _copy_figures(self, company, partner_ids=None):
        """The customer's figures in the company, onto its plans, in one UPDATE of the plans that differ."""
        key = str(company.id)
        self.env.cr.execute(
            SQL(
                """
                UPDATE sale_customer_key_account AS ka
                   SET current_revenue = n.revenue, revenue_share = n.share, dependency_risk = n.risk,
                       is_key_account = n.is_key, share_of_wallet = n.wallet,
                       target_progress = CASE WHEN ka.target_revenue <> 0
                                              THEN COALESCE(n.revenue, 0) / ka.target_revenue * 100 ELSE 0 END
                  FROM (
                        SELECT p.id,
                               m.revenue_window AS revenue,
                               m.revenue_share * 100 AS share,
                               m.dependency_risk AS risk,
                               COALESCE(m.is_key_account, FALSE) AS is_key,
                               (p.share_of_wallet ->> %(key)s)::float8 AS wallet
                          FROM res_partner AS p
                          LEFT JOIN sale_customer_metrics AS m ON m.partner_id = p.id AND m.company_id = %(company)s
                       ) AS n
                 WHERE ka.partner_id = n.id AND ka.company_id = %(company)s %(scope)s
                   AND (ka.current_revenue, ka.revenue_share, ka.dependency_risk, ka.is_key_account,
                        ka.share_of_wallet)
                       IS DISTINCT FROM (n.revenue, n.share, n.risk, n.is_key, n.wallet)
                """,
                key=key,
                company=company.id,
                scope=SQL() if partner_ids is None else SQL("AND ka.partner_id = ANY(%s)", list(partner_ids)),
            )
        )
        self.invalidate_model(
            [
                "current_revenue",
                "revenue_share",
                "dependency_risk",
                "is_key_account",
                "share_of_wallet",
                "target_progress",
            ]
        )

    @api.model
    def _check_alarms(self, company, as_of, plans, orders=None):
        """Remember the events of ``plans`` and give each new one an alarm activity (manager and sponsor)."""
        Engine = self.env["sale.customer.base.engine"]
        partner_ids = plans.partner_id.ids
        if orders is None:
            orders = Engine._orders_frame(company, as_of, partner_ids)
        orders = orders[orders["partner_id"].isin(partner_ids)]
        frame = pd.DataFrame(
            {
                "partner_id": orders["partner_id"],
                "date": pd.to_datetime(orders["day"], unit="D"),
                "amount": orders["revenue"].astype(float),
            }
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT ka.partner_id, m.last_order_date, m.median_order_interval, m.dependency_risk, ka.alarm_events
                  FROM sale_customer_key_account AS ka
                  LEFT JOIN sale_customer_metrics AS m ON m.partner_id = ka.partner_id AND m.company_id = ka.company_id
                 WHERE ka.id = ANY(%(ids)s)
                """,
                ids=plans.ids,
            )
        )
        accounts = pd.DataFrame(
            rows, columns=["partner_id", "last_order_date", "median_order_interval", "dependency_risk", "seen_events"]
        ).set_index("partner_id")
        accounts["median_order_interval"] = accounts["median_order_interval"].astype(float)
        check = account_alarms(accounts, frame, as_of, company.customer_base_key_account_drop)
        by_partner = {plan.partner_id.id: plan for plan in plans}
        changed = {}
        for partner_id, events in check.events.items():
            if accounts.at[partner_id, "seen_events"] != events:
                changed.setdefault(events, self.browse())
                changed[events] |= by_partner[partner_id]
        for events, group in changed.items():
            group.write({"alarm_events": events})
        activities = []
        # the new events of an account in one activity per person: one alarm to read, with every reason
        for partner_id, alarms in check.alarms.groupby("partner_id", sort=False):
            activities += by_partner[partner_id]._alarm_activities(list(alarms.itertuples(index=False)))
        self.env["mail.activity"].create(activities)

    def _alarm_people(self):
        """Who hears an alarm: the manager and the sponsor; the customer's salesperson when neither is set."""
        self.ensure_one()
        people = (self.manager_id | self.sponsor_id).filtered("active")
        return people or self.partner_id.user_id.filtered("active")

    def _alarm_activities(self, alarms):
        """Values of the alarm activities of this plan for ``alarms`` (rows of the alarm check)."""
        self.ensure_one()
        reasons = [self._alarm_reason(alarm) for alarm in alarms]
        if len(reasons) == 1:
            summary = reasons[0][0]
        else:
            summary = self.env._("Key account drifting: %(customer)s", customer=self.partner_id.name)
        note = Markup("").join(Markup("<p>%s</p>") % text for _summary, text in reasons)
        activity_type = self.env.ref(ALARM_ACTIVITY)
        model = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        return [
            {
                "res_model_id": model,
                "res_id": self.id,
                "activity_type_id": activity_type.id,
                "user_id": user.id,
                "date_deadline": today,
                "summary": summary,
                "note": note,
            }
            for user in self._alarm_people()
        ]

    def _alarm_reason(self, alarm):
        """(summary, explanation with the figures) of one alarm of this plan."""
        customer = self.partner_id.name
        if alarm.kind == "silent":
            return (
                self.env._("Key account silent: %(customer)s", customer=customer),
                self.env._(
                    "No order for %(days)s days, while it usually orders every %(usual)s days.",
                    days=int(alarm.days_silent),
                    usual=round(alarm.usual_interval),
                ),
            )
        if alarm.kind == "drop":
            return (
                self.env._("Key account revenue falling: %(customer)s", customer=customer),
                self.env._(
                    "Revenue of the last 90 days: %(current)s, against %(previous)s the 90 days before (-%(drop)s%%).",
                    current=format_amount(self.env, alarm.revenue_current, self.currency_id),
                    previous=format_amount(self.env, alarm.revenue_previous, self.currency_id),
                    drop=round(alarm.drop_percent, 1),
                ),
            )
        labels = dict(DEPENDENCY_RISKS)
        return (
            self.env._("Dependency on a key account rose: %(customer)s", customer=customer),
            self.env._(
                "Dependency went from %(before)s to %(now)s: it makes %(share)s%% of our revenue.",
                before=labels.get(alarm.previous_dependency_risk, alarm.previous_dependency_risk),
                now=labels.get(alarm.dependency_risk, alarm.dependency_risk),
                share=round(self.revenue_share, 1),
            ),
        )

    @api.model
    def _check_diversification(self, company):
        """One task for the sales manager when the top customer of ``company`` reaches a higher dependency
        level (high or critical) than the last task was made for."""
        top = self.search(
            [("company_id", "=", company.id), ("active", "=", True), ("dependency_risk", "in", ("high", "critical"))],
            order="revenue_share desc, id",
            limit=1,
        )
        if not top or dependency_rank(top.dependency_risk) <= dependency_rank(top.diversification_risk):
            return
        user = top._diversification_user()
        top.diversification_risk = top.dependency_risk
        if not user:
            return
        target = company.customer_base_dependency_high
        total = top.current_revenue / (top.revenue_share / 100.0) if top.revenue_share else 0.0
        need = diversification_need(top.current_revenue, total, target)
        top.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._(
                "Diversify: %(customer)s makes %(share)s%% of revenue",
                customer=top.partner_id.name,
                share=round(top.revenue_share, 1),
            ),
            note=self.env._(
                "Bring its share below %(target)s%%: other customers must bring %(need)s more revenue in the window.",
                target=format(target, "g"),
                need=format_amount(self.env, need, top.currency_id),
            ),
            user_id=user.id,
        )

    def _diversification_user(self):
        """The sales manager who gets the diversification task: the leader of the customer's sales
        team, else the first sales manager of the company."""
        self.ensure_one()
        leader = self.partner_id.user_id.sale_team_id.user_id
        if leader.active and leader.has_group("sales_team.group_sale_manager"):
            return leader
        group = self.env.ref("sales_team.group_sale_manager")
        return self.env["res.users"].search(
            [
                ("groups_id", "in", group.ids),
                ("company_ids", "in", self.company_id.ids),
                ("share", "=", False),
                ("active", "=", True),
                ("id", "!=", SUPERUSER_ID),
            ],
            order="id",
            limit=1,
        )

    # ---- reminders
    @api.model
    def _cron_key_account_reminders(self):
        """Nightly: reviews and contacts' birthdays coming within the company's days ahead become activities
        for the plan's manager (each once)."""
        today = fields.Date.context_today(self)
        Plans = self.sudo()
        for company in self.env["res.company"].sudo().search([]):  # pylint: disable=no-search-all
            ahead = today + datetime.timedelta(days=company.customer_base_key_account_reminder_days)
            plans = Plans.search(
                [
                    ("company_id", "=", company.id),
                    ("next_review_date", ">=", today),
                    ("next_review_date", "<=", ahead),
                    ("manager_id", "!=", False),
                ]
            ).filtered(lambda plan: plan.review_reminded_date != plan.next_review_date)
            for plan in plans:
                plan.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=plan.next_review_date,
                    summary=self.env._("Review the key account plan of %(customer)s", customer=plan.partner_id.name),
                    user_id=plan.manager_id.id,
                )
                plan.review_reminded_date = plan.next_review_date
            self.env["sale.customer.key.account.contact"].sudo()._remind_birthdays(company, today, ahead)
