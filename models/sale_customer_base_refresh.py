from odoo import api, fields, models


class SaleCustomerBaseRefresh(models.Model):
    """Customers whose values wait for a refresh: an order of theirs changed, or a contact was
    made, while a job (full recompute, contact planning) held their rows. The refresh redoes
    their figures and their contact values. Emptied right after that job and by a scheduled job."""

    _name = "sale.customer.base.refresh"
    _description = "Customer Waiting for a Refresh"
    _log_access = False

    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")

    _sql_constraints = [
        ("partner_company_unique", "UNIQUE(partner_id, company_id)", "A customer waits once per company."),
    ]

    @api.model
    def _defer(self, company, partner_ids):
        """Queue these commercial partners of ``company``, and ask the refresh job to run soon."""
        self.env.cr.execute(
            """
            INSERT INTO sale_customer_base_refresh (partner_id, company_id)
            SELECT unnest(%s::int4[]), %s
            ON CONFLICT DO NOTHING
            """,
            (list(partner_ids), company.id),
        )
        self.env.ref("sale_customer_base.ir_cron_refresh_customer_base")._trigger(
            fields.Datetime.add(fields.Datetime.now(), minutes=1)
        )

    @api.model
    def _cron_refresh(self):
        self.env["sale.customer.base.engine"]._refresh_deferred()
