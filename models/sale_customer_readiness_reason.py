from odoo import fields, models


class SaleCustomerReadinessReason(models.Model):
    _name = "sale.customer.readiness.reason"
    _description = "Why a Prospect Is Not Ready"
    _order = "sequence, id"

    name = fields.Char("Reason", required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    revisit_months = fields.Integer(
        "Come Back After (months)",
        default=6,
        help="The revisit date proposed when this reason is chosen.",
    )

    _sql_constraints = [
        (
            "revisit_months_range",
            "CHECK(revisit_months BETWEEN 0 AND 60)",
            "Come back after 0 to 60 months.",
        )
    ]
