"""Progress of customer campaigns per salesperson, read live from the tasks and the orders.

The campaign's own figures (``sale.customer.campaign._compute_progress``) and the *Campaign
Progress* report read it: one definition of done, pending, overdue and ordered.

A view rather than stored counters: "overdue" depends on today, and the
outcome on orders confirmed at any time, so both are computed when read.
"""

from odoo import fields, models
from odoo.tools import SQL


class SaleCustomerCampaignProgress(models.Model):
    _name = "sale.customer.campaign.progress"
    _description = "Customer Campaign Progress"
    _auto = False
    _order = "campaign_id, user_id"
    _rec_name = "user_id"
    _depends = {
        "sale.customer.campaign.line": ["campaign_id", "user_id", "partner_id", "state", "date_deadline"],
        "sale.customer.campaign": ["company_id", "date_start", "date_end"],
        "sale.order": ["state", "partner_id", "company_id", "date_order", "amount_untaxed", "currency_rate"],
    }

    campaign_id = fields.Many2one("sale.customer.campaign", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    assigned = fields.Integer(readonly=True)
    done = fields.Integer(readonly=True)
    pending = fields.Integer(readonly=True, help="Not done yet, due date not passed.")
    overdue = fields.Integer(readonly=True, help="Not done, due date passed.")
    cancelled = fields.Integer("Withdrawn", readonly=True)
    ordered = fields.Integer(
        readonly=True, help="Customers with an order confirmed from the launch to the end of the campaign's window."
    )
    revenue = fields.Monetary(readonly=True, help="Untaxed revenue of those orders, company currency.")

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT min(line.id) AS id,
                   line.campaign_id,
                   campaign.company_id,
                   line.user_id,
                   count(*) AS assigned,
                   count(*) FILTER (WHERE line.state = 'done') AS done,
                   count(*) FILTER (WHERE line.state = 'pending' AND line.date_deadline >= CURRENT_DATE) AS pending,
                   count(*) FILTER (WHERE line.state = 'pending' AND line.date_deadline < CURRENT_DATE) AS overdue,
                   count(*) FILTER (WHERE line.state = 'cancelled') AS cancelled,
                   count(outcome.revenue) AS ordered,
                   COALESCE(sum(outcome.revenue), 0) AS revenue
              FROM sale_customer_campaign_line AS line
              JOIN sale_customer_campaign AS campaign ON campaign.id = line.campaign_id
              LEFT JOIN LATERAL (
                    SELECT sum(o.revenue) AS revenue
                      FROM (%(confirmed)s) AS o
                     WHERE o.partner_id = line.partner_id
                       AND o.company_id = campaign.company_id
                       AND o.date_order >= campaign.date_start
                       AND o.date_order::date <= campaign.date_end
                    HAVING count(*) > 0
                   ) AS outcome ON TRUE
             GROUP BY line.campaign_id, campaign.company_id, line.user_id
            """,
            confirmed=self.env["sale.customer.base.engine"]._confirmed_orders_sql(),
        )
