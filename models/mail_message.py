from odoo import fields, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    # the trace of a planned activity once done (the activity itself is deleted unless its type keeps it)
    customer_planned = fields.Boolean("Planned Activity", readonly=True, copy=False)
