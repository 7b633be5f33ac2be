"""Personal notes on a key account's contacts: a model of its own, so that record rules keep them
for the plan's manager, its sponsor and sales managers."""

from odoo import fields, models
from odoo.exceptions import AccessError


class SaleCustomerKeyAccountNote(models.Model):
    _name = "sale.customer.key.account.note"
    _description = "Key Account Personal Note"

    contact_id = fields.Many2one("sale.customer.key.account.contact", required=True, index=True, ondelete="cascade")
    plan_id = fields.Many2one(related="contact_id.plan_id", store=True, index=True)
    company_id = fields.Many2one(related="contact_id.company_id", store=True, index=True)
    note = fields.Text("Personal Note")

    _sql_constraints = [("contact_uniq", "unique(contact_id)", "One personal note per contact.")]

    def write(self, vals):
        res = super().write(vals)
        # the record rules are checked before a write, on the contact the note leaves: the contact
        # it moves to must be on a plan the user manages too
        if "contact_id" in vals and self._filtered_access("write") != self:
            raise AccessError(
                self.env._(
                    "%(field)s: you may only put a personal note on a person of a key account plan you manage.",
                    field=self._fields["contact_id"]._description_string(self.env),
                )
            )
        return res
