from odoo import api, fields, models

REFRESH_BATCH = 500  # customers per call of the refresh job: a few seconds, then it commits


class SaleCustomerBaseRefresh(models.Model):
    """Customers whose values wait for a refresh: an order of theirs was confirmed, cancelled or
    moved, or a contact was made while a job (full recompute, contact planning) held their rows.
    The refresh job, woken at once, redoes their figures, contact values and won-back attempts in
    batches; it also runs right after those jobs and every hour."""

    _name = "sale.customer.base.refresh"
    _description = "Customer Waiting for a Refresh"
    _log_access = False

    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    order_confirmed = fields.Boolean(help="An order of the customer was confirmed: its customer rank rises.")

    _sql_constraints = [
        ("partner_company_unique", "UNIQUE(partner_id, company_id)", "A customer waits once per company."),
    ]

    @api.model
    def _defer(self, company, partner_ids, confirmed=False):
        """Queue these commercial partners of ``company``, and wake the refresh job after the commit."""
        self.env.cr.execute(
            """
            INSERT INTO sale_customer_base_refresh (partner_id, company_id, order_confirmed)
            SELECT unnest(%s::int4[]), %s, %s
            ON CONFLICT (partner_id, company_id) DO UPDATE
               SET order_confirmed = sale_customer_base_refresh.order_confirmed OR EXCLUDED.order_confirmed
            """,
            (list(partner_ids), company.id, confirmed),
        )
        self.env.ref("sale_customer_base.ir_cron_refresh_customer_base")._trigger()

    @api.model
    def _cron_refresh(self):
        """Refresh a batch of queued customers; the scheduler calls again while some remain."""
        Engine = self.env["sale.customer.base.engine"]
        done = Engine._refresh_deferred(limit=REFRESH_BATCH)
        remaining = self.search_count([])
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
