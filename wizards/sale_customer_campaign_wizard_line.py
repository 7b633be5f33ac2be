from odoo import fields, models


class SaleCustomerCampaignWizardLine(models.TransientModel):
    _name = "sale.customer.campaign.wizard.line"
    _description = "Customer Campaign Plan Line"
    _inherit = ["sale.customer.worklist.line.mixin"]
    _order = "id"

    wizard_id = fields.Many2one("sale.customer.campaign.wizard", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    partner_id = fields.Many2one("res.partner", "Customer", required=True)
    user_id = fields.Many2one("res.users", "Assigned To", domain=[("share", "=", False)])
    revenue = fields.Monetary(readonly=True, help="Revenue in the analysis window.")
