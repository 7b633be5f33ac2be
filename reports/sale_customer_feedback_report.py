"""Customer feedback analysis: one row per feedback answer, ready for pivots and graphs.

- ``satisfaction``: mean of the 1-5 scores answered in the feedback (empty when none);
- ``recommendation``: the 0-10 answer; ``nps``: +100 for a promoter (9-10), -100 for a
  detractor (0-6), 0 for a passive (7-8), empty when not answered, so that its average
  over any group is the net promoter score (% promoters - % detractors);
- ``categ_id``: the product category of the order line with the largest untaxed amount
  (lowest line id on a tie), empty for feedback without order;
- ``customer_segment``: the customer's current ABC-XYZ segment in the feedback's company.
"""

from odoo import fields, models
from odoo.tools import SQL

from ..models.sale_customer_feedback import SATISFACTION
from ..models.sale_customer_metrics import SEGMENTS


class SaleCustomerFeedbackReport(models.Model):
    _name = "sale.customer.feedback.report"
    _description = "Customer Feedback Analysis"
    _auto = False
    _rec_name = "partner_id"
    _order = "date desc, id desc"
    _depends = {
        "sale.customer.feedback": [
            "partner_id",
            "company_id",
            "order_id",
            "user_id",
            "salesperson_id",
            "date",
            "moment",
            "channel",
            "satisfaction_product",
            "satisfaction_service",
            "satisfaction_delivery",
            "satisfaction_moment",
            "recommendation",
            "complaint",
            "complaint_note",
            "buy_more",
        ],
        "sale.order.line": ["order_id", "product_id", "price_subtotal"],
        "sale.customer.metrics": ["partner_id", "company_id", "customer_segment"],
    }

    feedback_id = fields.Many2one("sale.customer.feedback", readonly=True)
    date = fields.Date(readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True)
    user_id = fields.Many2one("res.users", "Asked By", readonly=True)
    salesperson_id = fields.Many2one("res.users", readonly=True)
    categ_id = fields.Many2one("product.category", "Product Category", readonly=True)
    customer_segment = fields.Selection(SEGMENTS, "Segment", readonly=True)
    moment = fields.Selection(
        [("first_contact", "First contact"), ("sale", "At the sale"), ("follow_up", "After the sale (follow-up)")],
        "When Asked",
        readonly=True,
    )
    satisfaction = fields.Float("Satisfaction (1-5)", readonly=True, aggregator="avg")
    satisfaction_product = fields.Selection(SATISFACTION, "The Product", readonly=True)
    satisfaction_service = fields.Selection(SATISFACTION, "Our Service and Staff", readonly=True)
    satisfaction_delivery = fields.Selection(SATISFACTION, "Delivery", readonly=True)
    satisfaction_moment = fields.Selection(SATISFACTION, "The Moment of Sale", readonly=True)
    recommendation = fields.Float("Recommendation (0-10)", readonly=True, aggregator="avg")
    nps = fields.Float(
        "NPS", readonly=True, aggregator="avg", help="% of promoters (9-10) minus % of detractors (0-6)."
    )
    promoter_count = fields.Integer("Promoters", readonly=True)
    detractor_count = fields.Integer("Detractors", readonly=True)
    feedback_count = fields.Integer("Answers", readonly=True)
    complaint_count = fields.Integer("Complaints", readonly=True)
    complaint_note = fields.Text("What Went Wrong", readonly=True)
    buy_more = fields.Text("What Would Make Them Buy More", readonly=True)

    @property
    def _table_query(self):
        scores = SQL(
            "ARRAY[f.satisfaction_product, f.satisfaction_service, f.satisfaction_delivery, f.satisfaction_moment]"
        )
        return SQL(
            """
            SELECT f.id, f.id AS feedback_id, f.date, f.partner_id, f.company_id, f.order_id, f.user_id,
                   f.salesperson_id, main.categ_id, m.customer_segment,
                   f.moment, f.satisfaction_product, f.satisfaction_service, f.satisfaction_delivery,
                   f.satisfaction_moment,
                   (SELECT AVG(score::int) FROM unnest(%(scores)s) AS score) AS satisfaction,
                   f.recommendation::int AS recommendation,
                   CASE WHEN f.recommendation::int >= 9 THEN 100
                        WHEN f.recommendation::int <= 6 THEN -100
                        WHEN f.recommendation IS NOT NULL THEN 0 END AS nps,
                   (f.recommendation::int >= 9)::int AS promoter_count,
                   (f.recommendation::int <= 6)::int AS detractor_count,
                   1 AS feedback_count,
                   COALESCE(f.complaint, FALSE)::int AS complaint_count,
                   f.complaint_note, f.buy_more
              FROM sale_customer_feedback AS f
              LEFT JOIN sale_customer_metrics AS m ON m.partner_id = f.partner_id AND m.company_id = f.company_id
              LEFT JOIN LATERAL (
                    SELECT t.categ_id
                      FROM sale_order_line AS l
                      JOIN product_product AS pp ON pp.id = l.product_id
                      JOIN product_template AS t ON t.id = pp.product_tmpl_id
                     WHERE l.order_id = f.order_id
                     ORDER BY l.price_subtotal DESC NULLS LAST, l.id
                     LIMIT 1
              ) AS main ON TRUE
            """,
            scores=scores,
        )
