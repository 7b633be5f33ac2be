from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    customer_followup_first_days = fields.Integer(related="company_id.customer_followup_first_days", readonly=False)
    customer_followup_repeat_days = fields.Integer(related="company_id.customer_followup_repeat_days", readonly=False)
    customer_followup_user_id = fields.Many2one(related="company_id.customer_followup_user_id", readonly=False)
    customer_base_temperature_contact_days = fields.Integer(
        related="company_id.customer_base_temperature_contact_days", readonly=False
    )
    customer_base_feedback_alert_days = fields.Integer(
        related="company_id.customer_base_feedback_alert_days", readonly=False
    )
