"""Sales activity: what each salesperson did, week by week, and how much of it was planned.

One row per event, read live:

- an *activity done*: a chatter message that records a done activity (Odoo posts one
  for every activity marked done, on any document), dated by the message, counted for
  the user who marked it done; it is *planned* when the activity came from the service
  policy, a customer campaign or win-back. Its channel is that of its activity type
  (see ``sale.customer.contact.engine._channel_type_ids``) and its cost the company's
  cost of the channel in call units times the value of a unit (other activities: 0);
- a *quotation*: a sale order created (cancelled ones excepted), dated by its creation,
  counted for its salesperson;
- an *order won*: a confirmed order, dated by ``date_order``, for its salesperson,
  amount untaxed in company currency.

The planned share is the mean, over the activities done only, of 100 (planned) and 0; its
target (the company's) stands on those same rows, so that a week without activity done shows
neither. OdooBot (the superuser, whose messages and orders are automated work) has no row.
"""

from odoo import SUPERUSER_ID, fields, models
from odoo.tools import SQL

from ..models.sale_order import ORDER_REVENUE

KINDS = [("activity", "Activity done"), ("quotation", "Quotation"), ("order", "Order won")]
CHANNELS = [("visit", "Visit / meeting"), ("call", "Call"), ("email", "Email"), ("activity", "Other activity")]


class SaleCustomerActivityReport(models.Model):
    _name = "sale.customer.activity.report"
    _description = "Sales Activity"
    _auto = False
    _order = "date desc"
    _rec_name = "user_id"
    _depends = {
        "mail.message": ["author_id", "date", "mail_activity_type_id", "customer_planned", "record_company_id"],
        "sale.order": ["user_id", "company_id", "state", "create_date", "date_order", "amount_untaxed"],
    }

    kind = fields.Selection(KINDS, readonly=True)
    date = fields.Date(readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    activity_type_id = fields.Many2one("mail.activity.type", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    planned = fields.Boolean(readonly=True)
    activity_count = fields.Integer("Activities Done", readonly=True)
    call_count = fields.Integer("Calls", readonly=True)
    meeting_count = fields.Integer("Meetings", readonly=True)
    email_count = fields.Integer("Emails", readonly=True)
    other_count = fields.Integer("Other Activities", readonly=True)
    planned_count = fields.Integer("Planned Activities", readonly=True)
    planned_percent = fields.Float("Planned Share (%)", readonly=True, aggregator="avg")
    planned_target = fields.Float("Planned Share Target (%)", readonly=True, aggregator="avg")
    quotation_count = fields.Integer("Quotations", readonly=True)
    won_count = fields.Integer("Orders Won", readonly=True)
    won_amount = fields.Monetary("Revenue Won", readonly=True)
    contact_cost = fields.Monetary("Cost of Contact Time", readonly=True)

    @property
    def _table_query(self):
        # the rules of every company (a few per company) name the activity types of each channel
        rules = self.env["sale.customer.service.rule"].sudo().search([])  # pylint: disable=no-search-all
        by_channel = self.env["sale.customer.contact.engine"]._channel_type_ids(rules)
        channel = self.env["sale.customer.contact.engine"]._channel_sql(
            SQL("m.mail_activity_type_id"), by_channel, SQL("'activity'")
        )
        return SQL(
            """
            SELECT row_number() OVER (ORDER BY e.kind, e.source_id) AS id, e.*,
                   (e.kind = 'activity')::int4 AS activity_count,
                   (e.channel = 'call')::int4 AS call_count,
                   (e.channel = 'visit')::int4 AS meeting_count,
                   (e.channel = 'email')::int4 AS email_count,
                   (e.channel = 'activity')::int4 AS other_count,
                   (e.kind = 'activity' AND e.planned)::int4 AS planned_count,
                   CASE WHEN e.kind = 'activity' THEN CASE WHEN e.planned THEN 100.0 ELSE 0.0 END END
                       AS planned_percent,
                   CASE WHEN e.kind = 'activity' THEN company.customer_base_contact_planned_target END
                       AS planned_target,
                   CASE e.channel
                        WHEN 'visit' THEN company.customer_base_contact_visit_cost
                        WHEN 'call' THEN company.customer_base_contact_call_cost
                        WHEN 'email' THEN company.customer_base_contact_email_cost
                        ELSE 0 END * company.customer_base_contact_unit_value AS contact_cost
              FROM (
                    SELECT 'activity' AS kind, m.id AS source_id, m.date::date AS date, u.id AS user_id,
                           COALESCE(m.record_company_id, u.company_id) AS company_id,
                           m.mail_activity_type_id AS activity_type_id, %(channel)s AS channel,
                           COALESCE(m.customer_planned, FALSE) AS planned,
                           0 AS quotation_count, 0 AS won_count, 0.0 AS won_amount
                      FROM mail_message AS m
                      JOIN LATERAL (
                            SELECT id, company_id FROM res_users WHERE partner_id = m.author_id ORDER BY id LIMIT 1
                           ) AS u ON TRUE
                     WHERE m.mail_activity_type_id IS NOT NULL
                     UNION ALL
                    SELECT 'quotation', so.id, so.create_date::date, so.user_id, so.company_id,
                           NULL, NULL, FALSE, 1, 0, 0.0
                      FROM sale_order AS so
                     WHERE so.state <> 'cancel'
                     UNION ALL
                    SELECT 'order', so.id, so.date_order::date, so.user_id, so.company_id,
                           NULL, NULL, FALSE, 0, 1, %(revenue)s
                      FROM sale_order AS so
                     WHERE so.state = 'sale'
                   ) AS e
              JOIN res_company AS company ON company.id = e.company_id
             WHERE e.user_id IS DISTINCT FROM %(odoobot)s
            """,
            channel=channel,
            revenue=ORDER_REVENUE,
            odoobot=SUPERUSER_ID,
        )
