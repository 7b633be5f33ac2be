"""Contact coverage: each customer of the service policy, per company, with where it stands.

A view over the values the contact engine stores in ``sale.customer.metrics`` (one row per
customer and company): *on time* = contacted and not overdue, *overdue* = contacted and its next
contact due date passed, *never contacted* = no contact known. Grouped by rule, segment
or salesperson, the share on time is the mean of 100 (on time) and 0 (otherwise).
"""

from odoo import fields, models
from odoo.tools import SQL

from ..models.sale_customer_metrics import CONTACT_CHANNELS

STATUSES = [("on_time", "On time"), ("overdue", "Overdue"), ("never", "Never contacted")]


class SaleCustomerContactCoverage(models.Model):
    _name = "sale.customer.contact.coverage"
    _description = "Contact Coverage"
    _auto = False
    _order = "days_overdue desc, partner_id"
    _rec_name = "partner_id"
    _depends = {
        "sale.customer.metrics": [
            "company_id",
            "partner_id",
            "user_id",
            "contact_rule_id",
            "last_contact_date",
            "last_contact_channel",
            "next_contact_date",
            "contact_yearly_cost",
            "customer_segment",
        ],
    }

    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    rule_id = fields.Many2one("sale.customer.service.rule", "Service Rule", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    customer_segment = fields.Char("Segment", readonly=True)
    contact_status = fields.Selection(STATUSES, "Status", readonly=True)
    last_contact_date = fields.Date("Last Contact", readonly=True)
    last_contact_channel = fields.Selection(CONTACT_CHANNELS, "Last Contact By", readonly=True)
    next_contact_date = fields.Date("Next Contact Due", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    customer_count = fields.Integer("Customers", readonly=True)
    on_time_count = fields.Integer("On Time", readonly=True)
    overdue_count = fields.Integer("Overdue", readonly=True)
    never_count = fields.Integer("Never Contacted", readonly=True)
    on_time_percent = fields.Float("On Time (%)", readonly=True, aggregator="avg")
    yearly_cost = fields.Monetary("Yearly Cost to Serve", readonly=True)

    @property
    def _table_query(self):
        status = SQL(
            """CASE WHEN m.last_contact_date IS NULL THEN 'never'
                    WHEN m.next_contact_date < %s THEN 'overdue'
                    ELSE 'on_time' END""",
            fields.Date.context_today(self),
        )
        return self._coverage_query(status)

    def _coverage_query(self, status):
        return SQL(
            """
            SELECT row_number() OVER (ORDER BY rows.company_id, rows.partner_id) AS id, rows.*,
                   (rows.contact_status = 'on_time')::int4 AS on_time_count,
                   (rows.contact_status = 'overdue')::int4 AS overdue_count,
                   (rows.contact_status = 'never')::int4 AS never_count,
                   CASE WHEN rows.contact_status = 'on_time' THEN 100.0 ELSE 0.0 END AS on_time_percent
              FROM (
                    SELECT m.partner_id,
                           m.company_id,
                           m.contact_rule_id AS rule_id,
                           m.user_id,
                           m.customer_segment,
                           %(status)s AS contact_status,
                           m.last_contact_date,
                           m.last_contact_channel,
                           m.next_contact_date,
                           GREATEST(0, %(today)s - m.next_contact_date) AS days_overdue,
                           1 AS customer_count,
                           m.contact_yearly_cost AS yearly_cost
                      FROM sale_customer_metrics AS m
                     WHERE m.contact_rule_id IS NOT NULL
                   ) AS rows
            """,
            status=status,
            today=fields.Date.context_today(self),
        )
