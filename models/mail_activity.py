from odoo import api, fields, models

from .guards import check_calculated_values
from .sale_order import FOLLOWUP_TYPE


class MailActivity(models.Model):
    _inherit = "mail.activity"

    # set on the activities the service policy, customer campaigns and win-back create (a plan
    # made from the customer base); the others are free. Kept on done activities and messages.
    customer_planned = fields.Boolean("Planned", readonly=True, copy=False)

    def _action_done(self, feedback=False, attachment_ids=None):
        # before super: the activity may be deleted by it
        lines = self._customer_campaign_lines()
        lines.write({"state": "done", "date_done": fields.Date.context_today(self)})
        # super posts one message per activity in the order of _classify_by_model
        ordered = [activity for data in self._classify_by_model().values() for activity in data["activities"]]
        planned = [activity.customer_planned for activity in ordered]
        customers = self.filtered(lambda activity: activity.res_model == "res.partner")
        partners = self.env["res.partner"].sudo().browse(customers.mapped("res_id")).exists()
        messages, next_activities = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if len(messages) == len(planned) and any(planned):
            traces = [message.id for message, is_planned in zip(messages, planned, strict=True) if is_planned]
            self.env["mail.message"].sudo().browse(traces).write({"customer_planned": True})
        if partners:
            # the contact just made moves the customer's next contact due
            self.env["sale.customer.contact.engine"].sudo()._refresh_partners(self.env.company, partners)
        return messages, next_activities

    # The planning and the worklists create planned activities as superuser: a person, whatever the
    # client, may not mark her own activities as planned (the activity report counts them).
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                check_calculated_values(self, vals, ("customer_planned",))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            check_calculated_values(self, vals, ("customer_planned",))
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

    # read by the web client (activities are sent with all their fields): "Done" opens the feedback form
    customer_followup = fields.Boolean("Follow-up Call After a Sale", compute="_compute_customer_followup")

    def _compute_customer_followup(self):
        followup = self.env.ref(FOLLOWUP_TYPE, raise_if_not_found=False)
        for activity in self:
            activity.customer_followup = bool(followup) and activity.activity_type_id == followup

    def action_feedback_schedule_next(self, feedback=False, attachment_ids=None):
        """A follow-up call marked done opens the customer's feedback form, to record the answers.

        The web client opens the action "Done & Schedule Next" returns: here the feedback form, in place
        of the next activity; for follow-ups, the plain "Done" goes the same way (static/src/activity).
        """
        followup = self.env.ref(FOLLOWUP_TYPE, raise_if_not_found=False)
        if len(self) != 1 or not followup or self.activity_type_id != followup or self.res_model != "sale.order":
            return super().action_feedback_schedule_next(feedback=feedback, attachment_ids=attachment_ids)
        order = self.env["sale.order"].browse(self.res_id)
        self._action_done(feedback=feedback, attachment_ids=attachment_ids)
        return self.env["sale.customer.feedback"]._form_action(order.partner_id.commercial_partner_id, order)
