from odoo import api, fields, models
from odoo.exceptions import UserError


class SaleCustomerCampaignUpdate(models.TransientModel):
    _name = "sale.customer.campaign.update"
    _description = "Reassign or Extend Campaign Tasks"

    campaign_id = fields.Many2one("sale.customer.campaign", required=True, ondelete="cascade")
    mode = fields.Selection([("reassign", "Reassign"), ("extend", "Extend Due Dates")], required=True)
    from_user_id = fields.Many2one("res.users", "Pending Tasks Of")
    to_user_id = fields.Many2one("res.users", "Give Them To", domain=[("share", "=", False)])
    date_deadline = fields.Date("New Due Date")
    error = fields.Text("Problems", compute="_compute_error", help="What applying would refuse.")

    @api.depends("mode", "to_user_id", "campaign_id")
    def _compute_error(self):
        for update in self:
            update.error = update._target_problem() or False

    def _target_problem(self):
        """The message if the tasks may not go to ``to_user_id``, or None."""
        if self.mode != "reassign" or not self.to_user_id:
            return None
        company = self.campaign_id.company_id
        return self.to_user_id._customer_base_unfit_message(company)

    def action_apply(self):
        self.ensure_one()
        campaign = self.campaign_id
        if campaign.state == "closed":
            raise UserError(self.env._("Campaign %(name)s is closed.", name=campaign.name))
        if self.mode == "reassign":
            return self._reassign()
        return self._extend()

    def _reassign(self):
        if not self.from_user_id or not self.to_user_id:
            raise UserError(self.env._("Choose whose pending tasks to give, and to whom."))
        if self.from_user_id == self.to_user_id:
            raise UserError(self.env._("Choose another user to give the tasks to."))
        problem = self._target_problem()
        if problem:
            raise UserError(problem)
        lines = self.campaign_id._pending_lines(self.from_user_id)
        if not lines:
            raise UserError(self.env._("%(user)s has no pending task in this campaign.", user=self.from_user_id.name))
        lines.activity_id.with_context(mail_activity_quick_update=True).write({"user_id": self.to_user_id.id})
        lines.write({"user_id": self.to_user_id.id})
        self.campaign_id.message_post(
            body=self.env._(
                "%(count)s pending tasks of %(old)s given to %(new)s.",
                count=len(lines),
                old=self.from_user_id.name,
                new=self.to_user_id.name,
            )
        )
        return True

    def _extend(self):
        if not self.date_deadline:
            raise UserError(self.env._("Choose the new due date."))
        if self.date_deadline < fields.Date.context_today(self):
            raise UserError(self.env._("The new due date is in the past."))
        lines = self.campaign_id._pending_lines()
        lines.activity_id.write({"date_deadline": self.date_deadline})
        lines.write({"date_deadline": self.date_deadline})
        campaign = self.campaign_id
        campaign.date_deadline = max(campaign.date_deadline, self.date_deadline)
        campaign.date_end = max(campaign.date_end, self.date_deadline)
        campaign.message_post(
            body=self.env._(
                "Due date of %(count)s pending tasks moved to %(date)s.",
                count=len(lines),
                date=fields.Date.to_string(self.date_deadline),
            )
        )
        return True
