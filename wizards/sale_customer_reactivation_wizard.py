"""Win Back Customers: the choices of a win-back search, its preview, and the confirmation.

The search (four rules: lost, at risk, revenue dropping, quotation left unanswered) and the
creation of the attempts are methods of ``sale.customer.reactivation`` (``_winback_candidates``,
``_launch_winback``): the wizard collects the choices, shows the customers found and who calls
them, and calls those methods.
"""

import datetime

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..models.sale_customer_metrics import ABC_CLASSES

RULE_ORDER = ("lost", "at_risk", "declining", "stalled", "chosen")


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

    # ---- the search: the choices, and the model's methods (sale.customer.reactivation)
    def _criteria(self):
        """The choices of the form as the model's search reads them (``_winback_candidates``)."""
        return {
            "partners": self.partner_ids,
            "include_selected": self.include_selected,
            "teams": self.team_ids,
            "salespeople": self.salesperson_ids,
            "abc_class": self.abc_class,
            "key_accounts_only": self.key_accounts_only,
            "own_customers_only": self._own_customers_only(),
            "min_revenue": self.min_revenue,
            "min_ltv": self.sudo().min_ltv,  # only managers can set it
            "use_lost": self.use_lost,
            "use_at_risk": self.use_at_risk,
            "use_declining": self.use_declining,
            "decline_days": self.decline_days,
            "decline_percent": self.decline_percent,
            "use_stalled": self.use_stalled,
            "stalled_days": self.stalled_days,
        }

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
        Attempt = self.env["sale.customer.reactivation"]
        found = Attempt._winback_candidates(self.company_id, self._criteria())
        skipped = Attempt._winback_pending_partners(self.company_id, list(found)) if self.skip_pending else set()
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
        days = self.decline_days if self.decline_days > 0 else 90
        lost = Attempt._winback_revenue_lost(self.company_id, partners, found, days)
        earlier = Attempt._winback_earlier_attempts(self.company_id, partners)
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
        with_ltv = Attempt._fields["ltv"].is_accessible(self.env)
        activities = self._line_activities(lines)
        attempts = Attempt._launch_winback(
            self.company_id,
            [
                {
                    "partner_id": line.partner_id.id,
                    "user_id": line.user_id.id,
                    "rule": line.rule,
                    "stage": line.stage,
                    "last_order_date": line.last_order_date,
                    "revenue_lost": line.revenue_lost,
                    **({"ltv": line.ltv} if with_ltv else {}),
                    "activity_id": activity.id,
                }
                for line, activity in zip(lines, activities, strict=True)
            ],
            template=self.mail_template_id if self.send_email else None,
        )
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_reactivation_action")
        action["domain"] = [("id", "in", attempts.ids)]
        action["context"] = {}
        if self.contacted_count > contacted_before:
            return self._contacted_notification(action)
        return action
