from odoo import api, fields, models
from odoo.exceptions import ValidationError

LINE_STATES = [("pending", "Pending"), ("done", "Done"), ("cancelled", "Withdrawn")]


class SaleCustomerCampaignLine(models.Model):
    _name = "sale.customer.campaign.line"
    _description = "Customer Campaign Task"
    _order = "campaign_id, user_id, id"
    _rec_name = "partner_id"

    campaign_id = fields.Many2one("sale.customer.campaign", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
    partner_id = fields.Many2one("res.partner", "Customer", required=True, index=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", "Assigned To", required=True, index=True)
    activity_id = fields.Many2one("mail.activity", index="btree_not_null", ondelete="set null")
    state = fields.Selection(LINE_STATES, "Status", required=True, default="pending", index=True)
    date_deadline = fields.Date("Due Date", required=True)
    date_done = fields.Date("Done On")
    revenue = fields.Float("Revenue of the Customer", help="Revenue in the analysis window when the campaign began.")

    @api.constrains("user_id")
    def _check_user_id(self):
        for company in self.company_id:
            users = self.filtered(lambda line, company=company: line.company_id == company).user_id
            problem = users._customer_base_unfit_message(company)
            if problem:
                raise ValidationError(
                    problem + " " + self.env._("Campaign tasks go to active salespeople of the campaign's company.")
                )

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }
