"""Customer base over time: one row per company, period, sales team and salesperson.

The figures (customers active at the start and end of the period, new,
lost, reactivated and kept customers, revenue) and the rates built on them
(CRR = (E - N) / S x 100, strict retention = kept / S x 100) are defined in
:mod:`..analytics.flow`. Rows are written only by :meth:`_rebuild`, from the
confirmed orders; rebuilding a span replaces its rows, so rebuilding twice
gives the same rows.
"""

import datetime
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..analytics.flow import PERIOD_KINDS, flow_history, periods
from .sale_order import ORDER_REVENUE

_logger = logging.getLogger(__name__)

LOCK_NAMESPACE = 418_203  # pg advisory lock namespace of the history rebuild (per company)
# aggregate spec -> (numerator, subtracted, denominator) of a rate that must
# be computed from the sums, not summed or averaged
RATES = {
    "crr:sum": ("customers_end", "customers_new", "customers_start"),
    "retention_rate:sum": ("customers_retained", None, "customers_start"),
}


class SaleCustomerBaseHistory(models.Model):
    _name = "sale.customer.base.history"
    _description = "Customer Base History"
    _order = "date desc, period_type, company_id, team_id, user_id"
    _rec_name = "date"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_type = fields.Selection(
        [("month", "Month"), ("quarter", "Quarter"), ("year", "Year")], required=True, readonly=True
    )
    date = fields.Date("Period", required=True, readonly=True, index=True, help="First day of the period.")
    date_end = fields.Date(
        "Period End", readonly=True, help="Last day of the period, or the day it was computed while still running."
    )
    is_closed = fields.Boolean(
        "Closed", readonly=True, help="The period is over. A period in progress is refreshed with new orders."
    )
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        "Salesperson",
        readonly=True,
        help="Salesperson of the customer's latest order up to the period end.",
    )
    customers_start = fields.Integer(
        "Active at Start", readonly=True, help="Customers with an order in the lost threshold before the period (S)."
    )
    customers_end = fields.Integer(
        "Active at End", readonly=True, help="Customers with an order in the lost threshold at the period end (E)."
    )
    customers_new = fields.Integer(
        "New Customers", readonly=True, help="Customers whose first order is in the period (N)."
    )
    customers_lost = fields.Integer(
        "Lost Customers", readonly=True, help="Customers whose silence passed the lost threshold in the period."
    )
    customers_reactivated = fields.Integer(
        "Reactivated Customers", readonly=True, help="Customers who ordered again after being lost."
    )
    customers_retained = fields.Integer(
        "Kept Customers", readonly=True, help="Customers active both at the start and at the end of the period."
    )
    order_count = fields.Integer("Orders", readonly=True)
    revenue = fields.Monetary(readonly=True, help="Untaxed amount of the period's confirmed orders.")
    crr = fields.Float(
        "CRR (%)",
        readonly=True,
        aggregator="sum",  # computed from the sums, see _read_group_select
        help="Customer retention rate: (active at end - new) / active at start x 100. "
        "Reactivated customers raise it, even above 100 %.",
    )
    retention_rate = fields.Float(
        "Strict Retention (%)",
        readonly=True,
        aggregator="sum",  # computed from the sums, see _read_group_select
        help="Kept customers / active at start x 100: reactivations do not count.",
    )

    def _read_group_select(self, aggregate_spec, query):
        # a rate of a group is the rate of its sums, empty when no customer
        # was active at the start
        if aggregate_spec not in RATES:
            return super()._read_group_select(aggregate_spec, query)
        numerator, subtracted, denominator = RATES[aggregate_spec]

        def total(fname):
            return SQL("SUM(%s)", self._field_to_sql(self._table, fname, query))

        top = total(numerator) if subtracted is None else SQL("%s - %s", total(numerator), total(subtracted))
        return SQL("(%s) * 100.0 / NULLIF(%s, 0)", top, total(denominator))

    # ---- actions
    @api.model
    def action_open_retention(self):
        """Open the CRR report after bringing the periods in progress up to date."""
        # the refresh runs as superuser: only for those who may read the history
        self.check_access("read")
        self._refresh_open_periods(self.env.companies)
        return self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_base_history_action")

    # ---- business
    def _refresh_open_periods(self, companies, force=False):
        """Rebuild the periods in progress of ``companies`` (all of a company's history the first time).

        Without ``force``, only where orders changed since the last build:
        opening the report costs nothing when nothing changed.
        """
        today = fields.Date.context_today(self)
        for company in companies:
            built = self.sudo().search_fetch(
                [("company_id", "=", company.id)], ["write_date"], order="write_date desc", limit=1
            )
            if built and not force and not self._orders_changed_since(company, built.write_date):
                continue
            # from yesterday's month: on the 1st, last month gets its final figures
            start = today - datetime.timedelta(days=1) if built else None
            self.sudo()._rebuild(company, start, wait=False)

    def _orders_changed_since(self, company, moment):
        self.env["sale.order"].flush_model(["write_date", "company_id"])
        query = SQL(
            # >=: an order written in the transaction that built the history has the same timestamp
            "SELECT 1 FROM sale_order WHERE company_id = %s AND write_date >= %s LIMIT 1",
            company.id,
            moment,
        )
        return bool(self.env.execute_query(query))

    def _rebuild(self, company, date_from=None, *, wait=True):
        """Replace the rows of ``company`` from the periods holding ``date_from`` up to today.

        ``date_from`` None rebuilds from the first order. With ``wait`` False,
        a rebuild running elsewhere makes this one a no-op instead of an error.
        Returns the number of rows written.
        """
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", LOCK_NAMESPACE, company.id))
        if not self.env.cr.fetchone()[0]:
            if not wait:
                return 0
            raise UserError(
                self.env._(
                    "The customer base history of %(company)s is being rebuilt right now. Try again in a few minutes.",
                    company=company.name,
                )
            )
        as_of = fields.Date.context_today(self)
        if date_from and date_from > as_of:
            raise UserError(self.env._("The history cannot be rebuilt from a date in the future."))
        lost_days = company.customer_base_lost_days
        first_order = self._first_order_date(company)
        if date_from is None or (first_order and date_from < first_order):
            date_from = first_order or as_of
        orders = self._flow_orders(company, date_from, as_of, lost_days)
        flow = flow_history(orders, date_from, as_of, lost_days)
        starts = {kind: periods(kind, date_from, as_of)[0][0] for kind in PERIOD_KINDS}
        self._delete_from(company, starts)
        self._insert_rows(company, flow)
        _logger.info("Customer base history of %s rebuilt from %s: %s rows", company.name, date_from, len(flow))
        return len(flow)

    def _first_order_date(self, company):
        self.env["sale.order"].flush_model(["state", "company_id", "date_order"])
        query = SQL("SELECT MIN(date_order)::date FROM sale_order WHERE state = 'sale' AND company_id = %s", company.id)
        return self.env.execute_query(query)[0][0]

    def _flow_orders(self, company, date_from, as_of, lost_days, order_query=None, partner_query=None):
        """Orders that decide the flow from ``date_from`` on, as a DataFrame.

        Orders from ``lost_days`` before the earliest period start, plus each
        customer's latest order before that: enough to tell who is active,
        new or back, without reading the whole order history. ``order_query``
        and ``partner_query`` (``Query`` objects) narrow the orders to those a
        user may read and to chosen customers.
        """
        earliest = min(periods(kind, date_from, as_of)[0][0] for kind in PERIOD_KINDS)
        cutoff = earliest - datetime.timedelta(days=lost_days + 1)
        until = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min)
        self.env["sale.order"].flush_model(
            ["state", "company_id", "partner_id", "date_order", "amount_untaxed", "currency_rate", "team_id", "user_id"]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        narrow = SQL()
        if order_query is not None:
            narrow = SQL("%s AND so.id IN %s", narrow, order_query.subselect())
        if partner_query is not None:
            narrow = SQL("%s AND p.commercial_partner_id IN %s", narrow, partner_query.subselect())
        # date_order is stored in UTC: its ::date is the UTC date of the order.
        query = SQL(
            """
            WITH orders AS (
                SELECT p.commercial_partner_id AS partner_id,
                       so.id AS order_id,
                       so.date_order::date - DATE '1970-01-01' AS day,
                       %(revenue)s AS revenue,
                       so.team_id,
                       so.user_id
                  FROM sale_order AS so
                  JOIN res_partner AS p ON p.id = so.partner_id
                 WHERE so.state = 'sale'
                   AND so.company_id = %(company)s
                   AND so.date_order < %(until)s
                   %(narrow)s
            )
            SELECT * FROM orders WHERE day >= %(cutoff)s - DATE '1970-01-01'
            UNION ALL
            (SELECT DISTINCT ON (partner_id) *
               FROM orders
              WHERE day < %(cutoff)s - DATE '1970-01-01'
              ORDER BY partner_id, day DESC, order_id DESC)
            """,
            company=company.id,
            until=until,
            cutoff=cutoff,
            narrow=narrow,
            revenue=ORDER_REVENUE,
        )
        return self.env["res.partner"]._customer_base_frame(query)

    def _delete_from(self, company, starts):
        self.flush_model()
        conditions = SQL(" OR ").join(
            SQL("(period_type = %s AND date >= %s)", kind, start) for kind, start in starts.items()
        )
        self.env.cr.execute(
            SQL("DELETE FROM sale_customer_base_history WHERE company_id = %s AND (%s)", company.id, conditions)
        )

    def _insert_rows(self, company, flow):
        if flow.empty:
            self.invalidate_model()
            return
        frame = flow.copy()
        start = frame["customers_start"].where(frame["customers_start"] > 0)
        frame["crr"] = (frame["customers_end"] - frame["customers_new"]) / start * 100
        frame["retention_rate"] = frame["customers_retained"] / start * 100
        for column in ("period_start", "period_end"):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
        for column in ("team_id", "user_id"):
            frame[column] = frame[column].astype("Int64")
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO sale_customer_base_history
                       (company_id, period_type, date, date_end, is_closed, team_id, user_id,
                        customers_start, customers_end, customers_new, customers_lost,
                        customers_reactivated, customers_retained, order_count, revenue, crr, retention_rate,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(company)s, v.period_type, v.period_start, v.period_end, v.closed, v.team_id, v.user_id,
                       v.customers_start, v.customers_end, v.customers_new, v.customers_lost,
                       v.customers_reactivated, v.customers_retained, v.order_count, v.revenue, v.crr,
                       v.retention_rate,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM jsonb_to_recordset(%(payload)s::jsonb) AS v(
                       period_type varchar, period_start date, period_end date, closed bool,
                       team_id int4, user_id int4, customers_start int4, customers_end int4,
                       customers_new int4, customers_lost int4, customers_reactivated int4,
                       customers_retained int4, order_count int4, revenue numeric, crr float8,
                       retention_rate float8)
                """,
                company=company.id,
                uid=self.env.uid,
                payload=frame.to_json(orient="records"),
            )
        )
        self.invalidate_model()
