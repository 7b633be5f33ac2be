from odoo import fields, models


class SaleCustomerReactivationReason(models.Model):
    _name = "sale.customer.reactivation.reason"
    _description = "Reason for Leaving"
    _order = "sequence, id"

    name = fields.Char("Reason", required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique (name)", "This reason for leaving already exists."),
    ]
