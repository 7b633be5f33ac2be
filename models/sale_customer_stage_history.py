from odoo import fields, models
from odoo.tools import SQL

from .sale_customer_metrics import STAGES

# the stage a change starts from; "first" when the customer had none (its first classification)
FROM_STAGES = [("first", "First Classified"), *STAGES]
LIFECYCLE_ORDER = [stage for stage, _label in FROM_STAGES]  # first, prospect ... lost, reactivated


def lifecycle_position(sql_expr):
    """SQL position of a stage in the lifecycle, to sort groups of stages as the funnel reads, not alphabetically."""
    return SQL("array_position(%s::varchar[], %s::varchar)", LIFECYCLE_ORDER, sql_expr)


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
    old_stage = fields.Selection(STAGES, "Previous Stage", readonly=True, help="Empty for a first classification.")
    # what the reports show: a first classification is a from-stage of its own, not "None"
    from_stage = fields.Selection(FROM_STAGES, readonly=True)
    new_stage = fields.Selection(STAGES, "To Stage", readonly=True)

    def init(self):
        # rows written before from_stage existed (an upgrade)
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET from_stage = COALESCE(old_stage, 'first') WHERE from_stage IS NULL",
                SQL.identifier(self._table),
            )
        )

    def _read_group_orderby(self, order, groupby_terms, query):
        terms = {
            spec: lifecycle_position(sql) if spec in ("old_stage", "from_stage", "new_stage") else sql
            for spec, sql in groupby_terms.items()
        }
        return super()._read_group_orderby(order, terms, query)

    def _insert_changes(self, company, date, changes):
        """Insert the rows of the query ``changes`` (partner_id, old_stage, new_stage) in one statement.

        :return: the transitions among them (a stage before and after), as (partner_id, old, new) tuples
        """
        rows = self.env.execute_query(
            SQL(
                """
                WITH inserted AS (
                    INSERT INTO sale_customer_stage_history
                           (partner_id, company_id, date, old_stage, from_stage, new_stage,
                            create_uid, create_date, write_uid, write_date)
                    SELECT v.partner_id, %(company)s, %(date)s, v.old_stage, COALESCE(v.old_stage, 'first'),
                           v.new_stage, %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
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
