from odoo import api, fields, models

from .guards import check_calculated_values


class MailMessage(models.Model):
    _inherit = "mail.message"

    # the trace of a planned activity once done (the activity itself is deleted unless its type keeps it)
    customer_planned = fields.Boolean("Planned Activity", readonly=True, copy=False)

    # set as superuser when a planned activity is done: an author may edit her own messages, not
    # turn a free contact into a planned one (the activity report counts them)
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                check_calculated_values(self, vals, ("customer_planned",))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            check_calculated_values(self, vals, ("customer_planned",))
        return super().write(vals)
