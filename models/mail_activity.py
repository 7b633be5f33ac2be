from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        # before super: the activity may be deleted by it
        lines = self._customer_campaign_lines()
        lines.write({"state": "done", "date_done": fields.Date.context_today(self)})
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def write(self, vals):
        res = super().write(vals)
        # rescheduled or handed over in the activity views: the campaign follows
        synced = {name: vals[name] for name in ("date_deadline", "user_id") if vals.get(name)}
        if synced:
            self._customer_campaign_lines().write(synced)
        return res

    def unlink(self):
        # deleted without being done: the task is withdrawn
        self._customer_campaign_lines().write({"state": "cancelled"})
        return super().unlink()

    def _customer_campaign_lines(self):
        if not self.ids:
            return self.env["sale.customer.campaign.line"]
        return (
            self.env["sale.customer.campaign.line"]
            .sudo()
            .search([("activity_id", "in", self.ids), ("state", "=", "pending")])
        )
