"""18.0.2.0.0: the customer's figures move from the partner to ``sale.customer.metrics``.

Up to 18.0.1.2.0 every engine value was a company-dependent field of ``res.partner`` (a jsonb
column keyed by company id). Each (company, commercial partner) holding values becomes one row
of ``sale_customer_metrics`` with the same values, typed; the jsonb columns are then dropped.
The days since a date (last order, last heard from, next contact due) are counted when read
now: their dates are kept, the counts are not copied. Stage history, plans, feedback, settings
and the inputs people typed (share of wallet, key account reason and manager, recommends us)
are untouched: they keep their tables and columns.
"""

import logging

from odoo.tools import SQL

from odoo.addons.sale_customer_base.models.sale_customer_base_engine import METRIC_FIELDS
from odoo.addons.sale_customer_base.models.sale_customer_contact_engine import CONTACT_FIELDS

_logger = logging.getLogger(__name__)
# stored up to 18.0.1.2.0, counted from a date when read since: dropped, not copied
CALENDAR_COLUMNS = ("days_since_last_order", "temperature_contact_days", "contact_days_overdue")


def migrate(cr, version):
    if not version:
        return
    columns = dict(METRIC_FIELDS.values()) | dict(CONTACT_FIELDS.values())
    cr.execute(
        """
        SELECT column_name FROM information_schema.columns
         WHERE table_name = 'res_partner' AND data_type = 'jsonb' AND column_name = ANY(%s)
        """,
        [[*columns, *CALENDAR_COLUMNS]],
    )
    present = [name for (name,) in cr.fetchall()]
    if "customer_stage" not in present:
        return  # nothing stored the old way
    copied = [name for name in columns if name in present]
    names = [SQL.identifier(name) for name in copied]
    values = [SQL("(p.%s ->> c.id::text)::%s", SQL.identifier(name), SQL(columns[name])) for name in copied]
    if "temperature_contact_days" in present:
        # the day last heard from: the days since it, counted on the day of the last recompute
        names.append(SQL.identifier("temperature_contact_date"))
        values.append(SQL("c.customer_base_last_run::date - (p.temperature_contact_days ->> c.id::text)::int4"))
    cr.execute(
        SQL(
            """
            INSERT INTO sale_customer_metrics
                   (company_id, partner_id, user_id, create_uid, create_date, write_uid, write_date, %(names)s)
            SELECT c.id, p.id, p.user_id, 1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC', %(values)s
              FROM res_partner AS p
              JOIN res_company AS c
                ON p.customer_stage ? c.id::text OR p.customer_order_count ? c.id::text
                   OR p.contact_rule_id ? c.id::text
             WHERE p.id = p.commercial_partner_id
                ON CONFLICT (company_id, partner_id) DO NOTHING
            """,
            names=SQL(", ").join(names),
            values=SQL(", ").join(values),
        )
    )
    _logger.info("Customer figures: %s rows moved from res_partner to sale_customer_metrics", cr.rowcount)
    cr.execute(
        SQL(
            "ALTER TABLE res_partner %s",
            SQL(", ").join(SQL("DROP COLUMN %s", SQL.identifier(name)) for name in present),
        )
    )
    # the engine mirrored its values on contacts through this index; nothing reads it any more
    cr.execute("DROP INDEX IF EXISTS res_partner_contact_commercial_partner_index")
