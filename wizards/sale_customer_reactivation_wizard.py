"""Find customers slipping away and organise winning them back.

Candidates come from four rules (lost, at risk, revenue dropping, quotation
left unanswered), read set-based: the stage filters are partner domains, the
revenue drop one read of two periods of orders computed by
:mod:`..analytics.winback`, the stalled quotations one grouped query.
"""

import datetime

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from ..analytics.winback import declining_customers, quotation_cutoff, revenue_drop
from ..models.sale_customer_metrics import ABC_CLASSES

RULE_ORDER = ("lost", "at_risk", "declining", "stalled", "chosen")
LAST_YEAR = 365  # days of orders, up to the last one, that make a silent customer's yearly revenue
# outcomes of an earlier attempt the caller should know before calling again
EARLIER_OUTCOMES = ("refused", "parted_well")


class SaleCustomerReactivationWizard(models.TransientModel):
    _name = "sale.customer.reactivation.wizard"
    _description = "Win Back Customers"
    _inherit = ["sale.customer.worklist.mixin"]

    include_selected = fields.Boolean(
        "Include Every Selected Customer",
        default=True,
        help="Selected customers that no rule finds are proposed too, as chosen by hand.",
    )
    # rules
    use_lost = fields.Boolean("Lost Customers", default=True)
    use_at_risk = fields.Boolean("At-Risk Customers", default=True)
    use_declining = fields.Boolean("Declining Revenue", default=True)
    decline_percent = fields.Float("Revenue Dropped by At Least (%)", default=30.0)
    decline_days = fields.Integer(
        "Compare the Last (days)", default=90, help="Revenue of these last days against the same number before."
    )
    use_stalled = fields.Boolean("Quotations Left Unanswered", default=True)
    stalled_days = fields.Integer("Quotation Sent at Least (days ago)", default=30)
    skip_pending = fields.Boolean(
        "Skip Customers Already Being Won Back", default=True, help="Leave out customers with a pending attempt."
    )
    # filters
    team_ids = fields.Many2many("crm.team", string="Sales Teams")
    salesperson_ids = fields.Many2many("res.users", string="Salespeople", domain=[("share", "=", False)])
    abc_class = fields.Selection(ABC_CLASSES, "Revenue Class (ABC)", help="Leave empty for every class.")
    key_accounts_only = fields.Boolean()
    min_revenue = fields.Monetary("Minimum Revenue to Date")
    min_ltv = fields.Monetary("Minimum LTV", groups="sales_team.group_sale_manager")
    # what to do
    assign_to = fields.Selection(
        [("salesperson", "The Customer's Salesperson"), ("user", "A User I Choose")],
        default="salesperson",
        required=True,
    )
    user_id = fields.Many2one("res.users", domain=[("share", "=", False)])
    fallback_user_id = fields.Many2one(
        "res.users",
        "Customers Without Salesperson Go To",
        domain=[("share", "=", False)],
        default=lambda self: self.env.user,
    )
    key_account_assign = fields.Selection(
        [
            ("same", "Like the Other Customers"),
            ("manager", "Their Key Account Manager"),
            ("senior", "A Senior User I Choose"),
        ],
        "Key Accounts Go To",
        default="manager",
        required=True,
    )
    senior_user_id = fields.Many2one("res.users", domain=[("share", "=", False)])
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        "Activity",
        required=True,
        default=lambda self: self.env.ref("sale_customer_base.mail_activity_type_winback", raise_if_not_found=False),
    )
    summary = fields.Char(default=lambda self: self._default_summary())
    note = fields.Html(
        default=lambda self: self.env._(
            "<p>Call the customer: what made them stop buying (better conditions elsewhere, service, staff, "
            "no longer needed, price)? What did not suit in the product, the staff, the moment of sale? "
            "Record the answer on the win-back attempt.</p>"
        )
    )
    date_deadline = fields.Date(
        "Due Date", required=True, default=lambda self: fields.Date.context_today(self) + datetime.timedelta(days=7)
    )
    send_email = fields.Boolean("Email the Customer")
    mail_template_id = fields.Many2one(
        "mail.template",
        "Email Template",
        domain=[("model", "=", "sale.customer.reactivation")],
        default=lambda self: self.env.ref("sale_customer_base.mail_template_winback", raise_if_not_found=False),
    )
    line_ids = fields.One2many("sale.customer.reactivation.wizard.line", "wizard_id", "Candidates")
    skipped_count = fields.Integer("Already Being Won Back", readonly=True)

    def _default_summary(self):
        return self.env._("Win back: find out why they left")

    def _stalled_summary(self):
        return self.env._("Follow up the quotation: find out why it stalled")

    @api.depends(
        "company_id",
        "partner_ids",
        "assign_to",
        "user_id",
        "fallback_user_id",
        "key_account_assign",
        "senior_user_id",
        "line_ids.selected",
        "line_ids.user_id",
    )
    def _compute_error(self):
        super()._compute_error()

    # ---- checks
    def _check_choices(self):
        self.ensure_one()
        problems = []
        if not (self.use_lost or self.use_at_risk or self.use_declining or self.use_stalled) and not (
            self.partner_ids and self.include_selected
        ):
            problems.append(self.env._("Choose at least one way to find customers."))
        if self.use_declining and not 0 < self.decline_percent <= 100:
            problems.append(self.env._("The revenue drop must be above 0% and at most 100%."))
        if self.use_declining and self.decline_days < 1:
            problems.append(self.env._("Compare at least the last day."))
        if self.use_stalled and self.stalled_days < 1:
            problems.append(self.env._("A quotation must have been sent at least one day ago."))
        for name in ("decline_days", "stalled_days"):
            if problem := self._day_count_problem(name):
                problems.append(problem)
        if problem := self._far_date_problem("date_deadline"):
            problems.append(problem)
        if self.min_revenue < 0 or self.sudo().min_ltv < 0:
            problems.append(self.env._("Minimum revenue and LTV cannot be negative."))
        if self.assign_to == "user" and not self.user_id:
            problems.append(self.env._("Choose the user to give the customers to."))
        if self.key_account_assign == "senior" and not self.senior_user_id:
            problems.append(self.env._("Choose the senior user for the key accounts."))
        if self.date_deadline < fields.Date.context_today(self):
            problems.append(self.env._("The due date is in the past."))
        if self.send_email and not self.mail_template_id:
            problems.append(self.env._("Choose the email template."))
        problems += self._people_problems()
        if problems:
            raise UserError("\n".join(problems))

    def _chosen_assignees(self):
        users = self.senior_user_id if self.key_account_assign == "senior" else self.env["res.users"]
        return users | (self.user_id if self.assign_to == "user" else self.fallback_user_id)

    def _working_lines(self):
        return self.line_ids.filtered("selected")

    def _own_customers_only(self):
        """A salesperson who sees only their own documents wins back only their own customers."""
        return not self.env.user.has_group("sales_team.group_sale_salesman_all_leads")

    def _customer_problems(self, partners):
        problems = super()._customer_problems(partners)
        if self._own_customers_only():
            others = partners - partners._customer_base_worked_by_user()
            if others:
                problems.append(
                    self.env._(
                        "You win back your own customers only, and these are not (or no longer) yours: "
                        "%(customers)s. Leave them out.",
                        customers=", ".join(others.mapped("display_name")),
                    )
                )
        return problems

    # ---- candidates
    def _base_domain(self):
        domain = self.env["sale.customer.metrics"]._partner_domain(
            partners=self.partner_ids,
            teams=self.team_ids,
            salespeople=self.salesperson_ids,
            abc_class=self.abc_class,
            key_accounts_only=self.key_accounts_only,
        )
        if self._own_customers_only():
            domain.append(("is_own_customer", "=", True))
        if self.min_revenue:
            domain.append(("revenue_to_date", ">=", self.min_revenue))
        if self.sudo().min_ltv:  # only managers can set it
            domain.append(("ltv", ">=", self.sudo().min_ltv))
        return domain

    def _find_candidates(self):
        """{partner id: rule} of every customer some rule finds."""
        partner_model = self.env["res.partner"].with_company(self.company_id)
        domain = self._base_domain()
        found = {}
        stages = [stage for stage, used in (("lost", self.use_lost), ("at_risk", self.use_at_risk)) if used]
        if stages:
            for partner in partner_model.search_fetch([*domain, ("customer_stage", "in", stages)], ["customer_stage"]):
                found[partner.id] = partner.customer_stage
        as_of = fields.Date.context_today(self)
        if self.use_declining:
            orders = self._orders_since(
                partner_model._search(domain), as_of - datetime.timedelta(self.decline_days * 2)
            )
            for partner_id in declining_customers(orders, as_of, self.decline_days, self.decline_percent).index:
                found.setdefault(int(partner_id), "declining")
        if self.use_stalled:
            for partner_id in self._stalled_customers(partner_model._search(domain), as_of):
                found.setdefault(partner_id, "stalled")
        if self.partner_ids and self.include_selected:
            for partner in partner_model.search(domain):
                found.setdefault(partner.id, "chosen")
        return found

    def _orders_since(self, partner_query, since):
        """Confirmed orders of the company since ``since`` of the customers in ``partner_query``."""
        Engine = self.env["sale.customer.base.engine"]
        confirmed = Engine._confirmed_orders_sql(
            self.company_id, since=datetime.datetime.combine(since, datetime.time.min), partners=partner_query
        )
        query = SQL("SELECT partner_id, date_order::date AS date, revenue AS amount FROM (%s) AS o", confirmed)
        frame = Engine._frame(query)
        if frame.empty:
            frame = frame.reindex(columns=["partner_id", "date", "amount"])
        return frame

    def _stalled_customers(self, partner_query, as_of):
        """Customers with a quotation sent on or before the cutoff and still not confirmed."""
        cutoff = quotation_cutoff(as_of, self.stalled_days)
        sent = self.env["sale.customer.base.engine"]._open_quotations_sql(
            self.company_id,
            partners=partner_query,
            sent_only=True,
            until=datetime.datetime.combine(cutoff + datetime.timedelta(days=1), datetime.time.min),
        )
        return [
            partner_id
            for (partner_id,) in self.env.execute_query(SQL("SELECT DISTINCT partner_id FROM (%s) AS q", sent))
        ]

    def _yearly_revenue(self, partners):
        """{partner id: revenue of the customer's last year of orders, the LAST_YEAR days up to and
        including its last confirmed order}: what a silent customer was worth, however long ago it
        stopped (the revenue of the last days of the search is 0 for every lost customer)."""
        confirmed = self.env["sale.customer.base.engine"]._confirmed_orders_sql(
            self.company_id, partners=partners._as_query()
        )
        self.env.cr.execute(
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
        return {partner_id: float(revenue) for partner_id, revenue in self.env.cr.fetchall()}

    def _earlier_attempts(self, partners):
        """{partner id: "Refused on <date>"} of the latest attempt of each customer that was refused
        or parted well, whoever made it: a caller should know before calling again."""
        attempts = (
            self.env["sale.customer.reactivation"]
            .sudo()
            .search_fetch(
                [
                    ("company_id", "=", self.company_id.id),
                    ("partner_id", "in", partners.ids),
                    ("outcome", "in", EARLIER_OUTCOMES),
                ],
                ["partner_id", "outcome", "date"],
                order="date desc, id desc",
            )
        )
        outcomes = dict(attempts._fields["outcome"]._description_selection(self.env))
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

    def _pending_attempt_partners(self, partner_ids):
        groups = (
            self.env["sale.customer.reactivation"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", self.company_id.id),
                    ("outcome", "=", "pending"),
                    ("partner_id", "in", partner_ids),
                ],
                ["partner_id"],
            )
        )
        return {partner.id for (partner,) in groups}

    def _assignee(self, partner, fit):
        """Who calls ``partner``; their salesperson or key account manager only if among ``fit``
        (the users who may be given the company's customers), else the fallback user."""
        if partner.is_key_account and self.key_account_assign == "senior":
            return self.senior_user_id
        if partner.is_key_account and self.key_account_assign == "manager" and partner.key_account_manager_id in fit:
            return partner.key_account_manager_id
        if self.assign_to == "user":
            return self.user_id
        if partner.user_id in fit:
            return partner.user_id
        return self.fallback_user_id

    def action_preview(self):
        self.ensure_one()
        self._check_choices()
        found = self._find_candidates()
        skipped = self._pending_attempt_partners(list(found)) if self.skip_pending else set()
        ids = [partner_id for partner_id in found if partner_id not in skipped]
        # one call a week per customer, whoever plans it: the policy, a campaign, another win-back
        contacted = self._contacted_this_week(self.env["res.partner"].browse(ids))
        ids = [partner_id for partner_id in ids if partner_id not in contacted.ids]
        if not ids:
            reasons = [
                skipped and self.env._("%(count)s already being won back", count=len(skipped)),
                contacted and self.env._("%(count)s already contacted this week", count=len(contacted)),
            ]
            reasons = ", ".join(reason for reason in reasons if reason)
            # formatted first: the translation extractor reads the call's arguments as plain names
            detail = f" ({reasons})" if reasons else ""
            raise UserError(
                self.env._(
                    "No customer matches these choices%(skipped)s. Widen the rules or the filters.", skipped=detail
                )
            )
        partners = self.env["res.partner"].with_company(self.company_id).browse(ids)
        # LTV (margin based) is for managers: others get the list without it
        ltv = {}
        with_ltv = partners._fields["ltv"].is_accessible(self.env)
        if with_ltv:
            ltv = {partner.id: partner.ltv for partner in partners}
        as_of = fields.Date.context_today(self)
        days = self.decline_days if self.decline_days > 0 else 90
        drop = revenue_drop(self._orders_since(partners._as_query(), as_of - datetime.timedelta(days * 2)), as_of, days)
        # what a declining customer buys less; what a year of the others was worth before they went quiet
        dropped = drop["revenue_lost"].to_dict()
        yearly = self._yearly_revenue(partners)
        lost = {
            partner.id: dropped.get(partner.id, 0.0)
            if found[partner.id] == "declining"
            else yearly.get(partner.id, 0.0)
            for partner in partners
        }
        earlier = self._earlier_attempts(partners)
        rank = {rule: index for index, rule in enumerate(RULE_ORDER)}
        fit = self._fit_assignees(partners.user_id | partners.key_account_manager_id, self.company_id)
        lines = [
            Command.create(
                {
                    "partner_id": partner.id,
                    "rule": found[partner.id],
                    "stage": partner.customer_stage,
                    "last_order_date": partner.last_order_date,
                    "days_silent": partner.days_since_last_order,
                    "revenue_lost": lost[partner.id],
                    **({"ltv": ltv[partner.id]} if with_ltv else {}),
                    "salesperson_id": partner.user_id.id,
                    "is_key_account": partner.is_key_account,
                    "earlier_attempt": earlier.get(partner.id, False),
                    "user_id": self._assignee(partner, fit).id,
                }
            )
            for partner in partners.sorted(
                lambda p: (rank[found[p.id]], -lost.get(p.id, 0.0), -ltv.get(p.id, 0.0), p.id)
            )
        ]
        self._write_preview(
            {
                "line_ids": [Command.clear(), *lines],
                "step": "preview",
                "skipped_count": len(skipped),
                "contacted_count": len(contacted),
            }
        )
        return self._contacted_notification(self._reopen())

    def action_back(self):
        self.write({"line_ids": [Command.clear()], "step": "criteria", "contacted_count": 0})
        return self._reopen()

    def _line_activities(self, lines):
        """One activity per line, in the order of ``lines``. A stalled quotation is followed up, not
        won back: unless the summary was changed, its caller is asked why the quotation stalled."""
        if self.summary != self._default_summary():
            return self._create_activities(lines, self.summary)
        stalled = lines.filtered(lambda line: line.rule == "stalled")
        others = lines - stalled
        activity_of = dict(zip(others, self._create_activities(others, self.summary), strict=True))
        activity_of.update(zip(stalled, self._create_activities(stalled, self._stalled_summary()), strict=True))
        return self.env["mail.activity"].union(*(activity_of[line] for line in lines))

    def action_confirm(self):
        """One attempt and one activity per ticked customer, and the emails, all or nothing."""
        self.ensure_one()
        self._check_choices()
        lines = self.line_ids.filtered("selected")
        if not lines:
            raise UserError(self.env._("Tick at least one customer to win back."))
        self._check_lines(lines)
        contacted_before = self.contacted_count
        lines = self._without_contacted(lines)
        Attempt = self.env["sale.customer.reactivation"]
        Attempt.check_access("create")
        today = fields.Date.context_today(self)
        with_ltv = Attempt._fields["ltv"].is_accessible(self.env)
        activities = self._line_activities(lines)
        # Created without the chatter's per-record work ("created" message, "assigned to you"
        # email, follower insert): for thousands of attempts it took minutes, and the activity
        # already tells who is to call. The callers follow their attempts, added per caller
        # below, so that the customer's reply to the email reaches them.
        # As superuser because the search's figures (rule, stage, revenue lost...) are the
        # engine's, which people may not write; the record rules still judge the result.
        attempts = (
            Attempt.sudo()
            .with_context(tracking_disable=True)
            .create(
                [
                    {
                        "partner_id": line.partner_id.id,
                        "company_id": self.company_id.id,
                        "date": today,
                        "user_id": line.user_id.id,
                        "rule": line.rule,
                        "stage": line.stage,
                        "last_order_date": line.last_order_date,
                        "revenue_lost": line.revenue_lost,
                        **({"ltv": line.ltv} if with_ltv else {}),
                        "activity_id": activity.id,
                    }
                    for line, activity in zip(lines, activities, strict=True)
                ]
            )
            .with_env(self.env)
        )
        attempts.check_access("create")
        for user in lines.user_id:
            self.env["mail.followers"]._insert_followers(
                attempts._name,
                attempts.filtered(lambda attempt, user=user: attempt.user_id == user).ids,
                user.partner_id.ids,
                customer_ids=[],
                check_existing=False,
            )
        if self.send_email:
            with_email = attempts.filtered("partner_id.email")
            for attempt in with_email:
                attempt.message_post_with_source(
                    self.mail_template_id, message_type="comment", subtype_xmlid="mail.mt_comment"
                )
            for attempt in attempts - with_email:
                attempt.message_post(body=self.env._("No email sent: the customer has no email address."))
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_reactivation_action")
        action["domain"] = [("id", "in", attempts.ids)]
        action["context"] = {}
        if self.contacted_count > contacted_before:
            return self._contacted_notification(action)
        return action
