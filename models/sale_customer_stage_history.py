from odoo import fields, models
from odoo.tools import SQL

from .res_partner import STAGES


class SaleCustomerStageHistory(models.Model):
    """One change of a customer's lifecycle stage in one company.

    Written by the engine (never by hand): the funnel and transition reports
    read it, the partner's chatter shows the same changes.
    """

    _name = "sale.customer.stage.history"
    _description = "Customer Stage Change"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade", readonly=True)
    date = fields.Date(required=True, readonly=True)
    old_stage = fields.Selection(STAGES, "From Stage", readonly=True)
    new_stage = fields.Selection(STAGES, "To Stage", readonly=True)

    def _insert_changes(self, company, date, changes):
        """Insert the rows of the query ``changes`` (partner_id, old_stage, new_stage) in one statement.

        :return: the transitions among them (a stage before and after), as (partner_id, old, new) tuples
        """
        rows = self.env.execute_query(
            SQL(
                """
                WITH inserted AS (
                    INSERT INTO sale_customer_stage_history
                           (partner_id, company_id, date, old_stage, new_stage,
                            create_uid, create_date, write_uid, write_date)
                    SELECT v.partner_id, %(company)s, %(date)s, v.old_stage, v.new_stage,
                           %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                      FROM (%(changes)s) AS v
                    RETURNING partner_id, old_stage, new_stage
                )
                SELECT partner_id, old_stage, new_stage FROM inserted WHERE old_stage IS NOT NULL
                """,
                company=company.id,
                date=date,
                uid=self.env.uid,
                changes=changes,
            )
        )
        self.invalidate_model()
        return rows
