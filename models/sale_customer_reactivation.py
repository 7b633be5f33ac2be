"""Win-back attempts: one record per customer contacted to be won back.

An attempt is won back as soon as the customer confirms an order within the
company's win-back window after it (``_update_won_back``, called when orders
are confirmed and by the nightly job for orders imported already confirmed);
the revenue of the window is the recovered revenue.
"""

import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date

from ..analytics.winback import declining_customers, quotation_cutoff, revenue_drop
from .guards import check_people
from .sale_customer_metrics import STAGES

RULES = [
    ("lost", "Lost"),
    ("at_risk", "At Risk"),
    ("declining", "Declining Revenue"),
    ("stalled", "Stalled Quotation"),
    ("chosen", "Chosen by Hand"),
]
# days of orders, up to the last one, that make a silent customer's yearly revenue (its revenue lost)
LAST_YEAR = 365
# an earlier attempt the caller should know of
EARLIER_OUTCOMES = ("refused", "parted_well")
OUTCOMES = [
    ("pending", "Pending"),
    ("won", "Won Back"),
    ("refused", "Refused"),
    ("no_answer", "No Answer"),
    # a key account that left anyway, after the playbook: on good terms, a referral asked
    ("parted_well", "Parted Well"),
]
# Written by the engine only: the customer as the win-back search found them, and what their
# orders did afterwards (``_update_won_back``). People record the answer (reason, feedback) and
# close an open attempt as refused or unanswered; ``readonly`` alone would not stop a client.
ENGINE_FIELDS = (
    "rule",
    "stage",
    "last_order_date",
    "revenue_lost",
    "ltv",
    "activity_id",
    "window_end",
    "won_date",
    "won_order_id",
    "recovered_revenue",
    "won_back_rate",
)
# Set once: moving an attempt to another customer or company would step around the record rules,
# which Odoo checks before a write, not after it.
FIXED_FIELDS = ("partner_id", "company_id")


class SaleCustomerReactivation(models.Model):
    _name = "sale.customer.reactivation"
    _description = "Win-Back Attempt"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade", tracking=True, check_company=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date("Attempt Date", required=True, default=fields.Date.context_today, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        "Assigned To",
        index=True,
        tracking=True,
        # not OdooBot when the system records an attempt: it would be nobody's call
        default=lambda self: self.env.user if self.env.user.active else False,
        domain="[('share', '=', False)]",
    )
    rule = fields.Selection(RULES, "Found As", required=True, default="chosen", readonly=True)
    stage = fields.Selection(STAGES, "Stage at the Attempt", readonly=True)
    last_order_date = fields.Date("Last Order Before the Attempt", readonly=True)
    revenue_lost = fields.Monetary(
        readonly=True,
        help="What the customer brought in a year before going quiet: its revenue over the 12 months up to its last "
        "order. For a customer found by a revenue drop: the revenue of the previous period minus the last one. "
        "As found when the attempt was made.",
    )
    ltv = fields.Monetary("LTV at the Attempt", readonly=True, groups="sales_team.group_sale_manager")
    reason_id = fields.Many2one("sale.customer.reactivation.reason", "Reason for Leaving", tracking=True)
    product_feedback = fields.Text("What Did Not Suit in the Product")
    staff_feedback = fields.Text("What Did Not Suit in the Staff")
    sale_feedback = fields.Text("What Did Not Suit at the Moment of Sale")
    outcome = fields.Selection(OUTCOMES, required=True, default="pending", tracking=True, index=True)
    window_end = fields.Date(
        "Counts Until",
        compute="_compute_window_end",
        store=True,
        help="An order confirmed up to this day wins the customer back.",
    )
    won_date = fields.Date("Won Back On", readonly=True)
    won_order_id = fields.Many2one("sale.order", "First Order After", readonly=True, check_company=True)
    recovered_revenue = fields.Monetary(
        readonly=True, help="Untaxed revenue of the orders confirmed from the attempt to the end of its window."
    )
    won_back_rate = fields.Float(
        "Win-Back Rate (%)",
        compute="_compute_won_back_rate",
        store=True,
        aggregator="avg",
        help="100 for an attempt that won the customer back, 0 otherwise: its average is the win-back rate.",
    )
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    # ---- playbook of a key account leaving (issue 15): meeting, counter-offer, gift, referral
    is_key_account = fields.Boolean("Key Account", compute="_compute_is_key_account")
    meeting_date = fields.Date("Meeting Held On", tracking=True)
    meeting_user_ids = fields.Many2many(
        "res.users",
        string="Who Met Them",
        domain="[('share', '=', False)]",
        help="Who from our side was at the meeting.",
    )
    counter_offer = fields.Text("Counter-Offer Made")
    gift = fields.Char("Gift Given")
    referral_asked = fields.Boolean(tracking=True)
    referred_partner_id = fields.Many2one(
        "res.partner", "Referred Customer", tracking=True, help="Who the customer recommended us to when leaving."
    )
    parted_well_rate = fields.Float(
        "Parted Well (%)",
        compute="_compute_parted_well_rate",
        store=True,
        aggregator="avg",
        help="100 for an attempt that ended on good terms (parted well), 0 otherwise: its average is the share "
        "of attempts that parted well.",
    )

    @api.depends("partner_id", "date")
    def _compute_display_name(self):
        for attempt in self:
            attempt.display_name = self.env._(
                "%(customer)s, %(date)s",
                customer=attempt.partner_id.display_name or "",
                date=fields.Date.to_string(attempt.date) if attempt.date else "",
            )

    @api.depends("date", "company_id.customer_base_winback_days")
    def _compute_window_end(self):
        for attempt in self:
            days = attempt.company_id.customer_base_winback_days
            attempt.window_end = attempt.date and attempt.date + datetime.timedelta(days=days)

    @api.depends("outcome")
    def _compute_won_back_rate(self):
        for attempt in self:
            attempt.won_back_rate = 100.0 if attempt.outcome == "won" else 0.0

    @api.depends("partner_id", "company_id")
    def _compute_is_key_account(self):
        for attempt in self:
            partner = attempt.partner_id.sudo().with_company(attempt.company_id)
            attempt.is_key_account = partner.is_key_account or bool(
                self.env["sale.customer.key.account"]
                .sudo()
                .search_count([("partner_id", "=", partner.id), ("company_id", "=", attempt.company_id.id)], limit=1)
            )

    @api.depends("outcome")
    def _compute_parted_well_rate(self):
        for attempt in self:
            attempt.parted_well_rate = 100.0 if attempt.outcome == "parted_well" else 0.0

    @api.constrains("user_id", "company_id")
    def _check_user_id(self):
        for company in self.company_id:
            callers = self.filtered(lambda attempt, company=company: attempt.company_id == company).user_id
            problem = callers._customer_base_unfit_message(company)
            if problem:
                raise ValidationError(
                    problem + " " + self.env._("Win-back calls go to active salespeople of the attempt's company.")
                )

    @api.constrains("meeting_user_ids", "company_id")
    def _check_meeting_user_ids(self):
        check_people(self, ["meeting_user_ids"])

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._check_person_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_person_values(vals)
        return super().write(vals)

    def _check_person_values(self, vals):
        """Refuse values that only the engine writes (it writes as superuser); ``self`` are the
        attempts being written, none for a new one."""
        if self:
            claimed = [name for name in ENGINE_FIELDS if name in vals]
        else:  # a new attempt: the defaults a client sends back claim nothing
            claimed = [name for name in ENGINE_FIELDS if vals.get(name) and (name, vals[name]) != ("rule", "chosen")]
        if claimed:
            raise UserError(
                self.env._(
                    "%(fields)s of a win-back attempt come from the win-back search and the customer's orders: "
                    "they cannot be set by hand.",
                    fields=", ".join(self._fields[name]._description_string(self.env) for name in claimed),
                )
            )
        if vals.get("outcome") == "won":
            raise UserError(
                self.env._(
                    "An attempt is won back by an order, not by hand: it turns Won Back as soon as the customer "
                    "confirms an order within the win-back window."
                )
            )
        won = self.filtered(lambda attempt: attempt.outcome == "won")
        if "outcome" in vals and won:
            raise UserError(
                self.env._(
                    "%(attempts)s won the customer back with an order: the outcome follows the customer's orders "
                    "(cancelling the order undoes it).",
                    attempts=", ".join(won.mapped("display_name")),
                )
            )
        moved = [name for name in FIXED_FIELDS if name in vals and any(a[name].id != vals[name] for a in self)]
        if moved:
            raise UserError(
                self.env._(
                    "The customer and the company of a win-back attempt cannot be changed: "
                    "record an attempt for the other customer instead."
                )
            )

    def action_refused(self):
        self.outcome = "refused"

    def action_no_answer(self):
        self.outcome = "no_answer"

    def action_parted_well(self):
        self.outcome = "parted_well"

    def action_pending(self):
        self.outcome = "pending"

    @api.model
    def _update_won_back(self, partners=None, company=None):
        """Bring the outcome of attempts in line with the orders, for the attempts of ``partners``
        (commercial partners) and ``company``, or all.

        Each confirmed order counts once, for the latest attempt of its customer and company that
        is open (pending, no answer) or already won back and whose window holds the order's day.
        An attempt with orders is won back by the first of them, the revenue of its orders is
        recovered, and its open win-back activity is marked done; one whose orders were all
        cancelled is pending again. Refused attempts keep their outcome.
        """
        self.env["sale.order"].flush_model(
            ["state", "company_id", "partner_id", "date_order", "amount_untaxed", "currency_rate"]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.flush_model()
        filters = []
        if partners is not None:
            if not partners:
                return self.browse()
            filters.append(SQL("r.partner_id = ANY(%s)", partners.commercial_partner_id.ids))
        if company is not None:
            filters.append(SQL("r.company_id = %s", company.id))
        # date_order is UTC: its ::date is the UTC day, as in the engine's reads. Filters keep or
        # drop all the attempts of a customer and company, so "the latest" is chosen among all.
        self.env.cr.execute(
            SQL(
                """
                WITH attempt AS (
                    SELECT r.id, r.partner_id, r.company_id, r.date, r.window_end
                      FROM sale_customer_reactivation AS r
                     WHERE r.outcome IN ('pending', 'no_answer', 'won')
                       AND %(filters)s
                ), credited AS (
                    SELECT DISTINCT ON (o.order_id) o.order_id, a.id AS attempt_id, o.date_order, o.revenue
                      FROM attempt AS a
                      JOIN (%(confirmed)s) AS o ON o.partner_id = a.partner_id AND o.company_id = a.company_id
                     WHERE o.date_order::date BETWEEN a.date AND a.window_end
                     ORDER BY o.order_id, a.date DESC, a.id DESC
                )
                SELECT a.id,
                       (array_agg(c.order_id ORDER BY c.date_order, c.order_id))[1],
                       min(c.date_order)::date,
                       COALESCE(sum(c.revenue), 0)
                  FROM attempt AS a
                  LEFT JOIN credited AS c ON c.attempt_id = a.id
                 GROUP BY a.id
                """,
                filters=SQL(" AND ").join(filters) if filters else SQL("TRUE"),
                confirmed=self.env["sale.customer.base.engine"]._confirmed_orders_sql(),
            )
        )
        rows = self.env.cr.fetchall()
        # the engine's values: written as superuser, whoever confirmed the order
        attempts = self.sudo().browse([row[0] for row in rows])
        changed = won = self.browse()
        for attempt, (_id, order_id, day, revenue) in zip(attempts, rows, strict=True):
            values = {}
            if attempt.currency_id.compare_amounts(attempt.recovered_revenue, revenue):
                values["recovered_revenue"] = revenue
            if order_id and (attempt.outcome != "won" or attempt.won_order_id.id != order_id):
                if attempt.outcome != "won":
                    won |= attempt
                values.update(outcome="won", won_date=day, won_order_id=order_id)
            elif not order_id and attempt.outcome == "won":
                values.update(outcome="pending", won_date=False, won_order_id=False)
            if values:
                attempt.write(values)
                changed |= attempt
        won._close_winback_activity()
        return changed

    # ---- the win-back search and launch: the wizard collects the choices and calls these; code,
    # a server action or a test may call them without it
    @api.model
    def _winback_domain(self, criteria):
        """The customers (res.partner domain) the search looks among, from ``criteria`` (a dict:
        ``partners``, ``teams``, ``salespeople`` (records), ``abc_class``, ``key_accounts_only``,
        ``own_customers_only``, ``min_revenue``, ``min_ltv``)."""
        domain = self.env["sale.customer.metrics"]._partner_domain(
            partners=criteria.get("partners"),
            teams=criteria.get("teams"),
            salespeople=criteria.get("salespeople"),
            abc_class=criteria.get("abc_class"),
            key_accounts_only=criteria.get("key_accounts_only"),
        )
        if criteria.get("own_customers_only"):
            domain.append(("is_own_customer", "=", True))
        if criteria.get("min_revenue"):
            domain.append(("revenue_to_date", ">=", criteria["min_revenue"]))
        if criteria.get("min_ltv"):
            domain.append(("ltv", ">=", criteria["min_ltv"]))
        return domain

    @api.model
    def _winback_candidates(self, company, criteria):
        """{partner id: rule} of every customer of ``company`` some rule of ``criteria`` finds, the
        first rule of ``RULES`` that finds it: ``use_lost``, ``use_at_risk`` (stage), ``use_declining``
        (revenue of the last ``decline_days`` below that of the ones before by ``decline_percent``),
        ``use_stalled`` (a quotation sent ``stalled_days`` ago or more, still open), and the chosen
        ``partners`` themselves with ``include_selected``."""
        partner_model = self.env["res.partner"].with_company(company)
        domain = self._winback_domain(criteria)
        found = {}
        stages = [stage for stage in ("lost", "at_risk") if criteria.get(f"use_{stage}")]
        if stages:
            for partner in partner_model.search_fetch([*domain, ("customer_stage", "in", stages)], ["customer_stage"]):
                found[partner.id] = partner.customer_stage
        as_of = fields.Date.context_today(self)
        if criteria.get("use_declining"):
            days = criteria["decline_days"]
            orders = self._winback_orders_since(
                company, partner_model._search(domain), as_of - datetime.timedelta(days * 2)
            )
            for partner_id in declining_customers(orders, as_of, days, criteria["decline_percent"]).index:
                found.setdefault(int(partner_id), "declining")
        if criteria.get("use_stalled"):
            stalled = self._winback_stalled(company, partner_model._search(domain), as_of, criteria["stalled_days"])
            for partner_id in stalled:
                found.setdefault(partner_id, "stalled")
        if criteria.get("partners") and criteria.get("include_selected"):
            for partner in partner_model.search(domain):
                found.setdefault(partner.id, "chosen")
        return found

    @api.model
    def _winback_orders_since(self, company, partner_query, since):
        """Confirmed orders of ``company`` since ``since`` of the customers in ``partner_query``."""
        Engine = self.env["sale.customer.base.engine"]
        confirmed = Engine._confirmed_orders_sql(
            company, since=datetime.datetime.combine(since, datetime.time.min), partners=partner_query
        )
        query = SQL("SELECT partner_id, date_order::date AS date, revenue AS amount FROM (%s) AS o", confirmed)
        frame = Engine._frame(query)
        if frame.empty:
            frame = frame.reindex(columns=["partner_id", "date", "amount"])
        return frame

    @api.model
    def _winback_stalled(self, company, partner_query, as_of, stalled_days):
        """Customers with a quotation sent on or before the cutoff and still open."""
        cutoff = quotation_cutoff(as_of, stalled_days)
        sent = self.env["sale.customer.base.engine"]._open_quotations_sql(
            company,
            partners=partner_query,
            sent_only=True,
            until=datetime.datetime.combine(cutoff + datetime.timedelta(days=1), datetime.time.min),
        )
        return [
            partner_id
            for (partner_id,) in self.env.execute_query(SQL("SELECT DISTINCT partner_id FROM (%s) AS q", sent))
        ]

    @api.model
    def _winback_revenue_lost(self, company, partners, found, decline_days):
        """{partner id: revenue lost}: what a declining customer buys less (the previous
        ``decline_days`` minus the last ones), for the others what a year of them was worth
        before they went quiet (``_winback_yearly_revenue``)."""
        as_of = fields.Date.context_today(self)
        since = as_of - datetime.timedelta(decline_days * 2)
        drop = revenue_drop(self._winback_orders_since(company, partners._as_query(), since), as_of, decline_days)
        dropped = drop["revenue_lost"].to_dict()
        yearly = self._winback_yearly_revenue(company, partners)
        return {
            partner.id: dropped.get(partner.id, 0.0)
            if found[partner.id] == "declining"
            else yearly.get(partner.id, 0.0)
            for partner in partners
        }

    @api.model
    def _winback_yearly_revenue(self, company, partners):
        """{partner id: revenue of the customer's last year of orders, the LAST_YEAR days up to and
        including its last confirmed order}: what a silent customer was worth, however long ago it
        stopped (the revenue of the last days of the search is 0 for every lost customer)."""
        confirmed = self.env["sale.customer.base.engine"]._confirmed_orders_sql(company, partners=partners._as_query())
        rows = self.env.execute_query(
            SQL(
                """
                SELECT partner_id, SUM(revenue)
                  FROM (SELECT partner_id, day, revenue, MAX(day) OVER (PARTITION BY partner_id) AS last_day
                          FROM (%(confirmed)s) AS o) AS o
                 WHERE day > last_day - %(days)s
                 GROUP BY partner_id
                """,
                confirmed=confirmed,
                days=LAST_YEAR,
            )
        )
        return {partner_id: float(revenue) for partner_id, revenue in rows}

    @api.model
    def _winback_earlier_attempts(self, company, partners):
        """{partner id: "Refused on <date>"} of the latest attempt of each customer that was refused
        or parted well, whoever made it: a caller should know before calling again."""
        attempts = self.sudo().search_fetch(
            [("company_id", "=", company.id), ("partner_id", "in", partners.ids), ("outcome", "in", EARLIER_OUTCOMES)],
            ["partner_id", "outcome", "date"],
            order="date desc, id desc",
        )
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        found = {}
        for attempt in attempts:
            found.setdefault(
                attempt.partner_id.id,
                self.env._(
                    "%(outcome)s on %(date)s",
                    outcome=outcomes[attempt.outcome],
                    date=format_date(self.env, attempt.date),
                ),
            )
        return found

    @api.model
    def _winback_pending_partners(self, company, partner_ids):
        """The customers among ``partner_ids`` with an attempt of ``company`` still pending."""
        groups = self.sudo()._read_group(
            [("company_id", "=", company.id), ("outcome", "=", "pending"), ("partner_id", "in", partner_ids)],
            ["partner_id"],
        )
        return {partner.id for (partner,) in groups}

    @api.model
    def _launch_winback(self, company, rows, template=None):
        """One attempt per row (``partner_id``, ``user_id``, ``rule``, ``stage``, ``last_order_date``,
        ``revenue_lost``, ``ltv`` for managers, ``activity_id``: the call already planned), the
        callers following their attempts, and the email of ``template`` when given; all or nothing."""
        self.check_access("create")
        today = fields.Date.context_today(self)
        with_ltv = self._fields["ltv"].is_accessible(self.env)
        # Created without the chatter's per-record work ("created" message, "assigned to you"
        # email, follower insert): for thousands of attempts it took minutes, and the activity
        # already tells who is to call. The callers follow their attempts, added per caller
        # below, so that the customer's reply to the email reaches them.
        # As superuser because the search's figures (rule, stage, revenue lost...) are the
        # engine's, which people may not write; the record rules still judge the result.
        attempts = (
            self.sudo()
            .with_context(tracking_disable=True)
            .create(
                [
                    {
                        **{key: value for key, value in row.items() if key != "ltv" or with_ltv},
                        "company_id": company.id,
                        "date": today,
                    }
                    for row in rows
                ]
            )
            .with_env(self.env)
        )
        attempts.check_access("create")
        for user in attempts.user_id:
            self.env["mail.followers"]._insert_followers(
                attempts._name,
                attempts.filtered(lambda attempt, user=user: attempt.user_id == user).ids,
                user.partner_id.ids,
                customer_ids=[],
                check_existing=False,
            )
        if template:
            with_email = attempts.filtered("partner_id.email")
            for attempt in with_email:
                attempt.message_post_with_source(template, message_type="comment", subtype_xmlid="mail.mt_comment")
            for attempt in attempts - with_email:
                attempt.message_post(body=self.env._("No email sent: the customer has no email address."))
        return attempts

    def _close_winback_activity(self):
        """Mark the open win-back activity of these attempts, just won back, done with the result."""
        for attempt in self.filtered("activity_id.active"):
            attempt.activity_id._action_done(
                feedback=self.env._("Won back by order %(order)s", order=attempt.won_order_id.name)
            )
