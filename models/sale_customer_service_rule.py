"""Service policy: how often, and by which channel, each kind of customer hears from the company.

The first active rule of the company (by sequence) whose criteria all match a customer
applies to it (see :mod:`..analytics.contacts`); lost customers are left to win-back.
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..analytics.contacts import DAYS_PER_YEAR
from ..analytics.vocabulary import CONTACT_CHANNEL_LABELS, STAGE_LABELS
from .guards import check_people, check_ranges

CHANNELS = list(CONTACT_CHANNEL_LABELS.items())
# the activity type each channel is planned as, unless the rule says otherwise
CHANNEL_ACTIVITY_TYPES = {
    "visit": "mail.mail_activity_data_meeting",
    "call": "mail.mail_activity_data_call",
    "email": "mail.mail_activity_data_email",
}
STAGES = [(stage, label) for stage, label in STAGE_LABELS.items() if stage != "lost"]
# Days between two contacts: ten years at most. The planning adds them to dates: a cadence of
# millions of days stopped it, and the order confirmation that refreshes a customer, with a
# date error. A second touch of 0 days is no second touch.
MAX_CADENCE_DAYS = 3650  # days
CADENCE_RANGES = {"cadence_days": (1, MAX_CADENCE_DAYS), "second_cadence_days": (0, MAX_CADENCE_DAYS)}


class SaleCustomerServiceRule(models.Model):
    _name = "sale.customer.service.rule"
    _description = "Customer Service Rule"
    _inherit = ["mail.thread"]
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    # ---- which customers (empty: any)
    abc_class = fields.Selection([("a", "A"), ("b", "B"), ("c", "C")], "ABC Class", tracking=True)
    xyz_class = fields.Selection([("x", "X"), ("y", "Y"), ("z", "Z")], "XYZ Class", tracking=True)
    customer_segment = fields.Selection(
        [(abc + xyz, abc + xyz) for abc in "ABC" for xyz in "XYZ"], "Segment", tracking=True
    )
    customer_stage = fields.Selection(STAGES, "Stage", tracking=True)
    key_account = fields.Selection([("yes", "Key accounts"), ("no", "Other customers")], tracking=True)
    user_id = fields.Many2one("res.users", "Salesperson", domain="[('share', '=', False)]", tracking=True)
    team_id = fields.Many2one("crm.team", "Sales Team", check_company=True, tracking=True)
    # ---- how
    cadence_days = fields.Integer("Contact Every (days)", default=30, required=True, tracking=True)
    channel = fields.Selection(CHANNELS, default="call", required=True, tracking=True)
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        "Planned As",
        compute="_compute_activity_type_id",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        tracking=True,
        help="The activity the daily planning creates for a customer due under this rule.",
    )
    second_channel = fields.Selection(CHANNELS, "Second Touch", tracking=True)
    second_cadence_days = fields.Integer("Second Touch Every (days)", tracking=True)
    second_activity_type_id = fields.Many2one(
        "mail.activity.type",
        "Second Touch Planned As",
        compute="_compute_second_activity_type_id",
        store=True,
        precompute=True,
        readonly=False,
        tracking=True,
    )
    # ---- what it means
    yearly_cost = fields.Float(
        "Yearly Cost to Serve",
        compute="_compute_yearly_cost",
        help="What serving one customer under this rule costs a year: 365 / days between contacts x the "
        "channel's cost, for each touch, times the value of a cost unit (Sales settings).",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    customer_count = fields.Integer("Customers", compute="_compute_customer_count")

    @api.depends("channel")
    def _compute_activity_type_id(self):
        for rule in self:
            rule.activity_type_id = self.env.ref(CHANNEL_ACTIVITY_TYPES[rule.channel], raise_if_not_found=False)

    @api.depends("second_channel")
    def _compute_second_activity_type_id(self):
        for rule in self:
            xmlid = CHANNEL_ACTIVITY_TYPES.get(rule.second_channel)
            rule.second_activity_type_id = xmlid and self.env.ref(xmlid, raise_if_not_found=False)

    @api.depends(
        "cadence_days",
        "channel",
        "second_channel",
        "second_cadence_days",
        "company_id.customer_base_contact_visit_cost",
        "company_id.customer_base_contact_call_cost",
        "company_id.customer_base_contact_email_cost",
        "company_id.customer_base_contact_unit_value",
    )
    def _compute_yearly_cost(self):
        for rule in self:
            costs = rule.company_id._customer_base_channel_costs()
            cost = DAYS_PER_YEAR / rule.cadence_days * costs[rule.channel] if rule.cadence_days > 0 else 0.0
            if rule.second_channel and rule.second_cadence_days > 0:
                cost += DAYS_PER_YEAR / rule.second_cadence_days * costs[rule.second_channel]
            rule.yearly_cost = cost * rule.company_id.customer_base_contact_unit_value

    def _compute_customer_count(self):
        # the rule of a customer is stored per company: count in each rule's company
        for rule in self:
            partners = self.env["res.partner"].with_company(rule.company_id).sudo()
            rule.customer_count = partners.search_count([("contact_rule_id", "=", rule.id)]) if rule.id else 0

    # the ranges of the day counts are checked on the values written (``CADENCE_RANGES``)
    @api.constrains("second_channel", "second_cadence_days", "second_activity_type_id")
    def _check_cadence(self):
        for rule in self:
            if rule.second_channel and rule.second_cadence_days <= 0:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: say every how many days the second touch comes (above 0), "
                        "or remove the second touch.",
                        rule=rule.name,
                    )
                )
            if rule.second_channel and not rule.second_activity_type_id:
                raise ValidationError(
                    self.env._("Rule %(rule)s: choose the activity the second touch is planned as.", rule=rule.name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_ranges(self, vals, numbers=CADENCE_RANGES)
        rules = super().create(vals_list)
        if not self.env.su:
            check_people(rules, ["user_id"])
        return rules

    def write(self, vals):
        check_ranges(self, vals, numbers=CADENCE_RANGES)
        res = super().write(vals)
        if not self.env.su and {"user_id", "company_id"}.intersection(vals):
            check_people(self, ["user_id"])
        return res

    def action_open_customers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_metrics_action")
        action["domain"] = [("contact_rule_id", "=", self.id)]
        action["context"] = {"allowed_company_ids": [self.company_id.id]}
        return action

    def action_plan_contacts(self):
        # a list-header button: the web client sends the selected rules (or none), the company's
        # whole policy is planned whatever they are
        return self.env["sale.customer.contact.engine"].action_plan_contacts()

    @api.model
    def _install_default_rules(self, companies=None):
        """The shipped policy, for ``companies`` (all) that have no rule yet (editable afterwards)."""
        Rule = self.sudo().with_context(active_test=False)
        if companies is None:
            companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        for company in companies.filtered(lambda company: not Rule.search_count([("company_id", "=", company.id)])):
            Rule.create([dict(vals, company_id=company.id) for vals in self._default_rules_values()])

    @api.model
    def _default_rules_values(self):
        return [
            {"sequence": 10, "name": self.env._("Key accounts"), "key_account": "yes", "cadence_days": 14,
             "channel": "call", "second_channel": "visit", "second_cadence_days": 90},
            {"sequence": 20, "name": self.env._("At risk"), "customer_stage": "at_risk", "cadence_days": 7,
             "channel": "call"},
            {"sequence": 30, "name": self.env._("Class A"), "abc_class": "a", "cadence_days": 30, "channel": "call"},
            {"sequence": 40, "name": self.env._("Class B"), "abc_class": "b", "cadence_days": 60, "channel": "call"},
            {"sequence": 50, "name": self.env._("Class C"), "abc_class": "c", "cadence_days": 90, "channel": "email"},
            {"sequence": 90, "name": self.env._("Every other customer"), "cadence_days": 90, "channel": "email"},
        ]  # fmt: skip

    def _rule_values(self):
        """The rules as the plain dicts :func:`..analytics.contacts.contact_schedule` reads."""
        return [
            {
                "id": rule.id,
                "sequence": rule.sequence,
                "abc_class": rule.abc_class,
                "xyz_class": rule.xyz_class,
                "customer_segment": rule.customer_segment,
                "customer_stage": rule.customer_stage,
                "is_key_account": rule.key_account,
                "user_id": rule.user_id.id,
                "team_id": rule.team_id.id,
                "cadence_days": rule.cadence_days,
                "channel": rule.channel,
                "second_channel": rule.second_channel,
                "second_cadence_days": rule.second_cadence_days,
            }
            for rule in self
        ]
