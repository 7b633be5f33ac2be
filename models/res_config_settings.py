from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    customer_base_window_months = fields.Integer(related="company_id.customer_base_window_months", readonly=False)
    customer_base_abc_a_percent = fields.Float(related="company_id.customer_base_abc_a_percent", readonly=False)
    customer_base_abc_b_percent = fields.Float(related="company_id.customer_base_abc_b_percent", readonly=False)
    customer_base_xyz_method = fields.Selection(related="company_id.customer_base_xyz_method", readonly=False)
    customer_base_xyz_x_months = fields.Float(related="company_id.customer_base_xyz_x_months", readonly=False)
    customer_base_xyz_y_months = fields.Float(related="company_id.customer_base_xyz_y_months", readonly=False)
    customer_base_xyz_x_variation = fields.Float(related="company_id.customer_base_xyz_x_variation", readonly=False)
    customer_base_xyz_y_variation = fields.Float(related="company_id.customer_base_xyz_y_variation", readonly=False)
    customer_base_lost_days = fields.Integer(related="company_id.customer_base_lost_days", readonly=False)
    customer_base_at_risk_days = fields.Integer(related="company_id.customer_base_at_risk_days", readonly=False)
    customer_base_at_risk_single_days = fields.Integer(
        related="company_id.customer_base_at_risk_single_days", readonly=False
    )
    customer_base_loyal_share = fields.Float(related="company_id.customer_base_loyal_share", readonly=False)
    customer_base_lifetime_method = fields.Selection(related="company_id.customer_base_lifetime_method", readonly=False)
    customer_base_lifetime_months = fields.Float(related="company_id.customer_base_lifetime_months", readonly=False)
    customer_base_lifetime_estimated = fields.Float(related="company_id.customer_base_lifetime_estimated")
    customer_base_key_account_percent = fields.Float(
        related="company_id.customer_base_key_account_percent", readonly=False
    )
    customer_base_max_key_accounts = fields.Integer(related="company_id.customer_base_max_key_accounts", readonly=False)
    customer_base_dependency_elevated = fields.Float(
        related="company_id.customer_base_dependency_elevated", readonly=False
    )
    customer_base_dependency_high = fields.Float(related="company_id.customer_base_dependency_high", readonly=False)
    customer_base_dependency_critical = fields.Float(
        related="company_id.customer_base_dependency_critical", readonly=False
    )
    customer_base_winback_days = fields.Integer(related="company_id.customer_base_winback_days", readonly=False)
    customer_base_last_run = fields.Datetime(related="company_id.customer_base_last_run")

    def action_recompute_customer_base(self):
        self.env["res.partner"].recompute_customer_base()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("The customer base has been recomputed."),
                "next": {"type": "ir.actions.client", "tag": "reload"},
            },
        }
