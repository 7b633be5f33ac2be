"""Temperature, feedback and readiness on the customer.

The temperature and its components are engine values (company dependent,
written in SQL by ``sale.customer.base.engine`` from the feedback answers, see
:mod:`..analytics.temperature`). The share of wallet says where it came from:
a person on the form, or the customer's own answer in a feedback.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from .crm_lead import READINESS, TEMPERATURES
from .res_partner import FIGURE_CONTEXT

ALERTS = [("complaint", "Complaint"), ("cooled", "Cooled down")]
SHARE_SOURCES = [("manual", "Set by hand"), ("feedback", "Customer's answer in a feedback")]
# components drawn from the customer's orders: like the other order figures, a salesperson
# with "own documents only" sees them for her customers only (temperature and alert stay visible)
TEMPERATURE_ORDER_FIGURES = frozenset({"temperature_cancellations", "temperature_contact_days"})


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ---- engine values (company dependent, written by the engine only)
    customer_temperature = fields.Selection(
        TEMPERATURES,
        "Temperature",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="How warm the customer feels about us, from its feedback, complaints, cancellations and how long "
        "since we last heard from it: cold below 25, cool from 25, warm from 50, hot from 75.",
    )
    temperature_score = fields.Float(
        company_dependent=True, index=False, readonly=True, groups="sales_team.group_sale_salesman"
    )
    temperature_satisfaction = fields.Float(
        "Satisfaction (0-100)",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The mean 1-5 satisfaction of the latest feedback that gave one, on a 0-100 scale (weight 30).",
    )
    temperature_recommendation = fields.Float(
        "Recommendation (0-100)",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The latest 0-10 recommendation answer, times 10 (weight 30).",
    )
    temperature_complaints = fields.Integer(
        "Complaints in Window",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Feedback with a complaint in the analysis window: each takes half of this component (weight 15).",
    )
    temperature_cancellations = fields.Integer(
        "Cancellations and Returns in Window",
        company_dependent=True,
        index=False,
        depends_context=FIGURE_CONTEXT,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Cancelled orders and credit notes in the analysis window: each takes half of this component (weight 10).",
    )
    temperature_contact_days = fields.Integer(
        "Days Since Last Contact",
        company_dependent=True,
        index=False,
        depends_context=FIGURE_CONTEXT,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Days since the latest order or feedback (weight 15, zero after the days set in the settings).",
    )
    temperature_previous = fields.Selection(
        TEMPERATURES,
        "Temperature Before the Latest Feedback",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    temperature_cooled = fields.Boolean(
        "Cooled Down",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="The latest feedback made the customer cooler by at least one level.",
    )
    temperature_alert = fields.Selection(
        ALERTS,
        "At Risk Because",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="A recent feedback holds a complaint, or made the customer cooler: an active customer is at risk "
        "before its orders stop.",
    )
    last_feedback_date = fields.Date(
        "Latest Feedback", company_dependent=True, index=False, readonly=True, groups="sales_team.group_sale_salesman"
    )
    feedback_advocate = fields.Boolean(
        "Promoter in Its Feedback",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Its latest recommendation is 9-10 and it referred a customer, or its previous answer was 9-10 too: "
        "a loyal customer counts as an advocate.",
    )
    # ---- inputs and their origin
    share_of_wallet_source = fields.Selection(
        SHARE_SOURCES,
        "Share of Wallet From",
        company_dependent=True,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    share_of_wallet_date = fields.Date(
        "Share of Wallet Given On", company_dependent=True, readonly=True, groups="sales_team.group_sale_salesman"
    )
    customer_do_not_contact = fields.Boolean(
        "Do Not Contact",
        tracking=True,
        groups="sales_team.group_sale_salesman",
        help="The customer asked not to be called: no follow-up is planned after its orders.",
    )
    customer_feedback_count = fields.Integer(
        "Feedback", compute="_compute_customer_feedback_count", groups="sales_team.group_sale_salesman"
    )
    customer_readiness = fields.Selection(
        READINESS,
        "Readiness",
        compute="_compute_customer_readiness",
        groups="sales_team.group_sale_salesman",
        help="The readiness of the prospect's latest open opportunity.",
    )

    def _compute_customer_feedback_count(self):
        groups = self.env["sale.customer.feedback"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.customer_feedback_count = counts.get(partner.commercial_partner_id.id, 0)

    def _compute_customer_readiness(self):
        leads = self.env["crm.lead"].search(
            [("partner_id", "child_of", self.commercial_partner_id.ids), ("readiness", "!=", False)],
            order="create_date desc, id desc",
        )
        readiness = {}
        for lead in leads:
            readiness.setdefault(lead.partner_id.commercial_partner_id.id, lead.readiness)
        for partner in self:
            partner.customer_readiness = readiness.get(partner.commercial_partner_id.id, False)

    @api.model
    def _customer_figure_sql(self, alias, fname, expression, company=None):
        if fname in TEMPERATURE_ORDER_FIGURES and self._customer_figures_restricted():
            visible = self._customer_figures_visible_sql(alias, company)
            return SQL("CASE WHEN %s THEN %s END", visible, expression)
        return super()._customer_figure_sql(alias, fname, expression, company)

    def write(self, vals):
        if "share_of_wallet" in vals:
            # where the share came from: a feedback answer, or a person on the form
            from_feedback = self.env.context.get("customer_feedback_share")
            vals = dict(
                vals,
                share_of_wallet_source="feedback" if from_feedback else "manual",
                share_of_wallet_date=from_feedback or fields.Date.context_today(self),
            )
        return super().write(vals)

    def action_open_customer_feedback(self):
        self.ensure_one()
        customer = self.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_feedback_action")
        action["domain"] = [("partner_id", "=", customer.id)]
        action["context"] = {"default_partner_id": customer.id}
        return action

    def action_new_customer_feedback(self):
        self.ensure_one()
        return self.env["sale.customer.feedback"]._form_action(partner=self.commercial_partner_id)
