from odoo import fields, models

from .sale_order_followup import FOLLOWUP_TYPE


class MailActivity(models.Model):
    _inherit = "mail.activity"

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
