"""Revenue of each key account plan month by month, against its target (a twelfth of the yearly target
per month), read live from the confirmed orders (``_confirmed_orders_sql``).

Each month of a plan with orders gives two rows, the revenue and the target, told apart by ``kind``
with their value in ``amount``: a graph grouped by month and kind draws both lines.
"""

from odoo import fields, models
from odoo.tools import SQL


class SaleCustomerKeyAccountRevenue(models.Model):
    _name = "sale.customer.key.account.revenue"
    _description = "Key Account Revenue Against Target"
    _auto = False
    _order = "month desc, plan_id"
    _rec_name = "plan_id"
    _depends = {
        "sale.customer.key.account": ["partner_id", "company_id", "manager_id", "target_revenue"],
        "sale.order": ["state", "partner_id", "company_id", "date_order", "amount_untaxed", "currency_rate"],
    }

    plan_id = fields.Many2one("sale.customer.key.account", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    manager_id = fields.Many2one("res.users", "Key Account Manager", readonly=True)
    month = fields.Date(readonly=True)
    kind = fields.Selection([("revenue", "Revenue"), ("target", "Target")], readonly=True)
    amount = fields.Monetary(readonly=True, help="The revenue or the monthly target, as the kind says.")
    revenue = fields.Monetary(readonly=True, help="Untaxed revenue of the month's confirmed orders, company currency.")
    target = fields.Monetary(readonly=True, help="The plan's target yearly revenue divided by 12.")

    @property
    def _table_query(self):
        # an order belongs to one plan (its customer and company): its id identifies the plan's month,
        # doubled to give the revenue and the target row of the month an id each
        return SQL(
            """
            WITH months AS (
                SELECT min(o.order_id) AS order_id,
                       ka.id AS plan_id,
                       ka.partner_id,
                       ka.company_id,
                       c.currency_id,
                       ka.manager_id,
                       date_trunc('month', o.date_order)::date AS month,
                       sum(o.revenue) AS revenue,
                       COALESCE(ka.target_revenue, 0) / 12.0 AS target
                  FROM sale_customer_key_account AS ka
                  JOIN res_company AS c ON c.id = ka.company_id
                  JOIN (%(confirmed)s) AS o ON o.partner_id = ka.partner_id AND o.company_id = ka.company_id
                 GROUP BY ka.id, c.currency_id, date_trunc('month', o.date_order)
            )
            SELECT m.order_id * 2 + k.shift AS id,
                   m.plan_id, m.partner_id, m.company_id, m.currency_id, m.manager_id, m.month,
                   k.kind,
                   CASE k.kind WHEN 'revenue' THEN m.revenue ELSE m.target END AS amount,
                   CASE k.kind WHEN 'revenue' THEN m.revenue ELSE 0 END AS revenue,
                   CASE k.kind WHEN 'target' THEN m.target ELSE 0 END AS target
              FROM months AS m
             CROSS JOIN (VALUES (0, 'revenue'), (1, 'target')) AS k(shift, kind)
            """,
            confirmed=self.env["sale.customer.base.engine"]._confirmed_orders_sql(),
        )
