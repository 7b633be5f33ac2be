"""Launch a customer campaign: pick customers, an activity and how to spread the work.

The plan (who works which customer) comes from
:func:`..analytics.assignment.assign_customers` and is shown before anything
is created; launching creates the campaign, its tasks and their activities in
three bulk ``create`` calls, in one transaction: all of it or none.
"""

import datetime

import pandas as pd

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..analytics.assignment import AssignmentError, assign_customers

ASSIGN_MODES = [
    ("own", "Each Customer's Own Salesperson"),
    ("round_robin", "Spread Evenly Over Chosen Users"),
    ("balanced", "Balanced by Open Activities"),
    ("single", "All to One User"),
]


class SaleCustomerCampaignWizard(models.TransientModel):
    _name = "sale.customer.campaign.wizard"
    _description = "Launch a Customer Campaign"
    _inherit = ["sale.customer.worklist.mixin"]

    name = fields.Char(
        "Campaign",
        required=True,
        default=lambda self: self.env._(
            "Customer campaign %(date)s", date=fields.Date.to_string(fields.Date.context_today(self))
        ),
    )
    # which customers
    stage_tag_ids = fields.Many2many(
        "sale.customer.base.tag",
        "sale_customer_campaign_wizard_stage_rel",
        string="Lifecycle Stages",
        domain=[("kind", "=", "stage")],
    )
    segment_tag_ids = fields.Many2many(
        "sale.customer.base.tag",
        "sale_customer_campaign_wizard_segment_rel",
        string="Segments",
        domain=[("kind", "=", "segment")],
    )
    key_accounts_only = fields.Boolean()
    salesperson_ids = fields.Many2many(
        "res.users",
        "sale_customer_campaign_wizard_salesperson_rel",
        string="Customers of Salespeople",
        domain=[("share", "=", False)],
    )
    silent_days = fields.Integer(
        "Not Contacted For (days)",
        help="Only customers with no order, email, logged note or activity done for at least this many days; "
        "0 for every customer.",
    )
    # what to do
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        "Activity",
        required=True,
        default=lambda self: self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False),
    )
    summary = fields.Char()
    note = fields.Html()
    date_deadline = fields.Date(
        "Due Date", required=True, default=lambda self: fields.Date.context_today(self) + datetime.timedelta(days=14)
    )
    date_end = fields.Date(
        "Count Orders Until",
        required=True,
        default=lambda self: fields.Date.context_today(self) + datetime.timedelta(days=60),
        help="Customers who confirm an order from the launch to this day are the campaign's outcome.",
    )
    # how to spread
    assign_mode = fields.Selection(ASSIGN_MODES, "Assign To", required=True, default="own")
    user_ids = fields.Many2many(
        "res.users",
        "sale_customer_campaign_wizard_user_rel",
        string="Users",
        domain=[("share", "=", False)],
    )
    fallback_user_id = fields.Many2one(
        "res.users",
        "Customers Without Salesperson Go To",
        domain=[("share", "=", False)],
        help="Needed when some customers have no (active) salesperson.",
    )
    use_cap = fields.Boolean("At Most per User")
    max_per_user = fields.Integer("Customers per User", default=20)
    use_sample = fields.Boolean("A Sample per User")
    sample_per_user = fields.Integer("Sample Size", default=10)
    sample_method = fields.Selection(
        [("top", "Biggest by Revenue"), ("random", "Random")], "Sample", default="top", required=True
    )
    key_accounts_to_others = fields.Boolean(
        "Let Key Accounts Go to Other Salespeople",
        help="Off: a key account with a key account manager goes to that manager, whatever the way the work is "
        "spread (the limits per user apply to the manager too). On: key accounts are spread like the other "
        "customers.",
    )
    line_ids = fields.One2many("sale.customer.campaign.wizard.line", "wizard_id", "Customers and Users")
    left_out_count = fields.Integer("Left Out", readonly=True, help="Customers for whom no user had room left.")
    key_account_kept_count = fields.Integer(
        "Kept With Their Key Account Manager",
        readonly=True,
        help="Key accounts of the plan given to their key account manager, not spread over the chosen users.",
    )
    plan_summary = fields.Text("Plan", compute="_compute_plan_summary")

    @api.depends("line_ids.user_id", "contacted_count")
    def _compute_plan_summary(self):
        for wizard in self:
            counts = {}
            for line in wizard.line_ids:
                counts[line.user_id.name or "?"] = counts.get(line.user_id.name or "?", 0) + 1
            rows = [f"{name}: {count}" for name, count in sorted(counts.items())]
            if wizard.contacted_count:
                rows.append(
                    self.env._("Already contacted this week, left out: %(count)s", count=wizard.contacted_count)
                )
            wizard.plan_summary = "\n".join(rows)

    @api.depends("company_id", "partner_ids", "assign_mode", "user_ids", "fallback_user_id", "line_ids.user_id")
    def _compute_error(self):
        super()._compute_error()

    # ---- checks
    def _check_choices(self):
        self.ensure_one()
        problems = []
        today = fields.Date.context_today(self)
        if self.date_deadline < today:
            problems.append(self.env._("The due date is in the past."))
        if self.date_end < today:
            problems.append(self.env._("Orders must be counted until today at least."))
        if self.silent_days < 0:
            problems.append(self.env._("Days without contact cannot be negative."))
        elif problem := self._day_count_problem("silent_days"):
            problems.append(problem)
        for name in ("date_deadline", "date_end"):
            if problem := self._far_date_problem(name):
                problems.append(problem)
        if self.use_cap and self.max_per_user < 1:
            problems.append(self.env._("Give each user at least one customer, or remove the limit."))
        if self.use_sample and self.sample_per_user < 1:
            problems.append(self.env._("A sample holds at least one customer."))
        # archived users too: leaving them out silently would spread their share over the others
        users = self.with_context(active_test=False).user_ids
        if self.assign_mode in ("round_robin", "balanced") and not users:
            problems.append(self.env._("Choose the users to spread the customers over."))
        if self.assign_mode == "single" and len(users) != 1:
            problems.append(self.env._("Choose exactly one user to give every customer to."))
        problems += self._people_problems()
        if problems:
            raise UserError("\n".join(problems))

    def _chosen_assignees(self):
        if self.assign_mode == "own":
            return self.fallback_user_id
        return self.with_context(active_test=False).user_ids

    # ---- customers: the model's search (sale.customer.campaign._campaign_customers)
    def _criteria(self):
        return {
            "partners": self.partner_ids,
            "salespeople": self.salesperson_ids,
            "stages": self.stage_tag_ids.mapped("code"),
            "segments": self.segment_tag_ids.mapped("code"),
            "key_accounts_only": self.key_accounts_only,
            "silent_days": self.silent_days,
        }

    def _customers(self):
        return self.env["sale.customer.campaign"]._campaign_customers(self.company_id, self._criteria())

    def _open_activities(self, users):
        groups = self.env["mail.activity"].sudo()._read_group([("user_id", "in", users.ids)], ["user_id"], ["__count"])
        return {user.id: count for user, count in groups}

    def _kept_key_accounts(self, customers):
        """{customer: key account manager} of the key accounts among ``customers`` that stay with their
        key account manager: all of them, unless the manager lets them go to other salespeople; a
        manager who may not be given the company's customers keeps none."""
        if self.key_accounts_to_others:
            return {}
        key_accounts = customers.filtered(lambda partner: partner.is_key_account and partner.key_account_manager_id)
        fit = self._fit_assignees(key_accounts.key_account_manager_id, self.company_id)
        return {
            partner: partner.key_account_manager_id for partner in key_accounts if partner.key_account_manager_id in fit
        }

    def _plan(self, customers, mode, salespeople):
        """:func:`assign_customers` for ``customers`` whose own salesperson is ``salespeople`` {customer: user}."""
        frame = pd.DataFrame(
            {
                "partner_id": customers.ids,
                "salesperson_id": [salespeople[partner].id or 0 for partner in customers],
                "revenue": customers.mapped("revenue_window"),
            }
        )
        try:
            return assign_customers(
                frame,
                mode,
                users=self.user_ids.ids,
                open_activities=self._open_activities(self.user_ids) if mode == "balanced" else None,
                fallback_user=self.fallback_user_id.id or None,
                max_per_user=self.max_per_user if self.use_cap else None,
                sample_per_user=self.sample_per_user if self.use_sample else None,
                sample=self.sample_method,
                seed=self.id,
            )
        except AssignmentError as error:
            if error.code == "no_salesperson":
                raise UserError(
                    self.env._(
                        "%(count)s customers have no active salesperson. Choose who gets them "
                        "(Customers Without Salesperson Go To), or another way to assign.",
                        count=error.params["count"],
                    )
                ) from error
            raise UserError(str(error)) from error

    def action_preview(self):
        self.ensure_one()
        self._check_choices()
        found = self._customers()
        # one call a week per customer, whoever plans it: the policy, a win-back, another campaign
        contacted = self._contacted_this_week(found)
        customers = found - contacted
        if not customers:
            if contacted:
                raise UserError(
                    self.env._(
                        "The %(count)s customers matching these choices already have a call planned or made within "
                        "a week of %(date)s: they get one call a week at most. Choose a later due date.",
                        count=len(contacted),
                        date=format_date(self.env, self.date_deadline),
                    )
                )
            raise UserError(self.env._("No customer matches these choices."))
        # Key accounts are planned apart, each for its manager, before the others are spread:
        # an even spread would hand a critical customer to whoever's turn it is.
        kept = self._kept_key_accounts(customers)
        others = customers.filtered(lambda partner: partner not in kept)
        # a salesperson who may not be given the company's customers counts as none
        fit = self._fit_assignees(others.user_id, self.company_id)
        plans = []
        if kept:
            plans.append(self._plan(customers.filtered(lambda partner: partner in kept), "own", kept))
        if others:
            owners = {partner: partner.user_id & fit for partner in others}
            plans.append(self._plan(others, self.assign_mode, owners))
        assigned = pd.concat([plan.assigned for plan in plans]).sort_values(
            ["revenue", "partner_id"], ascending=[False, True], kind="stable"
        )
        kept_ids = {partner.id for partner in kept}
        lines = [
            Command.create({"partner_id": int(partner), "user_id": int(user), "revenue": float(revenue)})
            for partner, user, revenue in assigned.itertuples(index=False)
        ]
        self._write_preview(
            {
                "line_ids": [Command.clear(), *lines],
                "step": "preview",
                "left_out_count": sum(len(plan.left_out) for plan in plans),
                "key_account_kept_count": int(assigned["partner_id"].isin(kept_ids).sum()),
                "contacted_count": len(contacted),
            }
        )
        return self._contacted_notification(self._reopen())

    def action_back(self):
        self.write(
            {
                "line_ids": [Command.clear()],
                "step": "criteria",
                "left_out_count": 0,
                "key_account_kept_count": 0,
                "contacted_count": 0,
            }
        )
        return self._reopen()

    def action_launch(self):
        self.ensure_one()
        self._check_choices()
        lines = self.line_ids
        if not lines:
            raise UserError(self.env._("The plan is empty: preview it first."))
        self._check_lines(lines)
        lines = self._without_contacted(lines)
        activities = self._create_activities(lines, self.summary or self.name)
        campaign = self.env["sale.customer.campaign"]._launch_campaign(
            {
                "name": self.name,
                "company_id": self.company_id.id,
                "activity_type_id": self.activity_type_id.id,
                "summary": self.summary or self.name,
                "note": self.note,
                "date_deadline": self.date_deadline,
                "date_end": self.date_end,
            },
            [
                {
                    "partner_id": line.partner_id.id,
                    "user_id": line.user_id.id,
                    "activity_id": activity.id,
                    "revenue": line.revenue,
                }
                for line, activity in zip(lines, activities, strict=True)
            ],
            contacted_count=self.contacted_count,
        )
        return {
            "type": "ir.actions.act_window",
            "name": campaign.name,
            "res_model": "sale.customer.campaign",
            "res_id": campaign.id,
            "view_mode": "form",
        }
