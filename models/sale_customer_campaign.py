"""Customer campaigns: a planned piece of work over many customers, spread over salespeople.

The campaign keeps one line per customer with the activity given for it;
the activities live on the customers, so salespeople work them in their
usual activity views. A line turns done when its activity is marked done,
and cancelled when the activity is deleted (see ``mail.activity``). Its
outcome is the orders confirmed from the moment it was launched to the end
of its window.
"""

import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .guards import check_people


class SaleCustomerCampaign(models.Model):
    _name = "sale.customer.campaign"
    _description = "Customer Campaign"
    _inherit = ["mail.thread"]
    _order = "date_start desc, id desc"

    name = fields.Char("Campaign", required=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users", "Responsible", default=lambda self: self.env.user, tracking=True, domain=[("share", "=", False)]
    )
    state = fields.Selection(
        [("running", "Running"), ("closed", "Closed")], required=True, default="running", tracking=True
    )
    activity_type_id = fields.Many2one("mail.activity.type", required=True)
    summary = fields.Char()
    note = fields.Html()
    # a moment, not a day: orders confirmed earlier on the launch day are not the campaign's doing
    date_start = fields.Datetime(
        "Launched On",
        required=True,
        default=fields.Datetime.now,
        readonly=True,
        help="Orders confirmed from this moment count as the campaign's outcome.",
    )
    date_deadline = fields.Date("Due Date", required=True, tracking=True)
    date_end = fields.Date(
        "Orders Counted Until",
        required=True,
        tracking=True,
        help="Customers who confirm an order from the launch to this day count as the campaign's outcome.",
    )
    line_ids = fields.One2many("sale.customer.campaign.line", "campaign_id", "Tasks")
    progress_ids = fields.One2many("sale.customer.campaign.progress", "campaign_id", "Progress per Salesperson")
    customer_count = fields.Integer("Customers", compute="_compute_progress")
    done_count = fields.Integer("Done", compute="_compute_progress")
    pending_count = fields.Integer("Pending", compute="_compute_progress")
    overdue_count = fields.Integer("Overdue", compute="_compute_progress")
    ordered_count = fields.Integer("Customers Who Ordered", compute="_compute_progress")
    revenue = fields.Monetary(compute="_compute_progress")
    done_percent = fields.Float("Done (%)", compute="_compute_progress")

    @api.depends("line_ids.state")
    def _compute_progress(self):
        names = ("assigned", "done", "pending", "overdue", "ordered", "revenue")
        totals = {
            campaign: dict(zip(names, values, strict=True))
            for campaign, *values in self.env["sale.customer.campaign.progress"]._read_group(
                [("campaign_id", "in", self.ids)],
                ["campaign_id"],
                [f"{name}:sum" for name in names],
            )
        }
        for campaign in self:
            total = totals.get(campaign, dict.fromkeys(names, 0))
            campaign.customer_count = total["assigned"]
            campaign.done_count = total["done"]
            campaign.pending_count = total["pending"]
            campaign.overdue_count = total["overdue"]
            campaign.ordered_count = total["ordered"]
            campaign.revenue = total["revenue"]
            campaign.done_percent = total["done"] / total["assigned"] * 100.0 if total["assigned"] else 0.0

    @api.constrains("user_id", "company_id")
    def _check_user_id(self):
        check_people(self, ["user_id"])

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for campaign in self:
            if campaign.date_end < fields.Date.context_today(campaign, timestamp=campaign.date_start):
                raise ValidationError(
                    self.env._(
                        "Orders of campaign %(name)s must be counted until its launch day at least.",
                        name=campaign.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any("date_start" in vals for vals in vals_list):
            raise UserError(self._launch_set_by_hand_message())
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and "date_start" in vals:
            raise UserError(self._launch_set_by_hand_message())
        return super().write(vals)

    def _launch_set_by_hand_message(self):
        # an earlier launch would credit the campaign with orders placed before it
        return self.env._("A campaign's launch is the moment it was launched: it cannot be set by hand.")

    def _pending_lines(self, user=None):
        lines = self.line_ids.filtered(lambda line: line.state == "pending")
        return lines.filtered(lambda line: line.user_id == user) if user is not None else lines

    def action_close(self):
        """Close the campaign: the tasks not done are withdrawn from the salespeople."""
        self.check_access("write")  # before their activities are deleted as superuser
        for campaign in self:
            if campaign.state == "closed":
                raise UserError(self.env._("Campaign %(name)s is already closed.", name=campaign.name))
            pending = campaign._pending_lines()
            activities = pending.activity_id
            pending.write({"state": "cancelled", "activity_id": False})
            activities.sudo().unlink()
            campaign.state = "closed"
            campaign.message_post(
                body=self.env._("Campaign closed; %(count)s tasks not done were withdrawn.", count=len(pending))
            )
        return True

    def action_open_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_campaign_line_action")
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"search_default_group_by_user": 1}
        return action

    def _open_update(self, mode):
        self.ensure_one()
        if self.state == "closed":
            raise UserError(self.env._("Campaign %(name)s is closed.", name=self.name))
        if not self._pending_lines():
            raise UserError(self.env._("Campaign %(name)s has no pending tasks.", name=self.name))
        titles = {
            "reassign": self.env._("Reassign Pending Tasks"),
            "extend": self.env._("Extend Due Dates"),
        }
        return {
            "type": "ir.actions.act_window",
            # without a name the dialog has no title
            "name": titles[mode],
            "res_model": "sale.customer.campaign.update",
            "view_mode": "form",
            "target": "new",
            "context": {"default_campaign_id": self.id, "default_mode": mode},
        }

    def action_reassign(self):
        return self._open_update("reassign")

    def action_extend(self):
        return self._open_update("extend")

    # ---- the campaign's customers and its launch: the wizard collects the choices and calls
    # these; code, a server action or a test may call them without it
    @api.model
    def _campaign_customers(self, company, criteria):
        """The customers of ``company`` a campaign of ``criteria`` (a dict: ``partners``,
        ``salespeople``, ``stages``, ``segments`` (codes), ``key_accounts_only``, ``silent_days``)
        is for, with the fields the plan reads. Customers picked by hand need no stage yet: a
        campaign may start with prospects the engine has not classified. ``silent_days``: only
        those with no order, email, note nor activity done in that many days."""
        partners = self.env["res.partner"].with_company(company)
        domain = self.env["sale.customer.metrics"]._partner_domain(
            partners=criteria.get("partners"),
            salespeople=criteria.get("salespeople"),
            stages=criteria.get("stages"),
            segments=criteria.get("segments"),
            key_accounts_only=criteria.get("key_accounts_only"),
            classified_only=not criteria.get("partners"),
        )
        found = partners.search_fetch(
            domain, ["user_id", "revenue_window", "last_order_date", "is_key_account", "key_account_manager_id"]
        )
        if criteria.get("silent_days"):
            since = fields.Date.context_today(self) - datetime.timedelta(criteria["silent_days"])
            found = found - self._contacted_since(found, since)
        return found

    @api.model
    def _contacted_since(self, partners, since):
        """Those of ``partners`` with an order, an email, a note or an activity done after ``since``."""
        recent = partners.filtered(lambda partner: partner.last_order_date and partner.last_order_date > since)
        self.env["mail.message"].flush_model(["model", "res_id", "message_type", "subtype_id", "date"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT res_id
                  FROM mail_message
                 WHERE model = 'res.partner'
                   AND res_id = ANY(%(partners)s)
                   AND date >= %(since)s
                   AND (message_type IN ('email', 'comment') OR subtype_id = %(activities)s)
                """,
                partners=partners.ids,
                since=datetime.datetime.combine(since + datetime.timedelta(days=1), datetime.time.min),
                activities=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_activities"),
            )
        )
        return recent | partners.browse([row[0] for row in rows])

    @api.model
    def _launch_campaign(self, values, rows, contacted_count=0):
        """Create the campaign of ``values`` with one task per row (``partner_id``, ``user_id``,
        ``activity_id``: the activity already planned, ``revenue``), and say so in its chatter."""
        campaign = self.create(values)
        self.env["sale.customer.campaign.line"].create(
            [{"campaign_id": campaign.id, "date_deadline": campaign.date_deadline, **row} for row in rows]
        )
        # the progress rows read the tasks just created, not the empty cache of the new campaign
        campaign.invalidate_recordset(["progress_ids"])
        users = {row["user_id"] for row in rows}
        body = self.env._(
            "Campaign launched: %(count)s customers over %(users)s users.", count=len(rows), users=len(users)
        )
        if contacted_count:
            body += " " + self.env._(
                "%(count)s customers already contacted this week were left out.", count=contacted_count
            )
        campaign.message_post(body=body)
        return campaign
