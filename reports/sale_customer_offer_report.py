"""Offers in negotiation: the quotations sent and not yet won or lost, for the weekly sales meeting.

One row per sale order in state *Quotation Sent*: its age (days since the quotation date),
its untaxed amount in company currency, the last activity done on it (date of the latest
chatter message recording a done activity) and the next open one (earliest deadline).
"""

from odoo import fields, models
from odoo.tools import SQL

from ..models.sale_order import ORDER_REVENUE, SENT_QUOTATION_STATE


class SaleCustomerOfferReport(models.Model):
    _name = "sale.customer.offer.report"
    _description = "Offers in Negotiation"
    _auto = False
    _order = "age_days desc"
    _rec_name = "order_id"
    _depends = {
        "sale.order": ["state", "user_id", "team_id", "partner_id", "company_id", "date_order", "amount_untaxed"],
        "mail.activity": ["res_model", "res_id", "active", "date_deadline", "activity_type_id", "summary"],
        "mail.message": ["model", "res_id", "mail_activity_type_id", "date"],
    }

    order_id = fields.Many2one("sale.order", "Quotation", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_order = fields.Date("Quotation Date", readonly=True)
    age_days = fields.Integer("Age (days)", readonly=True, aggregator="avg")
    amount = fields.Monetary("Untaxed Amount", readonly=True)
    last_activity_date = fields.Date(readonly=True)
    next_activity_date = fields.Date(readonly=True)
    next_activity_type_id = fields.Many2one("mail.activity.type", readonly=True)
    next_activity_summary = fields.Char(readonly=True)
    offer_count = fields.Integer("Offers", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT so.id, so.id AS order_id, so.user_id, so.team_id, so.partner_id, so.company_id,
                   so.date_order::date AS date_order,
                   CURRENT_DATE - so.date_order::date AS age_days,
                   %(revenue)s AS amount,
                   done.date AS last_activity_date,
                   next.date_deadline AS next_activity_date,
                   next.activity_type_id AS next_activity_type_id,
                   next.summary AS next_activity_summary,
                   1 AS offer_count
              FROM sale_order AS so
              LEFT JOIN LATERAL (
                    SELECT max(m.date)::date AS date
                      FROM mail_message AS m
                     WHERE m.model = 'sale.order' AND m.res_id = so.id AND m.mail_activity_type_id IS NOT NULL
                   ) AS done ON TRUE
              LEFT JOIN LATERAL (
                    SELECT a.date_deadline, a.activity_type_id, a.summary
                      FROM mail_activity AS a
                     WHERE a.res_model = 'sale.order' AND a.res_id = so.id AND a.active
                     ORDER BY a.date_deadline, a.id
                     LIMIT 1
                   ) AS next ON TRUE
             WHERE so.state = %(sent)s
            """,
            revenue=ORDER_REVENUE,
            sent=SENT_QUOTATION_STATE,
        )
