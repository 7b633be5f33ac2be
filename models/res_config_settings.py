from odoo import api, fields, models
from odoo.exceptions import AccessError


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
    customer_base_ltv_min_orders = fields.Integer(related="company_id.customer_base_ltv_min_orders", readonly=False)
    customer_base_ltv_min_months = fields.Float(related="company_id.customer_base_ltv_min_months", readonly=False)
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
    customer_base_key_account_drop = fields.Float(related="company_id.customer_base_key_account_drop", readonly=False)
    customer_base_key_account_reminder_days = fields.Integer(
        related="company_id.customer_base_key_account_reminder_days", readonly=False
    )
    customer_base_last_run = fields.Datetime(related="company_id.customer_base_last_run")
    customer_base_contact_visit_cost = fields.Float(
        related="company_id.customer_base_contact_visit_cost", readonly=False
    )
    customer_base_contact_call_cost = fields.Float(related="company_id.customer_base_contact_call_cost", readonly=False)
    customer_base_contact_email_cost = fields.Float(
        related="company_id.customer_base_contact_email_cost", readonly=False
    )
    customer_base_contact_unit_value = fields.Float(
        related="company_id.customer_base_contact_unit_value", readonly=False
    )
    customer_base_contact_daily_cap = fields.Integer(
        related="company_id.customer_base_contact_daily_cap", readonly=False
    )
    customer_base_contact_plan_days = fields.Integer(
        related="company_id.customer_base_contact_plan_days", readonly=False
    )
    customer_base_contact_planned_target = fields.Float(
        related="company_id.customer_base_contact_planned_target", readonly=False
    )
    customer_base_contact_user_id = fields.Many2one(related="company_id.customer_base_contact_user_id", readonly=False)
    # prediction (issue 16)
    customer_base_stage_method = fields.Selection(related="company_id.customer_base_stage_method", readonly=False)
    customer_base_at_risk_probability = fields.Float(
        related="company_id.customer_base_at_risk_probability", readonly=False
    )
    customer_base_lost_probability = fields.Float(related="company_id.customer_base_lost_probability", readonly=False)
    customer_base_clv_discount = fields.Float(related="company_id.customer_base_clv_discount", readonly=False)
    customer_base_prediction_note = fields.Char(related="company_id.customer_base_prediction_note")

    @api.model_create_multi
    def create(self, vals_list):
        # The settings form would write each related field on the company one after
        # another, and the company's checks of pairs (A below B, at risk before lost)
        # would then judge a half-saved company and quote values nobody typed. The
        # customer base settings go to the company in one write instead.
        company_vals = []
        for vals in vals_list:
            ours = {name: vals.pop(name) for name in list(vals) if name in self._customer_base_company_fields()}
            company_vals.append(ours)
        records = super().create(vals_list)
        for settings, ours in zip(records, company_vals, strict=True):
            changed = {
                name: value
                for name, value in ours.items()
                if settings.company_id._fields[name].convert_to_record(
                    settings.company_id._fields[name].convert_to_cache(value, settings.company_id), settings.company_id
                )
                != settings.company_id[name]
            }
            if changed:
                settings.company_id.write(changed)
        return records

    @api.model
    def _customer_base_company_fields(self):
        """Names of the company's customer base settings shown here (same name on both models)."""
        return {
            name
            for name, field in self._fields.items()
            if name.startswith("customer_base_") and field.related == f"company_id.{name}" and not field.readonly
        }

    def action_recompute_customer_base(self):
        return self.env["sale.customer.base.engine"].action_recompute_customer_base()

    def action_refit_customer_base_prediction(self):
        """Fit the prediction anew on today's orders (it is fitted once a day) and recompute the company."""
        if not (self.env.su or self.env.user.has_group("sales_team.group_sale_manager")):
            raise AccessError(self.env._("Only sales managers can refit the prediction."))
        company = self.env.company.sudo()
        company.write(
            {
                "customer_base_prediction": dict(company.customer_base_prediction or {}, fitted_on=False),
                "customer_base_fingerprint": False,
            }
        )
        Engine = self.env["sale.customer.base.engine"]
        summary = Engine.sudo().with_company(company)._recompute_company(company)
        return Engine._customer_base_recomputed_notification([summary])

    customer_followup_first_days = fields.Integer(related="company_id.customer_followup_first_days", readonly=False)
    customer_followup_repeat_days = fields.Integer(related="company_id.customer_followup_repeat_days", readonly=False)
    customer_followup_user_id = fields.Many2one(related="company_id.customer_followup_user_id", readonly=False)
    customer_base_temperature_contact_days = fields.Integer(
        related="company_id.customer_base_temperature_contact_days", readonly=False
    )
    customer_base_feedback_alert_days = fields.Integer(
        related="company_id.customer_base_feedback_alert_days", readonly=False
    )
