"""Sample readiness, follow-ups and feedback, on top of the sample customers (demo data only).

Feedback gives customers temperatures; a share of wallet answered makes a
regular customer loyal, two promoter answers an advocate; a complaint and a
cooling make two customers at risk. Opportunities show the three readiness
classes with their next steps; confirming quotations plans follow-ups.
"""

import datetime

from odoo import api, fields, models

# customer: [(days ago, {feedback values})], oldest first
DEMO_FEEDBACK = {
    "Granite Builders": [
        (50, {"recommendation": "9", "satisfaction_product": "5", "satisfaction_service": "4"}),
        (
            8,
            {
                "recommendation": "10",
                "share_of_wallet": 85.0,
                "satisfaction_delivery": "5",
                "buy_more": "A framework contract with monthly deliveries.",
            },
        ),
    ],
    "Evergreen Clinics": [
        (
            12,
            {
                "recommendation": "8",
                "share_of_wallet": 90.0,
                "satisfaction_product": "4",
                "satisfaction_moment": "4",
                "buy_more": "Training for our new staff.",
            },
        ),
    ],
    "Crescent Hotels": [
        (40, {"recommendation": "9", "satisfaction_product": "5", "satisfaction_service": "5"}),
        (6, {"recommendation": "9", "satisfaction_delivery": "4"}),
    ],
    "Harbor Light Cafe": [
        (
            15,
            {
                "recommendation": "4",
                "satisfaction_delivery": "1",
                "complaint": True,
                "complaint_note": "Two deliveries arrived a week late.",
            },
        ),
    ],
    "Atlas Retail Group": [
        (70, {"recommendation": "10", "satisfaction_product": "5", "satisfaction_service": "5"}),
        (
            9,
            {
                "recommendation": "5",
                "satisfaction_service": "2",
                "satisfaction_moment": "2",
                "buy_more": "A contact person who answers the phone.",
            },
        ),
    ],
    "Fjord Logistics": [
        (20, {"recommendation": "7", "satisfaction_product": "4", "satisfaction_service": "3", "channel": "email"}),
    ],
    "Delta Office Supplies": [
        (25, {"recommendation": "6", "satisfaction_product": "3", "buy_more": "Lower prices on paper."}),
    ],
}
# prospect: (readiness answers, note of the need)
DEMO_LEADS = {
    "Acorn Studios": (
        {"readiness_need": "yes", "readiness_budget": "yes", "readiness_urgency": "yes"},
        "Studio fit-out",
    ),
    "Bright Path Consulting": (
        {"readiness_need": "yes", "readiness_budget": "partly", "readiness_urgency": "no"},
        "Yearly consulting package",
    ),
    "Cobalt Ventures": ({"readiness_need": "no", "readiness_budget": "yes", "readiness_urgency": "no"}, "Office move"),
}


class SaleCustomerFeedbackDemo(models.AbstractModel):
    _name = "sale.customer.feedback.demo"
    _description = "Around the Sale Sample Data"

    @api.model
    def _load_demo(self):
        Partner = self.env["res.partner"]
        today = fields.Date.context_today(self)
        customers = {partner.name: partner for partner in Partner.search([("name", "in", list(DEMO_FEEDBACK))])}
        salesperson = self.env.ref("base.user_demo")
        values = []
        for name, answers in DEMO_FEEDBACK.items():
            if name not in customers:
                continue
            for days, answer in answers:
                values.append(
                    {
                        "partner_id": customers[name].id,
                        "date": today - datetime.timedelta(days=days),
                        "user_id": customers[name].user_id.id or salesperson.id,
                        **answer,
                    }
                )
        self.env["sale.customer.feedback"].with_context(tracking_disable=True).create(values)
        self._load_demo_leads(today)
        # quotations confirmed now: their customers get a follow-up call
        quotations = self.env["sale.order"].search(
            [("state", "in", ("draft", "sent")), ("partner_id.name", "=", "Acorn Studios")]
        )
        quotations.user_id = salesperson
        quotations.action_confirm()
        self.env["sale.customer.base.engine"].recompute_customer_base()

    def _load_demo_leads(self, today):
        Partner = self.env["res.partner"]
        reason = self.env.ref("sale_customer_base.sale_customer_readiness_reason_contract")
        leads = self.env["crm.lead"]
        for name, (answers, need) in DEMO_LEADS.items():
            partner = Partner.search([("name", "=", name)], limit=1) or Partner.create(
                {"name": name, "is_company": True}
            )
            values = {
                "name": f"{name}: {need}",
                "type": "opportunity",
                "partner_id": partner.id,
                "user_id": self.env.ref("sale_customer_base.user_demo_salesperson").id,
                "expected_revenue": 5000.0,
                **answers,
            }
            if answers["readiness_need"] == "no":
                values.update(
                    readiness_reason_id=reason.id, readiness_revisit_date=today + datetime.timedelta(days=270)
                )
            leads |= leads.create(values)
        leads.action_plan_readiness_step()
