"""Relationship health of a key account plan, month by month (the last health set in the month)."""

from odoo import api, fields, models

from .guards import check_calculated_values, check_people, check_ranges
from .sale_customer_key_account import HEALTH


class SaleCustomerKeyAccountHealth(models.Model):
    _name = "sale.customer.key.account.health"
    _description = "Key Account Health History"
    _order = "month desc, id desc"

    plan_id = fields.Many2one("sale.customer.key.account", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="plan_id.partner_id", store=True, string="Customer")
    month = fields.Date(required=True, help="First day of the month.")
    health = fields.Selection(HEALTH, "Relationship Health", required=True)
    health_score = fields.Integer(compute="_compute_health_score", store=True, aggregator="avg")
    user_id = fields.Many2one("res.users", "Set By")

    _sql_constraints = [("plan_month_uniq", "unique(plan_id, month)", "One health per plan and month.")]

    @api.depends("health")
    def _compute_health_score(self):
        for line in self:
            line.health_score = int(line.health or 0)

    # the plan writes its history as superuser (``_record_health``); sales managers may edit it by hand
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_values(vals)
        lines = super().create(vals_list)
        if not self.env.su:
            check_people(lines, ["user_id"])
        return lines

    def write(self, vals):
        self._check_values(vals)
        res = super().write(vals)
        if not self.env.su and "user_id" in vals:
            check_people(self, ["user_id"])
        return res

    def _check_values(self, vals):
        check_ranges(self, vals, dates=("month",), choices={"health": HEALTH})
        if not self.env.su:
            check_calculated_values(self, vals, ("health_score",))
