"""Personal notes on a key account's contacts: a model of its own, so that record rules keep them
for the plan's manager, its sponsor and sales managers."""

from odoo import fields, models


class SaleCustomerKeyAccountNote(models.Model):
    _name = "sale.customer.key.account.note"
    _description = "Key Account Personal Note"

    contact_id = fields.Many2one("sale.customer.key.account.contact", required=True, index=True, ondelete="cascade")
    plan_id = fields.Many2one(related="contact_id.plan_id", store=True, index=True)
    company_id = fields.Many2one(related="contact_id.company_id", store=True, index=True)
    note = fields.Text("Personal Note")

    _sql_constraints = [("contact_uniq", "unique(contact_id)", "One personal note per contact.")]
