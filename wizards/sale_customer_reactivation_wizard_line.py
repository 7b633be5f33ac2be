from odoo import fields, models

from ..models.sale_customer_metrics import STAGES
from ..models.sale_customer_reactivation import RULES


class SaleCustomerReactivationWizardLine(models.TransientModel):
    _name = "sale.customer.reactivation.wizard.line"
    _description = "Win-Back Candidate"
    _inherit = ["sale.customer.worklist.line.mixin"]
    _order = "id"
    _person_fields = ("selected", "user_id")

    wizard_id = fields.Many2one("sale.customer.reactivation.wizard", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    selected = fields.Boolean("Win Back", default=True)
    partner_id = fields.Many2one("res.partner", "Customer", required=True, readonly=True)
    rule = fields.Selection(RULES, "Found As", readonly=True)
    stage = fields.Selection(STAGES, readonly=True)
    last_order_date = fields.Date("Last Order", readonly=True)
    days_silent = fields.Integer(readonly=True)
    revenue_lost = fields.Monetary(
        readonly=True,
        help="What the customer brought in a year before going quiet: its revenue over the 12 months up to its last "
        "order. For a customer found by a revenue drop: the revenue of the previous period minus the last one.",
    )
    ltv = fields.Monetary("LTV", readonly=True, groups="sales_team.group_sale_manager")
    salesperson_id = fields.Many2one("res.users", readonly=True)
    is_key_account = fields.Boolean("Key Account", readonly=True)
    earlier_attempt = fields.Char(
        readonly=True, help="How the customer's latest win-back attempt that refused or parted well ended, and when."
    )
    user_id = fields.Many2one("res.users", "Contacted By", domain=[("share", "=", False)])
