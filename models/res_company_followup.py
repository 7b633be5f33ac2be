"""Settings of the follow-up after a sale and of the customer temperature, per company."""

import dataclasses

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..analytics.settings import RANGES, setting_problems

# company field -> analytics.Settings attribute
TEMPERATURE_SETTINGS = {
    "customer_base_temperature_contact_days": "temperature_contact_days",
    "customer_base_feedback_alert_days": "feedback_alert_days",
}
FOLLOWUP_RANGES = {
    "customer_followup_first_days": (1, 365),  # days after the confirmation of a first order
    "customer_followup_repeat_days": (0, 365),  # days after a repeat order; 0: no follow-up
    **{name: RANGES[attribute] for name, attribute in TEMPERATURE_SETTINGS.items()},
}


class ResCompany(models.Model):
    _inherit = "res.company"

    customer_followup_first_days = fields.Integer(
        "Follow-up After a First Order (days)",
        default=7,
        help="Days after the confirmation of a customer's first order when the follow-up call is planned.",
    )
    customer_followup_repeat_days = fields.Integer(
        "Follow-up After a Repeat Order (days)",
        default=30,
        help="Days after the confirmation of a repeat order when the follow-up call is planned; 0: none.",
    )
    customer_followup_user_id = fields.Many2one(
        "res.users",
        "Follow-up Calls By",
        domain=[("share", "=", False)],
        help="Customer service person who calls the customers after their orders; empty: the order's salesperson.",
    )
    customer_base_temperature_contact_days = fields.Integer(
        "Temperature: Cold After (days without contact)",
        default=180,
        help="Days without an order or a feedback after which contact no longer warms the customer.",
    )
    customer_base_feedback_alert_days = fields.Integer(
        "Complaint Keeps a Customer At Risk (days)",
        default=90,
        help="Days during which a complaint, or a feedback that made the customer cooler, keeps it at risk.",
    )

    @api.constrains(*FOLLOWUP_RANGES)
    def _check_customer_followup_settings(self):
        for company in self:
            values = {name: company[name] for name in FOLLOWUP_RANGES}
            problems = setting_problems(values, ranges=FOLLOWUP_RANGES, rising=())
            if problems:
                raise ValidationError("\n".join(company._customer_base_problem_message(p) for p in problems))

    def _customer_base_settings(self):
        settings = super()._customer_base_settings()
        return dataclasses.replace(
            settings, **{attribute: self[name] for name, attribute in TEMPERATURE_SETTINGS.items()}
        )
