from odoo import fields, models


class SaleCustomerBaseTag(models.Model):
    """A lifecycle stage or an ABC x XYZ segment, as a record to pick in filters.

    Stages and segments are selection values on partners; a wizard that
    filters on several of them at once needs records to show as tags.
    """

    _name = "sale.customer.base.tag"
    _description = "Customer Stage or Segment"
    _order = "kind, sequence, id"

    name = fields.Char(required=True, translate=True)
    kind = fields.Selection([("stage", "Lifecycle Stage"), ("segment", "Segment")], required=True)
    code = fields.Char(required=True, help="Value of the stage or segment on the customer.")
    sequence = fields.Integer(default=10)

    _sql_constraints = [("code_unique", "UNIQUE(kind, code)", "Each stage and segment exists once.")]
